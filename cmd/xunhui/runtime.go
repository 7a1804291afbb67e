package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/geo/sources"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/optimizer/circuit"
	"github.com/yingjing/xunhui/optimizer/market"
	"github.com/yingjing/xunhui/scheduler"
	"github.com/yingjing/xunhui/scheduler/planjobs"
)

// workFlags configure the job queue and the planners of serve and worker.
type workFlags struct {
	workers     int
	maxQueued   int
	planLimit   time.Duration
	marketIters int
	jobTimeout  time.Duration
	rescueAfter time.Duration
	attempts    int
	poll        time.Duration
	reconcile   time.Duration
	reload      time.Duration
	// tolerance is how far (minutes) a re-plan may move a kept visit's start.
	tolerance int
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// addWorkFlags registers the queue flags; workers is the default count.
func addWorkFlags(fs *flag.FlagSet, workers int) *workFlags {
	w := &workFlags{}
	fs.IntVar(&w.workers, "workers", envInt("XUNHUI_WORKERS", workers), "plans this process works at once; 0 = API only (env XUNHUI_WORKERS)")
	fs.IntVar(&w.maxQueued, "queue-max", envInt("XUNHUI_QUEUE_MAX", 50), "queued runs allowed per kind (circuit plan, re-plan, market plan); more answer 429 (env XUNHUI_QUEUE_MAX)")
	fs.DurationVar(&w.planLimit, "plan-time-limit", envDuration("XUNHUI_PLAN_TIME_LIMIT", 10*time.Second), "search time of a circuit plan (env XUNHUI_PLAN_TIME_LIMIT)")
	fs.IntVar(&w.marketIters, "market-iterations", envInt("XUNHUI_MARKET_ITERATIONS", 0), "cap on a market plan's local-search moves (default the planner's, 400 000; its time limit is 3 s) (env XUNHUI_MARKET_ITERATIONS)")
	fs.DurationVar(&w.jobTimeout, "job-timeout", envDuration("XUNHUI_JOB_TIMEOUT", 0), "bound on one attempt of a run (default 6 × plan time limit, at least 1 min) (env XUNHUI_JOB_TIMEOUT)")
	fs.DurationVar(&w.rescueAfter, "rescue-after", envDuration("XUNHUI_RESCUE_AFTER", 0), "a run whose worker died is retried after this long (default job timeout + 15 s) (env XUNHUI_RESCUE_AFTER)")
	fs.IntVar(&w.attempts, "job-attempts", envInt("XUNHUI_JOB_ATTEMPTS", 2), "attempts per run (a rescue after a lost worker counts) (env XUNHUI_JOB_ATTEMPTS)")
	fs.DurationVar(&w.poll, "job-poll", envDuration("XUNHUI_JOB_POLL", time.Second), "how often workers look for jobs, cancels and flush progress (env XUNHUI_JOB_POLL)")
	fs.DurationVar(&w.reconcile, "reconcile-every", envDuration("XUNHUI_RECONCILE_EVERY", time.Minute), "how often runs whose job ended unfinished are failed (env XUNHUI_RECONCILE_EVERY)")
	fs.IntVar(&w.tolerance, "replan-tolerance", envInt("XUNHUI_REPLAN_TOLERANCE", circuit.DefaultTolerance), "minutes a re-plan may move a kept visit's start on its day (1–1440); a visit that cannot stay within it moves and is listed in the re-plan's moves (env XUNHUI_REPLAN_TOLERANCE)")
	fs.DurationVar(&w.reload, "schedule-reload", envDuration("XUNHUI_SCHEDULE_RELOAD", time.Minute), "how often recurring-job schedules changed on another replica are picked up (env XUNHUI_SCHEDULE_RELOAD)")
	return w
}

// queueConfig derives the queue's timeouts from the plan time limit: a job
// gets six times the search time (snapshot, matrix, check and save around
// it), and River rescues it jobs.RescueMargin (15 s) after that, so a run
// whose worker was killed is finished within Config.RecoveryHorizon (under
// 3 minutes with the defaults; TestDefaultRecoveryHorizon).
func (w *workFlags) queueConfig(logger *slog.Logger) jobs.Config {
	timeout := w.jobTimeout
	if timeout <= 0 {
		timeout = max(time.Minute, 6*w.planLimit)
	}
	rescue := w.rescueAfter
	if rescue < timeout {
		rescue = timeout + jobs.RescueMargin
	}
	return jobs.Config{Workers: w.workers, MaxQueued: w.maxQueued, JobTimeout: timeout, RescueAfter: rescue,
		MaxAttempts: w.attempts, PollInterval: w.poll, ReconcileEvery: w.reconcile, Logger: logger}
}

// circuitConfig is the circuit planner's configuration from the flags
// (travel, logger and queue are the caller's); a tolerance outside 1–1440
// minutes is an error naming the flag.
func (w *workFlags) circuitConfig() (circuit.Config, error) {
	if w.tolerance < 1 || w.tolerance > 24*60 {
		return circuit.Config{}, fmt.Errorf("--replan-tolerance %d: want minutes from 1 to 1440", w.tolerance)
	}
	return circuit.Config{TimeLimit: w.planLimit, Tolerance: w.tolerance}, nil
}

// openScheduler builds the recurring jobs of a process (serve or worker) on
// its queue: every process that works jobs installs them as River periodic
// jobs, since any of them may be elected River's leader, which alone
// inserts the firings. The jobs call the same planner services the API
// uses: there is never a second path.
func openScheduler(ctx context.Context, s data.Store, pl *planners, w *workFlags, logger *slog.Logger) (*scheduler.Scheduler, error) {
	sched, err := scheduler.NewStandard(s, planjobs.Funcs(pl.cir, pl.mkt),
		scheduler.Options{Queue: pl.queue, ReloadInterval: w.reload, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	if err := sched.Start(ctx); err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	return sched, nil
}

// planners are the planner services of a process and the queue they run on.
type planners struct {
	travel geo.Source
	cir    *circuit.Service
	mkt    *market.Service
	queue  *jobs.Queue
}

// openPlanners opens the travel-time source, the job queue and the
// planners, and registers the planners as the queue's handlers. Start the
// queue with planners.queue.Start.
func openPlanners(ctx context.Context, s data.Store, w *workFlags, logger *slog.Logger) (*planners, error) {
	// Travel times for the planners and POST /api/v1/vrp: the road graph
	// (XUNHUI_OSM), OSRM (OSRM_URL) or the mountain estimate, with the
	// store as matrix cache; see docs/geo.md.
	geoOpts, err := sources.OptionsFromEnv()
	if err != nil {
		return nil, err
	}
	geoOpts.Cache = storeMatrixCache{s: s}
	travel, err := sources.Open(ctx, geoOpts)
	if err != nil {
		return nil, fmt.Errorf("travel times: %w", err)
	}
	logger.Info("travel times", "source", travel.Name())
	ccfg, err := w.circuitConfig()
	if err != nil {
		return nil, err
	}
	ccfg.Source, ccfg.Logger = travel, logger
	cfg := w.queueConfig(logger)
	q, err := jobs.Open(ctx, s, cfg)
	if err != nil {
		return nil, err
	}
	p := &planners{travel: travel, queue: q,
		cir: circuit.NewService(s, withQueue(ccfg, q)),
		mkt: market.NewService(s, market.Config{Travel: travel, Logger: logger, Queue: q, Options: market.Options{MaxIterations: w.marketIters}})}
	q.Handle(data.RunCircuitPlan, p.cir.Execute)
	q.Handle(data.RunCircuitReplan, p.cir.Execute)
	q.Handle(data.RunMarketPlan, p.mkt.Execute)
	logger.Info("job queue", "backend", q.Backend(), "workers", q.Workers(), "recovery_horizon", cfg.RecoveryHorizon().String())
	return p, nil
}

func withQueue(c circuit.Config, q *jobs.Queue) circuit.Config {
	c.Queue = q
	return c
}
