package vrp

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
)

// TestFleetSolomon: on R201 (best known: 4 vehicles vehicles-first, 8 by
// distance) fleet mode uses far fewer vehicles than distance mode, the
// solution is feasible, and the reported cost is the plain distance (the
// checker recomputes it: no internal per-vehicle weight).
func TestFleetSolomon(t *testing.T) {
	p, err := readSolomon("solomon/testdata/R201.txt")
	if err != nil {
		t.Fatal(err)
	}
	dist, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 600, Objective: ObjectiveDistance})
	if err != nil {
		t.Fatal(err)
	}
	var last Progress
	fleet, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 1200, Objective: ObjectiveDistance, Fleet: true,
		Observer: func(pr Progress) { last = pr }})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, fleet); err != nil {
		t.Fatal(err)
	}
	if len(fleet.Unassigned) != 0 {
		t.Fatalf("fleet mode left %d jobs unassigned", len(fleet.Unassigned))
	}
	if len(fleet.Routes) > 5 || len(fleet.Routes) >= len(dist.Routes) {
		t.Errorf("fleet mode: %d vehicles, distance mode %d: want at most 5 and fewer", len(fleet.Routes), len(dist.Routes))
	}
	var sum int64
	for _, r := range fleet.Routes {
		sum += r.Cost
	}
	if fleet.Cost != sum || fleet.Cost != fleet.Distance && fleet.Distance != 0 {
		t.Errorf("cost %d, routes sum %d, distance %d: want the plain distance", fleet.Cost, sum, fleet.Distance)
	}
	if last.Vehicles != len(fleet.Routes) || last.Cost != fleet.Cost {
		t.Errorf("last progress: %d vehicles cost %d, solution %d vehicles cost %d", last.Vehicles, last.Cost, len(fleet.Routes), fleet.Cost)
	}
}

// TestFleetServesFirst: serving every job comes before saving a vehicle.
// Two jobs far apart with the same narrow window need two vehicles.
func TestFleetServesFirst(t *testing.T) {
	m := NewMatrix(3)
	for i, row := range [][]int64{{0, 100, 100}, {100, 0, 200}, {100, 200, 0}} {
		for j, v := range row {
			m.Set(i, j, v)
		}
	}
	p := &Problem{Durations: m}
	for k := 1; k <= 2; k++ {
		p.Jobs = append(p.Jobs, Job{ID: string(rune('a' + k)), Location: k, Service: 10, TimeWindows: []TimeWindow{{Start: 100, End: 110}}})
	}
	for v := 0; v < 3; v++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: string(rune('x' + v)), Start: 0, End: 0, Shift: TimeWindow{Start: 0, End: 1000}})
	}
	for _, obj := range []Objective{ObjectiveCost, ObjectiveDistance} {
		s, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 300, Fleet: true, Objective: obj})
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
		if len(s.Unassigned) != 0 || len(s.Routes) != 2 {
			t.Errorf("objective %v: %d routes, %d unassigned; want both jobs served by 2 vehicles", obj, len(s.Routes), len(s.Unassigned))
		}
	}
}

// TestFleetReproducible: fleet mode on random instances with every
// feature gives checked solutions that repeat exactly under an iteration
// cap.
func TestFleetReproducible(t *testing.T) {
	for _, tc := range allFeatures {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(7))
			p := genProblem(rng, 25, 4, tc.f)
			var first *Solution
			for run := 0; run < 2; run++ {
				s, err := Solve(context.Background(), p, Options{Seed: 3, MaxIterations: 150, Fleet: true})
				if err != nil {
					t.Fatal(err)
				}
				if err := Check(p, s); err != nil {
					t.Fatal(err)
				}
				s.Elapsed, s.BestElapsed = 0, 0
				if first == nil {
					first = s
				} else if !reflect.DeepEqual(first, s) {
					t.Errorf("two fleet runs differ: cost %d vs %d", first.Cost, s.Cost)
				}
			}
		})
	}
}

// TestFixedCostsEveryObjective: fixed costs are paid per used vehicle
// under both objectives: two jobs far apart go on two vehicles (40 against
// 120) until a vehicle costs 1000, then on one (1120).
func TestFixedCostsEveryObjective(t *testing.T) {
	m := NewMatrix(3)
	for i, row := range [][]int64{{0, 10, 10}, {10, 0, 100}, {10, 100, 0}} {
		for j, v := range row {
			m.Set(i, j, v)
		}
	}
	for _, obj := range []Objective{ObjectiveCost, ObjectiveDistance} {
		for _, tc := range []struct {
			fixed  int64
			routes int
			cost   int64
		}{{0, 2, 40}, {1000, 1, 1120}} {
			p := &Problem{Durations: m, Jobs: []Job{{ID: "a", Location: 1}, {ID: "b", Location: 2}}}
			for _, id := range []string{"x", "y"} {
				p.Vehicles = append(p.Vehicles, Vehicle{ID: id, FixedCost: tc.fixed})
			}
			s, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 100, Objective: obj})
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(p, s); err != nil {
				t.Fatal(err)
			}
			if len(s.Routes) != tc.routes || s.Cost != tc.cost {
				t.Errorf("objective %v, fixed %d: %d routes cost %d, want %d routes cost %d", obj, tc.fixed, len(s.Routes), s.Cost, tc.routes, tc.cost)
			}
		}
	}
}

// TestFleetBound: the capacity bound of Solomon C101 (demand 1810,
// capacity 200) is 10, its best known fleet, and R201's (capacity 1000)
// is 2; a task limit of 3 on 25 vehicles makes RC105's 100 jobs need 34.
// Fleet mode on C101 stops removing routes once it reaches 10, so the cost
// search gets the rest of the budget: under an iteration cap the
// solution has 10 vehicles.
func TestFleetBound(t *testing.T) {
	for _, tc := range []struct {
		file     string
		maxTasks int
		want     int
	}{{"C101", 0, 10}, {"R201", 0, 2}, {"RC105", 3, 34}} {
		p, err := readSolomon("solomon/testdata/" + tc.file + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		for v := range p.Vehicles {
			p.Vehicles[v].MaxTasks = tc.maxTasks
		}
		if tc.maxTasks > 0 {
			for len(p.Vehicles) < 40 {
				p.Vehicles = append(p.Vehicles, p.Vehicles[0])
				p.Vehicles[len(p.Vehicles)-1].ID = fmt.Sprint("extra", len(p.Vehicles))
			}
		}
		s := newSearch(compile(p, ObjectiveDistance, 20), 1)
		served := make([]bool, s.in.nJobs)
		for j := range served {
			served[j] = true
		}
		if got := s.fleetBound(served); got != tc.want {
			t.Errorf("%s: bound %d, want %d", tc.file, got, tc.want)
		}
	}
	p, err := readSolomon("solomon/testdata/C101.txt")
	if err != nil {
		t.Fatal(err)
	}
	sol, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 300, Objective: ObjectiveDistance, Fleet: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, sol); err != nil {
		t.Fatal(err)
	}
	if len(sol.Routes) != 10 || len(sol.Unassigned) != 0 {
		t.Errorf("C101 fleet mode: %d vehicles, %d unassigned; want 10 and 0", len(sol.Routes), len(sol.Unassigned))
	}
}

// TestFleetPhaseStopsAtBound: on C101 the fleet phase stops as soon as
// the routes reach the capacity bound (10), long before its share of an
// iteration cap, and hands the rest of the cap to the cost search.
func TestFleetPhaseStopsAtBound(t *testing.T) {
	p, err := readSolomon("solomon/testdata/C101.txt")
	if err != nil {
		t.Fatal(err)
	}
	in := compile(p, ObjectiveDistance, 20)
	in.setFleet()
	s := newSearch(in, 1)
	cfg := runConfig{maxIter: 4000, tStart: 0.3, tEnd: 0.01}
	var cur, best snapshot
	order := s.begin(cfg, &cur, &best)
	iters := s.minimiseFleet(context.Background(), &cfg, order, &cur, &best)
	if _, used := s.routed(); used != 10 {
		t.Fatalf("fleet phase ended with %d routes, want 10", used)
	}
	t.Logf("fleet phase: %d iterations", iters)
	if iters >= 2000 || cfg.maxIter != 4000-iters {
		t.Errorf("fleet phase ran %d of its 2000 iterations, cost search left %d", iters, cfg.maxIter)
	}
}
