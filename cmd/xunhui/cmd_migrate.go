package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres"
	"github.com/yingjing/xunhui/data/sqlite"
	"github.com/yingjing/xunhui/jobs"
)

func init() {
	register(command{
		name:    "migrate",
		summary: "apply the embedded database migrations (DATABASE_URL or ./xunhui.db)",
		run:     runMigrate,
	})
}

// storeConfig says which database to use: PostgreSQL when DatabaseURL is
// set, else the SQLite file SQLitePath.
type storeConfig struct {
	DatabaseURL string
	SQLitePath  string
}

// storeConfigFromEnv reads DATABASE_URL and XUNHUI_DB (the SQLite file,
// default ./xunhui.db).
func storeConfigFromEnv() storeConfig {
	c := storeConfig{DatabaseURL: os.Getenv("DATABASE_URL"), SQLitePath: os.Getenv("XUNHUI_DB")}
	if c.SQLitePath == "" {
		c.SQLitePath = sqlite.DefaultPath
	}
	return c
}

// describe names the database without secrets, for logs.
func (c storeConfig) describe() string {
	if c.DatabaseURL != "" {
		return "PostgreSQL (DATABASE_URL)"
	}
	return "SQLite " + c.SQLitePath
}

// openStoreConfig opens the store c selects and applies pending migrations,
// logging what it did to logw.
func openStoreConfig(ctx context.Context, c storeConfig, logw io.Writer) (data.Store, error) {
	var (
		s   data.Store
		m   data.Migrator
		err error
	)
	if c.DatabaseURL != "" {
		var db *postgres.DB
		db, err = postgres.Open(ctx, c.DatabaseURL)
		s, m = db, db
	} else {
		var db *sqlite.DB
		db, err = sqlite.Open(ctx, c.SQLitePath)
		s, m = db, db
	}
	if err != nil {
		return nil, err
	}
	applied, err := m.Migrate(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate %s: %w", c.describe(), err)
	}
	for _, a := range applied {
		fmt.Fprintf(logw, "migrated %s: %s\n", c.describe(), a)
	}
	// River's own tables (river_job, river_leader, …) come with ours.
	if err := jobs.Migrate(ctx, s); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate %s: %w", c.describe(), err)
	}
	return s, nil
}

// openStore opens the configured store (DATABASE_URL → PostgreSQL, else the
// SQLite file $XUNHUI_DB or ./xunhui.db) and brings its schema up to date.
// Every command that needs the database (serve, seed, import) calls it, so
// a fresh checkout works without a separate migrate step.
func openStore(ctx context.Context, logw io.Writer) (data.Store, error) {
	return openStoreConfig(ctx, storeConfigFromEnv(), logw)
}

// addStoreFlags registers --db (SQLite file) and --database-url on fs,
// defaulting to the environment.
func addStoreFlags(fs *flag.FlagSet) *storeConfig {
	c := storeConfigFromEnv()
	fs.StringVar(&c.SQLitePath, "db", c.SQLitePath, "SQLite database file, used when no PostgreSQL URL is given (env XUNHUI_DB)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL; empty selects SQLite (env DATABASE_URL)")
	return &c
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	cfg := addStoreFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: xunhui migrate [--db FILE | --database-url URL]")
		return errUsage
	}
	s, err := openStoreConfig(ctx, *cfg, stdout)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "%s: schema up to date\n", cfg.describe())
	return nil
}
