package circuit

import (
	"context"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
)

// TestPlanSeedWeek plans the seeded county's SAMPLE week and checks it.
func TestPlanSeedWeek(t *testing.T) {
	ctx := context.Background()
	store := sqlitetest.New(t)
	week := seed.NextMonday(data.Today())
	if _, err := seed.Load(ctx, store, seed.Options{Week: week}); err != nil {
		t.Fatal(err)
	}
	snap, err := LoadSnapshot(ctx, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Plan(ctx, snap, Options{From: week, To: week.AddDays(4), MaxIterations: 300, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(snap, res.Detail, res.Travel); err != nil {
		t.Fatalf("check: %v", err)
	}
	codes := map[Code]int{}
	for _, u := range res.Unassigned {
		codes[u.Code]++
	}
	t.Logf("stats %+v unassigned %v", res.Stats, codes)
	for i, u := range res.Unassigned {
		if i < 8 {
			t.Logf("%+v", u)
		}
	}
	_ = time.Second
}
