// Package jobstest starts a real job queue (River on the test store's own
// database) for tests of the planners and the API.
package jobstest

import (
	"context"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/jobs"
)

// Start opens a queue on store with cfg (Workers default 1, PollInterval
// default 100 ms), lets register install the handlers, starts it and stops
// it when the test ends.
func Start(t testing.TB, store data.Store, cfg jobs.Config, register func(q *jobs.Queue)) *jobs.Queue {
	t.Helper()
	if cfg.Workers == 0 {
		cfg.Workers = 1
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 100 * time.Millisecond
	}
	q, err := jobs.Open(context.Background(), store, cfg)
	if err != nil {
		t.Fatalf("job queue: %v", err)
	}
	if register != nil {
		register(q)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatalf("job queue: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop job queue: %v", err)
		}
	})
	return q
}

// Planner is a planner service that runs queued runs.
type Planner interface {
	Execute(ctx context.Context, r data.Run, report func(data.RunPoint)) error
}

// Handle returns a register function installing p for kinds.
func Handle(p Planner, kinds ...data.RunKind) func(q *jobs.Queue) {
	return func(q *jobs.Queue) {
		for _, k := range kinds {
			q.Handle(k, p.Execute)
		}
	}
}
