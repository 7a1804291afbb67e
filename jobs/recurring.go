package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// QueueRecurring is the River queue of recurring jobs, apart from the plan
// runs of the default queue: a recurring job that starts a plan run never
// waits behind, or blocks, the workers that plan.
const QueueRecurring = "recurring"

// recurringWorkers is how many recurring jobs one process works at once.
const recurringWorkers = 4

// RecurringArgs are the arguments of one firing of a recurring job: a
// River job per (Job, Slot). They are unique by those two fields (River's
// unique insert, across every process on the database), so a slot fires
// once however many processes schedule it, leader changes included.
type RecurringArgs struct {
	// Job is the recurring job's name, e.g. "weekly-draft".
	Job string `json:"job" river:"unique"`
	// Slot is the scheduled time this firing is for (UTC).
	Slot time.Time `json:"slot" river:"unique"`
	// Trigger says why it fired: schedule, catch_up or manual.
	Trigger string `json:"trigger"`
}

// Kind implements river.JobArgs.
func (RecurringArgs) Kind() string { return "recurring" }

// InsertOpts implements river.JobArgsWithInsertOpts: the recurring queue,
// unique by (job, slot) in every state but cancelled and discarded.
func (RecurringArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueRecurring, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RecurringHandler does one firing of a recurring job; attempt is River's
// attempt (above 1 only after the worker of an earlier attempt died). An
// error ends the firing (it is not retried: the slot's record keeps it).
type RecurringHandler func(ctx context.Context, args RecurringArgs, attempt int) error

// HandleRecurring installs the handler of recurring jobs (before Start).
func (q *Queue) HandleRecurring(h RecurringHandler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.recurring = h
}

// SetRecurring schedules recurring job name as a River periodic job, or
// unschedules it when schedule is nil. The elected leader among the
// processes that work jobs inserts its firings: construct, called at each
// due time (and once when this process becomes leader, with RunOnStart,
// for catching up), returns the firing or nil for none. A process that
// works no jobs (Workers 0) schedules nothing and returns nil.
func (q *Queue) SetRecurring(name string, schedule river.PeriodicSchedule, construct func() *RecurringArgs) error {
	if q.cfg.Workers <= 0 {
		return nil
	}
	id := "recurring:" + name
	periodic := q.river.PeriodicJobs()
	periodic.RemoveByID(id)
	if schedule == nil {
		return nil
	}
	_, err := periodic.AddSafely(river.NewPeriodicJob(schedule, func() (river.JobArgs, *river.InsertOpts) {
		a := construct()
		if a == nil {
			return nil, nil
		}
		return *a, nil
	}, &river.PeriodicJobOpts{ID: id, RunOnStart: true}))
	if err != nil {
		return fmt.Errorf("jobs: schedule %s: %w", name, err)
	}
	return nil
}

// EnqueueRecurring inserts one firing now (a manual run); false when that
// (job, slot) is already queued, running or done.
func (q *Queue) EnqueueRecurring(ctx context.Context, a RecurringArgs) (bool, error) {
	res, err := q.river.Insert(ctx, a, nil)
	if err != nil {
		return false, fmt.Errorf("jobs: enqueue %s: %w", a.Job, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// recurringWorker works the recurring queue through the queue's handler.
type recurringWorker struct {
	river.WorkerDefaults[RecurringArgs]
	q *Queue
}

func (w *recurringWorker) Work(ctx context.Context, job *river.Job[RecurringArgs]) error {
	w.q.mu.RLock()
	h := w.q.recurring
	w.q.mu.RUnlock()
	if h == nil {
		return river.JobCancel(fmt.Errorf("no handler for recurring job %s in this process", job.Args.Job))
	}
	if err := callRecurring(ctx, h, job.Args, job.Attempt); err != nil {
		return river.JobCancel(err)
	}
	return nil
}

// Timeout bounds a firing like a plan run's attempt: below RescueAfter, so
// River never rescues a firing that is still working.
func (w *recurringWorker) Timeout(*river.Job[RecurringArgs]) time.Duration { return w.q.cfg.JobTimeout }

func callRecurring(ctx context.Context, h RecurringHandler, a RecurringArgs, attempt int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("recurring job %s panicked: %v", a.Job, p)
		}
	}()
	return h(ctx, a, attempt)
}
