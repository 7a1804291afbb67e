package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
)

// RecordAccess implements data.Store: the entries and their record ids go
// in with a few multi-row INSERTs of fixed shapes (insertRows), in one
// transaction, so that a group of entries from concurrent requests costs
// one commit.
func (s *Store) RecordAccess(ctx context.Context, rs ...*data.AccessRecord) error {
	const op = "store.RecordAccess"
	cs := make([]data.AccessRecord, len(rs))
	var entries, idRows [][]any
	for i, r := range rs {
		field := func(name string) string { return fmt.Sprintf("records[%d].%s", i, name) }
		switch {
		case r.UserID == "":
			return data.WithOp(op, data.FieldError(field("user_id"), "is required"))
		case r.Action != data.AccessRead && r.Action != data.AccessChange:
			return data.WithOp(op, data.FieldError(field("action"), "%q is not read or change", r.Action))
		case r.Kind == "":
			return data.WithOp(op, data.FieldError(field("kind"), "is required"))
		}
		c := *r
		if c.At.IsZero() {
			c.At = s.now()
		}
		c.At = c.At.UTC().Truncate(time.Microsecond)
		if c.ID == "" {
			c.ID = trailID(c.At)
		}
		c.RecordIDs = uniqueIDs(c.RecordIDs)
		cs[i] = c
		entries = append(entries, []any{c.ID, c.At, c.UserID, string(c.Role), string(c.Action), c.Method, c.Route, c.Kind,
			len(c.RecordIDs), c.Status, c.RequestID})
		for _, id := range c.RecordIDs {
			idRows = append(idRows, []any{c.ID, id})
		}
	}
	err := s.tx(ctx, op, func(tx Tx) error {
		if err := insertRows(ctx, tx, `INSERT INTO access_trail (id, at, user_id, role, action, method, route, kind, n, status, request_id) VALUES `, entries); err != nil {
			return err
		}
		return insertRows(ctx, tx, `INSERT INTO access_trail_ids (trail_id, record_id) VALUES `, idRows)
	})
	if err == nil {
		for i := range rs {
			*rs[i] = cs[i]
		}
	}
	return err
}

// trailID is a new entry's id: "AT-", the entry's time (Unix
// microseconds, 16 hex digits) and 4 random bytes, so that ids sort by time.
// New entries then go at the end of the primary-key index (and of
// access_trail_ids, keyed by it) instead of at random pages: on SQLite a
// commit writes every page it changed into the WAL, and random ids made a
// group of N entries change about N pages of each of the two indexes.
func trailID(at time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return fmt.Sprintf("AT-%016x%s", uint64(at.UnixMicro()), hex.EncodeToString(b[:]))
}

// insertChunks are the row counts of the multi-row INSERTs of insertRows:
// a few fixed shapes, so that prepared-statement caches (SQLite's, pgx's)
// keep hitting whatever the number of rows.
var insertChunks = []int{64, 8, 1}

// insertRows inserts rows (all of the same width) with prefix ("INSERT
// INTO t (a, b) VALUES "), at most len(rows)/64 + 14 statements.
func insertRows(ctx context.Context, tx Tx, prefix string, rows [][]any) error {
	for len(rows) > 0 {
		n := insertChunks[len(insertChunks)-1]
		for _, c := range insertChunks {
			if len(rows) >= c {
				n = c
				break
			}
		}
		width := len(rows[0])
		var b strings.Builder
		b.WriteString(prefix)
		args := make([]any, 0, n*width)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", len(args)+j+1)
			}
			b.WriteByte(')')
			args = append(args, r...)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func uniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ListAccess implements data.Store.
func (s *Store) ListAccess(ctx context.Context, f data.AccessFilter) ([]data.AccessRecord, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.UserID != "" {
		add("t.user_id = $%d", f.UserID)
	}
	if f.Kind != "" {
		add("t.kind = $%d", f.Kind)
	}
	if f.Action != "" {
		add("t.action = $%d", string(f.Action))
	}
	if !f.From.IsZero() {
		add("t.at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("t.at < $%d", f.To.UTC())
	}
	if f.RecordID != "" {
		add("EXISTS (SELECT 1 FROM access_trail_ids x WHERE x.trail_id = t.id AND x.record_id = $%d)", f.RecordID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	out := []data.AccessRecord{}
	total := 0
	err := s.tx(ctx, "store.ListAccess", func(tx Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM access_trail t`+cond, args...).Scan(&total); err != nil {
			return err
		}
		q := `SELECT t.id, t.at, t.user_id, t.role, t.action, t.method, t.route, t.kind, t.status, t.request_id
			FROM access_trail t` + cond + fmt.Sprintf(` ORDER BY t.at DESC, t.id DESC LIMIT $%d OFFSET $%d`, len(args)+1, len(args)+2)
		rows, err := tx.Query(ctx, q, append(args, limit(f.Limit), max(f.Offset, 0))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r data.AccessRecord
			var role, action string
			if err := rows.Scan(&r.ID, &r.At, &r.UserID, &role, &action, &r.Method, &r.Route, &r.Kind, &r.Status, &r.RequestID); err != nil {
				return err
			}
			r.Role, r.Action, r.RecordIDs = data.UserRole(role), data.AccessAction(action), []string{}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for i := range out {
			ids, err := tx.Query(ctx, `SELECT record_id FROM access_trail_ids WHERE trail_id = $1 ORDER BY record_id`, out[i].ID)
			if err != nil {
				return err
			}
			for ids.Next() {
				var id string
				if err := ids.Scan(&id); err != nil {
					ids.Close()
					return err
				}
				out[i].RecordIDs = append(out[i].RecordIDs, id)
			}
			err = ids.Err()
			ids.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, total, err
}

// PurgeAccess implements data.Store.
func (s *Store) PurgeAccess(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, "store.PurgeAccess", func(tx Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM access_trail_ids WHERE trail_id IN (SELECT id FROM access_trail WHERE at < $1)`, before.UTC()); err != nil {
			return err
		}
		var err error
		n, err = tx.Exec(ctx, `DELETE FROM access_trail WHERE at < $1`, before.UTC())
		return err
	})
	return n, err
}
