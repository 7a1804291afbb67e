package web_test

import (
	"bytes"
	"context"
	"encoding/json"
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

// boardRequests is the size of the week TestBoardBrowser plans: the county's
// busiest week in the issue (#20, "the 900-request week").
const boardRequests = 900

// TestBoardBrowser runs web/e2e/board.mjs in headless Chromium against a
// server seeded with a 900-request week: planning it in the browser with
// progress from the run's events, the first render of the timeline board
// (figures in web/e2e/board-report.json; docs/web.md gives them with the
// load average), filters and search checked against the API's data, the
// publish confirmation with its diff, the map's zoom, clusters and routes,
// and axe on those pages at 1280 and 360 px.
func TestBoardBrowser(t *testing.T) {
	node, chromium := needBrowser(t, "playwright-core/package.json", "axe-core/axe.min.js")
	ctx := context.Background()
	store := sqlitetest.New(t)
	rep, err := seed.Load(ctx, store, seed.Options{Requests: boardRequests})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	planner := addUser(t, store, data.User{ID: "e2e-planner", Name: "县计划员", Role: data.UserCountyPlanner})
	srv := api.NewServer(store, nil, api.Config{})
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	cir := circuit.NewService(store, circuit.Config{TimeLimit: 6 * time.Second, Queue: q})
	jobstest.Handle(cir, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	srv.SetCircuit(cir)
	srv.SetWeb(web.FS, api.WebConfig{})
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatalf("open: %v", err)
	}
	defer srv.Close(context.Background())

	report := mustAbs(t, filepath.Join("e2e", "board-report.json"))
	_ = os.Remove(report)
	cmdCtx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cmdCtx, node, "board.mjs")
	cmd.Dir = "e2e"
	cmd.Env = append(os.Environ(), "XH_BASE="+srv.URL(), "XH_PLANNER_TOKEN="+planner, "XH_WEEK_FROM="+string(rep.Week),
		"XH_CHROMIUM="+chromium, "XH_SHOTS="+mustAbs(t, filepath.Join("e2e", "screenshots")), "XH_REPORT="+report)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("board.mjs output:\n%s", out.String())
	if err != nil {
		t.Fatalf("board browser test failed: %v", err)
	}
	var figures struct {
		Requests      int       `json:"requests"`
		Visits        int       `json:"visits"`
		FirstRenderMS []float64 `json:"first_render_ms"`
	}
	b, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(b, &figures) != nil || figures.Requests < boardRequests || len(figures.FirstRenderMS) == 0 {
		t.Fatalf("report %s: %v %s", report, err, b)
	}
	t.Logf("first render of the board, %d requests, %d visits: %v ms", figures.Requests, figures.Visits, figures.FirstRenderMS)
}
