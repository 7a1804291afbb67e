package vrp

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// seqFeasible places the vehicle's breaks into the job sequence (each at
// its first feasible position, in break order) and returns the scheduled
// result. ok is false when no placement makes the route feasible. It is the
// slow, simple reference used by the construction fallback, by the
// unassigned-reason diagnosis and by tests.
func seqFeasible(p *Problem, v int, jobs []int, obj Objective) (simResult, []stop, bool) {
	stops := make([]stop, 0, len(jobs)+len(p.Vehicles[v].Breaks))
	for _, j := range jobs {
		stops = append(stops, stop{job: j, brk: -1})
	}
	if len(jobs) == 0 {
		return simResult{}, nil, true
	}
	for b := range p.Vehicles[v].Breaks {
		best := -1
		var bestRes simResult
		for pos := 0; pos <= len(stops); pos++ {
			cand := make([]stop, 0, len(stops)+1)
			cand = append(cand, stops[:pos]...)
			cand = append(cand, stop{job: -1, brk: b})
			cand = append(cand, stops[pos:]...)
			res := bestDeparture(p, v, cand, obj)
			if res.timeWarp == 0 && (best < 0 || res.route.End < bestRes.route.End) {
				best, bestRes = pos, res
			}
		}
		if best < 0 {
			// Keep going to find a reason, but the route is infeasible.
			res := bestDeparture(p, v, stops, obj)
			if res.violation == "" {
				res.violation, res.reason = "break cannot be placed", ReasonBreak
			}
			return res, stops, false
		}
		stops = append(stops[:best], append([]stop{{job: -1, brk: b}}, stops[best:]...)...)
	}
	res := bestDeparture(p, v, stops, obj)
	return res, stops, res.violation == ""
}

// buildSolution turns per-vehicle stop sequences into a reported Solution.
// Jobs missing from every sequence become unassigned with reasons found by
// diagnose.
func buildSolution(p *Problem, obj Objective, seqs [][]stop, until time.Time) *Solution {
	s := &Solution{Objective: obj}
	served := make([]bool, len(p.Jobs))
	jobsOf := make([][]int, len(p.Vehicles))
	for v, seq := range seqs {
		nj := 0
		for _, st := range seq {
			if st.job >= 0 {
				nj++
				served[st.job] = true
				jobsOf[v] = append(jobsOf[v], st.job)
			}
		}
		if nj == 0 {
			continue
		}
		res := bestDeparture(p, v, seq, obj)
		r := res.route
		s.Routes = append(s.Routes, r)
		s.Cost += r.Cost
		s.Distance += r.Distance
		s.TravelTime += r.TravelTime
		for _, st := range seq {
			if st.job >= 0 {
				s.Served++
				s.ServedPriority += 1 + p.Jobs[st.job].Priority
			}
		}
	}
	for j := range p.Jobs {
		if !served[j] {
			s.Unassigned = append(s.Unassigned, Unassigned{Job: j, ID: p.Jobs[j].ID, Reason: diagnose(p, obj, j, jobsOf, until)})
		}
	}
	return s
}

// diagnose finds why job j is unassigned: no eligible vehicle, a
// constraint that fails even on an otherwise empty route, or else the
// constraint that fails most often when inserting it into the current
// routes (ReasonSearch when insertion would actually succeed, or when the
// time for diagnosis, until, has passed).
func diagnose(p *Problem, obj Objective, j int, jobsOf [][]int, until time.Time) Reason {
	counts := map[Reason]int{}
	anyEligible := false
	aloneOK := false
	for v := range p.Vehicles {
		if !eligible(p, j, v) {
			continue
		}
		anyEligible = true
		seq := append(append([]int(nil), p.Vehicles[v].Locked...), j)
		res, _, ok := seqFeasible(p, v, seq, obj)
		if ok {
			aloneOK = true
		} else {
			counts[res.reason]++
		}
	}
	if !anyEligible {
		return ReasonSkills
	}
	if aloneOK && !until.IsZero() && time.Now().After(until) {
		return ReasonSearch // no time left to find the blocking constraint
	}
	if aloneOK {
		counts = map[Reason]int{}
		for v := range p.Vehicles {
			if !eligible(p, j, v) {
				continue
			}
			cur := jobsOf[v]
			for pos := len(p.Vehicles[v].Locked); pos <= len(cur); pos++ {
				cand := append(append(append([]int(nil), cur[:pos]...), j), cur[pos:]...)
				res, _, ok := seqFeasible(p, v, cand, obj)
				if ok {
					return ReasonSearch
				}
				counts[res.reason]++
			}
		}
	}
	best, bestN := ReasonSearch, 0
	keys := make([]string, 0, len(counts))
	for r := range counts {
		keys = append(keys, string(r))
	}
	sort.Strings(keys) // deterministic tie-break
	for _, k := range keys {
		if n := counts[Reason(k)]; n > bestN {
			best, bestN = Reason(k), n
		}
	}
	return best
}

// greedyInsertion is the simple construction: jobs by decreasing priority
// then by increasing latest window end, each at its cheapest feasible
// position over all routes (full re-simulation per try, O(n^3)); the
// fallback and the reference for the search.
func greedyInsertion(p *Problem, obj Objective) [][]int {
	jobsOf := make([][]int, len(p.Vehicles))
	locked := make([]bool, len(p.Jobs))
	for v, veh := range p.Vehicles {
		jobsOf[v] = append([]int(nil), veh.Locked...)
		for _, j := range veh.Locked {
			locked[j] = true
		}
	}
	order := make([]int, 0, len(p.Jobs))
	for j := range p.Jobs {
		if !locked[j] {
			order = append(order, j)
		}
	}
	lastEnd := func(j int) int64 {
		ws := sortedWindows(p.Jobs[j].TimeWindows)
		return ws[len(ws)-1].End
	}
	sort.SliceStable(order, func(a, b int) bool {
		ja, jb := &p.Jobs[order[a]], &p.Jobs[order[b]]
		if ja.Priority != jb.Priority {
			return ja.Priority > jb.Priority
		}
		return lastEnd(order[a]) < lastEnd(order[b])
	})
	curCost := make([]int64, len(p.Vehicles))
	for v := range p.Vehicles {
		if len(jobsOf[v]) > 0 {
			res, _, _ := seqFeasible(p, v, jobsOf[v], obj)
			curCost[v] = res.route.Cost
		}
	}
	for _, j := range order {
		bv, bpos, bcost := -1, -1, int64(0)
		for v := range p.Vehicles {
			if !eligible(p, j, v) {
				continue
			}
			cur := jobsOf[v]
			for pos := len(p.Vehicles[v].Locked); pos <= len(cur); pos++ {
				cand := append(append(append(make([]int, 0, len(cur)+1), cur[:pos]...), j), cur[pos:]...)
				res, _, ok := seqFeasible(p, v, cand, obj)
				if !ok {
					continue
				}
				if d := res.route.Cost - curCost[v]; bv < 0 || d < bcost {
					bv, bpos, bcost = v, pos, d
				}
			}
		}
		if bv >= 0 {
			cur := jobsOf[bv]
			jobsOf[bv] = append(append(append(make([]int, 0, len(cur)+1), cur[:bpos]...), j), cur[bpos:]...)
			curCost[bv] += bcost
		}
	}
	return jobsOf
}

// EvaluateRoute schedules jobs on vehicle v in the given order (the
// vehicle's Locked jobs first), placing its breaks, without any search. It
// returns the route as a Solution reports it, or an error when an index is
// out of range, the vehicle may not serve a job (allowed vehicles,
// skills), the locked prefix is missing or a constraint fails. Callers use
// it to re-time or re-assign routes (e.g. give one day's route to another
// interchangeable team).
func EvaluateRoute(p *Problem, obj Objective, v int, jobs []int) (Route, error) {
	if v < 0 || v >= len(p.Vehicles) {
		return Route{}, fmt.Errorf("vehicle %d out of range", v)
	}
	veh := &p.Vehicles[v]
	if len(jobs) < len(veh.Locked) || !slices.Equal(jobs[:len(veh.Locked)], veh.Locked) {
		return Route{}, fmt.Errorf("vehicle %d (%q): the route must start with its locked jobs %v", v, veh.ID, veh.Locked)
	}
	seen := make(map[int]bool, len(jobs))
	for _, j := range jobs {
		if j < 0 || j >= len(p.Jobs) {
			return Route{}, fmt.Errorf("vehicle %d (%q): job %d out of range", v, veh.ID, j)
		}
		if seen[j] {
			return Route{}, fmt.Errorf("vehicle %d (%q): job %d (%q) listed twice", v, veh.ID, j, p.Jobs[j].ID)
		}
		seen[j] = true
		if !eligible(p, j, v) {
			return Route{}, fmt.Errorf("vehicle %d (%q) may not serve job %d (%q)", v, veh.ID, j, p.Jobs[j].ID)
		}
	}
	if len(jobs) == 0 {
		return Route{Vehicle: v, VehicleID: veh.ID}, nil
	}
	res, _, ok := seqFeasible(p, v, jobs, obj)
	if !ok {
		return Route{}, fmt.Errorf("vehicle %d (%q): %s", v, veh.ID, res.violation)
	}
	return res.route, nil
}
