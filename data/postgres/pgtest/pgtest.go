// Package pgtest gives tests a throwaway PostgreSQL database.
//
// The server is taken from XUNHUI_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). Each call
// creates a database with a random name and drops it when the test ends.
// When the server cannot be reached the test is skipped with a loud message
// on stderr — or fails, if XUNHUI_REQUIRE_POSTGRES=1 (CI).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yingjing/xunhui/data/postgres"
)

// DefaultURL is the server used when XUNHUI_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL returns the admin URL of the test server.
func ServerURL() string {
	if u := os.Getenv("XUNHUI_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

var banner sync.Once

// probe remembers whether the server answered, so that an unreachable (or
// firewalled) server costs one connection timeout per test binary, not one
// per test.
var probe struct {
	once sync.Once
	err  error
}

// Check skips t (or fails it, with XUNHUI_REQUIRE_POSTGRES=1) when the test
// server cannot be reached. Call it at the top of a test to get one loud
// skip instead of one per subtest.
func Check(t testing.TB) {
	t.Helper()
	probe.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, ServerURL())
		if err != nil {
			probe.err = err
			return
		}
		probe.err = conn.Ping(ctx)
		conn.Close(ctx)
	})
	if probe.err != nil {
		unavailable(t, probe.err)
	}
}

// unavailable skips (or, with XUNHUI_REQUIRE_POSTGRES=1, fails) t.
func unavailable(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("PostgreSQL unreachable at %s (%v): PostgreSQL store tests SKIPPED; set XUNHUI_REQUIRE_POSTGRES=1 to make this fatal", redact(ServerURL()), err)
	if os.Getenv("XUNHUI_REQUIRE_POSTGRES") == "1" {
		t.Fatalf("XUNHUI_REQUIRE_POSTGRES=1 but %s", msg)
	}
	banner.Do(func() {
		fmt.Fprintf(os.Stderr, "\n%s\n!!! %s\n%s\n\n", bar, msg, bar)
	})
	t.Skip("SKIPPED: " + msg)
}

const bar = "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable url)"
	}
	return p.Redacted()
}

// NewDatabase creates an empty database for t and returns its URL; the
// database is dropped (forcibly) when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	Check(t)
	u := createDatabase(t)
	p, _ := url.Parse(u)
	name := strings.TrimPrefix(p.Path, "/")
	t.Cleanup(func() {
		if err := dropDatabase(name); err != nil {
			t.Logf("pgtest: drop %s: %v", name, err)
		}
	})
	return u
}

// createDatabase creates a database with a random name and returns its URL.
func createDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin := ServerURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		unavailable(t, err)
		return ""
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "xunhui_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	u, err := url.Parse(admin)
	if err != nil || u.Scheme == "" {
		t.Fatalf("pgtest: XUNHUI_TEST_DATABASE_URL must be a postgres:// URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// shared is the per-process database that Main creates: stores made by
// NewStore then live in their own schema inside it, which is much faster
// than one CREATE DATABASE per test.
var shared struct {
	mu  sync.Mutex
	url string // "" when Main is not in use
	// free lists migrated schemas emptied by a finished test, ready for
	// reuse: TRUNCATE is much cheaper than CREATE SCHEMA + migrations.
	free []string
}

// Main wraps testing.M: it runs the tests with one throwaway database for
// the whole test binary (created lazily by the first NewStore, dropped when
// the tests end). Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Without it, NewStore creates a database per call.
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.url = "pending"
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	u := shared.url
	shared.mu.Unlock()
	if u != "pending" && u != "" {
		if p, err := url.Parse(u); err == nil {
			dropDatabase(strings.TrimPrefix(p.Path, "/"))
		}
	}
	return code
}

func dropDatabase(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	return err
}

// sharedURL returns the URL of the per-process database, creating it on
// first use; "" when Main is not in use.
func sharedURL(t testing.TB) string {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	switch shared.url {
	case "":
		return ""
	case "pending":
		shared.url = createDatabase(t)
	}
	return shared.url
}

// takeSchema returns an empty schema of the shared database: a recycled
// one if any, else a new one.
func takeSchema(t testing.TB, u string) string {
	shared.mu.Lock()
	if n := len(shared.free); n > 0 {
		s := shared.free[n-1]
		shared.free = shared.free[:n-1]
		shared.mu.Unlock()
		return s
	}
	shared.mu.Unlock()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "s_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err = conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	return schema
}

// recycleSchema empties every table of schema except the migration records
// (ours: schema_migrations; River's: river_migration) and offers it for
// reuse; on any error the schema is dropped instead.
func recycleSchema(u, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		return
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = $1 AND tablename NOT IN ('schema_migrations', 'river_migration')`, schema)
	var tables []string
	if err == nil {
		for rows.Next() {
			var name string
			if rows.Scan(&name) == nil {
				tables = append(tables, schema+"."+name)
			}
		}
		rows.Close()
		err = rows.Err()
	}
	if err == nil && len(tables) > 0 {
		// DELETE of a few rows is far cheaper than TRUNCATE (which recreates
		// files); replica mode skips the foreign-key triggers so the order
		// does not matter. Without superuser rights, fall back to TRUNCATE.
		var b strings.Builder
		b.WriteString("SET LOCAL session_replication_role = replica;")
		for _, tb := range tables {
			b.WriteString("DELETE FROM " + tb + ";")
		}
		if _, derr := c.Exec(ctx, "BEGIN;"+b.String()+"COMMIT;"); derr != nil {
			_, _ = c.Exec(ctx, "ROLLBACK")
			_, err = c.Exec(ctx, "TRUNCATE "+strings.Join(tables, ", ")+" CASCADE")
		}
	}
	if err != nil {
		_, _ = c.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		return
	}
	shared.mu.Lock()
	shared.free = append(shared.free, schema)
	shared.mu.Unlock()
}

// NewStore returns a migrated store on an empty database (or, under Main, an
// empty schema of the per-process database), closed and removed when t ends.
func NewStore(t testing.TB) *postgres.DB {
	t.Helper()
	Check(t)
	ctx := context.Background()
	u := sharedURL(t)
	var schema string
	if u == "" {
		u = NewDatabase(t)
	} else {
		schema = takeSchema(t, u)
		base := u
		t.Cleanup(func() { recycleSchema(base, schema) })
		p, _ := url.Parse(u)
		q := p.Query()
		q.Set("search_path", schema)
		p.RawQuery = q.Encode()
		u = p.String()
	}
	// Test data need not survive a crash: skipping the WAL flush per commit
	// makes the many small transactions of a test suite much cheaper.
	if p, err := url.Parse(u); err == nil {
		q := p.Query()
		q.Set("synchronous_commit", "off")
		p.RawQuery = q.Encode()
		u = p.String()
	}
	db, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("pgtest: migrate: %v", err)
	}
	return db
}
