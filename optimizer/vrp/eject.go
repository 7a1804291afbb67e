package vrp

// Insertion with ejections and random perturbation, the two moves of the
// ejection-pool route elimination of Nagata & Bräysy (2009), "A powerful
// route minimization heuristic for the vehicle routing problem with time
// windows", Oper. Res. Lett. 37(5), used by the fleet phase (fleet.go).

const (
	// ejectMax is the most jobs one insertion may eject (N&B's k_max).
	ejectMax = 5
	// ejectBudget bounds the nodes one route's enumeration may visit, so
	// that long routes (Solomon R2) cannot make one insertion explode.
	ejectBudget = 4000
	// ejectRoutes caps the routes tried: those serving one of u's nearest
	// jobs when there are more (as insertBest restricts its scan).
	ejectRoutes = 30
	// squeezeWeight multiplies the penalised local search's starting
	// violation penalty in squeeze: feasibility first, cost second.
	squeezeWeight = 10
)

// ejector enumerates, for one job u and one route, the insertion
// positions of u and the sets of at most ejectMax jobs of the route whose
// removal makes the insertion feasible, in lexicographic order (N&B
// section 3.2), and keeps the set with the smallest sum of the jobs'
// ejection counters p. A branch is cut as soon as a kept stop is reached
// late (the arrival at a stop only depends on the stops before it) or its
// counter sum reaches the best one found. Candidates that pass the time
// windows are checked in full by evalNodes (capacity, duration, breaks,
// task limit).
type ejector struct {
	s      *search
	u      int32
	r      *route
	p      []int64
	dm     []int64 // travel durations on the route vehicle's profile
	seq    []int32 // the new route under construction
	out    []int32 // jobs ejected on the current branch
	visits int
	limit  int // nodes one route's enumeration may visit; 0 = ejectBudget

	best    int64 // smallest counter sum found (over all routes tried)
	bestR   int
	bestSeq []int32
	bestOut []int32
}

// ejectInsert inserts unassigned job u into the route where the ejected
// jobs' counters p sum least, ejecting them to the unassigned set; it
// returns the ejected jobs (valid until the next call) and false when no
// route can take u even with ejections.
func (s *search) ejectInsert(u int32, p []int64) ([]int32, bool) {
	in := s.in
	e := &s.ej
	e.s, e.u, e.p = s, u, p
	e.best, e.bestR = 1<<62, -1
	routes := s.ejectCandidates(u)
	for _, ri := range routes {
		r := s.routes[ri]
		e.r = r
		e.dm = in.profDur[in.vProf[r.idx]]
		e.seq = append(e.seq[:0], r.nodes[:r.lockEnd]...)
		e.out = e.out[:0]
		e.visits = 0
		t := in.nodeSeg[r.nodes[0]].early
		cur := in.loc[r.nodes[0]]
		if r.lockEnd > 1 {
			var late bool
			if t, cur, late = e.timeAlong(r.nodes[1:r.lockEnd], t, cur); late {
				continue
			}
		}
		e.dfs(r.lockEnd, false, t, cur, 0)
	}
	if e.bestR < 0 {
		return nil, false
	}
	r := s.routes[e.bestR]
	r.nodes = append(r.nodes[:0], e.bestSeq...)
	s.update(r)
	s.removeUnassigned(u)
	for _, j := range e.bestOut {
		s.addUnassigned(j)
	}
	if len(in.p.Vehicles[r.idx].Breaks) > 0 {
		s.placeBreaks(r)
	}
	return e.bestOut, true
}

// ejectCandidates lists the used routes that may take u: all of them, or
// on large fleets those serving one of u's nearest jobs.
func (s *search) ejectCandidates(u int32) []int32 {
	in := s.in
	list := s.rmBuf[:0]
	restrict := len(s.routes) > ejectRoutes
	if restrict {
		s.routeMark++
		for _, c := range in.adjacent[u][:min(len(in.adjacent[u]), 40)] {
			if r := s.routeOf[c]; r >= 0 {
				s.marks[r] = s.routeMark
			}
		}
	}
	for _, r := range s.routes {
		if r.nJobs == 0 || !s.eligible(u, r.idx) || (restrict && s.marks[r.idx] != s.routeMark) {
			continue
		}
		list = append(list, int32(r.idx))
	}
	s.rng.Shuffle(len(list), func(a, b int) { list[a], list[b] = list[b], list[a] })
	s.rmBuf = list
	return list
}

// timeAlong runs the forward pass (forward's, without slack) over nodes
// from time t at location cur; late reports a stop reached after its last
// window.
func (e *ejector) timeAlong(nodes []int32, t int64, cur int32) (int64, int32, bool) {
	for _, n := range nodes {
		var late bool
		if t, cur, late = e.step(n, t, cur); late {
			return t, cur, true
		}
	}
	return t, cur, false
}

func (e *ejector) step(n int32, t int64, cur int32) (int64, int32, bool) {
	in := e.s.in
	l := in.loc[n]
	if cur >= 0 && l >= 0 {
		t += e.dm[int(cur)*in.nLoc+int(l)]
	}
	if l >= 0 {
		cur = l
	}
	start, _, late := windowAt(in.windows[n], t)
	return start + in.nodeSeg[n].dur, cur, late > 0
}

// dfs decides the node at position i of the route (and whether u goes
// before it), e.seq holding the kept nodes so far, reached at time t at
// location cur with counter sum psum.
func (e *ejector) dfs(i int, inserted bool, t int64, cur int32, psum int64) {
	e.visits++
	if (e.visits > ejectBudget && e.limit == 0) || (e.limit > 0 && e.visits > e.limit) || psum >= e.best {
		return
	}
	r := e.r
	if !inserted {
		if t2, c2, late := e.step(e.u, t, cur); !late {
			e.seq = append(e.seq, e.u)
			e.dfs(i, true, t2, c2, psum)
			e.seq = e.seq[:len(e.seq)-1]
		}
	}
	n := r.nodes[i]
	if i == r.last() {
		if !inserted {
			return
		}
		if _, _, late := e.step(n, t, cur); late {
			return
		}
		e.seq = append(e.seq, n)
		e.leaf(psum)
		e.seq = e.seq[:len(e.seq)-1]
		return
	}
	// keep n
	if t2, c2, late := e.step(n, t, cur); !late {
		e.seq = append(e.seq, n)
		e.dfs(i+1, inserted, t2, c2, psum)
		e.seq = e.seq[:len(e.seq)-1]
	}
	// eject n
	if e.s.isJob(n) && len(e.out) < ejectMax && psum+e.p[n] < e.best {
		e.out = append(e.out, n)
		e.dfs(i+1, inserted, t, cur, psum+e.p[n])
		e.out = e.out[:len(e.out)-1]
	}
}

// leaf checks a complete candidate route in full and keeps it if better.
func (e *ejector) leaf(psum int64) {
	ev := e.s.evalNodes(e.r.idx, e.seq)
	if !ev.ok || ev.viol > 0 {
		return
	}
	e.best, e.bestR = psum, e.r.idx
	e.bestSeq = append(e.bestSeq[:0], e.seq...)
	e.bestOut = append(e.bestOut[:0], e.out...)
}

// perturb applies n random feasible moves (relocate, swap, 2-opt* between
// a random job and one of its neighbours), whatever their cost: N&B's
// perturbation, which lets the ejection counters see other routes.
func (s *search) perturb(n int) {
	in := s.in
	saved := s.exact
	s.exact = true
	defer func() { s.exact = saved }()
	for k := 0; k < n; k++ {
		u := int32(s.rng.Intn(in.nJobs))
		if s.routeOf[u] < 0 || len(in.neighbours[u]) == 0 {
			continue
		}
		v := in.neighbours[u][s.rng.Intn(len(in.neighbours[u]))]
		if s.routeOf[v] < 0 {
			continue
		}
		var ok bool
		switch s.rng.Intn(3) {
		case 0:
			ok = s.exchange(u, v, 1, 0, false)
		case 1:
			ok = s.exchange(u, v, 1, 1, false)
		default:
			ok = s.twoOptStar(u, v)
		}
		if ok {
			s.apply()
		}
	}
}

// squeeze is N&B's squeeze step: insert u where it violates least (time
// warp, excess load and duration, summed as the penalised local search
// counts them), then let the local search with a violation penalty far
// above any cost change move jobs until the routes are feasible. It keeps
// the result and returns true when every route is feasible, and otherwise
// puts the solution back as it was.
func (s *search) squeeze(u int32, order []int32, back *snapshot) bool {
	bestV, bestC := int64(1)<<62, int64(1)<<62
	bestR, bestP := -1, -1
	for _, ri := range s.ejectCandidates(u) {
		r := s.routes[ri]
		for p := r.lockEnd - 1; p < r.last(); p++ {
			pcs := append(s.mv.a1[:0], rangePiece(r, 0, p), nodePiece(u), rangePiece(r, p+1, r.last()))
			e := s.evalPieces(r.idx, pcs)
			if !e.ok {
				continue
			}
			if d := e.cost - r.cost; e.viol < bestV || (e.viol == bestV && d < bestC) {
				bestV, bestC, bestR, bestP = e.viol, d, r.idx, p
			}
		}
	}
	if bestR < 0 {
		return false
	}
	s.save(back)
	r := s.routes[bestR]
	s.mv.r1, s.mv.r2, s.mv.insert = bestR, -1, u
	s.mv.p1 = append(s.mv.a1[:0], rangePiece(r, 0, bestP), nodePiece(u), rangePiece(r, bestP+1, r.last()))
	s.apply()
	for _, n := range r.nodes {
		if s.isJob(n) {
			s.dirty[n] = true
		}
	}
	s.lambda = s.lambdaStart() * squeezeWeight
	s.localSearch(order)
	s.lambda = 0
	if s.infeasible() {
		s.restore(back)
		return false
	}
	return true
}
