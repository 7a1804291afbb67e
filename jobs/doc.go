// Package jobs runs Xunhui's long work on River (github.com/riverqueue/river),
// one job engine on both stores: riverpgxv5 on PostgreSQL, riversqlite on the
// embedded SQLite file (one code path, chosen by the store's connection).
//
// A run (data.Run) is the durable state every replica reads: queued,
// running with progress, done, failed with a reason, cancelled. A River job
// carries only the run id; the worker that takes it marks the run running,
// flushes progress to the store, polls the run's cancel flag (so a DELETE on
// any replica stops it), and writes the final state. Planners register a
// Handler per run kind; the queue knows nothing of planning.
//
// A worker killed mid-run leaves its job "running" in River; River's
// rescuer (RescueStuckJobsAfter, derived from the job timeout) makes it
// retryable, and the next attempt plans again from scratch. A run whose job
// ended without finishing it (attempts used up, job deleted) is failed with
// a reason by the reconciler, a River periodic job: nothing stays queued or
// running forever.
package jobs
