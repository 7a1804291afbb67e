package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/circuit"
	"github.com/yingjing/xunhui/optimizer/market"
)

// TestOperationalWeek runs one operational week through the HTTP API on both
// stores (issue 17's acceptance): register requests, plan, publish, record
// Monday's and Tuesday's outcomes (about 80 % done, 12 % nobody home, 8 %
// follow-up), add an absence for Wednesday, re-plan as of Wednesday 08:00,
// publish with supersedes, plan and publish the week's market days, fire
// the weekly-draft job. The checks below do not trust the planners: they
// recompute from the stored plans, requests, staff and absences (including
// the re-plan's promises: a dropped published visit has a reason code, a
// visit moved to another team-day or beyond ±60 min is listed in moves with
// why (team_day_gone only when that team-day has no visit left), and
// nobody is on a route or desk on a day an absence covers).
func TestOperationalWeek(t *testing.T) {
	t.Parallel()
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			t.Parallel()
			operationalWeek(t, sf.open(t))
		})
	}
}

func operationalWeek(t *testing.T, store data.Store) {
	ctx := context.Background()
	week := seed.NextMonday(data.Today())
	if _, err := seed.Load(ctx, store, seed.Options{Week: week, Requests: 120}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	clock := week.Time().Add(-48 * time.Hour)
	now := func() time.Time { return clock }
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	csvc := circuit.NewService(store, circuit.Config{MaxIterations: 150, TimeLimit: 20 * time.Second, Threads: 1, Now: now, Queue: q})
	msvc := market.NewService(store, market.Config{Now: now, Queue: q, Options: market.Options{MaxIterations: 5_000, TimeLimit: time.Minute}, ReplanIterations: 2_000})
	jobstest.Handle(csvc, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	jobstest.Handle(msvc, data.RunMarketPlan)(q)
	srv := NewServer(store, newTestLogger(&syncBuffer{}), Config{Now: now})
	srv.SetCircuit(csvc)
	srv.SetMarket(msvc)
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(c)
	})
	e := &testEnv{t: t, srv: srv, store: store, url: srv.URL(), tokens: map[string]string{}, client: &http.Client{Timeout: 60 * time.Second}}
	e.addUser(data.User{ID: "u-planner", Name: "Planner (SAMPLE)", Role: data.UserCountyPlanner})
	post := func(path string, body any, want int, v any, hdr ...string) http.Header {
		t.Helper()
		code, h, b := e.do(http.MethodPost, path, "u-planner", body, hdr...)
		if code != want {
			t.Fatalf("POST %s: %d, want %d: %s", path, code, want, b)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatal(err)
			}
		}
		return h
	}

	// 1. Register more requests of the week through the API.
	vs, _ := store.ListVillages(ctx, "")
	for i := 0; i < 10; i++ {
		post("/api/v1/requests", map[string]any{"ledger": "proxy", "household": map[string]any{"name": fmt.Sprintf("居民%d (SAMPLE)", i),
			"phone": fmt.Sprintf("1390000%04d", i), "village_id": vs[(i*7)%len(vs)].ID}, "item_ids": []string{"CA-04"}, "priority": 2}, http.StatusCreated, nil)
	}

	// 2. Plan and publish the week.
	var v circuit.View
	post("/api/v1/circuit-plans", map[string]string{"from": string(week), "to": string(week.AddDays(4))}, http.StatusAccepted, &v)
	p1 := e.waitPlan(v.ID)
	var pub1 circuit.Published
	post("/api/v1/circuit-plans/"+p1.ID+"/publish", nil, http.StatusOK, &pub1)
	published1, err := store.GetPlan(ctx, p1.ID)
	if err != nil {
		t.Fatal(err)
	}
	wed := week.AddDays(2)

	// All or nothing: a visit whose second request cannot take the outcome changes nothing.
	multi := ""
	for _, it := range published1.Itineraries {
		for _, st := range it.Stops {
			if multi != "" || len(st.RequestIDs) < 2 {
				continue
			}
			multi = circuit.VisitID(p1.ID, it.TeamID, it.Date, st.Seq)
			r2, _ := store.GetRequest(ctx, st.RequestIDs[1])
			if _, err := store.TransitionRequest(ctx, data.RequestTransition{ID: r2.ID, Version: r2.Version, To: data.StatusDone, By: "test"}); err != nil {
				t.Fatal(err)
			}
			r1, _ := store.GetRequest(ctx, st.RequestIDs[0])
			code, _, b := e.do(http.MethodPost, "/api/v1/visits/"+circuit.VisitID(p1.ID, it.TeamID, it.Date, st.Seq)+"/outcome", "u-planner",
				map[string]any{"outcome": "nobody_home", "request_ids": st.RequestIDs[:2]})
			if code != http.StatusConflict || errBody(t, b).Field != "request_ids[1]" {
				t.Errorf("outcome with a bad second request: %d %s, want 409 naming request_ids[1]", code, b)
			}
			if again, _ := store.GetRequest(ctx, r1.ID); again.Status != r1.Status || again.Version != r1.Version {
				t.Errorf("the first request changed (%s v%d → %s v%d) although the call failed", r1.Status, r1.Version, again.Status, again.Version)
			}
		}
	}
	if multi == "" {
		t.Errorf("no visit with two requests: all-or-nothing not exercised")
	}

	// 3. Outcomes for Monday and Tuesday, one call per visit, each with a key.
	kinds := func(i int) string {
		switch r := i % 25; {
		case r < 20:
			return "done"
		case r < 23:
			return "nobody_home"
		}
		return "follow_up"
	}
	n, firstPath, firstKey := 0, "", ""
	for _, it := range published1.Itineraries {
		if it.Date >= wed {
			continue
		}
		for _, st := range it.Stops {
			if circuit.VisitID(p1.ID, it.TeamID, it.Date, st.Seq) == multi {
				continue // one of its requests was closed above
			}
			path := "/api/v1/visits/" + circuit.VisitID(p1.ID, it.TeamID, it.Date, st.Seq) + "/outcome"
			key := fmt.Sprintf("phone-%s-%d", it.TeamID, n)
			post(path, map[string]string{"outcome": kinds(n), "note": "SAMPLE"}, http.StatusOK, nil, "Idempotency-Key", key)
			if firstPath == "" {
				firstPath, firstKey = path, key
			}
			n++
		}
	}
	if n < 10 {
		t.Fatalf("only %d visits on Monday and Tuesday", n)
	}
	// Idempotent: the repeat replays and writes nothing.
	before := historyLen(t, store)
	h := post(firstPath, map[string]string{"outcome": kinds(0), "note": "SAMPLE"}, http.StatusOK, nil, "Idempotency-Key", firstKey)
	if h.Get("Idempotent-Replayed") != "true" || historyLen(t, store) != before {
		t.Errorf("repeated outcome call: replayed %q, history %d → %d", h.Get("Idempotent-Replayed"), before, historyLen(t, store))
	}
	// 4. An absence for Wednesday: a member of the team with most visits then.
	load := map[string]int{}
	busiest := ""
	for _, it := range published1.Itineraries {
		if it.Date == wed && len(it.Stops) > 0 {
			load[it.TeamID] += len(it.Stops)
			if busiest == "" || load[it.TeamID] > load[busiest] {
				busiest = it.TeamID
			}
		}
	}
	team, _ := store.GetTeam(ctx, busiest)
	// That team's week as its phone has it before the re-plan.
	weekPath := "/api/v1/teams/" + busiest + "/week?from=" + string(week) + "&days=5"
	var pull1 weekBody
	e.getJSON(weekPath, "u-planner", http.StatusOK, &pull1)
	var ab absenceResult
	post("/api/v1/absences", map[string]any{"staff_id": team.MemberIDs[0], "from": wed, "reason": "病假 (SAMPLE)", "kind": "sick"}, http.StatusCreated, &ab)
	var marked circuit.View
	e.getJSON("/api/v1/circuit-plans/"+p1.ID, "u-planner", http.StatusOK, &marked)
	if len(ab.Affected) == 0 || len(marked.NeedsReplan) == 0 {
		t.Errorf("absence after publish: %d affected claims, %d visits needing a re-plan; want both > 0", len(ab.Affected), len(marked.NeedsReplan))
	}

	// 5. Re-plan as of Wednesday 08:00; publishing needs supersedes.
	asOf := wed.Time().Add(8 * time.Hour)
	open := openRequests(t, store)
	var rp circuit.View
	post("/api/v1/circuit-plans/"+p1.ID+"/replan", map[string]string{"now": asOf.Format(time.RFC3339)}, http.StatusAccepted, &rp)
	p2 := e.waitPlan(rp.ID)
	draft2, _ := store.GetPlan(ctx, p2.ID)
	post("/api/v1/circuit-plans/"+p2.ID+"/publish", nil, http.StatusConflict, nil)
	var pub2 circuit.Published
	post("/api/v1/circuit-plans/"+p2.ID+"/publish", map[string]string{"supersedes": p1.ID}, http.StatusOK, &pub2)

	// 6. Market days of the same week, planned around the published circuits.
	var mp marketPlanCreated
	post("/api/v1/market-plans", map[string]string{"from": string(week), "to": string(week.AddDays(6))}, http.StatusAccepted, &mp)
	if _, err := msvc.WaitPlan(ctx, mp.ID); err != nil {
		t.Fatal(err)
	}
	post("/api/v1/market-plans/"+mp.ID+"/publish", nil, http.StatusOK, nil)

	// The team's next pull lists what the re-plan changed; one more lists nothing.
	var pull2, pull3 weekBody
	e.getJSON(weekPath, "u-planner", http.StatusOK, &pull2)
	e.getJSON(weekPath, "u-planner", http.StatusOK, &pull3)

	// 7. The weekly-draft job fires for the (published) week.
	if sum, out, err := csvc.WeeklyDraft(ctx); err != nil || out["skipped"] != true {
		t.Errorf("weekly draft over the published week: %q %v %v", sum, out, err)
	}

	// ---- Independent checks ----
	final2, _ := store.GetPlan(ctx, p2.ID)
	marketPlan, _ := store.GetPlan(ctx, mp.ID)
	checkPullChanges(t, busiest, published1, final2, pull1, pull2, pull3)
	checkMarketFlags(t, e, msvc, marketPlan, week)
	old, _ := store.GetPlan(ctx, p1.ID)
	// The published plan is unchanged, only superseded.
	if old.Plan.Status != data.PlanSuperseded || old.Plan.SupersededBy != p2.ID || !reflect.DeepEqual(old.Itineraries, published1.Itineraries) {
		t.Errorf("first published plan: status %s by %q, content unchanged %v", old.Plan.Status, old.Plan.SupersededBy, reflect.DeepEqual(old.Itineraries, published1.Itineraries))
	}
	if !reflect.DeepEqual(final2.Itineraries, draft2.Itineraries) || final2.Plan.Status != data.PlanPublished {
		t.Errorf("re-plan changed between draft and publish, or is %s", final2.Plan.Status)
	}
	// 0 open requests lost: visited after now in the re-plan, or unassigned.
	unassigned := map[string]bool{}
	for _, u := range p2.Unassigned {
		unassigned[u.RequestID] = true
	}
	after := map[string]bool{}
	past := map[string]bool{}
	for _, it := range published1.Itineraries {
		for _, st := range it.Stops {
			if it.Date < wed {
				b, _ := json.Marshal(st)
				past[it.TeamID+string(it.Date)+string(b)] = true
			}
		}
	}
	early := 0
	for _, it := range final2.Itineraries {
		for _, st := range it.Stops {
			b, _ := json.Marshal(st)
			if past[it.TeamID+string(it.Date)+string(b)] {
				continue // Monday and Tuesday as they happened
			}
			leave := st.Arrival*60 - st.TravelSeconds
			if it.Date < wed || (it.Date == wed && leave < 8*3600) {
				early++
				t.Errorf("%s %s stop %d is before the re-plan time", it.TeamID, it.Date, st.Seq)
			}
			for _, id := range st.RequestIDs {
				after[id] = true
			}
		}
	}
	lost := 0
	for id, st := range open {
		if !after[id] && !unassigned[id] {
			lost++
			t.Errorf("open request %s (%s) lost by the re-plan", id, st)
		}
	}
	// A published visit of Wednesday on is kept on its team-day within the
	// tolerance, or listed in the re-plan's moves (with the minutes when it
	// kept its team-day, with a reason code when it was dropped).
	dropped, moved, shifted := checkReplanMoves(t, published1, final2, p2, wed, open)
	// 0 person-days claimed twice across the two planners.
	claimed := map[data.StaffDay]string{}
	twice := 0
	claim := func(staff string, day data.Date, by string) {
		k := data.StaffDay{StaffID: staff, Date: day}
		if prev, ok := claimed[k]; ok && prev != by {
			twice++
			t.Errorf("%s on %s claimed by %s and %s", staff, day, prev, by)
		}
		claimed[k] = by
	}
	staff, _ := store.ListStaff(ctx, data.StaffFilter{})
	byID := map[string]data.Staff{}
	for _, s := range staff {
		byID[s.ID] = s
	}
	teams, _ := store.ListTeams(ctx, "")
	teamOf := map[string]data.Team{}
	for _, tm := range teams {
		teamOf[tm.ID] = tm
	}
	for _, it := range final2.Itineraries {
		if len(it.Stops) == 0 {
			continue
		}
		members := it.StaffIDs
		if len(members) == 0 {
			members = teamOf[it.TeamID].MemberIDs
		}
		for _, m := range members {
			claim(m, it.Date, "circuit "+it.TeamID)
		}
	}
	for _, dk := range marketPlan.Desks {
		for _, m := range dk.StaffIDs {
			claim(m, dk.Date, "market desk "+dk.TownshipID)
		}
	}
	// 0 visits with the skill holder off duty (from Wednesday on).
	items, _ := store.ListServiceItems(ctx)
	skillOf := map[string]data.Skill{}
	for _, it := range items {
		skillOf[it.ID] = it.Skill
	}
	abs, _ := store.ListAbsences(ctx, data.AbsenceFilter{})
	offDuty := 0
	for _, it := range final2.Itineraries {
		if it.Date < wed {
			continue
		}
		members := it.StaffIDs
		if len(members) == 0 {
			members = teamOf[it.TeamID].MemberIDs
		}
		for _, st := range it.Stops {
			for _, rid := range st.RequestIDs {
				r, _ := store.GetRequest(ctx, rid)
				for _, item := range r.ItemIDs {
					if !skillOnDuty(byID, abs, members, skillOf[item], it.Date, st.Start, st.Depart) {
						offDuty++
						t.Errorf("%s %s stop %d: %s needs %s but no member holding it is on duty %s–%s", it.TeamID, it.Date, st.Seq, rid,
							skillOf[item], data.Clock(st.Start), data.Clock(st.Depart))
					}
				}
			}
		}
	}
	// 0 person-days of either plan on an absence (the Wednesday one included).
	away := 0
	for _, a := range abs {
		for k, by := range claimed {
			if k.StaffID == a.StaffID && a.Covers(k.Date) && k.Date >= wed {
				away++
				t.Errorf("%s is away on %s (%s, %s) but on the %s", k.StaffID, k.Date, a.Kind, a.Reason, by)
			}
		}
	}
	if !slices.ContainsFunc(abs, func(a data.Absence) bool { return a.ID == ab.Absence.ID }) {
		t.Errorf("the Wednesday absence %s is not listed", ab.Absence.ID)
	}
	t.Logf("%d outcomes; re-plan: %d open requests, lost %d, early %d, dropped %d (each with a reason), moved team-day %d (each listed), kept beyond ±%d min %d (each listed); claimed twice %d; on an absence %d; skill off duty %d; diff +%d −%d ~%d; %d desks",
		n, len(open), lost, early, dropped, moved, circuit.DefaultTolerance, shifted, twice, away, offDuty, pub2.Diff.Added, pub2.Diff.Removed, pub2.Diff.Moved, len(marketPlan.Desks))
}

// historyLen counts every request's history entries.
func historyLen(t *testing.T, s data.Store) int {
	t.Helper()
	rs, _, err := s.ListRequests(context.Background(), data.RequestFilter{Limit: data.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rs {
		n += len(r.History)
	}
	return n
}

// openRequests returns the requests still needing a visit, by id.
func openRequests(t *testing.T, s data.Store) map[string]data.Status {
	t.Helper()
	rs, _, err := s.ListRequests(context.Background(), data.RequestFilter{Limit: data.MaxLimit,
		Statuses: []data.Status{data.StatusPending, data.StatusPlanned, data.StatusFailed, data.StatusFollowUp}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]data.Status{}
	for _, r := range rs {
		out[r.ID] = r.Status
	}
	return out
}

// skillOnDuty reports whether one of members holds skill and works the whole
// of [start, end] on day (availability window, no absence: roster leave is one).
func skillOnDuty(staff map[string]data.Staff, abs []data.Absence, members []string, skill data.Skill, day data.Date, start, end int) bool {
	for _, id := range members {
		st := staff[id]
		has := false
		for _, k := range st.Skills {
			has = has || k == skill
		}
		if !has {
			continue
		}
		away := false
		for _, a := range abs {
			away = away || (a.StaffID == id && a.Covers(day))
		}
		if away {
			continue
		}
		if len(st.Availability) == 0 {
			return true
		}
		for _, w := range st.Availability {
			if w.Weekday == day.Weekday() && w.From <= start && end <= w.To {
				return true
			}
		}
	}
	return false
}

// checkPullChanges checks the team's pull after the re-plan against the two
// stored plans: a request visited once before and once after is listed as
// moved exactly when its day or start changed, one only in the new plan as
// added, one only in the old as removed; every day switched plans; the pull
// after that lists nothing.
func checkPullChanges(t *testing.T, team string, before, after data.PlanDetail, pull1, pull2, pull3 weekBody) {
	t.Helper()
	type visit struct {
		day   data.Date
		start int
	}
	visits := func(d data.PlanDetail) map[string][]visit {
		out := map[string][]visit{}
		for _, it := range d.Itineraries {
			if it.TeamID != team || it.Date < pull1.From || it.Date > pull1.To {
				continue
			}
			for _, st := range it.Stops {
				for _, id := range st.RequestIDs {
					out[id] = append(out[id], visit{it.Date, st.Start})
				}
			}
		}
		return out
	}
	b, a := visits(before), visits(after)
	ch := pull2.Changes
	if pull1.Changes.Since != nil || ch.Since == nil || len(ch.Plans) != 5 {
		t.Errorf("pull changes: first since %v, second since %v, %d plan switches (want 5)", pull1.Changes.Since, ch.Since, len(ch.Plans))
	}
	listed := map[string]string{}
	for _, v := range ch.Added {
		listed[v.RequestID] = "added"
	}
	for _, v := range ch.Removed {
		listed[v.RequestID] = "removed"
	}
	for _, m := range ch.Moved {
		listed[m.RequestID] = "moved"
	}
	checked := 0
	for id := range mergeKeys(a, b) {
		var want string
		switch {
		case len(a[id]) > 1 || len(b[id]) > 1:
			continue // visited twice (a revisit): not a one-to-one comparison
		case len(b[id]) == 0:
			want = "added"
		case len(a[id]) == 0:
			want = "removed"
		case a[id][0] != b[id][0]:
			want = "moved"
		}
		checked++
		if listed[id] != want {
			t.Errorf("pull changes: request %s listed %q, want %q (before %v, after %v)", id, listed[id], want, b[id], a[id])
		}
	}
	if checked == 0 || ch.Empty() {
		t.Errorf("pull changes: %d requests compared, changes %+v", checked, ch)
	}
	if !pull3.Changes.Empty() || pull3.Changes.Since == nil {
		t.Errorf("a pull with nothing changed lists %+v", pull3.Changes)
	}
}

func mergeKeys[V any](ms ...map[string]V) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

// checkMarketFlags checks each township's market flags of the week against
// the published market plan's desks: a market day is flagged no_desk
// exactly when the plan has no staffed desk there.
func checkMarketFlags(t *testing.T, e *testEnv, msvc *market.Service, plan data.PlanDetail, week data.Date) {
	t.Helper()
	ctx := context.Background()
	staffed := map[[2]string]bool{}
	for _, dk := range plan.Desks {
		if len(dk.StaffIDs) > 0 {
			staffed[[2]string{dk.TownshipID, string(dk.Date)}] = true
		}
	}
	ts, _ := e.store.ListTownships(ctx)
	days := 0
	for _, tw := range ts {
		mds, err := msvc.MarketDays(ctx, tw.ID, week, week.AddDays(6))
		if err != nil {
			t.Fatal(err)
		}
		var fl listBody[market.DayFlag]
		e.getJSON("/api/v1/townships/"+tw.ID+"/market-flags?from="+string(week)+"&to="+string(week.AddDays(6)), "u-planner", http.StatusOK, &fl)
		noDesk := map[data.Date]bool{}
		for _, f := range fl.Items {
			for _, r := range f.Reasons {
				noDesk[f.Date] = noDesk[f.Date] || r == market.FlagNoDesk
			}
		}
		for _, md := range mds {
			days++
			if want := !staffed[[2]string{tw.ID, string(md.Date)}]; noDesk[md.Date] != want {
				t.Errorf("market flags %s %s: no_desk %v, want %v", tw.ID, md.Date, noDesk[md.Date], want)
			}
		}
	}
	if days == 0 {
		t.Errorf("market flags: no market day in the week")
	}
}

// checkReplanMoves checks the re-plan's stability promises against the two
// stored plans: every request the published plan visited from wed on that
// was still open either stays on its team-day with its start within
// DefaultTolerance, or appears in the re-plan's moves — with the minutes it
// moved when it kept its team-day beyond the tolerance, with a reason code
// (and in unassigned) when it is no longer visited. Returns how many were
// dropped, moved to another team-day and kept beyond the tolerance.
func checkReplanMoves(t *testing.T, before, after data.PlanDetail, rp circuit.View, wed data.Date, open map[string]data.Status) (dropped, moved, shifted int) {
	t.Helper()
	type at struct {
		td    circuit.TeamDay
		start int
	}
	where := func(d data.PlanDetail) map[string]at {
		out := map[string]at{}
		for _, it := range d.Itineraries {
			if it.Date < wed {
				continue
			}
			for _, st := range it.Stops {
				for _, id := range st.RequestIDs {
					out[id] = at{circuit.TeamDay{Team: it.TeamID, Day: it.Date}, st.Start}
				}
			}
		}
		return out
	}
	old, now := where(before), where(after)
	moves := map[string]circuit.Move{}
	for _, m := range rp.Moves {
		moves[m.RequestID] = m
	}
	unassigned := map[string]data.ReasonCode{}
	for _, u := range rp.Unassigned {
		unassigned[u.RequestID] = u.Code
	}
	checked := 0
	for id, o := range old {
		if _, still := open[id]; !still {
			continue // done, withdrawn or merged before the re-plan
		}
		checked++
		n, ok := now[id]
		m, listed := moves[id]
		switch {
		case !ok:
			dropped++
			if !listed || m.Reason == "" || m.ToTeam != "" || unassigned[id] != m.Reason {
				t.Errorf("published visit of %s (%s %s) dropped: move %+v listed %v, unassigned %q; want a reason code in both", id, o.td.Team, o.td.Day, m, listed, unassigned[id])
			}
		case n.td != o.td:
			moved++
			if !listed || m.ToTeam != n.td.Team || m.ToDate != n.td.Day || !movedWhy(m.Reason, o.td, after) {
				t.Errorf("%s moved %s %s → %s %s but the moves list %+v (listed %v)", id, o.td.Team, o.td.Day, n.td.Team, n.td.Day, m, listed)
			}
		case abs(n.start-o.start) > circuit.DefaultTolerance:
			shifted++
			if !listed || m.Minutes != abs(n.start-o.start) || !movedWhy(m.Reason, o.td, after) {
				t.Errorf("%s kept on %s %s moved %d min (beyond ±%d) but the moves list %+v (listed %v)", id, o.td.Team, o.td.Day, abs(n.start-o.start), circuit.DefaultTolerance, m, listed)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no open published visit from %s on: the re-plan's stability is not exercised", wed)
	}
	return dropped, moved, shifted
}

// movedWhy checks the stated reason of a kept visit's move: team_day_gone
// only when its old team-day has no visit left in the new plan, otherwise
// no_room.
func movedWhy(why data.ReasonCode, old circuit.TeamDay, after data.PlanDetail) bool {
	switch why {
	case circuit.MovedTeamDayGone:
		return !slices.ContainsFunc(after.Itineraries, func(it data.Itinerary) bool {
			return it.TeamID == old.Team && it.Date == old.Day && len(it.Stops) > 0
		})
	case circuit.MovedNoRoom:
		return true
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
