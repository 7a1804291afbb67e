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
	"sync"
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
	Name: "sqlite",
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
	// The read pool's checkpointer copies the WAL into the database, so
	// that no commit of a request stops to do it (readpool.go).
	q.Add("_pragma", "wal_autocheckpoint(0)")
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
	reads, err := openReadPool(ctx, "file:"+esc+"?"+readQuery().Encode())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &DB{Store: sqlstore.New(sqlDB{db, newStmtCache(), reads}), db: db}, nil
}

// Migrate applies the pending embedded migrations; see data.Migrator.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	return sqlstore.Migrate(ctx, sqlDB{db.db, nil, nil}, dialect)
}

// SQL returns the underlying database, for packages that keep their own
// tables in the same file.
func (db *DB) SQL() *sql.DB { return db.db }

// sqlDB, sqlTx, sqlRows and sqlRow adapt database/sql to the sqlstore
// interfaces, encoding timestamps as text and translating every error to a
// data.Error kind.
type sqlDB struct {
	db    *sql.DB
	stmts *stmtCache // nil: no statement cache (migrations)
	reads *readPool  // nil: plain reads use db too (migrations)
}

func (d sqlDB) Begin(ctx context.Context) (sqlstore.Tx, error) {
	d.stmts.prepare(ctx, d.db)
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(err)
	}
	return sqlTx{tx, d.stmts}, nil
}

// QueryRow runs outside a transaction, so without BEGIN IMMEDIATE: a
// plain read that does not take the write lock, on a connection of the
// read pool, so that it does not queue behind the writer's transactions.
func (d sqlDB) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	if d.reads != nil {
		return d.reads.queryRow(ctx, q, convertArgs(args))
	}
	if st := d.stmts.get(q, true); st != nil {
		return sqlRow{st.QueryRowContext(ctx, convertArgs(args)...)}
	}
	return sqlRow{d.db.QueryRowContext(ctx, q, convertArgs(args)...)}
}

func (d sqlDB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }
func (d sqlDB) Close() error {
	d.stmts.close()
	rerr := d.reads.close()
	if err := d.db.Close(); err != nil {
		return err
	}
	return rerr
}

type sqlTx struct {
	tx    *sql.Tx
	stmts *stmtCache
}

func (t sqlTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if st := t.stmts.get(q, len(args) > 0); st != nil {
		res, err = t.tx.StmtContext(ctx, st).ExecContext(ctx, convertArgs(args)...)
	} else {
		res, err = t.tx.ExecContext(ctx, q, convertArgs(args)...)
	}
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

func (t sqlTx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	var rows *sql.Rows
	var err error
	if st := t.stmts.get(q, true); st != nil {
		rows, err = t.tx.StmtContext(ctx, st).QueryContext(ctx, convertArgs(args)...)
	} else {
		rows, err = t.tx.QueryContext(ctx, q, convertArgs(args)...)
	}
	if err != nil {
		return nil, translate(err)
	}
	return sqlRows{rows}, nil
}

func (t sqlTx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	if st := t.stmts.get(q, true); st != nil {
		return sqlRow{t.tx.StmtContext(ctx, st).QueryRowContext(ctx, convertArgs(args)...)}
	}
	return sqlRow{t.tx.QueryRowContext(ctx, q, convertArgs(args)...)}
}

// stmtCache keeps prepared statements by query text, so that a query run
// again is not parsed and planned again: parsing was 40 % of an itinerary
// read. A statement cannot be prepared on the database while a
// transaction holds its one connection, so a query seen inside a
// transaction runs unprepared once and is prepared at the start of the next
// Begin; transactions then bind it with Tx.StmtContext, which reuses the
// statement already prepared on the connection. Queries with IN lists of
// many lengths could grow it without bound: it stops growing at
// maxCachedStmts. Safe for concurrent use; a nil cache does nothing.
type stmtCache struct {
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	failed  map[string]bool
}

const maxCachedStmts = 512

func newStmtCache() *stmtCache {
	return &stmtCache{stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}, failed: map[string]bool{}}
}

// get returns the prepared statement of q, or nil (recording q to be
// prepared) when it has none yet. Statements without arguments may hold
// several statements (migrations) and are never cached.
func (c *stmtCache) get(q string, cacheable bool) *sql.Stmt {
	if c == nil || !cacheable {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[q]; ok {
		return st
	}
	if !c.failed[q] && len(c.stmts)+len(c.pending)+len(c.failed) < maxCachedStmts {
		c.pending[q] = true
	}
	return nil
}

// prepare prepares the pending queries; a query that fails to prepare (a
// table not created yet) is not tried again.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB) {
	if c == nil {
		return
	}
	c.mu.Lock()
	var qs []string
	for q := range c.pending {
		qs = append(qs, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range qs {
		st, err := db.PrepareContext(ctx, q)
		c.mu.Lock()
		if err != nil {
			if ctx.Err() == nil {
				c.failed[q] = true
			}
		} else if _, dup := c.stmts[q]; dup {
			st.Close()
		} else {
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	clear(c.stmts)
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
