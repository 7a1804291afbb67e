package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yingjing/xunhui/web"
)

// TestAppStatic checks how the workbench's files (/ and /app/) are served:
// every reference between them carries the bundle's version, the same in
// every file; gzip when accepted; ETag and 304; a year's immutable cache
// only for versioned URLs; config.json (per server) is revalidated.
func TestAppStatic(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	js := "import { h } from './util.js';\nexport const load = () => import('./page.js');\n" + strings.Repeat("// the workbench\n", 80)
	e.srv.SetWeb(fstest.MapFS{
		"index.html":     {Data: []byte(`<!doctype html><link rel="stylesheet" href="/app/app.css"><script type="module" src="/app/app.js"></script>`)},
		"app.js":         {Data: []byte(js)},
		"util.js":        {Data: []byte("export const h = 1;")},
		"page.js":        {Data: []byte(`import { load } from "./app.js"; fetch('/app/county.geojson');`)},
		"app.css":        {Data: []byte(strings.Repeat("body { margin: 0 }\n", 80))},
		"county.geojson": {Data: []byte(`{"type":"FeatureCollection","features":[]}`)},
	}, WebConfig{})
	get := func(path string, hdr ...string) (int, http.Header, []byte) {
		t.Helper()
		return e.do(http.MethodGet, path, "", nil, hdr...)
	}
	code, h, page := get("/")
	m := regexp.MustCompile(`/app/app\.js\?v=([0-9a-f]{12})`).FindSubmatch(page)
	if code != 200 || m == nil || h.Get("Cache-Control") != "no-cache" || h.Get("ETag") == "" {
		t.Fatalf("GET /: %d %q %v", code, page, h)
	}
	v := string(m[1])
	if !strings.Contains(string(page), "/app/app.css?v="+v) {
		t.Fatalf("index.html references the stylesheet without the version: %s", page)
	}
	code, h, body := get("/app/app.js?v="+v, "Accept-Encoding", "gzip")
	if code != 200 || h.Get("Content-Encoding") != "gzip" || h.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		len(body) >= len(js) || !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") {
		t.Fatalf("versioned app.js: %d %v, %d bytes", code, h, len(body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.Contains(string(plain), "'./util.js?v="+v+"'") || !strings.Contains(string(plain), "import('./page.js?v="+v+"')") {
		t.Fatalf("app.js imports not versioned: %s", plain[:120])
	}
	if _, _, pg := get("/app/page.js?v=" + v); !strings.Contains(string(pg), `"./app.js?v=`+v+`"`) || !strings.Contains(string(pg), "'/app/county.geojson?v="+v+"'") {
		t.Fatalf("page.js references not versioned: %s", pg)
	}
	if code, h, _ := get("/app/app.js"); code != 200 || h.Get("Cache-Control") != "no-cache" || h.Get("Content-Encoding") != "" {
		t.Fatalf("unversioned app.js without gzip: %d %v", code, h)
	}
	if code, _, body := get("/app/app.js", "If-None-Match", h.Get("ETag")); code != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("If-None-Match: %d, %d bytes", code, len(body))
	}
	if code, h, _ := get("/app/county.geojson?v="+v, "Accept-Encoding", "gzip"); code != 200 || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("county.geojson: %d %v", code, h)
	}
	if code, h, _ := get("/app/config.json"); code != 200 || h.Get("Cache-Control") != "no-cache" {
		t.Fatalf("config.json: %d %v", code, h)
	}
	if code, _, _ := get("/app/missing.js"); code != http.StatusNotFound {
		t.Fatalf("missing file: %d", code)
	}
}

// TestAppReferencesVersioned: in the real workbench every module import
// and /app/ reference is caught by the versioning (a new import style it
// missed would load a module twice and cache it without a version).
func TestAppReferencesVersioned(t *testing.T) {
	files, err := appFiles(web.FS)
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`(?:from\s*|import\s*\(\s*|fetch\s*\(\s*|src=|href=)["'](\./|/app/)([^"'?]+)(\?v=[0-9a-f]+)?["']`)
	n := 0
	for name, f := range files {
		if !strings.HasSuffix(name, ".js") && !strings.HasSuffix(name, ".html") {
			continue
		}
		for _, m := range ref.FindAllStringSubmatch(string(f.body), -1) {
			n++
			if m[3] != "?v="+f.version || m[2] == "config.json" {
				if m[2] == "config.json" && m[3] == "" {
					continue // per server, not part of the bundle
				}
				t.Errorf("%s: reference %q is not versioned as ?v=%s", name, m[0], f.version)
			}
		}
	}
	if _, err := fs.Stat(web.FS, "app.js"); err != nil || n < 20 {
		t.Fatalf("found %d references in the workbench (%v)", n, err)
	}
}
