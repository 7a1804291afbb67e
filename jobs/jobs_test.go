package jobs_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// eachStore runs fn on the embedded store and on PostgreSQL.
func eachStore(t *testing.T, fn func(t *testing.T, s data.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqlitetest.New(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.NewStore(t)) })
}

var ctx = context.Background()

func waitRun(t *testing.T, s data.Store, id string, done func(data.Run) bool) data.Run {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := s.GetRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if done(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still %s after 30 s", id, r.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func final(r data.Run) bool { return !r.Status.Active() }

// A run goes queued → running (progress persisted) → done; a failing
// handler fails its run with the reason; a panic too.
func TestRunLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, s data.Store) {
		q := jobstest.Start(t, s, jobs.Config{}, nil)
		release := make(chan struct{})
		var releaseOnce sync.Once
		free := func() { releaseOnce.Do(func() { close(release) }) }
		// Before the queue's Stop (cleanups run last-in first-out): a test
		// that fails while the handler waits ends instead of hanging in Stop.
		t.Cleanup(free)
		q.Handle(data.RunCircuitPlan, func(ctx context.Context, r data.Run, report func(data.RunPoint)) error {
			report(data.RunPoint{ElapsedSec: 0.1, Cost: 100, Served: 3, Iteration: 1})
			report(data.RunPoint{ElapsedSec: 0.2, Cost: 90, Served: 4, Iteration: 2})
			<-release
			return nil
		})
		q.Handle(data.RunMarketPlan, func(ctx context.Context, r data.Run, report func(data.RunPoint)) error {
			if r.From == "2026-12-01" {
				panic("boom")
			}
			return data.FieldError("to", "no market days")
		})
		r := data.Run{Kind: data.RunCircuitPlan, From: "2026-12-07", To: "2026-12-11", CreatedBy: "u"}
		if err := q.Enqueue(ctx, &r, nil); err != nil {
			t.Fatal(err)
		}
		if r.JobID == 0 || r.Status != data.RunQueued {
			t.Fatalf("enqueued run = %+v", r)
		}
		got := waitRun(t, s, r.ID, func(r data.Run) bool { return r.Status == data.RunRunning && len(r.Progress) == 2 })
		if got.Attempt != 1 || got.StartedAt == nil || got.Progress[1].Cost != 90 {
			t.Fatalf("running run = %+v", got)
		}
		free()
		if got = waitRun(t, s, r.ID, final); got.Status != data.RunDone || got.Stopped || got.FinishedAt == nil {
			t.Fatalf("finished run = %+v", got)
		}

		bad := data.Run{Kind: data.RunMarketPlan, From: "2026-12-07", To: "2026-12-11"}
		if err := q.Enqueue(ctx, &bad, nil); err != nil {
			t.Fatal(err)
		}
		if got = waitRun(t, s, bad.ID, final); got.Status != data.RunFailed || got.Error != "to: no market days" {
			t.Fatalf("failing run = %+v", got)
		}
		boom := data.Run{Kind: data.RunMarketPlan, From: "2026-12-01", To: "2026-12-11"}
		if err := q.Enqueue(ctx, &boom, nil); err != nil {
			t.Fatal(err)
		}
		if got = waitRun(t, s, boom.ID, final); got.Status != data.RunFailed || got.Error == "" {
			t.Fatalf("panicking run = %+v", got)
		}
	})
}

// Cancel: a queued run is cancelled at once; a running one sees its flag,
// its context ends, and it finishes done with stopped_early.
func TestCancel(t *testing.T) {
	eachStore(t, func(t *testing.T, s data.Store) {
		q := jobstest.Start(t, s, jobs.Config{}, nil)
		var started atomic.Int32
		q.Handle(data.RunCircuitPlan, func(ctx context.Context, r data.Run, report func(data.RunPoint)) error {
			started.Add(1)
			<-ctx.Done() // a search stops here and keeps its best plan
			return nil
		})
		long := data.Run{Kind: data.RunCircuitPlan, From: "2026-12-07", To: "2026-12-11"}
		if err := q.Enqueue(ctx, &long, nil); err != nil {
			t.Fatal(err)
		}
		waitRun(t, s, long.ID, func(r data.Run) bool { return r.Status == data.RunRunning })
		// The one worker is busy: the next run stays queued.
		next := data.Run{Kind: data.RunCircuitPlan, From: "2026-12-14", To: "2026-12-18"}
		if err := q.Enqueue(ctx, &next, nil); err != nil {
			t.Fatal(err)
		}
		c, err := q.Cancel(ctx, next.ID)
		if err != nil || c.Status != data.RunCancelled {
			t.Fatalf("cancel queued: %+v, %v", c, err)
		}
		if _, err := q.Cancel(ctx, next.ID); data.ErrorKind(err) != data.Conflict {
			t.Fatalf("cancel a cancelled run: %v, want Conflict", err)
		}
		if _, err := q.Cancel(ctx, long.ID); err != nil {
			t.Fatal(err)
		}
		got := waitRun(t, s, long.ID, final)
		if got.Status != data.RunDone || !got.Stopped {
			t.Fatalf("cancelled running run = %+v, want done and stopped early", got)
		}
		if n := started.Load(); n != 1 {
			t.Errorf("handler started %d times, want 1 (the cancelled queued run never starts)", n)
		}
	})
}

// Backpressure: MaxQueued queued runs of a kind, then Busy; a duplicate
// period is a Conflict naming the first run.
func TestBackpressure(t *testing.T) {
	eachStore(t, func(t *testing.T, s data.Store) {
		// No workers: everything stays queued.
		q, err := jobs.Open(ctx, s, jobs.Config{MaxQueued: 2})
		if err != nil {
			t.Fatal(err)
		}
		days := []data.Date{"2026-12-07", "2026-12-14", "2026-12-21"}
		var first data.Run
		for i, d := range days[:2] {
			r := data.Run{Kind: data.RunMarketPlan, From: d, To: d.AddDays(4)}
			if err := q.Enqueue(ctx, &r, nil); err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
			if i == 0 {
				first = r
			}
		}
		r := data.Run{Kind: data.RunMarketPlan, From: days[2], To: days[2].AddDays(4)}
		if err := q.Enqueue(ctx, &r, nil); data.ErrorKind(err) != data.Busy {
			t.Fatalf("third queued run: %v, want Busy", err)
		}
		// Other kinds have their own bound.
		c := data.Run{Kind: data.RunCircuitPlan, From: days[0], To: days[0].AddDays(4)}
		if err := q.Enqueue(ctx, &c, nil); err != nil {
			t.Fatal(err)
		}
		dup := data.Run{Kind: data.RunCircuitPlan, From: days[0], To: days[0].AddDays(4)}
		if err := q.Enqueue(ctx, &dup, nil); data.ErrorKind(err) != data.Conflict || data.ErrorID(err) != c.ID {
			t.Fatalf("duplicate period: %v (id %q), want Conflict naming %s", err, data.ErrorID(err), c.ID)
		}
		// A prepare step that fails fails the run and frees the period.
		p := data.Run{Kind: data.RunCircuitReplan, From: days[1], To: days[1].AddDays(4)}
		if err := q.Enqueue(ctx, &p, func(context.Context) error { return data.FieldError("from", "bad") }); data.ErrorField(err) != "from" {
			t.Fatalf("prepare error: %v", err)
		}
		if got, _ := s.GetRun(ctx, p.ID); got.Status != data.RunFailed {
			t.Fatalf("run with failed prepare = %+v", got)
		}
		_ = first
	})
}

// Reconcile fails an active run whose job is gone or finished.
func TestReconcile(t *testing.T) {
	eachStore(t, func(t *testing.T, s data.Store) {
		q, err := jobs.Open(ctx, s, jobs.Config{})
		if err != nil {
			t.Fatal(err)
		}
		r := data.Run{Kind: data.RunCircuitPlan, From: "2026-12-07", To: "2026-12-11"}
		if err := q.Enqueue(ctx, &r, nil); err != nil {
			t.Fatal(err)
		}
		if ids, err := q.Reconcile(ctx); err != nil || len(ids) != 0 {
			t.Fatalf("reconcile of a live queued run: %v, %v", ids, err)
		}
		// Its job is cancelled behind the run's back (River UI, a bug).
		running := data.RunRunning
		if _, err := s.UpdateRun(ctx, data.RunUpdate{ID: r.ID, Status: &running}); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Cancel(ctx, r.ID); err != nil { // running: only the flag is set
			t.Fatal(err)
		}
		lost := data.Run{Kind: data.RunMarketPlan, From: "2026-12-07", To: "2026-12-11"}
		if err := s.CreateRun(ctx, &lost); err != nil {
			t.Fatal(err)
		}
		gone := int64(987654)
		if _, err := s.UpdateRun(ctx, data.RunUpdate{ID: lost.ID, JobID: &gone}); err != nil {
			t.Fatal(err)
		}
		ids, err := q.Reconcile(ctx)
		if err != nil || len(ids) != 1 || ids[0] != lost.ID {
			t.Fatalf("reconcile = %v, %v; want [%s]", ids, err, lost.ID)
		}
		if got, _ := s.GetRun(ctx, lost.ID); got.Status != data.RunFailed || got.Error == "" {
			t.Fatalf("reconciled run = %+v", got)
		}
	})
}
