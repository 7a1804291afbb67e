package circuit

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
)

// editFixture plans a seeded week and returns the service and the draft.
func editFixture(t *testing.T) (*Service, data.PlanDetail, context.Context) {
	t.Helper()
	ctx := context.Background()
	store := sqlitetest.New(t)
	week := seed.NextMonday(data.Today())
	if _, err := seed.Load(ctx, store, seed.Options{Week: week, Requests: 80}); err != nil {
		t.Fatal(err)
	}
	now := week.Time().Add(-3 * 24 * time.Hour)
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	svc := NewService(store, Config{MaxIterations: 200, Threads: 1, Now: func() time.Time { return now }, Queue: q})
	jobstest.Handle(svc, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	v, err := svc.Start(ctx, week, week.AddDays(4), "planner")
	if err != nil {
		t.Fatal(err)
	}
	if v, err = svc.Wait(ctx, v.ID); err != nil || v.Status != Done {
		t.Fatalf("plan: %+v %v", v, err)
	}
	d, err := store.GetPlan(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return svc, d, ctx
}

// TestEditPlan: a move outside the team's area is refused with its rule and
// place and changes nothing; remove, assign from a suggestion, undo and pin
// are applied with version checks and recorded; a re-plan keeps the pin.
func TestEditPlan(t *testing.T) {
	svc, d, ctx := editFixture(t)
	var src data.Itinerary
	for _, it := range d.Itineraries {
		if len(it.Stops) >= 2 {
			src = it
			break
		}
	}
	if src.TeamID == "" {
		t.Fatal("no route with two stops")
	}
	stop := src.Stops[0]
	// A village agent of another village may not serve this household.
	var agent string
	for _, tm := range mustTeams(t, svc) {
		if tm.Level == data.LevelVillage && tm.HomeCode != stop.VillageID {
			agent = tm.ID
			break
		}
	}
	bad := Edit{Op: EditMove, TeamID: src.TeamID, Date: src.Date, Seq: 1, ToTeamID: agent}
	res, err := svc.EditPlan(ctx, d.Plan.ID, d.Plan.Version, bad, "planner", false)
	if !errors.Is(err, ErrInfeasible) || res.Evaluation.Feasible || res.Applied {
		t.Fatalf("move to %s: %+v, %v; want refused", agent, res, err)
	}
	if !slices.ContainsFunc(res.Evaluation.Violations, func(v Violation) bool {
		return v.Rule == RuleArea && v.TeamID == agent && v.Seq >= 1 && v.RequestID == stop.RequestIDs[0]
	}) {
		t.Errorf("violations %+v: want an area violation at %s naming %s", res.Evaluation.Violations, agent, stop.RequestIDs[0])
	}
	if got, _ := svc.store.GetPlan(ctx, d.Plan.ID); got.Plan.Version != d.Plan.Version {
		t.Fatalf("refused edit changed the plan: version %d", got.Plan.Version)
	}

	// Remove the visit: its requests become unassigned ("removed").
	rm := Edit{Op: EditRemove, TeamID: src.TeamID, Date: src.Date, Seq: 1}
	res, err = svc.EditPlan(ctx, d.Plan.ID, d.Plan.Version, rm, "planner", false)
	if err != nil || !res.Applied || res.Plan.Version != d.Plan.Version+1 {
		t.Fatalf("remove: %+v %v", res, err)
	}
	if want := -routeTravel(src) + routeTravel(res.Evaluation.Routes[0]); res.Evaluation.TravelDeltaSeconds != want {
		t.Errorf("travel delta %d, recomputed %d", res.Evaluation.TravelDeltaSeconds, want)
	}
	v, _ := svc.Get(ctx, d.Plan.ID)
	rid := stop.RequestIDs[0]
	if !slices.ContainsFunc(v.Unassigned, func(u Unassigned) bool { return u.RequestID == rid && u.Code == Removed }) {
		t.Fatalf("removed request %s not unassigned: %+v", rid, v.Unassigned)
	}
	// A stale version is refused.
	if _, err := svc.EditPlan(ctx, d.Plan.ID, d.Plan.Version, rm, "planner", false); data.ErrorKind(err) != data.Conflict {
		t.Fatalf("stale edit: %v, want Conflict", err)
	}
	// Assign it again where the slot suggestion says.
	slots, _, err := svc.SuggestSlots(ctx, d.Plan.ID, rid, 3)
	if err != nil || len(slots) == 0 {
		t.Fatalf("slots for %s: %v %v", rid, slots, err)
	}
	sl := slots[0]
	as := Edit{Op: EditAssign, RequestID: rid, ToTeamID: sl.TeamID, ToDate: sl.Date, ToSeq: sl.Seq}
	res, err = svc.EditPlan(ctx, d.Plan.ID, 0, as, "planner", false)
	if err != nil || !res.Evaluation.Feasible || res.Evaluation.TravelDeltaSeconds != sl.ExtraTravelSeconds {
		t.Fatalf("assign at the suggested slot %+v: %+v %v", sl, res.Evaluation, err)
	}
	v, _ = svc.Get(ctx, d.Plan.ID)
	if slices.ContainsFunc(v.Unassigned, func(u Unassigned) bool { return u.RequestID == rid }) {
		t.Errorf("assigned request still unassigned")
	}
	if err := Check(mustSnap(t, svc, v), data.PlanDetail{Plan: *v.Plan, Itineraries: v.Itineraries}, mustTravel(t, svc, v)); err != nil {
		t.Fatalf("edited plan fails the check: %v", err)
	}
	// Undo the assignment: back to unassigned, both records kept.
	res, err = svc.UndoEdit(ctx, d.Plan.ID, res.Plan.Version, "planner")
	if err != nil || res.Record.Of != 2 {
		t.Fatalf("undo: %+v %v", res, err)
	}
	v, _ = svc.Get(ctx, d.Plan.ID)
	if !slices.ContainsFunc(v.Unassigned, func(u Unassigned) bool { return u.RequestID == rid && u.Code == Removed }) {
		t.Errorf("undone assignment: %s not unassigned again", rid)
	}
	log, _ := svc.Edits(ctx, d.Plan.ID)
	if len(log) != 3 || !log[1].Undone || log[2].Edit.Op != EditUndo || log[0].By != "planner" {
		t.Fatalf("edit log %+v", log)
	}

	// Pin the second stop of another route; a re-plan keeps it there (the
	// stop before it may move: the kept stop is then reached from the base).
	var pinned data.Itinerary
	for _, it := range v.Itineraries {
		if len(it.Stops) > 1 && it.TeamID != src.TeamID {
			pinned = it
			break
		}
	}
	res, err = svc.EditPlan(ctx, d.Plan.ID, 0, Edit{Op: EditPin, TeamID: pinned.TeamID, Date: pinned.Date, Seq: 2}, "planner", false)
	if err != nil || !res.Applied {
		t.Fatalf("pin: %+v %v", res, err)
	}
	rv, err := svc.Replan(ctx, d.Plan.ID, time.Time{}, "planner")
	if err != nil {
		t.Fatal(err)
	}
	if rv, err = svc.Wait(ctx, rv.ID); err != nil || rv.Status != Done {
		t.Fatalf("replan %+v %v", rv, err)
	}
	kept := false
	for _, it := range rv.Itineraries {
		if it.TeamID == pinned.TeamID && it.Date == pinned.Date {
			for _, s := range it.Stops {
				kept = kept || (s.Locked && slices.Equal(s.RequestIDs, pinned.Stops[1].RequestIDs))
			}
		}
	}
	if !kept {
		t.Errorf("re-plan lost the pinned visit %v of %s %s", pinned.Stops[1].RequestIDs, pinned.TeamID, pinned.Date)
	}
	// A published plan cannot be edited.
	if _, err := svc.Publish(ctx, rv.ID, 0, "", "planner"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EditPlan(ctx, rv.ID, 0, Edit{Op: EditPin, TeamID: pinned.TeamID, Date: pinned.Date, Seq: 1}, "planner", false); data.ErrorKind(err) != data.Conflict {
		t.Errorf("edit of a published plan: %v, want Conflict", err)
	}
}

// TestEditBadInput: a bad edit is Invalid naming its field.
func TestEditBadInput(t *testing.T) {
	svc, d, ctx := editFixture(t)
	it := d.Itineraries[0]
	for _, tc := range []struct {
		e     Edit
		field string
	}{
		{Edit{Op: "teleport"}, "op"},
		{Edit{Op: EditMove, Date: it.Date, Seq: 1}, "team_id"},
		{Edit{Op: EditMove, TeamID: it.TeamID, Date: it.Date, Seq: 99}, "seq"},
		{Edit{Op: EditMove, TeamID: it.TeamID, Date: it.Date, Seq: 1, ToTeamID: "T-none"}, "to_team_id"},
		{Edit{Op: EditMove, TeamID: it.TeamID, Date: it.Date, Seq: 1, ToDate: "2001-01-01"}, "to_date"},
		{Edit{Op: EditAssign, RequestID: it.Stops[0].RequestIDs[0], ToTeamID: it.TeamID, ToDate: it.Date}, "request_id"},
		{Edit{Op: EditAssign, RequestID: "R-none", ToTeamID: it.TeamID, ToDate: it.Date}, "request_id"},
	} {
		_, err := svc.EditPlan(ctx, d.Plan.ID, 0, tc.e, "planner", true)
		if data.ErrorKind(err) != data.Invalid || data.ErrorField(err) != tc.field {
			t.Errorf("%+v: %v, want Invalid naming %s", tc.e, err, tc.field)
		}
	}
}

func mustTeams(t *testing.T, svc *Service) []data.Team {
	ts, err := svc.store.ListTeams(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func mustSnap(t *testing.T, svc *Service, v View) *Snapshot {
	snap, err := LoadSnapshot(context.Background(), svc.store, planRequestIDs(data.PlanDetail{Itineraries: v.Itineraries}))
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func mustTravel(t *testing.T, svc *Service, v View) *Travel {
	var pts []data.Point
	var modes []data.TravelMode
	snap := mustSnap(t, svc, v)
	for _, tm := range snap.Teams {
		if b, ok := snap.base(tm); ok {
			pts = append(pts, b)
			modes = append(modes, tm.TravelMode)
		}
	}
	for _, it := range v.Itineraries {
		for _, s := range it.Stops {
			pts = append(pts, s.Location)
		}
	}
	tr, err := NewTravel(context.Background(), svc.cfg.Source, pts, nil, modes)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestUndoAssignsGuidesAgain: a guided visit is removed, its agent falls ill
// for that day, and the removal is undone: the visit comes back without the
// sick agent (flagged absent), not with the guide it had before; the stats
// count it among the visits that need a guide, not the guided ones.
func TestUndoAssignsGuidesAgain(t *testing.T) {
	svc, d, ctx := editFixture(t)
	var (
		it   data.Itinerary
		stop data.Stop
	)
	for _, x := range d.Itineraries {
		for _, s := range x.Stops {
			if s.Guide != nil && s.Guide.StaffID != "" && stop.Seq == 0 {
				it, stop = x, s
			}
		}
	}
	if stop.Seq == 0 {
		t.Fatal("the seeded week has no guided visit: the test shows nothing")
	}
	before := d.Plan.Summary.Circuit().Stats
	res, err := svc.EditPlan(ctx, d.Plan.ID, d.Plan.Version, Edit{Op: EditRemove, TeamID: it.TeamID, Date: it.Date, Seq: stop.Seq}, "planner", false)
	if err != nil || !res.Applied {
		t.Fatalf("remove: %+v %v", res, err)
	}
	agent := stop.Guide.StaffID
	ab := data.Absence{StaffID: agent, From: it.Date, To: it.Date, Kind: data.AbsenceSick, Reason: "病假 (SAMPLE)", CreatedBy: "test"}
	if err := svc.store.CreateAbsence(ctx, &ab); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UndoEdit(ctx, d.Plan.ID, res.Plan.Version, "planner"); err != nil {
		t.Fatalf("undo: %v", err)
	}
	v, err := svc.Get(ctx, d.Plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	var back *data.Stop
	for _, x := range v.Itineraries {
		for i, s := range x.Stops {
			if x.TeamID == it.TeamID && x.Date == it.Date && slices.Equal(s.RequestIDs, stop.RequestIDs) {
				back = &x.Stops[i]
			}
			if s.Guide != nil && s.Guide.StaffID == agent && x.Date == it.Date {
				t.Errorf("%s stop %d on %s guided by %s, who is on sick leave that day", x.TeamID, s.Seq, x.Date, agent)
			}
		}
	}
	if back == nil {
		t.Fatalf("undo did not bring back the visit of %v", stop.RequestIDs)
	}
	if back.Guide == nil || back.Guide.StaffID != "" || back.Guide.Missing != data.GuideAbsent {
		t.Errorf("restored visit's guide = %+v, want none, flagged absent", back.Guide)
	}
	guided, need := 0, 0
	for _, x := range v.Itineraries {
		for _, s := range x.Stops {
			if s.Guide != nil {
				need++
				if s.Guide.StaffID != "" {
					guided++
				}
			}
		}
	}
	if v.Stats == nil || v.Stats.Guided != guided || v.Stats.GuideVisits != need || need != before.GuideVisits || guided >= before.Guided {
		t.Errorf("stats after undo %+v; the plan has %d guided of %d (before the edit %d of %d)", v.Stats, guided, need, before.Guided, before.GuideVisits)
	}
}
