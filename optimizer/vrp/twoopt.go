package vrp

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
