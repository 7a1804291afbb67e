package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/optimizer/circuit"
	"github.com/yingjing/xunhui/optimizer/market"
)

// TestQueueBackpressure: with at most two queued runs per kind (and no
// worker, so they stay queued) a third plan answers 429 queue_full with
// Retry-After; a plan of the same period as one in flight answers 409
// whose error.id names the first; a DELETE of a queued plan cancels it
// and frees its period.
func TestQueueBackpressure(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			store := sf.open(t)
			q, err := jobs.Open(context.Background(), store, jobs.Config{MaxQueued: 2, RetryAfter: 45 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			e := newTestEnvWith(t, store, func(s *Server) {
				s.cfg.QueueRetryAfter = q.RetryAfter()
				s.SetCircuit(circuit.NewService(store, circuit.Config{Queue: q}))
				s.SetMarket(market.NewService(store, market.Config{Queue: q}))
			})
			mon := data.Date("2027-01-04")
			for _, tc := range []struct {
				path string
				body func(i int) map[string]string
			}{
				{"/api/v1/circuit-plans", func(i int) map[string]string {
					d := mon.AddDays(7 * i)
					return map[string]string{"from": string(d), "to": string(d.AddDays(4))}
				}},
				{"/api/v1/market-plans", func(i int) map[string]string {
					d := mon.AddDays(30 * i)
					return map[string]string{"from": string(d), "to": string(d.AddDays(27))}
				}},
			} {
				var first struct {
					ID string `json:"id"`
				}
				for i := 0; i < 2; i++ {
					code, _, b := e.do(http.MethodPost, tc.path, "u-planner", tc.body(i))
					if code != http.StatusAccepted {
						t.Fatalf("POST %s #%d: %d %s", tc.path, i, code, b)
					}
					if i == 0 {
						if err := json.Unmarshal(b, &first); err != nil {
							t.Fatal(err)
						}
					}
				}
				// Same period as the first: 409 naming it.
				code, _, b := e.do(http.MethodPost, tc.path, "u-planner", tc.body(0))
				if d := errBody(t, b); code != http.StatusConflict || d.Code != codeConflict || d.ID != first.ID {
					t.Errorf("POST %s duplicate: %d %s, want 409 conflict with id %s", tc.path, code, b, first.ID)
				}
				// A third queued run: 429 with Retry-After.
				code, hdr, b := e.do(http.MethodPost, tc.path, "u-planner", tc.body(2))
				if d := errBody(t, b); code != http.StatusTooManyRequests || d.Code != codeQueueFull || hdr.Get("Retry-After") != "45" {
					t.Errorf("POST %s over the bound: %d Retry-After %q %s, want 429 queue_full, Retry-After 45", tc.path, code, hdr.Get("Retry-After"), b)
				}
			}
			// Cancel a queued circuit plan: cancelled, and there is room again.
			var v circuit.View
			runs, err := store.ListRuns(context.Background(), data.RunFilter{Kind: data.RunCircuitPlan, Active: true})
			if err != nil || len(runs) != 2 {
				t.Fatalf("active circuit runs: %d, %v", len(runs), err)
			}
			if code, _, b := e.do(http.MethodDelete, "/api/v1/circuit-plans/"+runs[0].ID, "u-planner", nil); code != http.StatusAccepted {
				t.Fatalf("DELETE queued plan: %d %s", code, b)
			}
			e.getJSON("/api/v1/circuit-plans/"+runs[0].ID, "u-planner", http.StatusOK, &v)
			if v.Status != circuit.Cancelled {
				t.Errorf("cancelled queued plan: status %s", v.Status)
			}
			d := mon.AddDays(14)
			if code, _, b := e.do(http.MethodPost, "/api/v1/circuit-plans", "u-planner", map[string]string{"from": string(d), "to": string(d.AddDays(4))}); code != http.StatusAccepted {
				t.Errorf("POST after a cancel: %d %s", code, b)
			}
		})
	}
}
