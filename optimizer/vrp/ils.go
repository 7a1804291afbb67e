package vrp

import (
	"context"
	"math"
	"slices"
	"sort"
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

// ruin removes strings of jobs around a random seed job (SISR's
// adjacent string removal). Locked jobs and breaks are never removed.
func (s *search) ruin() {
	in := s.in
	routed, used := s.routed()
	if routed == 0 {
		return
	}
	lsMax := math.Min(sisrMaxString, float64(routed)/float64(used))
	// c̄ is capped on small instances so that a ruin never wipes everything.
	cbar := math.Min(avgRemoved, math.Max(1, 0.3*float64(in.nJobs)))
	ksMax := math.Max(4*cbar/(1+lsMax)-1, 1)
	ks := int(s.rng.Float64()*ksMax) + 1
	if used > 1 && !s.fixedFleet && s.rng.Float64() < routeRemovalRate {
		s.removeRoute()
		return
	}
	// seed: a random routed job; while the fleet is being cut, a random
	// left-out job, so that strings go from the routes around it and make
	// room where it is needed.
	var seed int32
	if s.fixedFleet && len(s.unassigned) > 0 && fleetSeedOut {
		seed = s.unassigned[s.rng.Intn(len(s.unassigned))]
	} else {
		for {
			seed = int32(s.rng.Intn(in.nJobs))
			if s.routeOf[seed] >= 0 {
				break
			}
		}
	}
	ruined := s.ruinedBuf[:0]
	tryRoute := func(c int32) {
		ri := s.routeOf[c]
		if ri < 0 {
			return
		}
		for _, x := range ruined {
			if x == ri {
				return
			}
		}
		ruined = append(ruined, ri)
		s.removeString(s.routes[ri], c, lsMax)
	}
	tryRoute(seed)
	for _, c := range in.adjacent[seed] {
		if len(ruined) >= ks {
			break
		}
		tryRoute(c)
	}
	s.ruinedBuf = ruined
}

// removeRoute empties a random used route, favouring short ones (two
// draws, keep the shorter): the classic route-removal ruin of ALNS (Ropke &
// Pisinger 2006), added to SISR because string removals rarely empty a
// whole route, which traps the search at a fleet size (e.g. Solomon C203).
func (s *search) removeRoute() {
	pick := func() *route {
		for {
			r := s.routes[s.rng.Intn(len(s.routes))]
			if r.nJobs > 0 && r.lockEnd < r.last() {
				return r
			}
		}
	}
	r := pick()
	if r2 := pick(); r2.nJobs < r.nJobs {
		r = r2
	}
	nodes := s.buf1[:0]
	for k, n := range r.nodes {
		if k >= r.lockEnd && s.isJob(n) {
			s.addUnassigned(n)
			continue
		}
		nodes = append(nodes, n)
	}
	r.nodes = append(r.nodes[:0], nodes...)
	s.update(r)
}

// removeString removes a string (or, half of the time, a split string) of
// jobs containing c from r.
func (s *search) removeString(r *route, c int32, lsMax float64) {
	// Positions of removable jobs.
	cand := s.posBuf[:0]
	ci := -1
	for k := r.lockEnd; k < r.last(); k++ {
		if s.isJob(r.nodes[k]) {
			if r.nodes[k] == c {
				ci = len(cand)
			}
			cand = append(cand, int32(k))
		}
	}
	s.posBuf = cand
	if ci < 0 {
		return
	}
	lmax := math.Min(float64(len(cand)), lsMax)
	l := int(s.rng.Float64()*lmax) + 1
	m := 0
	if l < len(cand) && s.rng.Float64() < 0.5 {
		// Split string: keep m consecutive jobs inside the removed span.
		m = 1
		for l+m < len(cand) && s.rng.Float64() > 0.5 {
			m++
		}
	}
	span := l + m
	// Start so that ci lies in [start, start+span).
	lo := max(0, ci-span+1)
	hi := min(ci, len(cand)-span)
	if hi < lo {
		return
	}
	start := lo + s.rng.Intn(hi-lo+1)
	keepFrom := start + s.rng.Intn(span-m+1) // first kept job of the split
	rm := s.rmBuf[:0]
	for k := start; k < start+span; k++ {
		if m > 0 && k >= keepFrom && k < keepFrom+m {
			continue
		}
		rm = append(rm, r.nodes[cand[k]])
	}
	s.rmBuf = rm
	nodes := s.buf1[:0]
	for _, n := range r.nodes {
		keep := true
		for _, x := range rm {
			if x == n {
				keep = false
				break
			}
		}
		if keep {
			nodes = append(nodes, n)
		}
	}
	r.nodes = append(r.nodes[:0], nodes...)
	for _, x := range rm {
		s.addUnassigned(x)
	}
	s.update(r)
}

// recreate inserts the unassigned jobs one by one at their cheapest
// feasible position over all routes, skipping each position with
// probability sisrBlink (SISR's greedy insertion with blinks). The order is
// random, by decreasing demand, by decreasing or increasing distance to the
// start, or by increasing window width.
func (s *search) recreate() {
	in := s.in
	list := append(s.listBuf[:0], s.unassigned...)
	s.listBuf = list
	sort.Slice(list, func(a, b int) bool { return list[a] < list[b] }) // independent of set order
	s.rng.Shuffle(len(list), func(a, b int) { list[a], list[b] = list[b], list[a] })
	switch x := s.rng.Intn(13); {
	case x < 4: // random
	case x < 8:
		sort.SliceStable(list, func(a, b int) bool { return s.demand(list[a]) > s.demand(list[b]) })
	case x < 10:
		sort.SliceStable(list, func(a, b int) bool { return s.depotDist(list[a]) > s.depotDist(list[b]) })
	case x < 11:
		sort.SliceStable(list, func(a, b int) bool { return s.depotDist(list[a]) < s.depotDist(list[b]) })
	default:
		sort.SliceStable(list, func(a, b int) bool {
			sa, sb := in.nodeSeg[list[a]], in.nodeSeg[list[b]]
			return sa.late-sa.early < sb.late-sb.early
		})
	}
	for _, u := range list {
		s.insertBest(u)
	}
}

func (s *search) demand(j int32) int64 {
	var d int64
	for x := 0; x < s.in.dims; x++ {
		d += s.in.amounts[int(j)*s.in.dims+x]
	}
	return d
}

func (s *search) depotDist(j int32) int64 {
	in := s.in
	st := in.loc[in.nJobs] // first vehicle's start
	if st < 0 {
		return 0
	}
	return in.dur[int(st)*in.nLoc+int(in.loc[j])]
}

// insertBest inserts unassigned job u at its cheapest feasible position.
func (s *search) insertBest(u int32) bool {
	in := s.in
	best := int64(math.MaxInt64)
	bestR, bestP := -1, -1
	seenClass := s.classBuf
	for i := range seenClass {
		seenClass[i] = false
	}
	// On large instances only routes serving one of u's nearest jobs (and
	// empty routes) are scanned: a deviation from SISR's full scan that
	// keeps an insertion near O(k·route length).
	restrict := len(s.routes) > 30
	if restrict {
		s.routeMark++
		for _, c := range in.adjacent[u][:min(len(in.adjacent[u]), 40)] {
			if r := s.routeOf[c]; r >= 0 {
				s.marks[r] = s.routeMark
			}
		}
	}
	for _, r := range s.routes {
		if !s.eligible(u, r.idx) {
			continue
		}
		if restrict && r.nJobs > 0 && s.marks[r.idx] != s.routeMark {
			continue
		}
		if r.nJobs == 0 && s.fixedFleet {
			continue
		}
		if r.nJobs == 0 && r.lockEnd == 1 && len(in.p.Vehicles[r.idx].Breaks) == 0 {
			if seenClass[in.class[r.idx]] {
				continue
			}
			seenClass[in.class[r.idx]] = true
		}
		if int(in.maxTasks[r.idx]) <= r.nJobs {
			continue
		}
		fast := in.linear && !in.vehFwd[r.idx] && r.nJobs > 0
		for p := r.lockEnd - 1; p < r.last(); p++ {
			if s.rng.Float64() < sisrBlink {
				continue
			}
			if fast {
				// Arc screen (see screenable): between located nodes,
				// less the overtime the route may save.
				a, b := locBefore(r, p), locAfter(r, p+1)
				if s.arc(a, u)+s.arc(u, b)-s.arc(a, b)-r.over >= best {
					continue
				}
			}
			pcs := append(s.mv.a1[:0], rangePiece(r, 0, p), nodePiece(u), rangePiece(r, p+1, r.last()))
			if c, ok := s.quickCost(r.idx, pcs); ok && c-r.cost >= best {
				continue
			}
			e := s.evalPieces(r.idx, pcs)
			if !e.ok || e.viol > 0 {
				continue
			}
			if d := e.cost - r.cost; d < best {
				best, bestR, bestP = d, r.idx, p
			}
		}
	}
	if bestR < 0 {
		return false
	}
	r := s.routes[bestR]
	s.mv.r1, s.mv.r2, s.mv.insert = bestR, -1, u
	s.mv.p1 = append(s.mv.a1[:0], rangePiece(r, 0, bestP), nodePiece(u), rangePiece(r, bestP+1, r.last()))
	s.apply()
	if len(in.p.Vehicles[bestR].Breaks) > 0 {
		s.placeBreaks(r)
	}
	return true
}

// warmStart builds the routes of Options.Initial: each listed job is
// inserted after the previous one of its list, at the cheapest feasible
// position before the end (breaks may lie between), or left unassigned when
// it fits nowhere there or the vehicle may not serve it.
func (s *search) warmStart(initial [][]int) {
	in := s.in
	for v, jobs := range initial {
		r := s.routes[v]
		after := r.lockEnd - 1 // position of the last placed job
		for _, j := range jobs {
			u := int32(j)
			if !s.eligible(u, v) || s.routeOf[u] >= 0 {
				continue
			}
			bestP, best := -1, int64(math.MaxInt64)
			for p := after; p < r.last(); p++ {
				pcs := append(s.mv.a1[:0], rangePiece(r, 0, p), nodePiece(u), rangePiece(r, p+1, r.last()))
				if e := s.evalPieces(v, pcs); e.ok && e.viol == 0 && e.cost < best {
					bestP, best = p, e.cost
				}
			}
			if bestP < 0 {
				continue
			}
			s.mv.r1, s.mv.r2, s.mv.insert = v, -1, u
			s.mv.p1 = append(s.mv.a1[:0], rangePiece(r, 0, bestP), nodePiece(u), rangePiece(r, bestP+1, r.last()))
			s.apply()
			if len(in.p.Vehicles[v].Breaks) > 0 {
				s.placeBreaks(r)
			}
			after = int(s.pos[u])
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
