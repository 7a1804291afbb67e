package market

import (
	"context"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// TestPlanAroundClaimsAndAbsences: a market plan puts nobody at a desk on a
// day a published circuit plan claims them or an absence covers, and a
// statutory holiday is no desk day for anyone; publishing it then claims
// its person-days without a conflict.
func TestPlanAroundClaimsAndAbsences(t *testing.T) {
	svc, st, first := planned(t)
	ctx := context.Background()
	if len(first.Desks) == 0 {
		t.Fatal("no desks in the first plan")
	}
	// Take the first desk's people away: one by a published circuit plan
	// that claims them on that day, the others by absences.
	dk := first.Desks[0]
	people := dk.StaffIDs
	teams, _ := st.ListTeams(ctx, "")
	var team data.Team
	for _, tm := range teams {
		for _, m := range tm.MemberIDs {
			if m == people[0] {
				team = tm
			}
		}
	}
	if team.ID == "" {
		t.Fatalf("%s is on no team: the fixture cannot show a circuit claim", people[0])
	}
	vs, _ := st.ListVillages(ctx, data.TownshipOf(team.HomeCode))
	if len(vs) == 0 {
		vs, _ = st.ListVillages(ctx, "")
	}
	circ := data.PlanDetail{Plan: data.Plan{Kind: data.PlanCircuit, From: dk.Date, To: dk.Date, CreatedBy: "test"},
		Itineraries: []data.Itinerary{{TeamID: team.ID, Date: dk.Date, StaffIDs: []string{people[0]}, Stops: []data.Stop{
			{Seq: 1, VillageID: vs[0].ID, Location: vs[0].Location, Arrival: 600, Start: 600, Depart: 620}}}}}
	if err := st.CreatePlan(ctx, &circ); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PublishPlan(ctx, data.Publication{ID: circ.Plan.ID, Version: circ.Plan.Version}); err != nil {
		t.Fatal(err)
	}
	for _, id := range people[1:] {
		a := data.Absence{StaffID: id, From: dk.Date, To: dk.Date, Reason: "病假", CreatedBy: "test"}
		if err := st.CreateAbsence(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	id, err := svc.StartPlan(ctx, planner, "2026-12-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	v, err := svc.GetPlan(ctx, planner, id)
	if err != nil || v.Status != RunDone {
		t.Fatalf("plan: %v %s", err, v.Status)
	}
	for _, d := range v.Desks {
		if d.Date != dk.Date {
			continue
		}
		for _, s := range d.StaffIDs {
			for _, p := range people {
				if s == p {
					t.Errorf("%s at the %s desk on %s: claimed by circuit plan or absent", s, d.TownshipID, d.Date)
				}
			}
		}
	}
	if _, err := svc.Publish(ctx, planner, id, 0, first.ID); err == nil {
		t.Errorf("superseding a draft (not published) plan was accepted")
	}
	if _, err := svc.Publish(ctx, planner, id, 0, ""); err != nil {
		t.Fatalf("publish around the circuit plan's claims: %v", err)
	}
	if !statutoryRest("2026-10-01") || statutoryRest("2026-10-10") {
		t.Errorf("statutoryRest: National Day must rest, its adjusted Saturday must not")
	}
}

// TestBookingNeedsADesk: once a plan is published, a booking for a market
// day on which it has no desk for the township is refused (409 on date), not
// accepted silently; a day with a desk still takes bookings.
func TestBookingNeedsADesk(t *testing.T) {
	svc, st, v := planned(t)
	ctx := context.Background()
	if _, err := svc.Publish(ctx, planner, v.ID, 0, ""); err != nil {
		t.Fatal(err)
	}
	desk := map[[2]string]bool{}
	for _, d := range v.Desks {
		desk[[2]string{d.TownshipID, string(d.Date)}] = len(d.StaffIDs) > 0
	}
	ts, _ := st.ListTownships(ctx)
	tried := [2]int{}
	for _, tw := range ts {
		days, err := svc.MarketDays(ctx, tw.ID, "2026-12-01", "2026-12-31")
		if err != nil {
			t.Fatal(err)
		}
		vs, _ := st.ListVillages(ctx, tw.ID)
		for _, md := range days {
			has := desk[[2]string{tw.ID, string(md.Date)}]
			if tried[boolIdx(has)] > 0 || len(vs) == 0 {
				continue
			}
			tried[boolIdx(has)]++
			_, err := svc.Book(ctx, planner, tw.ID, string(md.Date), BookingInput{ItemID: "CA-04",
				Household: data.Household{Name: "王大妈 (SAMPLE)", Phone: "13900001111", VillageID: vs[0].ID}})
			switch {
			case has && err != nil:
				t.Errorf("booking for %s %s (desk staffed): %v", tw.ID, md.Date, err)
			case !has && (data.ErrorKind(err) != data.Conflict || data.ErrorField(err) != "date"):
				t.Errorf("booking for %s %s (no desk): %v, want Conflict on date", tw.ID, md.Date, err)
			}
		}
	}
	if tried[0] == 0 || tried[1] == 0 {
		t.Errorf("tried %d days without and %d with a desk: the fixture must show both", tried[0], tried[1])
	}
}

func boolIdx(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAdjustedWorkdayDesks: desk staff whose shifts cover Monday–Friday are
// available for desks on the adjusted working Saturday after National Day
// (调休, 2026-10-10), not on the holiday (2026-10-07) nor the ordinary
// Sunday after (2026-10-11).
func TestAdjustedWorkdayDesks(t *testing.T) {
	svc, _ := seeded(t)
	in, err := svc.build(context.Background(), "2026-10-07", "2026-10-11", nil, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]data.Staff{}
	for _, st := range in.staff {
		byID[st.ID] = st
	}
	office := 0
	for _, ms := range in.p.Staff {
		st := byID[ms.ID]
		if !st.WorksOn(time.Monday) || st.WorksOn(time.Saturday) || st.WorksOn(time.Sunday) {
			continue // the check is about people with a Monday–Friday week
		}
		office++
		want := []bool{false, true, true, true, false} // 7th holiday, 8th, 9th, adjusted 10th, Sunday 11th
		for d, w := range want {
			if ms.Available[d] != w {
				t.Errorf("%s on %s: available %v, want %v", ms.ID, in.p.Days[d], ms.Available[d], w)
			}
		}
	}
	if office == 0 {
		t.Fatal("no desk staff with a Monday–Friday week in the seed: the check shows nothing")
	}
}
