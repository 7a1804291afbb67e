package vroom

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/yingjing/xunhui/optimizer/vrp"
)

// Output is a VROOM answer. On failure only Code and Error are encoded.
type Output struct {
	// Code is CodeOK or one of the error codes.
	Code int `json:"code"`
	// Error is the message when Code is not CodeOK.
	Error      string           `json:"error,omitempty"`
	Summary    *Summary         `json:"summary,omitempty"`
	Unassigned []UnassignedTask `json:"unassigned"`
	Routes     []Route          `json:"routes"`
}

// MarshalJSON encodes a failure as {"code", "error"} only, like VROOM, and
// a success with "unassigned" and "routes" always present (possibly []).
func (o *Output) MarshalJSON() ([]byte, error) {
	if o.Code != CodeOK {
		return json.Marshal(struct {
			Code  int    `json:"code"`
			Error string `json:"error"`
		}{o.Code, o.Error})
	}
	type plain Output
	c := plain(*o)
	if c.Unassigned == nil {
		c.Unassigned = []UnassignedTask{}
	}
	if c.Routes == nil {
		c.Routes = []Route{}
	}
	return json.Marshal(c)
}

// Summary totals the routes. Times are in seconds; Distance is present when
// distances are known (matrix or matrix source).
type Summary struct {
	Cost           int64          `json:"cost"`
	Routes         int            `json:"routes"`
	Unassigned     int            `json:"unassigned"`
	Setup          int64          `json:"setup"`
	Service        int64          `json:"service"`
	Duration       int64          `json:"duration"`
	WaitingTime    int64          `json:"waiting_time"`
	Priority       int64          `json:"priority"`
	Violations     []Violation    `json:"violations"`
	Delivery       []int64        `json:"delivery,omitempty"`
	Pickup         []int64        `json:"pickup,omitempty"`
	Distance       *int64         `json:"distance,omitempty"`
	ComputingTimes ComputingTimes `json:"computing_times"`
}

// ComputingTimes are wall times in milliseconds.
type ComputingTimes struct {
	// Loading covers decoding, validation and the matrix.
	Loading int64 `json:"loading"`
	// Solving is the engine's search.
	Solving int64 `json:"solving"`
	// Routing is always 0: no geometry is computed.
	Routing int64 `json:"routing"`
}

// UnassignedTask is a job no route serves. Reason is Xunhui's extension
// (one of the engine's vrp.Reason values).
type UnassignedTask struct {
	ID            uint64    `json:"id"`
	Type          string    `json:"type"`
	Description   string    `json:"description,omitempty"`
	Location      []float64 `json:"location,omitempty"`
	LocationIndex *int      `json:"location_index,omitempty"`
	Reason        string    `json:"reason,omitempty"`
}

// Route is one vehicle's route. Duration is the total travel time, as in
// VROOM; Cost is the vehicle's cost (see docs/vroom.md).
type Route struct {
	Vehicle     uint64      `json:"vehicle"`
	Cost        int64       `json:"cost"`
	Setup       int64       `json:"setup"`
	Service     int64       `json:"service"`
	Duration    int64       `json:"duration"`
	WaitingTime int64       `json:"waiting_time"`
	Priority    int64       `json:"priority"`
	Delivery    []int64     `json:"delivery,omitempty"`
	Pickup      []int64     `json:"pickup,omitempty"`
	Description string      `json:"description,omitempty"`
	Distance    *int64      `json:"distance,omitempty"`
	Steps       []Step      `json:"steps"`
	Violations  []Violation `json:"violations"`
}

// Step is one step of a route: "start", "job", "break" or "end". Arrival
// is a time in seconds; Duration is the travel time so far; Load is the
// load after the step.
type Step struct {
	Type          string      `json:"type"`
	ID            *uint64     `json:"id,omitempty"`
	Job           *uint64     `json:"job,omitempty"`
	Description   string      `json:"description,omitempty"`
	Location      []float64   `json:"location,omitempty"`
	LocationIndex *int        `json:"location_index,omitempty"`
	Arrival       int64       `json:"arrival"`
	Duration      int64       `json:"duration"`
	Setup         int64       `json:"setup"`
	Service       int64       `json:"service"`
	WaitingTime   int64       `json:"waiting_time"`
	Load          []int64     `json:"load,omitempty"`
	Distance      *int64      `json:"distance,omitempty"`
	Violations    []Violation `json:"violations"`
}

// Violation is VROOM's constraint-violation report. Solutions from Solve
// are feasible, so the lists are always empty (kept for shape).
type Violation struct {
	Cause    string `json:"cause"`
	Duration *int64 `json:"duration,omitempty"`
}

// earliest returns the earliest service start at or after t in windows
// (sorted, in seconds), and false when every window has closed. t and the
// result are in centiseconds.
func earliest(ws [][2]int64, t int64) (int64, bool) {
	if len(ws) == 0 {
		return t, true
	}
	for _, w := range ws {
		if t <= w[1]*durationFactor {
			return max(t, w[0]*durationFactor), true
		}
	}
	return t, false
}

func ptr[T any](v T) *T { return &v }

// output turns an engine solution into a VROOM answer, recomputing every
// time, load and cost from the input matrices with VROOM's rules (setup only
// when the location changes; times in centiseconds, travel scaled by the
// vehicle's duration factor, reported times truncated to seconds).
// Recomputation can only make times earlier than the engine's (whose
// service includes every setup), so the checks here fail only on a bug,
// reported as CodeInternal.
func (m *model) output(sol *vrp.Solution) (*Output, error) {
	in := m.in
	out := &Output{Code: CodeOK, Summary: &Summary{Violations: []Violation{}}}
	sum := out.Summary
	if m.dims > 0 {
		sum.Delivery = make([]int64, m.dims)
		sum.Pickup = make([]int64, m.dims)
	}
	if m.allDistances() {
		sum.Distance = ptr(int64(0))
	}
	for _, er := range sol.Routes {
		r, err := m.route(er)
		if err != nil {
			return nil, &Error{Code: CodeInternal, Msg: fmt.Sprintf("route of vehicle %d", *in.Vehicles[er.Vehicle].ID), Err: err}
		}
		out.Routes = append(out.Routes, r)
		sum.Cost += r.Cost
		sum.Setup += r.Setup
		sum.Service += r.Service
		sum.Duration += r.Duration
		sum.WaitingTime += r.WaitingTime
		sum.Priority += r.Priority
		for d := 0; d < m.dims; d++ {
			sum.Delivery[d] += r.Delivery[d]
			sum.Pickup[d] += r.Pickup[d]
		}
		if sum.Distance != nil {
			*sum.Distance += *r.Distance
		}
	}
	sum.Routes = len(out.Routes)
	out.Unassigned = []UnassignedTask{}
	for _, u := range sol.Unassigned {
		j := &in.Jobs[u.Job]
		t := UnassignedTask{ID: *j.ID, Type: "job", Description: j.Description, Location: j.Location, Reason: string(u.Reason)}
		if m.indexed {
			t.LocationIndex = ptr(m.jobLoc[u.Job])
		}
		out.Unassigned = append(out.Unassigned, t)
	}
	sum.Unassigned = len(out.Unassigned)
	return out, nil
}

func (m *model) route(er vrp.Route) (Route, error) {
	in := m.in
	vi := er.Vehicle
	v := &in.Vehicles[vi]
	tr := m.profiles[m.vehProfile[vi]]
	factor := m.vehFactor[vi]
	r := Route{Vehicle: *v.ID, Description: v.Description, Violations: []Violation{}}
	load := make([]int64, m.dims)
	if m.dims > 0 {
		r.Delivery = make([]int64, m.dims)
		r.Pickup = make([]int64, m.dims)
	}
	// The load at the start is every delivery of the route.
	for _, vis := range er.Visits {
		if vis.Kind == vrp.VisitJob {
			for d := 0; d < m.dims; d++ {
				load[d] += m.delivery[vis.Job][d]
				r.Delivery[d] += m.delivery[vis.Job][d]
				r.Pickup[d] += m.pickup[vis.Job][d]
			}
		}
	}
	checkLoad := func() error {
		for d, l := range load {
			if l > m.capacity[vi][d] {
				return fmt.Errorf("load %v over capacity %v", load, m.capacity[vi])
			}
		}
		return nil
	}
	if err := checkLoad(); err != nil {
		return r, err
	}
	var dist *int64
	if tr.distances != nil {
		dist = ptr(int64(0))
	}
	// t and travelCS are in centiseconds, like VROOM's internal times; the
	// steps report them truncated to seconds, and the travel so far as
	// VROOM does: the sum of the gaps between the reported end of a step
	// and the reported arrival at the next.
	t := er.Start * m.tick()
	prev := vrp.NoLocation
	var travelCS, userTravel, userEnd, costArcs, taskTime int64
	var distance int64
	move := func(to int) int64 {
		if prev == vrp.NoLocation || to == vrp.NoLocation {
			return 0
		}
		d := tr.durations[prev][to] * factor
		travelCS += d
		if tr.distances != nil {
			distance += tr.distances[prev][to]
		}
		if tr.costs != nil {
			costArcs += tr.costs[prev][to]
		}
		return d
	}
	// step reports a step arriving at arrival (centiseconds).
	step := func(typ string, arrival int64) Step {
		a := arrival / durationFactor
		if len(r.Steps) == 0 {
			userEnd = a
		}
		userTravel += a - userEnd
		userEnd = a
		s := Step{Type: typ, Arrival: a, Duration: userTravel, Violations: []Violation{}}
		if m.dims > 0 {
			s.Load = append([]int64(nil), load...)
		}
		if dist != nil {
			s.Distance = ptr(distance)
		}
		return s
	}
	if v.TimeWindow != nil && t < v.TimeWindow[0]*durationFactor {
		return r, fmt.Errorf("departure %d cs before working hours", t)
	}
	if m.vehStart[vi] != vrp.NoLocation {
		prev = m.vehStart[vi]
		s := step("start", t)
		s.Location = v.Start
		if m.indexed {
			s.LocationIndex = ptr(prev)
		}
		r.Steps = append(r.Steps, s)
	}
	tasks := 0
	for _, vis := range er.Visits {
		switch vis.Kind {
		case vrp.VisitJob:
			k := vis.Job
			j := &in.Jobs[k]
			loc := m.jobLoc[k]
			setup := j.Setup
			if prev == loc {
				setup = 0
			}
			t += move(loc)
			if prev == vrp.NoLocation && m.vehStart[vi] == vrp.NoLocation && len(r.Steps) == 0 {
				// Open start: VROOM still reports a start step, at the first
				// task's place.
				s := step("start", t)
				s.Location = j.Location
				if m.indexed {
					s.LocationIndex = ptr(loc)
				}
				r.Steps = append(r.Steps, s)
			}
			prev = loc
			start, ok := earliest(m.jobTW[k], t)
			if !ok {
				return r, fmt.Errorf("job %d: arrival %d cs after its time windows", *j.ID, t)
			}
			for d := 0; d < m.dims; d++ {
				load[d] += m.pickup[k][d] - m.delivery[k][d]
			}
			if err := checkLoad(); err != nil {
				return r, err
			}
			s := step("job", t)
			s.ID, s.Job = ptr(*j.ID), ptr(*j.ID)
			s.Description, s.Location = j.Description, j.Location
			if m.indexed {
				s.LocationIndex = ptr(loc)
			}
			s.WaitingTime, s.Setup, s.Service = start/durationFactor-s.Arrival, setup, j.Service
			userEnd += s.WaitingTime + setup + j.Service
			r.Steps = append(r.Steps, s)
			r.WaitingTime += s.WaitingTime
			r.Setup += setup
			r.Service += j.Service
			r.Priority += j.Priority
			taskTime += setup + j.Service
			t = start + (setup+j.Service)*durationFactor
			tasks++
		case vrp.VisitBreak:
			br := &v.Breaks[vis.Break]
			start, ok := earliest(m.breakTW[vi][vis.Break], t)
			if !ok {
				return r, fmt.Errorf("break %d: at %d cs after its time windows", *br.ID, t)
			}
			s := step("break", t)
			s.ID = ptr(*br.ID)
			s.Description = br.Description
			s.WaitingTime, s.Service = start/durationFactor-s.Arrival, br.Service
			userEnd += s.WaitingTime + br.Service
			r.Steps = append(r.Steps, s)
			r.WaitingTime += s.WaitingTime
			r.Service += br.Service
			t = start + br.Service*durationFactor
		}
	}
	if m.vehEnd[vi] != vrp.NoLocation {
		t += move(m.vehEnd[vi])
		prev = m.vehEnd[vi]
		s := step("end", t)
		s.Location = v.End
		if m.indexed {
			s.LocationIndex = ptr(prev)
		}
		r.Steps = append(r.Steps, s)
	} else {
		s := step("end", t)
		s.Location = r.Steps[len(r.Steps)-1].Location
		s.LocationIndex = r.Steps[len(r.Steps)-1].LocationIndex
		r.Steps = append(r.Steps, s)
	}
	if v.TimeWindow != nil && t > v.TimeWindow[1]*durationFactor {
		return r, fmt.Errorf("end %d cs after working hours", t)
	}
	if v.MaxTasks != nil && int64(tasks) > *v.MaxTasks {
		return r, fmt.Errorf("%d tasks over max_tasks %d", tasks, *v.MaxTasks)
	}
	if v.MaxTravelTime != nil && travelCS > *v.MaxTravelTime*durationFactor {
		return r, fmt.Errorf("travel %d cs over max_travel_time %d s", travelCS, *v.MaxTravelTime)
	}
	if v.MaxDistance != nil && distance > *v.MaxDistance {
		return r, fmt.Errorf("distance %d over max_distance %d", distance, *v.MaxDistance)
	}
	r.Duration = userTravel
	if dist != nil {
		r.Distance = ptr(distance)
	}
	r.Cost = m.cost(vi, userTravel, distance, costArcs, taskTime)
	return r, nil
}

// cost is VROOM's vehicle cost: fixed plus the costs matrix when given,
// otherwise per_hour per hour of travel and per_km per km, plus
// per_task_hour per hour of setup and service; rounded once per route.
func (m *model) cost(vi int, travel, distance, costArcs, taskTime int64) int64 {
	v := &m.in.Vehicles[vi]
	var fixed, perKm, perTask int64
	if v.Costs != nil {
		fixed, perKm, perTask = v.Costs.Fixed, v.Costs.PerKm, v.Costs.PerTaskHour
	}
	var variable float64
	if m.profiles[m.vehProfile[vi]].costs != nil {
		variable = float64(costArcs)
	} else {
		variable = float64(m.perHour[vi])*float64(travel)/3600 + float64(perKm)*float64(distance)/1000
	}
	variable += float64(perTask) * float64(taskTime) / 3600
	return fixed + int64(math.Round(variable))
}
