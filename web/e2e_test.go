package web_test

import (
	"bytes"
	"context"
	"encoding/json"
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

// browserMissing skips the test loudly, or fails it when the CI demands a
// browser (XUNHUI_REQUIRE_BROWSER=1).
// needBrowser returns node and the Chromium binary for the browser tests,
// or reports them missing (browserMissing) when node, Chromium or one of
// the given files under web/e2e/node_modules is absent.
func needBrowser(t *testing.T, modules ...string) (node, chromium string) {
	t.Helper()
	chromium = os.Getenv("XUNHUI_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, err := exec.LookPath("node")
	if err != nil {
		browserMissing(t, "node not found")
	}
	if !exists(chromium) {
		browserMissing(t, chromium+" not found")
	}
	for _, m := range modules {
		if !exists(filepath.Join("e2e", "node_modules", m)) {
			browserMissing(t, "web/e2e/node_modules/"+m+" missing")
		}
	}
	return node, chromium
}

func browserMissing(t *testing.T, why string) {
	t.Helper()
	msg := "BROWSER TESTS NOT RUN: " + why + " (install: apt-get install chromium; npm ci --prefix web/e2e)"
	if os.Getenv("XUNHUI_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg)
	}
	fmt.Fprintln(os.Stderr, "!!!!! "+msg)
	t.Skip(msg)
}

// TestBrowser starts the real server (SQLite, seeded, circuit and market
// planners, web app) on 127.0.0.1:0 and runs web/e2e/run.mjs in headless
// chromium: sign-in, planning and publishing a week, a team member's day
// with an outcome, a coordinator's market-day adjustment, each at 1280 and
// 360 px with no horizontal overflow; screenshots in web/e2e/screenshots.
func TestBrowser(t *testing.T) {
	node, chromium := needBrowser(t, "playwright-core/package.json")

	ctx := context.Background()
	store := sqlitetest.New(t)
	rep, err := seed.Load(ctx, store, seed.Options{})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	admin := addUser(t, store, data.User{ID: "e2e-admin", Name: "管理员", Role: data.UserAdmin})
	planner := addUser(t, store, data.User{ID: "e2e-planner", Name: "县计划员", Role: data.UserCountyPlanner})
	towns, err := store.ListTownships(ctx)
	if err != nil || len(towns) == 0 {
		t.Fatalf("townships: %v (%d)", err, len(towns))
	}
	town := towns[1].ID // a rural township (not the county seat)
	coord := addUser(t, store, data.User{ID: "e2e-coord", Name: "乡镇协调员", Role: data.UserTownshipCoordinator, TownshipID: town})

	srv := api.NewServer(store, nil, api.Config{})
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	cir := circuit.NewService(store, circuit.Config{TimeLimit: 3 * time.Second, Queue: q})
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

	// The static app is public and carries a strict CSP; the API is not.
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); res.StatusCode != 200 || !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("GET /: status %d, CSP %q; want 200 with script-src 'self'", res.StatusCode, csp)
	}

	// A market plan for next month, so the coordinator has desks to adjust.
	next := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 1, 0)
	month := next.Format("2006-01")
	first := time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, time.UTC)
	var mp struct{ ID, Status string }
	call(t, base, admin, http.MethodPost, "/api/v1/market-plans", map[string]string{
		"from": first.Format("2006-01-02"), "to": first.AddDate(0, 1, -1).Format("2006-01-02")}, &mp)
	for deadline := time.Now().Add(2 * time.Minute); mp.Status != "done"; time.Sleep(300 * time.Millisecond) {
		if mp.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("market plan %s: status %q", mp.ID, mp.Status)
		}
		call(t, base, admin, http.MethodGet, "/api/v1/market-plans/"+mp.ID, nil, &mp)
	}

	shots := filepath.Join("e2e", "screenshots")
	cmdCtx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cmdCtx, node, "run.mjs")
	cmd.Dir = "e2e"
	cmd.Env = append(os.Environ(), "XH_BASE="+base, "XH_ADMIN_TOKEN="+admin, "XH_PLANNER_TOKEN="+planner,
		"XH_COORD_TOKEN="+coord, "XH_WEEK_FROM="+string(rep.Week), "XH_MARKET_MONTH="+month,
		"XH_CHROMIUM="+chromium, "XH_SHOTS="+mustAbs(t, shots))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("run.mjs output:\n%s", out.String())
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
	for _, name := range []string{"signin-360.png", "circuits-1280.png", "day-360.png", "market-adjusted-360.png"} {
		if !exists(filepath.Join(shots, name)) {
			t.Errorf("screenshot %s missing", name)
		}
	}
}

func addUser(t *testing.T, s data.Store, u data.User) string {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatalf("create user %s: %v", u.ID, err)
	}
	secret, hash, err := data.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, &data.Token{UserID: u.ID, Name: "e2e", Hash: hash}); err != nil {
		t.Fatalf("create token: %v", err)
	}
	return secret
}

func call(t *testing.T, base, token, method, path string, body, out any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: status %d", method, path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("%s %s: decode: %v", method, path, err)
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
