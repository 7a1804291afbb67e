// Package planjobs binds the scheduler's standard jobs to the planners the
// API uses — optimizer/circuit for the weekly draft and the daily re-plan,
// optimizer/market for the monthly roll-forward — so that a scheduled run
// and a click in the API take the same code path. It is separate from
// package scheduler so that the scheduler core does not depend on the
// planners.
package planjobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
	"github.com/yingjing/xunhui/scheduler"
)

// By is the user id recorded on plans the jobs create.
const By = "scheduler"

// Circuit is what the jobs need of *circuit.Service.
type Circuit interface {
	Start(from, to data.Date, by string) (circuit.View, error)
	Replan(ctx context.Context, id string, now time.Time, by string) (circuit.View, error)
	Stop(ctx context.Context, id string) (circuit.View, error)
	Wait(ctx context.Context, id string) (circuit.View, error)
}

// Market is what the jobs need of *market.Service.
type Market interface {
	RollMonth(ctx context.Context) (string, map[string]any, error)
}

// Plans is what the daily re-plan needs of data.Store.
type Plans interface {
	ListPlans(ctx context.Context, f data.PlanFilter) ([]data.Plan, error)
}

// Config tunes the jobs. The zero value is usable.
type Config struct {
	// WorkDays is the length of the drafted week from Monday (default 5:
	// Monday–Friday; 7 would include the weekend).
	WorkDays int
	// StopGrace is how long a stopped planner may take to save its best
	// plan once the job's context is cancelled (default 30 s).
	StopGrace time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.WorkDays <= 0 || c.WorkDays > 7 {
		c.WorkDays = 5
	}
	if c.StopGrace <= 0 {
		c.StopGrace = 30 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Funcs returns the standard job bodies: weekly draft and daily re-plan on
// cir (nil: those jobs stay disabled), market roll on mkt (nil: disabled).
// Escalation is left nil, so scheduler.NewStandard fills it in.
func Funcs(cir Circuit, mkt Market, plans Plans, cfg Config) scheduler.StandardFuncs {
	cfg = cfg.withDefaults()
	var f scheduler.StandardFuncs
	if cir != nil {
		f.WeeklyDraft = func(ctx context.Context) (scheduler.Result, error) { return WeeklyDraft(ctx, cir, cfg) }
		if plans != nil {
			f.DailyReplan = func(ctx context.Context) (scheduler.Result, error) { return DailyReplan(ctx, cir, plans, cfg) }
		}
	}
	if mkt != nil {
		f.MarketRoll = func(ctx context.Context) (scheduler.Result, error) {
			sum, out, err := mkt.RollMonth(ctx)
			return scheduler.Result{Summary: sum, Output: out}, err
		}
	}
	return f
}

// NextWeek returns the Monday after now's date in the county (a Monday
// gives the following Monday) and the last of days days from it.
func NextWeek(now time.Time, days int) (from, to data.Date) {
	t := now.In(data.Local)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, data.Local)
	ahead := (8 - int(d.Weekday())) % 7 // days to next Monday
	if ahead == 0 {
		ahead = 7
	}
	mon := d.AddDate(0, 0, ahead)
	return data.DateOf(mon), data.DateOf(mon.AddDate(0, 0, days-1))
}

// WeeklyDraft drafts next week's circuits (Monday + WorkDays) with the same
// call as POST /api/v1/circuit-plans and waits for the plan.
func WeeklyDraft(ctx context.Context, cir Circuit, cfg Config) (scheduler.Result, error) {
	cfg = cfg.withDefaults()
	from, to := NextWeek(cfg.Now(), cfg.WorkDays)
	v, err := cir.Start(from, to, By)
	if err != nil {
		return scheduler.Result{}, fmt.Errorf("draft %s–%s: %w", from, to, err)
	}
	return await(ctx, cir, v, cfg, fmt.Sprintf("draft %s–%s", from, to))
}

// DailyReplan re-plans the circuit plan in effect today (the newest
// published plan covering today, else the newest draft) with the same call
// as POST /api/v1/circuit-plans/{id}/replan. No plan for today is not an
// error: the run says so.
func DailyReplan(ctx context.Context, cir Circuit, plans Plans, cfg Config) (scheduler.Result, error) {
	cfg = cfg.withDefaults()
	now := cfg.Now()
	today := data.DateOf(now)
	var base *data.Plan
	for _, st := range []data.PlanStatus{data.PlanPublished, data.PlanDraft} {
		ps, err := plans.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit, Status: st, Overlaps: today, Limit: 1})
		if err != nil {
			return scheduler.Result{}, fmt.Errorf("find today's plan: %w", err)
		}
		if len(ps) > 0 {
			base = &ps[0]
			break
		}
	}
	if base == nil {
		return scheduler.Result{Summary: "no circuit plan covers " + string(today) + "; nothing to re-plan",
			Output: map[string]any{"date": string(today)}}, nil
	}
	v, err := cir.Replan(ctx, base.ID, now, By)
	if err != nil {
		return scheduler.Result{}, fmt.Errorf("re-plan %s: %w", base.ID, err)
	}
	return await(ctx, cir, v, cfg, "re-plan of "+base.ID)
}

// await waits for run v; when ctx ends first (shutdown grace over, lock
// lost) it stops the run, which saves its best plan so far, and waits up to
// StopGrace for that.
func await(ctx context.Context, cir Circuit, v circuit.View, cfg Config, what string) (scheduler.Result, error) {
	done, err := cir.Wait(ctx, v.ID)
	if err != nil && ctx.Err() != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.StopGrace)
		defer cancel()
		if _, serr := cir.Stop(sctx, v.ID); serr != nil && data.ErrorKind(serr) != data.Conflict {
			return result(v, what), fmt.Errorf("%s: stop: %w", what, serr)
		}
		done, err = cir.Wait(sctx, v.ID)
		if err != nil {
			return result(v, what), fmt.Errorf("%s: interrupted: %w", what, errors.Join(ctx.Err(), err))
		}
	} else if err != nil {
		return result(v, what), fmt.Errorf("%s: %w", what, err)
	}
	res := result(done, what)
	if done.Status == circuit.Failed {
		return res, fmt.Errorf("%s: planner failed: %s", what, done.Error)
	}
	return res, nil
}

func result(v circuit.View, what string) scheduler.Result {
	out := map[string]any{"run_id": v.ID, "status": string(v.Status), "from": string(v.From), "to": string(v.To),
		"itineraries": len(v.Itineraries), "unassigned": len(v.Unassigned)}
	if v.Baseline != "" {
		out["baseline_plan_id"] = v.Baseline
		out["moves"] = len(v.Moves)
	}
	if v.Stopped {
		out["stopped_early"] = true
	}
	planID := ""
	if v.Plan != nil {
		planID = v.Plan.ID
		out["plan_id"] = planID
	}
	sum := fmt.Sprintf("%s: %s, plan %s, %d itineraries, %d unassigned", what, v.Status, planID, len(v.Itineraries), len(v.Unassigned))
	if v.Stopped {
		sum += " (stopped early: best plan saved)"
	}
	return scheduler.Result{Summary: sum, Output: out}
}
