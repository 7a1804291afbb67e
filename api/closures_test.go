package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// TestClosuresAPI: a planner imports a GeoJSON file of closures (a bad
// feature rejects the whole file, naming feature and field), adds, edits
// under its version and removes one; every role reads them, as JSON and as
// GeoJSON for the map, filtered by the day of travel.
func TestClosuresAPI(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		file := fmt.Sprintf(`{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[102.80,29.80],[102.81,29.805]]},
  "properties":{"name":"县道塌方","reason":"雨季塌方","from":"06-01","to":"09-30","yearly":true}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[102.805,29.80]},
  "properties":{"name":"乙一村 冬季","village_id":%q,"walk_minutes":35,"from":"12-01","to":"02-28","yearly":true}}]}`, vB1)
		bad := strings.Replace(strings.Replace(file, `"walk_minutes":35`, `"walk_minutes":0`, 1), `[[102.80,29.80],`, `[`, 1)
		code, _, body := e.do(http.MethodPost, "/api/v1/closures/import", "u-planner", bad)
		var rej struct {
			Rows []data.RowError `json:"rows"`
		}
		_ = json.Unmarshal(body, &rej)
		if code != http.StatusUnprocessableEntity || len(rej.Rows) != 2 || rej.Rows[0].Field != "features[0].geometry.coordinates" ||
			rej.Rows[1].Field != "features[1].properties.walk_minutes" || rej.Rows[1].Line != 2 {
			t.Fatalf("bad import = %d %s", code, body)
		}
		unknown := strings.Replace(file, vB1, "511822102299", 1)
		code, _, body = e.do(http.MethodPost, "/api/v1/closures/import", "u-planner", unknown)
		_ = json.Unmarshal(body, &rej)
		if code != http.StatusUnprocessableEntity || len(rej.Rows) != 1 || rej.Rows[0].Field != "features[1].properties.village_id" {
			t.Fatalf("unknown village import = %d %s", code, body)
		}
		if code, _, _ := e.do(http.MethodPost, "/api/v1/closures/import", "u-coordA", file); code != http.StatusForbidden {
			t.Fatalf("coordinator import = %d, want 403", code)
		}
		code, _, body = e.do(http.MethodPost, "/api/v1/closures/import?dry_run=true", "u-planner", file)
		if code != http.StatusCreated {
			t.Fatalf("dry run = %d %s", code, body)
		}
		var list struct {
			Items []data.Closure `json:"items"`
		}
		getList := func(path string) []data.Closure {
			t.Helper()
			code, _, body := e.do(http.MethodGet, path, "u-memberA", nil)
			if code != http.StatusOK {
				t.Fatalf("GET %s = %d %s", path, code, body)
			}
			list.Items = nil
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatal(err)
			}
			return list.Items
		}
		if n := len(getList("/api/v1/closures")); n != 0 {
			t.Fatalf("a dry run or rejected import left %d closures", n)
		}
		code, _, body = e.do(http.MethodPost, "/api/v1/closures/import", "u-planner", file)
		if code != http.StatusCreated {
			t.Fatalf("import = %d %s", code, body)
		}
		if got := getList("/api/v1/closures?on=2026-07-01"); len(got) != 1 || got[0].Kind != data.ClosedRoad || len(got[0].Line) != 2 {
			t.Fatalf("closures on 2026-07-01 = %+v", got)
		}
		winter := getList("/api/v1/closures?on=2027-01-05&kind=foot_only")
		if len(winter) != 1 || winter[0].WalkMinutes != 35 || winter[0].Trailhead == nil || winter[0].CreatedBy != "u-planner" {
			t.Fatalf("closures on 2027-01-05 = %+v", winter)
		}
		if code, _, _ := e.do(http.MethodGet, "/api/v1/closures?on=2027-13-01", "u-planner", nil); code != http.StatusBadRequest {
			t.Fatalf("bad on = %d", code)
		}

		code, hdr, body := e.do(http.MethodGet, "/api/v1/closures.geojson?on=2027-01-05", "u-coordB", nil)
		var fc data.ClosureCollection
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/geo+json") || json.Unmarshal(body, &fc) != nil {
			t.Fatalf("geojson = %d %s %s", code, hdr.Get("Content-Type"), body)
		}
		kinds := map[string]bool{}
		for _, f := range fc.Features {
			kinds[f.Geometry.Type] = *f.Properties.ActiveOn
			if f.Geometry.Type == "Point" && f.Properties.VillageName != "乙一村" {
				t.Errorf("trailhead feature names village %q", f.Properties.VillageName)
			}
		}
		if len(fc.Features) != 2 || kinds["LineString"] || !kinds["Point"] {
			t.Fatalf("geojson features = %s", body)
		}

		// One closure by POST, edit under its version, delete.
		in := map[string]any{"kind": "road", "name": "桥梁维修", "line": []data.Point{{Lon: 102.81, Lat: 29.81}, {Lon: 102.82, Lat: 29.81}},
			"from": "2026-03-02", "to": "2026-03-04"}
		code, _, body = e.do(http.MethodPost, "/api/v1/closures", "u-planner", in)
		var cl data.Closure
		if code != http.StatusCreated || json.Unmarshal(body, &cl) != nil || cl.Version != 1 {
			t.Fatalf("create = %d %s", code, body)
		}
		in["walk_minutes"] = 10
		if code, _, body := e.do(http.MethodPost, "/api/v1/closures", "u-planner", in); code != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"field":"walk_minutes"`) {
			t.Fatalf("road with walk minutes = %d %s", code, body)
		}
		delete(in, "walk_minutes")
		in["to"] = "2026-03-06"
		path := "/api/v1/closures/" + cl.ID
		if code, _, _ := e.do(http.MethodPut, path, "u-planner", in); code != http.StatusPreconditionRequired {
			t.Fatalf("PUT without version = %d, want 428", code)
		}
		if code, _, _ := e.do(http.MethodPut, path, "u-planner", in, "If-Match", `"7"`); code != http.StatusConflict {
			t.Fatalf("PUT stale = %d, want 409", code)
		}
		code, _, body = e.do(http.MethodPut, path, "u-planner", in, "If-Match", `"1"`)
		if code != http.StatusOK || json.Unmarshal(body, &cl) != nil || cl.To != "2026-03-06" || cl.Version != 2 {
			t.Fatalf("PUT = %d %s", code, body)
		}
		if code, _, _ := e.do(http.MethodDelete, path, "u-coordA", nil); code != http.StatusForbidden {
			t.Fatalf("coordinator DELETE = %d", code)
		}
		if code, _, _ := e.do(http.MethodDelete, path+"?version=1", "u-planner", nil); code != http.StatusConflict {
			t.Fatalf("stale DELETE = %d", code)
		}
		if code, _, body := e.do(http.MethodDelete, path+"?version="+strconv.Itoa(int(cl.Version)), "u-planner", nil); code != http.StatusNoContent {
			t.Fatalf("DELETE = %d %s", code, body)
		}
		if code, _, _ := e.do(http.MethodGet, path, "u-planner", nil); code != http.StatusNotFound {
			t.Fatalf("GET deleted = %d", code)
		}
	})
}

// TestClosuresInPlanAndSheet: a planner makes the busiest SAMPLE village
// walk-only for the week and closes a road through the API, then plans the
// week. Every stop in that village is reached via its trailhead: the route
// sheet says so (foot, closures) and its travel time is, recomputed here
// from the estimate without the planner's matrix, the drive to the
// trailhead plus the walk. The estimate has no roads, so the plan warns
// that the road closure is not honoured.
func TestClosuresInPlanAndSheet(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			week := seed.NextMonday(data.Today())
			e := newCircuitEnv(t, sf.open(t), week)
			ctx := context.Background()
			rs, _, err := e.store.ListRequests(ctx, data.RequestFilter{Limit: data.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			busiest := ""
			for _, r := range rs {
				count[r.Household.VillageID]++
				if v := r.Household.VillageID; busiest == "" || count[v] > count[busiest] || (count[v] == count[busiest] && v < busiest) {
					busiest = v
				}
			}
			vil, err := e.store.GetVillage(ctx, busiest)
			if err != nil {
				t.Fatal(err)
			}
			th := data.Point{Lon: vil.Location.Lon + 0.0155, Lat: vil.Location.Lat}
			foot := map[string]any{"kind": "foot_only", "name": "步行村 (SAMPLE)", "reason": "冬季道路结冰", "village_id": busiest,
				"trailhead": th, "walk_minutes": 40, "from": string(week), "to": string(week.AddDays(4))}
			road := map[string]any{"kind": "road", "name": "县道塌方 (SAMPLE)", "line": []data.Point{{Lon: 102.80, Lat: 29.79}, {Lon: 102.82, Lat: 29.80}},
				"from": string(week), "to": string(week.AddDays(4))}
			var cl data.Closure
			for _, in := range []map[string]any{foot, road} {
				code, _, b := e.do(http.MethodPost, "/api/v1/closures", "u-planner", in)
				if code != http.StatusCreated {
					t.Fatalf("POST /closures = %d %s", code, b)
				}
				if in["kind"] == "road" {
					_ = json.Unmarshal(b, &cl)
				}
			}
			var run circuit.View
			code, _, b := e.do(http.MethodPost, "/api/v1/circuit-plans", "u-planner", map[string]string{"from": string(week), "to": string(week.AddDays(4))})
			if code != http.StatusAccepted || json.Unmarshal(b, &run) != nil {
				t.Fatalf("plan = %d %s", code, b)
			}
			v := e.waitPlan(run.ID)
			var ex circuit.Explanation
			e.getJSON("/api/v1/circuit-plans/"+v.ID+"/explanation", "u-planner", http.StatusOK, &ex)
			if !strings.Contains(strings.Join(ex.Warnings, "\n"), "closure "+cl.ID+" not honoured") {
				t.Errorf("plan warnings %q do not say that the road closure is not honoured", ex.Warnings)
			}
			est := &geo.Estimator{}
			secs := func(mode data.TravelMode, a, b data.Point) int {
				gm, _ := geo.ParseMode(string(mode))
				s, _ := est.Pair(geo.Location{Point: orb.Point{a.Lon, a.Lat}}, geo.Location{Point: orb.Point{b.Lon, b.Lat}}, gm)
				return int((s + 59) / 60 * 60)
			}
			checked := 0
			for _, it := range v.Itineraries {
				for i, st := range it.Stops {
					if st.VillageID != busiest {
						continue
					}
					var sh circuit.Sheet
					e.getJSON(fmt.Sprintf("/api/v1/teams/%s/itinerary?date=%s", it.TeamID, it.Date), "u-planner", http.StatusOK, &sh)
					if len(sh.Closures) != 2 {
						t.Errorf("sheet %s %s lists %d closures, want 2", it.TeamID, it.Date, len(sh.Closures))
					}
					for _, c := range sh.Closures {
						if c.NotInTimes != (c.Kind == data.ClosedRoad) {
							t.Errorf("sheet closure %s: not_in_times = %v with estimated times", c.ID, c.NotInTimes)
						}
					}
					ss := sh.Stops[i]
					if sh.TravelMode == data.TravelFoot {
						continue
					}
					if ss.Foot == nil || ss.Foot.WalkMinutes != 40 || ss.Foot.Trailhead != th {
						t.Errorf("sheet %s %s stop %d in walk-only %s: foot = %+v", it.TeamID, it.Date, st.Seq, busiest, ss.Foot)
						continue
					}
					if i == 0 && sh.Base.Location == vil.Location {
						continue // the village's own agent starts there
					}
					prev := sh.Base.Location
					if i > 0 {
						prev = it.Stops[i-1].Location
					}
					want := secs(sh.TravelMode, prev, th) + 40*60
					if i > 0 && it.Stops[i-1].VillageID == busiest {
						want = -1 // walked within the village; checked in package circuit
					}
					if want >= 0 && st.TravelSeconds != want {
						t.Errorf("%s %s stop %d: travel %d s, drive to the trailhead + 40 min walk = %d s", it.TeamID, it.Date, st.Seq, st.TravelSeconds, want)
					}
					checked++
				}
			}
			if checked == 0 {
				t.Fatalf("no visit to the walk-only village %s was planned: nothing checked", busiest)
			}
			t.Logf("%d visits to walk-only %s checked", checked, busiest)

			// Published, then another visited village becomes walk-only:
			// the plan lists its visits as needing a re-plan.
			code, _, b = e.do(http.MethodPost, "/api/v1/circuit-plans/"+v.ID+"/publish", "u-planner", map[string]int64{"version": v.Plan.Version})
			if code != http.StatusOK {
				t.Fatalf("publish = %d %s", code, b)
			}
			var pv circuit.View
			e.getJSON("/api/v1/circuit-plans/"+v.ID, "u-planner", http.StatusOK, &pv)
			if len(pv.NeedsReplan) != 0 {
				t.Fatalf("a fresh plan needs a re-plan: %+v", pv.NeedsReplan)
			}
			other, visits := "", 0
			for _, it := range v.Itineraries {
				if it.Date != week.AddDays(1) || it.TeamID[:4] == "T-AG" {
					continue
				}
				for _, st := range it.Stops {
					if other == "" && st.VillageID != busiest {
						other = st.VillageID
					}
					if st.VillageID == other {
						visits++
					}
				}
			}
			if other == "" {
				t.Fatal("no visit on Tuesday to make walk-only")
			}
			ov, _ := e.store.GetVillage(ctx, other)
			th2 := data.Point{Lon: ov.Location.Lon - 0.0155, Lat: ov.Location.Lat}
			code, _, b = e.do(http.MethodPost, "/api/v1/closures", "u-planner", map[string]any{"kind": "foot_only", "name": "新塌方 (SAMPLE)",
				"village_id": other, "trailhead": th2, "walk_minutes": 30, "from": string(week.AddDays(1)), "to": string(week.AddDays(1))})
			if code != http.StatusCreated {
				t.Fatalf("POST closure = %d %s", code, b)
			}
			e.getJSON("/api/v1/circuit-plans/"+v.ID, "u-planner", http.StatusOK, &pv)
			hit := 0
			for _, a := range pv.NeedsReplan {
				if a.Reason != "closure" || a.Date != week.AddDays(1) {
					t.Errorf("needs_replan %+v: want closure on Tuesday", a)
				}
				hit++
			}
			if hit < visits {
				t.Fatalf("needs_replan has %d closure entries, want at least the %d Tuesday visits to %s: %+v", hit, visits, other, pv.NeedsReplan)
			}
		})
	}
}
