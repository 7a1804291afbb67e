package circuit

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
)

// RunStatus is the state of a planning run (data.RunStatus).
type RunStatus = data.RunStatus

// Run statuses.
const (
	Queued    = data.RunQueued
	Running   = data.RunRunning
	Done      = data.RunDone
	Failed    = data.RunFailed
	Cancelled = data.RunCancelled
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
	// Tolerance is how far (minutes) a re-plan may move a kept visit's
	// start on its day (default DefaultTolerance, 60).
	Tolerance int
	// DraftOverPublished lets the weekly-draft job draft a new version of a
	// week that already has a published plan (default: it skips the week).
	DraftOverPublished bool
	// Queue runs the plans durably (package jobs, on River); without it
	// Start and Replan answer Unavailable.
	Queue data.RunQueue
}

// Service runs circuit plans for the API as runs on a durable queue (at
// most one queued or running plan per overlapping horizon), results saved
// as draft plans in the store. Run state lives in the store, so every
// replica answers for every run (runs.go).
type Service struct {
	store data.Store
	cfg   Config

	mu sync.Mutex // guards cfg.OnFinish

	// sources caches the travel source of plan versions for route sheets.
	sources sourceCache
}

// NewService returns a Service over store; its runs go to cfg.Queue.
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
	return &Service{store: store, cfg: cfg}
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
	// TimeLimitSec is the search's time limit in seconds while the run is
	// queued or running, so that a progress bar can show elapsed / limit.
	TimeLimitSec float64 `json:"time_limit_seconds,omitempty"`
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
	sum := v.Plan.Summary.Circuit()
	e := Explanation{PlanID: id, Unassigned: sum.Unassigned, Loads: sum.Loads, Decisions: sum.Decisions, Moves: sum.Moves, Stats: sum.Stats, Warnings: sum.Warnings}
	if e.Unassigned == nil {
		e.Unassigned = []Unassigned{}
	}
	return e, nil
}

// Published is the answer of Publish: the published header and what it
// changes against the version it supersedes.
type Published struct {
	data.Plan
	Diff PlanDiff `json:"diff"`
}

// Publish publishes a finished draft (version 0 = the current one) and marks
// its requests planned. When a published plan already covers part of the
// period, supersedes must name it (Conflict otherwise); the answer's Diff
// lists the visits added, removed and moved per team-day. Errors:
// NotFound, Conflict (stale version, still running, not a draft,
// supersedes missing or wrong, a person-day claimed by another plan).
func (s *Service) Publish(ctx context.Context, id string, version int64, supersedes, by string) (Published, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return Published{}, err
	}
	if v.Status != Done {
		return Published{}, data.Errorf(data.Conflict, "plan %s is %s", id, v.Status)
	}
	if version == 0 {
		version = v.Plan.Version
	}
	var old *data.PlanDetail
	if supersedes != "" {
		o, err := s.store.GetPlan(ctx, supersedes)
		if err != nil && data.ErrorKind(err) != data.NotFound {
			return Published{}, err
		}
		if err == nil {
			old = &o
		}
	}
	p, err := s.store.PublishPlan(ctx, data.Publication{ID: id, Version: version, Supersedes: supersedes})
	if err != nil {
		return Published{}, err
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
	return Published{Plan: p, Diff: Diff(old, data.PlanDetail{Plan: p, Itineraries: v.Itineraries})}, nil
}

// PreviewPublish answers what Publish would, writing nothing: the draft's
// header and its diff against the published plan it would replace. With
// supersedes empty that is the newest published circuit plan overlapping
// the period (named in Diff.Supersedes, so that the confirmation can pass
// it on). Errors: NotFound, Conflict (still running, not a draft, stale
// version, supersedes not a published plan).
func (s *Service) PreviewPublish(ctx context.Context, id string, version int64, supersedes string) (Published, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return Published{}, err
	}
	if v.Status != Done {
		return Published{}, data.Errorf(data.Conflict, "plan %s is %s", id, v.Status)
	}
	if v.Plan.Status != data.PlanDraft {
		return Published{}, data.Errorf(data.Conflict, "plan %s is %s, not a draft", id, v.Plan.Status)
	}
	if version != 0 && version != v.Plan.Version {
		return Published{}, &data.Error{Kind: data.Conflict, Field: "version",
			Message: fmt.Sprintf("plan %s is at version %d, not %d: reload it", id, v.Plan.Version, version)}
	}
	old, err := s.publishedToReplace(ctx, v, supersedes)
	if err != nil {
		return Published{}, err
	}
	return Published{Plan: *v.Plan, Diff: Diff(old, data.PlanDetail{Plan: *v.Plan, Itineraries: v.Itineraries})}, nil
}

// publishedToReplace is the published circuit plan named by supersedes, or
// the newest one overlapping v's period when supersedes is empty (nil when
// there is none).
func (s *Service) publishedToReplace(ctx context.Context, v View, supersedes string) (*data.PlanDetail, error) {
	if supersedes == "" {
		ps, err := s.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit, Status: data.PlanPublished, Limit: data.MaxLimit})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.ID != v.ID && p.From <= v.To && p.To >= v.From {
				supersedes = p.ID
				break
			}
		}
		if supersedes == "" {
			return nil, nil
		}
	}
	o, err := s.store.GetPlan(ctx, supersedes)
	if data.ErrorKind(err) == data.NotFound || (err == nil && (o.Plan.Kind != data.PlanCircuit || o.Plan.Status != data.PlanPublished)) {
		return nil, &data.Error{Kind: data.Conflict, Field: "supersedes", Message: fmt.Sprintf("%s is not a published circuit plan", supersedes)}
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
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

// Record records outcome o of visit v for its requests (ids; empty = all
// of the visit's) in one transaction: all change or none. key (optional)
// makes the call idempotent for user by: a repeat with the same
// fingerprint replays the stored answer and writes nothing. Errors:
// Invalid (bad outcome, a request not on the visit), NotFound, Conflict (a
// forbidden change, a key reused for another call).
func (s *Service) Record(ctx context.Context, v Visit, o Outcome, note string, ids []string, by, key, fingerprint string) (data.OutcomeReceipt, error) {
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
		return data.OutcomeReceipt{}, data.FieldError("outcome", "%q is not done, nobody_home or follow_up", o)
	}
	if len(ids) == 0 {
		ids = v.Stop.RequestIDs
	}
	for i, id := range ids {
		if !slices.Contains(v.Stop.RequestIDs, id) {
			return data.OutcomeReceipt{}, data.FieldError(fmt.Sprintf("request_ids[%d]", i), "request %s is not on this visit", id)
		}
	}
	vid := VisitID(v.PlanID, v.TeamID, v.Date, v.Stop.Seq)
	return s.store.RecordOutcome(ctx, data.OutcomeRecord{VisitID: vid, RequestIDs: ids, To: to, By: by,
		Note:           strings.TrimSpace(fmt.Sprintf("visit %s %s %s: %s %s", v.PlanID, v.TeamID, v.Date, o, note)),
		IdempotencyKey: key, Fingerprint: fingerprint})
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
