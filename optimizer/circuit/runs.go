package circuit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/vrp"
)

// Start queues a plan for the horizon from–to by user by. Errors: Invalid
// for a bad horizon; Conflict (ID: the run in flight) when a plan of an
// overlapping horizon is queued or running; Busy when the queue is full;
// Unavailable-like Internal without a queue.
func (s *Service) Start(ctx context.Context, from, to data.Date, by string) (View, error) {
	return s.start(ctx, data.Run{Kind: data.RunCircuitPlan, From: from, To: to, CreatedBy: by})
}

// Replan queues a re-plan of plan id as of now (zero = the service's now):
// stops before now and locked stops stay, the rest is re-planned with the
// current staff and request pool, moving as few stops as possible. The
// result is a new draft plan whose summary lists the moves. Errors:
// NotFound, Conflict (a run for the week is active), Busy.
func (s *Service) Replan(ctx context.Context, id string, now time.Time, by string) (View, error) {
	d, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return View{}, err
	}
	if d.Plan.Kind != data.PlanCircuit {
		return View{}, data.Errorf(data.NotFound, "no circuit plan %s", id)
	}
	if now.IsZero() {
		now = s.cfg.Now()
	}
	asOf := now.UTC()
	return s.start(ctx, data.Run{Kind: data.RunCircuitReplan, From: d.Plan.From, To: d.Plan.To, CreatedBy: by, Baseline: id, AsOf: &asOf})
}

// ErrNoQueue is returned by Start and Replan of a Service without a queue.
var ErrNoQueue = errors.New("circuit: no job queue configured")

func (s *Service) start(ctx context.Context, r data.Run) (View, error) {
	if _, err := Days(r.From, r.To); err != nil {
		return View{}, &data.Error{Kind: data.Invalid, Field: "to", Message: strings.TrimPrefix(err.Error(), ErrHorizon.Error()+": ")}
	}
	if s.cfg.Queue == nil {
		return View{}, ErrNoQueue
	}
	// Plans and re-plans of overlapping weeks would fight over the same
	// requests: one at a time (the queue also refuses an exact duplicate
	// atomically, across processes).
	for _, k := range []data.RunKind{data.RunCircuitPlan, data.RunCircuitReplan} {
		act, err := s.store.ListRuns(ctx, data.RunFilter{Kind: k, Active: true, Limit: data.MaxLimit})
		if err != nil {
			return View{}, err
		}
		for _, a := range act {
			if a.From <= r.To && r.From <= a.To {
				return View{}, &data.Error{Kind: data.Conflict, ID: a.ID,
					Message: fmt.Sprintf("plan %s for %s–%s is still %s; wait for it or stop it (DELETE)", a.ID, a.From, a.To, a.Status)}
			}
		}
	}
	if err := s.cfg.Queue.Enqueue(ctx, &r, nil); err != nil {
		return View{}, err
	}
	return runView(r), nil
}

// Execute is the queue's handler for circuit plan and re-plan runs: it
// plans run r (from scratch), reporting progress, and saves the plan under
// the run's id. When ctx ends (a cancel, the job timeout) the search stops
// and the best plan found so far is saved.
func (s *Service) Execute(ctx context.Context, r data.Run, report func(data.RunPoint)) error {
	t0 := time.Now()
	err := s.plan(ctx, r, report)
	s.mu.Lock()
	f := s.cfg.OnFinish
	s.mu.Unlock()
	if f != nil {
		st := "done"
		switch {
		case err != nil:
			st = "failed"
		case ctx.Err() != nil:
			st = "stopped"
		}
		f(st, time.Since(t0))
	}
	if err != nil {
		s.cfg.Logger.Warn("circuit plan failed", slog.String("plan", r.ID), slog.Any("error", err))
	}
	return err
}

func (s *Service) plan(ctx context.Context, r data.Run, report func(data.RunPoint)) error {
	// Reads and writes must not be cut by a stop request: only the search is.
	bg := context.WithoutCancel(ctx)
	var base *Baseline
	var extra []string
	if r.Baseline != "" {
		d, err := s.store.GetPlan(bg, r.Baseline)
		if err != nil {
			return fmt.Errorf("load baseline: %w", err)
		}
		base = &Baseline{Plan: d}
		extra = planRequestIDs(d)
	}
	snap, err := LoadSnapshot(bg, s.store, extra)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	if r.AsOf != nil {
		now = *r.AsOf
	}
	t0 := time.Now()
	var prog []Point
	res, err := Plan(ctx, snap, Options{From: r.From, To: r.To, Source: s.cfg.Source, TimeLimit: s.cfg.TimeLimit,
		MaxIterations: s.cfg.MaxIterations, Seed: s.cfg.Seed, Threads: s.cfg.Threads, Now: now, Baseline: base, Tolerance: s.cfg.Tolerance,
		Observer: func(p vrp.Progress) {
			pt := Point{ElapsedSec: time.Since(t0).Seconds(), Cost: p.Cost, Served: p.Served, Iteration: p.Iteration}
			prog = append(prog, pt)
			report(pt)
		}})
	if err != nil {
		return err
	}
	if err := Check(snap, checkedPart(res.Detail, base, data.DateOf(now)), res.Travel); err != nil {
		return fmt.Errorf("plan failed the independent check: %w", err)
	}
	sum := res.Summary().Circuit()
	if len(prog) > data.MaxRunPoints {
		prog = prog[len(prog)-data.MaxRunPoints:]
	}
	sum.Progress = prog
	res.Detail.Plan.ID = r.ID
	res.Detail.Plan.CreatedBy = r.CreatedBy
	res.Detail.Plan.Summary = planSummary(sum)
	if err := s.store.CreatePlan(bg, &res.Detail); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	s.cfg.Logger.Info("circuit plan done", slog.String("plan", r.ID), slog.Int("served", res.Stats.Served), slog.Int("unserved", res.Stats.Unserved))
	return nil
}

func planRequestIDs(d data.PlanDetail) []string {
	var ids []string
	for _, it := range d.Itineraries {
		for _, st := range it.Stops {
			ids = append(ids, st.RequestIDs...)
		}
	}
	return ids
}

// Stop cancels a queued or running plan from any replica; a running search
// stops and its best plan so far is saved. Errors: NotFound, Conflict if
// already finished.
func (s *Service) Stop(ctx context.Context, id string) (View, error) {
	if s.cfg.Queue == nil {
		return View{}, ErrNoQueue
	}
	r, err := s.cfg.Queue.Cancel(ctx, id)
	if data.ErrorKind(err) == data.NotFound {
		if _, gerr := s.Get(ctx, id); gerr != nil {
			return View{}, gerr
		}
		return View{}, data.Errorf(data.Conflict, "plan %s is not running", id)
	}
	if err != nil {
		return View{}, err
	}
	if r.Kind != data.RunCircuitPlan && r.Kind != data.RunCircuitReplan {
		return View{}, data.Errorf(data.NotFound, "no circuit plan %s", id)
	}
	v := runView(r)
	v.Stopped = v.Stopped || r.CancelRequested
	return v, nil
}

// Wait blocks until run id is finished or ctx is done (for tests and the CLI).
func (s *Service) Wait(ctx context.Context, id string) (View, error) {
	for {
		v, err := s.Get(ctx, id)
		if err != nil || !v.Status.Active() {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// runView is the view of a run before its plan exists.
func runView(r data.Run) View {
	v := View{ID: r.ID, Status: r.Status, Error: r.Error, From: r.From, To: r.To, Stopped: r.Stopped, Baseline: r.Baseline,
		Progress: append([]Point{}, r.Progress...), Itineraries: []data.Itinerary{}, Unassigned: []Unassigned{},
		StartedAt: utc(r.StartedAt), FinishedAt: utc(r.FinishedAt)}
	return v
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Get returns the status of run id and, once done, its plan, from the
// store: any replica answers for any run. Plans made before runs were
// stored (or imported) read as done. NotFound when there is no such
// circuit plan.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	r, err := s.store.GetRun(ctx, id)
	haveRun := err == nil
	if err != nil && data.ErrorKind(err) != data.NotFound {
		return View{}, err
	}
	if haveRun && r.Kind != data.RunCircuitPlan && r.Kind != data.RunCircuitReplan {
		return View{}, data.Errorf(data.NotFound, "no circuit plan %s", id)
	}
	var v View
	if haveRun {
		v = runView(r)
		if r.Status != data.RunDone {
			v.TimeLimitSec = s.cfg.TimeLimit.Seconds()
			return v, nil
		}
	}
	d, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return View{}, err
	}
	if d.Plan.Kind != data.PlanCircuit {
		return View{}, data.Errorf(data.NotFound, "no circuit plan %s", id)
	}
	if !haveRun {
		v = View{ID: id, Status: Done, From: d.Plan.From, To: d.Plan.To, Progress: []Point{}}
	}
	sum := d.Plan.Summary.Circuit()
	if len(v.Progress) == 0 && sum.Progress != nil {
		v.Progress = sum.Progress
	}
	v.Baseline = sum.Stats.BaselinePID
	p := d.Plan
	v.Plan = &p
	v.Itineraries = d.Itineraries
	if v.Itineraries == nil {
		v.Itineraries = []data.Itinerary{}
	}
	v.Unassigned = sum.Unassigned
	if v.Unassigned == nil {
		v.Unassigned = []Unassigned{}
	}
	st := sum.Stats
	v.Stats, v.Loads, v.Moves = &st, sum.Loads, sum.Moves
	if v.NeedsReplan, err = s.ReplanNeed(ctx, d); err != nil {
		return View{}, err
	}
	return v, nil
}
