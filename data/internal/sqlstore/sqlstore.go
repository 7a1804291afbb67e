// Package sqlstore implements data.Store once, in portable SQL, over a tiny
// database interface that the two adapters (data/postgres on pgx, data/sqlite
// on database/sql + modernc.org/sqlite) provide.
//
// Why one implementation: the schema and queries are ordinary SQL that both
// engines accept ($N placeholders, ON CONFLICT upserts, partial indexes), so
// writing every method twice would only double the places where the two
// stores can drift apart. Each adapter owns what really differs: connection
// setup, the DDL dialect of its migrations, type conversion (SQLite keeps
// timestamps as text) and the translation of driver errors into data.Error
// kinds at the edge. The contract suite in data/storetest runs against both.
package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
)

// DB is what an adapter provides: transactions, a health check and Close.
type DB interface {
	// Begin starts a read-write transaction.
	Begin(ctx context.Context) (Tx, error)
	// QueryRow runs one read outside any transaction (one round trip,
	// no BEGIN/COMMIT): only for a single-statement read that needs no
	// snapshot shared with another statement.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Ping checks the connection.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Tx is a database transaction. Queries use $1, $2... placeholders. Errors
// returned by its methods are already translated to *data.Error: NotFound
// for "no rows" (Row.Scan), Conflict for unique violations, Invalid for
// foreign-key and check violations, Internal otherwise.
type Tx interface {
	// Exec runs a statement and returns the number of rows it changed. With
	// no args it may hold several statements (migrations).
	Exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	// Query runs a query returning rows; the caller must Close them.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a query returning at most one row.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Commit ends the transaction, keeping its writes.
	Commit(ctx context.Context) error
	// Rollback ends the transaction, discarding its writes.
	Rollback(ctx context.Context) error
}

// Rows is a result set; Scan supports *string, *int, *int64, *float64,
// *bool, *[]byte, *time.Time and **time.Time (NULL as nil).
type Rows interface {
	// Next advances to the next row, reporting whether there is one.
	Next() bool
	// Scan copies the current row's columns into dest.
	Scan(dest ...any) error
	// Err returns the error that stopped Next, if any.
	Err() error
	// Close releases the result set; it is safe to call twice.
	Close()
}

// Row is a single-row result; Scan returns a NotFound *data.Error when the
// query produced no row.
type Row interface {
	// Scan copies the row's columns into dest.
	Scan(dest ...any) error
}

// Store implements data.Store over a DB.
type Store struct {
	db DB
	// Now returns the current time; tests may replace it. Stored times are
	// Now().UTC() truncated to microseconds (PostgreSQL's resolution), so
	// that both engines round-trip the same value.
	Now func() time.Time
}

// New returns a Store over db.
func New(db DB) *Store { return &Store{db: db, Now: time.Now} }

var _ data.Store = (*Store)(nil)

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Store) today() data.Date { return data.DateOf(s.Now()) }

// tx runs fn in a transaction: begin, defer rollback, fn, commit. Errors are
// given op as context while keeping their kind.
func (s *Store) tx(ctx context.Context, op string, fn func(tx Tx) error) (err error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return data.WithOp(op, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(ctx)
		}
	}()
	if err = fn(textGuard{tx}); err != nil {
		return data.WithOp(op, err)
	}
	if data.IsDryRun(ctx) {
		return data.WithOp(op, tx.Rollback(ctx))
	}
	if err = tx.Commit(ctx); err != nil {
		return data.WithOp(op, err)
	}
	return nil
}

// Ping implements data.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.Ping(ctx); err != nil {
		return data.WithOp("store.Ping", &data.Error{Kind: data.Internal, Err: err})
	}
	return nil
}

// Close implements data.Store.
func (s *Store) Close() error { return s.db.Close() }

// Seeded implements data.Store.
func (s *Store) Seeded(ctx context.Context) (bool, error) {
	var n int
	err := s.tx(ctx, "store.Seeded", func(tx Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM villages`).Scan(&n)
	})
	return n > 0, err
}

// toJSON encodes v for a text column. Callers pass only values that always
// encode (records of data) or that were checked first (Plan.Summary in
// Plan.Validate, JobRun.Output in the job methods), so failure is a bug.
func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("sqlstore: encode " + err.Error()) // records of this package always encode
	}
	return string(b)
}

// fromJSON decodes a text column; a corrupt column is an Internal error.
func fromJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return &data.Error{Kind: data.Internal, Message: "corrupt json column", Err: err}
	}
	return nil
}

// placeholders returns "$start,$start+1,...", n of them.
func placeholders(start, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "$%d", start+i)
	}
	return b.String()
}

// idSet loads the ids of a table (or any one-column query) into a set.
func idSet(ctx context.Context, tx Tx, query string, args ...any) (map[string]bool, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		set[id] = true
	}
	return set, rows.Err()
}

// exists reports whether query returns a row.
func exists(ctx context.Context, tx Tx, query string, args ...any) (bool, error) {
	var one int
	err := tx.QueryRow(ctx, query, args...).Scan(&one)
	if data.ErrorKind(err) == data.NotFound {
		return false, nil
	}
	return err == nil, err
}

// rowError turns a validation error of record i (0-based) into a RowError.
func rowError(i int, err error) data.RowError {
	re := data.RowError{Line: i + 1, Field: data.ErrorField(err)}
	var de *data.Error
	if errors.As(err, &de) && de.Message != "" {
		re.Reason = de.Message
	} else {
		re.Reason = err.Error()
	}
	return re
}

// batch collects row errors for a bulk write.
type batch struct {
	rows []data.RowError
	seen map[string]int
}

func (b *batch) add(i int, err error) { b.rows = append(b.rows, rowError(i, err)) }

func (b *batch) fail(i int, field, format string, args ...any) {
	b.rows = append(b.rows, data.RowError{Line: i + 1, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// dup records key for record i and reports (as a row error) a repeat.
func (b *batch) dup(i int, field, key string) bool {
	if b.seen == nil {
		b.seen = map[string]int{}
	}
	if j, ok := b.seen[key]; ok {
		b.fail(i, field, "%q repeats record %d", key, j+1)
		return true
	}
	b.seen[key] = i
	return false
}

func (b *batch) err(op string) error { return data.NewImportError(op, b.rows) }

// notFound returns a NotFound error naming what is missing.
func notFound(what, id string) error {
	return data.Errorf(data.NotFound, "%s %q not found", what, id)
}

// versionConflict returns the error for a stale version.
func versionConflict(what, id string, have, want int64) error {
	return &data.Error{Kind: data.Conflict, Field: "version",
		Message: fmt.Sprintf("%s %q was changed by someone else (version %d, you sent %d); reload and retry", what, id, have, want)}
}

// checkVersion explains why a version-guarded write touched no row.
func checkVersion(ctx context.Context, tx Tx, table, what, id string, want int64) error {
	var have int64
	err := tx.QueryRow(ctx, `SELECT version FROM `+table+` WHERE id = $1`, id).Scan(&have)
	if data.ErrorKind(err) == data.NotFound {
		return notFound(what, id)
	}
	if err != nil {
		return err
	}
	return versionConflict(what, id, have, want)
}

func limit(n int) int {
	if n <= 0 {
		return data.DefaultLimit
	}
	return min(n, data.MaxLimit)
}
