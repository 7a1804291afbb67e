package vrp

import "math"

// route is a mutable search route (after PyVRP's search::Route): the node
// sequence including the vehicle's start and end nodes, with cached
// prefix and suffix segments, cumulative loads and counters so that any
// move touching at most two routes is evaluated by merging a handful of
// segments. Only the routes a move touched are recomputed (update).
type route struct {
	idx   int // = vehicle index
	nodes []int32
	// Segments on the route's vehicle class. pre[i]: nodes[0..i].
	// suf[i]: nodes[i..last]; sufX[i]: nodes[i..last-1] (without the end
	// node), i < last. A suffix that starts with nodes without location
	// (breaks) is stored without them, as the suffix from its first
	// located node (see suffixes), unless it has none.
	pre     []seg
	suf     []seg
	sufX    []seg
	cumLoad []int64 // (i*dims+d): loads of nodes[0..i]
	cumJobs []int32
	cumBrk  []int32
	cumMult []int32 // nodes with several windows on this vehicle
	cumDep  []int32 // nodes whose segment depends on the vehicle class (instance.multiIdx)
	revT    []int64 // revT[i]: travel of the reversed arcs nodes[i]→nodes[i-1]→…→nodes[0]
	revM    []int64 // revM[i]: same for the metric
	// locNext[i] / locPrev[i]: the first position >= i / last position <= i
	// of a node with a location (not a break or an open end), -1 if none.
	// The travel sums above skip nodes without location, so the arcs inside
	// positions i..j are those between locNext[i] and locPrev[j].
	locNext, locPrev []int32
	lockEnd          int // positions < lockEnd must not change (start node, locked jobs); set by update

	cost     int64 // objective cost of the route, 0 when it serves no job
	over     int64 // the part of cost that is overtime (Vehicle.SoftMaxDuration), for the arc screens' bound
	viol     int64 // time warp + excess duration/travel/load (0 = feasible)
	nJobs    int
	modified int // search timestamp of the last change
}

func (r *route) last() int { return len(r.nodes) - 1 }

// update recomputes all caches of r from r.nodes; O(len).
func (s *search) update(r *route) {
	in := s.in
	n := len(r.nodes)
	grow := func(x []seg) []seg {
		if cap(x) < n {
			return make([]seg, n, 2*n)
		}
		return x[:n]
	}
	r.pre, r.suf, r.sufX = grow(r.pre), grow(r.suf), grow(r.sufX)
	if cap(r.cumLoad) < n*in.dims {
		r.cumLoad = make([]int64, n*in.dims, 2*n*in.dims)
	}
	r.cumLoad = r.cumLoad[:n*in.dims]
	if cap(r.cumJobs) < n {
		r.cumJobs, r.cumBrk, r.cumMult, r.cumDep = make([]int32, n, 2*n), make([]int32, n, 2*n), make([]int32, n, 2*n), make([]int32, n, 2*n)
	}
	r.cumJobs, r.cumBrk, r.cumMult, r.cumDep = r.cumJobs[:n], r.cumBrk[:n], r.cumMult[:n], r.cumDep[:n]
	cls := in.vClass[r.idx]
	if cap(r.revT) < n {
		r.revT, r.revM = make([]int64, n, 2*n), make([]int64, n, 2*n)
	}
	r.revT, r.revM = r.revT[:n], r.revM[:n]
	if cap(r.locNext) < n {
		r.locNext, r.locPrev = make([]int32, n, 2*n), make([]int32, n, 2*n)
	}
	r.locNext, r.locPrev = r.locNext[:n], r.locPrev[:n]
	lastLoc := int32(-1)
	var jobs, brk, mult, dep int32
	r.lockEnd = 1
	for i, node := range r.nodes {
		if in.locked[node] {
			r.lockEnd = i + 1
		}
		s.pos[node] = int32(i)
		s.routeOf[node] = int32(r.idx)
		np, nn := int32(-1), int32(-1)
		if i > 0 {
			np = r.nodes[i-1]
		}
		if i+1 < n {
			nn = r.nodes[i+1]
		}
		if s.prevOf[node] != np || s.nextOf[node] != nn {
			s.prevOf[node], s.nextOf[node] = np, nn
			s.touch(node)
		}
		if i == 0 {
			r.pre[0] = in.segV(node, cls)
		} else {
			r.pre[i] = in.merge(r.pre[i-1], in.segV(node, cls))
		}
		if int(node) < in.nJobs {
			jobs++
		} else if in.brkVeh[node] >= 0 {
			brk++
		}
		if in.multiV(node, cls) {
			mult++
		}
		if in.multiIdx[node] >= 0 {
			dep++
		}
		r.cumJobs[i], r.cumBrk[i], r.cumMult[i], r.cumDep[i] = jobs, brk, mult, dep
		if i == 0 {
			r.revT[0], r.revM[0] = 0, 0
		} else {
			r.revT[i], r.revM[i] = r.revT[i-1], r.revM[i-1]
			if a := in.loc[node]; a >= 0 && lastLoc >= 0 {
				k := int(a)*in.nLoc + int(in.loc[r.nodes[lastLoc]])
				r.revT[i] += in.dur[k]
				r.revM[i] += in.metric[k]
			}
		}
		if in.loc[node] >= 0 {
			lastLoc = int32(i)
		}
		r.locPrev[i] = lastLoc
		for d := 0; d < in.dims; d++ {
			v := in.amounts[int(node)*in.dims+d]
			if i > 0 {
				v += r.cumLoad[(i-1)*in.dims+d]
			}
			r.cumLoad[i*in.dims+d] = v
		}
	}
	next := int32(-1)
	for i := n - 1; i >= 0; i-- {
		if in.loc[r.nodes[i]] >= 0 {
			next = int32(i)
		}
		r.locNext[i] = next
	}
	s.suffixes(r, r.suf, n-1)
	if n >= 2 {
		s.suffixes(r, r.sufX, n-2)
	}
	r.nJobs = int(jobs)
	c := s.evalNodes(r.idx, r.nodes)
	r.cost, r.viol = c.cost, c.viol
	r.over = 0
	if jobs > 0 && !in.vehFwd[r.idx] {
		r.over = r.cost - s.routeCost(r.idx, r.pre[n-1].travel, r.pre[n-1].metric)
	}
	s.stamp++
	r.modified = s.stamp
}

// suffixes fills out[i] for the suffixes nodes[i..end] of r (see
// route.suf). Travel to a located node comes right before it, after any
// breaks, which are taken where the vehicle is: a located node i is
// merged with the breaks that follow it (no travel), then with the stored
// suffix of the next located node (travel). O(end).
func (s *search) suffixes(r *route, out []seg, end int) {
	in := s.in
	cls := in.vClass[r.idx]
	next := -1 // first located position > i, <= end
	for i := end; i >= 0; i-- {
		node := r.nodes[i]
		sg := in.segV(node, cls)
		if in.loc[node] < 0 {
			if next >= 0 {
				out[i] = out[next]
			} else if i == end {
				out[i] = sg
			} else {
				out[i] = in.merge(sg, out[i+1]) // no located node after: no travel
			}
			continue
		}
		stop := end + 1
		if next >= 0 {
			stop = next
		}
		for k := i + 1; k < stop; k++ {
			sg = in.merge(sg, in.segV(r.nodes[k], cls))
		}
		if next >= 0 {
			sg = in.merge(sg, out[next])
		}
		out[i] = sg
		next = i
	}
}

// piece is part of a candidate route: positions i..j (inclusive) of route
// r, possibly reversed, or a single node when node >= 0. i > j is empty.
type piece struct {
	r    *route
	i, j int32
	node int32
	rev  bool
}

func nodePiece(node int32) piece          { return piece{node: node} }
func rangePiece(r *route, i, j int) piece { return piece{r: r, i: int32(i), j: int32(j), node: -1} }
func revPiece(r *route, i, j int) piece {
	return piece{r: r, i: int32(i), j: int32(j), node: -1, rev: true}
}

func (pc *piece) empty() bool { return pc.node < 0 && pc.i > pc.j }

// depIn counts the nodes at positions i..j whose segment depends on the
// vehicle class (see instance.clipSeg).
func (r *route) depIn(i, j int) int32 {
	d := r.cumDep[j]
	if i > 0 {
		d -= r.cumDep[i-1]
	}
	return d
}

// foldPiece merges the segment of a piece, on a vehicle of class cls,
// into acc (the candidate route so far; started is false before the
// first piece). A piece that starts with nodes without location (breaks,
// taken where the vehicle is) merges in two steps, those nodes first,
// then the rest from its first located node: the travel into the piece
// then comes after its leading breaks, as in the forward pass. O(1) for
// prefixes, suffixes (plus their leading breaks) and single nodes of a
// route of the same class; otherwise O(length).
func (s *search) foldPiece(acc *seg, started bool, pc *piece, cls int32) {
	in := s.in
	add := func(sg *seg) {
		if started {
			in.mergeInto(acc, sg)
		} else {
			*acc, started = *sg, true
		}
	}
	if pc.node >= 0 {
		sg := in.segV(pc.node, cls)
		add(&sg)
		return
	}
	r, i, j := pc.r, int(pc.i), int(pc.j)
	cached := (!pc.rev || i == j) && (in.vClass[r.idx] == cls || r.depIn(i, j) == 0)
	if cached {
		if i == 0 {
			add(&r.pre[j]) // the route's start: nothing comes before
			return
		}
		if k := int(r.locNext[i]); k >= 0 && k <= j && j >= r.last()-1 {
			for x := i; x < k; x++ {
				sg := in.segV(r.nodes[x], cls)
				add(&sg)
			}
			if j == r.last() {
				add(&r.suf[k])
			} else {
				add(&r.sufX[k])
			}
			return
		}
	}
	// Node by node: single nodes merge with travel right before each
	// located one, which is the forward pass's order.
	a, b, step := i, j, 1
	if pc.rev {
		a, b, step = j, i, -1
	}
	for x := a; ; x += step {
		sg := in.segV(r.nodes[x], cls)
		add(&sg)
		if x == b {
			return
		}
	}
}

// count returns jobs, breaks and nodes with several windows (on a vehicle
// of class cls) in a piece.
func (pc *piece) count(in *instance, cls int32) (jobs, brk, mult int32) {
	if pc.node >= 0 {
		n := pc.node
		if int(n) < in.nJobs {
			jobs = 1
		}
		if in.brkVeh[n] >= 0 {
			brk = 1
		}
		if in.multiV(n, cls) {
			mult = 1
		}
		return
	}
	r, i, j := pc.r, pc.i, pc.j
	jobs, brk, mult = r.cumJobs[j], r.cumBrk[j], r.cumMult[j]
	if i > 0 {
		jobs -= r.cumJobs[i-1]
		brk -= r.cumBrk[i-1]
		mult -= r.cumMult[i-1]
	}
	if in.vClass[r.idx] != cls && r.depIn(int(i), int(j)) > 0 {
		mult = 0
		for k := i; k <= j; k++ {
			if in.multiV(r.nodes[k], cls) {
				mult++
			}
		}
	}
	return
}

func (s *search) addLoad(pc *piece, load []int64) {
	in := s.in
	if pc.node >= 0 {
		for d := range load {
			load[d] += in.amounts[int(pc.node)*in.dims+d]
		}
		return
	}
	r, i, j := pc.r, int(pc.i), int(pc.j)
	for d := range load {
		load[d] += r.cumLoad[j*in.dims+d]
		if i > 0 {
			load[d] -= r.cumLoad[(i-1)*in.dims+d]
		}
	}
}

// quickCost returns the exact objective cost of the candidate route from
// travel and metric sums alone (O(pieces), no time-window work), so that
// non-improving moves are rejected before the segment merges (VROOM's
// "cheap bounds before exact checks"). Nodes without a location (breaks,
// open ends) are skipped: travel goes from the last located node to the
// next. The travel cost does not depend on the schedule, so this is exact
// for routes with breaks or several windows too; with a soft duration
// limit (Vehicle.SoftMaxDuration) it is a lower bound, which is all the
// screens need (the overtime cost is never negative). ok is false when vehicle v
// travels on another profile than 0 (the cached sums are profile 0's);
// callers then use evalPieces.
func (s *search) quickCost(v int, pcs []piece) (int64, bool) {
	in := s.in
	if in.vProf[v] != 0 {
		return 0, false
	}
	var travel, metric int64
	var jobs int32
	prev := int32(-1)
	for k := range pcs {
		pc := &pcs[k]
		var first, last int32
		if pc.node >= 0 {
			first = in.loc[pc.node]
			last = first
			if int(pc.node) < in.nJobs {
				jobs++
			}
		} else if pc.empty() {
			continue
		} else {
			r, i, j := pc.r, int(pc.i), int(pc.j)
			jobs += r.cumJobs[j]
			if i > 0 {
				jobs -= r.cumJobs[i-1]
			}
			i, j = int(r.locNext[i]), int(r.locPrev[j])
			if i < 0 || j < i {
				continue // no located node: breaks only
			}
			if pc.rev {
				first, last = in.loc[r.nodes[j]], in.loc[r.nodes[i]]
				travel += r.revT[j] - r.revT[i]
				metric += r.revM[j] - r.revM[i]
			} else {
				first, last = in.loc[r.nodes[i]], in.loc[r.nodes[j]]
				travel += r.pre[j].travel - r.pre[i].travel
				metric += r.pre[j].metric - r.pre[i].metric
			}
		}
		if first < 0 {
			continue // a break or an open end
		}
		if prev >= 0 {
			x := int(prev)*in.nLoc + int(first)
			travel += in.dur[x]
			metric += in.metric[x]
		}
		prev = last
	}
	if jobs == 0 {
		return 0, true
	}
	return s.routeCost(v, travel, metric), true
}

// eval is the evaluation of a candidate route.
type eval struct {
	cost int64 // objective cost (0 for a route without jobs)
	viol int64 // summed violations; 0 = feasible
	ok   bool  // false when a hard rule (task limit, foreign break) fails
}

// evalPieces evaluates the route of vehicle v made of the given pieces,
// without allocating: O(number of pieces) when every piece is a prefix,
// suffix or short, and the vehicle and nodes have single windows; otherwise
// the explicit slow path over the node sequence.
func (s *search) evalPieces(v int, pcs []piece) eval {
	in := s.in
	cls := in.vClass[v]
	var jobs, brk, mult int32
	for k := range pcs {
		if pcs[k].empty() {
			continue
		}
		a, b, c := pcs[k].count(in, cls)
		jobs, brk, mult = jobs+a, brk+b, mult+c
	}
	if jobs > in.maxTasks[v] {
		return eval{}
	}
	if int(brk) != len(in.p.Vehicles[v].Breaks) {
		return eval{} // a break left its vehicle (or one went missing)
	}
	if jobs == 0 {
		return eval{ok: true}
	}
	if mult > 0 || in.vehFwd[v] {
		buf := materialize(s.scratch, pcs)
		s.scratch = buf
		return s.forward(v, buf, s.lambda == 0)
	}
	var acc seg
	started := false
	for k := range pcs {
		if pcs[k].empty() {
			continue
		}
		s.foldPiece(&acc, started, &pcs[k], cls)
		started = true
	}
	load := s.load
	for d := range load {
		load[d] = 0
	}
	for k := range pcs {
		if !pcs[k].empty() {
			s.addLoad(&pcs[k], load)
		}
	}
	return s.finish(v, acc.dur, acc.tw, acc.travel, acc.metric, load)
}

// finish turns route totals into cost and violation.
func (s *search) finish(v int, dur, tw, travel, metric int64, load []int64) eval {
	in := s.in
	veh := &in.p.Vehicles[v]
	viol := tw
	if veh.MaxDuration > 0 && dur > veh.MaxDuration {
		viol += dur - veh.MaxDuration
	}
	if veh.MaxTravelTime > 0 && travel > veh.MaxTravelTime {
		viol += travel - veh.MaxTravelTime
	}
	for d, l := range load {
		if c := in.capacity[v*in.dims+d]; l > c {
			viol += l - c
		}
	}
	return eval{cost: s.routeCost(v, travel, metric) + overtimeCost(veh, in.obj, dur), viol: viol, ok: true}
}

func (s *search) routeCost(v int, travel, metric int64) int64 {
	in := s.in
	if in.obj == ObjectiveDistance {
		return in.p.Vehicles[v].FixedCost + metric + in.vehicleCost
	}
	veh := &in.p.Vehicles[v]
	c := veh.FixedCost + in.vehicleCost
	switch {
	case in.p.Costs.N > 0:
		c += metric
	case in.rates:
		c += veh.CostPerHour*travel/3600 + veh.CostPerKm*metric/1000
	default:
		c += travel
	}
	return c
}

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
