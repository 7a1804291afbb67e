package vrp

import (
	"context"
	"math"
	"slices"
	"time"
)

// SISR parameters (Christiaens & Vanden Berghe 2020, "Slack induction by
// string removals for vehicle routing problems", Transp. Sci. 54(2)):
// average removed customers c̄, maximum string length Lmax, blink rate.
const (
	sisrAvgRemoved = 20
	sisrMaxString  = 10
	sisrBlink      = 0.01
	checkEvery     = 8 // iterations between clock and context checks
)

// runConfig bounds one search.
type runConfig struct {
	deadline time.Time        // zero = none
	clock    func() time.Time // nil = wall clock; experiments may use thread CPU time
	maxIter  int              // 0 = none
	start    time.Time
	observer func(Progress)
	tStart   float64 // initial temperature as a fraction of the mean arc cost
	tEnd     float64
	lsMode   int // 0: local search every iteration, 1: never, 2: when within lsGate of the current cost
	lsGate   float64
	// penalised lets the local search cross infeasible space (search.lambda).
	penalised bool
	// stall stops the search once the best solution has not improved over
	// this share of the iterations run (Options.Stall); 0 = never.
	stall float64
}

func (c *runConfig) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// snapshot is a copy of the node sequences of all routes.
type snapshot struct {
	nodes [][]int32
	cost  int64
	// iter and found are the iteration and the wall time at which a best
	// solution was saved (zero for other snapshots).
	iter  int
	found time.Time
}

func (s *search) save(dst *snapshot) {
	if dst.nodes == nil {
		dst.nodes = make([][]int32, len(s.routes))
	}
	for i, r := range s.routes {
		dst.nodes[i] = append(dst.nodes[i][:0], r.nodes...)
	}
	dst.cost = s.cost()
}

// restore puts the routes of src back, recomputing only routes that differ.
func (s *search) restore(src *snapshot) {
	changed := s.changedBuf[:0]
	for i, r := range s.routes {
		if !slices.Equal(r.nodes, src.nodes[i]) {
			for _, n := range r.nodes {
				s.routeOf[n] = -1
			}
			changed = append(changed, int32(i))
		}
	}
	s.changedBuf = changed
	for _, i := range changed {
		r := s.routes[i]
		r.nodes = append(r.nodes[:0], src.nodes[i]...)
		s.update(r)
	}
	s.unassigned = s.unassigned[:0]
	for j := 0; j < s.in.nJobs; j++ {
		s.unPos[j] = -1
		if s.routeOf[j] < 0 {
			s.addUnassigned(int32(j))
		}
	}
}

// run is the outer loop: SISR ruin and recreate followed by granular local
// search, accepted by simulated annealing (SISR's acceptance with a
// temperature decaying exponentially over the time or iteration budget).
// It keeps the best solution in best; every solution visited is feasible
// (unassigned jobs are paid by their penalty). Deviation from SISR: local
// search after each recreate, as in hybrid ruin-and-recreate/local-search
// schemes; it makes each iteration costlier but much stronger.
func (s *search) run(ctx context.Context, cfg runConfig, best *snapshot) int {
	var cur snapshot
	order := s.begin(cfg, &cur, best)
	return s.loop(ctx, cfg, order, &cur, best)
}

// begin builds the first solution (warm start, insertion, local search),
// saves it as cur and best and reports it. It returns the job order that
// loop shuffles.
func (s *search) begin(cfg runConfig, cur, best *snapshot) []int32 {
	in := s.in
	order := make([]int32, in.nJobs)
	for i := range order {
		order[i] = int32(i)
	}
	if in.initial != nil {
		s.warmStart(in.initial)
	}
	s.recreate()
	s.rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	s.localSearch(order)
	s.save(cur)
	s.save(best)
	best.iter, best.found = 0, time.Now()
	s.report(cfg, 0, best)
	return order
}

// loop is the ruin-and-recreate search from cur (simulated annealing
// acceptance, local search after each recreate) until the deadline, the
// iteration cap or ctx; it keeps the best feasible solution in best and
// returns the number of iterations.
func (s *search) loop(ctx context.Context, cfg runConfig, order []int32, cur, best *snapshot) int {
	in := s.in
	fleetIters := 0
	if in.vehicleCost > 0 {
		fleetIters = s.minimiseFleet(ctx, &cfg, order, cur, best)
	}
	arcs := int64(in.nJobs + 1)
	meanArc := float64(s.routeCostSum()) / float64(arcs)
	t0, t1 := cfg.tStart*meanArc, cfg.tEnd*meanArc
	lastReport := time.Now()
	penalised := cfg.penalised && s.meanRouteLength() <= penalisedMaxRoute
	var lambda int64
	if penalised {
		lambda = s.lambdaStart()
	}
	nFeas, nLS := 0, 0
	it := 0
	for ; cfg.maxIter == 0 || it < cfg.maxIter; it++ {
		if it%checkEvery == 0 {
			if ctx.Err() != nil || (!cfg.deadline.IsZero() && !cfg.now().Before(cfg.deadline)) || stalled(cfg, it, best.iter) {
				break
			}
			if cfg.observer != nil && time.Since(lastReport) > time.Second {
				s.report(cfg, it, best)
				lastReport = time.Now()
			}
		}
		frac := s.progress(cfg, it)
		temp := t0 * math.Pow(t1/t0, frac)
		s.ruin()
		s.recreate()
		c := s.cost()
		if cfg.lsMode == 0 || (cfg.lsMode == 2 && float64(c) < float64(cur.cost)*(1+cfg.lsGate)) {
			s.rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
			if penalised {
				s.lambda = lambda
				s.penalisedLS++
			}
			s.localSearch(order)
			if s.lambda > 0 {
				feasible := !s.infeasible()
				if !feasible {
					s.repair(order)
				}
				s.lambda = 0
				lambda = adaptLambda(lambda, feasible, &nFeas, &nLS)
				if s.infeasible() {
					s.restore(cur)
					continue
				}
			}
			c = s.cost()
		}
		if float64(c) < float64(cur.cost)-temp*math.Log(s.rng.Float64()) {
			s.save(cur)
			if c < best.cost {
				s.save(best)
				best.iter, best.found = it+1, time.Now()
				s.report(cfg, it, best)
			}
		} else {
			s.restore(cur)
		}
	}
	return fleetIters + it
}

// stallMinIterations is the least number of iterations before the stall
// rule may stop a search: a first solution improved a few times in the
// first iterations is not yet a stalled search.
const stallMinIterations = 200

// stalled reports whether the search has run it iterations without
// improving the best solution, found at iteration bestIt, over the share
// cfg.stall of them. The rule counts iterations, not time, so a run under
// an iteration cap stops at the same place on every machine.
func stalled(cfg runConfig, it, bestIt int) bool {
	return cfg.stall > 0 && it >= stallMinIterations && float64(it-bestIt) >= cfg.stall*float64(it)
}

// lambdaStart is the initial violation penalty: one second of time warp
// (or unit of excess) costs as much as lambdaScale seconds of travel, in
// the problem's cost units (mean arc cost over mean arc duration). It
// starts high, near feasible-only search, and adaptLambda lowers it.
func (s *search) lambdaStart() int64 {
	in := s.in
	if !in.linear {
		return int64(lambdaScale) // cost from rates: no arc cost to compare
	}
	var c, d float64
	for j := 0; j < in.nJobs; j++ {
		for _, k := range in.neighbours[j] {
			c += float64(s.arc(int32(j), k))
			d += float64(in.dur[int(in.loc[j])*in.nLoc+int(in.loc[k])])
		}
	}
	if c <= 0 || d <= 0 {
		return int64(lambdaScale)
	}
	return max(1, int64(lambdaScale*c/d))
}

// routed counts the routed jobs and the used routes.
func (s *search) routed() (jobs, used int) {
	for _, r := range s.routes {
		if r.nJobs > 0 {
			jobs += r.nJobs
			used++
		}
	}
	return jobs, used
}

// meanRouteLength is the number of routed jobs per used route.
func (s *search) meanRouteLength() float64 {
	jobs, used := s.routed()
	if used == 0 {
		return 0
	}
	return float64(jobs) / float64(used)
}

// repair runs the local search on the infeasible routes' jobs with a
// tenfold penalty (HGS's repair step).
func (s *search) repair(order []int32) {
	for _, r := range s.routes {
		if r.viol > 0 {
			for _, n := range r.nodes {
				if s.isJob(n) {
					s.dirty[n] = true
				}
			}
		}
	}
	s.lambda *= 10
	s.localSearch(order)
}

// adaptLambda steers the penalty so that about half of the local optima
// are feasible before repair (HGS targets a fixed feasible fraction),
// adjusting every 50 local searches.
func adaptLambda(lambda int64, feasible bool, nFeas, nLS *int) int64 {
	*nLS++
	if feasible {
		*nFeas++
	}
	if *nLS < 50 {
		return lambda
	}
	f := float64(*nFeas) / float64(*nLS)
	*nFeas, *nLS = 0, 0
	switch {
	case f < 0.45:
		return lambda*13/10 + 1
	case f > 0.55:
		return max(1, lambda*8/10)
	}
	return lambda
}

func (s *search) routeCostSum() int64 {
	var c int64
	for _, r := range s.routes {
		c += r.cost
		if r.nJobs > 0 {
			c -= s.in.vehicleCost
		}
	}
	if c <= 0 {
		c = 1
	}
	return c
}

// progress is the fraction of the budget used, for the temperature.
func (s *search) progress(cfg runConfig, it int) float64 {
	f := 0.0
	if cfg.maxIter > 0 {
		f = float64(it) / float64(cfg.maxIter)
	}
	if !cfg.deadline.IsZero() {
		total := cfg.deadline.Sub(cfg.start)
		if total > 0 {
			f = math.Max(f, float64(cfg.now().Sub(cfg.start))/float64(total))
		}
	}
	return math.Min(f, 1)
}

func (s *search) report(cfg runConfig, it int, best *snapshot) {
	if cfg.observer == nil {
		return
	}
	served, used := 0, 0
	for _, nodes := range best.nodes {
		k := 0
		for _, n := range nodes {
			if s.isJob(n) {
				k++
			}
		}
		if k > 0 {
			used++
			served += k
		}
	}
	cost := best.cost - s.unassignedPenalty(best) - int64(used)*s.in.vehicleCost
	cfg.observer(Progress{Elapsed: time.Since(cfg.start), Iteration: it, Cost: cost, Served: served, Vehicles: used})
}

func (s *search) unassignedPenalty(b *snapshot) int64 {
	served := make([]bool, s.in.nJobs)
	for _, nodes := range b.nodes {
		for _, n := range nodes {
			if s.isJob(n) {
				served[n] = true
			}
		}
	}
	var p int64
	for j, ok := range served {
		if !ok {
			p += s.in.penalty[j]
		}
	}
	return p
}
