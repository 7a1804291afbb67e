package vroom

import (
	"encoding/json"
	"fmt"
	"math"
)

// This file is an independent feasibility checker for answers, written
// against the raw input JSON and the raw output JSON only: it shares no
// code with the decoder, the model or the engine. It follows VROOM's time
// arithmetic: internal times in centiseconds, a vehicle's travel times
// multiplied by round(100 / speed_factor), reported times truncated to
// whole seconds, a step's duration the sum of the gaps between the reported
// end of a step and the reported arrival at the next.

type vInput struct {
	Jobs []struct {
		ID            uint64    `json:"id"`
		Location      []float64 `json:"location"`
		LocationIndex *int      `json:"location_index"`
		Setup         int64     `json:"setup"`
		Service       int64     `json:"service"`
		Delivery      []int64   `json:"delivery"`
		Amount        []int64   `json:"amount"`
		Pickup        []int64   `json:"pickup"`
		Skills        []int64   `json:"skills"`
		TimeWindows   [][]int64 `json:"time_windows"`
	} `json:"jobs"`
	Vehicles []struct {
		ID            uint64    `json:"id"`
		Start         []float64 `json:"start"`
		StartIndex    *int      `json:"start_index"`
		End           []float64 `json:"end"`
		EndIndex      *int      `json:"end_index"`
		Capacity      []int64   `json:"capacity"`
		Skills        []int64   `json:"skills"`
		TimeWindow    []int64   `json:"time_window"`
		SpeedFactor   *float64  `json:"speed_factor"`
		Profile       string    `json:"profile"`
		MaxTasks      *int64    `json:"max_tasks"`
		MaxTravelTime *int64    `json:"max_travel_time"`
		MaxDistance   *int64    `json:"max_distance"`
		Breaks        []struct {
			ID          uint64    `json:"id"`
			TimeWindows [][]int64 `json:"time_windows"`
			Service     int64     `json:"service"`
		} `json:"breaks"`
	} `json:"vehicles"`
	Matrices map[string]struct {
		Durations [][]int64 `json:"durations"`
		Distances [][]int64 `json:"distances"`
	} `json:"matrices"`
	Matrix [][]int64 `json:"matrix"`
}

type vStep struct {
	Type     string  `json:"type"`
	ID       *uint64 `json:"id"`
	Arrival  int64   `json:"arrival"`
	Duration int64   `json:"duration"`
	Setup    int64   `json:"setup"`
	Service  int64   `json:"service"`
	Waiting  int64   `json:"waiting_time"`
	Load     []int64 `json:"load"`
	Distance *int64  `json:"distance"`
}

type vRoute struct {
	Vehicle  uint64  `json:"vehicle"`
	Cost     int64   `json:"cost"`
	Duration int64   `json:"duration"`
	Service  int64   `json:"service"`
	Waiting  int64   `json:"waiting_time"`
	Distance *int64  `json:"distance"`
	Steps    []vStep `json:"steps"`
}

type vOutput struct {
	Code    int `json:"code"`
	Summary struct {
		Cost       int64  `json:"cost"`
		Routes     int    `json:"routes"`
		Unassigned int    `json:"unassigned"`
		Duration   int64  `json:"duration"`
		Service    int64  `json:"service"`
		Waiting    int64  `json:"waiting_time"`
		Distance   *int64 `json:"distance"`
	} `json:"summary"`
	Unassigned []struct {
		ID uint64 `json:"id"`
	} `json:"unassigned"`
	Routes []vRoute `json:"routes"`
}

// place is a location: a matrix index or coordinates.
type place struct {
	idx    int
	coords []float64
}

// pairFunc gives the travel duration (seconds) and distance (metres)
// between two coordinates for a profile, for inputs without matrices.
type pairFunc func(profile string, a, b []float64) (dur, dist int64)

// verify checks that output answers input feasibly: every job at most once
// and otherwise unassigned, skills, time windows, working hours, breaks,
// capacities after every step (start load = the route's deliveries),
// max_tasks, max_travel_time, max_distance, and that reported arrivals,
// waiting, durations, distances, loads and totals agree with a
// recomputation from the input matrices of each vehicle's profile (or from
// pair for coordinates). It returns the first problem found.
func verify(input, output []byte, pair pairFunc) error {
	var in vInput
	if err := json.Unmarshal(input, &in); err != nil {
		return fmt.Errorf("input: %v", err)
	}
	var out vOutput
	if err := json.Unmarshal(output, &out); err != nil {
		return fmt.Errorf("output: %v", err)
	}
	if out.Code != 0 {
		return fmt.Errorf("code %d", out.Code)
	}
	jobByID := map[uint64]int{}
	for k, j := range in.Jobs {
		jobByID[j.ID] = k
	}
	vehByID := map[uint64]int{}
	for k, v := range in.Vehicles {
		vehByID[v.ID] = k
	}
	seen := map[uint64]bool{}
	usedVeh := map[uint64]bool{}
	var sumCost, sumDur, sumDist int64
	for ri, r := range out.Routes {
		vk, ok := vehByID[r.Vehicle]
		if !ok || usedVeh[r.Vehicle] {
			return fmt.Errorf("route %d: unknown or reused vehicle %d", ri, r.Vehicle)
		}
		usedVeh[r.Vehicle] = true
		for _, s := range r.Steps {
			if s.Type != "job" {
				continue
			}
			if s.ID == nil {
				return fmt.Errorf("route %d: job step without id", ri)
			}
			if _, ok := jobByID[*s.ID]; !ok {
				return fmt.Errorf("route %d: unknown job %d", ri, *s.ID)
			}
			if seen[*s.ID] {
				return fmt.Errorf("job %d served twice", *s.ID)
			}
			seen[*s.ID] = true
		}
		// The departure is only reported to the second: accept the route
		// when some departure within that second explains every reported
		// value.
		var first error
		okRoute := false
		for off := int64(0); off < 100 && !okRoute; off++ {
			err := verifyRoute(&in, vk, r, off, pair, jobByID)
			if err == nil {
				okRoute = true
			} else if first == nil {
				first = fmt.Errorf("route %d (vehicle %d): %v", ri, r.Vehicle, err)
			}
		}
		if !okRoute {
			return first
		}
		sumCost += r.Cost
		sumDur += r.Duration
		if r.Distance != nil {
			sumDist += *r.Distance
		}
	}
	for _, u := range out.Unassigned {
		if seen[u.ID] {
			return fmt.Errorf("job %d both served and unassigned", u.ID)
		}
		seen[u.ID] = true
	}
	for _, j := range in.Jobs {
		if !seen[j.ID] {
			return fmt.Errorf("job %d neither served nor unassigned", j.ID)
		}
	}
	s := out.Summary
	if s.Cost != sumCost || s.Duration != sumDur || s.Routes != len(out.Routes) || s.Unassigned != len(out.Unassigned) {
		return fmt.Errorf("summary %+v does not match routes (cost %d duration %d routes %d unassigned %d)", s, sumCost, sumDur, len(out.Routes), len(out.Unassigned))
	}
	if s.Distance != nil && *s.Distance != sumDist {
		return fmt.Errorf("summary distance %d, routes sum to %d", *s.Distance, sumDist)
	}
	return nil
}

// verifyRoute checks one route assuming the vehicle leaves off centiseconds
// after its reported start second.
func verifyRoute(in *vInput, vk int, r vRoute, off int64, pair pairFunc, jobByID map[uint64]int) error {
	v := in.Vehicles[vk]
	profile := v.Profile
	if profile == "" {
		profile = "car"
	}
	var durM, distM [][]int64
	if mm, ok := in.Matrices[profile]; ok {
		durM, distM = mm.Durations, mm.Distances
	} else if in.Matrix != nil {
		durM = in.Matrix
	}
	indexed := durM != nil
	sf := 1.0
	if v.SpeedFactor != nil {
		sf = *v.SpeedFactor
	}
	factor := int64(math.Round(100 / sf))
	arc := func(a, b *place) (dur, dist int64) {
		if a == nil || b == nil {
			return 0, 0
		}
		if indexed {
			dur = durM[a.idx][b.idx]
			if distM != nil {
				dist = distM[a.idx][b.idx]
			}
		} else if pair != nil {
			dur, dist = pair(profile, a.coords, b.coords)
		} else {
			panic("verify: coordinates without a pair function")
		}
		return dur * factor, dist
	}
	same := func(a, b *place) bool {
		if a == nil || b == nil {
			return false
		}
		if indexed {
			return a.idx == b.idx
		}
		return a.coords[0] == b.coords[0] && a.coords[1] == b.coords[1]
	}
	jobPlace := func(k int) *place {
		j := in.Jobs[k]
		if indexed {
			return &place{idx: *j.LocationIndex}
		}
		return &place{coords: j.Location}
	}
	var start, end *place
	if indexed {
		if v.StartIndex != nil {
			start = &place{idx: *v.StartIndex}
		}
		if v.EndIndex != nil {
			end = &place{idx: *v.EndIndex}
		}
	} else {
		if v.Start != nil {
			start = &place{coords: v.Start}
		}
		if v.End != nil {
			end = &place{coords: v.End}
		}
	}
	steps := r.Steps
	if len(steps) < 3 || steps[0].Type != "start" || steps[len(steps)-1].Type != "end" {
		return fmt.Errorf("want start, tasks, end")
	}
	dims := len(v.Capacity)
	delivery := func(k int) []int64 {
		if in.Jobs[k].Delivery != nil {
			return in.Jobs[k].Delivery
		}
		return in.Jobs[k].Amount
	}
	load := make([]int64, dims)
	for _, s := range steps {
		if s.Type == "job" {
			del := delivery(jobByID[*s.ID])
			for d := 0; d < dims && d < len(del); d++ {
				load[d] += del[d]
			}
		}
	}
	checkLoad := func(where string, reported []int64) error {
		for d := range load {
			if load[d] > v.Capacity[d] || load[d] < 0 {
				return fmt.Errorf("%s: load %v, capacity %v", where, load, v.Capacity)
			}
			if reported != nil && reported[d] != load[d] {
				return fmt.Errorf("%s: reported load %v, recomputed %v", where, reported, load)
			}
		}
		return nil
	}
	if err := checkLoad("start", steps[0].Load); err != nil {
		return err
	}
	t := steps[0].Arrival*100 + off // centiseconds
	if v.TimeWindow != nil && t < v.TimeWindow[0]*100 {
		return fmt.Errorf("starts at %d cs before working hours %v", t, v.TimeWindow)
	}
	inWindow := func(ws [][]int64, x int64) bool {
		if len(ws) == 0 {
			return true
		}
		for _, w := range ws {
			if w[0]*100 <= x && x <= w[1]*100 {
				return true
			}
		}
		return false
	}
	// begin is the service start (cs) the reported step implies: the
	// arrival itself without waiting, else the reported second (window
	// starts are whole seconds).
	begin := func(s vStep, arr int64) (int64, error) {
		if s.Waiting < 0 {
			return 0, fmt.Errorf("negative waiting %d", s.Waiting)
		}
		if s.Waiting == 0 {
			return arr, nil
		}
		b := (s.Arrival + s.Waiting) * 100
		if b < arr {
			return 0, fmt.Errorf("service start %d cs before arrival %d cs", b, arr)
		}
		return b, nil
	}
	prev := start
	var travel, userTravel, dist, service, waiting int64
	userEnd := steps[0].Arrival
	if steps[0].Duration != 0 || (steps[0].Distance != nil && *steps[0].Distance != 0) {
		return fmt.Errorf("start step: duration %d distance %v, want 0", steps[0].Duration, steps[0].Distance)
	}
	tasks := 0
	breaks := map[uint64]bool{}
	for si, s := range steps[1:] {
		where := fmt.Sprintf("step %d (%s)", si+1, s.Type)
		var arr int64
		switch s.Type {
		case "job":
			k := jobByID[*s.ID]
			j := in.Jobs[k]
			for _, sk := range j.Skills {
				has := false
				for _, vs := range v.Skills {
					has = has || vs == sk
				}
				if !has {
					return fmt.Errorf("job %d on vehicle %d lacking skill %d", j.ID, v.ID, sk)
				}
			}
			p := jobPlace(k)
			// Setup is skipped when the vehicle is already there (VROOM
			// counts the start location; an open start has none).
			setup := j.Setup
			if same(prev, p) {
				setup = 0
			}
			if prev == nil && si == 0 {
				prev = p // open start: the start step is at the first job
			}
			d, m := arc(prev, p)
			travel += d
			dist += m
			arr = t + d
			b, err := begin(s, arr)
			if err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			if !inWindow(j.TimeWindows, b) {
				return fmt.Errorf("%s: job %d starts at %d cs outside %v", where, j.ID, b, j.TimeWindows)
			}
			if s.Setup != setup || s.Service != j.Service {
				return fmt.Errorf("%s: setup/service %d/%d, want %d/%d", where, s.Setup, s.Service, setup, j.Service)
			}
			del := delivery(k)
			for d := 0; d < dims; d++ {
				if d < len(del) {
					load[d] -= del[d]
				}
				if d < len(j.Pickup) {
					load[d] += j.Pickup[d]
				}
			}
			if err := checkLoad(where, s.Load); err != nil {
				return err
			}
			t = b + (setup+j.Service)*100
			service += j.Service
			prev = p
			tasks++
		case "break":
			found := false
			for _, br := range v.Breaks {
				if br.ID != *s.ID {
					continue
				}
				found = true
				arr = t
				b, err := begin(s, arr)
				if err != nil {
					return fmt.Errorf("%s: %v", where, err)
				}
				if !inWindow(br.TimeWindows, b) || s.Service != br.Service {
					return fmt.Errorf("%s: break %d at %d cs, windows %v", where, br.ID, b, br.TimeWindows)
				}
				t = b + br.Service*100
				service += br.Service
			}
			if !found || breaks[*s.ID] {
				return fmt.Errorf("%s: unknown or repeated break %d", where, *s.ID)
			}
			breaks[*s.ID] = true
			if err := checkLoad(where, s.Load); err != nil {
				return err
			}
		case "end":
			d, m := arc(prev, end)
			travel += d
			dist += m
			arr = t + d
			t = arr
			if err := checkLoad(where, s.Load); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: unexpected step type", where)
		}
		if s.Arrival != arr/100 {
			return fmt.Errorf("%s: arrival %d, recomputed %d (%d cs)", where, s.Arrival, arr/100, arr)
		}
		userTravel += s.Arrival - userEnd
		if s.Duration != userTravel {
			return fmt.Errorf("%s: duration %d, recomputed travel %d", where, s.Duration, userTravel)
		}
		userEnd = s.Arrival + s.Waiting + s.Setup + s.Service
		waiting += s.Waiting
		if s.Distance != nil && *s.Distance != dist {
			return fmt.Errorf("%s: distance %d, recomputed %d", where, *s.Distance, dist)
		}
	}
	if len(breaks) != len(v.Breaks) {
		return fmt.Errorf("%d of %d breaks taken", len(breaks), len(v.Breaks))
	}
	if v.TimeWindow != nil && t > v.TimeWindow[1]*100 {
		return fmt.Errorf("ends at %d cs after working hours %v", t, v.TimeWindow)
	}
	if v.MaxTasks != nil && int64(tasks) > *v.MaxTasks {
		return fmt.Errorf("%d tasks, max %d", tasks, *v.MaxTasks)
	}
	if v.MaxTravelTime != nil && travel > *v.MaxTravelTime*100 {
		return fmt.Errorf("travel %d cs, max %d s", travel, *v.MaxTravelTime)
	}
	if v.MaxDistance != nil && dist > *v.MaxDistance {
		return fmt.Errorf("distance %d, max %d", dist, *v.MaxDistance)
	}
	if r.Duration != userTravel || r.Service != service || r.Waiting != waiting {
		return fmt.Errorf("duration/service/waiting %d/%d/%d, recomputed %d/%d/%d", r.Duration, r.Service, r.Waiting, userTravel, service, waiting)
	}
	if r.Distance != nil && *r.Distance != dist {
		return fmt.Errorf("distance %d, recomputed %d", *r.Distance, dist)
	}
	return nil
}
