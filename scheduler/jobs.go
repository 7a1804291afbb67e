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

// ServeStore is what NewStandard needs of the data store (data.Store has it all).
type ServeStore interface {
	JobStore
	RequestStore
}

// NewStandard builds the scheduler of `xunhui serve` and `xunhui worker`:
// runs and schedule overrides in store (DataStore, replacing o.Runs and
// o.Schedules), firings on o.Queue (River periodic jobs; the elected
// leader among the processes that work jobs inserts them), and the four
// StandardJobs. A nil f.Escalation is filled with Escalate on store (no
// notifier, DefaultEscalation), so that job runs even before the planners
// are wired. Start it with Start, then go s.Watch(ctx) (or go s.Run(ctx)).
func NewStandard(store ServeStore, f StandardFuncs, o Options) (*Scheduler, error) {
	ds := DataStore{S: store}
	o.Runs, o.Schedules = ds, ds
	s := New(o)
	if f.Escalation == nil {
		f.Escalation = func(ctx context.Context) (Result, error) {
			return Escalate(ctx, store, nil, DefaultEscalation, s.o.Clock.Now())
		}
	}
	for _, j := range StandardJobs(f) {
		if err := s.Register(j); err != nil {
			return nil, err
		}
	}
	return s, nil
}
