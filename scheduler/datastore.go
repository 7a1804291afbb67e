package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
)

// JobStore is the part of data.Store that DataStore needs.
type JobStore interface {
	StartJobRun(ctx context.Context, r *data.JobRun) error
	FinishJobRun(ctx context.Context, r data.JobRun) error
	AbandonJobRun(ctx context.Context, id, reason string) error
	ListJobRuns(ctx context.Context, f data.JobRunFilter) ([]data.JobRun, error)
	ListJobSchedules(ctx context.Context) ([]data.JobSchedule, error)
	PutJobSchedule(ctx context.Context, s *data.JobSchedule) error
}

// DataStore adapts a data.Store (PostgreSQL or SQLite) to RunStore and
// ScheduleStore, so that job runs live in the store's job_runs table (its
// unique (job, slot) index over live runs is a safety net; River's unique
// insert decides that a slot fires once) and GET /api/v1/job-runs reads
// them on any process. Slots are stored as UTC
// RFC 3339 strings; trigger, replica and summary travel in Output under the
// keys "trigger", "replica" and "summary".
type DataStore struct {
	S JobStore
}

// slotKey is the data.JobRun.Slot of a slot time.
func slotKey(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Begin implements RunStore.
func (d DataStore) Begin(ctx context.Context, r *Run) error {
	key := slotKey(r.Slot)
	runs, err := d.S.ListJobRuns(ctx, data.JobRunFilter{Job: r.Job, Limit: 1000})
	if err != nil {
		return fmt.Errorf("begin run: list runs: %w", err)
	}
	for _, x := range runs {
		if x.Slot != key || x.Outcome == data.JobAbandoned {
			continue
		}
		if x.Outcome != data.JobRunning {
			return ErrSlotDone
		}
		reason := fmt.Sprintf("abandoned: the worker on %v died mid-run; River retried the slot", x.Output["replica"])
		if err := d.S.AbandonJobRun(ctx, x.ID, reason); err != nil && data.ErrorKind(err) != data.Conflict {
			return fmt.Errorf("begin run: abandon run %s: %w", x.ID, err)
		}
	}
	jr := data.JobRun{Job: r.Job, Slot: key, Started: r.Started,
		Output: map[string]any{"trigger": string(r.Trigger), "replica": r.Replica}}
	if err := d.S.StartJobRun(ctx, &jr); err != nil {
		if data.ErrorKind(err) == data.Conflict {
			return ErrSlotDone
		}
		return fmt.Errorf("begin run: %w", err)
	}
	r.ID, r.Outcome = jr.ID, Running
	return nil
}

// Finish implements RunStore.
func (d DataStore) Finish(ctx context.Context, r Run) error {
	if r.Outcome == Abandoned {
		if err := d.S.AbandonJobRun(ctx, r.ID, r.Error); err != nil && data.ErrorKind(err) != data.Conflict {
			return fmt.Errorf("finish run %s: %w", r.ID, err)
		}
		return nil
	}
	out := map[string]any{}
	for k, v := range r.Output {
		out[k] = v
	}
	out["trigger"], out["replica"] = string(r.Trigger), r.Replica
	if r.Summary != "" {
		out["summary"] = r.Summary
	}
	jr := data.JobRun{ID: r.ID, Job: r.Job, Slot: slotKey(r.Slot), Started: r.Started, Ended: r.Ended,
		Outcome: data.JobOutcome(r.Outcome), Error: r.Error, Output: out}
	if err := d.S.FinishJobRun(ctx, jr); err != nil {
		return fmt.Errorf("finish run %s: %w", r.ID, err)
	}
	return nil
}

// Runs implements RunStore.
func (d DataStore) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	jrs, err := d.S.ListJobRuns(ctx, data.JobRunFilter{Job: f.Job, Limit: f.limit()})
	if err != nil {
		return nil, err
	}
	out := make([]Run, 0, len(jrs))
	for _, j := range jrs {
		r := Run{ID: j.ID, Job: j.Job, Started: j.Started, Ended: j.Ended, Outcome: Outcome(j.Outcome), Error: j.Error, Output: map[string]any{}}
		if t, err := time.Parse(time.RFC3339, j.Slot); err == nil {
			r.Slot = t.UTC()
		}
		for k, v := range j.Output {
			s, _ := v.(string)
			switch k {
			case "trigger":
				r.Trigger = Trigger(s)
			case "replica":
				r.Replica = s
			case "summary":
				r.Summary = s
			default:
				r.Output[k] = v
			}
		}
		if len(r.Output) == 0 {
			r.Output = nil
		}
		out = append(out, r)
	}
	return out, nil
}

// Schedules implements ScheduleStore.
func (d DataStore) Schedules(ctx context.Context) ([]Schedule, error) {
	js, err := d.S.ListJobSchedules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Schedule, 0, len(js))
	for _, j := range js {
		at := j.UpdatedAt
		out = append(out, Schedule{Job: j.Job, Spec: j.Spec, TimeZone: j.TimeZone, Enabled: j.Enabled, UpdatedAt: &at, UpdatedBy: j.UpdatedBy})
	}
	return out, nil
}

// PutSchedule implements ScheduleStore.
func (d DataStore) PutSchedule(ctx context.Context, s Schedule) error {
	return d.S.PutJobSchedule(ctx, &data.JobSchedule{Job: s.Job, Spec: s.Spec, TimeZone: s.TimeZone, Enabled: s.Enabled, UpdatedBy: s.UpdatedBy})
}
