package roadgraph

import (
	"testing"

	"github.com/yingjing/xunhui/geo"
)

// BenchmarkSearch is one full one-to-all search on the 200 000-node grid,
// the unit of work of BenchmarkMatrix1000.
func BenchmarkSearch(b *testing.B) {
	benchOnce.Do(func() { benchNet = gridNetwork(400, 500, 1) })
	g, _ := benchNet.Graph(geo.Car)
	sr := newSearcher(g, false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sr.reset()
		sr.seed(int32((i*7919)%g.NumNodes()), 0, 0)
		sr.run()
	}
}
