package vrp

import (
	"context"
	"time"
)

// minimiseFleet is the fleet minimisation of SISR (Christiaens & Vanden
// Berghe 2020, "Slack induction by string removals for vehicle routing
// problems", Transp. Sci. 54(2), section 6): starting from a complete
// solution, remove a route and let ruin and recreate (never opening an
// empty route) put its jobs back. A candidate is accepted when it leaves
// fewer jobs out, or when the jobs it leaves out have been out less often
// (each iteration counts, per job, how often it was out: the "absence"
// that steers the search to the hard jobs). Whenever every job is back, the
// solution is kept as the best and another route goes. Deviations: the
// local search runs after each recreate (as in the cost search: compact
// routes leave room), and the route removed is the shorter of two drawn.
//
// It spends fleetShare of cfg's budget, keeps the solution with the fewest
// vehicles in best and cur, and moves cfg's start and iteration cap to what
// is left for the cost search. It returns the iterations it ran.
func (s *search) minimiseFleet(ctx context.Context, cfg *runConfig, order []int32, cur, best *snapshot) int {
	in := s.in
	phase := *cfg
	if phase.maxIter > 0 {
		phase.maxIter = max(int(float64(cfg.maxIter)*fleetShare), 1)
	}
	if !cfg.deadline.IsZero() {
		phase.deadline = cfg.start.Add(time.Duration(float64(cfg.deadline.Sub(cfg.start)) * fleetShare))
	}
	s.restore(best)
	floor := len(s.unassigned) // jobs no route could take with the whole fleet
	absence := make([]int64, in.nJobs)
	absent := func() (n int, sum int64) {
		for _, j := range s.unassigned {
			sum += absence[j]
		}
		return len(s.unassigned), sum
	}
	s.fixedFleet = true
	defer func() { s.fixedFleet = false }()
	s.dropRoute()
	s.save(cur)
	curN, curSum := absent()
	it := 0
	for ; phase.maxIter == 0 || it < phase.maxIter; it++ {
		if it%checkEvery == 0 && (ctx.Err() != nil || (!phase.deadline.IsZero() && !phase.now().Before(phase.deadline))) {
			break
		}
		if curN <= floor {
			break // nothing left to remove
		}
		s.ruin()
		s.recreate()
		if fleetLS {
			s.rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
			s.localSearch(order)
		}
		n, sum := absent()
		if n < curN || sum < curSum {
			s.save(cur)
			curN, curSum = n, sum
		} else {
			s.restore(cur)
		}
		if curN <= floor {
			if c := s.cost(); c < best.cost {
				s.save(best)
				best.found = time.Now()
				s.report(*cfg, it, best)
			}
			if !s.dropRoute() {
				break
			}
			s.save(cur)
			curN, curSum = absent()
		}
		for _, j := range s.unassigned {
			absence[j]++
		}
		curSum += int64(curN)
	}
	s.restore(best)
	s.save(cur)
	best.iter = 0
	cfg.start = time.Now()
	if cfg.clock != nil {
		cfg.start = cfg.clock()
	}
	if cfg.maxIter > 0 {
		cfg.maxIter = max(cfg.maxIter-it, 1)
	}
	return it
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
