package circuit

import (
	"context"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo/roadgraph"
)

// TestRouteGeometry: on a road graph a team-day is drawn along the roads
// (base → stops → base, passing grid junctions between them); with a source
// that cannot route (none) it is the stops joined in order, marked straight.
func TestRouteGeometry(t *testing.T) {
	ctx := context.Background()
	net, err := roadgraph.Read(ctx, strings.NewReader(gridOSM()))
	if err != nil {
		t.Fatal(err)
	}
	base := gridNode(0, 0)
	a, b := gridNode(3, 4), gridNode(5, 1)
	it := data.Itinerary{TeamID: "T1", Date: "2026-11-30", Stops: []data.Stop{{Seq: 1, Location: a}, {Seq: 2, Location: b}}}
	team := data.Team{ID: "T1", TravelMode: data.TravelCar}

	road := (&Service{cfg: Config{Source: roadgraph.NewSource(net)}}).routeGeometry(ctx, team, it, &base)
	if road.Geometry != GeometryRoad || len(road.Path) <= 4 {
		t.Fatalf("road graph: geometry %q with %d points, want a road path through the junctions", road.Geometry, len(road.Path))
	}
	at := func(p data.Point) [2]float64 { return [2]float64{p.Lon, p.Lat} }
	if road.Path[0] != at(base) || road.Path[len(road.Path)-1] != at(base) {
		t.Errorf("road path runs %v … %v, want from and back to the base %v", road.Path[0], road.Path[len(road.Path)-1], at(base))
	}
	for _, stop := range []data.Point{a, b} {
		found := false
		for _, p := range road.Path {
			found = found || p == at(stop)
		}
		if !found {
			t.Errorf("road path misses stop %v", stop)
		}
	}

	straight := (&Service{}).routeGeometry(ctx, team, it, &base)
	want := [][2]float64{at(base), at(a), at(b), at(base)}
	if straight.Geometry != GeometryStraight || len(straight.Path) != len(want) {
		t.Fatalf("no router: geometry %q, path %v; want straight %v", straight.Geometry, straight.Path, want)
	}
	for i := range want {
		if straight.Path[i] != want[i] {
			t.Errorf("straight point %d = %v, want %v", i, straight.Path[i], want[i])
		}
	}
}
