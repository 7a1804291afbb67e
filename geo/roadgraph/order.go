package roadgraph

import (
	"slices"

	"github.com/paulmach/orb"
)

// renumber reorders the nodes along a Hilbert curve over the network's
// bounding box. A Dijkstra wavefront then touches nodes that sit close
// together in memory, so the per-node arrays stay in cache: on the
// 200 000-node benchmark grid this made a search markedly faster than the
// order in which ways list their nodes.
func (n *Network) renumber() {
	nn := len(n.coords)
	if nn < 2 {
		return
	}
	b := orb.MultiPoint(n.coords).Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	const side = 1 << 16
	keys := make([]uint64, nn)
	for i, p := range n.coords {
		var x, y uint32
		if w > 0 {
			x = uint32((p[0] - b.Min[0]) / w * (side - 1))
		}
		if h > 0 {
			y = uint32((p[1] - b.Min[1]) / h * (side - 1))
		}
		keys[i] = hilbert(side, x, y)
	}
	perm := make([]int32, nn) // new position → old index
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortStableFunc(perm, func(a, b int32) int {
		switch {
		case keys[a] < keys[b]:
			return -1
		case keys[a] > keys[b]:
			return 1
		}
		return 0
	})
	inv := make([]int32, nn) // old index → new
	coords := make([]orb.Point, nn)
	ids := n.osmIDs[:0:0]
	ids = append(ids, n.osmIDs...)
	ford := make([]bool, nn)
	for newI, old := range perm {
		inv[old] = int32(newI)
		coords[newI] = n.coords[old]
		ids[newI] = n.osmIDs[old]
		ford[newI] = n.ford[old]
	}
	n.coords, n.osmIDs, n.ford = coords, ids, ford
	for i := range n.segs {
		n.segs[i].u = inv[n.segs[i].u]
		n.segs[i].v = inv[n.segs[i].v]
	}
}

// hilbert returns the distance along the Hilbert curve of (x, y) in a
// side×side square (side a power of two).
func hilbert(side, x, y uint32) uint64 {
	var d uint64
	for s := side / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 {
			if rx == 1 {
				x = s - 1 - x
				y = s - 1 - y
			}
			x, y = y, x
		}
	}
	return d
}
