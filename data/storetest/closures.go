package storetest

import (
	"testing"

	"github.com/yingjing/xunhui/data"
)

// testClosures: closures import all or nothing (every bad record named by
// position and field), round-trip every field, filter by validity day
// (yearly ranges wrapping the year end included), update under their
// version and delete.
func testClosures(t *testing.T, s data.Store) {
	fixture(t, s)
	road := data.Closure{Kind: data.ClosedRoad, Name: "G108 塌方", Reason: "雨季塌方",
		Line: []data.Point{{Lon: 102.70, Lat: 29.78}, {Lon: 102.71, Lat: 29.781}}, From: "06-01", To: "09-30", Yearly: true}
	foot := data.Closure{ID: "CL-winter", Kind: data.FootOnly, Name: "民主村 冬季步行", VillageID: V3,
		Trailhead: &data.Point{Lon: 102.62, Lat: 29.775}, WalkMinutes: 40, From: "12-01", To: "02-28", Yearly: true}
	once := data.Closure{Kind: data.ClosedRoad, Name: "桥梁维修", Line: []data.Point{{Lon: 102.80, Lat: 29.79}, {Lon: 102.81, Lat: 29.79}},
		From: "2026-03-02", To: "2026-03-04"}

	// One bad record of four writes nothing; each bad one is named.
	bad := data.Closure{Kind: data.FootOnly, Name: "x", VillageID: "511822999999", Trailhead: &data.Point{Lon: 102.62, Lat: 29.775},
		WalkMinutes: 10, From: "2026-01-01", To: "2026-01-02"}
	batch := []data.Closure{road, foot, bad, {Kind: data.ClosedRoad, Name: "y", Line: []data.Point{{Lon: 102.7, Lat: 29.7}}, From: "2026-01-01", To: "2026-01-01"}}
	err := s.ImportClosures(ctx, batch, "planner")
	mustKind(t, err, data.Invalid)
	rows := data.RowErrors(err)
	if len(rows) != 2 || rows[0].Line != 3 || rows[0].Field != "village_id" || rows[1].Line != 4 || rows[1].Field != "line" {
		t.Fatalf("row errors = %+v, want line 3 village_id and line 4 line", rows)
	}
	if cs, _ := s.ListClosures(ctx, data.ClosureFilter{}); len(cs) != 0 {
		t.Fatalf("a rejected import wrote %d closures", len(cs))
	}

	cs := []data.Closure{road, foot, once}
	must(t, s.ImportClosures(ctx, cs, "planner"))
	if cs[0].ID == "" || cs[1].ID != "CL-winter" || cs[0].Version != 1 || cs[0].CreatedBy != "planner" {
		t.Fatalf("imported = %+v", cs)
	}
	mustKind(t, s.ImportClosures(ctx, []data.Closure{foot}, "planner"), data.Invalid) // existing id

	got, err := s.GetClosure(ctx, "CL-winter")
	must(t, err)
	if got.Kind != data.FootOnly || got.VillageID != V3 || got.Trailhead == nil || *got.Trailhead != *foot.Trailhead ||
		got.WalkMinutes != 40 || !got.Yearly || got.From != "12-01" || got.Line != nil {
		t.Fatalf("GetClosure = %+v", got)
	}
	g0, err := s.GetClosure(ctx, cs[0].ID)
	must(t, err)
	if len(g0.Line) != 2 || g0.Line[1] != road.Line[1] || g0.Trailhead != nil || g0.Reason != "雨季塌方" {
		t.Fatalf("GetClosure(road) = %+v", g0)
	}

	for _, tc := range []struct {
		on   data.Date
		want int
	}{{"2026-07-15", 1}, {"2026-01-10", 1}, {"2026-12-01", 1}, {"2026-03-03", 1}, {"2026-05-01", 0}, {"2026-02-28", 1}} {
		got, err := s.ListClosures(ctx, data.ClosureFilter{On: tc.on})
		must(t, err)
		if len(got) != tc.want {
			t.Errorf("ListClosures(on %s) = %d closures, want %d", tc.on, len(got), tc.want)
		}
	}
	if got, _ := s.ListClosures(ctx, data.ClosureFilter{Kind: data.ClosedRoad}); len(got) != 2 {
		t.Fatalf("ListClosures(road) = %d, want 2", len(got))
	}

	got.WalkMinutes = 55
	must(t, s.UpdateClosure(ctx, &got))
	if got.Version != 2 || got.WalkMinutes != 55 {
		t.Fatalf("updated = %+v", got)
	}
	stale := got
	stale.Version = 1
	mustKind(t, s.UpdateClosure(ctx, &stale), data.Conflict)
	stale.Version, stale.VillageID = 2, "511822207299"
	mustKind(t, s.UpdateClosure(ctx, &stale), data.Invalid)
	mustKind(t, s.DeleteClosure(ctx, "CL-winter", 1), data.Conflict)
	must(t, s.DeleteClosure(ctx, "CL-winter", 2))
	mustKind(t, s.DeleteClosure(ctx, "CL-winter", 0), data.NotFound)
	_, err = s.GetClosure(ctx, "CL-winter")
	mustKind(t, err, data.NotFound)
}
