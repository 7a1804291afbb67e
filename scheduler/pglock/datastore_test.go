package pglock

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yingjing/xunhui/data/postgres"
	"github.com/yingjing/xunhui/scheduler"
)

// openData opens the data store (as xunhui serve does) on url, migrated.
func openData(t *testing.T, url string) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestServeSetupOnPostgres is the production arrangement: runs in the data
// store's job_runs (scheduler.DataStore), locks from pglock. Two replicas run
// a slot once; then one is killed mid-run and the other takes over.
func TestServeSetupOnPostgres(t *testing.T) {
	url := newDB(t)
	ctx := context.Background()
	at := friday16(t)
	dsA, dsB := scheduler.DataStore{S: openData(t, url)}, scheduler.DataStore{S: openData(t, url)}

	var c counter
	started := make(chan string, 8)
	releaseA := make(chan struct{})
	var mu sync.Mutex
	frozenAfterFirst := false
	bodyA := func(ctx context.Context) (scheduler.Result, error) {
		mu.Lock()
		freeze := frozenAfterFirst
		mu.Unlock()
		started <- "a"
		if freeze {
			<-releaseA
			return scheduler.Result{}, nil
		}
		return c.fn(ctx)
	}
	bodyB := func(ctx context.Context) (scheduler.Result, error) { started <- "b"; return c.fn(ctx) }
	a := replicaOn(t, url, dsA, dsA, "a", at.Add(-time.Hour), bodyA)
	b := replicaOn(t, url, dsB, dsB, "b", at.Add(-time.Hour), bodyB)

	// 1. Both wake for Friday 16:00: one run.
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		for _, s := range []*scheduler.Scheduler{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); s.Tick(ctx, at.Add(time.Duration(round)*time.Minute)); s.Wait() }()
		}
		wg.Wait()
	}
	if got := c.n.Load(); got != 1 {
		t.Fatalf("two replicas ran the slot %d times, want 1", got)
	}
	for len(started) > 0 {
		<-started
	}

	// 2. Next Friday a takes the slot and its process dies mid-run.
	mu.Lock()
	frozenAfterFirst = true
	mu.Unlock()
	next := at.AddDate(0, 0, 7)
	a.Tick(ctx, next)
	if who := <-started; who != "a" {
		t.Fatalf("run by %s, want a", who)
	}
	b.Tick(ctx, next)
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
		b.Tick(ctx, next.Add(time.Minute))
		b.Wait()
		return c.n.Load() == 2
	})
	close(releaseA)
	a.Wait()

	runs, err := b.ListRuns(ctx, "weekly-draft", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 {
		t.Fatalf("runs = %+v, want 3", runs)
	}
	// The fake clocks never moved, so all runs share a start time: compare as a set.
	type key struct {
		replica string
		slot    time.Time
		outcome scheduler.Outcome
	}
	got := map[key]bool{}
	for _, r := range runs {
		got[key{r.Replica, r.Slot, r.Outcome}] = true
	}
	for _, want := range []key{{"b", next.UTC(), scheduler.OK}, {"a", next.UTC(), scheduler.Abandoned}} {
		if !got[want] {
			t.Errorf("runs = %+v, missing %+v", runs, want)
		}
	}
	okFirst := got[key{"a", at.UTC(), scheduler.OK}] || got[key{"b", at.UTC(), scheduler.OK}]
	if !okFirst {
		t.Errorf("runs = %+v, want one ok run for %v", runs, at)
	}
}
