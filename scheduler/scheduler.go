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

	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"github.com/yingjing/xunhui/jobs"
)

// Result is what a job run produced, stored with its run record.
type Result struct {
	// Summary is one line for people, e.g. "queued draft plan P-12ab (2026-12-07–2026-12-11)".
	Summary string
	// Output holds JSON-encodable details (plan id, counts).
	Output map[string]any
}

// Func is the body of a job. It must return when ctx ends (the River job's
// timeout, or shutdown).
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

// Queue is the part of *jobs.Queue the scheduler uses: River periodic
// jobs, their worker, and manual firings.
type Queue interface {
	HandleRecurring(h jobs.RecurringHandler)
	SetRecurring(name string, schedule river.PeriodicSchedule, construct func() *jobs.RecurringArgs) error
	EnqueueRecurring(ctx context.Context, a jobs.RecurringArgs) (bool, error)
}

// Options configure a Scheduler. Zero fields take the defaults given.
type Options struct {
	// Queue fires and works the jobs (River). Without it the scheduler
	// only keeps schedules (validation, GET/PUT) and fires nothing.
	Queue Queue
	// Runs records runs (required to work jobs; without it ListRuns is empty).
	Runs RunStore
	// Schedules stores schedule overrides (default: MemSchedules).
	Schedules ScheduleStore
	// Clock is the time source of run records and catch-up (default: SystemClock).
	Clock Clock
	// Replica names this process in run records (default: hostname:pid).
	Replica string
	// ReloadInterval is how often stored schedule overrides are re-read, so
	// a PUT on one process reaches the others (default 1 min).
	ReloadInterval time.Duration
	// Logger receives run and error logs (default slog.Default()).
	Logger *slog.Logger
}

// ErrUnknownJob is returned for a job name that is not registered.
var ErrUnknownJob = errors.New("unknown job")

// Scheduler keeps the registered jobs' schedules and installs them as
// River periodic jobs. Create it with New, Register jobs, then call Run
// (or Start, in tests).
type Scheduler struct {
	o Options

	mu    sync.Mutex // guards the fields below and every jobState
	jobs  map[string]*jobState
	start bool
}

type jobState struct {
	job       Job
	spec, tz  string
	enabled   bool
	sched     cron.Schedule
	updatedAt *time.Time
	updatedBy string
}

// New returns a Scheduler with o's defaults filled in.
func New(o Options) *Scheduler {
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
	if o.ReloadInterval <= 0 {
		o.ReloadInterval = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Scheduler{o: o, jobs: map[string]*jobState{}}
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

// Start installs the worker of recurring jobs, loads the stored schedule
// overrides and installs every job's schedule as a River periodic job.
// An unreadable schedule store is logged (Run re-reads it); the error is
// that of installing a schedule in River.
func (s *Scheduler) Start(ctx context.Context) error {
	if s.o.Queue != nil {
		s.o.Queue.HandleRecurring(s.work)
	}
	if _, err := s.reload(ctx); err != nil {
		// The database may be down for a moment: start on the built-in
		// schedules; Run re-reads the overrides every ReloadInterval.
		s.o.Logger.Error("scheduler: start with default schedules", "err", err)
	}
	s.mu.Lock()
	s.start = true
	names := s.namesLocked()
	s.mu.Unlock()
	return s.install(names...)
}

// Run is Start, then Watch.
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	return s.Watch(ctx)
}

// Watch re-reads the stored schedules every ReloadInterval until ctx ends,
// re-installing the ones another process changed, and returns nil.
// Running jobs belong to River: the queue's Stop ends them.
func (s *Scheduler) Watch(ctx context.Context) error {
	t := time.NewTicker(s.o.ReloadInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		changed, err := s.reload(ctx)
		if err != nil {
			s.o.Logger.Error("scheduler: reload schedules", "err", err)
		}
		if err := s.install(changed...); err != nil {
			s.o.Logger.Error("scheduler: install schedules", "err", err)
		}
	}
}

// reload applies the stored overrides that differ from the current
// settings and returns the names of the jobs it changed.
func (s *Scheduler) reload(ctx context.Context) ([]string, error) {
	stored, err := s.o.Schedules.Schedules(ctx)
	if err != nil {
		return nil, fmt.Errorf("load schedules: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []string
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
		st.spec, st.tz, st.enabled, st.sched = o.Spec, o.TimeZone, o.Enabled, sched
		changed = append(changed, o.Job)
	}
	return changed, nil
}

// install (re)installs the named jobs' schedules in River: enabled ones as
// periodic jobs, disabled ones removed. It must not be called with s.mu
// held: River calls the constructors, which take it, under its own lock.
func (s *Scheduler) install(names ...string) error {
	if s.o.Queue == nil {
		return nil
	}
	for _, name := range names {
		s.mu.Lock()
		st := s.jobs[name]
		enabled, sched := st.enabled, st.sched
		s.mu.Unlock()
		var err error
		if !enabled {
			err = s.o.Queue.SetRecurring(name, nil, nil)
		} else {
			slots := &slotSchedule{sched: sched}
			err = s.o.Queue.SetRecurring(name, slots, func() *jobs.RecurringArgs { return s.construct(name, slots) })
		}
		if err != nil {
			return err
		}
		s.o.Logger.Debug("scheduler: installed", "job", name, "enabled", enabled)
	}
	return nil
}

// slotSchedule is a job's cron schedule as River's PeriodicSchedule. It
// remembers the last time it handed River: River asks for the next run
// time, then calls the job's constructor when that time comes, so the
// constructor knows the slot it fires for.
type slotSchedule struct {
	sched cron.Schedule
	mu    sync.Mutex
	last  time.Time
}

// Next implements river.PeriodicSchedule.
func (c *slotSchedule) Next(t time.Time) time.Time {
	n := c.sched.Next(t)
	c.mu.Lock()
	c.last = n
	c.mu.Unlock()
	return n
}

// due returns the slot River is firing now: the last time handed out, if
// it has come (River fires up to 100 ms early).
func (c *slotSchedule) due(now time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last.IsZero() || c.last.After(now.Add(500*time.Millisecond)) {
		return time.Time{}, false
	}
	return c.last.UTC(), true
}

// construct is a job's River constructor: the firing of the slot that
// has come, or — when River calls it because this process just became
// leader or the schedule was just installed — a catch-up of a missed slot.
func (s *Scheduler) construct(name string, slots *slotSchedule) *jobs.RecurringArgs {
	now := s.o.Clock.Now()
	if slot, ok := slots.due(now); ok {
		return &jobs.RecurringArgs{Job: name, Slot: slot, Trigger: string(TriggerSchedule)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	slot, ok, err := s.missedSlot(ctx, name, now)
	if err != nil {
		s.o.Logger.Error("scheduler: no catch-up: cannot read runs", "job", name, "err", err)
		return nil
	}
	if !ok {
		return nil
	}
	s.o.Logger.Info("scheduler: catching up a missed slot", "job", name, "slot", slot)
	return &jobs.RecurringArgs{Job: name, Slot: slot, Trigger: string(TriggerCatchUp)}
}

// missedSlot returns job name's most recent slot at or before now if it
// was missed: the job is enabled and has run before (a fresh install has
// missed nothing), the slot has no run, and the schedule was already in
// force at the slot (a PUT does not fire the past of its new schedule).
// However many slots were missed, only the latest one counts.
func (s *Scheduler) missedSlot(ctx context.Context, name string, now time.Time) (time.Time, bool, error) {
	s.mu.Lock()
	st, ok := s.jobs[name]
	if !ok || !st.enabled {
		s.mu.Unlock()
		return time.Time{}, false, nil
	}
	sched, since := st.sched, st.updatedAt
	s.mu.Unlock()
	slot, ok := prevSlot(sched, now)
	if !ok || (since != nil && slot.Before(*since)) || s.o.Runs == nil {
		return time.Time{}, false, nil
	}
	runs, err := s.o.Runs.Runs(ctx, RunFilter{Job: name, Limit: 1000})
	if err != nil || len(runs) == 0 {
		return time.Time{}, false, err
	}
	for _, r := range runs {
		if r.Slot.Equal(slot) {
			return time.Time{}, false, nil
		}
	}
	return slot, true, nil
}

// work is the River worker of a firing: it records the run, calls the
// job's function and records the outcome. Its error ends the River job.
func (s *Scheduler) work(ctx context.Context, a jobs.RecurringArgs, attempt int) error {
	s.mu.Lock()
	st, ok := s.jobs[a.Job]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w %q in this build", ErrUnknownJob, a.Job)
	}
	if s.o.Runs == nil {
		return errors.New("scheduler: no run store")
	}
	log := s.o.Logger.With("job", a.Job, "slot", a.Slot, "replica", s.o.Replica, "attempt", attempt)
	run := Run{Job: a.Job, Slot: a.Slot.UTC(), Trigger: Trigger(a.Trigger), Replica: s.o.Replica, Started: s.o.Clock.Now().UTC()}
	if err := s.o.Runs.Begin(ctx, &run); err != nil {
		if errors.Is(err, ErrSlotDone) {
			log.Info("scheduler: slot already run")
			return nil
		}
		return err
	}
	log.Info("scheduler: run started", "trigger", a.Trigger, "run", run.ID)
	res, err := call(ctx, st.job.Func)
	ended := s.o.Clock.Now().UTC()
	run.Ended, run.Summary, run.Output = &ended, res.Summary, res.Output
	run.Outcome = OK
	if err != nil {
		run.Outcome, run.Error = Failed, err.Error()
	}
	bg, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer stop()
	if ferr := s.o.Runs.Finish(bg, run); ferr != nil {
		log.Error("scheduler: record run end", "run", run.ID, "err", ferr)
	}
	log.Info("scheduler: run ended", "run", run.ID, "outcome", run.Outcome, "error", run.Error)
	return err
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

func (s *Scheduler) namesLocked() []string {
	names := make([]string, 0, len(s.jobs))
	for n := range s.jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
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
// TimeZone, Enabled; other fields are ignored), re-installs it in River at
// once on this process (the others pick it up within ReloadInterval) and
// returns the new setting. Errors: ErrUnknownJob; a *FieldError naming
// "spec" or "time_zone"; a wrapped store error.
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
	at := s.o.Clock.Now().UTC()
	o := Schedule{Job: in.Job, Spec: in.Spec, TimeZone: in.TimeZone, Enabled: in.Enabled, UpdatedAt: &at, UpdatedBy: by}
	if err := s.o.Schedules.PutSchedule(ctx, o); err != nil {
		return Schedule{}, fmt.Errorf("store schedule: %w", err)
	}
	s.mu.Lock()
	st := s.jobs[in.Job]
	st.spec, st.tz, st.enabled, st.sched = o.Spec, o.TimeZone, o.Enabled, sched
	st.updatedAt, st.updatedBy = o.UpdatedAt, by
	started := s.start
	s.mu.Unlock()
	if started {
		if err := s.install(in.Job); err != nil {
			return Schedule{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewLocked(st), nil
}

// RunNow fires job name once, now: a River job for the slot "now" (to the
// second) with trigger manual, worked by any process. ErrUnknownJob if
// unknown; an error without a queue.
func (s *Scheduler) RunNow(ctx context.Context, name string) error {
	s.mu.Lock()
	_, ok := s.jobs[name]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownJob, name)
	}
	if s.o.Queue == nil {
		return errors.New("scheduler: no job queue")
	}
	slot := s.o.Clock.Now().UTC().Truncate(time.Second)
	_, err := s.o.Queue.EnqueueRecurring(ctx, jobs.RecurringArgs{Job: name, Slot: slot, Trigger: string(TriggerManual)})
	return err
}

// Runs lists recorded runs, newest first (GET /api/v1/job-runs).
func (s *Scheduler) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	if s.o.Runs == nil {
		return []Run{}, nil
	}
	runs, err := s.o.Runs.Runs(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}
