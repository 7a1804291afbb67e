package circuit

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
)

// Slot is a suggested visit for a new request: insert it into the route of
// TeamID on Date at position Seq (1-based), arriving at Arrival and serving
// Start–Depart (minutes after midnight), for ExtraTravelSeconds more travel
// on that route. Other stops of the route keep their order (their times may
// shift within their hours).
type Slot struct {
	TeamID             string     `json:"team_id"`
	TeamLevel          data.Level `json:"team_level"`
	Date               data.Date  `json:"date"`
	Seq                int        `json:"seq"`
	Arrival            int        `json:"arrival"`
	Start              int        `json:"start"`
	Depart             int        `json:"depart"`
	ExtraTravelSeconds int        `json:"extra_travel_seconds"`
	NewRoute           bool       `json:"new_route"`
}

// Suggest returns up to k slots (best first: lowest level, then least extra
// travel, then earliest day; at most one per team and day) for request req
// in the plan d, without re-planning: each eligible team-day route is tried
// with the request inserted at every position, re-timed, and kept only if
// the independent Check accepts the new route. snap must hold the
// requests of d and req. The error is non-nil only for a bad horizon or a
// failing travel source; no slot is an empty list.
func Suggest(ctx context.Context, snap *Snapshot, d data.PlanDetail, req data.Request, k int, src geo.Source, now time.Time) ([]Slot, Code, error) {
	days, err := Days(d.Plan.From, d.Plan.To)
	if err != nil {
		return nil, "", err
	}
	if k <= 0 {
		k = 3
	}
	var vehicles []vehicle
	for _, t := range snap.Teams {
		base, ok := snap.base(t)
		if !ok {
			continue
		}
		for di, date := range days {
			if works, skills := snap.TeamDay(t, date); works {
				vehicles = append(vehicles, vehicle{team: snap.DayTeam(t, date), day: di, date: date, skills: skills, base: base})
			}
		}
	}
	in := analyze(snap, &req, days, now)
	points := []data.Point{}
	modes := []data.TravelMode{}
	for _, v := range vehicles {
		points = append(points, v.base)
		modes = append(modes, v.team.TravelMode)
	}
	for _, it := range d.Itineraries {
		for _, st := range it.Stops {
			points = append(points, st.Location)
		}
	}
	villages := snap.stopVillages(d)
	if in.code == "" {
		points = append(points, in.point)
		villages[PointKey(in.point)] = in.village.ID
	}
	tr, err := BuildTravel(ctx, src, TravelSpec{Points: points, Villages: villages, Modes: modes, Days: days, Closures: snap.Closures})
	if err != nil {
		return nil, "", err
	}
	eligibility(in, vehicles, tr, true)
	if in.code != "" {
		return []Slot{}, in.code, nil
	}
	its := map[TeamDay]data.Itinerary{}
	for _, it := range d.Itineraries {
		its[TeamDay{it.TeamID, it.Date}] = it
	}
	var out []Slot
	cands := append(append([]int{}, in.vehicles...), in.up...)
	for _, vi := range cands {
		v := &vehicles[vi]
		it, ok := its[TeamDay{v.team.ID, v.date}]
		if !ok {
			it = data.Itinerary{TeamID: v.team.ID, Date: v.date}
		}
		oldTravel := routeTravel(it)
		var best *Slot
		for pos := 0; pos <= len(it.Stops); pos++ {
			cand := data.Itinerary{TeamID: it.TeamID, Date: it.Date}
			cand.Stops = append(cand.Stops, it.Stops[:pos]...)
			cand.Stops = append(cand.Stops, data.Stop{VillageID: in.village.ID, Location: in.point, RequestIDs: []string{req.ID},
				Start: 0, Depart: in.service})
			cand.Stops = append(cand.Stops, it.Stops[pos:]...)
			if !retime(snap, v, &cand, tr) {
				continue
			}
			one := data.PlanDetail{Plan: d.Plan, Itineraries: []data.Itinerary{cand}}
			if Check(snap, one, tr) != nil {
				continue
			}
			extra := routeTravel(cand) - oldTravel
			if best == nil || extra < best.ExtraTravelSeconds {
				st := cand.Stops[pos]
				best = &Slot{TeamID: v.team.ID, TeamLevel: v.team.Level, Date: v.date, Seq: pos + 1, Arrival: st.Arrival,
					Start: st.Start, Depart: st.Depart, ExtraTravelSeconds: extra, NewRoute: len(it.Stops) == 0}
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.TeamLevel.Rank() != y.TeamLevel.Rank() {
			return x.TeamLevel.Rank() > y.TeamLevel.Rank()
		}
		if x.ExtraTravelSeconds != y.ExtraTravelSeconds {
			return x.ExtraTravelSeconds < y.ExtraTravelSeconds
		}
		if x.Date != y.Date {
			return x.Date < y.Date
		}
		return x.TeamID < y.TeamID
	})
	if len(out) > k {
		out = out[:k]
	}
	if len(out) == 0 {
		return []Slot{}, Capacity, nil
	}
	return out, "", nil
}

func routeTravel(it data.Itinerary) int {
	if len(it.Stops) == 0 {
		return 0
	}
	t := it.ReturnSeconds
	for _, s := range it.Stops {
		t += s.TravelSeconds
	}
	return t
}

// retime schedules the stops of it in their order as early as possible,
// keeping each stop's service length, fitting every household's hours and
// placing the lunch break in the first gap that takes it. It fills times,
// travel and seq, and reports false when no schedule fits the shift.
func retime(snap *Snapshot, v *vehicle, it *data.Itinerary, tr *Travel) bool {
	reqs := map[string]*data.Request{}
	for i := range snap.Requests {
		reqs[snap.Requests[i].ID] = &snap.Requests[i]
	}
	n := len(it.Stops)
	type win = [][2]int
	wins := make([]win, n)
	for i, st := range it.Stops {
		w := win{{0, data.MinutesPerDay}}
		for _, id := range st.RequestIDs {
			r := reqs[id]
			if r == nil {
				return false
			}
			if len(r.VisitWindows) == 0 {
				continue
			}
			var ws win
			for _, x := range r.VisitWindows {
				if x.Weekday == it.Date.Weekday() {
					ws = append(ws, [2]int{x.From, x.To})
				}
			}
			w = intersect(w, mergeIntervals(ws))
		}
		wins[i] = w
	}
	e, l, dur, hasBreak := LunchWindow(v.team)
	gaps := []int{-1}
	if hasBreak {
		gaps = gaps[:0]
		for g := 0; g <= n; g++ {
			gaps = append(gaps, g)
		}
	}
	mode := v.team.TravelMode
	for _, g := range gaps {
		t, pos := v.team.DayStart, v.base
		ok := true
		out := make([]data.Stop, n)
		for i := 0; i < n && ok; i++ {
			if i == g {
				bs := max(t, e)
				if bs > l {
					ok = false
					break
				}
				t = bs + dur
			}
			st := it.Stops[i]
			service := st.Depart - st.Start
			tt, found := tr.Seconds(mode, v.date, pos, st.Location)
			if !found || tt >= Unreachable {
				ok = false
				break
			}
			arr := t + int((tt+59)/60)
			start := -1
			for _, w := range wins[i] {
				s := max(arr, w[0])
				if s+service <= w[1] {
					start = s
					break
				}
			}
			if start < 0 {
				ok = false
				break
			}
			st.Seq, st.Arrival, st.Start, st.Depart, st.TravelSeconds = i+1, arr, start, start+service, int(tt)
			out[i] = st
			t, pos = start+service, st.Location
		}
		if !ok {
			continue
		}
		if g == n {
			bs := max(t, e)
			if bs > l {
				continue
			}
			t = bs + dur
		}
		back, found := tr.Seconds(mode, v.date, pos, v.base)
		if !found || t+int((back+59)/60) > v.team.DayEnd {
			continue
		}
		it.Stops, it.ReturnSeconds = out, int(back)
		return true
	}
	return false
}

// describeSlot is a one-line human summary, used in logs and the CLI.
func describeSlot(s Slot) string {
	return fmt.Sprintf("%s %s #%d %s–%s (+%d min travel)", s.TeamID, s.Date, s.Seq, data.Clock(s.Start), data.Clock(s.Depart), s.ExtraTravelSeconds/60)
}
