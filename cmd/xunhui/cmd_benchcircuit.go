package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

func init() {
	register(command{
		name:    "bench-circuit",
		summary: "plan the SAMPLE county week at a short and a long time limit over several seeds, check every plan, write the comparison table",
		run:     runBenchCircuit,
	})
}

// circuitRun is one planned week.
type circuitRun struct {
	limit      time.Duration
	seed       int64
	cost       int64
	served     int
	requests   int
	elapsed    float64
	iterations int
	travel     map[data.Level]int // travel minutes by team level
	countyMin  int                // least and most weekly working minutes of a county team
	countyMax  int
}

// runBenchCircuit plans the generated SAMPLE county week (the same
// instance as BenchmarkPlanCountyWeek) once per seed at --short and at
// --long, checks every plan with circuit.Check and writes a markdown table
// with the gap of the short plans to the long ones (issue #5's target: the
// 10 s plan at most 1 % above the 120 s plan).
func runBenchCircuit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench-circuit", stderr)
	short := fs.Duration("short", 10*time.Second, "the short time limit")
	long := fs.Duration("long", 120*time.Second, "the long time limit")
	seeds := fs.String("seeds", "1-8", "search seeds of the short plans: a list (1,2,5) or a range (1-8)")
	longSeeds := fs.String("long-seeds", "1-4", "search seeds of the long plans")
	threads := fs.Int("threads", 2, "parallel searches per plan")
	requests := fs.Int("requests", 600, "requests in the generated SAMPLE county week")
	out := fs.String("out", "", "markdown file to write (default: stdout)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: xunhui bench-circuit [--short 10s] [--long 120s] [--seeds 1-8] [--long-seeds 1-4] [--out docs/circuit-bench.md]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *threads < 1 || *requests < 1 || *short <= 0 || *long <= 0 {
		fs.Usage()
		return errUsage
	}
	shortSeeds, err := parseSeeds(*seeds)
	if err != nil {
		return fmt.Errorf("--seeds: %w", err)
	}
	longSeedList, err := parseSeeds(*longSeeds)
	if err != nil {
		return fmt.Errorf("--long-seeds: %w", err)
	}
	monday := data.Date("2026-11-30")
	snap := circuit.GenerateCounty(circuit.GenOptions{Seed: 1, Requests: *requests, Monday: monday})
	now := monday.Time().Add(-12 * time.Hour)
	loadBefore := loadAverage()
	plan := func(limit time.Duration, seed int64) (circuitRun, error) {
		res, err := circuit.Plan(ctx, snap, circuit.Options{From: monday, To: monday.AddDays(4), TimeLimit: limit,
			Threads: *threads, Seed: seed, Now: now})
		if err != nil {
			return circuitRun{}, fmt.Errorf("plan %s seed %d: %w", limit, seed, err)
		}
		if err := circuit.Check(snap, res.Detail, res.Travel); err != nil {
			return circuitRun{}, fmt.Errorf("plan %s seed %d: independent check failed: %w", limit, seed, err)
		}
		r := circuitRun{limit: limit, seed: seed, cost: res.Stats.Cost, served: res.Stats.Served, requests: res.Stats.Requests,
			elapsed: res.Stats.ElapsedSec, iterations: res.Stats.Iterations, travel: map[data.Level]int{}, countyMin: -1}
		for _, l := range res.Loads {
			r.travel[l.Level] += l.TravelMinutes
			if l.Level == data.LevelCounty {
				if r.countyMin < 0 || l.WorkMinutes < r.countyMin {
					r.countyMin = l.WorkMinutes
				}
				r.countyMax = max(r.countyMax, l.WorkMinutes)
			}
		}
		fmt.Fprintf(stderr, "%s seed %d: cost %d, %d/%d served, %.1f s\n", limit, seed, r.cost, r.served, r.requests, r.elapsed)
		return r, nil
	}
	var shortRuns, longRuns []circuitRun
	for _, s := range shortSeeds {
		r, err := plan(*short, s)
		if err != nil {
			return err
		}
		shortRuns = append(shortRuns, r)
	}
	for _, s := range longSeedList {
		r, err := plan(*long, s)
		if err != nil {
			return err
		}
		longRuns = append(longRuns, r)
	}
	body := renderCircuitBench(shortRuns, longRuns, *threads, *requests, loadBefore, loadAverage(), args)
	if *out == "" || *out == "-" {
		_, err := io.WriteString(stdout, body)
		return err
	}
	if err := os.WriteFile(*out, []byte(body), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	return nil
}

// parseSeeds reads "1-8" or "1,2,5".
func parseSeeds(s string) ([]int64, error) {
	if a, b, ok := strings.Cut(s, "-"); ok {
		lo, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
		hi, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
		if err1 != nil || err2 != nil || hi < lo || hi-lo >= 1000 {
			return nil, fmt.Errorf("%q is not a range like 1-8", s)
		}
		var out []int64
		for x := lo; x <= hi; x++ {
			out = append(out, x)
		}
		return out, nil
	}
	var out []int64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a seed list like 1,2,5", s)
		}
		out = append(out, x)
	}
	return out, nil
}

func meanCost(rs []circuitRun) float64 {
	var s float64
	for _, r := range rs {
		s += float64(r.cost)
	}
	return s / float64(len(rs))
}

func renderCircuitBench(short, long []circuitRun, threads, requests int, loadBefore, loadAfter string, args []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Weekly circuits: short against long plans\n\n")
	fmt.Fprintf(&b, "Written by `%s`. SAMPLE county week (generated: %d requests over the 71 villages, 3 county, 12 township and 71 village teams, Monday 2026-11-30 to Friday), %d search threads per plan; every plan passed the independent check (`circuit.Check`).\n\n",
		commandLine("bench-circuit", args), requests, threads)
	fmt.Fprintf(&b, "- Date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %d CPUs, %s, %s. Load average (1 min) at start / end: %s / %s.\n\n", runtime.NumCPU(), cpuModel(), runtime.Version(), loadBefore, loadAfter)
	fmt.Fprintf(&b, "| limit | seed | cost | served | seconds | iterations | travel min county / township / village | county team week min–max (min) |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---|---|\n")
	for _, rs := range [][]circuitRun{short, long} {
		for _, r := range rs {
			fmt.Fprintf(&b, "| %s | %d | %d | %d/%d | %.1f | %d | %d / %d / %d | %d–%d |\n", r.limit, r.seed, r.cost, r.served, r.requests,
				r.elapsed, r.iterations, r.travel[data.LevelCounty], r.travel[data.LevelTownship], r.travel[data.LevelVillage], r.countyMin, r.countyMax)
		}
	}
	if len(short) == 0 || len(long) == 0 {
		return b.String()
	}
	ms, ml := meanCost(short), meanCost(long)
	worst, bestLong := short[0].cost, long[0].cost
	for _, r := range short {
		worst = max(worst, r.cost)
	}
	for _, r := range long {
		bestLong = min(bestLong, r.cost)
	}
	gap := func(a, b float64) float64 { return (a/b - 1) * 100 }
	fmt.Fprintf(&b, "\nCost is the plan's `stats.cost`: travel seconds plus the seconds worked over the balance limits (the county teams' soft day limit); plans compare only when they serve the same requests (the served column).\n\n")
	fmt.Fprintf(&b, "| | %s plans (%d) | %s plans (%d) | gap |\n|---|---:|---:|---:|\n", short[0].limit, len(short), long[0].limit, len(long))
	fmt.Fprintf(&b, "| mean cost | %.0f | %.0f | %+.2f %% |\n", ms, ml, gap(ms, ml))
	fmt.Fprintf(&b, "| worst short plan against the mean long plan | %d | %.0f | %+.2f %% |\n", worst, ml, gap(float64(worst), ml))
	fmt.Fprintf(&b, "| worst short plan against the best long plan | %d | %d | %+.2f %% |\n", worst, bestLong, gap(float64(worst), float64(bestLong)))
	var pairs []string
	for _, s := range short {
		for _, l := range long {
			if s.seed == l.seed {
				pairs = append(pairs, fmt.Sprintf("seed %d %+.2f %%", s.seed, gap(float64(s.cost), float64(l.cost))))
			}
		}
	}
	if len(pairs) > 0 {
		fmt.Fprintf(&b, "\nSame seed, short against long: %s.\n", strings.Join(pairs, ", "))
	}
	return b.String()
}
