package circuit

import (
	"errors"
	"fmt"

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
	bad := func(it data.Itinerary, seq int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s %s stop %d: %s", it.TeamID, it.Date, seq, fmt.Sprintf(format, args...)))
	}
	reqs := map[string]*data.Request{}
	for i := range snap.Requests {
		reqs[snap.Requests[i].ID] = &snap.Requests[i]
	}
	seen := map[string]string{}
	for _, it := range d.Itineraries {
		t, ok := snap.team(it.TeamID)
		if !ok {
			bad(it, 0, "unknown team")
			continue
		}
		if it.Date < d.Plan.From || it.Date > d.Plan.To {
			bad(it, 0, "date outside the plan %s–%s", d.Plan.From, d.Plan.To)
		}
		if len(it.Stops) == 0 {
			continue
		}
		works, skills := snap.TeamDay(t, it.Date)
		if !works {
			bad(it, 0, "team does not work that day (no member available)")
		}
		base, _ := snap.base(t)
		prev, prevDep := base, t.DayStart
		for k, st := range it.Stops {
			if st.Seq != k+1 {
				bad(it, st.Seq, "seq %d, want %d", st.Seq, k+1)
			}
			need := 0
			for _, id := range st.RequestIDs {
				if where, dup := seen[id]; dup {
					bad(it, st.Seq, "request %s already served at %s", id, where)
				}
				seen[id] = fmt.Sprintf("%s %s stop %d", it.TeamID, it.Date, st.Seq)
				r := reqs[id]
				if r == nil {
					bad(it, st.Seq, "request %s is not in the snapshot", id)
					continue
				}
				v, ok := snap.Villages[r.Household.VillageID]
				if !ok {
					bad(it, st.Seq, "request %s: unknown village", id)
					continue
				}
				want := v.Location
				if HomeVisit(*r) && r.Household.Location != nil {
					want = *r.Household.Location
				}
				if PointKey(want) != PointKey(st.Location) {
					bad(it, st.Seq, "request %s served at %s, want %s", id, PointKey(st.Location), PointKey(want))
				}
				if !Covers(t, v.ID) {
					bad(it, st.Seq, "request %s: village %s is outside the team's area", id, v.ID)
				}
				for _, iid := range r.ItemIDs {
					item, ok := snap.Items[iid]
					if !ok {
						bad(it, st.Seq, "request %s: unknown item %s", id, iid)
						continue
					}
					need += item.DurationMin
					if !t.Level.CanHandle(item.LowestLevel) {
						bad(it, st.Seq, "request %s: item %s needs level %s, team is %s", id, iid, item.LowestLevel, t.Level)
					}
					if !skills[item.Skill] {
						bad(it, st.Seq, "request %s: item %s needs skill %s, absent that day", id, iid, item.Skill)
					}
				}
				if r.Deadline.Valid() && it.Date > r.Deadline {
					bad(it, st.Seq, "request %s: visit after its deadline %s", id, r.Deadline)
				}
				if !inWindows(*r, it.Date, st.Start, st.Depart) {
					bad(it, st.Seq, "request %s: service %s–%s outside the household's hours", id, data.Clock(st.Start), data.Clock(st.Depart))
				}
			}
			if st.Depart-st.Start < need {
				bad(it, st.Seq, "service %d min, items need %d", st.Depart-st.Start, need)
			}
			tt, ok := tr.Seconds(t.TravelMode, prev, st.Location)
			if !ok {
				bad(it, st.Seq, "location not in the travel matrix")
			} else if int64(st.TravelSeconds) != tt {
				bad(it, st.Seq, "travel %d s, matrix says %d s", st.TravelSeconds, tt)
			}
			if st.Arrival*60 < prevDep*60+st.TravelSeconds {
				bad(it, st.Seq, "arrival %s before departure %s + travel %d s", data.Clock(st.Arrival), data.Clock(prevDep), st.TravelSeconds)
			}
			if st.Start < st.Arrival {
				bad(it, st.Seq, "start before arrival")
			}
			prev, prevDep = st.Location, st.Depart
		}
		back, ok := tr.Seconds(t.TravelMode, prev, base)
		if !ok || int64(it.ReturnSeconds) != back {
			bad(it, 0, "return travel %d s, matrix says %d s", it.ReturnSeconds, back)
		}
		if prevDep*60+it.ReturnSeconds > t.DayEnd*60 {
			bad(it, 0, "back at base after the end of the shift %s", data.Clock(t.DayEnd))
		}
		first := it.Stops[0]
		if first.Arrival*60-first.TravelSeconds < t.DayStart*60 {
			bad(it, 1, "leaves base before the shift starts %s", data.Clock(t.DayStart))
		}
		if e, l, dur, ok := LunchWindow(t); ok && !breakFits(it, t, e, l, dur) {
			bad(it, 0, "no room for the %d-minute lunch break starting %s–%s", dur, data.Clock(e), data.Clock(l))
		}
	}
	return errors.Join(errs...)
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
