package roadgraph

import (
	"fmt"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"
)

// noEdge marks a direction a mode may not travel.
const noEdge = math.MaxUint32

// Graph is the road network for one travel mode as a weighted directed
// graph in compressed sparse row form. Node ids are the dense indices
// 0..NumNodes-1 of the Network; edge weights are travel times in seconds.
// It implements gonum's graph.WeightedDirected, so gonum's algorithms
// (path.DijkstraFrom, topo, ...) run on it directly; the matrix code uses
// its own Dijkstra over the same arrays for speed. Graph is immutable and
// safe for concurrent use.
type Graph struct {
	net  *Network
	mode geo.Mode

	// Forward CSR: the edges leaving node u are off[u]..off[u+1]-1.
	off   []int32
	edges []edge // head node, travel time and length
	// Reverse CSR for To (gonum) only.
	roff, rtail []int32

	segs []segment // segments usable in at least one direction
	grid *segGrid

	// Connected components for SnapMain, computed on first use.
	compOnce sync.Once
	comp     []int32 // node → component root
	compSize []int32 // root → number of nodes
	largest  int32
}

// edge is a directed edge of the CSR: head node, travel time in
// milliseconds (≥ 1) and length in decimetres, kept together because a
// relaxation reads all three.
type edge struct {
	head int32
	ms   uint32
	dm   uint32
}

// segment is a usable piece of road between consecutive nodes, with its
// travel time in each direction (noEdge when closed).
type segment struct {
	u, v   int32
	fw, bw uint32 // ms u→v, v→u
	dm     uint32 // length in decimetres
}

// Graph returns the graph for mode, building it on first use (a few hundred
// milliseconds for 200 000 nodes). It fails only for an unknown mode.
func (n *Network) Graph(mode geo.Mode) (*Graph, error) {
	mi, ok := modeIndex(mode)
	if !ok {
		return nil, fmt.Errorf("roadgraph: unknown mode %q", mode)
	}
	n.once[mi].Do(func() { n.graphs[mi] = n.buildGraph(mode, mi, nil) })
	return n.graphs[mi], nil
}

func msFor(lenM float64, kmh float32) uint32 {
	if kmh <= 0 {
		return noEdge
	}
	ms := math.Round(lenM / (float64(kmh) / 3.6) * 1000)
	if ms < 1 {
		ms = 1 // zero-weight edges would make equal-time ties order-dependent
	}
	if ms >= noEdge {
		ms = noEdge - 1
	}
	return uint32(ms)
}

// buildGraph builds the graph of mode without the segments marked in skip
// (nil: none), the closed roads of geo.RoadCloser.
func (n *Network) buildGraph(mode geo.Mode, mi int, skip []bool) *Graph {
	g := &Graph{net: n, mode: mode}
	nn := len(n.coords)
	deg := make([]int32, nn+1)
	rdeg := make([]int32, nn+1)
	for si, s := range n.segs {
		if skip != nil && skip[si] {
			continue
		}
		a := n.attrs[s.attr]
		// Ford nodes are closed to motorbikes: no edge touches them.
		if mi == iMoto && (n.ford[s.u] || n.ford[s.v]) {
			continue
		}
		seg := segment{u: s.u, v: s.v, fw: msFor(float64(s.lenM), a.fwd[mi]), bw: msFor(float64(s.lenM), a.bwd[mi]),
			dm: uint32(math.Round(float64(s.lenM) * 10))}
		if seg.fw == noEdge && seg.bw == noEdge {
			continue
		}
		g.segs = append(g.segs, seg)
		if seg.fw != noEdge {
			deg[s.u+1]++
			rdeg[s.v+1]++
		}
		if seg.bw != noEdge {
			deg[s.v+1]++
			rdeg[s.u+1]++
		}
	}
	for i := 1; i <= nn; i++ {
		deg[i] += deg[i-1]
		rdeg[i] += rdeg[i-1]
	}
	m := deg[nn]
	g.off, g.roff = deg, rdeg
	g.edges = make([]edge, m)
	g.rtail = make([]int32, m)
	pos := append([]int32(nil), deg[:nn]...)
	rpos := append([]int32(nil), rdeg[:nn]...)
	add := func(u, v int32, ms, dm uint32) {
		k := pos[u]
		pos[u]++
		g.edges[k] = edge{v, ms, dm}
		r := rpos[v]
		rpos[v]++
		g.rtail[r] = u
	}
	for _, s := range g.segs {
		if s.fw != noEdge {
			add(s.u, s.v, s.fw, s.dm)
		}
		if s.bw != noEdge {
			add(s.v, s.u, s.bw, s.dm)
		}
	}
	g.grid = newSegGrid(n.coords, g.segs)
	return g
}

// Mode returns the travel mode of g.
func (g *Graph) Mode() geo.Mode { return g.mode }

// Network returns the network g was built from.
func (g *Graph) Network() *Network { return g.net }

// NumEdges returns the number of directed edges.
func (g *Graph) NumEdges() int { return len(g.edges) }

// NumNodes returns the number of nodes (including nodes with no edge for
// this mode).
func (g *Graph) NumNodes() int { return len(g.off) - 1 }

// Point returns the position of node id.
func (g *Graph) Point(id int64) orb.Point { return g.net.coords[id] }

// --- gonum graph.WeightedDirected ---

func (g *Graph) has(id int64) bool { return id >= 0 && id < int64(g.NumNodes()) }

// Node returns the node with the given id, or nil if there is none.
func (g *Graph) Node(id int64) graph.Node {
	if !g.has(id) {
		return nil
	}
	return simple.Node(id)
}

// Nodes returns all nodes.
func (g *Graph) Nodes() graph.Nodes {
	return iterator.NewImplicitNodes(0, g.NumNodes(), func(id int) graph.Node { return simple.Node(id) })
}

// From returns the nodes reachable from id by one edge.
func (g *Graph) From(id int64) graph.Nodes {
	if !g.has(id) {
		return graph.Empty
	}
	heads := make([]int32, 0, g.off[id+1]-g.off[id])
	for _, e := range g.edges[g.off[id]:g.off[id+1]] {
		heads = append(heads, e.head)
	}
	return nodesOf(heads)
}

// To returns the nodes with an edge to id.
func (g *Graph) To(id int64) graph.Nodes {
	if !g.has(id) {
		return graph.Empty
	}
	return nodesOf(g.rtail[g.roff[id]:g.roff[id+1]])
}

func nodesOf(ids []int32) graph.Nodes {
	if len(ids) == 0 {
		return graph.Empty
	}
	seen := make(map[int32]bool, len(ids))
	ns := make([]graph.Node, 0, len(ids))
	for _, v := range ids {
		if !seen[v] {
			seen[v] = true
			ns = append(ns, simple.Node(v))
		}
	}
	return iterator.NewOrderedNodes(ns)
}

// bestEdge returns the fastest edge index from u to v, or -1.
func (g *Graph) bestEdge(uid, vid int64) int {
	if !g.has(uid) || !g.has(vid) {
		return -1
	}
	best := -1
	for k := g.off[uid]; k < g.off[uid+1]; k++ {
		if int64(g.edges[k].head) == vid && (best < 0 || g.edges[k].ms < g.edges[best].ms) {
			best = int(k)
		}
	}
	return best
}

// HasEdgeBetween reports whether an edge joins x and y in either direction.
func (g *Graph) HasEdgeBetween(xid, yid int64) bool {
	return g.bestEdge(xid, yid) >= 0 || g.bestEdge(yid, xid) >= 0
}

// HasEdgeFromTo reports whether there is an edge from u to v.
func (g *Graph) HasEdgeFromTo(uid, vid int64) bool { return g.bestEdge(uid, vid) >= 0 }

// Edge returns the fastest edge from u to v, or nil.
func (g *Graph) Edge(uid, vid int64) graph.Edge {
	e := g.WeightedEdge(uid, vid)
	if e == nil {
		return nil
	}
	return e
}

// WeightedEdge returns the fastest edge from u to v with its travel time in
// seconds as weight, or nil.
func (g *Graph) WeightedEdge(uid, vid int64) graph.WeightedEdge {
	k := g.bestEdge(uid, vid)
	if k < 0 {
		return nil
	}
	return simple.WeightedEdge{F: simple.Node(uid), T: simple.Node(vid), W: float64(g.edges[k].ms) / 1000}
}

// Weight returns the travel time in seconds from x to y over one edge; 0
// and true for x == y; false when there is no edge.
func (g *Graph) Weight(xid, yid int64) (float64, bool) {
	if xid == yid && g.has(xid) {
		return 0, true
	}
	k := g.bestEdge(xid, yid)
	if k < 0 {
		return math.Inf(1), false
	}
	return float64(g.edges[k].ms) / 1000, true
}

var _ graph.WeightedDirected = (*Graph)(nil)
