package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/yingjing/xunhui/data"
)

// Handler does the work of one run: it plans run.ID from scratch, calls
// report with progress, and returns when done or when ctx ends (a cancel or
// the job timeout), keeping the best plan found so far. An error fails the
// run with its message as the reason.
type Handler func(ctx context.Context, run data.Run, report func(data.RunPoint)) error

// Config tunes a Queue. Zero fields take the defaults in brackets.
type Config struct {
	// Workers is the number of runs this process works at once [0: none,
	// an API-only replica that only enqueues].
	Workers int
	// MaxQueued bounds the queued runs of one kind; one more is refused
	// with a Busy error (HTTP 429) [50].
	MaxQueued int
	// RetryAfter is the wait suggested with a Busy error [30 s].
	RetryAfter time.Duration
	// JobTimeout bounds one attempt of a run; set it a margin above the
	// planners' time limit [5 min].
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before River rescues
	// it as stuck (its worker died): the next attempt starts from scratch
	// [JobTimeout + RescueMargin; never below JobTimeout].
	RescueAfter time.Duration
	// MaxAttempts is how often a run is tried (a rescue counts) [2].
	MaxAttempts int
	// PollInterval is how often workers look for new jobs and running runs
	// look at their cancel flag and flush progress [1 s].
	PollInterval time.Duration
	// ReconcileEvery is how often the leader fails active runs whose job
	// ended without finishing them [1 min].
	ReconcileEvery time.Duration
	// Name names this process in runs (Run.Worker) [host:pid].
	Name string
	// Logger receives queue events [discarded].
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.MaxQueued <= 0 {
		c.MaxQueued = 50
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = 30 * time.Second
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = 5 * time.Minute
	}
	if c.RescueAfter < c.JobTimeout {
		c.RescueAfter = c.JobTimeout + RescueMargin
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 2
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.ReconcileEvery <= 0 {
		c.ReconcileEvery = time.Minute
	}
	if c.Name == "" {
		host, _ := os.Hostname()
		c.Name = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Queue enqueues runs as River jobs and, with Workers > 0, works them.
// It implements data.RunQueue.
type Queue struct {
	cfg     Config
	store   data.Store
	backend backend
	river   engine

	mu        sync.RWMutex
	handlers  map[data.RunKind]Handler
	recurring RecurringHandler
	started   bool
}

var _ data.RunQueue = (*Queue)(nil)

// runArgs are the arguments of every run job: the run id only, the rest
// is in the run.
type runArgs interface {
	river.JobArgs
	runID() string
}

// CircuitPlanArgs, CircuitReplanArgs and MarketPlanArgs are the River job
// arguments of the run kinds of the same names.
type (
	CircuitPlanArgs struct {
		RunID string `json:"run_id"`
	}
	CircuitReplanArgs struct {
		RunID string `json:"run_id"`
	}
	MarketPlanArgs struct {
		RunID string `json:"run_id"`
	}
)

// Kind implements river.JobArgs.
func (CircuitPlanArgs) Kind() string   { return string(data.RunCircuitPlan) }
func (CircuitReplanArgs) Kind() string { return string(data.RunCircuitReplan) }
func (MarketPlanArgs) Kind() string    { return string(data.RunMarketPlan) }

func (a CircuitPlanArgs) runID() string   { return a.RunID }
func (a CircuitReplanArgs) runID() string { return a.RunID }
func (a MarketPlanArgs) runID() string    { return a.RunID }

func argsFor(kind data.RunKind, id string) (river.JobArgs, error) {
	switch kind {
	case data.RunCircuitPlan:
		return CircuitPlanArgs{RunID: id}, nil
	case data.RunCircuitReplan:
		return CircuitReplanArgs{RunID: id}, nil
	case data.RunMarketPlan:
		return MarketPlanArgs{RunID: id}, nil
	}
	return nil, fmt.Errorf("jobs: no job kind for run kind %q", kind)
}

// runWorker works the runs of one kind through the queue's handler.
type runWorker[A runArgs] struct {
	river.WorkerDefaults[A]
	q *Queue
}

func (w *runWorker[A]) Work(ctx context.Context, job *river.Job[A]) error {
	return w.q.work(ctx, job.Args.runID(), job.JobRow)
}

func (w *runWorker[A]) Timeout(*river.Job[A]) time.Duration { return w.q.cfg.JobTimeout }

// Open connects a queue to the store's database (PostgreSQL or SQLite),
// applying River's migrations. Register handlers with Handle, then Start.
func Open(ctx context.Context, store data.Store, cfg Config) (*Queue, error) {
	cfg.defaults()
	b, err := backendOf(store)
	if err != nil {
		return nil, err
	}
	if err := b.migrate(ctx); err != nil {
		return nil, err
	}
	q := &Queue{cfg: cfg, store: store, backend: b, handlers: map[data.RunKind]Handler{}}
	rc := &river.Config{
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          cfg.MaxAttempts,
		FetchPollInterval:    cfg.PollInterval,
		ID:                   sanitizeID(cfg.Name),
		Logger:               cfg.Logger.With("component", "river"),
		// Retry a failed attempt soon: attempts fail only when a worker
		// died or panicked, and the run should come back in minutes.
		RetryPolicy: fixedRetry{after: retryDelay},
	}
	if b.name() == "sqlite" {
		// No LISTEN/NOTIFY: poll, not faster than the fetch interval.
		rc.PollOnly = true
	}
	if cfg.Workers > 0 {
		ws := river.NewWorkers()
		river.AddWorker(ws, &runWorker[CircuitPlanArgs]{q: q})
		river.AddWorker(ws, &runWorker[CircuitReplanArgs]{q: q})
		river.AddWorker(ws, &runWorker[MarketPlanArgs]{q: q})
		river.AddWorker(ws, &reconcileWorker{q: q})
		river.AddWorker(ws, &recurringWorker{q: q})
		rc.Workers = ws
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}, QueueRecurring: {MaxWorkers: recurringWorkers}}
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.ReconcileEvery),
			func() (river.JobArgs, *river.InsertOpts) { return reconcileArgs{}, &river.InsertOpts{MaxAttempts: 1} },
			&river.PeriodicJobOpts{ID: "reconcile", RunOnStart: true})}
	}
	if q.river, err = b.client(rc); err != nil {
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	return q, nil
}

// sanitizeID keeps a River client id to the characters River accepts.
func sanitizeID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

// RescueMargin is the default RescueAfter beyond JobTimeout: the time a
// worker whose attempt timed out has to save its best plan and finish the
// run before River may take the job for dead.
const RescueMargin = 15 * time.Second

// River's own maintenance intervals (river@v0.51 internal/maintenance;
// not configurable): the rescuer looks for stuck jobs every
// riverRescuerInterval and the job scheduler makes due retries available
// every riverSchedulerInterval. RecoveryHorizon adds them up.
const (
	riverRescuerInterval   = 30 * time.Second
	riverSchedulerInterval = 5 * time.Second
	retryDelay             = time.Second
)

// RecoveryHorizon is the longest a run can stay queued or running after
// its worker was killed, provided some worker process is up again within
// RescueAfter: River rescues the job once it has been running RescueAfter
// (its rescuer looks every 30 s), retries it a second later (its scheduler
// looks every 5 s), a worker polls for it within PollInterval, and the new
// attempt ends within JobTimeout, done or failed with a reason. With the
// last attempt used up instead, the reconciler fails the run within
// ReconcileEvery of the rescue, which is shorter with the defaults.
func (c Config) RecoveryHorizon() time.Duration {
	c.defaults()
	retried := c.RescueAfter + riverRescuerInterval + retryDelay + riverSchedulerInterval + c.PollInterval + c.JobTimeout
	reconciled := c.RescueAfter + riverRescuerInterval + c.ReconcileEvery
	return max(retried, reconciled)
}

type fixedRetry struct{ after time.Duration }

func (p fixedRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(p.after) }

// Backend names River's driver: "postgres" or "sqlite".
func (q *Queue) Backend() string { return q.backend.name() }

// Workers is the number of runs this process works at once (0: API-only).
func (q *Queue) Workers() int { return q.cfg.Workers }

// Handle installs the handler of a run kind (before Start, or before the first run of that kind is enqueued: a run of a kind without handler fails).
func (q *Queue) Handle(kind data.RunKind, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handlers[kind] = h
}

// Start starts working jobs (with Workers > 0; a no-op otherwise). Stop
// it with Stop.
func (q *Queue) Start(ctx context.Context) error {
	if q.cfg.Workers <= 0 {
		return nil
	}
	// Stop, not ctx, ends the client: shutdown is graceful.
	if err := q.river.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.mu.Lock()
	q.started = true
	q.mu.Unlock()
	return nil
}

// Stop lets running jobs finish until ctx ends, then cancels them (a
// cancelled run keeps its best plan) and waits for them.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	started := q.started
	q.started = false
	q.mu.Unlock()
	if !started {
		return nil
	}
	err := q.river.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		return q.river.StopAndCancel(context.Background())
	}
	return err
}

// Enqueue reserves a run (Busy when MaxQueued runs of its kind are
// queued; Conflict naming the first run when one of the same kind and
// period is in flight), calls prepare (which stores what the run needs,
// e.g. the queued plan record; its error fails the run and is returned),
// then inserts its River job.
func (q *Queue) Enqueue(ctx context.Context, r *data.Run, prepare func(context.Context) error) error {
	// A duplicate says more than a full queue: look for it first (CreateRun
	// checks again, atomically).
	act, err := q.store.ListRuns(ctx, data.RunFilter{Kind: r.Kind, Active: true, Limit: data.MaxLimit})
	if err != nil {
		return err
	}
	for _, a := range act {
		if a.From == r.From && a.To == r.To {
			return &data.Error{Kind: data.Conflict, ID: a.ID,
				Message: fmt.Sprintf("run %s (%s %s–%s) is still %s; wait for it or stop it (DELETE)", a.ID, a.Kind, a.From, a.To, a.Status)}
		}
	}
	n, err := q.store.CountRuns(ctx, r.Kind, data.RunQueued)
	if err != nil {
		return err
	}
	if n >= q.cfg.MaxQueued {
		return &data.Error{Kind: data.Busy, Message: fmt.Sprintf("%d %s runs are queued (the limit); retry in %d s", n, r.Kind, int(q.cfg.RetryAfter.Seconds()))}
	}
	if err := q.store.CreateRun(ctx, r); err != nil {
		return err
	}
	fail := func(err error) error {
		st, msg := data.RunFailed, data.ErrorMessage(err)
		_, _ = q.store.UpdateRun(context.WithoutCancel(ctx), data.RunUpdate{ID: r.ID, Status: &st, Error: &msg, Finished: true})
		return err
	}
	if prepare != nil {
		if err := prepare(ctx); err != nil {
			return fail(err)
		}
	}
	args, err := argsFor(r.Kind, r.ID)
	if err != nil {
		return fail(err)
	}
	res, err := q.river.Insert(ctx, args, &river.InsertOpts{MaxAttempts: q.cfg.MaxAttempts})
	if err != nil {
		return fail(&data.Error{Kind: data.Internal, Message: "enqueue failed", Err: err})
	}
	id := res.Job.ID
	if *r, err = q.store.UpdateRun(context.WithoutCancel(ctx), data.RunUpdate{ID: r.ID, JobID: &id}); err != nil {
		return err
	}
	return nil
}

// RetryAfter is the wait suggested with a Busy error.
func (q *Queue) RetryAfter() time.Duration { return q.cfg.RetryAfter }

// Cancel stops a run from any process: a queued run is cancelled at once
// (its job too); a running run gets its cancel flag, which its worker sees
// within PollInterval, stops its search and keeps the best plan found.
// NotFound; Conflict when the run is already finished.
func (q *Queue) Cancel(ctx context.Context, id string) (data.Run, error) {
	r, err := q.store.GetRun(ctx, id)
	if err != nil {
		return r, err
	}
	if !r.Status.Active() {
		return r, &data.Error{Kind: data.Conflict, ID: id, Message: fmt.Sprintf("run %s is %s, not queued or running", id, r.Status)}
	}
	if r, err = q.store.RequestRunCancel(ctx, id); err != nil {
		return r, err
	}
	if r.Status == data.RunQueued {
		if r.JobID > 0 {
			// A job already taken by a worker is not cancelled here: the
			// worker sees the flag instead.
			if _, err := q.river.JobCancel(ctx, r.JobID); err != nil && !errors.Is(err, river.ErrNotFound) {
				q.cfg.Logger.Warn("cancel job", "run", id, "job", r.JobID, "error", err)
			}
		}
		st, msg := data.RunCancelled, "cancelled before it started"
		return q.store.UpdateRun(ctx, data.RunUpdate{ID: id, Status: &st, Error: &msg, Finished: true})
	}
	return r, nil
}
