package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// TestFieldStatic checks how the field app's files are served: versioned
// references filled in, gzip when accepted, ETag and 304, a year's
// immutable cache only for versioned URLs, the service worker revalidated.
func TestFieldStatic(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	js := strings.Repeat("export const x = 'field app';\n", 50)
	e.srv.SetWeb(fstest.MapFS{
		"index.html":       {Data: []byte("<!doctype html><title>x</title>")},
		"field/index.html": {Data: []byte(`<!doctype html><script type="module" src="/field/field.js?v=dev"></script>`)},
		"field/field.js":   {Data: []byte(js)},
		"field/sw.js":      {Data: []byte("const VERSION = 'dev';\nconst SHELL = ['/field/field.js?v=dev'];\n")},
	}, WebConfig{})
	get := func(path string, hdr ...string) (int, http.Header, []byte) {
		t.Helper()
		return e.do(http.MethodGet, path, "", nil, hdr...)
	}
	code, h, page := get("/field/")
	m := regexp.MustCompile(`/field/field\.js\?v=([0-9a-f]{12})`).FindSubmatch(page)
	if code != 200 || m == nil || h.Get("Cache-Control") != "no-cache" || h.Get("ETag") == "" || !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("GET /field/: %d %q %v", code, page, h)
	}
	v := string(m[1])
	code, h, body := get("/field/field.js?v="+v, "Accept-Encoding", "gzip")
	if code != 200 || h.Get("Content-Encoding") != "gzip" || h.Get("Cache-Control") != "public, max-age=31536000, immutable" || len(body) >= len(js) {
		t.Fatalf("versioned js: %d %v, %d bytes", code, h, len(body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); string(plain) != js {
		t.Fatalf("gunzipped js differs")
	}
	if code, h, _ := get("/field/field.js?v=old"); code != 200 || h.Get("Cache-Control") != "no-cache" || h.Get("Content-Encoding") != "" {
		t.Fatalf("unversioned js without gzip: %d %v", code, h)
	}
	if code, _, body := get("/field/field.js", "If-None-Match", h.Get("ETag")); code != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("If-None-Match: %d, %d bytes", code, len(body))
	}
	_, h, sw := get("/field/sw.js")
	if h.Get("Cache-Control") != "no-cache" || strings.Contains(string(sw), "'dev'") || !strings.Contains(string(sw), "field.js?v="+v) {
		t.Fatalf("sw.js: %v %s", h, sw)
	}
	if code, _, _ := get("/field/missing.js"); code != http.StatusNotFound {
		t.Fatalf("missing file: %d", code)
	}
}
