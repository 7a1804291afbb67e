package vrp

import (
	"math/rand"
	"testing"
)

// TestSegmentConcatenation checks the O(1) segment algebra against brute
// force: any split of a random sequence merges to the left fold, and the
// fold's time warp, duration and travel agree with the plain forward
// simulation (with the duration-minimising departure).
func TestSegmentConcatenation(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    features
	}{{"plain", features{}}, {"open", features{open: true}}, {"asym", features{asym: true}}, {"limits", features{limits: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := int64(0); seed < 40; seed++ {
				rng := rand.New(rand.NewSource(seed))
				p := genProblem(rng, 10, 2, tc.f)
				in := compile(p, ObjectiveDistance, 5)
				v := rng.Intn(in.nVeh)
				perm := rng.Perm(in.nJobs)[:1+rng.Intn(in.nJobs)]
				nodes := []int32{int32(in.nJobs + 2*v)}
				for _, j := range perm {
					nodes = append(nodes, int32(j))
				}
				nodes = append(nodes, int32(in.nJobs+2*v+1))
				fold := in.nodeSeg[nodes[0]]
				for _, n := range nodes[1:] {
					fold = in.merge(fold, in.nodeSeg[n])
				}
				for k := 0; k < len(nodes)-1; k++ {
					a, b := in.nodeSeg[nodes[0]], in.nodeSeg[nodes[k+1]]
					for _, n := range nodes[1 : k+1] {
						a = in.merge(a, in.nodeSeg[n])
					}
					for _, n := range nodes[k+2:] {
						b = in.merge(b, in.nodeSeg[n])
					}
					if got := in.merge(a, b); got != fold {
						t.Fatalf("seed %d split %d: merge %+v, fold %+v", seed, k, got, fold)
					}
				}
				stops := make([]stop, len(perm))
				for i, j := range perm {
					stops[i] = stop{job: j, brk: -1}
				}
				res := bestDeparture(p, v, stops, ObjectiveDistance)
				if (fold.tw == 0) != (res.timeWarp == 0) {
					t.Fatalf("seed %d: segment time warp %d, simulation lateness %d", seed, fold.tw, res.timeWarp)
				}
				if fold.travel != res.route.TravelTime {
					t.Fatalf("seed %d: segment travel %d, simulation %d", seed, fold.travel, res.route.TravelTime)
				}
				if fold.tw == 0 && fold.dur != res.route.Duration {
					t.Fatalf("seed %d: segment duration %d, simulation %d", seed, fold.dur, res.route.Duration)
				}
				if fold.tw == 0 && fold.metric != res.route.Cost {
					t.Fatalf("seed %d: segment distance %d, simulation cost %d", seed, fold.metric, res.route.Cost)
				}
			}
		})
	}
}
