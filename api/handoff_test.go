package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/handoff"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// handoffClock is a settable clock for the hand-off service.
type handoffClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *handoffClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *handoffClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// TestHandoffChain: an item accepted at a market desk is forwarded township
// → county, decided there, and its result goes back on a visit the circuit
// planner plans; the ledger shows each stage, and a late stage as late.
func TestHandoffChain(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) { testHandoffChain(t, sf.open(t)) })
	}
}

func testHandoffChain(t *testing.T, store data.Store) {
	ctx := context.Background()
	// The week starts at least three days from now, so that the hand-off
	// clock (two days before it) is never before the store's today.
	now := time.Now().In(data.Local)
	week := data.DateOf(now).AddDays(3)
	for week.Time().Weekday() != time.Monday {
		week = week.AddDays(1)
	}
	if _, err := seed.Load(ctx, store, seed.Options{Week: week, Requests: 120}); err != nil {
		t.Fatal(err)
	}
	clock := &handoffClock{t: week.Time().Add(-48*time.Hour + 9*time.Hour)}
	srv := NewServer(store, newTestLogger(&syncBuffer{}), Config{})
	cfg := circuit.Config{MaxIterations: 300, TimeLimit: 20 * time.Second, Threads: 1,
		Now: func() time.Time { return week.Time().Add(-48 * time.Hour) }}
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	cfg.Queue = q
	cir := circuit.NewService(store, cfg)
	jobstest.Handle(cir, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	srv.SetCircuit(cir)
	srv.SetHandoffs(handoff.New(store, clock.now))
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(c)
	})
	e := &testEnv{t: t, srv: srv, store: store, url: srv.URL(), tokens: map[string]string{},
		client: &http.Client{Timeout: 60 * time.Second}, logs: &syncBuffer{}}

	// A seeded request with an item decided at the county (跨层级).
	reqs, _, err := store.ListRequests(ctx, data.RequestFilter{Limit: data.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var req data.Request
	var item data.ServiceItem
	for _, r := range reqs {
		for _, id := range r.ItemIDs {
			it, err := store.GetServiceItem(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if it.List == data.ListCrossLevel && it.HandledAt == data.LevelCounty && req.ID == "" && len(r.VisitWindows) == 0 {
				req, item = r, it
			}
		}
	}
	if req.ID == "" {
		t.Fatal("no seeded request has a county-handled cross-level item")
	}
	e.addUser(data.User{ID: "u-planner", Name: "Planner (SAMPLE)", Role: data.UserCountyPlanner})
	e.addUser(data.User{ID: "u-coord", Name: "Coordinator (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: req.TownshipID})
	other := "511822101000"
	if other == req.TownshipID {
		other = "511822102000"
	}
	e.addUser(data.User{ID: "u-coord2", Name: "Other coordinator (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: other})

	today := data.DateOf(clock.now())
	var v handoff.View
	e.postJSON("/api/v1/handoffs", "u-coord", map[string]any{"request_id": req.ID, "item_id": item.ID,
		"accepted_via": "market_desk", "holder": "赶集日服务台"}, http.StatusCreated, &v)
	if v.Stage != 0 || v.Level != data.LevelTownship || v.Late || v.Stages[0].Due != today.AddDays(3) || v.Status != data.HandoffOpen {
		t.Fatalf("accepted: %+v", v)
	}
	id := v.ID
	// Not the deciding level yet: a result is refused, naming why.
	var eb calErrorBody
	e.postJSON("/api/v1/handoffs/"+id+"/result", "u-coord", map[string]any{"version": v.Version}, http.StatusUnprocessableEntity, &eb)
	if eb.Error.Field != "level" {
		t.Errorf("early result: %+v, want field level", eb.Error)
	}
	// Another township's coordinator does not see it.
	e.getJSON("/api/v1/handoffs/"+id, "u-coord2", http.StatusNotFound, nil)

	clock.set(clock.now().Add(24 * time.Hour))
	e.postJSON("/api/v1/handoffs/"+id+"/forward", "u-coord", map[string]any{"version": v.Version, "holder": "县医疗保障局"}, http.StatusOK, &v)
	if v.Stage != 1 || v.Level != data.LevelCounty || v.Holder != "县医疗保障局" || v.Stages[0].Done != today.AddDays(1) || v.Late {
		t.Fatalf("forwarded: %+v", v)
	}
	e.postJSON("/api/v1/handoffs/"+id+"/forward", "u-planner", map[string]any{"version": v.Version, "holder": "x"}, http.StatusUnprocessableEntity, nil)
	e.postJSON("/api/v1/handoffs/"+id+"/result", "u-planner", map[string]any{"version": v.Version - 1}, http.StatusConflict, nil)
	e.postJSON("/api/v1/handoffs/"+id+"/result", "u-planner", map[string]any{"version": v.Version, "note": "准予"}, http.StatusOK, &v)
	if v.Status != data.HandoffDelivering || v.DeliveryRequestID == "" || v.Stage != 2 || !v.Stages[2].Delivery || v.Late {
		t.Fatalf("decided: %+v", v)
	}
	delivery, err := store.GetRequest(ctx, v.DeliveryRequestID)
	if err != nil {
		t.Fatal(err)
	}
	if delivery.Household.VillageID != req.Household.VillageID || !slices.Equal(delivery.ItemIDs, []string{item.ID}) || delivery.Status != data.StatusPending {
		t.Fatalf("delivery request %+v", delivery)
	}

	// The circuit planner plans the delivery as a visit in the week.
	var created struct{ ID string }
	e.postJSON("/api/v1/circuit-plans", "u-planner", map[string]any{"from": string(week), "to": string(week.AddDays(4))}, http.StatusAccepted, &created)
	pv := e.waitPlan(created.ID)
	plan, err := store.GetPlan(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	var on data.Date
	for _, it := range plan.Itineraries {
		for _, st := range it.Stops {
			if slices.Contains(st.RequestIDs, delivery.ID) {
				on = it.Date
			}
		}
	}
	if on == "" || on > delivery.Deadline {
		for _, u := range pv.Unassigned {
			if u.RequestID == delivery.ID {
				t.Logf("unassigned: %+v", u)
			}
		}
		t.Fatalf("delivery %s planned on %q, want a visit by %s", delivery.ID, on, delivery.Deadline)
	}
	// The visit is done: the ledger shows the chain delivered, nothing late.
	e.postJSON("/api/v1/requests/"+delivery.ID+"/status", "u-planner", map[string]any{"to": "done", "version": delivery.Version}, http.StatusOK, nil)
	e.getJSON("/api/v1/handoffs/"+id, "u-coord", http.StatusOK, &v)
	if v.Status != data.HandoffDelivered || v.Stage != -1 || v.Stages[2].Done == "" || v.Late || v.DeliveryStatus != data.StatusDone {
		t.Fatalf("delivered: %+v", v)
	}

	// A second file sits at the township past its three days: late.
	var late handoff.View
	e.postJSON("/api/v1/handoffs", "u-planner", map[string]any{"request_id": req.ID, "item_id": item.ID,
		"accepted_via": "township", "holder": "乡镇便民服务中心"}, http.StatusCreated, &late)
	clock.set(clock.now().Add(4 * 24 * time.Hour))
	var ledger listBody[handoff.View]
	e.getJSON("/api/v1/handoffs?late=true", "u-coord", http.StatusOK, &ledger)
	if ledger.Total != 1 || ledger.Items[0].ID != late.ID || !slices.Equal(ledger.Items[0].LateStages, []int{0}) || ledger.Items[0].Level != data.LevelTownship {
		t.Fatalf("late ledger: %+v", ledger)
	}
	// Forwarded late, the stage stays late in the ledger.
	e.postJSON("/api/v1/handoffs/"+late.ID+"/forward", "u-coord", map[string]any{"version": late.Version, "holder": "县医疗保障局"}, http.StatusOK, &late)
	if !late.Late || !slices.Equal(late.LateStages, []int{0}) || late.Level != data.LevelCounty {
		t.Fatalf("forwarded late: %+v", late)
	}
	e.getJSON("/api/v1/handoffs", "u-coord2", http.StatusOK, &ledger)
	if ledger.Total != 0 {
		t.Fatalf("another township's coordinator sees %d hand-offs", ledger.Total)
	}

	// 无差别受理: the other township's desk accepts an item of this
	// household; both desks follow that file (and only that one), the
	// accepting desk forwards it.
	var anywhere handoff.View
	e.postJSON("/api/v1/handoffs", "u-coord2", map[string]any{"request_id": req.ID, "item_id": item.ID,
		"accepted_via": "township", "holder": "外乡镇便民服务中心"}, http.StatusCreated, &anywhere)
	if anywhere.AcceptedTownship != other || anywhere.TownshipID != req.TownshipID || anywhere.Level != data.LevelTownship {
		t.Fatalf("accepted anywhere: %+v", anywhere)
	}
	e.getJSON("/api/v1/handoffs", "u-coord2", http.StatusOK, &ledger)
	if ledger.Total != 1 || ledger.Items[0].ID != anywhere.ID {
		t.Fatalf("the accepting desk's ledger: %+v", ledger)
	}
	e.getJSON("/api/v1/handoffs/"+anywhere.ID, "u-coord", http.StatusOK, nil)
	e.getJSON("/api/v1/handoffs/"+late.ID, "u-coord2", http.StatusNotFound, nil)
	e.postJSON("/api/v1/handoffs/"+anywhere.ID+"/forward", "u-coord2", map[string]any{"version": anywhere.Version, "holder": "县医疗保障局"}, http.StatusOK, &anywhere)
	if anywhere.Level != data.LevelCounty {
		t.Fatalf("forwarded by the accepting desk: %+v", anywhere)
	}
	e.getJSON("/api/v1/handoffs?late=maybe", "u-planner", http.StatusBadRequest, nil)
	e.postJSON("/api/v1/handoffs", "u-planner", map[string]any{"request_id": req.ID, "item_id": "NOPE-1",
		"accepted_via": "township", "holder": "x"}, http.StatusUnprocessableEntity, &eb)
	if eb.Error.Field != "item_id" {
		t.Errorf("unknown item: %+v", eb.Error)
	}
	_ = fmt.Sprint
}

// postJSON posts body to path as user, expects want and decodes the answer into v.
func (e *testEnv) postJSON(path, user string, body any, want int, v any) {
	e.t.Helper()
	code, _, out := e.do(http.MethodPost, path, user, body)
	if code != want {
		e.t.Fatalf("POST %s as %s: status %d, want %d; body %s", path, user, code, want, out)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			e.t.Fatalf("POST %s: decode: %v; body %s", path, err, out)
		}
	}
}
