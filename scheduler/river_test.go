package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
)

// eachStore runs fn on the embedded store and on PostgreSQL.
func eachStore(t *testing.T, fn func(t *testing.T, s data.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqlitetest.New(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.NewStore(t)) })
}

// TestSlotsFireOnceAcrossQueues runs three schedulers, each on its own
// River client (as three processes would) on one database, with a job due
// every second: every slot that fired has exactly one run, ok, and the
// bodies ran once per run in total. Then a PUT-like SetSchedule on one of
// them disables the job, and the others stop firing it within their
// reload interval.
func TestSlotsFireOnceAcrossQueues(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's leader election and several slots")
	}
	eachStore(t, func(t *testing.T, store data.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var bodies atomic.Int32
		var scheds []*Scheduler
		for i := range 3 {
			q := jobstest.Start(t, store, jobs.Config{Name: fmt.Sprintf("replica-%d", i)}, nil)
			ds := DataStore{S: store}
			s := New(Options{Queue: q, Runs: ds, Schedules: ds, Replica: fmt.Sprintf("replica-%d", i), ReloadInterval: 200 * time.Millisecond, Logger: quiet})
			if err := s.Register(Job{Name: "tick", Spec: "* * * * * *", TimeZone: "UTC", Func: func(context.Context) (Result, error) {
				bodies.Add(1)
				return Result{Summary: "ticked"}, nil
			}}); err != nil {
				t.Fatal(err)
			}
			go func() { _ = s.Run(ctx) }()
			scheds = append(scheds, s)
		}
		runs := waitRuns(t, scheds[0], "tick", 4, 60*time.Second)
		if _, err := scheds[1].SetSchedule(ctx, Schedule{Job: "tick", Spec: "* * * * * *", TimeZone: "UTC", Enabled: false}, "test"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second) // reload (200 ms) + a firing already inserted
		runs = waitSettled(t, scheds[0], "tick")
		seen := map[time.Time]bool{}
		replicas := map[string]bool{}
		for _, r := range runs {
			if seen[r.Slot] {
				t.Errorf("slot %s has more than one run", r.Slot)
			}
			seen[r.Slot] = true
			replicas[r.Replica] = true
			if r.Outcome != OK || r.Trigger != TriggerSchedule || r.Summary != "ticked" || r.Slot.Nanosecond() != 0 {
				t.Errorf("run %+v: want ok, trigger schedule, summary ticked, a whole-second slot", r)
			}
		}
		if int(bodies.Load()) != len(runs) {
			t.Errorf("bodies ran %d times for %d runs", bodies.Load(), len(runs))
		}
		t.Logf("%d slots, each run once, by %d replica(s)", len(runs), len(replicas))
		// Disabled on every scheduler: no slot fires any more.
		time.Sleep(2 * time.Second)
		if after := waitSettled(t, scheds[0], "tick"); len(after) != len(runs) {
			t.Errorf("%d runs after the job was disabled, want none", len(after)-len(runs))
		}
	})
}

// waitRuns waits until job has at least n finished runs.
func waitRuns(t *testing.T, s *Scheduler, job string, n int, within time.Duration) []Run {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		runs, err := s.Runs(context.Background(), RunFilter{Job: job, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, r := range runs {
			if r.Outcome != Running {
				done++
			}
		}
		if done >= n {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d finished runs of %s after %s, want %d", done, job, within, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSettled waits until no run of job is running and returns them all.
func waitSettled(t *testing.T, s *Scheduler, job string) []Run {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		runs, err := s.Runs(context.Background(), RunFilter{Job: job, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		busy := false
		for _, r := range runs {
			busy = busy || r.Outcome == Running
		}
		if !busy {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("runs of %s still running after 30 s", job)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRunNowAndEscalation: the standard scheduler on a store fires the
// escalation on demand (trigger manual) through River, and records it.
func TestRunNowAndEscalation(t *testing.T) {
	eachStore(t, func(t *testing.T, store data.Store) {
		ctx := context.Background()
		q := jobstest.Start(t, store, jobs.Config{}, nil)
		s, err := NewStandard(store, StandardFuncs{}, Options{Queue: q, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		enabled := map[string]bool{}
		for _, v := range s.Schedules() {
			enabled[v.Job] = v.Enabled
		}
		want := map[string]bool{JobWeeklyDraft: false, JobDailyReplan: false, JobMarketRoll: false, JobEscalation: true}
		for j, e := range want {
			if got, ok := enabled[j]; !ok || got != e {
				t.Errorf("job %s enabled = %v (present %v), want %v", j, got, ok, e)
			}
		}
		if err := s.RunNow(ctx, "nightly"); !errors.Is(err, ErrUnknownJob) {
			t.Errorf("RunNow(nightly) = %v, want ErrUnknownJob", err)
		}
		if err := s.RunNow(ctx, JobEscalation); err != nil {
			t.Fatal(err)
		}
		// River's unique insert: one firing per (job, slot), whatever the trigger.
		slot := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		for i, want := range []bool{true, false} {
			got, err := q.EnqueueRecurring(ctx, jobs.RecurringArgs{Job: "no-such-job", Slot: slot, Trigger: []string{"schedule", "catch_up"}[i]})
			if err != nil || got != want {
				t.Errorf("firing %d of one slot: inserted %v, %v; want %v", i+1, got, err, want)
			}
		}
		runs := waitRuns(t, s, JobEscalation, 1, 30*time.Second)
		if len(runs) != 1 || runs[0].Outcome != OK || runs[0].Trigger != TriggerManual || runs[0].Summary == "" {
			t.Errorf("runs = %+v; want one ok manual escalation run", runs)
		}
		// A job not wired to a planner fails with the reason, not retried.
		if err := s.RunNow(ctx, JobWeeklyDraft); err != nil {
			t.Fatal(err)
		}
		runs = waitRuns(t, s, JobWeeklyDraft, 1, 30*time.Second)
		if len(runs) != 1 || runs[0].Outcome != Failed || runs[0].Error != ErrNotWired.Error() {
			t.Errorf("runs = %+v; want one failed run naming %q", runs, ErrNotWired)
		}
	})
}

// TestBeginAbandonsEarlierAttempt: River retries a slot whose worker died;
// the retry's Begin marks the earlier record abandoned, and a slot with a
// finished run is not run again.
func TestBeginAbandonsEarlierAttempt(t *testing.T) {
	eachStore(t, func(t *testing.T, store data.Store) {
		ctx := context.Background()
		ds := DataStore{S: store}
		slot := shanghai(t, 2026, 11, 27, 16, 0).UTC()
		first := Run{Job: JobWeeklyDraft, Slot: slot, Trigger: TriggerSchedule, Replica: "died", Started: slot}
		if err := ds.Begin(ctx, &first); err != nil {
			t.Fatal(err)
		}
		retry := Run{Job: JobWeeklyDraft, Slot: slot, Trigger: TriggerSchedule, Replica: "new", Started: slot.Add(2 * time.Minute)}
		if err := ds.Begin(ctx, &retry); err != nil {
			t.Fatal(err)
		}
		end := slot.Add(3 * time.Minute)
		retry.Ended, retry.Outcome, retry.Summary = &end, OK, "drafted"
		if err := ds.Finish(ctx, retry); err != nil {
			t.Fatal(err)
		}
		again := Run{Job: JobWeeklyDraft, Slot: slot, Trigger: TriggerCatchUp, Replica: "late", Started: end}
		if err := ds.Begin(ctx, &again); !errors.Is(err, ErrSlotDone) {
			t.Fatalf("Begin of a finished slot = %v, want ErrSlotDone", err)
		}
		runs, err := ds.Runs(ctx, RunFilter{Job: JobWeeklyDraft})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].ID != retry.ID || runs[0].Outcome != OK || runs[0].Replica != "new" ||
			runs[1].ID != first.ID || runs[1].Outcome != Abandoned || runs[1].Error == "" {
			t.Errorf("runs = %+v; want the retry ok and the first abandoned with a reason", runs)
		}
	})
}

// TestMissedSlot: a process that becomes leader catches up the latest
// slot of a job that has run before, unless that slot ran or the schedule
// changed after it.
func TestMissedSlot(t *testing.T) {
	ctx := context.Background()
	store := sqlitetest.New(t)
	ds := DataStore{S: store}
	now := shanghai(t, 2026, 12, 4, 18, 0) // a Friday, after 16:00
	slot := shanghai(t, 2026, 12, 4, 16, 0).UTC()
	s := newTestScheduler(t, Options{Runs: ds, Schedules: ds, Clock: FixedClock{now}},
		Job{Name: JobWeeklyDraft, Spec: "0 16 * * fri", Func: (&counter{}).fn})
	check := func(what string, want bool) {
		t.Helper()
		got, ok, err := s.missedSlot(ctx, JobWeeklyDraft, now)
		if err != nil {
			t.Fatal(err)
		}
		if ok != want || (ok && !got.Equal(slot)) {
			t.Errorf("%s: missed slot %v %v, want %v (%v)", what, got, ok, want, slot)
		}
	}
	check("never ran", false)
	last := Run{Job: JobWeeklyDraft, Slot: slot.AddDate(0, 0, -14), Trigger: TriggerSchedule, Replica: "r", Started: slot.AddDate(0, 0, -14)}
	if err := ds.Begin(ctx, &last); err != nil {
		t.Fatal(err)
	}
	check("ran two weeks ago", true)
	changed := slot.Add(time.Hour)
	s.jobs[JobWeeklyDraft].updatedAt = &changed
	check("schedule changed after the slot", false)
	s.jobs[JobWeeklyDraft].updatedAt = nil
	done := Run{Job: JobWeeklyDraft, Slot: slot, Trigger: TriggerSchedule, Replica: "r", Started: slot}
	if err := ds.Begin(ctx, &done); err != nil {
		t.Fatal(err)
	}
	check("the slot ran", false)
}
