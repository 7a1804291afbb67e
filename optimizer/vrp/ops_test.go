package vrp

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// recomputedCost rebuilds every route from its node list (no cached
// segment reused) and returns the total objective (with the violation
// penalty s.lambda, 0 outside the penalised search) and whether all routes
// are feasible.
func recomputedCost(s *search) (int64, bool) {
	var c int64
	feasible := true
	for _, r := range s.routes {
		e := s.evalNodes(r.idx, r.nodes)
		if !e.ok || e.viol > 0 {
			feasible = false
		}
		c += e.cost + s.lambda*e.viol
	}
	for j := 0; j < s.in.nJobs; j++ {
		if s.routeOf[j] < 0 {
			c += s.in.penalty[j]
		}
	}
	return c, feasible
}

// referenceMismatch compares each feasible route's cost in the search
// (evalNodes) with the reference simulation of the same stops
// (bestDeparture, as Solution reports it): "" when all agree.
func referenceMismatch(s *search) string {
	in := s.in
	for _, r := range s.routes {
		e := s.evalNodes(r.idx, r.nodes)
		if !e.ok || e.viol > 0 || r.nJobs == 0 {
			continue
		}
		if ref := bestDeparture(in.p, r.idx, in.nodeStops(r.nodes), in.obj); ref.route.Cost != e.cost {
			return fmt.Sprintf("vehicle %d: search cost %d, reference %d", r.idx, e.cost, ref.route.Cost)
		}
	}
	return ""
}

// randomSearches calls body, for each seed and both objectives, with a
// search on a random 14-job, 3-vehicle instance with features f, after its
// first insertion; rng is the instance's, for the body's own draws.
func randomSearches(seeds int, f features, body func(seed int, rng *rand.Rand, p *Problem, obj Objective, in *instance, s *search)) {
	for seed := 0; seed < seeds; seed++ {
		rng := rand.New(rand.NewSource(int64(seed)))
		p := genProblem(rng, 14, 3, f)
		for _, obj := range []Objective{ObjectiveCost, ObjectiveDistance} {
			in := compile(p, obj, 8)
			s := newSearch(in, int64(seed))
			s.recreate()
			body(seed, rng, p, obj, in, s)
		}
	}
}

// randomPair draws an operator's arguments: a job u and a job or, one time
// in five, a route's start node v.
func randomPair(rng *rand.Rand, in *instance) (u, v int32) {
	u = int32(rng.Intn(in.nJobs))
	if rng.Intn(5) == 0 {
		return u, int32(in.nJobs + 2*rng.Intn(in.nVeh))
	}
	return u, int32(rng.Intn(in.nJobs))
}

// TestOperatorDeltas is the most important solver test: for every
// operator, the predicted delta of every feasible move equals the change of
// the fully recomputed objective after applying it, over random instances
// with every feature, and the reported solution then passes Check.
func TestOperatorDeltas(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	for _, tc := range allFeatures {
		t.Run(tc.name, func(t *testing.T) {
			applied := make([]int, len(operators))
			randomSearches(seeds, tc.f, func(seed int, rng *rand.Rand, p *Problem, obj Objective, in *instance, s *search) {
				s.exact = true
				for trial := 0; trial < 300; trial++ {
					u, v := randomPair(rng, in)
					k := rng.Intn(len(operators))
					before, _ := recomputedCost(s)
					if before != s.cost() {
						t.Fatalf("seed %d: cached cost %d, recomputed %d", seed, s.cost(), before)
					}
					s.exact = false
					screened := operators[k].eval(s, u, v)
					screenedDelta := s.mv.delta
					s.exact = true
					if !operators[k].eval(s, u, v) {
						if screened {
							t.Fatalf("seed %d %s(%d,%d): screened evaluation accepts an infeasible move", seed, operators[k].name, u, v)
						}
						continue
					}
					delta := s.mv.delta
					if delta < 0 && (!screened || screenedDelta != delta) {
						t.Fatalf("seed %d %s(%d,%d): improving move (delta %d) lost by the cost screen (%v, %d)", seed, operators[k].name, u, v, delta, screened, screenedDelta)
					}
					// The cheap cost screen must agree with the full
					// evaluation: equal, or a lower bound when the
					// vehicle has a soft duration limit.
					if c, ok := s.quickCost(s.mv.r1, s.mv.p1); ok {
						e := s.evalPieces(s.mv.r1, s.mv.p1)
						soft := p.Vehicles[s.mv.r1].SoftMaxDuration > 0 && p.Vehicles[s.mv.r1].OvertimeCostPerHour > 0 && obj == ObjectiveCost
						if e.cost != c && !(soft && c < e.cost) {
							t.Fatalf("seed %d %s: quickCost %d, evalPieces %d", seed, operators[k].name, c, e.cost)
						}
					}
					s.apply()
					applied[k]++
					after, feasible := recomputedCost(s)
					if m := referenceMismatch(s); m != "" {
						t.Fatalf("seed %d obj %d %s: %s", seed, obj, operators[k].name, m)
					}
					if !feasible {
						t.Fatalf("seed %d %s(%d,%d): applied move left an infeasible route", seed, operators[k].name, u, v)
					}
					if got := after - before; got != delta {
						t.Fatalf("seed %d obj %d %s(%d,%d): predicted delta %d, recomputed %d", seed, obj, operators[k].name, u, v, delta, got)
					}
					if trial%50 == 0 {
						var snap snapshot
						s.save(&snap)
						sol := toSolution(in, &snap, time.Time{})
						if err := Check(p, sol); err != nil {
							t.Fatalf("seed %d after %s: %v", seed, operators[k].name, err)
						}
					}
					if trial%37 == 0 {
						s.ruin()
						s.recreate()
					}
				}
			})
			for k, n := range applied {
				if n == 0 && tc.name == "plain" {
					t.Errorf("operator %s never applied", operators[k].name)
				}
			}
		})
	}
}

// TestOperatorDeltasPenalised: with a violation penalty (search.lambda),
// every operator's delta equals the change of the recomputed penalised
// objective (cost + lambda·violation + unassigned penalties), also from
// infeasible states, and the cost screens never lose an improving move.
func TestOperatorDeltasPenalised(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 3
	}
	for _, tc := range allFeatures {
		t.Run(tc.name, func(t *testing.T) {
			infeasibleSeen := 0
			randomSearches(seeds, tc.f, func(seed int, rng *rand.Rand, p *Problem, obj Objective, in *instance, s *search) {
				s.lambda = int64(1 + rng.Intn(20))
				for trial := 0; trial < 300; trial++ {
					u, v := randomPair(rng, in)
					k := rng.Intn(len(operators))
					before, _ := recomputedCost(s)
					s.exact = false
					screened := operators[k].eval(s, u, v)
					screenedDelta := s.mv.delta
					s.exact = true
					if !operators[k].eval(s, u, v) {
						continue
					}
					delta := s.mv.delta
					if delta < 0 && (!screened || screenedDelta != delta) {
						t.Fatalf("seed %d %s(%d,%d): improving move (delta %d) lost by the cost screen (%v, %d)", seed, operators[k].name, u, v, delta, screened, screenedDelta)
					}
					if delta > 0 && rng.Intn(3) > 0 {
						continue // mostly walk downhill, sometimes up, into infeasible space
					}
					s.apply()
					if s.infeasible() {
						infeasibleSeen++
					}
					after, _ := recomputedCost(s)
					if got := after - before; got != delta {
						t.Fatalf("seed %d obj %d %s(%d,%d): predicted delta %d, recomputed %d", seed, obj, operators[k].name, u, v, delta, got)
					}
				}
			})
			if infeasibleSeen == 0 {
				t.Errorf("the walk never left feasible space: the test exercises nothing penalised")
			}
		})
	}
}
