package circuit

import (
	"context"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
)

// Scheduled jobs: cmd/xunhui wires these into the scheduler's standard jobs
// (WeeklyDraft, DailyReplan) so that scheduled plans take the very path the
// API takes: each queues a durable plan run (River) and returns at once
// with a one-line summary and JSON-encodable details naming the run, whose
// state, progress and result GET /circuit-plans/{id} shows on any replica.
// A firing never waits for its plan, so it never holds a worker that the
// plan needs, nor outlives River's rescue horizon.

// WeeklyDraft queues a draft plan of next week (the Monday after today to
// Friday, or to the Saturday or Sunday when that is an adjusted working day,
// 调休, which the week's staff then work with their weekday shifts). A week that already has a published circuit plan
// is left alone (the job never drafts over, nor publishes, a published
// week) unless Config.DraftOverPublished is set; even then it only drafts
// a new version, which a planner publishes with supersedes.
func (s *Service) WeeklyDraft(ctx context.Context) (string, map[string]any, error) {
	mon := data.DateOf(s.cfg.Now()).AddDays(1)
	for mon.Weekday() != time.Monday {
		mon = mon.AddDays(1)
	}
	to := draftWeekEnd(mon)
	if !s.cfg.DraftOverPublished {
		for d := mon; d <= to; d = d.AddDays(1) {
			ps, err := s.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit, Status: data.PlanPublished, Overlaps: d, Limit: 1})
			if err != nil {
				return "", nil, err
			}
			if len(ps) > 0 {
				return fmt.Sprintf("week %s–%s already has published plan %s: no draft (set DraftOverPublished to draft a new version)",
						mon, to, ps[0].ID),
					map[string]any{"skipped": true, "published_plan_id": ps[0].ID, "from": mon, "to": to}, nil
			}
		}
	}
	v, err := s.Start(ctx, mon, to, "scheduler")
	return queuedJob(v, err, "draft plan", mon, to)
}

// draftWeekEnd is the last day of the week starting on Monday mon that the
// weekly draft plans: Friday, or its Sunday or Saturday when that is an
// adjusted working day (调休).
func draftWeekEnd(mon data.Date) data.Date {
	for d := mon.AddDays(6); d > mon.AddDays(4); d = d.AddDays(-1) {
		if adjustedWorkday(d) {
			return d
		}
	}
	return mon.AddDays(4)
}

// DailyReplan queues a re-plan of the newest published circuit plan
// covering today as of now (staff leave, urgent requests, outcomes) into a
// new draft. Nothing to do when no published plan covers today.
func (s *Service) DailyReplan(ctx context.Context) (string, map[string]any, error) {
	now := s.cfg.Now()
	ps, err := s.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit, Status: data.PlanPublished, Overlaps: data.DateOf(now), Limit: 1})
	if err != nil {
		return "", nil, err
	}
	if len(ps) == 0 {
		return "no published circuit plan covers " + string(data.DateOf(now)), map[string]any{}, nil
	}
	v, err := s.Replan(ctx, ps[0].ID, now, "scheduler")
	return queuedJob(v, err, "re-plan of "+ps[0].ID+" as", ps[0].From, ps[0].To)
}

// queuedJob is the result of a job that queued run v (err from Start or
// Replan). A run of the same period already in flight is not an error: the
// firing names it and skips.
func queuedJob(v View, err error, what string, from, to data.Date) (string, map[string]any, error) {
	if data.ErrorKind(err) == data.Conflict && data.ErrorID(err) != "" {
		id := data.ErrorID(err)
		return fmt.Sprintf("%s %s–%s: run %s of that period is already in flight", what, from, to, id),
			map[string]any{"skipped": true, "plan_id": id, "from": from, "to": to}, nil
	}
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("queued %s %s (%s–%s); follow it at GET /api/v1/circuit-plans/%s", what, v.ID, v.From, v.To, v.ID),
		map[string]any{"plan_id": v.ID, "from": v.From, "to": v.To, "status": v.Status}, nil
}
