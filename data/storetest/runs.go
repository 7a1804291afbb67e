package storetest

import (
	"testing"

	"github.com/yingjing/xunhui/data"
)

// testRuns checks the run store: one active run per (kind, period), the
// first one named on a duplicate, updates, the cancel flag kept apart from
// the worker's writes, and a final status freeing the period.
func testRuns(t *testing.T, s data.Store) {
	r := data.Run{Kind: data.RunCircuitPlan, From: "2026-11-30", To: "2026-12-04", CreatedBy: "u1"}
	must(t, s.CreateRun(ctx, &r))
	if r.ID == "" || r.Status != data.RunQueued || r.CreatedAt.IsZero() {
		t.Fatalf("created run = %+v", r)
	}
	dup := data.Run{Kind: data.RunCircuitPlan, From: "2026-11-30", To: "2026-12-04"}
	err := s.CreateRun(ctx, &dup)
	if data.ErrorKind(err) != data.Conflict || data.ErrorID(err) != r.ID {
		t.Fatalf("duplicate run: err = %v (id %q), want Conflict naming %s", err, data.ErrorID(err), r.ID)
	}
	// Another kind or another period is fine.
	other := data.Run{Kind: data.RunMarketPlan, From: "2026-11-30", To: "2026-12-04"}
	must(t, s.CreateRun(ctx, &other))
	if err := s.CreateRun(ctx, &data.Run{Kind: "nope", From: "2026-11-30", To: "2026-12-04"}); data.ErrorKind(err) != data.Invalid || data.ErrorField(err) != "kind" {
		t.Fatalf("bad kind: err = %v", err)
	}

	running, job, attempt, worker := data.RunRunning, int64(42), 1, "host:1"
	got, err := s.UpdateRun(ctx, data.RunUpdate{ID: r.ID, Status: &running, JobID: &job, Attempt: &attempt, Worker: &worker, Started: true})
	must(t, err)
	if got.Status != data.RunRunning || got.JobID != 42 || got.StartedAt == nil || got.Worker != worker {
		t.Fatalf("running run = %+v", got)
	}
	if c, err := s.RequestRunCancel(ctx, r.ID); err != nil || !c.CancelRequested {
		t.Fatalf("RequestRunCancel = %+v, %v", c, err)
	}
	prog := []data.RunPoint{{ElapsedSec: 0.5, Cost: 900, Served: 10, Iteration: 100}, {ElapsedSec: 1, Cost: 800, Served: 12, Iteration: 200}}
	got, err = s.UpdateRun(ctx, data.RunUpdate{ID: r.ID, Progress: &prog})
	must(t, err)
	if !got.CancelRequested || len(got.Progress) != 2 || got.Progress[1] != prog[1] {
		t.Fatalf("after progress: %+v (the cancel flag must survive worker writes)", got)
	}
	if n, err := s.CountRuns(ctx, data.RunCircuitPlan, data.RunRunning); err != nil || n != 1 {
		t.Fatalf("CountRuns running = %d, %v", n, err)
	}
	if act, err := s.ListRuns(ctx, data.RunFilter{Active: true}); err != nil || len(act) != 2 {
		t.Fatalf("active runs = %d, %v; want 2", len(act), err)
	}

	failed, reason := data.RunFailed, "worker lost"
	got, err = s.UpdateRun(ctx, data.RunUpdate{ID: r.ID, Status: &failed, Error: &reason, Finished: true})
	must(t, err)
	if got.Status != data.RunFailed || got.Error != reason || got.FinishedAt == nil {
		t.Fatalf("failed run = %+v", got)
	}
	// The period is free again.
	again := data.Run{Kind: data.RunCircuitPlan, From: "2026-11-30", To: "2026-12-04"}
	must(t, s.CreateRun(ctx, &again))
	if act, err := s.ListRuns(ctx, data.RunFilter{Kind: data.RunCircuitPlan, Active: true}); err != nil || len(act) != 1 || act[0].ID != again.ID {
		t.Fatalf("active circuit runs = %+v, %v", act, err)
	}
	if _, err := s.GetRun(ctx, "P-nope"); data.ErrorKind(err) != data.NotFound {
		t.Fatalf("GetRun unknown: %v", err)
	}
	if _, err := s.UpdateRun(ctx, data.RunUpdate{ID: "P-nope"}); data.ErrorKind(err) != data.NotFound {
		t.Fatalf("UpdateRun unknown: %v", err)
	}
}
