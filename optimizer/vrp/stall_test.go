package vrp

import (
	"context"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// TestStall: a search that stops once stalled returns the same solution
// as the full run when its best came early, stops well before the cap,
// is reproducible, and reports its time to best; Stall outside [0, 1) is
// an error.
func TestStall(t *testing.T) {
	p, err := readSolomon("solomon/testdata/C101.txt")
	if err != nil {
		t.Fatal(err)
	}
	const cap = 3000
	full, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: cap, Objective: ObjectiveDistance})
	if err != nil {
		t.Fatal(err)
	}
	var first *Solution
	for run := 0; run < 2; run++ {
		s, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: cap, Objective: ObjectiveDistance, Stall: 0.8})
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
		if s.Iterations >= cap/2 {
			t.Errorf("stalled search ran %d of %d iterations, want it to stop early on C101", s.Iterations, cap)
		}
		if s.Iterations < stallMinIterations {
			t.Errorf("stalled search ran %d iterations, fewer than the minimum %d", s.Iterations, stallMinIterations)
		}
		if s.Cost != full.Cost {
			t.Errorf("cost with early stop %d, without %d: want the same on C101", s.Cost, full.Cost)
		}
		if s.BestElapsed <= 0 || s.BestElapsed > s.Elapsed {
			t.Errorf("time to best %v, elapsed %v: want 0 < best ≤ elapsed", s.BestElapsed, s.Elapsed)
		}
		s.Elapsed, s.BestElapsed = 0, 0
		if first == nil {
			first = s
		} else if !reflect.DeepEqual(first, s) {
			t.Errorf("two stalled runs with seed 1 differ: cost %d vs %d, %d vs %d iterations", first.Cost, s.Cost, first.Iterations, s.Iterations)
		}
	}
	for _, bad := range []float64{-0.1, 1, 2} {
		if _, err := Solve(context.Background(), p, Options{MaxIterations: 10, Stall: bad}); err == nil || !strings.Contains(err.Error(), "stall") {
			t.Errorf("stall %g: got %v, want an error naming stall", bad, err)
		}
	}
}

// TestStalledRule: the rule counts iterations only.
func TestStalledRule(t *testing.T) {
	cfg := runConfig{stall: 0.8}
	for _, tc := range []struct {
		it, best int
		want     bool
	}{
		{100, 0, false},  // below the minimum
		{200, 0, true},   // nothing since the first solution
		{200, 41, false}, // best in the last 80 %
		{1000, 200, true},
		{1000, 201, false},
	} {
		if got := stalled(cfg, tc.it, tc.best); got != tc.want {
			t.Errorf("stalled(it %d, best %d) = %v, want %v", tc.it, tc.best, got, tc.want)
		}
	}
	if stalled(runConfig{}, 10000, 0) {
		t.Error("stall 0 stopped a search")
	}
}

// TestStallDecomposed: independent groups each stop when stalled and the
// union is still checked.
func TestStallDecomposed(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	p := genProblem(rng, 30, 4, features{})
	for j := range p.Jobs {
		p.Jobs[j].AllowedVehicles = []int{j % 2, 2 + j%2}
	}
	s, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 20000, Stall: 0.8})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p, s); err != nil {
		t.Fatal(err)
	}
	if s.Iterations >= 20000 {
		t.Errorf("ran %d iterations, want an early stop", s.Iterations)
	}
}
