package roadgraph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// Defaults of Source.
const (
	// DefaultMaxSnapM is the farthest a location may be from a usable road.
	DefaultMaxSnapM = 5000
	// DefaultAccessKmh is the speed of the stretch between a location and
	// the road point it snaps to: it is walked (a path to a house, a
	// courtyard), whatever the mode.
	DefaultAccessKmh = 4
)

// Source computes travel matrices on a road Network. It implements
// geo.Source. The zero values of the fields select the defaults.
type Source struct {
	Net *Network
	// MaxSnapM is the largest snap distance in metres (default 5 km).
	MaxSnapM float64
	// AccessKmh is the speed of the off-road stretch to the snap point.
	AccessKmh float64
	// Workers is the number of parallel searches (default GOMAXPROCS).
	Workers int
	// MainComponentNodes, when > 0, snaps locations only to roads whose
	// connected network has at least this many nodes (or is the largest),
	// so that a village next to a small unconnected fragment of mapped road
	// is attached to the main network (and walks the difference) instead of
	// coming back unreachable. OSRM uses 1000. When no such road is within
	// MaxSnapM the nearest road of any size is used.
	MainComponentNodes int

	// closed, skip and cg are set by WithoutRoads: the closed roads, the
	// network segments they close and the graphs built without them.
	closed []geo.ClosedRoad
	skip   []bool
	cg     *closedGraphs
}

// NewSource returns a Source on net with default settings.
func NewSource(net *Network) *Source { return &Source{Net: net} }

// Name returns "roadgraph".
func (s *Source) Name() string { return geo.SourceRoadGraph }

// Fingerprint returns the network's fingerprint and the snap settings.
// "attach=node" marks matrices where a location on a junction is the
// junction (see anchor.node), so that matrices cached before that fix are
// not reused.
func (s *Source) Fingerprint() string {
	fp := fmt.Sprintf("%s|snap=%g|access=%g|main=%d|attach=node", s.Net.Fingerprint(), s.maxSnap(), s.accessKmh(), s.MainComponentNodes)
	if len(s.closed) > 0 {
		fp += "|" + geo.ClosedFingerprint(s.closed) + fmt.Sprintf("|tol=%d", ClosureTolM)
	}
	return fp
}

func (s *Source) maxSnap() float64 {
	if s.MaxSnapM > 0 {
		return s.MaxSnapM
	}
	return DefaultMaxSnapM
}

func (s *Source) accessKmh() float64 {
	if s.AccessKmh > 0 {
		return s.AccessKmh
	}
	return DefaultAccessKmh
}

// anchor is a location attached to a segment of the graph.
type anchor struct {
	ok       bool
	snap     SnapResult
	seg      segment
	accessMs float64 // off-road time, ms
	accessDm float64 // off-road length, decimetres
}

func (s *Source) anchors(g *Graph, locs []geo.Location) ([]anchor, []geo.Snap, *geo.SnapError) {
	an := make([]anchor, len(locs))
	snaps := make([]geo.Snap, len(locs))
	var se *geo.SnapError
	for i, l := range locs {
		r := g.Snap(l.Point)
		if s.MainComponentNodes > 0 {
			if m := g.SnapMain(l.Point, s.MainComponentNodes); m.Seg >= 0 && m.DistM <= s.maxSnap() {
				r = m
			}
		}
		snaps[i] = geo.Snap{ID: l.ID, SnapM: math.Round(r.DistM*10) / 10, Point: r.Point}
		if r.Seg < 0 || r.DistM > s.maxSnap() {
			if se == nil {
				se = &geo.SnapError{MaxM: s.maxSnap()}
			}
			d := r.DistM
			if math.IsInf(d, 1) {
				d = -1
				snaps[i].SnapM = -1
			}
			snaps[i].Point = orb.Point{}
			se.IDs = append(se.IDs, l.ID)
			se.DistM = append(se.DistM, d)
			continue
		}
		snaps[i].OK = true
		an[i] = anchor{ok: true, snap: r, seg: g.segs[r.Seg],
			accessMs: r.DistM / (s.accessKmh() / 3.6) * 1000, accessDm: r.DistM * 10}
	}
	return an, snaps, se
}

// node returns the graph node a is attached at when its snapped point is an
// end of its segment (a location on a junction, or whose nearest road point
// is one), else -1. Such a location is the node itself: every road at the
// junction leaves and reaches it, not only the segment the snap happened to
// pick (a one-way segment ending there could otherwise be reached only
// from its far end).
func (a *anchor) node() int32 {
	switch a.snap.T {
	case 0:
		return a.seg.u
	case 1:
		return a.seg.v
	}
	return -1
}

// seedFrom starts a search at the snapped point of a.
func seedFrom(sr *searcher, a *anchor) {
	if n := a.node(); n >= 0 {
		sr.seed(n, 0, 0)
	}
	t, sg := a.snap.T, a.seg
	if sg.fw != noEdge {
		sr.seed(sg.v, int64(math.Round((1-t)*float64(sg.fw))), int64(math.Round((1-t)*float64(sg.dm))))
	}
	if sg.bw != noEdge {
		sr.seed(sg.u, int64(math.Round(t*float64(sg.bw))), int64(math.Round(t*float64(sg.dm))))
	}
}

// arrival returns the travel time (ms) and length (dm) on the road from the
// search's source anchor src to the snapped point of dst, and via which end
// node (-1 for the direct way along a shared segment); ok is false when dst
// is unreachable.
func arrival(sr *searcher, src, dst *anchor) (ms, dm float64, via int32, ok bool) {
	ms, via = math.Inf(1), -2
	t, sg := dst.snap.T, dst.seg
	if n := dst.node(); n >= 0 {
		if lb := sr.lab[n]; lb.d != inf {
			ms, dm, via = float64(lb.d), float64(lb.l), n
		}
	}
	if sg.fw != noEdge {
		if lb := sr.lab[sg.u]; lb.d != inf {
			if c := float64(lb.d) + t*float64(sg.fw); c < ms {
				ms, dm, via = c, float64(lb.l)+t*float64(sg.dm), sg.u
			}
		}
	}
	if sg.bw != noEdge {
		if lb := sr.lab[sg.v]; lb.d != inf {
			if c := float64(lb.d) + (1-t)*float64(sg.bw); c < ms {
				ms, dm, via = c, float64(lb.l)+(1-t)*float64(sg.dm), sg.v
			}
		}
	}
	if src.snap.Seg == dst.snap.Seg {
		ts := src.snap.T
		if t >= ts && sg.fw != noEdge {
			if c := (t - ts) * float64(sg.fw); c <= ms {
				ms, dm, via = c, (t-ts)*float64(sg.dm), -1
			}
		}
		if t <= ts && sg.bw != noEdge {
			if c := (ts - t) * float64(sg.bw); c <= ms {
				ms, dm, via = c, (ts-t)*float64(sg.dm), -1
			}
		}
	}
	return ms, dm, via, via != -2
}

// Matrix computes the travel-time and distance matrices between locs for
// mode with one one-to-many Dijkstra per origin, Workers at a time. The time
// between two locations is the off-road stretch at AccessKmh at both ends
// plus the fastest road path between the snapped points (the snapped
// segments are split at the projection, both directions). Pairs without a
// path are listed in Unreachable ("no route"). Locations farther than
// MaxSnapM from a usable road make a *geo.SnapError, returned with the
// matrix whose other pairs are valid (their pairs are "not snapped").
func (s *Source) Matrix(ctx context.Context, locs []geo.Location, mode geo.Mode) (*geo.Matrix, error) {
	if err := geo.CheckLocations(locs); err != nil {
		return nil, fmt.Errorf("roadgraph: %w", err)
	}
	g, err := s.graph(mode)
	if err != nil {
		return nil, err
	}
	an, snaps, snapErr := s.anchors(g, locs)
	n := len(locs)
	m := geo.NewMatrix(geo.IDs(locs), mode, geo.SourceRoadGraph)
	m.Snaps = snaps

	// Targets: both end nodes of every snapped segment.
	mark := make([]bool, g.NumNodes())
	nMarked := 0
	for i := range an {
		if !an[i].ok {
			continue
		}
		for _, v := range [2]int32{an[i].seg.u, an[i].seg.v} {
			if !mark[v] {
				mark[v] = true
				nMarked++
			}
		}
	}

	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	rows := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sr := newSearcher(g, false)
			sr.mark, sr.nMarked = mark, nMarked
			for i := range rows {
				src := &an[i]
				sr.reset()
				seedFrom(sr, src)
				sr.run()
				for j := 0; j < n; j++ {
					if j == i || !an[j].ok {
						continue
					}
					dst := &an[j]
					ms, dm, _, ok := arrival(sr, src, dst)
					if !ok {
						continue
					}
					ms += src.accessMs + dst.accessMs
					dm += src.accessDm + dst.accessDm
					m.Durations[i][j] = int64(math.Round(ms / 1000))
					m.Distances[i][j] = int64(math.Round(dm / 10))
				}
			}
		}()
	}
	var cerr error
	for i := 0; i < n; i++ {
		if !an[i].ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			cerr = err
			break
		}
		rows <- i
	}
	close(rows)
	wg.Wait()
	if cerr != nil {
		return nil, fmt.Errorf("roadgraph matrix: %w", cerr)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j || m.Durations[i][j] != geo.NoValue {
				continue
			}
			reason := geo.ReasonNoRoute
			if !an[i].ok || !an[j].ok {
				reason = ReasonNotSnapped
			}
			m.Unreachable = append(m.Unreachable, geo.Pair{From: i, To: j, Reason: reason})
		}
	}
	if snapErr != nil {
		return m, snapErr
	}
	return m, nil
}

// ReasonNotSnapped is the Pair.Reason for pairs whose origin or destination
// is too far from a usable road.
const ReasonNotSnapped = "not snapped"

// ErrNoRoute is returned by Route when consecutive stops are not connected.
var ErrNoRoute = errors.New("no route")

// Route returns the fastest road path between each pair of consecutive
// points, for drawing a team's day on a map. It fails with a *geo.SnapError
// when a point is too far from a road and with ErrNoRoute when two stops are
// not connected.
func (s *Source) Route(ctx context.Context, mode geo.Mode, pts []orb.Point) ([]geo.Leg, error) {
	g, err := s.graph(mode)
	if err != nil {
		return nil, err
	}
	locs := make([]geo.Location, len(pts))
	for i, p := range pts {
		if !geo.ValidPoint(p) {
			return nil, fmt.Errorf("roadgraph route: stop %d: invalid coordinates %v", i, p)
		}
		locs[i] = geo.Location{ID: fmt.Sprintf("stop %d", i+1), Point: p}
	}
	an, _, snapErr := s.anchors(g, locs)
	if snapErr != nil {
		return nil, fmt.Errorf("roadgraph route: %w", snapErr)
	}
	sr := newSearcher(g, true)
	mark := make([]bool, g.NumNodes())
	legs := make([]geo.Leg, 0, max(0, len(pts)-1))
	for i := 0; i+1 < len(pts); i++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("roadgraph route: %w", err)
		}
		src, dst := &an[i], &an[i+1]
		sr.reset()
		mark[dst.seg.u], mark[dst.seg.v] = true, true
		sr.mark, sr.nMarked = mark, 1
		if dst.seg.u != dst.seg.v {
			sr.nMarked = 2
		}
		seedFrom(sr, src)
		sr.run()
		mark[dst.seg.u], mark[dst.seg.v] = false, false
		ms, dm, via, ok := arrival(sr, src, dst)
		if !ok {
			return nil, fmt.Errorf("roadgraph route: stop %d to %d: %w", i+1, i+2, ErrNoRoute)
		}
		path := orb.LineString{pts[i], src.snap.Point}
		if via >= 0 {
			var rev []orb.Point
			for v := via; v >= 0; v = sr.pred[v] {
				rev = append(rev, g.net.coords[v])
			}
			for k := len(rev) - 1; k >= 0; k-- {
				path = append(path, rev[k])
			}
		}
		path = append(path, dst.snap.Point, pts[i+1])
		legs = append(legs, geo.Leg{
			Seconds: int64(math.Round((ms + src.accessMs + dst.accessMs) / 1000)),
			Metres:  int64(math.Round((dm + src.accessDm + dst.accessDm) / 10)),
			Path:    dedup(path),
		})
	}
	return legs, nil
}

func dedup(ls orb.LineString) orb.LineString {
	out := ls[:0:0]
	for i, p := range ls {
		if i > 0 && p == out[len(out)-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

var (
	_ geo.Source = (*Source)(nil)
	_ geo.Router = (*Source)(nil)
)
