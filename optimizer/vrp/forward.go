package vrp

import "math"

// evalNodes evaluates an explicit node sequence (start node ... end node)
// of vehicle v. With single windows it folds segments; with several
// windows (a job's or a break's) it runs the forward pass of simulate,
// choosing at each stop the earliest window not yet passed, then delays the
// departure by the forward time slack (as bestDeparture does), so that the
// search and the reported schedule agree.
func (s *search) evalNodes(v int, nodes []int32) eval {
	in := s.in
	var jobs int32
	cls := in.vClass[v]
	slow := in.vehFwd[v]
	for _, n := range nodes {
		if int(n) < in.nJobs {
			jobs++
		}
		if in.multiV(n, cls) {
			slow = true
		}
	}
	if jobs == 0 {
		return eval{ok: true}
	}
	if jobs > in.maxTasks[v] {
		return eval{}
	}
	if slow {
		return s.forward(v, nodes, false)
	}
	load := s.sumLoad(nodes)
	acc := in.segV(nodes[0], cls)
	for _, n := range nodes[1:] {
		acc = in.merge(acc, in.segV(n, cls)) // single nodes: travel right before each located one
	}
	return s.finish(v, acc.dur, acc.tw, acc.travel, acc.metric, load)
}

// sumLoad sums the nodes' amounts into s.load and returns it.
func (s *search) sumLoad(nodes []int32) []int64 {
	in := s.in
	load := s.load
	for d := range load {
		load[d] = 0
	}
	for _, n := range nodes {
		for d := range load {
			load[d] += in.amounts[int(n)*in.dims+d]
		}
	}
	return load
}

// forward evaluates a node sequence with at least one job and at most the
// vehicle's task limit by the forward pass (evalNodes' slow path; evalPieces
// calls it directly, having counted the jobs). With feasOnly (no violation
// penalty in the search: any violation rejects the route) it stops at the
// first late stop and returns that lateness as the violation, without the
// cost.
func (s *search) forward(v int, nodes []int32, feasOnly bool) eval {
	in := s.in
	load := s.sumLoad(nodes)
	// Forward pass from the earliest departure, on the vehicle's profile.
	prof := in.vProf[v]
	dm, mm, xm := in.profDur[prof], in.profMetric[prof], in.profDist[prof]
	veh := &in.p.Vehicles[v]
	if in.mixed {
		// Exact load profile: everything delivered is on board at the
		// start; each stop drops its delivery and takes its pickup. load
		// becomes the peak per dimension.
		cur := s.load2
		for d := range cur {
			cur[d] = 0
		}
		for _, n := range nodes {
			for d := range cur {
				cur[d] += in.deliv[int(n)*in.dims+d]
			}
		}
		copy(load, cur)
		for _, n := range nodes {
			for d := range cur {
				cur[d] += in.pick[int(n)*in.dims+d] - in.deliv[int(n)*in.dims+d]
				load[d] = max(load[d], cur[d])
			}
		}
	}
	depart := in.nodeSeg[nodes[0]].early
	t := depart
	var travel, metric, dist, tw, wait int64
	slack := int64(math.MaxInt64)
	cur := in.loc[nodes[0]]
	for k := 1; k < len(nodes); k++ {
		n := nodes[k]
		l := in.loc[n]
		if cur >= 0 && l >= 0 {
			x := int(cur)*in.nLoc + int(l)
			t += dm[x]
			travel += dm[x]
			metric += mm[x]
			if xm != nil {
				dist += xm[x]
			}
		}
		if l >= 0 {
			cur = l
		}
		start, end, late := windowAt(in.windows[n], t)
		if late > 0 && feasOnly {
			return eval{viol: late, ok: true}
		}
		tw += late
		wait += start - t
		if k < len(nodes)-1 {
			slack = min(slack, wait+end-start)
		} else {
			slack = min(slack, wait+end-t) // end node: arrival bounded by the shift
		}
		t = start + in.nodeSeg[n].dur
	}
	dur := t - depart
	if tw == 0 {
		dur -= max(min(slack, wait), 0)
	}
	e := s.finish(v, dur, tw, travel, metric, load)
	if veh.MaxDistance > 0 && dist > veh.MaxDistance {
		e.viol += dist - veh.MaxDistance
	}
	return e
}

// windowAt is windowStart on sorted, non-overlapping windows (instance
// windows), with the end of the window taken: service starts at the later
// of t and the start of the first window not yet passed; after the last
// window it starts at t, late by t minus its end (end is then Horizon).
func windowAt(ws []TimeWindow, t int64) (start, end, late int64) {
	for _, w := range ws {
		if w.End >= t {
			return max(w.Start, t), w.End, 0
		}
	}
	if len(ws) == 0 {
		return t, Horizon, 0
	}
	return t, Horizon, t - ws[len(ws)-1].End
}
