package vrp

import "math"

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
	// seed: a random routed job.
	var seed int32
	for {
		seed = int32(s.rng.Intn(in.nJobs))
		if s.routeOf[seed] >= 0 {
			break
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
