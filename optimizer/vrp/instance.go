package vrp

import (
	"math"
	"slices"
	"sort"
)

// instance is the compiled, immutable form of a validated Problem used by
// the search: dense node numbering, flat matrices, the job×vehicle
// eligibility filter and the static segment of every node.
//
// Nodes: jobs are 0..nJobs-1; vehicle v has start node nJobs+2v and end node
// nJobs+2v+1; breaks follow from nJobs+2*nVeh on.
type instance struct {
	p     *Problem
	obj   Objective
	nJobs int
	nVeh  int
	nNode int
	dims  int
	nLoc  int

	dur    []int64 // nLoc*nLoc travel seconds (profile 0)
	metric []int64 // nLoc*nLoc arc sum entering the cost (may alias dur; profile 0)

	// Per travel profile (index = Vehicle.Profile): durations, metric and
	// distances (nil without a distance matrix). Routes of vehicles with a
	// profile other than 0 are evaluated by the forward pass (vehFwd); all
	// cached segments use profile 0, which is exact for profile-0 routes.
	profDur, profMetric, profDist [][]int64
	vProf                         []int32
	// mixed is set when some capacity dimension has both deliveries and
	// pickups: the load then varies along the route and every route is
	// checked stop by stop (forward pass) against deliv and pick. Otherwise
	// amounts holds delivery+pickup and the summed check is exact.
	mixed       bool
	deliv, pick []int64 // nNode*dims, only when mixed
	initial     [][]int // Options.Initial (warm start)

	loc     []int32 // per node, -1 = none (breaks, open ends)
	nodeSeg []seg   // per node, static segment (window hull for multi-window nodes)
	windows [][]TimeWindow
	// Windows seen by a vehicle: a service can only start inside the
	// vehicle's shift, so a multi-window node (one window per day, say)
	// keeps on a vehicle only the windows that meet its shift, which is
	// often one: its route is then evaluated by the segment algebra, not
	// by the forward pass. Vehicles with the same shift share a class;
	// clipSeg[c*nMulti+multiIdx[node]] is the node's segment for class c
	// and clipMulti says whether several windows remain. clipSeg is nil
	// when there are no multi-window nodes or too many classes.
	vClass    []int32 // per vehicle
	nClass    int
	multiIdx  []int32 // per node: index among multi-window nodes, -1 if one window
	nMulti    int
	clipSeg   []seg
	clipMulti []bool
	amounts   []int64 // nNode*dims
	brkVeh    []int32 // per node: owning vehicle of a break, else -1
	brkNum    []int32 // per node: index of the break in its vehicle's Breaks
	locked    []bool  // per node: a locked job
	vehFwd    []bool  // evaluate the vehicle's routes by the forward pass (profile, distance limit, mixed loads)
	elig      []bool  // nJobs*nVeh
	penalty   []int64 // per job: cost of leaving it unassigned
	// vehicleCost is added to the cost of every used route in fleet mode
	// (Options.Fleet): more than any difference of the rest of the cost,
	// so fewer vehicles always win; 0 otherwise. Search-internal: reported
	// costs never include it.
	vehicleCost int64
	prio        []int   // per job: 1+Priority
	capacity    []int64 // nVeh*dims
	maxTasks    []int32 // per vehicle, MaxInt32 if none
	class       []int32 // per vehicle: vehicles with equal class are interchangeable when empty

	rates bool // usesRates(p)
	// linear is set when a route's cost is its fixed cost plus the sum of
	// arcC over its arcs; moves are then screened by arc deltas alone.
	linear        bool
	arcC          []int64
	arcFromMetric bool // arcC is metric (else dur), for prefix sums

	neighbours [][]int32 // per job: granular neighbourhood, by proximity
	adjacent   [][]int32 // per job: nearest jobs by travel time, for SISR
	reverse    [][]int32 // per job: the jobs whose neighbourhood contains it
}

func compile(p *Problem, obj Objective, k int) *instance {
	in := &instance{p: p, obj: obj, nJobs: len(p.Jobs), nVeh: len(p.Vehicles), nLoc: p.Durations.N}
	nb := 0
	for _, v := range p.Vehicles {
		nb += len(v.Breaks)
	}
	in.nNode = in.nJobs + 2*in.nVeh + nb
	if in.nVeh > 0 {
		in.dims = len(p.Vehicles[0].Capacity)
	}
	for k := 0; k <= len(p.Profiles); k++ {
		pr := p.profileAt(k)
		metric := make([]int64, len(pr.Durations.Data))
		if m := metricMatrix(pr, obj); m != nil {
			metric = m.Data
		}
		var dist []int64
		if pr.Distances.N > 0 {
			dist = pr.Distances.Data
		}
		in.profDur = append(in.profDur, pr.Durations.Data)
		in.profMetric = append(in.profMetric, metric)
		in.profDist = append(in.profDist, dist)
	}
	in.dur, in.metric = in.profDur[0], in.profMetric[0]
	in.rates = usesRates(p)
	switch {
	case obj == ObjectiveDistance || p.Costs.N > 0:
		in.linear, in.arcC, in.arcFromMetric = true, in.metric, true
	case !in.rates:
		in.linear, in.arcC = true, in.dur
	}
	in.loc = make([]int32, in.nNode)
	in.nodeSeg = make([]seg, in.nNode)
	in.windows = make([][]TimeWindow, in.nNode)
	in.amounts = make([]int64, in.nNode*in.dims)
	in.brkVeh = make([]int32, in.nNode)
	in.brkNum = make([]int32, in.nNode)
	for i := range in.brkVeh {
		in.brkVeh[i] = -1
	}
	mk := func(node int, loc int, service int64, ws []TimeWindow) {
		s := sortedWindows(ws)
		in.windows[node] = s
		in.loc[node] = int32(loc)
		in.nodeSeg[node] = seg{first: int32(loc), last: int32(loc), dur: service, early: s[0].Start, late: s[len(s)-1].End}
	}
	in.prio = make([]int, in.nJobs)
	in.mixed = mixedLoads(p, in.dims)
	if in.mixed {
		in.deliv = make([]int64, in.nNode*in.dims)
		in.pick = make([]int64, in.nNode*in.dims)
	}
	for j, job := range p.Jobs {
		mk(j, job.Location, job.Service, job.TimeWindows)
		for d := 0; d < in.dims; d++ {
			var a, b int64
			if job.Amounts != nil {
				a = job.Amounts[d]
			}
			if job.Pickup != nil {
				b = job.Pickup[d]
			}
			in.amounts[j*in.dims+d] = a + b
			if in.mixed {
				in.deliv[j*in.dims+d], in.pick[j*in.dims+d] = a, b
			}
		}
		in.prio[j] = 1 + job.Priority
	}
	in.vehFwd = make([]bool, in.nVeh)
	in.vProf = make([]int32, in.nVeh)
	in.capacity = make([]int64, in.nVeh*in.dims)
	in.maxTasks = make([]int32, in.nVeh)
	b := in.nJobs + 2*in.nVeh
	for v := range p.Vehicles {
		veh := &p.Vehicles[v]
		sh := veh.shift()
		mk(in.nJobs+2*v, veh.Start, 0, []TimeWindow{sh})
		mk(in.nJobs+2*v+1, veh.End, 0, []TimeWindow{sh})
		copy(in.capacity[v*in.dims:], veh.Capacity)
		in.vProf[v] = int32(veh.Profile)
		// The segment algebra runs on profile 0 and summed loads; other
		// profiles, distance limits and varying loads take the forward pass.
		// (Breaks, soft duration limits and windows clipped to the shift
		// stay on the segments: foldPiece, finish, clipWindows.)
		if veh.Profile != 0 || veh.MaxDistance > 0 || in.mixed {
			in.vehFwd[v] = true
		}
		in.maxTasks[v] = math.MaxInt32
		if veh.MaxTasks > 0 {
			in.maxTasks[v] = int32(veh.MaxTasks)
		}
		for k, br := range veh.Breaks {
			mk(b, NoLocation, br.Duration, br.TimeWindows)
			in.brkVeh[b] = int32(v)
			in.brkNum[b] = int32(k)
			b++
		}
	}
	in.clipWindows()
	in.locked = make([]bool, in.nNode)
	for _, veh := range p.Vehicles {
		for _, j := range veh.Locked {
			in.locked[j] = true
		}
	}
	in.elig = make([]bool, in.nJobs*in.nVeh)
	for j := range p.Jobs {
		for v := range p.Vehicles {
			in.elig[j*in.nVeh+v] = eligible(p, j, v)
		}
	}
	in.setPenalties()
	in.setClasses()
	in.setNeighbours(k)
	return in
}

// maxClipSegs bounds the per-class segment table (classes × multi-window
// nodes); beyond it multi-window nodes keep the forward pass.
const maxClipSegs = 1 << 20

// clipWindows fills the shift classes and the per-class segments of the
// multi-window nodes (see instance.clipSeg). Only windows that meet the
// shift are kept: a service starts no earlier than the vehicle leaves and
// no later than it must be back, so feasibility is unchanged. A node
// with no window in the shift keeps its first window, which the vehicle
// cannot meet either.
func (in *instance) clipWindows() {
	in.vClass = make([]int32, in.nVeh)
	in.multiIdx = make([]int32, in.nNode)
	var shifts []TimeWindow
	class := map[TimeWindow]int32{}
	for v := range in.p.Vehicles {
		sh := in.p.Vehicles[v].shift()
		c, ok := class[sh]
		if !ok {
			c = int32(len(shifts))
			class[sh] = c
			shifts = append(shifts, sh)
		}
		in.vClass[v] = c
	}
	in.nClass = len(shifts)
	in.nMulti = 0
	for n := range in.multiIdx {
		in.multiIdx[n] = -1
		if len(in.windows[n]) > 1 {
			in.multiIdx[n] = int32(in.nMulti)
			in.nMulti++
		}
	}
	if in.nMulti == 0 || in.nClass*in.nMulti > maxClipSegs {
		return
	}
	in.clipSeg = make([]seg, in.nClass*in.nMulti)
	in.clipMulti = make([]bool, in.nClass*in.nMulti)
	for n, m := range in.multiIdx {
		if m < 0 {
			continue
		}
		ws := in.windows[n]
		for c, sh := range shifts {
			lo, hi := -1, -1
			for k, w := range ws {
				if w.End >= sh.Start && w.Start <= sh.End {
					if lo < 0 {
						lo = k
					}
					hi = k
				}
			}
			if lo < 0 {
				lo, hi = 0, 0
			}
			sg := in.nodeSeg[n]
			sg.early, sg.late = ws[lo].Start, ws[hi].End
			x := c*in.nMulti + int(m)
			in.clipSeg[x], in.clipMulti[x] = sg, hi > lo
		}
	}
}

// mixedLoads reports whether some capacity dimension has both a delivery
// and a pickup among the jobs.
func mixedLoads(p *Problem, dims int) bool {
	for d := 0; d < dims; d++ {
		var del, pick bool
		for j := range p.Jobs {
			job := &p.Jobs[j]
			del = del || (job.Amounts != nil && job.Amounts[d] > 0)
			pick = pick || (job.Pickup != nil && job.Pickup[d] > 0)
		}
		if del && pick {
			return true
		}
	}
	return false
}

// setPenalties makes the unassigned penalty of one priority unit larger than
// any solution's total cost, so that serving more priority-weighted work
// always wins (lexicographic objective).
func (in *instance) setPenalties() {
	var rowMax int64
	for i := 0; i < in.nLoc; i++ {
		var m int64
		for k := range in.profDur {
			for j := 0; j < in.nLoc; j++ {
				m = max(m, in.profMetric[k][i*in.nLoc+j], in.profDur[k][i*in.nLoc+j])
			}
		}
		rowMax += m
	}
	var fixed, rate int64
	for _, v := range in.p.Vehicles {
		fixed += v.FixedCost
		rate = max(rate, v.CostPerHour/3600+1, v.CostPerKm/1000+1)
	}
	// Each route visits at most every location once plus its ends.
	base := (rowMax*int64(in.nJobs+2)/int64(max(in.nLoc, 1))*2+rowMax)*rate + fixed + 1
	if base > 1<<40 {
		base = 1 << 40
	}
	in.penalty = make([]int64, in.nJobs)
	for j := range in.penalty {
		in.penalty[j] = base * int64(in.prio[j])
	}
}

// setFleet turns on fleet mode: every used route costs vehicleCost, the
// bound of setPenalties on any solution's cost, and leaving a job
// unassigned costs more than all vehicles, so the objective stays
// lexicographic: served work, then vehicles, then cost. The vehicle cost
// is lowered when the penalties would come near int64's range (then fewer
// vehicles win only when the cost difference is below it).
func (in *instance) setFleet() {
	var prio int64
	for _, p := range in.prio {
		prio += int64(p)
	}
	unit := in.penalty
	base := int64(1)
	if len(unit) > 0 {
		base = max(unit[0]/int64(in.prio[0]), 1)
	}
	mult := int64(in.nVeh + 1)
	const room = int64(1) << 61
	for base > 1 && float64(base)*float64(mult)*float64(max(prio, 1)) > float64(room) {
		base /= 2
	}
	in.vehicleCost = base
	for j := range in.penalty {
		in.penalty[j] = base * mult * int64(in.prio[j])
	}
}

func (in *instance) setClasses() {
	in.class = make([]int32, in.nVeh)
	for v := range in.class {
		in.class[v] = int32(v)
		for w := 0; w < v; w++ {
			if in.sameVehicle(v, w) {
				in.class[v] = in.class[w]
				break
			}
		}
	}
}

func (in *instance) sameVehicle(v, w int) bool {
	a, b := &in.p.Vehicles[v], &in.p.Vehicles[w]
	if a.Start != b.Start || a.End != b.End || a.Shift != b.Shift || len(a.Breaks) > 0 || len(b.Breaks) > 0 ||
		len(a.Locked) > 0 || len(b.Locked) > 0 || a.MaxTravelTime != b.MaxTravelTime || a.MaxDuration != b.MaxDuration ||
		a.SoftMaxDuration != b.SoftMaxDuration || a.OvertimeCostPerHour != b.OvertimeCostPerHour ||
		a.MaxTasks != b.MaxTasks || a.MaxDistance != b.MaxDistance || a.Profile != b.Profile || a.FixedCost != b.FixedCost || a.CostPerHour != b.CostPerHour || a.CostPerKm != b.CostPerKm ||
		!slices.Equal(a.Capacity, b.Capacity) {
		return false
	}
	for j := 0; j < in.nJobs; j++ {
		if in.elig[j*in.nVeh+v] != in.elig[j*in.nVeh+w] {
			return false
		}
	}
	return true
}

// sharedVehicles returns a test of whether two jobs have a vehicle both
// may use, or nil when every job may use every vehicle.
func (in *instance) sharedVehicles() func(i, j int) bool {
	all := true
	for _, e := range in.elig {
		all = all && e
	}
	if all {
		return nil
	}
	words := (in.nVeh + 63) / 64
	bits := make([]uint64, in.nJobs*words)
	for j := 0; j < in.nJobs; j++ {
		for v := 0; v < in.nVeh; v++ {
			if in.elig[j*in.nVeh+v] {
				bits[j*words+v/64] |= 1 << (v % 64)
			}
		}
	}
	return func(i, j int) bool {
		a, b := bits[i*words:(i+1)*words], bits[j*words:(j+1)*words]
		for w := range a {
			if a[w]&b[w] != 0 {
				return true
			}
		}
		return false
	}
}

// setNeighbours computes the granular neighbourhoods: for each job, the k
// jobs closest by the time-window-aware proximity of Vidal et al. (2013)
// as used by PyVRP: metric(i,j) + 0.2·minimal waiting + 1·minimal time warp
// when serving j right after i (PyVRP's default weights). Also the SISR
// adjacency: the nearest jobs by travel time.
func (in *instance) setNeighbours(k int) {
	n := in.nJobs
	if k <= 0 {
		k = 20
	}
	in.neighbours = make([][]int32, n)
	in.adjacent = make([][]int32, n)
	na := min(n-1, 100)
	type cand struct {
		j int32
		d float64
	}
	buf := make([]cand, 0, n)
	// The proximity's arc term is the metric entering the cost; when the
	// cost has no metric (travel time only) it is the travel time, never
	// the all-zero placeholder (which made neighbourhoods blind to
	// distance on VROOM-style duration-only inputs).
	prox := in.metric
	if metricMatrix(in.p.profileAt(0), in.obj) == nil {
		prox = in.dur
	}
	// Jobs that no vehicle may serve together are never neighbours: with
	// pinned or skill-bound jobs (e.g. teams on different travel modes at
	// shared places) the nearest places are often other teams' jobs, and a
	// neighbourhood full of them leaves the local search nothing to do.
	share := in.sharedVehicles()
	for i := 0; i < n; i++ {
		buf = buf[:0]
		si := in.nodeSeg[i]
		for j := 0; j < n; j++ {
			if j == i || (share != nil && !share(i, j)) {
				continue
			}
			sj := in.nodeSeg[j]
			li, lj := int(si.first), int(sj.first)
			t := float64(in.dur[li*in.nLoc+lj])
			m := float64(prox[li*in.nLoc+lj])
			wait := math.Max(float64(sj.early)-t-float64(si.dur)-float64(si.late), 0)
			warp := math.Max(float64(si.early)+float64(si.dur)+t-float64(sj.late), 0)
			buf = append(buf, cand{int32(j), m + 0.2*wait + warp})
		}
		sort.Slice(buf, func(a, b int) bool {
			if buf[a].d != buf[b].d {
				return buf[a].d < buf[b].d
			}
			return buf[a].j < buf[b].j
		})
		nb := make([]int32, min(k, len(buf)))
		for x := range nb {
			nb[x] = buf[x].j
		}
		in.neighbours[i] = nb
		for x := range buf {
			j := buf[x].j
			buf[x].d = float64(in.dur[int(si.first)*in.nLoc+int(in.loc[j])] + in.dur[int(in.loc[j])*in.nLoc+int(si.first)])
		}
		sort.Slice(buf, func(a, b int) bool {
			if buf[a].d != buf[b].d {
				return buf[a].d < buf[b].d
			}
			return buf[a].j < buf[b].j
		})
		adj := make([]int32, min(na, len(buf)))
		for x := range adj {
			adj[x] = buf[x].j
		}
		in.adjacent[i] = adj
	}
	in.reverse = make([][]int32, n)
	for i, nb := range in.neighbours {
		for _, j := range nb {
			in.reverse[j] = append(in.reverse[j], int32(i))
		}
	}
}
