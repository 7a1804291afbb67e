package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/market"
)

// TestMarketSwapGuard: a swap that would take a person from another
// township's desk (emptying it when they sit alone) is refused with the
// consequences and changes nothing; a coordinator can never confirm it, a
// planner can.
func TestMarketSwapGuard(t *testing.T) {
	eachMarketStore(t, func(t *testing.T, e *marketEnv) {
		var created marketPlanCreated
		e.send(http.MethodPost, "/api/v1/market-plans", "u-planner", map[string]string{"from": "2026-12-01", "to": "2026-12-31"}, http.StatusAccepted, &created)
		if _, err := e.svc.WaitPlan(context.Background(), created.ID); err != nil {
			t.Fatal(err)
		}
		plan := "/api/v1/market-plans/" + created.ID
		var v market.PlanView
		e.send(http.MethodGet, plan, "u-planner", nil, http.StatusOK, &v)
		// A day on which A has a desk and another township's desk has someone.
		var mine, other data.Desk
		for _, d := range v.Desks {
			if d.TownshipID != e.a || len(d.StaffIDs) == 0 {
				continue
			}
			for _, o := range v.Desks {
				if o.Date == d.Date && o.TownshipID != e.a && len(o.StaffIDs) > 0 && !slices.Contains(d.StaffIDs, o.StaffIDs[0]) {
					mine, other = d, o
				}
			}
		}
		if other.TownshipID == "" {
			t.Fatal("no day with desks of two townships")
		}
		swap := map[string]any{"op": "swap", "township_id": e.a, "date": mine.Date, "staff_id": mine.StaffIDs[0], "with_staff_id": other.StaffIDs[0]}
		code, _, body := e.do(http.MethodPost, plan+"/adjustments", "u-coordA", swap)
		eb := errBody(t, body)
		if code != http.StatusConflict || eb.Field != "with_staff_id" || !strings.Contains(eb.Message, "leaves the desk of township "+other.TownshipID) {
			t.Fatalf("coordinator's swap taking %s from %s: %d %s", other.StaffIDs[0], other.TownshipID, code, body)
		}
		if len(other.StaffIDs) == 1 && !strings.Contains(eb.Message, "leaving it empty") {
			t.Errorf("refusal does not say the desk would be empty: %s", eb.Message)
		}
		var full struct {
			Error struct {
				Consequences []market.Consequence `json:"consequences"`
				CanConfirm   bool                 `json:"can_confirm"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &full); err != nil || len(full.Error.Consequences) == 0 || full.Error.CanConfirm {
			t.Fatalf("coordinator's refusal: consequences %+v can_confirm %v (%v), want listed and not confirmable", full.Error.Consequences, full.Error.CanConfirm, err)
		}
		if c := full.Error.Consequences[0]; c.Kind != "leaves_desk" || c.TownshipID != other.TownshipID || c.StaffID != other.StaffIDs[0] || c.Date != mine.Date || c.Empty != (len(other.StaffIDs) == 1) {
			t.Errorf("consequence = %+v, want %s leaving %s's desk on %s", c, other.StaffIDs[0], other.TownshipID, mine.Date)
		}
		swap["confirm"] = true
		if code, _, body = e.do(http.MethodPost, plan+"/adjustments", "u-coordA", swap); code != http.StatusConflict {
			t.Errorf("coordinator confirms: %d %s, want 409", code, body)
		}
		var after market.PlanView
		e.send(http.MethodGet, plan, "u-planner", nil, http.StatusOK, &after)
		if after.Version != v.Version {
			t.Fatalf("refused swaps changed the plan: version %d → %d", v.Version, after.Version)
		}
		delete(swap, "confirm")
		if code, _, body = e.do(http.MethodPost, plan+"/adjustments", "u-planner", swap); code != http.StatusConflict || !strings.Contains(string(body), `"can_confirm":true`) {
			t.Errorf("planner's unconfirmed swap: %d %s, want 409 with can_confirm", code, body)
		}
		swap["confirm"] = true
		var done market.PlanView
		e.send(http.MethodPost, plan+"/adjustments", "u-planner", swap, http.StatusOK, &done)
		if d, _ := findDesk(done, e.a, mine.Date); !slices.Contains(d.StaffIDs, other.StaffIDs[0]) {
			t.Errorf("confirmed swap: desk %+v lacks %s", d, other.StaffIDs[0])
		}
	})
}
