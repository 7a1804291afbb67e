// Package solomon reads Solomon (1987) and Gehring & Homberger (1999) VRPTW
// benchmark instances, loads their best known solutions (BKS.json) and checks
// solutions independently of the routing engine.
//
// Conventions follow the literature and /work/shared/benchmarks/README.md:
// customer 0 is the depot; travel time equals the Euclidean distance between
// coordinates in double precision (no rounding); service must start no later
// than the due date (waiting is allowed before the ready time); every route
// returns to the depot by the depot's due date; route loads never exceed the
// vehicle capacity and at most the file's number of vehicles is used.
//
// The checker (Check) recomputes everything from the coordinates in float64
// and never uses the engine's integer model, so that a reported cost is the
// cost the literature would compute. ToProblem converts an instance to the
// engine's integer model in a way that keeps every integer-feasible solution
// feasible in real arithmetic (see ToProblem).
package solomon
