package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// tinyVRP is a VROOM problem with a custom matrix: one vehicle at location
// 0 and two jobs at locations 1 and 2.
func tinyVRP() map[string]any {
	return map[string]any{
		"vehicles": []any{map[string]any{"id": 1, "start_index": 0, "end_index": 0}},
		"jobs": []any{
			map[string]any{"id": 10, "location_index": 1, "service": 60},
			map[string]any{"id": 20, "location_index": 2, "service": 60},
		},
		"matrices": map[string]any{"car": map[string]any{"durations": [][]int{{0, 100, 200}, {100, 0, 150}, {200, 150, 0}}}},
	}
}

func TestVRP(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	code, _, body := e.do(http.MethodPost, "/api/v1/vrp?time_limit=1", "u-planner", tinyVRP())
	if code != 200 {
		t.Fatalf("solve: status %d; %s", code, body)
	}
	var out struct {
		Code    int `json:"code"`
		Summary struct {
			Unassigned int   `json:"unassigned"`
			Duration   int64 `json:"duration"`
		} `json:"summary"`
		Routes []any `json:"routes"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	// Both jobs on the one route; the only tour is 0-1-2-0 or its reverse,
	// whose travel time is 100+150+200 either way.
	if out.Code != 0 || out.Summary.Unassigned != 0 || len(out.Routes) != 1 || out.Summary.Duration != 450 {
		t.Errorf("solution: %+v; want code 0, 1 route, nothing unassigned, duration 450", out)
	}
	for _, tc := range []struct {
		name, query, body string
		want              int
		has               string
	}{
		{"input error in VROOM shape", "", `{"vehicles": [], "jobs": []}`, 400, `"code":2`},
		{"time limit too long", "?time_limit=3600", `{}`, 400, `"field":"time_limit"`},
		{"coordinates without a matrix source", "", `{"vehicles":[{"id":1,"start":[102.8,29.8]}],"jobs":[{"id":1,"location":[102.81,29.81]}]}`, 502, `"code":3`},
	} {
		code, _, body := e.do(http.MethodPost, "/api/v1/vrp"+tc.query, "u-admin", tc.body)
		if code != tc.want || !strings.Contains(string(body), tc.has) {
			t.Errorf("%s: status %d body %s, want %d with %s", tc.name, code, body, tc.want, tc.has)
		}
	}
	if m := e.srv.Metrics(); m == nil {
		t.Fatal("no metrics")
	}
	_, _, metrics := e.do(http.MethodGet, "/metrics", "u-admin", nil)
	if !strings.Contains(string(metrics), `xunhui_solve_seconds_count{planner="vrp",status="ok"}`) {
		t.Error("solve time not recorded in xunhui_solve_seconds")
	}
}

// TestVRPProfilesAndSteps posts a problem with two profiles, a speed
// factor, max_distance, a pickup and a warm start in vehicle steps; a
// shipment step is refused in VROOM's error shape naming the field.
func TestVRPProfilesAndSteps(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	problem := func(step map[string]any) map[string]any {
		return map[string]any{
			"vehicles": []any{
				map[string]any{"id": 1, "profile": "car", "start_index": 0, "end_index": 0, "capacity": []int{2},
					"steps": []any{map[string]any{"type": "start"}, step, map[string]any{"type": "end"}}},
				map[string]any{"id": 2, "profile": "bike", "start_index": 0, "speed_factor": 1.5, "max_distance": 500, "capacity": []int{2}},
			},
			"jobs": []any{
				map[string]any{"id": 10, "location_index": 1, "delivery": []int{1}},
				map[string]any{"id": 20, "location_index": 2, "pickup": []int{2}, "time_windows": [][]int{{0, 60}}},
			},
			"matrices": map[string]any{
				"car":  map[string]any{"durations": [][]int{{0, 100, 200}, {100, 0, 150}, {200, 150, 0}}, "distances": [][]int{{0, 1000, 2000}, {1000, 0, 1500}, {2000, 1500, 0}}},
				"bike": map[string]any{"durations": [][]int{{0, 300, 60}, {300, 0, 400}, {60, 400, 0}}, "distances": [][]int{{0, 900, 300}, {900, 0, 1200}, {300, 1200, 0}}},
			},
		}
	}
	code, _, body := e.do(http.MethodPost, "/api/v1/vrp?time_limit=1", "u-planner", problem(map[string]any{"type": "job", "id": 10}))
	if code != 200 {
		t.Fatalf("solve: status %d; %s", code, body)
	}
	var out struct {
		Code    int `json:"code"`
		Summary struct {
			Unassigned int `json:"unassigned"`
		} `json:"summary"`
		Routes []struct {
			Vehicle int `json:"vehicle"`
			Steps   []struct {
				ID *int `json:"id"`
			} `json:"steps"`
		} `json:"routes"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	// Job 20 must start by 60 s: only the bike (60 s at speed 1.5 = 40 s)
	// is in time; job 10 is beyond the bike's max_distance round trip.
	by := map[int]int{}
	for _, r := range out.Routes {
		for _, s := range r.Steps {
			if s.ID != nil {
				by[*s.ID] = r.Vehicle
			}
		}
	}
	if out.Code != 0 || out.Summary.Unassigned != 0 || by[10] != 1 || by[20] != 2 {
		t.Errorf("got %s; want job 10 on vehicle 1, job 20 on vehicle 2", body)
	}
	code, _, body = e.do(http.MethodPost, "/api/v1/vrp", "u-planner", problem(map[string]any{"type": "delivery", "id": 10}))
	if code != 400 || !strings.Contains(string(body), `"code":2`) || !strings.Contains(string(body), "vehicles[0].steps[1]") {
		t.Errorf("shipment step: status %d body %s, want 400, code 2 naming vehicles[0].steps[1]", code, body)
	}
}
