package circuit

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/vrp"
)

// placement is where and when the plan visits a request.
type placement struct {
	at    TeamDay
	start int // minutes after midnight
}

// result turns the kept solution into the plan: itineraries, decisions and
// unassigned requests, (re-plans) moves, loads and figures.
func (r *planRun) result() *Result {
	res := &Result{Travel: r.tr}
	res.Detail.Plan = data.Plan{Kind: data.PlanCircuit, From: r.opts.From, To: r.opts.To, Status: data.PlanDraft}
	placed := r.itineraries(res)
	res.Stats.GuideVisits, res.Stats.Guided = AssignGuides(r.snap, &res.Detail, r.tr)
	r.decide(res, placed)
	if r.opts.Baseline != nil {
		r.moves(res, placed)
	}
	res.Loads = loads(r.snap, r.days, res.Detail.Itineraries)
	res.Stats.Requests = len(r.infos)
	res.Stats.Served = len(placed)
	res.Stats.Unserved = len(res.Unassigned)
	res.Stats.Jobs = len(r.p.Jobs)
	res.Stats.Vehicles = len(r.vehicles)
	res.Stats.Cost = r.sol.Cost
	res.Stats.TravelMin = int(r.sol.TravelTime / 60)
	res.Stats.Iterations = r.sol.Iterations
	res.Stats.Source = r.tr.Source
	res.Stats.ElapsedSec = time.Since(r.start).Seconds()
	res.Detail.Plan.Summary = res.Summary()
	return res
}

// itineraries builds res's itineraries (fixed stops first, then the
// engine's routes), ordered by day and team, and returns where each served
// request is visited.
func (r *planRun) itineraries(res *Result) map[string]placement {
	snap, tr := r.snap, r.tr
	its := map[TeamDay]*data.Itinerary{}
	itinerary := func(at TeamDay) *data.Itinerary {
		it := its[at]
		if it == nil {
			it = &data.Itinerary{TeamID: at.Team, Date: at.Day}
			its[at] = it
		}
		return it
	}
	placed := map[string]placement{}
	for _, fs := range r.base.fixed {
		for _, f := range fs {
			it := itinerary(f.at)
			it.Stops = append(it.Stops, f.stop)
		}
	}
	for _, it := range its {
		relinkFixed(snap, it, tr)
	}
	for _, route := range r.sol.Routes {
		v := &r.vehicles[route.Vehicle]
		at := TeamDay{v.team.ID, v.date}
		it := itinerary(at)
		off := int64(v.day) * 86400
		prev := v.origin()
		for _, vis := range route.Visits {
			if vis.Kind != vrp.VisitJob {
				continue
			}
			g := &r.groups[vis.Job]
			travel, _ := tr.Seconds(v.team.TravelMode, v.date, prev, g.point)
			st := data.Stop{VillageID: g.village, Location: g.point,
				Arrival: int((vis.Arrival - off) / 60), Start: int((vis.Start - off) / 60), Depart: int((vis.Departure - off) / 60),
				TravelSeconds: int(travel)}
			for _, in := range g.reqs {
				st.RequestIDs = append(st.RequestIDs, in.req.ID)
				placed[in.req.ID] = placement{at, st.Start}
				in.served = v.team.Level
			}
			it.Stops = append(it.Stops, st)
			prev = g.point
		}
	}
	keys := make([]TeamDay, 0, len(its))
	for k := range its {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].Day != keys[b].Day {
			return keys[a].Day < keys[b].Day
		}
		return keys[a].Team < keys[b].Team
	})
	teamByID := map[string]data.Team{}
	for _, t := range snap.Teams {
		teamByID[t.ID] = t
	}
	for _, k := range keys {
		it := its[k]
		t := teamByID[it.TeamID]
		base, _ := snap.base(t)
		for i := range it.Stops {
			it.Stops[i].Seq = i + 1
		}
		if n := len(it.Stops); n > 0 {
			back, _ := tr.Seconds(t.TravelMode, it.Date, it.Stops[n-1].Location, base)
			it.ReturnSeconds = int(back)
			it.StaffIDs = snap.Duty(t, it.Date).Members
		}
		res.Detail.Itineraries = append(res.Detail.Itineraries, *it)
	}
	if !r.opts.WholeTeams {
		r.crews(res, placed)
	}
	for _, it := range res.Detail.Itineraries {
		res.Stats.Stops += len(it.Stops)
	}
	res.Detail.Desks = []data.Desk{}
	return placed
}

// crews forms the county cars' crews from the experts' pool (crews.go). On
// a date where no assignment exists (visits given to cars from the pool,
// in pass 2, needing the same expert on two cars), the visits no car's
// crew from before routing could do are taken out of that date's routes (their requests
// stay in the pool, reason capacity) and the crews formed again.
func (r *planRun) crews(res *Result, placed map[string]placement) {
	fixed := map[TeamDay][]string{}
	if r.opts.Baseline != nil {
		for _, it := range r.opts.Baseline.Plan.Itineraries {
			if at := (TeamDay{it.TeamID, it.Date}); len(r.base.fixed[at]) > 0 {
				fixed[at] = it.StaffIDs // already on board
			}
		}
	}
	before := map[TeamDay][]string{} // the crews the search routed with
	for _, v := range r.vehicles {
		at := TeamDay{v.team.ID, v.date}
		if before[at] = v.crew; v.crew == nil {
			before[at] = r.snap.Duty(v.team, v.date).Members
		}
	}
	for at, crew := range fixed {
		if _, ok := before[at]; !ok {
			before[at] = crew // a re-plan's past day: the crew that went out
		}
	}
	failed := assignCrews(r.snap, res.Detail.Itineraries, fixed, before)
	if len(failed) == 0 {
		return
	}
	reqs := requestIndex(r.snap)
	prio := map[string]int{}
	for _, in := range r.infos {
		prio[in.req.ID] = in.priority
	}
	r.noCrew = map[string]bool{}
	for len(failed) > 0 {
		// Take out the least urgent visit that the car's crew from
		// before routing could not do, on a date without crews.
		bi, bk, bw := -1, -1, 0
		for i, it := range res.Detail.Itineraries {
			t, _ := r.snap.team(it.TeamID)
			if t.Level != data.LevelCounty || !slices.Contains(failed, it.Date) {
				continue
			}
			own := before[TeamDay{it.TeamID, it.Date}]
			for k, st := range it.Stops {
				if st.Locked || r.base.fixedReq[firstOr(st.RequestIDs)] || r.base.revisit[firstOr(st.RequestIDs)] && it.Date < r.today ||
					covers(r.snap, own, [][]data.Skill{stopNeeds(r.snap, reqs, st)}) {
					continue
				}
				w := 0
				for _, id := range st.RequestIDs {
					w += 1 + prio[id]
				}
				if bi < 0 || w < bw {
					bi, bk, bw = i, k, w
				}
			}
		}
		if bi < 0 {
			return // the crews from before routing stay (Check reports what breaks)
		}
		it := &res.Detail.Itineraries[bi]
		for _, id := range it.Stops[bk].RequestIDs {
			delete(placed, id)
			r.noCrew[id] = true
		}
		it.Stops = slices.Delete(it.Stops, bk, bk+1)
		t, _ := r.snap.team(it.TeamID)
		r.retime(t, it)
		if len(it.Stops) == 0 {
			res.Detail.Itineraries = slices.Delete(res.Detail.Itineraries, bi, bi+1)
		}
		failed = assignCrews(r.snap, res.Detail.Itineraries, fixed, before)
	}
}

// retime re-links an itinerary after stops were taken out: each stop's
// travel from the one before, arrival no earlier than that allows (start
// and departure move later only when they must), and the return.
func (r *planRun) retime(t data.Team, it *data.Itinerary) {
	prev, _ := r.snap.base(t)
	base := prev
	prevDep := r.snap.DayTeam(t, it.Date).DayStart
	for i := range it.Stops {
		st := &it.Stops[i]
		tt, _ := r.tr.Seconds(t.TravelMode, it.Date, prev, st.Location)
		st.TravelSeconds = int(tt)
		service := st.Depart - st.Start
		earliest := prevDep + (st.TravelSeconds+59)/60
		st.Arrival = max(earliest, min(st.Arrival, st.Start))
		st.Start = max(st.Start, st.Arrival)
		st.Depart = st.Start + service
		st.Seq = i + 1
		prev, prevDep = st.Location, st.Depart
	}
	if n := len(it.Stops); n > 0 {
		back, _ := r.tr.Seconds(t.TravelMode, it.Date, it.Stops[n-1].Location, base)
		it.ReturnSeconds = int(back)
	}
}

// decide writes each request's level-routing decision and lists the
// requests left out with their reason codes, highest priority first.
func (r *planRun) decide(res *Result, placed map[string]placement) {
	unservedJob := map[int]vrp.Reason{}
	for _, u := range r.sol.Unassigned {
		unservedJob[u.Job] = u.Reason
	}
	jobOf := map[*reqInfo]int{}
	for gi := range r.groups {
		for _, in := range r.groups[gi].reqs {
			jobOf[in] = gi
		}
	}
	for _, in := range r.infos {
		d := Decision{RequestID: in.req.ID, Level: in.level, Priority: in.priority, Mode: "service_point"}
		if in.home {
			d.Mode = "home_visit"
		}
		var why []string
		if in.home {
			why = append(why, "special group: home visit (特殊情况不出门)")
		} else {
			why = append(why, "no special group: served at the village service point "+in.village.ShortName)
		}
		why = append(why, fmt.Sprintf("lowest level for items %s: %s", strings.Join(in.req.ItemIDs, ","), in.level))
		if in.escalate != "" {
			why = append(why, in.escalate)
		}
		if _, ok := placed[in.req.ID]; ok {
			d.ServedBy = in.served
			if r.escalated[jobOf[in]] && in.served != "" && in.served.Rank() < levelRankOf(in) {
				why = append(why, fmt.Sprintf("escalated to a %s team: no room at the lower level this week", in.served))
			}
		} else {
			u := Unassigned{RequestID: in.req.ID, Code: in.code, Detail: in.detail, Priority: in.priority}
			if u.Code == "" {
				u.Code = Capacity
				u.Detail = fmt.Sprintf("fits a team's day alone, but not enough capacity this week next to higher-priority work (engine: %s)", unservedJob[jobOf[in]])
				if r.noCrew[in.req.ID] {
					u.Detail = "needs experts of several county teams, and the pool could not staff every car that needed them that day"
				}
			}
			res.Unassigned = append(res.Unassigned, u)
			why = append(why, "left for next plan: "+string(u.Code))
		}
		d.Reason = strings.Join(why, "; ")
		res.Decisions = append(res.Decisions, d)
	}
	sort.Slice(res.Unassigned, func(a, b int) bool {
		if res.Unassigned[a].Priority != res.Unassigned[b].Priority {
			return res.Unassigned[a].Priority > res.Unassigned[b].Priority
		}
		return res.Unassigned[a].RequestID < res.Unassigned[b].RequestID
	})
}

// moves compares a re-plan with its baseline: the requests that changed
// team or day or moved beyond the tolerance (reason team_day_gone or
// no_room), those dropped (with their unassigned code), and the stability
// figures.
func (r *planRun) moves(res *Result, placed map[string]placement) {
	res.Stats.BaselinePID = r.opts.Baseline.Plan.Plan.ID
	why := map[string]Code{}
	for _, u := range res.Unassigned {
		why[u.RequestID] = u.Code
	}
	// Team-days that still work (someone of the team is on duty).
	alive := map[TeamDay]bool{}
	for _, v := range r.vehicles {
		alive[TeamDay{v.team.ID, v.date}] = true
	}
	// moved says why a visit left its team-day or its tolerance.
	moved := func(at TeamDay) Code {
		if !alive[at] {
			return MovedTeamDayGone
		}
		return MovedNoRoom
	}
	for id, old := range r.base.old {
		now, ok := placed[id]
		if ok && now.at == old.at {
			res.Stats.Kept++
			if m := abs(now.start - old.start); m > 0 {
				res.Stats.MinutesMoved += m
				res.Stats.MaxMinutesMoved = max(res.Stats.MaxMinutesMoved, m)
				if m > r.tolerance {
					res.Moves = append(res.Moves, Move{RequestID: id, FromTeam: old.at.Team, FromDate: old.at.Day, ToTeam: now.at.Team, ToDate: now.at.Day, Minutes: m,
						Reason: moved(old.at)})
				}
			}
			continue
		}
		mv := Move{RequestID: id, FromTeam: old.at.Team, FromDate: old.at.Day, ToTeam: now.at.Team, ToDate: now.at.Day}
		if ok {
			mv.Reason = moved(old.at)
		} else {
			mv.Reason = why[id]
			res.Stats.Dropped++
		}
		res.Moves = append(res.Moves, mv)
	}
	res.Stats.Revisits = len(r.base.revisit)
	sort.Slice(res.Moves, func(a, b int) bool { return res.Moves[a].RequestID < res.Moves[b].RequestID })
	// Stops whose team-day still works are "untouched" by the change;
	// count how many of them lost or changed a request.
	for _, it := range r.opts.Baseline.Plan.Itineraries {
		if !alive[TeamDay{it.TeamID, it.Date}] {
			continue
		}
		for _, st := range it.Stops {
			if _, ok := r.base.old[firstOr(st.RequestIDs)]; !ok {
				continue // fixed stop
			}
			res.Stats.Untouched++
			for _, id := range st.RequestIDs {
				if placed[id].at != r.base.old[id].at {
					res.Stats.MovedStops++
					break
				}
			}
		}
	}
	res.Stats.Moved = len(res.Moves)
	for _, fs := range r.base.fixed {
		res.Stats.Fixed += len(fs)
	}
}

// levelRankOf is the rank of the level the request was routed to before
// any capacity escalation.
func levelRankOf(in *reqInfo) int {
	if len(in.vehicles) == 0 {
		return in.level.Rank()
	}
	return in.routed.Rank()
}

// relinkFixed makes the kept stops of a re-planned day one chain again:
// when a stop before a pinned one moved away, the pinned stop is now reached
// from the stop kept before it (or from the base), so its travel time is
// that leg's, and it starts no earlier than that leg allows (its time stays
// when it still can, which is the rule: stops after it start from its
// departure).
func relinkFixed(snap *Snapshot, it *data.Itinerary, tr *Travel) {
	t, ok := snap.team(it.TeamID)
	if !ok {
		return
	}
	prev, ok := snap.base(t)
	if !ok {
		return
	}
	prevDep := t.DayStart
	for i := range it.Stops {
		st := &it.Stops[i]
		if tt, ok := tr.Seconds(t.TravelMode, it.Date, prev, st.Location); ok && int(tt) != st.TravelSeconds {
			st.TravelSeconds = int(tt)
			if earliest := prevDep + (st.TravelSeconds+59)/60; st.Arrival < earliest {
				service := st.Depart - st.Start
				st.Arrival = earliest
				st.Start = max(st.Start, earliest)
				st.Depart = st.Start + service
			}
		}
		st.Seq = i + 1
		prev, prevDep = st.Location, st.Depart
	}
}

// loads sums each team's work in the itineraries.
func loads(snap *Snapshot, days []data.Date, its []data.Itinerary) []Load {
	var out []Load
	for _, t := range snap.Teams {
		l := Load{TeamID: t.ID, Level: t.Level}
		shift := 0
		for _, d := range days {
			if w, _ := snap.TeamDay(t, d); w {
				l.WorkingDays++
				shift += t.DayEnd - t.DayStart
			}
		}
		for _, it := range its {
			if it.TeamID != t.ID || len(it.Stops) == 0 {
				continue
			}
			l.Days++
			first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
			l.WorkMinutes += last.Depart + it.ReturnSeconds/60 - (first.Arrival - first.TravelSeconds/60)
			l.TravelMinutes += it.ReturnSeconds / 60
			for _, s := range it.Stops {
				l.Stops++
				l.Requests += len(s.RequestIDs)
				l.TravelMinutes += s.TravelSeconds / 60
				l.ServiceMinutes += s.Depart - s.Start
			}
		}
		if shift > 0 {
			l.Utilisation = float64(l.WorkMinutes) / float64(shift)
		}
		out = append(out, l)
	}
	return out
}
