package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/yingjing/xunhui/optimizer/market"
)

// DELETE /market-plans/{id} stops a plan early on both stores, like DELETE
// of a circuit plan: a running search stops and keeps the best plan found
// (done, stopped_early, search_status cancelled, desks kept); a queued plan
// is cancelled; only planners may; a finished plan is 409.
func TestMarketPlanStop(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			// A search that only a DELETE (or 2 minutes) ends.
			e := newMarketEnvWith(t, sf.open(t), market.Options{MaxIterations: 1 << 40, TimeLimit: 2 * time.Minute})
			path := "/api/v1/market-days/" + e.a + "/" + string(e.dayA) + "/bookings"
			for i := range 4 {
				e.send(http.MethodPost, path, "u-planner", e.booking(e.items[i%3].ID), http.StatusCreated, nil)
			}
			var long, queued marketPlanCreated
			e.send(http.MethodPost, "/api/v1/market-plans", "u-planner", map[string]string{"from": "2026-12-01", "to": "2026-12-31"}, http.StatusAccepted, &long)
			waitMarketStatus(t, e, long.ID, market.RunRunning)
			// The one worker is busy: the next plan stays queued.
			e.send(http.MethodPost, "/api/v1/market-plans", "u-planner", map[string]string{"from": "2026-12-01", "to": "2026-12-15"}, http.StatusAccepted, &queued)

			e.send(http.MethodDelete, "/api/v1/market-plans/"+long.ID, "u-coordA", nil, http.StatusForbidden, nil)
			e.send(http.MethodDelete, "/api/v1/market-plans/"+long.ID, "u-memberA", nil, http.StatusForbidden, nil)
			e.send(http.MethodDelete, "/api/v1/market-plans/P-nope", "u-planner", nil, http.StatusNotFound, nil)

			var q market.PlanView
			e.send(http.MethodDelete, "/api/v1/market-plans/"+queued.ID, "u-planner", nil, http.StatusAccepted, &q)
			if q.Status != market.RunCancelled || !q.StoppedEarly {
				t.Errorf("DELETE of a queued plan: status %s, stopped_early %v; want cancelled, true", q.Status, q.StoppedEarly)
			}

			var r market.PlanView
			e.send(http.MethodDelete, "/api/v1/market-plans/"+long.ID, "u-planner", nil, http.StatusAccepted, &r)
			if !r.StoppedEarly {
				t.Errorf("DELETE of a running plan answered stopped_early false: %+v", r.Status)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			v, err := e.svc.WaitPlan(ctx, long.ID)
			if err != nil {
				t.Fatal(err)
			}
			e.send(http.MethodGet, "/api/v1/market-plans/"+long.ID, "u-planner", nil, http.StatusOK, &v)
			if v.Status != market.RunDone || !v.StoppedEarly || v.Stats.SearchStatus != "cancelled" {
				t.Fatalf("stopped plan: status %s (%s), stopped_early %v, search %q; want done, true, cancelled",
					v.Status, v.Error, v.StoppedEarly, v.Stats.SearchStatus)
			}
			if len(v.Desks) == 0 || v.Stats.Bookings != 4 {
				t.Errorf("stopped plan kept %d desks for %d bookings; want its best plan (desks, 4 bookings)", len(v.Desks), v.Stats.Bookings)
			}
			if v.Stats.SolveMillis > 60_000 {
				t.Errorf("search ran %d ms: the DELETE did not stop it", v.Stats.SolveMillis)
			}
			e.send(http.MethodDelete, "/api/v1/market-plans/"+long.ID, "u-planner", nil, http.StatusConflict, nil)
			e.send(http.MethodDelete, "/api/v1/market-plans/"+queued.ID, "u-planner", nil, http.StatusConflict, nil)
		})
	}
}

func waitMarketStatus(t *testing.T, e *marketEnv, id, status string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var v market.PlanView
		e.send(http.MethodGet, "/api/v1/market-plans/"+id, "u-planner", nil, http.StatusOK, &v)
		if v.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("plan %s still %s after 60 s, want %s (%s)", id, v.Status, status, v.Error)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
