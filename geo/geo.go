package geo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// Mode is a way of travelling. The zero value is not a valid mode.
type Mode string

// The travel modes every source understands.
const (
	Car       Mode = "car"
	Motorbike Mode = "motorbike"
	Foot      Mode = "foot"
)

// Modes lists the valid modes in a stable order.
var Modes = []Mode{Car, Motorbike, Foot}

// ParseMode returns the mode named s ("car", "motorbike" or "foot"; "walk"
// and "motorcycle" are accepted as aliases). It fails on anything else.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "car", "driving", "drive":
		return Car, nil
	case "motorbike", "motorcycle", "moto":
		return Motorbike, nil
	case "foot", "walk", "walking":
		return Foot, nil
	}
	return "", fmt.Errorf("unknown travel mode %q (want car, motorbike or foot)", s)
}

// Valid reports whether m is one of Modes.
func (m Mode) Valid() bool { return m == Car || m == Motorbike || m == Foot }

// Location is a place that travel times are asked for.
type Location struct {
	// ID is the caller's identifier, used in errors and in output.
	ID string `json:"id"`
	// Point is the WGS84 position, [lon, lat] in degrees.
	Point orb.Point `json:"point"`
	// Group is the township (or any grouping) used to look up per-pair
	// overrides of the estimate; empty means none.
	Group string `json:"group,omitempty"`
}

// Source names used in Matrix.Source.
const (
	SourceRoadGraph = "roadgraph"
	SourceOSRM      = "osrm"
	SourceEstimate  = "estimate"
)

// Source computes travel-time and distance matrices.
type Source interface {
	// Name is a short label such as "roadgraph", "osrm" or "estimate".
	Name() string
	// Fingerprint identifies the data behind the source (road file hash,
	// server URL, estimate parameters), so that caches are invalidated
	// when it changes.
	Fingerprint() string
	// Matrix returns the travel matrix between all locs for mode. Pairs
	// the source cannot connect are listed in Matrix.Unreachable, never
	// filled silently. A location the source cannot place (no road within
	// reach) is reported by a *SnapError, returned together with a matrix
	// whose other pairs are valid.
	Matrix(ctx context.Context, locs []Location, mode Mode) (*Matrix, error)
}

// NoValue marks a matrix entry that has no value (the pair is unreachable).
// It is negative so that it can never be mistaken for a travel time.
const NoValue int64 = -1

// Pair is one ordered (from, to) entry of a matrix, by index into Matrix.IDs.
type Pair struct {
	From int `json:"from"`
	To   int `json:"to"`
	// Reason says why the pair is listed: "no route" (ReasonNoRoute) or
	// "not snapped" (a location too far from any road).
	Reason string `json:"reason,omitempty"`
}

// Snap reports where a location was attached to the road network.
type Snap struct {
	ID string `json:"id"`
	// SnapM is the distance in metres from the location to the road point
	// it was attached to; for a failed snap, the distance to the nearest
	// usable road found (or -1 when none was found within the search).
	SnapM float64 `json:"snap_m"`
	// Point is the attachment point on the road (zero for a failed snap).
	Point orb.Point `json:"point"`
	// OK is false when no usable road was close enough.
	OK bool `json:"ok"`
}

// Matrix is a square travel matrix between n locations. Row i is the origin
// and column j the destination, in the order of the locations asked for.
type Matrix struct {
	// IDs are the location ids, index i of every row and column.
	IDs []string `json:"ids"`
	// Mode is the travel mode the matrix is for.
	Mode Mode `json:"mode"`
	// Source says where the values came from: "roadgraph", "osrm",
	// "estimate", or "roadgraph+estimate" / "osrm+estimate" when a
	// Fallback filled some pairs (listed in Estimated).
	Source string `json:"source"`
	// Durations are travel times in whole seconds; NoValue when unreachable.
	Durations [][]int64 `json:"durations"`
	// Distances are travel distances in whole metres; NoValue when unreachable.
	Distances [][]int64 `json:"distances"`
	// Estimated lists the pairs whose values are estimates while the rest
	// came from a better source. When Source is "estimate" every pair is an
	// estimate and the list is empty.
	Estimated []Pair `json:"estimated,omitempty"`
	// Unreachable lists the pairs that have no value, with the reason.
	Unreachable []Pair `json:"unreachable,omitempty"`
	// Snaps holds, per location, how it was attached to the roads (road
	// graph and OSRM only).
	Snaps []Snap `json:"snapped,omitempty"`
	// Warnings explain degraded results, e.g. why a fallback was used.
	Warnings []string `json:"warnings,omitempty"`
	// Cached is set when the matrix came from a MatrixCache.
	Cached bool `json:"cached,omitempty"`
}

// NewMatrix returns an n×n matrix whose off-diagonal entries are NoValue and
// diagonal entries zero.
func NewMatrix(ids []string, mode Mode, source string) *Matrix {
	n := len(ids)
	m := &Matrix{IDs: append([]string(nil), ids...), Mode: mode, Source: source}
	m.Durations = newSquare(n)
	m.Distances = newSquare(n)
	return m
}

func newSquare(n int) [][]int64 {
	flat := make([]int64, n*n)
	rows := make([][]int64, n)
	for i := range rows {
		rows[i] = flat[i*n : (i+1)*n : (i+1)*n]
		for j := range rows[i] {
			if i != j {
				rows[i][j] = NoValue
			}
		}
	}
	return rows
}

// Len returns the number of locations.
func (m *Matrix) Len() int { return len(m.IDs) }

// Complete returns nil when every pair has a value, and otherwise an error
// naming up to five unreachable pairs. Planners that cannot handle missing
// pairs call it before solving.
func (m *Matrix) Complete() error {
	if len(m.Unreachable) == 0 {
		return nil
	}
	var b strings.Builder
	for k, p := range m.Unreachable {
		if k == 5 {
			fmt.Fprintf(&b, ", ... (%d in all)", len(m.Unreachable))
			break
		}
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s→%s", m.IDs[p.From], m.IDs[p.To])
		if p.Reason != "" {
			fmt.Fprintf(&b, " (%s)", p.Reason)
		}
	}
	return fmt.Errorf("%w: %s", ErrUnreachable, b.String())
}

// Validate checks the shape of m: n ids, n×n durations and distances, no
// negative value other than NoValue, and every NoValue listed in Unreachable.
func (m *Matrix) Validate() error {
	n := len(m.IDs)
	if len(m.Durations) != n || len(m.Distances) != n {
		return fmt.Errorf("matrix: %d ids but %d duration rows and %d distance rows", n, len(m.Durations), len(m.Distances))
	}
	unreach := make(map[[2]int]bool, len(m.Unreachable))
	for _, p := range m.Unreachable {
		if p.From < 0 || p.From >= n || p.To < 0 || p.To >= n {
			return fmt.Errorf("matrix: unreachable pair (%d,%d) out of range", p.From, p.To)
		}
		unreach[[2]int{p.From, p.To}] = true
	}
	for i := 0; i < n; i++ {
		if len(m.Durations[i]) != n || len(m.Distances[i]) != n {
			return fmt.Errorf("matrix: row %d has %d durations and %d distances, want %d", i, len(m.Durations[i]), len(m.Distances[i]), n)
		}
		for j := 0; j < n; j++ {
			d, l := m.Durations[i][j], m.Distances[i][j]
			missing := d == NoValue || l == NoValue
			if missing != unreach[[2]int{i, j}] {
				return fmt.Errorf("matrix: pair %s→%s: value %d s/%d m disagrees with unreachable list", m.IDs[i], m.IDs[j], d, l)
			}
			if !missing && (d < 0 || l < 0) {
				return fmt.Errorf("matrix: pair %s→%s: negative value %d s/%d m", m.IDs[i], m.IDs[j], d, l)
			}
		}
	}
	return nil
}

// ErrUnreachable is wrapped by errors about pairs without a route.
var ErrUnreachable = errors.New("unreachable pairs")

// SnapError reports locations that could not be attached to a road.
type SnapError struct {
	// IDs are the location ids, DistM their distances in metres to the
	// nearest usable road (-1 when none was found), MaxM the limit.
	IDs   []string
	DistM []float64
	MaxM  float64
}

// Error lists up to five locations with their distances to the nearest road.
func (e *SnapError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d location(s) farther than %.0f m from any usable road: ", len(e.IDs), e.MaxM)
	for k, id := range e.IDs {
		if k == 5 {
			fmt.Fprintf(&b, ", ...")
			break
		}
		if k > 0 {
			b.WriteString(", ")
		}
		if e.DistM[k] < 0 {
			fmt.Fprintf(&b, "%s (no road found)", id)
		} else {
			fmt.Fprintf(&b, "%s (%.0f m)", id, e.DistM[k])
		}
	}
	return b.String()
}

// sortPairs orders pairs by (From, To) so that output is deterministic.
func sortPairs(ps []Pair) {
	sort.Slice(ps, func(a, b int) bool {
		if ps[a].From != ps[b].From {
			return ps[a].From < ps[b].From
		}
		return ps[a].To < ps[b].To
	})
}

// SortPairs orders pairs by (From, To); sources call it before returning.
func SortPairs(ps []Pair) { sortPairs(ps) }

// checkLocations validates the input common to all sources.
func checkLocations(locs []Location, mode Mode) error {
	if !mode.Valid() {
		return fmt.Errorf("invalid travel mode %q", mode)
	}
	return CheckLocations(locs)
}

// CheckLocations returns an error for empty or duplicate ids and for
// coordinates outside [-180,180]×[-90,90] or not finite.
func CheckLocations(locs []Location) error {
	seen := make(map[string]bool, len(locs))
	for i, l := range locs {
		if l.ID == "" {
			return fmt.Errorf("location %d: empty id", i)
		}
		if seen[l.ID] {
			return fmt.Errorf("location %q: duplicate id", l.ID)
		}
		seen[l.ID] = true
		if !ValidPoint(l.Point) {
			return fmt.Errorf("location %q: invalid coordinates %v", l.ID, l.Point)
		}
	}
	return nil
}

// IDs returns the ids of locs in order.
func IDs(locs []Location) []string {
	ids := make([]string, len(locs))
	for i, l := range locs {
		ids[i] = l.ID
	}
	return ids
}
