package circuit

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// TestGuidesCountyWeek plans the 600-request SAMPLE county week with guide
// rules (the seeded defaults — elderly living alone and disabled households
// on county and township home visits — plus one item rule), some agents
// absent and one at a market desk, and checks the guides with code that does
// not use the planner's: every visit the rules cover has its village's agent
// or a reason that is true in the final plan (every agent of the village is
// absent, at the market, off duty, or has another commitment overlapping the
// visit with their ride in between); no agent guides while absent, at the
// market or off duty; no agent is at two overlapping visits or on their own
// circuit at the time; and the plan's claims hold each guide's day.
func TestGuidesCountyWeek(t *testing.T) {
	snap := GenerateCounty(GenOptions{Seed: 1})
	snap.GuideRules = append(data.DefaultGuideRules(),
		data.GuideRule{ID: "GR-HOUSING", ItemID: "G-CTY-3", Levels: []data.Level{data.LevelCounty}, Note: "危房改造核查: the agent knows the house"})
	for _, r := range snap.GuideRules {
		if err := r.Validate(); err != nil {
			t.Fatalf("rule %s: %v", r.ID, err)
		}
	}
	// Agents of the first villages with guided home visits are away or at a market desk.
	var villages []string
	for _, r := range snap.Requests {
		if slices.Contains(r.Groups, data.GroupElderlyAlone) && !slices.Contains(villages, r.Household.VillageID) {
			villages = append(villages, r.Household.VillageID)
		}
	}
	sort.Strings(villages)
	for i, v := range villages[:6] {
		snap.Absences = append(snap.Absences, data.Absence{ID: fmt.Sprintf("AB-G%d", i), StaffID: "S-AG-" + v,
			From: "2026-11-30", To: "2026-12-02", Kind: data.AbsenceSick, Reason: "sick"})
	}
	snap.Claimed = map[data.StaffDay]data.Claim{}
	for _, v := range villages[6:9] {
		for _, d := range []data.Date{"2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"} {
			snap.Claimed[data.StaffDay{StaffID: "S-AG-" + v, Date: d}] = data.Claim{StaffID: "S-AG-" + v, Date: d,
				Kind: data.DayMarketDesk, PlanID: "P-MKT", Ref: v[:9] + "000"}
		}
	}
	res, err := Plan(context.Background(), snap, Options{From: "2026-11-30", To: "2026-12-04", MaxIterations: 400, Seed: 1,
		Now: time.Date(2026, 11, 29, 12, 0, 0, 0, data.Local)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(snap, res.Detail, res.Travel); err != nil {
		t.Fatalf("check: %v", err)
	}
	st := checkGuides(t, snap, res.Detail, res.Travel)
	t.Logf("served %d of 600; %d visits need a guide, %d guided, missing by reason %v", res.Stats.Served, st.needed, st.guided, st.missing)
	if res.Stats.GuideVisits != st.needed || res.Stats.Guided != st.guided {
		t.Errorf("stats say %d needed / %d guided, the check counts %d / %d", res.Stats.GuideVisits, res.Stats.Guided, st.needed, st.guided)
	}
	// Of the visits whose agent the test did not send away, at least 70 % are guided.
	if free := st.needed - st.missing[data.GuideAbsent] - st.missing[data.GuideMarketDesk]; st.needed < 50 || st.guided*10 < free*7 {
		t.Errorf("%d of %d visits guided (%d with their agent not sent away): the rules do not matter or most visits go without", st.guided, st.needed, free)
	}
	if st.missing[data.GuideAbsent] == 0 || st.missing[data.GuideMarketDesk] == 0 {
		t.Errorf("absent and market-desk agents never kept a guide away (%v): the test proves nothing", st.missing)
	}
	claims := map[data.StaffDay]bool{}
	for _, c := range data.PlanClaims(res.Detail, nil) {
		claims[data.StaffDay{StaffID: c.StaffID, Date: c.Date}] = true
	}
	for _, it := range res.Detail.Itineraries {
		for _, s := range it.Stops {
			if s.Guide != nil && s.Guide.StaffID != "" && !claims[data.StaffDay{StaffID: s.Guide.StaffID, Date: it.Date}] {
				t.Errorf("guide %s on %s is not among the plan's claims", s.Guide.StaffID, it.Date)
			}
		}
	}
}

type guideStats struct {
	needed, guided int
	missing        map[data.GuideReason]int
}

// span is a stretch of an agent's day at places from and to.
type span struct {
	from, to int
	a, b     data.Point
	what     string
}

// checkGuides is TestGuidesCountyWeek's independent check.
func checkGuides(t *testing.T, snap *Snapshot, d data.PlanDetail, tr *Travel) guideStats {
	t.Helper()
	st := guideStats{missing: map[data.GuideReason]int{}}
	teams := map[string]data.Team{}
	for _, tm := range snap.Teams {
		teams[tm.ID] = tm
	}
	reqs := map[string]data.Request{}
	for _, r := range snap.Requests {
		reqs[r.ID] = r
	}
	home := func(r data.Request) bool {
		for _, g := range r.Groups {
			if g == data.GroupElderlyAlone || g == data.GroupDisabled || g == data.GroupSeriouslyIll {
				return true
			}
		}
		return false
	}
	agentTeam := map[string]data.Team{}
	for _, tm := range snap.Teams {
		if tm.Level == data.LevelVillage {
			for _, m := range tm.MemberIDs {
				agentTeam[m] = tm
			}
		}
	}
	ride := func(id string, day data.Date, a, b data.Point) int {
		s, ok := tr.Seconds(agentTeam[id].TravelMode, day, a, b)
		if !ok {
			t.Fatalf("no %s travel time for %s on %s", agentTeam[id].TravelMode, id, day)
		}
		return int((s + 59) / 60)
	}
	baseOf := func(id string) data.Point { return snap.ServicePoints[agentTeam[id].HomePointID].Location }
	// Every agent's day: own circuit as one block, then the visits guided.
	days := map[string][]span{}
	key := func(id string, d data.Date) string { return id + " " + string(d) }
	for _, it := range d.Itineraries {
		tm := teams[it.TeamID]
		if tm.Level != data.LevelVillage || len(it.Stops) == 0 {
			continue
		}
		f, l := it.Stops[0], it.Stops[len(it.Stops)-1]
		for _, m := range tm.MemberIDs {
			b := baseOf(m)
			days[key(m, it.Date)] = append(days[key(m, it.Date)], span{f.Arrival - (f.TravelSeconds+59)/60, l.Depart + (it.ReturnSeconds+59)/60, b, b, "own circuit"})
		}
	}
	for _, it := range d.Itineraries {
		for _, s := range it.Stops {
			if s.Guide != nil && s.Guide.StaffID != "" {
				k := key(s.Guide.StaffID, it.Date)
				days[k] = append(days[k], span{s.Arrival, s.Depart, s.Location, s.Location, fmt.Sprintf("%s stop %d", it.TeamID, s.Seq)})
			}
		}
	}
	away := func(id string, day data.Date) data.GuideReason {
		for _, a := range snap.Absences {
			if a.StaffID == id && a.Active() && a.From <= day && day <= a.To {
				return data.GuideAbsent
			}
		}
		if _, ok := snap.Claimed[data.StaffDay{StaffID: id, Date: day}]; ok {
			return data.GuideMarketDesk
		}
		return ""
	}
	// onDuty: the agent works that weekday and the visit, with the ride from and back to the base, is in their hours.
	onDuty := func(id string, day data.Date, s data.Stop) bool {
		for _, w := range snap.Staff[id].Availability {
			if w.Weekday == day.Weekday() && w.From <= s.Arrival-ride(id, day, baseOf(id), s.Location) && s.Depart+ride(id, day, s.Location, baseOf(id)) <= w.To {
				return true
			}
		}
		return false
	}
	apart := func(id string, day data.Date, x, y span) bool {
		return x.to+ride(id, day, x.b, y.a) <= y.from || y.to+ride(id, day, y.b, x.a) <= x.from
	}
	for _, it := range d.Itineraries {
		tm := teams[it.TeamID]
		for _, s := range it.Stops {
			var want []string
			if tm.Level == data.LevelCounty || tm.Level == data.LevelTownship {
				for _, rule := range snap.GuideRules {
					if !slices.Contains(rule.Levels, tm.Level) {
						continue
					}
					for _, id := range s.RequestIDs {
						r := reqs[id]
						if home(r) && ((rule.ItemID != "" && slices.Contains(r.ItemIDs, rule.ItemID)) || (rule.Group != "" && slices.Contains(r.Groups, rule.Group))) {
							want = append(want, rule.ID)
							break
						}
					}
				}
			}
			where := fmt.Sprintf("%s %s stop %d", it.TeamID, it.Date, s.Seq)
			if len(want) == 0 {
				if s.Guide != nil {
					t.Errorf("%s: guide %+v on a visit no rule covers", where, *s.Guide)
				}
				continue
			}
			st.needed++
			if s.Guide == nil || !slices.Equal(s.Guide.Rules, want) {
				t.Errorf("%s: guide %+v, want rules %v", where, s.Guide, want)
				continue
			}
			var agents []string
			for _, p := range snap.Staff {
				if (p.Role == data.RoleVillageAgent || p.Role == data.RoleGridWorker) && p.HomeCode == s.VillageID {
					agents = append(agents, p.ID)
				}
			}
			me := span{s.Arrival, s.Depart, s.Location, s.Location, where}
			if g := s.Guide.StaffID; g != "" {
				st.guided++
				if !slices.Contains(agents, g) {
					t.Errorf("%s: guide %s is not an agent of village %s", where, g, s.VillageID)
				}
				if r := away(g, it.Date); r != "" || !onDuty(g, it.Date, s) {
					t.Errorf("%s: guide %s is %q or off duty", where, g, r)
				}
				n := 0
				for _, o := range days[key(g, it.Date)] {
					if o.from == me.from && o.to == me.to && o.a == me.a {
						n++
						continue
					}
					if !apart(g, it.Date, me, o) {
						t.Errorf("%s: guide %s is also at %s %s–%s", where, g, o.what, data.Clock(o.from), data.Clock(o.to))
					}
				}
				if n != 1 {
					t.Errorf("%s: guide %s has this visit %d times", where, g, n)
				}
				continue
			}
			st.missing[s.Guide.Missing]++
			if len(agents) == 0 {
				if s.Guide.Missing != data.GuideNoAgent {
					t.Errorf("%s: no agent in the village, reason %q", where, s.Guide.Missing)
				}
				continue
			}
			for _, a := range agents {
				free := away(a, it.Date) == "" && onDuty(a, it.Date, s)
				for _, o := range days[key(a, it.Date)] {
					free = free && apart(a, it.Date, me, o)
				}
				if free {
					t.Errorf("%s: goes without a guide (%s: %s), but agent %s was free", where, s.Guide.Missing, s.Guide.Detail, a)
				}
			}
			first := agents[0]
			for _, a := range agents {
				if snap.Staff[a].Role == data.RoleVillageAgent {
					first = a
					break
				}
			}
			switch s.Guide.Missing {
			case data.GuideAbsent, data.GuideMarketDesk:
				if away(first, it.Date) != s.Guide.Missing {
					t.Errorf("%s: reason %s, but %s is not", where, s.Guide.Missing, first)
				}
			case data.GuideOwnRoute, data.GuideBusy:
				if away(first, it.Date) != "" || !onDuty(first, it.Date, s) {
					t.Errorf("%s: reason %s, but %s is away or off duty", where, s.Guide.Missing, first)
				}
			case data.GuideOffDuty:
				if onDuty(first, it.Date, s) {
					t.Errorf("%s: reason off_duty, but %s is on duty then", where, first)
				}
			default:
				t.Errorf("%s: unknown reason %q", where, s.Guide.Missing)
			}
		}
	}
	return st
}
