package geo

import (
	"context"
	"errors"
	"fmt"
)

// Fallback is a Source that asks Primary first and fills what it cannot give
// from Estimate:
//
//   - pairs of a location Primary could not place on a road (reason "not
//     snapped") are estimated and listed in Matrix.Estimated with the
//     reason;
//   - pairs Primary proved unreachable (reason ReasonNoRoute: the road
//     graph's search, or an OSRM null) stay unreachable, since a real gap
//     (a village motorbikes cannot reach across a ford) must not be hidden,
//     unless EstimateNoRoute is set;
//   - if Primary fails altogether (server down, timeout, garbage, bad road
//     file), the whole matrix is the estimate (Source "estimate") and a
//     warning says why.
//
// Its Source is "<primary>+estimate" when some pairs were filled. Context cancellation is
// never papered over: it is returned as an error.
type Fallback struct {
	Primary  Source
	Estimate *Estimator
	// EstimateNoRoute also estimates the pairs Primary proved unreachable,
	// for planners that need a complete matrix whatever the roads say.
	EstimateNoRoute bool
}

// Name returns "<primary>+estimate".
func (f *Fallback) Name() string { return f.Primary.Name() + "+estimate" }

// Fingerprint combines both sources' fingerprints.
func (f *Fallback) Fingerprint() string {
	return f.Primary.Fingerprint() + "|" + f.Estimate.Fingerprint() + fmt.Sprintf("|fill-no-route=%v", f.EstimateNoRoute)
}

// ReasonNoRoute is the Pair.Reason of a pair that the source found
// unreachable on its roads (complete search, or OSRM null).
const ReasonNoRoute = "no route"

// Matrix implements Source.
func (f *Fallback) Matrix(ctx context.Context, locs []Location, mode Mode) (*Matrix, error) {
	m, err := f.Primary.Matrix(ctx, locs, mode)
	var se *SnapError
	switch {
	case err == nil:
	case errors.As(err, &se) && m != nil:
		// The partial matrix lists the unsnapped pairs as unreachable.
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s: %v; their pairs are estimated", f.Primary.Name(), err))
	case ctx.Err() != nil:
		return nil, err
	default:
		est, eerr := f.Estimate.Matrix(ctx, locs, mode)
		if eerr != nil {
			return nil, fmt.Errorf("fallback: %w (after %s failed: %v)", eerr, f.Primary.Name(), err)
		}
		est.Warnings = append(est.Warnings, fmt.Sprintf("%s failed, every pair is estimated: %v", f.Primary.Name(), err))
		return est, nil
	}
	var keep []Pair
	filled := 0
	for _, p := range m.Unreachable {
		if !f.EstimateNoRoute && p.Reason == ReasonNoRoute {
			keep = append(keep, p)
			continue
		}
		m.Durations[p.From][p.To], m.Distances[p.From][p.To] = f.Estimate.Pair(locs[p.From], locs[p.To], mode)
		m.Estimated = append(m.Estimated, p)
		filled++
	}
	m.Unreachable = keep
	if filled > 0 {
		SortPairs(m.Estimated)
		m.Source = f.Primary.Name() + "+estimate"
	}
	return m, nil
}
