package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Result is what a job run produced, stored with its run record.
type Result struct {
	// Summary is one line for people, e.g. "draft plan P-12ab: 9 teams, 214 stops".
	Summary string
	// Output holds JSON-encodable details (plan id, counts).
	Output map[string]any
}

// Func is the body of a job. It must return when ctx is cancelled (shutdown
// grace over, or lock lost); a planner should then return its best result so
// far rather than nothing.
type Func func(ctx context.Context) (Result, error)

// Job is a named recurring job.
type Job struct {
	// Name is unique, lowercase letters, digits and '-', e.g. "weekly-draft".
	Name string
	// Description says what the job does, for GET /api/v1/schedules.
	Description string
	// Spec and TimeZone are the default schedule (see ParseSpec); a stored
	// override from PUT /api/v1/schedules replaces them.
	Spec     string
	TimeZone string
	// Disabled pauses the job by default.
	Disabled bool
	// Func does the work.
	Func Func
}

// Options configure a Scheduler. Zero fields take the defaults given.
type Options struct {
	// Locker serialises runs of a job across replicas (default: a LocalLocker,
	// right only when one process runs jobs).
	Locker Locker
	// Runs records runs (default: MemRuns, lost on exit).
	Runs RunStore
	// Schedules stores schedule overrides (default: MemSchedules).
	Schedules ScheduleStore
	// Clock is the time source (default: SystemClock).
	Clock Clock
	// Replica names this process in run records (default: hostname:pid).
	Replica string
	// RetryInterval is how soon a slot whose lock was busy is tried again
	// (default 30 s): this is how a replica takes over from one that died.
	RetryInterval time.Duration
	// ReloadInterval is how often stored schedule overrides are re-read, so
	// a PUT on one replica reaches the others (default 1 min).
	ReloadInterval time.Duration
	// ShutdownGrace is how long a running job may go on after shutdown
	// begins before its context is cancelled (default 2 min).
	ShutdownGrace time.Duration
	// NoCatchUp disables running missed slots on start.
	NoCatchUp bool
	// Logger receives run and error logs (default slog.Default()).
	Logger *slog.Logger
}

// ErrUnknownJob is returned for a job name that is not registered.
var ErrUnknownJob = errors.New("unknown job")

// Scheduler runs registered jobs on their schedules. Create it with New,
// Register jobs, then call Run (production) or Start and Tick (tests).
type Scheduler struct {
	o Options

	tickMu sync.Mutex // serialises Tick, so a job is never started twice
	mu     sync.Mutex // guards the fields below and every jobState
	jobs   map[string]*jobState
	start  bool
	drain  bool

	wake       chan struct{}
	wg         sync.WaitGroup
	jobCtx     context.Context
	cancelJobs context.CancelFunc
}

type jobState struct {
	job       Job
	spec, tz  string
	enabled   bool
	sched     cron.Schedule
	updatedAt *time.Time
	updatedBy string
	next      time.Time // next slot not yet considered (zero: none)
	pending   *pending  // the one slot waiting to run: later slots replace earlier ones
	running   bool
}

type pending struct {
	slot    time.Time
	trigger Trigger
	retryAt time.Time
}

// New returns a Scheduler with o's defaults filled in.
func New(o Options) *Scheduler {
	if o.Locker == nil {
		o.Locker = &LocalLocker{}
	}
	if o.Runs == nil {
		o.Runs = &MemRuns{}
	}
	if o.Schedules == nil {
		o.Schedules = &MemSchedules{}
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Replica == "" {
		host, _ := os.Hostname()
		o.Replica = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = 30 * time.Second
	}
	if o.ReloadInterval <= 0 {
		o.ReloadInterval = time.Minute
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{o: o, jobs: map[string]*jobState{}, wake: make(chan struct{}, 1), jobCtx: ctx, cancelJobs: cancel}
}

var jobName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// Register adds a job. It fails on a bad name, a duplicate, a nil Func or
// an invalid default schedule, and after Start.
func (s *Scheduler) Register(j Job) error {
	if !jobName.MatchString(j.Name) {
		return fmt.Errorf("register job %q: name must match %s", j.Name, jobName)
	}
	if j.Func == nil {
		return fmt.Errorf("register job %s: nil Func", j.Name)
	}
	var err error
	if j.Spec, j.TimeZone, err = NormalizeSpec(j.Spec, j.TimeZone); err != nil {
		return fmt.Errorf("register job %s: %w", j.Name, err)
	}
	sched, err := ParseSpec(j.Spec, j.TimeZone)
	if err != nil {
		return fmt.Errorf("register job %s: %w", j.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.start {
		return fmt.Errorf("register job %s: scheduler already started", j.Name)
	}
	if _, dup := s.jobs[j.Name]; dup {
		return fmt.Errorf("register job %s: duplicate name", j.Name)
	}
	s.jobs[j.Name] = &jobState{job: j, spec: j.Spec, tz: j.TimeZone, enabled: !j.Disabled, sched: sched}
	return nil
}

// Start loads stored schedule overrides and, unless NoCatchUp, marks for
// each enabled job that has run before its most recent slot at or before
// now as due, with trigger catch_up: if that slot already has a run the
// claim fails and nothing runs, so only a slot missed while no replica was
// up runs — once, however many slots were missed. A job with no run record
// at all has missed nothing and waits for its next slot. A run left
// "running" by a process that died is abandoned and its slot re-run by the
// first claim. Run calls Start; tests call it before Tick. Start returns no
// error today (an unreadable store is logged and retried by Run); the error
// result is kept for stores that must refuse to start.
func (s *Scheduler) Start(ctx context.Context) error {
	now := s.o.Clock.Now()
	if err := s.reload(ctx, now); err != nil {
		// The database may be down for a moment: start on the built-in
		// schedules; Run re-reads the overrides every ReloadInterval.
		s.o.Logger.Error("scheduler: start with default schedules", "err", err)
	}
	// A job that never ran has missed nothing: a fresh install must not
	// start every planner at once on its first start.
	ran := map[string]bool{}
	if !s.o.NoCatchUp {
		s.mu.Lock()
		names := s.namesLocked()
		s.mu.Unlock()
		for _, name := range names {
			runs, err := s.o.Runs.Runs(ctx, RunFilter{Job: name, Limit: 1})
			if err != nil {
				s.o.Logger.Error("scheduler: no catch-up: cannot read runs", "job", name, "err", err)
				continue
			}
			ran[name] = len(runs) > 0
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.start = true
	for name, st := range s.jobs {
		if !st.enabled {
			continue
		}
		st.next = st.sched.Next(now)
		if p, ok := prevSlot(st.sched, now); ok && ran[name] {
			st.pending = &pending{slot: p, trigger: TriggerCatchUp, retryAt: now}
		}
	}
	return nil
}

// reload applies the stored overrides that differ from the current settings.
func (s *Scheduler) reload(ctx context.Context, now time.Time) error {
	stored, err := s.o.Schedules.Schedules(ctx)
	if err != nil {
		return fmt.Errorf("load schedules: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range stored {
		st, ok := s.jobs[o.Job]
		if !ok {
			continue // a job of another version of the program
		}
		st.updatedAt, st.updatedBy = o.UpdatedAt, o.UpdatedBy
		if o.Spec == st.spec && o.TimeZone == st.tz && o.Enabled == st.enabled {
			continue
		}
		sched, err := ParseSpec(o.Spec, o.TimeZone)
		if err != nil {
			s.o.Logger.Error("scheduler: ignoring stored schedule", "job", o.Job, "err", err)
			continue
		}
		s.apply(st, o, sched, now)
	}
	return nil
}

// apply installs a new schedule; s.mu must be held.
func (s *Scheduler) apply(st *jobState, o Schedule, sched cron.Schedule, now time.Time) {
	st.spec, st.tz, st.enabled, st.sched = o.Spec, o.TimeZone, o.Enabled, sched
	st.next = time.Time{}
	if st.enabled && s.start {
		st.next = sched.Next(now)
	}
	if !st.enabled {
		st.pending = nil
	}
}

// Tick runs the scheduler's logic at time now: slots that came due are
// marked pending (several due slots of one job collapse into the latest), and
// each pending slot whose job is not running here is tried: take the job's
// lock (busy: try again after RetryInterval), claim the slot (already run
// elsewhere: drop it), start the job in a goroutine. Tick returns once the
// runs have started; Wait waits for them to end.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	type cand struct {
		st *jobState
		p  pending
	}
	var todo []cand
	s.mu.Lock()
	if s.drain {
		s.mu.Unlock()
		return
	}
	for _, name := range s.namesLocked() {
		st := s.jobs[name]
		if !st.enabled {
			continue
		}
		if !st.next.IsZero() && !st.next.After(now) {
			// The latest due slot: prevSlot's search is bounded even for a
			// per-second spec after a long stall.
			slot := st.next
			if p, ok := prevSlot(st.sched, now); ok && p.After(slot) {
				slot = p
			}
			st.pending = &pending{slot: slot.UTC(), trigger: TriggerSchedule, retryAt: now}
			st.next = st.sched.Next(now)
		}
		if st.pending != nil && !st.running && !st.pending.retryAt.After(now) {
			todo = append(todo, cand{st, *st.pending})
		}
	}
	s.mu.Unlock()
	for _, c := range todo {
		s.try(ctx, c.st, c.p, now)
	}
}

func (s *Scheduler) namesLocked() []string {
	names := make([]string, 0, len(s.jobs))
	for n := range s.jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// try takes the lock, claims the slot and starts the run.
func (s *Scheduler) try(ctx context.Context, st *jobState, p pending, now time.Time) {
	name := st.job.Name
	log := s.o.Logger.With("job", name, "slot", p.slot, "replica", s.o.Replica)
	retry := func() {
		s.mu.Lock()
		if st.pending != nil && st.pending.slot.Equal(p.slot) {
			st.pending.retryAt = now.Add(s.o.RetryInterval)
		}
		s.mu.Unlock()
	}
	drop := func() {
		s.mu.Lock()
		if st.pending != nil && st.pending.slot.Equal(p.slot) {
			st.pending = nil
		}
		s.mu.Unlock()
	}
	lock, err := s.o.Locker.TryLock(ctx, LockName(name))
	if errors.Is(err, ErrLocked) {
		log.Debug("scheduler: job busy on another replica; will retry")
		retry()
		return
	}
	if err != nil {
		log.Error("scheduler: lock", "err", err)
		retry()
		return
	}
	run := Run{Job: name, Slot: p.slot, Trigger: p.trigger, Replica: s.o.Replica, Started: s.o.Clock.Now().UTC()}
	if err := s.o.Runs.Claim(ctx, &run); err != nil {
		_ = lock.Unlock(context.WithoutCancel(ctx))
		if errors.Is(err, ErrSlotDone) {
			log.Debug("scheduler: slot already run")
			drop()
			return
		}
		log.Error("scheduler: claim slot", "err", err)
		retry()
		return
	}
	drop()
	s.mu.Lock()
	st.running = true
	s.mu.Unlock()
	s.wg.Add(1)
	log.Info("scheduler: run started", "trigger", p.trigger, "run", run.ID)
	go s.execute(st, lock, run)
}

// LockName is the name under which a job's runs are locked.
func LockName(job string) string { return "xunhui.job." + job }

func (s *Scheduler) execute(st *jobState, lock Lock, run Run) {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(s.jobCtx)
	defer cancel()
	lost := make(chan struct{})
	go func() {
		select {
		case <-lock.Lost():
			close(lost)
			cancel()
		case <-ctx.Done():
		}
	}()
	res, err := call(ctx, st.job.Func)
	cancel()
	ended := s.o.Clock.Now().UTC()
	run.Ended, run.Summary, run.Output = &ended, res.Summary, res.Output
	wasLost := false
	select {
	case <-lost:
		wasLost = true
	default:
		// The watcher may not have seen Lost yet when cancel won the race.
		select {
		case <-lock.Lost():
			wasLost = true
		default:
		}
	}
	switch {
	case wasLost:
		run.Outcome, run.Error = Abandoned, "abandoned: lock lost mid-run"
		if err != nil {
			run.Error += ": " + err.Error()
		}
	case err != nil:
		run.Outcome, run.Error = Failed, err.Error()
	default:
		run.Outcome = OK
	}
	bg, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if ferr := s.o.Runs.Finish(bg, run); ferr != nil {
		s.o.Logger.Error("scheduler: record run end", "job", run.Job, "run", run.ID, "err", ferr)
	}
	if uerr := lock.Unlock(bg); uerr != nil {
		s.o.Logger.Error("scheduler: unlock", "job", run.Job, "err", uerr)
	}
	s.o.Logger.Info("scheduler: run ended", "job", run.Job, "run", run.ID, "outcome", run.Outcome, "error", run.Error)
	s.mu.Lock()
	st.running = false
	s.mu.Unlock()
	s.poke()
}

// call runs f, turning a panic into an error so one bad job cannot kill the server.
func call(ctx context.Context, f Func) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job panicked: %v", r)
		}
	}()
	return f(ctx)
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Wait blocks until no run started by this Scheduler is in progress.
func (s *Scheduler) Wait() { s.wg.Wait() }

// Run starts the scheduler and runs it until ctx is cancelled, then shuts
// down gracefully: no new runs start, running jobs get ShutdownGrace to
// finish, then their context is cancelled (planners return their best result
// so far) and Run waits for them to record their outcome. Run returns nil
// after a clean shutdown.
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	lastReload := s.o.Clock.Now()
	for {
		now := s.o.Clock.Now()
		if now.Sub(lastReload) >= s.o.ReloadInterval {
			if err := s.reload(ctx, now); err != nil {
				s.o.Logger.Error("scheduler: reload schedules", "err", err)
			}
			lastReload = now
		}
		s.Tick(ctx, now)
		wait := s.nextWake(now, lastReload.Add(s.o.ReloadInterval)).Sub(now)
		select {
		case <-ctx.Done():
			return s.shutdown()
		case <-s.o.Clock.After(wait):
		case <-s.wake:
		}
	}
}

// nextWake returns the earliest next slot or retry time, and at the latest limit.
func (s *Scheduler) nextWake(now, limit time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := limit
	for _, st := range s.jobs {
		if st.enabled && !st.next.IsZero() && st.next.Before(t) {
			t = st.next
		}
		if st.pending != nil && !st.running && st.pending.retryAt.Before(t) {
			t = st.pending.retryAt
		}
	}
	if t.Before(now) {
		t = now
	}
	return t
}

func (s *Scheduler) shutdown() error {
	s.tickMu.Lock() // no Tick in flight past this point
	s.mu.Lock()
	s.drain = true
	s.mu.Unlock()
	s.tickMu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-s.o.Clock.After(s.o.ShutdownGrace):
		s.o.Logger.Warn("scheduler: shutdown grace over; cancelling running jobs")
		s.cancelJobs()
		<-done
	}
	s.cancelJobs()
	return nil
}

// Schedules returns the current schedule of every job, by name.
func (s *Scheduler) Schedules() []Schedule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Schedule, 0, len(s.jobs))
	for _, name := range s.namesLocked() {
		out = append(out, s.viewLocked(s.jobs[name]))
	}
	return out
}

func (s *Scheduler) viewLocked(st *jobState) Schedule {
	v := Schedule{Job: st.job.Name, Spec: st.spec, TimeZone: st.tz, Enabled: st.enabled,
		Description: st.job.Description, UpdatedAt: st.updatedAt, UpdatedBy: st.updatedBy}
	if st.enabled {
		n := st.sched.Next(s.o.Clock.Now())
		if !n.IsZero() {
			v.Next = &n
		}
	}
	return v
}

// SetSchedule validates and stores a new schedule for job in.Job (Spec,
// TimeZone, Enabled; other fields are ignored), applies it at once on this
// replica (the others pick it up within ReloadInterval) and returns the new
// setting. Errors: ErrUnknownJob; a *FieldError naming "spec" or "time_zone";
// a wrapped store error.
func (s *Scheduler) SetSchedule(ctx context.Context, in Schedule, by string) (Schedule, error) {
	var err error
	s.mu.Lock()
	_, ok := s.jobs[in.Job]
	s.mu.Unlock()
	if !ok {
		return Schedule{}, fmt.Errorf("%w %q", ErrUnknownJob, in.Job)
	}
	in.Spec, in.TimeZone, err = NormalizeSpec(in.Spec, in.TimeZone)
	if err != nil {
		return Schedule{}, err
	}
	sched, err := ParseSpec(in.Spec, in.TimeZone)
	if err != nil {
		return Schedule{}, err
	}
	now := s.o.Clock.Now()
	at := now.UTC()
	o := Schedule{Job: in.Job, Spec: in.Spec, TimeZone: in.TimeZone, Enabled: in.Enabled, UpdatedAt: &at, UpdatedBy: by}
	if err := s.o.Schedules.PutSchedule(ctx, o); err != nil {
		return Schedule{}, fmt.Errorf("store schedule: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.jobs[in.Job]
	s.apply(st, o, sched, now)
	st.updatedAt, st.updatedBy = o.UpdatedAt, by
	s.poke()
	return s.viewLocked(st), nil
}

// RunNow asks for an extra run of job as soon as its lock is free, for the
// slot "now" (to the second) with trigger manual. ErrUnknownJob if unknown.
func (s *Scheduler) RunNow(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.jobs[name]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownJob, name)
	}
	now := s.o.Clock.Now()
	st.pending = &pending{slot: now.UTC().Truncate(time.Second), trigger: TriggerManual, retryAt: now}
	s.poke()
	return nil
}

// Runs lists recorded runs, newest first (GET /api/v1/job-runs).
func (s *Scheduler) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	runs, err := s.o.Runs.Runs(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}
