package circuit

import (
	"slices"
	"sort"

	"github.com/yingjing/xunhui/optimizer/vrp"
)

// rebalanceRoutes evens out the working minutes of interchangeable teams at
// no extra cost. Travel cost does not care which of a day's teams drives
// which of that day's routes, so the search may load one county team far
// more than another; here, day by day, the routes of a balance group's
// team-days are handed to other team-days of the same group and day when
// the receiving team may serve every stop (skills, level, area, deadline:
// the engine's allowed vehicles), the re-timed route is feasible on it
// (shift, lunch, hours, travel mode) and costs no more. Among those
// assignments it keeps, by coordinate descent over the days, the one with
// the least sum of squared weekly team minutes per group. Then two
// team-days of different teams on any days swap routes when both fit
// (re-timed to the other day) at no more cost together and the pair's
// squared weekly minutes fall, until no swap helps. Routes with locked
// stops stay. The new solution is checked by the engine's checker;
// on any failure the solution is returned unchanged.
func rebalanceRoutes(p *vrp.Problem, obj vrp.Objective, sol *vrp.Solution, vehicles []vehicle) *vrp.Solution {
	if len(sol.Routes) == 0 || len(p.Vehicles) != len(vehicles) {
		return sol // nothing planned (the engine was not called)
	}
	byVeh := map[int]vrp.Route{}
	for _, r := range sol.Routes {
		byVeh[r.Vehicle] = r
	}
	jobs := solutionRoutes(sol, len(p.Vehicles))
	// slots[group][date] = the group's movable team-days of that date.
	slots := map[string]map[string][]int{}
	for vi, v := range vehicles {
		if len(p.Vehicles[vi].Locked) > 0 {
			continue
		}
		g := balanceGroup(v.team)
		if slots[g] == nil {
			slots[g] = map[string][]int{}
		}
		slots[g][string(v.date)] = append(slots[g][string(v.date)], vi)
	}
	assigned := map[int]vrp.Route{} // vehicle -> its new route
	changed := false
	week := teamMinutes(sol, vehicles)
	for g, days := range slots {
		minutes := week[g]
		if len(minutes) < 2 {
			continue
		}
		dates := make([]string, 0, len(days))
		for d, vis := range days {
			if len(vis) >= 2 {
				dates = append(dates, d)
			}
		}
		sort.Strings(dates)
		// perm[d][k]: the index (into days[d]) of the team-day whose
		// route team-day k drives; identity at first.
		perm := map[string][]int{}
		eval := map[string][][]*vrp.Route{} // [from][to], nil = impossible
		for _, d := range dates {
			vis := days[d]
			perm[d] = make([]int, len(vis))
			e := make([][]*vrp.Route, len(vis))
			for a, va := range vis {
				perm[d][a] = a
				e[a] = make([]*vrp.Route, len(vis))
				own := byVeh[va]
				e[a][a] = &own
				for b, vb := range vis {
					if a == b {
						continue
					}
					if len(jobs[va]) == 0 {
						empty := vrp.Route{Vehicle: vb, VehicleID: p.Vehicles[vb].ID}
						e[a][b] = &empty
						continue
					}
					r, err := vrp.EvaluateRoute(p, obj, vb, jobs[va])
					if err == nil && r.Cost <= own.Cost {
						e[a][b] = &r
					}
				}
			}
			eval[d] = e
		}
		score := func() int64 {
			var s int64
			for _, m := range minutes {
				s += m * m
			}
			return s
		}
		apply := func(d string, pm []int, sign int64) {
			for k, a := range pm {
				minutes[vehicles[days[d][k]].team.ID] += sign * eval[d][a][k].Duration / 60
			}
		}
		for round := 0; round < 10; round++ {
			improved := false
			for _, d := range dates {
				apply(d, perm[d], -1)
				best, bestScore := perm[d], int64(-1)
				permutations(len(days[d]), func(pm []int) {
					for k, a := range pm {
						if eval[d][a][k] == nil {
							return
						}
					}
					apply(d, pm, 1)
					if s := score(); bestScore < 0 || s < bestScore {
						best, bestScore = slices.Clone(pm), s
					}
					apply(d, pm, -1)
				})
				if !slices.Equal(best, perm[d]) {
					// Only a strict gain moves routes.
					apply(d, perm[d], 1)
					cur := score()
					apply(d, perm[d], -1)
					if bestScore < cur {
						perm[d] = best
						improved = true
					}
				}
				apply(d, perm[d], 1)
			}
			if !improved {
				break
			}
		}
		// cur[v]: the route team-day v now drives and its jobs.
		type drive struct {
			r    vrp.Route
			jobs []int
		}
		cur := map[int]drive{}
		var all []int
		for d, vis := range days {
			for k, v := range vis {
				from := v
				if pm, ok := perm[d]; ok {
					from = vis[pm[k]]
					if from != v {
						changed = true
					}
					cur[v] = drive{*eval[d][pm[k]][k], jobs[from]}
				} else {
					cur[v] = drive{byVeh[v], jobs[v]}
				}
				all = append(all, v)
			}
		}
		sort.Ints(all)
		// Then across days: two team-days of different teams swap routes
		// when both fit (re-timed to the other day: hours, deadlines) at no
		// more cost together, and the weekly minutes even out.
		dur := func(r vrp.Route) int64 { return r.Duration / 60 }
		for round := 0; round < 10; round++ {
			improved := false
			for x, va := range all {
				for _, vb := range all[x+1:] {
					ta, tb := vehicles[va].team.ID, vehicles[vb].team.ID
					a, b := cur[va], cur[vb]
					if ta == tb || len(a.jobs)+len(b.jobs) == 0 {
						continue
					}
					na := vrp.Route{Vehicle: va, VehicleID: p.Vehicles[va].ID} // b's jobs on va
					nb := vrp.Route{Vehicle: vb, VehicleID: p.Vehicles[vb].ID}
					var err error
					if len(b.jobs) > 0 {
						if na, err = vrp.EvaluateRoute(p, obj, va, b.jobs); err != nil {
							continue
						}
					}
					if len(a.jobs) > 0 {
						if nb, err = vrp.EvaluateRoute(p, obj, vb, a.jobs); err != nil {
							continue
						}
					}
					if na.Cost+nb.Cost > a.r.Cost+b.r.Cost {
						continue
					}
					ma, mb := minutes[ta]+dur(na)-dur(a.r), minutes[tb]+dur(nb)-dur(b.r)
					if ma*ma+mb*mb >= minutes[ta]*minutes[ta]+minutes[tb]*minutes[tb] {
						continue
					}
					minutes[ta], minutes[tb] = ma, mb
					cur[va], cur[vb] = drive{na, b.jobs}, drive{nb, a.jobs}
					improved, changed = true, true
				}
			}
			if !improved {
				break
			}
		}
		for _, v := range all {
			assigned[v] = cur[v].r
		}
	}
	if !changed {
		return sol
	}
	out := &vrp.Solution{Objective: sol.Objective, Unassigned: sol.Unassigned, Served: sol.Served,
		ServedPriority: sol.ServedPriority, Iterations: sol.Iterations, Elapsed: sol.Elapsed}
	for vi := range p.Vehicles {
		r, ok := assigned[vi]
		if !ok {
			r, ok = byVeh[vi]
		}
		if !ok || len(r.Visits) == 0 {
			continue
		}
		out.Routes = append(out.Routes, r)
		out.Cost += r.Cost
		out.Distance += r.Distance
		out.TravelTime += r.TravelTime
	}
	if vrp.Check(p, out) != nil || out.Cost > sol.Cost {
		return sol
	}
	return out
}

// permutations calls f with every permutation of 0..n-1 (n ≤ 6; larger
// groups only try the identity and single swaps). f must not keep pm.
func permutations(n int, f func(pm []int)) {
	pm := make([]int, n)
	for i := range pm {
		pm[i] = i
	}
	if n > 6 {
		f(pm)
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				pm[i], pm[j] = pm[j], pm[i]
				f(pm)
				pm[i], pm[j] = pm[j], pm[i]
			}
		}
		return
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			f(pm)
			return
		}
		for i := k; i < n; i++ {
			pm[k], pm[i] = pm[i], pm[k]
			rec(k + 1)
			pm[k], pm[i] = pm[i], pm[k]
		}
	}
	rec(0)
}
