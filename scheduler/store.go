package scheduler

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Outcome is the state of a run record.
type Outcome string

// Run outcomes, spelt as data.JobOutcome. Abandoned is a run whose worker
// died mid-run; River's next attempt of the slot records a new run.
const (
	Running   Outcome = "running"
	OK        Outcome = "ok"
	Failed    Outcome = "failed"
	Abandoned Outcome = "abandoned"
)

// Trigger says why a run started.
type Trigger string

// Run triggers.
const (
	TriggerSchedule Trigger = "schedule" // its slot came due
	TriggerCatchUp  Trigger = "catch_up" // its slot was missed while no process led
	TriggerManual   Trigger = "manual"   // RunNow (a planner asked)
)

// Run is the record of one run of a job for one slot.
type Run struct {
	// ID is assigned by the RunStore.
	ID string `json:"id"`
	// Job is the job name.
	Job string `json:"job"`
	// Slot is the scheduled time the run is for (UTC): the unique key with Job.
	Slot time.Time `json:"slot"`
	// Trigger is schedule, catch_up or manual.
	Trigger Trigger `json:"trigger"`
	// Replica identifies the process that ran it (host:pid by default).
	Replica string `json:"replica"`
	// Started and Ended bound the run (UTC); Ended is nil while running.
	Started time.Time  `json:"started"`
	Ended   *time.Time `json:"ended,omitempty"`
	// Outcome is running, ok, failed or abandoned.
	Outcome Outcome `json:"outcome"`
	// Error is the failure message of failed and abandoned runs.
	Error string `json:"error,omitempty"`
	// Summary is a one-line account of what the run produced.
	Summary string `json:"summary,omitempty"`
	// Output is what the run produced (plan id, counts …), JSON-encodable.
	Output map[string]any `json:"output,omitempty"`
}

// RunFilter selects runs for RunStore.Runs, newest first.
type RunFilter struct {
	// Job restricts to one job ("" = all).
	Job string
	// Limit defaults to 100, at most 1000.
	Limit int
}

func (f RunFilter) limit() int {
	switch {
	case f.Limit <= 0:
		return 100
	case f.Limit > 1000:
		return 1000
	}
	return f.Limit
}

// ErrSlotDone is returned by RunStore.Begin when the slot already has a
// finished run: River inserts a slot once, so this is a catch-up or retry
// of a slot whose record outlived River's job row.
var ErrSlotDone = errors.New("slot already run")

// RunStore records runs (DataStore, on the store's job_runs table).
type RunStore interface {
	// Begin records the start of run r (Job, Slot, Trigger, Replica,
	// Started set by the caller) and assigns r.ID. A run of the same slot
	// still marked running is an earlier attempt whose worker died (River
	// rescued its job and retries it): Begin marks it abandoned first.
	// ErrSlotDone if the slot has a finished run.
	Begin(ctx context.Context, r *Run) error
	// Finish records the end of run r (Ended, Outcome, Error, Summary, Output).
	Finish(ctx context.Context, r Run) error
	// Runs lists runs, newest start first.
	Runs(ctx context.Context, f RunFilter) ([]Run, error)
}

// Schedule is the run-time setting of one job: what GET/PUT
// /api/v1/schedules show and change.
type Schedule struct {
	// Job is the job name.
	Job string `json:"job"`
	// Spec is the cron spec (5 fields, 6 with seconds, or @daily etc.).
	Spec string `json:"spec"`
	// TimeZone is an IANA zone, default Asia/Shanghai.
	TimeZone string `json:"time_zone"`
	// Enabled is false for a paused job.
	Enabled bool `json:"enabled"`
	// Description says what the job does (read-only).
	Description string `json:"description,omitempty"`
	// Next is the next slot (read-only; absent when disabled).
	Next *time.Time `json:"next,omitempty"`
	// UpdatedAt and UpdatedBy say who last changed the setting (read-only).
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

// ScheduleStore persists schedule overrides, so a PUT survives restarts and
// reaches every process. Implementations: DataStore, MemSchedules.
type ScheduleStore interface {
	// Schedules returns the stored overrides (any order).
	Schedules(ctx context.Context) ([]Schedule, error)
	// PutSchedule stores the override of s.Job.
	PutSchedule(ctx context.Context, s Schedule) error
}

// MemSchedules is an in-memory ScheduleStore. The zero value is ready.
type MemSchedules struct {
	mu sync.Mutex
	m  map[string]Schedule
}

// Schedules implements ScheduleStore.
func (m *MemSchedules) Schedules(context.Context) ([]Schedule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Schedule{}
	for _, s := range m.m {
		out = append(out, s)
	}
	return out, nil
}

// PutSchedule implements ScheduleStore.
func (m *MemSchedules) PutSchedule(_ context.Context, s Schedule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]Schedule{}
	}
	m.m[s.Job] = s
	return nil
}
