package roadgraph

import (
	"fmt"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// ClosureTolM is how far (metres) a road may lie from a closure's line and
// still count as closed: a segment between two way nodes is closed when both
// ends and its midpoint are within this distance of the line. Lines drawn on
// a web map follow the road to within a few metres; 25 m also tolerates the
// GCJ-02 residue of a careless conversion without catching a parallel road.
const ClosureTolM = 25

// closedGraphs holds the per-mode graphs of a network without some roads,
// built on first use.
type closedGraphs struct {
	once   [nModes]sync.Once
	graphs [nModes]*Graph
}

// WithoutRoads implements geo.RoadCloser: the returned source routes on the
// network without the segments lying along the closed lines (in every mode:
// a landslide closes the road to walkers too). Closures matching no segment
// are listed by id, not treated as errors, so that a planner can warn.
func (s *Source) WithoutRoads(closed []geo.ClosedRoad) (geo.Source, []string, error) {
	skip, unmatched := s.Net.closedSegments(closed)
	out := *s
	out.closed = append(append([]geo.ClosedRoad(nil), s.closed...), closed...)
	if s.skip != nil {
		for i, b := range s.skip {
			skip[i] = skip[i] || b
		}
	}
	out.skip = skip
	out.cg = &closedGraphs{}
	return &out, unmatched, nil
}

// graph returns the graph of mode the source routes on.
func (s *Source) graph(mode geo.Mode) (*Graph, error) {
	if s.skip == nil {
		return s.Net.Graph(mode)
	}
	mi, ok := modeIndex(mode)
	if !ok {
		return nil, fmt.Errorf("roadgraph: unknown mode %q", mode)
	}
	s.cg.once[mi].Do(func() { s.cg.graphs[mi] = s.Net.buildGraph(mode, mi, s.skip) })
	return s.cg.graphs[mi], nil
}

// ClosedSegments returns, for each network segment, its end points when it
// lies along one of the closed lines (see ClosureTolM), for tests and maps.
func (n *Network) ClosedSegments(closed []geo.ClosedRoad) [][2]orb.Point {
	skip, _ := n.closedSegments(closed)
	var out [][2]orb.Point
	for i, b := range skip {
		if b {
			out = append(out, [2]orb.Point{n.coords[n.segs[i].u], n.coords[n.segs[i].v]})
		}
	}
	return out
}

// closedSegments marks the segments along the closed lines. A segment is
// on a line when its ends and midpoint are within ClosureTolM of it.
func (n *Network) closedSegments(closed []geo.ClosedRoad) ([]bool, []string) {
	skip := make([]bool, len(n.segs))
	var unmatched []string
	for _, c := range closed {
		if len(c.Line) < 2 {
			unmatched = append(unmatched, c.ID)
			continue
		}
		b := c.Line.Bound()
		lat0 := (b.Min[1] + b.Max[1]) / 2
		kx, ky := mPerDeg*math.Cos(lat0*math.Pi/180), mPerDeg
		pad := [2]float64{ClosureTolM / kx, ClosureTolM / ky}
		b.Min[0], b.Min[1], b.Max[0], b.Max[1] = b.Min[0]-pad[0], b.Min[1]-pad[1], b.Max[0]+pad[0], b.Max[1]+pad[1]
		xy := func(p orb.Point) [2]float64 { return [2]float64{(p[0] - b.Min[0]) * kx, (p[1] - b.Min[1]) * ky} }
		line := make([][2]float64, len(c.Line))
		for i, p := range c.Line {
			line[i] = xy(p)
		}
		near := func(q [2]float64) bool {
			for i := 0; i+1 < len(line); i++ {
				if _, _, d := project(q, line[i], line[i+1]); d <= ClosureTolM {
					return true
				}
			}
			return false
		}
		hit := false
		for i, sg := range n.segs {
			pu, pv := n.coords[sg.u], n.coords[sg.v]
			if !b.Contains(pu) || !b.Contains(pv) {
				continue
			}
			qu, qv := xy(pu), xy(pv)
			if near(qu) && near(qv) && near([2]float64{(qu[0] + qv[0]) / 2, (qu[1] + qv[1]) / 2}) {
				skip[i] = true
				hit = true
			}
		}
		if !hit {
			unmatched = append(unmatched, c.ID)
		}
	}
	return skip, unmatched
}

var _ geo.RoadCloser = (*Source)(nil)
