package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/market"
)

// marketNow is the fixed clock of the market API tests.
var marketNow = time.Date(2026, 11, 30, 8, 0, 0, 0, data.Local)

// marketEnv is a real server on 127.0.0.1:0 with a market service over a
// store loaded by seed.Load (SAMPLE staff, items and market cycles), with
// users: admin, planner, coordinators of townships A and B, a team member.
type marketEnv struct {
	*testEnv
	svc     *market.Service
	a, b    string    // two townships with market days in December 2026
	dayA    data.Date // first market day of A in December 2026
	village string    // a village of A
	items   []data.ServiceItem
}

func eachMarketStore(t *testing.T, f func(t *testing.T, e *marketEnv)) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) { f(t, newMarketEnv(t, sf.open(t))) })
	}
}

func newMarketEnv(t *testing.T, store data.Store) *marketEnv {
	t.Helper()
	return newMarketEnvWith(t, store, market.Options{MaxIterations: 20_000, TimeLimit: time.Minute})
}

// newMarketEnvWith is newMarketEnv with the planner's search options.
func newMarketEnvWith(t *testing.T, store data.Store, opts market.Options) *marketEnv {
	t.Helper()
	ctx := context.Background()
	if _, err := seed.Load(ctx, store, seed.Options{Requests: 30}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	now := func() time.Time { return marketNow }
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	svc := market.NewService(store, market.Config{Now: now, Queue: q,
		Options: opts, ReplanIterations: 10_000})
	jobstest.Handle(svc, data.RunMarketPlan)(q)
	logs := &syncBuffer{}
	srv := NewServer(store, newTestLogger(logs), Config{Now: now})
	srv.SetMarket(svc)
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	e := &marketEnv{testEnv: &testEnv{t: t, srv: srv, store: store, url: srv.URL(), tokens: map[string]string{},
		client: &http.Client{Timeout: 30 * time.Second}, logs: logs}, svc: svc}
	ts, err := store.ListTownships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tw := range ts {
		days, err := svc.MarketDays(ctx, tw.ID, "2026-12-01", "2026-12-31")
		if err != nil {
			t.Fatal(err)
		}
		if len(days) == 0 {
			continue
		}
		if e.a == "" {
			e.a, e.dayA = tw.ID, days[0].Date
		} else if e.b == "" {
			e.b = tw.ID
		}
	}
	if e.b == "" {
		t.Fatal("seed has fewer than two townships with market days")
	}
	vs, _ := store.ListVillages(ctx, e.a)
	e.village = vs[0].ID
	e.items, _ = store.ListServiceItems(ctx)
	teamOf := map[string]string{} // township (or county) code -> a team based there
	teams, _ := store.ListTeams(ctx, "")
	for _, tm := range teams {
		if k := data.TownshipOf(tm.HomeCode); k != "" && teamOf[k] == "" {
			teamOf[k] = tm.ID
		} else if tm.HomeCode == data.CountyCode && teamOf[data.CountyCode] == "" {
			teamOf[data.CountyCode] = tm.ID
		}
	}
	for _, u := range []data.User{
		{ID: "u-admin", Name: "Admin (SAMPLE)", Role: data.UserAdmin},
		{ID: "u-planner", Name: "Planner (SAMPLE)", Role: data.UserCountyPlanner},
		{ID: "u-coordA", Name: "Coordinator A (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: e.a},
		{ID: "u-coordB", Name: "Coordinator B (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: e.b},
		{ID: "u-memberA", Name: "Member A (SAMPLE)", Role: data.UserTeamMember, TeamID: teamOf[e.a]},
		{ID: "u-memberB", Name: "Member B (SAMPLE)", Role: data.UserTeamMember, TeamID: teamOf[e.b]},
		{ID: "u-memberC", Name: "County member (SAMPLE)", Role: data.UserTeamMember, TeamID: teamOf[data.CountyCode]},
	} {
		u := u
		if err := store.CreateUser(ctx, &u); err != nil {
			t.Fatalf("user %s: %v", u.ID, err)
		}
		secret, hash, err := data.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CreateToken(ctx, &data.Token{UserID: u.ID, Name: "test", Hash: hash}); err != nil {
			t.Fatal(err)
		}
		e.tokens[u.ID] = secret
	}
	return e
}

// send does method path as user with body and checks the status; it
// decodes a JSON answer into v (if not nil) and returns the raw body.
func (e *marketEnv) send(method, path, user string, body any, want int, v any) []byte {
	e.t.Helper()
	code, _, out := e.do(method, path, user, body)
	if code != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d; body %s", method, path, user, code, want, out)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			e.t.Fatalf("%s %s: decode: %v; body %s", method, path, err, out)
		}
	}
	return out
}

func (e *marketEnv) booking(item string) map[string]any {
	return map[string]any{"item_id": item, "household": map[string]any{"name": "王大妈 (SAMPLE)", "phone": "13900001111", "village_id": e.village}}
}

func TestMarketDaysEndpoint(t *testing.T) {
	eachMarketStore(t, func(t *testing.T, e *marketEnv) {
		var res struct {
			Cycle  string `json:"cycle"`
			Sample bool   `json:"sample"`
			Days   []struct {
				Date   string `json:"date"`
				Reason string `json:"reason"`
			} `json:"days"`
		}
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-days?from=2026-12-01&to=2026-12-31", "u-coordB", nil, http.StatusOK, &res)
		if len(res.Days) == 0 || res.Days[0].Date != string(e.dayA) || res.Days[0].Reason == "" || res.Cycle == "" {
			t.Errorf("market days = %+v, want first %s with a reason", res, e.dayA)
		}
		code, _, body := e.do(http.MethodGet, "/api/v1/townships/"+e.a+"/market-days?from=2026-12-41", "u-planner", nil)
		if code != http.StatusBadRequest || errBody(t, body).Field != "from" {
			t.Errorf("bad from: %d %s, want 400 naming from", code, body)
		}
		if code, _, _ := e.do(http.MethodGet, "/api/v1/townships/511822999000/market-days", "u-planner", nil); code != http.StatusNotFound {
			t.Errorf("unknown township: %d, want 404", code)
		}
		var doc struct {
			Paths map[string]map[string]any `json:"paths"`
		}
		e.send(http.MethodGet, "/api/v1/openapi.json", "u-planner", nil, http.StatusOK, &doc)
		for _, p := range []string{"/api/v1/townships/{id}/market-days", "/api/v1/market-plans", "/api/v1/market-plans/{id}/adjustments",
			"/api/v1/market-days/{township}/{date}/bookings", "/api/v1/market-plans/{id}/townships/{township}/calendar.ics"} {
			if _, ok := doc.Paths[p]; !ok {
				t.Errorf("OpenAPI lacks %s", p)
			}
		}
	})
}

func TestMarketBookingsRejected(t *testing.T) {
	eachMarketStore(t, func(t *testing.T, e *marketEnv) {
		path := "/api/v1/market-days/" + e.a + "/" + string(e.dayA) + "/bookings"
		var b data.Booking
		e.send(http.MethodPost, path, "u-coordA", e.booking(e.items[0].ID), http.StatusCreated, &b)
		if b.ID == "" || b.Status != data.BookingBooked || b.CreatedBy != "u-coordA" {
			t.Errorf("booking = %+v", b)
		}
		notMarket := e.dayA.AddDays(1)
		for d := notMarket; ; d = d.AddDays(1) {
			if ds, _ := e.svc.MarketDays(context.Background(), e.a, d, d); len(ds) == 0 {
				notMarket = d
				break
			}
		}
		for _, tc := range []struct {
			name, path, user string
			body             any
			code             int
			field            string
		}{
			{"unknown item", path, "u-planner", e.booking("NO-SUCH-ITEM"), 422, "item_id"},
			{"past date", "/api/v1/market-days/" + e.a + "/2026-11-02/bookings", "u-planner", e.booking(e.items[0].ID), 422, "date"},
			{"not a market day", "/api/v1/market-days/" + e.a + "/" + string(notMarket) + "/bookings", "u-planner", e.booking(e.items[0].ID), 422, "date"},
			{"unknown field", path, "u-planner", map[string]any{"item": "x"}, 400, "item"},
			{"other township's coordinator", path, "u-coordB", e.booking(e.items[0].ID), 403, ""},
			{"team member of another township", path, "u-memberB", e.booking(e.items[0].ID), 403, ""},
			{"county team member", path, "u-memberC", e.booking(e.items[0].ID), 403, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, _, body := e.do(http.MethodPost, tc.path, tc.user, tc.body)
				if code != tc.code {
					t.Fatalf("status %d, want %d: %s", code, tc.code, body)
				}
				if got := errBody(t, body).Field; got != tc.field {
					t.Errorf("field %q, want %q (%s)", got, tc.field, body)
				}
			})
		}
		var list listBody[data.Booking]
		e.send(http.MethodGet, path, "u-coordA", nil, http.StatusOK, &list)
		if list.Total != 1 {
			t.Errorf("bookings listed: %d, want 1", list.Total)
		}
		e.send(http.MethodGet, path, "u-coordB", nil, http.StatusForbidden, nil)

		// Outcomes: B's coordinator may not touch A's booking; a bad status names the field.
		// Another township's booking answers exactly like a missing one.
		e.send(http.MethodPost, "/api/v1/bookings/"+b.ID+"/status", "u-coordB", map[string]string{"status": "served"}, http.StatusNotFound, nil)
		_, _, other := e.do(http.MethodPost, "/api/v1/bookings/"+b.ID+"/status", "u-coordB", map[string]string{"status": "served"}, "X-Request-ID", "same")
		_, _, none := e.do(http.MethodPost, "/api/v1/bookings/B-none/status", "u-coordB", map[string]string{"status": "served"}, "X-Request-ID", "same")
		if string(bytes.ReplaceAll(other, []byte(b.ID), []byte("B-none"))) != string(none) {
			t.Errorf("out-of-scope booking %s differs from a missing one %s", other, none)
		}
		// A team member books for their own team's township.
		var mb data.Booking
		e.send(http.MethodPost, path, "u-memberA", e.booking(e.items[0].ID), http.StatusCreated, &mb)
		code, _, body := e.do(http.MethodPost, "/api/v1/bookings/"+b.ID+"/status", "u-coordA", map[string]string{"status": "lost"})
		if code != 422 || errBody(t, body).Field != "status" {
			t.Errorf("bad status: %d %s, want 422 naming status", code, body)
		}
		var served data.Booking
		e.send(http.MethodPost, "/api/v1/bookings/"+b.ID+"/status", "u-coordA", map[string]string{"status": "served"}, http.StatusOK, &served)
		if served.Status != data.BookingServed || served.UpdatedBy != "u-coordA" {
			t.Errorf("after status: %+v", served)
		}
		e.send(http.MethodPost, "/api/v1/bookings/B-nope/status", "u-planner", map[string]string{"status": "served"}, http.StatusNotFound, nil)
	})
}

func TestMarketPlanFlow(t *testing.T) {
	eachMarketStore(t, func(t *testing.T, e *marketEnv) {
		path := "/api/v1/market-days/" + e.a + "/" + string(e.dayA) + "/bookings"
		for i := 0; i < 5; i++ {
			e.send(http.MethodPost, path, "u-planner", e.booking(e.items[i%3].ID), http.StatusCreated, nil)
		}
		horizon := map[string]string{"from": "2026-12-01", "to": "2026-12-31"}
		e.send(http.MethodPost, "/api/v1/market-plans", "u-coordA", horizon, http.StatusForbidden, nil)
		code, _, body := e.do(http.MethodPost, "/api/v1/market-plans", "u-planner", map[string]string{"from": "2026-12-01", "to": "2027-03-01"})
		if code != 422 || errBody(t, body).Field != "to" {
			t.Errorf("long horizon: %d %s, want 422 naming to", code, body)
		}
		var created marketPlanCreated
		e.send(http.MethodPost, "/api/v1/market-plans", "u-planner", horizon, http.StatusAccepted, &created)
		if created.ID == "" {
			t.Fatal("no plan id")
		}
		if _, err := e.svc.WaitPlan(context.Background(), created.ID); err != nil {
			t.Fatal(err)
		}
		plan := "/api/v1/market-plans/" + created.ID
		var v market.PlanView
		e.send(http.MethodGet, plan, "u-planner", nil, http.StatusOK, &v)
		if v.Status != market.RunDone || v.Publication != data.PlanDraft || len(v.Desks) == 0 {
			t.Fatalf("plan status %s/%s with %d desks (%s)", v.Status, v.Publication, len(v.Desks), v.Error)
		}
		if got := v.Stats.Bookings - len(v.Uncovered); got != v.Stats.Coverable {
			t.Errorf("covered %d bookings, coverable %d: %+v", got, v.Stats.Coverable, v.Uncovered)
		}
		// Role scoping: B's coordinator sees only B, and not A's views.
		var vb market.PlanView
		e.send(http.MethodGet, plan, "u-coordB", nil, http.StatusOK, &vb)
		for _, d := range vb.Desks {
			if d.TownshipID != e.b {
				t.Fatalf("coordinator B sees a desk of %s", d.TownshipID)
			}
		}
		e.send(http.MethodGet, plan+"/townships/"+e.a, "u-coordB", nil, http.StatusForbidden, nil)
		e.send(http.MethodGet, plan+"/townships/"+e.a+"/calendar.ics", "u-coordB", nil, http.StatusForbidden, nil)
		e.send(http.MethodPost, plan+"/adjustments", "u-coordB", map[string]any{"op": "lock", "township_id": e.a, "date": e.dayA}, http.StatusForbidden, nil)

		// Views, feed and poster.
		var va market.PlanView
		e.send(http.MethodGet, plan+"/townships/"+e.a, "u-coordA", nil, http.StatusOK, &va)
		deskA, ok := findDesk(va, e.a, e.dayA)
		if !ok || len(deskA.StaffIDs) == 0 {
			t.Fatalf("no staffed desk at %s on %s: %+v", e.a, e.dayA, va.Desks)
		}
		code, hdr, ics := e.do(http.MethodGet, plan+"/townships/"+e.a+"/calendar.ics", "u-coordA", nil)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/calendar") || !strings.Contains(string(ics), "DTSTART;TZID=Asia/Shanghai:") {
			t.Errorf("township ics: %d %s %.200s", code, hdr.Get("Content-Type"), ics)
		}
		code, _, ics = e.do(http.MethodGet, plan+"/staff/"+deskA.StaffIDs[0]+"/calendar.ics", "u-planner", nil)
		if code != 200 || !strings.Contains(string(ics), "BEGIN:VEVENT") {
			t.Errorf("staff ics: %d %.200s", code, ics)
		}
		var vs market.PlanView
		e.send(http.MethodGet, plan+"/staff/"+deskA.StaffIDs[0], "u-planner", nil, http.StatusOK, &vs)
		for _, d := range vs.Desks {
			if !slices.Contains(d.StaffIDs, deskA.StaffIDs[0]) {
				t.Errorf("person view has a desk without the person: %+v", d)
			}
		}
		code, hdr, html := e.do(http.MethodGet, plan+"/townships/"+e.a+"/poster?month=2026-12", "u-coordA", nil)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(string(html), "便民赶集日服务安排") {
			t.Errorf("poster: %d %s %.200s", code, hdr.Get("Content-Type"), html)
		}
		var aft listBody[market.Afternoon]
		e.send(http.MethodGet, plan+"/afternoons", "u-planner", nil, http.StatusOK, &aft)
		if aft.Total == 0 {
			t.Errorf("no afternoons handed over")
		}

		// Lock kept; a person locked in two places is a reported conflict.
		var v2 market.PlanView
		e.send(http.MethodPost, plan+"/adjustments", "u-coordA", map[string]any{"op": "lock", "township_id": e.a, "date": e.dayA}, http.StatusOK, &v2)
		if d, _ := findDesk(v2, e.a, e.dayA); !d.Locked || !slices.Equal(d.StaffIDs, deskA.StaffIDs) {
			t.Errorf("locked desk = %+v, want locked with %v", d, deskA.StaffIDs)
		}
		other := ""
		for _, d := range v.Desks {
			if d.TownshipID != e.a && d.Date == e.dayA {
				other = d.TownshipID
			}
		}
		if other == "" {
			t.Fatalf("no other desk on %s to make a conflict with", e.dayA)
		}
		var v3 market.PlanView
		e.send(http.MethodPost, plan+"/adjustments", "u-planner", map[string]any{"op": "lock", "township_id": other, "date": e.dayA, "staff_ids": deskA.StaffIDs[:1]}, http.StatusOK, &v3)
		found := false
		for _, c := range v3.Conflicts {
			found = found || (c.Kind == "two_places" && c.StaffID == deskA.StaffIDs[0] && c.TownshipID == other && c.Other == e.a)
		}
		if !found {
			t.Errorf("conflicts = %+v, want two_places for %s at %s", v3.Conflicts, deskA.StaffIDs[0], other)
		}
		var full market.PlanView
		e.send(http.MethodGet, plan, "u-planner", nil, http.StatusOK, &full)
		if last := full.Changes[len(full.Changes)-1]; last.By == "" || last.Op != "lock" {
			t.Errorf("change log tail = %+v, want a lock with its author", last)
		}
		if d, _ := findDesk(full, e.a, e.dayA); !d.Locked || !slices.Equal(d.StaffIDs, deskA.StaffIDs) {
			t.Errorf("lock not kept after the second adjustment: %+v", d)
		}

		// Publication.
		e.send(http.MethodPost, plan+"/publish", "u-coordA", map[string]any{}, http.StatusForbidden, nil)
		e.send(http.MethodPost, plan+"/publish", "u-planner", map[string]any{"version": full.Version + 5}, http.StatusConflict, nil)
		var pub market.PlanView
		e.send(http.MethodPost, plan+"/publish", "u-planner", map[string]any{"version": full.Version}, http.StatusOK, &pub)
		if pub.Publication != data.PlanPublished {
			t.Errorf("publication = %s, want published", pub.Publication)
		}
		e.send(http.MethodPost, plan+"/adjustments", "u-coordA", map[string]any{"op": "unlock", "township_id": e.a, "date": e.dayA}, http.StatusConflict, nil)
		e.send(http.MethodGet, "/api/v1/market-plans/P-nope", "u-planner", nil, http.StatusNotFound, nil)
		var plans listBody[market.PlanHeader]
		e.send(http.MethodGet, "/api/v1/market-plans?date=2026-12-15", "u-coordA", nil, http.StatusOK, &plans)
		if plans.Total != 1 || plans.Items[0].ID != created.ID || plans.Items[0].Publication != data.PlanPublished || plans.Items[0].Desks == 0 {
			t.Errorf("plans = %+v, want the one published plan", plans)
		}
	})
}

func findDesk(v market.PlanView, tid string, d data.Date) (data.Desk, bool) {
	for _, dk := range v.Desks {
		if dk.TownshipID == tid && dk.Date == d {
			return dk, true
		}
	}
	return data.Desk{}, false
}
