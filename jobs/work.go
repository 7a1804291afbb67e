package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/yingjing/xunhui/data"
)

// work runs one attempt of run id for River job row.
func (q *Queue) work(ctx context.Context, id string, job *rivertype.JobRow) error {
	r, err := q.store.GetRun(ctx, id)
	if data.ErrorKind(err) == data.NotFound {
		return river.JobCancel(fmt.Errorf("run %s does not exist", id))
	}
	if err != nil {
		return err // retried
	}
	if !r.Status.Active() {
		return nil // cancelled while queued, or already finished
	}
	if r.CancelRequested {
		return q.finish(ctx, r.ID, data.RunCancelled, "cancelled before it started", false)
	}
	q.mu.RLock()
	h := q.handlers[r.Kind]
	q.mu.RUnlock()
	if h == nil {
		return q.finish(ctx, r.ID, data.RunFailed, fmt.Sprintf("no worker for %s runs in this process", r.Kind), false)
	}
	running, attempt, worker, jobID := data.RunRunning, job.Attempt, q.cfg.Name, job.ID
	empty, noErr := []data.RunPoint{}, ""
	if r, err = q.store.UpdateRun(ctx, data.RunUpdate{ID: r.ID, Status: &running, Attempt: &attempt, Worker: &worker, JobID: &jobID,
		Progress: &empty, Error: &noErr, Started: true}); err != nil {
		return err
	}
	q.cfg.Logger.Info("run started", "run", r.ID, "kind", r.Kind, "attempt", attempt, "job", jobID)

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	p := &progress{}
	watchDone := make(chan struct{})
	var cancelled bool
	go func() {
		defer close(watchDone)
		cancelled = q.watch(runCtx, r.ID, p, stop)
	}()
	herr := callHandler(runCtx, h, r, p.add)
	stop()
	<-watchDone
	bg := context.WithoutCancel(ctx)
	if pts, ok := p.take(); ok {
		_, _ = q.store.UpdateRun(bg, data.RunUpdate{ID: r.ID, Progress: &pts})
	}
	if herr != nil {
		q.cfg.Logger.Warn("run failed", "run", r.ID, "kind", r.Kind, "error", herr)
		if err := q.finish(bg, r.ID, data.RunFailed, data.ErrorMessage(herr), cancelled); err != nil {
			return err
		}
		// Deterministic failures are not retried; River keeps the error.
		return river.JobCancel(herr)
	}
	q.cfg.Logger.Info("run done", "run", r.ID, "kind", r.Kind, "stopped_early", cancelled)
	return q.finish(bg, r.ID, data.RunDone, "", cancelled)
}

// callHandler runs h, turning a panic into an error.
func callHandler(ctx context.Context, h Handler, r data.Run, report func(data.RunPoint)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("run panicked: %v", p)
		}
	}()
	return h(ctx, r, report)
}

func (q *Queue) finish(ctx context.Context, id string, st data.RunStatus, reason string, stopped bool) error {
	_, err := q.store.UpdateRun(ctx, data.RunUpdate{ID: id, Status: &st, Error: &reason, Stopped: &stopped, Finished: true})
	return err
}

// watch flushes progress and polls the run's cancel flag every
// PollInterval until ctx ends; on a cancel it calls stop and reports true.
func (q *Queue) watch(ctx context.Context, id string, p *progress, stop func()) bool {
	t := time.NewTicker(q.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		bg := context.WithoutCancel(ctx)
		var r data.Run
		var err error
		if pts, ok := p.take(); ok {
			r, err = q.store.UpdateRun(bg, data.RunUpdate{ID: id, Progress: &pts})
		} else {
			r, err = q.store.GetRun(bg, id)
		}
		if err == nil && r.CancelRequested {
			q.cfg.Logger.Info("run cancel requested", "run", id)
			stop()
			return true
		}
	}
}

// progress collects a run's points between flushes: the whole series is
// written each time (at most data.MaxRunPoints, the latest kept).
type progress struct {
	mu    sync.Mutex
	pts   []data.RunPoint
	dirty bool
}

func (p *progress) add(pt data.RunPoint) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.pts); n > 0 && p.pts[n-1].Cost == pt.Cost && p.pts[n-1].Served == pt.Served && pt.ElapsedSec-p.pts[n-1].ElapsedSec < 5 {
		return // no news: keep one point per 5 s of a flat search
	}
	p.pts = append(p.pts, pt)
	if len(p.pts) > data.MaxRunPoints {
		p.pts = p.pts[len(p.pts)-data.MaxRunPoints:]
	}
	p.dirty = true
}

func (p *progress) take() ([]data.RunPoint, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.dirty {
		return nil, false
	}
	p.dirty = false
	return append([]data.RunPoint{}, p.pts...), true
}

// reconcileArgs is the periodic job that fails runs whose job ended
// without finishing them.
type reconcileArgs struct{}

func (reconcileArgs) Kind() string { return "run_reconcile" }

type reconcileWorker struct {
	river.WorkerDefaults[reconcileArgs]
	q *Queue
}

func (w *reconcileWorker) Work(ctx context.Context, _ *river.Job[reconcileArgs]) error {
	_, err := w.q.Reconcile(ctx)
	return err
}

// Reconcile fails every active run whose River job is finished
// (completed, cancelled, discarded: its attempts used up after its worker
// died) or gone, or that was never enqueued within a minute, naming why.
// It returns the ids of the runs it failed.
func (q *Queue) Reconcile(ctx context.Context) ([]string, error) {
	runs, err := q.store.ListRuns(ctx, data.RunFilter{Active: true, Limit: data.MaxLimit})
	if err != nil {
		return nil, err
	}
	var failed []string
	for _, r := range runs {
		reason := ""
		if r.JobID == 0 {
			if time.Since(r.CreatedAt) > time.Minute {
				reason = "never enqueued (the process that accepted it stopped)"
			}
		} else {
			job, err := q.river.JobGet(ctx, r.JobID)
			switch {
			case errors.Is(err, river.ErrNotFound):
				reason = fmt.Sprintf("its job %d is gone", r.JobID)
			case err != nil:
				return failed, err
			case job.State == rivertype.JobStateCompleted || job.State == rivertype.JobStateCancelled || job.State == rivertype.JobStateDiscarded:
				reason = jobEndReason(job)
			}
		}
		if reason == "" {
			continue
		}
		// Re-read: the worker may have finished the run meanwhile.
		if cur, err := q.store.GetRun(ctx, r.ID); err != nil || !cur.Status.Active() {
			continue
		}
		if err := q.finish(ctx, r.ID, data.RunFailed, reason, false); err != nil {
			return failed, err
		}
		q.cfg.Logger.Warn("run failed by reconciler", "run", r.ID, "reason", reason)
		failed = append(failed, r.ID)
	}
	return failed, nil
}

func jobEndReason(job *rivertype.JobRow) string {
	last := ""
	if n := len(job.Errors); n > 0 {
		last = ": " + job.Errors[n-1].Error
	}
	if job.State == rivertype.JobStateDiscarded {
		return fmt.Sprintf("worker lost: job %d given up after %d attempt(s)%s", job.ID, job.Attempt, last)
	}
	return fmt.Sprintf("job %d %s without finishing the run%s", job.ID, job.State, last)
}
