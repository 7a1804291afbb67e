package circuit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
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

// Unassigned is a request left for a later plan.
type Unassigned struct {
	RequestID string `json:"request_id"`
	Code      Code   `json:"code"`
	Detail    string `json:"detail,omitempty"`
	Priority  int    `json:"priority"`
}

// Decision records how level routing placed a request.
type Decision struct {
	RequestID string `json:"request_id"`
	// Level is the lowest level that can handle every item.
	Level data.Level `json:"level"`
	// ServedBy is the level of the team that got the request ("" when unserved).
	ServedBy data.Level `json:"served_by,omitempty"`
	// Mode is home_visit (特殊情况不出门) or service_point (village room).
	Mode     string `json:"mode"`
	Priority int    `json:"priority"`
	Reason   string `json:"reason"`
}

// Load is one team's work in a plan.
type Load struct {
	TeamID         string     `json:"team_id"`
	Level          data.Level `json:"level"`
	Days           int        `json:"days"`
	WorkingDays    int        `json:"working_days"`
	Stops          int        `json:"stops"`
	Requests       int        `json:"requests"`
	WorkMinutes    int        `json:"work_minutes"`
	TravelMinutes  int        `json:"travel_minutes"`
	ServiceMinutes int        `json:"service_minutes"`
	// Utilisation is WorkMinutes over the shift minutes of the working days.
	Utilisation float64 `json:"utilisation"`
}

// Move is a request whose team or day changed in a re-plan.
type Move struct {
	RequestID string    `json:"request_id"`
	FromTeam  string    `json:"from_team"`
	FromDate  data.Date `json:"from_date"`
	ToTeam    string    `json:"to_team,omitempty"`
	ToDate    data.Date `json:"to_date,omitempty"`
	// Minutes is how far the visit's start moved when it kept its team and
	// day (0 otherwise).
	Minutes int `json:"minutes,omitempty"`
	// Reason is the unassigned code of a dropped visit (ToTeam empty).
	Reason Code `json:"reason,omitempty"`
}

// Stats are the figures of a run.
type Stats struct {
	Requests   int     `json:"requests"`
	Served     int     `json:"served"`
	Unserved   int     `json:"unserved"`
	Stops      int     `json:"stops"`
	Jobs       int     `json:"jobs"`
	Vehicles   int     `json:"vehicles"`
	Cost       int64   `json:"cost"`
	TravelMin  int     `json:"travel_minutes"`
	Iterations int     `json:"iterations"`
	ElapsedSec float64 `json:"elapsed_seconds"`
	Source     string  `json:"source"`
	Fixed      int     `json:"fixed_stops,omitempty"`
	Moved      int     `json:"moved_requests,omitempty"`
	Kept       int     `json:"kept_requests,omitempty"`
	MovedStops int     `json:"moved_stops,omitempty"`
	// Dropped counts published visits left out (each with a reason);
	// MinutesMoved sums and MaxMinutesMoved bounds the start shifts of the
	// visits kept on their team-day; Revisits counts open requests of past
	// stops (nobody home, follow-up, no outcome) planned again.
	Dropped         int    `json:"dropped_requests,omitempty"`
	MinutesMoved    int    `json:"minutes_moved,omitempty"`
	MaxMinutesMoved int    `json:"max_minutes_moved,omitempty"`
	Revisits        int    `json:"revisits,omitempty"`
	Untouched       int    `json:"untouched_stops,omitempty"`
	BaselinePID     string `json:"baseline_plan_id,omitempty"`
}

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

// fixedStop is a stop of the baseline kept as it is.
type fixedStop struct {
	team string
	date data.Date
	stop data.Stop
}

// Plan computes a plan for snap over opts' horizon. The returned plan is
// feasible (the engine guarantees it; Check verifies it independently).
func Plan(ctx context.Context, snap *Snapshot, opts Options) (*Result, error) {
	start := time.Now()
	days, err := Days(opts.From, opts.To)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// Re-planning: which stops are fixed, which requests were where.
	fixed := map[string][]fixedStop{} // team|date -> fixed prefix
	fixedReq := map[string]bool{}
	oldPlace := map[string][2]string{} // request -> team, date
	oldStart := map[string]int{}       // request -> start minute in the baseline
	today, nowMin := data.DateOf(now), now.In(data.Local).Hour()*60+now.In(data.Local).Minute()
	revisit := map[string]bool{}
	if opts.Baseline != nil {
		status := map[string]data.Status{}
		for _, r := range snap.Requests {
			status[r.ID] = r.Status
		}
		for _, it := range opts.Baseline.Plan.Itineraries {
			for _, st := range it.Stops {
				past := it.Date < today || (it.Date == today && st.Start < nowMin)
				if past || st.Locked {
					k := it.TeamID + "|" + string(it.Date)
					fixed[k] = append(fixed[k], fixedStop{it.TeamID, it.Date, st})
					for _, id := range st.RequestIDs {
						// A past visit that left its request open (nobody
						// home, follow-up, no outcome recorded) is history:
						// the request is planned again, after now.
						if past && !st.Locked && openStatus(status[id]) {
							revisit[id] = true
							continue
						}
						fixedReq[id] = true
					}
					continue
				}
				for _, id := range st.RequestIDs {
					oldPlace[id] = [2]string{it.TeamID, string(it.Date)}
					oldStart[id] = st.Start
				}
			}
		}
	}
	tolerance := opts.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}

	// Vehicles: one per team and working day.
	var vehicles []vehicle
	for _, t := range snap.Teams {
		base, ok := snap.base(t)
		if !ok {
			continue
		}
		for d, date := range days {
			works, skills := snap.TeamDay(t, date)
			if !works || (opts.Baseline != nil && date < data.DateOf(now)) {
				continue // re-planning never changes the past
			}
			v := vehicle{team: snap.DayTeam(t, date), day: d, date: date, skills: skills, base: base}
			if fs := fixed[t.ID+"|"+string(date)]; len(fs) > 0 {
				last := fs[len(fs)-1].stop
				p := last.Location
				v.start, v.startMin = &p, last.Depart
				// The break is taken in the fixed part when it fits there.
				v.noBreak = breakInFixed(t, fs)
			}
			if date == today {
				// Nothing today before now, from where the team is.
				v.startMin = max(v.startMin, v.team.DayStart, nowMin)
			}
			vehicles = append(vehicles, v)
		}
	}

	// Requests.
	var infos []*reqInfo
	points := []data.Point{}
	groupsOf := map[string]string{}
	modes := map[data.TravelMode]bool{}
	for i := range snap.Teams {
		if p, ok := snap.base(snap.Teams[i]); ok {
			points = append(points, p)
			groupsOf[PointKey(p)] = data.TownshipOf(snap.Teams[i].HomeCode)
			modes[snap.Teams[i].TravelMode] = true
		}
	}
	for _, fs := range fixed {
		for _, f := range fs {
			points = append(points, f.stop.Location)
		}
	}
	for i := range snap.Requests {
		r := &snap.Requests[i]
		if fixedReq[r.ID] || !openStatus(r.Status) {
			continue // done, withdrawn, cancelled or merged: nothing to visit
		}
		in := analyze(snap, r, days, now)
		infos = append(infos, in)
		if in.code == "" {
			points = append(points, in.point)
			groupsOf[PointKey(in.point)] = in.village.TownshipID
		}
	}
	var modeList []data.TravelMode
	for m := range modes {
		modeList = append(modeList, m)
	}
	// Only the search may be cut short by ctx; the matrix is always needed.
	tr, err := NewTravel(context.WithoutCancel(ctx), opts.Source, points, groupsOf, modeList)
	if err != nil {
		return nil, err
	}
	for _, in := range infos {
		eligibility(in, vehicles, tr, !opts.NoEscalation)
		if in.code != "" || opts.Baseline == nil {
			continue
		}
		// Stability: pin a re-planned request to its old team and day,
		// its start within the tolerance of the old one.
		if old, ok := oldPlace[in.req.ID]; ok {
			for _, vi := range in.vehicles {
				if vehicles[vi].team.ID == old[0] && string(vehicles[vi].date) == old[1] {
					d := vehicles[vi].day
					near := intersect(in.presence[d], [][2]int{{oldStart[in.req.ID] - tolerance, oldStart[in.req.ID] + tolerance + in.service}})
					if len(near) == 0 {
						break
					}
					in.presence[d] = near
					in.unpinned = in.vehicles
					in.vehicles = []int{vi}
					break
				}
			}
		}
	}

	joinHouseholds(infos, vehicles, tr)
	groups := makeGroups(infos, vehicles, tr)
	p := &vrp.Problem{}
	if len(groups) > 0 {
		if p, err = buildProblem(groups, vehicles, tr); err != nil {
			return nil, err
		}
	}
	// Pass 1: every request at its own level (大事不出镇, 小事不出村), with
	// the balance limits (softDayLimits). Pass 2 re-solves from pass 1's
	// routes (a warm start) with what is left of the time, with the problem
	// relaxed when pass 1 calls for it:
	//   - escalation: requests pass 1 left out that a higher-level team of
	//     any travel mode could take may go up (higher levels cost more per
	//     hour, so the engine keeps work low where it can);
	//   - re-planning: pinned requests left out may go to any team-day.
	// Between the passes routes are handed between interchangeable
	// team-days at no cost (rebalanceRoutes). Without a relaxation pass 2
	// continues pass 1's search on the same problem, so that the whole time
	// limit is used. The pass-2 plan is kept if it serves more priority
	// weight, or as much at a lower cost without escalation (pass 1's
	// routes re-costed on the pass-2 problem when it was relaxed).
	vopts := vrp.Options{TimeLimit: opts.TimeLimit, MaxIterations: opts.MaxIterations, Seed: opts.Seed,
		Threads: opts.Threads, Observer: opts.Observer, Temperature: searchTemperature}
	var searchEnd time.Time
	if opts.TimeLimit > 0 {
		// The limit covers the whole run: matrix and model building
		// included, and the reporting after the search (reportMargin);
		// pass 1 gets pass1Percent of the search time, pass 2 the rest.
		searchEnd = start.Add(opts.TimeLimit - reportMargin(opts.TimeLimit))
		vopts.TimeLimit = max(time.Until(searchEnd)*pass1Percent/100, opts.TimeLimit/20)
	}
	if opts.Baseline != nil && warmReplan {
		vopts.Initial = baselineRoutes(opts.Baseline.Plan, groups, vehicles, p)
	}
	// Balance within groups of interchangeable teams: a soft day limit
	// from the start (softDayLimits). Not when re-planning: stability
	// first, balance would move pinned stops.
	limits := map[int]int64{}
	if opts.Baseline == nil && len(p.Jobs) > 0 {
		limits = softDayLimits(p, vehicles)
		for vi, l := range limits {
			// cost = travel seconds: a second over costs a second
			p.Vehicles[vi].SoftMaxDuration, p.Vehicles[vi].OvertimeCostPerHour = l, 3600
		}
	}
	sol := &vrp.Solution{}
	if len(p.Jobs) > 0 {
		if sol, err = vrp.Solve(ctx, p, vopts); err != nil {
			return nil, fmt.Errorf("solve: %w", err)
		}
	}
	escalated := map[int]bool{}
	if !opts.NoEscalation {
		for _, u := range sol.Unassigned {
			if up := groupUp(&groups[u.Job]); len(up) > 0 {
				escalated[u.Job] = true
			}
		}
	}
	// Re-planning: pinned requests that lost their place may move to any
	// team-day that can take them (the others stay pinned).
	unpin := map[int][]int{}
	for _, u := range sol.Unassigned {
		if all := groupUnpinned(&groups[u.Job]); len(all) > 0 {
			unpin[u.Job] = all
		}
	}
	// Balance: hand routes between interchangeable team-days at no cost
	// (rebalanceRoutes), before pass 2 starts from them. Not when
	// re-planning (stability first).
	if opts.Baseline == nil {
		sol = rebalanceRoutes(p, vopts.Objective, sol, vehicles)
	}
	relax := len(escalated) > 0 || len(unpin) > 0
	// Pass 2 runs when the problem is relaxed, or to use the rest of the
	// time limit when some is left (an iteration cap alone is spent by
	// pass 1).
	cont := continuePass1 && opts.TimeLimit > 0 && time.Until(searchEnd) > opts.TimeLimit/20
	if (relax || cont) && ctx.Err() == nil && len(p.Jobs) > 0 {
		p2 := *p
		p2.Jobs = append([]vrp.Job(nil), p.Jobs...)
		p2.Vehicles = append([]vrp.Vehicle(nil), p.Vehicles...)
		for j, all := range unpin {
			p2.Jobs[j].AllowedVehicles = all
		}
		for j := range escalated {
			p2.Jobs[j].AllowedVehicles = append(append([]int{}, p2.Jobs[j].AllowedVehicles...), groupUp(&groups[j])...)
		}
		if len(escalated) > 0 {
			for vi := range p2.Vehicles {
				p2.Vehicles[vi].CostPerHour = levelCost[vehicles[vi].team.Level]
			}
		}
		if len(escalated) > 0 {
			for vi := range limits {
				p2.Vehicles[vi].OvertimeCostPerHour = p2.Vehicles[vi].CostPerHour // a second over costs a second of travel
			}
		}
		if opts.TimeLimit > 0 {
			vopts.TimeLimit = max(time.Until(searchEnd), opts.TimeLimit/20)
		}
		vopts.Initial = nil
		if warmPass2 {
			vopts.Initial = solutionRoutes(sol, len(p.Vehicles))
		}
		sol2, err := vrp.Solve(ctx, &p2, vopts)
		if err != nil {
			return nil, fmt.Errorf("solve second pass: %w", err)
		}
		better := sol2.ServedPriority > sol.ServedPriority
		if sol2.ServedPriority == sol.ServedPriority && len(escalated) == 0 {
			c1 := sol.Cost
			if relax {
				c1 = costUnder(&p2, vopts.Objective, sol)
			}
			better = c1 < 0 || sol2.Cost < c1
		}
		sol2.Iterations += sol.Iterations
		if better {
			sol = sol2
			p = &p2
			res0 := map[int]bool{}
			for j := range escalated {
				res0[j] = true
			}
			escalated = res0
		} else {
			sol.Iterations = sol2.Iterations
			escalated = map[int]bool{}
		}
	}

	if opts.Baseline == nil {
		sol = rebalanceRoutes(p, vopts.Objective, sol, vehicles)
	}
	res := &Result{Travel: tr}
	res.Detail.Plan = data.Plan{Kind: data.PlanCircuit, From: opts.From, To: opts.To, Status: data.PlanDraft}
	its := map[string]*data.Itinerary{}
	served := map[string]*reqInfo{}
	placed := map[string][2]string{}
	startOf := map[string]int{}
	for _, fs := range fixed {
		for _, f := range fs {
			k := f.team + "|" + string(f.date)
			it := its[k]
			if it == nil {
				it = &data.Itinerary{TeamID: f.team, Date: f.date}
				its[k] = it
			}
			it.Stops = append(it.Stops, f.stop)
		}
	}
	for _, it := range its {
		relinkFixed(snap, it, tr)
	}
	for _, r := range sol.Routes {
		v := &vehicles[r.Vehicle]
		k := v.team.ID + "|" + string(v.date)
		it := its[k]
		if it == nil {
			it = &data.Itinerary{TeamID: v.team.ID, Date: v.date}
			its[k] = it
		}
		off := int64(v.day) * 86400
		prev := v.origin()
		for _, vis := range r.Visits {
			if vis.Kind != vrp.VisitJob {
				continue
			}
			g := &groups[vis.Job]
			travel, _ := tr.Seconds(v.team.TravelMode, prev, g.point)
			st := data.Stop{VillageID: g.village, Location: g.point,
				Arrival: int((vis.Arrival - off) / 60), Start: int((vis.Start - off) / 60), Depart: int((vis.Departure - off) / 60),
				TravelSeconds: int(travel)}
			for _, in := range g.reqs {
				st.RequestIDs = append(st.RequestIDs, in.req.ID)
				served[in.req.ID] = in
				placed[in.req.ID] = [2]string{v.team.ID, string(v.date)}
				startOf[in.req.ID] = st.Start
				in.served = v.team.Level
			}
			it.Stops = append(it.Stops, st)
			prev = g.point
		}
	}
	keys := make([]string, 0, len(its))
	for k := range its {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		x, y := its[keys[a]], its[keys[b]]
		if x.Date != y.Date {
			return x.Date < y.Date
		}
		return x.TeamID < y.TeamID
	})
	teamByID := map[string]data.Team{}
	for _, t := range snap.Teams {
		teamByID[t.ID] = t
	}
	for _, k := range keys {
		it := its[k]
		t := teamByID[it.TeamID]
		base, _ := snap.base(t)
		for i := range it.Stops {
			it.Stops[i].Seq = i + 1
		}
		if n := len(it.Stops); n > 0 {
			back, _ := tr.Seconds(t.TravelMode, it.Stops[n-1].Location, base)
			it.ReturnSeconds = int(back)
			it.StaffIDs = snap.Duty(t, it.Date).Members
		}
		res.Detail.Itineraries = append(res.Detail.Itineraries, *it)
		res.Stats.Stops += len(it.Stops)
	}
	res.Detail.Desks = []data.Desk{}

	// Unassigned requests and decisions.
	unservedJob := map[int]vrp.Reason{}
	for _, u := range sol.Unassigned {
		unservedJob[u.Job] = u.Reason
	}
	jobOf := map[*reqInfo]int{}
	for gi := range groups {
		for _, in := range groups[gi].reqs {
			jobOf[in] = gi
		}
	}
	for _, in := range infos {
		d := Decision{RequestID: in.req.ID, Level: in.level, Priority: in.priority, Mode: "service_point"}
		if in.home {
			d.Mode = "home_visit"
		}
		var why []string
		if in.home {
			why = append(why, "special group: home visit (特殊情况不出门)")
		} else {
			why = append(why, "no special group: served at the village service point "+in.village.ShortName)
		}
		why = append(why, fmt.Sprintf("lowest level for items %s: %s", strings.Join(in.req.ItemIDs, ","), in.level))
		if in.escalate != "" {
			why = append(why, in.escalate)
		}
		if _, ok := served[in.req.ID]; ok {
			d.ServedBy = in.served
			if escalated[jobOf[in]] && in.served != "" && in.served.Rank() < levelRankOf(in) {
				why = append(why, fmt.Sprintf("escalated to a %s team: no room at the lower level this week", in.served))
			}
		} else {
			u := Unassigned{RequestID: in.req.ID, Code: in.code, Detail: in.detail, Priority: in.priority}
			if u.Code == "" {
				u.Code = Capacity
				u.Detail = fmt.Sprintf("fits a team's day alone, but not enough capacity this week next to higher-priority work (engine: %s)", unservedJob[jobOf[in]])
			}
			res.Unassigned = append(res.Unassigned, u)
			why = append(why, "left for next plan: "+string(u.Code))
		}
		d.Reason = strings.Join(why, "; ")
		res.Decisions = append(res.Decisions, d)
	}
	sort.Slice(res.Unassigned, func(a, b int) bool {
		if res.Unassigned[a].Priority != res.Unassigned[b].Priority {
			return res.Unassigned[a].Priority > res.Unassigned[b].Priority
		}
		return res.Unassigned[a].RequestID < res.Unassigned[b].RequestID
	})

	// Moves (re-planning).
	if opts.Baseline != nil {
		res.Stats.BaselinePID = opts.Baseline.Plan.Plan.ID
		why := map[string]Code{}
		for _, u := range res.Unassigned {
			why[u.RequestID] = u.Code
		}
		for id, old := range oldPlace {
			now, ok := placed[id]
			if ok && now == old {
				res.Stats.Kept++
				if m := abs(startOf[id] - oldStart[id]); m > 0 {
					res.Stats.MinutesMoved += m
					res.Stats.MaxMinutesMoved = max(res.Stats.MaxMinutesMoved, m)
					if m > tolerance {
						res.Moves = append(res.Moves, Move{RequestID: id, FromTeam: old[0], FromDate: data.Date(old[1]), ToTeam: now[0], ToDate: data.Date(now[1]), Minutes: m})
					}
				}
				continue
			}
			mv := Move{RequestID: id, FromTeam: old[0], FromDate: data.Date(old[1]), ToTeam: now[0], ToDate: data.Date(now[1])}
			if !ok {
				mv.Reason = why[id]
				res.Stats.Dropped++
			}
			res.Moves = append(res.Moves, mv)
		}
		res.Stats.Revisits = len(revisit)
		sort.Slice(res.Moves, func(a, b int) bool { return res.Moves[a].RequestID < res.Moves[b].RequestID })
		// Stops whose team-day still works are "untouched" by the change;
		// count how many of them lost or changed a request.
		alive := map[string]bool{}
		for _, v := range vehicles {
			alive[v.team.ID+"|"+string(v.date)] = true
		}
		for _, it := range opts.Baseline.Plan.Itineraries {
			if !alive[it.TeamID+"|"+string(it.Date)] {
				continue
			}
			for _, st := range it.Stops {
				if _, ok := oldPlace[firstOr(st.RequestIDs)]; !ok {
					continue // fixed stop
				}
				res.Stats.Untouched++
				for _, id := range st.RequestIDs {
					if placed[id] != oldPlace[id] {
						res.Stats.MovedStops++
						break
					}
				}
			}
		}
		res.Stats.Moved = len(res.Moves)
		for _, fs := range fixed {
			res.Stats.Fixed += len(fs)
		}
	}

	res.Loads = loads(snap, days, res.Detail.Itineraries)
	res.Stats.Requests = len(infos)
	res.Stats.Served = len(served)
	res.Stats.Unserved = len(res.Unassigned)
	res.Stats.Jobs = len(p.Jobs)
	res.Stats.Vehicles = len(vehicles)
	res.Stats.Cost = sol.Cost
	res.Stats.TravelMin = int(sol.TravelTime / 60)
	res.Stats.Iterations = sol.Iterations
	res.Stats.Source = tr.Source
	res.Stats.ElapsedSec = time.Since(start).Seconds()
	res.Detail.Plan.Summary = res.Summary()
	return res, nil
}

func firstOr(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// householdKey identifies a home-visit household.
func householdKey(in *reqInfo) string {
	return PointKey(in.point) + "|" + in.req.Household.Name + "|" + in.req.Household.Phone
}

// joinHouseholds lets the lower-level requests of a home-visit household
// ride along with the visit of its highest-level request, when that team
// can also handle them (one visit instead of two: 特殊情况不出门).
func joinHouseholds(infos []*reqInfo, vehicles []vehicle, tr *Travel) {
	byHH := map[string][]*reqInfo{}
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

// balanceGroup names the teams that can stand in for each other: teams of
// one level based in the same area (all county teams; the teams of one
// township; the agents of one village).
func balanceGroup(t data.Team) string {
	switch t.Level {
	case data.LevelCounty:
		return "county"
	case data.LevelTownship:
		return "township:" + data.TownshipOf(t.HomeCode)
	}
	return "village:" + t.HomeCode
}

// teamMinutes sums each team's route durations in sol, in minutes, per
// balance group; teams that work but have no route count as 0.
func teamMinutes(sol *vrp.Solution, vehicles []vehicle) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, v := range vehicles {
		g := balanceGroup(v.team)
		if out[g] == nil {
			out[g] = map[string]int64{}
		}
		out[g][v.team.ID] += 0
	}
	for _, r := range sol.Routes {
		v := vehicles[r.Vehicle]
		out[balanceGroup(v.team)][v.team.ID] += r.Duration / 60
	}
	return out
}

// softDayLimits returns, for the team-days of each balance group with at
// least two teams, a soft day limit in seconds: balanceFactor × the
// group's mean day, at least 4 h. Every second over it costs like a second
// of travel (vrp.Vehicle.SoftMaxDuration), so the engine moves work from
// long days to short ones where travel allows, and never leaves a request
// out for it; a day within the limit costs nothing extra.
//
// The mean day is estimated from the problem alone, before any search: the
// service time of the group's jobs (a job belongs to the group of its
// first allowed vehicle), plus on every team-day its breaks and one round
// trip from the base to the mean stop (the mean over the group's jobs of
// base → stop → base). So the objective is the same for every seed and
// time limit, and both passes search it.
func softDayLimits(p *vrp.Problem, vehicles []vehicle) map[int]int64 {
	if len(p.Vehicles) != len(vehicles) {
		return nil // no problem built (nothing to plan)
	}
	days, teams := map[string]int64{}, map[string]map[string]bool{}
	work := map[string]int64{} // seconds: service, breaks
	for vi, v := range vehicles {
		g := balanceGroup(v.team)
		days[g]++
		if teams[g] == nil {
			teams[g] = map[string]bool{}
		}
		teams[g][v.team.ID] = true
		for _, b := range p.Vehicles[vi].Breaks {
			work[g] += b.Duration
		}
	}
	trips, stops := map[string]int64{}, map[string]int64{}
	for _, j := range p.Jobs {
		if len(j.AllowedVehicles) == 0 {
			continue // fits no team: never served
		}
		vi := j.AllowedVehicles[0]
		g := balanceGroup(vehicles[vi].team)
		veh := &p.Vehicles[vi]
		m := p.Durations
		if veh.Profile > 0 {
			m = p.Profiles[veh.Profile-1].Durations
		}
		work[g] += j.Service
		trips[g] += m.At(veh.Start, j.Location) + m.At(j.Location, veh.End)
		stops[g]++
	}
	limit := map[string]int64{}
	for g, n := range stops {
		if len(teams[g]) >= 2 {
			total := work[g] + days[g]*trips[g]/n
			limit[g] = max(int64(balanceFactor*float64(total)/60/float64(days[g])), 240) * 60
		}
	}
	out := map[int]int64{}
	for vi, v := range vehicles {
		if l, ok := limit[balanceGroup(v.team)]; ok {
			out[vi] = l
		}
	}
	return out
}

// balanceFactor is how far over the group's estimated mean day a day may
// run before each minute costs like a minute of travel. At 1.1 the limit
// sits about at the routed mean day (the estimate leaves out the hops
// between stops and the waiting): over half the days are at the limit and
// the county plans spread by 2.5 % between seeds (10 s, seeds 1-5:
// 144 720-148 320); at 1.2 (425 min for the county week) by 1.1 %.
const balanceFactor = 1.2

// costUnder is the cost of sol's routes on problem q (the same vehicles
// and jobs with other costs or limits), or -1 if a route does not fit q.
func costUnder(q *vrp.Problem, obj vrp.Objective, sol *vrp.Solution) int64 {
	var c int64
	routes := solutionRoutes(sol, len(q.Vehicles))
	for v, jobs := range routes {
		if len(jobs) == 0 {
			continue
		}
		r, err := vrp.EvaluateRoute(q, obj, v, jobs)
		if err != nil {
			return -1
		}
		c += r.Cost
	}
	return c
}

// groupUnpinned returns the vehicles every request of a pinned group could
// use before pinning (nil when the group was not pinned).
func groupUnpinned(g *group) []int {
	if g.reqs[0].unpinned == nil {
		return nil
	}
	var out []int
	for _, v := range g.reqs[0].unpinned {
		all := true
		for _, in := range g.reqs[1:] {
			if !slices.Contains(in.unpinned, v) {
				all = false
				break
			}
		}
		if all {
			out = append(out, v)
		}
	}
	return out
}

// groupUp returns the higher-level vehicles every request of g may use.
func groupUp(g *group) []int {
	var out []int
	for _, v := range g.reqs[0].up {
		all := true
		for _, in := range g.reqs[1:] {
			if !slices.Contains(in.up, v) {
				all = false
				break
			}
		}
		if all {
			out = append(out, v)
		}
	}
	return out
}

// levelRankOf is the rank of the level the request was routed to before
// any capacity escalation.
func levelRankOf(in *reqInfo) int {
	if len(in.vehicles) == 0 {
		return in.level.Rank()
	}
	return in.routed.Rank()
}

// relinkFixed makes the kept stops of a re-planned day one chain again:
// when a stop before a pinned one moved away, the pinned stop is now reached
// from the stop kept before it (or from the base), so its travel time is
// that leg's, and it starts no earlier than that leg allows (its time stays
// when it still can, which is the rule: stops after it start from its
// departure).
func relinkFixed(snap *Snapshot, it *data.Itinerary, tr *Travel) {
	t, ok := snap.team(it.TeamID)
	if !ok {
		return
	}
	prev, ok := snap.base(t)
	if !ok {
		return
	}
	prevDep := t.DayStart
	for i := range it.Stops {
		st := &it.Stops[i]
		if tt, ok := tr.Seconds(t.TravelMode, prev, st.Location); ok && int(tt) != st.TravelSeconds {
			st.TravelSeconds = int(tt)
			if earliest := prevDep + (st.TravelSeconds+59)/60; st.Arrival < earliest {
				service := st.Depart - st.Start
				st.Arrival = earliest
				st.Start = max(st.Start, earliest)
				st.Depart = st.Start + service
			}
		}
		st.Seq = i + 1
		prev, prevDep = st.Location, st.Depart
	}
}

// breakInFixed reports whether the team's lunch break fits in the gaps of
// the fixed stops of a day (so the rest of the day needs none).
func breakInFixed(t data.Team, fs []fixedStop) bool {
	e, l, dur, ok := LunchWindow(t)
	if !ok {
		return true
	}
	prev := t.DayStart
	for _, f := range fs {
		lo, hi := max(prev, e), min(f.stop.Arrival-f.stop.TravelSeconds/60-dur, l)
		if lo <= hi {
			return true
		}
		prev = f.stop.Depart
	}
	return false
}

// makeGroups merges requests into stops: requests of one household (home
// visits) or of one village (service-point requests) with the same allowed
// vehicles, as long as their hours still overlap and the stop stays small.
// Higher-priority requests are placed first.
func makeGroups(infos []*reqInfo, vehicles []vehicle, tr *Travel) []group {
	byKey := map[string][]*reqInfo{}
	var order []string
	for _, in := range infos {
		if in.code != "" {
			continue
		}
		where := in.village.ID
		if in.home {
			where = householdKey(in)
		}
		k := fmt.Sprintf("%s|%v", where, in.vehicles)
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
					out, _ := tr.Seconds(v.team.TravelMode, v.origin(), g.point)
					back, _ := tr.Seconds(v.team.TravelMode, g.point, v.base)
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
// location set (tr's points) with one engine travel profile per travel mode:
// each vehicle travels on its team's mode, so a job may be served by teams of
// any mode. Profile 0 is the mode with the most vehicles (ties: the first
// mode by name); the engine computes its job neighbourhoods on profile 0,
// which only orders candidates and is exact for no route.
func buildProblem(groups []group, vehicles []vehicle, tr *Travel) (*vrp.Problem, error) {
	count := map[data.TravelMode]int{}
	for vi := range vehicles {
		count[vehicles[vi].team.TravelMode]++
	}
	var modes []data.TravelMode
	for m := range tr.secs {
		modes = append(modes, m)
	}
	sort.Slice(modes, func(a, b int) bool {
		if count[modes[a]] != count[modes[b]] {
			return count[modes[a]] > count[modes[b]]
		}
		return modes[a] < modes[b]
	})
	n := len(tr.keys)
	matrix := func(m data.TravelMode) vrp.Matrix {
		x := vrp.NewMatrix(n)
		for i, row := range tr.secs[m] {
			copy(x.Data[i*n:], row)
		}
		return x
	}
	p := &vrp.Problem{}
	profile := map[data.TravelMode]int{}
	for k, m := range modes {
		profile[m] = k
		if k == 0 {
			p.Durations = matrix(m)
		} else {
			p.Profiles = append(p.Profiles, vrp.Profile{Durations: matrix(m)})
		}
	}
	for vi := range vehicles {
		v := &vehicles[vi]
		off := int64(v.day) * 86400
		veh := vrp.Vehicle{ID: v.team.ID + "@" + string(v.date), Profile: profile[v.team.TravelMode],
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

// loads sums each team's work in the itineraries.
func loads(snap *Snapshot, days []data.Date, its []data.Itinerary) []Load {
	var out []Load
	for _, t := range snap.Teams {
		l := Load{TeamID: t.ID, Level: t.Level}
		shift := 0
		for _, d := range days {
			if w, _ := snap.TeamDay(t, d); w {
				l.WorkingDays++
				shift += t.DayEnd - t.DayStart
			}
		}
		for _, it := range its {
			if it.TeamID != t.ID || len(it.Stops) == 0 {
				continue
			}
			l.Days++
			first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
			l.WorkMinutes += last.Depart + it.ReturnSeconds/60 - (first.Arrival - first.TravelSeconds/60)
			l.TravelMinutes += it.ReturnSeconds / 60
			for _, s := range it.Stops {
				l.Stops++
				l.Requests += len(s.RequestIDs)
				l.TravelMinutes += s.TravelSeconds / 60
				l.ServiceMinutes += s.Depart - s.Start
			}
		}
		if shift > 0 {
			l.Utilisation = float64(l.WorkMinutes) / float64(shift)
		}
		out = append(out, l)
	}
	return out
}

// pass1Percent is pass 1's share of the search time. Pass 1 mostly decides
// what pass 2 solves (escalations, the balance limits); pass 2, warm-started
// from it, gets the rest. Measured with make bench-circuit (10 s, seeds
// 1-3, cost with the balance limits): 85 % → 141 000, 144 600, 141 060;
// 50 % → 143 880, 141 780, 143 160; 20 % → 142 920, 140 400, 141 480.
// Over seeds 11-18 (mean): 10 % → 141 848, 20 % → 141 555, 35 % → 142 440.
const pass1Percent = 20

// searchTemperature is the engine's annealing schedule for circuit plans,
// hotter than its benchmark default {0.3, 0.01}: the county group (87
// home visits, 15 team-days packed to the balance limit, morning or
// afternoon windows) gets stuck in local optima when cool, and more time
// does not help then. Measured on that group alone (pass-2 problem of seed
// 1, warm start, 4 s CPU, 12 seeds, mean cost): {0.3, 0.01} → 81 610,
// {1, 0.01} → 80 930, {3, 0.01} → 80 020, {10, 0.01} → 79 780,
// {3, 0.1} → 79 590, {10, 0.1} → 79 625, {10, 1} → 81 230.
var searchTemperature = vrp.Temperature{Start: 3, End: 0.1}

// Search strategy switches, measured in docs/circuit.md ("Figures"):
// warmReplan starts a re-plan's pass 1 from the baseline's routes,
// warmPass2 starts pass 2 from pass 1's routes, continuePass1 runs pass 2
// on the unrelaxed problem to use the rest of the time limit.
var (
	warmReplan    = true
	warmPass2     = true
	continuePass1 = true
)

// reportMargin is the part of a run's time limit kept for what follows the
// search: the engine's report and final check, the planner's result, and the
// service's independent Check and save (tens of milliseconds for a county
// week; the margin leaves room for a slow store): a twentieth of the limit,
// at most one second.
func reportMargin(limit time.Duration) time.Duration {
	return min(limit/20, time.Second)
}

// solutionRoutes returns the job order of every vehicle's route in sol, as a
// warm start (vrp.Options.Initial) for nVeh vehicles.
func solutionRoutes(sol *vrp.Solution, nVeh int) [][]int {
	out := make([][]int, nVeh)
	for _, r := range sol.Routes {
		for _, vis := range r.Visits {
			if vis.Kind == vrp.VisitJob {
				out[r.Vehicle] = append(out[r.Vehicle], vis.Job)
			}
		}
	}
	return out
}

// baselineRoutes returns the baseline plan's routes as a warm start for p:
// each job goes to the team-day that served its first request before (when
// that vehicle may serve the job), jobs of one vehicle in the order of
// their first request's old stop. The engine drops from these routes what no
// longer fits.
func baselineRoutes(base data.PlanDetail, groups []group, vehicles []vehicle, p *vrp.Problem) [][]int {
	type place struct {
		key string
		seq int
	}
	old := map[string]place{}
	for _, it := range base.Itineraries {
		for k, st := range it.Stops {
			for _, id := range st.RequestIDs {
				old[id] = place{it.TeamID + "|" + string(it.Date), k}
			}
		}
	}
	vehOf := map[string]int{}
	for vi, v := range vehicles {
		vehOf[v.team.ID+"|"+string(v.date)] = vi
	}
	type entry struct{ job, seq int }
	lists := make([][]entry, len(vehicles))
	for gi := range groups {
		for _, in := range groups[gi].reqs {
			pl, ok := old[in.req.ID]
			if !ok {
				continue
			}
			vi, ok := vehOf[pl.key]
			if ok && (p.Jobs[gi].AllowedVehicles == nil || slices.Contains(p.Jobs[gi].AllowedVehicles, vi)) {
				lists[vi] = append(lists[vi], entry{gi, pl.seq})
			}
			break
		}
	}
	out := make([][]int, len(vehicles))
	for vi, l := range lists {
		sort.SliceStable(l, func(a, b int) bool { return l[a].seq < l[b].seq })
		for _, e := range l {
			out[vi] = append(out[vi], e.job)
		}
	}
	return out
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
