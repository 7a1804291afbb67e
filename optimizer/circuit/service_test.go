package circuit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
)

// TestServiceJobs runs the scheduled jobs against a seeded store: the weekly
// draft plans next week; the daily re-plan finds the published plan.
func TestServiceJobs(t *testing.T) {
	ctx := context.Background()
	store := sqlitetest.New(t)
	week := seed.NextMonday(data.Today())
	if _, err := seed.Load(ctx, store, seed.Options{Week: week, Requests: 60}); err != nil {
		t.Fatal(err)
	}
	now := week.Time().Add(-3 * 24 * time.Hour) // the Friday before
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	svc := NewService(store, Config{MaxIterations: 50, Threads: 1, Now: func() time.Time { return now }, Queue: q})
	jobstest.Handle(svc, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	if sum, _, err := svc.DailyReplan(ctx); err != nil || !strings.Contains(sum, "no published") {
		t.Fatalf("DailyReplan without a plan = %q, %v", sum, err)
	}
	sum, out, err := svc.WeeklyDraft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := out["plan_id"].(string)
	if !strings.Contains(sum, "draft") || id == "" || out["from"] != week {
		t.Fatalf("WeeklyDraft = %q %v", sum, out)
	}
	// The firing queued a durable run and returned; the run plans the week.
	if v, err := svc.Wait(ctx, id); err != nil || v.Status != Done {
		t.Fatalf("weekly draft run %s: %+v, %v", id, v.Status, err)
	}
	if _, err := svc.Publish(ctx, id, 0, "", "test"); err != nil {
		t.Fatal(err)
	}
	// Fired again, the weekly draft leaves the published week alone.
	before, _ := store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit})
	sum, out, err = svc.WeeklyDraft(ctx)
	if err != nil || out["skipped"] != true || out["published_plan_id"] != id {
		t.Fatalf("WeeklyDraft over a published week = %q %v %v", sum, out, err)
	}
	if after, _ := store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit}); len(after) != len(before) {
		t.Fatalf("WeeklyDraft over a published week made a plan: %d → %d", len(before), len(after))
	}
	now = week.Time().Add(26 * time.Hour) // Tuesday 02:00
	sum, out, err = svc.DailyReplan(ctx)
	if err != nil || !strings.Contains(sum, "re-plan of "+id) {
		t.Fatalf("DailyReplan = %q %v %v", sum, out, err)
	}
	v, err := svc.Wait(ctx, out["plan_id"].(string))
	if err != nil || v.Status != Done || v.Baseline != id || v.Plan.Status != data.PlanDraft {
		t.Fatalf("re-plan view %+v, %v", v, err)
	}
}
