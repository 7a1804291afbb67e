package api

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// newCircuitEnv starts the real server on 127.0.0.1:0 over store seeded with
// the county seed (SAMPLE staff, teams and 120 requests for week), with the
// circuit planner capped at a few iterations so that the test stays quick.
func newCircuitEnv(t *testing.T, store data.Store, week data.Date) *testEnv {
	t.Helper()
	ctx := context.Background()
	if _, err := seed.Load(ctx, store, seed.Options{Week: week, Requests: 120}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	logs := &syncBuffer{}
	srv := NewServer(store, newTestLogger(logs), Config{})
	cfg := circuit.Config{MaxIterations: 150, TimeLimit: 20 * time.Second, Threads: 1,
		Now: func() time.Time { return week.Time().Add(-48 * time.Hour) }}
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	cfg.Queue = q
	svc := circuit.NewService(store, cfg)
	jobstest.Handle(svc, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	srv.SetCircuit(svc)
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	e := &testEnv{t: t, srv: srv, store: store, url: srv.URL(), tokens: map[string]string{},
		client: &http.Client{Timeout: 60 * time.Second}, logs: logs}
	e.addUser(data.User{ID: "u-planner", Name: "Planner (SAMPLE)", Role: data.UserCountyPlanner})
	return e
}

func (e *testEnv) addUser(u data.User) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.store.CreateUser(ctx, &u); err != nil {
		e.t.Fatalf("create user %s: %v", u.ID, err)
	}
	secret, hash, err := data.NewToken()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.CreateToken(ctx, &data.Token{UserID: u.ID, Name: "test", Hash: hash}); err != nil {
		e.t.Fatalf("create token %s: %v", u.ID, err)
	}
	e.tokens[u.ID] = secret
}

// waitStatus polls GET /circuit-plans/{id} until the run has status st.
func (e *testEnv) waitStatus(id string, st circuit.RunStatus) circuit.View {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var v circuit.View
		e.getJSON("/api/v1/circuit-plans/"+id, "u-planner", http.StatusOK, &v)
		if v.Status == st {
			return v
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("plan %s still %s after 60 s, want %s", id, v.Status, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPlan polls GET /circuit-plans/{id} until the run is done or failed.
func (e *testEnv) waitPlan(id string) circuit.View {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var v circuit.View
		e.getJSON("/api/v1/circuit-plans/"+id, "u-planner", http.StatusOK, &v)
		if !v.Status.Active() {
			if v.Status != circuit.Done {
				e.t.Fatalf("plan %s %s: %s", id, v.Status, v.Error)
			}
			return v
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("plan %s still %s after 60 s", id, v.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkPlan re-checks a stored plan independently: snapshot of its
// requests from the store, a fresh estimate matrix, circuit.Check.
func (e *testEnv) checkPlan(id string) data.PlanDetail {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.store.GetPlan(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, it := range d.Itineraries {
		for _, st := range it.Stops {
			ids = append(ids, st.RequestIDs...)
		}
	}
	snap, err := circuit.LoadSnapshot(ctx, e.store, ids)
	if err != nil {
		e.t.Fatal(err)
	}
	var pts []data.Point
	var modes []data.TravelMode
	for _, tm := range snap.Teams {
		if sp, ok := snap.ServicePoints[tm.HomePointID]; ok {
			pts = append(pts, sp.Location)
		}
		modes = append(modes, tm.TravelMode)
	}
	for _, it := range d.Itineraries {
		for _, st := range it.Stops {
			pts = append(pts, st.Location)
		}
	}
	tr, err := circuit.NewTravel(ctx, nil, pts, nil, modes)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := circuit.Check(snap, d, tr); err != nil {
		e.t.Fatalf("plan %s fails the independent check: %v", id, err)
	}
	return d
}

func TestCircuitEndToEnd(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			week := seed.NextMonday(data.Today())
			e := newCircuitEnv(t, sf.open(t), week)
			testCircuitFlow(t, e, week)
		})
	}
}

func testCircuitFlow(t *testing.T, e *testEnv, week data.Date) {
	ctx := context.Background()
	post := func(path, user string, body any, want int, v any) []byte {
		t.Helper()
		code, _, b := e.do(http.MethodPost, path, user, body)
		if code != want {
			t.Fatalf("POST %s as %s: status %d, want %d; body %s", path, user, code, want, b)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatalf("POST %s: decode: %v", path, err)
			}
		}
		return b
	}

	// Bad input: a 400-day horizon, reversed dates, not a date.
	for _, tc := range []struct {
		name string
		body map[string]string
	}{
		{"400 days", map[string]string{"from": string(week), "to": string(week.AddDays(399))}},
		{"reversed", map[string]string{"from": string(week.AddDays(4)), "to": string(week)}},
		{"not a date", map[string]string{"from": "next monday", "to": string(week)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := post("/api/v1/circuit-plans", "u-planner", tc.body, http.StatusBadRequest, nil)
			if d := errBody(t, b); d.Field == "" {
				t.Errorf("error names no field: %s", b)
			}
		})
	}

	// A long run blocks the week: a second plan overlapping it is 409; DELETE
	// stops the first early and keeps its best plan.
	var long circuit.View
	post("/api/v1/circuit-plans", "u-planner", map[string]string{"from": string(week), "to": string(week.AddDays(27))}, http.StatusAccepted, &long)
	b := post("/api/v1/circuit-plans", "u-planner", map[string]string{"from": string(week), "to": string(week.AddDays(4))}, http.StatusConflict, nil)
	if d := errBody(t, b); d.Code != codeConflict {
		t.Errorf("concurrent plan: code %q, want conflict", d.Code)
	}
	if d := errBody(t, b); d.ID != long.ID {
		t.Errorf("concurrent plan: error.id %q, want the run in flight %s", d.ID, long.ID)
	}
	// The worker takes it from the queue; a DELETE then stops the search.
	e.waitStatus(long.ID, circuit.Running)
	if code, _, b := e.do(http.MethodDelete, "/api/v1/circuit-plans/"+long.ID, "u-planner", nil); code != http.StatusAccepted {
		t.Fatalf("DELETE running plan: %d %s", code, b)
	}
	// It ends done with the best plan found so far saved, not failed or empty.
	if v := e.waitPlan(long.ID); !v.Stopped || v.Status != circuit.Done || v.Plan == nil || v.Stats == nil || v.Stats.Served == 0 {
		t.Errorf("stopped plan: stopped_early %v, status %s, saved plan %v, stats %+v; want done with the best plan found", v.Stopped, v.Status, v.Plan != nil, v.Stats)
	} else {
		e.checkPlan(long.ID)
	}

	// Plan the week, poll, check independently.
	var run circuit.View
	post("/api/v1/circuit-plans", "u-planner", map[string]string{"from": string(week), "to": string(week.AddDays(4))}, http.StatusAccepted, &run)
	v := e.waitPlan(run.ID)
	if len(v.Itineraries) == 0 || v.Stats == nil || v.Stats.Served == 0 {
		t.Fatalf("plan %s serves nothing: %+v", v.ID, v.Stats)
	}
	if len(v.Progress) == 0 {
		t.Errorf("plan %s reports no progress", v.ID)
	}
	if v.Plan.Status != data.PlanDraft {
		t.Errorf("new plan status %q, want draft", v.Plan.Status)
	}
	e.checkPlan(v.ID)
	if code, h, body := e.do(http.MethodGet, "/api/v1/circuit-plans/"+v.ID+"/events", "u-planner", nil); code != http.StatusOK ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") || !strings.Contains(string(body), "event:done") {
		t.Errorf("events of a finished plan: %d %q %s", code, h.Get("Content-Type"), body)
	}
	if code, _, _ := e.do(http.MethodGet, "/api/v1/circuit-plans/P-nope", "u-planner", nil); code != http.StatusNotFound {
		t.Errorf("unknown plan: %d, want 404", code)
	}

	var lb listBody[data.Plan]
	e.getJSON("/api/v1/circuit-plans?status=draft&date="+string(week), "u-planner", http.StatusOK, &lb)
	found := false
	for _, p := range lb.Items {
		found = found || p.ID == v.ID
		if c := p.Summary.Circuit(); c.Decisions != nil || c.Unassigned != nil || (p.ID == v.ID && c.Stats.Requests == 0) {
			t.Errorf("plan list: want the figures only, got %+v", p.Summary)
		}
	}
	if !found {
		t.Errorf("plan %s not listed among %d drafts", v.ID, len(lb.Items))
	}

	// Explanation: a reason code for every unassigned request, a load per team.
	var ex circuit.Explanation
	e.getJSON("/api/v1/circuit-plans/"+v.ID+"/explanation", "u-planner", http.StatusOK, &ex)
	known := map[circuit.Code]bool{circuit.NoSkill: true, circuit.NoDayBeforeDeadline: true, circuit.HoursNeverMatch: true,
		circuit.TooFar: true, circuit.Capacity: true, circuit.BadData: true}
	for _, u := range ex.Unassigned {
		if !known[u.Code] {
			t.Errorf("unassigned %s: unknown code %q", u.RequestID, u.Code)
		}
	}
	if len(ex.Decisions) != ex.Stats.Requests || len(ex.Loads) == 0 {
		t.Errorf("explanation: %d decisions for %d requests, %d loads", len(ex.Decisions), ex.Stats.Requests, len(ex.Loads))
	}

	// A township coordinator sees only its township's teams.
	var coordTeam data.Team
	for _, it := range v.Itineraries {
		if tm, err := e.store.GetTeam(ctx, it.TeamID); err == nil && tm.Level == data.LevelTownship {
			coordTeam = tm
			break
		}
	}
	if coordTeam.ID != "" {
		tw := data.TownshipOf(coordTeam.HomeCode)
		e.addUser(data.User{ID: "u-coord", Name: "Coordinator (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: tw})
		var cv circuit.View
		e.getJSON("/api/v1/circuit-plans/"+v.ID, "u-coord", http.StatusOK, &cv)
		if len(cv.Itineraries) == 0 {
			t.Errorf("coordinator of %s sees no itinerary", tw)
		}
		for _, it := range cv.Itineraries {
			if tm, _ := e.store.GetTeam(ctx, it.TeamID); tm.Level == data.LevelCounty || data.TownshipOf(tm.HomeCode) != tw {
				t.Errorf("coordinator of %s sees team %s", tw, it.TeamID)
			}
		}
		if code, _, _ := e.do(http.MethodPost, "/api/v1/circuit-plans/"+v.ID+"/publish", "u-coord", nil); code != http.StatusForbidden {
			t.Errorf("coordinator publishing: status %d, want 403", code)
		}
	}

	// A dry run previews the diff and writes nothing: against no published
	// plan every visit is added. A stale version is 409; a coordinator 403.
	var pre circuit.Published
	post("/api/v1/circuit-plans/"+v.ID+"/publish?dry_run=true", "u-planner", map[string]int64{"version": v.Plan.Version}, http.StatusOK, &pre)
	visitCount := 0
	for _, it := range v.Itineraries {
		for _, st := range it.Stops {
			visitCount += len(st.RequestIDs)
		}
	}
	if pre.Status != data.PlanDraft || pre.Diff.Supersedes != "" || pre.Diff.Added != visitCount || pre.Diff.Removed != 0 || pre.Diff.Moved != 0 {
		t.Errorf("publish preview = status %q supersedes %q +%d -%d ~%d, want draft, none, +%d -0 ~0",
			pre.Status, pre.Diff.Supersedes, pre.Diff.Added, pre.Diff.Removed, pre.Diff.Moved, visitCount)
	}
	if r, err := e.store.GetRequest(ctx, v.Itineraries[0].Stops[0].RequestIDs[0]); err != nil || r.Status == data.StatusPlanned {
		t.Errorf("a dry run changed request %s: %q %v", r.ID, r.Status, err)
	}
	post("/api/v1/circuit-plans/"+v.ID+"/publish?dry_run=true", "u-planner", map[string]int64{"version": v.Plan.Version + 7}, http.StatusConflict, nil)
	post("/api/v1/circuit-plans/"+v.ID+"/publish?dry_run=maybe", "u-planner", nil, http.StatusBadRequest, nil)
	if code, _, _ := e.do(http.MethodPost, "/api/v1/circuit-plans/"+v.ID+"/publish?dry_run=true", "u-coord", nil); code != http.StatusForbidden {
		t.Errorf("coordinator previewing a publication: status %d, want 403", code)
	}

	// Route geometry for the map: one path per team-day with stops, base →
	// stops → base; the estimate source cannot route, so straight and
	// through every stop in order. A coordinator gets its township's teams.
	var rg struct {
		Routes []circuit.RouteGeometry
	}
	e.getJSON("/api/v1/circuit-plans/"+v.ID+"/routes", "u-planner", http.StatusOK, &rg)
	withStops := map[circuit.TeamDay]data.Itinerary{}
	for _, it := range v.Itineraries {
		if len(it.Stops) > 0 {
			withStops[circuit.TeamDay{Team: it.TeamID, Day: it.Date}] = it
		}
	}
	if len(rg.Routes) != len(withStops) {
		t.Errorf("routes: %d, want one per team-day with stops (%d)", len(rg.Routes), len(withStops))
	}
	for _, r := range rg.Routes {
		it, ok := withStops[circuit.TeamDay{Team: r.TeamID, Day: r.Date}]
		if !ok || r.Geometry != circuit.GeometryStraight || len(r.Path) != len(it.Stops)+2 || r.Path[0] != r.Path[len(r.Path)-1] {
			t.Errorf("route %s %s: geometry %q, %d points; want straight base → %d stops → base", r.TeamID, r.Date, r.Geometry, len(r.Path), len(it.Stops))
			continue
		}
		for i, st := range it.Stops {
			if r.Path[i+1] != [2]float64{st.Location.Lon, st.Location.Lat} {
				t.Errorf("route %s %s: point %d = %v, want stop %d at %v", r.TeamID, r.Date, i+1, r.Path[i+1], st.Seq, st.Location)
			}
		}
	}
	day := v.Itineraries[0].Date
	e.getJSON("/api/v1/circuit-plans/"+v.ID+"/routes?date="+string(day), "u-planner", http.StatusOK, &rg)
	for _, r := range rg.Routes {
		if r.Date != day {
			t.Errorf("routes?date=%s answers %s", day, r.Date)
		}
	}
	if code, _, _ := e.do(http.MethodGet, "/api/v1/circuit-plans/"+v.ID+"/routes?date=friday", "u-planner", nil); code != http.StatusBadRequest {
		t.Errorf("routes?date=friday: status %d, want 400", code)
	}
	if _, err := e.store.GetUser(ctx, "u-coord"); err == nil {
		e.getJSON("/api/v1/circuit-plans/"+v.ID+"/routes", "u-coord", http.StatusOK, &rg)
		u, _ := e.store.GetUser(ctx, "u-coord")
		for _, r := range rg.Routes {
			if tm, _ := e.store.GetTeam(ctx, r.TeamID); tm.Level == data.LevelCounty || data.TownshipOf(tm.HomeCode) != u.TownshipID {
				t.Errorf("coordinator of %s gets the route of team %s", u.TownshipID, r.TeamID)
			}
		}
	}

	// Publish: requests on the plan become planned.
	var pub data.Plan
	post("/api/v1/circuit-plans/"+v.ID+"/publish", "u-planner", nil, http.StatusOK, &pub)
	if pub.Status != data.PlanPublished {
		t.Fatalf("published plan status %q", pub.Status)
	}
	first := v.Itineraries[0]
	r0, err := e.store.GetRequest(ctx, first.Stops[0].RequestIDs[0])
	if err != nil || r0.Status != data.StatusPlanned {
		t.Errorf("request %s after publish: %q %v, want planned", first.Stops[0].RequestIDs[0], r0.Status, err)
	}

	// Itinerary of a team in every format, as a member of that team.
	e.addUser(data.User{ID: "u-member", Name: "Member (SAMPLE)", Role: data.UserTeamMember, TeamID: first.TeamID})
	base := fmt.Sprintf("/api/v1/teams/%s/itinerary?date=%s", first.TeamID, first.Date)
	var sh circuit.Sheet
	e.getJSON(base, "u-member", http.StatusOK, &sh)
	if len(sh.Stops) != len(first.Stops) || sh.Stops[0].VisitID == "" || len(sh.Stops[0].Households) == 0 || sh.Stops[0].Households[0].Phone == "" {
		t.Fatalf("sheet: %d stops (want %d), first %+v", len(sh.Stops), len(first.Stops), sh.Stops[0])
	}
	for _, f := range []struct{ format, ctype string }{
		{"geojson", "application/geo+json"}, {"gpx", "application/gpx+xml"}, {"ics", "text/calendar"}, {"html", "text/html"},
	} {
		t.Run("format "+f.format, func(t *testing.T) {
			code, h, body := e.do(http.MethodGet, base+"&format="+f.format, "u-member", nil)
			if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), f.ctype) {
				t.Fatalf("status %d type %q, want 200 %s: %s", code, h.Get("Content-Type"), f.ctype, body)
			}
			n := len(sh.Stops)
			switch f.format {
			case "geojson":
				var fc struct {
					Type     string `json:"type"`
					Features []struct {
						Properties map[string]any `json:"properties"`
					} `json:"features"`
				}
				if err := json.Unmarshal(body, &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != n+2 {
					t.Errorf("geojson: %v type %q features %d, want %d", err, fc.Type, len(fc.Features), n+2)
				}
			case "gpx":
				var g struct {
					Wpts []struct{} `xml:"wpt"`
				}
				if err := xml.Unmarshal(body, &g); err != nil || len(g.Wpts) != n {
					t.Errorf("gpx: %v, %d waypoints, want %d", err, len(g.Wpts), n)
				}
			case "ics":
				s := string(body)
				if !strings.HasPrefix(s, "BEGIN:VCALENDAR\r\n") || strings.Count(s, "BEGIN:VEVENT\r\n") != n {
					t.Errorf("ics: %d events, want %d", strings.Count(s, "BEGIN:VEVENT"), n)
				}
				for _, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
					if len(line) > 75 || strings.Contains(line, "\n") {
						t.Errorf("ics line not folded: %q", line)
					}
				}
			case "html":
				if !bytes.Contains(body, []byte("巡回服务路线单")) || bytes.Count(body, []byte("<tr>")) != n+1 {
					t.Errorf("html: %d rows, want %d", bytes.Count(body, []byte("<tr>")), n+1)
				}
			}
		})
	}
	for _, tc := range []struct {
		name, path string
		want       int
	}{
		{"other team", fmt.Sprintf("/api/v1/teams/%s/itinerary?date=%s", otherTeam(t, e, first.TeamID), first.Date), http.StatusForbidden},
		{"no date", fmt.Sprintf("/api/v1/teams/%s/itinerary", first.TeamID), http.StatusBadRequest},
		{"bad format", base + "&format=pdf", http.StatusBadRequest},
	} {
		if code, _, b := e.do(http.MethodGet, tc.path, "u-member", nil); code != tc.want {
			t.Errorf("%s: status %d, want %d: %s", tc.name, code, tc.want, b)
		}
	}
	if code, _, _ := e.do(http.MethodGet, "/api/v1/teams/T-NOPE/itinerary?date="+string(week), "u-planner", nil); code != http.StatusNotFound {
		t.Errorf("unknown team: status %d, want 404", code)
	}
	if code, _, _ := e.do(http.MethodPost, "/api/v1/circuit-plans", "u-member", map[string]string{"from": string(week), "to": string(week)}); code != http.StatusForbidden {
		t.Errorf("member starting a plan: status %d, want 403", code)
	}

	// Another team's visit answers exactly like a missing one (issue 22).
	checkedOther := false
	for _, it := range v.Itineraries {
		if it.TeamID == first.TeamID || len(it.Stops) == 0 {
			continue
		}
		other := fmt.Sprintf("%s~%s~%s~1", v.ID, it.TeamID, it.Date)
		missing := fmt.Sprintf("%s~%s~%s~99", v.ID, it.TeamID, it.Date)
		c1, _, b1 := e.do(http.MethodPost, "/api/v1/visits/"+other+"/outcome", "u-member", map[string]string{"outcome": "done"}, "X-Request-ID", "same")
		c2, _, b2 := e.do(http.MethodPost, "/api/v1/visits/"+missing+"/outcome", "u-member", map[string]string{"outcome": "done"}, "X-Request-ID", "same")
		if c1 != http.StatusNotFound || c2 != c1 || strings.ReplaceAll(string(b1), other, missing) != string(b2) {
			t.Errorf("another team's visit %d %s, a missing one %d %s: want the same 404", c1, b1, c2, b2)
		}
		checkedOther = true
		break
	}
	if !checkedOther {
		t.Error("the plan has no other team's visit to check")
	}

	// Outcomes: done for the first visit, nobody home for the second.
	var out outcomeResult
	post("/api/v1/visits/"+sh.Stops[0].VisitID+"/outcome", "u-member", map[string]string{"outcome": "done"}, http.StatusOK, &out)
	if len(out.Requests) == 0 || out.Requests[0].Status != data.StatusDone {
		t.Fatalf("outcome done: %+v", out)
	}
	if len(sh.Stops) > 1 {
		post("/api/v1/visits/"+sh.Stops[1].VisitID+"/outcome", "u-member", map[string]string{"outcome": "nobody_home", "note": "门锁着"}, http.StatusOK, &out)
		hist, err := e.store.RequestHistory(ctx, out.Requests[0].ID)
		if err != nil || out.Requests[0].Status != data.StatusFailed || !strings.Contains(hist[len(hist)-1].Note, "门锁着") {
			t.Errorf("outcome nobody_home: status %q history %+v %v", out.Requests[0].Status, hist, err)
		}
	}
	// Idempotency-Key: a repeat replays the answer and writes nothing; the
	// same key with another body is 409.
	if len(sh.Stops) > 2 {
		path := "/api/v1/visits/" + sh.Stops[2].VisitID + "/outcome"
		body := map[string]string{"outcome": "follow_up", "note": "缺材料"}
		code, _, b1 := e.do(http.MethodPost, path, "u-member", body, "Idempotency-Key", "phone-42")
		var first, again outcomeResult
		if code != http.StatusOK || json.Unmarshal(b1, &first) != nil || first.RecordedBy != "u-member" || first.RecordedAt.IsZero() {
			t.Fatalf("keyed outcome: %d %s", code, b1)
		}
		h1, _ := e.store.RequestHistory(ctx, first.Requests[0].ID)
		code, hdr, b2 := e.do(http.MethodPost, path, "u-member", body, "Idempotency-Key", "phone-42")
		if code != http.StatusOK || hdr.Get("Idempotent-Replayed") != "true" || json.Unmarshal(b2, &again) != nil ||
			!again.RecordedAt.Equal(first.RecordedAt) || again.Requests[0].Version != first.Requests[0].Version {
			t.Errorf("replayed outcome: %d %v %s, want the first answer %s", code, hdr, b2, b1)
		}
		if h2, _ := e.store.RequestHistory(ctx, first.Requests[0].ID); len(h2) != len(h1) {
			t.Errorf("replay wrote %d history entries", len(h2)-len(h1))
		}
		code, _, b3 := e.do(http.MethodPost, path, "u-member", map[string]string{"outcome": "done"}, "Idempotency-Key", "phone-42")
		if code != http.StatusConflict || errBody(t, b3).Field != "Idempotency-Key" {
			t.Errorf("key reused for another body: %d %s, want 409", code, b3)
		}
	}
	// A NUL in the note is refused at the edge, before any write, on both stores.
	if code, _, out := e.do(http.MethodPost, "/api/v1/visits/"+sh.Stops[0].VisitID+"/outcome", "u-member", map[string]string{"outcome": "done", "note": "a\x00"}); code != http.StatusBadRequest || errBody(t, out).Field != "note" {
		t.Errorf("NUL in outcome note: status %d %s, want 400 naming note", code, out)
	}
	if code, _, _ := e.do(http.MethodPost, "/api/v1/visits/"+sh.Stops[0].VisitID+"/outcome", "u-member", map[string]string{"outcome": "maybe"}); code != http.StatusUnprocessableEntity {
		t.Errorf("bad outcome: status %d, want 422", code)
	}
	if code, _, _ := e.do(http.MethodPost, "/api/v1/visits/P-x~T~2026-01-01~1/outcome", "u-member", map[string]string{"outcome": "done"}); code != http.StatusNotFound {
		t.Errorf("unknown visit: status %d, want 404", code)
	}

	// Slot suggestion for a new request.
	nr := data.Request{Ledger: data.LedgerProxy, Household: data.Household{Name: "新住户 (SAMPLE)", Phone: "13912345678", VillageID: sh.Stops[0].VillageID},
		ItemIDs: []string{firstItem(t, e, sh)}, Priority: 3, Source: "SAMPLE"}
	if err := e.store.CreateRequest(ctx, &nr); err != nil {
		t.Fatal(err)
	}
	var slots slotsResult
	e.getJSON("/api/v1/circuit-plans/"+v.ID+"/slots?request="+nr.ID+"&k=3", "u-planner", http.StatusOK, &slots)
	if len(slots.Slots) == 0 && slots.Reason == "" {
		t.Errorf("slots: none and no reason")
	}
	if len(slots.Slots) > 3 {
		t.Errorf("slots: %d, want ≤ 3", len(slots.Slots))
	}

	// Re-plan after the busiest team from Wednesday on drops out: its
	// members go on leave.
	wed := week.AddDays(2)
	load := map[string]int{}
	dropped := ""
	for _, it := range v.Itineraries {
		if it.Date >= wed {
			load[it.TeamID] += len(it.Stops)
			if dropped == "" || load[it.TeamID] > load[dropped] {
				dropped = it.TeamID
			}
		}
	}
	if dropped == "" {
		t.Fatal("no stops from Wednesday on")
	}
	tm, err := e.store.GetTeam(ctx, dropped)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range tm.MemberIDs {
		st, err := e.store.GetStaff(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		st.Leave = append(st.Leave, data.DateRange{From: wed, To: week.AddDays(4)})
		if err := e.store.PutStaff(ctx, []data.Staff{st}); err != nil {
			t.Fatal(err)
		}
	}
	// The published plan now shows the dropped team's visits as needing a re-plan.
	var pv circuit.View
	e.getJSON("/api/v1/circuit-plans/"+v.ID, "u-planner", http.StatusOK, &pv)
	if len(pv.NeedsReplan) == 0 {
		t.Errorf("published plan does not show needs_replan after its team went on leave")
	}
	for _, a := range pv.NeedsReplan {
		if a.TeamID != dropped || a.Date < wed {
			t.Errorf("needs_replan lists %+v, want only %s from %s", a, dropped, wed)
		}
	}
	var rp circuit.View
	post("/api/v1/circuit-plans/"+v.ID+"/replan", "u-planner", map[string]string{"now": string(wed)}, http.StatusAccepted, &rp)
	nv := e.waitPlan(rp.ID)
	if nv.Baseline != v.ID {
		t.Errorf("replan baseline %q, want %s", nv.Baseline, v.ID)
	}
	d := e.checkPlan(nv.ID)
	for _, it := range d.Itineraries {
		if it.TeamID == dropped && it.Date >= wed && len(it.Stops) > 0 {
			t.Errorf("replan still sends %s on %s", it.TeamID, it.Date)
		}
	}
	// Stops before Wednesday are kept as they were.
	before := map[string]string{}
	for _, it := range v.Itineraries {
		if it.Date < wed {
			b, _ := json.Marshal(it.Stops)
			before[it.TeamID+string(it.Date)] = string(b)
		}
	}
	for _, it := range d.Itineraries {
		if it.Date < wed {
			b, _ := json.Marshal(it.Stops)
			if before[it.TeamID+string(it.Date)] != string(b) {
				t.Errorf("replan changed the past itinerary %s %s", it.TeamID, it.Date)
			}
		}
	}
	// Every request of the dropped team's stops is reported as moved.
	moved := map[string]bool{}
	for _, m := range nv.Moves {
		moved[m.RequestID] = true
	}
	for _, it := range v.Itineraries {
		if it.TeamID == dropped && it.Date >= wed {
			for _, st := range it.Stops {
				for _, id := range st.RequestIDs {
					if !moved[id] {
						t.Errorf("request %s of dropped team %s not reported moved", id, dropped)
					}
				}
			}
		}
	}
	// Publishing the re-plan must name the version it supersedes; it then
	// returns the requests it left out to the pool.
	post("/api/v1/circuit-plans/"+nv.ID+"/publish", "u-planner", nil, http.StatusConflict, nil)
	// The preview finds the published version by itself and answers the
	// same diff that publishing then gives.
	var rpre circuit.Published
	post("/api/v1/circuit-plans/"+nv.ID+"/publish?dry_run=true", "u-planner", nil, http.StatusOK, &rpre)
	post("/api/v1/circuit-plans/"+nv.ID+"/publish?dry_run=true", "u-planner", map[string]string{"supersedes": nv.ID}, http.StatusConflict, nil)
	var rpub circuit.Published
	post("/api/v1/circuit-plans/"+nv.ID+"/publish", "u-planner", map[string]string{"supersedes": v.ID}, http.StatusOK, &rpub)
	if rpub.Status != data.PlanPublished || rpub.Diff.Supersedes != v.ID || rpub.Diff.Added+rpub.Diff.Removed == 0 || len(rpub.Diff.TeamDays) == 0 {
		t.Errorf("publish answer = %+v, want the diff against %s with the dropped team's visits", rpub, v.ID)
	}
	if rpre.Diff.Supersedes != v.ID || rpre.Diff.Added != rpub.Diff.Added || rpre.Diff.Removed != rpub.Diff.Removed ||
		rpre.Diff.Moved != rpub.Diff.Moved || len(rpre.Diff.TeamDays) != len(rpub.Diff.TeamDays) {
		t.Errorf("preview diff %+v differs from the published diff %+v", rpre.Diff, rpub.Diff)
	}
	for _, td := range rpub.Diff.TeamDays {
		if td.Date < wed && (len(td.Added) > 0 || len(td.Removed) > 0) {
			t.Errorf("diff changes the past: %+v", td)
		}
	}
	var old circuit.View
	e.getJSON("/api/v1/circuit-plans/"+v.ID, "u-planner", http.StatusOK, &old)
	if old.Plan.Status != data.PlanSuperseded || old.Plan.SupersededBy != nv.ID {
		t.Errorf("old version after publish: %+v", old.Plan)
	}
	for _, m := range nv.Moves {
		if m.ToTeam != "" {
			continue
		}
		if r, err := e.store.GetRequest(ctx, m.RequestID); err != nil || r.Status != data.StatusPending {
			t.Errorf("request %s left out by the published re-plan: status %q %v, want pending", m.RequestID, r.Status, err)
		}
	}
	t.Logf("replan: %d moved, %d kept, %d fixed; %d of %d untouched stops moved", nv.Stats.Moved, nv.Stats.Kept, nv.Stats.Fixed, nv.Stats.MovedStops, nv.Stats.Untouched)
}

// otherTeam returns a team id other than id.
func otherTeam(t *testing.T, e *testEnv, id string) string {
	t.Helper()
	ts, err := e.store.ListTeams(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range ts {
		if tm.ID != id {
			return tm.ID
		}
	}
	t.Fatal("only one team")
	return ""
}

// firstItem returns the first item of the first household of the sheet.
func firstItem(t *testing.T, e *testEnv, sh circuit.Sheet) string {
	t.Helper()
	return sh.Stops[0].Households[0].Items[0].ID
}
