package vrp

import (
	"math/rand"
)

// search is one single-threaded search over a compiled instance.
type search struct {
	in      *instance
	rng     *rand.Rand
	routes  []*route
	pos     []int32 // per node: position in its route
	routeOf []int32 // per node: route index, -1 when unassigned
	stamp   int

	unassigned []int32 // unassigned jobs, unordered
	unPos      []int32 // per job: index in unassigned, -1 if routed

	scratch    []int32
	load       []int64
	load2      []int64
	buf1, buf2 []int32
	prevOf     []int32 // per node: predecessor in its route (-1 none), for don't-look bits
	nextOf     []int32
	dirty      []bool // per job: must be (re)tested as u by the local search

	mv move

	ruinedBuf, changedBuf  []int32
	posBuf, rmBuf, listBuf []int32
	classBuf               []bool
	marks                  []int // per route: routeMark when a candidate
	routeMark              int

	allEligible bool
	exact       bool // evaluate every move fully (tests)

	// lambda > 0 lets the local search cross infeasible space: a move's
	// delta is its cost change plus lambda per unit of violation change
	// (time warp, excess load, duration, travel), as HGS does (Vidal et al.
	// 2013). Unassigned jobs still only enter feasibly, and a local optimum
	// that stays infeasible after repair is rejected, so every accepted
	// solution is feasible.
	lambda      int64
	penalisedLS int // local searches run with lambda > 0 (tests)

	// fixedFleet forbids insertions into empty routes (the fleet
	// minimisation phase, fleet.go): the used routes must take every job.
	fixedFleet bool
	ej         ejector // insertion with ejections (eject.go)
}

// move is a candidate change of one or two routes, described by the
// pieces of their new node sequences.
type move struct {
	r1, r2 int // route indices; r2 < 0 when the move touches one route
	p1, p2 []piece
	a1, a2 [8]piece
	delta  int64
	insert int32 // job leaving the unassigned set, or -1
}

func newSearch(in *instance, seed int64) *search {
	s := &search{in: in, rng: rand.New(rand.NewSource(seed))}
	s.pos = make([]int32, in.nNode)
	s.routeOf = make([]int32, in.nNode)
	s.unPos = make([]int32, in.nJobs)
	s.prevOf = make([]int32, in.nNode)
	s.nextOf = make([]int32, in.nNode)
	s.dirty = make([]bool, in.nJobs)
	for i := range s.prevOf {
		s.prevOf[i], s.nextOf[i] = -2, -2
	}
	s.scratch = make([]int32, 0, in.nNode)
	s.buf1 = make([]int32, 0, in.nNode)
	s.buf2 = make([]int32, 0, in.nNode)
	s.load = make([]int64, in.dims)
	s.load2 = make([]int64, in.dims)
	s.classBuf = make([]bool, in.nVeh)
	s.marks = make([]int, in.nVeh)
	for i := range s.routeOf {
		s.routeOf[i] = -1
	}
	s.allEligible = true
	for _, e := range in.elig {
		if !e {
			s.allEligible = false
			break
		}
	}
	locked := make([]bool, in.nJobs)
	b := in.nJobs + 2*in.nVeh
	for v := 0; v < in.nVeh; v++ {
		veh := &in.p.Vehicles[v]
		r := &route{idx: v}
		r.nodes = append(r.nodes, int32(in.nJobs+2*v))
		for _, j := range veh.Locked {
			r.nodes = append(r.nodes, int32(j))
			locked[j] = true
		}
		for range veh.Breaks {
			r.nodes = append(r.nodes, int32(b))
			b++
		}
		r.nodes = append(r.nodes, int32(in.nJobs+2*v+1))
		s.routes = append(s.routes, r)
		s.update(r)
	}
	for j := 0; j < in.nJobs; j++ {
		s.unPos[j] = -1
		if !locked[j] {
			s.addUnassigned(int32(j))
		}
	}
	for _, r := range s.routes {
		s.placeBreaks(r)
	}
	return s
}

// touch marks node x and the jobs having x as a neighbour for the local
// search (Bentley's don't-look bits, extended to the granular
// neighbourhood): a move around x may now improve.
func (s *search) touch(x int32) {
	if !s.isJob(x) {
		return
	}
	s.dirty[x] = true
	if wakeSelfOnly {
		return
	}
	for _, u := range s.in.reverse[x] {
		s.dirty[u] = true
	}
}

func (s *search) addUnassigned(j int32) {
	s.routeOf[j] = -1
	s.prevOf[j], s.nextOf[j] = -2, -2
	s.touch(j)
	s.unPos[j] = int32(len(s.unassigned))
	s.unassigned = append(s.unassigned, j)
}

func (s *search) removeUnassigned(j int32) {
	k := s.unPos[j]
	last := s.unassigned[len(s.unassigned)-1]
	s.unassigned[k] = last
	s.unPos[last] = k
	s.unassigned = s.unassigned[:len(s.unassigned)-1]
	s.unPos[j] = -1
}

// cost is the penalised objective: route costs plus unassigned penalties.
func (s *search) cost() int64 {
	var c int64
	for _, r := range s.routes {
		c += r.cost
	}
	for _, j := range s.unassigned {
		c += s.in.penalty[j]
	}
	return c
}

// materialize writes the node sequence of pieces into buf.
func materialize(buf []int32, pcs []piece) []int32 {
	buf = buf[:0]
	for k := range pcs {
		pc := &pcs[k]
		switch {
		case pc.node >= 0:
			buf = append(buf, pc.node)
		case pc.empty():
		case pc.rev:
			for x := pc.j; x >= pc.i; x-- {
				buf = append(buf, pc.r.nodes[x])
			}
		default:
			buf = append(buf, pc.r.nodes[pc.i:pc.j+1]...)
		}
	}
	return buf
}

// apply performs s.mv.
func (s *search) apply() {
	mv := &s.mv
	s.buf1 = materialize(s.buf1, mv.p1)
	if mv.r2 >= 0 {
		s.buf2 = materialize(s.buf2, mv.p2)
	}
	if mv.insert >= 0 {
		s.removeUnassigned(mv.insert)
	}
	r1 := s.routes[mv.r1]
	r1.nodes = append(r1.nodes[:0], s.buf1...)
	s.update(r1)
	if mv.r2 >= 0 {
		r2 := s.routes[mv.r2]
		r2.nodes = append(r2.nodes[:0], s.buf2...)
		s.update(r2)
	}
}

// evalMove evaluates s.mv (pieces already set) and stores the delta. It
// returns false when a new route is infeasible or, unless s.exact is set,
// when the move cannot improve (decided on costs alone, before any
// time-window work).
func (s *search) evalMove() bool {
	mv := &s.mv
	r1 := s.routes[mv.r1]
	lam := s.lambda
	if mv.insert >= 0 {
		lam = 0 // unassigned jobs only enter feasibly
	}
	// Cost screen: the new violation is >= 0, so the penalised delta is at
	// least the cost delta minus lam times the old routes' violation.
	if !s.exact {
		bound := lam * r1.viol
		if mv.r2 >= 0 {
			bound += lam * s.routes[mv.r2].viol
		}
		c1, ok1 := s.quickCost(mv.r1, mv.p1)
		d := c1 - r1.cost
		if ok1 && mv.r2 >= 0 {
			c2, ok2 := s.quickCost(mv.r2, mv.p2)
			d += c2 - s.routes[mv.r2].cost
			ok1 = ok2
		}
		if mv.insert >= 0 {
			d -= s.in.penalty[mv.insert]
		}
		if ok1 && d >= bound {
			return false
		}
	}
	e1 := s.evalPieces(mv.r1, mv.p1)
	if !e1.ok || (e1.viol > 0 && lam == 0) {
		return false
	}
	mv.delta = e1.cost - r1.cost + lam*(e1.viol-r1.viol)
	if mv.r2 >= 0 {
		r2 := s.routes[mv.r2]
		e2 := s.evalPieces(mv.r2, mv.p2)
		if !e2.ok || (e2.viol > 0 && lam == 0) {
			return false
		}
		mv.delta += e2.cost - r2.cost + lam*(e2.viol-r2.viol)
	}
	if mv.insert >= 0 {
		mv.delta -= s.in.penalty[mv.insert]
	}
	return true
}

// infeasible reports whether a route violates a constraint.
func (s *search) infeasible() bool {
	for _, r := range s.routes {
		if r.viol > 0 {
			return true
		}
	}
	return false
}

func (s *search) isJob(n int32) bool { return int(n) < s.in.nJobs }

func (s *search) eligible(j int32, v int) bool {
	return s.allEligible || s.in.elig[int(j)*s.in.nVeh+v]
}

// rangeEligible reports whether every job at positions i..j of r may go to
// vehicle v.
func (s *search) rangeEligible(r *route, i, j, v int) bool {
	if s.allEligible || r.idx == v {
		return true
	}
	for k := i; k <= j; k++ {
		if n := r.nodes[k]; s.isJob(n) && !s.in.elig[int(n)*s.in.nVeh+v] {
			return false
		}
	}
	return true
}

// placeBreaks moves each break of r to its best feasible position (or
// keeps it). Breaks are evaluated at route level: O(len²) per break, which
// is fine for the short routes that have breaks; benchmark routes have none.
func (s *search) placeBreaks(r *route) {
	in := s.in
	if len(in.p.Vehicles[r.idx].Breaks) == 0 {
		return
	}
	for k := 1; k < r.last(); k++ {
		n := r.nodes[k]
		if in.brkVeh[n] < 0 {
			continue
		}
		base := r.cost
		if r.viol > 0 {
			base = -1 << 62 // any feasible position is better
		}
		bestPos, bestCost := -1, int64(0)
		for q := 0; q < r.last(); q++ {
			if q == k || q == k-1 {
				continue
			}
			var pcs []piece
			if q < k {
				pcs = s.mv.a1[:0]
				pcs = append(pcs, rangePiece(r, 0, q), nodePiece(n), rangePiece(r, q+1, k-1), rangePiece(r, k+1, r.last()))
			} else {
				pcs = s.mv.a1[:0]
				pcs = append(pcs, rangePiece(r, 0, k-1), rangePiece(r, k+1, q), nodePiece(n), rangePiece(r, q+1, r.last()))
			}
			e := s.evalPieces(r.idx, pcs)
			if e.ok && e.viol == 0 && (bestPos < 0 || e.cost < bestCost) {
				bestPos, bestCost = q, e.cost
			}
		}
		if bestPos >= 0 && (bestCost < base || (r.viol > 0)) {
			s.mv.r1, s.mv.r2, s.mv.insert = r.idx, -1, -1
			q := bestPos
			pcs := s.mv.a1[:0]
			if q < k {
				pcs = append(pcs, rangePiece(r, 0, q), nodePiece(n), rangePiece(r, q+1, k-1), rangePiece(r, k+1, r.last()))
			} else {
				pcs = append(pcs, rangePiece(r, 0, k-1), rangePiece(r, k+1, q), nodePiece(n), rangePiece(r, q+1, r.last()))
			}
			s.mv.p1 = pcs
			s.apply()
		}
	}
}
