package solomon

import (
	"fmt"
)

// Tolerance is the slack, in time units, allowed when comparing a service
// start with a due date. It only absorbs float64 rounding of sums of square
// roots (about 1e-12 on these instances); it is far below any real lateness.
const Tolerance = 1e-9

// Kind classifies a checker violation.
type Kind int

// Violation kinds reported by Check. New kinds are only ever appended.
const (
	// UnknownCustomer: a route names a number that is not a customer
	// (negative, the depot 0, or above N).
	UnknownCustomer Kind = iota + 1
	// Duplicate: a customer is visited more than once.
	Duplicate
	// Missing: a customer is not visited at all.
	Missing
	// Capacity: a route's total demand exceeds the vehicle capacity.
	Capacity
	// Late: service at a customer starts after its due date.
	Late
	// DepotLate: a route returns to the depot after the depot's due date.
	DepotLate
	// Fleet: more non-empty routes than vehicles.
	Fleet
)

var kindNames = map[Kind]string{
	UnknownCustomer: "unknown customer",
	Duplicate:       "duplicate visit",
	Missing:         "missing customer",
	Capacity:        "capacity exceeded",
	Late:            "late service start",
	DepotLate:       "late return to depot",
	Fleet:           "too many vehicles",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// CheckError is a violation found by Check. Route and Pos are 0-based
// indices into the routes given to Check (-1 when not applicable); Customer
// is the customer number concerned (0 when not applicable).
type CheckError struct {
	Kind     Kind
	Route    int
	Pos      int
	Customer int
	Detail   string
}

func (e *CheckError) Error() string {
	s := "check: " + e.Kind.String()
	if e.Route >= 0 {
		s += fmt.Sprintf(" in route %d", e.Route)
		if e.Pos >= 0 {
			s += fmt.Sprintf(" at position %d", e.Pos)
		}
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// RouteResult describes one checked route. Times are in instance units.
type RouteResult struct {
	// Distance is the Euclidean length depot -> customers -> depot.
	Distance float64
	// Load is the total demand served.
	Load int
	// Waiting is the total time spent waiting for ready times.
	Waiting float64
	// Return is the arrival time back at the depot.
	Return float64
}

// Result is the outcome of a successful Check.
type Result struct {
	// Distance is the total Euclidean distance of all routes, in double
	// precision, as the literature reports it.
	Distance float64
	// Vehicles is the number of non-empty routes.
	Vehicles int
	// Routes holds one entry per given route (empty routes included).
	Routes []RouteResult
}

// Check verifies routes against in and returns the total distance. Each
// route lists customer numbers as in the file, depot excluded; empty routes
// are allowed and use no vehicle. Vehicles leave the depot at its ready time.
// Travel time equals the Euclidean distance, service may start at
// max(arrival, ready) and must start by the due date (plus Tolerance); the
// route must be back by the depot's due date; loads must not exceed the
// capacity; every customer must be visited exactly once; at most
// in.Vehicles routes may be non-empty.
//
// Check never uses the routing engine. The first violation found is returned
// as a *CheckError, in this order: route structure (unknown, duplicate), then
// capacity and times route by route, then missing customers, then fleet size.
func Check(in *Instance, routes [][]int) (Result, error) {
	n := in.N()
	seen := make([]bool, n+1)
	for r, route := range routes {
		for p, c := range route {
			if c <= 0 || c > n {
				return Result{}, &CheckError{UnknownCustomer, r, p, c,
					fmt.Sprintf("customer %d not in 1..%d", c, n)}
			}
			if seen[c] {
				return Result{}, &CheckError{Duplicate, r, p, c,
					fmt.Sprintf("customer %d visited twice", c)}
			}
			seen[c] = true
		}
	}
	res := Result{Routes: make([]RouteResult, len(routes))}
	depot := in.Customers[0]
	for r, route := range routes {
		if len(route) == 0 {
			continue
		}
		res.Vehicles++
		var rr RouteResult
		t := depot.Ready
		prev := 0
		for p, c := range route {
			cu := in.Customers[c]
			rr.Load += cu.Demand
			if rr.Load > in.Capacity {
				return Result{}, &CheckError{Capacity, r, p, c,
					fmt.Sprintf("load %d after customer %d exceeds capacity %d", rr.Load, c, in.Capacity)}
			}
			d := in.Dist(prev, c)
			rr.Distance += d
			arrive := t + d
			start := arrive
			if start < cu.Ready {
				rr.Waiting += cu.Ready - start
				start = cu.Ready
			}
			if start > cu.Due+Tolerance {
				return Result{}, &CheckError{Late, r, p, c,
					fmt.Sprintf("service at customer %d starts at %.6f, due date %g (late by %.6f)",
						c, start, cu.Due, start-cu.Due)}
			}
			t = start + cu.Service
			prev = c
		}
		d := in.Dist(prev, 0)
		rr.Distance += d
		rr.Return = t + d
		if rr.Return > depot.Due+Tolerance {
			return Result{}, &CheckError{DepotLate, r, -1, 0,
				fmt.Sprintf("back at depot at %.6f, depot due date %g (late by %.6f)",
					rr.Return, depot.Due, rr.Return-depot.Due)}
		}
		res.Routes[r] = rr
		res.Distance += rr.Distance
	}
	for c := 1; c <= n; c++ {
		if !seen[c] {
			missing := 0
			for _, s := range seen[1:] {
				if !s {
					missing++
				}
			}
			return Result{}, &CheckError{Missing, -1, -1, c,
				fmt.Sprintf("customer %d not visited (%d customers missing)", c, missing)}
		}
	}
	if res.Vehicles > in.Vehicles {
		return Result{}, &CheckError{Fleet, -1, -1, 0,
			fmt.Sprintf("%d routes, fleet has %d vehicles", res.Vehicles, in.Vehicles)}
	}
	return res, nil
}
