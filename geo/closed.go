package geo

import (
	"fmt"

	"github.com/paulmach/orb"
)

// ClosedRoad is a stretch of road closed to every travel mode, given as a
// line drawn along the road (WGS84 [lon, lat]).
type ClosedRoad struct {
	// ID names the closure in warnings and fingerprints.
	ID   string
	Line orb.LineString
}

// RoadCloser is a Source that knows the roads and can leave some out: the
// road graph. OSRM and the estimate cannot (they have no roads to close).
type RoadCloser interface {
	// WithoutRoads returns a source whose travel avoids the closed roads
	// (its fingerprint differs, so cached matrices are not mixed up), and
	// the ids of the closures that lie on no road of the network.
	WithoutRoads(closed []ClosedRoad) (Source, []string, error)
}

// WithoutRoads returns src with the closed roads left out when src (or the
// source it wraps, through CachedSource and Fallback) is a RoadCloser; the
// wrappers are kept around the new source. ok is false when no source in
// the chain has roads to close (the estimate, OSRM): the caller must then
// say that the closures could not be honoured. unmatched lists closures
// that lie on no road.
func WithoutRoads(src Source, closed []ClosedRoad) (out Source, unmatched []string, ok bool, err error) {
	switch s := src.(type) {
	case RoadCloser:
		out, unmatched, err = s.WithoutRoads(closed)
		return out, unmatched, err == nil, err
	case *CachedSource:
		inner, unmatched, ok, err := WithoutRoads(s.Source, closed)
		if !ok || err != nil {
			return src, unmatched, ok, err
		}
		return &CachedSource{Source: inner, Cache: s.Cache}, unmatched, true, nil
	case *Fallback:
		inner, unmatched, ok, err := WithoutRoads(s.Primary, closed)
		if !ok || err != nil {
			return src, unmatched, ok, err
		}
		return &Fallback{Primary: inner, Estimate: s.Estimate, EstimateNoRoute: s.EstimateNoRoute}, unmatched, true, nil
	}
	return src, nil, false, nil
}

// ClosedFingerprint identifies a set of closed roads (ids and exact
// coordinates, in order) for Fingerprint.
func ClosedFingerprint(closed []ClosedRoad) string {
	s := ""
	for _, c := range closed {
		s += fmt.Sprintf("|%s:", c.ID)
		for _, p := range c.Line {
			s += fmt.Sprintf("%x,%x;", p[0], p[1])
		}
	}
	return "closed" + s
}
