package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// TestCrewsAPI (issue 21, crews from the county experts' pool; both
// stores): the seeded week planned through the API names each county car's
// crew and each visit's attendees; the test checks with its own code that
// attendees are on the crew and cover exactly their items' skills, that no
// expert rides two cars a day, and that the crew is smaller than the whole
// pool; after publishing, a crew member's calendar day is circuit and a
// county expert on no crew that day is desk_duty; the route sheet (JSON
// and printed) names the crew and the attendees.
func TestCrewsAPI(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			week := seed.NextMonday(data.Today())
			e := newCircuitEnv(t, sf.open(t), week)
			ctx := context.Background()
			staff, err := e.store.ListStaff(ctx, data.StaffFilter{})
			if err != nil {
				t.Fatal(err)
			}
			person := map[string]data.Staff{}
			for _, p := range staff {
				person[p.ID] = p
			}
			teams, err := e.store.ListTeams(ctx, data.LevelCounty)
			if err != nil {
				t.Fatal(err)
			}
			var pool []string
			for _, tm := range teams {
				pool = append(pool, tm.MemberIDs...)
			}
			rs, _, err := e.store.ListRequests(ctx, data.RequestFilter{Limit: data.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			items, err := e.store.ListServiceItems(ctx)
			if err != nil {
				t.Fatal(err)
			}
			skill := map[string]data.Skill{}
			for _, it := range items {
				skill[it.ID] = it.Skill
			}
			reqs := map[string]data.Request{}
			for _, r := range rs {
				reqs[r.ID] = r
			}

			var run circuit.View
			code, _, b := e.do(http.MethodPost, "/api/v1/circuit-plans", "u-planner", map[string]string{"from": string(week), "to": string(week.AddDays(4))})
			if code != http.StatusAccepted || json.Unmarshal(b, &run) != nil {
				t.Fatalf("plan = %d %s", code, b)
			}
			v := e.waitPlan(run.ID)
			type carStop struct {
				it data.Itinerary
				st data.Stop
			}
			var county []carStop
			onCar := map[string]string{}
			for _, it := range v.Itineraries {
				for _, id := range it.StaffIDs {
					k := id + " " + string(it.Date)
					if o, dup := onCar[k]; dup {
						t.Errorf("%s rides %s and %s on %s", id, o, it.TeamID, it.Date)
					}
					onCar[k] = it.TeamID
				}
				if !strings.HasPrefix(it.TeamID, "T-CTY") || len(it.Stops) == 0 {
					continue
				}
				if len(it.StaffIDs) == 0 || len(it.StaffIDs) >= len(pool) {
					t.Errorf("%s %s: crew %v of a pool of %d", it.TeamID, it.Date, it.StaffIDs, len(pool))
				}
				for _, st := range it.Stops {
					need := map[data.Skill]bool{}
					for _, rid := range st.RequestIDs {
						for _, iid := range reqs[rid].ItemIDs {
							need[skill[iid]] = true
						}
					}
					has := map[data.Skill]bool{}
					for _, id := range st.StaffIDs {
						if !slices.Contains(it.StaffIDs, id) {
							t.Errorf("%s %s stop %d: attendee %s not on the crew", it.TeamID, it.Date, st.Seq, id)
						}
						for _, k := range person[id].Skills {
							has[k] = true
						}
					}
					for k := range need {
						if !has[k] {
							t.Errorf("%s %s stop %d: no attendee with %s (attendees %v)", it.TeamID, it.Date, st.Seq, k, st.StaffIDs)
						}
					}
					if len(st.StaffIDs) > len(need) {
						t.Errorf("%s %s stop %d: %d attendees for %d skills", it.TeamID, it.Date, st.Seq, len(st.StaffIDs), len(need))
					}
					county = append(county, carStop{it, st})
				}
			}
			if len(county) == 0 {
				t.Fatal("no county visit planned")
			}
			code, _, b = e.do(http.MethodPost, "/api/v1/circuit-plans/"+v.ID+"/publish", "u-planner", map[string]int64{"version": v.Plan.Version})
			if code != http.StatusOK {
				t.Fatalf("publish = %d %s", code, b)
			}
			c := county[0]
			member := c.it.StaffIDs[0]
			var cal listBody[data.CalendarDay]
			e.getJSON(fmt.Sprintf("/api/v1/staff-calendar?staff=%s&from=%s&to=%s", member, c.it.Date, c.it.Date), "u-planner", http.StatusOK, &cal)
			if len(cal.Items) != 1 || cal.Items[0].Kind != data.DayCircuit {
				t.Errorf("calendar of crew member %s on %s = %+v, want circuit", member, c.it.Date, cal.Items)
			}
			desk := 0
			for _, id := range pool {
				if onCar[id+" "+string(c.it.Date)] != "" {
					continue
				}
				e.getJSON(fmt.Sprintf("/api/v1/staff-calendar?staff=%s&from=%s&to=%s", id, c.it.Date, c.it.Date), "u-planner", http.StatusOK, &cal)
				if len(cal.Items) != 1 || cal.Items[0].Kind == data.DayCircuit {
					t.Errorf("calendar of %s (on no crew) on %s = %+v, want not circuit", id, c.it.Date, cal.Items)
				} else if cal.Items[0].Kind == data.DayDeskDuty {
					desk++
				}
			}
			if desk == 0 {
				t.Errorf("no county expert on desk duty on %s: the crews took the whole pool", c.it.Date)
			}
			t.Logf("%d county visits; on %s crew of %s %v, %d county experts at the desk", len(county), c.it.Date, c.it.TeamID, c.it.StaffIDs, desk)
			var sh circuit.Sheet
			e.getJSON(fmt.Sprintf("/api/v1/teams/%s/itinerary?date=%s", c.it.TeamID, c.it.Date), "u-planner", http.StatusOK, &sh)
			var names []string
			for _, m := range sh.Members {
				names = append(names, m.ID)
			}
			if !slices.Equal(names, c.it.StaffIDs) {
				t.Errorf("sheet members %v, want the crew %v", names, c.it.StaffIDs)
			}
			ss := sh.Stops[c.st.Seq-1]
			var att []string
			for _, a := range ss.Attendees {
				att = append(att, a.ID)
				if a.Name != person[a.ID].Name {
					t.Errorf("attendee %s named %q, want %q", a.ID, a.Name, person[a.ID].Name)
				}
			}
			if !slices.Equal(att, c.st.StaffIDs) {
				t.Errorf("sheet stop %d attendees %v, want %v", c.st.Seq, att, c.st.StaffIDs)
			}
			code, _, b = e.do(http.MethodGet, fmt.Sprintf("/api/v1/teams/%s/itinerary?date=%s&format=html", c.it.TeamID, c.it.Date), "u-planner", nil)
			if code != http.StatusOK || !strings.Contains(string(b), "随车专家") || !strings.Contains(string(b), "到场专家："+person[c.st.StaffIDs[0]].Name) {
				t.Errorf("printed sheet = %d, does not name the crew and attendees", code)
			}
		})
	}
}
