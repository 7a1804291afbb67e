package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// staticFile is one file of the field app, prepared once at start: the
// bytes (versioned references filled in), their gzip form and a strong
// validator.
type staticFile struct {
	body, gz    []byte
	ctype, etag string
	// version is the short content hash that versioned URLs (?v=) carry.
	version string
}

func newStaticFile(name string, b []byte) staticFile {
	sum := sha256.Sum256(b)
	f := staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, version: hex.EncodeToString(sum[:6])}
	f.ctype = mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".js", ".mjs":
		f.ctype = "text/javascript; charset=utf-8"
	case ".geojson":
		f.ctype = "application/geo+json"
	case ".webmanifest":
		f.ctype = "application/manifest+json"
	case ".html", "":
		f.ctype = "text/html; charset=utf-8"
	}
	if !strings.HasPrefix(f.ctype, "image/") {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		if buf.Len() < len(b) {
			f.gz = buf.Bytes()
		}
	}
	return f
}

// fieldFiles reads the field app (fsys's field/ folder) and fills the
// versions: "?v=dev" after a file name in index.html and sw.js becomes that
// file's hash, and sw.js's VERSION the hash of the whole shell, so that a
// new binary installs a new service worker and cache.
func fieldFiles(fsys fs.FS) (map[string]staticFile, error) {
	raw := map[string][]byte{}
	if _, err := fs.Stat(fsys, "field"); err != nil {
		return nil, err
	}
	err := fs.WalkDir(fsys, "field", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		raw[strings.TrimPrefix(p, "field/")] = b
		return err
	})
	if err != nil {
		return nil, err
	}
	out := map[string]staticFile{}
	for name, b := range raw {
		if name != "index.html" && name != "sw.js" {
			out[name] = newStaticFile(name, b)
		}
	}
	fill := func(b []byte) []byte {
		s := string(b)
		for name, f := range out {
			s = strings.ReplaceAll(s, "/field/"+name+"?v=dev", "/field/"+name+"?v="+f.version)
		}
		return []byte(s)
	}
	out["index.html"] = newStaticFile("index.html", fill(raw["index.html"]))
	shell := sha256.New()
	for _, n := range []string{"index.html", "field.js", "field.css", "manifest.webmanifest"} {
		shell.Write([]byte(out[n].etag))
	}
	sw := strings.Replace(string(fill(raw["sw.js"])), "const VERSION = 'dev';", "const VERSION = '"+hex.EncodeToString(shell.Sum(nil)[:6])+"';", 1)
	out["sw.js"] = newStaticFile("sw.js", []byte(sw))
	return out, nil
}

// fieldWeb serves the field app at /field/ (its service worker's scope):
// gzip when the browser accepts it, ETag validators (304 on a match),
// a year's immutable cache for versioned URLs (?v=<hash>) and revalidation
// for the rest (the page, the manifest, sw.js).
func (s *Server) fieldWeb(fsys fs.FS, csp string) {
	files, err := fieldFiles(fsys)
	if err != nil {
		files = nil // no field app in this file system: every file is 404
	}
	s.handle(&s.engine.RouterGroup, http.MethodGet, "/field/*file", opSpec{public: true, tag: "web",
		summary:     "The field app for team members (installable, works offline; no data, no authentication)",
		description: "index.html, field.js, field.css, sw.js (service worker, scope /field/), manifest.webmanifest and icons; gzip, ETag, immutable when versioned (?v=).",
		contentType: "text/html", errors: []int{404}},
		func(c *gin.Context) error {
			name := strings.TrimPrefix(path.Clean("/"+c.Param("file")), "/")
			if name == "" || name == "." {
				name = "index.html"
			}
			f, ok := files[name]
			if !ok {
				return notFound("no such file: /field/" + name)
			}
			serveAsset(c, f, csp)
			return nil
		})
}

// serveAsset answers a prepared static file: gzip when the browser accepts
// it, its ETag (304 on a match), a year's immutable cache when the URL
// carries the file's version (?v=<hash>), revalidation otherwise.
func serveAsset(c *gin.Context, f staticFile, csp string) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("ETag", f.etag)
	h.Set("Vary", "Accept-Encoding")
	if v := c.Query("v"); v != "" && v == f.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if inm := c.GetHeader("If-None-Match"); inm != "" && strings.Contains(inm, f.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	c.Data(http.StatusOK, f.ctype, body)
}

// appFiles reads the workbench (fsys without its field/ folder) and
// versions it as one bundle: its modules import each other in a cycle
// (app.js loads the pages, the pages import app.js), so no file's hash can
// include its imports' hashes. Every reference to a file of the bundle
// ('./x.js', "/app/x.css", …) in the HTML, JavaScript and CSS gets
// ?v=<hash of the whole bundle>, the same URL everywhere, so that each
// module is loaded once and a new binary changes every URL.
func appFiles(fsys fs.FS) (map[string]staticFile, error) {
	raw := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == "field" {
				return fs.SkipDir
			}
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		raw[p] = b
		return err
	})
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(raw))
	sum := sha256.New()
	for _, n := range names {
		fmt.Fprintf(sum, "%s\x00%d\x00", n, len(raw[n]))
		sum.Write(raw[n])
	}
	version := hex.EncodeToString(sum.Sum(nil)[:6])
	var pairs []string
	for _, n := range names {
		for _, q := range []string{"'", `"`} {
			pairs = append(pairs, q+"./"+n+q, q+"./"+n+"?v="+version+q, q+"/app/"+n+q, q+"/app/"+n+"?v="+version+q)
		}
	}
	refs := strings.NewReplacer(pairs...)
	out := map[string]staticFile{}
	for _, n := range names {
		b := raw[n]
		switch path.Ext(n) {
		case ".html", ".js", ".css":
			b = []byte(refs.Replace(string(b)))
		}
		f := newStaticFile(n, b)
		f.version = version
		out[n] = f
	}
	return out, nil
}
