package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/yingjing/xunhui/optimizer/vrp"
	"github.com/yingjing/xunhui/optimizer/vrp/solomon"
)

func init() {
	register(command{
		name:    "solve-vrptw",
		summary: "solve one Solomon / Gehring-Homberger VRPTW instance, print JSON",
		run:     runSolveVRPTW,
	})
}

// vrptwResult is the JSON printed by solve-vrptw: one object per run.
type vrptwResult struct {
	// Instance is the name in the file (e.g. "C101").
	Instance string `json:"instance"`
	// Cost is the total distance recomputed in float64 by the independent
	// checker (never the engine's integer cost), rounded to 2 decimals.
	Cost float64 `json:"cost"`
	// Vehicles is the number of routes.
	Vehicles int `json:"vehicles"`
	// Routes lists customer numbers as in the file, depot excluded.
	Routes [][]int `json:"routes"`
	// Seconds is the wall time of the engine's search.
	Seconds float64 `json:"seconds"`
	// Iterations is the number of outer search iterations.
	Iterations int `json:"iterations"`
	// BestSeconds is the wall time until the search found the returned
	// solution (time to best).
	BestSeconds float64 `json:"best_seconds"`
}

// vrptwOptions are the knobs shared by solve-vrptw and bench-vrptw.
type vrptwOptions struct {
	timeLimit  time.Duration
	iterations int
	seed       int64
	threads    int
	neighbours int // granular neighbourhood size; 0 = the engine's default
	// stall is vrp.Options.Stall: stop once the best has not improved over
	// this share of the iterations run; 0 = run to the limit.
	stall float64
	// fleet is vrp.Options.Fleet: vehicles first, then distance.
	fleet bool
}

// defaultStall is the stall share of solve-vrptw and bench-vrptw: none,
// the distance tables run every search to its limit, because on Solomon's
// R and RC instances at 1 s the early stop of the VROOM path
// (vrp.DefaultStall, `--stall 0.8`) ends some searches on an early plateau
// (docs/solver.md, "Stopping early").
const defaultStall = 0.0

func runSolveVRPTW(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("solve-vrptw", stderr)
	file := fs.String("instance", "", "instance file in Solomon text format (required)")
	limit := fs.Duration("time-limit", 10*time.Second, "wall-time limit of the search")
	iters := fs.Int("iterations", 0, "cap on search iterations (0 = none; reproducible with --seed)")
	seed := fs.Int64("seed", 1, "random seed")
	threads := fs.Int("threads", 1, "parallel searches")
	neighbours := fs.Int("neighbours", 0, "granular neighbourhood: nearest jobs tried per job (0 = the engine's default, 20)")
	fleet := fs.Bool("fleet", false, "minimise vehicles first, then distance (the hierarchical objective of the literature)")
	stall := fs.Float64("stall", defaultStall, "stop once the best has not improved over this share of the iterations run (0 = run to the limit)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: xunhui solve-vrptw --instance FILE [--time-limit 10s] [--seed 1] [--threads 1]")
		fmt.Fprintln(stderr, "Prints {instance, cost, vehicles, routes, seconds}; cost is the float64 distance")
		fmt.Fprintln(stderr, "recomputed by an independent checker. Fails if the checker rejects the solution.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *neighbours < 0 {
		fmt.Fprintln(stderr, "--neighbours must be 0 (default) or positive")
		return errUsage
	}
	if !(*stall >= 0 && *stall < 1) {
		fmt.Fprintln(stderr, "--stall must be in [0, 1)")
		return errUsage
	}
	if *file == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	in, err := solomon.ReadFile(*file)
	if err != nil {
		return err
	}
	res, err := solveVRPTW(ctx, in, vrptwOptions{timeLimit: *limit, iterations: *iters, seed: *seed, threads: *threads, neighbours: *neighbours, stall: *stall, fleet: *fleet})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	return enc.Encode(res)
}

// solveVRPTW solves in with the engine in distance mode and proves the
// result with the float64 checker. It fails when customers are unassigned
// or the checker rejects the routes.
func solveVRPTW(ctx context.Context, in *solomon.Instance, o vrptwOptions) (*vrptwResult, error) {
	p, err := solomon.ToProblem(in)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	sol, err := vrp.Solve(ctx, p, vrp.Options{
		TimeLimit:     o.timeLimit,
		MaxIterations: o.iterations,
		Seed:          o.seed,
		Threads:       o.threads,
		Objective:     vrp.ObjectiveDistance,
		Neighbours:    o.neighbours,
		Stall:         o.stall,
		Fleet:         o.fleet,
	})
	elapsed := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("solve %s: %w", in.Name, err)
	}
	routes := solomon.Routes(sol)
	res := &vrptwResult{
		Instance:    in.Name,
		Vehicles:    len(routes),
		Routes:      routes,
		Seconds:     math.Round(elapsed.Seconds()*100) / 100,
		Iterations:  sol.Iterations,
		BestSeconds: math.Round(sol.BestElapsed.Seconds()*100) / 100,
	}
	if len(sol.Unassigned) > 0 {
		u := sol.Unassigned[0]
		return res, fmt.Errorf("%s: %d customers unassigned (first: customer %s, %s)", in.Name, len(sol.Unassigned), u.ID, u.Reason)
	}
	chk, err := solomon.Check(in, routes)
	if err != nil {
		var ce *solomon.CheckError
		if errors.As(err, &ce) {
			return res, fmt.Errorf("%s: solution rejected by the independent checker: %w", in.Name, err)
		}
		return res, err
	}
	res.Cost = math.Round(chk.Distance*100) / 100
	return res, nil
}
