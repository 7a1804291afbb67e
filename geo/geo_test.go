package geo

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestDistanceHaversine(t *testing.T) {
	tests := []struct {
		name string
		a, b orb.Point
		want float64 // metres
	}{
		{"same point", orb.Point{102.85, 29.79}, orb.Point{102.85, 29.79}, 0},
		{"one degree of latitude", orb.Point{102.85, 29}, orb.Point{102.85, 30}, EarthRadiusM * math.Pi / 180},
		{"equator quarter", orb.Point{0, 0}, orb.Point{90, 0}, EarthRadiusM * math.Pi / 2},
		{"antipodes", orb.Point{0, 0}, orb.Point{180, 0}, EarthRadiusM * math.Pi},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DistanceHaversine(tc.a, tc.b); math.Abs(got-tc.want) > 1e-6 {
				t.Errorf("got %.6f m, want %.6f", got, tc.want)
			}
		})
	}
}

// Pairs from /work/shared/data/yingjing/coords.csv (Amap GCJ-02 points and
// their published WGS84 conversions, 6 decimals).
var gcjPairs = []struct {
	name       string
	gcj, wgs84 orb.Point
}{
	{"county centre", orb.Point{102.846737, 29.792931}, orb.Point{102.845184, 29.795766}},
	{"严道街道", orb.Point{102.844728, 29.792800}, orb.Point{102.843173, 29.795632}},
	{"花滩镇", orb.Point{102.776204, 29.780119}, orb.Point{102.774563, 29.782842}},
	{"牛背山镇", orb.Point{102.534166, 29.773861}, orb.Point{102.532718, 29.776670}},
}

func TestGCJ02(t *testing.T) {
	for _, tc := range gcjPairs {
		t.Run(tc.name, func(t *testing.T) {
			w := GCJ02ToWGS84(tc.gcj)
			if math.Abs(w[0]-tc.wgs84[0]) > 6e-7 || math.Abs(w[1]-tc.wgs84[1]) > 6e-7 {
				t.Errorf("GCJ02ToWGS84(%v) = %v, want %v", tc.gcj, w, tc.wgs84)
			}
			// Round trip WGS84 → GCJ-02 → WGS84 within 1e-9 degrees.
			back := GCJ02ToWGS84(WGS84ToGCJ02(tc.wgs84))
			if math.Abs(back[0]-tc.wgs84[0]) > 1e-9 || math.Abs(back[1]-tc.wgs84[1]) > 1e-9 {
				t.Errorf("round trip of %v = %v", tc.wgs84, back)
			}
			// The offset in Yingjing is about 300 m.
			if d := DistanceHaversine(tc.gcj, w); d < 200 || d > 400 {
				t.Errorf("GCJ-02 offset = %.0f m, want about 300", d)
			}
		})
	}
	outside := orb.Point{2.35, 48.85} // Paris
	if got := WGS84ToGCJ02(outside); got != outside {
		t.Errorf("outside China converted: %v", got)
	}
	if got := GCJ02ToWGS84(outside); got != outside {
		t.Errorf("outside China converted back: %v", got)
	}
}

func locs3() []Location {
	return []Location{
		{ID: "seat", Point: orb.Point{102.843173, 29.795632}, Group: "严道街道"},
		{ID: "huatan", Point: orb.Point{102.774563, 29.782842}, Group: "花滩镇"},
		{ID: "niubeishan", Point: orb.Point{102.532718, 29.776670}, Group: "牛背山镇"},
	}
}

func TestEstimator(t *testing.T) {
	locs := locs3()
	gc := DistanceHaversine(locs[0].Point, locs[1].Point)
	ctx := context.Background()
	tests := []struct {
		name     string
		cfg      EstimateConfig
		mode     Mode
		from, to int
		wantS    float64
		wantM    float64
	}{
		{"car default", EstimateConfig{}, Car, 0, 1, gc * 1.4 / (35 / 3.6), gc * 1.4},
		{"foot default", EstimateConfig{}, Foot, 1, 0, gc * 1.3 / (4 / 3.6), gc * 1.3},
		{"mode params", EstimateConfig{Modes: map[Mode]EstimateParams{Car: {Detour: 2, SpeedKmh: 20}}}, Car, 0, 1, gc * 2 / (20 / 3.6), gc * 2},
		{"fixed minutes one way", EstimateConfig{Overrides: []Override{{From: "牛背山镇", To: "严道街道", Minutes: 90}}}, Car, 2, 0, 5400,
			DistanceHaversine(locs[2].Point, locs[0].Point) * 1.4},
		{"fixed minutes not reversed", EstimateConfig{Overrides: []Override{{From: "牛背山镇", To: "严道街道", Minutes: 90}}}, Car, 0, 2,
			DistanceHaversine(locs[2].Point, locs[0].Point) * 1.4 / (35 / 3.6), DistanceHaversine(locs[2].Point, locs[0].Point) * 1.4},
		{"symmetric", EstimateConfig{Overrides: []Override{{From: "牛背山镇", To: "严道街道", Minutes: 90, Symmetric: true}}}, Car, 0, 2, 5400,
			DistanceHaversine(locs[2].Point, locs[0].Point) * 1.4},
		{"other mode untouched", EstimateConfig{Overrides: []Override{{From: "花滩镇", To: "严道街道", Mode: Foot, SpeedKmh: 3}}}, Car, 1, 0, gc * 1.4 / (35 / 3.6), gc * 1.4},
		{"pair speed", EstimateConfig{Overrides: []Override{{From: "花滩镇", To: "严道街道", Mode: Foot, SpeedKmh: 3}}}, Foot, 1, 0, gc * 1.3 / (3 / 3.6), gc * 1.3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewEstimator(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			m, err := e.Matrix(ctx, locs, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			if m.Source != SourceEstimate {
				t.Errorf("source = %q, want estimate", m.Source)
			}
			if got, want := m.Durations[tc.from][tc.to], int64(math.Round(tc.wantS)); got != want {
				t.Errorf("duration = %d s, want %d", got, want)
			}
			if got, want := m.Distances[tc.from][tc.to], int64(math.Round(tc.wantM)); got != want {
				t.Errorf("distance = %d m, want %d", got, want)
			}
			if err := m.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestEstimateConfigErrors(t *testing.T) {
	tests := []struct{ name, json string }{
		{"unknown field", `{"mode": {}}`},
		{"bad mode", `{"modes": {"plane": {"detour": 1, "speed_kmh": 500}}}`},
		{"detour below 1", `{"modes": {"car": {"detour": 0.5, "speed_kmh": 30}}}`},
		{"zero speed", `{"modes": {"car": {"detour": 1.2, "speed_kmh": 0}}}`},
		{"override without value", `{"overrides": [{"from": "a", "to": "b"}]}`},
		{"override without groups", `{"overrides": [{"from": "a", "minutes": 3}]}`},
		{"negative minutes", `{"overrides": [{"from": "a", "to": "b", "minutes": -3}]}`},
		{"not json", `minutes: 90`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadEstimateConfig(strings.NewReader(tc.json)); err == nil {
				t.Error("accepted")
			}
		})
	}
	e, err := ReadEstimateConfig(strings.NewReader(`{"modes": {"car": {"detour": 1.5, "speed_kmh": 30}},
		"overrides": [{"from": "牛背山镇", "to": "严道街道", "mode": "car", "minutes": 90, "symmetric": true}]}`))
	if err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	if g := e.Groups(); len(g) != 2 || g[0] != "严道街道" {
		t.Errorf("groups = %v", g)
	}
	if e.Fingerprint() == (&Estimator{}).Fingerprint() {
		t.Error("fingerprint ignores the configuration")
	}
}

// stubSource returns a fixed matrix or error, counting calls.
type stubSource struct {
	m     func(locs []Location, mode Mode) (*Matrix, error)
	fp    string
	calls int
}

func (s *stubSource) Name() string        { return "stub" }
func (s *stubSource) Fingerprint() string { return s.fp }
func (s *stubSource) Matrix(_ context.Context, locs []Location, mode Mode) (*Matrix, error) {
	s.calls++
	return s.m(locs, mode)
}

func TestFallback(t *testing.T) {
	locs := locs3()
	ctx := context.Background()
	partial := func(locs []Location, mode Mode) (*Matrix, error) {
		m := NewMatrix(IDs(locs), mode, "stub")
		for i := range locs {
			for j := range locs {
				if i != j {
					m.Durations[i][j], m.Distances[i][j] = 100, 1000
				}
			}
		}
		m.Durations[0][2], m.Distances[0][2] = NoValue, NoValue
		m.Unreachable = []Pair{{From: 0, To: 2, Reason: ReasonNoRoute}}
		return m, nil
	}
	t.Run("fills unreachable pairs and marks them", func(t *testing.T) {
		fb := &Fallback{Primary: &stubSource{m: partial}, Estimate: &Estimator{}, EstimateNoRoute: true}
		m, err := fb.Matrix(ctx, locs, Car)
		if err != nil {
			t.Fatal(err)
		}
		if m.Source != "stub+estimate" || len(m.Estimated) != 1 || m.Estimated[0].From != 0 || m.Estimated[0].To != 2 {
			t.Errorf("source %q, estimated %v; want stub+estimate, [0→2]", m.Source, m.Estimated)
		}
		want, _ := (&Estimator{}).Pair(locs[0], locs[2], Car)
		if m.Durations[0][2] != want || m.Durations[0][1] != 100 {
			t.Errorf("0→2 = %d (want estimate %d), 0→1 = %d (want 100)", m.Durations[0][2], want, m.Durations[0][1])
		}
		if err := m.Complete(); err != nil {
			t.Errorf("Complete: %v", err)
		}
	})
	t.Run("proven gaps are kept by default", func(t *testing.T) {
		fb := &Fallback{Primary: &stubSource{m: partial}, Estimate: &Estimator{}}
		m, err := fb.Matrix(ctx, locs, Car)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Unreachable) != 1 || !errors.Is(m.Complete(), ErrUnreachable) {
			t.Errorf("unreachable = %v, Complete = %v; want the 0→2 gap kept", m.Unreachable, m.Complete())
		}
	})
	t.Run("primary failure", func(t *testing.T) {
		fb := &Fallback{Primary: &stubSource{m: func([]Location, Mode) (*Matrix, error) { return nil, errors.New("connection refused") }}, Estimate: &Estimator{}}
		m, err := fb.Matrix(ctx, locs, Car)
		if err != nil {
			t.Fatal(err)
		}
		if m.Source != SourceEstimate || len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "connection refused") {
			t.Errorf("source %q warnings %v", m.Source, m.Warnings)
		}
	})
	t.Run("cancellation is not hidden", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		fb := &Fallback{Primary: &stubSource{m: func([]Location, Mode) (*Matrix, error) { return nil, context.Canceled }}, Estimate: &Estimator{}}
		if _, err := fb.Matrix(cctx, locs, Car); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

func TestCachedSource(t *testing.T) {
	ctx := context.Background()
	est := &Estimator{}
	stub := &stubSource{fp: "roads-v1", m: func(locs []Location, mode Mode) (*Matrix, error) { return est.Matrix(ctx, locs, mode) }}
	cache := &MemoryCache{}
	cs := &CachedSource{Source: stub, Cache: cache}
	locs := locs3()
	first, err := cs.Matrix(ctx, locs, Car)
	if err != nil {
		t.Fatal(err)
	}
	second, err := cs.Matrix(ctx, locs, Car)
	if err != nil {
		t.Fatal(err)
	}
	if stub.calls != 1 || cache.Puts != 1 {
		t.Errorf("source called %d times, %d puts; want 1 and 1 (second from cache)", stub.calls, cache.Puts)
	}
	if second.Durations[0][1] != first.Durations[0][1] || second.Source != first.Source {
		t.Errorf("cached matrix differs: %+v vs %+v", second, first)
	}
	// Each change misses the cache.
	changes := []struct {
		name string
		do   func() ([]Location, Mode)
	}{
		{"mode", func() ([]Location, Mode) { return locs3(), Foot }},
		{"moved location", func() ([]Location, Mode) { l := locs3(); l[1].Point[0] += 1e-6; return l, Car }},
		{"order", func() ([]Location, Mode) { l := locs3(); l[0], l[1] = l[1], l[0]; return l, Car }},
		{"road data", func() ([]Location, Mode) { stub.fp = "roads-v2"; return locs3(), Car }},
	}
	for k, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			l, m := c.do()
			if _, err := cs.Matrix(ctx, l, m); err != nil {
				t.Fatal(err)
			}
			if stub.calls != 2+k {
				t.Errorf("source called %d times, want %d (cache miss)", stub.calls, 2+k)
			}
		})
	}
	// A corrupt entry is recomputed, not trusted.
	for k := range cache.M {
		cache.M[k] = []byte("{garbage")
	}
	calls := stub.calls
	m, err := cs.Matrix(ctx, locs3(), Car)
	if err != nil || stub.calls != calls+1 || len(m.Warnings) == 0 {
		t.Errorf("corrupt entry: err %v, calls %d→%d, warnings %v", err, calls, stub.calls, m.Warnings)
	}
}

func TestMatrixValidate(t *testing.T) {
	m := NewMatrix([]string{"a", "b"}, Car, "x")
	if err := m.Validate(); err == nil {
		t.Error("NoValue entries not listed as unreachable passed Validate")
	}
	m.Unreachable = []Pair{{0, 1, "no route"}, {1, 0, "no route"}}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if err := m.Complete(); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "a→b") {
		t.Errorf("Complete = %v, want ErrUnreachable naming a→b", err)
	}
	m.Durations[0][1], m.Distances[0][1] = 0, 0 // silent zero
	if err := m.Validate(); err == nil {
		t.Error("a zero for a listed unreachable pair passed Validate")
	}
}

func TestReadLocationsCSV(t *testing.T) {
	tests := []struct {
		name, in string
		crs      CRS
		want     []Location
		wantErr  string
	}{
		{"header and group", "id,lon,lat,group\nseat,102.843173,29.795632,严道街道\n", WGS84,
			[]Location{{ID: "seat", Point: orb.Point{102.843173, 29.795632}, Group: "严道街道"}}, ""},
		{"no header", "a,102.8,29.7\nb,102.9,29.8\n", WGS84,
			[]Location{{ID: "a", Point: orb.Point{102.8, 29.7}}, {ID: "b", Point: orb.Point{102.9, 29.8}}}, ""},
		{"gcj02", "seat,102.844728,29.792800\n", GCJ02, []Location{{ID: "seat", Point: GCJ02ToWGS84(orb.Point{102.844728, 29.792800})}}, ""},
		{"swapped", "a,29.7,102.8\n", WGS84, nil, "out of range"},
		{"duplicate", "a,102.8,29.7\na,102.9,29.8\n", WGS84, nil, "duplicate"},
		{"empty", "", WGS84, nil, "no locations"},
		{"bad number", "id,lon,lat\na,x,29\n", WGS84, nil, "line 2"},
		{"too few fields", "a,102.8\n", WGS84, nil, "fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadLocationsCSV(strings.NewReader(tc.in), tc.crs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d locations, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("location %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func FuzzReadLocationsCSV(f *testing.F) {
	f.Add("id,lon,lat\na,102.8,29.7\n", false)
	f.Add("a,102.8,29.7,镇\n\"b\",1e2,3\n", true)
	f.Add("a,NaN,Inf\n", false)
	f.Fuzz(func(t *testing.T, in string, gcj bool) {
		crs := WGS84
		if gcj {
			crs = GCJ02
		}
		locs, err := ReadLocationsCSV(strings.NewReader(in), crs)
		if err != nil {
			return
		}
		if err := CheckLocations(locs); err != nil {
			t.Fatalf("accepted invalid locations: %v", err)
		}
	})
}

// sampleRoutes is a SAMPLE day (invented stops and items) for the goldens.
func sampleRoutes() []Route {
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	return []Route{{
		ID: "plan-1/team-a", Name: "Team A, 2026-12-01 (SAMPLE)", Team: "team-a", Mode: Car, Source: "roadgraph",
		Stops: []Stop{
			{ID: "seat", Name: "县城 county seat", Point: orb.Point{102.85, 29.78}, Order: 1, Departure: day.Add(8 * time.Hour)},
			{ID: "v1", Name: "青仁村 (SAMPLE)", Point: orb.Point{102.8510363, 29.7844966}, Order: 2,
				Arrival: day.Add(8*time.Hour + 2*time.Minute), Departure: day.Add(9 * time.Hour), Items: []string{"代办: 医保续缴", "民生诉求: 路灯"}},
			{ID: "v2", Name: "D village (SAMPLE)", Point: orb.Point{102.85, 29.8069796}, Order: 3,
				Arrival: day.Add(9*time.Hour + 4*time.Minute), Estimated: true},
		},
		Path: orb.LineString{{102.85, 29.78}, {102.85, 29.7844966}, {102.8510363, 29.7844966}, {102.85, 29.7844966},
			{102.85, 29.7889932}, {102.85, 29.7979864}, {102.85, 29.8069796}},
	}, {
		ID: "plan-1/team-b", Name: "Team B (SAMPLE)", Team: "team-b", Mode: Foot, Source: "estimate",
		Stops: []Stop{
			{ID: "h", Name: "H", Point: orb.Point{102.8396366, 29.7889932}, Order: 1},
			{ID: "g", Name: "G", Point: orb.Point{102.8448183, 29.7889932}, Order: 2, Estimated: true},
		},
	}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./geo -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run with -update if intended):\n%s", name, got)
	}
}

func TestGeoJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteGeoJSON(&b, "plan-1", sampleRoutes()); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.geojson", b.Bytes())
	// RFC 7946: [lon, lat] order.
	if !strings.Contains(b.String(), "102.8510363,\n") && !strings.Contains(b.String(), "102.8510363,") {
		t.Error("longitude not first")
	}
}

func TestGPXGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteGPX(&b, sampleRoutes()[0]); err != nil {
		t.Fatal(err)
	}
	golden(t, "team-a.gpx", b.Bytes())
	var s bytes.Buffer
	if err := WriteGPX(&s, sampleRoutes()[1]); err != nil {
		t.Fatal(err)
	}
	golden(t, "team-b-straight.gpx", s.Bytes())
}
