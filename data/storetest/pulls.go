package storetest

import (
	"testing"

	"github.com/yingjing/xunhui/data"
)

// testPulls: a pull of several days is stored per user, team and day; a new
// pull of a day replaces it (other days and other users are kept); bad pulls
// are refused naming the field and write nothing.
func testPulls(t *testing.T, s data.Store) {
	fixture(t, s)
	const team = "T-CTY-1"
	mon, tue := data.Date("2026-12-07"), data.Date("2026-12-08")
	first := []data.Pull{
		{UserID: "u-a", TeamID: team, Date: mon, PlanID: "P-1", Visits: []data.PulledVisit{
			{RequestID: "R-1", Date: mon, Seq: 1, Start: 540}, {RequestID: "R-2", Date: mon, Seq: 2, Start: 600}}},
		{UserID: "u-a", TeamID: team, Date: tue, PlanID: "P-1"},
	}
	g0, err := s.Generations(ctx)
	must(t, err)
	n1, err := s.RecordPulls(ctx, first)
	must(t, err)
	if first[0].At.IsZero() {
		t.Fatalf("RecordPulls did not set At")
	}
	n2, err := s.RecordPulls(ctx, []data.Pull{{UserID: "u-b", TeamID: team, Date: mon, PlanID: "P-0"}})
	must(t, err)
	// Each write raises the pulls generation by one (a pull of two days
	// too) and returns the value; the other counters do not move.
	g1, err := s.Generations(ctx)
	must(t, err)
	if n1 != g0.Pulls+1 || n2 != n1+1 || g1.Pulls != n2 || g1.Data != g0.Data || g1.Auth != g0.Auth {
		t.Fatalf("generations %+v, then RecordPulls returned %d and %d, then %+v", g0, n1, n2, g1)
	}
	got, err := s.LastPulls(ctx, "u-a", team, mon, tue)
	must(t, err)
	if len(got) != 2 || got[0].Date != mon || got[0].PlanID != "P-1" || len(got[0].Visits) != 2 ||
		got[0].Visits[1] != (data.PulledVisit{RequestID: "R-2", Date: mon, Seq: 2, Start: 600}) ||
		got[1].Date != tue || got[1].Visits == nil || len(got[1].Visits) != 0 || got[0].At.IsZero() {
		t.Fatalf("LastPulls(u-a) = %+v", got)
	}

	// A new pull of Monday replaces it; Tuesday and u-b stay.
	_, err = s.RecordPulls(ctx, []data.Pull{{UserID: "u-a", TeamID: team, Date: mon, PlanID: "P-2",
		Visits: []data.PulledVisit{{RequestID: "R-2", Date: mon, Seq: 1, Start: 545}}}})
	must(t, err)
	got, _ = s.LastPulls(ctx, "u-a", team, mon, tue)
	if len(got) != 2 || got[0].PlanID != "P-2" || len(got[0].Visits) != 1 || got[0].Visits[0].Start != 545 || got[1].PlanID != "P-1" {
		t.Fatalf("after a second pull: %+v", got)
	}
	if b, _ := s.LastPulls(ctx, "u-b", team, mon, mon); len(b) != 1 || b[0].PlanID != "P-0" {
		t.Fatalf("LastPulls(u-b) = %+v", b)
	}
	if none, err := s.LastPulls(ctx, "u-a", team, "2026-12-09", "2026-12-20"); err != nil || len(none) != 0 {
		t.Fatalf("days never pulled: %+v, %v", none, err)
	}

	// Bad pulls: named, nothing written.
	for _, tc := range []struct {
		name, field string
		p           data.Pull
	}{
		{"no user", "user_id", data.Pull{TeamID: team, Date: mon}},
		{"bad date", "date", data.Pull{UserID: "u-a", TeamID: team, Date: "12/07"}},
		{"visit of another day", "visits[0]", data.Pull{UserID: "u-a", TeamID: team, Date: tue,
			Visits: []data.PulledVisit{{RequestID: "R-9", Date: mon}}}},
	} {
		n, err := s.RecordPulls(ctx, []data.Pull{{UserID: "u-a", TeamID: team, Date: tue, PlanID: "P-9"}, tc.p})
		mustKind(t, err, data.Invalid)
		if n != 0 {
			t.Errorf("%s: a refused pull returned generation %d", tc.name, n)
		}
		if f := data.ErrorField(err); f != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, f, tc.field)
		}
	}
	var many []data.Pull
	for i := range data.MaxPullDays + 1 {
		many = append(many, data.Pull{UserID: "u-a", TeamID: team, Date: mon.AddDays(i)})
	}
	_, err = s.RecordPulls(ctx, many)
	mustKind(t, err, data.Invalid)
	if g, _ := s.Generations(ctx); g.Pulls != g1.Pulls+1 {
		t.Errorf("pulls generation %d after one more write and refused ones, want %d", g.Pulls, g1.Pulls+1)
	}
	if got, _ := s.LastPulls(ctx, "u-a", team, tue, tue); len(got) != 1 || got[0].PlanID != "P-1" {
		t.Fatalf("a refused pull wrote: %+v", got)
	}
}
