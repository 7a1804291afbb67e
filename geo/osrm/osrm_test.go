package osrm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// fakeOSRM serves /table/v1/{profile}/{coords} like osrm-routed: durations
// are the great-circle distance at 10 m/s, distances the great-circle
// distance, snap distance 0 (except for far points), null towards any
// coordinate with longitude 103.5 (an island), and a 400 TooBig when more
// than max sources or destinations are asked for.
type fakeOSRM struct {
	max      int
	requests atomic.Int32
}

func (f *fakeOSRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/table/v1/"), "/")
	if len(parts) != 2 {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"code": "InvalidUrl", "message": "URL string malformed"})
		return
	}
	var pts []orb.Point
	for _, c := range strings.Split(parts[1], ";") {
		xy := strings.Split(c, ",")
		lon, _ := strconv.ParseFloat(xy[0], 64)
		lat, _ := strconv.ParseFloat(xy[1], 64)
		pts = append(pts, orb.Point{lon, lat})
	}
	idx := func(key string) []int {
		v := r.URL.Query().Get(key)
		var out []int
		if v == "" || v == "all" {
			for i := range pts {
				out = append(out, i)
			}
			return out
		}
		for _, s := range strings.Split(v, ";") {
			i, _ := strconv.Atoi(s)
			out = append(out, i)
		}
		return out
	}
	src, dst := idx("sources"), idx("destinations")
	if len(src) > f.max || len(dst) > f.max {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"code": "TooBig", "message": "Too many table coordinates"})
		return
	}
	if r.URL.Query().Get("annotations") != "duration,distance" {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"code": "InvalidOptions", "message": "annotations"})
		return
	}
	type wp struct {
		Hint     string    `json:"hint"`
		Distance float64   `json:"distance"`
		Name     string    `json:"name"`
		Location []float64 `json:"location"`
	}
	way := func(i int) wp {
		p := pts[i]
		d := 0.0
		if p[1] > 30.5 { // far north: snapped 60 km away
			d = 60000
		}
		return wp{Hint: "x", Distance: d, Name: "road", Location: []float64{p[0], p[1]}}
	}
	resp := map[string]any{"code": "Ok"}
	var durs, dists [][]*float64
	var sw, dw []wp
	for _, i := range src {
		var dr, ds []*float64
		for _, j := range dst {
			if (pts[i][0] == 103.5) != (pts[j][0] == 103.5) {
				dr, ds = append(dr, nil), append(ds, nil)
				continue
			}
			m := geo.DistanceHaversine(pts[i], pts[j])
			s := m / 10
			dr, ds = append(dr, &s), append(ds, &m)
		}
		durs, dists = append(durs, dr), append(dists, ds)
		sw = append(sw, way(i))
	}
	for _, j := range dst {
		dw = append(dw, way(j))
	}
	resp["durations"], resp["distances"], resp["sources"], resp["destinations"] = durs, dists, sw, dw
	json.NewEncoder(w).Encode(resp)
}

func testLocs(n int) []geo.Location {
	locs := make([]geo.Location, n)
	for i := range locs {
		locs[i] = geo.Location{ID: fmt.Sprintf("v%d", i), Point: orb.Point{102.8 + 0.01*float64(i), 29.8}}
	}
	return locs
}

func TestMatrixBatched(t *testing.T) {
	tests := []struct {
		name      string
		n, batch  int
		wantCalls int32
	}{
		{"one request", 5, 100, 1},
		{"3x3 blocks", 7, 3, 9},
		{"exact blocks", 6, 3, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeOSRM{max: tc.batch}
			srv := httptest.NewServer(f)
			defer srv.Close()
			c, err := New(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			c.BatchSize = tc.batch
			locs := testLocs(tc.n)
			m, err := c.Matrix(context.Background(), locs, geo.Car)
			if err != nil {
				t.Fatalf("Matrix: %v", err)
			}
			if got := f.requests.Load(); got != tc.wantCalls {
				t.Errorf("%d requests, want %d", got, tc.wantCalls)
			}
			if err := m.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			for i := range locs {
				for j := range locs {
					want := geo.DistanceHaversine(locs[i].Point, locs[j].Point)
					if got := m.Distances[i][j]; got != int64(math.Round(want)) {
						t.Errorf("distance %d→%d = %d, want %.0f", i, j, got, want)
					}
					if got := m.Durations[i][j]; got != int64(math.Round(want/10)) {
						t.Errorf("duration %d→%d = %d, want %.0f", i, j, got, want/10)
					}
				}
			}
			if m.Source != "osrm" || len(m.Snaps) != tc.n || !m.Snaps[0].OK {
				t.Errorf("source %q, snaps %+v", m.Source, m.Snaps)
			}
		})
	}
}

func TestMatrixNullsAndFarSnaps(t *testing.T) {
	srv := httptest.NewServer(&fakeOSRM{max: 100})
	defer srv.Close()
	c, _ := New(srv.URL)
	locs := testLocs(3)
	locs = append(locs,
		geo.Location{ID: "island", Point: orb.Point{103.5, 29.8}},
		geo.Location{ID: "far", Point: orb.Point{102.9, 31}})
	m, err := c.Matrix(context.Background(), locs, geo.Foot)
	var se *geo.SnapError
	if !errors.As(err, &se) || len(se.IDs) != 1 || se.IDs[0] != "far" {
		t.Fatalf("err = %v, want a SnapError for far", err)
	}
	reasons := map[[2]int]string{}
	for _, p := range m.Unreachable {
		reasons[[2]int{p.From, p.To}] = p.Reason
	}
	if reasons[[2]int{0, 3}] != ReasonNull || reasons[[2]int{3, 1}] != ReasonNull {
		t.Errorf("island pairs reasons = %v, want %q", reasons, ReasonNull)
	}
	if reasons[[2]int{0, 4}] != ReasonNotSnapped || reasons[[2]int{4, 0}] != ReasonNotSnapped {
		t.Errorf("far pairs reasons = %v, want %q", reasons, ReasonNotSnapped)
	}
	if m.Durations[0][3] != geo.NoValue || m.Durations[0][1] <= 0 {
		t.Errorf("durations 0→3 = %d (want NoValue), 0→1 = %d (want > 0)", m.Durations[0][3], m.Durations[0][1])
	}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestBadServers(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"garbage", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>gateway</html>")) }, "invalid table response"},
		{"wrong shape", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"code":"Ok","durations":[[0]],"distances":[[0]],"sources":[{}],"destinations":[{}]}`))
		}, "durations rows"},
		{"negative", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"code":"Ok","durations":[[0,-5],[1,0]],"distances":[[0,1],[1,0]],"sources":[{},{}],"destinations":[{},{}]}`))
		}, "-5"},
		{"no distances", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"code":"Ok","durations":[[0,5],[1,0]],"sources":[{},{}],"destinations":[{},{}]}`))
		}, "no distances"},
		{"error code", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":"NoSegment","message":"Could not find a matching segment for any coordinate"}`))
		}, "NoSegment"},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, "500"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, "Timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c, _ := New(srv.URL)
			c.HTTP = &http.Client{Timeout: 200 * time.Millisecond}
			locs := testLocs(2)
			m, err := c.Matrix(context.Background(), locs, geo.Car)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if m != nil {
				t.Errorf("got a matrix with the error: %+v", m)
			}
			// The documented fallback: every pair estimated, with a warning.
			fb := &geo.Fallback{Primary: c, Estimate: &geo.Estimator{}}
			fm, err := fb.Matrix(context.Background(), locs, geo.Car)
			if err != nil {
				t.Fatalf("fallback: %v", err)
			}
			if fm.Source != geo.SourceEstimate || len(fm.Warnings) == 0 || fm.Durations[0][1] <= 0 {
				t.Errorf("fallback source %q, warnings %v, 0→1 %d s; want estimate with a warning", fm.Source, fm.Warnings, fm.Durations[0][1])
			}
		})
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "localhost:5000", "ftp://x", "http://"} {
		if _, err := New(u); err == nil {
			t.Errorf("New(%q) succeeded", u)
		}
	}
}

func FuzzDecodeTable(f *testing.F) {
	f.Add([]byte(`{"code":"Ok","durations":[[0,1],[2,0]],"distances":[[0,1],[2,null]],"sources":[{},{}],"destinations":[{},{}]}`), 2, 2)
	f.Add([]byte(`{"code":"TooBig"}`), 1, 1)
	f.Add([]byte(`[`), 0, 0)
	f.Fuzz(func(t *testing.T, data []byte, ns, nd int) {
		tr, err := DecodeTable(strings.NewReader(string(data)), ns, nd)
		if err != nil {
			return
		}
		if len(tr.Durations) != ns || len(tr.Distances) != ns {
			t.Fatalf("accepted %d/%d rows for %d sources", len(tr.Durations), len(tr.Distances), ns)
		}
		for _, row := range tr.Durations {
			for _, v := range row {
				if v != nil && *v < 0 {
					t.Fatalf("accepted negative duration %v", *v)
				}
			}
		}
	})
}
