package pglock

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yingjing/xunhui/scheduler"
)

// schema is created by Migrate. The partial unique index is the heart of
// exactly-once: one live (not abandoned) run per (job, slot).
const schema = `
CREATE TABLE IF NOT EXISTS scheduler_runs (
	id      bigserial PRIMARY KEY,
	job     text NOT NULL,
	slot    timestamptz NOT NULL,
	trigger text NOT NULL,
	replica text NOT NULL,
	started timestamptz NOT NULL,
	ended   timestamptz,
	outcome text NOT NULL,
	error   text NOT NULL DEFAULT '',
	summary text NOT NULL DEFAULT '',
	output  jsonb
);
CREATE UNIQUE INDEX IF NOT EXISTS scheduler_runs_live_slot ON scheduler_runs (job, slot) WHERE outcome <> 'abandoned';
CREATE INDEX IF NOT EXISTS scheduler_runs_started ON scheduler_runs (started DESC, id DESC);
CREATE TABLE IF NOT EXISTS scheduler_schedules (
	job        text PRIMARY KEY,
	spec       text NOT NULL,
	time_zone  text NOT NULL,
	enabled    boolean NOT NULL,
	updated_at timestamptz NOT NULL,
	updated_by text NOT NULL DEFAULT ''
);`

// Store is a scheduler.RunStore and scheduler.ScheduleStore on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a Store on pool (which it does not close). Call Migrate once.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Migrate creates the scheduler tables if they are missing. Replicas may
// call it at the same time: a transaction-scoped advisory lock serialises them.
func (s *Store) Migrate(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pglock: migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('xunhui.scheduler.migrate'))"); err != nil {
		return fmt.Errorf("pglock: migrate lock: %w", err)
	}
	if _, err := tx.Exec(ctx, schema); err != nil {
		return fmt.Errorf("pglock: migrate: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pglock: migrate commit: %w", err)
	}
	return nil
}

// Claim implements scheduler.RunStore in one transaction: mark the job's
// runs still "running" abandoned (the caller holds the job lock, so their
// replica lost it), then insert the run unless the slot has a live run.
func (s *Store) Claim(ctx context.Context, r *scheduler.Run) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pglock: claim: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `UPDATE scheduler_runs SET outcome = 'abandoned', ended = now(),
		error = 'abandoned: replica ' || replica || ' lost its lock mid-run'
		WHERE job = $1 AND outcome = 'running'`, r.Job); err != nil {
		return fmt.Errorf("pglock: claim: abandon stale runs: %w", err)
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO scheduler_runs (job, slot, trigger, replica, started, outcome)
		VALUES ($1, $2, $3, $4, $5, 'running')
		ON CONFLICT (job, slot) WHERE outcome <> 'abandoned' DO NOTHING RETURNING id`,
		r.Job, r.Slot.UTC(), string(r.Trigger), r.Replica, r.Started.UTC()).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return scheduler.ErrSlotDone
	}
	if err != nil {
		return fmt.Errorf("pglock: claim: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pglock: claim commit: %w", err)
	}
	r.ID, r.Outcome = strconv.FormatInt(id, 10), scheduler.Running
	return nil
}

// Finish implements scheduler.RunStore. A run that another replica has
// meanwhile marked abandoned stays abandoned (its slot belongs to the
// replica that took over); Finish then returns an error saying so.
func (s *Store) Finish(ctx context.Context, r scheduler.Run) error {
	id, err := strconv.ParseInt(r.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("pglock: finish: bad run id %q", r.ID)
	}
	ended := time.Now().UTC()
	if r.Ended != nil {
		ended = r.Ended.UTC()
	}
	var output any
	if r.Output != nil {
		output = r.Output
	}
	tag, err := s.pool.Exec(ctx, `UPDATE scheduler_runs SET ended = $2, outcome = $3, error = $4, summary = $5, output = $6
		WHERE id = $1 AND outcome = 'running'`, id, ended, string(r.Outcome), r.Error, r.Summary, output)
	if err != nil {
		return fmt.Errorf("pglock: finish run %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pglock: finish run %d: no longer running (taken over by another replica)", id)
	}
	return nil
}

// Runs implements scheduler.RunStore: newest start first.
func (s *Store) Runs(ctx context.Context, f scheduler.RunFilter) ([]scheduler.Run, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 1000 {
		limit = 1000
	}
	rows, err := s.pool.Query(ctx, `SELECT id, job, slot, trigger, replica, started, ended, outcome, error, summary, output
		FROM scheduler_runs WHERE $1 = '' OR job = $1 ORDER BY started DESC, id DESC LIMIT $2`, f.Job, limit)
	if err != nil {
		return nil, fmt.Errorf("pglock: list runs: %w", err)
	}
	defer rows.Close()
	out := []scheduler.Run{}
	for rows.Next() {
		var (
			r       scheduler.Run
			id      int64
			trigger string
			outcome string
		)
		if err := rows.Scan(&id, &r.Job, &r.Slot, &trigger, &r.Replica, &r.Started, &r.Ended, &outcome, &r.Error, &r.Summary, &r.Output); err != nil {
			return nil, fmt.Errorf("pglock: list runs: %w", err)
		}
		r.ID, r.Trigger, r.Outcome = strconv.FormatInt(id, 10), scheduler.Trigger(trigger), scheduler.Outcome(outcome)
		r.Slot, r.Started = r.Slot.UTC(), r.Started.UTC()
		if r.Ended != nil {
			e := r.Ended.UTC()
			r.Ended = &e
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pglock: list runs: %w", err)
	}
	return out, nil
}

// Schedules implements scheduler.ScheduleStore.
func (s *Store) Schedules(ctx context.Context) ([]scheduler.Schedule, error) {
	rows, err := s.pool.Query(ctx, `SELECT job, spec, time_zone, enabled, updated_at, updated_by FROM scheduler_schedules ORDER BY job`)
	if err != nil {
		return nil, fmt.Errorf("pglock: list schedules: %w", err)
	}
	defer rows.Close()
	out := []scheduler.Schedule{}
	for rows.Next() {
		var (
			v  scheduler.Schedule
			at time.Time
		)
		if err := rows.Scan(&v.Job, &v.Spec, &v.TimeZone, &v.Enabled, &at, &v.UpdatedBy); err != nil {
			return nil, fmt.Errorf("pglock: list schedules: %w", err)
		}
		at = at.UTC()
		v.UpdatedAt = &at
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pglock: list schedules: %w", err)
	}
	return out, nil
}

// PutSchedule implements scheduler.ScheduleStore (upsert by job).
func (s *Store) PutSchedule(ctx context.Context, v scheduler.Schedule) error {
	at := time.Now().UTC()
	if v.UpdatedAt != nil {
		at = v.UpdatedAt.UTC()
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO scheduler_schedules (job, spec, time_zone, enabled, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (job) DO UPDATE SET spec = $2, time_zone = $3, enabled = $4, updated_at = $5, updated_by = $6`,
		v.Job, v.Spec, v.TimeZone, v.Enabled, at, v.UpdatedBy)
	if err != nil {
		return fmt.Errorf("pglock: put schedule %s: %w", v.Job, err)
	}
	return nil
}
