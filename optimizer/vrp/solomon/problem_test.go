package solomon

import (
	"context"
	"math"
	"testing"

	"github.com/yingjing/xunhui/optimizer/vrp"
)

func TestToProblemRounding(t *testing.T) {
	in := mustParse(t, header+"0 0 0 0 0.0004 100.0006 0\n1 1 1 3 2.0001 9.9999 1.0001\n")
	p, err := ToProblem(in)
	if err != nil {
		t.Fatal(err)
	}
	d := math.Sqrt2 * Scale // 1414.21...
	if got, want := p.Durations.At(0, 1), int64(math.Ceil(d)); got != want {
		t.Errorf("duration: got %d, want %d (ceil)", got, want)
	}
	if got, want := p.Distances.At(0, 1), int64(math.Round(d)); got != want {
		t.Errorf("distance: got %d, want %d (round)", got, want)
	}
	job := p.Jobs[0]
	if job.TimeWindows[0] != (vrp.TimeWindow{Start: 2001, End: 9999}) || job.Service != 1001 || job.Amounts[0] != 3 || job.ID != "1" {
		t.Errorf("job: got %+v, want window [2001,9999], service 1001, amount 3, id 1", job)
	}
	if got := p.Vehicles[0].Shift; got != (vrp.TimeWindow{Start: 1, End: 100000}) {
		t.Errorf("shift: got %+v, want [1,100000]", got)
	}
	if len(p.Vehicles) != in.Vehicles || p.Vehicles[0].Capacity[0] != int64(in.Capacity) {
		t.Errorf("fleet: got %d vehicles of %v, want %d of %d", len(p.Vehicles), p.Vehicles[0].Capacity, in.Vehicles, in.Capacity)
	}
}

// firstCustomers returns in cut to its depot and first k customers.
func firstCustomers(in *Instance, k int) *Instance {
	out := *in
	out.Customers = append([]Customer(nil), in.Customers[:k+1]...)
	return &out
}

// TestSolveEndToEnd solves the first 25 customers of C101 and R201 with a
// small iteration cap and proves the result with the float64 checker.
func TestSolveEndToEnd(t *testing.T) {
	for _, f := range []string{"testdata/C101.txt", "testdata/R201.txt", "testdata/RC105.txt"} {
		t.Run(f, func(t *testing.T) {
			full, err := ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			in := firstCustomers(full, 25)
			p, err := ToProblem(in)
			if err != nil {
				t.Fatal(err)
			}
			sol, err := vrp.Solve(context.Background(), p, vrp.Options{MaxIterations: 200, Seed: 1, Objective: vrp.ObjectiveDistance})
			if err != nil {
				t.Fatal(err)
			}
			if err := vrp.Check(p, sol); err != nil {
				t.Fatalf("engine check: %v", err)
			}
			if len(sol.Unassigned) > 0 {
				t.Fatalf("%d customers unassigned, first %+v", len(sol.Unassigned), sol.Unassigned[0])
			}
			res, err := Check(in, Routes(sol))
			if err != nil {
				t.Fatalf("float64 check: %v", err)
			}
			// The engine's integer distance rounds each arc, so it may differ
			// from the float64 total by at most half a unit per arc.
			arcs := len(p.Jobs) + res.Vehicles
			if diff := math.Abs(float64(sol.Distance)/Scale - res.Distance); diff > float64(arcs)*0.5/Scale {
				t.Errorf("engine distance %d vs float64 %v: diff %v above rounding bound", sol.Distance, res.Distance, diff)
			}
		})
	}
}
