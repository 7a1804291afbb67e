package jobs_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/jobs"
)

// BenchmarkQueue measures the queue's own overhead with trivial runs (the
// handler returns at once), 2 workers. Latency: 20 runs one at a time on an
// idle queue, each enqueued (run row + River job) and waited for; the
// enqueue → start time is the run's started_at minus created_at (median
// and worst). Throughput: b.N runs enqueued in a burst, from the first
// enqueue to the last finish. `make bench-queue` runs it on both stores at
// the serve default poll interval (1 s) and at 100 ms.
func BenchmarkQueue(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) data.Store
	}{
		{"sqlite", func(b *testing.B) data.Store { return sqlitetest.New(b) }},
		{"postgres", func(b *testing.B) data.Store { return pgtest.NewStore(b) }},
	}
	for _, st := range stores {
		for _, poll := range []time.Duration{time.Second, 100 * time.Millisecond} {
			b.Run(fmt.Sprintf("%s/poll=%s", st.name, poll), func(b *testing.B) {
				benchQueue(b, st.open(b), poll)
			})
		}
	}
}

func benchQueue(b *testing.B, s data.Store, poll time.Duration) {
	ctx := context.Background()
	q, err := jobs.Open(ctx, s, jobs.Config{Workers: 2, PollInterval: poll, MaxQueued: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	q.Handle(data.RunMarketPlan, func(context.Context, data.Run, func(data.RunPoint)) error { return nil })
	if err := q.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = q.Stop(ctx) }()
	var lat []time.Duration
	for i := range 20 {
		d := data.Date("2030-01-01").AddDays(i)
		r := data.Run{Kind: data.RunMarketPlan, From: d, To: d}
		if err := q.Enqueue(ctx, &r, nil); err != nil {
			b.Fatal(err)
		}
		done := waitDone(b, s, r.ID)
		lat = append(lat, done.StartedAt.Sub(done.CreatedAt))
	}
	b.ResetTimer()
	t0 := time.Now()
	ids := make([]string, b.N)
	for i := range b.N {
		d := data.Date("2027-01-01").AddDays(i % 3000)
		r := data.Run{Kind: data.RunMarketPlan, From: d, To: d.AddDays(i / 3000)}
		if err := q.Enqueue(ctx, &r, nil); err != nil {
			b.Fatal(err)
		}
		ids[i] = r.ID
	}
	var last time.Time
	for _, id := range ids {
		if r := waitDone(b, s, id); r.FinishedAt.After(last) {
			last = *r.FinishedAt
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "ms-start-p50")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "ms-start-max")
	b.ReportMetric(float64(b.N)/last.Sub(t0).Seconds(), "runs/s")
}

func waitDone(b *testing.B, s data.Store, id string) data.Run {
	for {
		r, err := s.GetRun(context.Background(), id)
		if err != nil {
			b.Fatal(err)
		}
		if r.Status == data.RunDone {
			return r
		}
		if !r.Status.Active() {
			b.Fatalf("run %s %s: %s", id, r.Status, r.Error)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
