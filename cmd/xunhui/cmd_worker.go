package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

func init() {
	register(command{
		name:    "worker",
		summary: "work queued plans only, no HTTP API (share the database of the serve replicas)",
		run:     runWorker,
	})
}

// runWorker opens the store (migrating it) and works the job queue until
// ctx is cancelled, then lets running plans finish for at most
// --shutdown-timeout.
func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("worker", stderr)
	store := addStoreFlags(fs)
	logFormat := fs.String("log-format", envOr("XUNHUI_LOG_FORMAT", "json"), "log format: json or text (env XUNHUI_LOG_FORMAT)")
	logLevel := fs.String("log-level", envOr("XUNHUI_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env XUNHUI_LOG_LEVEL)")
	shutdown := fs.Duration("shutdown-timeout", 20*time.Second, "how long to let running plans finish on SIGTERM/SIGINT before stopping them")
	work := addWorkFlags(fs, 2)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || work.workers < 1 {
		fmt.Fprintln(stderr, "usage: xunhui worker [--workers N (≥ 1)] [--db FILE | --database-url URL] [--plan-time-limit D] [--job-timeout D] [--rescue-after D]")
		return errUsage
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	s, err := openStoreConfig(ctx, *store, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	pl, err := openPlanners(ctx, s, work, logger)
	if err != nil {
		return err
	}
	// A worker may be elected River's leader: it schedules the recurring
	// jobs like serve does.
	sched, err := openScheduler(ctx, s, pl, work, logger)
	if err != nil {
		return err
	}
	jobCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	go func() { _ = sched.Watch(jobCtx) }()
	if err := pl.queue.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "xunhui: worker running %d plan(s) at once on %s\n", pl.queue.Workers(), store.describe())
	<-ctx.Done()
	logger.Info("shutting down: letting running plans finish", "timeout", shutdown.String())
	stopQueue(pl.queue, *shutdown, logger)
	logger.Info("stopped")
	return nil
}
