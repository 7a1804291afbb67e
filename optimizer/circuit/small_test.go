package circuit

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/vrp"
)

// A small hand-made county (SAMPLE): township 1 with villages V1 (has an
// agent) and V2 (no agent), township 2 with V3 and the remote V4; one
// county team, one township team in township 1, one agent in V1.
const (
	tw1, tw2       = "511822101000", "511822102000"
	v1, v2, v3, v4 = "511822101201", "511822101202", "511822102201", "511822102202"
	monday         = data.Date("2026-11-30")
)

func smallCounty() *Snapshot {
	s := &Snapshot{Villages: map[string]data.Village{}, ServicePoints: map[string]data.ServicePoint{},
		Items: map[string]data.ServiceItem{}, Staff: map[string]data.Staff{}}
	pt := func(lon, lat float64) data.Point { return data.Point{Lon: lon, Lat: lat} }
	for id, p := range map[string]data.Point{v1: pt(102.80, 29.80), v2: pt(102.82, 29.81), v3: pt(102.90, 29.75), v4: pt(102.45, 29.45)} {
		s.Villages[id] = data.Village{ID: id, TownshipID: data.TownshipOf(id), Name: id, ShortName: "村" + id[9:], Kind: data.KindVillage, Location: p, Provenance: data.Estimated}
	}
	sp := func(id string, c data.Circle, code string, p data.Point) {
		s.ServicePoints[id] = data.ServicePoint{ID: id, Circle: c, Code: code, Name: id, Location: p, Provenance: data.Estimated}
	}
	sp("sp-county", data.CircleCounty, data.CountyCode, pt(102.85, 29.79))
	sp("sp-tw1", data.CircleTownship, tw1, pt(102.81, 29.80))
	sp("sp-v1", data.CircleVillage, v1, s.Villages[v1].Location)
	for _, it := range []data.ServiceItem{
		{ID: "IV", LowestLevel: data.LevelVillage, DurationMin: 15, Skill: data.SkillGeneral},
		{ID: "IT", LowestLevel: data.LevelTownship, DurationMin: 20, Skill: data.SkillSocialSecurity},
		{ID: "IC", LowestLevel: data.LevelCounty, DurationMin: 30, Skill: data.SkillDisability},
		{ID: "IX", LowestLevel: data.LevelTownship, DurationMin: 20, Skill: data.SkillForestry},
	} {
		it.Name, it.Category, it.Kind, it.Mode, it.Sample = it.ID+" (SAMPLE)", data.CatOther, "public_service", data.ModeAdvice, true
		s.Items[it.ID] = it
	}
	week := data.WorkingWeek(8*60, 18*60)
	for _, st := range []data.Staff{
		{ID: "S-C", Role: data.RoleCountyExpert, HomeCode: data.CountyCode, Skills: []data.Skill{data.SkillDisability, data.SkillGeneral, data.SkillSocialSecurity}},
		{ID: "S-T", Role: data.RoleDeskOfficer, HomeCode: tw1, Skills: []data.Skill{data.SkillGeneral, data.SkillSocialSecurity}},
		{ID: "S-A", Role: data.RoleVillageAgent, HomeCode: v1, Skills: []data.Skill{data.SkillGeneral}},
	} {
		st.Name, st.Availability, st.Sample = st.ID+" (SAMPLE)", week, true
		s.Staff[st.ID] = st
	}
	team := func(id string, l data.Level, home, sp, member string, mode data.TravelMode) data.Team {
		return data.Team{ID: id, Name: id, Level: l, HomeCode: home, HomePointID: sp, MemberIDs: []string{member}, TravelMode: mode,
			DayStart: 8*60 + 30, DayEnd: 17*60 + 30, LunchStart: 12 * 60, LunchEnd: 13 * 60, Sample: true}
	}
	s.Teams = []data.Team{
		team("T-CTY", data.LevelCounty, data.CountyCode, "sp-county", "S-C", data.TravelCar),
		team("T-TW1", data.LevelTownship, tw1, "sp-tw1", "S-T", data.TravelCar),
		team("T-AG1", data.LevelVillage, v1, "sp-v1", "S-A", data.TravelMotorbike),
	}
	return s
}

func req(id, village string, items ...string) data.Request {
	return data.Request{ID: id, Ledger: data.LedgerProxy, Household: data.Household{Name: "住户" + id + " (SAMPLE)", Phone: "1390000" + fmt.Sprintf("%04d", len(id)), VillageID: village},
		ItemIDs: items, Priority: 2, Status: data.StatusPending, Source: "SAMPLE"}
}

func plan1(t *testing.T, s *Snapshot, days int) *Result {
	t.Helper()
	res, err := Plan(context.Background(), s, Options{From: monday, To: monday.AddDays(days - 1), MaxIterations: 100, Seed: 1,
		Now: time.Date(2026, 11, 29, 12, 0, 0, 0, data.Local)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(s, res.Detail, res.Travel); err != nil {
		t.Fatalf("independent check: %v", err)
	}
	return res
}

// where returns, per request, the team that serves it or the reason code.
func where(res *Result) map[string]string {
	out := map[string]string{}
	for _, it := range res.Detail.Itineraries {
		for _, st := range it.Stops {
			for _, id := range st.RequestIDs {
				out[id] = it.TeamID
			}
		}
	}
	for _, u := range res.Unassigned {
		out[u.RequestID] = string(u.Code)
	}
	return out
}

func TestLevelRoutingAndReasons(t *testing.T) {
	s := smallCounty()
	home := func(r data.Request, g data.Group) data.Request {
		r.Groups = []data.Group{g}
		p := s.Villages[r.Household.VillageID].Location
		p.Lon += 0.003
		r.Household.Location = &p
		return r
	}
	late := req("R-DEADLINE", v1, "IT")
	late.Deadline = monday.AddDays(-1)
	sat := req("R-HOURS", v1, "IT")
	sat.VisitWindows = []data.WeeklyWindow{{Weekday: time.Saturday, From: 9 * 60, To: 12 * 60}}
	far := req("R-FAR", v4, "IC")
	far.VisitWindows = []data.WeeklyWindow{{Weekday: time.Monday, From: 8 * 60, To: 9*60 + 10}}
	mA := home(req("R-MERGE-A", v1, "IT"), data.GroupElderlyAlone)
	mB := mA
	mB.ID, mB.ItemIDs = "R-MERGE-B", []string{"IV"}
	s.Requests = []data.Request{
		req("R-AGENT", v1, "IV"),
		req("R-ESCALATE", v2, "IV"),
		req("R-TOWN", v1, "IT"),
		home(req("R-COUNTY", v3, "IC"), data.GroupDisabled),
		req("R-NOSKILL", v1, "IX"),
		late, sat, far, mA, mB,
	}
	res := plan1(t, s, 1)
	got := where(res)
	want := map[string]string{
		"R-AGENT": "T-AG1", "R-ESCALATE": "T-TW1", "R-TOWN": "T-TW1", "R-COUNTY": "T-CTY",
		"R-NOSKILL": string(NoSkill), "R-DEADLINE": string(NoDayBeforeDeadline), "R-HOURS": string(HoursNeverMatch),
		"R-FAR": string(TooFar), "R-MERGE-A": "T-TW1", "R-MERGE-B": "T-TW1",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %q, want %q", id, got[id], w)
		}
	}
	dec := map[string]Decision{}
	for _, d := range res.Decisions {
		dec[d.RequestID] = d
	}
	for _, tc := range []struct {
		id, mode, reason string
		level            data.Level
	}{
		{"R-AGENT", "service_point", "lowest level", data.LevelVillage},
		{"R-ESCALATE", "service_point", "escalated from village to township", data.LevelVillage},
		{"R-COUNTY", "home_visit", "special group", data.LevelCounty},
		{"R-MERGE-B", "home_visit", "home visit", data.LevelVillage},
	} {
		d := dec[tc.id]
		if d.Mode != tc.mode || d.Level != tc.level || !strings.Contains(d.Reason, tc.reason) {
			t.Errorf("%s decision %+v, want mode %s level %s reason containing %q", tc.id, d, tc.mode, tc.level, tc.reason)
		}
	}
	// The two requests of one household share one stop.
	for _, it := range res.Detail.Itineraries {
		for _, st := range it.Stops {
			hasA, hasB := false, false
			for _, id := range st.RequestIDs {
				hasA = hasA || id == "R-MERGE-A"
				hasB = hasB || id == "R-MERGE-B"
			}
			if hasA != hasB {
				t.Errorf("household requests split: stop %+v", st)
			}
		}
	}
}

func TestCapacityAndPriority(t *testing.T) {
	s := smallCounty()
	// 30 county-level home visits of one hour: one county team-day holds
	// about seven; the hardship (higher priority) ones must go first.
	for i := 0; i < 30; i++ {
		r := req(fmt.Sprintf("R-%02d", i), v3, "IC")
		r.ItemIDs = []string{"IC"}
		r.Groups = []data.Group{data.GroupDisabled}
		p := s.Villages[v3].Location
		p.Lat += float64(i) * 0.001
		r.Household.Location = &p
		r.Household.Phone = fmt.Sprintf("1390000%04d", i)
		if i%3 == 0 {
			r.Ledger, r.Priority = data.LedgerHardship, 5
		}
		s.Requests = append(s.Requests, r)
	}
	res := plan1(t, s, 1)
	got := where(res)
	servedHigh, servedLow, capacity := 0, 0, 0
	for _, r := range s.Requests {
		switch got[r.ID] {
		case "T-CTY":
			if r.Priority == 5 {
				servedHigh++
			} else {
				servedLow++
			}
		case string(Capacity):
			capacity++
		default:
			t.Errorf("%s: %q, want T-CTY or capacity", r.ID, got[r.ID])
		}
	}
	if capacity == 0 || servedHigh == 0 {
		t.Fatalf("served %d high, %d low, %d capacity: want some of each", servedHigh, servedLow, capacity)
	}
	if hi, lo := float64(servedHigh)/10, float64(servedLow)/20; hi <= lo {
		t.Errorf("served %.0f%% of high-priority and %.0f%% of low-priority requests: want high first", hi*100, lo*100)
	}
	for _, l := range res.Loads {
		if l.TeamID == "T-CTY" && (l.WorkMinutes <= 0 || l.Utilisation <= 0.5) {
			t.Errorf("county load %+v: want a busy day", l)
		}
	}
}

func TestPriorityFormula(t *testing.T) {
	from := monday
	now := from.Time()
	base := data.Request{Priority: 1, Ledger: data.LedgerProxy, CreatedAt: now}
	tests := []struct {
		name string
		mod  func(r *data.Request)
		want int
	}{
		{"routine", func(r *data.Request) {}, 10},
		{"priority 5", func(r *data.Request) { r.Priority = 5 }, 50},
		{"elderly alone", func(r *data.Request) { r.Groups = []data.Group{data.GroupElderlyAlone} }, 30},
		{"low income", func(r *data.Request) { r.Groups = []data.Group{data.GroupLowIncome} }, 20},
		{"hardship", func(r *data.Request) { r.Ledger = data.LedgerHardship }, 25},
		{"waiting 10 days", func(r *data.Request) { r.CreatedAt = now.Add(-10 * 24 * time.Hour) }, 20},
		{"waiting 100 days", func(r *data.Request) { r.CreatedAt = now.Add(-100 * 24 * time.Hour) }, 40},
		{"deadline on day 1", func(r *data.Request) { r.Deadline = from }, 40},
		{"deadline in 5 days", func(r *data.Request) { r.Deadline = from.AddDays(5) }, 30},
		{"deadline in 20 days", func(r *data.Request) { r.Deadline = from.AddDays(20) }, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.mod(&r)
			if got := Priority(r, from, now); got != tc.want {
				t.Errorf("Priority = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCheckCatchesViolations(t *testing.T) {
	s := smallCounty()
	s.Requests = []data.Request{req("R-1", v1, "IT"), req("R-2", v1, "IV")}
	res := plan1(t, s, 1)
	if len(res.Detail.Itineraries) == 0 {
		t.Fatal("nothing planned")
	}
	mutate := []struct {
		name string
		f    func(d *data.PlanDetail)
		want string
	}{
		{"travel", func(d *data.PlanDetail) { d.Itineraries[0].Stops[0].TravelSeconds += 60 }, "matrix says"},
		{"early", func(d *data.PlanDetail) { d.Itineraries[0].Stops[0].Arrival = 0; d.Itineraries[0].Stops[0].Start = 0 }, "before the shift"},
		{"short service", func(d *data.PlanDetail) { d.Itineraries[0].Stops[0].Depart = d.Itineraries[0].Stops[0].Start + 1 }, "items need"},
		{"twice", func(d *data.PlanDetail) {
			it := &d.Itineraries[0]
			st := it.Stops[0]
			st.Seq = len(it.Stops) + 1
			it.Stops = append(it.Stops, st)
		}, "already served"},
		{"unknown team", func(d *data.PlanDetail) { d.Itineraries[0].TeamID = "T-NOPE" }, "unknown team"},
		{"wrong level", func(d *data.PlanDetail) {
			for i := range d.Itineraries {
				if d.Itineraries[i].TeamID == "T-TW1" {
					d.Itineraries[0] = d.Itineraries[i]
				}
			}
			d.Itineraries = d.Itineraries[:1]
			d.Itineraries[0].TeamID = "T-AG1"
		}, "needs level township"},
		{"weekend", func(d *data.PlanDetail) { d.Itineraries[0].Date = "2026-11-29"; d.Plan.From = "2026-11-29" }, "does not work"},
	}
	for _, m := range mutate {
		t.Run(m.name, func(t *testing.T) {
			d := res.Detail
			d.Itineraries = append([]data.Itinerary(nil), res.Detail.Itineraries...)
			d.Itineraries[0].Stops = append([]data.Stop(nil), res.Detail.Itineraries[0].Stops...)
			m.f(&d)
			err := Check(s, d, res.Travel)
			if err == nil || !strings.Contains(err.Error(), m.want) {
				t.Errorf("Check = %v, want an error containing %q", err, m.want)
			}
		})
	}
}

func TestSuggestSlots(t *testing.T) {
	s := smallCounty()
	s.Requests = []data.Request{req("R-1", v1, "IT"), req("R-2", v2, "IT")}
	res := plan1(t, s, 2)
	nr := req("R-NEW", v2, "IT")
	s.Requests = append(s.Requests, nr)
	slots, code, err := Suggest(context.Background(), s, res.Detail, nr, 3, nil, time.Now())
	if err != nil || code != "" || len(slots) == 0 {
		t.Fatalf("Suggest = %v, %q, %v; want slots", slots, code, err)
	}
	for _, sl := range slots {
		if sl.TeamID != "T-TW1" && sl.TeamID != "T-CTY" {
			t.Errorf("slot %+v: team cannot serve a township item in V2", sl)
		}
	}
	if slots[0].TeamID != "T-TW1" {
		t.Errorf("best slot %+v, want the township team first (lowest level)", slots[0])
	}
	bad := req("R-BAD", v1, "IX")
	s.Requests = append(s.Requests, bad)
	if slots, code, _ := Suggest(context.Background(), s, res.Detail, bad, 3, nil, time.Now()); len(slots) != 0 || code != NoSkill {
		t.Errorf("Suggest(no skill) = %v, %q; want none, no_skill", slots, code)
	}
}

func TestEmptyCounty(t *testing.T) {
	tests := []struct {
		name string
		snap func() *Snapshot
		want Code
	}{
		{"no teams", func() *Snapshot {
			s := smallCounty()
			s.Teams = nil
			s.Requests = []data.Request{req("R-1", v1, "IV")}
			return s
		}, NoSkill},
		{"no requests", func() *Snapshot { return smallCounty() }, ""},
		{"unknown item", func() *Snapshot { s := smallCounty(); s.Requests = []data.Request{req("R-1", v1, "NOPE")}; return s }, BadData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.snap()
			res := plan1(t, s, 5)
			if len(res.Detail.Itineraries) != 0 {
				t.Errorf("%d itineraries, want none", len(res.Detail.Itineraries))
			}
			if tc.want != "" && (len(res.Unassigned) != 1 || res.Unassigned[0].Code != tc.want) {
				t.Errorf("unassigned %+v, want one %s", res.Unassigned, tc.want)
			}
		})
	}
}

func TestReplanKeepsPastAndPins(t *testing.T) {
	s := smallCounty()
	// Requests on Tuesday and Wednesday only, two of them county-level.
	for i := 0; i < 10; i++ {
		item := "IT"
		if i >= 8 {
			item = "IC"
		}
		r := req(fmt.Sprintf("R-%02d", i), []string{v1, v2}[i%2], item)
		r.Household.Phone = fmt.Sprintf("1390000%04d", i)
		r.Household.Name = fmt.Sprintf("住户%02d (SAMPLE)", i)
		r.VisitWindows = []data.WeeklyWindow{{Weekday: time.Tuesday + time.Weekday(i%2), From: 8 * 60, To: 18 * 60}}
		s.Requests = append(s.Requests, r)
	}
	base := plan1(t, s, 3)
	base.Detail.Plan.ID = "P-base"
	// The county expert falls ill from day 2, and an urgent request arrives.
	s.Absences = append(s.Absences, data.Absence{StaffID: "S-C", From: monday.AddDays(1), To: monday.AddDays(2), Kind: data.AbsenceSick, Reason: "病假"})
	urgent := req("R-URGENT", v2, "IT")
	urgent.Priority, urgent.Ledger = 5, data.LedgerHardship
	s.Requests = append(s.Requests, urgent)
	now := monday.AddDays(1).Time()
	res, err := Plan(context.Background(), s, Options{From: monday, To: monday.AddDays(2), MaxIterations: 100, Seed: 1, Now: now,
		Baseline: &Baseline{Plan: base.Detail}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(s, res.Detail, res.Travel); err != nil {
		t.Fatalf("independent check: %v", err)
	}
	day1 := func(d data.PlanDetail) map[string]string {
		out := map[string]string{}
		for _, it := range d.Itineraries {
			if it.Date == monday {
				out[it.TeamID] = fmt.Sprint(it.Stops)
			}
		}
		return out
	}
	if got, want := day1(res.Detail), day1(base.Detail); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("day 1 changed:\n got %v\nwant %v", got, want)
	}
	got := where(res)
	if got["R-URGENT"] == "" || got["R-URGENT"] == string(Capacity) {
		t.Errorf("urgent request: %q, want served", got["R-URGENT"])
	}
	for _, it := range res.Detail.Itineraries {
		if it.TeamID == "T-CTY" && it.Date > monday && len(it.Stops) > 0 {
			t.Errorf("ill team still has stops on %s", it.Date)
		}
	}
	old := where(base)
	for _, m := range res.Moves {
		if old[m.RequestID] != m.FromTeam {
			t.Errorf("move %+v: was on %q", m, old[m.RequestID])
		}
	}
	if res.Stats.Kept == 0 || res.Stats.Moved == 0 {
		t.Errorf("re-plan stats %+v: want some kept (township stops) and some moved (the ill team's)", res.Stats)
	}
}

// TestEscalationAcrossTravelModes fills the village agent's day (motorbike)
// with village-level requests: the rest must escalate to the township team
// (car) in the same run, and the checker must test every team on its own
// mode.
func TestEscalationAcrossTravelModes(t *testing.T) {
	s := smallCounty()
	sp := s.ServicePoints["sp-tw1"]
	sp.Location = data.Point{Lon: 102.86, Lat: 29.80} // ≈ 6 km from V1: car and motorbike times differ
	s.ServicePoints["sp-tw1"] = sp
	// 48 requests of 15 min at V1's service point: six stops of two hours,
	// the agent's 9-hour day with lunch holds four.
	for i := 0; i < 48; i++ {
		r := req(fmt.Sprintf("R-%02d", i), v1, "IV")
		r.Household.Name = fmt.Sprintf("住户%02d (SAMPLE)", i)
		r.Household.Phone = fmt.Sprintf("1390000%04d", i)
		s.Requests = append(s.Requests, r)
	}
	res := plan1(t, s, 1)
	got := where(res)
	byTeam := map[string]int{}
	for _, r := range s.Requests {
		byTeam[got[r.ID]]++
	}
	if byTeam["T-AG1"] == 0 || byTeam["T-TW1"] == 0 || byTeam["T-AG1"]+byTeam["T-TW1"]+byTeam["T-CTY"] != len(s.Requests) {
		t.Fatalf("requests by team %v: want all served, by the agent and the township team", byTeam)
	}
	for _, d := range res.Decisions {
		if got[d.RequestID] != "T-TW1" {
			continue
		}
		if d.Level != data.LevelVillage || d.ServedBy != data.LevelTownship || !strings.Contains(d.Reason, "escalated to a township team") {
			t.Errorf("decision %+v: want level village, served by township, reason 'escalated to a township team'", d)
		}
	}
	// The same plan checked as if the township team rode motorbikes: its
	// travel times no longer match.
	moto := *s
	moto.Teams = append([]data.Team(nil), s.Teams...)
	for i := range moto.Teams {
		if moto.Teams[i].ID == "T-TW1" {
			moto.Teams[i].TravelMode = data.TravelMotorbike
		}
	}
	if err := Check(&moto, res.Detail, res.Travel); err == nil || !strings.Contains(err.Error(), "matrix says") {
		t.Errorf("Check with the township team on a motorbike = %v, want a travel mismatch", err)
	}
}

func TestBaselineRoutes(t *testing.T) {
	s := smallCounty()
	tw, ag := s.Teams[1], s.Teams[2]
	vehicles := []vehicle{{team: tw, date: monday}, {team: ag, date: monday}, {team: tw, date: monday.AddDays(1)}}
	base := data.PlanDetail{Itineraries: []data.Itinerary{
		{TeamID: tw.ID, Date: monday, Stops: []data.Stop{{RequestIDs: []string{"R-A"}}, {RequestIDs: []string{"R-B", "R-C"}}}},
		{TeamID: ag.ID, Date: monday, Stops: []data.Stop{{RequestIDs: []string{"R-D"}}}},
		{TeamID: "T-GONE", Date: monday, Stops: []data.Stop{{RequestIDs: []string{"R-E"}}}},
	}}
	grp := func(ids ...string) group {
		var g group
		for _, id := range ids {
			g.reqs = append(g.reqs, &reqInfo{req: &data.Request{ID: id}})
		}
		return g
	}
	// Job 0 holds R-C (old second stop), job 1 R-A (first stop), job 2 the
	// agent's R-D but may no longer go to the agent, job 3 a request of a
	// team that dropped out, job 4 a new request.
	groups := []group{grp("R-C"), grp("R-A"), grp("R-D"), grp("R-E"), grp("R-NEW")}
	p := &vrp.Problem{Jobs: []vrp.Job{{}, {AllowedVehicles: []int{0, 2}}, {AllowedVehicles: []int{0}}, {}, {}}}
	got := baselineRoutes(base, groups, vehicles, p)
	want := [][]int{{1, 0}, nil, nil}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("baselineRoutes = %v, want %v", got, want)
	}
}
