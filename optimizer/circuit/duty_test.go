package circuit

import (
	"context"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// TestDuty: who travels on a day, and the team's day clipped to the hours of
// every travelling member.
func TestDuty(t *testing.T) {
	s := smallCounty()
	s.RestDay = statutoryRest
	team := s.Teams[1] // T-TW1 08:30–17:30, member S-T
	// A second member holding forestry, on duty from 09:00 only.
	x := data.Staff{ID: "S-X", Role: data.RoleDeskOfficer, HomeCode: tw1, Skills: []data.Skill{data.SkillForestry},
		Availability: data.WorkingWeek(9*60, 17*60), Name: "S-X (SAMPLE)", Sample: true}
	s.Staff[x.ID] = x
	team.MemberIDs = []string{"S-T", "S-X"}
	// A third, working mornings only: cutting the day below 60 % keeps them at the desk.
	h := data.Staff{ID: "S-H", Role: data.RoleDeskOfficer, HomeCode: tw1, Skills: []data.Skill{data.SkillDisability},
		Availability: data.WorkingWeek(8*60, 12*60), Name: "S-H (SAMPLE)", Sample: true}
	s.Staff[h.ID] = h
	team.MemberIDs = append(team.MemberIDs, "S-H")

	d := s.Duty(team, monday)
	if len(d.Members) != 2 || d.Members[1] != "S-X" || d.Start != 9*60 || d.End != 17*60 || !d.Skills[data.SkillForestry] || d.Skills[data.SkillDisability] {
		t.Fatalf("Duty(monday) = %+v, want S-T and S-X 09:00–17:00 with forestry, not disability", d)
	}
	// An absence, a published market desk and a statutory holiday each take people off.
	s.Absences = []data.Absence{{ID: "AB-1", StaffID: "S-X", From: monday, To: monday, Reason: "病假"}}
	if d := s.Duty(team, monday); len(d.Members) != 1 || d.Members[0] != "S-T" || d.Start != 8*60+30 || d.End != 17*60+30 {
		t.Fatalf("with S-X absent: %+v, want S-T alone 08:30–17:30 (S-H's morning is too short)", d)
	}
	s.Claimed = map[data.StaffDay]data.Claim{{StaffID: "S-T", Date: monday.AddDays(1)}: {Kind: data.DayMarketDesk}}
	if d := s.Duty(team, monday.AddDays(1)); len(d.Members) != 1 || d.Members[0] != "S-X" {
		t.Fatalf("S-T at a market desk on Tuesday: %+v, want S-X only", d)
	}
	if d := s.Duty(team, "2026-10-01"); d.Works() {
		t.Fatalf("National Day: %+v, want nobody", d)
	}
	s.Absences[0].CancelledAt = new(s.Absences[0].CreatedAt)
	if d := s.Duty(team, monday); len(d.Members) != 2 || d.Members[1] != "S-X" {
		t.Fatalf("cancelled absence still counts: %+v", d)
	}
}

// TestPlanSkillHolderOnDuty: a request needing a skill only a late-starting
// member holds is served while that member is on duty, and the itinerary
// names the members who travel.
func TestPlanSkillHolderOnDuty(t *testing.T) {
	s := smallCounty()
	x := data.Staff{ID: "S-X", Role: data.RoleDeskOfficer, HomeCode: tw1, Skills: []data.Skill{data.SkillForestry},
		Availability: data.WorkingWeek(10*60, 17*60+30), Name: "S-X (SAMPLE)", Sample: true}
	s.Staff[x.ID] = x
	s.Teams[1].MemberIDs = []string{"S-T", "S-X"}
	r := req("R-F", v2, "IX")
	s.Requests = []data.Request{r}
	res := plan1(t, s, 1)
	found := false
	for _, it := range res.Detail.Itineraries {
		for _, st := range it.Stops {
			for _, id := range st.RequestIDs {
				if id != "R-F" {
					continue
				}
				found = true
				if it.TeamID != "T-TW1" || st.Start < 10*60 {
					t.Errorf("R-F served by %s at %s, want T-TW1 after 10:00 (when S-X is on duty)", it.TeamID, data.Clock(st.Start))
				}
				if len(it.StaffIDs) != 2 || it.StaffIDs[1] != "S-X" {
					t.Errorf("itinerary staff = %v, want [S-T S-X]", it.StaffIDs)
				}
				if first := it.Stops[0]; first.Arrival*60-first.TravelSeconds < 10*60*60 {
					t.Errorf("team leaves at %s, before S-X is on duty", data.Clock(first.Arrival-first.TravelSeconds/60))
				}
			}
		}
	}
	if !found {
		t.Fatalf("R-F not served: %+v", res.Unassigned)
	}
}

// TestAdjustedWorkdayPlan: a week with an adjusted working day (调休,
// Saturday 2026-10-10 after National Day). Teams of Monday–Friday staff work
// that Saturday with their weekday hours and serve a household that is home
// only on Saturdays there; nobody travels on the holiday days (5–7 October)
// or the ordinary Sunday, so a household home only on Sundays is left
// unassigned. The weekly draft of that week runs to the Saturday.
func TestAdjustedWorkdayPlan(t *testing.T) {
	s := smallCounty()
	s.RestDay, s.Workday = statutoryRest, adjustedWorkday
	from, sat, sun := data.Date("2026-10-05"), data.Date("2026-10-10"), data.Date("2026-10-11")
	if d := s.Duty(s.Teams[1], sat); !d.Works() || d.Start != 8*60+30 || d.End != 17*60+30 {
		t.Fatalf("Duty on the adjusted Saturday = %+v, want S-T 08:30–17:30", d)
	}
	for _, d := range []data.Date{"2026-10-05", "2026-10-07", sun, "2026-10-17"} {
		if du := s.Duty(s.Teams[1], d); du.Works() {
			t.Errorf("Duty on %s (%s) = %+v, want nobody", d, d.Weekday(), du)
		}
	}
	onDay := func(id string, wd time.Weekday) data.Request {
		r := req(id, v1, "IV")
		r.VisitWindows = []data.WeeklyWindow{{Weekday: wd, From: 9 * 60, To: 16 * 60}}
		return r
	}
	s.Requests = []data.Request{onDay("R-SAT", time.Saturday), onDay("R-SUN", time.Sunday), req("R-ANY", v2, "IT")}
	res, err := Plan(context.Background(), s, Options{From: from, To: sun, MaxIterations: 100, Seed: 1,
		Now: time.Date(2026, 10, 4, 12, 0, 0, 0, data.Local)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(s, res.Detail, res.Travel); err != nil {
		t.Fatalf("independent check: %v", err)
	}
	served := map[string]data.Date{}
	for _, it := range res.Detail.Itineraries {
		if it.Date < "2026-10-08" || it.Date > sat {
			t.Errorf("%s travels on %s (%s), a day off", it.TeamID, it.Date, it.Date.Weekday())
		}
		for _, st := range it.Stops {
			for _, id := range st.RequestIDs {
				served[id] = it.Date
			}
		}
	}
	if served["R-SAT"] != sat {
		t.Errorf("R-SAT (home on Saturdays) served on %q, want %s", served["R-SAT"], sat)
	}
	if _, ok := served["R-ANY"]; !ok {
		t.Errorf("R-ANY not served: %+v", res.Unassigned)
	}
	if d, ok := served["R-SUN"]; ok {
		t.Errorf("R-SUN served on %s: nobody works Sundays", d)
	}
	for mon, want := range map[data.Date]data.Date{from: sat, "2026-09-14": "2026-09-20", monday: monday.AddDays(4)} {
		if got := draftWeekEnd(mon); got != want {
			t.Errorf("draftWeekEnd(%s) = %s, want %s", mon, got, want)
		}
	}
}
