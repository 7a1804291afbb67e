package vrp

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
