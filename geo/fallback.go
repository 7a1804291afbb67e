package geo

import (
	"context"
	"errors"
	"fmt"
)

// Fallback is a Source that asks Primary first and fills what it cannot give
// from Estimate:
//
//   - pairs Primary reports unreachable (no route, a location without a road
//     within reach, an OSRM null) are estimated and listed in
//     Matrix.Estimated with the primary's reason;
//   - if Primary fails altogether (server down, timeout, garbage, bad road
//     file), the whole matrix is the estimate (Source "estimate") and a
//     warning says why.
//
// The result therefore has no unreachable pairs, and its Source is
// "<primary>+estimate" when some pairs were filled. Context cancellation is
// never papered over: it is returned as an error.
type Fallback struct {
	Primary  Source
	Estimate *Estimator
	// KeepUnreachable leaves pairs that Primary proved unreachable by a
	// complete search ("no route") unfilled, so that a real gap in the road
	// network (a village cut off for cars) is not hidden by an estimate.
	// Unsnapped locations and server nulls are still estimated.
	KeepUnreachable bool
}

// Name returns "<primary>+estimate".
func (f *Fallback) Name() string { return f.Primary.Name() + "+estimate" }

// Fingerprint combines both sources' fingerprints.
func (f *Fallback) Fingerprint() string {
	return f.Primary.Fingerprint() + "|" + f.Estimate.Fingerprint() + fmt.Sprintf("|keep=%v", f.KeepUnreachable)
}

// ReasonNoRoute is the Pair.Reason of a pair that a complete search found
// unreachable.
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
		if f.KeepUnreachable && p.Reason == ReasonNoRoute {
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
