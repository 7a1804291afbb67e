package market

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
)

// Run states of a plan (PlanView.Status).
const (
	RunQueued  = "queued"
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
	// RunCancelled: stopped before it started (DELETE on a queued run).
	RunCancelled = "cancelled"
)

// MaxHorizonDays is the longest horizon a plan may cover.
const MaxHorizonDays = 62

// Config configures a Service. Zero fields take the defaults in brackets.
type Config struct {
	// Bookings keeps bookings [the data.Store itself].
	Bookings BookingStore
	// Travel gives travel times [the straight-line geo.Estimator].
	Travel geo.Source
	// Options tune every solve (MaxIterations, TimeLimit, weights...).
	Options Options
	// ReplanIterations caps the search of a re-plan after an adjustment
	// [60000]: re-plans start from the previous plan and are interactive.
	ReplanIterations int
	// Now gives the current time [time.Now]; tests fix it.
	Now func() time.Time
	// Logger receives run failures [discarded].
	Logger *slog.Logger
	// Queue runs StartPlan's plans durably (package jobs, on River);
	// without it StartPlan fails.
	Queue data.RunQueue
}

// Service is the market-day planner behind the API (and the scheduler):
// bookings, demand, plan runs, adjustments, publication and the views. It
// is safe for concurrent use. Plans are stored through data.Store as
// PlanMarket plans; the planner's extras live in Plan.Summary.
type Service struct {
	store data.Store
	cfg   Config

	observe func(d time.Duration, status string)

	mu    sync.Mutex // serialises writes to one plan (runs and adjustments)
	locks map[string]*sync.Mutex
}

// NewService returns a Service over store.
func NewService(store data.Store, cfg Config) *Service {
	if cfg.Bookings == nil {
		cfg.Bookings = store
	}
	if cfg.Travel == nil {
		cfg.Travel = &geo.Estimator{}
	}
	if cfg.ReplanIterations <= 0 {
		cfg.ReplanIterations = 60_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, cfg: cfg, locks: map[string]*sync.Mutex{}}
}

// Observe installs f, called after every solve with its wall time and
// status ("done", "failed"); the API feeds it into its solve-time metric.
// Call it before the first plan.
func (s *Service) Observe(f func(d time.Duration, status string)) { s.observe = f }

// Wait blocks until no market plan run is queued or running, on any
// worker (for tests; at most 5 minutes).
func (s *Service) Wait() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		act, err := s.store.ListRuns(ctx, data.RunFilter{Kind: data.RunMarketPlan, Active: true, Limit: 1})
		if err != nil || len(act) == 0 {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// WaitPlan blocks until plan id's run is finished or ctx ends (for tests
// and the command line) and returns the plan as an admin sees it.
func (s *Service) WaitPlan(ctx context.Context, id string) (PlanView, error) {
	admin := Actor{UserID: "wait", Role: data.UserAdmin}
	for {
		v, err := s.GetPlan(ctx, admin, id)
		if err != nil || (v.Status != RunQueued && v.Status != RunRunning) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Service) planLock(id string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.locks[id]
	if !ok {
		m = &sync.Mutex{}
		s.locks[id] = m
	}
	return m
}

// Actor is who calls: user id, role and, for a township coordinator, the
// township they may change.
type Actor struct {
	UserID     string
	Role       data.UserRole
	TownshipID string
}

// may reports whether a may act on township tid.
func (a Actor) may(tid string) bool {
	return a.Role != data.UserTownshipCoordinator || a.TownshipID == tid
}

func forbidden(format string, args ...any) error {
	return &data.Error{Kind: data.Forbidden, Message: fmt.Sprintf(format, args...)}
}

// today is the current civil date in the county.
func (s *Service) today() data.Date { return data.DateOf(s.cfg.Now()) }

// BookingInput is what a resident (or agent) books.
type BookingInput struct {
	ItemID    string         `json:"item_id"`
	Household data.Household `json:"household"`
	Note      string         `json:"note,omitempty"`
	// Via is "api" (default) or "agent".
	Via string `json:"via,omitempty"`
}

// Book records a booking for township tid's market day date. Errors:
// NotFound for an unknown township; Invalid naming the field for a bad date
// ("date": malformed, past, not a market day), an unknown item ("item_id"),
// bad household fields ("household.*", the village must lie in the
// township), a bad note or via; Forbidden for a coordinator of another
// township.
func (s *Service) Book(ctx context.Context, a Actor, tid, date string, in BookingInput) (data.Booking, error) {
	const op = "market.Book"
	if _, err := s.store.GetTownship(ctx, tid); err != nil {
		return data.Booking{}, data.WithOp(op, err)
	}
	if !a.may(tid) {
		return data.Booking{}, forbidden("a coordinator of %s may not book for township %s", a.TownshipID, tid)
	}
	d, err := data.ParseDate(date)
	if err != nil {
		return data.Booking{}, data.FieldError("date", "%q is not a date YYYY-MM-DD", date)
	}
	if d < s.today() {
		return data.Booking{}, data.FieldError("date", "%s is in the past (today is %s)", d, s.today())
	}
	days, err := s.MarketDays(ctx, tid, d, d)
	if err != nil {
		return data.Booking{}, data.WithOp(op, err)
	}
	if len(days) == 0 {
		next, _ := s.MarketDays(ctx, tid, d, d.AddDays(14))
		hint := ""
		if len(next) > 0 {
			hint = "; the next is " + string(next[0].Date)
		}
		return data.Booking{}, data.FieldError("date", "%s is not a market day of township %s%s", d, tid, hint)
	}
	if err := s.deskStaffed(ctx, tid, d); err != nil {
		return data.Booking{}, err
	}
	if in.ItemID == "" {
		return data.Booking{}, data.FieldError("item_id", "is required")
	}
	if _, err := s.store.GetServiceItem(ctx, in.ItemID); err != nil {
		if data.ErrorKind(err) == data.NotFound {
			return data.Booking{}, data.FieldError("item_id", "unknown service item %q", in.ItemID)
		}
		return data.Booking{}, data.WithOp(op, err)
	}
	// Reuse the request rules for the household, with the same field names.
	probe := data.Request{Ledger: data.LedgerProxy, Household: in.Household, ItemIDs: []string{in.ItemID}, Priority: 1}
	if err := probe.Validate(); err != nil && data.ErrorField(err) != "" && len(data.ErrorField(err)) > 9 && data.ErrorField(err)[:9] == "household" {
		return data.Booking{}, err
	}
	if data.TownshipOf(in.Household.VillageID) != tid {
		return data.Booking{}, data.FieldError("household.village_id", "village %s is not in township %s", in.Household.VillageID, tid)
	}
	if _, err := s.store.GetVillage(ctx, in.Household.VillageID); err != nil {
		if data.ErrorKind(err) == data.NotFound {
			return data.Booking{}, data.FieldError("household.village_id", "unknown village %s", in.Household.VillageID)
		}
		return data.Booking{}, data.WithOp(op, err)
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		return data.Booking{}, data.FieldError("note", "longer than 500 characters")
	}
	switch in.Via {
	case "":
		in.Via = "api"
	case "api", "agent":
	default:
		return data.Booking{}, data.FieldError("via", "%q is not api or agent", in.Via)
	}
	b := data.Booking{TownshipID: tid, Date: d, ItemID: in.ItemID, Household: in.Household, Note: in.Note,
		Via: in.Via, Status: data.BookingBooked, CreatedBy: a.UserID, CreatedAt: s.cfg.Now().UTC()}
	if err := s.cfg.Bookings.CreateBooking(ctx, &b); err != nil {
		return data.Booking{}, data.WithOp(op, err)
	}
	return b, nil
}

// deskStaffed refuses a booking for a market day with no desk: a published
// market plan covers the day but has no desk for the township, or no plan
// does and the day is a statutory holiday (nobody is on duty).
func (s *Service) deskStaffed(ctx context.Context, tid string, d data.Date) error {
	ps, err := s.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanMarket, Status: data.PlanPublished, Overlaps: d, Limit: 1})
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		if statutoryRest(d) {
			return &data.Error{Kind: data.Conflict, Field: "date",
				Message: fmt.Sprintf("%s is a statutory holiday: no desk is staffed at the market of %s unless a published plan puts one there", d, tid)}
		}
		return nil
	}
	p, err := s.store.GetPlan(ctx, ps[0].ID)
	if err != nil {
		return err
	}
	for _, dk := range p.Desks {
		if dk.TownshipID == tid && dk.Date == d && len(dk.StaffIDs) > 0 {
			return nil
		}
	}
	return &data.Error{Kind: data.Conflict, Field: "date",
		Message: fmt.Sprintf("published market plan %s has no desk at the market of %s on %s: the coordinator must add one (new plan version) before bookings are taken", p.Plan.ID, tid, d)}
}

// Bookings lists bookings matching f; a coordinator sees only their township.
func (s *Service) Bookings(ctx context.Context, a Actor, f data.BookingFilter) ([]data.Booking, error) {
	if a.Role == data.UserTownshipCoordinator {
		if f.TownshipID != "" && f.TownshipID != a.TownshipID {
			return nil, forbidden("a coordinator of %s may not list bookings of %s", a.TownshipID, f.TownshipID)
		}
		f.TownshipID = a.TownshipID
	}
	return s.cfg.Bookings.ListBookings(ctx, f)
}

// SetBookingStatus records what became of a booking (served, no_show,
// cancelled, or back to booked); served bookings feed the demand estimate
// and only booked ones are planned. Errors: NotFound, Forbidden (a
// coordinator of another township, a team member), Invalid naming "status".
func (s *Service) SetBookingStatus(ctx context.Context, a Actor, id string, status data.BookingStatus) (data.Booking, error) {
	const op = "market.SetBookingStatus"
	if a.Role == data.UserTeamMember {
		return data.Booking{}, forbidden("team members may not change bookings")
	}
	if !status.Valid() {
		return data.Booking{}, data.FieldError("status", "%q is not booked, served, cancelled or no_show", status)
	}
	b, err := s.store.GetBooking(ctx, id)
	if err != nil {
		return data.Booking{}, data.WithOp(op, err)
	}
	if !a.may(b.TownshipID) {
		// Out of scope answers exactly like a missing booking: the
		// household's booking must not be probed from another township.
		return data.Booking{}, &data.Error{Op: op, Kind: data.NotFound, Message: "not found"}
	}
	b, err = s.store.SetBookingStatus(ctx, id, status, a.UserID)
	return b, data.WithOp(op, err)
}

// StartPlan queues a plan of the market days from–to (inclusive, at most
// MaxHorizonDays) and returns its id at once; the run continues in the
// background (see GetPlan for its status). Errors: Invalid naming "from" or
// "to"; Forbidden unless admin or county planner.
//
// The plan runs on the queue (any worker process); a second plan of the
// same dates while one is in flight is a Conflict whose ID names the
// first; a full queue is Busy.
func (s *Service) StartPlan(ctx context.Context, a Actor, from, to string) (string, error) {
	f, t, err := checkHorizon(a, from, to)
	if err != nil {
		return "", err
	}
	if s.cfg.Queue == nil {
		return "", fmt.Errorf("market: no job queue configured")
	}
	r := data.Run{ID: data.NewID("P"), Kind: data.RunMarketPlan, From: f, To: t, CreatedBy: a.UserID}
	err = s.cfg.Queue.Enqueue(ctx, &r, func(ctx context.Context) error {
		_, err := s.storePlan(ctx, r.ID, a, f, t)
		return err
	})
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// Execute is the queue's handler for market plan runs: it solves plan
// r.ID from scratch and stores the result; a failure is returned (and also
// recorded in the plan).
func (s *Service) Execute(ctx context.Context, r data.Run, _ func(data.RunPoint)) error {
	return s.run(ctx, r.ID)
}

// Plan plans from–to in this process and waits for the result, running
// under ctx: for the `xunhui market` command line only (the API and the
// scheduler queue plans with StartPlan).
func (s *Service) Plan(ctx context.Context, a Actor, from, to string) (PlanView, error) {
	f, t, err := checkHorizon(a, from, to)
	if err != nil {
		return PlanView{}, err
	}
	id, err := s.storePlan(ctx, "", a, f, t)
	if err != nil {
		return PlanView{}, err
	}
	_ = s.run(ctx, id) // a failure is recorded in the plan
	return s.GetPlan(context.WithoutCancel(ctx), a, id)
}

// RollMonth is the body of the scheduler's monthly market-roll job: it
// queues a plan of next calendar month (as user "scheduler") on the job
// queue, like POST /market-plans, and returns at once with a one-line
// summary and the plan id (GET /market-plans/{id} shows its state). A plan
// of those dates already in flight is named and skipped, not an error.
func (s *Service) RollMonth(ctx context.Context) (string, map[string]any, error) {
	first := data.DateOf(s.cfg.Now())
	first = data.Date(string(first)[:8] + "01")
	from := data.DateOf(first.Time().AddDate(0, 1, 0))
	to := data.DateOf(first.Time().AddDate(0, 2, -1))
	id, err := s.StartPlan(ctx, Actor{UserID: "scheduler", Role: data.UserAdmin}, string(from), string(to))
	if data.ErrorKind(err) == data.Conflict && data.ErrorID(err) != "" {
		id := data.ErrorID(err)
		return fmt.Sprintf("market plan %s–%s: run %s of those dates is already in flight", from, to, id),
			map[string]any{"skipped": true, "plan_id": id, "from": from, "to": to}, nil
	}
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("queued draft market plan %s (%s–%s); follow it at GET /api/v1/market-plans/%s", id, from, to, id),
		map[string]any{"plan_id": id, "from": from, "to": to}, nil
}

// checkHorizon checks the caller and the horizon of a new plan.
func checkHorizon(a Actor, from, to string) (data.Date, data.Date, error) {
	if a.Role != data.UserAdmin && a.Role != data.UserCountyPlanner {
		return "", "", forbidden("only planners may start a market plan")
	}
	f, err := data.ParseDate(from)
	if err != nil {
		return "", "", data.FieldError("from", "%q is not a date YYYY-MM-DD", from)
	}
	t, err := data.ParseDate(to)
	if err != nil {
		return "", "", data.FieldError("to", "%q is not a date YYYY-MM-DD", to)
	}
	if t < f {
		return "", "", data.FieldError("to", "%s is before from %s", t, f)
	}
	if n := int(t.Time().Sub(f.Time()).Hours()/24) + 1; n > MaxHorizonDays {
		return "", "", data.FieldError("to", "horizon of %d days exceeds %d", n, MaxHorizonDays)
	}
	return f, t, nil
}

// storePlan stores a queued draft plan (id "" = a new one).
func (s *Service) storePlan(ctx context.Context, id string, a Actor, f, t data.Date) (string, error) {
	ex := extras{Run: RunQueued, Changes: []Change{{At: s.cfg.Now().UTC(), By: a.UserID, Op: "create", Detail: fmt.Sprintf("plan %s–%s", f, t)}}}
	d := data.PlanDetail{Plan: data.Plan{ID: id, Kind: data.PlanMarket, From: f, To: t, CreatedBy: a.UserID, Summary: planSummary(ex)},
		Itineraries: []data.Itinerary{}, Desks: []data.Desk{}}
	if err := s.store.CreatePlan(ctx, &d); err != nil {
		return "", data.WithOp("market.StartPlan", err)
	}
	return d.Plan.ID, nil
}

// run solves plan id from scratch and stores the result; it returns the
// solve's failure (also recorded in the plan) or a store error.
func (s *Service) run(ctx context.Context, id string) error {
	l := s.planLock(id)
	l.Lock()
	defer l.Unlock()
	// A DELETE cancels ctx to stop the search and keep its best plan; it
	// must not fail the short store reads and writes around the search.
	sctx := context.WithoutCancel(ctx)
	d, err := s.store.GetPlan(sctx, id)
	if err != nil {
		s.cfg.Logger.Error("market plan run", slog.String("plan", id), slog.Any("error", err))
		return err
	}
	ex := extrasOf(d.Plan)
	ex.Run, ex.Error = RunRunning, ""
	d.Plan.Summary = planSummary(ex)
	if err := s.store.ReplacePlan(sctx, &d); err != nil {
		s.cfg.Logger.Error("market plan run", slog.String("plan", id), slog.Any("error", err))
		return err
	}
	serr := s.solveInto(ctx, &d, &ex, s.cfg.Options)
	if serr != nil {
		ex.Run, ex.Error = RunFailed, data.ErrorMessage(serr)
		s.cfg.Logger.Error("market plan run", slog.String("plan", id), slog.Any("error", serr))
		d.Desks = []data.Desk{}
	} else {
		ex.Run = RunDone
	}
	d.Plan.Summary = planSummary(ex)
	if err := s.store.ReplacePlan(context.WithoutCancel(ctx), &d); err != nil {
		s.cfg.Logger.Error("market plan save", slog.String("plan", id), slog.Any("error", err))
		return err
	}
	return serr
}

// runState overlays the durable run state of plan id (when it has a run
// that did not finish well: failed by its worker or the reconciler,
// cancelled, or still queued or running) on status and reason.
func (s *Service) runState(ctx context.Context, id string, status, reason *string) (data.Run, error) {
	r, err := s.store.GetRun(ctx, id)
	if data.ErrorKind(err) == data.NotFound {
		return data.Run{}, nil
	}
	if err != nil {
		return r, err
	}
	if r.Status != data.RunDone {
		*status, *reason = string(r.Status), r.Error
	}
	return r, nil
}

// Stop stops a queued or running market plan from any replica, like
// DELETE of a circuit plan: a queued plan is cancelled at once; a running
// search sees the flag within the queue's poll interval, stops and keeps
// the best plan found (status done, stopped_early, search_status
// "cancelled"). Errors: Forbidden unless admin or county planner;
// NotFound; Conflict when the plan is not queued or running.
func (s *Service) Stop(ctx context.Context, a Actor, id string) (PlanView, error) {
	const op = "market.Stop"
	if a.Role != data.UserAdmin && a.Role != data.UserCountyPlanner {
		return PlanView{}, forbidden("only planners may stop a market plan")
	}
	if _, err := s.GetPlan(ctx, a, id); err != nil {
		return PlanView{}, err
	}
	if s.cfg.Queue == nil {
		return PlanView{}, data.WithOp(op, data.Errorf(data.Conflict, "plan %s is not running", id))
	}
	if _, err := s.cfg.Queue.Cancel(ctx, id); err != nil {
		if data.ErrorKind(err) == data.NotFound {
			err = data.Errorf(data.Conflict, "plan %s is not running", id)
		}
		return PlanView{}, data.WithOp(op, err)
	}
	return s.GetPlan(ctx, a, id)
}

// solveInto builds the problem for d's horizon (with ex's locks and d's
// desks as the previous plan), solves it and writes desks and extras.
func (s *Service) solveInto(ctx context.Context, d *data.PlanDetail, ex *extras, opt Options) error {
	in, err := s.build(context.WithoutCancel(ctx), d.Plan.From, d.Plan.To, ex.Locks, d.Desks, opt) // only the search stops on a cancel
	if err != nil {
		return err
	}
	t0 := time.Now()
	sol, err := Solve(ctx, in.p)
	if s.observe != nil {
		status := RunDone
		if err != nil {
			status = RunFailed
		}
		s.observe(time.Since(t0), status)
	}
	if err != nil {
		return err
	}
	if err := Check(in.p, sol); err != nil {
		// A failed check is a bug; never publish such a plan.
		return fmt.Errorf("market: plan failed its exact check: %w", err)
	}
	d.Desks = in.desks(sol)
	ex.Desks = len(d.Desks)
	ex.Uncovered = in.uncovered(sol)
	ex.Conflicts = nonNil(sol.Conflicts)
	ex.Missed = []MissedWeek{}
	for _, m := range sol.Missed {
		ex.Missed = append(ex.Missed, MissedWeek{TownshipID: in.towns[m.Township].ID, Week: in.p.Days[m.Week], Target: m.Target, Held: m.Held, Reason: m.Reason})
	}
	ex.Cost = sol.Cost
	ex.Bookings, ex.Coverable = len(in.p.Bookings), sol.Coverable
	ex.Iterations, ex.SolveMillis, ex.SearchStatus = sol.Iterations, time.Since(t0).Milliseconds(), sol.Status
	ex.Staff, ex.Slots = len(in.p.Staff), len(in.p.Slots())
	return nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// PlanView is a market plan as the API shows it.
type PlanView struct {
	ID string `json:"id"`
	// Status is the run state: queued, running, done or failed.
	Status string `json:"status"`
	// Error says why a run failed.
	Error string `json:"error,omitempty"`
	// StoppedEarly is true once a DELETE asked a queued or running plan to
	// stop: a running search stops and keeps the best plan found
	// (stats.search_status "cancelled"); a queued one is cancelled.
	StoppedEarly bool `json:"stopped_early,omitempty"`
	// Publication is draft or published; Version the optimistic-concurrency
	// version to send with adjustments and publication.
	Publication data.PlanStatus `json:"publication"`
	Version     int64           `json:"version"`
	From        data.Date       `json:"from"`
	To          data.Date       `json:"to"`
	CreatedBy   string          `json:"created_by"`
	UpdatedAt   time.Time       `json:"updated_at"`
	// Desks are the market-day desks (township_id, date, staff_ids, item_ids).
	Desks []data.Desk `json:"desks"`
	// Uncovered are the bookings left without a person who can handle them.
	Uncovered []UncoveredBooking `json:"uncovered"`
	// Conflicts are locks the plan could not honour (a person needed in two places...).
	Conflicts []Conflict `json:"conflicts"`
	// Missed are the township-weeks below their desk target, with the reason.
	Missed []MissedWeek `json:"missed_targets"`
	// Locks are the coordinators' locked desks, oldest first.
	Locks []LockRecord `json:"locks"`
	// Changes is the change log, oldest first.
	Changes []Change `json:"changes"`
	// Stats are the solver's figures.
	Stats Stats `json:"stats"`
}

// Stats are a run's figures.
type Stats struct {
	Cost         Cost   `json:"cost"`
	Bookings     int    `json:"bookings"`
	Coverable    int    `json:"coverable"`
	Staff        int    `json:"staff"`
	Slots        int    `json:"slots"`
	Iterations   int    `json:"iterations"`
	SearchStatus string `json:"search_status,omitempty"`
	SolveMillis  int64  `json:"solve_ms"`
}

// UncoveredBooking is data.UncoveredBooking (the plan summary is one type shared by both planners, the store and the API).
type UncoveredBooking = data.UncoveredBooking

// MissedWeek is data.MissedWeek (the plan summary is one type shared by both planners, the store and the API).
type MissedWeek = data.MissedWeek

// LockRecord is data.DeskLock (the plan summary is one type shared by both planners, the store and the API).
type LockRecord = data.DeskLock

// Change is data.MarketChange (the plan summary is one type shared by both planners, the store and the API).
type Change = data.MarketChange

// extras is what a market plan keeps in its summary (data.MarketSummary:
// the plan summary is one type shared by both planners, the stores and the
// API).
type extras = data.MarketSummary

// planSummary wraps a market plan's extras for data.Plan.Summary.
func planSummary(ex extras) *data.PlanSummary {
	return &data.PlanSummary{MarketSummary: &ex}
}

// extrasOf returns the market part of p's summary, its lists never nil.
func extrasOf(p data.Plan) extras {
	ex := p.Summary.Market()
	ex.Uncovered, ex.Conflicts, ex.Locks, ex.Changes = nonNil(ex.Uncovered), nonNil(ex.Conflicts), nonNil(ex.Locks), nonNil(ex.Changes)
	ex.Missed = nonNil(ex.Missed)
	return ex
}

func view(d data.PlanDetail) PlanView {
	ex := extrasOf(d.Plan)
	return PlanView{ID: d.Plan.ID, Status: ex.Run, Error: ex.Error, Publication: d.Plan.Status, Version: d.Plan.Version,
		From: d.Plan.From, To: d.Plan.To, CreatedBy: d.Plan.CreatedBy, UpdatedAt: d.Plan.UpdatedAt,
		Desks: nonNil(d.Desks), Uncovered: ex.Uncovered, Conflicts: ex.Conflicts, Missed: ex.Missed, Locks: ex.Locks, Changes: ex.Changes,
		Stats: Stats{Cost: ex.Cost, Bookings: ex.Bookings, Coverable: ex.Coverable, Staff: ex.Staff, Slots: ex.Slots,
			Iterations: ex.Iterations, SearchStatus: ex.SearchStatus, SolveMillis: ex.SolveMillis}}
}

// GetPlan returns a market plan. A coordinator sees only their township's
// desks, uncovered bookings and conflicts. NotFound for an unknown id or a
// circuit plan.
func (s *Service) GetPlan(ctx context.Context, a Actor, id string) (PlanView, error) {
	d, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return PlanView{}, data.WithOp("market.GetPlan", err)
	}
	if d.Plan.Kind != data.PlanMarket {
		return PlanView{}, &data.Error{Op: "market.GetPlan", Kind: data.NotFound, Message: "no market plan " + id}
	}
	v := view(d)
	r, err := s.runState(ctx, id, &v.Status, &v.Error)
	if err != nil {
		return PlanView{}, data.WithOp("market.GetPlan", err)
	}
	v.StoppedEarly = r.Stopped || r.CancelRequested
	if a.Role == data.UserTownshipCoordinator {
		v = v.Township(a.TownshipID)
	}
	return v, nil
}

// PlanHeader is one line of ListPlans.
type PlanHeader struct {
	ID          string          `json:"id"`
	Status      string          `json:"status"`
	Publication data.PlanStatus `json:"publication"`
	Version     int64           `json:"version"`
	From        data.Date       `json:"from"`
	To          data.Date       `json:"to"`
	CreatedBy   string          `json:"created_by"`
	UpdatedAt   time.Time       `json:"updated_at"`
	Desks       int             `json:"desks"`
	Uncovered   int             `json:"uncovered"`
	Conflicts   int             `json:"conflicts"`
}

// ListPlans returns the market plans, newest first (at most limit, 1–1000),
// optionally only those whose dates contain day (YYYY-MM-DD or "").
func (s *Service) ListPlans(ctx context.Context, day data.Date, limit int) ([]PlanHeader, error) {
	ps, err := s.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanMarket, Overlaps: day, Limit: limit})
	if err != nil {
		return nil, data.WithOp("market.ListPlans", err)
	}
	out := make([]PlanHeader, 0, len(ps))
	for _, p := range ps {
		ex := extrasOf(p)
		if _, err := s.runState(ctx, p.ID, &ex.Run, &ex.Error); err != nil {
			return nil, data.WithOp("market.ListPlans", err)
		}
		out = append(out, PlanHeader{ID: p.ID, Status: ex.Run, Publication: p.Status, Version: p.Version, From: p.From, To: p.To,
			CreatedBy: p.CreatedBy, UpdatedAt: p.UpdatedAt, Desks: ex.Desks, Uncovered: len(ex.Uncovered), Conflicts: len(ex.Conflicts)})
	}
	return out, nil
}

// Township restricts v to township tid.
func (v PlanView) Township(tid string) PlanView {
	v.Desks = filter(v.Desks, func(d data.Desk) bool { return d.TownshipID == tid })
	v.Uncovered = filter(v.Uncovered, func(u UncoveredBooking) bool { return u.TownshipID == tid })
	v.Conflicts = filter(v.Conflicts, func(c Conflict) bool { return c.TownshipID == tid || c.Other == tid })
	v.Locks = filter(v.Locks, func(l LockRecord) bool { return l.TownshipID == tid })
	v.Missed = filter(v.Missed, func(m MissedWeek) bool { return m.TownshipID == tid })
	return v
}

// Person restricts v to the desks staff member sid sits at.
func (v PlanView) Person(sid string) PlanView {
	v.Desks = filter(v.Desks, func(d data.Desk) bool { return slices.Contains(d.StaffIDs, sid) })
	v.Uncovered = []UncoveredBooking{}
	v.Missed = []MissedWeek{}
	v.Conflicts = filter(v.Conflicts, func(c Conflict) bool { return c.StaffID == sid })
	v.Locks = filter(v.Locks, func(l LockRecord) bool { return slices.Contains(l.StaffIDs, sid) })
	return v
}

func filter[T any](xs []T, keep func(T) bool) []T {
	out := []T{}
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// Adjustment is a coordinator's change to a draft plan.
type Adjustment struct {
	// Op is lock, unlock, swap, add_day or cancel_day.
	Op string `json:"op"`
	// TownshipID and Date name the desk or market day.
	TownshipID string    `json:"township_id"`
	Date       data.Date `json:"date"`
	// StaffIDs (lock) are the people to lock at the desk; empty locks the
	// desk as it is.
	StaffIDs []string `json:"staff_ids,omitempty"`
	// StaffID (swap) leaves the desk and WithStaffID takes the place.
	StaffID     string `json:"staff_id,omitempty"`
	WithStaffID string `json:"with_staff_id,omitempty"`
	// Reason explains an added or cancelled market day (required for those).
	Reason string `json:"reason,omitempty"`
	// Version, when > 0, must be the plan's current version.
	Version int64 `json:"version,omitempty"`
	// Confirm (swap, planners only) accepts the listed consequences of a
	// swap that takes a person from another township's desk or leaves a
	// desk empty; without it such a swap is refused.
	Confirm bool `json:"confirm,omitempty"`
}

// Adjust applies a coordinator's adjustment to a draft plan and re-plans:
// locks are kept, everything else changes as little as it must (the
// previous desks are the starting point and every change costs), and the
// people a lock cannot get are reported in Conflicts rather than dropped.
// The change is logged with who made it. Errors: Forbidden (a coordinator
// of another township), NotFound, Conflict (a published plan, a run not
// done, a stale version), Invalid naming the field.
func (s *Service) Adjust(ctx context.Context, a Actor, id string, adj Adjustment) (PlanView, error) {
	const op = "market.Adjust"
	if a.Role == data.UserTeamMember {
		return PlanView{}, forbidden("team members may not adjust plans")
	}
	if adj.TownshipID == "" {
		return PlanView{}, data.FieldError("township_id", "is required")
	}
	if !a.may(adj.TownshipID) {
		return PlanView{}, forbidden("a coordinator of %s may not change the plan of township %s", a.TownshipID, adj.TownshipID)
	}
	if !adj.Date.Valid() {
		return PlanView{}, data.FieldError("date", "%q is not a date YYYY-MM-DD", adj.Date)
	}
	l := s.planLock(id)
	l.Lock()
	defer l.Unlock()
	// A DELETE cancels ctx to stop the search and keep its best plan; it
	// must not fail the short store reads and writes around the search.
	sctx := context.WithoutCancel(ctx)
	d, err := s.store.GetPlan(sctx, id)
	if err != nil {
		return PlanView{}, data.WithOp(op, err)
	}
	if d.Plan.Kind != data.PlanMarket {
		return PlanView{}, &data.Error{Op: op, Kind: data.NotFound, Message: "no market plan " + id}
	}
	ex := extrasOf(d.Plan)
	switch {
	case d.Plan.Status == data.PlanPublished:
		return PlanView{}, &data.Error{Op: op, Kind: data.Conflict, Message: "plan " + id + " is published; start a new plan to change it"}
	case ex.Run != RunDone:
		return PlanView{}, &data.Error{Op: op, Kind: data.Conflict, Message: "plan " + id + " is " + ex.Run + "; adjust it when done"}
	case adj.Version > 0 && adj.Version != d.Plan.Version:
		return PlanView{}, &data.Error{Op: op, Kind: data.Conflict, Field: "version", Message: fmt.Sprintf("version %d is stale; the plan is at %d", adj.Version, d.Plan.Version)}
	case adj.Date < d.Plan.From || adj.Date > d.Plan.To:
		return PlanView{}, data.FieldError("date", "%s is outside the plan's dates %s–%s", adj.Date, d.Plan.From, d.Plan.To)
	}
	if _, err := s.store.GetTownship(ctx, adj.TownshipID); err != nil {
		if data.ErrorKind(err) == data.NotFound {
			return PlanView{}, data.FieldError("township_id", "unknown township %s", adj.TownshipID)
		}
		return PlanView{}, data.WithOp(op, err)
	}
	ch := Change{At: s.cfg.Now().UTC(), By: a.UserID, Op: adj.Op, TownshipID: adj.TownshipID, Date: adj.Date}
	deskOf := func() (data.Desk, bool) {
		for _, dk := range d.Desks {
			if dk.TownshipID == adj.TownshipID && dk.Date == adj.Date {
				return dk, true
			}
		}
		return data.Desk{}, false
	}
	isMarket := func() (bool, error) {
		days, err := s.MarketDays(ctx, adj.TownshipID, adj.Date, adj.Date)
		return len(days) > 0, err
	}
	dropLock := func() {
		ex.Locks = filter(ex.Locks, func(l LockRecord) bool { return !(l.TownshipID == adj.TownshipID && l.Date == adj.Date) })
	}
	switch adj.Op {
	case "lock":
		ok, err := isMarket()
		if err != nil {
			return PlanView{}, data.WithOp(op, err)
		}
		if !ok {
			return PlanView{}, data.FieldError("date", "%s is not a market day of %s", adj.Date, adj.TownshipID)
		}
		ids := adj.StaffIDs
		if len(ids) == 0 {
			dk, _ := deskOf()
			ids = append([]string{}, dk.StaffIDs...)
		}
		for i, sid := range ids {
			if _, err := s.store.GetStaff(ctx, sid); err != nil {
				return PlanView{}, data.FieldError(fmt.Sprintf("staff_ids[%d]", i), "unknown staff %s", sid)
			}
		}
		dropLock()
		ex.Locks = append(ex.Locks, LockRecord{TownshipID: adj.TownshipID, Date: adj.Date, StaffIDs: ids, By: a.UserID, At: ch.At})
		ch.StaffIDs = ids
	case "unlock":
		dropLock()
	case "swap":
		if adj.StaffID == "" {
			return PlanView{}, data.FieldError("staff_id", "is required: who leaves the desk")
		}
		if adj.WithStaffID == "" {
			return PlanView{}, data.FieldError("with_staff_id", "is required: who takes the place")
		}
		dk, ok := deskOf()
		if !ok || !slices.Contains(dk.StaffIDs, adj.StaffID) {
			return PlanView{}, data.FieldError("staff_id", "%s is not at the desk of %s on %s", adj.StaffID, adj.TownshipID, adj.Date)
		}
		if _, err := s.store.GetStaff(ctx, adj.WithStaffID); err != nil {
			return PlanView{}, data.FieldError("with_staff_id", "unknown staff %s", adj.WithStaffID)
		}
		if err := swapGuard(a, adj, swapConsequences(d.Desks, adj)); err != nil {
			return PlanView{}, err
		}
		ids := []string{}
		for _, x := range dk.StaffIDs {
			if x == adj.StaffID {
				x = adj.WithStaffID
			}
			if !slices.Contains(ids, x) {
				ids = append(ids, x)
			}
		}
		dropLock()
		ex.Locks = append(ex.Locks, LockRecord{TownshipID: adj.TownshipID, Date: adj.Date, StaffIDs: ids, By: a.UserID, At: ch.At})
		ch.StaffIDs, ch.Detail = ids, adj.StaffID+" → "+adj.WithStaffID
	case "add_day", "cancel_day":
		if adj.Reason == "" {
			return PlanView{}, data.FieldError("reason", "is required: say why the market day changes")
		}
		ok, err := isMarket()
		if err != nil {
			return PlanView{}, data.WithOp(op, err)
		}
		kind := "add"
		if adj.Op == "cancel_day" {
			kind = "remove"
			if !ok {
				return PlanView{}, data.FieldError("date", "%s is not a market day of %s", adj.Date, adj.TownshipID)
			}
			dropLock()
		} else if ok {
			return PlanView{}, data.FieldError("date", "%s already is a market day of %s", adj.Date, adj.TownshipID)
		}
		if err := s.store.PutMarketExceptions(ctx, []data.MarketException{{TownshipID: adj.TownshipID, Kind: kind, Date: adj.Date, Reason: adj.Reason}}); err != nil {
			return PlanView{}, data.WithOp(op, err)
		}
		ch.Detail = adj.Reason
	default:
		return PlanView{}, data.FieldError("op", "%q is not lock, unlock, swap, add_day or cancel_day", adj.Op)
	}
	ex.Changes = append(ex.Changes, ch)
	opt := s.cfg.Options
	opt.MaxIterations = s.cfg.ReplanIterations
	before := slices.Clone(d.Desks)
	if err := s.solveInto(ctx, &d, &ex, opt); err != nil {
		return PlanView{}, data.WithOp(op, err)
	}
	if adj.Op == "swap" {
		// The re-plan must not empty a desk or change another township's
		// desk behind the coordinator's back either.
		if err := swapGuard(a, adj, deskEffects(before, d.Desks, adj)); err != nil {
			return PlanView{}, err
		}
	}
	d.Plan.Summary = planSummary(ex)
	if err := s.store.ReplacePlan(ctx, &d); err != nil {
		return PlanView{}, data.WithOp(op, err)
	}
	return view(d), nil
}

// Consequence is one effect of a swap on a desk of that day, for the
// refusal to list (and the page to say in its own language).
type Consequence struct {
	// Kind is leaves_desk (StaffID leaves that desk; Empty when it is left
	// with nobody), desk_emptied (a re-plan would leave it empty) or
	// desk_changed (a re-plan would change another township's desk).
	Kind       string    `json:"kind"`
	TownshipID string    `json:"township_id"`
	Date       data.Date `json:"date"`
	StaffID    string    `json:"staff_id,omitempty"`
	Empty      bool      `json:"empty,omitempty"`
	// Was and Now are the desk's staff before and after.
	Was []string `json:"was,omitempty"`
	Now []string `json:"now,omitempty"`
}

// String says c in English (the API error message).
func (c Consequence) String() string {
	switch c.Kind {
	case "leaves_desk":
		s := fmt.Sprintf("%s leaves the desk of township %s on %s", c.StaffID, c.TownshipID, c.Date)
		if c.Empty {
			s += ", leaving it empty"
		}
		return s
	case "desk_emptied":
		return fmt.Sprintf("the desk of township %s on %s would be left empty (was %s)", c.TownshipID, c.Date, strings.Join(c.Was, ", "))
	}
	return fmt.Sprintf("the desk of township %s on %s would change from %s to %s", c.TownshipID, c.Date, strings.Join(c.Was, ", "), strings.Join(c.Now, ", "))
}

// SwapRefused is the cause of a refused swap's Conflict: what it would do,
// and whether the caller may accept it with confirm: true.
type SwapRefused struct {
	Consequences []Consequence
	CanConfirm   bool
}

func (e *SwapRefused) Error() string {
	parts := make([]string, len(e.Consequences))
	for i, c := range e.Consequences {
		parts[i] = c.String()
	}
	how := "a county planner may confirm it (confirm: true)"
	if e.CanConfirm {
		how = "send confirm: true to accept this"
	}
	return "swap refused: " + strings.Join(parts, "; ") + "; " + how
}

// swapConsequences lists what swapping adj.WithStaffID in would do to the
// other desks of that day in the current plan: the person leaves another
// township's desk, and that desk may be left empty.
func swapConsequences(desks []data.Desk, adj Adjustment) []Consequence {
	var out []Consequence
	for _, dk := range desks {
		if dk.Date != adj.Date || dk.TownshipID == adj.TownshipID || !slices.Contains(dk.StaffIDs, adj.WithStaffID) {
			continue
		}
		out = append(out, Consequence{Kind: "leaves_desk", TownshipID: dk.TownshipID, Date: dk.Date, StaffID: adj.WithStaffID,
			Empty: len(dk.StaffIDs) == 1, Was: dk.StaffIDs})
	}
	return out
}

// deskEffects lists the desks of adj's day that a re-plan emptied, or
// changed in another township than adj's.
func deskEffects(before, after []data.Desk, adj Adjustment) []Consequence {
	type key struct {
		town string
		date data.Date
	}
	now := map[key][]string{}
	for _, dk := range after {
		now[key{dk.TownshipID, dk.Date}] = dk.StaffIDs
	}
	var out []Consequence
	for _, dk := range before {
		if dk.Date != adj.Date || len(dk.StaffIDs) == 0 {
			continue
		}
		got := now[key{dk.TownshipID, dk.Date}]
		switch {
		case len(got) == 0:
			out = append(out, Consequence{Kind: "desk_emptied", TownshipID: dk.TownshipID, Date: dk.Date, Was: dk.StaffIDs, Empty: true})
		case dk.TownshipID != adj.TownshipID && !slices.Equal(got, dk.StaffIDs):
			out = append(out, Consequence{Kind: "desk_changed", TownshipID: dk.TownshipID, Date: dk.Date, Was: dk.StaffIDs, Now: got})
		}
	}
	return out
}

// swapGuard refuses a swap with consequences (Conflict, field
// with_staff_id, listing them; the cause is a *SwapRefused), unless a
// planner confirmed it. A township coordinator can never change another
// township's desk.
func swapGuard(a Actor, adj Adjustment, consequences []Consequence) error {
	if len(consequences) == 0 {
		return nil
	}
	planner := a.Role != data.UserTownshipCoordinator
	if adj.Confirm && planner {
		return nil
	}
	refused := &SwapRefused{Consequences: consequences, CanConfirm: planner}
	return &data.Error{Kind: data.Conflict, Field: "with_staff_id", Message: refused.Error(), Err: refused}
}

// Publish publishes a finished draft plan (version must be current, or 0
// to skip the check). Errors: Forbidden unless a planner, NotFound,
// Conflict (not done, already published, stale version).
func (s *Service) Publish(ctx context.Context, a Actor, id string, version int64, supersedes string) (PlanView, error) {
	const op = "market.Publish"
	if a.Role != data.UserAdmin && a.Role != data.UserCountyPlanner {
		return PlanView{}, forbidden("only planners may publish")
	}
	l := s.planLock(id)
	l.Lock()
	defer l.Unlock()
	// A DELETE cancels ctx to stop the search and keep its best plan; it
	// must not fail the short store reads and writes around the search.
	sctx := context.WithoutCancel(ctx)
	d, err := s.store.GetPlan(sctx, id)
	if err != nil {
		return PlanView{}, data.WithOp(op, err)
	}
	ex := extrasOf(d.Plan)
	switch {
	case d.Plan.Kind != data.PlanMarket:
		return PlanView{}, &data.Error{Op: op, Kind: data.NotFound, Message: "no market plan " + id}
	case ex.Run != RunDone:
		return PlanView{}, &data.Error{Op: op, Kind: data.Conflict, Message: "plan " + id + " is " + ex.Run + ", not done"}
	case d.Plan.Status == data.PlanPublished:
		return PlanView{}, &data.Error{Op: op, Kind: data.Conflict, Message: "plan " + id + " is already published"}
	case version > 0 && version != d.Plan.Version:
		return PlanView{}, &data.Error{Op: op, Kind: data.Conflict, Field: "version", Message: fmt.Sprintf("version %d is stale; the plan is at %d", version, d.Plan.Version)}
	}
	// Log the publication first (one more version), then publish it.
	ex.Changes = append(ex.Changes, Change{At: s.cfg.Now().UTC(), By: a.UserID, Op: "publish"})
	d.Plan.Summary = planSummary(ex)
	if err := s.store.ReplacePlan(ctx, &d); err != nil {
		return PlanView{}, data.WithOp(op, err)
	}
	if _, err := s.store.PublishPlan(ctx, data.Publication{ID: id, Version: d.Plan.Version, Supersedes: supersedes}); err != nil {
		return PlanView{}, data.WithOp(op, err)
	}
	d, err = s.store.GetPlan(ctx, id)
	if err != nil {
		return PlanView{}, data.WithOp(op, err)
	}
	return view(d), nil
}
