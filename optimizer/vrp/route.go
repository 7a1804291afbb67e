package vrp

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

// depIn counts the nodes at positions i..j whose segment depends on the
// vehicle class (see instance.clipSeg).
func (r *route) depIn(i, j int) int32 {
	d := r.cumDep[j]
	if i > 0 {
		d -= r.cumDep[i-1]
	}
	return d
}
