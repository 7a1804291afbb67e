package vrp

import (
	"math"
	"sort"
)

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
