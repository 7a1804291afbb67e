package circuit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/optimizer/vrp"
)

// RunStatus is the state of a planning run.
type RunStatus string

// Run statuses.
const (
	Queued  RunStatus = "queued"
	Running RunStatus = "running"
	Done    RunStatus = "done"
	Failed  RunStatus = "failed"
)

// Config tunes a Service. Zero fields take the defaults in the comments.
type Config struct {
	// Source gives travel times (default: the estimator, mountain defaults).
	Source geo.Source
	// TimeLimit bounds each run (default 10 s); MaxIterations caps it too
	// when > 0 (tests use it for short, reproducible runs).
	TimeLimit     time.Duration
	MaxIterations int
	// Threads is the number of parallel searches (default 2).
	Threads int
	// Seed seeds the searches (default 1).
	Seed int64
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Logger receives run events (default: discarded).
	Logger *slog.Logger
	// OnFinish, when set, is called after every run with its status
	// ("done", "failed", "stopped") and wall time (e.g. for metrics).
	OnFinish func(status string, elapsed time.Duration)
}

// Service runs circuit plans for the API: asynchronously, one at a time
// (the machine is small), at most one queued or running plan per
// overlapping horizon, results saved as draft plans in the store.
type Service struct {
	store data.Store
	cfg   Config
	ctx   context.Context
	stop  context.CancelFunc
	sem   chan struct{}
	wg    sync.WaitGroup

	mu   sync.Mutex
	runs map[string]*run

	// sources caches the travel source of plan versions for route sheets.
	sources sourceCache
}

type run struct {
	id, by     string
	from, to   data.Date
	baseline   string
	status     RunStatus
	err        string
	progress   []Point
	started    time.Time
	finished   time.Time
	cancel     context.CancelFunc
	stopped    bool
	replanNow  time.Time
	lastReport time.Time
}

// NewService returns a Service over store. Close it to stop running plans.
func NewService(store data.Store, cfg Config) *Service {
	if cfg.TimeLimit <= 0 {
		cfg.TimeLimit = 10 * time.Second
	}
	if cfg.Threads <= 0 {
		cfg.Threads = 2
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{store: store, cfg: cfg, ctx: ctx, stop: cancel, sem: make(chan struct{}, 1), runs: map[string]*run{}}
}

// Close stops every run (keeping what they found) and waits for them.
func (s *Service) Close() {
	s.stop()
	s.wg.Wait()
}

// SetOnFinish installs Config.OnFinish; call it before the first run.
func (s *Service) SetOnFinish(f func(status string, elapsed time.Duration)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.OnFinish == nil {
		s.cfg.OnFinish = f
	}
}

// Store returns the service's store.
func (s *Service) Store() data.Store { return s.store }

// View is what GET /circuit-plans/{id} returns: the run status and, once
// done, the plan with its itineraries and unassigned requests.
type View struct {
	ID         string     `json:"id"`
	Status     RunStatus  `json:"status"`
	Error      string     `json:"error,omitempty"`
	From       data.Date  `json:"from"`
	To         data.Date  `json:"to"`
	Stopped    bool       `json:"stopped_early,omitempty"`
	Baseline   string     `json:"baseline_plan_id,omitempty"`
	Progress   []Point    `json:"progress"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Plan is the saved plan header (draft or published), once done.
	Plan *data.Plan `json:"plan,omitempty"`
	// Itineraries and Unassigned are the plan's content, once done.
	Itineraries []data.Itinerary `json:"itineraries"`
	Unassigned  []Unassigned     `json:"unassigned"`
	Stats       *Stats           `json:"stats,omitempty"`
	Loads       []Load           `json:"loads,omitempty"`
	Moves       []Move           `json:"moves,omitempty"`
	// NeedsReplan lists the visits of a published plan whose people are
	// now away (absence or leave added after publishing); empty when the
	// plan still holds.
	NeedsReplan []AffectedVisit `json:"needs_replan,omitempty"`
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "P-" + hex.EncodeToString(b)
}

// Start queues a plan for the horizon from–to by user by. Errors: Invalid
// for a bad horizon, Conflict when a plan of an overlapping horizon is
// queued or running.
func (s *Service) Start(from, to data.Date, by string) (View, error) {
	return s.start(from, to, by, "", time.Time{})
}

// Replan queues a re-plan of plan id as of now (zero = the service's now):
// stops before now and locked stops stay, the rest is re-planned with the
// current staff and request pool, moving as few stops as possible. The
// result is a new draft plan whose summary lists the moves. Errors:
// NotFound, Conflict (a run for the week is active).
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
	return s.start(d.Plan.From, d.Plan.To, by, id, now)
}

func (s *Service) start(from, to data.Date, by, baseline string, now time.Time) (View, error) {
	if _, err := Days(from, to); err != nil {
		return View{}, &data.Error{Kind: data.Invalid, Field: "to", Message: strings.TrimPrefix(err.Error(), ErrHorizon.Error()+": ")}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.runs {
		if (r.status == Queued || r.status == Running) && r.from <= to && from <= r.to {
			return View{}, &data.Error{Kind: data.Conflict, Message: fmt.Sprintf("plan %s for %s–%s is still %s; wait for it or stop it (DELETE)", r.id, r.from, r.to, r.status)}
		}
	}
	// Finished runs live in the store; forget them after an hour.
	for id, r := range s.runs {
		if (r.status == Done || r.status == Failed) && time.Since(r.finished) > time.Hour {
			delete(s.runs, id)
		}
	}
	ctx, cancel := context.WithCancel(s.ctx)
	r := &run{id: newID(), by: by, from: from, to: to, baseline: baseline, status: Queued, cancel: cancel, replanNow: now}
	s.runs[r.id] = r
	s.wg.Add(1)
	go s.execute(ctx, r)
	return s.viewLocked(r), nil
}

func (s *Service) execute(ctx context.Context, r *run) {
	defer s.wg.Done()
	defer r.cancel()
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		s.finish(r, errors.New("stopped before it started"))
		return
	}
	defer func() { <-s.sem }()
	s.mu.Lock()
	r.status, r.started = Running, time.Now()
	s.mu.Unlock()
	err := s.plan(ctx, r)
	s.finish(r, err)
}

func (s *Service) finish(r *run, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.finished = time.Now()
	if f := s.cfg.OnFinish; f != nil && !r.started.IsZero() {
		st := "done"
		switch {
		case err != nil:
			st = "failed"
		case r.stopped:
			st = "stopped"
		}
		defer f(st, r.finished.Sub(r.started))
	}
	if err != nil {
		r.status, r.err = Failed, err.Error()
		s.cfg.Logger.Warn("circuit plan failed", slog.String("plan", r.id), slog.Any("error", err))
		return
	}
	r.status = Done
}

func (s *Service) plan(ctx context.Context, r *run) error {
	// Reads and writes must not be cut by a stop request: only the search is.
	bg := context.WithoutCancel(ctx)
	var base *Baseline
	var extra []string
	if r.baseline != "" {
		d, err := s.store.GetPlan(bg, r.baseline)
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
	if !r.replanNow.IsZero() {
		now = r.replanNow
	}
	t0 := time.Now()
	res, err := Plan(ctx, snap, Options{From: r.from, To: r.to, Source: s.cfg.Source, TimeLimit: s.cfg.TimeLimit,
		MaxIterations: s.cfg.MaxIterations, Seed: s.cfg.Seed, Threads: s.cfg.Threads, Now: now, Baseline: base,
		Observer: func(p vrp.Progress) {
			s.mu.Lock()
			defer s.mu.Unlock()
			pt := Point{ElapsedSec: time.Since(t0).Seconds(), Cost: p.Cost, Served: p.Served, Iteration: p.Iteration}
			if n := len(r.progress); n > 0 && r.progress[n-1].Cost == p.Cost && r.progress[n-1].Served == p.Served && time.Since(r.lastReport) < 5*time.Second {
				return
			}
			if len(r.progress) < 500 {
				r.progress = append(r.progress, pt)
				r.lastReport = time.Now()
			}
		}})
	if err != nil {
		return err
	}
	if err := Check(snap, checkedPart(res.Detail, base, data.DateOf(now)), res.Travel); err != nil {
		return fmt.Errorf("plan failed the independent check: %w", err)
	}
	s.mu.Lock()
	r.stopped = ctx.Err() != nil
	prog := append([]Point(nil), r.progress...)
	s.mu.Unlock()
	sum, _ := ParseSummary(res.Summary())
	sum.Progress = prog
	res.Detail.Plan.ID = r.id
	res.Detail.Plan.CreatedBy = r.by
	res.Detail.Plan.Summary = sum.Map()
	if err := s.store.CreatePlan(bg, &res.Detail); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	s.cfg.Logger.Info("circuit plan done", slog.String("plan", r.id), slog.Int("served", res.Stats.Served), slog.Int("unserved", res.Stats.Unserved))
	return nil
}

// checkedPart drops the days before today from a re-plan (history: a staff
// member's leave entered afterwards must not fail the check of days already
// travelled; re-planning never changes them); everything else is checked.
func checkedPart(d data.PlanDetail, base *Baseline, today data.Date) data.PlanDetail {
	if base == nil {
		return d
	}
	out := d
	out.Itineraries = nil
	for _, it := range d.Itineraries {
		if it.Date >= today {
			out.Itineraries = append(out.Itineraries, it)
		}
	}
	return out
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

// Stop cancels a queued or running plan; a running search stops and its
// best plan so far is saved. Errors: NotFound, Conflict if already finished.
func (s *Service) Stop(ctx context.Context, id string) (View, error) {
	s.mu.Lock()
	r, ok := s.runs[id]
	if ok && (r.status == Queued || r.status == Running) {
		r.stopped = true
		r.cancel()
		v := s.viewLocked(r)
		s.mu.Unlock()
		return v, nil
	}
	s.mu.Unlock()
	if _, err := s.Get(ctx, id); err != nil {
		return View{}, err
	}
	return View{}, data.Errorf(data.Conflict, "plan %s is not running", id)
}

// Wait blocks until run id is finished or ctx is done (for tests and the CLI).
func (s *Service) Wait(ctx context.Context, id string) (View, error) {
	for {
		v, err := s.Get(ctx, id)
		if err != nil || v.Status == Done || v.Status == Failed {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Service) viewLocked(r *run) View {
	v := View{ID: r.id, Status: r.status, Error: r.err, From: r.from, To: r.to, Stopped: r.stopped, Baseline: r.baseline,
		Progress: append([]Point{}, r.progress...), Itineraries: []data.Itinerary{}, Unassigned: []Unassigned{}}
	if !r.started.IsZero() {
		t := r.started.UTC()
		v.StartedAt = &t
	}
	if !r.finished.IsZero() {
		t := r.finished.UTC()
		v.FinishedAt = &t
	}
	return v
}

// Get returns the status of run id and, once done, its plan. Plans made
// before a restart are read from the store (status done). NotFound when
// there is no such circuit plan.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	s.mu.Lock()
	r, ok := s.runs[id]
	var v View
	if ok {
		v = s.viewLocked(r)
	}
	s.mu.Unlock()
	if ok && v.Status != Done {
		return v, nil
	}
	d, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return View{}, err
	}
	if d.Plan.Kind != data.PlanCircuit {
		return View{}, data.Errorf(data.NotFound, "no circuit plan %s", id)
	}
	if !ok {
		v = View{ID: id, Status: Done, From: d.Plan.From, To: d.Plan.To, Progress: []Point{}}
	}
	sum, err := ParseSummary(d.Plan.Summary)
	if err != nil {
		return View{}, err
	}
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

// Explanation is per unassigned request its reason, per team its load, and
// the level-routing decision of every request.
type Explanation struct {
	PlanID     string       `json:"plan_id"`
	Unassigned []Unassigned `json:"unassigned"`
	Loads      []Load       `json:"loads"`
	Decisions  []Decision   `json:"decisions"`
	Moves      []Move       `json:"moves,omitempty"`
	Stats      Stats        `json:"stats"`
	Warnings   []string     `json:"warnings,omitempty"`
}

// Explain returns the explanation of a finished plan; NotFound, or
// Conflict while it is still running.
func (s *Service) Explain(ctx context.Context, id string) (Explanation, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return Explanation{}, err
	}
	if v.Status != Done {
		return Explanation{}, data.Errorf(data.Conflict, "plan %s is %s", id, v.Status)
	}
	sum, err := ParseSummary(v.Plan.Summary)
	if err != nil {
		return Explanation{}, err
	}
	e := Explanation{PlanID: id, Unassigned: sum.Unassigned, Loads: sum.Loads, Decisions: sum.Decisions, Moves: sum.Moves, Stats: sum.Stats, Warnings: sum.Warnings}
	if e.Unassigned == nil {
		e.Unassigned = []Unassigned{}
	}
	return e, nil
}

// Publish publishes a finished plan (version 0 = the current one) and marks
// its requests planned. Errors: NotFound, Conflict (stale version, still
// running).
func (s *Service) Publish(ctx context.Context, id string, version int64, supersedes, by string) (data.Plan, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return data.Plan{}, err
	}
	if v.Status != Done {
		return data.Plan{}, data.Errorf(data.Conflict, "plan %s is %s", id, v.Status)
	}
	if version == 0 {
		version = v.Plan.Version
	}
	p, err := s.store.PublishPlan(ctx, data.Publication{ID: id, Version: version, Supersedes: supersedes})
	if err != nil {
		return data.Plan{}, err
	}
	for _, it := range v.Itineraries {
		for _, st := range it.Stops {
			for _, rid := range st.RequestIDs {
				r, err := s.store.GetRequest(ctx, rid)
				if err != nil || !data.CanTransition(r.Status, data.StatusPlanned) {
					continue
				}
				_, _ = s.store.TransitionRequest(ctx, data.RequestTransition{ID: rid, Version: r.Version, To: data.StatusPlanned, By: by,
					Note: fmt.Sprintf("circuit plan %s: %s %s stop %d", id, it.TeamID, it.Date, st.Seq)})
			}
		}
	}
	// A published re-plan supersedes its baseline: requests the baseline
	// had planned that the re-plan leaves out return to the pool.
	if v.Baseline != "" {
		onNew := map[string]bool{}
		for _, id := range planRequestIDs(data.PlanDetail{Itineraries: v.Itineraries}) {
			onNew[id] = true
		}
		if old, err := s.store.GetPlan(ctx, v.Baseline); err == nil {
			for _, rid := range planRequestIDs(old) {
				if onNew[rid] {
					continue
				}
				r, err := s.store.GetRequest(ctx, rid)
				if err != nil || r.Status != data.StatusPlanned {
					continue
				}
				_, _ = s.store.TransitionRequest(ctx, data.RequestTransition{ID: rid, Version: r.Version, To: data.StatusPending, By: by,
					Note: fmt.Sprintf("left out by re-plan %s of %s", id, v.Baseline)})
			}
		}
	}
	return p, nil
}

// VisitID names stop seq of team's itinerary on date in plan: the id of
// POST /visits/{id}/outcome.
func VisitID(planID, teamID string, date data.Date, seq int) string {
	return planID + "~" + teamID + "~" + string(date) + "~" + strconv.Itoa(seq)
}

// ParseVisitID splits a visit id; the error is Invalid... reported as NotFound
// since the visit cannot exist.
func ParseVisitID(id string) (planID, teamID string, date data.Date, seq int, err error) {
	parts := strings.Split(id, "~")
	if len(parts) != 4 {
		return "", "", "", 0, data.Errorf(data.NotFound, "no visit %q (want PLAN~TEAM~DATE~SEQ)", id)
	}
	n, err := strconv.Atoi(parts[3])
	if err != nil || !data.Date(parts[2]).Valid() {
		return "", "", "", 0, data.Errorf(data.NotFound, "no visit %q", id)
	}
	return parts[0], parts[1], data.Date(parts[2]), n, nil
}

// Outcome is the result of a visit.
type Outcome string

// Outcomes of a visit.
const (
	OutcomeDone       Outcome = "done"        // served: request done
	OutcomeNobodyHome Outcome = "nobody_home" // request failed, back to the pool
	OutcomeFollowUp   Outcome = "follow_up"   // served in part: back to the pool
)

// Visit is a stop of a plan, located by its visit id.
type Visit struct {
	// Published is true when the visit's plan is published.
	Published bool
	PlanID    string
	TeamID    string
	Date      data.Date
	Stop      data.Stop
}

// FindVisit returns the visit named by id; NotFound when absent.
func (s *Service) FindVisit(ctx context.Context, id string) (Visit, error) {
	pid, tid, date, seq, err := ParseVisitID(id)
	if err != nil {
		return Visit{}, err
	}
	d, err := s.store.GetPlan(ctx, pid)
	if err != nil {
		if data.ErrorKind(err) == data.NotFound {
			return Visit{}, data.Errorf(data.NotFound, "no visit %s", id)
		}
		return Visit{}, err
	}
	for _, it := range d.Itineraries {
		if it.TeamID == tid && it.Date == date && seq >= 1 && seq <= len(it.Stops) {
			return Visit{PlanID: pid, TeamID: tid, Date: date, Stop: it.Stops[seq-1], Published: d.Plan.Status == data.PlanPublished}, nil
		}
	}
	return Visit{}, data.Errorf(data.NotFound, "no visit %s", id)
}

// Record stores the outcome of visit v for its requests (all of them, or
// only ids when given): done → done; nobody_home → failed; follow_up →
// follow_up (the note is kept in the request's history). Failed and
// follow-up requests return to the pool of the next plan. It returns the
// updated requests. Errors: Invalid (unknown outcome, request not on the
// visit), Conflict (forbidden transition).
func (s *Service) Record(ctx context.Context, v Visit, o Outcome, note string, ids []string, by string) ([]data.Request, error) {
	var to data.Status
	switch o {
	case OutcomeDone:
		to = data.StatusDone
	case OutcomeNobodyHome:
		to = data.StatusFailed
		if note == "" {
			note = "nobody home"
		}
	case OutcomeFollowUp:
		to = data.StatusFollowUp
	default:
		return nil, data.FieldError("outcome", "%q is not done, nobody_home or follow_up", o)
	}
	if len(ids) == 0 {
		ids = v.Stop.RequestIDs
	}
	prefix := fmt.Sprintf("visit %s %s %s: ", v.PlanID, v.TeamID, v.Date)
	var out []data.Request
	for _, id := range ids {
		found := false
		for _, x := range v.Stop.RequestIDs {
			found = found || x == id
		}
		if !found {
			return out, data.FieldError("request_ids", "request %s is not on this visit", id)
		}
		r, err := s.store.GetRequest(ctx, id)
		if err != nil {
			return out, err
		}
		if !data.CanTransition(r.Status, to) && data.CanTransition(r.Status, data.StatusPlanned) && data.CanTransition(data.StatusPlanned, to) {
			if r, err = s.store.TransitionRequest(ctx, data.RequestTransition{ID: id, Version: r.Version, To: data.StatusPlanned, By: by, Note: prefix + "visited"}); err != nil {
				return out, err
			}
		}
		r, err = s.store.TransitionRequest(ctx, data.RequestTransition{ID: id, Version: r.Version, To: to, By: by, Note: strings.TrimSpace(prefix + string(o) + " " + note)})
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CurrentPlan returns the newest circuit plan covering date that has an
// itinerary for team (published plans first; drafts too unless
// publishedOnly). NotFound when none.
func (s *Service) CurrentPlan(ctx context.Context, team string, date data.Date, publishedOnly bool) (data.PlanDetail, error) {
	statuses := []data.PlanStatus{data.PlanPublished}
	if !publishedOnly {
		statuses = append(statuses, data.PlanDraft)
	}
	for _, st := range statuses {
		ps, err := s.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit, Status: st, Overlaps: date, Limit: 50})
		if err != nil {
			return data.PlanDetail{}, err
		}
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].CreatedAt.After(ps[b].CreatedAt) })
		for _, p := range ps {
			d, err := s.store.GetPlan(ctx, p.ID)
			if err != nil {
				return data.PlanDetail{}, err
			}
			return d, nil
		}
	}
	return data.PlanDetail{}, data.Errorf(data.NotFound, "no circuit plan covers %s", date)
}

// SuggestSlots suggests up to k slots for request rid in plan id.
func (s *Service) SuggestSlots(ctx context.Context, id, rid string, k int) ([]Slot, Code, error) {
	d, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return nil, "", err
	}
	r, err := s.store.GetRequest(ctx, rid)
	if err != nil {
		return nil, "", err
	}
	snap, err := LoadSnapshot(ctx, s.store, append(planRequestIDs(d), rid))
	if err != nil {
		return nil, "", err
	}
	return Suggest(ctx, snap, d, r, k, s.cfg.Source, s.cfg.Now())
}
