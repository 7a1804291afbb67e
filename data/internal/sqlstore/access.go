package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/yingjing/xunhui/data"
)

const userCols = `id, name, role, township_id, team_id, disabled, version, created_at`

func scanUser(r Row) (data.User, error) {
	var u data.User
	err := r.Scan(&u.ID, &u.Name, &u.Role, &u.TownshipID, &u.TeamID, &u.Disabled, &u.Version, &u.CreatedAt)
	return u, err
}

// checkUserScope checks that the township or team of u exists.
func checkUserScope(ctx context.Context, tx Tx, u data.User) error {
	if u.TownshipID != "" {
		ok, err := exists(ctx, tx, `SELECT 1 FROM townships WHERE id = $1`, u.TownshipID)
		if err != nil {
			return err
		}
		if !ok {
			return data.FieldError("township_id", "unknown township %s", u.TownshipID)
		}
	}
	if u.TeamID != "" {
		ok, err := exists(ctx, tx, `SELECT 1 FROM teams WHERE id = $1`, u.TeamID)
		if err != nil {
			return err
		}
		if !ok {
			return data.FieldError("team_id", "unknown team %s", u.TeamID)
		}
	}
	return nil
}

// CreateUser implements data.Store.
func (s *Store) CreateUser(ctx context.Context, u *data.User) error {
	const op = "store.CreateUser"
	if err := u.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	return s.tx(ctx, op, func(tx Tx) error {
		if err := checkUserScope(ctx, tx, *u); err != nil {
			return err
		}
		c := *u
		c.Version, c.CreatedAt = 1, s.now()
		if _, err := tx.Exec(ctx, `INSERT INTO users (`+userCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			c.ID, c.Name, string(c.Role), c.TownshipID, c.TeamID, c.Disabled, c.Version, c.CreatedAt); err != nil {
			if data.ErrorKind(err) == data.Conflict {
				return &data.Error{Kind: data.Conflict, Field: "id", Message: fmt.Sprintf("user %q already exists", c.ID)}
			}
			return err
		}
		*u = c
		return nil
	})
}

// GetUser implements data.Store.
func (s *Store) GetUser(ctx context.Context, id string) (data.User, error) {
	var u data.User
	err := s.tx(ctx, "store.GetUser", func(tx Tx) (err error) {
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("user", id)
		}
		return err
	})
	return u, err
}

// ListUsers implements data.Store.
func (s *Store) ListUsers(ctx context.Context) ([]data.User, error) {
	out := []data.User{}
	err := s.tx(ctx, "store.ListUsers", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateUser implements data.Store.
func (s *Store) UpdateUser(ctx context.Context, u *data.User) error {
	const op = "store.UpdateUser"
	if err := u.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	return s.tx(ctx, op, func(tx Tx) error {
		if err := checkUserScope(ctx, tx, *u); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `UPDATE users SET name = $3, role = $4, township_id = $5, team_id = $6, disabled = $7,
			version = version + 1 WHERE id = $1 AND version = $2`,
			u.ID, u.Version, u.Name, string(u.Role), u.TownshipID, u.TeamID, u.Disabled)
		if err != nil {
			return err
		}
		if n == 0 {
			return checkVersion(ctx, tx, "users", "user", u.ID, u.Version)
		}
		got, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, u.ID))
		if err == nil {
			*u = got
		}
		return err
	})
}

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

const tokenCols = `id, user_id, name, hash, created_at, expires_at`

func scanToken(r Row) (data.Token, error) {
	var t data.Token
	err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &t.ExpiresAt)
	return t, err
}

// CreateToken implements data.Store.
func (s *Store) CreateToken(ctx context.Context, t *data.Token) error {
	const op = "store.CreateToken"
	if err := checkToken(*t); err != nil {
		return data.WithOp(op, err)
	}
	return s.tx(ctx, op, func(tx Tx) error { return s.insertToken(ctx, tx, t) })
}

// checkToken validates the fields of a token to store.
func checkToken(t data.Token) error {
	if !hashRE.MatchString(t.Hash) {
		return data.FieldError("hash", "is not a lower-case hex SHA-256 (use data.HashToken)")
	}
	if len(t.Name) > 100 {
		return data.FieldError("name", "longer than 100 bytes")
	}
	if t.ID != "" && !data.ValidID(t.ID) {
		return data.FieldError("id", "%q is not a valid id", t.ID)
	}
	return nil
}

// insertToken stores t (the user must exist; ID assigned if empty,
// CreatedAt set) and updates *t.
func (s *Store) insertToken(ctx context.Context, tx Tx, t *data.Token) error {
	ok, err := exists(ctx, tx, `SELECT 1 FROM users WHERE id = $1`, t.UserID)
	if err != nil {
		return err
	}
	if !ok {
		return data.FieldError("user_id", "unknown user %s", t.UserID)
	}
	c := *t
	if c.ID == "" {
		c.ID = data.NewID("tok")
	}
	c.CreatedAt = s.now()
	var exp *time.Time
	if c.ExpiresAt != nil {
		e := c.ExpiresAt.UTC().Truncate(time.Microsecond)
		exp, c.ExpiresAt = &e, &e
	}
	if _, err := tx.Exec(ctx, `INSERT INTO tokens (`+tokenCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ID, c.UserID, c.Name, c.Hash, c.CreatedAt, exp); err != nil {
		if data.ErrorKind(err) == data.Conflict {
			return &data.Error{Kind: data.Conflict, Field: "hash", Message: "token already exists"}
		}
		return err
	}
	*t = c
	return nil
}

// UserByTokenHash implements data.Store.
func (s *Store) UserByTokenHash(ctx context.Context, hash string) (data.User, data.Token, error) {
	var u data.User
	var t data.Token
	err := s.tx(ctx, "store.UserByTokenHash", func(tx Tx) (err error) {
		t, err = scanToken(tx.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = $1`, hash))
		if data.ErrorKind(err) == data.NotFound {
			return data.Errorf(data.Unauthorized, "unknown token")
		}
		if err != nil {
			return err
		}
		if t.ExpiresAt != nil && !s.now().Before(*t.ExpiresAt) {
			return data.Errorf(data.Unauthorized, "token expired")
		}
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, t.UserID))
		if err != nil {
			return err
		}
		if u.Disabled {
			return data.Errorf(data.Unauthorized, "user disabled")
		}
		return nil
	})
	return u, t, err
}

// ListTokens implements data.Store.
func (s *Store) ListTokens(ctx context.Context, userID string) ([]data.Token, error) {
	out := []data.Token{}
	err := s.tx(ctx, "store.ListTokens", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+tokenCols+` FROM tokens WHERE user_id = $1 ORDER BY created_at, id`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteToken implements data.Store.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	return s.tx(ctx, "store.DeleteToken", func(tx Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM tokens WHERE id = $1`, id)
		if err == nil && n == 0 {
			return notFound("token", id)
		}
		return err
	})
}

// GetMatrix implements data.Store.
func (s *Store) GetMatrix(ctx context.Context, key string) (data.MatrixEntry, error) {
	var e data.MatrixEntry
	err := s.tx(ctx, "store.GetMatrix", func(tx Tx) error {
		err := tx.QueryRow(ctx, `SELECT cache_key, payload, source, created_at FROM matrix_cache WHERE cache_key = $1`, key).
			Scan(&e.Key, &e.Blob, &e.Source, &e.CreatedAt)
		if data.ErrorKind(err) == data.NotFound {
			return notFound("matrix", key)
		}
		return err
	})
	return e, err
}

// PutMatrix implements data.Store.
func (s *Store) PutMatrix(ctx context.Context, e data.MatrixEntry) error {
	const op = "store.PutMatrix"
	switch {
	case e.Key == "" || len(e.Key) > 200:
		return data.WithOp(op, data.FieldError("key", "must be 1–200 bytes"))
	case len(e.Blob) > data.MaxBlob:
		return data.WithOp(op, data.FieldError("blob", "larger than %d bytes", data.MaxBlob))
	case len(e.Source) > 200:
		return data.WithOp(op, data.FieldError("source", "longer than 200 bytes"))
	}
	if e.Blob == nil {
		e.Blob = []byte{}
	}
	return s.tx(ctx, op, func(tx Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO matrix_cache (cache_key, payload, source, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (cache_key) DO UPDATE SET payload = excluded.payload, source = excluded.source, created_at = excluded.created_at`,
			e.Key, e.Blob, e.Source, s.now())
		return err
	})
}

// DeleteMatrices implements data.Store.
func (s *Store) DeleteMatrices(ctx context.Context, prefix string) (int, error) {
	var n int64
	err := s.tx(ctx, "store.DeleteMatrices", func(tx Tx) (err error) {
		n, err = tx.Exec(ctx, `DELETE FROM matrix_cache WHERE substr(cache_key, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT)`, prefix)
		return err
	})
	return int(n), err
}

const jobCols = `id, job, slot, started, ended, outcome, error, output`

func scanJob(r Row) (data.JobRun, error) {
	var j data.JobRun
	var out string
	if err := r.Scan(&j.ID, &j.Job, &j.Slot, &j.Started, &j.Ended, &j.Outcome, &j.Error, &out); err != nil {
		return j, err
	}
	return j, fromJSON(out, &j.Output)
}

// StartJobRun implements data.Store.
func (s *Store) StartJobRun(ctx context.Context, r *data.JobRun) error {
	const op = "store.StartJobRun"
	if !data.ValidID(r.Job) {
		return data.WithOp(op, data.FieldError("job", "%q is not a valid job name", r.Job))
	}
	if len(r.Slot) > 100 {
		return data.WithOp(op, data.FieldError("slot", "longer than 100 bytes"))
	}
	if _, err := json.Marshal(r.Output); err != nil {
		return data.WithOp(op, data.FieldError("output", "is not JSON-encodable: %v", err))
	}
	c := *r
	if c.ID == "" {
		c.ID = data.NewID("J")
	}
	if c.Started.IsZero() {
		c.Started = s.now()
	}
	c.Started = c.Started.UTC().Truncate(time.Microsecond)
	c.Ended, c.Outcome, c.Error = nil, data.JobRunning, ""
	err := s.tx(ctx, op, func(tx Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO job_runs (`+jobCols+`) VALUES ($1, $2, $3, $4, NULL, $5, '', $6)`,
			c.ID, c.Job, c.Slot, c.Started, string(c.Outcome), toJSON(c.Output))
		if data.ErrorKind(err) == data.Conflict {
			return &data.Error{Kind: data.Conflict, Field: "slot", Message: fmt.Sprintf("job %s slot %q already claimed", c.Job, c.Slot)}
		}
		return err
	})
	if err == nil {
		*r = c
	}
	return err
}

// FinishJobRun implements data.Store.
func (s *Store) FinishJobRun(ctx context.Context, r data.JobRun) error {
	const op = "store.FinishJobRun"
	switch r.Outcome {
	case data.JobOK, data.JobFailed, data.JobSkipped:
	default:
		return data.WithOp(op, data.FieldError("outcome", "%q is not ok, failed or skipped", r.Outcome))
	}
	if _, err := json.Marshal(r.Output); err != nil {
		return data.WithOp(op, data.FieldError("output", "is not JSON-encodable: %v", err))
	}
	end := s.now()
	if r.Ended != nil {
		end = r.Ended.UTC().Truncate(time.Microsecond)
	}
	return s.tx(ctx, op, func(tx Tx) error {
		n, err := tx.Exec(ctx, `UPDATE job_runs SET ended = $2, outcome = $3, error = $4, output = $5 WHERE id = $1`,
			r.ID, end, string(r.Outcome), r.Error, toJSON(r.Output))
		if err == nil && n == 0 {
			return notFound("job run", r.ID)
		}
		return err
	})
}

// AbandonJobRun implements data.Store.
func (s *Store) AbandonJobRun(ctx context.Context, id, reason string) error {
	return s.tx(ctx, "store.AbandonJobRun", func(tx Tx) error {
		n, err := tx.Exec(ctx, `UPDATE job_runs SET ended = $2, outcome = 'abandoned', error = $3
			WHERE id = $1 AND outcome = 'running'`, id, s.now(), reason)
		if err != nil {
			return err
		}
		if n == 0 {
			ok, err := exists(ctx, tx, `SELECT 1 FROM job_runs WHERE id = $1`, id)
			if err != nil {
				return err
			}
			if !ok {
				return notFound("job run", id)
			}
			return data.Errorf(data.Conflict, "job run %s is not running", id)
		}
		return nil
	})
}

// ListJobRuns implements data.Store.
func (s *Store) ListJobRuns(ctx context.Context, f data.JobRunFilter) ([]data.JobRun, error) {
	out := []data.JobRun{}
	err := s.tx(ctx, "store.ListJobRuns", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+jobCols+` FROM job_runs WHERE ($1 = '' OR job = $1)
			ORDER BY started DESC, id DESC LIMIT $2`, f.Job, limit(f.Limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// LastJobSlot implements data.Store.
func (s *Store) LastJobSlot(ctx context.Context, job string) (string, error) {
	var slot string
	err := s.tx(ctx, "store.LastJobSlot", func(tx Tx) error {
		return tx.QueryRow(ctx, `SELECT COALESCE(MAX(slot), '') FROM job_runs
			WHERE job = $1 AND slot <> '' AND outcome <> 'abandoned'`, job).Scan(&slot)
	})
	return slot, err
}

// ListJobSchedules implements data.Store.
func (s *Store) ListJobSchedules(ctx context.Context) ([]data.JobSchedule, error) {
	out := []data.JobSchedule{}
	err := s.tx(ctx, "store.ListJobSchedules", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT job, spec, time_zone, enabled, updated_at, updated_by FROM job_schedules ORDER BY job`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j data.JobSchedule
			if err := rows.Scan(&j.Job, &j.Spec, &j.TimeZone, &j.Enabled, &j.UpdatedAt, &j.UpdatedBy); err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// PutJobSchedule implements data.Store.
func (s *Store) PutJobSchedule(ctx context.Context, j *data.JobSchedule) error {
	const op = "store.PutJobSchedule"
	if err := j.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	now := s.now()
	err := s.tx(ctx, op, func(tx Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO job_schedules (job, spec, time_zone, enabled, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (job) DO UPDATE SET spec = excluded.spec, time_zone = excluded.time_zone,
			enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			j.Job, j.Spec, j.TimeZone, j.Enabled, now, j.UpdatedBy)
		return err
	})
	if err == nil {
		j.UpdatedAt = now
	}
	return err
}

// DeleteJobSchedule implements data.Store.
func (s *Store) DeleteJobSchedule(ctx context.Context, job string) error {
	return s.tx(ctx, "store.DeleteJobSchedule", func(tx Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM job_schedules WHERE job = $1`, job)
		if err == nil && n == 0 {
			return notFound("job schedule", job)
		}
		return err
	})
}
