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

// TestSegmentsMatchForward: with breaks (located nowhere: taken where the
// vehicle is, travel after them) and windows clipped to the vehicle's
// shift, the segment algebra (evalNodes' fast path) and the forward pass
// agree on every random route: both feasible or both not, and the same
// cost when feasible. Candidates assembled from pieces of other routes, on
// other days, (evalPieces) agree with the sequence they spell.
func TestSegmentsMatchForward(t *testing.T) {
	var fast, feasible, pieces int
	for _, f := range []features{{breaks: true}, {days: true}, {days: true, breaks: true, limits: true, open: true, multiTW: true}} {
		for seed := int64(0); seed < 150; seed++ {
			rng := rand.New(rand.NewSource(seed))
			p := genProblem(rng, 12, 4, f)
			for _, obj := range []Objective{ObjectiveCost, ObjectiveDistance} {
				in := compile(p, obj, 5)
				s := newSearch(in, seed)
				for trial := 0; trial < 20; trial++ {
					v := rng.Intn(in.nVeh)
					// A random sequence of this vehicle's eligible jobs with
					// its breaks at random places.
					var mid []int32
					for _, j := range rng.Perm(in.nJobs)[:1+rng.Intn(5)] {
						if in.elig[j*in.nVeh+v] {
							mid = append(mid, int32(j))
						}
					}
					for b := range p.Vehicles[v].Breaks {
						node := int32(in.nJobs + 2*in.nVeh)
						for w := 0; w < v; w++ {
							node += int32(len(p.Vehicles[w].Breaks))
						}
						node += int32(b)
						k := rng.Intn(len(mid) + 1)
						mid = append(mid[:k], append([]int32{node}, mid[k:]...)...)
					}
					nodes := append(append([]int32{int32(in.nJobs + 2*v)}, mid...), int32(in.nJobs+2*v+1))
					seg := s.evalNodes(v, nodes)
					ref := s.forward(v, nodes, false)
					if in.vehFwd[v] || !seg.ok {
						continue // the forward pass itself; over the task limit (not the forward pass's check)
					}
					slow := false
					for _, n := range nodes {
						slow = slow || in.multiV(n, in.vClass[v])
					}
					if !slow {
						fast++
					}
					if (seg.viol == 0) != (ref.viol == 0) || !ref.ok {
						t.Fatalf("%+v seed %d vehicle %d %v: segments viol %d ok %v, forward viol %d ok %v", f, seed, v, nodes, seg.viol, seg.ok, ref.viol, ref.ok)
					}
					if seg.viol == 0 && seg.cost != ref.cost {
						t.Fatalf("%+v seed %d vehicle %d %v: segments cost %d, forward %d", f, seed, v, nodes, seg.cost, ref.cost)
					}
					if seg.viol == 0 {
						feasible++
					}
					// The same sequence from pieces: a prefix of it, then
					// its middle placed on another vehicle's route (of
					// another class, maybe) and taken back as a range.
					if len(mid) < 2 {
						continue
					}
					w := rng.Intn(in.nVeh)
					host := s.routes[w]
					k := 1 + rng.Intn(len(mid)-1)
					host.nodes = append(append(append(host.nodes[:0], int32(in.nJobs+2*w)), mid[k:]...), int32(in.nJobs+2*w+1))
					s.update(host)
					own := s.routes[v]
					if w == v {
						continue
					}
					own.nodes = append(append(own.nodes[:0], nodes[:k+1]...), int32(in.nJobs+2*v+1))
					s.update(own)
					pcs := []piece{rangePiece(own, 0, k), rangePiece(host, 1, host.last()-1), nodePiece(int32(in.nJobs + 2*v + 1))}
					got := s.evalPieces(v, pcs)
					want := s.evalNodes(v, nodes)
					if got.ok != want.ok || (got.viol == 0) != (want.viol == 0) || got.viol == 0 && got.cost != want.cost {
						t.Fatalf("%+v seed %d vehicle %d %v via %d: pieces %+v, sequence %+v", f, seed, v, nodes, w, got, want)
					}
					pieces++
					// Reset both routes.
					host.nodes = append(host.nodes[:0], int32(in.nJobs+2*w), int32(in.nJobs+2*w+1))
					s.update(host)
					own.nodes = append(own.nodes[:0], int32(in.nJobs+2*v), int32(in.nJobs+2*v+1))
					s.update(own)
				}
			}
		}
	}
	t.Logf("%d sequences on the segment path, %d feasible, %d assembled from pieces", fast, feasible, pieces)
	if fast < 1000 || feasible < 200 || pieces < 500 {
		t.Fatalf("too few cases exercised: %d fast, %d feasible, %d pieces", fast, feasible, pieces)
	}
}
