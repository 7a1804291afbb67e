package vrp

import (
	"context"
	"math/rand"
	"testing"
)

// randomProblem builds a small random instance on a grid with Euclidean
// (rounded up) durations, time windows and capacities.
func randomProblem(rng *rand.Rand, nJobs, nVeh int) *Problem {
	n := nJobs + 1
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i], ys[i] = float64(rng.Intn(100)), float64(rng.Intn(100))
	}
	d := NewMatrix(n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			dx, dy := xs[i]-xs[j], ys[i]-ys[j]
			d.Set(i, j, int64(sqrtCeil(dx*dx+dy*dy)))
		}
	}
	p := &Problem{Durations: d}
	for j := 0; j < nJobs; j++ {
		e := int64(rng.Intn(300))
		p.Jobs = append(p.Jobs, Job{ID: string(rune('a' + j%26)), Location: j + 1, Service: int64(rng.Intn(20)),
			TimeWindows: []TimeWindow{{e, e + int64(50+rng.Intn(200))}}, Amounts: []int64{int64(1 + rng.Intn(5))}})
	}
	for v := 0; v < nVeh; v++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: "v", Start: 0, End: 0, Shift: TimeWindow{0, 600}, Capacity: []int64{12}})
	}
	return p
}

func sqrtCeil(x float64) float64 {
	r := 0.0
	for r*r < x {
		r++
	}
	return r
}

func TestSolveSmallFeasible(t *testing.T) {
	for seed := int64(0); seed < 5; seed++ {
		rng := rand.New(rand.NewSource(seed))
		p := randomProblem(rng, 8, 2)
		s, err := Solve(context.Background(), p, Options{Seed: seed, MaxIterations: 50})
		if err != nil {
			t.Fatalf("seed %d: Solve: %v", seed, err)
		}
		if err := Check(p, s); err != nil {
			t.Fatalf("seed %d: Check: %v", seed, err)
		}
	}
}
