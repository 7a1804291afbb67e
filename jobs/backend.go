package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// engine is the part of a River client the queue uses, free of the
// driver's transaction type: the one code path over both drivers.
type engine interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobCancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	PeriodicJobs() *river.PeriodicJobBundle
}

// backend opens River clients and runs River's migrations on one database.
type backend interface {
	name() string
	migrate(ctx context.Context) error
	client(cfg *river.Config) (engine, error)
}

type driverBackend[TTx any] struct {
	label  string
	driver riverdriver.Driver[TTx]
}

func (b driverBackend[TTx]) name() string { return b.label }

func (b driverBackend[TTx]) migrate(ctx context.Context) error {
	m, err := rivermigrate.New(b.driver, nil)
	if err != nil {
		return fmt.Errorf("river migrations (%s): %w", b.label, err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations (%s): %w", b.label, err)
	}
	return nil
}

func (b driverBackend[TTx]) client(cfg *river.Config) (engine, error) {
	return river.NewClient(b.driver, cfg)
}

// backendOf picks River's driver from the store's connection: a PostgreSQL
// pool (data/postgres) or an SQLite database (data/sqlite).
func backendOf(store any) (backend, error) {
	switch s := store.(type) {
	case interface{ Pool() *pgxpool.Pool }:
		return driverBackend[pgx.Tx]{label: "postgres", driver: riverpgxv5.New(s.Pool())}, nil
	case interface{ SQL() *sql.DB }:
		return driverBackend[*sql.Tx]{label: "sqlite", driver: riversqlite.New(s.SQL())}, nil
	}
	return nil, fmt.Errorf("jobs: store %T has neither a PostgreSQL pool nor an SQLite database", store)
}

// Migrate applies River's own migrations (river_job, river_leader, …) to
// the store's database; Open does it too. Idempotent.
func Migrate(ctx context.Context, store any) error {
	b, err := backendOf(store)
	if err != nil {
		return err
	}
	return b.migrate(ctx)
}
