package scheduler

import "time"

// Clock is the scheduler's source of the current time: the catch-up
// decision, run records and the escalation's "now". River keeps its own
// time for firing.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// FixedClock is a Clock that always shows T (tests).
type FixedClock struct{ T time.Time }

// Now implements Clock.
func (c FixedClock) Now() time.Time { return c.T }
