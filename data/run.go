package data

import (
	"context"
	"fmt"
	"time"
)

// RunKind names the work a queued run does.
type RunKind string

// Run kinds (one River job kind each).
const (
	RunCircuitPlan   RunKind = "circuit_plan"
	RunCircuitReplan RunKind = "circuit_replan"
	RunMarketPlan    RunKind = "market_plan"
)

// RunStatus is the state of a run.
type RunStatus string

// Run states. Queued and Running are active; the others are final.
const (
	RunQueued    RunStatus = "queued"
	RunRunning   RunStatus = "running"
	RunDone      RunStatus = "done"
	RunFailed    RunStatus = "failed"
	RunCancelled RunStatus = "cancelled"
)

// Active reports whether s is queued or running.
func (s RunStatus) Active() bool { return s == RunQueued || s == RunRunning }

// RunPoint is one progress report of a running search.
type RunPoint struct {
	ElapsedSec float64 `json:"elapsed_seconds"`
	Cost       int64   `json:"cost"`
	Served     int     `json:"served"`
	Iteration  int     `json:"iteration"`
}

// MaxRunPoints bounds the progress kept per run.
const MaxRunPoints = 500

// Run is the persisted state of one queued piece of work: what every
// replica reads for GET …/{id} and the progress stream, whichever process
// runs it. Its id is the id of the plan it produces.
type Run struct {
	ID     string    `json:"id"`
	Kind   RunKind   `json:"kind"`
	From   Date      `json:"from"`
	To     Date      `json:"to"`
	Status RunStatus `json:"status"`
	// Error says why a run failed.
	Error string `json:"error,omitempty"`
	// Stopped is true when a cancel stopped the search early (the best
	// plan found was kept).
	Stopped bool `json:"stopped_early,omitempty"`
	// CancelRequested is set by RequestRunCancel; the worker polls it.
	CancelRequested bool `json:"cancel_requested,omitempty"`
	// JobID is the River job running it (0 until enqueued).
	JobID int64 `json:"job_id,omitempty"`
	// Attempt counts starts (a rescued run starts again from scratch).
	Attempt int `json:"attempt,omitempty"`
	// Worker names the process that ran the last attempt.
	Worker    string `json:"worker,omitempty"`
	CreatedBy string `json:"created_by"`
	// Baseline is the plan a re-plan starts from; AsOf its "now".
	Baseline   string     `json:"baseline_plan_id,omitempty"`
	AsOf       *time.Time `json:"as_of,omitempty"`
	Progress   []RunPoint `json:"progress"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// ActiveKey is the (kind, period) of which at most one run may be active.
func (r Run) ActiveKey() string { return fmt.Sprintf("%s|%s|%s", r.Kind, r.From, r.To) }

// Validate checks a new run.
func (r Run) Validate() error {
	switch r.Kind {
	case RunCircuitPlan, RunCircuitReplan, RunMarketPlan:
	default:
		return FieldError("kind", "unknown run kind %q", r.Kind)
	}
	if !r.From.Valid() {
		return FieldError("from", "%q is not a date", r.From)
	}
	if !r.To.Valid() || r.To < r.From {
		return FieldError("to", "%q is not a date on or after from", r.To)
	}
	return nil
}

// RunFilter selects runs for ListRuns.
type RunFilter struct {
	Kind RunKind
	// Active keeps queued and running runs only.
	Active bool
	Status RunStatus
	Limit  int
}

// RunUpdate is what a worker writes to its run. Nil fields are left alone.
type RunUpdate struct {
	ID       string
	Status   *RunStatus
	Error    *string
	Stopped  *bool
	JobID    *int64
	Attempt  *int
	Worker   *string
	Progress *[]RunPoint
	// Started and Finished set started_at / finished_at to the store's now.
	Started, Finished bool
}

// RunStore keeps runs. data.Store includes it.
type RunStore interface {
	// CreateRun stores a new run (status queued unless set; id assigned when
	// empty). Conflict when a run of the same kind and period is active:
	// the error's ID names that run.
	CreateRun(ctx context.Context, r *Run) error
	// GetRun returns a run; NotFound if absent.
	GetRun(ctx context.Context, id string) (Run, error)
	// ListRuns returns runs, newest first.
	ListRuns(ctx context.Context, f RunFilter) ([]Run, error)
	// UpdateRun applies u and returns the run; a final status frees the
	// run's (kind, period). NotFound if absent.
	UpdateRun(ctx context.Context, u RunUpdate) (Run, error)
	// RequestRunCancel sets the run's cancel flag (never cleared by
	// UpdateRun) and returns it. NotFound if absent.
	RequestRunCancel(ctx context.Context, id string) (Run, error)
	// CountRuns counts the runs of kind in status.
	CountRuns(ctx context.Context, kind RunKind, status RunStatus) (int, error)
}

// RunQueue runs work durably (package jobs, on River): the planners
// enqueue runs and cancel them through it.
type RunQueue interface {
	// Enqueue reserves run r (Busy when the queue of its kind is full;
	// Conflict with ID naming the run in flight for the same kind and
	// period), calls prepare, then queues the work.
	Enqueue(ctx context.Context, r *Run, prepare func(context.Context) error) error
	// Cancel stops a queued or running run from any process; NotFound,
	// Conflict when it is finished.
	Cancel(ctx context.Context, id string) (Run, error)
}
