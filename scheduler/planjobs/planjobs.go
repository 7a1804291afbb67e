// Package planjobs binds the scheduler's standard jobs to the planners the
// API uses — optimizer/circuit for the weekly draft and the daily re-plan,
// optimizer/market for the monthly roll-forward — so that a scheduled run
// and a click in the API take the same code path. The planners own the job
// logic (which week, which plan, stopping early with the best plan saved
// when the job's context ends); this package only adapts their results.
// It imports neither planner, so the scheduler never fails to build
// because of planner work in progress.
package planjobs

import (
	"context"

	"github.com/yingjing/xunhui/scheduler"
)

// Circuit is what the jobs need of *circuit.Service.
type Circuit interface {
	// WeeklyDraft queues a draft of next week's circuits (a durable run).
	WeeklyDraft(ctx context.Context) (string, map[string]any, error)
	// DailyReplan queues a re-plan of the plan in effect today.
	DailyReplan(ctx context.Context) (string, map[string]any, error)
}

// Market is what the jobs need of *market.Service.
type Market interface {
	// RollMonth queues a plan of next calendar month's market desks.
	RollMonth(ctx context.Context) (string, map[string]any, error)
}

// Funcs returns the standard job bodies: weekly draft and daily re-plan on
// cir, market roll on mkt. A nil planner leaves its jobs nil, so
// scheduler.NewStandard registers them disabled; Escalation is left nil for
// NewStandard to fill in.
func Funcs(cir Circuit, mkt Market) scheduler.StandardFuncs {
	var f scheduler.StandardFuncs
	if cir != nil {
		f.WeeklyDraft = adapt(cir.WeeklyDraft)
		f.DailyReplan = adapt(cir.DailyReplan)
	}
	if mkt != nil {
		f.MarketRoll = adapt(mkt.RollMonth)
	}
	return f
}

func adapt(body func(context.Context) (string, map[string]any, error)) scheduler.Func {
	return func(ctx context.Context) (scheduler.Result, error) {
		sum, out, err := body(ctx)
		return scheduler.Result{Summary: sum, Output: out}, err
	}
}
