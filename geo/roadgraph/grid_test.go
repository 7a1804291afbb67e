package roadgraph

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/yingjing/xunhui/geo"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

// gridNetwork generates a rows×cols grid road network with about 100 m
// between nodes around Yingjing. Every 10th row and column is a secondary
// road with maxspeed 60, others residential; every 7th row is one-way
// (alternating direction); a few streets are footways. Nodes are jittered so
// that segments are not all the same length. Deterministic for a seed.
func gridNetwork(rows, cols int, seed uint64) *Network {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := newBuilder()
	const dLat, dLon = 0.0009, 0.00104 // ≈ 100 m each way at 29.8°N
	id := func(r, c int) osm.NodeID { return osm.NodeID(r*cols + c + 1) }
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			b.addNode(&osm.Node{ID: id(r, c),
				Lat: 29.6 + float64(r)*dLat + (rng.Float64()-0.5)*dLat*0.3,
				Lon: 102.6 + float64(c)*dLon + (rng.Float64()-0.5)*dLon*0.3})
		}
	}
	wayID := osm.WayID(1)
	addWay := func(nodes []osm.NodeID, tags osm.Tags) {
		w := &osm.Way{ID: wayID, Tags: tags}
		wayID++
		for _, n := range nodes {
			w.Nodes = append(w.Nodes, osm.WayNode{ID: n})
		}
		b.addWay(w)
	}
	tagsFor := func(k int) osm.Tags {
		switch {
		case k%10 == 0:
			return osm.Tags{{Key: "highway", Value: "secondary"}, {Key: "maxspeed", Value: "60"}}
		case k%7 == 3:
			ow := "yes"
			if k%2 == 0 {
				ow = "-1"
			}
			return osm.Tags{{Key: "highway", Value: "tertiary"}, {Key: "oneway", Value: ow}}
		case k%13 == 5:
			return osm.Tags{{Key: "highway", Value: "footway"}}
		}
		return osm.Tags{{Key: "highway", Value: "residential"}}
	}
	for r := 0; r < rows; r++ {
		ns := make([]osm.NodeID, cols)
		for c := range ns {
			ns[c] = id(r, c)
		}
		addWay(ns, tagsFor(r))
	}
	for c := 0; c < cols; c++ {
		ns := make([]osm.NodeID, rows)
		for r := range ns {
			ns[r] = id(r, c)
		}
		addWay(ns, tagsFor(c+1))
	}
	n, err := b.build()
	if err != nil {
		panic(err)
	}
	n.fingerprint = fmt.Sprintf("grid:%d:%d:%d", rows, cols, seed)
	return n
}

// randomLocs returns k locations spread over the network's bound.
func randomLocs(n *Network, k int, seed uint64) []geo.Location {
	rng := rand.New(rand.NewPCG(seed, 2))
	b := n.Bound()
	locs := make([]geo.Location, k)
	for i := range locs {
		locs[i] = geo.Location{ID: fmt.Sprintf("p%d", i), Point: orb.Point{
			b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]),
			b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}}
	}
	return locs
}

// TestSearchMatchesGonum checks the 4-ary-heap Dijkstra against gonum's
// path.DijkstraFrom on the same graph (through the gonum interfaces).
func TestSearchMatchesGonum(t *testing.T) {
	n := gridNetwork(30, 40, 7)
	for _, mode := range geo.Modes {
		t.Run(string(mode), func(t *testing.T) {
			g, err := n.Graph(mode)
			if err != nil {
				t.Fatal(err)
			}
			for _, from := range []int32{0, 517, int32(g.NumNodes() - 1)} {
				sr := newSearcher(g, true)
				sr.seed(from, 0, 0)
				sr.run()
				sh := path.DijkstraFrom(simple.Node(from), g)
				for v := 0; v < g.NumNodes(); v++ {
					want := sh.WeightTo(int64(v))
					got := math.Inf(1)
					if sr.lab[v].d != inf {
						got = float64(sr.lab[v].d) / 1000
					}
					if math.IsInf(want, 1) != math.IsInf(got, 1) || (!math.IsInf(want, 1) && math.Abs(got-want) > 1e-6) {
						t.Fatalf("from %d to %d: got %v s, gonum %v s", from, v, got, want)
					}
				}
			}
		})
	}
}

// TestMatrixParallelMatchesSerial checks that workers do not change results
// and that the matrix agrees with Route leg by leg.
func TestMatrixParallelMatchesSerial(t *testing.T) {
	n := gridNetwork(40, 40, 3)
	locs := randomLocs(n, 25, 4)
	ctx := context.Background()
	one, err := (&Source{Net: n, Workers: 1}).Matrix(ctx, locs, geo.Car)
	if err != nil {
		t.Fatal(err)
	}
	four, err := (&Source{Net: n, Workers: 4}).Matrix(ctx, locs, geo.Car)
	if err != nil {
		t.Fatal(err)
	}
	for i := range locs {
		for j := range locs {
			if one.Durations[i][j] != four.Durations[i][j] || one.Distances[i][j] != four.Distances[i][j] {
				t.Fatalf("(%d,%d): 1 worker %d s/%d m, 4 workers %d s/%d m", i, j,
					one.Durations[i][j], one.Distances[i][j], four.Durations[i][j], four.Distances[i][j])
			}
		}
	}
	for _, p := range [][2]int{{0, 1}, {3, 17}, {24, 2}} {
		legs, err := NewSource(n).Route(ctx, geo.Car, []orb.Point{locs[p[0]].Point, locs[p[1]].Point})
		if err != nil {
			t.Fatalf("route %v: %v", p, err)
		}
		if got, want := legs[0].Seconds, one.Durations[p[0]][p[1]]; got != want {
			t.Errorf("route %v = %d s, matrix %d s", p, got, want)
		}
	}
}

var (
	benchOnce sync.Once
	benchNet  *Network
)

// BenchmarkMatrix1000 is the target of the issue: a 1000×1000 car matrix on
// a generated grid of 200 000 nodes (400×500) in under 15 s on 2 cores with
// under 1 GB of memory. Run with:
//
//	go test ./geo/roadgraph -run '^$' -bench Matrix1000 -benchtime 1x -cpu 2 -benchmem
func BenchmarkMatrix1000(b *testing.B) {
	benchOnce.Do(func() { benchNet = gridNetwork(400, 500, 1) })
	n := benchNet
	g, _ := n.Graph(geo.Car)
	locs := randomLocs(n, 1000, 9)
	src := NewSource(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := src.Matrix(context.Background(), locs, geo.Car)
		if err != nil {
			b.Fatal(err)
		}
		if len(m.Unreachable) > 0 {
			b.Fatalf("%d unreachable pairs", len(m.Unreachable))
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MiB")
	b.ReportMetric(float64(g.NumNodes()), "nodes")
	b.ReportMetric(float64(g.NumEdges()), "edges")
}

// BenchmarkBuildGrid measures turning 200 000 parsed nodes into the car
// graph with its snapping index.
func BenchmarkBuildGrid(b *testing.B) {
	var g *Graph
	for i := 0; i < b.N; i++ {
		n := gridNetwork(400, 500, 1)
		var err error
		if g, err = n.Graph(geo.Car); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.NumNodes()), "nodes")
	b.ReportMetric(float64(g.NumEdges()), "edges")
}
