package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// TestDeskAcceptsAnyTownship (both stores, 无差别受理): township A's
// coordinator registers a request for a household of township B. The request
// belongs to B (township_id, planned by B's team) and records A's desk
// (accepted_township); A's coordinator sees and edits that request but not
// B's other households and cannot move it to a third township's village; B's
// coordinator and the planners see it, a team member does not; the create is
// in the access trail under A's coordinator.
func TestDeskAcceptsAnyTownship(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		body := newRequestBody("R-DESK", vB1)
		body["item_ids"] = []string{itemLic}
		code, _, b := e.do(http.MethodPost, "/api/v1/requests?dry_run=true", "u-coordA", body)
		if code != http.StatusOK {
			t.Fatalf("dry run = %d %s", code, b)
		}
		if got := e.requestIDs("u-planner", ""); slices.Contains(got, "R-DESK") {
			t.Fatalf("a dry run wrote the request")
		}
		code, _, b = e.do(http.MethodPost, "/api/v1/requests", "u-coordA", body)
		var r data.Request
		if code != http.StatusCreated || json.Unmarshal(b, &r) != nil {
			t.Fatalf("coordinator A creates for a household of B = %d %s", code, b)
		}
		if r.TownshipID != twB || r.AcceptedTownship != twA || r.CreatedBy != "u-coordA" {
			t.Fatalf("created = township %q accepted %q by %q, want %s / %s / u-coordA", r.TownshipID, r.AcceptedTownship, r.CreatedBy, twB, twA)
		}
		for _, tc := range []struct {
			user string
			want []string
		}{
			{"u-coordA", []string{reqA1, reqA2, "R-DESK"}},
			{"u-coordB", []string{reqB1, "R-DESK"}},
			{"u-planner", []string{reqA1, reqA2, reqB1, "R-DESK"}},
			{"u-memberA", []string{reqA1}},
		} {
			if got := e.requestIDs(tc.user, ""); !slices.Equal(got, tc.want) {
				t.Errorf("%s lists %v, want %v", tc.user, got, tc.want)
			}
		}
		for _, u := range []string{"u-coordA", "u-coordB", "u-planner"} {
			e.getJSON("/api/v1/requests/R-DESK", u, http.StatusOK, nil)
		}
		e.getJSON("/api/v1/requests/R-DESK", "u-memberA", http.StatusNotFound, nil)
		e.getJSON("/api/v1/requests/"+reqB1, "u-coordA", http.StatusNotFound, nil)
		if got := e.requestIDs("u-coordA", "?township="+twB); len(got) != 0 {
			t.Errorf("coordinator A lists township B: %v, want none", got)
		}
		code, _, b = e.do(http.MethodPatch, "/api/v1/requests/R-DESK", "u-coordA", map[string]any{"version": 1, "priority": 4})
		if code != http.StatusOK {
			t.Errorf("coordinator A edits the request it accepted = %d %s", code, b)
		}
		code, _, _ = e.do(http.MethodPatch, "/api/v1/requests/R-DESK", "u-coordA",
			map[string]any{"version": 2, "household": map[string]any{"village_id": "511822103201"}})
		if code != http.StatusForbidden {
			t.Errorf("coordinator A moves the accepted request to a third township's village = %d, want 403", code)
		}
		ctx := context.Background()
		deadline := time.Now().Add(5 * time.Second)
		for {
			rs, _, err := e.store.ListAccess(ctx, data.AccessFilter{UserID: "u-coordA", RecordID: "R-DESK"})
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(rs, func(a data.AccessRecord) bool { return a.Method == http.MethodPost }) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no trail entry of coordinator A creating R-DESK: %+v", rs)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// Planned in the household's township: B's team visits it.
		snap, err := circuit.LoadSnapshot(ctx, e.store, nil)
		if err != nil {
			t.Fatal(err)
		}
		week := seed.NextMonday(data.Today())
		res, err := circuit.Plan(ctx, snap, circuit.Options{From: week, To: week.AddDays(4), MaxIterations: 100, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var by []string
		for _, it := range res.Detail.Itineraries {
			for _, st := range it.Stops {
				if slices.Contains(st.RequestIDs, "R-DESK") {
					by = append(by, it.TeamID)
				}
			}
		}
		if !slices.Equal(by, []string{teamB}) {
			t.Fatalf("R-DESK visited by %v, want B's team %s", by, teamB)
		}
	})
}
