package circuit

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
)

// Unreachable is the travel time, in seconds, used for a pair the matrix
// source could not connect: a week, so that no route can use the pair.
const Unreachable int64 = 7 * 24 * 3600

// Travel holds one travel-time matrix per travel mode over a set of points,
// in seconds rounded up to whole minutes, for the days without closures,
// and one set per distinct set of closures in force on the other days.
// Points are identified by PointKey. It is what the planner solves with and
// what the checker verifies against.
//
// On a day with closures, travel avoids the closed roads (when the source
// has roads: the road graph), and a vehicle (car, motorbike) reaches a place
// in a walk-only village by driving to the trailhead and walking: the leg is
// the drive plus the closure's walking minutes, leaving it the walk back
// plus the drive on. Between two places of the same walk-only village the
// team walks straight (the estimate on foot: great circle × 1.3 at 4 km/h,
// geo.DefaultEstimate); a team based in the village (its agent) starts
// and ends its day there.
type Travel struct {
	// Source is the matrix source, e.g. "estimate" or "roadgraph+estimate".
	Source string
	// Warnings are the sources' warnings (fallbacks, unreachable pairs,
	// closures that could not be honoured).
	Warnings []string
	index    map[string]int
	keys     []string
	pts      []data.Point
	secs     map[data.TravelMode][][]int64
	// byDay maps a day with closures to its entry in closed.
	byDay  map[data.Date]int
	closed []*closedTravel
}

// closedTravel is the travel of the days sharing one set of closures.
type closedTravel struct {
	closures []data.Closure
	secs     map[data.TravelMode][][]int64
	// foot maps a point in a walk-only village to its access.
	foot map[int]footAccess
	// honoured is false for road closures the source could not apply.
	unapplied []string
}

// footAccess is how a vehicle reaches a point of a walk-only village.
type footAccess struct {
	closure   *data.Closure
	trailhead int   // point index
	walk      int64 // seconds, one way
}

// TravelSpec is what BuildTravel covers.
type TravelSpec struct {
	// Points are the places (duplicates are merged).
	Points []data.Point
	// Groups maps a point key to its township, for the estimator's
	// per-township overrides; may be nil.
	Groups map[string]string
	// Villages maps a point key to its village, for walk-only villages;
	// may be nil.
	Villages map[string]string
	Modes    []data.TravelMode
	// Days are the days of travel; Closures those to honour on them.
	Days     []data.Date
	Closures []data.Closure
}

// PointKey identifies a location at 1e-6 degree resolution (≈ 0.1 m).
func PointKey(p data.Point) string { return fmt.Sprintf("%.6f,%.6f", p.Lon, p.Lat) }

// NewTravel asks src for a matrix of every mode in modes over points
// (duplicates are merged), with no closures. groups maps a point key to its
// township (for the estimator's per-township overrides); it may be nil.
func NewTravel(ctx context.Context, src geo.Source, points []data.Point, groups map[string]string, modes []data.TravelMode) (*Travel, error) {
	return BuildTravel(ctx, src, TravelSpec{Points: points, Groups: groups, Modes: modes})
}

// BuildTravel asks src for the matrices of spec: every mode over the points
// (and the trailheads of the walk-only villages in force), and, for each
// distinct set of closures in force on spec's days, matrices that honour
// them. Closed roads the source cannot avoid (it has no roads: the estimate,
// OSRM) and closures on no road are named in Warnings.
func BuildTravel(ctx context.Context, src geo.Source, spec TravelSpec) (*Travel, error) {
	if src == nil {
		src = &geo.Estimator{}
	}
	t := &Travel{index: map[string]int{}, secs: map[data.TravelMode][][]int64{}, byDay: map[data.Date]int{}}
	sets := closureSets(spec.Days, spec.Closures)
	points := append([]data.Point(nil), spec.Points...)
	for _, set := range sets {
		for _, c := range set.closures {
			if c.Trailhead != nil {
				points = append(points, *c.Trailhead)
			}
		}
	}
	var locs []geo.Location
	for _, p := range points {
		k := PointKey(p)
		if _, ok := t.index[k]; ok {
			continue
		}
		t.index[k] = len(t.keys)
		t.keys = append(t.keys, k)
		t.pts = append(t.pts, p)
		locs = append(locs, geo.Location{ID: k, Point: orb.Point{p.Lon, p.Lat}, Group: spec.Groups[k]})
	}
	ms := append([]data.TravelMode(nil), spec.Modes...)
	slices.Sort(ms)
	ms = slices.Compact(ms)
	var sources []string
	for _, m := range ms {
		rows, name, err := t.matrix(ctx, src, locs, m)
		if err != nil {
			return nil, err
		}
		t.secs[m] = rows
		sources = append(sources, name)
	}
	for _, set := range sets {
		ct, names, err := t.closedMatrices(ctx, src, locs, ms, set.closures, spec.Villages)
		if err != nil {
			return nil, err
		}
		sources = append(sources, names...)
		for _, d := range set.days {
			t.byDay[d] = len(t.closed)
		}
		t.closed = append(t.closed, ct)
	}
	t.Source = src.Name()
	for _, s := range sources {
		if s != t.Source {
			t.Source = s // e.g. "roadgraph+estimate" when a fallback filled pairs
		}
	}
	return t, nil
}

// closureSet is a set of closures and the days it is in force.
type closureSet struct {
	closures []data.Closure
	days     []data.Date
}

// closureSets groups days by the closures in force on them (days without
// any are left out), in order of first day.
func closureSets(days []data.Date, cs []data.Closure) []closureSet {
	var out []closureSet
	bySig := map[string]int{}
	for _, d := range days {
		var on []data.Closure
		var ids []string
		for _, c := range cs {
			if c.ActiveOn(d) {
				on = append(on, c)
				ids = append(ids, c.ID)
			}
		}
		if len(on) == 0 {
			continue
		}
		sort.Strings(ids)
		sig := strings.Join(ids, "\x00")
		k, ok := bySig[sig]
		if !ok {
			k = len(out)
			bySig[sig] = k
			out = append(out, closureSet{closures: on})
		}
		out[k].days = append(out[k].days, d)
	}
	return out
}

// matrix asks src for mode's matrix over locs, in seconds rounded up to
// whole minutes, unreachable pairs set to Unreachable.
func (t *Travel) matrix(ctx context.Context, src geo.Source, locs []geo.Location, m data.TravelMode) ([][]int64, string, error) {
	gm, err := geo.ParseMode(string(m))
	if err != nil {
		return nil, "", fmt.Errorf("travel mode: %w", err)
	}
	n := len(locs)
	rows := make([][]int64, n)
	if n == 0 {
		return rows, src.Name(), nil
	}
	mat, err := src.Matrix(ctx, locs, gm)
	if mat == nil {
		return nil, "", fmt.Errorf("travel matrix (%s): %w", m, err)
	}
	if err != nil {
		t.Warnings = append(t.Warnings, err.Error())
	}
	t.Warnings = append(t.Warnings, mat.Warnings...)
	if len(mat.Unreachable) > 0 {
		t.Warnings = append(t.Warnings, fmt.Sprintf("%s: %d unreachable pairs", m, len(mat.Unreachable)))
	}
	for i := range rows {
		rows[i] = make([]int64, n)
		for j := range rows[i] {
			d := mat.Durations[i][j]
			if i == j {
				d = 0
			} else if d < 0 || d > Unreachable {
				d = Unreachable
			}
			rows[i][j] = (d + 59) / 60 * 60
		}
	}
	return rows, mat.Source, nil
}

// closedMatrices builds the travel of one set of closures: matrices on the
// roads left open, then the walk-only villages laid over them.
func (t *Travel) closedMatrices(ctx context.Context, src geo.Source, locs []geo.Location, modes []data.TravelMode,
	cs []data.Closure, villages map[string]string) (*closedTravel, []string, error) {
	ct := &closedTravel{closures: cs, secs: map[data.TravelMode][][]int64{}, foot: map[int]footAccess{}}
	var roads []geo.ClosedRoad
	for _, c := range cs {
		if c.Kind == data.ClosedRoad {
			line := make(orb.LineString, len(c.Line))
			for i, p := range c.Line {
				line[i] = orb.Point{p.Lon, p.Lat}
			}
			roads = append(roads, geo.ClosedRoad{ID: c.ID, Line: line})
		}
	}
	vsrc := src
	if len(roads) > 0 {
		out, unmatched, ok, err := geo.WithoutRoads(src, roads)
		if err != nil {
			return nil, nil, fmt.Errorf("close roads: %w", err)
		}
		for _, id := range unmatched {
			t.Warnings = append(t.Warnings, fmt.Sprintf("closure %s lies on no road of the network (drawn more than 25 m from any road?): nothing was closed", id))
		}
		if ok {
			vsrc = out
		} else {
			for _, r := range roads {
				ct.unapplied = append(ct.unapplied, r.ID)
				t.Warnings = append(t.Warnings, fmt.Sprintf("closure %s not honoured: travel times come from %q, which has no roads to close (give the road graph, --osm)", r.ID, src.Name()))
			}
			roads = nil
		}
	}
	var names []string
	for _, m := range modes {
		if len(roads) == 0 {
			ct.secs[m] = cloneRows(t.secs[m])
			continue
		}
		rows, name, err := t.matrix(ctx, vsrc, locs, m)
		if err != nil {
			return nil, nil, err
		}
		ct.secs[m] = rows
		names = append(names, name)
	}
	for i := range cs {
		c := &cs[i]
		if c.Kind != data.FootOnly || c.Trailhead == nil {
			continue
		}
		th := t.index[PointKey(*c.Trailhead)]
		for k, v := range villages {
			if v != c.VillageID {
				continue
			}
			if p, ok := t.index[k]; ok && p != th {
				ct.foot[p] = footAccess{closure: c, trailhead: th, walk: int64(c.WalkMinutes) * 60}
			}
		}
	}
	for m, rows := range ct.secs {
		if m != data.TravelFoot {
			t.overlayFoot(ct, rows)
		}
	}
	return ct, names, nil
}

// WalkWithin is the time in seconds, rounded up to whole minutes, to walk
// between two places of one walk-only village: the estimate on foot.
func WalkWithin(a, b data.Point) int64 {
	s, _ := (&geo.Estimator{}).Pair(geo.Location{Point: orb.Point{a.Lon, a.Lat}}, geo.Location{Point: orb.Point{b.Lon, b.Lat}}, geo.Foot)
	return (s + 59) / 60 * 60
}

// overlayFoot rewrites the legs to and from walk-only places: drive to the
// trailhead, walk in; walk out, drive on; walk within a village.
func (t *Travel) overlayFoot(ct *closedTravel, rows [][]int64) {
	if len(ct.foot) == 0 {
		return
	}
	drive := cloneRows(rows)
	for i := range rows {
		a, fi := ct.foot[i]
		for j := range rows[i] {
			if i == j {
				continue
			}
			b, fj := ct.foot[j]
			switch {
			case !fi && !fj:
				continue
			case fi && !fj:
				rows[i][j] = a.walk + drive[a.trailhead][j]
			case !fi && fj:
				rows[i][j] = drive[i][b.trailhead] + b.walk
			case a.closure == b.closure:
				rows[i][j] = WalkWithin(t.pts[i], t.pts[j])
			default:
				rows[i][j] = a.walk + drive[a.trailhead][b.trailhead] + b.walk
			}
			rows[i][j] = min(rows[i][j], Unreachable)
		}
	}
}

func cloneRows(rows [][]int64) [][]int64 {
	out := make([][]int64, len(rows))
	for i, r := range rows {
		out[i] = append([]int64(nil), r...)
	}
	return out
}

// Has reports whether p is one of the matrix points.
func (t *Travel) Has(p data.Point) bool { _, ok := t.index[PointKey(p)]; return ok }

// rows returns mode's matrix on day (nil when the mode is not there).
func (t *Travel) rows(mode data.TravelMode, day data.Date) [][]int64 {
	if k, ok := t.byDay[day]; ok {
		return t.closed[k].secs[mode]
	}
	return t.secs[mode]
}

// Seconds returns the travel time from a to b for mode on day (honouring
// the closures in force that day), and false when a point or the mode is
// not in the matrices.
func (t *Travel) Seconds(mode data.TravelMode, day data.Date, a, b data.Point) (int64, bool) {
	rows := t.rows(mode, day)
	if rows == nil {
		return 0, false
	}
	i, ok1 := t.index[PointKey(a)]
	j, ok2 := t.index[PointKey(b)]
	if !ok1 || !ok2 {
		return 0, false
	}
	return rows[i][j], true
}

// FootLeg is how a vehicle reaches a place of a walk-only village.
type FootLeg struct {
	ClosureID   string     `json:"closure_id"`
	Name        string     `json:"name"`
	Trailhead   data.Point `json:"trailhead"`
	WalkMinutes int        `json:"walk_minutes"`
}

// Foot returns how a vehicle of mode reaches p on day when p lies in a
// walk-only village then (walking teams just walk: false).
func (t *Travel) Foot(mode data.TravelMode, day data.Date, p data.Point) (FootLeg, bool) {
	k, ok := t.byDay[day]
	if !ok || mode == data.TravelFoot {
		return FootLeg{}, false
	}
	i, ok := t.index[PointKey(p)]
	if !ok {
		return FootLeg{}, false
	}
	a, ok := t.closed[k].foot[i]
	if !ok {
		return FootLeg{}, false
	}
	return FootLeg{ClosureID: a.closure.ID, Name: a.closure.Name, Trailhead: t.pts[a.trailhead], WalkMinutes: a.closure.WalkMinutes}, true
}

// ClosuresOn returns the closures in force on day, and the ids of the road
// closures among them that the travel source could not honour.
func (t *Travel) ClosuresOn(day data.Date) ([]data.Closure, []string) {
	k, ok := t.byDay[day]
	if !ok {
		return nil, nil
	}
	return t.closed[k].closures, t.closed[k].unapplied
}

// profileKey identifies one engine travel profile: a mode on the days that
// share a set of closures (set -1: no closure).
type profileKey struct {
	mode data.TravelMode
	set  int
}

// profileOf returns the profile a vehicle of mode uses on day.
func (t *Travel) profileOf(mode data.TravelMode, day data.Date) profileKey {
	if k, ok := t.byDay[day]; ok {
		return profileKey{mode, k}
	}
	return profileKey{mode, -1}
}

// profileRows returns the matrix of a profile.
func (t *Travel) profileRows(k profileKey) [][]int64 {
	if k.set >= 0 {
		return t.closed[k.set].secs[k.mode]
	}
	return t.secs[k.mode]
}

func (t *Travel) idx(p data.Point) int { return t.index[PointKey(p)] }
