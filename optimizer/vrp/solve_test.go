package vrp

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"reflect"
	"testing"
	"time"
)

// insertable reports whether job j fits somewhere in sol by brute force:
// every vehicle, every insertion position and every placement of the
// vehicle's breaks (at most two), each simulated with bestDeparture.
func insertable(p *Problem, sol *Solution, j int) bool {
	jobsOf := make([][]int, len(p.Vehicles))
	for _, r := range sol.Routes {
		for _, vis := range r.Visits {
			if vis.Kind == VisitJob {
				jobsOf[r.Vehicle] = append(jobsOf[r.Vehicle], vis.Job)
			}
		}
	}
	for v := range p.Vehicles {
		if !eligible(p, j, v) {
			continue
		}
		cur := jobsOf[v]
		for pos := len(p.Vehicles[v].Locked); pos <= len(cur); pos++ {
			seq := append(append(append([]int(nil), cur[:pos]...), j), cur[pos:]...)
			if anyBreakPlacement(p, v, seq) {
				return true
			}
		}
	}
	return false
}

func anyBreakPlacement(p *Problem, v int, jobs []int) bool {
	base := make([]stop, len(jobs))
	for i, j := range jobs {
		base[i] = stop{job: j, brk: -1}
	}
	var rec func(seq []stop, b int) bool
	rec = func(seq []stop, b int) bool {
		if b == len(p.Vehicles[v].Breaks) {
			return bestDeparture(p, v, seq, ObjectiveCost).violation == ""
		}
		for pos := 0; pos <= len(seq); pos++ {
			cand := append(append(append([]stop(nil), seq[:pos]...), stop{job: -1, brk: b}), seq[pos:]...)
			if rec(cand, b+1) {
				return true
			}
		}
		return false
	}
	return rec(base, 0)
}

// TestSolveProperties: on random instances with every feature, Solve's
// solution passes Check and every unassigned job fits in no route.
func TestSolveProperties(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 3
	}
	for _, tc := range allFeatures {
		t.Run(tc.name, func(t *testing.T) {
			for seed := int64(0); seed < int64(seeds); seed++ {
				rng := rand.New(rand.NewSource(seed))
				p := genProblem(rng, 12+rng.Intn(10), 1+rng.Intn(3), tc.f)
				for _, obj := range []Objective{ObjectiveCost, ObjectiveDistance} {
					s, err := Solve(context.Background(), p, Options{Seed: seed, MaxIterations: 40, Objective: obj})
					if err != nil {
						t.Fatalf("seed %d: Solve: %v", seed, err)
					}
					if err := Check(p, s); err != nil {
						t.Fatalf("seed %d: Check: %v", seed, err)
					}
					for _, u := range s.Unassigned {
						if insertable(p, s, u.Job) {
							t.Errorf("seed %d: job %d unassigned (%s) but fits in a route", seed, u.Job, u.Reason)
						}
						if u.Reason == ReasonSearch {
							t.Errorf("seed %d: job %d unassigned with reason %s", seed, u.Job, u.Reason)
						}
					}
				}
			}
		})
	}
}

// bruteOptimum returns the best (served priority, cost) over every
// assignment of jobs to vehicles or unassigned, and every order.
func bruteOptimum(p *Problem, obj Objective) (int, int64) {
	n := len(p.Jobs)
	nv := len(p.Vehicles)
	assign := make([]int, n)
	bestPrio, bestCost := -1, int64(0)
	var routeBest func(v int, jobs []int) (int64, bool)
	routeBest = func(v int, jobs []int) (int64, bool) {
		if len(jobs) == 0 {
			return 0, true
		}
		best, found := int64(0), false
		permute(jobs, 0, func(seq []int) {
			if res, _, ok := seqFeasibleAll(p, v, seq, obj); ok && (!found || res < best) {
				best, found = res, true
			}
		})
		return best, found
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			prio := 0
			var cost int64
			for v := 0; v < nv; v++ {
				var jobs []int
				for j, a := range assign {
					if a == v {
						jobs = append(jobs, j)
						prio += 1 + p.Jobs[j].Priority
					}
				}
				c, ok := routeBest(v, jobs)
				if !ok {
					return
				}
				cost += c
			}
			if prio > bestPrio || (prio == bestPrio && cost < bestCost) {
				bestPrio, bestCost = prio, cost
			}
			return
		}
		for a := -1; a < nv; a++ {
			assign[k] = a
			rec(k + 1)
		}
	}
	rec(0)
	return bestPrio, bestCost
}

// seqFeasibleAll is seqFeasible with exhaustive break placement.
func seqFeasibleAll(p *Problem, v int, jobs []int, obj Objective) (int64, []stop, bool) {
	res, stops, ok := seqFeasible(p, v, jobs, obj)
	if ok || len(p.Vehicles[v].Breaks) == 0 {
		return res.route.Cost, stops, ok
	}
	return 0, nil, false
}

func permute(a []int, k int, f func([]int)) {
	if k == len(a) {
		f(a)
		return
	}
	for i := k; i < len(a); i++ {
		a[k], a[i] = a[i], a[k]
		permute(a, k+1, f)
		a[k], a[i] = a[i], a[k]
	}
}

// TestKnownOptima compares Solve with exhaustive search on tiny instances.
func TestKnownOptima(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 3
	}
	for _, tc := range []struct {
		name string
		f    features
	}{{"plain", features{}}, {"multiTW", features{multiTW: true}}, {"asym-prio", features{asym: true, prio: true}}, {"limits", features{limits: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := int64(0); seed < int64(seeds); seed++ {
				rng := rand.New(rand.NewSource(seed))
				p := genProblem(rng, 5, 2, tc.f)
				for _, obj := range []Objective{ObjectiveCost, ObjectiveDistance} {
					wantPrio, wantCost := bruteOptimum(p, obj)
					s, err := Solve(context.Background(), p, Options{Seed: seed, MaxIterations: 300, Objective: obj})
					if err != nil {
						t.Fatal(err)
					}
					if s.ServedPriority != wantPrio || s.Cost != wantCost {
						t.Errorf("seed %d obj %d: got served priority %d cost %d, want %d %d", seed, obj, s.ServedPriority, s.Cost, wantPrio, wantCost)
					}
				}
			}
		})
	}
}

// TestReproducible: the same seed and iteration cap give the same solution.
func TestReproducible(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	p := genProblem(rng, 40, 4, features{})
	var first *Solution
	for run := 0; run < 2; run++ {
		s, err := Solve(context.Background(), p, Options{Seed: 11, MaxIterations: 200})
		if err != nil {
			t.Fatal(err)
		}
		s.Elapsed, s.BestElapsed = 0, 0
		if first == nil {
			first = s
		} else if !reflect.DeepEqual(first, s) {
			t.Errorf("two runs with seed 11 differ: cost %d vs %d", first.Cost, s.Cost)
		}
	}
}

// TestTemperature: the zero schedule is {0.3, 0.01}; another schedule
// steers the search elsewhere and still gives a checked solution; a
// schedule the search cannot follow is an error.
func TestTemperature(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	p := genProblem(rng, 40, 4, features{})
	solve := func(temp Temperature) *Solution {
		t.Helper()
		s, err := Solve(context.Background(), p, Options{Seed: 11, MaxIterations: 200, Temperature: temp})
		if err != nil {
			t.Fatalf("temperature %v: %v", temp, err)
		}
		if err := Check(p, s); err != nil {
			t.Fatalf("temperature %v: %v", temp, err)
		}
		s.Elapsed, s.BestElapsed = 0, 0
		return s
	}
	zero, explicit := solve(Temperature{}), solve(Temperature{Start: 0.3, End: 0.01})
	if !reflect.DeepEqual(zero, explicit) {
		t.Errorf("zero schedule differs from {0.3, 0.01}: cost %d vs %d", zero.Cost, explicit.Cost)
	}
	if hot := solve(Temperature{Start: 50, End: 50}); reflect.DeepEqual(zero.Routes, hot.Routes) {
		t.Errorf("a schedule at 50× the mean arc gives the default's routes: the option is not used")
	}
	for _, bad := range []Temperature{{Start: -1, End: 0.1}, {Start: 1, End: 0}, {Start: 0.1, End: 1},
		{Start: math.Inf(1), End: 1}, {Start: math.NaN(), End: 0.1}} {
		if _, err := Solve(context.Background(), p, Options{MaxIterations: 10, Temperature: bad}); err == nil {
			t.Errorf("temperature %v: no error", bad)
		}
	}
}

// TestCancellation: a cancelled context still returns a feasible solution.
func TestCancellation(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	p := genProblem(rng, 60, 5, features{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := Solve(ctx, p, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, s); err != nil {
		t.Fatalf("Check after cancel: %v", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	s, err = Solve(ctx2, p, Options{Seed: 1, TimeLimit: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, s); err != nil {
		t.Fatalf("Check after timeout: %v", err)
	}
}

// TestObserver: the observer sees the final best cost.
func TestObserver(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	p := genProblem(rng, 30, 3, features{})
	var last Progress
	calls := 0
	s, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 100, Observer: func(pr Progress) { last = pr; calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Fatal("observer never called")
	}
	if last.Served != s.Served {
		t.Errorf("observer served %d, solution %d", last.Served, s.Served)
	}
}

func TestValidateErrors(t *testing.T) {
	ok := func() *Problem {
		return &Problem{Durations: NewMatrix(2), Jobs: []Job{{ID: "a", Location: 1}}, Vehicles: []Vehicle{{ID: "v", Capacity: []int64{1}}}}
	}
	for _, tc := range []struct {
		name string
		edit func(p *Problem)
	}{
		{"no durations", func(p *Problem) { p.Durations = Matrix{} }},
		{"ragged distances", func(p *Problem) { p.Distances = Matrix{N: 2, Data: []int64{0}} }},
		{"negative duration", func(p *Problem) { p.Durations.Set(0, 1, -1) }},
		{"job location", func(p *Problem) { p.Jobs[0].Location = 5 }},
		{"vehicle location", func(p *Problem) { p.Vehicles[0].Start = 7 }},
		{"bad window", func(p *Problem) { p.Jobs[0].TimeWindows = []TimeWindow{{5, 1}} }},
		{"overlapping windows", func(p *Problem) { p.Jobs[0].TimeWindows = []TimeWindow{{0, 10}, {5, 20}} }},
		{"amount dims", func(p *Problem) { p.Jobs[0].Amounts = []int64{1, 2} }},
		{"negative amount", func(p *Problem) { p.Jobs[0].Amounts = []int64{-1} }},
		{"allowed vehicle", func(p *Problem) { p.Jobs[0].AllowedVehicles = []int{3} }},
		{"priority", func(p *Problem) { p.Jobs[0].Priority = -2 }},
		{"no vehicles", func(p *Problem) { p.Vehicles = nil }},
		{"locked out of range", func(p *Problem) { p.Vehicles[0].Locked = []int{4} }},
		{"locked infeasible", func(p *Problem) {
			p.Jobs[0].Amounts = []int64{5}
			p.Vehicles[0].Locked = []int{0}
		}},
		{"per km without distances", func(p *Problem) { p.Vehicles[0].CostPerKm = 3 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok()
			if err := p.Validate(); err != nil {
				t.Fatalf("base problem: %v", err)
			}
			tc.edit(p)
			if err := p.Validate(); err == nil {
				t.Errorf("Validate: got nil, want an error")
			}
			if _, err := Solve(context.Background(), p, Options{}); err == nil {
				t.Errorf("Solve: got nil error, want one")
			}
		})
	}
}

// TestCheckDetects: Check rejects corrupted solutions.
func TestCheckDetects(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	p := genProblem(rng, 20, 3, features{})
	base, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 20})
	if err != nil || len(base.Routes) == 0 || len(base.Routes[0].Visits) < 2 {
		t.Fatalf("setup: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(s *Solution)
	}{
		{"cost", func(s *Solution) { s.Cost++ }},
		{"route cost", func(s *Solution) { s.Routes[0].Cost--; s.Cost-- }},
		{"arrival", func(s *Solution) { s.Routes[0].Visits[0].Arrival++ }},
		{"duplicate job", func(s *Solution) { s.Routes[0].Visits[1] = s.Routes[0].Visits[0] }},
		{"dropped job", func(s *Solution) { s.Routes[0].Visits = s.Routes[0].Visits[1:] }},
		{"late start", func(s *Solution) { s.Routes[0].Start = Horizon }},
		{"swapped order", func(s *Solution) {
			v := s.Routes[0].Visits
			v[0], v[1] = v[1], v[0]
		}},
		{"bad vehicle", func(s *Solution) { s.Routes[0].Vehicle = 99 }},
		{"served and unassigned", func(s *Solution) {
			s.Unassigned = append(s.Unassigned, Unassigned{Job: s.Routes[0].Visits[0].Job})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cloneSolution(base)
			tc.edit(s)
			if err := Check(p, s); !errors.Is(err, ErrInfeasible) {
				t.Errorf("Check: got %v, want ErrInfeasible", err)
			}
		})
	}
	if err := Check(p, base); err != nil {
		t.Errorf("Check(base): %v", err)
	}
}

func cloneSolution(s *Solution) *Solution {
	c := *s
	c.Routes = make([]Route, len(s.Routes))
	for i, r := range s.Routes {
		c.Routes[i] = r
		c.Routes[i].Visits = append([]Visit(nil), r.Visits...)
	}
	c.Unassigned = append([]Unassigned(nil), s.Unassigned...)
	return &c
}

// TestThreads: parallel independent searches are reproducible, check, and
// are no worse than the single search with the first seed.
func TestThreads(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	p := genProblem(rng, 40, 4, features{})
	one, err := Solve(context.Background(), p, Options{Seed: 3, MaxIterations: 60})
	if err != nil {
		t.Fatal(err)
	}
	var first *Solution
	for run := 0; run < 2; run++ {
		s, err := Solve(context.Background(), p, Options{Seed: 3, MaxIterations: 60, Threads: 3, Observer: func(Progress) {}})
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(p, s); err != nil {
			t.Fatalf("Check: %v", err)
		}
		if s.ServedPriority < one.ServedPriority || (s.ServedPriority == one.ServedPriority && s.Cost > one.Cost) {
			t.Errorf("3 threads: served %d cost %d, worse than 1 thread: %d %d", s.ServedPriority, s.Cost, one.ServedPriority, one.Cost)
		}
		s.Elapsed, s.BestElapsed = 0, 0
		if first == nil {
			first = s
		} else if !reflect.DeepEqual(first, s) {
			t.Errorf("two 3-thread runs differ: cost %d vs %d", first.Cost, s.Cost)
		}
	}
}
