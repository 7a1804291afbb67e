package vrp

import (
	"context"
	"math/rand"
	"slices"
	"testing"
)

// TestComponents: jobs joined by a shared eligible vehicle (allowed
// vehicles, skills, locks) form one group; jobs no vehicle may serve and
// vehicles no job may use belong to none.
func TestComponents(t *testing.T) {
	p := &Problem{Durations: NewMatrix(3)}
	veh := func(skills ...int) Vehicle { return Vehicle{Start: 0, End: 0, Skills: skills} }
	p.Vehicles = []Vehicle{veh(1), veh(2), veh(1, 3), veh(4), veh(9)}
	job := func(skills []int, allowed ...int) Job {
		return Job{Location: 1, Skills: skills, AllowedVehicles: allowed}
	}
	p.Jobs = []Job{
		job([]int{1}),       // 0: vehicles 0, 2
		job([]int{2}),       // 1: vehicle 1
		job([]int{3}),       // 2: vehicle 2 -> joins job 0
		job([]int{5}),       // 3: nobody
		job(nil, 3),         // 4: vehicle 3
		job([]int{2}, 1, 3), // 5: vehicle 1 (3 lacks skill 2) -> joins job 1
		job([]int{4}, 0),    // 6: vehicle 0 lacks skill 4: nobody
	}
	p.Vehicles[3].Locked = []int{4}
	got := components(p)
	want := []component{
		{jobs: []int{0, 2}, vehs: []int{0, 2}},
		{jobs: []int{1, 5}, vehs: []int{1}},
		{jobs: []int{4}, vehs: []int{3}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d components %v, want %v", len(got), got, want)
	}
	for k := range want {
		if !slices.Equal(got[k].jobs, want[k].jobs) || !slices.Equal(got[k].vehs, want[k].vehs) {
			t.Errorf("component %d: got %+v, want %+v", k, got[k], want[k])
		}
	}
}

// TestSubproblemSameRoutes: every route of a solution of the whole problem,
// re-indexed into its component's subproblem (own locations, majority
// profile moved to 0, locks and allowed vehicles re-indexed), has the same
// cost, distance, travel time and feasibility there; and the warm start is
// restricted to the component.
func TestSubproblemSameRoutes(t *testing.T) {
	f := features{groups: true, profiles: true, breaks: true, multiTW: true, locked: true, skills: true, maxDist: true, open: true}
	checked := 0
	for seed := int64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewSource(seed))
		p := genProblem(rng, 30, 6, f)
		for v := range p.Vehicles {
			if v%3 != 0 {
				p.Vehicles[v].Profile = 1 // profile 1 is the majority of most groups
			}
		}
		comps := components(p)
		if len(comps) < 2 {
			continue
		}
		sol, err := Solve(context.Background(), p, Options{Seed: seed, MaxIterations: 60})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := Check(p, sol); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		initial := make([][]int, len(p.Vehicles))
		for _, r := range sol.Routes {
			for _, st := range r.Visits {
				if st.Job >= 0 && !slices.Contains(p.Vehicles[r.Vehicle].Locked, st.Job) {
					initial[r.Vehicle] = append(initial[r.Vehicle], st.Job)
				}
			}
		}
		for _, c := range comps {
			sub, subInit := c.subproblem(p, initial)
			if err := sub.Validate(); err != nil {
				t.Fatalf("seed %d: subproblem: %v", seed, err)
			}
			for lv, v := range c.vehs {
				var seq, lseq []int
				for _, j := range p.Vehicles[v].Locked {
					seq = append(seq, j)
				}
				seq = append(seq, initial[v]...)
				for _, j := range seq {
					lseq = append(lseq, slices.Index(c.jobs, j))
				}
				if len(initial[v]) > 0 && !slices.Equal(subInit[lv], lseq[len(p.Vehicles[v].Locked):]) {
					t.Errorf("seed %d vehicle %d: warm start %v, want %v", seed, v, subInit[lv], lseq)
				}
				want, _, okW := seqFeasible(p, v, seq, ObjectiveCost)
				got, _, okG := seqFeasible(sub, lv, lseq, ObjectiveCost)
				if okW != okG || want.route.Cost != got.route.Cost || want.route.Distance != got.route.Distance ||
					want.route.TravelTime != got.route.TravelTime {
					t.Errorf("seed %d vehicle %d: whole problem %v %+v, subproblem %v %+v", seed, v, okW, want.route, okG, got.route)
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d routes compared: the generator made too few split problems", checked)
	}
}

// TestDecomposedCancelled: a search cancelled before it starts still
// returns a checked solution with every group's first routes.
func TestDecomposedCancelled(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	p := genProblem(rng, 40, 6, features{groups: true})
	if len(components(p)) < 2 {
		t.Fatal("expected independent groups")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var seen []Progress
	sol, err := Solve(ctx, p, Options{Seed: 1, Threads: 2, Observer: func(pr Progress) { seen = append(seen, pr) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, sol); err != nil {
		t.Fatal(err)
	}
	for _, u := range sol.Unassigned {
		if insertable(p, sol, u.Job) {
			t.Errorf("job %d unassigned but fits", u.Job)
		}
	}
	if len(seen) == 0 {
		t.Fatal("observer never called")
	}
	last := seen[len(seen)-1]
	if last.Served > sol.Served || last.Served == 0 {
		t.Errorf("last progress serves %d, solution %d", last.Served, sol.Served)
	}
}

// TestDecomposedReproducible: under an iteration cap the split search
// gives the same solution whatever the scheduling of its threads.
func TestDecomposedReproducible(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	p := genProblem(rng, 50, 6, features{groups: true, breaks: true})
	var costs []int64
	for range 3 {
		sol, err := Solve(context.Background(), p, Options{Seed: 2, Threads: 2, MaxIterations: 300})
		if err != nil {
			t.Fatal(err)
		}
		costs = append(costs, sol.Cost*1000+int64(sol.Served))
	}
	if costs[0] != costs[1] || costs[1] != costs[2] {
		t.Fatalf("costs differ between runs: %v", costs)
	}
}

// TestEvaluateRoute: the routes of a solution re-evaluated alone give the
// same cost and pass; bad routes get an error naming the problem.
func TestEvaluateRoute(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	p := genProblem(rng, 20, 3, features{breaks: true, multiTW: true, skills: true, locked: true, profiles: true})
	sol, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sol.Routes {
		var jobs []int
		for _, vis := range r.Visits {
			if vis.Kind == VisitJob {
				jobs = append(jobs, vis.Job)
			}
		}
		got, err := EvaluateRoute(p, ObjectiveCost, r.Vehicle, jobs)
		if err != nil {
			t.Fatalf("vehicle %d: %v", r.Vehicle, err)
		}
		if got.Cost != r.Cost || got.TravelTime != r.TravelTime || got.Vehicle != r.Vehicle {
			t.Errorf("vehicle %d: got %+v, want %+v", r.Vehicle, got, r)
		}
		if len(jobs) > 1 {
			if _, err := EvaluateRoute(p, ObjectiveCost, r.Vehicle, append(jobs, jobs[len(jobs)-1])); err == nil {
				t.Errorf("vehicle %d: a job listed twice was accepted", r.Vehicle)
			}
		}
	}
	if _, err := EvaluateRoute(p, ObjectiveCost, len(p.Vehicles), nil); err == nil {
		t.Error("vehicle out of range accepted")
	}
	if _, err := EvaluateRoute(p, ObjectiveCost, 0, []int{len(p.Jobs)}); err == nil {
		t.Error("job out of range accepted")
	}
	// A job whose skills vehicle 1 lacks.
	for j := range p.Jobs {
		if !eligible(p, j, 1) && len(p.Vehicles[1].Locked) == 0 {
			if _, err := EvaluateRoute(p, ObjectiveCost, 1, []int{j}); err == nil {
				t.Errorf("job %d on vehicle 1, which may not serve it, accepted", j)
			}
			break
		}
	}
	// An impossible schedule: every job on one vehicle of a 700 s shift.
	all := append([]int(nil), p.Vehicles[0].Locked...)
	for j := range p.Jobs {
		if eligible(p, j, 0) && !slices.Contains(all, j) {
			all = append(all, j)
		}
	}
	if _, err := EvaluateRoute(p, ObjectiveCost, 0, all); err == nil {
		t.Error("an overfull route was accepted")
	}
}
