package planjobs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

func TestNextWeek(t *testing.T) {
	tests := []struct {
		now      time.Time
		days     int
		from, to data.Date
	}{
		{time.Date(2026, 11, 27, 16, 0, 0, 0, data.Local), 5, "2026-11-30", "2026-12-04"}, // Friday
		{time.Date(2026, 11, 30, 9, 0, 0, 0, data.Local), 5, "2026-12-07", "2026-12-11"},  // Monday: the next one
		{time.Date(2026, 11, 29, 23, 0, 0, 0, data.Local), 7, "2026-11-30", "2026-12-06"}, // Sunday
		{time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC), 5, "2026-12-07", "2026-12-11"},   // already Monday in the county
	}
	for _, tt := range tests {
		from, to := NextWeek(tt.now, tt.days)
		if from != tt.from || to != tt.to {
			t.Errorf("NextWeek(%v, %d) = %s–%s, want %s–%s", tt.now, tt.days, from, to, tt.from, tt.to)
		}
	}
}

// fakeCircuit records calls; its runs finish when released, or when stopped.
type fakeCircuit struct {
	mu      sync.Mutex
	calls   []string
	release chan struct{}
	stopped bool
}

func (f *fakeCircuit) log(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeCircuit) Start(from, to data.Date, by string) (circuit.View, error) {
	f.log("start " + string(from) + " " + string(to) + " " + by)
	return circuit.View{ID: "P-1", Status: circuit.Queued, From: from, To: to}, nil
}

func (f *fakeCircuit) Replan(_ context.Context, id string, _ time.Time, by string) (circuit.View, error) {
	f.log("replan " + id + " " + by)
	return circuit.View{ID: "P-2", Status: circuit.Queued, Baseline: id}, nil
}

func (f *fakeCircuit) Stop(context.Context, string) (circuit.View, error) {
	f.log("stop")
	f.mu.Lock()
	f.stopped = true
	f.mu.Unlock()
	return circuit.View{}, nil
}

func (f *fakeCircuit) Wait(ctx context.Context, id string) (circuit.View, error) {
	f.mu.Lock()
	stopped := f.stopped
	f.mu.Unlock()
	done := circuit.View{ID: id, Status: circuit.Done, Plan: &data.Plan{ID: id}, Itineraries: make([]data.Itinerary, 3), Stopped: stopped}
	if stopped {
		return done, nil
	}
	select {
	case <-f.release:
		return done, nil
	case <-ctx.Done():
		return circuit.View{ID: id, Status: circuit.Running}, ctx.Err()
	}
}

type fakePlans map[data.PlanStatus][]data.Plan

func (p fakePlans) ListPlans(_ context.Context, f data.PlanFilter) ([]data.Plan, error) {
	if f.Kind != data.PlanCircuit || f.Overlaps == "" {
		return nil, errors.New("unexpected filter")
	}
	return p[f.Status], nil
}

func TestWeeklyDraftWaitsForThePlan(t *testing.T) {
	f := &fakeCircuit{release: make(chan struct{})}
	close(f.release)
	cfg := Config{Now: func() time.Time { return time.Date(2026, 11, 27, 16, 0, 0, 0, data.Local) }}
	res, err := WeeklyDraft(context.Background(), f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 1 || f.calls[0] != "start 2026-11-30 2026-12-04 scheduler" {
		t.Errorf("calls = %q", f.calls)
	}
	if res.Output["plan_id"] != "P-1" || res.Output["itineraries"] != 3 || !strings.Contains(res.Summary, "plan P-1") {
		t.Errorf("result = %+v", res)
	}
}

func TestDraftStoppedOnCancelSavesBest(t *testing.T) {
	f := &fakeCircuit{release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // shutdown grace is over before the plan finished
	res, err := WeeklyDraft(ctx, f, Config{})
	if err != nil {
		t.Fatalf("err = %v, want the stopped plan saved without error", err)
	}
	if res.Output["stopped_early"] != true || res.Output["plan_id"] != "P-1" || f.calls[len(f.calls)-1] != "stop" {
		t.Errorf("result = %+v, calls %q; want a stopped, saved plan", res, f.calls)
	}
}

func TestDailyReplanPicksThePlanInEffect(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 1, 6, 30, 0, 0, data.Local) }
	tests := []struct {
		name  string
		plans fakePlans
		want  string // replan call, "" = none
	}{
		{"published wins", fakePlans{data.PlanPublished: {{ID: "P-pub"}}, data.PlanDraft: {{ID: "P-draft"}}}, "replan P-pub scheduler"},
		{"draft otherwise", fakePlans{data.PlanDraft: {{ID: "P-draft"}}}, "replan P-draft scheduler"},
		{"none", fakePlans{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeCircuit{release: make(chan struct{})}
			close(f.release)
			res, err := DailyReplan(context.Background(), f, tt.plans, Config{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(f.calls) > 0 {
				got = f.calls[0]
			}
			if got != tt.want {
				t.Errorf("call = %q, want %q", got, tt.want)
			}
			if tt.want == "" && !strings.Contains(res.Summary, "nothing to re-plan") {
				t.Errorf("summary = %q", res.Summary)
			}
		})
	}
}

type fakeMarket struct{}

func (fakeMarket) RollMonth(context.Context) (string, map[string]any, error) {
	return "planned 2027-01", map[string]any{"plan_id": "M-1"}, nil
}

func TestFuncs(t *testing.T) {
	f := Funcs(nil, fakeMarket{}, nil, Config{})
	if f.WeeklyDraft != nil || f.DailyReplan != nil || f.Escalation != nil || f.MarketRoll == nil {
		t.Fatalf("Funcs(nil circuit, market) = %+v, want only MarketRoll", f)
	}
	res, err := f.MarketRoll(context.Background())
	if err != nil || res.Summary != "planned 2027-01" || res.Output["plan_id"] != "M-1" {
		t.Errorf("MarketRoll = %+v, %v", res, err)
	}
}
