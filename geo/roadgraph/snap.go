package roadgraph

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// segGrid is a uniform grid over a local equirectangular projection (metres)
// with, per cell, the segments whose bounding box touches it. A grid suits
// road segments better than a point quadtree (orb/quadtree indexes points,
// and a long segment's nearest point can be far from its midpoint) and costs
// two int32 per entry.
type segGrid struct {
	lon0, lat0, kx, ky float64 // projection: x = (lon-lon0)*kx, y = (lat-lat0)*ky
	xy                 [][2]float64
	cell               float64 // cell side, metres
	nx, ny             int
	start              []int32 // CSR: cell c holds ids[start[c]:start[c+1]]
	ids                []int32
	segs               []segment
}

const mPerDeg = geo.EarthRadiusM * math.Pi / 180

func newSegGrid(coords []orb.Point, segs []segment) *segGrid {
	g := &segGrid{segs: segs}
	if len(segs) == 0 {
		return g
	}
	b := orb.MultiPoint(coords).Bound()
	g.lon0, g.lat0 = b.Min[0], b.Min[1]
	g.ky = mPerDeg
	g.kx = mPerDeg * math.Cos((b.Min[1]+b.Max[1])/2*math.Pi/180)
	g.xy = make([][2]float64, len(coords))
	for i, p := range coords {
		g.xy[i] = g.project(p)
	}
	w := (b.Max[0] - b.Min[0]) * g.kx
	h := (b.Max[1] - b.Min[1]) * g.ky
	// About two segments per cell on average, at least 50 m, and never
	// more cells than twice the segments (a sparse network spread over a
	// large area, or a corrupt file, must not allocate a huge grid).
	g.cell = math.Max(50, math.Sqrt(w*h/float64(len(segs)/2+1)))
	for (w/g.cell+1)*(h/g.cell+1) > float64(min(4<<20, 2*len(segs)+16)) {
		g.cell *= 1.5
	}
	g.nx, g.ny = int(w/g.cell)+1, int(h/g.cell)+1
	counts := make([]int32, g.nx*g.ny+1)
	g.eachCell(func(c int, _ int32) { counts[c+1]++ })
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	g.start = counts
	g.ids = make([]int32, counts[len(counts)-1])
	pos := append([]int32(nil), counts[:len(counts)-1]...)
	g.eachCell(func(c int, s int32) { g.ids[pos[c]] = s; pos[c]++ })
	return g
}

func (g *segGrid) project(p orb.Point) [2]float64 {
	return [2]float64{(p[0] - g.lon0) * g.kx, (p[1] - g.lat0) * g.ky}
}

func (g *segGrid) unproject(q [2]float64) orb.Point {
	return orb.Point{q[0]/g.kx + g.lon0, q[1]/g.ky + g.lat0}
}

func (g *segGrid) cellOf(v float64, n int) int {
	c := int(math.Floor(v / g.cell))
	if c < 0 {
		return 0
	}
	if c >= n {
		return n - 1
	}
	return c
}

// eachCell calls f for every (cell, segment) pair of the index: the cells
// the segment passes through and their neighbours. The segment is sampled
// every half cell, and the 3×3 block around each sample's cell covers every
// cell the segment crosses, so the ring search in nearest stays exact while
// a long diagonal segment touches O(length/cell) cells instead of its whole
// bounding box.
func (g *segGrid) eachCell(f func(c int, s int32)) {
	var cells []int
	for si, s := range g.segs {
		a, b := g.xy[s.u], g.xy[s.v]
		steps := int(math.Ceil(math.Hypot(b[0]-a[0], b[1]-a[1]) / (g.cell / 2)))
		cells = cells[:0]
		for k := 0; k <= steps; k++ {
			t := 0.0
			if steps > 0 {
				t = float64(k) / float64(steps)
			}
			cx := g.cellOf(a[0]+t*(b[0]-a[0]), g.nx)
			cy := g.cellOf(a[1]+t*(b[1]-a[1]), g.ny)
			for y := max(0, cy-1); y <= min(g.ny-1, cy+1); y++ {
				for x := max(0, cx-1); x <= min(g.nx-1, cx+1); x++ {
					cells = append(cells, y*g.nx+x)
				}
			}
		}
		slices.Sort(cells)
		cells = slices.Compact(cells)
		for _, c := range cells {
			f(c, int32(si))
		}
	}
}

// snapHit is the result of a nearest-segment search.
type snapHit struct {
	seg   int32   // index into segs, -1 if none
	t     float64 // position along the segment from u (0) to v (1)
	distM float64 // planar distance from the query point, metres
	at    [2]float64
}

// nearest returns the segment closest to p. The search visits square rings
// of cells around p's cell and stops once no unvisited cell can hold
// anything closer; it covers the whole grid if needed, so a location far
// from every road still learns its true distance.
func (g *segGrid) nearest(p orb.Point, accept func(seg int32) bool) snapHit {
	best := snapHit{seg: -1, distM: math.Inf(1)}
	if len(g.segs) == 0 {
		return best
	}
	q := g.project(p)
	qx, qy := math.Floor(q[0]/g.cell), math.Floor(q[1]/g.cell)
	// Distance in rings from p's cell to the grid rectangle.
	gap := 0.0
	if qx < 0 {
		gap = -qx
	} else if qx >= float64(g.nx) {
		gap = qx - float64(g.nx) + 1
	}
	if qy < 0 {
		gap = math.Max(gap, -qy)
	} else if qy >= float64(g.ny) {
		gap = math.Max(gap, qy-float64(g.ny)+1)
	}
	maxR := gap + float64(max(g.nx, g.ny))
	for r := gap; r <= maxR; r++ {
		// Any cell in ring r+1 is at least r*cell away from p.
		if best.seg >= 0 && best.distM <= (r-1)*g.cell {
			break
		}
		ri := int(r)
		cx, cy := int(qx), int(qy)
		for y := cy - ri; y <= cy+ri; y++ {
			if y < 0 || y >= g.ny {
				continue
			}
			step := 1
			if y != cy-ri && y != cy+ri {
				step = 2 * ri // only the ring's left and right cells
			}
			for x := cx - ri; x <= cx+ri; x += max(step, 1) {
				if x < 0 || x >= g.nx {
					continue
				}
				c := y*g.nx + x
				for _, si := range g.ids[g.start[c]:g.start[c+1]] {
					if accept != nil && !accept(si) {
						continue
					}
					s := g.segs[si]
					t, at, d := project(q, g.xy[s.u], g.xy[s.v])
					if d < best.distM || (d == best.distM && si < best.seg) {
						best = snapHit{seg: si, t: t, distM: d, at: at}
					}
				}
			}
		}
	}
	return best
}

// project returns the parameter t ∈ [0,1], the closest point on segment ab
// to q, and its distance.
func project(q, a, b [2]float64) (float64, [2]float64, float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((q[0]-a[0])*dx + (q[1]-a[1])*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	at := [2]float64{a[0] + t*dx, a[1] + t*dy}
	return t, at, math.Hypot(q[0]-at[0], q[1]-at[1])
}

// SnapResult is where a location attaches to a mode's graph.
type SnapResult struct {
	// Point is the attachment point on the road (WGS84).
	Point orb.Point
	// DistM is the great-circle distance in metres from the location to
	// Point; +Inf if the graph has no usable segment at all.
	DistM float64
	// U, V are the segment's end nodes and T ∈ [0,1] the position along it
	// from U; Seg is the segment index (-1 when nothing was found).
	U, V int64
	T    float64
	Seg  int
}

// Snap attaches p to the nearest road segment usable by the graph's mode
// (the projection onto the segment, not merely the nearest node).
func (g *Graph) Snap(p orb.Point) SnapResult { return g.snap(p, nil) }

// SnapMain is Snap restricted to segments whose connected component (roads
// joined for this mode, ignoring direction) has at least minNodes nodes, or
// is the largest component. It keeps a location off a small unconnected
// fragment of road.
func (g *Graph) SnapMain(p orb.Point, minNodes int) SnapResult {
	g.compOnce.Do(g.components)
	need := min(int32(min(minNodes, math.MaxInt32)), g.largest)
	return g.snap(p, func(si int32) bool { return g.compSize[g.comp[g.segs[si].u]] >= need })
}

// components labels the weakly connected components of the usable
// segments (union-find with path halving).
func (g *Graph) components() {
	n := g.NumNodes()
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, s := range g.segs {
		a, b := find(s.u), find(s.v)
		if a != b {
			parent[a] = b
		}
	}
	g.comp = make([]int32, n)
	g.compSize = make([]int32, n)
	for i := range g.comp {
		r := find(int32(i))
		g.comp[i] = r
		g.compSize[r]++
	}
	for _, sz := range g.compSize {
		g.largest = max(g.largest, sz)
	}
}

func (g *Graph) snap(p orb.Point, accept func(int32) bool) SnapResult {
	h := g.grid.nearest(p, accept)
	if h.seg < 0 {
		return SnapResult{DistM: math.Inf(1), Seg: -1, U: -1, V: -1}
	}
	s := g.segs[h.seg]
	at := g.grid.unproject(h.at)
	return SnapResult{Point: at, DistM: geo.DistanceHaversine(p, at), U: int64(s.u), V: int64(s.v), T: h.t, Seg: int(h.seg)}
}
