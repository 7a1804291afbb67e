package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// TestCircuitEdits drives hand edits of a draft through the HTTP API on
// both stores: a dry run, an infeasible move refused with its rule, a
// remove, an assignment from a slot suggestion, undo, the version check,
// the edit log and the role matrix (only planners edit; a coordinator and a
// team member get 403).
func TestCircuitEdits(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			week := seed.NextMonday(data.Today())
			e := newCircuitEnv(t, sf.open(t), week)
			towns, _ := e.store.ListTownships(t.Context())
			e.addUser(data.User{ID: "u-coord", Name: "Coord (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: towns[0].ID})
			teams, _ := e.store.ListTeams(t.Context(), "")
			e.addUser(data.User{ID: "u-member", Name: "Member (SAMPLE)", Role: data.UserTeamMember, TeamID: teams[0].ID})
			testCircuitEdits(t, e, week)
		})
	}
}

func testCircuitEdits(t *testing.T, e *testEnv, week data.Date) {
	var v circuit.View
	code, _, body := e.do(http.MethodPost, "/api/v1/circuit-plans", "u-planner", map[string]any{"from": week, "to": week.AddDays(4)})
	if code != http.StatusAccepted || json.Unmarshal(body, &v) != nil {
		t.Fatalf("start: %d %s", code, body)
	}
	v = e.waitPlan(v.ID)
	path := "/api/v1/circuit-plans/" + v.ID + "/edits"
	var src data.Itinerary
	for _, it := range v.Itineraries {
		if len(it.Stops) >= 2 {
			src = it
			break
		}
	}
	stop := src.Stops[0]
	var agent string
	teams, _ := e.store.ListTeams(t.Context(), data.LevelVillage)
	for _, tm := range teams {
		if tm.HomeCode != stop.VillageID {
			agent = tm.ID
			break
		}
	}
	version := v.Plan.Version
	edit := func(user, query string, body map[string]any) (int, []byte) {
		code, _, out := e.do(http.MethodPost, path+query, user, body)
		return code, out
	}
	move := map[string]any{"version": version, "op": "move", "team_id": src.TeamID, "date": src.Date, "seq": 1, "to_team_id": agent}

	// Roles: only planners edit.
	for _, u := range []string{"u-coord", "u-member"} {
		if code, out := edit(u, "", move); code != http.StatusForbidden {
			t.Errorf("%s edits: %d %s, want 403", u, code, out)
		}
	}
	e.getJSON(path, "u-coord", http.StatusForbidden, nil)

	// A dry run answers 200 with the evaluation and writes nothing.
	var res circuit.EditResult
	code, out := edit("u-planner", "?dry_run=true", move)
	if code != 200 || json.Unmarshal(out, &res) != nil || res.Applied || res.Evaluation.Feasible {
		t.Fatalf("dry run of an infeasible move: %d %s", code, out)
	}
	// Applying it is refused with the rule and where it breaks.
	code, out = edit("u-planner", "", move)
	var refused infeasibleBody
	if code != http.StatusUnprocessableEntity || json.Unmarshal(out, &refused) != nil || refused.Error.Code != "infeasible" || refused.Error.RequestID == "" {
		t.Fatalf("infeasible move: %d %s, want 422 infeasible", code, out)
	}
	if !slices.ContainsFunc(refused.Evaluation.Violations, func(x circuit.Violation) bool {
		return x.Rule == circuit.RuleArea && x.TeamID == agent && x.RequestID == stop.RequestIDs[0]
	}) {
		t.Errorf("violations %+v: want area at %s", refused.Evaluation.Violations, agent)
	}

	// The evaluator names other rules too: a county/township item moved to
	// the village agent of its own village breaks the level rule (not the
	// area); a visit moved to a weekday the household is not at home breaks
	// the window rule. Both are refused and change nothing.
	checkRuleRefused(t, e, path, v, version)

	// Remove the visit, then a stale version is 409.
	rm := map[string]any{"version": version, "op": "remove", "team_id": src.TeamID, "date": src.Date, "seq": 1}
	code, out = edit("u-planner", "", rm)
	if code != 200 || json.Unmarshal(out, &res) != nil || !res.Applied || res.Plan.Version != version+1 || res.Plan.Summary != nil {
		t.Fatalf("remove: %d %s", code, out)
	}
	version = res.Plan.Version
	if code, out = edit("u-planner", "", rm); code != http.StatusConflict {
		t.Errorf("stale remove: %d %s, want 409", code, out)
	}
	rid := stop.RequestIDs[0]
	var sl slotsResult
	e.getJSON("/api/v1/circuit-plans/"+v.ID+"/slots?request="+rid, "u-planner", 200, &sl)
	if len(sl.Slots) == 0 {
		t.Fatalf("no slot for the removed request %s", rid)
	}
	s0 := sl.Slots[0]
	code, out = edit("u-planner", "", map[string]any{"version": version, "op": "assign", "request_id": rid,
		"to_team_id": s0.TeamID, "to_date": s0.Date, "to_seq": s0.Seq})
	if code != 200 || json.Unmarshal(out, &res) != nil || !res.Applied || res.Evaluation.TravelDeltaSeconds != s0.ExtraTravelSeconds {
		t.Fatalf("assign at %+v: %d %s", s0, code, out)
	}
	e.checkPlan(v.ID)
	// Undo needs the version; it restores the unassigned request.
	if code, _, out := e.do(http.MethodPost, path+"/undo", "u-planner", map[string]any{}); code != http.StatusPreconditionRequired {
		t.Errorf("undo without version: %d %s", code, out)
	}
	code, _, out = e.do(http.MethodPost, path+"/undo", "u-planner", map[string]any{"version": res.Plan.Version})
	if code != 200 {
		t.Fatalf("undo: %d %s", code, out)
	}
	var after circuit.View
	e.getJSON("/api/v1/circuit-plans/"+v.ID, "u-planner", 200, &after)
	if !slices.ContainsFunc(after.Unassigned, func(u circuit.Unassigned) bool { return u.RequestID == rid && u.Code == circuit.Removed }) {
		t.Errorf("after undo %s is not unassigned: %+v", rid, after.Unassigned)
	}
	var log listBody[circuit.EditRecord]
	e.getJSON(path, "u-planner", 200, &log)
	if len(log.Items) != 3 || !log.Items[1].Undone || log.Items[2].Edit.Op != circuit.EditUndo || log.Items[0].By != "u-planner" {
		t.Errorf("edit log %+v", log.Items)
	}
	// Bad input names the field.
	code, out = edit("u-planner", "", map[string]any{"version": after.Plan.Version, "op": "move", "team_id": src.TeamID, "date": src.Date, "seq": 99})
	if code != http.StatusUnprocessableEntity || errBody(t, out).Field != "seq" {
		t.Errorf("bad seq: %d %s", code, out)
	}

	// Pin a visit, re-optimise the rest (POST …/replan): the pin holds on its
	// team-day, still pinned, at its start.
	var pinned data.Itinerary
	for _, it := range after.Itineraries {
		if len(it.Stops) >= 2 {
			pinned = it
		}
	}
	pin := pinned.Stops[1]
	code, out = edit("u-planner", "", map[string]any{"version": after.Plan.Version, "op": "pin", "team_id": pinned.TeamID, "date": pinned.Date, "seq": 2})
	if code != 200 || json.Unmarshal(out, &res) != nil || !res.Applied {
		t.Fatalf("pin: %d %s", code, out)
	}
	var rp circuit.View
	code, _, out = e.do(http.MethodPost, "/api/v1/circuit-plans/"+v.ID+"/replan", "u-planner", nil)
	if code != http.StatusAccepted || json.Unmarshal(out, &rp) != nil {
		t.Fatalf("re-optimise the rest: %d %s", code, out)
	}
	rp = e.waitPlan(rp.ID)
	held := false
	for _, it := range rp.Itineraries {
		for _, st := range it.Stops {
			if slices.Equal(st.RequestIDs, pin.RequestIDs) {
				held = it.TeamID == pinned.TeamID && it.Date == pinned.Date && st.Locked && st.Start == pin.Start
				if !held {
					t.Errorf("pinned visit %v of %s %s at %d is now %s %s at %d locked %v", pin.RequestIDs, pinned.TeamID, pinned.Date, pin.Start, it.TeamID, it.Date, st.Start, st.Locked)
				}
			}
		}
	}
	if !held {
		t.Errorf("the re-plan lost the pinned visit %v", pin.RequestIDs)
	}
	e.checkPlan(rp.ID)
}

// checkRuleRefused tries a level-breaking and a window-breaking move on
// plan v (at version) and wants each refused with its rule at its place.
func checkRuleRefused(t *testing.T, e *testEnv, path string, v circuit.View, version int64) {
	t.Helper()
	ctx := t.Context()
	items, _ := e.store.ListServiceItems(ctx)
	lowest := map[string]data.Level{}
	for _, it := range items {
		lowest[it.ID] = it.LowestLevel
	}
	villageTeams, _ := e.store.ListTeams(ctx, data.LevelVillage)
	agentOf := map[string]string{}
	for _, tm := range villageTeams {
		agentOf[tm.HomeCode] = tm.ID
	}
	works := map[circuit.TeamDay]bool{}
	for _, it := range v.Itineraries {
		works[circuit.TeamDay{Team: it.TeamID, Day: it.Date}] = len(it.Stops) > 0
	}
	refused := func(what string, body map[string]any, rule circuit.Rule, team, req string) {
		t.Helper()
		code, _, out := e.do(http.MethodPost, path, "u-planner", body)
		var ib infeasibleBody
		if code != http.StatusUnprocessableEntity || json.Unmarshal(out, &ib) != nil || !slices.ContainsFunc(ib.Evaluation.Violations, func(x circuit.Violation) bool {
			return x.Rule == rule && x.TeamID == team && x.RequestID == req
		}) {
			t.Errorf("%s: %d %s, want 422 with a %s violation at %s naming %s", what, code, out, rule, team, req)
		}
	}
	level, window := false, false
	for _, it := range v.Itineraries {
		for seq, st := range it.Stops {
			r, err := e.store.GetRequest(ctx, st.RequestIDs[0])
			if err != nil {
				t.Fatal(err)
			}
			move := map[string]any{"version": version, "op": "move", "team_id": it.TeamID, "date": it.Date, "seq": seq + 1}
			if agent := agentOf[st.VillageID]; !level && agent != "" && len(st.RequestIDs) == 1 && slices.ContainsFunc(r.ItemIDs, func(id string) bool { return lowest[id] != data.LevelVillage }) {
				level = true
				move["to_team_id"] = agent
				refused("county/township item to its village agent", move, circuit.RuleLevel, agent, r.ID)
				delete(move, "to_team_id")
			}
			if window || len(r.VisitWindows) == 0 {
				continue
			}
			for d := v.From; d <= v.To; d = d.AddDays(1) {
				home := slices.ContainsFunc(r.VisitWindows, func(w data.WeeklyWindow) bool { return w.Weekday == d.Weekday() })
				if !home && works[circuit.TeamDay{Team: it.TeamID, Day: d}] {
					window = true
					move["to_date"] = d
					refused("a visit on a day the household is out", move, circuit.RuleWindow, it.TeamID, r.ID)
					break
				}
			}
		}
	}
	if !level || !window {
		t.Errorf("the week has no visit to try: level %v, window %v", level, window)
	}
	if got, _ := e.store.GetPlan(ctx, v.ID); got.Plan.Version != version {
		t.Errorf("refused edits changed the plan: version %d → %d", version, got.Plan.Version)
	}
}
