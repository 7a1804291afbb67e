package roadgraph

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// TestWithoutRoads closes the valley road between B and C (a line drawn
// 10 m east of it, as on a web map): cars can no longer reach C (the only
// other way in, D→C, is one-way the wrong way), walkers go round by the
// back lane (A→B 900 s + B-F-E-D 3000 m 2700 s + D→C 900 s = 4500 s), and
// what did not use B–C is unchanged. The open source is not modified.
func TestWithoutRoads(t *testing.T) {
	n := loadValley(t)
	open := NewSource(n)
	east := 10 / (mPerDeg * 0.868) // 10 m of longitude at 29.8° N
	line := orb.LineString{{ptB[0] + east, ptB[1]}, {ptC[0] + east, ptC[1]}}
	nowhere := orb.LineString{{102.90, 29.70}, {102.91, 29.70}}
	src, unmatched, err := open.WithoutRoads([]geo.ClosedRoad{{ID: "BC", Line: line}, {ID: "nowhere", Line: nowhere}})
	if err != nil {
		t.Fatal(err)
	}
	if len(unmatched) != 1 || unmatched[0] != "nowhere" {
		t.Fatalf("unmatched = %v, want [nowhere]", unmatched)
	}
	if src.Fingerprint() == open.Fingerprint() {
		t.Fatal("closing a road did not change the fingerprint")
	}
	if segs := n.ClosedSegments([]geo.ClosedRoad{{ID: "BC", Line: line}}); len(segs) != 1 {
		t.Fatalf("closed segments = %v, want B–C only", segs)
	}
	locs := valleyLocs() // A C D G H P
	ctx := context.Background()
	car, err := src.Matrix(ctx, locs, geo.Car)
	if err != nil {
		t.Fatal(err)
	}
	if car.Durations[0][1] != geo.NoValue || car.Durations[0][3] != 210 {
		t.Fatalf("closed car A→C = %d (want no route), A→G = %d (want 210)", car.Durations[0][1], car.Durations[0][3])
	}
	foot, err := src.Matrix(ctx, locs, geo.Foot)
	if err != nil {
		t.Fatal(err)
	}
	if foot.Durations[0][1] != 4500 {
		t.Fatalf("closed foot A→C = %d, want 4500", foot.Durations[0][1])
	}
	if m, _ := open.Matrix(ctx, locs, geo.Car); m.Durations[0][1] != 120 {
		t.Fatalf("open car A→C = %d after closing, want 120", m.Durations[0][1])
	}
	legs, err := src.(geo.Router).Route(ctx, geo.Foot, []orb.Point{ptA, ptC})
	if err != nil {
		t.Fatal(err)
	}
	sawD := false
	for _, p := range legs[0].Path {
		sawD = sawD || p == ptD
	}
	if !sawD || legs[0].Seconds != 4500 {
		t.Fatalf("closed foot route A→C = %v (%d s), want through D in 4500 s", legs[0].Path, legs[0].Seconds)
	}

	// Through the wrappers; the estimate has no roads to close.
	fb := &geo.Fallback{Primary: &geo.CachedSource{Source: open, Cache: &geo.MemoryCache{}}, Estimate: &geo.Estimator{}}
	w, _, ok, err := geo.WithoutRoads(fb, []geo.ClosedRoad{{ID: "BC", Line: line}})
	if err != nil || !ok {
		t.Fatalf("WithoutRoads(fallback) = %v, %v", ok, err)
	}
	if m, _ := w.Matrix(ctx, locs, geo.Car); m.Durations[0][1] != geo.NoValue {
		t.Fatalf("wrapped closed car A→C = %d, want no route", m.Durations[0][1])
	}
	if _, _, ok, _ := geo.WithoutRoads(&geo.Estimator{}, []geo.ClosedRoad{{ID: "BC", Line: line}}); ok {
		t.Fatal("the estimate claims to close roads")
	}
}
