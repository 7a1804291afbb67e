package vroom

import (
	"encoding/json"
	"fmt"
	"math"
)

// This file is an independent feasibility checker for answers, written
// against the raw input JSON and the raw output JSON only: it shares no
// code with the decoder, the model or the engine.

type vInput struct {
	Jobs []struct {
		ID            uint64    `json:"id"`
		Location      []float64 `json:"location"`
		LocationIndex *int      `json:"location_index"`
		Setup         int64     `json:"setup"`
		Service       int64     `json:"service"`
		Delivery      []int64   `json:"delivery"`
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
		Breaks        []struct {
			ID          uint64    `json:"id"`
			TimeWindows [][]int64 `json:"time_windows"`
			Service     int64     `json:"service"`
		} `json:"breaks"`
	} `json:"vehicles"`
	Matrices map[string]struct {
		Durations [][]int64 `json:"durations"`
	} `json:"matrices"`
	Matrix [][]int64 `json:"matrix"`
}

type vOutput struct {
	Code    int `json:"code"`
	Summary struct {
		Cost       int64 `json:"cost"`
		Routes     int   `json:"routes"`
		Unassigned int   `json:"unassigned"`
		Duration   int64 `json:"duration"`
		Service    int64 `json:"service"`
		Waiting    int64 `json:"waiting_time"`
	} `json:"summary"`
	Unassigned []struct {
		ID uint64 `json:"id"`
	} `json:"unassigned"`
	Routes []struct {
		Vehicle  uint64 `json:"vehicle"`
		Cost     int64  `json:"cost"`
		Duration int64  `json:"duration"`
		Service  int64  `json:"service"`
		Waiting  int64  `json:"waiting_time"`
		Steps    []struct {
			Type     string  `json:"type"`
			ID       *uint64 `json:"id"`
			Arrival  int64   `json:"arrival"`
			Duration int64   `json:"duration"`
			Setup    int64   `json:"setup"`
			Service  int64   `json:"service"`
			Waiting  int64   `json:"waiting_time"`
			Load     []int64 `json:"load"`
		} `json:"steps"`
	} `json:"routes"`
}

// place is a location: a matrix index or coordinates.
type place struct {
	idx    int
	coords []float64
}

// verify checks that output answers input feasibly: every job at most once
// and otherwise unassigned, skills, time windows, working hours, breaks,
// capacities at every step, max_tasks, max_travel_time, and that reported
// arrivals, durations, loads and totals agree with a recomputation from the
// input matrix (or from pair(a, b) for coordinates). It returns the first
// problem found.
func verify(input, output []byte, pair func(a, b []float64) int64) error {
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
	var mat [][]int64
	profile := "car"
	if len(in.Vehicles) > 0 && in.Vehicles[0].Profile != "" {
		profile = in.Vehicles[0].Profile
	}
	if mm, ok := in.Matrices[profile]; ok {
		mat = mm.Durations
	} else if in.Matrix != nil {
		mat = in.Matrix
	}
	travel := func(a, b *place, sf float64) int64 {
		if a == nil || b == nil {
			return 0
		}
		var d int64
		switch {
		case mat != nil:
			d = mat[a.idx][b.idx]
		case pair != nil:
			d = pair(a.coords, b.coords)
		default:
			panic("verify: coordinates without a pair function")
		}
		return int64(math.Round(float64(d) / sf))
	}
	same := func(a, b *place) bool {
		if a == nil || b == nil {
			return false
		}
		if mat != nil {
			return a.idx == b.idx
		}
		return a.coords[0] == b.coords[0] && a.coords[1] == b.coords[1]
	}
	jobPlace := func(k int) *place {
		j := in.Jobs[k]
		if mat != nil {
			return &place{idx: *j.LocationIndex}
		}
		return &place{coords: j.Location}
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
	var sumCost, sumDur int64
	for ri, r := range out.Routes {
		vk, ok := vehByID[r.Vehicle]
		if !ok || usedVeh[r.Vehicle] {
			return fmt.Errorf("route %d: unknown or reused vehicle %d", ri, r.Vehicle)
		}
		usedVeh[r.Vehicle] = true
		v := in.Vehicles[vk]
		sf := 1.0
		if v.SpeedFactor != nil {
			sf = *v.SpeedFactor
		}
		var start, end *place
		if mat != nil {
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
			return fmt.Errorf("route %d: want start, tasks, end", ri)
		}
		dims := len(v.Capacity)
		load := make([]int64, dims)
		for _, s := range steps {
			if s.Type == "job" {
				k, ok := jobByID[*s.ID]
				if !ok {
					return fmt.Errorf("route %d: unknown job %d", ri, *s.ID)
				}
				for d := 0; d < dims && d < len(in.Jobs[k].Delivery); d++ {
					load[d] += in.Jobs[k].Delivery[d]
				}
			}
		}
		checkLoad := func(where string, reported []int64) error {
			for d := range load {
				if load[d] > v.Capacity[d] || load[d] < 0 {
					return fmt.Errorf("route %d %s: load %v, capacity %v", ri, where, load, v.Capacity)
				}
				if reported != nil && reported[d] != load[d] {
					return fmt.Errorf("route %d %s: reported load %v, recomputed %v", ri, where, reported, load)
				}
			}
			return nil
		}
		if err := checkLoad("start", steps[0].Load); err != nil {
			return err
		}
		t := steps[0].Arrival
		if v.TimeWindow != nil && t < v.TimeWindow[0] {
			return fmt.Errorf("route %d: starts at %d before working hours %v", ri, t, v.TimeWindow)
		}
		prev := start
		var tr, service, waiting int64
		tasks := 0
		inWindow := func(ws [][]int64, x int64) bool {
			if len(ws) == 0 {
				return true
			}
			for _, w := range ws {
				if w[0] <= x && x <= w[1] {
					return true
				}
			}
			return false
		}
		breaks := map[uint64]bool{}
		for si, s := range steps[1:] {
			where := fmt.Sprintf("step %d (%s)", si+1, s.Type)
			switch s.Type {
			case "job":
				k := jobByID[*s.ID]
				j := in.Jobs[k]
				if seen[j.ID] {
					return fmt.Errorf("job %d served twice", j.ID)
				}
				seen[j.ID] = true
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
				if prev == nil && si == 0 {
					prev = p // open start: the start step is at the first job
				}
				d := travel(prev, p, sf)
				tr += d
				if s.Arrival != t+d {
					return fmt.Errorf("route %d %s: arrival %d, recomputed %d", ri, where, s.Arrival, t+d)
				}
				begin := s.Arrival + s.Waiting
				if s.Waiting < 0 || !inWindow(j.TimeWindows, begin) {
					return fmt.Errorf("route %d %s: job %d starts at %d outside %v", ri, where, j.ID, begin, j.TimeWindows)
				}
				setup := j.Setup
				if same(prev, p) && si > 0 {
					setup = 0
				}
				if s.Setup != setup || s.Service != j.Service {
					return fmt.Errorf("route %d %s: setup/service %d/%d, want %d/%d", ri, where, s.Setup, s.Service, setup, j.Service)
				}
				for d := 0; d < dims; d++ {
					if d < len(j.Delivery) {
						load[d] -= j.Delivery[d]
					}
					if d < len(j.Pickup) {
						load[d] += j.Pickup[d]
					}
				}
				if err := checkLoad(where, s.Load); err != nil {
					return err
				}
				t = begin + setup + j.Service
				service += j.Service
				waiting += s.Waiting
				prev = p
				tasks++
			case "break":
				found := false
				for _, b := range v.Breaks {
					if b.ID != *s.ID {
						continue
					}
					found = true
					begin := s.Arrival + s.Waiting
					if s.Arrival != t || s.Waiting < 0 || !inWindow(b.TimeWindows, begin) || s.Service != b.Service {
						return fmt.Errorf("route %d %s: break %d at %d+%d, want arrival %d, windows %v", ri, where, b.ID, s.Arrival, s.Waiting, t, b.TimeWindows)
					}
					t = begin + b.Service
					service += b.Service
					waiting += s.Waiting
				}
				if !found || breaks[*s.ID] {
					return fmt.Errorf("route %d %s: unknown or repeated break %d", ri, where, *s.ID)
				}
				breaks[*s.ID] = true
			case "end":
				d := travel(prev, end, sf)
				tr += d
				if s.Arrival != t+d {
					return fmt.Errorf("route %d end: arrival %d, recomputed %d", ri, s.Arrival, t+d)
				}
				t += d
			default:
				return fmt.Errorf("route %d %s: unexpected step type", ri, where)
			}
			if s.Duration != tr {
				return fmt.Errorf("route %d %s: duration %d, recomputed travel %d", ri, where, s.Duration, tr)
			}
		}
		if len(breaks) != len(v.Breaks) {
			return fmt.Errorf("route %d: %d of %d breaks taken", ri, len(breaks), len(v.Breaks))
		}
		if v.TimeWindow != nil && t > v.TimeWindow[1] {
			return fmt.Errorf("route %d: ends at %d after working hours %v", ri, t, v.TimeWindow)
		}
		if v.MaxTasks != nil && int64(tasks) > *v.MaxTasks {
			return fmt.Errorf("route %d: %d tasks, max %d", ri, tasks, *v.MaxTasks)
		}
		if v.MaxTravelTime != nil && tr > *v.MaxTravelTime {
			return fmt.Errorf("route %d: travel %d, max %d", ri, tr, *v.MaxTravelTime)
		}
		if r.Duration != tr || r.Service != service || r.Waiting != waiting {
			return fmt.Errorf("route %d: duration/service/waiting %d/%d/%d, recomputed %d/%d/%d", ri, r.Duration, r.Service, r.Waiting, tr, service, waiting)
		}
		sumCost += r.Cost
		sumDur += r.Duration
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
	return nil
}
