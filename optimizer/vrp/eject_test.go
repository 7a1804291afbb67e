package vrp

import (
	"math/bits"
	"math/rand"
	"testing"
)

// TestEjectInsertMinimal: on random instances with every feature, the
// insertion with ejections finds the least summed ejection counter that a
// brute force over every used route (one route having been emptied), every set of at most ejectMax ejectable
// jobs and every insertion position finds (each candidate checked by the
// full evaluation), and leaves a feasible solution with u served and the
// ejected jobs unassigned.
func TestEjectInsertMinimal(t *testing.T) {
	checked := 0
	for _, tc := range allFeatures {
		randomSearches(12, tc.f, func(seed int, rng *rand.Rand, p *Problem, obj Objective, in *instance, s *search) {
			// Empty a route (as the fleet phase does) and insert one of
			// the jobs left out into the others.
			if _, used := s.routed(); used < 2 || !s.dropRoute() || len(s.unassigned) == 0 {
				return
			}
			u := s.unassigned[rng.Intn(len(s.unassigned))]
			pc := make([]int64, in.nJobs)
			for j := range pc {
				pc[j] = int64(1 + rng.Intn(12))
			}
			want := bruteEject(s, u, pc)
			s.ej.limit = 1 << 40
			out, ok := s.ejectInsert(u, pc)
			if ok != (want >= 0) {
				t.Fatalf("%s seed %d: ejectInsert %v, brute force %d", tc.name, seed, ok, want)
			}
			if !ok {
				return
			}
			var got int64
			for _, j := range out {
				got += pc[j]
				if s.routeOf[j] >= 0 {
					t.Fatalf("%s seed %d: ejected job %d still routed", tc.name, seed, j)
				}
			}
			if got != want {
				t.Errorf("%s seed %d obj %v: counter sum %d, brute force %d", tc.name, seed, obj, got, want)
			}
			if s.routeOf[u] < 0 || s.infeasible() {
				t.Errorf("%s seed %d: u routed %v, infeasible %v", tc.name, seed, s.routeOf[u] >= 0, s.infeasible())
			}
			checked++
		})
	}
	t.Logf("%d cases checked", checked)
	if checked < 50 {
		t.Fatalf("only %d cases checked", checked)
	}
}

// bruteEject returns the least counter sum of a feasible insertion of u
// with ejections, or -1.
func bruteEject(s *search, u int32, pc []int64) int64 {
	best := int64(-1)
	for _, r := range s.routes {
		if r.nJobs == 0 || !s.eligible(u, r.idx) {
			continue
		}
		var free []int // ejectable positions
		for i := r.lockEnd; i < r.last(); i++ {
			if s.isJob(r.nodes[i]) {
				free = append(free, i)
			}
		}
		for mask := 0; mask < 1<<len(free); mask++ {
			if bits.OnesCount(uint(mask)) > ejectMax {
				continue
			}
			var sum int64
			drop := map[int]bool{}
			for b, i := range free {
				if mask&(1<<b) != 0 {
					drop[i] = true
					sum += pc[r.nodes[i]]
				}
			}
			if best >= 0 && sum >= best {
				continue
			}
			var kept []int32
			for i, n := range r.nodes {
				if !drop[i] {
					kept = append(kept, n)
				}
			}
			lock := r.lockEnd
			for q := lock; q < len(kept); q++ { // u before kept[q]
				seq := append(append(append([]int32(nil), kept[:q]...), u), kept[q:]...)
				if e := s.evalNodes(r.idx, seq); e.ok && e.viol == 0 {
					best = sum
					break
				}
			}
		}
	}
	return best
}
