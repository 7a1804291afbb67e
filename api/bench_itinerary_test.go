package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// BenchmarkItineraryLoad is the load benchmark of the field reads (make
// bench-itinerary): the SAMPLE county week (300 requests) planned and
// published, then 32 concurrent clients, each signed in as a member of a
// team with stops, read that team's itinerary (or its 7-day week) for
// XUNHUI_BENCH_SECONDS (default 10) over keep-alive connections, on each
// store. It reports reads/s and the p50/p99 latency seen by the clients.
// Target (docs/api.md): ≥ 2 000 itinerary reads/s with p99 ≤ 20 ms on 2 cores.
func BenchmarkItineraryLoad(b *testing.B) {
	secs := benchSeconds()
	table := benchTable{load0: loadAverage(), started: time.Now().UTC()}
	if out := os.Getenv("XUNHUI_BENCH_OUT"); out != "" {
		b.Cleanup(func() {
			if err := table.write(out); err != nil {
				b.Errorf("write %s: %v", out, err)
			}
		})
	}
	for _, sf := range storeFactories {
		b.Run(sf.name, func(b *testing.B) {
			env, reads := benchFieldEnv(b, sf.open(b))
			for _, kind := range []string{"itinerary", "week"} {
				b.Run(kind, func(b *testing.B) {
					for range b.N {
						r := loadRun(b, env, reads, kind, 32, time.Duration(secs*float64(time.Second)))
						table.rows = append(table.rows, benchRow{store: sf.name, kind: kind, teams: benchTeams(reads), r: r})
						b.ReportMetric(r.perSec, "reads/s")
						b.ReportMetric(float64(r.p50.Microseconds())/1000, "p50-ms")
						b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
						b.ReportMetric(r.cpuPerRead, "cpu-ms/read")
						b.Logf("%s %s: %d reads in %.1f s = %.0f reads/s, p50 %.2f ms, p99 %.2f ms, %.3f ms CPU/read (server and clients), %d errors",
							sf.name, kind, r.n, r.elapsed.Seconds(), r.perSec, ms(r.p50), ms(r.p99), r.cpuPerRead, r.errors)
					}
				})
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchTable is what `make bench-itinerary` writes (XUNHUI_BENCH_OUT): the
// figures with the conditions they were taken in, so that a re-run on a
// quiet machine replaces the table without editing anything by hand.
type benchTable struct {
	started time.Time
	load0   string
	rows    []benchRow
}

type benchRow struct {
	store, kind string
	teams       int
	r           loadResult
}

func benchTeams(reads []benchRead) int {
	seen := map[string]bool{}
	for _, r := range reads {
		seen[r.team] = true
	}
	return len(seen)
}

// loadAverage is the 1-, 5- and 15-minute load average (/proc/loadavg).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func (t *benchTable) write(path string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Field reads under load (generated)\n\n")
	fmt.Fprintf(&b, "Written by `make bench-itinerary` (BenchmarkItineraryLoad, api/bench_itinerary_test.go); do not edit:\n")
	fmt.Fprintf(&b, "re-run it on a quiet machine to replace this table. Target (issue 19): at least 2 000 itinerary\n")
	fmt.Fprintf(&b, "reads/s with p99 ≤ 20 ms, 32 concurrent clients, 2 cores.\n\n")
	fmt.Fprintf(&b, "- Run: %s, %d CPUs (GOMAXPROCS %d), %s, %s s per run.\n", t.started.Format("2006-01-02 15:04 UTC"),
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), strconv.FormatFloat(benchSeconds(), 'f', -1, 64))
	fmt.Fprintf(&b, "- Load average (1, 5, 15 min) before: %s; after: %s. Above ~0.5 other work shared the cores and the\n", t.load0, loadAverage())
	fmt.Fprintf(&b, "  reads/s and p99 are lower bounds; CPU per read holds whatever the load.\n")
	fmt.Fprintf(&b, "- Setup: the SAMPLE county week (300 requests) planned and published; one member token per team with\n")
	fmt.Fprintf(&b, "  stops (real bearer tokens, rate limiters on with limits the load never reaches), 32 keep-alive\n")
	fmt.Fprintf(&b, "  clients over loopback HTTP, access trail on (every read leaves its entry before it ends).\n")
	fmt.Fprintf(&b, "- CPU per read: process user+system time of server and clients together, divided by reads; the\n")
	fmt.Fprintf(&b, "  PostgreSQL server's own processes are not counted.\n\n")
	b.WriteString("| store | read | teams | reads | reads/s | p50 ms | p99 ms | CPU ms/read | errors | load at start | target |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, r := range t.rows {
		target := "—"
		if r.kind == "itinerary" {
			target = "not met"
			if r.r.perSec >= 2000 && r.r.p99 <= 20*time.Millisecond && r.r.errors == 0 {
				target = "met"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %.0f | %.2f | %.2f | %.3f | %d | %s | %s |\n", r.store, r.kind, r.teams, r.r.n, r.r.perSec,
			ms(r.r.p50), ms(r.r.p99), r.r.cpuPerRead, r.r.errors, r.r.load, target)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// benchSeconds is the length of one load run (XUNHUI_BENCH_SECONDS, default 10).
func benchSeconds() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("XUNHUI_BENCH_SECONDS"), 64); err == nil && v > 0 {
		return v
	}
	return 10
}

// benchRead is one team-day a client reads, with a member's token.
type benchRead struct {
	team  string
	date  data.Date
	token string
}

// benchEnv is a real server over a seeded, planned and published store.
type benchEnv struct {
	url    string
	client *http.Client
}

// benchFieldEnv seeds the county, plans the week (a short search: the
// shape of the days matters here, not their quality), publishes it and
// returns the team-days with stops, each with a member token of the team.
func benchFieldEnv(b *testing.B, store data.Store) (*benchEnv, []benchRead) {
	b.Helper()
	ctx := context.Background()
	week := data.Today().AddDays(7 - int(data.Today().Weekday()) + 1) // next Monday
	if _, err := seed.Load(ctx, store, seed.Options{Week: week, Requests: 300}); err != nil {
		b.Fatalf("seed: %v", err)
	}
	q := jobstest.Start(b, store, jobs.Config{}, nil)
	svc := circuit.NewService(store, circuit.Config{MaxIterations: 2000, Threads: 2, Queue: q})
	jobstest.Handle(svc, data.RunCircuitPlan)(q)
	v, err := svc.Start(ctx, week, week.AddDays(4), "bench")
	if err != nil {
		b.Fatal(err)
	}
	if v, err = svc.Wait(ctx, v.ID); err != nil || v.Status != circuit.Done {
		b.Fatalf("plan: %v %s %s", err, v.Status, v.Error)
	}
	p, err := store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit})
	if err != nil || len(p) == 0 {
		b.Fatalf("plans: %v", err)
	}
	if _, err := svc.Publish(ctx, p[0].ID, p[0].Version, "", "bench"); err != nil {
		b.Fatalf("publish: %v", err)
	}
	// Info-level JSON access logs, as `xunhui serve` writes them, discarded.
	// The rate limiters are on (their bookkeeping is part of a read's cost)
	// with limits the load never reaches: 32 clients share one address.
	limits := DefaultRateLimits()
	limits.PerToken, limits.TokenBurst, limits.PerAddress, limits.AddressBurst = 1e6, 1e6, 1e6, 1e6
	srv := NewServer(store, slog.New(slog.NewJSONHandler(io.Discard, nil)), Config{RateLimits: &limits})
	srv.SetCircuit(svc)
	if err := srv.Open("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	its, err := store.ListItineraries(ctx, data.ItineraryFilter{PlanID: p[0].ID})
	if err != nil {
		b.Fatal(err)
	}
	tokens := map[string]string{}
	var reads []benchRead
	for _, it := range its {
		if len(it.Stops) == 0 {
			continue
		}
		tok, ok := tokens[it.TeamID]
		if !ok {
			u := data.User{ID: "u-bench-" + it.TeamID, Name: "Bench (SAMPLE)", Role: data.UserTeamMember, TeamID: it.TeamID}
			if err := store.CreateUser(ctx, &u); err != nil {
				b.Fatal(err)
			}
			secret, hash, err := data.NewToken()
			if err != nil {
				b.Fatal(err)
			}
			if err := store.CreateToken(ctx, &data.Token{UserID: u.ID, Name: "bench", Hash: hash}); err != nil {
				b.Fatal(err)
			}
			tok, tokens[it.TeamID] = secret, secret
		}
		reads = append(reads, benchRead{team: it.TeamID, date: it.Date, token: tok})
	}
	if len(reads) == 0 {
		b.Fatal("the plan has no stops")
	}
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}
	b.Cleanup(tr.CloseIdleConnections)
	return &benchEnv{url: srv.URL(), client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}, reads
}

// loadResult is what one load run measured.
type loadResult struct {
	n, errors int
	elapsed   time.Duration
	// cpuPerRead is the process CPU time (user + system, server and
	// clients together) per read, in ms: what the reads cost whatever
	// else runs on the machine.
	cpuPerRead float64
	perSec     float64
	p50, p99   time.Duration
	// load is the load average (1, 5, 15 min) as the run started.
	load string
}

// loadRun runs clients goroutines reading for d and measures each read.
func loadRun(b *testing.B, e *benchEnv, reads []benchRead, kind string, clients int, d time.Duration) loadResult {
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	load := loadAverage()
	cpu0 := processCPU()
	start := time.Now()
	stop := start.Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			bad := 0
			for i := c; time.Now().Before(stop); i += clients {
				r := reads[i%len(reads)]
				url := fmt.Sprintf("%s/api/v1/teams/%s/itinerary?date=%s", e.url, r.team, r.date)
				if kind == "week" {
					url = fmt.Sprintf("%s/api/v1/teams/%s/week?from=%s", e.url, r.team, r.date)
				}
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+r.token)
				t0 := time.Now()
				resp, err := e.client.Do(req)
				if err != nil {
					bad++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					bad++
				}
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	cpu := processCPU() - cpu0
	if errs > 0 {
		b.Errorf("%d failed reads", errs)
	}
	slices.Sort(all)
	r := loadResult{n: len(all), errors: errs, elapsed: el, perSec: float64(len(all)) / el.Seconds(),
		cpuPerRead: ms(cpu) / float64(max(len(all), 1)), load: load}
	r.p50, r.p99 = percentile(all, 50), percentile(all, 99)
	return r
}

// percentile is the nearest-rank p-th percentile of sorted: the smallest
// value that at least p % of the values do not exceed (0 for none).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (len(sorted)*p + 99) / 100 // ceil(n·p/100), 1-based
	return sorted[max(rank, 1)-1]
}

// processCPU is the user + system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestPercentile: the benchmark's p50 and p99 are nearest-rank percentiles.
func TestPercentile(t *testing.T) {
	seq := func(n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = time.Duration(i + 1)
		}
		return out
	}
	for _, tc := range []struct {
		n, p int
		want time.Duration
	}{{100, 99, 99}, {100, 50, 50}, {1000, 99, 990}, {101, 99, 100}, {1, 99, 1}, {3, 50, 2}, {0, 99, 0}} {
		if got := percentile(seq(tc.n), tc.p); got != tc.want {
			t.Errorf("p%d of 1..%d = %d, want %d", tc.p, tc.n, got, tc.want)
		}
	}
}
