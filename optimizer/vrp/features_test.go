package vrp

import (
	"context"
	"testing"
)

// lineProblem places locations on a line at the given positions; travel
// time and distance are the absolute difference.
func lineProblem(pos ...int64) *Problem {
	n := len(pos)
	d := NewMatrix(n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x := pos[i] - pos[j]
			if x < 0 {
				x = -x
			}
			d.Set(i, j, x)
		}
	}
	return &Problem{Durations: d, Distances: d}
}

func solveChecked(t *testing.T, p *Problem, obj Objective) *Solution {
	t.Helper()
	s, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 100, Objective: obj})
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	if err := Check(p, s); err != nil {
		t.Fatalf("Check: %v", err)
	}
	return s
}

func routeOfJob(s *Solution, j int) (*Route, int) {
	for i := range s.Routes {
		for k, v := range s.Routes[i].Visits {
			if v.Kind == VisitJob && v.Job == j {
				return &s.Routes[i], k
			}
		}
	}
	return nil, -1
}

func reasonOf(s *Solution, j int) Reason {
	for _, u := range s.Unassigned {
		if u.Job == j {
			return u.Reason
		}
	}
	return ""
}

func TestFeatures(t *testing.T) {
	t.Run("break taken in its window", func(t *testing.T) {
		p := lineProblem(0, 10, 20, 30)
		for j := 1; j <= 3; j++ {
			p.Jobs = append(p.Jobs, Job{ID: "j", Location: j, Service: 40})
		}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0, Breaks: []Break{{ID: "lunch", Duration: 30, TimeWindows: []TimeWindow{{100, 120}}}}}}
		s := solveChecked(t, p, ObjectiveCost)
		if len(s.Unassigned) != 0 || len(s.Routes) != 1 {
			t.Fatalf("got %d routes, %d unassigned; want 1, 0", len(s.Routes), len(s.Unassigned))
		}
		found := false
		for _, v := range s.Routes[0].Visits {
			if v.Kind == VisitBreak {
				found = true
				if v.Start < 100 || v.Start > 120 || v.Departure-v.Start != 30 {
					t.Errorf("break starts at %d ends %d, want start in [100,120] for 30 s", v.Start, v.Departure)
				}
			}
		}
		if !found {
			t.Error("no break in the route")
		}
	})
	t.Run("second time window", func(t *testing.T) {
		p := lineProblem(0, 100)
		p.Jobs = []Job{{ID: "a", Location: 1, Service: 5, TimeWindows: []TimeWindow{{500, 600}, {0, 10}}}}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0}}
		s := solveChecked(t, p, ObjectiveCost)
		r, k := routeOfJob(s, 0)
		if r == nil {
			t.Fatal("job not served")
		}
		if st := r.Visits[k].Start; st < 500 || st > 600 {
			t.Errorf("start %d, want in [500,600]", st)
		}
		if r.Duration != 205 {
			t.Errorf("route duration %d, want 205 (departure delayed to avoid waiting)", r.Duration)
		}
	})
	t.Run("skills and pinning", func(t *testing.T) {
		p := lineProblem(0, 5, 10, 15)
		p.Jobs = []Job{
			{ID: "needs7", Location: 1, Skills: []int{7}},
			{ID: "needs9", Location: 2, Skills: []int{9}},
			{ID: "pinned", Location: 3, AllowedVehicles: []int{0}},
		}
		p.Vehicles = []Vehicle{{ID: "plain", Start: 0, End: 0}, {ID: "skilled", Start: 0, End: 0, Skills: []int{7, 8}}}
		s := solveChecked(t, p, ObjectiveCost)
		if r, _ := routeOfJob(s, 0); r == nil || r.Vehicle != 1 {
			t.Errorf("needs7 not on the skilled vehicle")
		}
		if got := reasonOf(s, 1); got != ReasonSkills {
			t.Errorf("needs9 reason %q, want %q", got, ReasonSkills)
		}
		if r, _ := routeOfJob(s, 2); r == nil || r.Vehicle != 0 {
			t.Errorf("pinned job not on vehicle 0")
		}
	})
	t.Run("locked prefix kept in order", func(t *testing.T) {
		p := lineProblem(0, 10, 20, 30, 40)
		for j := 1; j <= 4; j++ {
			p.Jobs = append(p.Jobs, Job{ID: "j", Location: j})
		}
		// Locked 3 then 0: a detour the optimiser would never choose.
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0, Locked: []int{3, 0}}, {ID: "w", Start: 0, End: 0}}
		s := solveChecked(t, p, ObjectiveCost)
		r, k0 := routeOfJob(s, 3)
		_, k1 := routeOfJob(s, 0)
		if r == nil || r.Vehicle != 0 || k0 != 0 || k1 != 1 {
			t.Errorf("locked jobs at positions %d,%d, want 0,1 on vehicle 0", k0, k1)
		}
	})
	t.Run("open routes", func(t *testing.T) {
		p := lineProblem(0, 50, 60)
		p.Jobs = []Job{{ID: "a", Location: 1, Service: 3, TimeWindows: []TimeWindow{{100, 200}}}, {ID: "b", Location: 2, Service: 4}}
		p.Vehicles = []Vehicle{{ID: "v", Start: NoLocation, End: NoLocation}}
		s := solveChecked(t, p, ObjectiveCost)
		r := &s.Routes[0]
		if r.Start != r.Visits[0].Arrival {
			t.Errorf("open start: route start %d, first arrival %d", r.Start, r.Visits[0].Arrival)
		}
		if last := r.Visits[len(r.Visits)-1]; r.End != last.Departure {
			t.Errorf("open end: route end %d, last departure %d", r.End, last.Departure)
		}
		if r.TravelTime != 10 {
			t.Errorf("travel %d, want 10 (only between the two jobs)", r.TravelTime)
		}
	})
	t.Run("limits give reasons", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			veh  Vehicle
			job  Job
			want Reason
		}{
			{"max tasks", Vehicle{MaxTasks: 2}, Job{Location: 1}, ReasonMaxTasks},
			{"capacity", Vehicle{Capacity: []int64{5}}, Job{Location: 1, Amounts: []int64{6}}, ReasonCapacity},
			{"time window", Vehicle{}, Job{Location: 3, TimeWindows: []TimeWindow{{0, 50}}}, ReasonTimeWindow},
			{"shift", Vehicle{Shift: TimeWindow{0, 150}}, Job{Location: 3}, ReasonShift},
			{"max travel", Vehicle{MaxTravelTime: 150}, Job{Location: 3}, ReasonMaxTravelTime},
			{"max duration", Vehicle{MaxDuration: 150}, Job{Location: 3}, ReasonMaxDuration},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := lineProblem(0, 10, 20, 100)
				dims := len(tc.veh.Capacity)
				amt := func(a []int64) []int64 {
					if dims == 0 {
						return nil
					}
					if a == nil {
						return []int64{1}
					}
					return a
				}
				p.Jobs = []Job{{ID: "a", Location: 1, Amounts: amt(nil)}, {ID: "b", Location: 2, Amounts: amt(nil)}}
				tc.job.ID = "x"
				tc.job.Amounts = amt(tc.job.Amounts)
				p.Jobs = append(p.Jobs, tc.job)
				tc.veh.ID, tc.veh.Start, tc.veh.End = "v", 0, 0
				p.Vehicles = []Vehicle{tc.veh}
				s := solveChecked(t, p, ObjectiveCost)
				if s.Served != 2 {
					t.Errorf("served %d, want 2", s.Served)
				}
				if len(s.Unassigned) != 1 {
					t.Fatalf("unassigned %v, want one job", s.Unassigned)
				}
				if got := s.Unassigned[0].Reason; got != tc.want {
					t.Errorf("reason %q, want %q", got, tc.want)
				}
			})
		}
	})
	t.Run("priority wins", func(t *testing.T) {
		p := lineProblem(0, 10, 20)
		p.Jobs = []Job{{ID: "low", Location: 1, Amounts: []int64{1}}, {ID: "high", Location: 2, Amounts: []int64{1}, Priority: 5}}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0, Capacity: []int64{1}}}
		s := solveChecked(t, p, ObjectiveCost)
		if r, _ := routeOfJob(s, 1); r == nil {
			t.Error("high-priority job not served")
		}
		if s.ServedPriority != 6 {
			t.Errorf("served priority %d, want 6", s.ServedPriority)
		}
	})
	t.Run("fixed cost merges routes", func(t *testing.T) {
		p := lineProblem(0, 10, -10)
		p.Jobs = []Job{{ID: "a", Location: 1}, {ID: "b", Location: 2}}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0, FixedCost: 1000}, {ID: "w", Start: 0, End: 0, FixedCost: 1000}}
		s := solveChecked(t, p, ObjectiveCost)
		if len(s.Routes) != 1 || s.Cost != 1040 {
			t.Errorf("got %d routes cost %d, want 1 route cost 1040", len(s.Routes), s.Cost)
		}
	})
	t.Run("per hour and per km costs", func(t *testing.T) {
		p := lineProblem(0, 3600)
		p.Jobs = []Job{{ID: "a", Location: 1}}
		p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0, CostPerHour: 10, CostPerKm: 2}}
		s := solveChecked(t, p, ObjectiveCost)
		// 7200 s of travel = 20; 7200 m = 14 (rounded down per route).
		if s.Cost != 34 {
			t.Errorf("cost %d, want 34", s.Cost)
		}
	})
}
