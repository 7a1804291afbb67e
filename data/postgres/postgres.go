// Package postgres is the production data.Store, on PostgreSQL through
// pgx/v5 (pgxpool). The queries themselves are shared with data/sqlite (see
// data/internal/sqlstore); this package owns the connection pool, the
// PostgreSQL rendering of the migrations and the translation of PostgreSQL
// errors into data.Error kinds.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/internal/sqlstore"
)

// dialect renders the shared migrations for PostgreSQL. Text columns use the
// "C" collation so that ORDER BY id sorts bytewise, exactly like SQLite.
var dialect = sqlstore.Dialect{
	Name: "postgres",
	Types: map[string]string{
		"text":  `TEXT COLLATE "C"`,
		"int":   "BIGINT",
		"float": "DOUBLE PRECISION",
		"bool":  "BOOLEAN",
		"ts":    "TIMESTAMPTZ",
		"blob":  "BYTEA",
	},
	// Serialises concurrent `xunhui migrate` runs (key: "xunhui" in ASCII).
	Lock: "SELECT pg_advisory_xact_lock(2017795215)",
}

// DB is a data.Store on PostgreSQL. It also implements data.Migrator.
type DB struct {
	*sqlstore.Store
	pool *pgxpool.Pool
}

var (
	_ data.Store    = (*DB)(nil)
	_ data.Migrator = (*DB)(nil)
)

// Open connects to the database at url (a postgres:// URL or key=value DSN)
// and checks that it answers. It does not migrate: call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: ping %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return &DB{Store: sqlstore.New(pgDB{pool}), pool: pool}, nil
}

// Migrate applies the pending embedded migrations; see data.Migrator.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	return sqlstore.Migrate(ctx, pgDB{db.pool}, dialect)
}

// Pool returns the underlying pool, for packages that keep their own
// PostgreSQL tables (e.g. the scheduler's locks).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// pgDB, pgTx, pgRows and pgRow adapt pgx to the sqlstore interfaces; every
// error leaving them is translated to a data.Error kind.
type pgDB struct{ pool *pgxpool.Pool }

func (d pgDB) Begin(ctx context.Context) (sqlstore.Tx, error) {
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return nil, translate(err)
	}
	return pgTx{tx}, nil
}

func (d pgDB) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return pgRow{d.pool.QueryRow(ctx, q, args...)}
}

func (d pgDB) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

func (d pgDB) Close() error {
	d.pool.Close()
	return nil
}

type pgTx struct{ tx pgx.Tx }

func (t pgTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, translate(err)
	}
	return tag.RowsAffected(), nil
}

func (t pgTx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	return pgRows{rows}, nil
}

func (t pgTx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return pgRow{t.tx.QueryRow(ctx, q, args...)}
}

func (t pgTx) Commit(ctx context.Context) error   { return translate(t.tx.Commit(ctx)) }
func (t pgTx) Rollback(ctx context.Context) error { return translate(t.tx.Rollback(ctx)) }

type pgRows struct{ rows pgx.Rows }

func (r pgRows) Next() bool             { return r.rows.Next() }
func (r pgRows) Scan(dest ...any) error { return translate(r.rows.Scan(dest...)) }
func (r pgRows) Err() error             { return translate(r.rows.Err()) }
func (r pgRows) Close()                 { r.rows.Close() }

type pgRow struct{ row pgx.Row }

func (r pgRow) Scan(dest ...any) error { return translate(r.row.Scan(dest...)) }

// translate maps pgx and PostgreSQL errors to data.Error kinds, keeping the
// driver error as the (internal) cause.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var de *data.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &data.Error{Kind: data.NotFound, Message: "not found", Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return &data.Error{Kind: data.Conflict, Message: "already exists", Err: err}
		case "23503": // foreign_key_violation
			return &data.Error{Kind: data.Invalid, Message: "refers to a record that does not exist, or is still referenced", Err: err}
		case "23502", "23514", "22001", "22P02": // not null, check, too long, bad text representation
			return &data.Error{Kind: data.Invalid, Message: "value rejected by the database", Err: err}
		case "40001", "40P01": // serialization failure, deadlock: a concurrent write won
			return &data.Error{Kind: data.Conflict, Message: "concurrent update, retry", Err: err}
		case "22021", "22P05": // character not in repertoire (NUL, bad UTF-8), untranslatable character
			return &data.Error{Kind: data.Invalid, Field: "text", Message: "a text value contains a NUL character or is not valid UTF-8", Err: err}
		}
		switch pe.Code[:2] {
		case "22": // data exception: out of range, bad datetime, bad number
			return &data.Error{Kind: data.Invalid, Message: "value rejected by the database", Err: err}
		case "23": // other integrity constraint violations
			return &data.Error{Kind: data.Invalid, Message: "value rejected by the database", Err: err}
		case "54": // program limit exceeded: a value too large to index or store
			return &data.Error{Kind: data.Invalid, Message: "value too large", Err: err}
		}
	}
	return &data.Error{Kind: data.Internal, Err: err}
}
