// Package sqlite is the embedded data.Store: a single SQLite file through
// modernc.org/sqlite (pure Go, no server to install). It is the default when
// DATABASE_URL is unset.
//
// The queries are shared with data/postgres (see data/internal/sqlstore);
// this package owns the connection setup (WAL, busy timeout, foreign keys,
// immediate transactions), the SQLite rendering of the migrations, the
// text encoding of timestamps and the translation of SQLite errors into
// data.Error kinds.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/internal/sqlstore"
)

// DefaultPath is the database file used when none is configured, relative to
// the working directory.
const DefaultPath = "xunhui.db"

var dialect = sqlstore.Dialect{
	Types: map[string]string{
		"text":  "TEXT",
		"int":   "INTEGER",
		"float": "REAL",
		"bool":  "INTEGER",
		"ts":    "TEXT",
		"blob":  "BLOB",
	},
}

// DB is a data.Store on an SQLite file. It also implements data.Migrator.
type DB struct {
	*sqlstore.Store
	db *sql.DB
}

var (
	_ data.Store    = (*DB)(nil)
	_ data.Migrator = (*DB)(nil)
)

// Open opens (creating if needed) the SQLite database file at path with WAL
// journaling, a 10 s busy timeout and foreign keys on. It does not migrate:
// call Migrate.
//
// Why one connection: SQLite allows one writer at a time; funnelling every
// transaction of this process through one connection makes concurrent
// writers queue in Go instead of failing with SQLITE_BUSY, while other
// processes (a CLI import next to the server) wait on the busy timeout, and
// BEGIN IMMEDIATE avoids the lock-upgrade deadlock between them.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		path = DefaultPath
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	// The path goes into a file: URI, where '%', '?' and '#' are special.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+esc+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &DB{Store: sqlstore.New(sqlDB{db}), db: db}, nil
}

// Migrate applies the pending embedded migrations; see data.Migrator.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	return sqlstore.Migrate(ctx, sqlDB{db.db}, dialect)
}

// SQL returns the underlying database, for packages that keep their own
// tables in the same file.
func (db *DB) SQL() *sql.DB { return db.db }

// sqlDB, sqlTx, sqlRows and sqlRow adapt database/sql to the sqlstore
// interfaces, encoding timestamps as text and translating every error to a
// data.Error kind.
type sqlDB struct{ db *sql.DB }

func (d sqlDB) Begin(ctx context.Context) (sqlstore.Tx, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(err)
	}
	return sqlTx{tx}, nil
}

func (d sqlDB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }
func (d sqlDB) Close() error                   { return d.db.Close() }

type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := t.tx.ExecContext(ctx, q, convertArgs(args)...)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

func (t sqlTx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := t.tx.QueryContext(ctx, q, convertArgs(args)...)
	if err != nil {
		return nil, translate(err)
	}
	return sqlRows{rows}, nil
}

func (t sqlTx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return sqlRow{t.tx.QueryRowContext(ctx, q, convertArgs(args)...)}
}

func (t sqlTx) Commit(context.Context) error   { return translate(t.tx.Commit()) }
func (t sqlTx) Rollback(context.Context) error { return translate(t.tx.Rollback()) }

type sqlRows struct{ rows *sql.Rows }

func (r sqlRows) Next() bool             { return r.rows.Next() }
func (r sqlRows) Scan(dest ...any) error { return scan(r.rows.Scan, dest) }
func (r sqlRows) Err() error             { return translate(r.rows.Err()) }
func (r sqlRows) Close()                 { r.rows.Close() }

type sqlRow struct{ row *sql.Row }

func (r sqlRow) Scan(dest ...any) error { return scan(r.row.Scan, dest) }

// tsFormat is fixed-width so that timestamps sort correctly as text.
const tsFormat = "2006-01-02T15:04:05.000000Z"

// convertArgs encodes timestamps as UTC text in tsFormat.
func convertArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			out[i] = v.UTC().Format(tsFormat)
		case *time.Time:
			if v == nil {
				out[i] = nil
			} else {
				out[i] = v.UTC().Format(tsFormat)
			}
		default:
			out[i] = a
		}
	}
	return out
}

// scan decodes timestamp columns (text) into *time.Time and **time.Time
// destinations and passes everything else through.
func scan(fn func(...any) error, dest []any) error {
	tmp := make([]any, len(dest))
	type fix struct {
		i   int
		str *sql.NullString
	}
	var fixes []fix
	for i, d := range dest {
		switch d.(type) {
		case *time.Time, **time.Time:
			s := new(sql.NullString)
			tmp[i] = s
			fixes = append(fixes, fix{i, s})
		default:
			tmp[i] = d
		}
	}
	if err := fn(tmp...); err != nil {
		return translate(err)
	}
	for _, f := range fixes {
		var t time.Time
		if f.str.Valid {
			var err error
			if t, err = time.Parse(time.RFC3339Nano, f.str.String); err != nil {
				return &data.Error{Kind: data.Internal, Message: "corrupt timestamp", Err: err}
			}
		}
		switch d := dest[f.i].(type) {
		case *time.Time:
			*d = t
		case **time.Time:
			if f.str.Valid {
				*d = &t
			} else {
				*d = nil
			}
		}
	}
	return nil
}

// translate maps database/sql and SQLite errors to data.Error kinds,
// keeping the driver error as the (internal) cause.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var de *data.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &data.Error{Kind: data.NotFound, Message: "not found", Err: err}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &data.Error{Kind: data.Conflict, Message: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &data.Error{Kind: data.Invalid, Message: "refers to a record that does not exist, or is still referenced", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK:
			return &data.Error{Kind: data.Invalid, Message: "value rejected by the database", Err: err}
		}
	}
	return &data.Error{Kind: data.Internal, Err: err}
}
