// Package vrp is Xunhui's generic vehicle routing engine: a rich VRP with
// time windows (several per job), shifts, breaks, multi-dimensional
// capacities, skills, allowed vehicles, task/travel/duration limits, locked
// route prefixes and open routes, in integer units (seconds, metres, cost
// units).
//
// Usage:
//
//	p := &vrp.Problem{
//		Durations: vrp.NewMatrix(n), // seconds, required; Set(i, j, t)
//		Distances: dist,             // metres, optional
//		Jobs: []vrp.Job{{ID: "h1", Location: 1, Service: 600,
//			TimeWindows: []vrp.TimeWindow{{Start: 8 * 3600, End: 12 * 3600}},
//			Amounts: []int64{1}}},
//		Vehicles: []vrp.Vehicle{{ID: "team-a", Start: 0, End: 0,
//			Shift: vrp.TimeWindow{Start: 8 * 3600, End: 17 * 3600},
//			Capacity: []int64{20}}},
//	}
//	if err := p.Validate(); err != nil { ... }
//	sol, err := vrp.Solve(ctx, p, vrp.Options{TimeLimit: 2 * time.Second, Seed: 1})
//	// sol.Routes[i].Visits hold arrival/start/waiting/departure and loads;
//	// sol.Unassigned lists jobs no feasible route could take, with a reason.
//	if err := vrp.Check(p, sol); err != nil { ... } // independent re-check
//
// The objective is lexicographic: first serve the most priority-weighted
// jobs (a job of priority p weighs 1+p), then minimise cost
// (ObjectiveCost: fixed + travel costs, travel seconds by default) or the
// fixed costs plus the total distance with the given fleet
// (ObjectiveDistance, the VRPTW benchmark convention). Options.Fleet puts
// the number of used vehicles before the cost.
//
// Solve returns only feasible solutions; Check recomputes every route from
// its visit order with a plain forward simulation, independent of the
// search's data structures. See docs/solver.md for the algorithm and its
// references.
package vrp
