package pglock

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/scheduler"
)

// waitFor polls cond until it holds; the deadline only guards against a hang
// and is not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newDB(t *testing.T) string {
	t.Helper()
	pgtest.Check(t)
	return pgtest.NewDatabase(t)
}

func newStore(t *testing.T, url string) *Store {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := NewStore(pool)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// holderQuery finds the backend holding a job lock in this test's database
// only: pg_locks is server-wide and other packages' tests share the server.
const holderQuery = `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
	AND classid::bigint = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`

func terminate(t *testing.T, url string, pid uint32) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int32(pid)).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate backend %d: %v, %v", pid, ok, err)
	}
}

func TestLockReleasedWhenSessionDies(t *testing.T) {
	url := newDB(t)
	ctx := context.Background()
	l1, err := NewLocker(url)
	if err != nil {
		t.Fatal(err)
	}
	l1.KeepAlive = 50 * time.Millisecond
	l2, _ := NewLocker(url)
	k, err := l1.TryLock(ctx, "job-a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l2.TryLock(ctx, "job-a"); !errors.Is(err, scheduler.ErrLocked) {
		t.Fatalf("second TryLock = %v, want ErrLocked", err)
	}
	other, err := l2.TryLock(ctx, "job-b")
	if err != nil {
		t.Fatalf("a different name must not be blocked: %v", err)
	}
	defer other.Unlock(ctx)

	terminate(t, url, k.(*Lock).PID()) // the holder's process "dies"
	select {
	case <-k.Lost():
	case <-time.After(20 * time.Second):
		t.Fatal("holder never noticed that its session died")
	}
	var k2 scheduler.Lock
	waitFor(t, "the lock to be free", func() bool {
		k2, err = l2.TryLock(ctx, "job-a")
		return err == nil
	})
	if err := k2.Unlock(ctx); err != nil {
		t.Errorf("unlock: %v", err)
	}
	if err := k.Unlock(ctx); err != nil {
		t.Errorf("unlock of a lost lock: %v, want nil", err)
	}
	k3, err := l1.TryLock(ctx, "job-a")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	k3.Unlock(ctx)
}

func TestClaimIsUniquePerSlot(t *testing.T) {
	url := newDB(t)
	ctx := context.Background()
	a, b := newStore(t, url), newStore(t, url)
	slot := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	ra := scheduler.Run{Job: "weekly-draft", Slot: slot, Trigger: scheduler.TriggerSchedule, Replica: "a", Started: slot}
	if err := a.Claim(ctx, &ra); err != nil {
		t.Fatal(err)
	}
	// b claims while a's run is live: b's Claim abandons it (b is presumed to
	// hold the job lock), then takes the slot.
	rb := ra
	rb.Replica = "b"
	if err := b.Claim(ctx, &rb); err != nil {
		t.Fatalf("claim over a stale run: %v", err)
	}
	ended := slot.Add(time.Minute)
	rb.Ended, rb.Outcome, rb.Output = &ended, scheduler.OK, map[string]any{"plan": "P-1"}
	if err := b.Finish(ctx, rb); err != nil {
		t.Fatal(err)
	}
	rc := ra
	rc.Replica = "c"
	if err := a.Claim(ctx, &rc); !errors.Is(err, scheduler.ErrSlotDone) {
		t.Errorf("claim of a finished slot = %v, want ErrSlotDone", err)
	}
	ra.Outcome = scheduler.OK
	if err := a.Finish(ctx, ra); err == nil {
		t.Error("finishing a run another replica took over succeeded, want an error")
	}
	runs, err := a.Runs(ctx, scheduler.RunFilter{Job: "weekly-draft"})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Replica != "b" || runs[0].Outcome != scheduler.OK || runs[0].Output["plan"] != "P-1" ||
		runs[1].Outcome != scheduler.Abandoned || !runs[1].Slot.Equal(slot) {
		t.Errorf("runs = %+v, want b ok (newest) and a abandoned", runs)
	}
}

type counter struct{ n atomic.Int32 }

func (c *counter) fn(context.Context) (scheduler.Result, error) {
	c.n.Add(1)
	return scheduler.Result{Summary: "ok"}, nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// replica builds one "xunhui serve" process: its own locker connections,
// its own pool, its own fake clock.
func replica(t *testing.T, url, name string, now time.Time, f scheduler.Func) *scheduler.Scheduler {
	t.Helper()
	st := newStore(t, url)
	return replicaOn(t, url, st, st, name, now, f)
}

// replicaOn is replica with the given run and schedule stores.
func replicaOn(t *testing.T, url string, runs scheduler.RunStore, scheds scheduler.ScheduleStore, name string, now time.Time, f scheduler.Func) *scheduler.Scheduler {
	t.Helper()
	l, err := NewLocker(url)
	if err != nil {
		t.Fatal(err)
	}
	l.KeepAlive = 50 * time.Millisecond
	s := scheduler.New(scheduler.Options{Locker: l, Runs: runs, Schedules: scheds, Replica: name, NoCatchUp: true,
		RetryInterval: time.Minute, Clock: scheduler.NewFakeClock(now), Logger: quiet})
	if err := s.Register(scheduler.Job{Name: "weekly-draft", Spec: "0 16 * * fri", Func: f}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func friday16(t *testing.T) time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 11, 27, 16, 0, 0, 0, loc)
}

func TestTwoReplicasRunOnce(t *testing.T) {
	url := newDB(t)
	ctx := context.Background()
	at := friday16(t)
	var c counter
	reps := []*scheduler.Scheduler{replica(t, url, "a", at.Add(-time.Hour), c.fn), replica(t, url, "b", at.Add(-time.Hour), c.fn)}
	for round := 0; round < 3; round++ { // the slot, then two retries a minute apart
		var wg sync.WaitGroup
		for _, s := range reps {
			wg.Add(1)
			go func() { defer wg.Done(); s.Tick(ctx, at.Add(time.Duration(round)*time.Minute)); s.Wait() }()
		}
		wg.Wait()
	}
	if got := c.n.Load(); got != 1 {
		t.Errorf("two replicas ran the 16:00 slot %d times, want 1", got)
	}
	runs, err := reps[0].Runs(ctx, scheduler.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Outcome != scheduler.OK || !runs[0].Slot.Equal(at) {
		t.Errorf("runs = %+v, want one ok run for %v", runs, at)
	}
}

func TestReplicaKilledMidRunIsTakenOver(t *testing.T) {
	url := newDB(t)
	ctx := context.Background()
	at := friday16(t)
	started := make(chan string, 4)
	releaseA := make(chan struct{})
	frozen := func(context.Context) (scheduler.Result, error) { // a process that hangs, then dies
		started <- "a"
		<-releaseA
		return scheduler.Result{Summary: "too late"}, nil
	}
	var c counter
	healthy := func(ctx context.Context) (scheduler.Result, error) {
		started <- "b"
		return c.fn(ctx)
	}
	a := replica(t, url, "a", at.Add(-time.Hour), frozen)
	b := replica(t, url, "b", at.Add(-time.Hour), healthy)
	a.Tick(ctx, at)
	if who := <-started; who != "a" {
		t.Fatalf("first run by %s, want a", who)
	}
	b.Tick(ctx, at) // lock busy: b retries later
	if c.n.Load() != 0 {
		t.Fatal("b ran while a held the lock")
	}
	// Kill a's lock session, as when its process dies.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var pid int32
	if err := conn.QueryRow(ctx, holderQuery, int64(Namespace)).Scan(&pid); err != nil {
		t.Fatalf("find the lock holder: %v", err)
	}
	terminate(t, url, uint32(pid))
	waitFor(t, "b to take over", func() bool {
		b.Tick(ctx, at.Add(time.Minute))
		b.Wait()
		return c.n.Load() == 1
	})
	close(releaseA)
	a.Wait()
	runs, err := b.Runs(ctx, scheduler.RunFilter{Job: "weekly-draft"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]scheduler.Outcome{}
	for _, r := range runs {
		got[r.Replica] = r.Outcome
		if !r.Slot.Equal(at) {
			t.Errorf("run %+v: slot %v, want %v", r, r.Slot, at)
		}
	}
	if len(runs) != 2 || got["a"] != scheduler.Abandoned || got["b"] != scheduler.OK {
		t.Errorf("runs = %+v, want a abandoned and b ok", runs)
	}
}

func TestSchedulesPersist(t *testing.T) {
	url := newDB(t)
	ctx := context.Background()
	at := friday16(t)
	var c counter
	a := replica(t, url, "a", at, c.fn)
	if _, err := a.SetSchedule(ctx, scheduler.Schedule{Job: "weekly-draft", Spec: "0 15 * * fri", TimeZone: "Asia/Shanghai", Enabled: true}, "u-admin"); err != nil {
		t.Fatal(err)
	}
	b := replica(t, url, "b", at, c.fn)
	v := b.Schedules()
	if len(v) != 1 || v[0].Spec != "0 15 * * fri" || v[0].UpdatedBy != "u-admin" || v[0].UpdatedAt == nil {
		t.Errorf("b sees %+v, want the override stored by a", v)
	}
}
