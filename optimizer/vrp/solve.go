package vrp

import (
	"context"
	"fmt"
	"time"
)

// Solve searches for a feasible solution of p minimising, lexicographically,
// the unserved priority-weighted work and then the cost selected by
// opts.Objective. It stops at opts.TimeLimit, after opts.MaxIterations, or
// when ctx is done, and returns the best feasible solution found (never an
// infeasible one; jobs that cannot be served are listed as unassigned with a
// reason). The error is non-nil only when p is invalid.
func Solve(ctx context.Context, p *Problem, opts Options) (*Solution, error) {
	start := time.Now()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("solve: %w", err)
	}
	jobsOf := greedyInsertion(p, opts.Objective)
	seqs := make([][]stop, len(p.Vehicles))
	for v, jobs := range jobsOf {
		_, seqs[v], _ = seqFeasible(p, v, jobs, opts.Objective)
	}
	s := buildSolution(p, opts.Objective, seqs)
	s.Elapsed = time.Since(start)
	return s, nil
}
