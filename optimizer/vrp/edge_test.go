package vrp

import (
	"context"
	"testing"
)

// TestEdgeCases: degenerate inputs solve without panicking and check.
func TestEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *Problem
		want int // served
	}{
		{"no jobs", &Problem{Durations: NewMatrix(1), Vehicles: []Vehicle{{ID: "v"}}}, 0},
		{"no jobs no vehicles", &Problem{Durations: NewMatrix(1)}, 0},
		{"one job", func() *Problem {
			p := lineProblem(0, 5)
			p.Jobs = []Job{{ID: "a", Location: 1}}
			p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0}}
			return p
		}(), 1},
		{"job at the depot", func() *Problem {
			p := lineProblem(0)
			p.Jobs = []Job{{ID: "a", Location: 0, Service: 10}, {ID: "b", Location: 0}}
			p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0}}
			return p
		}(), 2},
		{"nothing reachable", func() *Problem {
			p := lineProblem(0, 1000)
			p.Jobs = []Job{{ID: "a", Location: 1, TimeWindows: []TimeWindow{{0, 10}}}}
			p.Vehicles = []Vehicle{{ID: "v", Start: 0, End: 0}}
			return p
		}(), 0},
		{"open both ends, no distances", func() *Problem {
			p := lineProblem(0, 5, 9)
			p.Distances = Matrix{}
			p.Jobs = []Job{{ID: "a", Location: 1}, {ID: "b", Location: 2}}
			p.Vehicles = []Vehicle{{ID: "v", Start: NoLocation, End: NoLocation}}
			return p
		}(), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, obj := range []Objective{ObjectiveCost, ObjectiveDistance} {
				s, err := Solve(context.Background(), tc.p, Options{Seed: 1, MaxIterations: 20, Objective: obj})
				if err != nil {
					t.Fatalf("Solve: %v", err)
				}
				if err := Check(tc.p, s); err != nil {
					t.Fatalf("Check: %v", err)
				}
				if s.Served != tc.want {
					t.Errorf("served %d, want %d", s.Served, tc.want)
				}
			}
		})
	}
}
