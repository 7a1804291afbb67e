package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func shanghai(t *testing.T, y int, m time.Month, d, h, min int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

// counter is a job body that counts its runs and records their order.
type counter struct {
	n atomic.Int32
}

func (c *counter) fn(context.Context) (Result, error) {
	c.n.Add(1)
	return Result{Summary: "counted", Output: map[string]any{"n": 1}}, nil
}

func newTestScheduler(t *testing.T, o Options, jobs ...Job) *Scheduler {
	t.Helper()
	o.Logger = quiet
	if o.Clock == nil {
		o.Clock = NewFakeClock(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	}
	s := New(o)
	for _, j := range jobs {
		if err := s.Register(j); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		spec, tz, field string
	}{
		{"0 16 * * fri", "", ""},
		{"0 0 16 * * 5", "Asia/Shanghai", ""},
		{"@monthly", "UTC", ""},
		{"", "", "spec"},
		{"0 16 * *", "", "spec"},
		{"61 * * * *", "", "spec"},
		{"0 0 30 2 *", "", "spec"},
		{"@every 1h", "", "spec"},
		{"TZ=UTC 0 16 * * 5", "", ""},
		{"CRON_TZ=Asia/Shanghai 0 16 * * 5", "Asia/Shanghai", ""},
		{"CRON_TZ=UTC 0 16 * * 5", "Asia/Shanghai", "time_zone"},
		{"CRON_TZ=UTC CRON_TZ=UTC 0 16 * * 5", "", "spec"},
		{"CRON_TZ=Nowhere/Atall 0 16 * * 5", "", "time_zone"},
		{"CRON_TZ=", "", "spec"},
		{"TZ= 0 16 * * 5", "", "spec"},
		{"0 16 * * 5", "Mars/Olympus", "time_zone"},
		{"0 16 * * 5", "Local", "time_zone"},
	}
	for _, tt := range tests {
		t.Run(tt.spec+"|"+tt.tz, func(t *testing.T) {
			_, err := ParseSpec(tt.spec, tt.tz)
			if tt.field == "" {
				if err != nil {
					t.Errorf("ParseSpec(%q, %q) = %v, want ok", tt.spec, tt.tz, err)
				}
				return
			}
			fe, ok := AsFieldError(err)
			if !ok || fe.Field != tt.field {
				t.Errorf("ParseSpec(%q, %q) = %v, want a FieldError on %s", tt.spec, tt.tz, err, tt.field)
			}
		})
	}
}

func TestPrevSlot(t *testing.T) {
	sched, err := ParseSpec("0 16 * * fri", "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now, want time.Time
	}{
		{shanghai(t, 2026, 11, 28, 9, 0), shanghai(t, 2026, 11, 27, 16, 0)},
		{shanghai(t, 2026, 11, 27, 16, 0), shanghai(t, 2026, 11, 27, 16, 0)},
		{shanghai(t, 2026, 11, 27, 15, 59), shanghai(t, 2026, 11, 20, 16, 0)},
	}
	for _, tt := range tests {
		got, ok := prevSlot(sched, tt.now)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("prevSlot(%v) = %v, %v; want %v", tt.now, got, ok, tt.want)
		}
	}
}

func TestTickRunsEachSlotOnce(t *testing.T) {
	ctx := context.Background()
	var c counter
	runs := &MemRuns{}
	clock := NewFakeClock(shanghai(t, 2026, 11, 26, 12, 0)) // a Thursday
	s := newTestScheduler(t, Options{Runs: runs, Clock: clock, NoCatchUp: true},
		Job{Name: "weekly-draft", Spec: "0 16 * * fri", Func: c.fn})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at   time.Time
		want int32
	}{
		{shanghai(t, 2026, 11, 27, 15, 59), 0},
		{shanghai(t, 2026, 11, 27, 16, 0), 1},
		{shanghai(t, 2026, 11, 27, 16, 0), 1},
		{shanghai(t, 2026, 11, 27, 17, 0), 1},
		{shanghai(t, 2026, 12, 4, 16, 0), 2},
	}
	for i, st := range steps {
		clock.Set(st.at)
		s.Tick(ctx, st.at)
		s.Wait()
		if got := c.n.Load(); got != st.want {
			t.Fatalf("step %d at %v: %d runs, want %d", i, st.at, got, st.want)
		}
	}
	got, err := s.Runs(ctx, RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Outcome != OK || !got[1].Slot.Equal(shanghai(t, 2026, 11, 27, 16, 0)) || got[1].Trigger != TriggerSchedule {
		t.Errorf("runs = %+v, want two ok runs, the first for 2026-11-27 16:00 +08", got)
	}
	if got[0].Summary != "counted" || got[0].Ended == nil {
		t.Errorf("newest run = %+v, want summary and end recorded", got[0])
	}
}

func TestMissedSlotsCollapse(t *testing.T) {
	ctx := context.Background()
	var c counter
	runs := &MemRuns{}
	clock := NewFakeClock(shanghai(t, 2026, 11, 27, 8, 30))
	s := newTestScheduler(t, Options{Runs: runs, Clock: clock, NoCatchUp: true},
		Job{Name: "escalate", Spec: "0 * * * *", Func: c.fn})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// The process was stalled for five hours: one run, for the latest slot.
	at := shanghai(t, 2026, 11, 27, 13, 30)
	s.Tick(ctx, at)
	s.Wait()
	got, _ := s.Runs(ctx, RunFilter{})
	if len(got) != 1 || !got[0].Slot.Equal(shanghai(t, 2026, 11, 27, 13, 0)) {
		t.Errorf("runs = %+v, want one run for 13:00", got)
	}
}

func TestCatchUpOnce(t *testing.T) {
	ctx := context.Background()
	runs := &MemRuns{}
	job := func(c *counter) Job { return Job{Name: "weekly-draft", Spec: "0 16 * * fri", Func: c.fn} }

	// Up on Friday 27 Nov at 16:00: runs normally.
	var c1 counter
	clock := NewFakeClock(shanghai(t, 2026, 11, 27, 15, 0))
	s1 := newTestScheduler(t, Options{Runs: runs, Clock: clock}, job(&c1))
	if err := s1.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s1.Tick(ctx, clock.Now()) // first start ever: nothing was missed, no catch-up
	s1.Wait()
	s1.Tick(ctx, shanghai(t, 2026, 11, 27, 16, 0))
	s1.Wait()
	if got := c1.n.Load(); got != 1 {
		t.Fatalf("first process ran %d times, want 1 (27 Nov only: a fresh install catches nothing up)", got)
	}

	// Down from Thursday 3 Dec to Monday 14 Dec: two Fridays missed, one catch-up.
	var c2 counter
	clock2 := NewFakeClock(shanghai(t, 2026, 12, 14, 9, 0))
	s2 := newTestScheduler(t, Options{Runs: runs, Clock: clock2}, job(&c2))
	if err := s2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s2.Tick(ctx, clock2.Now())
	s2.Wait()
	s2.Tick(ctx, shanghai(t, 2026, 12, 14, 10, 0))
	s2.Wait()
	if got := c2.n.Load(); got != 1 {
		t.Fatalf("restarted process ran %d times, want 1", got)
	}
	rs, _ := runs.Runs(ctx, RunFilter{Job: "weekly-draft"})
	if rs[0].Trigger != TriggerCatchUp || !rs[0].Slot.Equal(shanghai(t, 2026, 12, 11, 16, 0)) {
		t.Errorf("catch-up run = %+v, want slot 2026-12-11 16:00 +08, trigger catch_up", rs[0])
	}

	// A third start the same day finds the slot done: nothing runs.
	var c3 counter
	s3 := newTestScheduler(t, Options{Runs: runs, Clock: NewFakeClock(shanghai(t, 2026, 12, 14, 11, 0))}, job(&c3))
	if err := s3.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s3.Tick(ctx, shanghai(t, 2026, 12, 14, 11, 0))
	s3.Wait()
	if got := c3.n.Load(); got != 0 {
		t.Errorf("third start ran %d times, want 0", got)
	}
}

// blocker is a job body that blocks until released or cancelled.
type blocker struct {
	started chan struct{}
	release chan struct{}
	n       atomic.Int32
	ignore  bool // ignore ctx, like a process that is frozen
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 10), release: make(chan struct{})}
}

func (b *blocker) fn(ctx context.Context) (Result, error) {
	b.n.Add(1)
	b.started <- struct{}{}
	if b.ignore {
		<-b.release
		return Result{Summary: "late"}, nil
	}
	select {
	case <-b.release:
		return Result{Summary: "released"}, nil
	case <-ctx.Done():
		return Result{Summary: "best so far"}, ctx.Err()
	}
}

func TestRunningJobNotStartedAgain(t *testing.T) {
	ctx := context.Background()
	b := newBlocker()
	clock := NewFakeClock(shanghai(t, 2026, 11, 27, 8, 30))
	s := newTestScheduler(t, Options{Clock: clock, NoCatchUp: true}, Job{Name: "escalate", Spec: "0 * * * *", Func: b.fn})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s.Tick(ctx, shanghai(t, 2026, 11, 27, 9, 0))
	<-b.started
	s.Tick(ctx, shanghai(t, 2026, 11, 27, 10, 0)) // still running: 10:00 waits
	s.Tick(ctx, shanghai(t, 2026, 11, 27, 11, 0)) // 11:00 replaces 10:00
	if got := b.n.Load(); got != 1 {
		t.Fatalf("%d runs while the first is still running, want 1", got)
	}
	close(b.release)
	s.Wait()
	s.Tick(ctx, shanghai(t, 2026, 11, 27, 11, 5)) // the waiting slot runs now
	s.Wait()
	s.Tick(ctx, shanghai(t, 2026, 11, 27, 11, 6))
	s.Wait()
	rs, _ := s.Runs(ctx, RunFilter{})
	if len(rs) != 2 || !rs[0].Slot.Equal(shanghai(t, 2026, 11, 27, 11, 0)) {
		t.Errorf("runs = %+v, want 09:00 then 11:00", rs)
	}
}

func TestReplicasShareLockAndRuns(t *testing.T) {
	ctx := context.Background()
	var c counter
	locker, runs := &LocalLocker{}, &MemRuns{}
	var reps []*Scheduler
	for _, name := range []string{"a", "b", "c"} {
		s := newTestScheduler(t, Options{Locker: locker, Runs: runs, Replica: name, NoCatchUp: true,
			Clock: NewFakeClock(shanghai(t, 2026, 11, 27, 15, 0))},
			Job{Name: "weekly-draft", Spec: "0 16 * * fri", Func: c.fn})
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, s)
	}
	at := shanghai(t, 2026, 11, 27, 16, 0)
	var wg sync.WaitGroup
	for _, s := range reps {
		wg.Add(1)
		go func() { defer wg.Done(); s.Tick(ctx, at); s.Wait() }()
	}
	wg.Wait()
	for _, s := range reps { // retries after the lock was busy find the slot done
		s.Tick(ctx, at.Add(time.Hour))
		s.Wait()
	}
	if got := c.n.Load(); got != 1 {
		t.Errorf("three replicas ran the slot %d times, want 1", got)
	}
}

// lossyLocker wraps LocalLocker and lets a test break the held lock.
type lossyLocker struct {
	LocalLocker
	mu   sync.Mutex
	last *lossyLock
}

type lossyLock struct {
	Lock
	lost chan struct{}
}

func (l *lossyLock) Lost() <-chan struct{} { return l.lost }

func (l *lossyLocker) TryLock(ctx context.Context, name string) (Lock, error) {
	k, err := l.LocalLocker.TryLock(ctx, name)
	if err != nil {
		return nil, err
	}
	ll := &lossyLock{Lock: k, lost: make(chan struct{})}
	l.mu.Lock()
	l.last = ll
	l.mu.Unlock()
	return ll, nil
}

// breakLast simulates the session of the last holder dropping: the lock is
// free for others and the holder is told.
func (l *lossyLocker) breakLast() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.last.Lock.Unlock(context.Background())
	close(l.last.lost)
}

func TestLostLockLetsAnotherReplicaTakeOver(t *testing.T) {
	ctx := context.Background()
	locker, runs := &lossyLocker{}, &MemRuns{}
	at := shanghai(t, 2026, 11, 27, 16, 0)
	mk := func(name string, b *blocker) *Scheduler {
		s := newTestScheduler(t, Options{Locker: locker, Runs: runs, Replica: name, NoCatchUp: true,
			RetryInterval: time.Minute, Clock: NewFakeClock(at.Add(-time.Hour))},
			Job{Name: "weekly-draft", Spec: "0 16 * * fri", Func: b.fn})
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	ba, bb := newBlocker(), newBlocker()
	ba.ignore = true // frozen: it will not even notice the cancellation
	a, b := mk("a", ba), mk("b", bb)
	a.Tick(ctx, at)
	<-ba.started
	b.Tick(ctx, at) // busy: b will retry in a minute
	if bb.n.Load() != 0 {
		t.Fatal("b ran while a held the lock")
	}
	locker.breakLast() // a's database session dies mid-run
	b.Tick(ctx, at.Add(time.Minute))
	<-bb.started
	close(bb.release)
	b.Wait()
	close(ba.release)
	a.Wait()
	rs, _ := runs.Runs(ctx, RunFilter{})
	outcomes := map[string]Outcome{}
	for _, r := range rs {
		if !r.Slot.Equal(at) {
			t.Errorf("run %+v has slot %v, want %v", r, r.Slot, at)
		}
		outcomes[r.Replica] = r.Outcome
	}
	if outcomes["a"] != Abandoned || outcomes["b"] != OK || len(rs) != 2 {
		t.Errorf("runs = %+v, want a abandoned and b ok", rs)
	}
}

func TestRunLoopAndShutdown(t *testing.T) {
	b := newBlocker()
	clock := NewFakeClock(shanghai(t, 2026, 11, 27, 15, 0))
	s := newTestScheduler(t, Options{Clock: clock, NoCatchUp: true, ShutdownGrace: time.Minute, ReloadInterval: 24 * time.Hour},
		Job{Name: "weekly-draft", Spec: "0 16 * * fri", Func: b.fn})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	clock.WaitTimer(shanghai(t, 2026, 11, 27, 16, 0)) // asleep until 16:00
	clock.Set(shanghai(t, 2026, 11, 27, 16, 0))
	<-b.started
	cancel() // SIGTERM: no new runs; the running one gets ShutdownGrace
	clock.WaitTimer(shanghai(t, 2026, 11, 27, 16, 1))
	clock.Advance(time.Minute) // grace over: the job is cancelled and saves its best
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	rs, _ := s.Runs(context.Background(), RunFilter{})
	if len(rs) != 1 || rs[0].Outcome != Failed || rs[0].Summary != "best so far" {
		t.Errorf("runs = %+v, want one cancelled run with its best result", rs)
	}
	// After shutdown, ticks start nothing.
	s.Tick(context.Background(), shanghai(t, 2026, 12, 4, 16, 0))
	s.Wait()
	if got := b.n.Load(); got != 1 {
		t.Errorf("%d runs after shutdown, want 1", got)
	}
}

func TestSetSchedule(t *testing.T) {
	ctx := context.Background()
	store := &MemSchedules{}
	var c counter
	clock := NewFakeClock(shanghai(t, 2026, 11, 27, 12, 0))
	s := newTestScheduler(t, Options{Clock: clock, Schedules: store, NoCatchUp: true},
		Job{Name: "daily-replan", Spec: "30 6 * * *", Func: c.fn})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		in    Schedule
		field string
	}{
		{Schedule{Job: "daily-replan", Spec: "30 25 * * *", Enabled: true}, "spec"},
		{Schedule{Job: "daily-replan", Spec: "30 6 * * *", TimeZone: "Asia/Beijing", Enabled: true}, "time_zone"},
	}
	for _, tt := range bad {
		_, err := s.SetSchedule(ctx, tt.in, "admin")
		if fe, ok := AsFieldError(err); !ok || fe.Field != tt.field {
			t.Errorf("SetSchedule(%+v) = %v, want FieldError on %s", tt.in, err, tt.field)
		}
	}
	if _, err := s.SetSchedule(ctx, Schedule{Job: "nope", Spec: "@daily"}, "admin"); !errors.Is(err, ErrUnknownJob) {
		t.Errorf("unknown job: %v, want ErrUnknownJob", err)
	}
	got, err := s.SetSchedule(ctx, Schedule{Job: "daily-replan", Spec: "0 13 * * *", Enabled: true}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if got.TimeZone != DefaultTimeZone || got.Next == nil || !got.Next.Equal(shanghai(t, 2026, 11, 27, 13, 0)) {
		t.Errorf("SetSchedule = %+v, want next 13:00 today in Shanghai", got)
	}
	s.Tick(ctx, shanghai(t, 2026, 11, 27, 13, 0))
	s.Wait()
	if c.n.Load() != 1 {
		t.Errorf("new schedule did not run at 13:00")
	}
	// A second replica picks the stored override up on start.
	s2 := newTestScheduler(t, Options{Clock: clock, Schedules: store}, Job{Name: "daily-replan", Spec: "30 6 * * *", Func: c.fn})
	if err := s2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if v := s2.Schedules(); len(v) != 1 || v[0].Spec != "0 13 * * *" || v[0].UpdatedBy != "admin" {
		t.Errorf("second replica schedules = %+v, want the stored override", v)
	}
}

// TestRunLoopPicksUpOverridesFromOtherReplicas: a PUT on one replica reaches
// a replica that is running, within ReloadInterval, and its job then fires
// on the new schedule.
func TestRunLoopPicksUpOverridesFromOtherReplicas(t *testing.T) {
	store := &MemSchedules{}
	var c counter
	job := func() Job { return Job{Name: "daily-replan", Spec: "0 16 * * fri", Func: c.fn} }
	clock := NewFakeClock(shanghai(t, 2026, 11, 25, 12, 0)) // a Wednesday
	running := newTestScheduler(t, Options{Clock: clock, Schedules: store, NoCatchUp: true, ReloadInterval: 3 * time.Minute}, job())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- running.Run(ctx) }()
	clock.WaitTimer(shanghai(t, 2026, 11, 25, 12, 3)) // asleep until the first reload

	other := newTestScheduler(t, Options{Clock: clock, Schedules: store, NoCatchUp: true}, job())
	if _, err := other.SetSchedule(context.Background(), Schedule{Job: "daily-replan", Spec: "5 12 * * *", Enabled: true}, "admin"); err != nil {
		t.Fatal(err)
	}
	clock.Set(shanghai(t, 2026, 11, 25, 12, 3))
	clock.WaitTimer(shanghai(t, 2026, 11, 25, 12, 5)) // reloaded: now asleep until the new slot
	clock.Set(shanghai(t, 2026, 11, 25, 12, 5))
	clock.WaitTimer(shanghai(t, 2026, 11, 25, 12, 6)) // the slot was ticked
	running.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := c.n.Load(); got != 1 {
		t.Errorf("%d runs, want 1 at 12:05 on the overridden schedule", got)
	}
}
