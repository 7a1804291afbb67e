package circuit

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/vrp"
)

// search runs the engine on the problem. Pass 1: every request at its own
// level (大事不出镇, 小事不出村), with the balance limits (softDayLimits).
// Pass 2 re-solves from pass 1's routes (a warm start) with what is left of
// the time, with the problem relaxed when pass 1 calls for it:
//   - escalation: requests pass 1 left out that a higher-level team of
//     any travel mode could take may go up (higher levels cost more per
//     hour, so the engine keeps work low where it can);
//   - re-planning: pinned requests left out may go to any team-day.
//
// Between the passes routes are handed between interchangeable
// team-days at no cost (rebalanceRoutes). Without a relaxation pass 2
// continues pass 1's search on the same problem, so that the whole time
// limit is used. The pass-2 plan is kept if it serves more priority
// weight, or as much at a lower cost without escalation (pass 1's
// routes re-costed on the pass-2 problem when it was relaxed).
func (r *planRun) search(ctx context.Context) error {
	opts, p := r.opts, r.p
	s := pass{vopts: vrp.Options{TimeLimit: opts.TimeLimit, MaxIterations: opts.MaxIterations, Seed: opts.Seed,
		Threads: opts.Threads, Observer: opts.Observer, Temperature: searchTemperature}}
	if opts.TimeLimit > 0 {
		// The limit covers the whole run: matrix and model building
		// included, and the reporting after the search (reportMargin);
		// pass 1 gets pass1Percent of the search time, pass 2 the rest.
		s.end = r.start.Add(opts.TimeLimit - reportMargin(opts.TimeLimit))
		s.vopts.TimeLimit = max(time.Until(s.end)*pass1Percent/100, opts.TimeLimit/20)
	}
	if opts.Baseline != nil && warmReplan {
		s.vopts.Initial = baselineRoutes(opts.Baseline.Plan, r.groups, r.vehicles, p)
	}
	// Balance within groups of interchangeable teams: a soft day limit
	// from the start (softDayLimits). Not when re-planning: stability
	// first, balance would move pinned stops.
	s.limits = map[int]int64{}
	if opts.Baseline == nil && len(p.Jobs) > 0 {
		s.limits = softDayLimits(p, r.vehicles)
		for vi, l := range s.limits {
			// cost = travel seconds: a second over costs a second
			p.Vehicles[vi].SoftMaxDuration, p.Vehicles[vi].OvertimeCostPerHour = l, 3600
		}
	}
	sol := &vrp.Solution{}
	if len(p.Jobs) > 0 {
		var err error
		if sol, err = vrp.Solve(ctx, p, s.vopts); err != nil {
			return fmt.Errorf("solve: %w", err)
		}
	}
	r.sol, r.escalated = sol, map[int]bool{}
	if !opts.NoEscalation {
		for _, u := range sol.Unassigned {
			if up := groupUp(&r.groups[u.Job]); len(up) > 0 {
				r.escalated[u.Job] = true
			}
		}
	}
	// Re-planning: pinned requests that lost their place may move to any
	// team-day that can take them (the others stay pinned).
	s.unpin = map[int][]int{}
	for _, u := range sol.Unassigned {
		if all := groupUnpinned(&r.groups[u.Job]); len(all) > 0 {
			s.unpin[u.Job] = all
		}
	}
	// Balance: hand routes between interchangeable team-days at no cost
	// (rebalanceRoutes), before pass 2 starts from them. Not when
	// re-planning (stability first).
	if opts.Baseline == nil {
		r.sol = rebalanceRoutes(p, s.vopts.Objective, r.sol, r.vehicles)
	}
	// Crews: county requests left out by the proposed crews may go to any
	// car whose day's pool has their skills (the crews are formed again
	// after the search, from the whole pool).
	if !opts.WholeTeams && opts.Baseline == nil {
		for _, u := range sol.Unassigned {
			if _, pinned := s.unpin[u.Job]; pinned {
				continue
			}
			if cars := r.poolCars(&r.groups[u.Job]); len(cars) > 0 && !slices.Equal(cars, p.Jobs[u.Job].AllowedVehicles) {
				s.unpin[u.Job] = cars
			}
		}
	}
	relax := len(r.escalated) > 0 || len(s.unpin) > 0
	// Pass 2 runs when the problem is relaxed, or to use the rest of the
	// time limit when some is left (an iteration cap alone is spent by
	// pass 1).
	cont := continuePass1 && opts.TimeLimit > 0 && time.Until(s.end) > opts.TimeLimit/20
	if (relax || cont) && ctx.Err() == nil && len(p.Jobs) > 0 {
		if err := r.secondPass(ctx, s, relax); err != nil {
			return err
		}
	}
	if opts.Baseline == nil {
		r.sol = rebalanceRoutes(r.p, s.vopts.Objective, r.sol, r.vehicles)
	}
	return nil
}

// pass is the search state handed from pass 1 to pass 2.
type pass struct {
	vopts vrp.Options
	// end is when the search must stop (zero: no time limit).
	end time.Time
	// limits are the soft day limits per vehicle (softDayLimits).
	limits map[int]int64
	// unpin are the vehicles each left-out pinned job may use in pass 2.
	unpin map[int][]int
}

// secondPass solves the relaxed (or the same) problem from pass 1's routes
// and keeps its plan if it is better (see search).
func (r *planRun) secondPass(ctx context.Context, s pass, relax bool) error {
	p, sol := r.p, r.sol
	p2 := *p
	p2.Jobs = append([]vrp.Job(nil), p.Jobs...)
	p2.Vehicles = append([]vrp.Vehicle(nil), p.Vehicles...)
	for j, all := range s.unpin {
		p2.Jobs[j].AllowedVehicles = all
	}
	for j := range r.escalated {
		p2.Jobs[j].AllowedVehicles = append(append([]int{}, p2.Jobs[j].AllowedVehicles...), groupUp(&r.groups[j])...)
	}
	if len(r.escalated) > 0 {
		for vi := range p2.Vehicles {
			p2.Vehicles[vi].CostPerHour = levelCost[r.vehicles[vi].team.Level]
		}
		for vi := range s.limits {
			p2.Vehicles[vi].OvertimeCostPerHour = p2.Vehicles[vi].CostPerHour // a second over costs a second of travel
		}
	}
	vopts := s.vopts
	if r.opts.TimeLimit > 0 {
		vopts.TimeLimit = max(time.Until(s.end), r.opts.TimeLimit/20)
	}
	vopts.Initial = nil
	if warmPass2 {
		vopts.Initial = solutionRoutes(sol, len(p.Vehicles))
	}
	sol2, err := vrp.Solve(ctx, &p2, vopts)
	if err != nil {
		return fmt.Errorf("solve second pass: %w", err)
	}
	better := sol2.ServedPriority > sol.ServedPriority
	if sol2.ServedPriority == sol.ServedPriority && len(r.escalated) == 0 {
		c1 := sol.Cost
		if relax {
			c1 = costUnder(&p2, vopts.Objective, sol)
		}
		better = c1 < 0 || sol2.Cost < c1
	}
	sol2.Iterations += sol.Iterations
	if better {
		r.sol, r.p = sol2, &p2
		return nil
	}
	sol.Iterations = sol2.Iterations
	r.escalated = map[int]bool{}
	return nil
}

// balanceGroup names the teams that can stand in for each other: teams of
// one level based in the same area (all county teams; the teams of one
// township; the agents of one village).
func balanceGroup(t data.Team) string {
	switch t.Level {
	case data.LevelCounty:
		return "county"
	case data.LevelTownship:
		return "township:" + data.TownshipOf(t.HomeCode)
	}
	return "village:" + t.HomeCode
}

// teamMinutes sums each team's route durations in sol, in minutes, per
// balance group; teams that work but have no route count as 0.
func teamMinutes(sol *vrp.Solution, vehicles []vehicle) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, v := range vehicles {
		g := balanceGroup(v.team)
		if out[g] == nil {
			out[g] = map[string]int64{}
		}
		out[g][v.team.ID] += 0
	}
	for _, r := range sol.Routes {
		v := vehicles[r.Vehicle]
		out[balanceGroup(v.team)][v.team.ID] += r.Duration / 60
	}
	return out
}

// softDayLimits returns, for the team-days of each balance group with at
// least two teams, a soft day limit in seconds: balanceFactor × the
// group's mean day, at least 4 h. Every second over it costs like a second
// of travel (vrp.Vehicle.SoftMaxDuration), so the engine moves work from
// long days to short ones where travel allows, and never leaves a request
// out for it; a day within the limit costs nothing extra.
//
// The mean day is estimated from the problem alone, before any search: the
// service time of the group's jobs (a job belongs to the group of its
// first allowed vehicle), plus on every team-day its breaks and one round
// trip from the base to the mean stop (the mean over the group's jobs of
// base → stop → base). So the objective is the same for every seed and
// time limit, and both passes search it.
func softDayLimits(p *vrp.Problem, vehicles []vehicle) map[int]int64 {
	if len(p.Vehicles) != len(vehicles) {
		return nil // no problem built (nothing to plan)
	}
	days, teams := map[string]int64{}, map[string]map[string]bool{}
	work := map[string]int64{} // seconds: service, breaks
	for vi, v := range vehicles {
		g := balanceGroup(v.team)
		days[g]++
		if teams[g] == nil {
			teams[g] = map[string]bool{}
		}
		teams[g][v.team.ID] = true
		for _, b := range p.Vehicles[vi].Breaks {
			work[g] += b.Duration
		}
	}
	trips, stops := map[string]int64{}, map[string]int64{}
	for _, j := range p.Jobs {
		if len(j.AllowedVehicles) == 0 {
			continue // fits no team: never served
		}
		vi := j.AllowedVehicles[0]
		g := balanceGroup(vehicles[vi].team)
		veh := &p.Vehicles[vi]
		m := p.Durations
		if veh.Profile > 0 {
			m = p.Profiles[veh.Profile-1].Durations
		}
		work[g] += j.Service
		trips[g] += m.At(veh.Start, j.Location) + m.At(j.Location, veh.End)
		stops[g]++
	}
	limit := map[string]int64{}
	for g, n := range stops {
		if len(teams[g]) >= 2 {
			total := work[g] + days[g]*trips[g]/n
			limit[g] = max(int64(balanceFactor*float64(total)/60/float64(days[g])), 240) * 60
		}
	}
	out := map[int]int64{}
	for vi, v := range vehicles {
		if l, ok := limit[balanceGroup(v.team)]; ok {
			out[vi] = l
		}
	}
	return out
}

// balanceFactor is how far over the group's estimated mean day a day may
// run before each minute costs like a minute of travel. At 1.1 the limit
// sits about at the routed mean day (the estimate leaves out the hops
// between stops and the waiting): over half the days are at the limit and
// the county plans spread by 2.5 % between seeds (10 s, seeds 1-5:
// 144 720-148 320); at 1.2 (425 min for the county week) by 1.1 %.
const balanceFactor = 1.2

// costUnder is the cost of sol's routes on problem q (the same vehicles
// and jobs with other costs or limits), or -1 if a route does not fit q.
func costUnder(q *vrp.Problem, obj vrp.Objective, sol *vrp.Solution) int64 {
	var c int64
	routes := solutionRoutes(sol, len(q.Vehicles))
	for v, jobs := range routes {
		if len(jobs) == 0 {
			continue
		}
		r, err := vrp.EvaluateRoute(q, obj, v, jobs)
		if err != nil {
			return -1
		}
		c += r.Cost
	}
	return c
}

// groupUnpinned returns the vehicles every request of a pinned group could
// use before pinning (nil when the group was not pinned).
func groupUnpinned(g *group) []int {
	if g.reqs[0].unpinned == nil {
		return nil
	}
	var out []int
	for _, v := range g.reqs[0].unpinned {
		all := true
		for _, in := range g.reqs[1:] {
			if !slices.Contains(in.unpinned, v) {
				all = false
				break
			}
		}
		if all {
			out = append(out, v)
		}
	}
	return out
}

// groupUp returns the higher-level vehicles every request of g may use.
func groupUp(g *group) []int {
	var out []int
	for _, v := range g.reqs[0].up {
		all := true
		for _, in := range g.reqs[1:] {
			if !slices.Contains(in.up, v) {
				all = false
				break
			}
		}
		if all {
			out = append(out, v)
		}
	}
	return out
}

// pass1Percent is pass 1's share of the search time. Pass 1 mostly decides
// what pass 2 solves (escalations, the balance limits); pass 2, warm-started
// from it, gets the rest. Measured with make bench-circuit (10 s, seeds
// 1-3, cost with the balance limits): 85 % → 141 000, 144 600, 141 060;
// 50 % → 143 880, 141 780, 143 160; 20 % → 142 920, 140 400, 141 480.
// Over seeds 11-18 (mean): 10 % → 141 848, 20 % → 141 555, 35 % → 142 440.
const pass1Percent = 20

// searchTemperature is the engine's annealing schedule for circuit plans,
// hotter than its benchmark default {0.3, 0.01}: the county group (87
// home visits, 15 team-days packed to the balance limit, morning or
// afternoon windows) gets stuck in local optima when cool, and more time
// does not help then. Measured on that group alone (pass-2 problem of seed
// 1, warm start, 4 s CPU, 12 seeds, mean cost): {0.3, 0.01} → 81 610,
// {1, 0.01} → 80 930, {3, 0.01} → 80 020, {10, 0.01} → 79 780,
// {3, 0.1} → 79 590, {10, 0.1} → 79 625, {10, 1} → 81 230.
var searchTemperature = vrp.Temperature{Start: 3, End: 0.1}

// Search strategy switches, measured in docs/circuit.md ("Figures"):
// warmReplan starts a re-plan's pass 1 from the baseline's routes,
// warmPass2 starts pass 2 from pass 1's routes, continuePass1 runs pass 2
// on the unrelaxed problem to use the rest of the time limit.
var (
	warmReplan    = true
	warmPass2     = true
	continuePass1 = true
)

// reportMargin is the part of a run's time limit kept for what follows the
// search: the engine's report and final check, the planner's result, and the
// service's independent Check and save (tens of milliseconds for a county
// week; the margin leaves room for a slow store): a twentieth of the limit,
// at most one second.
func reportMargin(limit time.Duration) time.Duration {
	return min(limit/20, time.Second)
}

// solutionRoutes returns the job order of every vehicle's route in sol, as a
// warm start (vrp.Options.Initial) for nVeh vehicles.
func solutionRoutes(sol *vrp.Solution, nVeh int) [][]int {
	out := make([][]int, nVeh)
	for _, r := range sol.Routes {
		for _, vis := range r.Visits {
			if vis.Kind == vrp.VisitJob {
				out[r.Vehicle] = append(out[r.Vehicle], vis.Job)
			}
		}
	}
	return out
}

// baselineRoutes returns the baseline plan's routes as a warm start for p:
// each job goes to the team-day that served its first request before (when
// that vehicle may serve the job), jobs of one vehicle in the order of
// their first request's old stop. The engine drops from these routes what no
// longer fits.
func baselineRoutes(base data.PlanDetail, groups []group, vehicles []vehicle, p *vrp.Problem) [][]int {
	type place struct {
		at  TeamDay
		seq int
	}
	old := map[string]place{}
	for _, it := range base.Itineraries {
		for k, st := range it.Stops {
			for _, id := range st.RequestIDs {
				old[id] = place{TeamDay{it.TeamID, it.Date}, k}
			}
		}
	}
	vehOf := map[TeamDay]int{}
	for vi, v := range vehicles {
		vehOf[TeamDay{v.team.ID, v.date}] = vi
	}
	type entry struct{ job, seq int }
	lists := make([][]entry, len(vehicles))
	for gi := range groups {
		for _, in := range groups[gi].reqs {
			pl, ok := old[in.req.ID]
			if !ok {
				continue
			}
			vi, ok := vehOf[pl.at]
			if ok && (p.Jobs[gi].AllowedVehicles == nil || slices.Contains(p.Jobs[gi].AllowedVehicles, vi)) {
				lists[vi] = append(lists[vi], entry{gi, pl.seq})
			}
			break
		}
	}
	out := make([][]int, len(vehicles))
	for vi, l := range lists {
		sort.SliceStable(l, func(a, b int) bool { return l[a].seq < l[b].seq })
		for _, e := range l {
			out[vi] = append(out[vi], e.job)
		}
	}
	return out
}
