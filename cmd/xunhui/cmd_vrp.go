package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/geo/sources"
	"github.com/yingjing/xunhui/optimizer/vrp"
	"github.com/yingjing/xunhui/optimizer/vrp/vroom"
)

func init() {
	register(command{
		name:    "vrp",
		summary: "solve a problem in VROOM's JSON format (like the vroom command line)",
		run:     runVRP,
	})
}

func runVRP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("vrp", stderr)
	inPath := fs.String("i", "", "input file (default: standard input)")
	outPath := fs.String("o", "", "output file (default: standard output)")
	limit := fs.Float64("l", 0, "time limit in seconds (0 = the engine's default iteration cap)")
	threads := fs.Int("t", 1, "parallel searches")
	seed := fs.Int64("seed", 1, "random seed")
	iters := fs.Int("iterations", 0, "cap on search iterations (0 = none)")
	plan := fs.Bool("c", false, "VROOM's plan mode (choose ETAs for fixed routes): not supported, vehicle steps are read as a warm start")
	stall := fs.Float64("stall", vrp.DefaultStall, "stop once the best has not improved over this share of the iterations run (0 = run to the limit)")
	matrix := fs.String("matrix", "none", "matrix source for inputs with coordinates only: none (answer code 3), estimate (straight-line estimate of package geo), or geo (the source the server uses: road graph $XUNHUI_OSM, else OSRM $OSRM_URL, else the estimate)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: xunhui vrp [-i problem.json] [-o solution.json] [-l seconds] [-t threads]")
		fmt.Fprintln(stderr, "Reads a VROOM problem, prints a VROOM answer; see docs/vroom.md.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *limit < 0 || math.IsNaN(*limit) || *limit > 1e6 || !(*stall >= 0 && *stall < 1) {
		fs.Usage()
		return errUsage
	}
	if *plan {
		fmt.Fprintln(stderr, "xunhui vrp: plan mode (-c) is not supported; vehicle steps are read as a warm start (docs/vroom.md)")
		return errUsage
	}
	opts := vroom.Options{
		TimeLimit:     time.Duration(*limit * float64(time.Second)),
		MaxIterations: *iters,
		Threads:       *threads,
		Seed:          *seed,
		Stall:         vroomStall(*stall),
	}
	switch *matrix {
	case "none":
	case "estimate":
		opts.Matrix = geoMatrix(&geo.Estimator{})
	case "geo":
		geoOpts, err := sources.OptionsFromEnv()
		if err != nil {
			return err
		}
		src, err := sources.Open(ctx, geoOpts)
		if err != nil {
			return fmt.Errorf("travel times: %w", err)
		}
		fmt.Fprintf(stderr, "xunhui vrp: travel times from %s\n", src.Name())
		opts.Matrix = geoMatrix(src)
	default:
		fmt.Fprintf(stderr, "xunhui vrp: unknown -matrix %q (want none, estimate or geo)\n", *matrix)
		return errUsage
	}
	var r io.Reader = os.Stdin
	if *inPath != "" {
		f, err := os.Open(*inPath)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	out, solveErr := vroom.Solve(ctx, r, opts)
	if solveErr != nil {
		out = vroom.ErrorOutput(solveErr)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	b = append(b, '\n')
	if *outPath != "" {
		err = os.WriteFile(*outPath, b, 0o644)
	} else {
		_, err = stdout.Write(b)
	}
	if err != nil {
		return err
	}
	if solveErr != nil {
		// The answer already carries the message; exit non-zero like vroom.
		return fmt.Errorf("code %d: %w", vroom.Code(solveErr), solveErr)
	}
	return nil
}

// geoMatrix adapts a geo.Source to vroom.MatrixFunc: the VROOM profile is
// read as a geo travel mode (car, motorbike, foot and their aliases).
// Unreachable pairs come back negative (geo.NoValue), which vroom reports
// as a routing error. The serve command can plug its configured source the
// same way.
func geoMatrix(src geo.Source) vroom.MatrixFunc {
	return func(ctx context.Context, profile string, locs [][2]float64) ([][]int64, [][]int64, error) {
		mode, err := geo.ParseMode(profile)
		if err != nil {
			return nil, nil, err
		}
		gl := make([]geo.Location, len(locs))
		for i, p := range locs {
			gl[i] = geo.Location{ID: strconv.Itoa(i), Point: orb.Point{p[0], p[1]}}
		}
		m, err := src.Matrix(ctx, gl, mode)
		if err != nil {
			return nil, nil, err
		}
		return m.Durations, m.Distances, nil
	}
}

// vroomInProcess solves a VROOM-JSON file in this process, for bench-vrptw
// --in-process --vroom-json.
func vroomInProcess(ctx context.Context, file string, o vrptwOptions) (vroomSummaryOutput, error) {
	var res vroomSummaryOutput
	b, err := os.ReadFile(file)
	if err != nil {
		return res, err
	}
	out, err := vroom.SolveBytes(ctx, b, vroom.Options{TimeLimit: o.timeLimit, MaxIterations: o.iterations, Threads: 1, Seed: o.seed, Stall: vroomStall(o.stall)})
	if err != nil {
		var e *vroom.Error
		if errors.As(err, &e) {
			res.Code, res.Error = e.Code, e.Error()
			return res, nil
		}
		return res, err
	}
	res.Summary.Cost = out.Summary.Cost
	res.Summary.Routes = out.Summary.Routes
	res.Summary.Unassigned = out.Summary.Unassigned
	res.Summary.ComputingTimes.Loading = out.Summary.ComputingTimes.Loading
	res.Summary.ComputingTimes.Solving = out.Summary.ComputingTimes.Solving
	return res, nil
}

// vroomStall maps a --stall share (0 = run to the limit) to
// vroom.Options.Stall (0 = the default, negative = run to the limit).
func vroomStall(x float64) float64 {
	if x == 0 {
		return -1
	}
	return x
}
