package circuit

import (
	"maps"
	"slices"
	"sort"

	"github.com/yingjing/xunhui/data"
)

// Crews from the county experts' pool (issue 21). A county team is a car
// (driver and Team.SeatCount expert seats); its members together with every
// other county team's members form the pool. Each day the planner forms the
// crews of that day's cars from the pool: a car carries exactly the
// experts its route's visits need (fewest expert-minutes over the day's
// cars, each expert on one car at most, seats respected), and at each visit
// only the experts whose skills the items need attend (Stop.StaffIDs). A
// visit needing two departments gets both experts, who arrive together in
// the same car and serve from Start to Depart (a synchronised visit).
// Experts not on a crew stay on desk duty or are free for market days: the
// plan does not claim them.

// pool returns the county experts' pool: the members of every county team,
// in team then member order, without repeats.
func (s *Snapshot) pool() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range s.Teams {
		if t.Level != data.LevelCounty {
			continue
		}
		for _, id := range t.MemberIDs {
			if _, ok := s.Staff[id]; ok && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// availableFor reports whether expert id may travel on date from minute
// from to minute to: not a statutory day off, no absence, not at a
// published market desk, and on duty (availability) over the whole span.
func (s *Snapshot) availableFor(id string, d data.Date, from, to int) bool {
	st, ok := s.Staff[id]
	if !ok || (s.RestDay != nil && s.RestDay(d)) || s.absent(id, d) {
		return false
	}
	if _, taken := s.Claimed[data.StaffDay{StaffID: id, Date: d}]; taken {
		return false
	}
	lo, hi, ok := hoursOn(st, st.ShiftWeekday(d, s.adjusted(d)))
	return ok && lo <= from && to <= hi
}

// poolSkills is the union of the skills of the pool's experts available on
// d for the whole of team t's shift.
func (s *Snapshot) poolSkills(t data.Team, d data.Date) map[data.Skill]bool {
	out := map[data.Skill]bool{}
	for _, id := range s.pool() {
		if s.availableFor(id, d, t.DayStart, t.DayEnd) {
			for _, k := range s.Staff[id].Skills {
				out[k] = true
			}
		}
	}
	return out
}

// stopNeeds returns the skills the items of a stop's requests need, sorted.
func stopNeeds(snap *Snapshot, reqs map[string]*data.Request, st data.Stop) []data.Skill {
	set := map[data.Skill]bool{}
	for _, id := range st.RequestIDs {
		r := reqs[id]
		if r == nil {
			continue
		}
		for _, iid := range r.ItemIDs {
			if it, ok := snap.Items[iid]; ok {
				set[it.Skill] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// carDay is one county car's day out as the crew pass sees it.
type carDay struct {
	it    *data.Itinerary
	team  data.Team
	from  int            // leaves base, minutes
	to    int            // back at base, minutes
	needs [][]data.Skill // per stop
	// fixed are experts already on board (a re-plan's kept stops).
	fixed []string
}

// crewCost is the expert-minutes of giving crew c (size) to a car day.
func (c *carDay) minutes() int { return c.to - c.from }

// covers reports whether experts ids cover every need of every stop.
func covers(snap *Snapshot, ids []string, needs [][]data.Skill) bool {
	has := map[data.Skill]bool{}
	for _, id := range ids {
		for _, k := range snap.Staff[id].Skills {
			has[k] = true
		}
	}
	for _, n := range needs {
		for _, k := range n {
			if !has[k] {
				return false
			}
		}
	}
	return true
}

// minimalCovers lists the inclusion-minimal sets of candidates (containing
// fixed) whose skills cover need, each of at most seats experts, by
// branching on the first uncovered skill (at most limit sets).
func minimalCovers(snap *Snapshot, cands, fixed []string, need []data.Skill, seats, limit int) [][]string {
	var out [][]string
	var rec func(cur []string)
	rec = func(cur []string) {
		if len(out) >= limit || len(cur) > seats {
			return
		}
		has := map[data.Skill]bool{}
		for _, id := range cur {
			for _, k := range snap.Staff[id].Skills {
				has[k] = true
			}
		}
		var miss data.Skill
		found := false
		for _, k := range need {
			if !has[k] {
				miss, found = k, true
				break
			}
		}
		if !found {
			// minimal: no non-fixed member can leave
			for i, id := range cur {
				if slices.Contains(fixed, id) {
					continue
				}
				rest := append(append([]string{}, cur[:i]...), cur[i+1:]...)
				if covers(snap, rest, [][]data.Skill{need}) {
					return
				}
			}
			c := slices.Clone(cur)
			slices.Sort(c)
			for _, o := range out {
				if slices.Equal(o, c) {
					return
				}
			}
			out = append(out, c)
			return
		}
		for _, id := range cands {
			if slices.Contains(cur, id) || !slices.Contains(snap.Staff[id].Skills, miss) {
				continue
			}
			rec(append(cur, id))
		}
	}
	rec(slices.Clone(fixed))
	return out
}

// formCrews gives each car day of one date a crew from the pool: the
// assignment with the fewest expert-minutes (Σ crew size × day length)
// among minimal covers, each expert on one car at most, seats respected.
// It returns false when no assignment exists.
func formCrews(snap *Snapshot, date data.Date, cars []*carDay, pool []string) ([][]string, bool) {
	options := make([][][]string, len(cars))
	for i, c := range cars {
		var cands []string
		for _, id := range pool {
			if snap.availableFor(id, date, c.from, c.to) {
				cands = append(cands, id)
			}
		}
		var need []data.Skill
		for _, n := range c.needs {
			for _, k := range n {
				if !slices.Contains(need, k) {
					need = append(need, k)
				}
			}
		}
		slices.Sort(need)
		options[i] = minimalCovers(snap, cands, c.fixed, need, c.team.SeatCount(), 2000)
		sort.SliceStable(options[i], func(a, b int) bool { return len(options[i][a]) < len(options[i][b]) })
		if len(options[i]) == 0 {
			return nil, false
		}
	}
	// Hardest cars first (fewest options), then branch and bound.
	order := make([]int, len(cars))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(options[order[a]]) < len(options[order[b]]) })
	best, bestCost := make([][]string, len(cars)), -1
	cur := make([][]string, len(cars))
	used := map[string]bool{}
	steps := 0
	var rec func(k, cost int)
	rec = func(k, cost int) {
		steps++
		if steps > 200000 || (bestCost >= 0 && cost >= bestCost) {
			return
		}
		if k == len(order) {
			bestCost = cost
			copy(best, cur)
			return
		}
		i := order[k]
		for _, o := range options[i] {
			clash := false
			for _, id := range o {
				clash = clash || used[id]
			}
			if clash {
				continue
			}
			for _, id := range o {
				used[id] = true
			}
			cur[i] = o
			rec(k+1, cost+len(o)*cars[i].minutes())
			for _, id := range o {
				used[id] = false
			}
		}
	}
	rec(0, 0)
	return best, bestCost >= 0
}

// attendees returns the fewest members of crew whose skills cover need
// (crew order breaks ties); all of crew when none does.
func attendees(snap *Snapshot, crew []string, need []data.Skill) []string {
	n := len(crew)
	if n > 16 {
		return slices.Clone(crew)
	}
	best := -1
	for mask := 1; mask < 1<<n; mask++ {
		if best >= 0 && popcount(mask) >= popcount(best) {
			continue
		}
		var ids []string
		for i := range crew {
			if mask&(1<<i) != 0 {
				ids = append(ids, crew[i])
			}
		}
		if covers(snap, ids, [][]data.Skill{need}) {
			best = mask
		}
	}
	if best < 0 {
		return slices.Clone(crew)
	}
	var out []string
	for i := range crew {
		if best&(1<<i) != 0 {
			out = append(out, crew[i])
		}
	}
	return out
}

func popcount(x int) int {
	n := 0
	for ; x > 0; x &= x - 1 {
		n++
	}
	return n
}

// carDayOf describes a county itinerary for the crew pass.
func carDayOf(snap *Snapshot, reqs map[string]*data.Request, t data.Team, it *data.Itinerary) *carDay {
	first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
	c := &carDay{it: it, team: t, from: first.Arrival - (first.TravelSeconds+59)/60, to: last.Depart + (it.ReturnSeconds+59)/60}
	for _, st := range it.Stops {
		c.needs = append(c.needs, stopNeeds(snap, reqs, st))
	}
	return c
}

// assignCrews forms the crews of the county itineraries (in place): per
// date, formCrews over that date's cars; the itinerary's StaffIDs become
// the crew and each stop's StaffIDs its attendees. fixed gives, per
// team-day, experts already on board (a re-plan's kept stops). A date whose
// cars get no assignment keeps each car's crew from before routing (the plan
// made with them is feasible for them: fallback, the proposed crews), and
// is returned.
func assignCrews(snap *Snapshot, its []data.Itinerary, fixed, fallback map[TeamDay][]string) []data.Date {
	reqs := requestIndex(snap)
	pool := snap.pool()
	byDate := map[data.Date][]*carDay{}
	var dates []data.Date
	for i := range its {
		it := &its[i]
		t, ok := snap.team(it.TeamID)
		if !ok || t.Level != data.LevelCounty || len(it.Stops) == 0 {
			continue
		}
		c := carDayOf(snap, reqs, t, it)
		c.fixed = fixed[TeamDay{it.TeamID, it.Date}]
		if _, ok := byDate[it.Date]; !ok {
			dates = append(dates, it.Date)
		}
		byDate[it.Date] = append(byDate[it.Date], c)
	}
	var failed []data.Date
	for _, d := range dates {
		cars := byDate[d]
		crews, ok := formCrews(snap, d, cars, pool)
		if !ok {
			failed = append(failed, d)
			for _, c := range cars {
				crews = append(crews, fallback[TeamDay{c.team.ID, d}])
			}
		}
		for i, c := range cars {
			c.it.StaffIDs = crews[i]
			for k := range c.it.Stops {
				c.it.Stops[k].StaffIDs = attendees(snap, crews[i], c.needs[k])
			}
		}
	}
	return failed
}

// proposeCrews chooses, before routing, each county car's crew for each
// day from the pool (a new plan with crews; re-plans keep the teams):
// the need-sets of that day's county requests (the skills of each
// request's items, largest and most frequent first) are covered one by
// one, each by the fewest experts added to one car (ties: an empty car,
// which spreads the work over the cars, then the car listed first), each
// expert on one car, seats respected; a car left empty then takes the
// unused expert whose skills cover the most requests of the day, or stays
// at the base. The engine routes each car with its crew's skills, so the
// crews are small from the start; after routing the crews are formed
// again exactly (assignCrews) and the post-pass lowers expert-hours
// further (crewSearch). A request no proposed crew covers may still go to
// any car whose day's pool does (eligibility).
func (r *planRun) proposeCrews() {
	snap := r.snap
	pool := snap.pool()
	var keep []vehicle
	for d, date := range r.days {
		var cars []int
		for vi := range r.vehicles {
			if v := &r.vehicles[vi]; v.day == d && v.pool != nil {
				cars = append(cars, vi)
			}
		}
		if len(cars) == 0 {
			continue
		}
		type needSet struct {
			skills []data.Skill
			count  int
		}
		var sets []*needSet
		for _, in := range r.infos {
			if in.code != "" || in.level != data.LevelCounty || len(in.presence[d]) == 0 ||
				(in.req.Deadline.Valid() && date > in.req.Deadline) {
				continue
			}
			found := false
			for _, s := range sets {
				if slices.Equal(s.skills, in.skills) {
					s.count++
					found = true
				}
			}
			if !found {
				sets = append(sets, &needSet{skills: in.skills, count: 1})
			}
		}
		sort.SliceStable(sets, func(a, b int) bool {
			if len(sets[a].skills) != len(sets[b].skills) {
				return len(sets[a].skills) > len(sets[b].skills)
			}
			return sets[a].count > sets[b].count
		})
		crews := make([][]string, len(cars))
		used := map[string]bool{}
		free := func(c int) []string {
			v := &r.vehicles[cars[c]]
			var out []string
			for _, id := range pool {
				if !used[id] && snap.availableFor(id, date, v.team.DayStart, v.team.DayEnd) {
					out = append(out, id)
				}
			}
			return out
		}
		for _, s := range sets {
			covered := false
			for c := range cars {
				covered = covered || covers(snap, crews[c], [][]data.Skill{s.skills})
			}
			if covered {
				continue
			}
			bestC, bestAdd := -1, []string(nil)
			for c, vi := range cars {
				room := r.vehicles[vi].team.SeatCount() - len(crews[c])
				if room <= 0 {
					continue
				}
				has := skillsOf(snap, crews[c])
				var miss []data.Skill
				for _, k := range s.skills {
					if !has[k] {
						miss = append(miss, k)
					}
				}
				adds := minimalCovers(snap, free(c), nil, miss, room, 200)
				for _, a := range adds {
					better := bestC < 0 || len(a) < len(bestAdd) ||
						(len(a) == len(bestAdd) && len(crews[c]) == 0 && len(crews[bestC]) > 0) ||
						(len(a) == len(bestAdd) && c == bestC && skillCount(snap, a) > skillCount(snap, bestAdd))
					if better {
						bestC, bestAdd = c, a
					}
				}
			}
			if bestC < 0 {
				continue // no car can: the pool fallback of eligibility
			}
			crews[bestC] = append(crews[bestC], bestAdd...)
			for _, id := range bestAdd {
				used[id] = true
			}
		}
		for c := range cars {
			if len(crews[c]) > 0 {
				continue
			}
			best, bestN := "", 0
			for _, id := range free(c) {
				n := 0
				for _, s := range sets {
					if covers(snap, []string{id}, [][]data.Skill{s.skills}) {
						n += s.count
					}
				}
				if n > bestN {
					best, bestN = id, n
				}
			}
			if best != "" {
				crews[c] = []string{best}
				used[best] = true
			}
		}
		for c, vi := range cars {
			r.vehicles[vi].skills = skillsOf(snap, crews[c])
			r.vehicles[vi].crew = crews[c]
		}
	}
	for _, v := range r.vehicles {
		if v.pool == nil || len(v.crew) > 0 {
			keep = append(keep, v)
		}
	}
	r.vehicles = keep
}

// skillCount is how many skills ids hold together.
func skillCount(snap *Snapshot, ids []string) int { return len(skillsOf(snap, ids)) }

// poolCars returns the county cars that may take g with a crew from the
// pool: every request's skills in the car's day's pool, on or before its
// deadline, with hours that day; nil when g is not a county stop.
func (r *planRun) poolCars(g *group) []int {
	var out []int
	for vi := range r.vehicles {
		v := &r.vehicles[vi]
		if v.pool == nil || len(g.presence[v.day]) == 0 {
			continue
		}
		ok := true
		for _, in := range g.reqs {
			if in.level != data.LevelCounty && in.routed != data.LevelCounty {
				return nil
			}
			ok = ok && !(in.req.Deadline.Valid() && v.date > in.req.Deadline)
			for _, k := range in.skills {
				ok = ok && v.pool[k]
			}
		}
		if ok {
			out = append(out, vi)
		}
	}
	return out
}
