package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/api"
	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/circuit"
	"github.com/yingjing/xunhui/optimizer/market"
	"github.com/yingjing/xunhui/web"
)

// TestWorkbenchBrowser runs web/e2e/workbench.mjs in headless Chromium
// against the real server (SQLite, seeded, both planners): the staff and
// teams page (edit skills and shifts, a stale edit refused, membership, a
// leave day that marks the published plan for re-planning), a token that
// expires mid-edit (sign in again, the typed input is kept and saved), the
// market page (plan a month, a swap refused with its consequences and then
// confirmed by the planner, a coordinator who cannot confirm, a day with a
// booking and no desk flagged, publish), and axe on every workbench page and
// the field sign-in at 1280 and 360 px.
func TestWorkbenchBrowser(t *testing.T) {
	node, chromium := needBrowser(t, "playwright-core/package.json", "axe-core/axe.min.js")
	ctx := context.Background()
	store := sqlitetest.New(t)
	rep, err := seed.Load(ctx, store, seed.Options{})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	admin := addUser(t, store, data.User{ID: "e2e-admin", Name: "管理员", Role: data.UserAdmin})
	planner := addUser(t, store, data.User{ID: "e2e-planner", Name: "县计划员", Role: data.UserCountyPlanner})
	towns, err := store.ListTownships(ctx)
	if err != nil || len(towns) < 2 {
		t.Fatalf("townships: %v (%d)", err, len(towns))
	}
	town := towns[1].ID
	coord := addUser(t, store, data.User{ID: "e2e-coord", Name: "乡镇协调员", Role: data.UserTownshipCoordinator, TownshipID: town})

	srv := api.NewServer(store, nil, api.Config{})
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	cir := circuit.NewService(store, circuit.Config{TimeLimit: 2 * time.Second, Queue: q})
	jobstest.Handle(cir, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	srv.SetCircuit(cir)
	mkt := market.NewService(store, market.Config{Queue: q})
	jobstest.Handle(mkt, data.RunMarketPlan)(q)
	srv.SetMarket(mkt)
	srv.SetWeb(web.FS, api.WebConfig{})
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatalf("open: %v", err)
	}
	defer srv.Close(context.Background())
	base := srv.URL()

	// A published week of circuits, so that leave can take a planned day away.
	var v struct{ ID, Status string }
	call(t, base, planner, http.MethodPost, "/api/v1/circuit-plans", map[string]string{"from": string(rep.Week), "to": string(rep.Week.AddDays(4))}, &v)
	for deadline := time.Now().Add(2 * time.Minute); v.Status != "done"; time.Sleep(300 * time.Millisecond) {
		if v.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("circuit plan %s: status %q", v.ID, v.Status)
		}
		call(t, base, planner, http.MethodGet, "/api/v1/circuit-plans/"+v.ID, nil, &v)
	}
	var pub data.Plan
	call(t, base, planner, http.MethodPost, "/api/v1/circuit-plans/"+v.ID+"/publish", map[string]any{}, &pub)

	// A booking on the coordinator's first market day of next month.
	next := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 1, 0)
	first := time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, time.UTC)
	from, to := first.Format("2006-01-02"), first.AddDate(0, 1, -1).Format("2006-01-02")
	booked := bookFirstMarketDay(t, base, admin, town, from, to)

	shots := filepath.Join("e2e", "screenshots")
	cmdCtx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cmdCtx, node, "workbench.mjs")
	cmd.Dir = "e2e"
	cmd.Env = append(os.Environ(), "XH_BASE="+base, "XH_ADMIN_TOKEN="+admin, "XH_PLANNER_TOKEN="+planner, "XH_COORD_TOKEN="+coord,
		"XH_PLANNER_ID=e2e-planner", "XH_TOWN="+town, "XH_CIRCUIT_PLAN="+v.ID, "XH_MARKET_MONTH="+first.Format("2006-01"),
		"XH_BOOKED_DAY="+booked, "XH_CHROMIUM="+chromium, "XH_SHOTS="+mustAbs(t, shots))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("workbench.mjs output:\n%s", out.String())
	if err != nil {
		t.Fatalf("workbench browser tests failed: %v", err)
	}
}

// bookFirstMarketDay books a service item for a household of town on its
// first market day in [from, to] and returns that day.
func bookFirstMarketDay(t *testing.T, base, token, town, from, to string) string {
	t.Helper()
	var days struct{ Days []struct{ Date string } }
	call(t, base, token, http.MethodGet, "/api/v1/townships/"+town+"/market-days?from="+from+"&to="+to, nil, &days)
	var villages struct{ Items []data.Village }
	call(t, base, token, http.MethodGet, "/api/v1/villages?township="+town, nil, &villages)
	var items struct{ Items []data.ServiceItem }
	call(t, base, token, http.MethodGet, "/api/v1/service-items", nil, &items)
	if len(days.Days) == 0 || len(villages.Items) == 0 || len(items.Items) == 0 {
		t.Fatalf("no market day (%d), village (%d) or item (%d)", len(days.Days), len(villages.Items), len(items.Items))
	}
	last := ""
	for _, d := range days.Days {
		if day, ok := book(t, base, token, town, d.Date, villages.Items[0].ID, items.Items, &last); ok {
			return day
		}
	}
	t.Fatalf("no item could be booked on a market day of %s in %s–%s (last answer %s)", town, from, to, last)
	return ""
}

// book tries the items in turn on day; the first booking made wins.
func book(t *testing.T, base, token, town, day, village string, items []data.ServiceItem, last *string) (string, bool) {
	for _, it := range items {
		body := fmt.Sprintf(`{"item_id":%q,"household":{"name":"赶场户 (SAMPLE)","phone":"13900002222","village_id":%q}}`, it.ID, village)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/market-days/"+town+"/"+day+"/bookings", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusCreated {
			return day, true
		}
		*last = b.String()
		if strings.Contains(*last, `"field":"date"`) {
			return "", false
		}
	}
	return "", false
}
