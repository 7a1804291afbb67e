package vrp

import (
	"fmt"
	"math"
	"math/rand"
)

// features switches on the rich constraints in random test instances.
type features struct {
	multiTW, breaks, skills, locked, open, limits, dims2, asym, prio bool
	profiles, maxDist, pickups                                       bool
	// groups splits the vehicles into two or three groups and restricts
	// every job to one group (AllowedVehicles): independent subproblems.
	groups bool
	// days puts the vehicles on three days (shifts 1000 apart, their breaks
	// moved along) and gives each job its windows again on some of the
	// days, as a week's plan does: several windows per job, one per
	// vehicle's shift (instance.clipSeg).
	days bool
}

var allFeatures = []struct {
	name string
	f    features
}{
	{"plain", features{}},
	{"multiTW", features{multiTW: true}},
	{"breaks", features{breaks: true}},
	{"skills", features{skills: true}},
	{"locked", features{locked: true}},
	{"open", features{open: true}},
	{"limits", features{limits: true}},
	{"dims2", features{dims2: true}},
	{"asym", features{asym: true}},
	{"profiles", features{profiles: true}},
	{"maxDist", features{maxDist: true}},
	{"pickups", features{pickups: true}},
	{"groups", features{groups: true}},
	{"groupsProfilesBreaks", features{groups: true, profiles: true, breaks: true, multiTW: true, locked: true}},
	{"days", features{days: true}},
	{"daysBreaksLimits", features{days: true, breaks: true, limits: true, open: true, locked: true}},
	{"everything", features{true, true, true, true, true, true, true, true, true, true, true, true, true, true}},
}

// genProblem builds a random small instance with the given features. All
// instances are valid (locked prefixes are built feasible).
func genProblem(rng *rand.Rand, nJobs, nVeh int, f features) *Problem {
	n := nJobs + 2
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i], ys[i] = float64(rng.Intn(100)), float64(rng.Intn(100))
	}
	d, dist := NewMatrix(n), NewMatrix(n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			e := math.Hypot(xs[i]-xs[j], ys[i]-ys[j])
			t := int64(math.Ceil(e))
			if f.asym && i != j {
				t += int64(rng.Intn(10))
			}
			d.Set(i, j, t)
			dist.Set(i, j, int64(math.Round(e*10)))
		}
	}
	p := &Problem{Durations: d, Distances: dist}
	if f.profiles {
		// A slower travel mode on the same places: 1.5-2x the durations
		// (asymmetric noise of its own) and 0.9x the distances (shortcuts).
		d2, dist2 := NewMatrix(n), NewMatrix(n)
		for i := range d.Data {
			d2.Data[i] = d.Data[i]*int64(3+rng.Intn(2))/2 + int64(rng.Intn(3))
			dist2.Data[i] = dist.Data[i] * 9 / 10
		}
		p.Profiles = []Profile{{Durations: d2, Distances: dist2}}
	}
	dims := 1
	if f.dims2 {
		dims = 2
	}
	for j := 0; j < nJobs; j++ {
		job := Job{ID: fmt.Sprintf("j%d", j), Location: 2 + j%(n-2), Service: int64(rng.Intn(20))}
		e := int64(rng.Intn(400))
		job.TimeWindows = []TimeWindow{{e, e + int64(40+rng.Intn(200))}}
		if f.multiTW && rng.Intn(2) == 0 {
			w := job.TimeWindows[0]
			job.TimeWindows = append(job.TimeWindows, TimeWindow{w.End + 50 + int64(rng.Intn(100)), w.End + 250 + int64(rng.Intn(100))})
			if rng.Intn(2) == 0 {
				job.TimeWindows[0], job.TimeWindows[1] = job.TimeWindows[1], job.TimeWindows[0]
			}
		}
		if rng.Intn(8) == 0 {
			job.TimeWindows = nil
		}
		job.Amounts = make([]int64, dims)
		for k := range job.Amounts {
			job.Amounts[k] = int64(rng.Intn(6))
		}
		if f.pickups && rng.Intn(2) == 0 {
			// Collected instead of delivered (sometimes both).
			job.Pickup = job.Amounts
			job.Amounts = nil
			if rng.Intn(4) == 0 {
				job.Amounts = []int64{int64(rng.Intn(4))}
				if dims == 2 {
					job.Amounts = append(job.Amounts, 0)
				}
			}
		}
		if f.skills && rng.Intn(3) == 0 {
			job.Skills = []int{rng.Intn(3)}
		}
		if f.skills && rng.Intn(6) == 0 {
			job.AllowedVehicles = []int{rng.Intn(nVeh)}
		}
		if f.prio {
			job.Priority = rng.Intn(3)
		}
		p.Jobs = append(p.Jobs, job)
	}
	for v := 0; v < nVeh; v++ {
		veh := Vehicle{ID: fmt.Sprintf("v%d", v), Start: v % 2, End: v % 2, Shift: TimeWindow{0, 700}, Capacity: make([]int64, dims)}
		for k := range veh.Capacity {
			veh.Capacity[k] = int64(10 + rng.Intn(15))
		}
		if f.open {
			switch rng.Intn(3) {
			case 0:
				veh.Start = NoLocation
			case 1:
				veh.End = NoLocation
			}
		}
		if f.skills {
			veh.Skills = []int{rng.Intn(3), rng.Intn(3)}
		}
		if f.breaks && rng.Intn(3) > 0 {
			b := Break{ID: "lunch", Duration: int64(20 + rng.Intn(40)), TimeWindows: []TimeWindow{{200, 350}}}
			if f.multiTW && rng.Intn(2) == 0 {
				b.TimeWindows = append(b.TimeWindows, TimeWindow{450, 500})
			}
			veh.Breaks = append(veh.Breaks, b)
		}
		if f.profiles && rng.Intn(2) == 0 {
			veh.Profile = 1
		}
		if f.maxDist && rng.Intn(3) > 0 {
			veh.MaxDistance = int64(1500 + rng.Intn(2500))
		}
		if f.limits {
			veh.MaxTasks = 2 + rng.Intn(4)
			veh.MaxDuration = int64(250 + rng.Intn(300))
			veh.MaxTravelTime = int64(150 + rng.Intn(200))
		}
		p.Vehicles = append(p.Vehicles, veh)
	}
	if f.groups && nVeh >= 2 {
		g := 2 + rng.Intn(min(nVeh, 3)-1)
		for j := range p.Jobs {
			group := []int{}
			for v := j % g; v < nVeh; v += g {
				group = append(group, v)
			}
			job := &p.Jobs[j]
			if len(job.AllowedVehicles) == 1 && job.AllowedVehicles[0]%g == j%g {
				continue
			}
			job.AllowedVehicles = group
		}
	}
	if f.limits {
		// Soft duration limits, drawn last so that the instances above stay
		// as they were before this feature.
		r2 := rand.New(rand.NewSource(int64(nJobs*1000 + nVeh)))
		for v := range p.Vehicles {
			if r2.Intn(2) == 0 {
				p.Vehicles[v].SoftMaxDuration = int64(100 + r2.Intn(200))
				p.Vehicles[v].OvertimeCostPerHour = int64(1800 + r2.Intn(7200))
			}
		}
	}
	if f.days {
		// Drawn after the other features, so that instances without it
		// stay as they were.
		r3 := rand.New(rand.NewSource(int64(nJobs*7919 + nVeh)))
		const day = 1000
		for v := range p.Vehicles {
			veh := &p.Vehicles[v]
			off := int64(v%3) * day
			veh.Shift = TimeWindow{veh.Shift.Start + off, veh.Shift.End + off}
			for b := range veh.Breaks {
				ws := veh.Breaks[b].TimeWindows
				veh.Breaks[b].TimeWindows = make([]TimeWindow, len(ws))
				for k, w := range ws {
					veh.Breaks[b].TimeWindows[k] = TimeWindow{w.Start + off, w.End + off}
				}
			}
		}
		for j := range p.Jobs {
			job := &p.Jobs[j]
			base := job.TimeWindows
			if base == nil {
				base = []TimeWindow{{0, 700}}
			}
			var ws []TimeWindow
			for d := int64(0); d < 3; d++ {
				if r3.Intn(3) == 0 && !(d == 2 && len(ws) == 0) {
					continue
				}
				for _, w := range base {
					ws = append(ws, TimeWindow{w.Start + d*day, w.End + d*day})
				}
			}
			job.TimeWindows = ws
		}
	}
	if f.locked {
		// Lock a feasible prefix of one or two jobs on vehicle 0.
		for _, j := range rng.Perm(nJobs) {
			if !eligible(p, j, 0) {
				continue
			}
			cand := append(append([]int(nil), p.Vehicles[0].Locked...), j)
			if _, _, ok := seqFeasible(p, 0, cand, ObjectiveCost); ok {
				p.Vehicles[0].Locked = cand
				if len(cand) == 2 {
					break
				}
			}
		}
	}
	return p
}
