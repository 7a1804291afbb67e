package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/data/seed"
)

// TestMain lets the test binary act as the xunhui binary for the
// subprocess tests (XUNHUI_TEST_MAIN holds the arguments as JSON), so a
// server can really be killed with SIGKILL.
func TestMain(m *testing.M) {
	if a := os.Getenv("XUNHUI_TEST_MAIN"); a != "" {
		var args []string
		if err := json.Unmarshal([]byte(a), &args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		code := Main(ctx, args, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

const testToken = "durable-test-token-0123456789"

// proc is a xunhui subprocess.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	logs *lockedBuffer
	done chan struct{}
}

// startProc runs `xunhui args...` as a subprocess and, for serve, waits
// for its address.
func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	b, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "XUNHUI_TEST_MAIN="+string(b), "XUNHUI_ADMIN_TOKEN="+testToken)
	p := &proc{t: t, cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	if args[0] != "serve" {
		return p
	}
	select {
	case p.url = <-urls:
	case <-p.done:
		t.Fatalf("%v exited before listening:\n%s", args, p.logs)
	case <-time.After(90 * time.Second):
		t.Fatalf("%v did not listen within 90 s:\n%s", args, p.logs)
	}
	return p
}

// kill ends the process with SIGKILL (no cleanup at all) and waits.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// call sends a JSON request and decodes the answer into out (if not nil).
func (p *proc) call(method, path string, body any, out any) (int, []byte) {
	p.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.url+path, r)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			p.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode, b
}

// runState is the part of a circuit or market plan view these tests read.
type runState struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// waitState polls path until ok(state) or the deadline.
func (p *proc) waitState(path string, within time.Duration, ok func(runState) bool) runState {
	p.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var s runState
		code, b := p.call(http.MethodGet, path, nil, &s)
		if code == http.StatusTooManyRequests { // the API's rate limit: back off
			time.Sleep(time.Second)
			continue
		}
		if code != http.StatusOK {
			p.t.Fatalf("GET %s: %d %s", path, code, b)
		}
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("GET %s: still %s after %s\nlogs:\n%s", path, s.Status, within, tail(p.logs.String(), 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func isFinal(s runState) bool {
	return s.Status == "done" || s.Status == "failed" || s.Status == "cancelled"
}

// durableStores runs fn with the store flags of a fresh SQLite file and of
// a fresh PostgreSQL database.
func durableStores(t *testing.T, fn func(t *testing.T, store []string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, []string{"--db", filepath.Join(t.TempDir(), "xunhui.db"), "--database-url", ""})
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, []string{"--database-url", pgtest.NewDatabase(t)})
	})
}

// shortLimits are the queue settings of these tests: 3 s searches, an
// 8 s job timeout, rescue after 10 s, quick polling and reconciling.
var shortLimits = []string{"--plan-time-limit", "3s", "--job-timeout", "8s", "--rescue-after", "10s",
	"--job-poll", "200ms", "--reconcile-every", "2s", "--market-iterations", "2000000000"}

func serveArgs(store []string, extra ...string) []string {
	// The rate limits are not under test here: these tests poll.
	a := append([]string{"serve", "--addr", "127.0.0.1:0", "--seed-if-empty", "--no-scheduler", "--log-format", "text",
		"--rate-per-token", "0", "--rate-per-address", "0"}, store...)
	a = append(a, shortLimits...)
	return append(a, extra...)
}

// TestKilledServerRunsRecover kills a server (SIGKILL) while it runs a
// circuit plan and a market plan; after a restart on the same database
// each run ends done or failed with a reason within 60 s (River rescues
// the stuck jobs and plans them again), and a new run of the same period
// is accepted.
func TestKilledServerRunsRecover(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	durableStores(t, func(t *testing.T, store []string) {
		week := seed.NextMonday(data.Today())
		circuitBody := map[string]string{"from": string(week), "to": string(week.AddDays(4))}
		month := data.DateOf(time.Now()).AddDays(40)
		marketBody := map[string]string{"from": string(month), "to": string(month.AddDays(27))}

		a := startProc(t, serveArgs(store, "--workers", "2")...)
		var c, m runState
		if code, b := a.call(http.MethodPost, "/api/v1/circuit-plans", circuitBody, &c); code != http.StatusAccepted {
			t.Fatalf("POST circuit-plans: %d %s", code, b)
		}
		if code, b := a.call(http.MethodPost, "/api/v1/market-plans", marketBody, &m); code != http.StatusAccepted {
			t.Fatalf("POST market-plans: %d %s", code, b)
		}
		cPath, mPath := "/api/v1/circuit-plans/"+c.ID, "/api/v1/market-plans/"+m.ID
		running := func(s runState) bool { return s.Status == "running" }
		a.waitState(cPath, 30*time.Second, running)
		a.waitState(mPath, 30*time.Second, running)
		a.kill()

		t0 := time.Now()
		b := startProc(t, serveArgs(store, "--workers", "2")...)
		cs := b.waitState(cPath, 60*time.Second-time.Since(t0), isFinal)
		ms := b.waitState(mPath, 60*time.Second-time.Since(t0), isFinal)
		t.Logf("after the restart (%.1f s): circuit %s %q, market %s %q", time.Since(t0).Seconds(), cs.Status, cs.Error, ms.Status, ms.Error)
		for _, s := range []runState{cs, ms} {
			if s.Status != "done" && !(s.Status == "failed" && s.Error != "") {
				t.Errorf("run %s ended %s %q: want done, or failed with a reason", s.ID, s.Status, s.Error)
			}
		}
		// Both were planned again from scratch by the new process (attempt 2).
		for _, s := range []runState{cs, ms} {
			if s.Status == "done" && !strings.Contains(b.logs.String(), `msg="run started" run=`+s.ID) {
				t.Errorf("run %s is done but the restarted server never started it", s.ID)
			}
		}
		// The periods are free again.
		var c2, m2 runState
		if code, body := b.call(http.MethodPost, "/api/v1/circuit-plans", circuitBody, &c2); code != http.StatusAccepted {
			t.Errorf("new circuit plan of the same week: %d %s", code, body)
		}
		if code, body := b.call(http.MethodPost, "/api/v1/market-plans", marketBody, &m2); code != http.StatusAccepted {
			t.Errorf("new market plan of the same dates: %d %s", code, body)
		}
		if c2.ID != "" {
			b.waitState("/api/v1/circuit-plans/"+c2.ID, 60*time.Second, isFinal)
		}
		if m2.ID != "" {
			b.waitState("/api/v1/market-plans/"+m2.ID, 60*time.Second, isFinal)
		}
	})
}

var startedRE = regexp.MustCompile(`msg="run started" run=(P-[0-9a-f]+)`)

// TestTwoServersShareTheQueue: two servers on one PostgreSQL database and
// 20 queued plans: each plan runs exactly once, both servers run some, and
// the progress stream of a plan read from the server not running it shows
// progress and the final state.
func TestTwoServersShareTheQueue(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	store := []string{"--database-url", pgtest.NewDatabase(t)}
	extra := []string{"--workers", "1", "--plan-time-limit", "1s"}
	a := startProc(t, serveArgs(store, extra...)...)
	b := startProc(t, serveArgs(store, extra...)...)
	procs := []*proc{a, b}

	// 20 plans of distinct days (single-day horizons never overlap).
	first := seed.NextMonday(data.Today())
	var ids []string
	for i := 0; i < 20; i++ {
		d := first.AddDays(i)
		var v runState
		p := procs[i%2]
		if code, body := p.call(http.MethodPost, "/api/v1/circuit-plans", map[string]string{"from": string(d), "to": string(d)}, &v); code != http.StatusAccepted {
			t.Fatalf("POST plan %d: %d %s", i, code, body)
		}
		ids = append(ids, v.ID)
	}
	// Stream the first plan from both servers while it runs.
	streams := make([]string, 2)
	var wg sync.WaitGroup
	for i, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			streams[i] = readEvents(t, p.url+"/api/v1/circuit-plans/"+ids[0]+"/events")
		}()
	}
	for _, id := range ids {
		s := a.waitState("/api/v1/circuit-plans/"+id, 120*time.Second, isFinal)
		if s.Status != "done" {
			t.Errorf("plan %s: %s %q", id, s.Status, s.Error)
		}
	}
	wg.Wait()

	// Exactly once: one "run started" per plan across both logs, and
	// both servers ran some.
	starts := map[string]int{}
	per := []int{0, 0}
	for i, p := range procs {
		for _, m := range startedRE.FindAllStringSubmatch(p.logs.String(), -1) {
			starts[m[1]]++
			per[i]++
		}
	}
	for _, id := range ids {
		if starts[id] != 1 {
			t.Errorf("plan %s started %d times, want exactly once", id, starts[id])
		}
	}
	if per[0] == 0 || per[1] == 0 {
		t.Errorf("runs per server = %v: want both servers to run some", per)
	}
	t.Logf("runs per server: %v", per)

	// The stream read from the server that did not run the first plan.
	other := 0
	if strings.Contains(a.logs.String(), `msg="run started" run=`+ids[0]) {
		other = 1
	}
	s := streams[other]
	if !strings.Contains(s, "event:progress") || !strings.Contains(s, "event:done") {
		t.Errorf("events of %s read from the other server lack progress or the final state:\n%s", ids[0], tail(s, 2000))
	}
}

// readEvents reads an SSE stream to its end (at most 2 minutes).
func readEvents(t *testing.T, url string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestAPIOnlyReplicaAndWorker: `serve --workers 0` only accepts plans; a
// separate `xunhui worker` process on the same PostgreSQL database runs
// them, and the API replica reports the result.
func TestAPIOnlyReplicaAndWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	store := []string{"--database-url", pgtest.NewDatabase(t)}
	api := startProc(t, serveArgs(store, "--workers", "0")...)
	week := seed.NextMonday(data.Today())
	var v runState
	if code, body := api.call(http.MethodPost, "/api/v1/circuit-plans", map[string]string{"from": string(week), "to": string(week.AddDays(4))}, &v); code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	time.Sleep(time.Second)
	if s := api.waitState("/api/v1/circuit-plans/"+v.ID, time.Second, func(runState) bool { return true }); s.Status != "queued" {
		t.Fatalf("with no worker anywhere the plan is %s, want queued", s.Status)
	}
	w := startProc(t, append(append([]string{"worker", "--workers", "1", "--log-format", "text"}, store...), shortLimits...)...)
	if s := api.waitState("/api/v1/circuit-plans/"+v.ID, 60*time.Second, isFinal); s.Status != "done" {
		t.Fatalf("plan %s %q", s.Status, s.Error)
	}
	if !strings.Contains(w.logs.String(), `msg="run started" run=`+v.ID) {
		t.Errorf("the worker process did not run the plan:\n%s", tail(w.logs.String(), 2000))
	}
}
