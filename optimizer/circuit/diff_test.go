package circuit

import (
	"testing"

	"github.com/yingjing/xunhui/data"
)

func TestDiff(t *testing.T) {
	it := func(team string, day data.Date, stops ...data.Stop) data.Itinerary {
		return data.Itinerary{TeamID: team, Date: day, Stops: stops}
	}
	st := func(start int, ids ...string) data.Stop { return data.Stop{Start: start, RequestIDs: ids} }
	old := data.PlanDetail{Plan: data.Plan{ID: "P-1"}, Itineraries: []data.Itinerary{
		it("T-A", monday, st(540, "R-1"), st(600, "R-2")),
		it("T-B", monday, st(540, "R-3")),
	}}
	new := data.PlanDetail{Plan: data.Plan{ID: "P-2"}, Itineraries: []data.Itinerary{
		it("T-A", monday, st(540, "R-1"), st(650, "R-2")), // R-2 later
		it("T-A", monday.AddDays(1), st(540, "R-3")),      // R-3 to another team-day
		it("T-B", monday, st(560, "R-4")),                 // R-4 new
	}}
	d := Diff(&old, new)
	if d.Supersedes != "P-1" || d.Added != 2 || d.Removed != 1 || d.Moved != 1 {
		t.Fatalf("Diff = %+v", d)
	}
	want := []TeamDayDiff{
		{TeamID: "T-A", Date: monday, Moved: []VisitShift{{RequestID: "R-2", From: 600, To: 650, Minutes: 50}}},
		{TeamID: "T-B", Date: monday, Added: []string{"R-4"}, Removed: []string{"R-3"}},
		{TeamID: "T-A", Date: monday.AddDays(1), Added: []string{"R-3"}},
	}
	if len(d.TeamDays) != len(want) {
		t.Fatalf("team days = %+v", d.TeamDays)
	}
	for i, w := range want {
		g := d.TeamDays[i]
		if g.TeamID != w.TeamID || g.Date != w.Date || len(g.Added) != len(w.Added) || len(g.Removed) != len(w.Removed) || len(g.Moved) != len(w.Moved) ||
			(len(w.Moved) > 0 && g.Moved[0] != w.Moved[0]) {
			t.Errorf("team day %d = %+v, want %+v", i, g, w)
		}
	}
	if first := Diff(nil, new); first.Added != 4 || first.Removed != 0 {
		t.Errorf("Diff(nil) = %+v, want everything added", first)
	}
}
