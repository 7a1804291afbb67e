package vrp

import (
	"context"
	"math/rand"
	"testing"
)

// benchSearch builds a search over a random 200-job instance with a
// constructed solution, and a fixed list of neighbour pairs.
func benchSearch(b *testing.B, exact bool) (*search, [][2]int32) {
	b.Helper()
	rng := rand.New(rand.NewSource(1))
	p := genProblem(rng, 200, 25, features{})
	for j := range p.Jobs {
		p.Jobs[j].TimeWindows = []TimeWindow{{0, 100000}}
	}
	for v := range p.Vehicles {
		p.Vehicles[v].Shift = TimeWindow{0, 100000}
		p.Vehicles[v].Capacity = []int64{60}
	}
	in := compile(p, ObjectiveDistance, 20)
	s := newSearch(in, 1)
	s.recreate()
	// Measure in the search's steady state: a local optimum, where most
	// moves are rejected.
	order := make([]int32, in.nJobs)
	for i := range order {
		order[i] = int32(i)
	}
	s.localSearch(order)
	s.exact = exact
	var pairs [][2]int32
	for u := 0; u < in.nJobs; u++ {
		for _, v := range in.neighbours[u] {
			pairs = append(pairs, [2]int32{int32(u), v})
		}
	}
	return s, pairs
}

func benchOp(b *testing.B, name string, exact bool) {
	s, pairs := benchSearch(b, exact)
	var op operator
	for _, o := range operators {
		if o.name == name {
			op = o
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		pr := pairs[i%len(pairs)]
		if op.eval(s, pr[0], pr[1]) {
			n++
		}
	}
	_ = n
}

// BenchmarkEvaluate* measure one move evaluation (screened as in the
// search); target: 0 allocs/op and tens of nanoseconds.
func BenchmarkEvaluateRelocate(b *testing.B)   { benchOp(b, "relocate1", false) }
func BenchmarkEvaluateRelocate2(b *testing.B)  { benchOp(b, "relocate2rev", false) }
func BenchmarkEvaluateSwap(b *testing.B)       { benchOp(b, "swap11", false) }
func BenchmarkEvaluateSwap22(b *testing.B)     { benchOp(b, "swap22", false) }
func BenchmarkEvaluateTwoOptStar(b *testing.B) { benchOp(b, "twoOptStar", false) }
func BenchmarkEvaluateTwoOpt(b *testing.B)     { benchOp(b, "twoOpt", false) }

// BenchmarkEvaluateFull* evaluate every move completely (segment merges,
// loads, limits): the cost of a move that passes the screen.
func BenchmarkEvaluateFullRelocate(b *testing.B)   { benchOp(b, "relocate1", true) }
func BenchmarkEvaluateFullTwoOptStar(b *testing.B) { benchOp(b, "twoOptStar", true) }

// BenchmarkEvaluateInsertion measures the recreate step's evaluation of one
// insertion position.
func BenchmarkEvaluateInsertion(b *testing.B) {
	s, _ := benchSearch(b, false)
	r := s.routes[0]
	for _, x := range s.routes {
		if x.nJobs > r.nJobs {
			r = x
		}
	}
	u := int32(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := i % r.last()
		pcs := append(s.mv.a1[:0], rangePiece(r, 0, p), nodePiece(u), rangePiece(r, p+1, r.last()))
		_ = s.evalPieces(r.idx, pcs)
	}
}

// BenchmarkSolve200 runs 100 iterations on a random 200-job instance.
func BenchmarkSolve200(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	p := genProblem(rng, 200, 25, features{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 100, Objective: ObjectiveDistance}); err != nil {
			b.Fatal(err)
		}
	}
}
