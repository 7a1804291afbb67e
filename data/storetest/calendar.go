package storetest

import (
	"testing"

	"github.com/yingjing/xunhui/data"
)

func testAbsences(t *testing.T, s data.Store) {
	fixture(t, s)
	// The fixture roster's leave (ST-2) is an absence already: cancel it,
	// so that the counts below are this test's own.
	roster, err := s.ListAbsences(ctx, data.AbsenceFilter{StaffID: "ST-2"})
	must(t, err)
	if len(roster) != 1 || roster[0].CreatedBy != "import" {
		t.Fatalf("roster leave as absences = %+v", roster)
	}
	_, err = s.CancelAbsence(ctx, roster[0].ID, 0, "planner")
	must(t, err)
	a := data.Absence{StaffID: "ST-1", From: "2026-12-09", To: "2026-12-10", Reason: "病假", Kind: data.AbsenceSick, CreatedBy: "planner"}
	must(t, s.CreateAbsence(ctx, &a))
	if a.ID == "" || a.Version != 1 || a.CreatedAt.IsZero() || !a.Active() {
		t.Fatalf("created absence = %+v", a)
	}
	got, err := s.GetAbsence(ctx, a.ID)
	must(t, err)
	if got.StaffID != "ST-1" || got.From != "2026-12-09" || got.To != "2026-12-10" || got.Kind != data.AbsenceSick || got.Reason != "病假" || got.CreatedBy != "planner" {
		t.Fatalf("GetAbsence = %+v", got)
	}
	_, err = s.GetAbsence(ctx, "AB-none")
	mustKind(t, err, data.NotFound)

	// Bad input names the field; an unknown person is Invalid; a duplicate id a Conflict.
	for _, tc := range []struct {
		a     data.Absence
		field string
	}{
		{data.Absence{StaffID: "ST-1", From: "2026-12-10", To: "2026-12-09", Reason: "x", CreatedBy: "p"}, "to"},
		{data.Absence{StaffID: "ST-1", From: "12/09", To: "2026-12-09", Reason: "x", CreatedBy: "p"}, "from"},
		{data.Absence{StaffID: "ST-1", From: "2026-12-09", To: "2026-12-09", CreatedBy: "p"}, "reason"},
		{data.Absence{StaffID: "ST-1", From: "2026-12-09", To: "2026-12-09", Reason: "x", Kind: "holiday", CreatedBy: "p"}, "kind"},
		{data.Absence{StaffID: "ST-404", From: "2026-12-09", To: "2026-12-09", Reason: "x", CreatedBy: "p"}, "staff_id"},
	} {
		err := s.CreateAbsence(ctx, &tc.a)
		mustKind(t, err, data.Invalid)
		if f := data.ErrorField(err); f != tc.field {
			t.Errorf("CreateAbsence(%+v): field %q, want %q", tc.a, f, tc.field)
		}
	}
	dup := data.Absence{ID: a.ID, StaffID: "ST-2", From: "2026-12-09", To: "2026-12-09", Reason: "x", CreatedBy: "p"}
	mustKind(t, s.CreateAbsence(ctx, &dup), data.Conflict)

	// Import is all-or-nothing, every bad row reported.
	batch := []data.Absence{
		{StaffID: "ST-2", From: "2026-12-07", To: "2026-12-07", Reason: "培训"},
		{StaffID: "ST-404", From: "2026-12-07", To: "2026-12-07", Reason: "x"},
		{StaffID: "ST-3", From: "2026-12-08", To: "2026-12-07", Reason: "x"},
	}
	err = s.ImportAbsences(ctx, batch, "import")
	mustKind(t, err, data.Invalid)
	if rows := data.RowErrors(err); len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 3 {
		t.Fatalf("import rows = %+v", rows)
	}
	all, err := s.ListAbsences(ctx, data.AbsenceFilter{})
	must(t, err)
	if len(all) != 1 {
		t.Fatalf("a rejected import wrote %d absences", len(all)-1)
	}
	must(t, s.ImportAbsences(ctx, batch[:1], "import"))

	// Overlap filter, staff filter.
	for _, tc := range []struct {
		f    data.AbsenceFilter
		want int
	}{
		{data.AbsenceFilter{}, 2},
		{data.AbsenceFilter{StaffID: "ST-1"}, 1},
		{data.AbsenceFilter{From: "2026-12-10", To: "2026-12-20"}, 1},
		{data.AbsenceFilter{From: "2026-12-11"}, 0},
		{data.AbsenceFilter{To: "2026-12-07"}, 1},
	} {
		got, err := s.ListAbsences(ctx, tc.f)
		must(t, err)
		if len(got) != tc.want {
			t.Errorf("ListAbsences(%+v) = %d, want %d", tc.f, len(got), tc.want)
		}
	}
	imported, _ := s.ListAbsences(ctx, data.AbsenceFilter{StaffID: "ST-2"})
	if len(imported) != 1 || imported[0].CreatedBy != "import" || imported[0].Kind != data.AbsenceLeave {
		t.Fatalf("imported = %+v", imported)
	}

	// Cancel: stale version conflicts; cancelled absences drop out of lists.
	_, err = s.CancelAbsence(ctx, a.ID, 7, "planner")
	mustKind(t, err, data.Conflict)
	c, err := s.CancelAbsence(ctx, a.ID, 1, "coordinator")
	must(t, err)
	if c.Active() || c.CancelledBy != "coordinator" || c.Version != 2 {
		t.Fatalf("cancelled = %+v", c)
	}
	_, err = s.CancelAbsence(ctx, a.ID, 0, "planner")
	mustKind(t, err, data.Conflict)
	_, err = s.CancelAbsence(ctx, "AB-none", 0, "planner")
	mustKind(t, err, data.NotFound)
	if got, _ := s.ListAbsences(ctx, data.AbsenceFilter{StaffID: "ST-1"}); len(got) != 0 {
		t.Fatalf("cancelled absence still listed: %+v", got)
	}
	if got, _ := s.ListAbsences(ctx, data.AbsenceFilter{StaffID: "ST-1", IncludeCancelled: true}); len(got) != 1 || got[0].CancelledAt == nil {
		t.Fatalf("IncludeCancelled = %+v", got)
	}
}

func testPlanVersionsClaims(t *testing.T, s data.Store) {
	d, ids := planFixture(t, s)
	// T-CTY-1 on 12-08 names who is on duty; T-AG on 12-09 falls back to the team.
	d.Itineraries[0].StaffIDs = []string{"ST-1"}
	must(t, s.CreatePlan(ctx, &d))
	if got, _ := s.GetPlan(ctx, d.Plan.ID); len(got.Itineraries[0].StaffIDs) != 1 || got.Itineraries[1].StaffIDs != nil {
		t.Fatalf("staff on duty = %+v / %+v", got.Itineraries[0].StaffIDs, got.Itineraries[1].StaffIDs)
	}
	p1, err := s.PublishPlan(ctx, data.Publication{ID: d.Plan.ID, Version: 1})
	must(t, err)
	claims, err := s.ListClaims(ctx, data.ClaimFilter{})
	must(t, err)
	want := []data.Claim{
		{StaffID: "ST-1", Date: "2026-12-08", Kind: data.DayCircuit, PlanID: d.Plan.ID, Ref: "T-CTY-1"},
		{StaffID: "ST-3", Date: "2026-12-09", Kind: data.DayCircuit, PlanID: d.Plan.ID, Ref: "T-AG-" + V3},
	}
	if len(claims) != len(want) || claims[0] != want[0] || claims[1] != want[1] {
		t.Fatalf("claims = %+v, want %+v", claims, want)
	}
	_, err = s.PublishPlan(ctx, data.Publication{ID: d.Plan.ID, Version: p1.Version})
	mustKind(t, err, data.Conflict) // already published

	// A market plan that wants ST-1 on 12-08 cannot be published: claimed twice.
	m := data.PlanDetail{Plan: data.Plan{Kind: data.PlanMarket, From: "2026-12-07", To: "2026-12-13", CreatedBy: "planner"},
		Desks: []data.Desk{
			{TownshipID: T1, Date: "2026-12-07", Start: 480, End: 720, StaffIDs: []string{"ST-2"}, ItemIDs: []string{"SI-01"}},
			{TownshipID: T2, Date: "2026-12-08", Start: 480, End: 720, StaffIDs: []string{"ST-1"}, ItemIDs: []string{"SI-01"}},
		}}
	must(t, s.CreatePlan(ctx, &m))
	_, err = s.PublishPlan(ctx, data.Publication{ID: m.Plan.ID, Version: 1})
	mustKind(t, err, data.Conflict)
	if data.ErrorField(err) != "staff" {
		t.Fatalf("double claim: field %q (%v)", data.ErrorField(err), err)
	}
	if got, _ := s.GetPlan(ctx, m.Plan.ID); got.Plan.Status != data.PlanDraft {
		t.Fatalf("failed publish changed the plan: %s", got.Plan.Status)
	}
	if got, _ := s.ListClaims(ctx, data.ClaimFilter{Kind: data.DayMarketDesk}); len(got) != 0 {
		t.Fatalf("failed publish wrote claims: %+v", got)
	}
	m.Desks = m.Desks[:1]
	must(t, s.ReplacePlan(ctx, &m))
	_, err = s.PublishPlan(ctx, data.Publication{ID: m.Plan.ID, Version: m.Plan.Version})
	must(t, err)
	if got, _ := s.ListClaims(ctx, data.ClaimFilter{StaffID: "ST-2"}); len(got) != 1 || got[0].Kind != data.DayMarketDesk || got[0].Ref != T1 {
		t.Fatalf("market claims = %+v", got)
	}

	// A new circuit version for an overlapping period must name what it supersedes.
	v2 := data.PlanDetail{Plan: data.Plan{Kind: data.PlanCircuit, From: "2026-12-09", To: "2026-12-11", CreatedBy: "planner"},
		Itineraries: []data.Itinerary{{TeamID: "T-CTY-1", Date: "2026-12-10", Stops: []data.Stop{
			{Seq: 1, VillageID: V3, RequestIDs: []string{ids[0]}, Location: data.Point{Lon: 102.63, Lat: 29.78}, Arrival: 570, Start: 570, Depart: 600}}}}}
	must(t, s.CreatePlan(ctx, &v2))
	_, err = s.PublishPlan(ctx, data.Publication{ID: v2.Plan.ID, Version: 1})
	mustKind(t, err, data.Conflict)
	if data.ErrorField(err) != "supersedes" {
		t.Fatalf("publish over a published week: field %q (%v)", data.ErrorField(err), err)
	}
	_, err = s.PublishPlan(ctx, data.Publication{ID: v2.Plan.ID, Version: 1, Supersedes: m.Plan.ID})
	mustKind(t, err, data.Conflict) // a market plan does not supersede a circuit plan
	pv2, err := s.PublishPlan(ctx, data.Publication{ID: v2.Plan.ID, Version: 1, Supersedes: d.Plan.ID})
	must(t, err)
	if pv2.Status != data.PlanPublished || pv2.Supersedes != d.Plan.ID {
		t.Fatalf("v2 = %+v", pv2)
	}
	old, err := s.GetPlan(ctx, d.Plan.ID)
	must(t, err)
	if old.Plan.Status != data.PlanSuperseded || old.Plan.SupersededBy != v2.Plan.ID || len(old.Itineraries) != 2 {
		t.Fatalf("superseded plan = %+v (%d itineraries)", old.Plan, len(old.Itineraries))
	}
	claims, _ = s.ListClaims(ctx, data.ClaimFilter{Kind: data.DayCircuit})
	if len(claims) != 2 || claims[0].PlanID != v2.Plan.ID || claims[0].Date != "2026-12-10" {
		t.Fatalf("claims after supersede = %+v", claims)
	}
	if got, _ := s.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit, Status: data.PlanPublished}); len(got) != 1 || got[0].ID != v2.Plan.ID {
		t.Fatalf("published circuit plans = %+v", got)
	}

	// Absences against claims: what a published plan counts on but lost.
	ab := data.Absence{StaffID: "ST-1", From: "2026-12-10", To: "2026-12-10", Reason: "病假", CreatedBy: "p"}
	must(t, s.CreateAbsence(ctx, &ab))
	as, _ := s.ListAbsences(ctx, data.AbsenceFilter{From: "2026-12-07", To: "2026-12-13"})
	lost := data.AbsentClaims(claims, as)
	if len(lost) != 1 || lost[0].StaffID != "ST-1" || lost[0].PlanID != v2.Plan.ID {
		t.Fatalf("AbsentClaims = %+v", lost)
	}
}
