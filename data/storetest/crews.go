package storetest

import (
	"slices"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// testCrews (issue 21, crews from the county experts' pool): a team's
// seats round-trip (0 = as many as members, refused out of range) and a
// stop's attendees are stored with the itinerary; an unknown attendee is
// refused with its path and nothing is written.
func testCrews(t *testing.T, s data.Store) {
	d, _ := planFixture(t, s)
	team, err := s.GetTeam(ctx, "T-CTY-1")
	must(t, err)
	if team.Seats != 0 || team.SeatCount() != len(team.MemberIDs) {
		t.Fatalf("seats before = %d (count %d), want 0 (count = members)", team.Seats, team.SeatCount())
	}
	team.Seats = 4
	must(t, s.PutTeams(ctx, []data.Team{team}))
	got, err := s.GetTeam(ctx, "T-CTY-1")
	must(t, err)
	if got.Seats != 4 || got.SeatCount() != 4 {
		t.Fatalf("seats after = %d, want 4", got.Seats)
	}
	over := got
	over.Seats = data.MaxSeats + 1
	err = s.PutTeams(ctx, []data.Team{over})
	mustKind(t, err, data.Invalid)
	if rows := data.RowErrors(err); len(rows) != 1 || rows[0].Field != "seats" {
		t.Fatalf("row errors = %v, want seats", rows)
	}
	if again, _ := s.GetTeam(ctx, "T-CTY-1"); again.Seats != 4 || again.Version != got.Version {
		t.Fatalf("refused write changed the team: %+v", again)
	}

	d.Itineraries[0].StaffIDs = []string{"ST-1"}
	d.Itineraries[0].Stops[0].StaffIDs = []string{"ST-1"}
	must(t, s.CreatePlan(ctx, &d))
	p, err := s.GetPlan(ctx, d.Plan.ID)
	must(t, err)
	it := p.Itineraries[0]
	if !slices.Equal(it.StaffIDs, []string{"ST-1"}) || !slices.Equal(it.Stops[0].StaffIDs, []string{"ST-1"}) || len(it.Stops[1].StaffIDs) != 0 {
		t.Fatalf("crew round trip: itinerary %v, stops %v / %v", it.StaffIDs, it.Stops[0].StaffIDs, it.Stops[1].StaffIDs)
	}
	its, err := s.ListItineraries(ctx, data.ItineraryFilter{PlanID: d.Plan.ID, TeamID: "T-CTY-1"})
	must(t, err)
	if len(its) != 1 || !slices.Equal(its[0].Stops[0].StaffIDs, []string{"ST-1"}) {
		t.Fatalf("ListItineraries attendees = %+v", its)
	}

	bad := d
	bad.Plan.ID = ""
	bad.Itineraries = slices.Clone(d.Itineraries)
	bad.Itineraries[0].Stops = slices.Clone(d.Itineraries[0].Stops)
	bad.Itineraries[0].Stops[1].StaffIDs = []string{"ST-404"}
	err = s.CreatePlan(ctx, &bad)
	mustKind(t, err, data.Invalid)
	if f := data.ErrorField(err); f != "itineraries[0].stops[1].staff_ids[0]" {
		t.Fatalf("field = %q", f)
	}
	ps, err := s.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit})
	must(t, err)
	if len(ps) != 1 {
		t.Fatalf("a refused plan was written: %d plans", len(ps))
	}
}
