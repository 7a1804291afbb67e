package vrp

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// NoLocation marks an absent vehicle start or end (an open route) and the
// location of a break, which is taken wherever the vehicle is.
const NoLocation = -1

// Horizon is the latest time the engine handles, in seconds. Open time
// windows and unbounded shifts are clamped to it; all times in a Problem must
// lie in [0, Horizon].
const Horizon int64 = 1 << 40

// Matrix is a square n×n matrix of int64 stored row-major, so that
// Data[i*N+j] is the value from location i to location j. Asymmetric values
// are allowed. The zero Matrix (N == 0) means "absent".
type Matrix struct {
	// N is the number of locations.
	N int
	// Data holds N*N values, row-major.
	Data []int64
}

// NewMatrix returns an n×n zero matrix.
func NewMatrix(n int) Matrix {
	if n < 0 {
		n = 0
	}
	return Matrix{N: n, Data: make([]int64, n*n)}
}

// MatrixFromRows copies a square [][]int64 into a Matrix. It returns an error
// if the rows are ragged.
func MatrixFromRows(rows [][]int64) (Matrix, error) {
	m := NewMatrix(len(rows))
	for i, r := range rows {
		if len(r) != len(rows) {
			return Matrix{}, fmt.Errorf("matrix row %d: got %d columns, want %d", i, len(r), len(rows))
		}
		copy(m.Data[i*m.N:], r)
	}
	return m, nil
}

// At returns the value from location i to location j. It panics if i or j is
// out of range, like a slice index.
func (m Matrix) At(i, j int) int64 { return m.Data[i*m.N+j] }

// Set stores v as the value from location i to location j.
func (m Matrix) Set(i, j int, v int64) { m.Data[i*m.N+j] = v }

// TimeWindow is a closed interval [Start, End] of times in seconds. For a job
// or a break it bounds the START of service; waiting before Start is allowed.
type TimeWindow struct {
	Start int64
	End   int64
}

// Job is one task to serve at one location.
type Job struct {
	// ID is the caller's identifier, echoed in the solution.
	ID string
	// Location is an index into the problem matrices.
	Location int
	// Service is the time spent at the location, in seconds.
	Service int64
	// TimeWindows are the intervals in which service may start, sorted or
	// not, non-overlapping after sorting. Empty means any time.
	TimeWindows []TimeWindow
	// Skills lists the skills a vehicle must all have to serve the job.
	// Skills are arbitrary non-negative integers; the engine maps them to a
	// bitset once.
	Skills []int
	// Priority weighs the job when not every job can be served: serving a
	// job of priority p is worth 1+p jobs of priority 0. Range 0..1000.
	Priority int
	// Amounts are the quantities delivered to the job on each capacity
	// dimension (loaded at the vehicle start). Nil means zero on all
	// dimensions; otherwise the length must equal the vehicles' capacity
	// length.
	Amounts []int64
	// Pickup are the quantities collected at the job on each capacity
	// dimension and carried to the end of the route. Nil means zero. When
	// some jobs deliver and others pick up, capacity is checked on the load
	// after every stop (load at the start = all deliveries of the route).
	Pickup []int64
	// AllowedVehicles lists the indices (into Problem.Vehicles) of the only
	// vehicles that may serve the job. Nil means any vehicle.
	AllowedVehicles []int
}

// Break is a rest a vehicle must take when it is used (serves at least one
// job). It is taken at the vehicle's current position, between two stops:
// after the service at the previous stop (or at the start), before the
// travel to the next one.
type Break struct {
	// ID is the caller's identifier, echoed in the solution.
	ID string
	// Duration is the length of the break in seconds.
	Duration int64
	// TimeWindows are the intervals in which the break must start. Empty
	// means any time within the shift.
	TimeWindows []TimeWindow
}

// Vehicle is one resource serving jobs on one route (a team on one day).
type Vehicle struct {
	// ID is the caller's identifier, echoed in the solution.
	ID string
	// Start and End are location indices; NoLocation makes the route open at
	// that end (it starts at the first job, or ends at the last job). Note
	// that the zero value 0 is a valid location.
	Start, End int
	// Shift bounds the route: departure from Start is no earlier than
	// Shift.Start and arrival at End (or the end of the last service for an
	// open end) no later than Shift.End. The zero value means no limit.
	Shift TimeWindow
	// Capacity is the limit on each capacity dimension. All vehicles must
	// have the same number of dimensions (zero is allowed).
	Capacity []int64
	// Skills lists the skills the vehicle has.
	Skills []int
	// Breaks are the breaks the vehicle must take when used.
	Breaks []Break
	// MaxTravelTime limits the summed travel durations in seconds; 0 = none.
	MaxTravelTime int64
	// MaxDistance limits the summed travel distance in metres (the
	// vehicle's Distances matrix, which must then be given); 0 = none.
	MaxDistance int64
	// MaxDuration limits arrival at the end minus departure from the start,
	// including service and waiting, in seconds; 0 = none.
	MaxDuration int64
	// SoftMaxDuration is a route duration (measured as MaxDuration) above
	// which every hour costs OvertimeCostPerHour cost units (with the
	// default objective, seconds of travel: 3600 makes a second of overtime
	// cost as much as a second of travel). A soft limit: it spreads work
	// over vehicles but never leaves a job out (served work comes first).
	// 0 = none. Ignored by ObjectiveDistance.
	SoftMaxDuration     int64
	OvertimeCostPerHour int64
	// MaxTasks limits the number of jobs on the route; 0 = none.
	MaxTasks int
	// FixedCost is paid once when the vehicle serves at least one job.
	FixedCost int64
	// CostPerHour is the cost of one hour of travel (cost units).
	CostPerHour int64
	// CostPerKm is the cost of 1000 distance units (metres) of travel; it
	// needs Problem.Distances.
	CostPerKm int64
	// Profile selects the vehicle's travel matrices: 0 = the Problem's
	// Durations, Distances and Costs; k >= 1 = Problem.Profiles[k-1] (another
	// travel mode, or the same roads at another speed).
	Profile int
	// Locked lists job indices that must be the first jobs of this route, in
	// this order (breaks may come between them). They are always served,
	// which makes the problem infeasible (Validate fails) if they cannot be.
	Locked []int
}

// Problem is a vehicle routing problem with time windows, capacities,
// skills, breaks and shift limits. All quantities are integers: seconds,
// metres and cost units.
type Problem struct {
	// Durations gives the travel time in seconds between locations. Required.
	Durations Matrix
	// Distances gives the distance in metres; optional (N == 0 if absent).
	// It is the objective in ObjectiveDistance mode and feeds CostPerKm.
	Distances Matrix
	// Costs gives a travel cost per arc; optional. When present it replaces
	// the per-hour and per-km costs of every vehicle.
	Costs Matrix
	// Profiles are further sets of travel matrices over the same locations
	// for vehicles whose Profile is not 0 (Profiles[k-1] for Profile k).
	// Each must give the same matrices as the Problem: Durations always,
	// Distances and Costs exactly when the Problem gives them.
	Profiles []Profile
	// Jobs are the tasks; the solution refers to them by index.
	Jobs []Job
	// Vehicles are the available routes; the solution refers to them by
	// index.
	Vehicles []Vehicle
}

// Profile is one set of travel matrices (a travel mode).
type Profile struct {
	Durations, Distances, Costs Matrix
}

// profile returns the matrices of vehicle v.
func (p *Problem) profile(v int) *Profile { return p.profileAt(p.Vehicles[v].Profile) }

// profileAt returns profile k: 0 = the problem's own matrices.
func (p *Problem) profileAt(k int) *Profile {
	if k > 0 {
		return &p.Profiles[k-1]
	}
	return &Profile{Durations: p.Durations, Distances: p.Distances, Costs: p.Costs}
}

// Objective selects what the engine minimises once the served
// priority-weighted work is maximal.
type Objective int

const (
	// ObjectiveCost minimises fixed costs plus travel costs: the Costs
	// matrix when given, otherwise CostPerHour and CostPerKm of each
	// vehicle; when the problem gives none of them, the travel time in
	// seconds.
	ObjectiveCost Objective = iota
	// ObjectiveDistance minimises the total of the Distances matrix (or
	// the Durations matrix when Distances is absent) with the fleet given,
	// plus the vehicles' fixed costs (none in the VRPTW benchmarks, whose
	// convention this is); per-hour and per-km rates are ignored.
	ObjectiveDistance
)

// Progress is reported to Options.Observer during the search.
type Progress struct {
	// Elapsed is the wall time since Solve started.
	Elapsed time.Duration
	// Iteration is the outer-loop iteration count.
	Iteration int
	// Cost is the objective cost of the best feasible solution so far.
	Cost int64
	// Served is the number of served jobs in that solution.
	Served int
	// Vehicles is the number of used vehicles in that solution.
	Vehicles int
}

// Options tune Solve.
type Options struct {
	// TimeLimit bounds the wall time of the search; 0 = no limit. Solve
	// returns shortly after it: reporting (filling and diagnosing
	// unassigned jobs, the final Check) is bounded by a tenth of the limit
	// (at least one second) and is usually milliseconds.
	TimeLimit time.Duration
	// MaxIterations bounds the number of outer iterations (one ruin,
	// recreate and local search each); 0 = no cap. When both TimeLimit and
	// MaxIterations are zero, DefaultIterations applies.
	MaxIterations int
	// Seed seeds the random generator: the same seed and iteration cap give
	// the same solution.
	Seed int64
	// Threads is the number of independent searches run in parallel with
	// seeds Seed, Seed+1, ...; the best result is returned. 0 or 1 = one.
	// When the problem splits into independent groups (see Solve), each
	// group gets Threads searches and keeps its best.
	Threads int
	// Objective selects the cost to minimise.
	Objective Objective
	// Neighbours is the size of the granular neighbourhood (nearest jobs
	// considered per job); 0 = 20.
	Neighbours int
	// Initial is a warm start: for vehicle v, Initial[v] lists job indices
	// in visiting order (after the vehicle's Locked jobs, which it must not
	// repeat). The search starts from these routes; a job that does not fit
	// where it is listed is dropped from its route and inserted by the
	// search like any unassigned job. Nil or shorter than Vehicles means
	// empty routes for the rest.
	Initial [][]int
	// Observer, when set, is called from the searching goroutine each time
	// the best solution improves and about every second. It must be quick.
	Observer func(Progress)
	// Temperature sets the simulated-annealing acceptance: the temperature
	// falls geometrically from Start to End (each a fraction of the mean
	// arc cost of the first solution) over the time limit or iteration
	// cap. The zero value is {0.3, 0.01}, tuned on the VRPTW benchmarks;
	// problems whose days are packed with long services and narrow windows
	// (the county circuits) find better plans hotter.
	Temperature Temperature
	// Stall stops a search early once its best solution has not improved
	// over this share of the iterations it has run (after at least 200
	// iterations): with 0.8 a search that found its best in the first fifth
	// of its iterations stops. TimeLimit and MaxIterations stay upper
	// bounds; the rule counts iterations, so a capped run stays
	// reproducible. 0 = never stop early (the default: planners with a
	// time budget use all of it); must be below 1. DefaultStall suits
	// callers who want an answer as soon as the search is done.
	Stall float64
	// Fleet puts the number of used vehicles before the cost: the
	// objective becomes served work, then vehicles, then Objective's cost
	// (the hierarchical objective of the VRPTW literature; a vehicle is a
	// driver's day). The search first removes routes for half of its
	// budget (SISR's fleet minimisation, docs/solver.md), then minimises
	// the cost with no more vehicles than it found. Reported costs never
	// include the internal per-vehicle weight.
	Fleet bool
}

// DefaultStall is the Options.Stall of the VROOM interface (`xunhui vrp`,
// POST /api/v1/vrp): on Solomon's C instances it stops a 1 s search after
// about a tenth of it with the same costs; on some R and RC instances it
// stops on an early plateau at a cost (docs/solver.md, "Stopping early").
const DefaultStall = 0.8

// Temperature is an annealing schedule; see Options.Temperature. Both
// values must be positive, End at most Start.
type Temperature struct {
	Start, End float64
}

// defaultTemperature is the schedule of a zero Options.Temperature.
var defaultTemperature = Temperature{Start: 0.3, End: 0.01}

// validate reports a schedule the search cannot follow.
func (t Temperature) validate() error {
	if !(t.Start > 0 && t.End > 0 && t.End <= t.Start) || math.IsInf(t.Start, 0) {
		return fmt.Errorf("temperature %g→%g: want 0 < end ≤ start < ∞", t.Start, t.End)
	}
	return nil
}

// DefaultIterations is the iteration cap used when Options sets neither a
// time limit nor an iteration cap.
const DefaultIterations = 2000

// Validate checks the problem for errors that would make it meaningless:
// matrix sizes, location indices, windows, capacity dimensions, skills,
// vehicle references and locked jobs. It returns the first error found,
// wrapped with the offending job or vehicle.
func (p *Problem) Validate() error {
	if p == nil {
		return errors.New("nil problem")
	}
	n := p.Durations.N
	if n == 0 {
		return errors.New("durations matrix is required")
	}
	if err := validateMatrices("", n, p.profileAt(0)); err != nil {
		return err
	}
	for k := range p.Profiles {
		pr := &p.Profiles[k]
		where := fmt.Sprintf("profile %d: ", k+1)
		if (pr.Distances.N > 0) != (p.Distances.N > 0) || (pr.Costs.N > 0) != (p.Costs.N > 0) {
			return fmt.Errorf("%sdistances and costs matrices must be given exactly when the problem gives them", where)
		}
		if err := validateMatrices(where, n, pr); err != nil {
			return err
		}
	}
	if len(p.Vehicles) == 0 && len(p.Jobs) > 0 {
		return errors.New("no vehicles")
	}
	dims := -1
	for v := range p.Vehicles {
		if err := p.validateVehicle(v, &dims); err != nil {
			return fmt.Errorf("vehicle %d (%q): %w", v, p.Vehicles[v].ID, err)
		}
	}
	if dims < 0 {
		dims = 0
	}
	for j := range p.Jobs {
		if err := p.validateJob(j, dims); err != nil {
			return fmt.Errorf("job %d (%q): %w", j, p.Jobs[j].ID, err)
		}
	}
	lockedBy := make(map[int]int)
	for v, veh := range p.Vehicles {
		for _, j := range veh.Locked {
			if j < 0 || j >= len(p.Jobs) {
				return fmt.Errorf("vehicle %d (%q): locked job %d out of range", v, veh.ID, j)
			}
			if w, dup := lockedBy[j]; dup {
				return fmt.Errorf("vehicle %d (%q): job %d already locked to vehicle %d", v, veh.ID, j, w)
			}
			lockedBy[j] = v
		}
	}
	if len(lockedBy) > 0 {
		// Locked work is served by definition: check it is feasible alone so
		// that the search can always keep it.
		for v, veh := range p.Vehicles {
			if len(veh.Locked) == 0 {
				continue
			}
			for _, j := range veh.Locked {
				if !eligible(p, j, v) {
					return fmt.Errorf("vehicle %d (%q): locked job %d not allowed on it (skills or allowed vehicles)", v, veh.ID, j)
				}
			}
			if r, _, ok := seqFeasible(p, v, veh.Locked, ObjectiveCost); !ok {
				return fmt.Errorf("vehicle %d (%q): locked jobs are infeasible: %s", v, veh.ID, r.violation)
			}
		}
	}
	return nil
}

func validateMatrices(where string, n int, pr *Profile) error {
	for _, nm := range []struct {
		name string
		m    Matrix
	}{{"durations", pr.Durations}, {"distances", pr.Distances}, {"costs", pr.Costs}} {
		name, m := nm.name, nm.m
		if m.N == 0 && len(m.Data) == 0 && name != "durations" {
			continue
		}
		if m.N != n {
			return fmt.Errorf("%s%s matrix: got %d locations, want %d", where, name, m.N, n)
		}
		if len(m.Data) != n*n {
			return fmt.Errorf("%s%s matrix: got %d values, want %d", where, name, len(m.Data), n*n)
		}
		for k, v := range m.Data {
			if v < 0 || v > Horizon {
				return fmt.Errorf("%s%s matrix: value %d at (%d,%d) out of range", where, name, v, k/n, k%n)
			}
		}
	}
	return nil
}

func (p *Problem) validateVehicle(v int, dims *int) error {
	veh := &p.Vehicles[v]
	n := p.Durations.N
	for _, loc := range []int{veh.Start, veh.End} {
		if loc != NoLocation && (loc < 0 || loc >= n) {
			return fmt.Errorf("location %d out of range [0,%d)", loc, n)
		}
	}
	if *dims < 0 {
		*dims = len(veh.Capacity)
	} else if len(veh.Capacity) != *dims {
		return fmt.Errorf("got %d capacity dimensions, want %d like the other vehicles", len(veh.Capacity), *dims)
	}
	for d, c := range veh.Capacity {
		if c < 0 {
			return fmt.Errorf("negative capacity %d on dimension %d", c, d)
		}
	}
	if veh.Shift != (TimeWindow{}) {
		if err := checkWindow(veh.Shift); err != nil {
			return fmt.Errorf("shift: %w", err)
		}
	}
	for _, s := range veh.Skills {
		if s < 0 {
			return fmt.Errorf("negative skill %d", s)
		}
	}
	if veh.MaxTravelTime < 0 || veh.MaxDuration < 0 || veh.MaxTasks < 0 || veh.MaxDistance < 0 ||
		veh.SoftMaxDuration < 0 || veh.OvertimeCostPerHour < 0 {
		return errors.New("negative limit")
	}
	if veh.MaxDistance > 0 && p.Distances.N == 0 {
		return errors.New("max distance needs a distances matrix")
	}
	if veh.Profile < 0 || veh.Profile > len(p.Profiles) {
		return fmt.Errorf("profile %d out of range [0,%d]", veh.Profile, len(p.Profiles))
	}
	if veh.FixedCost < 0 || veh.CostPerHour < 0 || veh.CostPerKm < 0 {
		return errors.New("negative cost")
	}
	if veh.CostPerKm > 0 && p.Distances.N == 0 && p.Costs.N == 0 {
		return errors.New("cost per km needs a distances matrix")
	}
	for b, br := range veh.Breaks {
		if br.Duration < 0 || br.Duration > Horizon {
			return fmt.Errorf("break %d: duration %d out of range", b, br.Duration)
		}
		if err := checkWindows(br.TimeWindows); err != nil {
			return fmt.Errorf("break %d: %w", b, err)
		}
	}
	return nil
}

func (p *Problem) validateJob(j, dims int) error {
	job := &p.Jobs[j]
	if job.Location < 0 || job.Location >= p.Durations.N {
		return fmt.Errorf("location %d out of range [0,%d)", job.Location, p.Durations.N)
	}
	if job.Service < 0 || job.Service > Horizon {
		return fmt.Errorf("service %d out of range", job.Service)
	}
	if err := checkWindows(job.TimeWindows); err != nil {
		return err
	}
	if job.Amounts != nil && len(job.Amounts) != dims {
		return fmt.Errorf("got %d amounts, want %d (the vehicles' capacity dimensions)", len(job.Amounts), dims)
	}
	for d, a := range job.Amounts {
		if a < 0 {
			return fmt.Errorf("negative amount %d on dimension %d", a, d)
		}
	}
	if job.Pickup != nil && len(job.Pickup) != dims {
		return fmt.Errorf("got %d pickup amounts, want %d (the vehicles' capacity dimensions)", len(job.Pickup), dims)
	}
	for d, a := range job.Pickup {
		if a < 0 {
			return fmt.Errorf("negative pickup %d on dimension %d", a, d)
		}
	}
	for _, s := range job.Skills {
		if s < 0 {
			return fmt.Errorf("negative skill %d", s)
		}
	}
	if job.Priority < 0 || job.Priority > 1000 {
		return fmt.Errorf("priority %d out of range [0,1000]", job.Priority)
	}
	for _, v := range job.AllowedVehicles {
		if v < 0 || v >= len(p.Vehicles) {
			return fmt.Errorf("allowed vehicle %d out of range", v)
		}
	}
	return nil
}

func checkWindow(w TimeWindow) error {
	if w.Start < 0 || w.End > Horizon || w.Start > w.End {
		return fmt.Errorf("bad time window [%d,%d]", w.Start, w.End)
	}
	return nil
}

func checkWindows(ws []TimeWindow) error {
	for _, w := range ws {
		if err := checkWindow(w); err != nil {
			return err
		}
	}
	s := sortedWindows(ws)
	for i := 1; i < len(s); i++ {
		if s[i].Start <= s[i-1].End {
			return fmt.Errorf("overlapping time windows [%d,%d] and [%d,%d]", s[i-1].Start, s[i-1].End, s[i].Start, s[i].End)
		}
	}
	return nil
}

// sortedWindows returns the windows sorted by start, or the whole horizon
// when ws is empty. It never modifies ws.
func sortedWindows(ws []TimeWindow) []TimeWindow {
	if len(ws) == 0 {
		return []TimeWindow{{0, Horizon}}
	}
	s := append([]TimeWindow(nil), ws...)
	sort.Slice(s, func(a, b int) bool { return s[a].Start < s[b].Start })
	return s
}

// shift returns the vehicle's shift with the zero value opened up.
func (veh *Vehicle) shift() TimeWindow {
	if veh.Shift == (TimeWindow{}) {
		return TimeWindow{0, Horizon}
	}
	return veh.Shift
}

// eligible reports whether vehicle v may serve job j by skills and allowed
// vehicles. It does not look at time or capacity.
func eligible(p *Problem, j, v int) bool {
	job := &p.Jobs[j]
	if job.AllowedVehicles != nil {
		ok := false
		for _, a := range job.AllowedVehicles {
			if a == v {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, s := range job.Skills {
		has := false
		for _, t := range p.Vehicles[v].Skills {
			if s == t {
				has = true
				break
			}
		}
		if !has {
			return false
		}
	}
	return true
}
