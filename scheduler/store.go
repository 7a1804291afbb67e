package scheduler

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Outcome is the state of a run record.
type Outcome string

// Run outcomes. Running, OK, Failed and Skipped have the same spelling as
// data.JobOutcome; Abandoned is a run whose replica lost its lock (died)
// mid-run: the slot is free to run again.
const (
	Running   Outcome = "running"
	OK        Outcome = "ok"
	Failed    Outcome = "failed"
	Abandoned Outcome = "abandoned"
)

// Trigger says why a run started.
type Trigger string

// Run triggers.
const (
	TriggerSchedule Trigger = "schedule" // its slot came due
	TriggerCatchUp  Trigger = "catch_up" // its slot was missed while no replica ran
	TriggerManual   Trigger = "manual"   // RunNow (an admin asked)
)

// Run is the record of one run of a job for one slot.
type Run struct {
	// ID is assigned by the RunStore.
	ID string `json:"id"`
	// Job is the job name.
	Job string `json:"job"`
	// Slot is the scheduled time the run is for (UTC): the unique key with Job.
	Slot time.Time `json:"slot"`
	// Trigger is schedule, catch_up or manual.
	Trigger Trigger `json:"trigger"`
	// Replica identifies the process that ran it (host:pid by default).
	Replica string `json:"replica"`
	// Started and Ended bound the run (UTC); Ended is nil while running.
	Started time.Time  `json:"started"`
	Ended   *time.Time `json:"ended,omitempty"`
	// Outcome is running, ok, failed or abandoned.
	Outcome Outcome `json:"outcome"`
	// Error is the failure message of failed and abandoned runs.
	Error string `json:"error,omitempty"`
	// Summary is a one-line account of what the run produced.
	Summary string `json:"summary,omitempty"`
	// Output is what the run produced (plan id, counts …), JSON-encodable.
	Output map[string]any `json:"output,omitempty"`
}

// RunFilter selects runs for RunStore.Runs, newest first.
type RunFilter struct {
	// Job restricts to one job ("" = all).
	Job string
	// Limit defaults to 100, at most 1000.
	Limit int
}

func (f RunFilter) limit() int {
	switch {
	case f.Limit <= 0:
		return 100
	case f.Limit > 1000:
		return 1000
	}
	return f.Limit
}

// ErrSlotDone is returned by RunStore.Claim when the slot already has a run
// that is not abandoned: another replica ran it (or is running it).
var ErrSlotDone = errors.New("slot already run")

// RunStore records runs. Implementations: MemRuns (tests, single process),
// DataRuns (the embedded data.Store), pglock.Store (PostgreSQL).
type RunStore interface {
	// Claim records the start of run r (Job, Slot, Trigger, Replica,
	// Started set by the caller) and assigns r.ID. The caller holds the
	// job's lock, so any run of this job still marked running belongs to a
	// replica that lost the lock: Claim marks it abandoned first. If the
	// slot has a run that is not abandoned, Claim returns ErrSlotDone.
	Claim(ctx context.Context, r *Run) error
	// Finish records the end of run r (Ended, Outcome, Error, Summary, Output).
	Finish(ctx context.Context, r Run) error
	// Runs lists runs, newest start first.
	Runs(ctx context.Context, f RunFilter) ([]Run, error)
}

// ErrLocked is returned by Locker.TryLock when another holder has the lock.
var ErrLocked = errors.New("locked by another replica")

// Locker hands out one named lock at a time across all replicas.
type Locker interface {
	// TryLock takes the lock called name without waiting; ErrLocked if it
	// is held elsewhere.
	TryLock(ctx context.Context, name string) (Lock, error)
}

// Lock is a held lock.
type Lock interface {
	// Lost is closed when the lock is lost without Unlock (the session
	// holding it broke); the run must stop and must not claim success.
	Lost() <-chan struct{}
	// Unlock releases the lock. It is safe to call once.
	Unlock(ctx context.Context) error
}

// LocalLocker is a Locker within one process: right for the embedded store,
// where only one process runs jobs. The zero value is ready to use.
type LocalLocker struct {
	mu   sync.Mutex
	held map[string]bool
}

// TryLock implements Locker.
func (l *LocalLocker) TryLock(_ context.Context, name string) (Lock, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[string]bool{}
	}
	if l.held[name] {
		return nil, ErrLocked
	}
	l.held[name] = true
	return &localLock{l: l, name: name, lost: make(chan struct{})}, nil
}

type localLock struct {
	l    *LocalLocker
	name string
	lost chan struct{}
	once sync.Once
}

func (k *localLock) Lost() <-chan struct{} { return k.lost }

func (k *localLock) Unlock(context.Context) error {
	k.once.Do(func() {
		k.l.mu.Lock()
		delete(k.l.held, k.name)
		k.l.mu.Unlock()
	})
	return nil
}

// MemRuns is an in-memory RunStore for tests and throwaway single-process
// use; records vanish with the process. The zero value is ready to use.
type MemRuns struct {
	mu   sync.Mutex
	runs []Run
	seq  int
}

// Claim implements RunStore.
func (m *MemRuns) Claim(_ context.Context, r *Run) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now().UTC()
	for i := range m.runs {
		x := &m.runs[i]
		if x.Job != r.Job {
			continue
		}
		if x.Outcome == Running {
			x.Outcome, x.Ended, x.Error = Abandoned, &now, "abandoned: replica "+x.Replica+" lost its lock mid-run"
		}
		if x.Slot.Equal(r.Slot) && x.Outcome != Abandoned {
			return ErrSlotDone
		}
	}
	m.seq++
	r.ID = "run-" + strconv.Itoa(m.seq)
	r.Outcome = Running
	m.runs = append(m.runs, *r)
	return nil
}

// Finish implements RunStore.
func (m *MemRuns) Finish(_ context.Context, r Run) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.runs {
		if m.runs[i].ID == r.ID {
			m.runs[i] = r
			return nil
		}
	}
	return errors.New("finish run: unknown run " + r.ID)
}

// Runs implements RunStore.
func (m *MemRuns) Runs(_ context.Context, f RunFilter) ([]Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Run{}
	for i := len(m.runs) - 1; i >= 0; i-- { // newest first among equal start times
		r := m.runs[i]
		if f.Job == "" || r.Job == f.Job {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	if len(out) > f.limit() {
		out = out[:f.limit()]
	}
	return out, nil
}

// Schedule is the run-time setting of one job: what GET/PUT
// /api/v1/schedules show and change.
type Schedule struct {
	// Job is the job name.
	Job string `json:"job"`
	// Spec is the cron spec (5 fields, 6 with seconds, or @daily etc.).
	Spec string `json:"spec"`
	// TimeZone is an IANA zone, default Asia/Shanghai.
	TimeZone string `json:"time_zone"`
	// Enabled is false for a paused job.
	Enabled bool `json:"enabled"`
	// Description says what the job does (read-only).
	Description string `json:"description,omitempty"`
	// Next is the next slot (read-only; absent when disabled).
	Next *time.Time `json:"next,omitempty"`
	// UpdatedAt and UpdatedBy say who last changed the setting (read-only).
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

// ScheduleStore persists schedule overrides, so a PUT survives restarts and
// reaches every replica. Implementations: MemSchedules, FileSchedules,
// pglock.Store.
type ScheduleStore interface {
	// Schedules returns the stored overrides (any order).
	Schedules(ctx context.Context) ([]Schedule, error)
	// PutSchedule stores the override of s.Job.
	PutSchedule(ctx context.Context, s Schedule) error
}

// MemSchedules is an in-memory ScheduleStore. The zero value is ready.
type MemSchedules struct {
	mu sync.Mutex
	m  map[string]Schedule
}

// Schedules implements ScheduleStore.
func (m *MemSchedules) Schedules(context.Context) ([]Schedule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Schedule{}
	for _, s := range m.m {
		out = append(out, s)
	}
	return out, nil
}

// PutSchedule implements ScheduleStore.
func (m *MemSchedules) PutSchedule(_ context.Context, s Schedule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]Schedule{}
	}
	m.m[s.Job] = s
	return nil
}
