package vrp

// localSearch applies improving moves until none is left (first
// improvement), over granular neighbourhoods: for each job u (in random
// order) and each of its k nearest jobs v, every operator is tried on (u, v)
// and on (u, start node of v's route) when v is first in its route, after
// Vidal (2022) and PyVRP's LocalSearch. A pair is skipped when neither
// route changed since u was last tested (see the deviation below).
// Unassigned jobs are inserted when feasible (their penalty makes any
// feasible insertion improving). The search only accepts feasible routes.
//
// Deviation: instead of PyVRP's per-route lastModified test, u is only
// retested when an arc at u or at one of its neighbours changed (don't-look
// bits); slack changes elsewhere in a route do not wake u. This trades a
// little local-search depth for many more outer iterations.
func (s *search) localSearch(order []int32) {
	in := s.in
	for pass := 0; ; pass++ {
		improved := false
		for _, u := range order {
			if s.routeOf[u] < 0 {
				if s.insertUnassigned(u) {
					improved = true
				}
				continue
			}
			if !s.dirty[u] {
				continue
			}
			s.dirty[u] = false
			for _, v := range in.neighbours[u] {
				if s.routeOf[u] < 0 {
					break
				}
				rv := s.routeOf[v]
				if rv < 0 {
					continue
				}
				if s.tryOps(u, v) {
					improved = true
					continue
				}
				r := s.routes[s.routeOf[v]]
				if s.pos[v] == int32(r.lockEnd) {
					if s.tryOps(u, r.nodes[r.lockEnd-1]) {
						improved = true
					}
				}
			}
			if s.routeOf[u] >= 0 && s.tryEmpty(u) {
				improved = true
			}
		}
		if !improved {
			break
		}
	}
	for _, r := range s.routes {
		if len(in.p.Vehicles[r.idx].Breaks) > 0 && r.nJobs > 0 {
			s.placeBreaks(r)
		}
	}
}

func (s *search) tryOps(u, v int32) bool {
	for k := range operators {
		if operators[k].eval(s, u, v) && s.mv.delta < 0 {
			s.apply()
			return true
		}
	}
	return false
}

// tryEmpty moves u into an empty route when that lowers the cost: one empty
// route per vehicle class is tried.
func (s *search) tryEmpty(u int32) bool {
	r := s.emptyRoute(u)
	if r == nil {
		return false
	}
	if s.exchange(u, r.nodes[0], 1, 0, false) && s.mv.delta < 0 {
		s.apply()
		return true
	}
	return false
}

// emptyRoute returns the first route without jobs that u may use, or nil
// (always nil while the fleet phase keeps the used routes fixed).
func (s *search) emptyRoute(u int32) *route {
	if s.fixedFleet {
		return nil
	}
	for _, r := range s.routes {
		if r.nJobs == 0 && r.lockEnd == 1 && s.eligible(u, r.idx) {
			return r
		}
	}
	return nil
}

// insertUnassigned inserts u at its cheapest feasible place next to its
// neighbours or in an empty route.
func (s *search) insertUnassigned(u int32) bool {
	best := int64(1) << 62
	var bestMv move
	found := false
	try := func(v int32) {
		if s.exchange(u, v, 1, 0, false) && s.mv.delta < best {
			best, found = s.mv.delta, true
			bestMv = s.mv
		}
	}
	for _, v := range s.in.neighbours[u] {
		rv := s.routeOf[v]
		if rv < 0 {
			continue
		}
		r := s.routes[rv]
		try(v)
		if p := int(s.pos[v]); p > 0 {
			try(r.nodes[p-1])
		}
	}
	if r := s.emptyRoute(u); r != nil {
		try(r.nodes[0])
	}
	if !found {
		return false
	}
	s.mv = bestMv
	s.mv.p1 = s.mv.a1[:len(bestMv.p1)]
	s.apply()
	return true
}
