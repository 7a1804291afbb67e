package vroom

import (
	"bytes"
	"context"
	"io"
	"time"

	"github.com/yingjing/xunhui/optimizer/vrp"
)

// Options tune Solve.
type Options struct {
	// TimeLimit bounds the search (VROOM's -l); 0 with MaxIterations 0
	// means the engine's default iteration cap.
	TimeLimit time.Duration
	// MaxIterations caps the search iterations; 0 = none.
	MaxIterations int
	// Threads is the number of parallel searches (VROOM's -t); 0 = 1.
	Threads int
	// Seed seeds the search: the same seed and iteration cap give the same
	// answer.
	Seed int64
	// Matrix provides travel matrices when the input has coordinates but no
	// custom matrices. Nil makes such inputs fail with CodeRouting.
	Matrix MatrixFunc
	// Stall is vrp.Options.Stall: the search stops once its best has not
	// improved over this share of its iterations. 0 = vrp.DefaultStall
	// (an easy problem answers early, as VROOM does); negative = run to
	// TimeLimit or MaxIterations.
	Stall float64
}

// Solve reads a VROOM problem from r, solves it and returns the VROOM
// answer. On failure it returns a nil Output and an *Error whose Code is
// CodeInput (bad or unsupported input; the message names the field),
// CodeRouting (no matrix could be had) or CodeInternal; use ErrorOutput
// and HTTPStatus to answer. It respects ctx cancellation, returning the
// best solution found so far.
func Solve(ctx context.Context, r io.Reader, opts Options) (*Output, error) {
	start := time.Now()
	in, err := Decode(r)
	if err != nil {
		return nil, err
	}
	return solve(ctx, in, opts, start)
}

// SolveBytes is Solve on a byte slice.
func SolveBytes(ctx context.Context, b []byte, opts Options) (*Output, error) {
	return Solve(ctx, bytes.NewReader(b), opts)
}

// SolveInput solves an already decoded input.
func SolveInput(ctx context.Context, in *Input, opts Options) (*Output, error) {
	return solve(ctx, in, opts, time.Now())
}

func solve(ctx context.Context, in *Input, opts Options, start time.Time) (*Output, error) {
	m, err := resolve(ctx, in, opts.Matrix)
	if err != nil {
		return nil, err
	}
	p, err := m.problem()
	if err != nil {
		return nil, err
	}
	loaded := time.Now()
	sol, err := vrp.Solve(ctx, p, vrp.Options{
		TimeLimit:     opts.TimeLimit,
		MaxIterations: opts.MaxIterations,
		Threads:       opts.Threads,
		Seed:          opts.Seed,
		Objective:     vrp.ObjectiveCost,
		Initial:       m.initial,
		Stall:         stallShare(opts.Stall),
	})
	if err != nil {
		return nil, &Error{Code: CodeInternal, Msg: "solve", Err: err}
	}
	solved := time.Now()
	out, err := m.output(sol)
	if err != nil {
		return nil, err
	}
	out.Summary.ComputingTimes = ComputingTimes{
		Loading: loaded.Sub(start).Milliseconds(),
		Solving: solved.Sub(loaded).Milliseconds(),
	}
	return out, nil
}

// stallShare maps Options.Stall to vrp.Options.Stall.
func stallShare(x float64) float64 {
	switch {
	case x == 0:
		return vrp.DefaultStall
	case x < 0:
		return 0
	}
	return x
}
