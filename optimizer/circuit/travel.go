package circuit

import (
	"context"
	"fmt"
	"sort"

	"github.com/paulmach/orb"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
)

// Unreachable is the travel time, in seconds, used for a pair the matrix
// source could not connect: a week, so that no route can use the pair.
const Unreachable int64 = 7 * 24 * 3600

// Travel holds one travel-time matrix per travel mode over a set of points,
// in seconds rounded up to whole minutes. Points are identified by PointKey.
// It is what the planner solves with and what the checker verifies against.
type Travel struct {
	// Source is the matrix source, e.g. "estimate" or "roadgraph+estimate".
	Source string
	// Warnings are the sources' warnings (fallbacks, unreachable pairs).
	Warnings []string
	index    map[string]int
	keys     []string
	secs     map[data.TravelMode][][]int64
}

// PointKey identifies a location at 1e-6 degree resolution (≈ 0.1 m).
func PointKey(p data.Point) string { return fmt.Sprintf("%.6f,%.6f", p.Lon, p.Lat) }

// NewTravel asks src for a matrix of every mode in modes over points
// (duplicates are merged). groups maps a point key to its township (for the
// estimator's per-township overrides); it may be nil.
func NewTravel(ctx context.Context, src geo.Source, points []data.Point, groups map[string]string, modes []data.TravelMode) (*Travel, error) {
	if src == nil {
		src = &geo.Estimator{}
	}
	t := &Travel{index: map[string]int{}, secs: map[data.TravelMode][][]int64{}}
	var locs []geo.Location
	for _, p := range points {
		k := PointKey(p)
		if _, ok := t.index[k]; ok {
			continue
		}
		t.index[k] = len(t.keys)
		t.keys = append(t.keys, k)
		locs = append(locs, geo.Location{ID: k, Point: orb.Point{p.Lon, p.Lat}, Group: groups[k]})
	}
	ms := append([]data.TravelMode(nil), modes...)
	sort.Slice(ms, func(a, b int) bool { return ms[a] < ms[b] })
	var sources []string
	for i, m := range ms {
		if i > 0 && ms[i-1] == m {
			continue
		}
		gm, err := geo.ParseMode(string(m))
		if err != nil {
			return nil, fmt.Errorf("travel mode: %w", err)
		}
		n := len(locs)
		rows := make([][]int64, n)
		if n > 0 {
			mat, err := src.Matrix(ctx, locs, gm)
			if mat == nil {
				return nil, fmt.Errorf("travel matrix (%s): %w", m, err)
			}
			if err != nil {
				t.Warnings = append(t.Warnings, err.Error())
			}
			t.Warnings = append(t.Warnings, mat.Warnings...)
			if len(mat.Unreachable) > 0 {
				t.Warnings = append(t.Warnings, fmt.Sprintf("%s: %d unreachable pairs", m, len(mat.Unreachable)))
			}
			sources = append(sources, mat.Source)
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
		}
		t.secs[m] = rows
	}
	t.Source = src.Name()
	for _, s := range sources {
		if s != t.Source {
			t.Source = s // e.g. "roadgraph+estimate" when a fallback filled pairs
		}
	}
	return t, nil
}

// Has reports whether p is one of the matrix points.
func (t *Travel) Has(p data.Point) bool { _, ok := t.index[PointKey(p)]; return ok }

// Seconds returns the travel time from a to b for mode, and false when a
// point or the mode is not in the matrices.
func (t *Travel) Seconds(mode data.TravelMode, a, b data.Point) (int64, bool) {
	rows, ok := t.secs[mode]
	if !ok {
		return 0, false
	}
	i, ok1 := t.index[PointKey(a)]
	j, ok2 := t.index[PointKey(b)]
	if !ok1 || !ok2 {
		return 0, false
	}
	return rows[i][j], true
}

func (t *Travel) idx(p data.Point) int { return t.index[PointKey(p)] }
