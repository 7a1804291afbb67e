package vrp

import "time"

// VisitKind tells what a Visit is.
type VisitKind int

const (
	// VisitJob is the service of a job.
	VisitJob VisitKind = iota
	// VisitBreak is a vehicle break.
	VisitBreak
)

// Visit is one stop of a route, with its schedule in seconds.
type Visit struct {
	// Kind is VisitJob or VisitBreak.
	Kind VisitKind
	// Job is the index of the job in Problem.Jobs, or -1 for a break.
	Job int
	// Break is the index of the break in the vehicle's Breaks, or -1.
	Break int
	// ID is the job's or the break's ID.
	ID string
	// Location is the job's location, or NoLocation for a break (taken
	// where the vehicle is).
	Location int
	// Arrival is the time the vehicle reaches the stop.
	Arrival int64
	// Start is the start of service (or of the break), Start >= Arrival.
	Start int64
	// Waiting is Start - Arrival.
	Waiting int64
	// Departure is Start plus the service (or break) duration.
	Departure int64
	// Load is the load on board after the stop, per capacity dimension.
	Load []int64
}

// Route is the plan of one used vehicle.
type Route struct {
	// Vehicle is the index of the vehicle in Problem.Vehicles.
	Vehicle int
	// VehicleID is the vehicle's ID.
	VehicleID string
	// Start is the departure time from the start location (for an open
	// start, the arrival at the first stop).
	Start int64
	// End is the arrival time at the end location (for an open end, the
	// departure from the last stop).
	End int64
	// Visits are the stops in order; the start and end locations are not
	// listed.
	Visits []Visit
	// Load is the load on board at the start, per capacity dimension.
	Load []int64
	// Distance is the summed distance (0 without a distance matrix).
	Distance int64
	// TravelTime, ServiceTime, WaitingTime and BreakTime sum the route's
	// seconds; Duration is End - Start.
	TravelTime, ServiceTime, WaitingTime, BreakTime, Duration int64
	// Cost is the route's objective cost (see Objective).
	Cost int64
}

// Reason says why a job is unassigned.
type Reason string

// Reasons for unassigned jobs. The list only grows.
const (
	// ReasonSkills: no vehicle has the skills or is allowed to serve the job.
	ReasonSkills Reason = "no_vehicle_with_skills"
	// ReasonTimeWindow: no eligible vehicle can reach the job within a
	// time window (or the window conflicts with the other stops).
	ReasonTimeWindow Reason = "time_window"
	// ReasonCapacity: the job's amounts do not fit.
	ReasonCapacity Reason = "capacity"
	// ReasonMaxTasks: every eligible route is at its task limit.
	ReasonMaxTasks Reason = "max_tasks"
	// ReasonShift: the job does not fit in the shift of an eligible vehicle.
	ReasonShift Reason = "shift"
	// ReasonMaxTravelTime: the job would exceed a travel time limit.
	ReasonMaxTravelTime Reason = "max_travel_time"
	// ReasonMaxDuration: the job would exceed a route duration limit.
	ReasonMaxDuration Reason = "max_duration"
	// ReasonMaxDistance: the job would exceed a travel distance limit.
	ReasonMaxDistance Reason = "max_distance"
	// ReasonBreak: the job cannot be served together with the breaks.
	ReasonBreak Reason = "break"
	// ReasonSearch: the job fits alone in some route but the search found
	// no room for it next to the other jobs.
	ReasonSearch Reason = "no_room"
)

// Unassigned is a job left out of every route.
type Unassigned struct {
	// Job is the index in Problem.Jobs.
	Job int
	// ID is the job's ID.
	ID string
	// Reason is the main reason it could not be served.
	Reason Reason
}

// Solution is the result of Solve: feasible by construction (Check passes).
type Solution struct {
	// Objective is the objective the costs refer to.
	Objective Objective
	// Routes lists the used vehicles, in vehicle index order.
	Routes []Route
	// Unassigned lists the jobs not served, in job index order.
	Unassigned []Unassigned
	// Cost is the summed route cost.
	Cost int64
	// Distance and TravelTime sum the routes.
	Distance, TravelTime int64
	// Served is the number of served jobs; ServedPriority sums 1+Priority
	// over them.
	Served, ServedPriority int
	// Iterations is the number of outer search iterations run.
	Iterations int
	// Elapsed is the wall time of Solve.
	Elapsed time.Duration
	// BestElapsed is the wall time from the start of Solve until the
	// search found the returned solution (time to best; for independent
	// groups, the latest group's).
	BestElapsed time.Duration
}

// stop is a job (job >= 0) or a break (job < 0, brk >= 0) in a sequence.
type stop struct{ job, brk int }

// simResult is the schedule of a sequence simulated from a departure time.
type simResult struct {
	route     Route
	timeWarp  int64 // lateness summed over stops and the end
	violation string
	reason    Reason
}

// simulate schedules stops on vehicle v leaving at depart, taking at each
// stop the earliest window whose end is not yet passed. It is the plain,
// obviously-correct forward pass used by Check and to report solutions; the
// search uses segment algebra instead. The first violated constraint is
// returned in violation ("" if none) with the matching Reason.
func simulate(p *Problem, v int, stops []stop, depart int64, obj Objective) simResult {
	veh := &p.Vehicles[v]
	pr := p.profile(v)
	dims := len(veh.Capacity)
	res := simResult{}
	r := &res.route
	r.Vehicle, r.VehicleID, r.Start = v, veh.ID, depart
	r.Load = make([]int64, dims)
	fail := func(reason Reason, msg string) {
		if res.violation == "" {
			res.violation, res.reason = msg, reason
		}
	}
	sh := veh.shift()
	if depart < sh.Start {
		fail(ReasonShift, "departure before shift start")
	}
	nJobs := 0
	for _, s := range stops {
		if s.job >= 0 {
			nJobs++
			for d, a := range p.Jobs[s.job].Amounts {
				r.Load[d] += a
			}
		}
	}
	overloaded := func(load []int64) bool {
		for d := range load {
			if load[d] > veh.Capacity[d] {
				return true
			}
		}
		return false
	}
	if overloaded(r.Load) {
		fail(ReasonCapacity, "capacity exceeded at the start")
	}
	load := append([]int64(nil), r.Load...)
	t := depart
	loc := veh.Start
	for _, s := range stops {
		vis := Visit{Job: s.job, Break: s.brk, Location: NoLocation}
		var windows []TimeWindow
		var dur int64
		if s.job >= 0 {
			job := &p.Jobs[s.job]
			vis.Kind, vis.Break, vis.ID, vis.Location = VisitJob, -1, job.ID, job.Location
			if loc != NoLocation {
				tt := pr.Durations.At(loc, job.Location)
				t += tt
				r.TravelTime += tt
				if pr.Distances.N > 0 {
					r.Distance += pr.Distances.At(loc, job.Location)
				}
			}
			loc = job.Location
			windows, dur = job.TimeWindows, job.Service
			r.ServiceTime += dur
			for d, a := range job.Amounts {
				load[d] -= a
			}
			for d, a := range job.Pickup {
				load[d] += a
			}
			if overloaded(load) {
				fail(ReasonCapacity, "capacity exceeded after job "+job.ID)
			}
		} else {
			br := &veh.Breaks[s.brk]
			vis.Kind, vis.Job, vis.ID = VisitBreak, -1, br.ID
			windows, dur = br.TimeWindows, br.Duration
			r.BreakTime += dur
		}
		vis.Arrival = t
		start, late := windowStart(windows, t)
		if late > 0 {
			res.timeWarp += late
			if s.job >= 0 {
				fail(ReasonTimeWindow, "service of job "+vis.ID+" starts after its time windows")
			} else {
				fail(ReasonBreak, "break "+vis.ID+" starts after its time windows")
			}
		}
		vis.Start = start
		vis.Waiting = start - t
		r.WaitingTime += vis.Waiting
		vis.Departure = start + dur
		t = vis.Departure
		vis.Load = append([]int64(nil), load...)
		r.Visits = append(r.Visits, vis)
	}
	if veh.End != NoLocation && loc != NoLocation {
		tt := pr.Durations.At(loc, veh.End)
		t += tt
		r.TravelTime += tt
		if pr.Distances.N > 0 {
			r.Distance += pr.Distances.At(loc, veh.End)
		}
	}
	r.End = t
	r.Duration = r.End - r.Start
	if r.End > sh.End {
		res.timeWarp += r.End - sh.End
		fail(ReasonShift, "route ends after the shift")
	}
	if veh.MaxTasks > 0 && nJobs > veh.MaxTasks {
		fail(ReasonMaxTasks, "too many tasks")
	}
	if veh.MaxTravelTime > 0 && r.TravelTime > veh.MaxTravelTime {
		fail(ReasonMaxTravelTime, "travel time limit exceeded")
	}
	if veh.MaxDistance > 0 && r.Distance > veh.MaxDistance {
		fail(ReasonMaxDistance, "travel distance limit exceeded")
	}
	if veh.MaxDuration > 0 && r.Duration > veh.MaxDuration {
		fail(ReasonMaxDuration, "route duration limit exceeded")
	}
	r.Cost = routeCost(p, v, obj, r.TravelTime, arcSum(p, v, stops, obj)) + overtimeCost(veh, obj, r.Duration)
	return res
}

// windowStart returns the earliest service start at or after arrival t in
// windows (empty = always open) and the lateness when t is past them all.
func windowStart(windows []TimeWindow, t int64) (start, late int64) {
	if len(windows) == 0 {
		return t, 0
	}
	best := int64(-1)
	var lastEnd int64 = -1
	for _, w := range windows {
		if w.End >= t && (best < 0 || w.Start < best) {
			best = max(w.Start, t)
		}
		lastEnd = max(lastEnd, w.End)
	}
	if best < 0 {
		return t, t - lastEnd
	}
	return best, 0
}

// bestDeparture simulates stops from the earliest departure, then delays
// the departure as much as the waiting and the windows allow (Savelsbergh's
// forward time slack), which minimises the route duration for the chosen
// windows without changing feasibility.
func bestDeparture(p *Problem, v int, stops []stop, obj Objective) simResult {
	veh := &p.Vehicles[v]
	depart := veh.shift().Start
	res := simulate(p, v, stops, depart, obj)
	if res.timeWarp > 0 || len(stops) == 0 {
		return res
	}
	// slack: how late the departure can be without pushing any stop out of
	// its chosen window; waiting absorbs a delay.
	slack := Horizon
	var wait int64
	for _, vis := range res.route.Visits {
		var windows []TimeWindow
		if vis.Kind == VisitJob {
			windows = p.Jobs[vis.Job].TimeWindows
		} else {
			windows = veh.Breaks[vis.Break].TimeWindows
		}
		end := Horizon
		for _, w := range windows {
			if w.Start <= vis.Start && vis.Start <= w.End {
				end = w.End
			}
		}
		wait += vis.Waiting
		slack = min(slack, wait+end-vis.Start)
	}
	slack = min(slack, wait+veh.shift().End-res.route.End)
	delay := min(slack, wait)
	if delay <= 0 {
		return res
	}
	if r2 := simulate(p, v, stops, depart+delay, obj); r2.timeWarp == 0 {
		return r2
	}
	return res
}

// arcSum sums the objective's arc matrix along the route.
func arcSum(p *Problem, v int, stops []stop, obj Objective) int64 {
	veh := &p.Vehicles[v]
	m := metricMatrix(p.profile(v), obj)
	if m == nil {
		return 0
	}
	var sum int64
	loc := veh.Start
	for _, s := range stops {
		if s.job < 0 {
			continue
		}
		l := p.Jobs[s.job].Location
		if loc != NoLocation {
			sum += m.At(loc, l)
		}
		loc = l
	}
	if loc != NoLocation && veh.End != NoLocation {
		sum += m.At(loc, veh.End)
	}
	return sum
}

// metricMatrix is the arc matrix whose sum enters the route cost: distance
// (or duration) in distance mode, the cost matrix when given, otherwise the
// distances for CostPerKm (nil when absent).
func metricMatrix(p *Profile, obj Objective) *Matrix {
	switch {
	case obj == ObjectiveDistance && p.Distances.N > 0:
		return &p.Distances
	case obj == ObjectiveDistance:
		return &p.Durations
	case p.Costs.N > 0:
		return &p.Costs
	case p.Distances.N > 0:
		return &p.Distances
	}
	return nil
}

// usesRates reports whether any vehicle has a per-hour or per-km cost;
// otherwise ObjectiveCost counts travel seconds.
func usesRates(p *Problem) bool {
	for i := range p.Vehicles {
		if p.Vehicles[i].CostPerHour > 0 || p.Vehicles[i].CostPerKm > 0 {
			return true
		}
	}
	return false
}

// overtimeCost is the soft duration limit's cost of a route lasting dur
// seconds (Vehicle.SoftMaxDuration), rounded down.
func overtimeCost(veh *Vehicle, obj Objective, dur int64) int64 {
	if obj == ObjectiveDistance || veh.SoftMaxDuration <= 0 || dur <= veh.SoftMaxDuration {
		return 0
	}
	return (dur - veh.SoftMaxDuration) * veh.OvertimeCostPerHour / 3600
}

// routeCost is the cost of a used route from its travel seconds and its
// metric arc sum (see metricMatrix). Per-hour and per-km costs are rounded
// down once per route.
func routeCost(p *Problem, v int, obj Objective, travel, metric int64) int64 {
	if obj == ObjectiveDistance {
		return p.Vehicles[v].FixedCost + metric
	}
	veh := &p.Vehicles[v]
	c := veh.FixedCost
	switch {
	case p.Costs.N > 0:
		c += metric
	case usesRates(p):
		c += veh.CostPerHour*travel/3600 + veh.CostPerKm*metric/1000
	default:
		c += travel
	}
	return c
}
