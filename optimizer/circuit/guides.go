package circuit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/yingjing/xunhui/data"
)

// Guides (村代办员带路, issue 21): after routing, each county or township
// home visit that the guide rules (data.GuideRule) give a guide gets its
// village's agent when the agent is free, or goes without, flagged with the
// reason (data.StopGuide). A post-routing phase: the routes do not wait for
// agents; the agents' time is claimed visit by visit, earliest first.
//
// An agent is free for a visit (at the household from the team's arrival to
// its departure) when on duty that day — no absence, no published market
// desk, not a rest day, a working weekday — with the visit plus the ride
// from and back to the agent's base inside the agent's hours, and when it
// overlaps none of the agent's other commitments of the day, each with the
// agent's own travel time between the places in between: the agent's own
// village circuit (from leaving the base to being back, as one block) and
// the visits the agent already guides.

// guideCommit is a span of an agent's day: from minute From at place A to
// minute To at place B.
type guideCommit struct {
	from, to int
	a, b     data.Point
	what     string
	own      bool
}

// agentDay keys an agent's commitments.
type agentDay struct {
	staff string
	day   data.Date
}

// guideNeed is a visit the rules give a guide.
type guideNeed struct {
	it    int // itinerary index
	stop  int // stop index
	rules []string
}

// AssignGuides sets Stop.Guide on every stop of d (and clears it where the
// rules ask for none): county and township home visits the rules cover get
// their village's agent or the reason none comes. It returns the number of
// visits that need a guide and of those guided. The plan's own itineraries
// (the agents' own circuits) are read as they are; nothing is re-timed.
func AssignGuides(snap *Snapshot, d *data.PlanDetail, tr *Travel) (needed, guided int) {
	reqs := make(map[string]*data.Request, len(snap.Requests))
	for i := range snap.Requests {
		reqs[snap.Requests[i].ID] = &snap.Requests[i]
	}
	var needs []guideNeed
	for i := range d.Itineraries {
		it := &d.Itineraries[i]
		t, ok := snap.team(it.TeamID)
		for j := range it.Stops {
			it.Stops[j].Guide = nil
			if !ok || (t.Level != data.LevelCounty && t.Level != data.LevelTownship) {
				continue
			}
			if rules := guideRulesFor(snap.GuideRules, t.Level, it.Stops[j].RequestIDs, reqs); len(rules) > 0 {
				needs = append(needs, guideNeed{it: i, stop: j, rules: rules})
			}
		}
	}
	sort.SliceStable(needs, func(a, b int) bool {
		ia, ib := &d.Itineraries[needs[a].it], &d.Itineraries[needs[b].it]
		if ia.Date != ib.Date {
			return ia.Date < ib.Date
		}
		return ia.Stops[needs[a].stop].Arrival < ib.Stops[needs[b].stop].Arrival
	})
	commits := ownRoutes(snap, d)
	agents := villageAgents(snap)
	for _, n := range needs {
		it := &d.Itineraries[n.it]
		st := &it.Stops[n.stop]
		g := &data.StopGuide{Rules: n.rules}
		st.Guide = g
		cands := agents[st.VillageID]
		if len(cands) == 0 {
			g.Missing, g.Detail = data.GuideNoAgent, "village "+st.VillageID+" has no village agent or grid worker"
			continue
		}
		var why []string
		for _, ag := range cands {
			reason, detail := agentFree(snap, tr, commits, ag, it.Date, *st)
			if reason == "" {
				g.StaffID = ag.ID
				k := agentDay{ag.ID, it.Date}
				commits[k] = append(commits[k], guideCommit{from: st.Arrival, to: st.Depart, a: st.Location, b: st.Location,
					what: fmt.Sprintf("guiding %s stop %d", it.TeamID, st.Seq)})
				guided++
				break
			}
			if g.Missing == "" {
				g.Missing = reason
			}
			why = append(why, ag.ID+": "+detail)
		}
		if g.StaffID != "" {
			g.Missing = ""
		} else {
			g.Detail = strings.Join(why, "; ")
		}
	}
	return len(needs), guided
}

// guideRulesFor returns the ids of the rules asking for a guide on a home
// visit by a team of level lvl serving ids (none when no request is a home
// visit).
func guideRulesFor(rules []data.GuideRule, lvl data.Level, ids []string, reqs map[string]*data.Request) []string {
	var out []string
	for _, rule := range rules {
		for _, id := range ids {
			r := reqs[id]
			if r != nil && HomeVisit(*r) && rule.Applies(lvl, r.ItemIDs, r.Groups) {
				out = append(out, rule.ID)
				break
			}
		}
	}
	return out
}

// villageAgents returns each village's agents (role village_agent first,
// then grid workers, each by id).
func villageAgents(snap *Snapshot) map[string][]data.Staff {
	out := map[string][]data.Staff{}
	for _, st := range snap.Staff {
		if st.Role == data.RoleVillageAgent || st.Role == data.RoleGridWorker {
			out[st.HomeCode] = append(out[st.HomeCode], st)
		}
	}
	for _, l := range out {
		sort.Slice(l, func(a, b int) bool {
			if (l[a].Role == data.RoleVillageAgent) != (l[b].Role == data.RoleVillageAgent) {
				return l[a].Role == data.RoleVillageAgent
			}
			return l[a].ID < l[b].ID
		})
	}
	return out
}

// ownRoutes returns each agent's own circuit days in d as one block from
// leaving the base to being back.
func ownRoutes(snap *Snapshot, d *data.PlanDetail) map[agentDay][]guideCommit {
	out := map[agentDay][]guideCommit{}
	for _, it := range d.Itineraries {
		t, ok := snap.team(it.TeamID)
		if !ok || len(it.Stops) == 0 {
			continue
		}
		base, _ := snap.base(t)
		first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
		c := guideCommit{from: first.Arrival - (first.TravelSeconds+59)/60, to: last.Depart + (it.ReturnSeconds+59)/60,
			a: base, b: base, what: "own circuit of " + it.TeamID, own: true}
		members := it.StaffIDs
		if len(members) == 0 {
			members = t.MemberIDs
		}
		for _, id := range members {
			k := agentDay{id, it.Date}
			out[k] = append(out[k], c)
		}
	}
	return out
}

// agentMode is the travel mode of ag's own team (motorbike when none).
func agentMode(snap *Snapshot, id string) (data.TravelMode, data.Point, bool) {
	for _, t := range snap.Teams {
		if t.Level == data.LevelVillage && contains(t.MemberIDs, id) {
			b, ok := snap.base(t)
			return t.TravelMode, b, ok
		}
	}
	st := snap.Staff[id]
	if sp, ok := snap.ServicePoints[st.HomePointID]; ok {
		return data.TravelMotorbike, sp.Location, true
	}
	v, ok := snap.Villages[st.HomeCode]
	return data.TravelMotorbike, v.Location, ok
}

// agentTravel is the agent's travel minutes (rounded up) from a to b on
// day: their mode's time, else any mode's, else 0 for the same place.
func agentTravel(tr *Travel, mode data.TravelMode, day data.Date, a, b data.Point) int {
	for _, m := range []data.TravelMode{mode, data.TravelMotorbike, data.TravelCar, data.TravelFoot} {
		if s, ok := tr.Seconds(m, day, a, b); ok {
			return int((s + 59) / 60)
		}
	}
	return 0
}

// agentFree says why ag cannot guide stop st on day ("" when free).
func agentFree(snap *Snapshot, tr *Travel, commits map[agentDay][]guideCommit, ag data.Staff, day data.Date, st data.Stop) (data.GuideReason, string) {
	for _, a := range snap.Absences {
		if a.StaffID == ag.ID && a.Covers(day) {
			return data.GuideAbsent, fmt.Sprintf("absent (%s %s–%s)", a.ID, a.From, a.To)
		}
	}
	if c, ok := snap.Claimed[data.StaffDay{StaffID: ag.ID, Date: day}]; ok {
		return data.GuideMarketDesk, fmt.Sprintf("at the market desk of %s (plan %s)", c.Ref, c.PlanID)
	}
	if snap.RestDay != nil && snap.RestDay(day) {
		return data.GuideOffDuty, "statutory day off"
	}
	from, to, ok := hoursOn(ag, ag.ShiftWeekday(day, snap.adjusted(day)))
	if !ok {
		return data.GuideOffDuty, "does not work on " + day.Weekday().String()
	}
	mode, base, _ := agentMode(snap, ag.ID)
	out, back := agentTravel(tr, mode, day, base, st.Location), agentTravel(tr, mode, day, st.Location, base)
	if st.Arrival-out < from || st.Depart+back > to {
		return data.GuideOffDuty, fmt.Sprintf("the visit %s–%s with the ride from and back to the base is outside the hours %s–%s",
			data.Clock(st.Arrival), data.Clock(st.Depart), data.Clock(from), data.Clock(to))
	}
	for _, c := range commits[agentDay{ag.ID, day}] {
		if c.to+agentTravel(tr, mode, day, c.b, st.Location) <= st.Arrival || st.Depart+agentTravel(tr, mode, day, st.Location, c.a) <= c.from {
			continue
		}
		reason := data.GuideBusy
		if c.own {
			reason = data.GuideOwnRoute
		}
		return reason, fmt.Sprintf("%s %s–%s", c.what, data.Clock(c.from), data.Clock(c.to))
	}
	return "", ""
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// guidePoints returns the places AssignGuides reads travel between for d
// (the home visits the rules cover, plus extra stops, and the bases of
// their villages' agents) and the agents' travel modes.
func guidePoints(snap *Snapshot, d data.PlanDetail, extra []data.Stop) ([]data.Point, []data.TravelMode) {
	reqs := make(map[string]*data.Request, len(snap.Requests))
	for i := range snap.Requests {
		reqs[snap.Requests[i].ID] = &snap.Requests[i]
	}
	villages := map[string]bool{}
	var points []data.Point
	add := func(st data.Stop, lvl data.Level) {
		if len(guideRulesFor(snap.GuideRules, lvl, st.RequestIDs, reqs)) > 0 {
			points = append(points, st.Location)
			villages[st.VillageID] = true
		}
	}
	for _, it := range d.Itineraries {
		if t, ok := snap.team(it.TeamID); ok && (t.Level == data.LevelCounty || t.Level == data.LevelTownship) {
			for _, st := range it.Stops {
				add(st, t.Level)
			}
		}
	}
	for _, st := range extra {
		add(st, data.LevelCounty)
		add(st, data.LevelTownship)
	}
	var modes []data.TravelMode
	for v := range villages {
		for _, ag := range villageAgents(snap)[v] {
			mode, base, ok := agentMode(snap, ag.ID)
			if ok {
				points = append(points, base)
				modes = append(modes, mode)
			}
		}
	}
	return points, modes
}
