package planjobs

import (
	"context"
	"errors"
	"testing"

	"github.com/yingjing/xunhui/optimizer/circuit"
	"github.com/yingjing/xunhui/optimizer/market"
)

// The real services satisfy the interfaces.
var (
	_ Circuit = (*circuit.Service)(nil)
	_ Market  = (*market.Service)(nil)
)

type fakeCircuit struct{ calls []string }

func (f *fakeCircuit) WeeklyDraft(context.Context) (string, map[string]any, error) {
	f.calls = append(f.calls, "draft")
	return "draft P-1", map[string]any{"plan_id": "P-1"}, nil
}

func (f *fakeCircuit) DailyReplan(context.Context) (string, map[string]any, error) {
	f.calls = append(f.calls, "replan")
	return "", nil, errors.New("planner failed")
}

type fakeMarket struct{}

func (fakeMarket) RollMonth(context.Context) (string, map[string]any, error) {
	return "planned 2027-01", map[string]any{"plan_id": "M-1"}, nil
}

func TestFuncs(t *testing.T) {
	ctx := context.Background()
	if f := Funcs(nil, nil); f.WeeklyDraft != nil || f.DailyReplan != nil || f.MarketRoll != nil || f.Escalation != nil {
		t.Fatalf("Funcs(nil, nil) = %+v, want no bodies", f)
	}
	c := &fakeCircuit{}
	f := Funcs(c, fakeMarket{})
	res, err := f.WeeklyDraft(ctx)
	if err != nil || res.Summary != "draft P-1" || res.Output["plan_id"] != "P-1" {
		t.Errorf("WeeklyDraft = %+v, %v", res, err)
	}
	if _, err := f.DailyReplan(ctx); err == nil || err.Error() != "planner failed" {
		t.Errorf("DailyReplan error = %v, want the planner's", err)
	}
	res, err = f.MarketRoll(ctx)
	if err != nil || res.Summary != "planned 2027-01" || res.Output["plan_id"] != "M-1" {
		t.Errorf("MarketRoll = %+v, %v", res, err)
	}
	if len(c.calls) != 2 || c.calls[0] != "draft" || c.calls[1] != "replan" {
		t.Errorf("calls = %q", c.calls)
	}
}
