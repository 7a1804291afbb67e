package storetest

import (
	"slices"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// testGuides: guide rules are replaced as a whole, all or nothing (every bad
// rule named by position and field), round-trip, and raise the data
// generation; a dry run writes nothing. A plan's stop carries its guide (or
// the reason none comes) through the store; an unknown guide is refused by
// field; publishing claims the guide's day with the guided team as ref, so
// the market planner and the staff calendar see it.
func testGuides(t *testing.T, s data.Store) {
	d, _ := planFixture(t, s)
	if rs, err := s.ListGuideRules(ctx); err != nil || len(rs) != 0 {
		t.Fatalf("rules of an empty store = %v, %v", rs, err)
	}
	both := []data.Level{data.LevelCounty, data.LevelTownship}
	bad := []data.GuideRule{
		{ID: "GR-1", Group: data.GroupElderlyAlone, Levels: both},
		{ID: "GR-2", ItemID: "XX-99", Levels: both},
		{ID: "GR-1", Group: data.GroupDisabled, Levels: both},
		{ID: "GR-3", Group: data.GroupDisabled, Levels: []data.Level{data.LevelVillage}},
		{ID: "GR-4", Levels: both},
	}
	err := s.ReplaceGuideRules(ctx, bad, "planner")
	mustKind(t, err, data.Invalid)
	rows := data.RowErrors(err)
	var got []string
	for _, r := range rows {
		got = append(got, r.Field)
	}
	if len(rows) != 4 || rows[0].Line != 2 || !slices.Equal(got, []string{"item_id", "id", "levels[0]", "item_id"}) {
		t.Fatalf("row errors = %+v, want lines 2-5 item_id, id, levels[0], item_id", rows)
	}
	if rs, _ := s.ListGuideRules(ctx); len(rs) != 0 {
		t.Fatalf("a refused replace wrote %d rules", len(rs))
	}
	rules := []data.GuideRule{{ID: "GR-2", ItemID: "LC-01", Levels: []data.Level{data.LevelCounty}, Note: "林木: 代办员带路"},
		{ID: "GR-1", Group: data.GroupElderlyAlone, Levels: both}}
	must(t, s.ReplaceGuideRules(data.DryRun(ctx), rules, "planner"))
	if rs, _ := s.ListGuideRules(ctx); len(rs) != 0 {
		t.Fatalf("a dry run wrote %d rules", len(rs))
	}
	g0, err := s.Generations(ctx)
	must(t, err)
	must(t, s.ReplaceGuideRules(ctx, rules, "planner"))
	rs, err := s.ListGuideRules(ctx)
	must(t, err)
	if len(rs) != 2 || rs[0].ID != "GR-1" || rs[0].Group != data.GroupElderlyAlone || !slices.Equal(rs[0].Levels, both) ||
		rs[1].ItemID != "LC-01" || rs[1].Note != "林木: 代办员带路" || !slices.Equal(rs[1].Levels, []data.Level{data.LevelCounty}) {
		t.Fatalf("rules = %+v", rs)
	}
	if g, _ := s.Generations(ctx); g.Data <= g0.Data {
		t.Fatalf("data generation %d after replacing the rules, was %d", g.Data, g0.Data)
	}
	must(t, s.ReplaceGuideRules(ctx, rules[1:], "planner"))
	if rs, _ := s.ListGuideRules(ctx); len(rs) != 1 || rs[0].ID != "GR-1" {
		t.Fatalf("after replacing with one rule: %+v", rs)
	}

	// The county visit in V3 on 12-08 is guided by ST-3 (its agent, whose own day is 12-09);
	// the second goes without, flagged.
	d.Itineraries[0].StaffIDs = []string{"ST-1"}
	d.Itineraries[0].Stops[0].Guide = &data.StopGuide{Rules: []string{"GR-1"}, StaffID: "ST-3"}
	d.Itineraries[0].Stops[1].Guide = &data.StopGuide{Rules: []string{"GR-1"}, Missing: data.GuideNoAgent, Detail: "no agent"}
	unknown := d
	unknown.Itineraries = slices.Clone(d.Itineraries)
	unknown.Itineraries[0].Stops = slices.Clone(d.Itineraries[0].Stops)
	unknown.Itineraries[0].Stops[0].Guide = &data.StopGuide{Rules: []string{"GR-1"}, StaffID: "ST-404"}
	err = s.CreatePlan(ctx, &unknown)
	mustKind(t, err, data.Invalid)
	if f := data.ErrorField(err); f != "itineraries[0].stops[0].guide.staff_id" {
		t.Fatalf("unknown guide: field %q (%v)", f, err)
	}
	must(t, s.CreatePlan(ctx, &d))
	back, err := s.GetPlan(ctx, d.Plan.ID)
	must(t, err)
	g1, g2 := back.Itineraries[0].Stops[0].Guide, back.Itineraries[0].Stops[1].Guide
	if g1 == nil || g1.StaffID != "ST-3" || !slices.Equal(g1.Rules, []string{"GR-1"}) || g2 == nil || g2.Missing != data.GuideNoAgent || g2.Detail != "no agent" {
		t.Fatalf("guides read back = %+v / %+v", g1, g2)
	}
	if back.Itineraries[1].Stops[0].Guide != nil {
		t.Fatalf("a stop without a guide read back with %+v", back.Itineraries[1].Stops[0].Guide)
	}
	_, err = s.PublishPlan(ctx, data.Publication{ID: d.Plan.ID, Version: d.Plan.Version})
	must(t, err)
	claims, err := s.ListClaims(ctx, data.ClaimFilter{StaffID: "ST-3"})
	must(t, err)
	want := []data.Claim{{StaffID: "ST-3", Date: "2026-12-08", Kind: data.DayCircuit, PlanID: d.Plan.ID, Ref: "T-CTY-1"},
		{StaffID: "ST-3", Date: "2026-12-09", Kind: data.DayCircuit, PlanID: d.Plan.ID, Ref: "T-AG-" + V3}}
	if !slices.Equal(claims, want) {
		t.Fatalf("claims of the agent = %+v, want %+v", claims, want)
	}
}

// testRequestAcceptedTownship: a request registered by another township's
// desk (无差别受理) keeps that township (accepted_township) and belongs to
// the household's; the desk filter lists a township's own households and
// what its desk accepted, nothing else of the other township.
func testRequestAcceptedTownship(t *testing.T, s data.Store) {
	fixture(t, s)
	own1 := newRequest(V1, "MA-01")
	own2 := newRequest(V3, "MA-01")
	must(t, s.CreateRequest(ctx, &own1))
	must(t, s.CreateRequest(ctx, &own2))
	bad := newRequest(V1, "MA-01")
	bad.AcceptedTownship = V3 // a village, not a township
	err := s.CreateRequest(ctx, &bad)
	mustKind(t, err, data.Invalid)
	if f := data.ErrorField(err); f != "accepted_township" {
		t.Fatalf("bad accepted_township: field %q", f)
	}
	r := newRequest(V2, "MA-01") // a household of T1, accepted at T2's desk
	r.AcceptedTownship = T2
	must(t, s.CreateRequest(ctx, &r))
	got, err := s.GetRequest(ctx, r.ID)
	must(t, err)
	if got.TownshipID != T1 || got.AcceptedTownship != T2 {
		t.Fatalf("request = township %q accepted %q, want %s and %s", got.TownshipID, got.AcceptedTownship, T1, T2)
	}
	ids := func(f data.RequestFilter) []string {
		t.Helper()
		rs, _, err := s.ListRequests(ctx, f)
		must(t, err)
		var out []string
		for _, x := range rs {
			out = append(out, x.ID)
		}
		slices.Sort(out)
		return out
	}
	want := []string{own2.ID, r.ID}
	slices.Sort(want)
	if got := ids(data.RequestFilter{DeskTownship: T2}); !slices.Equal(got, want) {
		t.Fatalf("desk T2 lists %v, want %v (its household and the one it accepted)", got, want)
	}
	want = []string{own1.ID, r.ID}
	slices.Sort(want)
	if got := ids(data.RequestFilter{DeskTownship: T1}); !slices.Equal(got, want) {
		t.Fatalf("desk T1 lists %v, want %v", got, want)
	}
	if got := ids(data.RequestFilter{TownshipID: T2}); !slices.Equal(got, []string{own2.ID}) {
		t.Fatalf("township T2 lists %v, want only its household %s", got, own2.ID)
	}
}
