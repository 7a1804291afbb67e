package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// TestGuidesAPI (both stores): the seeded guide rules are served and
// replaced all or nothing (bad rules named by field, nothing changed;
// coordinators read, only planners write); a plan gives every county and
// township home visit of an elderly-alone or disabled household its
// village's agent, except in the village whose agents are away (flagged
// absent); no agent guides two overlapping visits; after publishing, the
// staff calendar shows the agent's guided time and the route sheet (JSON
// and printed) names the agent or the reason.
func TestGuidesAPI(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			week := seed.NextMonday(data.Today())
			e := newCircuitEnv(t, sf.open(t), week)
			ctx := context.Background()
			var rules guideRulesResult
			e.getJSON("/api/v1/guide-rules", "u-planner", http.StatusOK, &rules)
			if len(rules.Rules) != 2 || rules.Rules[0].ID != "GR-DISABLED" || rules.Rules[1].Group != data.GroupElderlyAlone {
				t.Fatalf("seeded rules = %+v", rules.Rules)
			}
			rs, _, err := e.store.ListRequests(ctx, data.RequestFilter{Limit: data.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			reqs := map[string]data.Request{}
			count := map[string]int{}
			guided := func(r data.Request) bool {
				return slices.Contains(r.Groups, data.GroupElderlyAlone) || slices.Contains(r.Groups, data.GroupDisabled)
			}
			away := ""
			for _, r := range rs {
				reqs[r.ID] = r
				if v := r.Household.VillageID; guided(r) {
					if count[v]++; away == "" || count[v] > count[away] || (count[v] == count[away] && v < away) {
						away = v
					}
				}
			}
			e.addUser(data.User{ID: "u-coord", Name: "Coordinator (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: data.TownshipOf(away)})
			e.getJSON("/api/v1/guide-rules", "u-coord", http.StatusOK, &rules)
			if code, _, _ := e.do(http.MethodPut, "/api/v1/guide-rules", "u-coord", guideRulesInput{Rules: rules.Rules}); code != http.StatusForbidden {
				t.Errorf("coordinator PUT /guide-rules = %d, want 403", code)
			}
			bad := map[string]any{"rules": []map[string]any{
				{"id": "GR-X", "item_id": "NO-SUCH", "levels": []string{"county"}},
				{"id": "GR-Y", "group": "disabled", "levels": []string{"village"}}}}
			code, _, b := e.do(http.MethodPut, "/api/v1/guide-rules", "u-planner", bad)
			if code != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"rules[0].item_id"`) || !strings.Contains(string(b), `"rules[1].levels[0]"`) {
				t.Fatalf("bad rules = %d %s", code, b)
			}
			if code, _, b := e.do(http.MethodPut, "/api/v1/guide-rules", "u-planner", map[string]any{}); code != http.StatusBadRequest {
				t.Fatalf("no rules = %d %s", code, b)
			}
			e.getJSON("/api/v1/guide-rules", "u-planner", http.StatusOK, &rules)
			if len(rules.Rules) != 2 {
				t.Fatalf("a refused PUT changed the rules: %+v", rules.Rules)
			}
			code, _, b = e.do(http.MethodPut, "/api/v1/guide-rules", "u-planner", guideRulesInput{Rules: rules.Rules})
			if code != http.StatusOK {
				t.Fatalf("PUT the same rules = %d %s", code, b)
			}

			// The agents of the village with the most such households are away all week.
			staff, err := e.store.ListStaff(ctx, data.StaffFilter{})
			if err != nil {
				t.Fatal(err)
			}
			agents := map[string][]string{}
			person := map[string]data.Staff{}
			for _, p := range staff {
				person[p.ID] = p
				if p.Role == data.RoleVillageAgent || p.Role == data.RoleGridWorker {
					agents[p.HomeCode] = append(agents[p.HomeCode], p.ID)
				}
			}
			if len(agents[away]) == 0 {
				t.Fatalf("village %s has no agent", away)
			}
			for _, id := range agents[away] {
				code, _, b := e.do(http.MethodPost, "/api/v1/absences", "u-planner", map[string]any{"staff_id": id, "from": week,
					"to": week.AddDays(4), "kind": "sick", "reason": "病假 (SAMPLE)"})
				if code != http.StatusCreated {
					t.Fatalf("absence = %d %s", code, b)
				}
			}

			var run circuit.View
			code, _, b = e.do(http.MethodPost, "/api/v1/circuit-plans", "u-planner", map[string]string{"from": string(week), "to": string(week.AddDays(4))})
			if code != http.StatusAccepted || json.Unmarshal(b, &run) != nil {
				t.Fatalf("plan = %d %s", code, b)
			}
			v := e.waitPlan(run.ID)
			type visit struct {
				team string
				day  data.Date
				stop data.Stop
			}
			var withGuide, flagged []visit
			spans := map[string][]data.Stop{}
			for _, it := range v.Itineraries {
				tm, err := e.store.GetTeam(ctx, it.TeamID)
				if err != nil {
					t.Fatal(err)
				}
				for _, st := range it.Stops {
					need := false
					for _, id := range st.RequestIDs {
						need = need || (guided(reqs[id]) && tm.Level != data.LevelVillage)
					}
					where := fmt.Sprintf("%s %s stop %d", it.TeamID, it.Date, st.Seq)
					switch {
					case !need && st.Guide != nil:
						t.Errorf("%s: guide %+v where no rule asks for one", where, *st.Guide)
					case need && st.Guide == nil:
						t.Errorf("%s: no guide where the rules ask for one", where)
					case need && st.Guide.StaffID != "":
						if !slices.Contains(agents[st.VillageID], st.Guide.StaffID) || st.VillageID == away {
							t.Errorf("%s in %s: guide %s is not a present agent of the village", where, st.VillageID, st.Guide.StaffID)
						}
						k := st.Guide.StaffID + " " + string(it.Date)
						for _, o := range spans[k] {
							if o.Arrival < st.Depart && st.Arrival < o.Depart {
								t.Errorf("%s: guide %s also at a visit %d–%d", where, st.Guide.StaffID, o.Arrival, o.Depart)
							}
						}
						spans[k] = append(spans[k], st)
						withGuide = append(withGuide, visit{it.TeamID, it.Date, st})
					case need:
						if st.VillageID == away && st.Guide.Missing != data.GuideAbsent {
							t.Errorf("%s: agent away, reason %q", where, st.Guide.Missing)
						}
						flagged = append(flagged, visit{it.TeamID, it.Date, st})
					}
				}
			}
			if len(withGuide) == 0 || v.Stats == nil || v.Stats.Guided != len(withGuide) || v.Stats.GuideVisits != len(withGuide)+len(flagged) {
				t.Fatalf("%d guided, %d flagged; stats %+v", len(withGuide), len(flagged), v.Stats)
			}
			var absentFlag *visit
			for i, f := range flagged {
				if f.stop.Guide.Missing == data.GuideAbsent {
					absentFlag = &flagged[i]
				}
			}
			if absentFlag == nil {
				t.Fatalf("no visit in %s (agents away) flagged absent; flagged %+v", away, flagged)
			}
			t.Logf("%d visits guided, %d flagged", len(withGuide), len(flagged))

			code, _, b = e.do(http.MethodPost, "/api/v1/circuit-plans/"+v.ID+"/publish", "u-planner", map[string]int64{"version": v.Plan.Version})
			if code != http.StatusOK {
				t.Fatalf("publish = %d %s", code, b)
			}
			g := withGuide[0]
			var cal listBody[data.CalendarDay]
			e.getJSON(fmt.Sprintf("/api/v1/staff-calendar?staff=%s&from=%s&to=%s", g.stop.Guide.StaffID, g.day, g.day), "u-planner", http.StatusOK, &cal)
			want := data.GuideSpan{PlanID: v.ID, TeamID: g.team, Seq: g.stop.Seq, Start: g.stop.Arrival, End: g.stop.Depart}
			if len(cal.Items) != 1 || cal.Items[0].Kind != data.DayCircuit || !slices.Contains(cal.Items[0].Guiding, want) {
				t.Fatalf("calendar of guide %s on %s = %+v, want guiding %+v", g.stop.Guide.StaffID, g.day, cal.Items, want)
			}
			// The guide falls sick after publishing: the visit needs a re-plan, said so.
			code, _, b = e.do(http.MethodPost, "/api/v1/absences", "u-planner", map[string]any{"staff_id": g.stop.Guide.StaffID,
				"from": g.day, "to": g.day, "kind": "sick", "reason": "病假 (SAMPLE)"})
			if code != http.StatusCreated || !strings.Contains(string(b), `"ref":"`+g.team+`"`) && !strings.Contains(string(b), `"plan_id":"`+v.ID+`"`) {
				t.Fatalf("absence of the guide = %d %s, want the plan's claim affected", code, b)
			}
			var pv circuit.View
			e.getJSON("/api/v1/circuit-plans/"+v.ID, "u-planner", http.StatusOK, &pv)
			hit := false
			for _, a := range pv.NeedsReplan {
				hit = hit || (a.Reason == "guide_absent" && a.VisitID == circuit.VisitID(v.ID, g.team, g.day, g.stop.Seq) && a.StaffID == g.stop.Guide.StaffID)
			}
			if !hit {
				t.Errorf("needs_replan %+v lacks the guided visit %s %s stop %d", pv.NeedsReplan, g.team, g.day, g.stop.Seq)
			}
			var sh circuit.Sheet
			e.getJSON(fmt.Sprintf("/api/v1/teams/%s/itinerary?date=%s", g.team, g.day), "u-planner", http.StatusOK, &sh)
			ss := sh.Stops[g.stop.Seq-1]
			name := person[g.stop.Guide.StaffID].Name
			if ss.Guide == nil || ss.Guide.StaffID != g.stop.Guide.StaffID || ss.Guide.Name != name {
				t.Fatalf("sheet stop %d guide = %+v, want %s %s", g.stop.Seq, ss.Guide, g.stop.Guide.StaffID, name)
			}
			code, _, b = e.do(http.MethodGet, fmt.Sprintf("/api/v1/teams/%s/itinerary?date=%s&format=html", g.team, g.day), "u-planner", nil)
			if code != http.StatusOK || !strings.Contains(string(b), "带路：村代办员 "+name) {
				t.Fatalf("printed sheet = %d, does not name the guide %s", code, name)
			}
			code, _, b = e.do(http.MethodGet, fmt.Sprintf("/api/v1/teams/%s/itinerary?date=%s&format=html", absentFlag.team, absentFlag.day), "u-planner", nil)
			if code != http.StatusOK || !strings.Contains(string(b), "无带路：代办员请假") {
				t.Fatalf("printed sheet of %s %s = %d, does not say the agent is away", absentFlag.team, absentFlag.day, code)
			}
			// The township's weekly route-sheet workbook says the same, row by row.
			sheets := map[string]*excelize.File{}
			checked := 0
			for _, vs := range [][]visit{withGuide, flagged} {
				for _, x := range vs {
					tm, err := e.store.GetTeam(ctx, x.team)
					if err != nil || tm.Level != data.LevelTownship {
						continue
					}
					tw := data.TownshipOf(tm.HomeCode)
					f := sheets[tw]
					if f == nil {
						code, _, body := e.do(http.MethodGet, "/api/v1/townships/"+tw+"/route-sheets.xlsx?from="+string(week), "u-planner", nil)
						if code != http.StatusOK {
							t.Fatalf("route-sheet workbook of %s = %d", tw, code)
						}
						if f, err = excelize.OpenReader(bytes.NewReader(body)); err != nil {
							t.Fatal(err)
						}
						sheets[tw] = f
					}
					want := "无带路：" + guideWords[x.stop.Guide.Missing]
					if id := x.stop.Guide.StaffID; id != "" {
						want = strings.TrimSpace("村代办员 " + person[id].Name + " " + person[id].Phone)
					}
					rows, err := f.GetRows(tm.Name)
					if err != nil {
						t.Fatalf("sheet %s: %v", tm.Name, err)
					}
					n := 0
					for _, r := range rows[2:] {
						if len(r) > 1 && r[0] == string(x.day) && r[1] == fmt.Sprint(x.stop.Seq) {
							n++
							if len(r) < 14 || r[13] != want {
								t.Errorf("workbook %s %s stop %d: 带路 %q, want %q", tm.Name, x.day, x.stop.Seq, r[min(13, len(r)-1)], want)
							}
						}
					}
					if n == 0 {
						t.Errorf("workbook sheet %s has no row for %s stop %d", tm.Name, x.day, x.stop.Seq)
					}
					checked++
				}
			}
			if checked == 0 {
				t.Error("no guided or flagged visit on a township route: the workbook's 带路 column was not checked")
			}
			t.Logf("workbook 带路 checked on %d township visits", checked)
		})
	}
}
