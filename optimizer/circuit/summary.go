package circuit

import (
	"github.com/yingjing/xunhui/data"
)

// Summary is data.CircuitSummary: the plan summary is one type shared by
// both planners, the stores and the API.
type Summary = data.CircuitSummary

// Point is one progress sample of a run: best cost and served count over time.
type Point = data.RunPoint

// Summary returns r's summary as stored with the plan.
func (r *Result) Summary() *data.PlanSummary {
	s := Summary{Stats: r.Stats, Unassigned: r.Unassigned, Decisions: r.Decisions, Loads: r.Loads, Moves: r.Moves}
	if r.Travel != nil {
		s.Warnings = r.Travel.Warnings
	}
	return planSummary(s)
}

// planSummary wraps a circuit summary for data.Plan.Summary.
func planSummary(s Summary) *data.PlanSummary {
	return &data.PlanSummary{CircuitSummary: &s}
}
