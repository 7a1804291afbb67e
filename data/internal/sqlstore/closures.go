package sqlstore

import (
	"context"

	"github.com/yingjing/xunhui/data"
)

const closureCols = `id, kind, name, reason, line, village_id, trailhead, walk_minutes, from_day, to_day, yearly,
	created_by, version, created_at, updated_at`

func scanClosure(r Row) (data.Closure, error) {
	var c data.Closure
	var line, trail string
	if err := r.Scan(&c.ID, &c.Kind, &c.Name, &c.Reason, &line, &c.VillageID, &trail, &c.WalkMinutes, &c.From, &c.To,
		&c.Yearly, &c.CreatedBy, &c.Version, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if err := fromJSON(line, &c.Line); err != nil {
		return c, err
	}
	if len(c.Line) == 0 {
		c.Line = nil
	}
	if trail != "" {
		c.Trailhead = &data.Point{}
		if err := fromJSON(trail, c.Trailhead); err != nil {
			return c, err
		}
	}
	return c, nil
}

// closureArgs are c's columns after id in closureCols order, up to yearly.
func closureArgs(c data.Closure) []any {
	trail := ""
	if c.Trailhead != nil {
		trail = toJSON(c.Trailhead)
	}
	line := c.Line
	if line == nil {
		line = []data.Point{}
	}
	return []any{string(c.Kind), c.Name, c.Reason, toJSON(line), c.VillageID, trail, c.WalkMinutes, c.From, c.To, c.Yearly}
}

// checkClosureVillage reports an unknown foot-only village.
func checkClosureVillage(ctx context.Context, tx Tx, c data.Closure) error {
	if c.Kind != data.FootOnly {
		return nil
	}
	ok, err := exists(ctx, tx, `SELECT 1 FROM villages WHERE id = $1`, c.VillageID)
	if err != nil {
		return err
	}
	if !ok {
		return data.FieldError("village_id", "unknown village %s", c.VillageID)
	}
	return nil
}

// ImportClosures implements data.Store.
func (s *Store) ImportClosures(ctx context.Context, cs []data.Closure, by string) error {
	const op = "store.ImportClosures"
	out := append([]data.Closure(nil), cs...)
	return s.tx(ctx, op, func(tx Tx) error {
		known, err := idSet(ctx, tx, `SELECT id FROM closures`)
		if err != nil {
			return err
		}
		var b batch
		for i := range out {
			c := &out[i]
			if c.ID == "" {
				c.ID = data.NewID("CL")
			}
			if err := c.Validate(); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "id", c.ID) {
				continue
			}
			if known[c.ID] {
				b.fail(i, "id", "closure %q already exists", c.ID)
				continue
			}
			if err := checkClosureVillage(ctx, tx, *c); err != nil {
				if data.ErrorKind(err) != data.Invalid {
					return err
				}
				b.add(i, err)
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		now := s.now()
		for i := range out {
			c := &out[i]
			c.CreatedBy, c.Version, c.CreatedAt, c.UpdatedAt = by, 1, now, now
			args := append([]any{c.ID}, closureArgs(*c)...)
			args = append(args, c.CreatedBy, c.Version, c.CreatedAt, c.UpdatedAt)
			if _, err := tx.Exec(ctx, `INSERT INTO closures (`+closureCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, args...); err != nil {
				return err
			}
		}
		copy(cs, out)
		return bumpData(ctx, tx)
	})
}

// GetClosure implements data.Store.
func (s *Store) GetClosure(ctx context.Context, id string) (data.Closure, error) {
	var c data.Closure
	err := s.tx(ctx, "store.GetClosure", func(tx Tx) (err error) {
		c, err = scanClosure(tx.QueryRow(ctx, `SELECT `+closureCols+` FROM closures WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("closure", id)
		}
		return err
	})
	return c, err
}

// ListClosures implements data.Store. The validity filter runs in Go: a
// yearly range is easier to read there than in two SQL dialects.
func (s *Store) ListClosures(ctx context.Context, f data.ClosureFilter) ([]data.Closure, error) {
	out := []data.Closure{}
	err := s.tx(ctx, "store.ListClosures", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+closureCols+` FROM closures WHERE ($1 = '' OR kind = $1) ORDER BY id`, string(f.Kind))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanClosure(rows)
			if err != nil {
				return err
			}
			if f.Match(c) {
				out = append(out, c)
			}
		}
		return rows.Err()
	})
	return out, err
}

// UpdateClosure implements data.Store.
func (s *Store) UpdateClosure(ctx context.Context, c *data.Closure) error {
	const op = "store.UpdateClosure"
	if err := c.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	return s.tx(ctx, op, func(tx Tx) error {
		if err := checkClosureVillage(ctx, tx, *c); err != nil {
			return err
		}
		now := s.now()
		args := append(closureArgs(*c), now, c.ID, c.Version)
		n, err := tx.Exec(ctx, `UPDATE closures SET kind = $1, name = $2, reason = $3, line = $4, village_id = $5, trailhead = $6,
			walk_minutes = $7, from_day = $8, to_day = $9, yearly = $10, updated_at = $11, version = version + 1
			WHERE id = $12 AND version = $13`, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return checkVersion(ctx, tx, "closures", "closure", c.ID, c.Version)
		}
		got, err := scanClosure(tx.QueryRow(ctx, `SELECT `+closureCols+` FROM closures WHERE id = $1`, c.ID))
		if err != nil {
			return err
		}
		*c = got
		return bumpData(ctx, tx)
	})
}

// DeleteClosure implements data.Store.
func (s *Store) DeleteClosure(ctx context.Context, id string, version int64) error {
	return s.tx(ctx, "store.DeleteClosure", func(tx Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM closures WHERE id = $1 AND ($2 = 0 OR version = $2)`, id, version)
		if err != nil {
			return err
		}
		if n == 0 {
			return checkVersion(ctx, tx, "closures", "closure", id, version)
		}
		return bumpData(ctx, tx)
	})
}
