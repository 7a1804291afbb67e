package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yingjing/xunhui/data/postgres/pgtest"
)

// schedArgs are serveArgs with the recurring jobs on, schedule changes
// picked up within 500 ms.
func schedArgs(store []string, extra ...string) []string {
	var a []string
	for _, s := range serveArgs(store, extra...) {
		if s != "--no-scheduler" {
			a = append(a, s)
		}
	}
	return append(a, "--schedule-reload", "500ms")
}

// jobRun is the part of GET /api/v1/job-runs these tests read.
type jobRun struct {
	ID      string    `json:"id"`
	Job     string    `json:"job"`
	Slot    time.Time `json:"slot"`
	Trigger string    `json:"trigger"`
	Replica string    `json:"replica"`
	Outcome string    `json:"outcome"`
	Error   string    `json:"error"`
	Summary string    `json:"summary"`
}

// TestRecurringSlotFiresOnceAcrossProcesses: three server processes on one
// PostgreSQL database (one on an SQLite file, the embedded store's
// single-process case). A PUT on one of them moves the deadline
// escalation to a slot a few seconds ahead; afterwards exactly one River
// job exists for that slot (PostgreSQL), exactly one process started a run
// for it (the logs of all three), and its one run record says ok.
func TestRecurringSlotFiresOnceAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	for _, tc := range []struct {
		name  string
		procs int
	}{{"sqlite", 1}, {"postgres", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			var store []string
			var url string
			if tc.name == "sqlite" {
				store = []string{"--db", filepath.Join(t.TempDir(), "xunhui.db"), "--database-url", ""}
			} else {
				url = pgtest.NewDatabase(t)
				store = []string{"--database-url", url}
			}
			// The first process seeds the store; the others join it.
			procs := []*proc{startProc(t, schedArgs(store)...)}
			for range tc.procs - 1 {
				procs = append(procs, startProc(t, schedArgs(store)...))
			}
			// A daily slot 8 s ahead (to the second, UTC), set on the last process.
			slot := time.Now().UTC().Add(8 * time.Second).Truncate(time.Second)
			spec := fmt.Sprintf("%d %d %d * * *", slot.Second(), slot.Minute(), slot.Hour())
			put := procs[len(procs)-1]
			if code, b := put.call(http.MethodPut, "/api/v1/schedules/deadline-escalation",
				map[string]any{"spec": spec, "time_zone": "UTC", "enabled": true}, nil); code != http.StatusOK {
				t.Fatalf("PUT schedule: %d %s", code, b)
			}
			runs := waitSlotRun(t, procs[0], "deadline-escalation", slot, 60*time.Second)
			time.Sleep(3 * time.Second) // a second firing would have come by now
			runs = slotRuns(t, procs[0], "deadline-escalation", slot)
			if len(runs) != 1 || runs[0].Outcome != "ok" || runs[0].Trigger != "schedule" || runs[0].Summary == "" {
				t.Fatalf("runs of slot %s: %+v; want one ok scheduled run", slot, runs)
			}
			started := 0
			mark := "slot=" + slot.Format("2006-01-02T15:04:05.000Z07:00")
			for _, p := range procs {
				for _, line := range strings.Split(p.logs.String(), "\n") {
					if strings.Contains(line, `msg="scheduler: run started"`) && strings.Contains(line, mark) {
						started++
					}
				}
			}
			if started != 1 {
				t.Errorf("%d processes started a run of slot %s, want 1", started, slot)
			}
			if url != "" {
				if n := riverJobsOfSlot(t, url, "deadline-escalation", slot); n != 1 {
					t.Errorf("%d River jobs for slot %s, want 1", n, slot)
				}
			}
			t.Logf("slot %s fired once, run %s on %s", slot, runs[0].ID, runs[0].Replica)
		})
	}
}

// slotRuns returns the runs of job for slot, read through the API.
func slotRuns(t *testing.T, p *proc, job string, slot time.Time) []jobRun {
	t.Helper()
	var all, out []jobRun
	if code, b := p.call(http.MethodGet, "/api/v1/job-runs?job="+job, nil, &all); code != http.StatusOK {
		t.Fatalf("GET job-runs: %d %s", code, b)
	}
	for _, r := range all {
		if r.Slot.Equal(slot) {
			out = append(out, r)
		}
	}
	return out
}

// waitSlotRun waits until job has a finished run for slot.
func waitSlotRun(t *testing.T, p *proc, job string, slot time.Time, within time.Duration) []jobRun {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		runs := slotRuns(t, p, job, slot)
		for _, r := range runs {
			if r.Outcome != "running" {
				return runs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished run of %s for slot %s after %s\nlogs:\n%s", job, slot, within, tail(p.logs.String(), 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// riverJobsOfSlot counts River's jobs for (job, slot) in the database.
func riverJobsOfSlot(t *testing.T, url, job string, slot time.Time) int {
	t.Helper()
	ctx := context.Background()
	conn := pgConnect(t, url)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'recurring' AND args->>'job' = $1 AND (args->>'slot')::timestamptz = $2`,
		job, slot).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRecurringSlotSurvivesLeaderKill: three server processes on one
// PostgreSQL database; the escalation is moved to a slot 30 s ahead, then
// River's leader is killed with SIGKILL. Another process is elected
// (River's leader TTL is 15 s) and the slot fires exactly once, on a
// survivor: its run record is ok and River holds one job for it.
func TestRecurringSlotSurvivesLeaderKill(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	url := pgtest.NewDatabase(t)
	store := []string{"--database-url", url}
	procs := []*proc{startProc(t, schedArgs(store)...)}
	for range 2 {
		procs = append(procs, startProc(t, schedArgs(store)...))
	}
	leader := waitLeader(t, url, procs, 30*time.Second)
	var alive *proc
	for _, p := range procs {
		if p != leader {
			alive = p
		}
	}
	slot := time.Now().UTC().Add(30 * time.Second).Truncate(time.Second)
	spec := fmt.Sprintf("%d %d %d * * *", slot.Second(), slot.Minute(), slot.Hour())
	if code, b := alive.call(http.MethodPut, "/api/v1/schedules/deadline-escalation",
		map[string]any{"spec": spec, "time_zone": "UTC", "enabled": true}, nil); code != http.StatusOK {
		t.Fatalf("PUT schedule: %d %s", code, b)
	}
	time.Sleep(time.Second) // the leader has the new schedule (reload 500 ms)
	leader.kill()
	t.Logf("killed the leader (pid %d); slot %s", leader.cmd.Process.Pid, slot)
	runs := waitSlotRun(t, alive, "deadline-escalation", slot, 90*time.Second)
	time.Sleep(3 * time.Second)
	runs = slotRuns(t, alive, "deadline-escalation", slot)
	if len(runs) != 1 || runs[0].Outcome != "ok" || runs[0].Summary == "" {
		t.Fatalf("runs of slot %s: %+v; want one ok run", slot, runs)
	}
	if strings.HasSuffix(runs[0].Replica, fmt.Sprintf(":%d", leader.cmd.Process.Pid)) {
		t.Errorf("the killed leader ran the slot: %+v", runs[0])
	}
	if n := riverJobsOfSlot(t, url, "deadline-escalation", slot); n != 1 {
		t.Errorf("%d River jobs for slot %s, want 1", n, slot)
	}
	t.Logf("slot fired once after the leader change: run %s on %s (trigger %s)", runs[0].ID, runs[0].Replica, runs[0].Trigger)
}

// waitLeader returns the process that River elected leader (river_leader
// names the client, whose id ends in the process id).
func waitLeader(t *testing.T, url string, procs []*proc, within time.Duration) *proc {
	t.Helper()
	ctx := context.Background()
	conn := pgConnect(t, url)
	deadline := time.Now().Add(within)
	for {
		var id string
		err := conn.QueryRow(ctx, `SELECT leader_id FROM river_leader`).Scan(&id)
		if err == nil {
			for _, p := range procs {
				if strings.HasSuffix(id, fmt.Sprintf("_%d", p.cmd.Process.Pid)) {
					return p
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no leader among the processes after %s (last: %q, %v)", within, id, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// pgConnect opens a connection to the test database, closed with the test.
func pgConnect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}
