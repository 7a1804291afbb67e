package circuit

import (
	"fmt"
	"slices"
	"sort"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/vrp"
)

// makeProblem decides which team-days may serve each request (eligibility;
// a re-planned request is pinned to its old team-day near its old start),
// merges requests into stops and builds the engine's problem.
func (r *planRun) makeProblem() error {
	for _, in := range r.infos {
		eligibility(in, r.vehicles, r.tr, !r.opts.NoEscalation)
		if in.code != "" || r.opts.Baseline == nil {
			continue
		}
		r.pin(in)
	}
	joinHouseholds(r.infos, r.vehicles, r.tr)
	r.groups = makeGroups(r.infos, r.vehicles, r.tr)
	r.p = &vrp.Problem{}
	if len(r.groups) > 0 {
		p, err := buildProblem(r.groups, r.vehicles, r.tr)
		if err != nil {
			return err
		}
		r.p = p
	}
	return nil
}

// pin keeps a re-planned request on its old team and day, its start within
// the tolerance of the old one, when that team-day can still serve it; the
// vehicles it could use otherwise are kept in in.unpinned for pass 2.
func (r *planRun) pin(in *reqInfo) {
	old, ok := r.base.old[in.req.ID]
	if !ok {
		return
	}
	for _, vi := range in.vehicles {
		v := &r.vehicles[vi]
		if (TeamDay{v.team.ID, v.date}) != old.at {
			continue
		}
		near := intersect(in.presence[v.day], [][2]int{{old.start - r.tolerance, old.start + r.tolerance + in.service}})
		if len(near) == 0 {
			return
		}
		in.presence[v.day] = near
		in.unpinned = in.vehicles
		in.vehicles = []int{vi}
		return
	}
}

// household identifies a home-visit household: its place, name and phone.
type household struct {
	point, name, phone string
}

// householdKey identifies a home-visit household.
func householdKey(in *reqInfo) household {
	return household{PointKey(in.point), in.req.Household.Name, in.req.Household.Phone}
}

// joinHouseholds lets the lower-level requests of a home-visit household
// ride along with the visit of its highest-level request, when that team
// can also handle them (one visit instead of two: 特殊情况不出门).
func joinHouseholds(infos []*reqInfo, vehicles []vehicle, tr *Travel) {
	byHH := map[household][]*reqInfo{}
	for _, in := range infos {
		if in.code == "" && in.home {
			byHH[householdKey(in)] = append(byHH[householdKey(in)], in)
		}
	}
	for _, ins := range byHH {
		if len(ins) < 2 {
			continue
		}
		top := ins[0]
		for _, in := range ins[1:] {
			if in.routed.Rank() < top.routed.Rank() {
				top = in
			}
		}
		for _, in := range ins {
			if in == top || slices.Equal(in.vehicles, top.vehicles) {
				continue
			}
			ok := true
			for _, vi := range top.vehicles {
				if !vehicles[vi].team.Level.CanHandle(in.level) || fits(in, &vehicles[vi], tr) != "" {
					ok = false
					break
				}
			}
			if ok {
				in.vehicles, in.up, in.routed = top.vehicles, top.up, top.routed
				in.escalate = fmt.Sprintf("joins the home visit of %s by a %s team (same household)", top.req.ID, top.routed)
			}
		}
	}
}

// makeGroups merges requests into stops: requests of one household (home
// visits) or of one village (service-point requests) with the same allowed
// vehicles, as long as their hours still overlap and the stop stays small.
// Higher-priority requests are placed first.
func makeGroups(infos []*reqInfo, vehicles []vehicle, tr *Travel) []group {
	// stopKey is what requests of one stop share: the village (service
	// point) or the household (home visit), and the allowed vehicles.
	type stopKey struct {
		village  string
		home     household
		vehicles string
	}
	byKey := map[stopKey][]*reqInfo{}
	var order []stopKey
	for _, in := range infos {
		if in.code != "" {
			continue
		}
		k := stopKey{village: in.village.ID, vehicles: fmt.Sprint(in.vehicles)}
		if in.home {
			k = stopKey{home: householdKey(in), vehicles: k.vehicles}
		}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], in)
	}
	var out []group
	for _, k := range order {
		ins := byKey[k]
		sort.SliceStable(ins, func(a, b int) bool { return ins[a].priority > ins[b].priority })
		var open []group
		for _, in := range ins {
			placed := false
			for gi := range open {
				g := &open[gi]
				if len(g.reqs) >= MaxStopRequests || g.service+in.service > MaxStopMinutes {
					continue
				}
				pres := make([][][2]int, len(g.presence))
				for d := range pres {
					pres[d] = intersect(g.presence[d], in.presence[d])
				}
				// The merged stop must still fit one of its vehicles alone.
				any := false
				for _, vi := range g.vehicles {
					v := &vehicles[vi]
					out, _ := tr.Seconds(v.team.TravelMode, v.date, v.origin(), g.point)
					back, _ := tr.Seconds(v.team.TravelMode, v.date, g.point, v.base)
					if fitsDay(v, pres[v.day], g.service+in.service, int(out/60), int(back/60)) {
						any = true
						break
					}
				}
				if !any {
					continue
				}
				g.presence = pres
				g.reqs = append(g.reqs, in)
				g.service += in.service
				placed = true
				break
			}
			if !placed {
				open = append(open, group{reqs: []*reqInfo{in}, point: in.point, village: in.village.ID,
					service: in.service, presence: in.presence, vehicles: in.vehicles})
			}
		}
		out = append(out, open...)
	}
	return out
}

// buildProblem turns groups and vehicles into a vrp.Problem over one
// location set (tr's points) with one engine travel profile per travel mode
// and set of closures in force (days without closures share one): each
// vehicle travels on its team's mode and its day's roads, so a job may be
// served by teams of any mode on any day. Profile 0 is the profile with the
// most vehicles (ties: the first mode by name, open roads first); the engine
// computes its job neighbourhoods on profile 0, which only orders
// candidates and is exact for no route.
func buildProblem(groups []group, vehicles []vehicle, tr *Travel) (*vrp.Problem, error) {
	count := map[profileKey]int{}
	for vi := range vehicles {
		count[tr.profileOf(vehicles[vi].team.TravelMode, vehicles[vi].date)]++
	}
	var keys []profileKey
	for m := range tr.secs {
		keys = append(keys, profileKey{m, -1})
	}
	for k := range count {
		if k.set >= 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(a, b int) bool {
		ka, kb := keys[a], keys[b]
		if count[ka] != count[kb] {
			return count[ka] > count[kb]
		}
		if ka.mode != kb.mode {
			return ka.mode < kb.mode
		}
		return ka.set < kb.set
	})
	n := len(tr.keys)
	matrix := func(k profileKey) vrp.Matrix {
		x := vrp.NewMatrix(n)
		for i, row := range tr.profileRows(k) {
			copy(x.Data[i*n:], row)
		}
		return x
	}
	p := &vrp.Problem{}
	profile := map[profileKey]int{}
	for i, k := range keys {
		profile[k] = i
		if i == 0 {
			p.Durations = matrix(k)
		} else {
			p.Profiles = append(p.Profiles, vrp.Profile{Durations: matrix(k)})
		}
	}
	for vi := range vehicles {
		v := &vehicles[vi]
		off := int64(v.day) * 86400
		veh := vrp.Vehicle{ID: v.team.ID + "@" + string(v.date), Profile: profile[tr.profileOf(v.team.TravelMode, v.date)],
			Start: tr.idx(v.origin()), End: tr.idx(v.base),
			Shift: vrp.TimeWindow{Start: off + int64(v.shiftStart())*60, End: off + int64(v.team.DayEnd)*60}}
		if veh.Shift.Start > veh.Shift.End {
			veh.Shift.Start = veh.Shift.End
		}
		if e, l, dur, ok := LunchWindow(v.team); ok && !v.noBreak {
			e = max(e, v.shiftStart())
			if l >= e {
				veh.Breaks = []vrp.Break{{ID: "lunch", Duration: int64(dur) * 60,
					TimeWindows: []vrp.TimeWindow{{Start: off + int64(e)*60, End: off + int64(l)*60}}}}
			}
		}
		p.Vehicles = append(p.Vehicles, veh)
	}
	for gi := range groups {
		g := &groups[gi]
		job := vrp.Job{ID: g.reqs[0].req.ID, Location: tr.idx(g.point), Service: int64(g.service) * 60,
			AllowedVehicles: append([]int{}, g.vehicles...)}
		w := 0
		for _, in := range g.reqs {
			w += 1 + in.priority
		}
		job.Priority = min(w-1, 1000)
		for d, ws := range g.presence {
			for _, iv := range ws {
				if iv[1]-iv[0] < g.service {
					continue
				}
				off := int64(d) * 86400
				job.TimeWindows = append(job.TimeWindows, vrp.TimeWindow{Start: off + int64(iv[0])*60, End: off + int64(iv[1]-g.service)*60})
			}
		}
		if len(job.TimeWindows) == 0 {
			job.TimeWindows = []vrp.TimeWindow{{Start: 0, End: 0}}
			job.AllowedVehicles = []int{}
		}
		p.Jobs = append(p.Jobs, job)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("build problem: %w", err)
	}
	return p, nil
}

// levelCost is the engine's travel cost per hour by team level: higher
// levels cost more, so that the engine leaves work to the lowest level that
// can do it (大事不出镇, 小事不出村) unless that serves fewer requests.
var levelCost = map[data.Level]int64{data.LevelVillage: 100, data.LevelTownship: 150, data.LevelCounty: 250}
