package vrp

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Fleet phase parameters: ejection-pool steps counted as one iteration of
// the cost search (an iteration cap is shared between the two phases), and
// the random moves after each insertion with ejections (N&B's I_rand,
// scaled down: our steps also re-run the full insertion).
const (
	epStepsPerIter = 10
	perturbMoves   = 100
)

// minimiseFleet is the route elimination of Nagata & Bräysy (2009), "A
// powerful route minimization heuristic for the vehicle routing problem
// with time windows", Oper. Res. Lett. 37(5): starting from a complete
// solution, remove a route and put its jobs into an ejection pool (EP).
// Repeatedly take the last job u of the pool: insert it at its cheapest
// feasible place if there is one; otherwise raise its ejection counter
// p[u], insert it with ejections (at most ejectMax jobs of one route, the
// set with the least summed counters, eject.go) and perturb the solution
// with random feasible moves. When the pool is empty the solution has one
// route less: it is kept as the best and another route goes. Jobs that
// often had to be ejected (high p) become expensive to eject, which steers
// the search to make room for them. Deviations: no squeeze step (the
// penalised insertion before ejections), fewer random moves, and the
// phase ends at once when the used routes reach fleetBound (a capacity and
// task-count lower bound), leaving the rest of the budget to the cost
// search.
//
// It spends at most fleetShare of cfg's budget, keeps the solution with
// the fewest vehicles in best and cur, and moves cfg's start and iteration
// cap to what is left for the cost search. It returns the iterations it
// ran (ejection-pool steps / epStepsPerIter).
func (s *search) minimiseFleet(ctx context.Context, cfg *runConfig, order []int32, cur, best *snapshot) int {
	in := s.in
	phase := *cfg
	if phase.maxIter > 0 {
		phase.maxIter = max(int(float64(cfg.maxIter)*fleetShare)*epStepsPerIter, 1)
	}
	if !cfg.deadline.IsZero() {
		phase.deadline = cfg.start.Add(time.Duration(float64(cfg.deadline.Sub(cfg.start)) * fleetShare))
	}
	s.restore(best)
	served := make([]bool, in.nJobs) // jobs the fleet must keep serving
	for j := range served {
		served[j] = s.routeOf[j] >= 0
	}
	bound := s.fleetBound(served)
	p := make([]int64, in.nJobs)
	var pool []int32
	var back snapshot
	s.fixedFleet = true
	defer func() { s.fixedFleet = false }()
	// next empties another route and fills the pool with its jobs; false
	// when the bound is reached or no route may go.
	next := func() bool {
		if _, used := s.routed(); used <= bound || !s.dropRoute() {
			return false
		}
		pool = pool[:0]
		for _, j := range s.unassigned {
			if served[j] {
				pool = append(pool, j)
			}
		}
		slices.Sort(pool) // independent of the unassigned set's order
		s.rng.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
		for j := range p {
			p[j] = 1
		}
		return true
	}
	it := 0
	for ok := next(); ok; it++ {
		if phase.maxIter > 0 && it >= phase.maxIter {
			break
		}
		if it%checkEvery == 0 && (ctx.Err() != nil || (!phase.deadline.IsZero() && !phase.now().Before(phase.deadline))) {
			break
		}
		if len(pool) == 0 {
			s.save(best)
			best.found = time.Now()
			s.report(*cfg, it/epStepsPerIter, best)
			ok = next()
			continue
		}
		u := pool[len(pool)-1]
		pool = pool[:len(pool)-1]
		if s.routeOf[u] >= 0 {
			continue // the squeeze's local search has inserted it
		}
		if s.insertBest(u) || (fleetSqueeze && s.squeeze(u, order, &back)) {
			continue
		}
		p[u]++
		out, done := s.ejectInsert(u, p)
		if !done {
			pool = slices.Insert(pool, 0, u) // fits nowhere now: retry later
			continue
		}
		pool = append(pool, out...)
		s.perturb(perturbMoves)
	}
	s.restore(best)
	s.save(cur)
	best.iter = 0
	cfg.start = time.Now()
	if cfg.clock != nil {
		cfg.start = cfg.clock()
	}
	iters := it / epStepsPerIter
	if cfg.maxIter > 0 {
		cfg.maxIter = max(cfg.maxIter-iters, 1)
	}
	return iters
}

// fleetBound is a lower bound on the routes that can serve the given jobs:
// for every capacity dimension, the fewest vehicles whose largest
// capacities hold the jobs' total (deliveries and pickups apart when a
// dimension has both, their sum otherwise), and likewise for the task
// limits.
func (s *search) fleetBound(served []bool) int {
	in := s.in
	bound := 0
	need := func(total int64, limits []int64) int {
		if total <= 0 {
			return 0
		}
		slices.SortFunc(limits, func(a, b int64) int { return cmp.Compare(b, a) })
		var sum int64
		for k, c := range limits {
			sum += c
			if sum >= total {
				return k + 1
			}
		}
		return len(limits)
	}
	limits := make([]int64, in.nVeh)
	sumOf := func(vals []int64, d int) int64 {
		var t int64
		for j, ok := range served {
			if ok {
				t += max(vals[j*in.dims+d], 0)
			}
		}
		return t
	}
	for d := 0; d < in.dims; d++ {
		for v := range limits {
			limits[v] = in.capacity[v*in.dims+d]
		}
		if in.mixed {
			bound = max(bound, need(sumOf(in.deliv, d), limits), need(sumOf(in.pick, d), limits))
		} else {
			bound = max(bound, need(sumOf(in.amounts, d), limits))
		}
	}
	var jobs int64
	for _, ok := range served {
		if ok {
			jobs++
		}
	}
	for v := range limits {
		limits[v] = int64(in.maxTasks[v])
	}
	return max(bound, need(jobs, limits), min(int(jobs), 1))
}

// dropRoute empties one used route that has no locked jobs (removeRoute's
// choice); false when there is none.
func (s *search) dropRoute() bool {
	n := 0
	for _, r := range s.routes {
		if r.nJobs > 0 && r.lockEnd < r.last() {
			n++
		}
	}
	if n == 0 {
		return false
	}
	s.removeRoute()
	return true
}
