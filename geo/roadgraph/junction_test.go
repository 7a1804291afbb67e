package roadgraph

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// TestJunctionPointAttachesToNode: a location exactly on a junction is that
// junction. In testdata/junction.osm the snap tie at J goes to the one-way
// X→J (segment 0), which used to make J reachable only through X: S→J took
// 780 s (S→X→J) instead of 720 s on the direct road.
func TestJunctionPointAttachesToNode(t *testing.T) {
	n, err := LoadFile(context.Background(), filepath.Join("testdata", "junction.osm"))
	if err != nil {
		t.Fatal(err)
	}
	s, j, x := orb.Point{102.80, 29.70}, orb.Point{102.80, 29.7539593}, orb.Point{102.8051749, 29.7537718}
	g, err := n.Graph(geo.Car)
	if err != nil {
		t.Fatal(err)
	}
	if r := g.Snap(j); r.Seg != 0 || r.T != 1 || r.DistM != 0 {
		t.Fatalf("snap of J = %+v; the test needs the tie to pick the one-way X→J at its end", r)
	}
	src := NewSource(n)
	locs := []geo.Location{{ID: "S", Point: s}, {ID: "J", Point: j}, {ID: "X", Point: x}}
	m, err := src.Matrix(context.Background(), locs, geo.Car)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, to int
		sec, m   int64
	}{
		{0, 1, 720, 6000},   // S→J on the direct road (was 780 s via X)
		{1, 0, 720, 6000},   // J→S
		{2, 1, 60, 500},     // X→J on the one-way
		{1, 2, 1440, 12000}, // J→X: against the one-way, round by S
	} {
		if got, gm := m.Durations[c.from][c.to], m.Distances[c.from][c.to]; got != c.sec || gm != c.m {
			t.Errorf("%s→%s = %d s %d m, want %d s %d m", locs[c.from].ID, locs[c.to].ID, got, gm, c.sec, c.m)
		}
	}
	legs, err := src.Route(context.Background(), geo.Car, []orb.Point{s, j})
	if err != nil {
		t.Fatal(err)
	}
	if len(legs) != 1 || legs[0].Seconds != 720 || len(legs[0].Path) != 2 {
		t.Errorf("route S→J = %+v, want 720 s straight along S–J", legs)
	}
}
