package vrp

// piece is part of a candidate route: positions i..j (inclusive) of route
// r, possibly reversed, or a single node when node >= 0. i > j is empty.
type piece struct {
	r    *route
	i, j int32
	node int32
	rev  bool
}

func nodePiece(node int32) piece { return piece{node: node} }

func rangePiece(r *route, i, j int) piece { return piece{r: r, i: int32(i), j: int32(j), node: -1} }

func revPiece(r *route, i, j int) piece {
	return piece{r: r, i: int32(i), j: int32(j), node: -1, rev: true}
}

func (pc *piece) empty() bool { return pc.node < 0 && pc.i > pc.j }

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
