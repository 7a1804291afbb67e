package api

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
)

func TestHealthAndReady(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		for _, path := range []string{"/healthz", "/readyz"} {
			code, _, body := e.do(http.MethodGet, path, "", nil)
			if code != http.StatusOK {
				t.Errorf("GET %s: status %d, want 200; body %s", path, code, body)
			}
		}
	})
}

func TestReadyzStoreDown(t *testing.T) {
	store := sqlitetest.New(t)
	logs := &syncBuffer{}
	srv := NewServer(store, newTestLogger(logs), Config{})
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	secret, err := EnsureAdmin(context.Background(), store, "")
	if err != nil || secret == "" {
		t.Fatalf("EnsureAdmin: %q, %v", secret, err)
	}
	store.Close() // the database goes away under a running server
	// An internal error: generic message and request id for the client,
	// the cause in the log only.
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/api/v1/townships", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var eb errorBody
	_ = json.NewDecoder(resp.Body).Decode(&eb)
	resp.Body.Close()
	if resp.StatusCode != 500 || eb.Error.Code != codeInternal || eb.Error.RequestID == "" ||
		strings.Contains(strings.ToLower(eb.Error.Message), "sql") || strings.Contains(eb.Error.Message, "closed") {
		t.Errorf("store down: status %d body %+v, want a generic 500 with a request id", resp.StatusCode, eb)
	}
	if !strings.Contains(logs.String(), `"request_id":"`+eb.Error.RequestID+`"`) || !strings.Contains(logs.String(), "closed") {
		t.Errorf("the log lacks the failed request's cause:\n%s", logs.String())
	}
	for _, tc := range []struct {
		path string
		want int
	}{{"/healthz", 200}, {"/readyz", 503}} {
		resp, err := http.Get(srv.URL() + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET %s with the store closed: status %d, want %d", tc.path, resp.StatusCode, tc.want)
		}
	}
}

func TestMetrics(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		e.do(http.MethodGet, "/api/v1/townships", "u-planner", nil)
		e.do(http.MethodGet, "/api/v1/requests/"+reqB1, "u-coordA", nil) // a 404
		for _, tc := range []struct {
			user string
			want int
		}{{"", 401}, {"u-planner", 403}, {"u-coordA", 403}, {"u-admin", 200}} {
			code, _, body := e.do(http.MethodGet, "/metrics", tc.user, nil)
			if code != tc.want {
				t.Fatalf("GET /metrics as %q: status %d, want %d", tc.user, code, tc.want)
			}
			if code != 200 {
				continue
			}
			text := string(body)
			for _, want := range []string{
				`xunhui_http_requests_total{method="GET",route="/api/v1/townships",status="200"} 1`,
				`xunhui_http_requests_total{method="GET",route="/api/v1/requests/:id",status="404"} 1`,
				`xunhui_http_errors_total{code="not_found"}`,
				`xunhui_http_request_duration_seconds_bucket{method="GET",route="/api/v1/townships"`,
				`go_goroutines`,
			} {
				if !strings.Contains(text, want) {
					t.Errorf("/metrics lacks %q", want)
				}
			}
		}
	})
}

func TestMetricsListener(t *testing.T) {
	srv := NewServer(sqlitetest.New(t), nil, Config{})
	if err := srv.OpenMetrics("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	srv.Metrics().SolveSeconds.WithLabelValues("vrp", "ok").Observe(0.25)
	resp, err := http.Get("http://" + srv.MetricsAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(b.String(), `xunhui_solve_seconds_count{planner="vrp",status="ok"} 1`) {
		t.Errorf("metrics listener: status %d, body lacks the solve observation:\n%.500s", resp.StatusCode, b.String())
	}
}

func TestAuthentication(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		for _, tc := range []struct {
			name   string
			header string
			want   int
		}{
			{"no header", "", 401},
			{"basic scheme", "Basic dXNlcjpwYXNz", 401},
			{"bearer without token", "Bearer ", 401},
			{"unknown token", "Bearer xh_notarealtoken", 401},
			{"huge token", "Bearer " + strings.Repeat("x", 5000), 401},
			{"valid token, lower-case scheme", "bearer " + e.tokens["u-planner"], 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, e.url+"/api/v1/me", nil)
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				resp, err := e.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
				}
				if tc.want == 401 {
					if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
						t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
					}
					var eb errorBody
					if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || eb.Error.Code != codeUnauthorized {
						t.Errorf("body code = %q (%v), want %q", eb.Error.Code, err, codeUnauthorized)
					}
				}
			})
		}
		// Each role sees itself in /me.
		for _, u := range fixtureUsers {
			var me meBody
			e.getJSON("/api/v1/me", u.ID, 200, &me)
			if me.User.ID != u.ID || me.User.Role != u.Role || me.User.TownshipID != u.TownshipID || me.User.TeamID != u.TeamID {
				t.Errorf("/me as %s: got %+v", u.ID, me.User)
			}
		}
		// An expired token is refused.
		secret, hash, err := data.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		past := time.Now().Add(-time.Hour)
		if err := e.store.CreateToken(context.Background(), &data.Token{UserID: "u-admin", Name: "old", Hash: hash, ExpiresAt: &past}); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := e.do(http.MethodGet, "/api/v1/me", secret, nil); code != 401 {
			t.Errorf("expired token: status %d, want 401", code)
		}
		// A disabled user's token stops working.
		u, err := e.store.GetUser(context.Background(), "u-memberB")
		if err != nil {
			t.Fatal(err)
		}
		u.Disabled = true
		if err := e.store.UpdateUser(context.Background(), &u); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := e.do(http.MethodGet, "/api/v1/me", "u-memberB", nil); code != 401 {
			t.Errorf("disabled user: status %d, want 401", code)
		}
	})
}

func TestRequestIDHeader(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		_, h, _ := e.do(http.MethodGet, "/healthz", "", nil, RequestIDHeader, "trace-abc.123")
		if got := h.Get(RequestIDHeader); got != "trace-abc.123" {
			t.Errorf("echoed id = %q, want trace-abc.123", got)
		}
		_, h, _ = e.do(http.MethodGet, "/healthz", "", nil, RequestIDHeader, "bad id\twith spaces")
		if got := h.Get(RequestIDHeader); len(got) != 32 {
			t.Errorf("unsafe client id was not replaced by a generated one: %q", got)
		}
		code, h, body := e.do(http.MethodGet, "/api/v1/nope", "u-admin", nil)
		if code != 404 {
			t.Fatalf("unknown route: status %d, want 404", code)
		}
		if eb := errBody(t, body); eb.RequestID != h.Get(RequestIDHeader) {
			t.Errorf("body request_id %q != header %q", eb.RequestID, h.Get(RequestIDHeader))
		}
		if !strings.Contains(e.logs.String(), `"request_id":"`+h.Get(RequestIDHeader)+`"`) {
			t.Errorf("access log lacks the request id %s", h.Get(RequestIDHeader))
		}
		if code, _, _ := e.do(http.MethodDelete, "/api/v1/townships", "u-admin", nil); code != 405 {
			t.Errorf("DELETE /townships: status %d, want 405", code)
		}
	})
}

func TestReferenceData(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		var tws listBody[data.Township]
		e.getJSON("/api/v1/townships", "u-memberA", 200, &tws)
		if tws.Total != 2 || len(tws.Items) != 2 {
			t.Errorf("townships: got %d", tws.Total)
		}
		var tw data.Township
		e.getJSON("/api/v1/townships/"+twB, "u-coordA", 200, &tw)
		if tw.ID != twB {
			t.Errorf("township: got %q", tw.ID)
		}
		e.getJSON("/api/v1/townships/511822999000", "u-admin", 404, nil)
		e.getJSON("/api/v1/townships/..%2F..%2Fetc", "u-admin", 404, nil)
		var vs listBody[data.Village]
		e.getJSON("/api/v1/villages?township="+twA, "u-planner", 200, &vs)
		if vs.Total != 2 {
			t.Errorf("villages of A: got %d, want 2", vs.Total)
		}
		e.getJSON("/api/v1/villages?township=abc", "u-planner", 400, nil)
		e.getJSON("/api/v1/villages?townsihp="+twA, "u-planner", 400, nil) // typo is an error, not "all"
		e.getJSON("/api/v1/villages/"+vB1, "u-memberA", 200, nil)
		var items listBody[data.ServiceItem]
		e.getJSON("/api/v1/service-items", "u-memberB", 200, &items)
		if items.Total != 2 {
			t.Errorf("items: got %d", items.Total)
		}
		e.getJSON("/api/v1/service-items/"+itemMA, "u-memberB", 200, nil)
		var teams listBody[data.Team]
		e.getJSON("/api/v1/teams?level=township", "u-coordB", 200, &teams)
		if teams.Total != 2 {
			t.Errorf("teams: got %d", teams.Total)
		}
		e.getJSON("/api/v1/teams/"+teamA, "u-coordB", 200, nil)
		var sps listBody[data.ServicePoint]
		e.getJSON("/api/v1/service-points?circle=township", "u-memberA", 200, &sps)
		if sps.Total != 2 {
			t.Errorf("service points: got %d", sps.Total)
		}
	})
}

func TestVillagesGeoJSON(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		var want listBody[data.Village]
		e.getJSON("/api/v1/villages", "u-planner", 200, &want)
		for _, path := range []string{"/api/v1/villages?format=geojson", "/api/v1/villages.geojson"} {
			code, h, body := e.do(http.MethodGet, path, "u-planner", nil)
			if code != 200 || h.Get("Content-Type") != "application/geo+json" {
				t.Fatalf("GET %s: status %d, content type %q", path, code, h.Get("Content-Type"))
			}
			var fc struct {
				Type     string `json:"type"`
				Features []struct {
					Type     string `json:"type"`
					ID       string `json:"id"`
					Geometry struct {
						Type        string    `json:"type"`
						Coordinates []float64 `json:"coordinates"`
					} `json:"geometry"`
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			if err := json.Unmarshal(body, &fc); err != nil {
				t.Fatal(err)
			}
			if fc.Type != "FeatureCollection" || len(fc.Features) != len(want.Items) {
				t.Fatalf("%s: type %q with %d features, want FeatureCollection with %d", path, fc.Type, len(fc.Features), len(want.Items))
			}
			for i, f := range fc.Features {
				v := want.Items[i]
				// RFC 7946: [longitude, latitude].
				if f.Type != "Feature" || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 ||
					f.Geometry.Coordinates[0] != v.Location.Lon || f.Geometry.Coordinates[1] != v.Location.Lat {
					t.Errorf("feature %d: got %+v, want point [%v, %v]", i, f, v.Location.Lon, v.Location.Lat)
				}
				for _, k := range []string{"code", "name", "township", "provenance"} {
					if _, ok := f.Properties[k]; !ok {
						t.Errorf("feature %s lacks property %q", f.ID, k)
					}
				}
				if f.Properties["code"] != v.ID || f.Properties["township"] != v.TownshipID || f.Properties["provenance"] != string(v.Provenance) {
					t.Errorf("feature %d properties %v do not match village %+v", i, f.Properties, v)
				}
			}
		}
		code, _, _ := e.do(http.MethodGet, "/api/v1/villages?format=kml", "u-planner", nil)
		if code != 400 {
			t.Errorf("format=kml: status %d, want 400", code)
		}
	})
}

// TestStaffPhones checks that staff phones (personal data) are shown only
// within the caller's scope.
func TestStaffPhones(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		for _, tc := range []struct {
			user    string
			visible map[string]bool // staff id -> phone shown
		}{
			{"u-admin", map[string]bool{staffA: true, staffB: true, staffCounty: true}},
			{"u-planner", map[string]bool{staffA: true, staffB: true, staffCounty: true}},
			{"u-coordA", map[string]bool{staffA: true, staffB: false, staffCounty: false}},
			{"u-coordB", map[string]bool{staffA: false, staffB: true, staffCounty: false}},
			{"u-memberA", map[string]bool{staffA: true, staffB: false, staffCounty: false}},
			{"u-memberB", map[string]bool{staffA: false, staffB: true, staffCounty: false}},
		} {
			var lb listBody[data.Staff]
			e.getJSON("/api/v1/staff", tc.user, 200, &lb)
			if len(lb.Items) != 3 {
				t.Fatalf("%s: %d staff, want 3", tc.user, len(lb.Items))
			}
			for _, st := range lb.Items {
				if got := st.Phone != ""; got != tc.visible[st.ID] {
					t.Errorf("%s sees phone of %s: %v, want %v", tc.user, st.ID, got, tc.visible[st.ID])
				}
				var one data.Staff
				e.getJSON("/api/v1/staff/"+st.ID, tc.user, 200, &one)
				if got := one.Phone != ""; got != tc.visible[st.ID] {
					t.Errorf("%s sees phone of %s via /staff/{id}: %v, want %v", tc.user, st.ID, got, tc.visible[st.ID])
				}
			}
		}
	})
}

// TestGracefulShutdown checks that Close drains an in-flight request and
// then refuses new connections.
func TestGracefulShutdown(t *testing.T) {
	srv := NewServer(sqlitetest.New(t), nil, Config{})
	release := make(chan struct{})
	entered := make(chan struct{})
	// A slow endpoint on this server only (not part of the API).
	srv.engine.GET("/slow", func(c *gin.Context) {
		close(entered)
		<-release
		c.String(200, "done")
	})
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr().String()
	type result struct {
		code int
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		resp.Body.Close()
		got <- result{code: resp.StatusCode}
	}()
	<-entered
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		closed <- srv.Close(ctx)
	}()
	// Wait until the listener is closed: new connections are refused while
	// the slow request is still running.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepting after Close started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if r := <-got; r.err != nil || r.code != 200 {
		t.Errorf("in-flight request: code %d, err %v; want 200 (drained)", r.code, r.err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestShutdownTimeout checks that Close gives up on a request that outlives
// its context and reports it.
func TestShutdownTimeout(t *testing.T) {
	srv := NewServer(sqlitetest.New(t), nil, Config{})
	release := make(chan struct{})
	defer close(release)
	entered := make(chan struct{})
	srv.engine.GET("/stuck", func(c *gin.Context) {
		close(entered)
		<-release
	})
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go func() {
		if resp, err := http.Get(srv.URL() + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := srv.Close(ctx)
	if err == nil {
		t.Error("Close with a stuck request: got nil error, want the context's deadline error")
	}
}
