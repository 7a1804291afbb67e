package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
)

// TestOnSeededStore runs the escalation and the market-day lookup against
// the real embedded store loaded with the county seed (SAMPLE requests and
// cycles).
func TestOnSeededStore(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a store")
	}
	ctx := context.Background()
	db := sqlitetest.New(t)
	if _, err := seed.Load(ctx, db, seed.Options{Requests: 40}); err != nil {
		t.Fatal(err)
	}

	// Sixty days on, every open request with a deadline is overdue.
	later := time.Now().AddDate(0, 0, 60)
	res, err := Escalate(ctx, db, nil, DefaultEscalation, later)
	if err != nil {
		t.Fatal(err)
	}
	rs, _, err := db.ListRequests(ctx, data.RequestFilter{DeadlineBefore: data.DateOf(later), Limit: data.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	withHistory := 0
	for _, r := range rs {
		if r.Status == data.StatusDone {
			continue
		}
		if r.Priority != 5 {
			t.Errorf("%s: priority %d after escalation, want 5", r.ID, r.Priority)
		}
		for _, h := range r.History {
			if h.By == EscalationBy && strings.Contains(h.Note, "deadline escalation: overdue") {
				withHistory++
			}
		}
	}
	if res.Output["raised"] != withHistory || withHistory == 0 {
		t.Errorf("raised %v, %d history entries; want equal and > 0", res.Output["raised"], withHistory)
	}

	// Market days of every seeded township with a cycle.
	cycles, err := db.ListMarketCycles(ctx)
	if err != nil || len(cycles) == 0 {
		t.Fatalf("seeded cycles: %v, %v", cycles, err)
	}
	for _, mc := range cycles {
		got, err := TownshipMarketDays(ctx, db, mc.TownshipID, "2027-01-01", "2027-03-31", time.Now())
		if err != nil {
			t.Errorf("%s (%s): %v", mc.TownshipID, mc.Cycle, err)
			continue
		}
		if len(got.Days) == 0 || got.Sample != mc.Sample {
			t.Errorf("%s (%s): %d days, sample %v; want days and sample %v", mc.TownshipID, mc.Cycle, len(got.Days), got.Sample, mc.Sample)
		}
	}
}
