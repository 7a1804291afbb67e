package vrp

import (
	"errors"
	"fmt"
	"slices"
)

// ErrInfeasible is wrapped by the errors Check returns for a solution that
// breaks a constraint or misreports its schedule or costs.
var ErrInfeasible = errors.New("infeasible solution")

// Check verifies s against p without trusting the solver: it rebuilds every
// route from its visit order and reported departure time with a plain
// forward simulation (independent of the search's segment algebra) and
// checks time windows, shifts, breaks, capacities, skills, allowed
// vehicles, task, travel and duration limits, locked prefixes, that every
// job is served at most once and listed as unassigned otherwise, and that
// every reported time, load and cost matches the recomputation. It returns
// nil for a valid solution, an error wrapping ErrInfeasible otherwise, or
// the problem's validation error.
func Check(p *Problem, s *Solution) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if s == nil {
		return fmt.Errorf("check: nil solution: %w", ErrInfeasible)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("check: "+format+": %w", append(a, ErrInfeasible)...)
	}
	served := make([]bool, len(p.Jobs))
	usedVeh := make([]bool, len(p.Vehicles))
	var cost, dist, travel int64
	nServed, prio := 0, 0
	for ri := range s.Routes {
		r := &s.Routes[ri]
		v := r.Vehicle
		if v < 0 || v >= len(p.Vehicles) {
			return bad("route %d: vehicle %d out of range", ri, v)
		}
		if usedVeh[v] {
			return bad("route %d: vehicle %d used twice", ri, v)
		}
		usedVeh[v] = true
		veh := &p.Vehicles[v]
		stops := make([]stop, 0, len(r.Visits))
		brk := make([]bool, len(veh.Breaks))
		var jobs []int
		for k, vis := range r.Visits {
			switch vis.Kind {
			case VisitJob:
				j := vis.Job
				if j < 0 || j >= len(p.Jobs) {
					return bad("route %d visit %d: job %d out of range", ri, k, j)
				}
				if served[j] {
					return bad("job %d (%q) served twice", j, p.Jobs[j].ID)
				}
				if !eligible(p, j, v) {
					return bad("job %d (%q) on vehicle %d lacking skills or not allowed", j, p.Jobs[j].ID, v)
				}
				served[j] = true
				nServed++
				prio += 1 + p.Jobs[j].Priority
				jobs = append(jobs, j)
				stops = append(stops, stop{job: j, brk: -1})
			case VisitBreak:
				b := vis.Break
				if b < 0 || b >= len(veh.Breaks) {
					return bad("route %d visit %d: break %d out of range", ri, k, b)
				}
				if brk[b] {
					return bad("route %d: break %d taken twice", ri, b)
				}
				brk[b] = true
				stops = append(stops, stop{job: -1, brk: b})
			default:
				return bad("route %d visit %d: unknown kind %d", ri, k, vis.Kind)
			}
		}
		if len(jobs) == 0 {
			return bad("route %d (vehicle %d) serves no job", ri, v)
		}
		for b, ok := range brk {
			if !ok {
				return bad("route %d (vehicle %d): break %d missing", ri, v, b)
			}
		}
		for k, j := range veh.Locked {
			if k >= len(jobs) || jobs[k] != j {
				return bad("route %d (vehicle %d): locked job %d not at position %d", ri, v, j, k)
			}
		}
		sim := simulate(p, v, stops, r.Start, s.Objective)
		if sim.violation != "" {
			return bad("route %d (vehicle %d): %s", ri, v, sim.violation)
		}
		if err := sameRoute(&sim.route, r); err != nil {
			return bad("route %d (vehicle %d): %v", ri, v, err)
		}
		cost += r.Cost
		dist += r.Distance
		travel += r.TravelTime
	}
	for v, veh := range p.Vehicles {
		if len(veh.Locked) > 0 && !usedVeh[v] {
			return bad("vehicle %d has locked jobs but no route", v)
		}
	}
	listed := make([]bool, len(p.Jobs))
	for _, u := range s.Unassigned {
		if u.Job < 0 || u.Job >= len(p.Jobs) {
			return bad("unassigned job %d out of range", u.Job)
		}
		if served[u.Job] || listed[u.Job] {
			return bad("job %d (%q) both served and unassigned, or listed twice", u.Job, p.Jobs[u.Job].ID)
		}
		listed[u.Job] = true
	}
	for j := range p.Jobs {
		if !served[j] && !listed[j] {
			return bad("job %d (%q) neither served nor unassigned", j, p.Jobs[j].ID)
		}
	}
	if cost != s.Cost || dist != s.Distance || travel != s.TravelTime {
		return bad("totals: got cost %d distance %d travel %d, recomputed %d %d %d", s.Cost, s.Distance, s.TravelTime, cost, dist, travel)
	}
	if nServed != s.Served || prio != s.ServedPriority {
		return bad("served: got %d (priority %d), recomputed %d (%d)", s.Served, s.ServedPriority, nServed, prio)
	}
	return nil
}

// sameRoute compares a reported route with its recomputation.
func sameRoute(want, got *Route) error {
	if got.End != want.End || got.Duration != want.Duration {
		return fmt.Errorf("end %d duration %d, recomputed %d %d", got.End, got.Duration, want.End, want.Duration)
	}
	if got.Distance != want.Distance || got.TravelTime != want.TravelTime || got.ServiceTime != want.ServiceTime ||
		got.WaitingTime != want.WaitingTime || got.BreakTime != want.BreakTime || got.Cost != want.Cost {
		return fmt.Errorf("totals (dist %d travel %d service %d wait %d break %d cost %d), recomputed (%d %d %d %d %d %d)",
			got.Distance, got.TravelTime, got.ServiceTime, got.WaitingTime, got.BreakTime, got.Cost,
			want.Distance, want.TravelTime, want.ServiceTime, want.WaitingTime, want.BreakTime, want.Cost)
	}
	if !slices.Equal(got.Load, want.Load) {
		return fmt.Errorf("start load %v, recomputed %v", got.Load, want.Load)
	}
	for k := range want.Visits {
		a, b := &got.Visits[k], &want.Visits[k]
		if a.Arrival != b.Arrival || a.Start != b.Start || a.Waiting != b.Waiting || a.Departure != b.Departure || a.Location != b.Location {
			return fmt.Errorf("visit %d (%s): times %d/%d/%d/%d at %d, recomputed %d/%d/%d/%d at %d", k, a.ID,
				a.Arrival, a.Start, a.Waiting, a.Departure, a.Location, b.Arrival, b.Start, b.Waiting, b.Departure, b.Location)
		}
		if !slices.Equal(a.Load, b.Load) {
			return fmt.Errorf("visit %d (%s): load %v, recomputed %v", k, a.ID, a.Load, b.Load)
		}
	}
	return nil
}
