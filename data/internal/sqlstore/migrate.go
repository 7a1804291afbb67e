package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect describes what differs between engines in the migrations.
type Dialect struct {
	// Name is the engine ("sqlite", "postgres"). A migration file named
	// NNNN_what.<Name>.sql is applied only on that engine; NNNN_what.sql on
	// every engine. Each version has one file per engine at most.
	Name string
	// Types maps the placeholders of migrations/*.sql ("text", "int",
	// "float", "bool", "ts", "blob") to the engine's column types.
	Types map[string]string
	// Lock, if not empty, is run first in every migration transaction to
	// serialise concurrent migrators (PostgreSQL: an advisory xact lock).
	Lock string
}

// Migration is one embedded schema migration.
type Migration struct {
	// Version is the number prefix of the file name (0001_init.sql → 1).
	Version int
	// Name is the file name.
	Name string
	// SQL is the migration text with the dialect's types filled in.
	SQL string
}

// Migrations returns the embedded migrations in version order, rendered for d.
func Migrations(d Dialect) ([]Migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Migration
	seen := map[int]string{}
	for _, n := range names {
		base := path.Base(n)
		if parts := strings.Split(strings.TrimSuffix(base, ".sql"), "."); len(parts) == 2 && parts[1] != d.Name {
			continue // another engine's file
		} else if len(parts) > 2 {
			return nil, fmt.Errorf("migration %s: name is NNNN_what.sql or NNNN_what.<engine>.sql", base)
		}
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		b, err := migrations.ReadFile(n)
		if err != nil {
			return nil, err
		}
		sql := string(b)
		for k, t := range d.Types {
			sql = strings.ReplaceAll(sql, "{{"+k+"}}", t)
		}
		if i := strings.Index(sql, "{{"); i >= 0 {
			return nil, fmt.Errorf("migration %s: unknown placeholder near %q", base, sql[i:min(len(sql), i+12)])
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration %s: version %d is also %s", base, v, prev)
		}
		seen[v] = base
		out = append(out, Migration{Version: v, Name: base, SQL: sql})
	}
	return out, nil
}

// Migrate applies the pending migrations of d to db, each in its own
// transaction together with its row in schema_migrations, and returns the
// names applied. Already-applied versions are skipped, so it is idempotent.
func Migrate(ctx context.Context, db DB, d Dialect) ([]string, error) {
	const op = "store.Migrate"
	ms, err := Migrations(d)
	if err != nil {
		return nil, data.WithOp(op, &data.Error{Kind: data.Internal, Err: err})
	}
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (version ` + d.Types["int"] +
		` PRIMARY KEY, name ` + d.Types["text"] + ` NOT NULL, applied_at ` + d.Types["text"] + ` NOT NULL)`
	applied := []string{}
	for _, m := range ms {
		done := false
		err := func() (err error) {
			tx, err := db.Begin(ctx)
			if err != nil {
				return err
			}
			defer func() {
				if err != nil {
					_ = tx.Rollback(ctx)
				}
			}()
			if d.Lock != "" {
				if _, err := tx.Exec(ctx, d.Lock); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, create); err != nil {
				return err
			}
			ok, err := exists(ctx, tx, `SELECT 1 FROM schema_migrations WHERE version = $1`, m.Version)
			if err != nil {
				return err
			}
			if ok {
				done = true
				return tx.Commit(ctx)
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}()
		if err != nil {
			return applied, data.WithOp(op, err)
		}
		if !done {
			applied = append(applied, m.Name)
		}
	}
	// One leave model: roster leave ranges of older databases become absences.
	if err := convertRosterLeave(ctx, db, d.Lock); err != nil {
		return applied, data.WithOp(op, err)
	}
	return applied, nil
}
