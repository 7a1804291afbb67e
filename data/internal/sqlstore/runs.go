package sqlstore

import (
	"context"
	"fmt"

	"github.com/yingjing/xunhui/data"
)

const runCols = `id, kind, from_day, to_day, status, error, stopped, cancel_requested, job_id, attempt, worker,
	created_by, baseline, as_of, progress, created_at, updated_at, started_at, finished_at`

func scanRun(r Row) (data.Run, error) {
	var x data.Run
	var kind, from, to, status, progress string
	if err := r.Scan(&x.ID, &kind, &from, &to, &status, &x.Error, &x.Stopped, &x.CancelRequested, &x.JobID, &x.Attempt, &x.Worker,
		&x.CreatedBy, &x.Baseline, &x.AsOf, &progress, &x.CreatedAt, &x.UpdatedAt, &x.StartedAt, &x.FinishedAt); err != nil {
		return x, err
	}
	x.Kind, x.From, x.To, x.Status = data.RunKind(kind), data.Date(from), data.Date(to), data.RunStatus(status)
	x.Progress = []data.RunPoint{}
	return x, fromJSON(progress, &x.Progress)
}

// activeKey is the value of runs.active_key: the (kind, period) while the
// run is active, NULL once it is final.
func activeKey(r data.Run) any {
	if r.Status.Active() {
		return r.ActiveKey()
	}
	return nil
}

// CreateRun implements data.Store.
func (s *Store) CreateRun(ctx context.Context, r *data.Run) error {
	const op = "store.CreateRun"
	c := *r
	if c.ID == "" {
		c.ID = data.NewID("P")
	}
	if c.Status == "" {
		c.Status = data.RunQueued
	}
	if c.Progress == nil {
		c.Progress = []data.RunPoint{}
	}
	if err := c.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	err := s.tx(ctx, op, func(tx Tx) error {
		var first string
		err := tx.QueryRow(ctx, `SELECT id FROM runs WHERE active_key = $1`, c.ActiveKey()).Scan(&first)
		if err == nil {
			return &data.Error{Kind: data.Conflict, ID: first,
				Message: fmt.Sprintf("run %s (%s %s–%s) is still in flight; wait for it or stop it (DELETE)", first, c.Kind, c.From, c.To)}
		}
		if data.ErrorKind(err) != data.NotFound {
			return err
		}
		now := s.now()
		c.CreatedAt, c.UpdatedAt = now, now
		if _, err := tx.Exec(ctx, `INSERT INTO runs (`+runCols+`, active_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			c.ID, string(c.Kind), string(c.From), string(c.To), string(c.Status), c.Error, c.Stopped, false, c.JobID, c.Attempt, c.Worker,
			c.CreatedBy, c.Baseline, c.AsOf, toJSON(c.Progress), now, now, c.StartedAt, c.FinishedAt, activeKey(c)); err != nil {
			if data.ErrorKind(err) == data.Conflict {
				// Another process inserted the same id or (kind, period) in between.
				return &data.Error{Kind: data.Conflict, Message: fmt.Sprintf("a run of %s %s–%s is already in flight", c.Kind, c.From, c.To)}
			}
			return err
		}
		return nil
	})
	if err == nil {
		*r = c
	}
	return err
}

// GetRun implements data.Store.
func (s *Store) GetRun(ctx context.Context, id string) (data.Run, error) {
	var r data.Run
	err := s.tx(ctx, "store.GetRun", func(tx Tx) error {
		var err error
		r, err = getRun(ctx, tx, id)
		return err
	})
	return r, err
}

func getRun(ctx context.Context, tx Tx, id string) (data.Run, error) {
	r, err := scanRun(tx.QueryRow(ctx, `SELECT `+runCols+` FROM runs WHERE id = $1`, id))
	if data.ErrorKind(err) == data.NotFound {
		return r, data.Errorf(data.NotFound, "no run %s", id)
	}
	return r, err
}

// ListRuns implements data.Store.
func (s *Store) ListRuns(ctx context.Context, f data.RunFilter) ([]data.Run, error) {
	out := []data.Run{}
	err := s.tx(ctx, "store.ListRuns", func(tx Tx) error {
		active := 0
		if f.Active {
			active = 1
		}
		rows, err := tx.Query(ctx, `SELECT `+runCols+` FROM runs
			WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR status = $2) AND ($3 = 0 OR status IN ('queued', 'running'))
			ORDER BY created_at DESC, id DESC LIMIT $4`,
			string(f.Kind), string(f.Status), active, limit(f.Limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRun(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateRun implements data.Store.
func (s *Store) UpdateRun(ctx context.Context, u data.RunUpdate) (data.Run, error) {
	var r data.Run
	err := s.tx(ctx, "store.UpdateRun", func(tx Tx) error {
		var err error
		if r, err = getRun(ctx, tx, u.ID); err != nil {
			return err
		}
		applyRunUpdate(&r, u)
		now := s.now()
		r.UpdatedAt = now
		if u.Started {
			r.StartedAt = &now
			r.FinishedAt = nil
		}
		if u.Finished {
			r.FinishedAt = &now
		}
		_, err = tx.Exec(ctx, `UPDATE runs SET status = $2, error = $3, stopped = $4, job_id = $5, attempt = $6, worker = $7,
			progress = $8, updated_at = $9, started_at = $10, finished_at = $11, active_key = $12 WHERE id = $1`,
			r.ID, string(r.Status), r.Error, r.Stopped, r.JobID, r.Attempt, r.Worker, toJSON(r.Progress), now, r.StartedAt, r.FinishedAt, activeKey(r))
		return err
	})
	return r, err
}

func applyRunUpdate(r *data.Run, u data.RunUpdate) {
	if u.Status != nil {
		r.Status = *u.Status
	}
	if u.Error != nil {
		r.Error = *u.Error
	}
	if u.Stopped != nil {
		r.Stopped = *u.Stopped
	}
	if u.JobID != nil {
		r.JobID = *u.JobID
	}
	if u.Attempt != nil {
		r.Attempt = *u.Attempt
	}
	if u.Worker != nil {
		r.Worker = *u.Worker
	}
	if u.Progress != nil {
		p := *u.Progress
		if len(p) > data.MaxRunPoints {
			p = p[len(p)-data.MaxRunPoints:]
		}
		r.Progress = append([]data.RunPoint{}, p...)
	}
}

// RequestRunCancel implements data.Store.
func (s *Store) RequestRunCancel(ctx context.Context, id string) (data.Run, error) {
	var r data.Run
	err := s.tx(ctx, "store.RequestRunCancel", func(tx Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE runs SET cancel_requested = $2, updated_at = $3 WHERE id = $1`, id, true, s.now()); err != nil {
			return err
		}
		var err error
		r, err = getRun(ctx, tx, id)
		return err
	})
	return r, err
}

// CountRuns implements data.Store.
func (s *Store) CountRuns(ctx context.Context, kind data.RunKind, status data.RunStatus) (int, error) {
	var n int
	err := s.tx(ctx, "store.CountRuns", func(tx Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM runs WHERE kind = $1 AND status = $2`, string(kind), string(status)).Scan(&n)
	})
	return n, err
}
