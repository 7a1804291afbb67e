package vrp

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
