package storetest

import (
	"testing"

	"github.com/yingjing/xunhui/data"
)

// testTeamSchedule checks TeamSchedule: the day's plan choice (published
// before draft, newest first), the itinerary, the records on the stops,
// PlanID and PublishedOnly, and the errors.
func testTeamSchedule(t *testing.T, s data.Store) {
	d, ids := planFixture(t, s)
	must(t, s.CreatePlan(ctx, &d))
	q := data.ScheduleQuery{TeamID: "T-CTY-1", From: "2026-12-06", To: "2026-12-12"}
	sch, err := s.TeamSchedule(ctx, q)
	must(t, err)
	if sch.Team.ID != "T-CTY-1" || len(sch.Members) != 2 || sch.Members[0].ID != "ST-1" || sch.Members[1].Name != "李某某" ||
		sch.Base == nil || sch.Base.Name != "荥经县政务服务中心" || len(sch.Team.MemberIDs) != 2 {
		t.Fatalf("team part = %+v, members %+v, base %+v", sch.Team, sch.Members, sch.Base)
	}
	if len(sch.Days) != 7 || sch.Days[0].Date != "2026-12-06" || sch.Days[6].Date != "2026-12-12" {
		t.Fatalf("days = %+v", sch.Days)
	}
	if sch.Days[0].Plan != nil || sch.Days[6].Plan != nil {
		t.Fatalf("days outside the plan have a plan: %+v %+v", sch.Days[0].Plan, sch.Days[6].Plan)
	}
	for i := 1; i <= 5; i++ {
		if p := sch.Days[i].Plan; p == nil || p.ID != d.Plan.ID || p.Status != data.PlanDraft || p.Summary != nil {
			t.Fatalf("day %s plan = %+v, want draft %s without summary", sch.Days[i].Date, p, d.Plan.ID)
		}
	}
	it := sch.Days[2].Itinerary
	if it == nil || it.PlanID != d.Plan.ID || len(it.Stops) != 2 || it.Stops[1].RequestIDs[0] != ids[1] || !it.Stops[1].Locked || it.ReturnSeconds != 2000 {
		t.Fatalf("2026-12-08 itinerary = %+v", it)
	}
	if sch.Days[3].Itinerary != nil {
		t.Fatalf("2026-12-09 has another team's itinerary: %+v", sch.Days[3].Itinerary)
	}
	r, ok := sch.Requests[ids[0]]
	if len(sch.Requests) != 2 || !ok || r.Household.Name != "赵某某" || len(r.ItemIDs) != 1 || r.ItemIDs[0] != "MA-01" ||
		len(r.Groups) != 1 || len(r.History) != 0 {
		t.Fatalf("requests = %+v", sch.Requests)
	}
	if len(sch.Villages) != 2 || sch.Villages[V3].ShortName != "民主村" || len(sch.Items) != 1 || sch.Items["MA-01"].DurationMin != 20 {
		t.Fatalf("villages %+v items %+v", sch.Villages, sch.Items)
	}

	// Published only: the draft is not seen; once published it is.
	q.PublishedOnly = true
	sch, err = s.TeamSchedule(ctx, q)
	must(t, err)
	if sch.Days[2].Plan != nil || len(sch.Requests) != 0 {
		t.Fatalf("published only saw the draft: %+v", sch.Days[2])
	}
	pub, err := s.PublishPlan(ctx, data.Publication{ID: d.Plan.ID, Version: d.Plan.Version})
	must(t, err)
	// A newer draft covering the same days does not hide the published plan.
	d2, _ := planFixture2(t, s, ids)
	must(t, s.CreatePlan(ctx, &d2))
	q.PublishedOnly = false
	sch, err = s.TeamSchedule(ctx, q)
	must(t, err)
	if p := sch.Days[2].Plan; p == nil || p.ID != pub.ID || p.Version != pub.Version || p.Status != data.PlanPublished {
		t.Fatalf("published plan not preferred: %+v", p)
	}
	// Asking for the draft by id gives its content.
	q.PlanID = d2.Plan.ID
	sch, err = s.TeamSchedule(ctx, q)
	must(t, err)
	if it := sch.Days[2].Itinerary; it == nil || it.PlanID != d2.Plan.ID || len(it.Stops) != 1 || sch.Days[0].Plan == nil {
		t.Fatalf("plan by id = %+v", sch.Days)
	}
	q.PublishedOnly = true
	_, err = s.TeamSchedule(ctx, q)
	mustKind(t, err, data.NotFound)

	// Errors.
	_, err = s.TeamSchedule(ctx, data.ScheduleQuery{TeamID: "T-none", From: "2026-12-07", To: "2026-12-07"})
	mustKind(t, err, data.NotFound)
	_, err = s.TeamSchedule(ctx, data.ScheduleQuery{TeamID: "T-CTY-1", From: "2026-12-07", To: "2026-12-07", PlanID: "P-none"})
	mustKind(t, err, data.NotFound)
	_, err = s.TeamSchedule(ctx, data.ScheduleQuery{TeamID: "T-CTY-1", From: "2026-12-07", To: "2026-12-01"})
	mustKind(t, err, data.Invalid)
	if data.ErrorField(err) != "to" {
		t.Fatalf("field = %q, want to", data.ErrorField(err))
	}
	_, err = s.TeamSchedule(ctx, data.ScheduleQuery{TeamID: "T-CTY-1", From: "2026-12-01", To: "2027-01-31"})
	mustKind(t, err, data.Invalid)
}

// planFixture2 is a second circuit plan over the days of planFixture with
// one stop for T-CTY-1 on 2026-12-08.
func planFixture2(t *testing.T, s data.Store, ids []string) (data.PlanDetail, []string) {
	t.Helper()
	return data.PlanDetail{
		Plan: data.Plan{Kind: data.PlanCircuit, From: "2026-12-07", To: "2026-12-11", CreatedBy: "planner"},
		Itineraries: []data.Itinerary{{TeamID: "T-CTY-1", Date: "2026-12-08", Stops: []data.Stop{
			{Seq: 1, VillageID: V4, RequestIDs: []string{ids[1]}, Location: data.Point{Lon: 102.64, Lat: 29.77}, Arrival: 600, Start: 600, Depart: 620, TravelSeconds: 900},
		}}},
	}, ids
}
