package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects a command's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var listenRE = regexp.MustCompile(`xunhui: listening on (http://\S+)`)

// startServe runs `xunhui serve` through Main on a free port with a fresh
// SQLite file, seeded, and returns the base URL, the stdout buffer and a
// stop function that cancels the context (like SIGTERM) and returns Main's
// exit status.
func startServe(t *testing.T, dir string, extra ...string) (string, *lockedBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "xunhui.db"), "--database-url", "",
		"--seed-if-empty", "--no-scheduler", "--log-format", "text", "--shutdown-timeout", "10s"}, extra...)
	code := make(chan int, 1)
	go func() { code <- Main(ctx, args, stdout, stderr) }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		if m := listenRE.FindStringSubmatch(stdout.String()); m != nil {
			stop := func() int {
				cancel()
				select {
				case c := <-code:
					return c
				case <-time.After(30 * time.Second):
					t.Fatal("serve did not stop within 30 s of cancellation")
					return -1
				}
			}
			return m[1], stdout, stop
		}
		select {
		case c := <-code:
			cancel()
			t.Fatalf("serve exited with %d before listening\nstdout: %s\nstderr: %s", c, stdout, stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not listen within 90 s\nstdout: %s\nstderr: %s", stdout, stderr)
		}
	}
}

func getTotal(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	var body struct {
		Total int `json:"total"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return body.Total
}

// TestServeEndToEnd starts the real binary code path (Main → serve) on a
// seeded SQLite file with XUNHUI_ADMIN_TOKEN and reads the county through
// the API: 12 townships and 71 villages.
func TestServeEndToEnd(t *testing.T) {
	const token = "xh_test-admin-token-0123456789"
	t.Setenv("XUNHUI_ADMIN_TOKEN", token)
	dir := t.TempDir()
	base, _, stop := startServe(t, dir)
	for _, tc := range []struct {
		path string
		want int
	}{{"/api/v1/townships", 12}, {"/api/v1/villages", 71}} {
		if got := getTotal(t, base+tc.path, token); got != tc.want {
			t.Errorf("GET %s: total %d, want %d", tc.path, got, tc.want)
		}
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("readyz: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	resp, err = http.Get(base + "/api/v1/townships")
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("townships without a token: %v %v, want 401", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exit status after cancellation: %d, want 0", code)
	}
	// A second start on the same file: migrations and seed are no-ops and
	// the same token still works.
	base, _, stop = startServe(t, dir)
	if got := getTotal(t, base+"/api/v1/townships", token); got != 12 {
		t.Errorf("after restart: %d townships", got)
	}
	stop()
}

// TestServeFirstRunToken: without XUNHUI_ADMIN_TOKEN, the first start
// prints a new admin token once; the second start prints none.
func TestServeFirstRunToken(t *testing.T) {
	t.Setenv("XUNHUI_ADMIN_TOKEN", "")
	dir := t.TempDir()
	base, out, stop := startServe(t, dir)
	tok := regexp.MustCompile(`xh_[A-Za-z0-9_-]{43}`).FindString(out.String())
	if tok == "" {
		t.Fatalf("no admin token printed on first run:\n%s", out)
	}
	if got := getTotal(t, base+"/api/v1/townships", tok); got != 12 {
		t.Errorf("townships with the printed token: %d", got)
	}
	stop()
	_, out, stop = startServe(t, dir)
	defer stop()
	if strings.Contains(out.String(), "xh_") {
		t.Errorf("second run printed a token again:\n%s", out)
	}
}
