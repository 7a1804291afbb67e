package vrp

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
