package market

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/yingjing/xunhui/data"
)

// Problem is one desk-staffing instance over a horizon of consecutive days.
// Every reference between its parts is a dense index: Township.MarketDays
// and Booking.Day index Days, Booking.Township and Lock.Township index
// Townships, Lock.Staff and Assignment.Staff index Staff. Build it once,
// call Prepare (Solve does), and do not change it afterwards.
type Problem struct {
	// Days are the horizon's consecutive civil dates, first to last.
	Days []data.Date
	// Townships are the markets.
	Townships []Township
	// Staff are the people who may sit at desks.
	Staff []Staff
	// Bookings are the items residents booked for a market day.
	Bookings []Booking
	// Locks fix a desk's staff; earlier locks win a clash (see Conflict).
	Locks []Lock
	// Previous is the plan being re-planned: assignments kept cost nothing,
	// changed ones cost Weights.Change each. Empty for a fresh plan.
	Previous []Assignment
	// Options tune the search; zero fields take defaults.
	Options Options

	prep *prepared
}

// Township is one market.
type Township struct {
	// ID is the township's NBS code; Name its display name.
	ID, Name string
	// MarketDays are the indices (into Problem.Days) of its market days,
	// ascending, from scheduler/calendar with exceptions applied.
	MarketDays []int
	// TargetPerWeek is how many desks the township should get per ISO week
	// (capped by its market days in that week); 0 takes Options.TargetPerWeek.
	TargetPerWeek int
	// WalkInMinutes is the expected walk-in work per market day, in minutes
	// (see EstimateDemand); it only sizes desks.
	WalkInMinutes int
}

// Staff is one person. Available and TravelMin are indexed by day and by
// township respectively.
type Staff struct {
	// ID is the staff id.
	ID string
	// Skills are the department skills the person may exercise.
	Skills []data.Skill
	// Level is the person's administrative level (county, township,
	// village); items whose lowest level is above it are not theirs.
	Level data.Level
	// Available[d] is true when the person works on day d during desk hours
	// and is not on leave.
	Available []bool
	// MaxDaysPerWeek caps market days per ISO week; 0 takes Options.MaxDaysPerWeek.
	MaxDaysPerWeek int
	// TravelMin[t] is the one-way travel time from the person's base to
	// township t's market, in minutes.
	TravelMin []int
}

// Booking is one booked item.
type Booking struct {
	// ID is the booking id.
	ID string
	// Township and Day locate the market day (indices).
	Township, Day int
	// ItemID names the catalogue item; Skill and Level are what a handler
	// needs (data.ServiceItem.Skill and LowestLevel).
	ItemID string
	Skill  data.Skill
	Level  data.Level
	// Minutes is the expected handling time (the item's DurationMin).
	Minutes int
}

// Lock fixes the staff of one desk: the desk keeps exactly these people.
type Lock struct {
	// Township and Day locate the desk (indices).
	Township, Day int
	// Staff are the people locked at the desk (indices); empty locks the
	// desk closed.
	Staff []int
}

// Assignment places one person at one desk.
type Assignment struct {
	Staff, Township, Day int
}

// Options tune the planner. Zero fields take the defaults in brackets.
type Options struct {
	// MaxDaysPerWeek caps a person's market days per ISO week [3].
	MaxDaysPerWeek int
	// TargetPerWeek is the default desk frequency per township and week [2].
	TargetPerWeek int
	// MinStaff and MaxStaff bound a desk's size [1, 4].
	MinStaff, MaxStaff int
	// DeskStart and DeskEnd are the desk hours, minutes after midnight
	// [510 (08:30), 750 (12:30)]: market mornings.
	DeskStart, DeskEnd int
	// Weights weigh the objective's terms [DefaultWeights].
	Weights Weights
	// Seed seeds the local search [1].
	Seed int64
	// MaxIterations caps local-search moves [400000].
	MaxIterations int
	// TimeLimit caps the local search's wall time [3 s]; checked every 1024 moves.
	TimeLimit time.Duration
	// History is the late-acceptance list length [64].
	History int
}

// Weights are the objective's weights. The terms are lexicographic in
// intent: one uncovered booking outweighs any number of missed desks in
// practice, and so on down to fairness.
type Weights struct {
	Uncovered int64 // per booking left uncovered
	Missed    int64 // per desk missing from a township's weekly target
	Shortfall int64 // per person missing from a desk's wanted size
	Change    int64 // per assignment added or removed against Problem.Previous
	Travel    int64 // per minute of round-trip travel
	Fairness  int64 // per unit of Σ (days worked)²
}

// DefaultWeights are the weights used when Options.Weights is zero.
var DefaultWeights = Weights{Uncovered: 1_000_000, Missed: 10_000, Shortfall: 1_000, Change: 300, Travel: 1, Fairness: 4}

func (o Options) withDefaults() Options {
	if o.MaxDaysPerWeek <= 0 {
		o.MaxDaysPerWeek = 3
	}
	if o.TargetPerWeek <= 0 {
		o.TargetPerWeek = 2
	}
	if o.MinStaff <= 0 {
		o.MinStaff = 1
	}
	if o.MaxStaff <= 0 {
		o.MaxStaff = 4
	}
	if o.MaxStaff < o.MinStaff {
		o.MaxStaff = o.MinStaff
	}
	if o.DeskStart == 0 && o.DeskEnd == 0 {
		o.DeskStart, o.DeskEnd = 510, 750
	}
	if o.Weights == (Weights{}) {
		o.Weights = DefaultWeights
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.MaxIterations <= 0 {
		o.MaxIterations = 400_000
	}
	if o.TimeLimit <= 0 {
		o.TimeLimit = 3 * time.Second
	}
	if o.History <= 0 {
		o.History = 64
	}
	return o
}

// Slot is a (township, market day) desk slot of a prepared problem.
type Slot struct {
	Township, Day int
}

// prepared holds what Prepare derives: slots, requirement groups (skill,
// level) as bit positions, coverage masks and week numbers.
type prepared struct {
	opt       Options
	slots     []Slot
	slotOf    map[[2]int]int // (township, day) -> slot
	week      []int          // per day: ISO week number relative to the first day
	nWeeks    int
	groups    []group
	cover     []uint64 // per staff: groups the person covers
	slotNeed  [][]groupCount
	slotMin   []int // per slot: booked + walk-in minutes
	bookSlot  []int // per booking: slot or -1
	bookGroup []int
	locked    []bool  // per slot
	lockStaff [][]int // per slot: staff kept there after conflicts
	conflicts []Conflict
	prev      map[[2]int]bool // (staff, slot) of Problem.Previous
	maxDays   []int
	target    [][]int // per township, per week: desks wanted
	byDay     [][]int // per day: staff available that day
	dayStaff  [][]int // per day: slots held that day
}

type group struct {
	skill data.Skill
	level data.Level
}

type groupCount struct {
	bit   uint64
	group int
	count int
}

// Conflict is data.DeskConflict (the plan summary is one type shared by both planners, the store and the API).
type Conflict = data.DeskConflict

// Prepare validates p and derives the solver's tables. It returns an Invalid
// *data.Error naming the offending field. Solve calls it; calling it again
// is cheap and returns the first result.
func (p *Problem) Prepare() error {
	if p.prep != nil {
		return nil
	}
	opt := p.Options.withDefaults()
	nd := len(p.Days)
	if nd == 0 {
		return data.FieldError("days", "the horizon has no days")
	}
	for i, d := range p.Days {
		if !d.Valid() || (i > 0 && d != p.Days[i-1].AddDays(1)) {
			return data.FieldError(fmt.Sprintf("days[%d]", i), "%q is not the day after the previous one", d)
		}
	}
	pr := &prepared{opt: opt, slotOf: map[[2]int]int{}, prev: map[[2]int]bool{}}
	// ISO weeks: a new week starts on every Monday after the first day.
	pr.week = make([]int, nd)
	w := 0
	for i, d := range p.Days {
		if i > 0 && d.Weekday() == time.Monday {
			w++
		}
		pr.week[i] = w
	}
	pr.nWeeks = w + 1
	for t, tw := range p.Townships {
		last := -1
		for j, d := range tw.MarketDays {
			if d < 0 || d >= nd || d <= last {
				return data.FieldError(fmt.Sprintf("townships[%d].market_days[%d]", t, j), "%d is not a new day index in 0–%d, ascending", d, nd-1)
			}
			last = d
			pr.slotOf[[2]int{t, d}] = len(pr.slots)
			pr.slots = append(pr.slots, Slot{Township: t, Day: d})
		}
		if tw.WalkInMinutes < 0 {
			return data.FieldError(fmt.Sprintf("townships[%d].walk_in_minutes", t), "is negative")
		}
	}
	gidx := map[group]int{}
	groupOf := func(s data.Skill, l data.Level) int {
		g := group{s, l}
		if i, ok := gidx[g]; ok {
			return i
		}
		gidx[g] = len(pr.groups)
		pr.groups = append(pr.groups, g)
		return gidx[g]
	}
	pr.bookSlot = make([]int, len(p.Bookings))
	pr.bookGroup = make([]int, len(p.Bookings))
	pr.slotNeed = make([][]groupCount, len(pr.slots))
	pr.slotMin = make([]int, len(pr.slots))
	for i, b := range p.Bookings {
		f := fmt.Sprintf("bookings[%d]", i)
		if b.Township < 0 || b.Township >= len(p.Townships) {
			return data.FieldError(f+".township", "%d is not a township index", b.Township)
		}
		if b.Day < 0 || b.Day >= nd {
			return data.FieldError(f+".day", "%d is not a day index", b.Day)
		}
		if !b.Skill.Valid() || !b.Level.Valid() || b.Minutes < 0 {
			return data.FieldError(f, "needs a skill, a level and minutes ≥ 0")
		}
		g := groupOf(b.Skill, b.Level)
		if len(pr.groups) > 64 {
			return data.FieldError(f+".skill", "more than 64 (skill, level) classes")
		}
		pr.bookGroup[i] = g
		s, ok := pr.slotOf[[2]int{b.Township, b.Day}]
		if !ok {
			pr.bookSlot[i] = -1 // not a market day: reported uncovered
			continue
		}
		pr.bookSlot[i] = s
		pr.slotMin[s] += b.Minutes
		need := pr.slotNeed[s]
		found := false
		for k := range need {
			if need[k].group == g {
				need[k].count++
				found = true
			}
		}
		if !found {
			pr.slotNeed[s] = append(need, groupCount{bit: 1 << uint(g), group: g, count: 1})
		}
	}
	for s, sl := range pr.slots {
		pr.slotMin[s] += p.Townships[sl.Township].WalkInMinutes
	}
	pr.cover = make([]uint64, len(p.Staff))
	pr.maxDays = make([]int, len(p.Staff))
	pr.byDay = make([][]int, nd)
	for i, st := range p.Staff {
		f := fmt.Sprintf("staff[%d]", i)
		if len(st.Available) != nd {
			return data.FieldError(f+".available", "has %d days, want %d", len(st.Available), nd)
		}
		if len(st.TravelMin) != len(p.Townships) {
			return data.FieldError(f+".travel_min", "has %d townships, want %d", len(st.TravelMin), len(p.Townships))
		}
		for t, m := range st.TravelMin {
			if m < 0 {
				return data.FieldError(fmt.Sprintf("%s.travel_min[%d]", f, t), "is negative")
			}
		}
		for g, gr := range pr.groups {
			if covers(st, gr) {
				pr.cover[i] |= 1 << uint(g)
			}
		}
		pr.maxDays[i] = st.MaxDaysPerWeek
		if pr.maxDays[i] <= 0 {
			pr.maxDays[i] = opt.MaxDaysPerWeek
		}
		for d, ok := range st.Available {
			if ok {
				pr.byDay[d] = append(pr.byDay[d], i)
			}
		}
	}
	pr.target = make([][]int, len(p.Townships))
	for t, tw := range p.Townships {
		per := tw.TargetPerWeek
		if per <= 0 {
			per = opt.TargetPerWeek
		}
		cnt := make([]int, pr.nWeeks)
		for _, d := range tw.MarketDays {
			cnt[pr.week[d]]++
		}
		pr.target[t] = make([]int, pr.nWeeks)
		for w := range cnt {
			pr.target[t][w] = min(per, cnt[w])
		}
	}
	for i, a := range p.Previous {
		if a.Staff < 0 || a.Staff >= len(p.Staff) {
			return data.FieldError(fmt.Sprintf("previous[%d].staff", i), "%d is not a staff index", a.Staff)
		}
		if s, ok := pr.slotOf[[2]int{a.Township, a.Day}]; ok {
			pr.prev[[2]int{a.Staff, s}] = true
		}
	}
	if err := pr.applyLocks(p); err != nil {
		return err
	}
	p.prep = pr
	return nil
}

// covers reports whether st may handle items of group g: the skill is
// theirs and their level may handle the item's lowest level.
func covers(st Staff, g group) bool {
	if !st.Level.CanHandle(g.level) {
		return false
	}
	for _, k := range st.Skills {
		if k == g.skill {
			return true
		}
	}
	return false
}

// applyLocks fixes locked desks in lock order. A lock that would put a
// person in two places, on a day off, over their week or over a full desk
// is not applied for that person and becomes a Conflict instead.
func (pr *prepared) applyLocks(p *Problem) error {
	nd := len(p.Days)
	pr.locked = make([]bool, len(pr.slots))
	pr.lockStaff = make([][]int, len(pr.slots))
	at := make(map[[2]int]int) // (staff, day) -> slot
	perWeek := make(map[[2]int]int)
	for i, l := range p.Locks {
		f := fmt.Sprintf("locks[%d]", i)
		if l.Township < 0 || l.Township >= len(p.Townships) || l.Day < 0 || l.Day >= nd {
			return data.FieldError(f, "township %d or day %d out of range", l.Township, l.Day)
		}
		s, ok := pr.slotOf[[2]int{l.Township, l.Day}]
		if !ok {
			return data.FieldError(f+".day", "%s is not a market day of %s", p.Days[l.Day], p.Townships[l.Township].ID)
		}
		pr.locked[s] = true
		tid := p.Townships[l.Township].ID
		for j, st := range l.Staff {
			if st < 0 || st >= len(p.Staff) {
				return data.FieldError(fmt.Sprintf("%s.staff[%d]", f, j), "%d is not a staff index", st)
			}
			c := Conflict{StaffID: p.Staff[st].ID, Date: p.Days[l.Day], TownshipID: tid}
			switch other, busy := at[[2]int{st, l.Day}]; {
			case busy && other == s:
				continue // listed twice on the same desk
			case busy:
				c.Kind, c.Other = "two_places", p.Townships[pr.slots[other].Township].ID
				c.Message = fmt.Sprintf("%s is locked at %s and at %s on %s; the earlier lock (%s) is kept", c.StaffID, c.Other, tid, c.Date, c.Other)
			case !p.Staff[st].Available[l.Day]:
				c.Kind = "unavailable"
				c.Message = fmt.Sprintf("%s does not work on %s (day off or leave) but is locked at %s", c.StaffID, c.Date, tid)
			case perWeek[[2]int{st, pr.week[l.Day]}] >= pr.maxDays[st]:
				c.Kind = "over_week"
				c.Message = fmt.Sprintf("locking %s at %s on %s exceeds %d market days that week", c.StaffID, tid, c.Date, pr.maxDays[st])
			case len(pr.lockStaff[s]) >= pr.opt.MaxStaff:
				c.Kind = "desk_full"
				c.Message = fmt.Sprintf("desk %s on %s already has %d people", tid, c.Date, pr.opt.MaxStaff)
			default:
				at[[2]int{st, l.Day}] = s
				perWeek[[2]int{st, pr.week[l.Day]}]++
				pr.lockStaff[s] = append(pr.lockStaff[s], st)
				continue
			}
			pr.conflicts = append(pr.conflicts, c)
		}
	}
	return nil
}

// Slots returns the desk slots of a prepared problem, by township then day;
// Solution.Desks is indexed the same way. Nil before Prepare.
func (p *Problem) Slots() []Slot {
	if p.prep == nil {
		return nil
	}
	return p.prep.slots
}

// wantSize is the desk size wanted at slot s: enough people for the booked
// and expected walk-in minutes, within MinStaff–MaxStaff.
func (pr *prepared) wantSize(s int) int {
	per := pr.opt.DeskEnd - pr.opt.DeskStart
	if per <= 0 {
		per = 1
	}
	n := (pr.slotMin[s] + per - 1) / per
	return max(pr.opt.MinStaff, min(pr.opt.MaxStaff, n))
}

func popcount(x uint64) int { return bits.OnesCount64(x) }
