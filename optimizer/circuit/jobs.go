package circuit

import (
	"context"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
)

// Scheduled jobs: cmd/xunhui wires these into the scheduler's standard jobs
// (WeeklyDraft, DailyReplan) so that scheduled plans take the very path the
// API takes. Each returns a one-line summary and JSON-encodable details.

// WeeklyDraft plans next week (the Monday after today to Friday) as a draft
// and waits for it. When ctx ends first, the run is stopped and its best
// plan so far is saved. A week that already has a published circuit plan
// is left alone (the job never drafts over, nor publishes, a published
// week) unless Config.DraftOverPublished is set; even then it only drafts
// a new version, which a planner publishes with supersedes.
func (s *Service) WeeklyDraft(ctx context.Context) (string, map[string]any, error) {
	mon := data.DateOf(s.cfg.Now()).AddDays(1)
	for mon.Weekday() != time.Monday {
		mon = mon.AddDays(1)
	}
	if !s.cfg.DraftOverPublished {
		for d := mon; d <= mon.AddDays(4); d = d.AddDays(1) {
			ps, err := s.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit, Status: data.PlanPublished, Overlaps: d, Limit: 1})
			if err != nil {
				return "", nil, err
			}
			if len(ps) > 0 {
				return fmt.Sprintf("week %s–%s already has published plan %s: no draft (set DraftOverPublished to draft a new version)",
						mon, mon.AddDays(4), ps[0].ID),
					map[string]any{"skipped": true, "published_plan_id": ps[0].ID, "from": mon, "to": mon.AddDays(4)}, nil
			}
		}
	}
	v, err := s.Start(ctx, mon, mon.AddDays(4), "scheduler")
	if err != nil {
		return "", nil, err
	}
	return s.finishJob(ctx, v.ID, "draft")
}

// DailyReplan re-plans the newest published circuit plan covering today as
// of now (staff leave, urgent requests, outcomes) into a new draft. Nothing
// to do when no published plan covers today.
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
	if err != nil {
		return "", nil, err
	}
	return s.finishJob(ctx, v.ID, "re-plan of "+ps[0].ID)
}

func (s *Service) finishJob(ctx context.Context, id, what string) (string, map[string]any, error) {
	v, err := s.Wait(ctx, id)
	if ctx.Err() != nil {
		_, _ = s.Stop(context.WithoutCancel(ctx), id)
		v, err = s.Wait(context.WithoutCancel(ctx), id)
	}
	if err != nil {
		return "", nil, err
	}
	if v.Status == Failed {
		return "", nil, fmt.Errorf("circuit plan %s failed: %s", id, v.Error)
	}
	out := map[string]any{"plan_id": id, "from": v.From, "to": v.To}
	sum := fmt.Sprintf("%s %s (%s–%s)", what, id, v.From, v.To)
	if v.Stats != nil {
		out["served"], out["unserved"], out["stops"], out["moved"] = v.Stats.Served, v.Stats.Unserved, v.Stats.Stops, v.Stats.Moved
		sum += fmt.Sprintf(": %d stops, %d requests served, %d left", v.Stats.Stops, v.Stats.Served, v.Stats.Unserved)
		if v.Baseline != "" {
			sum += fmt.Sprintf(", %d moved", v.Stats.Moved)
		}
	}
	return sum, out, nil
}
