package circuit

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
)

// Code is data.ReasonCode (the plan summary is one type shared by both planners, the store and the API).
type Code = data.ReasonCode

// Reason codes (see docs/circuit.md).
const (
	// NoSkill: no team allowed to handle the request (by level and area)
	// has members with every department skill its items need.
	NoSkill Code = "no_skill"
	// NoDayBeforeDeadline: skilled teams exist, but none works on a day of
	// the horizon on or before the request's deadline.
	NoDayBeforeDeadline Code = "no_day_before_deadline"
	// HoursNeverMatch: the household's visiting hours never overlap the
	// shift of a skilled team on a working day long enough for the service.
	HoursNeverMatch Code = "hours_never_match"
	// TooFar: travel from a team's base and back leaves no time for the
	// service within the household's hours.
	TooFar Code = "too_far"
	// Capacity: the request could be served alone, but the week is full:
	// other (higher-priority) work took the capacity.
	Capacity Code = "capacity"
	// BadData: the request names an unknown village or service item.
	BadData Code = "bad_data"
)

// Why a re-plan moved a visit it kept (to another team-day, or on its
// team-day beyond the tolerance); a dropped visit carries its unassigned code.
const (
	// MovedTeamDayGone: its old team-day no longer works (absence, leave,
	// a market desk claim, a holiday).
	MovedTeamDayGone Code = "team_day_gone"
	// MovedNoRoom: its old team-day still works but could not keep it within
	// the tolerance (higher-priority work, a day shortened by `now` or a
	// member's hours, or the household's hours).
	MovedNoRoom Code = "no_room"
)

// homeGroups are the special groups that get home visits (特殊情况不出门).
var homeGroups = []data.Group{data.GroupElderlyAlone, data.GroupDisabled, data.GroupSeriouslyIll}

// HomeVisit reports whether a request's household gets a home visit.
func HomeVisit(r data.Request) bool {
	for _, g := range r.Groups {
		if slices.Contains(homeGroups, g) {
			return true
		}
	}
	return false
}

// Priority returns the planning priority of r for a horizon starting on
// from, at time now (documented in docs/circuit.md):
//
//	10 × ledger priority (1–5)
//	+ 20 if elderly living alone, disabled or seriously ill
//	+ 10 if another special group (low income, extreme poverty, left-behind child, veteran)
//	+ 15 if on the hardship ledger (困难问题)
//	+ waiting days since registration, at most 30
//	+ deadline proximity max(0, 30 − 2 × days from the horizon start to the deadline)
//
// The result lies in 10–155; the engine weighs a served request as 1+priority.
func Priority(r data.Request, from data.Date, now time.Time) int {
	p := 10 * min(max(r.Priority, 1), 5)
	home, other := false, false
	for _, g := range r.Groups {
		if slices.Contains(homeGroups, g) {
			home = true
		} else {
			other = true
		}
	}
	if home {
		p += 20
	}
	if other {
		p += 10
	}
	if r.Ledger == data.LedgerHardship {
		p += 15
	}
	if !r.CreatedAt.IsZero() && now.After(r.CreatedAt) {
		p += min(int(now.Sub(r.CreatedAt).Hours()/24), 30)
	}
	if r.Deadline.Valid() && from.Valid() {
		days := int(r.Deadline.Time().Sub(from.Time()).Hours() / 24)
		p += max(0, 30-2*max(days, 0))
	}
	return p
}

// BreakSlack is how far, in minutes, a lunch break may move around the
// team's LunchStart: the break of LunchEnd−LunchStart minutes starts within
// [LunchStart−BreakSlack, LunchStart+BreakSlack], clipped to the shift.
const BreakSlack = 30

// LunchWindow returns the earliest and latest start of t's lunch break and
// its duration, in minutes after midnight; ok is false when t has none.
func LunchWindow(t data.Team) (earliest, latest, dur int, ok bool) {
	if t.LunchStart == 0 && t.LunchEnd == 0 || t.LunchEnd <= t.LunchStart {
		return 0, 0, 0, false
	}
	dur = t.LunchEnd - t.LunchStart
	earliest = max(t.LunchStart-BreakSlack, t.DayStart)
	latest = min(t.LunchStart+BreakSlack, t.DayEnd-dur)
	if latest < earliest {
		latest = earliest
	}
	return earliest, latest, dur, true
}

// Covers reports whether team t may work in village v by its area: county
// teams everywhere, township teams in their township, village agents in
// their village.
func Covers(t data.Team, villageID string) bool {
	switch t.Level {
	case data.LevelCounty:
		return true
	case data.LevelTownship:
		return data.TownshipOf(villageID) == data.TownshipOf(t.HomeCode) && data.TownshipOf(villageID) != ""
	case data.LevelVillage:
		return t.HomeCode == villageID
	}
	return false
}

// reqInfo is the planner's analysis of one request.
type reqInfo struct {
	req      *data.Request
	level    data.Level // lowest level that can handle every item
	skills   []data.Skill
	service  int // minutes
	home     bool
	point    data.Point
	village  data.Village
	priority int
	// presence[d] are the household's presence intervals on day d, minutes.
	presence [][][2]int
	code     Code       // non-empty when the request cannot be planned at all
	detail   string     // explanation of code or of the level decision
	served   data.Level // level of the team that serves it
	routed   data.Level // level chosen by level routing
	vehicles []int      // eligible vehicles (indices into model.vehicles), any travel mode
	up       []int      // eligible higher-level vehicles, any travel mode (escalation pass)
	unpinned []int      // eligible vehicles before a re-plan pinned the request
	escalate string     // reason of an escalation, if any
}

// vehicle is one team on one working day.
type vehicle struct {
	team   data.Team
	day    int
	date   data.Date
	skills map[data.Skill]bool
	// pool, for a county car planned with crews, is the skills of the
	// experts' pool that day: a request no car's own members can serve
	// may go to any car whose pool covers it (its crew comes from the pool).
	pool map[data.Skill]bool
	// crew is the crew proposed for the car before routing (proposeCrews).
	crew []string
	base data.Point
	// start, when set, overrides the base as the day's starting point
	// (re-planning mid-day), from minute startMin.
	start    *data.Point
	startMin int
	noBreak  bool
}

// shiftStart is when the vehicle's day may start: the team's shift start,
// or later when re-planning mid-day (startMin: now, or the end of the kept
// part of the day).
func (v *vehicle) shiftStart() int {
	return max(v.team.DayStart, v.startMin)
}

func (v *vehicle) origin() data.Point {
	if v.start != nil {
		return *v.start
	}
	return v.base
}

// analyze fills the static part of a request's analysis (levels, skills,
// windows), before eligibility.
func analyze(s *Snapshot, r *data.Request, days []data.Date, now time.Time) *reqInfo {
	in := &reqInfo{req: r, home: HomeVisit(*r), priority: Priority(*r, days[0], now)}
	v, ok := s.Villages[r.Household.VillageID]
	if !ok {
		in.code, in.detail = BadData, "unknown village "+r.Household.VillageID
		return in
	}
	in.village = v
	in.point = v.Location
	if in.home && r.Household.Location != nil {
		in.point = *r.Household.Location
	}
	rank := data.LevelVillage.Rank()
	seen := map[data.Skill]bool{}
	for _, id := range r.ItemIDs {
		it, ok := s.Items[id]
		if !ok {
			in.code, in.detail = BadData, "unknown service item "+id
			return in
		}
		rank = min(rank, it.LowestLevel.Rank())
		in.service += it.DurationMin
		if !seen[it.Skill] {
			seen[it.Skill] = true
			in.skills = append(in.skills, it.Skill)
		}
	}
	sort.Slice(in.skills, func(a, b int) bool { return in.skills[a] < in.skills[b] })
	in.level = []data.Level{data.LevelCounty, data.LevelTownship, data.LevelVillage}[rank]
	in.presence = make([][][2]int, len(days))
	for d, date := range days {
		if len(r.VisitWindows) == 0 {
			in.presence[d] = [][2]int{{0, data.MinutesPerDay}}
			continue
		}
		var ws [][2]int
		for _, w := range r.VisitWindows {
			if w.Weekday == date.Weekday() {
				ws = append(ws, [2]int{w.From, w.To})
			}
		}
		in.presence[d] = mergeIntervals(ws)
	}
	return in
}

// mergeIntervals sorts and merges overlapping or touching intervals.
func mergeIntervals(ws [][2]int) [][2]int {
	sort.Slice(ws, func(a, b int) bool { return ws[a][0] < ws[b][0] })
	var out [][2]int
	for _, w := range ws {
		if n := len(out); n > 0 && w[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], w[1])
			continue
		}
		out = append(out, w)
	}
	return out
}

// intersect returns the pairwise intersections of two sorted interval lists.
func intersect(a, b [][2]int) [][2]int {
	var out [][2]int
	for _, x := range a {
		for _, y := range b {
			lo, hi := max(x[0], y[0]), min(x[1], y[1])
			if lo < hi {
				out = append(out, [2]int{lo, hi})
			}
		}
	}
	return mergeIntervals(out)
}

// levelsFrom returns the levels from l upwards (village → township → county).
func levelsFrom(l data.Level) []data.Level {
	all := []data.Level{data.LevelVillage, data.LevelTownship, data.LevelCounty}
	for i, x := range all {
		if x == l {
			return all[i:]
		}
	}
	return nil
}

// codeRank orders failure codes by how far a vehicle got: the best (largest)
// one over all vehicles explains why a request cannot be planned.
var codeRank = map[Code]int{NoSkill: 0, NoDayBeforeDeadline: 1, HoursNeverMatch: 2, TooFar: 3}

// fits checks vehicle v for request in: skills, deadline, hours, reach. It
// returns "" when v could serve the request alone.
func fits(in *reqInfo, v *vehicle, tr *Travel) Code {
	return fitsWith(in, v, tr, v.skills)
}

// fitsWith is fits with the vehicle's skills given.
func fitsWith(in *reqInfo, v *vehicle, tr *Travel, skills map[data.Skill]bool) Code {
	for _, k := range in.skills {
		if !skills[k] {
			return NoSkill
		}
	}
	if in.req.Deadline.Valid() && v.date > in.req.Deadline {
		return NoDayBeforeDeadline
	}
	shift := [][2]int{{v.shiftStart(), v.team.DayEnd}}
	ok := false
	for _, w := range intersect(in.presence[v.day], shift) {
		if w[1]-w[0] >= in.service {
			ok = true
		}
	}
	if !ok {
		return HoursNeverMatch
	}
	out, ok1 := tr.Seconds(v.team.TravelMode, v.date, v.origin(), in.point)
	back, ok2 := tr.Seconds(v.team.TravelMode, v.date, in.point, v.base)
	if !ok1 || !ok2 || out >= Unreachable || back >= Unreachable {
		return TooFar
	}
	reach := [][2]int{{v.shiftStart() + int(out/60), v.team.DayEnd - int(back/60)}}
	for _, w := range intersect(in.presence[v.day], reach) {
		if w[1]-w[0] >= in.service {
			if fitsDay(v, in.presence[v.day], in.service, int(out/60), int(back/60)) {
				return ""
			}
			return HoursNeverMatch
		}
	}
	return TooFar
}

// fitsDay reports whether vehicle v can leave its origin, serve one stop
// of service minutes within the presence intervals pres and come back
// within its shift, lunch break included (before leaving, after the
// service, or after coming back). out and back are travel minutes.
func fitsDay(v *vehicle, pres [][2]int, service, out, back int) bool {
	start, end := v.shiftStart(), v.team.DayEnd
	e, l, dur, hasBreak := LunchWindow(v.team)
	hasBreak = hasBreak && !v.noBreak && max(e, start) <= l
	earliest := func(t int) int {
		for _, w := range pres {
			if s := max(t, w[0]); s+service <= w[1] {
				return s
			}
		}
		return -1
	}
	if !hasBreak {
		s := earliest(start + out)
		return s >= 0 && s+service+back <= end
	}
	if bs := max(start, e); bs <= l {
		if s := earliest(bs + dur + out); s >= 0 && s+service+back <= end {
			return true
		}
	}
	s := earliest(start + out)
	if s < 0 {
		return false
	}
	if bs := max(s+service, e); bs <= l && bs+dur+back <= end {
		return true
	}
	bs := max(s+service+back, e)
	return bs <= l && bs+dur <= end
}

// eligibility decides, per request, the level that serves it and the
// vehicles allowed (level routing: the lowest level that can, escalating
// only when it cannot). Every vehicle is tested on its own team's travel
// mode (fits), and teams of every mode are eligible: the engine gives each
// vehicle its mode's matrix (buildProblem).
func eligibility(in *reqInfo, vehicles []vehicle, tr *Travel, escalate bool) {
	if in.code != "" {
		return
	}
	best := Code("")
	var whyLower []string
	for li, lvl := range levelsFrom(in.level) {
		var ok []int
		lvlBest, teams := Code(""), 0
		for vi := range vehicles {
			v := &vehicles[vi]
			if v.team.Level != lvl || !Covers(v.team, in.village.ID) {
				continue
			}
			teams++
			c := fits(in, v, tr)
			if c == "" {
				ok = append(ok, vi)
				continue
			}
			if lvlBest == "" || codeRank[c] > codeRank[lvlBest] {
				lvlBest = c
			}
		}
		if len(ok) == 0 {
			// Crews: no car's own members can, the day's pool may.
			for vi := range vehicles {
				v := &vehicles[vi]
				if v.team.Level == lvl && v.pool != nil && Covers(v.team, in.village.ID) && fitsWith(in, v, tr, v.pool) == "" {
					ok = append(ok, vi)
				}
			}
		}
		if len(ok) == 0 {
			if teams == 0 {
				whyLower = append(whyLower, fmt.Sprintf("no %s team works in %s this horizon", lvl, in.village.ShortName))
			} else {
				whyLower = append(whyLower, fmt.Sprintf("%s teams: %s", lvl, lvlBest))
				if best == "" || codeRank[lvlBest] > codeRank[best] {
					best = lvlBest
				}
			}
			continue
		}
		in.served, in.routed = lvl, lvl
		in.vehicles = ok
		if li > 0 {
			in.escalate = fmt.Sprintf("escalated from %s to %s (%s)", in.level, lvl, strings.Join(whyLower, "; "))
		}
		if escalate {
			// Higher levels may take the request in the escalation pass,
			// when the lower level had no room for it.
			for _, up := range levelsFrom(lvl)[1:] {
				for vi := range vehicles {
					v := &vehicles[vi]
					if v.team.Level == up && Covers(v.team, in.village.ID) && fits(in, v, tr) == "" {
						in.up = append(in.up, vi)
					}
				}
			}
		}
		return
	}
	if best == "" {
		best = NoSkill
	}
	in.code = best
	in.detail = strings.Join(whyLower, "; ")
}
