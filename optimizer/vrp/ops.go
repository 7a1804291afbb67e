package vrp

// operator evaluates one kind of move for the pair (u, v), where v is a
// neighbour of u (or the start node of a route). It fills s.mv and returns
// whether the move is feasible (then s.mv.delta is the exact change of the
// objective); it never applies the move and never allocates.
type operator struct {
	name string
	eval func(s *search, u, v int32) bool
}

// operators are the local search neighbourhoods, in the order tried.
// Relocate and swap variants follow PyVRP's Exchange<N, M> (and HGS-CVRP's
// moves 1-6, Vidal 2022), 2-opt* and 2-opt follow HGS-CVRP's moves 7-9.
var operators = []operator{
	{"relocate1", func(s *search, u, v int32) bool { return s.exchange(u, v, 1, 0, false) }},
	{"relocate2", func(s *search, u, v int32) bool { return s.exchange(u, v, 2, 0, false) }},
	{"relocate2rev", func(s *search, u, v int32) bool { return s.exchange(u, v, 2, 0, true) }},
	{"swap11", func(s *search, u, v int32) bool { return s.exchange(u, v, 1, 1, false) }},
	{"swap21", func(s *search, u, v int32) bool { return s.exchange(u, v, 2, 1, false) }},
	{"swap22", func(s *search, u, v int32) bool { return s.exchange(u, v, 2, 2, false) }},
	{"twoOptStar", func(s *search, u, v int32) bool { return s.twoOptStar(u, v) }},
	{"twoOpt", func(s *search, u, v int32) bool { return s.twoOpt(u, v) }},
}

// arc is the linear arc cost from node a to node b (0 when either has no
// location, like an open route end).
func (s *search) arc(a, b int32) int64 {
	in := s.in
	la, lb := in.loc[a], in.loc[b]
	if la < 0 || lb < 0 {
		return 0
	}
	return in.arcC[int(la)*in.nLoc+int(lb)]
}

// screenable reports whether a route's cost change can be screened by arc
// deltas: linear costs, travel on the cached profile, and the route stays
// used. Breaks have no location: arcs run between located nodes
// (locBefore, locAfter). With a soft duration limit the change is at
// least the arc delta minus the route's current overtime (screenBound).
func (s *search) screenable(r *route, jobsAfter int) bool {
	return s.in.linear && !s.exact && !s.in.vehFwd[r.idx] && r.nJobs > 0 && jobsAfter > 0
}

// screenBound is what a move on routes a and b (b may equal a) can gain
// beyond its arc delta: the violation penalty it may remove (violBound)
// and the overtime it may save.
func (s *search) screenBound(a, b *route) int64 {
	v := s.violBound(a, b) + a.over
	if b != a {
		v += b.over
	}
	return v
}

// locBefore is the last node at or before position p of r that has a
// location; locAfter the first at or after p. When there is none, the node
// at p itself (it has no location either: its arcs are 0, as for an open
// route end).
func locBefore(r *route, p int) int32 {
	if k := r.locPrev[p]; k >= 0 {
		return r.nodes[k]
	}
	return r.nodes[p]
}

func locAfter(r *route, p int) int32 {
	if k := r.locNext[p]; k >= 0 {
		return r.nodes[k]
	}
	return r.nodes[p]
}

// violBound is what a move on routes a and b (b may equal a) can gain at
// most from removing violation: lambda times their current violation. A
// move whose cost delta reaches it cannot improve the penalised objective.
func (s *search) violBound(a, b *route) int64 {
	if s.lambda == 0 {
		return 0
	}
	v := a.viol
	if b != a {
		v += b.viol
	}
	return s.lambda * v
}

// arcSum is the linear arc cost inside positions i..j of r (no breaks).
func (s *search) arcSum(r *route, i, j int) int64 {
	if s.in.arcFromMetric {
		return r.pre[j].metric - r.pre[i].metric
	}
	return r.pre[j].travel - r.pre[i].travel
}

// movable reports whether positions i..i+n-1 of r are jobs that may move.
func (s *search) movable(r *route, i, n int) bool {
	if i < r.lockEnd || i+n-1 >= r.last() {
		return false
	}
	for k := i; k < i+n; k++ {
		if !s.isJob(r.nodes[k]) {
			return false
		}
	}
	return true
}

// exchange moves the n nodes starting at u (reversed if rev) to where the m
// nodes starting at v are, and those m nodes to where u's were; m == 0
// inserts u's nodes after v. u may be unassigned only when n == 1 and
// m == 0 (insertion of an unassigned job).
func (s *search) exchange(u, v int32, n, m int, rev bool) bool {
	mv := &s.mv
	mv.insert = -1
	rvIdx := s.routeOf[v]
	if rvIdx < 0 || u == v {
		return false
	}
	rv := s.routes[rvIdx]
	pv := int(s.pos[v])
	if m == 0 {
		if pv < rv.lockEnd-1 || pv >= rv.last() {
			return false
		}
	} else if !s.movable(rv, pv, m) {
		return false
	}
	ruIdx := s.routeOf[u]
	if ruIdx < 0 {
		// Insertion of an unassigned job after v.
		if n != 1 || m != 0 || !s.eligible(u, rv.idx) {
			return false
		}
		mv.r1, mv.r2, mv.insert = int(rvIdx), -1, u
		mv.p1 = append(mv.a1[:0], rangePiece(rv, 0, pv), nodePiece(u), rangePiece(rv, pv+1, rv.last()))
		return s.evalMove()
	}
	ru := s.routes[ruIdx]
	pu := int(s.pos[u])
	if !s.movable(ru, pu, n) {
		return false
	}
	a := rangePiece(ru, pu, pu+n-1)
	if rev {
		if n != 2 {
			return false // the arc screen below handles reversed pairs only
		}
		a = revPiece(ru, pu, pu+n-1)
	}
	apart := ru != rv || (m == 0 && (pv < pu-1 || pv >= pu+n)) || (m > 0 && (pu+n < pv || pv+m < pu))
	// Within one route, breaks between the two places could make their
	// located neighbours overlap: no screen there.
	apart = apart && (ru != rv || ru.cumBrk[ru.last()] == 0)
	if apart && s.screenable(ru, ru.nJobs-n+m) && s.screenable(rv, rv.nJobs) {
		// O(1) arc delta over disjoint arc sets (fixed costs do not change:
		// both routes stay used). The moved nodes are jobs (movable), so
		// located; their neighbours may be breaks, which travel skips.
		un, vn := ru.nodes, rv.nodes
		aFirst, aLast := un[pu], un[pu+n-1]
		uPrev, uNext := locBefore(ru, pu-1), locAfter(ru, pu+n)
		var d int64
		if rev {
			aFirst, aLast = aLast, aFirst
			d += s.arc(un[pu+1], un[pu]) - s.arc(un[pu], un[pu+1])
		}
		if m == 0 {
			vNext := locAfter(rv, pv+1)
			d += s.arc(uPrev, uNext) - s.arc(uPrev, un[pu]) - s.arc(un[pu+n-1], uNext)
			d += s.arc(vn[pv], aFirst) + s.arc(aLast, vNext) - s.arc(vn[pv], vNext)
		} else {
			vPrev, vNext := locBefore(rv, pv-1), locAfter(rv, pv+m)
			d += s.arc(uPrev, vn[pv]) + s.arc(vn[pv+m-1], uNext) - s.arc(uPrev, un[pu]) - s.arc(un[pu+n-1], uNext)
			d += s.arc(vPrev, aFirst) + s.arc(aLast, vNext) - s.arc(vPrev, vn[pv]) - s.arc(vn[pv+m-1], vNext)
		}
		if d >= s.screenBound(ru, rv) {
			return false
		}
	}
	if ru != rv {
		if !s.rangeEligible(ru, pu, pu+n-1, rv.idx) || (m > 0 && !s.rangeEligible(rv, pv, pv+m-1, ru.idx)) {
			return false
		}
		mv.r1, mv.r2 = ru.idx, rv.idx
		if m > 0 {
			mv.p1 = append(mv.a1[:0], rangePiece(ru, 0, pu-1), rangePiece(rv, pv, pv+m-1), rangePiece(ru, pu+n, ru.last()))
			mv.p2 = append(mv.a2[:0], rangePiece(rv, 0, pv-1), a, rangePiece(rv, pv+m, rv.last()))
		} else {
			mv.p1 = append(mv.a1[:0], rangePiece(ru, 0, pu-1), rangePiece(ru, pu+n, ru.last()))
			mv.p2 = append(mv.a2[:0], rangePiece(rv, 0, pv), a, rangePiece(rv, pv+1, rv.last()))
		}
		return s.evalMove()
	}
	// Same route.
	r := ru
	mv.r1, mv.r2 = r.idx, -1
	last := r.last()
	switch {
	case m == 0 && pv >= pu && pv < pu+n:
		return false // v inside u's nodes
	case m == 0 && pv == pu-1 && !rev:
		return false // no-op
	case m == 0 && pv < pu:
		mv.p1 = append(mv.a1[:0], rangePiece(r, 0, pv), a, rangePiece(r, pv+1, pu-1), rangePiece(r, pu+n, last))
	case m == 0: // pv >= pu+n
		mv.p1 = append(mv.a1[:0], rangePiece(r, 0, pu-1), rangePiece(r, pu+n, pv), a, rangePiece(r, pv+1, last))
	case pu+n-1 < pv:
		mv.p1 = append(mv.a1[:0], rangePiece(r, 0, pu-1), rangePiece(r, pv, pv+m-1), rangePiece(r, pu+n, pv-1), a, rangePiece(r, pv+m, last))
	case pv+m-1 < pu:
		mv.p1 = append(mv.a1[:0], rangePiece(r, 0, pv-1), a, rangePiece(r, pv+m, pu-1), rangePiece(r, pv, pv+m-1), rangePiece(r, pu+n, last))
	default:
		return false // overlap
	}
	return s.evalMove()
}

// twoOptStar exchanges the tails after u and after v of two routes (each
// route keeps its own end node). v may be a start node. Breaks stay with
// their vehicle: a break in a route's tail is taken at the junction, right
// after u (v), and the tail that moves leaves its breaks behind
// (placeBreaks moves them later where they fit best). A team's afternoon
// thus moves to another team after its lunch.
func (s *search) twoOptStar(u, v int32) bool {
	mv := &s.mv
	mv.insert = -1
	ruIdx, rvIdx := s.routeOf[u], s.routeOf[v]
	if ruIdx < 0 || rvIdx < 0 || ruIdx == rvIdx {
		return false
	}
	ru, rv := s.routes[ruIdx], s.routes[rvIdx]
	pu, pv := int(s.pos[u]), int(s.pos[v])
	if pu < ru.lockEnd-1 || pv < rv.lockEnd-1 || pu >= ru.last() || pv >= rv.last() {
		return false
	}
	lu, lv := ru.last(), rv.last()
	if !s.rangeEligible(ru, pu+1, lu-1, rv.idx) || !s.rangeEligible(rv, pv+1, lv-1, ru.idx) {
		return false
	}
	jobsU := int(ru.cumJobs[pu] + rv.cumJobs[lv] - rv.cumJobs[pv])
	jobsV := int(rv.cumJobs[pv] + ru.cumJobs[lu] - ru.cumJobs[pu])
	if s.screenable(ru, jobsU) && s.screenable(rv, jobsV) {
		un, vn := ru.nodes, rv.nodes
		d := -s.arcSum(ru, pu, lu) - s.arcSum(rv, pv, lv)
		d += s.throughArcs(un[pu], rv, pv+1, lv-1, un[lu])
		d += s.throughArcs(vn[pv], ru, pu+1, lu-1, vn[lv])
		if d >= s.screenBound(ru, rv) {
			return false
		}
	}
	mv.r1, mv.r2 = ru.idx, rv.idx
	mv.p1 = s.joinTail(mv.a1[:0], ru, pu, rv, pv)
	mv.p2 = s.joinTail(mv.a2[:0], rv, pv, ru, pu)
	return s.evalMove()
}

// joinTail appends the pieces of r's positions 0..p, r's breaks after p,
// the tail of o after q without o's breaks, and r's end node.
func (s *search) joinTail(pcs []piece, r *route, p int, o *route, q int) []piece {
	in := s.in
	pcs = append(pcs, rangePiece(r, 0, p))
	if brkIn(r, p+1, r.last()-1) {
		for k := p + 1; k < r.last(); k++ {
			if n := r.nodes[k]; in.brkVeh[n] >= 0 {
				pcs = append(pcs, nodePiece(n))
			}
		}
	}
	from := q + 1
	if brkIn(o, q+1, o.last()-1) {
		for k := q + 1; k < o.last(); k++ {
			if in.brkVeh[o.nodes[k]] >= 0 {
				pcs = append(pcs, rangePiece(o, from, k-1))
				from = k + 1
			}
		}
	}
	return append(pcs, rangePiece(o, from, o.last()-1), nodePiece(r.nodes[r.last()]))
}

// throughArcs is the linear arc cost from node a through the located
// nodes at positions i..j of r (breaks skipped) to node b.
func (s *search) throughArcs(a int32, r *route, i, j int, b int32) int64 {
	if i <= j {
		if f := int(r.locNext[i]); f >= 0 && f <= j {
			l := int(r.locPrev[j])
			return s.arc(a, r.nodes[f]) + s.arcSum(r, f, l) + s.arc(r.nodes[l], b)
		}
	}
	return s.arc(a, b)
}

// brkIn reports whether positions i..j of r hold a break.
func brkIn(r *route, i, j int) bool {
	if i > j {
		return false
	}
	c := r.cumBrk[j]
	if i > 0 {
		c -= r.cumBrk[i-1]
	}
	return c > 0
}

// twoOpt reverses the nodes after u up to v within one route.
func (s *search) twoOpt(u, v int32) bool {
	mv := &s.mv
	mv.insert = -1
	ruIdx := s.routeOf[u]
	if ruIdx < 0 || ruIdx != s.routeOf[v] {
		return false
	}
	r := s.routes[ruIdx]
	pu, pv := int(s.pos[u]), int(s.pos[v])
	if pu > pv {
		pu, pv = pv, pu
	}
	if pv-pu < 2 || pu < r.lockEnd-1 || pv >= r.last() {
		return false
	}
	mv.r1, mv.r2 = r.idx, -1
	mv.p1 = append(mv.a1[:0], rangePiece(r, 0, pu), revPiece(r, pu+1, pv), rangePiece(r, pv+1, r.last()))
	return s.evalMove()
}
