package circuit

import (
	"context"

	"github.com/yingjing/xunhui/data"
)

// fixedStop is a stop of the baseline kept as it is.
type fixedStop struct {
	at   TeamDay
	stop data.Stop
}

// baselineVisit is where and when a re-planned request was visited in the
// baseline (a stop after now, not locked: it may move).
type baselineVisit struct {
	at    TeamDay
	start int // minutes after midnight
}

// baselineState is what a re-plan's baseline fixes and remembers.
type baselineState struct {
	// fixed are the stops kept as they are (before now or locked), in
	// order, per team-day; fixedReq the requests they serve.
	fixed    map[TeamDay][]fixedStop
	fixedReq map[string]bool
	// old is where each movable request was visited.
	old map[string]baselineVisit
	// revisit are the open requests of past stops (nobody home,
	// follow-up, no outcome recorded), planned again after now.
	revisit map[string]bool
}

// readBaseline splits the baseline's stops into fixed ones (before now, or
// locked) and movable ones. Without a baseline everything is empty.
func (r *planRun) readBaseline() {
	r.base = baselineState{fixed: map[TeamDay][]fixedStop{}, fixedReq: map[string]bool{},
		old: map[string]baselineVisit{}, revisit: map[string]bool{}}
	if r.opts.Baseline == nil {
		return
	}
	status := map[string]data.Status{}
	for _, q := range r.snap.Requests {
		status[q.ID] = q.Status
	}
	for _, it := range r.opts.Baseline.Plan.Itineraries {
		at := TeamDay{it.TeamID, it.Date}
		for _, st := range it.Stops {
			past := it.Date < r.today || (it.Date == r.today && st.Start < r.nowMin)
			if past || st.Locked {
				r.base.fixed[at] = append(r.base.fixed[at], fixedStop{at, st})
				for _, id := range st.RequestIDs {
					// A past visit that left its request open (nobody
					// home, follow-up, no outcome recorded) is history:
					// the request is planned again, after now.
					if past && !st.Locked && openStatus(status[id]) {
						r.base.revisit[id] = true
						continue
					}
					r.base.fixedReq[id] = true
				}
				continue
			}
			for _, id := range st.RequestIDs {
				r.base.old[id] = baselineVisit{at, st.Start}
			}
		}
	}
}

// makeVehicles makes one engine vehicle per team and working day. A
// re-planned day continues from its last fixed stop; today starts no
// earlier than now.
func (r *planRun) makeVehicles() {
	snap := r.snap
	for _, t := range snap.Teams {
		base, ok := snap.base(t)
		if !ok {
			continue
		}
		for d, date := range r.days {
			works, skills := snap.TeamDay(t, date)
			if !works || (r.opts.Baseline != nil && date < r.today) {
				continue // re-planning never changes the past
			}
			v := vehicle{team: snap.DayTeam(t, date), day: d, date: date, skills: skills, base: base}
			if t.Level == data.LevelCounty && !r.opts.WholeTeams {
				v.pool = snap.poolSkills(v.team, date)
			}
			if fs := r.base.fixed[TeamDay{t.ID, date}]; len(fs) > 0 {
				last := fs[len(fs)-1].stop
				p := last.Location
				v.start, v.startMin = &p, last.Depart
				// The break is taken in the fixed part when it fits there.
				v.noBreak = breakInFixed(t, fs)
			}
			if date == r.today {
				// Nothing today before now, from where the team is.
				v.startMin = max(v.startMin, v.team.DayStart, r.nowMin)
			}
			r.vehicles = append(r.vehicles, v)
		}
	}
}

// readRequests analyses the open requests that are not fixed and builds the
// travel matrix over the team bases, the fixed stops and the requests.
func (r *planRun) readRequests(ctx context.Context) error {
	snap := r.snap
	points := []data.Point{}
	groupsOf := map[string]string{}
	villageOf := snap.baseVillages(map[string]string{})
	modes := map[data.TravelMode]bool{}
	for i := range snap.Teams {
		if p, ok := snap.base(snap.Teams[i]); ok {
			points = append(points, p)
			groupsOf[PointKey(p)] = data.TownshipOf(snap.Teams[i].HomeCode)
			modes[snap.Teams[i].TravelMode] = true
		}
	}
	for _, fs := range r.base.fixed {
		for _, f := range fs {
			points = append(points, f.stop.Location)
			if f.stop.VillageID != "" {
				villageOf[PointKey(f.stop.Location)] = f.stop.VillageID
			}
		}
	}
	for i := range snap.Requests {
		q := &snap.Requests[i]
		if r.base.fixedReq[q.ID] || !openStatus(q.Status) {
			continue // done, withdrawn, cancelled or merged: nothing to visit
		}
		in := analyze(snap, q, r.days, r.now)
		r.infos = append(r.infos, in)
		if in.code == "" {
			points = append(points, in.point)
			groupsOf[PointKey(in.point)] = in.village.TownshipID
			villageOf[PointKey(in.point)] = in.village.ID
		}
	}
	var modeList []data.TravelMode
	for m := range modes {
		modeList = append(modeList, m)
	}
	// Only the search may be cut short by ctx; the matrix is always needed.
	tr, err := BuildTravel(context.WithoutCancel(ctx), r.opts.Source, TravelSpec{Points: points, Groups: groupsOf,
		Villages: villageOf, Modes: modeList, Days: r.days, Closures: snap.Closures})
	if err != nil {
		return err
	}
	r.tr = tr
	return nil
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
