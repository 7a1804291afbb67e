package scheduler

import (
	"context"
	"errors"
)

// The standard jobs of Xunhui and their default schedules (Asia/Shanghai).
const (
	// JobWeeklyDraft drafts next week's circuits every Friday at 16:00.
	JobWeeklyDraft = "weekly-draft"
	// JobDailyReplan re-plans the current week every morning at 06:30 with
	// new urgent requests and leave.
	JobDailyReplan = "daily-replan"
	// JobMarketRoll rolls the market-day desk plans forward on the 1st of
	// each month at 02:00.
	JobMarketRoll = "market-roll"
	// JobEscalation raises the priority of requests near or past their
	// deadline every hour, on the hour.
	JobEscalation = "deadline-escalation"
)

// ErrNotWired is returned by a standard job whose planner has not been
// injected by cmd/xunhui yet; such jobs are registered disabled.
var ErrNotWired = errors.New("job not wired to a planner in this build")

// StandardFuncs are the bodies of the standard jobs, injected by cmd/xunhui
// so that jobs call exactly the planners the API calls. A nil Func registers
// its job disabled, with a body that fails with ErrNotWired.
type StandardFuncs struct {
	WeeklyDraft Func
	DailyReplan Func
	MarketRoll  Func
	Escalation  Func
}

// StandardJobs returns the four standard jobs with their default specs.
func StandardJobs(f StandardFuncs) []Job {
	mk := func(name, desc, spec string, fn Func) Job {
		j := Job{Name: name, Description: desc, Spec: spec, TimeZone: DefaultTimeZone, Func: fn}
		if fn == nil {
			j.Disabled = true
			j.Func = func(context.Context) (Result, error) { return Result{}, ErrNotWired }
		}
		return j
	}
	return []Job{
		mk(JobWeeklyDraft, "draft next week's circuits (Friday afternoon)", "0 16 * * fri", f.WeeklyDraft),
		mk(JobDailyReplan, "re-plan the current week with new urgent requests and leave", "30 6 * * *", f.DailyReplan),
		mk(JobMarketRoll, "roll market-day calendars and desk plans forward a month", "0 2 1 * *", f.MarketRoll),
		mk(JobEscalation, "raise the priority of requests near or past their deadline", "0 * * * *", f.Escalation),
	}
}
