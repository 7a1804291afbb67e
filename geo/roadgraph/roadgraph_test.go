package roadgraph

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// Positions of the nodes of testdata/valley.osm.
var (
	ptA = orb.Point{102.85, 29.78}
	ptB = orb.Point{102.85, 29.7889932}
	ptC = orb.Point{102.85, 29.7979864}
	ptD = orb.Point{102.85, 29.8069796}
	ptG = orb.Point{102.8448183, 29.7889932}
	ptH = orb.Point{102.8396366, 29.7889932}
	// ptP is 100 m east of the middle of A-B.
	ptP = orb.Point{102.8510363, 29.7844966}
	// ptFar is about 53 km east of every road.
	ptFar = orb.Point{103.4, 29.78}
)

func loadValley(t testing.TB) *Network {
	t.Helper()
	n, err := LoadFile(context.Background(), filepath.Join("testdata", "valley.osm"))
	if err != nil {
		t.Fatalf("load valley.osm: %v", err)
	}
	return n
}

func valleyLocs() []geo.Location {
	return []geo.Location{
		{ID: "A", Point: ptA}, {ID: "C", Point: ptC}, {ID: "D", Point: ptD},
		{ID: "G", Point: ptG}, {ID: "H", Point: ptH}, {ID: "P", Point: ptP},
	}
}

func TestLoadValley(t *testing.T) {
	n := loadValley(t)
	st := n.Stats()
	// 9 road nodes (the river's own nodes 20 and 21 are dropped), 5 road
	// ways (the river is skipped), 9 segments.
	if st.Nodes != 9 || st.Ways != 5 || st.Segments != 9 || st.SkippedWays != 1 || st.FordNodes != 1 {
		t.Errorf("stats = %+v, want 9 nodes, 5 ways, 9 segments, 1 skipped way, 1 ford node", st)
	}
	if !strings.HasPrefix(n.Fingerprint(), "osm:") {
		t.Errorf("fingerprint %q lacks the osm: prefix", n.Fingerprint())
	}
}

// TestValleyTravelTimes checks the matrix against travel times worked out by
// hand from the road lengths (1000 m N-S steps, 500 m E-W steps) and the
// documented speeds. P is 100 m off the road: 100 m walked at 4 km/h = 90 s.
func TestValleyTravelTimes(t *testing.T) {
	n := loadValley(t)
	src := NewSource(n)
	type cell struct {
		from, to string
		sec, m   int64 // geo.NoValue for unreachable
	}
	tests := []struct {
		mode  geo.Mode
		cells []cell
	}{
		{geo.Car, []cell{
			{"A", "C", 120, 2000}, // 2000 m at maxspeed 60 km/h
			{"C", "A", 120, 2000}, // two-way road
			{"C", "D", 90, 1000},  // one-way C→D, tertiary 40 km/h
			{"D", "C", 420, 4000}, // against the one-way: back lane 3000 m at 30 (360 s) + B→C 1000 m at 60 (60 s)
			{"A", "G", 210, 1500}, // A→B 60 s + ford track 500 m at 12 km/h (150 s): cars take the ford
			{"A", "H", 270, 2000}, // + G→H 500 m at 30 km/h (60 s)
			{"A", "P", 120, 600},  // 500 m at 60 (30 s) + 100 m walked (90 s)
			{"P", "C", 180, 1600}, // 90 s walked + 1500 m at 60 (90 s)
		}},
		{geo.Motorbike, []cell{
			{"A", "C", 160, 2000},                // min(60 maxspeed, 45 secondary) = 45 km/h
			{"D", "C", 440, 4000},                // 3000 m at 30 (360 s) + 1000 m at 45 (80 s)
			{"A", "G", geo.NoValue, geo.NoValue}, // the ford is closed to motorbikes
			{"H", "A", geo.NoValue, geo.NoValue},
			{"G", "H", 60, 500}, // G-H itself is fine
		}},
		{geo.Foot, []cell{
			{"D", "C", 900, 1000},  // walkers ignore oneway: 1000 m at 4 km/h
			{"A", "G", 1414, 1500}, // 900 s + 500 m of track at 3.5 km/h (514.29 s)
			{"A", "P", 540, 600},   // 450 s + 90 s
		}},
	}
	locs := valleyLocs()
	idx := map[string]int{}
	for i, l := range locs {
		idx[l.ID] = i
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			m, err := src.Matrix(context.Background(), locs, tc.mode)
			if err != nil {
				t.Fatalf("Matrix: %v", err)
			}
			if err := m.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			for _, c := range tc.cells {
				i, j := idx[c.from], idx[c.to]
				if got := m.Durations[i][j]; got != c.sec {
					t.Errorf("%s→%s duration = %d s, want %d", c.from, c.to, got, c.sec)
				}
				if got := m.Distances[i][j]; got != c.m {
					t.Errorf("%s→%s distance = %d m, want %d", c.from, c.to, got, c.m)
				}
				listed := false
				for _, p := range m.Unreachable {
					if p.From == i && p.To == j {
						listed = true
						if p.Reason != geo.ReasonNoRoute {
							t.Errorf("%s→%s reason = %q, want %q", c.from, c.to, p.Reason, geo.ReasonNoRoute)
						}
					}
				}
				if want := c.sec == geo.NoValue; listed != want {
					t.Errorf("%s→%s listed unreachable = %v, want %v", c.from, c.to, listed, want)
				}
			}
		})
	}
}

func TestSnap(t *testing.T) {
	n := loadValley(t)
	g, err := n.Graph(geo.Car)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		p     orb.Point
		wantM float64 // expected snap distance
		want  orb.Point
	}{
		{"on a node", ptA, 0, ptA},
		{"off the middle of a segment", ptP, 100, orb.Point{102.85, 29.7844966}},
		{"beyond the end of the road", orb.Point{102.85, 29.7710068}, 1000, ptA}, // 1000 m south of A
		{"west of H", orb.Point{102.8344549, 29.7889932}, 500, ptH},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := g.Snap(tc.p)
			if math.Abs(r.DistM-tc.wantM) > 0.5 {
				t.Errorf("snap distance = %.2f m, want %.0f", r.DistM, tc.wantM)
			}
			if d := geo.DistanceHaversine(r.Point, tc.want); d > 0.5 {
				t.Errorf("snapped to %v, want %v (%.2f m apart)", r.Point, tc.want, d)
			}
		})
	}
	// Motorbikes cannot use the ford track, so a point beside it snaps to
	// the G-H road instead.
	mg, _ := n.Graph(geo.Motorbike)
	besideFord := orb.Point{102.8455, 29.7885}
	if r := mg.Snap(besideFord); geo.DistanceHaversine(r.Point, ptG) > 0.5 {
		t.Errorf("motorbike snap beside the ford = %v, want G %v", r.Point, ptG)
	}
}

func TestMatrixFarLocation(t *testing.T) {
	n := loadValley(t)
	locs := append(valleyLocs(), geo.Location{ID: "far village", Point: ptFar})
	m, err := NewSource(n).Matrix(context.Background(), locs, geo.Car)
	var se *geo.SnapError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *geo.SnapError", err)
	}
	if len(se.IDs) != 1 || se.IDs[0] != "far village" || se.DistM[0] < 50000 {
		t.Errorf("SnapError = %+v, want far village at > 50 km", se)
	}
	if !strings.Contains(err.Error(), "far village") {
		t.Errorf("error %q does not name the location", err)
	}
	if m == nil {
		t.Fatal("no partial matrix returned with the SnapError")
	}
	far := len(locs) - 1
	if m.Durations[0][far] != geo.NoValue || m.Durations[far][0] != geo.NoValue {
		t.Errorf("far pairs = %d, %d, want NoValue", m.Durations[0][far], m.Durations[far][0])
	}
	if m.Durations[0][1] != 120 {
		t.Errorf("A→C = %d, want 120 (other pairs stay valid)", m.Durations[0][1])
	}
	if m.Snaps[far].OK {
		t.Error("far location reported as snapped")
	}
	// With the estimate as fallback the far pairs are filled and marked.
	fb := &geo.Fallback{Primary: NewSource(n), Estimate: &geo.Estimator{}}
	fm, err := fb.Matrix(context.Background(), locs, geo.Car)
	if err != nil {
		t.Fatalf("fallback: %v", err)
	}
	if len(fm.Unreachable) != 0 || fm.Source != "roadgraph+estimate" {
		t.Errorf("fallback source %q, %d unreachable; want roadgraph+estimate, 0", fm.Source, len(fm.Unreachable))
	}
	if err := fm.Validate(); err != nil {
		t.Errorf("fallback matrix invalid: %v", err)
	}
	est := map[[2]int]bool{}
	for _, p := range fm.Estimated {
		est[[2]int{p.From, p.To}] = true
	}
	if !est[[2]int{0, far}] || !est[[2]int{far, 0}] || est[[2]int{0, 1}] {
		t.Errorf("estimated pairs = %v, want the far pairs only", fm.Estimated)
	}
	if fm.Durations[0][far] <= 0 {
		t.Errorf("estimated A→far = %d, want > 0", fm.Durations[0][far])
	}
}

func TestLoadBadInput(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "empty OSM data"},
		{"whitespace", " \n\t", "empty OSM data"},
		{"garbage", "this is not a map", "not OSM data"},
		{"truncated xml", `<osm><node id="1" lat="29.7" lon="102.8"/><way id="2"><nd ref="1"/>`, ""},
		{"no roads", `<osm><node id="1" lat="29.7" lon="102.8"/><node id="2" lat="29.71" lon="102.8"/><way id="3"><nd ref="1"/><nd ref="2"/><tag k="waterway" v="river"/></way></osm>`, "no routable roads"},
		{"missing nodes", `<osm><way id="3"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way></osm>`, "no routable roads"},
		{"pbf header then garbage", "\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\xff\xff\xff\xff", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(context.Background(), strings.NewReader(tc.data))
			if err == nil {
				t.Fatal("Read succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := LoadFile(context.Background(), filepath.Join(t.TempDir(), "missing.osm")); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
}

func TestFingerprintChangesWithData(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "valley.osm"))
	if err != nil {
		t.Fatal(err)
	}
	n1, err := Read(context.Background(), strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(b), `v="60"`, `v="50"`, 1)
	n2, err := Read(context.Background(), strings.NewReader(changed))
	if err != nil {
		t.Fatal(err)
	}
	if n1.Fingerprint() == n2.Fingerprint() {
		t.Error("fingerprint unchanged after editing the road data")
	}
	if n1.Fingerprint() != loadValley(t).Fingerprint() {
		t.Error("fingerprint differs between two loads of the same file")
	}
}

func TestRoute(t *testing.T) {
	n := loadValley(t)
	src := NewSource(n)
	legs, err := src.Route(context.Background(), geo.Car, []orb.Point{ptD, ptC, ptP})
	if err != nil {
		t.Fatalf("Route: %v", err)
	}
	if len(legs) != 2 {
		t.Fatalf("%d legs, want 2", len(legs))
	}
	// D→C goes round the back lane: D, E, F, B, C.
	wantPath := orb.LineString{ptD, {102.8551817, 29.8069796}, {102.8551817, 29.7889932}, ptB, ptC}
	if got := legs[0].Path; !got.Equal(wantPath) {
		t.Errorf("D→C path = %v, want %v", got, wantPath)
	}
	if legs[0].Seconds != 420 || legs[0].Metres != 4000 {
		t.Errorf("D→C leg = %d s %d m, want 420 s 4000 m", legs[0].Seconds, legs[0].Metres)
	}
	// C→P: C, B, the snap point on A-B, then P itself.
	if got := legs[1].Path; len(got) != 4 || got[len(got)-1] != ptP || got[1] != ptB {
		t.Errorf("C→P path = %v, want C, B, snap point, P", got)
	}
	if _, err := src.Route(context.Background(), geo.Motorbike, []orb.Point{ptA, ptH}); !errors.Is(err, ErrNoRoute) {
		t.Errorf("motorbike A→H err = %v, want ErrNoRoute", err)
	}
	var se *geo.SnapError
	if _, err := src.Route(context.Background(), geo.Car, []orb.Point{ptA, ptFar}); !errors.As(err, &se) {
		t.Errorf("route to a far point err = %v, want a SnapError", err)
	}
}

func TestMatrixCancelled(t *testing.T) {
	n := loadValley(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewSource(n).Matrix(ctx, valleyLocs(), geo.Car); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRoutePathThroughWrappers(t *testing.T) {
	n := loadValley(t)
	var src geo.Source = &geo.CachedSource{Source: &geo.Fallback{Primary: NewSource(n), Estimate: &geo.Estimator{}}, Cache: &geo.MemoryCache{}}
	path, err := geo.RoutePath(context.Background(), src, geo.Car, []orb.Point{ptA, ptC, ptA})
	if err != nil {
		t.Fatal(err)
	}
	want := orb.LineString{ptA, ptB, ptC, ptB, ptA}
	if !path.Equal(want) {
		t.Errorf("path = %v, want %v", path, want)
	}
	if p, err := geo.RoutePath(context.Background(), &geo.Estimator{}, geo.Car, []orb.Point{ptA, ptC}); p != nil || err != nil {
		t.Errorf("estimate path = %v, %v; want nil, nil", p, err)
	}
}

// TestMainComponentSnapping: behind the ford, G and H form a two-node
// fragment for motorbikes. By default their pairs are unreachable; with
// MainComponentNodes the team parks at B and walks 500 m to G
// (A→B 1000 m at 45 km/h = 80 s, + 500 m at 4 km/h = 450 s).
func TestMainComponentSnapping(t *testing.T) {
	n := loadValley(t)
	locs := valleyLocs() // A C D G H P
	src := &Source{Net: n, MainComponentNodes: 1000}
	m, err := src.Matrix(context.Background(), locs, geo.Motorbike)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Durations[0][3]; got != 530 {
		t.Errorf("A→G = %d s, want 530", got)
	}
	if got := m.Distances[0][3]; got != 1500 {
		t.Errorf("A→G = %d m, want 1500", got)
	}
	if got := m.Snaps[3].SnapM; math.Abs(got-500) > 0.5 {
		t.Errorf("G snapped %.1f m away, want 500", got)
	}
	if len(m.Unreachable) != 0 {
		t.Errorf("unreachable = %v, want none", m.Unreachable)
	}
	// Cars can cross the ford: G stays on its own road.
	cm, err := src.Matrix(context.Background(), locs, geo.Car)
	if err != nil {
		t.Fatal(err)
	}
	if cm.Snaps[3].SnapM != 0 || cm.Durations[0][3] != 210 {
		t.Errorf("car: G snap %.1f m, A→G %d s; want 0 m, 210 s", cm.Snaps[3].SnapM, cm.Durations[0][3])
	}
	// A tight MaxSnapM falls back to the nearest road of any size.
	tight := &Source{Net: n, MainComponentNodes: 1000, MaxSnapM: 100}
	tm, _ := tight.Matrix(context.Background(), locs[:4], geo.Motorbike)
	if tm.Snaps[3].SnapM != 0 || tm.Durations[0][3] != geo.NoValue {
		t.Errorf("tight: G snap %.1f m, A→G %d; want 0 m and unreachable", tm.Snaps[3].SnapM, tm.Durations[0][3])
	}
}
