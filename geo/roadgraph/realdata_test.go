package roadgraph

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/yingjing/xunhui/geo"
)

// TestRealPBF loads a real extract named by XUNHUI_TEST_PBF and computes a
// car matrix between 200 random points of its bounding box (points far from
// roads come back as a SnapError, which is expected). It only logs figures;
// it is skipped unless the variable is set, e.g.
//
//	XUNHUI_TEST_PBF=$(go env GOMODCACHE)/github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf \
//	  go test ./geo/roadgraph -run RealPBF -v
func TestRealPBF(t *testing.T) {
	path := os.Getenv("XUNHUI_TEST_PBF")
	if path == "" {
		t.Skip("XUNHUI_TEST_PBF not set")
	}
	ctx := context.Background()
	t0 := time.Now()
	n, err := LoadFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load: %v, %+v", time.Since(t0), n.Stats())
	t0 = time.Now()
	g, err := n.Graph(geo.Car)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("car graph: %v, %d nodes, %d edges", time.Since(t0), g.NumNodes(), g.NumEdges())
	locs := randomLocs(n, 200, 5)
	t0 = time.Now()
	m, err := NewSource(n).Matrix(ctx, locs, geo.Car)
	if m == nil {
		t.Fatal(err)
	}
	if verr := m.Validate(); verr != nil {
		t.Fatal(verr)
	}
	t.Logf("matrix 200x200: %v, %d unreachable pairs, snap error: %v", time.Since(t0), len(m.Unreachable), err)
}
