package circuit

import (
	"errors"
	"fmt"
	"slices"

	"github.com/yingjing/xunhui/data"
)

// Check verifies a circuit plan against the snapshot it was made from and
// the travel matrix, independently of the routing engine: every itinerary
// is re-simulated from its stops. It checks, for every stop, that the team
// works that day (a member present, not on leave), may handle the items
// (level and area) and has every skill; that the date is within the horizon
// and not after the request's deadline; that service fits the household's
// hours and lasts the items' minutes; that travel times equal the matrix and
// arrivals respect them; that the day fits the team's shift and leaves room
// for the lunch break; and that each request appears at most once. It
// returns all violations joined (nil when the plan is feasible).
func Check(snap *Snapshot, d data.PlanDetail, tr *Travel) error {
	var errs []error
	for _, v := range Violations(snap, d, tr) {
		errs = append(errs, v)
	}
	return errors.Join(errs...)
}

// Rule names what a violation breaks. Rules are only ever appended.
type Rule string

// Rules of a circuit plan, as Violations reports them.
const (
	RuleTeam      Rule = "team"      // unknown team, or no member works that day
	RuleHorizon   Rule = "horizon"   // date outside the plan
	RuleOrder     Rule = "order"     // stop numbering
	RuleDuplicate Rule = "duplicate" // a request served twice
	RuleRequest   Rule = "request"   // unknown request, village or item
	RuleArea      Rule = "area"      // village outside the team's area
	RuleLevel     Rule = "level"     // an item needs a higher level than the team's
	RuleSkill     Rule = "skill"     // an item needs a skill nobody on duty has
	RuleDeadline  Rule = "deadline"  // visit after the request's deadline
	RuleWindow    Rule = "window"    // service outside the household's hours
	RuleService   Rule = "service"   // service shorter than the items need
	RuleTravel    Rule = "travel"    // travel times that do not match the matrix
	RuleShift     Rule = "shift"     // the day does not fit the team's shift
	RuleLunch     Rule = "lunch"     // no room for the lunch break
	RuleCrew      Rule = "crew"      // a crew member away, on two cars, over the seats; an attendee not on the crew or not needed
)

// Violation is one broken rule of a plan, located at a team's day and a
// stop (Seq 0 = the day as a whole) and, where it concerns one request, that
// request.
type Violation struct {
	Rule      Rule      `json:"rule"`
	TeamID    string    `json:"team_id"`
	Date      data.Date `json:"date"`
	Seq       int       `json:"seq"`
	RequestID string    `json:"request_id,omitempty"`
	Message   string    `json:"message"`
}

// Error formats v as "TEAM DATE stop SEQ: message".
func (v Violation) Error() string {
	return fmt.Sprintf("%s %s stop %d: %s", v.TeamID, v.Date, v.Seq, v.Message)
}

// Violations is Check's list of broken rules, in itinerary and stop order
// (empty when d is feasible).
func Violations(snap *Snapshot, d data.PlanDetail, tr *Travel) []Violation {
	var out []Violation
	rule, rid := RuleTeam, ""
	bad := func(it data.Itinerary, seq int, format string, args ...any) {
		out = append(out, Violation{Rule: rule, TeamID: it.TeamID, Date: it.Date, Seq: seq, RequestID: rid, Message: fmt.Sprintf(format, args...)})
	}
	is := func(r Rule) bool { rule, rid = r, ""; return true }
	isR := func(r Rule, id string) bool { rule, rid = r, id; return true }
	reqs := map[string]*data.Request{}
	for i := range snap.Requests {
		reqs[snap.Requests[i].ID] = &snap.Requests[i]
	}
	seen := map[string]string{}
	seenEnd := map[string]visitEnd{}
	onCar := map[data.StaffDay]string{}
	for _, it := range d.Itineraries {
		t, ok := snap.team(it.TeamID)
		if !ok && is(RuleTeam) {
			bad(it, 0, "unknown team")
			continue
		}
		if (it.Date < d.Plan.From || it.Date > d.Plan.To) && is(RuleHorizon) {
			bad(it, 0, "date outside the plan %s–%s", d.Plan.From, d.Plan.To)
		}
		if len(it.Stops) == 0 {
			continue
		}
		crew := it.StaffIDs
		if len(crew) == 0 {
			crew = snap.Duty(t, it.Date).Members
		}
		skills := skillsOf(snap, crew)
		if !anyAvailable(snap, it, crew) && is(RuleTeam) {
			bad(it, 0, "team does not work that day (no member available)")
		}
		checkCrew(snap, t, it, crew, onCar, func(format string, args ...any) {
			if is(RuleCrew) {
				bad(it, 0, format, args...)
			}
		})
		t = snap.DayTeam(t, it.Date)
		base, _ := snap.base(t)
		prev, prevDep := base, t.DayStart
		for k, st := range it.Stops {
			if st.Seq != k+1 && is(RuleOrder) {
				bad(it, st.Seq, "seq %d, want %d", st.Seq, k+1)
			}
			need := 0
			stopSkills := skills
			if len(st.StaffIDs) > 0 {
				stopSkills = skillsOf(snap, st.StaffIDs)
				for _, id := range st.StaffIDs {
					if !slices.Contains(crew, id) && is(RuleCrew) {
						bad(it, st.Seq, "attendee %s is not on the day's crew", id)
					}
				}
				if extra := unneeded(snap, reqs, st); extra != "" && is(RuleCrew) {
					bad(it, st.Seq, "attendee %s is not needed by the items (the others cover them)", extra)
				}
			}
			for _, id := range st.RequestIDs {
				// A request may be visited again after an earlier visit that
				// left it open (nobody home, follow-up): a re-plan's history.
				if where, dup := seen[id]; dup && !(reqs[id] != nil && openStatus(reqs[id].Status) && visitedBefore(seenEnd[id], it.Date, st.Start)) && isR(RuleDuplicate, id) {
					bad(it, st.Seq, "request %s already served at %s", id, where)
				}
				seen[id] = fmt.Sprintf("%s %s stop %d", it.TeamID, it.Date, st.Seq)
				seenEnd[id] = visitEnd{it.Date, st.Depart}
				r := reqs[id]
				if r == nil && isR(RuleRequest, id) {
					bad(it, st.Seq, "request %s is not in the snapshot", id)
					continue
				}
				v, ok := snap.Villages[r.Household.VillageID]
				if !ok && isR(RuleRequest, id) {
					bad(it, st.Seq, "request %s: unknown village", id)
					continue
				}
				want := v.Location
				if HomeVisit(*r) && r.Household.Location != nil {
					want = *r.Household.Location
				}
				if PointKey(want) != PointKey(st.Location) && isR(RuleRequest, id) {
					bad(it, st.Seq, "request %s served at %s, want %s", id, PointKey(st.Location), PointKey(want))
				}
				if !Covers(t, v.ID) && isR(RuleArea, id) {
					bad(it, st.Seq, "request %s: village %s is outside the team's area", id, v.ID)
				}
				for _, iid := range r.ItemIDs {
					item, ok := snap.Items[iid]
					if !ok && isR(RuleRequest, id) {
						bad(it, st.Seq, "request %s: unknown item %s", id, iid)
						continue
					}
					need += item.DurationMin
					if !t.Level.CanHandle(item.LowestLevel) && isR(RuleLevel, id) {
						bad(it, st.Seq, "request %s: item %s needs level %s, team is %s", id, iid, item.LowestLevel, t.Level)
					}
					if !stopSkills[item.Skill] && isR(RuleSkill, id) {
						bad(it, st.Seq, "request %s: item %s needs skill %s, absent that day", id, iid, item.Skill)
					}
				}
				if r.Deadline.Valid() && it.Date > r.Deadline && isR(RuleDeadline, id) {
					bad(it, st.Seq, "request %s: visit after its deadline %s", id, r.Deadline)
				}
				if !inWindows(*r, it.Date, st.Start, st.Depart) && isR(RuleWindow, id) {
					bad(it, st.Seq, "request %s: service %s–%s outside the household's hours", id, data.Clock(st.Start), data.Clock(st.Depart))
				}
			}
			if st.Depart-st.Start < need && is(RuleService) {
				bad(it, st.Seq, "service %d min, items need %d", st.Depart-st.Start, need)
			}
			tt, ok := tr.Seconds(t.TravelMode, it.Date, prev, st.Location)
			if !ok && is(RuleTravel) {
				bad(it, st.Seq, "location not in the travel matrix")
			} else if int64(st.TravelSeconds) != tt && is(RuleTravel) {
				bad(it, st.Seq, "travel %d s, matrix says %d s", st.TravelSeconds, tt)
			}
			if st.Arrival*60 < prevDep*60+st.TravelSeconds && is(RuleTravel) {
				bad(it, st.Seq, "arrival %s before departure %s + travel %d s", data.Clock(st.Arrival), data.Clock(prevDep), st.TravelSeconds)
			}
			if st.Start < st.Arrival && is(RuleTravel) {
				bad(it, st.Seq, "start before arrival")
			}
			prev, prevDep = st.Location, st.Depart
		}
		back, ok := tr.Seconds(t.TravelMode, it.Date, prev, base)
		if (!ok || int64(it.ReturnSeconds) != back) && is(RuleTravel) {
			bad(it, 0, "return travel %d s, matrix says %d s", it.ReturnSeconds, back)
		}
		if prevDep*60+it.ReturnSeconds > t.DayEnd*60 && is(RuleShift) {
			bad(it, 0, "back at base after the end of the shift %s", data.Clock(t.DayEnd))
		}
		first := it.Stops[0]
		if first.Arrival*60-first.TravelSeconds < t.DayStart*60 && is(RuleShift) {
			bad(it, 1, "leaves base before the shift starts %s", data.Clock(t.DayStart))
		}
		if e, l, dur, ok := LunchWindow(t); ok && !breakFits(it, t, e, l, dur) && is(RuleLunch) {
			bad(it, 0, "no room for the %d-minute lunch break starting %s–%s", dur, data.Clock(e), data.Clock(l))
		}
	}
	return out
}

// breakFits reports whether some idle gap of the itinerary (before the
// first travel, between a departure and the next travel, after the return)
// holds the break with a start in [e, l].
func breakFits(it data.Itinerary, t data.Team, e, l, dur int) bool {
	lo := t.DayStart
	for _, st := range it.Stops {
		hi := st.Start - (st.TravelSeconds+59)/60 - dur
		if max(lo, e) <= min(hi, l) {
			return true
		}
		lo = st.Depart
	}
	hi := t.DayEnd - (it.ReturnSeconds+59)/60 - dur
	return max(lo, e) <= min(hi, l)
}

// inWindows reports whether [from, to] (minutes) lies in one of r's visit
// windows on date (no windows = any time).
func inWindows(r data.Request, date data.Date, from, to int) bool {
	if len(r.VisitWindows) == 0 {
		return true
	}
	var ws [][2]int
	for _, w := range r.VisitWindows {
		if w.Weekday == date.Weekday() {
			ws = append(ws, [2]int{w.From, w.To})
		}
	}
	for _, w := range mergeIntervals(ws) {
		if w[0] <= from && to <= w[1] {
			return true
		}
	}
	return false
}

// visitEnd is when a visit ended: its date and departure minute.
type visitEnd struct {
	date   data.Date
	depart int
}

// visitedBefore reports whether e ended before minute start of date.
func visitedBefore(e visitEnd, date data.Date, start int) bool {
	return e.date < date || (e.date == date && e.depart <= start)
}

// skillsOf is the union of the skills of staff ids.
func skillsOf(snap *Snapshot, ids []string) map[data.Skill]bool {
	out := map[data.Skill]bool{}
	for _, id := range ids {
		for _, k := range snap.Staff[id].Skills {
			out[k] = true
		}
	}
	return out
}

// checkCrew reports, through bad, a crew member who is unknown or away
// (absence, statutory day off, market desk, off duty between leaving and
// coming back), on another car or team the same day (onCar remembers),
// or a crew larger than the vehicle's seats.
func checkCrew(snap *Snapshot, t data.Team, it data.Itinerary, crew []string, onCar map[data.StaffDay]string, bad func(string, ...any)) {
	first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
	from, to := first.Arrival-(first.TravelSeconds+59)/60, last.Depart+(it.ReturnSeconds+59)/60
	for _, id := range crew {
		if _, ok := snap.Staff[id]; !ok {
			bad("crew member %s is unknown", id)
			continue
		}
		if !snap.availableFor(id, it.Date, from, to) && anyAvailable(snap, it, crew) {
			bad("crew member %s is not available %s–%s (absence, day off, market desk or hours)", id, data.Clock(from), data.Clock(to))
		}
		k := data.StaffDay{StaffID: id, Date: it.Date}
		if other, dup := onCar[k]; dup {
			bad("crew member %s also travels with %s that day", id, other)
		}
		onCar[k] = it.TeamID
	}
	if t.Seats > 0 && len(crew) > t.Seats {
		bad("crew of %d, the vehicle has %d seats", len(crew), t.Seats)
	}
}

// anyAvailable reports whether someone of crew may travel on it's day.
func anyAvailable(snap *Snapshot, it data.Itinerary, crew []string) bool {
	first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
	from, to := first.Arrival-(first.TravelSeconds+59)/60, last.Depart+(it.ReturnSeconds+59)/60
	for _, id := range crew {
		if snap.availableFor(id, it.Date, from, to) {
			return true
		}
	}
	return false
}

// unneeded returns an attendee of st whom the items do not need (the
// other attendees cover every skill), or "".
func unneeded(snap *Snapshot, reqs map[string]*data.Request, st data.Stop) string {
	need := stopNeeds(snap, reqs, st)
	for i, id := range st.StaffIDs {
		rest := append(append([]string{}, st.StaffIDs[:i]...), st.StaffIDs[i+1:]...)
		if len(rest) > 0 && covers(snap, rest, [][]data.Skill{need}) {
			return id
		}
	}
	return ""
}
