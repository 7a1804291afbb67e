package vrp

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// Travel profiles, distance limits, pickups and warm starts.
func TestFeaturesProfilesPickupsWarmStart(t *testing.T) {
	t.Run("profile: each vehicle travels on its own matrix", func(t *testing.T) {
		// Job at 100 with a window closing at 150: the car (profile 0, 1 s
		// per unit) makes it, the walker (profile 1, 3 s per unit) does not.
		p := lineProblem(0, 100)
		slow := NewMatrix(2)
		slow.Set(0, 1, 300)
		slow.Set(1, 0, 300)
		p.Profiles = []Profile{{Durations: slow, Distances: p.Distances}}
		p.Jobs = []Job{{ID: "j", Location: 1, TimeWindows: []TimeWindow{{0, 150}}}}
		p.Vehicles = []Vehicle{{ID: "walker", Start: 0, End: 0, Profile: 1}, {ID: "car", Start: 0, End: 0}}
		s := solveChecked(t, p, ObjectiveCost)
		r, _ := routeOfJob(s, 0)
		if r == nil || r.VehicleID != "car" || r.TravelTime != 200 {
			t.Fatalf("want the car with 200 s of travel, got %+v", r)
		}
		// Walker only: the job cannot be reached in its window.
		p.Vehicles = p.Vehicles[:1]
		s = solveChecked(t, p, ObjectiveCost)
		if got := reasonOf(s, 0); got != ReasonTimeWindow {
			t.Fatalf("walker only: reason %q, want %q", got, ReasonTimeWindow)
		}
		// Without the window the walker serves it, timed on its matrix.
		p.Jobs[0].TimeWindows = nil
		s = solveChecked(t, p, ObjectiveCost)
		if len(s.Routes) != 1 || s.Routes[0].TravelTime != 600 || s.Routes[0].Visits[0].Arrival != 300 {
			t.Fatalf("walker route: %+v", s.Routes)
		}
	})
	t.Run("max distance", func(t *testing.T) {
		p := lineProblem(0, 10, 400)
		p.Jobs = []Job{{ID: "near", Location: 1}, {ID: "far", Location: 2}}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0, MaxDistance: 500}}
		s := solveChecked(t, p, ObjectiveCost)
		if got := reasonOf(s, 1); got != ReasonMaxDistance {
			t.Fatalf("far job: reason %q, want %q", got, ReasonMaxDistance)
		}
		if r, _ := routeOfJob(s, 0); r == nil || r.Distance != 20 {
			t.Fatalf("near job not served in 20 m: %+v", s.Routes)
		}
		p.Vehicles[0].MaxDistance = 800
		if s = solveChecked(t, p, ObjectiveCost); len(s.Unassigned) != 0 {
			t.Fatalf("limit 800 m: unassigned %+v", s.Unassigned)
		}
	})
	t.Run("pickups: deliver first, then collect", func(t *testing.T) {
		// Capacity 10: 8 units to deliver at d (far), 8 to collect at c
		// (near). Collecting first would carry 16; the only feasible order
		// is d then c, although c then d is 50 units shorter.
		p := lineProblem(0, 50, 100)
		p.Jobs = []Job{
			{ID: "c", Location: 1, Pickup: []int64{8}},
			{ID: "d", Location: 2, Amounts: []int64{8}},
		}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: NoLocation, Capacity: []int64{10}}}
		s := solveChecked(t, p, ObjectiveCost)
		if len(s.Unassigned) != 0 || len(s.Routes) != 1 {
			t.Fatalf("want both served on one route, got %+v unassigned %+v", s.Routes, s.Unassigned)
		}
		v := s.Routes[0].Visits
		if v[0].ID != "d" || v[1].ID != "c" || s.Routes[0].Load[0] != 8 || v[0].Load[0] != 0 || v[1].Load[0] != 8 {
			t.Fatalf("want d (load 8 -> 0) then c (-> 8), got %+v load %v", v, s.Routes[0].Load)
		}
		// Check rejects the other order.
		bad := *s
		bad.Routes = []Route{s.Routes[0]}
		bad.Routes[0].Visits = []Visit{v[1], v[0]}
		if err := Check(p, &bad); !errors.Is(err, ErrInfeasible) {
			t.Fatalf("Check accepted collecting 16 units in a 10-unit vehicle: %v", err)
		}
	})
	t.Run("pickups alone sum up", func(t *testing.T) {
		p := lineProblem(0, 10, 20)
		p.Jobs = []Job{{ID: "a", Location: 1, Pickup: []int64{6}}, {ID: "b", Location: 2, Pickup: []int64{6}}}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0, Capacity: []int64{10}}}
		s := solveChecked(t, p, ObjectiveCost)
		if len(s.Unassigned) != 1 || s.Unassigned[0].Reason != ReasonCapacity {
			t.Fatalf("want one job unassigned for capacity, got %+v", s.Unassigned)
		}
	})
	t.Run("warm start", func(t *testing.T) {
		rng := rand.New(rand.NewSource(7))
		p := genProblem(rng, 30, 4, features{})
		ref, err := Solve(context.Background(), p, Options{Seed: 3, MaxIterations: 500})
		if err != nil {
			t.Fatal(err)
		}
		initial := make([][]int, len(p.Vehicles))
		for _, r := range ref.Routes {
			for _, v := range r.Visits {
				if v.Kind == VisitJob {
					initial[r.Vehicle] = append(initial[r.Vehicle], v.Job)
				}
			}
		}
		// One iteration from a good start is at least as good as that start
		// (the first local optimum is kept as the best).
		s, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 1, Initial: initial})
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
		if s.Served < ref.Served || (s.Served == ref.Served && s.Cost > ref.Cost) {
			t.Fatalf("warm start: served %d cost %d, start had %d %d", s.Served, s.Cost, ref.Served, ref.Cost)
		}
		cold, _ := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 1})
		t.Logf("1 iteration: cold %d/%d, warm %d/%d, start %d/%d", cold.Served, cold.Cost, s.Served, s.Cost, ref.Served, ref.Cost)
		// A start that breaks constraints is repaired, not trusted: all
		// jobs listed on one vehicle in a random order.
		var all []int
		for j := range p.Jobs {
			all = append(all, j)
		}
		rng.Shuffle(len(all), func(a, b int) { all[a], all[b] = all[b], all[a] })
		s, err = Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 20, Initial: [][]int{all}})
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("invalid warm start and profiles", func(t *testing.T) {
		p := lineProblem(0, 10)
		p.Jobs = []Job{{ID: "a", Location: 1}}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0}}
		for name, init := range map[string][][]int{
			"out of range":   {{3}},
			"twice":          {{0, 0}},
			"more than vehs": {{0}, {}},
		} {
			if _, err := Solve(context.Background(), p, Options{Initial: init, MaxIterations: 1}); err == nil || !strings.Contains(err.Error(), "initial") {
				t.Errorf("%s: got %v, want an error naming the initial routes", name, err)
			}
		}
		p.Vehicles[0].Profile = 2
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "profile 2") {
			t.Errorf("profile out of range: %v", err)
		}
		p.Vehicles[0].Profile = 1
		p.Profiles = []Profile{{Durations: NewMatrix(3)}}
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "profile 1") {
			t.Errorf("profile matrix size: %v", err)
		}
		p.Profiles = []Profile{{Durations: NewMatrix(2), Distances: NewMatrix(2)}}
		p.Distances = Matrix{}
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "exactly when") {
			t.Errorf("profile with distances the problem lacks: %v", err)
		}
		p.Profiles, p.Vehicles[0].Profile, p.Vehicles[0].MaxDistance = nil, 0, 10
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "max distance") {
			t.Errorf("max distance without distances: %v", err)
		}
		p.Distances = p.Durations
		p.Vehicles[0].MaxDistance = 0
		p.Jobs[0].Pickup = []int64{1, 2}
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "pickup") {
			t.Errorf("pickup dimensions: %v", err)
		}
	})
}

// TestPenalisedRun runs the outer loop with the penalised local search on
// an instance big enough to use it (short, time-window-bound routes): the
// search must have used it, and every solution it keeps must be feasible.
func TestPenalisedRun(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	p := genProblem(rng, penalisedMinJobs+20, 40, features{})
	for j := range p.Jobs {
		p.Jobs[j].Location = 2 + rng.Intn(p.Durations.N-2)
	}
	in := compile(p, ObjectiveDistance, 0)
	s := newSearch(in, 1)
	var best snapshot
	s.run(context.Background(), runConfig{maxIter: 60, tStart: 0.3, tEnd: 0.01, penalised: true}, &best)
	if s.penalisedLS == 0 {
		t.Fatalf("the penalised local search never ran (mean route length %.1f)", s.meanRouteLength())
	}
	sol := toSolution(in, &best, time.Time{})
	if err := Check(p, sol); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d penalised local searches, served %d/%d, cost %d", s.penalisedLS, sol.Served, len(p.Jobs), sol.Cost)
}

// TestSoftMaxDuration: travel alone puts four one-hour jobs at one place
// on one vehicle; a soft limit of 3 h at one cost unit per second over it
// makes splitting them cheaper, and the reported costs include it.
func TestSoftMaxDuration(t *testing.T) {
	d := NewMatrix(2)
	d.Set(0, 1, 600)
	d.Set(1, 0, 600)
	p := &Problem{Durations: d}
	for j := range 4 {
		p.Jobs = append(p.Jobs, Job{ID: fmt.Sprint(j), Location: 1, Service: 3600})
	}
	for range 2 {
		p.Vehicles = append(p.Vehicles, Vehicle{Start: 0, End: 0, Shift: TimeWindow{Start: 0, End: 10 * 3600}})
	}
	sol, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(sol.Routes) != 1 || sol.Cost != 1200 {
		t.Fatalf("without a soft limit: %d routes, cost %d; want 1 route, 1200", len(sol.Routes), sol.Cost)
	}
	for v := range p.Vehicles {
		p.Vehicles[v].SoftMaxDuration, p.Vehicles[v].OvertimeCostPerHour = 3*3600, 3600
	}
	one, err := EvaluateRoute(p, ObjectiveCost, 0, []int{0, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(1200 + (4*3600 + 1200 - 3*3600)); one.Cost != want {
		t.Errorf("one route of 4 h 20 min: cost %d, want %d (travel + 80 min over)", one.Cost, want)
	}
	sol, err = Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 50})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, sol); err != nil {
		t.Fatal(err)
	}
	if len(sol.Routes) != 2 || sol.Cost != 2400 || sol.Served != 4 {
		t.Errorf("with a 3 h soft limit: %d routes, cost %d, served %d; want 2, 2400, 4", len(sol.Routes), sol.Cost, sol.Served)
	}
	// The distance objective ignores it.
	sol, err = Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 50, Objective: ObjectiveDistance})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Cost != 1200 {
		t.Errorf("distance objective: cost %d, want 1200", sol.Cost)
	}
}
