package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/yingjing/xunhui/api"
	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/circuit"
	"github.com/yingjing/xunhui/web"
)

// TestFieldBrowser runs the field app (/field/) in headless Chromium at
// 360×740 with its service worker (web/e2e/field.mjs): one-time-code
// sign-in, sync, offline reload, three outcomes and a note offline, close and
// reopen offline, online with an interrupted upload retried (exactly three
// outcomes on the server), a conflict after a re-plan, axe, installability
// and the transfer budget. The figures are written to web/e2e/field-report.json.
func TestFieldBrowser(t *testing.T) {
	node, chromium := needBrowser(t, "playwright-core/package.json", "axe-core/axe.min.js")
	ctx := context.Background()
	store := sqlitetest.New(t)
	if _, err := seed.Load(ctx, store, seed.Options{}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	planner := addUser(t, store, data.User{ID: "e2e-planner", Name: "县计划员", Role: data.UserCountyPlanner})
	srv := api.NewServer(store, nil, api.Config{})
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	cir := circuit.NewService(store, circuit.Config{TimeLimit: 2 * time.Second, Queue: q})
	jobstest.Handle(cir, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	srv.SetCircuit(cir)
	srv.SetWeb(web.FS, api.WebConfig{})
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatalf("open: %v", err)
	}
	defer srv.Close(context.Background())
	base := srv.URL()

	// Plan the coming days and publish them.
	today := data.Today()
	var v struct {
		ID, Status  string
		Itineraries []data.Itinerary
	}
	call(t, base, planner, http.MethodPost, "/api/v1/circuit-plans", map[string]string{"from": string(today), "to": string(today.AddDays(6))}, &v)
	for deadline := time.Now().Add(2 * time.Minute); v.Status != "done"; time.Sleep(300 * time.Millisecond) {
		if v.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("circuit plan %s: status %q", v.ID, v.Status)
		}
		call(t, base, planner, http.MethodGet, "/api/v1/circuit-plans/"+v.ID, nil, &v)
	}
	var pub data.Plan
	call(t, base, planner, http.MethodPost, "/api/v1/circuit-plans/"+v.ID+"/publish", map[string]any{}, &pub)

	// The team-day with the most households (at least four).
	var best data.Itinerary
	count := func(it data.Itinerary) int {
		n := 0
		for _, s := range it.Stops {
			n += len(s.RequestIDs)
		}
		return n
	}
	for _, it := range v.Itineraries {
		if count(it) > count(best) {
			best = it
		}
	}
	if count(best) < 4 {
		t.Fatalf("no team-day with 4 households in the plan (best %d)", count(best))
	}
	member := data.User{ID: "e2e-field", Name: "测试队员", Role: data.UserTeamMember, TeamID: best.TeamID}
	if err := store.CreateUser(ctx, &member); err != nil {
		t.Fatal(err)
	}
	var code struct{ Code string }
	call(t, base, planner, http.MethodPost, "/api/v1/users/"+member.ID+"/signin-codes", map[string]any{}, &code)

	report := mustAbs(t, filepath.Join("e2e", "field-report.json"))
	cmdCtx, cancel := context.WithTimeout(ctx, 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cmdCtx, node, "field.mjs")
	cmd.Dir = "e2e"
	cmd.Env = append(os.Environ(), "XH_BASE="+base, "XH_CODE="+code.Code, "XH_DATE="+string(best.Date), "XH_PLANNER_TOKEN="+planner,
		"XH_MEMBER_ID="+member.ID, "XH_PLAN_ID="+v.ID, "XH_CHROMIUM="+chromium, "XH_SHOTS="+mustAbs(t, filepath.Join("e2e", "screenshots")),
		"XH_REPORT="+report)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("field.mjs output:\n%s", out.String())
	if err != nil {
		t.Fatalf("field browser test failed: %v", err)
	}
	var figures map[string]any
	b, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(b, &figures) != nil || figures["server_outcomes"] != 3.0 {
		t.Fatalf("report %s: %v %s", report, err, b)
	}
}
