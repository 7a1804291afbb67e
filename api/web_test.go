package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yingjing/xunhui/data"
)

// TestWeb covers SetWeb: static files are public with a strict CSP, paths
// cannot escape the file system, config.json carries the tile URL, and the
// village-location endpoint is for planners only and validates its input.
func TestWeb(t *testing.T) {
	store := storeFactories[0].open(t)
	ctx := context.Background()
	seedFixture(t, ctx, store)
	tokens := map[string]string{}
	for _, u := range fixtureUsers {
		u := u
		if err := store.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		secret, hash, _ := data.NewToken()
		if err := store.CreateToken(ctx, &data.Token{UserID: u.ID, Name: "t", Hash: hash}); err != nil {
			t.Fatal(err)
		}
		tokens[u.ID] = secret
	}
	srv := NewServer(store, nil, Config{})
	srv.SetWeb(fstest.MapFS{
		"index.html":   {Data: []byte("<!doctype html><title>x</title>")},
		"app.js":       {Data: []byte("export {}")},
		"app.css":      {Data: []byte("body{}")},
		"sub/data.txt": {Data: []byte("x")},
	}, WebConfig{TileURL: "http://10.1.2.3:8000/tiles/{z}/{x}/{y}.png"})
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	do := func(method, path, user string, body any) (int, http.Header, string) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.URL()+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if user != "" {
			req.Header.Set("Authorization", "Bearer "+tokens[user])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}

	for _, tc := range []struct {
		path, wantType string
		want           int
	}{
		{"/", "text/html", 200},
		{"/app/", "text/html", 200},
		{"/app/app.js", "text/javascript", 200},
		{"/app/app.css", "text/css", 200},
		{"/app/config.json", "application/json", 200},
		{"/app/missing.js", "application/json", 404},
		{"/app/../../etc/passwd", "application/json", 404},
		{"/app/sub/", "application/json", 404},
	} {
		t.Run("GET "+tc.path, func(t *testing.T) {
			code, h, _ := do(http.MethodGet, tc.path, "", nil)
			if code != tc.want || !strings.HasPrefix(h.Get("Content-Type"), tc.wantType) {
				t.Errorf("status %d, type %q; want %d, %s", code, h.Get("Content-Type"), tc.want, tc.wantType)
			}
			if tc.want == 200 {
				csp := h.Get("Content-Security-Policy")
				for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "img-src 'self' data: http://10.1.2.3:8000"} {
					if !strings.Contains(csp, want) {
						t.Errorf("CSP %q lacks %q", csp, want)
					}
				}
			}
		})
	}
	if _, _, body := do(http.MethodGet, "/app/config.json", "", nil); !strings.Contains(body, `"tile_url":"http://10.1.2.3:8000/tiles/{z}/{x}/{y}.png"`) {
		t.Errorf("config.json = %s", body)
	}

	loc := "/api/v1/villages/" + vA1 + "/location"
	for _, tc := range []struct {
		name, user string
		body       any
		want       int
	}{
		{"no token", "", map[string]any{"lon": 102.81, "lat": 29.81}, 401},
		{"coordinator", "u-coordA", map[string]any{"lon": 102.81, "lat": 29.81}, 403},
		{"outside the county", "u-planner", map[string]any{"lon": 116.4, "lat": 39.9}, 422},
		{"bad provenance", "u-planner", map[string]any{"lon": 102.81, "lat": 29.81, "provenance": "guess"}, 422},
		{"unknown field", "u-planner", map[string]any{"lon": 102.81, "lat": 29.81, "x": 1}, 400},
		{"unknown village", "u-planner", nil, 404},
		{"planner", "u-planner", map[string]any{"lon": 102.8123, "lat": 29.8123}, 200},
	} {
		t.Run("PUT location "+tc.name, func(t *testing.T) {
			path, body := loc, tc.body
			if tc.name == "unknown village" {
				path, body = "/api/v1/villages/511822101299/location", map[string]any{"lon": 102.81, "lat": 29.81}
			}
			code, _, b := do(http.MethodPut, path, tc.user, body)
			if code != tc.want {
				t.Fatalf("status %d (%s), want %d", code, b, tc.want)
			}
		})
	}
	v, err := store.GetVillage(ctx, vA1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Location.Lon != 102.8123 || v.Location.Lat != 29.8123 || v.Provenance != data.Surveyed {
		t.Errorf("village after PUT: %+v %s, want 102.8123,29.8123 surveyed", v.Location, v.Provenance)
	}
}
