package circuit

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/yingjing/xunhui/data"
)

// EditOp is data.PlanEditOp (the plan summary is one type shared by both planners, the store and the API).
type EditOp = data.PlanEditOp

// Edit operations.
const (
	EditMove   EditOp = "move"   // move a visit to another team, day or position
	EditAssign EditOp = "assign" // put an unassigned request on a route
	EditRemove EditOp = "remove" // take a visit off the plan (its requests become unassigned)
	EditPin    EditOp = "pin"    // lock a visit: re-planning keeps it where it is
	EditUnpin  EditOp = "unpin"  // release a locked visit
	EditUndo   EditOp = "undo"   // the record of undoing an earlier edit
)

// Removed is the reason code of a request whose visit a planner removed by hand.
const Removed Code = "removed"

// Edit is data.PlanEdit (the plan summary is one type shared by both planners, the store and the API).
type Edit = data.PlanEdit

// Evaluation is what an edit does to the plan, computed with the same
// re-timing and independent check as slot suggestions: whether every rule
// still holds on the changed routes, which rules break and where, and the
// change in travel seconds and in late minutes (service ending after the
// household's hours plus return after the end of the shift; the changed
// routes are scheduled as early as possible, and when no schedule fits
// every rule, with the rules relaxed so that the breaks can be located).
type Evaluation struct {
	Feasible           bool             `json:"feasible"`
	Violations         []Violation      `json:"violations"`
	TravelDeltaSeconds int              `json:"travel_delta_seconds"`
	LateMinutesDelta   int              `json:"late_minutes_delta"`
	Routes             []data.Itinerary `json:"routes"`
}

// EditRecord is data.PlanEditRecord (the plan summary is one type shared by both planners, the store and the API).
type EditRecord = data.PlanEditRecord

// routeKey identifies a team's day.
type routeKey struct {
	team string
	date data.Date
}

// editState is a plan being edited: its routes by team and day.
type editState struct {
	snap   *Snapshot
	plan   data.PlanDetail
	routes map[routeKey]data.Itinerary
	before map[routeKey]data.Itinerary // the changed routes before the edit
	retime map[routeKey]bool           // routes to schedule again
}

func newEditState(snap *Snapshot, d data.PlanDetail) *editState {
	st := &editState{snap: snap, plan: d, routes: map[routeKey]data.Itinerary{}, before: map[routeKey]data.Itinerary{}, retime: map[routeKey]bool{}}
	for _, it := range d.Itineraries {
		st.routes[routeKey{it.TeamID, it.Date}] = it
	}
	return st
}

// route returns a copy of the route of k (empty when the team has none that
// day), remembering its original for the edit record.
func (st *editState) route(k routeKey) data.Itinerary {
	it, ok := st.routes[k]
	if !ok {
		it = data.Itinerary{TeamID: k.team, Date: k.date, Stops: []data.Stop{}}
	}
	if _, seen := st.before[k]; !seen {
		st.before[k] = it
	}
	it.Stops = slices.Clone(it.Stops)
	return it
}

func (st *editState) put(k routeKey, it data.Itinerary, retime bool) {
	st.routes[k] = it
	if retime {
		st.retime[k] = true
	}
}

// locate finds the visit of e (team, date, seq); Invalid naming the field.
func (st *editState) locate(e Edit) (routeKey, int, error) {
	if e.TeamID == "" {
		return routeKey{}, 0, data.FieldError("team_id", "the visit's team is required")
	}
	if !e.Date.Valid() {
		return routeKey{}, 0, data.FieldError("date", "the visit's date is required (YYYY-MM-DD)")
	}
	k := routeKey{e.TeamID, e.Date}
	it, ok := st.routes[k]
	if !ok || len(it.Stops) == 0 {
		return k, 0, data.FieldError("team_id", "team %s has no route on %s in this plan", e.TeamID, e.Date)
	}
	if e.Seq < 1 || e.Seq > len(it.Stops) {
		return k, 0, data.FieldError("seq", "stop %d does not exist: the route has stops 1–%d", e.Seq, len(it.Stops))
	}
	return k, e.Seq - 1, nil
}

// target resolves where a moved or assigned visit goes.
func (st *editState) target(e Edit, from routeKey) (routeKey, error) {
	k := routeKey{e.ToTeamID, e.ToDate}
	if k.team == "" {
		k.team = from.team
	}
	if k.date == "" {
		k.date = from.date
	}
	if k.team == "" {
		return k, data.FieldError("to_team_id", "the target team is required")
	}
	if _, ok := st.snap.team(k.team); !ok {
		return k, data.FieldError("to_team_id", "unknown team %s", k.team)
	}
	if !k.date.Valid() || k.date < st.plan.Plan.From || k.date > st.plan.Plan.To {
		return k, data.FieldError("to_date", "%q is not a day of the plan %s–%s", k.date, st.plan.Plan.From, st.plan.Plan.To)
	}
	return k, nil
}

// insert puts stop s at 1-based position seq of route k (0 or past the end
// = at the end).
func (st *editState) insert(k routeKey, seq int, s data.Stop) {
	it := st.route(k)
	pos := len(it.Stops)
	if seq >= 1 && seq-1 < pos {
		pos = seq - 1
	}
	it.Stops = slices.Insert(it.Stops, pos, s)
	st.put(k, it, true)
}

// take removes and returns stop i of route k.
func (st *editState) take(k routeKey, i int) data.Stop {
	it := st.route(k)
	s := it.Stops[i]
	it.Stops = slices.Delete(it.Stops, i, i+1)
	st.put(k, it, true)
	return s
}

// apply performs e on the routes (without scheduling them).
func (st *editState) apply(e Edit, days []data.Date, now time.Time) error {
	switch e.Op {
	case EditMove:
		from, i, err := st.locate(e)
		if err != nil {
			return err
		}
		to, err := st.target(e, from)
		if err != nil {
			return err
		}
		s := st.take(from, i)
		st.insert(to, e.ToSeq, s)
	case EditRemove:
		from, i, err := st.locate(e)
		if err != nil {
			return err
		}
		st.take(from, i)
	case EditPin, EditUnpin:
		from, i, err := st.locate(e)
		if err != nil {
			return err
		}
		it := st.route(from)
		it.Stops[i].Locked = e.Op == EditPin
		st.put(from, it, false)
	case EditAssign:
		s, err := st.newStop(e.RequestID, days, now)
		if err != nil {
			return err
		}
		to, err := st.target(e, routeKey{})
		if err != nil {
			return err
		}
		st.insert(to, e.ToSeq, s)
	default:
		return data.FieldError("op", "%q is not move, assign, remove, pin or unpin", e.Op)
	}
	return nil
}

// newStop builds the visit of an unassigned request: where and how long,
// as the planner would.
func (st *editState) newStop(id string, days []data.Date, now time.Time) (data.Stop, error) {
	if id == "" {
		return data.Stop{}, data.FieldError("request_id", "the request to assign is required")
	}
	for _, it := range st.plan.Itineraries {
		for _, s := range it.Stops {
			if slices.Contains(s.RequestIDs, id) {
				return data.Stop{}, data.FieldError("request_id", "request %s is already visited by %s on %s (stop %d): move that visit instead", id, it.TeamID, it.Date, s.Seq)
			}
		}
	}
	var r *data.Request
	for i := range st.snap.Requests {
		if st.snap.Requests[i].ID == id {
			r = &st.snap.Requests[i]
		}
	}
	if r == nil || !(slices.Contains(PoolStatuses, r.Status) || r.Status == data.StatusPlanned) {
		return data.Stop{}, data.FieldError("request_id", "request %s is not waiting for a visit", id)
	}
	in := analyze(st.snap, r, days, now)
	if in.code == BadData {
		return data.Stop{}, data.FieldError("request_id", "request %s cannot be visited: %s", id, in.detail)
	}
	return data.Stop{VillageID: in.village.ID, Location: in.point, RequestIDs: []string{id}, Start: 0, Depart: in.service}, nil
}

// schedule re-times every changed route: strictly when a schedule fits
// every rule, else as early as possible with windows, lunch and shift
// relaxed (the check then reports what breaks).
func (st *editState) schedule(tr *Travel) {
	for k := range st.retime {
		it := st.routes[k]
		if len(it.Stops) == 0 {
			it.ReturnSeconds = 0
			st.routes[k] = it
			continue
		}
		t, _ := st.snap.team(k.team)
		_, skills := st.snap.TeamDay(t, k.date)
		base, _ := st.snap.base(t)
		v := &vehicle{team: t, date: k.date, skills: skills, base: base}
		if !retime(st.snap, v, &it, tr) {
			relaxedTime(st.snap, v, &it, tr)
		}
		st.routes[k] = it
	}
}

// relaxedTime schedules the stops of it in order as early as possible,
// each in the first of the household's windows that still holds it (else
// right on arrival), with the lunch break at the first idle moment after it
// may start; it never fails, so that Violations can say what breaks.
func relaxedTime(snap *Snapshot, v *vehicle, it *data.Itinerary, tr *Travel) {
	reqs := requestIndex(snap)
	e, _, dur, hasBreak := LunchWindow(v.team)
	t, pos := v.team.DayStart, v.base
	for i := range it.Stops {
		st := &it.Stops[i]
		if hasBreak && t >= e {
			t, hasBreak = t+dur, false
		}
		service := st.Depart - st.Start
		tt, _ := tr.Seconds(v.team.TravelMode, v.date, pos, st.Location)
		arr := t + int((tt+59)/60)
		start := arr
		if ws := stopWindows(reqs, *st, it.Date); ws != nil {
			for _, w := range ws {
				if s := max(arr, w[0]); s+service <= w[1] {
					start = s
					break
				}
			}
		}
		st.Seq, st.Arrival, st.Start, st.Depart, st.TravelSeconds = i+1, arr, start, start+service, int(tt)
		t, pos = st.Depart, st.Location
	}
	back, _ := tr.Seconds(v.team.TravelMode, v.date, pos, v.base)
	it.ReturnSeconds = int(back)
}

func requestIndex(snap *Snapshot) map[string]*data.Request {
	reqs := make(map[string]*data.Request, len(snap.Requests))
	for i := range snap.Requests {
		reqs[snap.Requests[i].ID] = &snap.Requests[i]
	}
	return reqs
}

// stopWindows intersects the households' windows of a stop on date (nil =
// any time).
func stopWindows(reqs map[string]*data.Request, st data.Stop, date data.Date) [][2]int {
	var w [][2]int
	for _, id := range st.RequestIDs {
		r := reqs[id]
		if r == nil || len(r.VisitWindows) == 0 {
			continue
		}
		var ws [][2]int
		for _, x := range r.VisitWindows {
			if x.Weekday == date.Weekday() {
				ws = append(ws, [2]int{x.From, x.To})
			}
		}
		ws = mergeIntervals(ws)
		if w == nil {
			w = ws
		} else {
			w = intersect(w, ws)
		}
		if w == nil {
			w = [][2]int{}
		}
	}
	return w
}

// lateMinutes sums, over a route, the minutes service runs past the end of
// the household's window it started in (or past its last window that day)
// and the minutes the team is back after the end of its shift.
func lateMinutes(snap *Snapshot, reqs map[string]*data.Request, it data.Itinerary) int {
	if len(it.Stops) == 0 {
		return 0
	}
	late := 0
	for _, st := range it.Stops {
		ws := stopWindows(reqs, st, it.Date)
		if ws == nil {
			continue
		}
		end := -1
		for _, w := range ws {
			if w[0] <= st.Start {
				end = w[1]
			}
		}
		if end >= 0 && st.Depart > end {
			late += st.Depart - end
		}
	}
	if t, ok := snap.team(it.TeamID); ok {
		last := it.Stops[len(it.Stops)-1]
		if back := last.Depart + (it.ReturnSeconds+59)/60; back > t.DayEnd {
			late += back - t.DayEnd
		}
	}
	return late
}

// EvaluateEdit applies e to the draft d (without saving anything) and
// evaluates the changed routes with Violations. tr must know the bases of
// the teams involved, the stops of their routes and an assigned request's
// point (see editPoints). It returns the edited plan, the evaluation and
// the record of the edit; errors are Invalid (naming the edit's field).
func EvaluateEdit(snap *Snapshot, d data.PlanDetail, e Edit, tr *Travel, now time.Time) (data.PlanDetail, Evaluation, EditRecord, error) {
	days, err := Days(d.Plan.From, d.Plan.To)
	if err != nil {
		return d, Evaluation{}, EditRecord{}, err
	}
	st := newEditState(snap, d)
	if err := st.apply(e, days, now); err != nil {
		return d, Evaluation{}, EditRecord{}, err
	}
	st.schedule(tr)
	return st.result(e, tr)
}

// result assembles the edited plan, the evaluation and the record; with a
// nil tr the changed routes are not checked.
func (st *editState) result(e Edit, tr *Travel) (data.PlanDetail, Evaluation, EditRecord, error) {
	reqs := requestIndex(st.snap)
	keys := make([]routeKey, 0, len(st.before))
	for k := range st.before {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].date != keys[b].date {
			return keys[a].date < keys[b].date
		}
		return keys[a].team < keys[b].team
	})
	ev := Evaluation{Violations: []Violation{}, Routes: []data.Itinerary{}}
	rec := EditRecord{Edit: e, Before: []data.Itinerary{}}
	changed := data.PlanDetail{Plan: st.plan.Plan}
	for _, k := range keys {
		old, now := st.before[k], st.routes[k]
		ev.TravelDeltaSeconds += routeTravel(now) - routeTravel(old)
		ev.LateMinutesDelta += lateMinutes(st.snap, reqs, now) - lateMinutes(st.snap, reqs, old)
		ev.Routes = append(ev.Routes, now)
		rec.Before = append(rec.Before, old)
		if len(now.Stops) > 0 {
			changed.Itineraries = append(changed.Itineraries, now)
		}
	}
	if tr != nil {
		ev.Violations = append(ev.Violations, Violations(st.snap, changed, tr)...)
	}
	ev.Feasible = len(ev.Violations) == 0
	rec.TravelDeltaSeconds = ev.TravelDeltaSeconds
	out := st.plan
	out.Itineraries = st.itineraries()
	return out, ev, rec, nil
}

// itineraries returns the routes with stops, by team and date.
func (st *editState) itineraries() []data.Itinerary {
	out := make([]data.Itinerary, 0, len(st.routes))
	for _, it := range st.routes {
		if len(it.Stops) > 0 {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].TeamID != out[b].TeamID {
			return out[a].TeamID < out[b].TeamID
		}
		return out[a].Date < out[b].Date
	})
	return out
}

// editPoints lists what the travel matrix of an edit must hold: the bases
// of the teams whose routes may change, the stops of those routes, and the
// point of a request to assign. It also returns their travel modes.
func editPoints(snap *Snapshot, d data.PlanDetail, e Edit, days []data.Date, now time.Time) ([]data.Point, []data.TravelMode, []data.Stop) {
	teams := map[string]bool{e.TeamID: true, e.ToTeamID: true}
	var points []data.Point
	var modes []data.TravelMode
	for _, t := range snap.Teams {
		if teams[t.ID] {
			if b, ok := snap.base(t); ok {
				points = append(points, b)
				modes = append(modes, t.TravelMode)
			}
		}
	}
	for _, it := range d.Itineraries {
		if teams[it.TeamID] {
			for _, s := range it.Stops {
				points = append(points, s.Location)
			}
		}
	}
	var extra []data.Stop
	if e.Op == EditAssign {
		st := newEditState(snap, d)
		if s, err := st.newStop(e.RequestID, days, now); err == nil {
			points = append(points, s.Location)
			extra = append(extra, s)
		}
	}
	// The guides of the plan are assigned again after the edit (AssignGuides).
	gp, gm := guidePoints(snap, d, extra)
	return append(points, gp...), append(modes, gm...), extra
}

// EditResult is the answer to an edit: the plan header after it (or as it
// is, for a dry run or a refused edit; without its summary), the
// evaluation and, when applied, the record.
type EditResult struct {
	Plan       data.Plan   `json:"plan"`
	Evaluation Evaluation  `json:"evaluation"`
	Applied    bool        `json:"applied"`
	Record     *EditRecord `json:"record,omitempty"`
}

// ErrInfeasible is returned (with the evaluation in the EditResult) when an
// edit would break a rule of the plan; it is then not applied.
var ErrInfeasible = fmt.Errorf("the edit breaks a rule of the plan")

// loadDraft reads plan id and checks that it is a circuit draft at version.
func (s *Service) loadDraft(ctx context.Context, id string, version int64) (data.PlanDetail, error) {
	d, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return d, err
	}
	if d.Plan.Kind != data.PlanCircuit {
		return d, data.Errorf(data.NotFound, "no circuit plan %s", id)
	}
	if d.Plan.Status != data.PlanDraft {
		return d, &data.Error{Kind: data.Conflict, Field: "status",
			Message: fmt.Sprintf("plan %s is %s: only a draft can be edited (re-plan it to get a draft)", id, d.Plan.Status)}
	}
	if version != 0 && d.Plan.Version != version {
		return d, &data.Error{Kind: data.Conflict, Field: "version",
			Message: fmt.Sprintf("plan %s is at version %d, not %d: re-read it and retry", id, d.Plan.Version, version)}
	}
	return d, nil
}

// EditPlan evaluates edit e of draft plan id (at version; 0 = current) and,
// unless dryRun, applies it when it is feasible: the plan is saved in one
// write that checks the version, with the edit appended to the plan's edit
// log and the unassigned list and figures brought up to date. An
// infeasible edit is not applied: the result carries the evaluation and
// the error is ErrInfeasible. Errors: NotFound, Conflict (not a draft,
// stale version), Invalid (a bad edit, naming its field).
func (s *Service) EditPlan(ctx context.Context, id string, version int64, e Edit, by string, dryRun bool) (EditResult, error) {
	d, err := s.loadDraft(ctx, id, version)
	if err != nil {
		return EditResult{}, err
	}
	ids := planRequestIDs(d)
	if e.RequestID != "" {
		ids = append(ids, e.RequestID)
	}
	snap, err := LoadSnapshot(ctx, s.store, ids)
	if err != nil {
		return EditResult{}, err
	}
	days, err := Days(d.Plan.From, d.Plan.To)
	if err != nil {
		return EditResult{}, err
	}
	now := s.cfg.Now()
	points, modes, extra := editPoints(snap, d, e, days, now)
	tr, err := BuildTravel(ctx, s.cfg.Source, TravelSpec{Points: points, Villages: snap.stopVillages(d, extra...), Modes: modes,
		Days: days, Closures: snap.Closures})
	if err != nil {
		return EditResult{}, err
	}
	out, ev, rec, err := EvaluateEdit(snap, d, e, tr, now)
	if err != nil {
		return EditResult{}, err
	}
	res := EditResult{Plan: d.Plan, Evaluation: ev}
	res.Plan.Summary = nil
	if !ev.Feasible && e.Op != EditPin && e.Op != EditUnpin {
		return res, ErrInfeasible
	}
	if dryRun {
		return res, nil
	}
	sum := d.Plan.Summary.Circuit()
	rec.By, rec.At = by, now.UTC()
	rec.UnassignedAdded, rec.UnassignedRemoved = unassignedChange(e, d, out, by, sum.Unassigned)
	sum.Unassigned = applyUnassigned(sum.Unassigned, rec.UnassignedAdded, rec.UnassignedRemoved)
	rec.N = len(sum.Edits) + 1
	sum.Edits = append(sum.Edits, rec)
	sum.Stats.GuideVisits, sum.Stats.Guided = AssignGuides(snap, &out, tr)
	if err := s.saveEdited(ctx, &out, sum, snap, days); err != nil {
		return EditResult{}, err
	}
	return applied(out.Plan, ev, rec), nil
}

// applied is the result of an applied edit; the plan header goes without
// its (large) summary.
func applied(p data.Plan, ev Evaluation, rec EditRecord) EditResult {
	p.Summary = nil
	return EditResult{Plan: p, Evaluation: ev, Applied: true, Record: &rec}
}

// unassignedChange says which requests an edit takes off the plan (remove)
// and which unassigned entries it places (assign).
func unassignedChange(e Edit, before, after data.PlanDetail, by string, un []Unassigned) (added, removed []Unassigned) {
	on := func(d data.PlanDetail) map[string]bool {
		m := map[string]bool{}
		for _, id := range planRequestIDs(d) {
			m[id] = true
		}
		return m
	}
	was, is := on(before), on(after)
	for id := range was {
		if !is[id] {
			added = append(added, Unassigned{RequestID: id, Code: Removed, Detail: "visit removed by " + by})
		}
	}
	sort.Slice(added, func(a, b int) bool { return added[a].RequestID < added[b].RequestID })
	for _, u := range un {
		if is[u.RequestID] && !was[u.RequestID] {
			removed = append(removed, u)
		}
	}
	if e.Op == EditAssign && len(removed) == 0 {
		removed = []Unassigned{} // assigned a request that was not on the list
	}
	return added, removed
}

// applyUnassigned returns un without removed and with added (by request id).
func applyUnassigned(un, added, removed []Unassigned) []Unassigned {
	out := []Unassigned{}
	for _, u := range un {
		if !slices.ContainsFunc(removed, func(x Unassigned) bool { return x.RequestID == u.RequestID }) &&
			!slices.ContainsFunc(added, func(x Unassigned) bool { return x.RequestID == u.RequestID }) {
			out = append(out, u)
		}
	}
	return append(out, added...)
}

// saveEdited recomputes the figures an edit changes and saves the plan
// (version checked by the store).
func (s *Service) saveEdited(ctx context.Context, d *data.PlanDetail, sum Summary, snap *Snapshot, days []data.Date) error {
	sum.Stats.Stops, sum.Stats.Served, sum.Stats.TravelMin = 0, 0, 0
	for _, it := range d.Itineraries {
		sum.Stats.TravelMin += routeTravel(it) / 60
		for _, st := range it.Stops {
			sum.Stats.Stops++
			sum.Stats.Served += len(st.RequestIDs)
		}
	}
	sum.Stats.Unserved = len(sum.Unassigned)
	sum.Loads = loads(snap, days, d.Itineraries)
	d.Plan.Summary = planSummary(sum)
	return s.store.ReplacePlan(ctx, d)
}

// UndoEdit reverts the last edit of draft plan id that is not undone yet:
// its routes are put back as they were, the unassigned list restored and
// the plan's guides assigned again;
// the log keeps both the edit (marked undone) and the undo. Errors:
// NotFound, Conflict (not a draft, stale version, nothing to undo).
func (s *Service) UndoEdit(ctx context.Context, id string, version int64, by string) (EditResult, error) {
	d, err := s.loadDraft(ctx, id, version)
	if err != nil {
		return EditResult{}, err
	}
	sum := d.Plan.Summary.Circuit()
	last := -1
	for i := len(sum.Edits) - 1; i >= 0; i-- {
		if sum.Edits[i].Edit.Op != EditUndo && !sum.Edits[i].Undone {
			last = i
			break
		}
	}
	if last < 0 {
		return EditResult{}, &data.Error{Kind: data.Conflict, Message: fmt.Sprintf("plan %s has no edit to undo", id)}
	}
	undone := sum.Edits[last]
	snap, err := LoadSnapshot(ctx, s.store, planRequestIDs(d))
	if err != nil {
		return EditResult{}, err
	}
	days, err := Days(d.Plan.From, d.Plan.To)
	if err != nil {
		return EditResult{}, err
	}
	st := newEditState(snap, d)
	for _, it := range undone.Before {
		k := routeKey{it.TeamID, it.Date}
		st.route(k)
		st.put(k, it, false)
	}
	out, ev, rec, err := st.result(Edit{Op: EditUndo}, nil)
	if err != nil {
		return EditResult{}, err
	}
	ev.Feasible, ev.Violations = true, []Violation{} // the state restored was accepted when it was made
	// The restored stops carry the guides they had; who is free to guide may
	// have changed since (the edit gave their agent to another visit, an
	// agent fell ill): assign the plan's guides again, as after an edit.
	gp, gm := guidePoints(snap, out, nil)
	tr, err := BuildTravel(ctx, s.cfg.Source, TravelSpec{Points: gp, Villages: snap.stopVillages(out), Modes: gm,
		Days: days, Closures: snap.Closures})
	if err != nil {
		return EditResult{}, err
	}
	sum.Stats.GuideVisits, sum.Stats.Guided = AssignGuides(snap, &out, tr)
	sum.Edits[last].Undone = true
	sum.Unassigned = applyUnassigned(sum.Unassigned, undone.UnassignedRemoved, undone.UnassignedAdded)
	rec.By, rec.At, rec.Of, rec.N = by, s.cfg.Now().UTC(), undone.N, len(sum.Edits)+1
	rec.UnassignedAdded, rec.UnassignedRemoved = undone.UnassignedRemoved, undone.UnassignedAdded
	sum.Edits = append(sum.Edits, rec)
	if err := s.saveEdited(ctx, &out, sum, snap, days); err != nil {
		return EditResult{}, err
	}
	return applied(out.Plan, ev, rec), nil
}

// Edits returns the edit log of plan id (oldest first).
func (s *Service) Edits(ctx context.Context, id string) ([]EditRecord, error) {
	d, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.Plan.Kind != data.PlanCircuit {
		return nil, data.Errorf(data.NotFound, "no circuit plan %s", id)
	}
	sum := d.Plan.Summary.Circuit()
	if sum.Edits == nil {
		return []EditRecord{}, nil
	}
	return sum.Edits, nil
}
