package circuit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/optimizer/vrp"
)

// MaxHorizonDays is the longest horizon a plan may cover.
const MaxHorizonDays = 31

// Merge limits: requests are merged into one stop only up to these sizes, so
// that one stop does not eat a whole day.
const (
	MaxStopMinutes  = 240
	MaxStopRequests = 8
)

// Options tune a planning run. The zero value plans with the estimator, one
// thread and the engine's default iteration cap.
type Options struct {
	// From and To are the first and last day of the horizon (inclusive).
	From, To data.Date
	// Source gives travel times; nil means the estimator with its mountain
	// defaults (geo.DefaultEstimate).
	Source geo.Source
	// TimeLimit and MaxIterations bound the search (see vrp.Options).
	TimeLimit     time.Duration
	MaxIterations int
	// Seed seeds the search; Threads runs parallel searches (vrp.Options).
	Seed    int64
	Threads int
	// Now is the planning time (waiting days, re-planning); zero = time.Now.
	Now time.Time
	// NoEscalation forbids higher-level teams from taking requests that a
	// lower level could serve when the lower level runs out of capacity.
	NoEscalation bool
	// Observer receives the engine's progress.
	Observer func(vrp.Progress)
	// Baseline, when set, makes this a re-plan of an existing plan.
	Baseline *Baseline
	// WholeTeams plans county teams as before issue 21's crews: each car
	// takes its own members on duty to every visit. By default (false) a
	// county car's crew is formed each day from the county experts' pool
	// with only the experts its visits need (crews.go).
	WholeTeams bool
	// Tolerance bounds how far (minutes) a re-plan may move a kept visit's
	// start on its day; 0 = DefaultTolerance. A visit that cannot stay
	// within it moves (to another time, team or day) and is reported.
	Tolerance int
}

// DefaultTolerance is the default re-plan tolerance of a kept visit's start, minutes.
const DefaultTolerance = 60

// Baseline is the plan being re-planned: stops before Now (or Locked) stay
// as they are; the others are pinned to their team and day when still
// possible, and move only when they must.
type Baseline struct {
	Plan data.PlanDetail
}

// Unassigned is data.UnassignedRequest (the plan summary is one type shared by both planners, the store and the API).
type Unassigned = data.UnassignedRequest

// Decision is data.LevelDecision (the plan summary is one type shared by both planners, the store and the API).
type Decision = data.LevelDecision

// Load is data.TeamLoad (the plan summary is one type shared by both planners, the store and the API).
type Load = data.TeamLoad

// Move is data.VisitMove (the plan summary is one type shared by both planners, the store and the API).
type Move = data.VisitMove

// Stats is data.CircuitStats (the plan summary is one type shared by both planners, the store and the API).
type Stats = data.CircuitStats

// Result is a planning result: the plan (header and itineraries, not yet
// saved), the requests left out with their reasons, the level-routing
// decisions and the team loads.
type Result struct {
	Detail     data.PlanDetail
	Unassigned []Unassigned
	Decisions  []Decision
	Loads      []Load
	Moves      []Move
	Stats      Stats
	// Travel is the matrix the plan was made with (for Check).
	Travel *Travel
}

// ErrHorizon is wrapped by errors about a bad horizon.
var ErrHorizon = errors.New("bad horizon")

// Days returns the dates from..to, checking the horizon's length.
func Days(from, to data.Date) ([]data.Date, error) {
	if !from.Valid() || !to.Valid() {
		return nil, fmt.Errorf("%w: dates must be YYYY-MM-DD", ErrHorizon)
	}
	if to < from {
		return nil, fmt.Errorf("%w: to (%s) is before from (%s)", ErrHorizon, to, from)
	}
	var days []data.Date
	for d := from; d <= to; d = d.AddDays(1) {
		days = append(days, d)
		if len(days) > MaxHorizonDays {
			return nil, fmt.Errorf("%w: at most %d days", ErrHorizon, MaxHorizonDays)
		}
	}
	return days, nil
}

// group is one engine job: requests served in one stop.
type group struct {
	reqs     []*reqInfo
	point    data.Point
	village  string
	service  int // minutes
	presence [][][2]int
	vehicles []int
}

// Plan computes a plan for snap over opts' horizon. The returned plan is
// feasible (the engine guarantees it; Check verifies it independently).
//
// It runs four phases, each in its own file: the snapshot (plan_snapshot.go:
// what a baseline fixes, the team-days that work, the open requests and the
// travel matrix), the problem (plan_problem.go: eligibility, re-plan pins,
// stops, the engine's model), the passes (plan_passes.go: pass 1 at each
// request's level, pass 2 relaxed or continued) and the result
// (plan_result.go: itineraries, decisions, unassigned, moves and figures).
func Plan(ctx context.Context, snap *Snapshot, opts Options) (*Result, error) {
	r, err := newPlanRun(snap, opts)
	if err != nil {
		return nil, err
	}
	r.readBaseline()
	r.makeVehicles()
	if err := r.readRequests(ctx); err != nil {
		return nil, err
	}
	if !opts.WholeTeams && opts.Baseline == nil {
		r.proposeCrews()
	}
	if err := r.makeProblem(); err != nil {
		return nil, err
	}
	if err := r.search(ctx); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// planRun is the state of one Plan call, filled in phase by phase.
type planRun struct {
	snap  *Snapshot
	opts  Options
	start time.Time
	days  []data.Date
	// now is the planning time; today and nowMin are its local day and
	// minute after midnight.
	now       time.Time
	today     data.Date
	nowMin    int
	tolerance int

	// snapshot
	base     baselineState
	vehicles []vehicle
	infos    []*reqInfo
	tr       *Travel
	// problem
	groups []group
	p      *vrp.Problem
	// passes: the kept solution and the jobs whose requests it escalated
	sol       *vrp.Solution
	escalated map[int]bool
	// result: requests taken out because no crew could be formed
	noCrew map[string]bool
}

func newPlanRun(snap *Snapshot, opts Options) (*planRun, error) {
	start := time.Now()
	days, err := Days(opts.From, opts.To)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	tolerance := opts.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	local := now.In(data.Local)
	return &planRun{snap: snap, opts: opts, start: start, days: days, now: now,
		today: data.DateOf(now), nowMin: local.Hour()*60 + local.Minute(), tolerance: tolerance}, nil
}

func firstOr(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// openStatus reports whether a request still needs a visit: not yet
// visited (pending, planned), nobody home (failed) or follow-up.
func openStatus(st data.Status) bool {
	return st == data.StatusPending || st == data.StatusPlanned || st == data.StatusFailed || st == data.StatusFollowUp
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
