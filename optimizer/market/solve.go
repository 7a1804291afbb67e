package market

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"time"

	"github.com/yingjing/xunhui/data"
)

// Solution is a staffing plan for a Problem.
type Solution struct {
	// Desks[i] lists the staff (indices, ascending) at slot i of
	// Problem.Slots; an empty list means no desk that market day.
	Desks [][]int
	// Uncovered lists the bookings no present person can handle, by booking
	// index, with the reason.
	Uncovered []Uncovered
	// Conflicts are the locks that could not be honoured.
	Conflicts []Conflict
	// Missed lists the township-weeks below their desk target.
	Missed []MissedTarget
	// Cost is the objective, term by term.
	Cost Cost
	// Coverable is how many bookings some available person could cover at
	// all (an upper bound on the bookings any plan covers).
	Coverable int
	// Iterations is the number of local-search moves tried; Status says why
	// the search stopped ("iterations", "time", "cancelled").
	Iterations int
	Status     string
}

// MissedTarget is a township-week with fewer desks than its target.
type MissedTarget struct {
	// Township indexes Problem.Townships; Week is the index (into
	// Problem.Days) of the week's first day in the horizon.
	Township, Week int
	// Target and Held count desks.
	Target, Held int
	// Reason is no_one_available (every market day that week on which
	// anybody works has a desk) or staff_needed_elsewhere.
	Reason string
}

// Uncovered is a booking left without a person who can handle it.
type Uncovered struct {
	// Booking indexes Problem.Bookings.
	Booking int
	// Reason is not_market_day, no_one_available, desk_locked, desk_full
	// or staff_needed_elsewhere.
	Reason string
}

// Uncovered reasons.
const (
	ReasonNotMarketDay   = "not_market_day"         // the date is no (longer a) market day of the township
	ReasonNoOneAvailable = "no_one_available"       // nobody with the skill and level works that day
	ReasonDeskLocked     = "desk_locked"            // the desk is locked without the skill
	ReasonNeededElse     = "staff_needed_elsewhere" // the people who could come are needed at other desks or over their week
	ReasonDeskFull       = "desk_full"              // the desk already has MaxStaff people, none with the skill
)

// Cost is data.MarketCost (the plan summary is one type shared by both planners, the store and the API).
type Cost = data.MarketCost

// costTotal is c's weighted sum under w.
func costTotal(c *Cost, w Weights) int64 {
	return w.Uncovered*c.Uncovered + w.Missed*c.Missed + w.Shortfall*c.Shortfall +
		w.Change*c.Changes + w.Travel*c.TravelMin + w.Fairness*c.FairnessSq
}

// Solve plans p: a min-cost-flow construction covers bookings, greedy fills
// meet weekly targets and desk sizes, and a late-acceptance local search
// (Burke & Bykov 2017) improves the weighted objective until
// Options.MaxIterations or Options.TimeLimit or ctx ends it. The result is
// reproducible for a seed when the iteration cap ends the search. Errors
// are Invalid (from Prepare); running out of time is a Status, not an error.
func Solve(ctx context.Context, p *Problem) (*Solution, error) {
	if err := p.Prepare(); err != nil {
		return nil, fmt.Errorf("market: %w", err)
	}
	st := newState(p)
	st.construct()
	it, status := st.search(ctx)
	sol := st.solution()
	sol.Iterations, sol.Status = it, status
	return sol, nil
}

// state is the mutable search state. Every change goes through add and
// remove, which keep the cost terms current in O(desk size + groups).
type state struct {
	p    *Problem
	pr   *prepared
	w    Weights
	nd   int
	desk [][]int
	at   []int32 // [staff*nd+day] -> slot, or -1
	wk   []int   // [staff*nWeeks+week] -> market days
	days []int   // per staff
	held []int   // [township*nWeeks+week] -> desks held
	mask []uint64
	unc  []int // per slot: bookings uncovered (cache of slotUncov)
	c    Cost
	tot  int64
	open []int // unlocked slots
	log  []op
}

type op struct {
	add        bool
	staff, slt int
}

func newState(p *Problem) *state {
	pr := p.prep
	st := &state{p: p, pr: pr, w: pr.opt.Weights, nd: len(p.Days)}
	ns := len(p.Staff)
	st.desk = make([][]int, len(pr.slots))
	st.at = make([]int32, ns*st.nd)
	for i := range st.at {
		st.at[i] = -1
	}
	st.wk = make([]int, ns*pr.nWeeks)
	st.days = make([]int, ns)
	st.held = make([]int, len(p.Townships)*pr.nWeeks)
	st.mask = make([]uint64, len(pr.slots))
	st.unc = make([]int, len(pr.slots))
	st.c.Changes = int64(len(pr.prev))
	for t := range p.Townships {
		for w := 0; w < pr.nWeeks; w++ {
			st.c.Missed += int64(pr.target[t][w])
		}
	}
	for s := range pr.slots {
		st.unc[s] = st.slotUncov(s)
		st.c.Uncovered += int64(st.unc[s])
		st.c.Shortfall += int64(st.slotShort(s))
		if !pr.locked[s] {
			st.open = append(st.open, s)
		}
	}
	for s, ls := range pr.lockStaff {
		for _, x := range ls {
			st.add(x, s)
		}
	}
	st.tot = costTotal(&st.c, st.w)
	return st
}

func (st *state) slotUncov(s int) int {
	n := 0
	for _, g := range st.pr.slotNeed[s] {
		if st.mask[s]&g.bit == 0 {
			n += g.count
		}
	}
	return n
}

func (st *state) slotShort(s int) int {
	n := len(st.desk[s])
	if n == 0 && len(st.pr.slotNeed[s]) == 0 {
		return 0 // no desk and nothing booked: the frequency term speaks
	}
	return max(0, st.pr.wantSize(s)-n)
}

func (st *state) freq(t, w int) int {
	return max(0, st.pr.target[t][w]-st.held[t*st.pr.nWeeks+w])
}

// add puts staff x at slot s; the caller has checked feasibility.
func (st *state) add(x, s int) { st.change(x, s, true) }

// remove takes staff x off slot s.
func (st *state) remove(x, s int) { st.change(x, s, false) }

func (st *state) change(x, s int, add bool) {
	pr := st.pr
	sl := pr.slots[s]
	t, d := sl.Township, sl.Day
	w := pr.week[d]
	tw := t*pr.nWeeks + w
	oldU, oldS, oldF := st.unc[s], st.slotShort(s), st.freq(t, w)
	oldDays := int64(st.days[x])
	if add {
		st.desk[s] = append(st.desk[s], x)
		st.at[x*st.nd+d] = int32(s)
		st.wk[x*pr.nWeeks+w]++
		st.days[x]++
		if len(st.desk[s]) == 1 {
			st.held[tw]++
		}
		st.c.TravelMin += 2 * int64(st.p.Staff[x].TravelMin[t])
		if pr.prev[[2]int{x, s}] {
			st.c.Changes--
		} else {
			st.c.Changes++
		}
	} else {
		i := slices.Index(st.desk[s], x)
		last := len(st.desk[s]) - 1
		st.desk[s][i] = st.desk[s][last]
		st.desk[s] = st.desk[s][:last]
		st.at[x*st.nd+d] = -1
		st.wk[x*pr.nWeeks+w]--
		st.days[x]--
		if len(st.desk[s]) == 0 {
			st.held[tw]--
		}
		st.c.TravelMin -= 2 * int64(st.p.Staff[x].TravelMin[t])
		if pr.prev[[2]int{x, s}] {
			st.c.Changes++
		} else {
			st.c.Changes--
		}
	}
	var m uint64
	for _, y := range st.desk[s] {
		m |= pr.cover[y]
	}
	st.mask[s] = m
	nd := int64(st.days[x])
	st.c.FairnessSq += nd*nd - oldDays*oldDays
	st.unc[s] = st.slotUncov(s)
	st.c.Uncovered += int64(st.unc[s] - oldU)
	st.c.Shortfall += int64(st.slotShort(s) - oldS)
	st.c.Missed += int64(st.freq(t, w) - oldF)
	st.tot = costTotal(&st.c, st.w)
	st.log = append(st.log, op{add: add, staff: x, slt: s})
}

// undo reverts the ops logged since mark.
func (st *state) undo(mark int) {
	for i := len(st.log) - 1; i >= mark; i-- {
		o := st.log[i]
		st.change(o.staff, o.slt, !o.add)
	}
	st.log = st.log[:mark]
}

// free reports whether x may be placed on day d: works that day, is at no
// desk yet and has a day left that week (weekDelta adjusts the count for a
// removal in the same move).
func (st *state) free(x, d, weekDelta int) bool {
	pr := st.pr
	return st.p.Staff[x].Available[d] && st.at[x*st.nd+d] < 0 &&
		st.wk[x*pr.nWeeks+pr.week[d]]+weekDelta < pr.maxDays[x]
}

// placeCost is the greedy cost of adding x at slot s, ignoring coverage.
func (st *state) placeCost(x, s int) int64 {
	t := st.pr.slots[s].Township
	c := st.w.Travel*2*int64(st.p.Staff[x].TravelMin[t]) + st.w.Fairness*int64(2*st.days[x]+1)
	if !st.pr.prev[[2]int{x, s}] {
		c += st.w.Change
	}
	return c
}

// construct builds the start solution: min-cost flow for bookings, then the
// weekly targets, then desk sizes.
func (st *state) construct() {
	st.keepPrevious()
	st.coverByFlow()
	st.fillTargets()
	st.fillSizes()
	st.log = st.log[:0]
}

// keepPrevious starts a re-plan from the previous plan, dropping only what
// is no longer feasible (a cancelled market day, a new lock, leave, a week
// already full), so that the search changes as little as it must.
func (st *state) keepPrevious() {
	pr := st.pr
	for _, a := range st.p.Previous {
		s, ok := pr.slotOf[[2]int{a.Township, a.Day}]
		if !ok || pr.locked[s] || len(st.desk[s]) >= pr.opt.MaxStaff || !st.free(a.Staff, a.Day, 0) {
			continue
		}
		st.add(a.Staff, s)
	}
}

// coverByFlow solves source → (slot, group) → (person, day) → (person,
// week) → sink as a min-cost flow. A requirement (slot, group) is worth
// Weights.Uncovered per booking in it; a person-day carries one requirement
// (so one place a day); a person-week carries the days left that week.
// Within this restriction the coverage is optimal; a person with two
// skills could cover two requirements at one desk, which the local search
// exploits afterwards.
//
// Requirements of one ISO week meet only that week's person-days and
// person-weeks, so the network falls apart into one independent flow per
// week, solved one after the other (smaller graphs, fewer augmentations).
func (st *state) coverByFlow() {
	for w := 0; w < st.pr.nWeeks; w++ {
		st.coverWeek(w)
	}
}

func (st *state) coverWeek(week int) {
	pr := st.pr
	g := newFlowNet(2)
	src, snk := 0, 1
	pd := map[int]int{} // staff*nd+day -> node
	pw := map[int]int{} // staff*nWeeks+week -> node
	type reqArc struct{ arc, staff, slot int }
	var arcs []reqArc
	for _, s := range st.open {
		sl := pr.slots[s]
		d := sl.Day
		if pr.week[d] != week {
			continue
		}
		for _, need := range pr.slotNeed[s] {
			if st.mask[s]&need.bit != 0 {
				continue // already covered by someone kept from the previous plan
			}
			r := g.addNode()
			g.addArc(src, r, 1, -st.w.Uncovered*int64(need.count))
			for _, x := range pr.byDay[d] {
				if pr.cover[x]&need.bit == 0 || st.at[x*st.nd+d] >= 0 {
					continue
				}
				wkey := x*pr.nWeeks + pr.week[d]
				left := pr.maxDays[x] - st.wk[wkey]
				if left <= 0 {
					continue
				}
				dkey := x*st.nd + d
				dn, ok := pd[dkey]
				if !ok {
					dn = g.addNode()
					pd[dkey] = dn
					wn, ok := pw[wkey]
					if !ok {
						wn = g.addNode()
						pw[wkey] = wn
						g.addArc(wn, snk, left, 0)
					}
					g.addArc(dn, wn, 1, st.w.Fairness)
				}
				a := g.addArc(r, dn, 1, st.placeCost(x, s))
				arcs = append(arcs, reqArc{a, x, s})
			}
		}
	}
	if len(arcs) == 0 {
		return
	}
	g.minCost(src, snk)
	// The flow may send more people to a desk than MaxStaff, one per
	// requirement; seat them greedily by the bookings they add (set-cover
	// order), so that a multi-skilled person takes the place of several.
	cands := map[int][]int{}
	for _, a := range arcs {
		if g.flow(a.arc) > 0 {
			cands[a.slot] = append(cands[a.slot], a.staff)
		}
	}
	for _, s := range st.open {
		xs := cands[s]
		for len(xs) > 0 && len(st.desk[s]) < pr.opt.MaxStaff {
			best, gain := -1, 0
			for i, x := range xs {
				n := 0
				for _, need := range pr.slotNeed[s] {
					if st.mask[s]&need.bit == 0 && pr.cover[x]&need.bit != 0 {
						n += need.count
					}
				}
				if n > gain {
					best, gain = i, n
				}
			}
			if best < 0 {
				break
			}
			st.add(xs[best], s)
			xs = append(xs[:best], xs[best+1:]...)
		}
	}
}

// fillTargets adds the cheapest free person to market days of townships
// below their weekly desk target.
func (st *state) fillTargets() {
	pr, p := st.pr, st.p
	for t, tw := range p.Townships {
		for w := 0; w < pr.nWeeks; w++ {
			for st.freq(t, w) > 0 {
				bestX, bestS, best := -1, -1, int64(1)<<62
				for _, d := range tw.MarketDays {
					if pr.week[d] != w {
						continue
					}
					s := pr.slotOf[[2]int{t, d}]
					if pr.locked[s] || len(st.desk[s]) > 0 {
						continue
					}
					for _, x := range pr.byDay[d] {
						if st.free(x, d, 0) {
							if c := st.placeCost(x, s); c < best {
								bestX, bestS, best = x, s, c
							}
						}
					}
				}
				if bestX < 0 {
					break
				}
				st.add(bestX, bestS)
			}
		}
	}
}

// fillSizes tops up held desks to their wanted size with the cheapest free
// people.
func (st *state) fillSizes() {
	pr := st.pr
	for _, s := range st.open {
		d := pr.slots[s].Day
		for len(st.desk[s]) > 0 && st.slotShort(s) > 0 {
			bestX, best := -1, int64(1)<<62
			for _, x := range pr.byDay[d] {
				if st.free(x, d, 0) {
					if c := st.placeCost(x, s); c < best {
						bestX, best = x, c
					}
				}
			}
			if bestX < 0 || best >= st.w.Shortfall {
				break
			}
			st.add(bestX, s)
		}
	}
}

// search runs late-acceptance hill climbing over random moves and leaves
// the best solution found in st.
func (st *state) search(ctx context.Context) (int, string) {
	opt := st.pr.opt
	if len(st.open) == 0 {
		return 0, "iterations"
	}
	rng := rand.New(rand.NewSource(opt.Seed))
	hist := make([]int64, opt.History)
	for i := range hist {
		hist[i] = st.tot
	}
	best := st.snapshot(nil)
	bestTot := st.tot
	deadline := time.Now().Add(opt.TimeLimit)
	status := "iterations"
	it := 0
	for ; it < opt.MaxIterations; it++ {
		if it&1023 == 0 {
			if ctx.Err() != nil {
				status = "cancelled"
				break
			}
			if time.Now().After(deadline) {
				status = "time"
				break
			}
		}
		before := st.tot
		st.log = st.log[:0]
		if !st.move(rng) {
			continue
		}
		v := it % len(hist)
		if st.tot <= before || st.tot <= hist[v] {
			if st.tot < bestTot {
				bestTot = st.tot
				best = st.snapshot(best)
			}
		} else {
			st.undo(0)
		}
		hist[v] = st.tot
	}
	st.restore(best)
	return it, status
}

func (st *state) snapshot(buf [][]int) [][]int {
	if buf == nil {
		buf = make([][]int, len(st.desk))
	}
	for i, d := range st.desk {
		buf[i] = append(buf[i][:0], d...)
	}
	return buf
}

// restore rebuilds st to hold the desks of snap.
func (st *state) restore(snap [][]int) {
	for s := range st.desk {
		for len(st.desk[s]) > 0 && !st.pr.locked[s] {
			st.remove(st.desk[s][0], s)
		}
	}
	for s, d := range snap {
		if st.pr.locked[s] {
			continue
		}
		for _, x := range d {
			st.add(x, s)
		}
	}
	st.log = st.log[:0]
}

// move applies one random move and reports whether it did anything. The
// caller reverts it with undo(0) if rejected.
func (st *state) move(rng *rand.Rand) bool {
	pr := st.pr
	maxS := pr.opt.MaxStaff
	s := st.open[rng.Intn(len(st.open))]
	d := pr.slots[s].Day
	switch k := rng.Intn(10); {
	case k < 3: // targeted repair: bring someone who covers a missing group
		if st.unc[s] == 0 {
			// look for a desk that needs it, from a random start
			off := rng.Intn(len(st.open))
			found := false
			for i := range st.open {
				c := st.open[(off+i)%len(st.open)]
				if st.unc[c] > 0 {
					s, d, found = c, pr.slots[c].Day, true
					break
				}
			}
			if !found {
				return st.randomAdd(rng, s, d)
			}
		}
		var missing uint64
		for _, g := range pr.slotNeed[s] {
			if st.mask[s]&g.bit == 0 {
				missing |= g.bit
			}
		}
		cands := pr.byDay[d]
		off := rng.Intn(len(cands) + 1)
		for i := range cands {
			x := cands[(off+i)%len(cands)]
			if pr.cover[x]&missing == 0 {
				continue
			}
			if o := int(st.at[x*st.nd+d]); o >= 0 {
				if o == s || pr.locked[o] {
					continue
				}
				st.remove(x, o)
				if len(st.desk[s]) >= maxS {
					y := st.desk[s][rng.Intn(len(st.desk[s]))]
					st.remove(y, s)
					st.add(y, o)
				}
				st.add(x, s)
				return true
			}
			if !st.free(x, d, 0) {
				continue
			}
			if len(st.desk[s]) >= maxS {
				st.remove(st.desk[s][rng.Intn(len(st.desk[s]))], s)
			}
			st.add(x, s)
			return true
		}
		return false
	case k < 4:
		return st.randomAdd(rng, s, d)
	case k < 5: // drop
		if len(st.desk[s]) == 0 {
			return false
		}
		st.remove(st.desk[s][rng.Intn(len(st.desk[s]))], s)
		return true
	case k < 7: // replace a member by a free person
		if len(st.desk[s]) == 0 || len(pr.byDay[d]) == 0 {
			return false
		}
		x := st.desk[s][rng.Intn(len(st.desk[s]))]
		y := pr.byDay[d][rng.Intn(len(pr.byDay[d]))]
		if !st.free(y, d, 0) {
			return false
		}
		st.remove(x, s)
		st.add(y, s)
		return true
	case k < 9: // move or swap with another desk of the same day
		if len(st.desk[s]) == 0 || len(pr.byDay[d]) == 0 {
			return false
		}
		x := st.desk[s][rng.Intn(len(st.desk[s]))]
		y := pr.byDay[d][rng.Intn(len(pr.byDay[d]))]
		o := int(st.at[y*st.nd+d])
		if o < 0 || o == s || pr.locked[o] {
			// plain move of x to a random open desk that day
			t2 := st.open[rng.Intn(len(st.open))]
			if pr.slots[t2].Day != d || t2 == s || len(st.desk[t2]) >= maxS {
				return false
			}
			st.remove(x, s)
			st.add(x, t2)
			return true
		}
		st.remove(x, s)
		st.remove(y, o)
		st.add(x, o)
		st.add(y, s)
		return true
	default: // relocate a member to another day
		if len(st.desk[s]) == 0 {
			return false
		}
		x := st.desk[s][rng.Intn(len(st.desk[s]))]
		t2 := st.open[rng.Intn(len(st.open))]
		d2 := pr.slots[t2].Day
		if d2 == d || len(st.desk[t2]) >= maxS {
			return false
		}
		delta := 0
		if pr.week[d2] == pr.week[d] {
			delta = -1
		}
		if !st.free(x, d2, delta) {
			return false
		}
		st.remove(x, s)
		st.add(x, t2)
		return true
	}
}

func (st *state) randomAdd(rng *rand.Rand, s, d int) bool {
	if len(st.desk[s]) >= st.pr.opt.MaxStaff || len(st.pr.byDay[d]) == 0 {
		return false
	}
	x := st.pr.byDay[d][rng.Intn(len(st.pr.byDay[d]))]
	if !st.free(x, d, 0) {
		return false
	}
	st.add(x, s)
	return true
}

// solution turns the state into a Solution with reasons for every
// uncovered booking.
func (st *state) solution() *Solution {
	pr, p := st.pr, st.p
	sol := &Solution{Desks: make([][]int, len(st.desk)), Conflicts: append([]Conflict(nil), pr.conflicts...), Cost: st.c}
	sol.Cost.Total = st.tot
	for s, d := range st.desk {
		sol.Desks[s] = slices.Sorted(slices.Values(d))
	}
	for t, tw := range p.Townships {
		for w := 0; w < pr.nWeeks; w++ {
			if st.freq(t, w) == 0 {
				continue
			}
			m := MissedTarget{Township: t, Week: slices.Index(pr.week, w), Target: pr.target[t][w], Held: st.held[t*pr.nWeeks+w], Reason: ReasonNeededElse}
			workable := 0 // market days that week on which anybody works
			for _, d := range tw.MarketDays {
				if pr.week[d] == w && len(pr.byDay[d]) > 0 {
					workable++
				}
			}
			if m.Held >= workable {
				m.Reason = ReasonNoOneAvailable
			}
			sol.Missed = append(sol.Missed, m)
		}
	}
	for b := range p.Bookings {
		s := pr.bookSlot[b]
		bit := uint64(1) << uint(pr.bookGroup[b])
		avail := false
		for _, x := range pr.byDay[p.Bookings[b].Day] {
			if pr.cover[x]&bit != 0 {
				avail = true
				break
			}
		}
		if s >= 0 && avail {
			sol.Coverable++
		}
		switch {
		case s < 0:
			sol.Uncovered = append(sol.Uncovered, Uncovered{b, ReasonNotMarketDay})
		case st.mask[s]&bit != 0:
		case !avail:
			sol.Uncovered = append(sol.Uncovered, Uncovered{b, ReasonNoOneAvailable})
		case pr.locked[s]:
			sol.Uncovered = append(sol.Uncovered, Uncovered{b, ReasonDeskLocked})
		case len(st.desk[s]) >= pr.opt.MaxStaff:
			sol.Uncovered = append(sol.Uncovered, Uncovered{b, ReasonDeskFull})
		default:
			sol.Uncovered = append(sol.Uncovered, Uncovered{b, ReasonNeededElse})
		}
	}
	return sol
}
