// Package circuit is Xunhui's weekly circuit planner: it turns the county's
// pending requests, teams and staff (a Snapshot read from the store once)
// into a routing problem for optimizer/vrp, solves it, and maps the
// solution back to data.Plan itineraries with a reason for every decision
// and for every request left for next week.
//
// Flow (one way, as in docs/design.md):
//
//	Snapshot (LoadSnapshot) -> Build (level routing, stop groups, priorities,
//	eligibility, time windows, geo matrices) -> vrp.Solve -> Result
//	(data.PlanDetail + Unassigned + Decisions + Loads) -> Check (independent)
//
// Service runs plans asynchronously for the HTTP API (api/circuit.go):
// queue, progress, cancel, draft/publish, outcomes, re-planning and slot
// suggestion. See docs/circuit.md for the model, the priority formula and
// the reason codes.
//
// Units: inside the package times are seconds after midnight of the first
// day of the horizon (local time, data.Local); travel times are whole
// minutes expressed in seconds (rounded up), so that every schedule the
// engine returns is exact in the minutes of data.Stop.
package circuit
