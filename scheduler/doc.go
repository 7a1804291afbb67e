// Package scheduler runs Xunhui's recurring jobs — the weekly draft plan, the
// daily re-plan, the monthly market-day roll-forward and the hourly deadline
// escalation — on cron schedules, exactly once per scheduled slot across
// every process that shares a database.
//
// The design in one paragraph (docs/scheduler.md has the long form): each
// job has a cron spec and an IANA time zone (github.com/robfig/cron/v3
// parses them). Every process that works jobs installs each enabled job as a
// River periodic job (jobs.Queue.SetRecurring) whose schedule is the parsed
// cron schedule; River's elected leader alone inserts the firings, one River
// job per (job, slot) with River's unique insert on both, so a slot fires
// once even across processes and leader changes. A River worker on the
// "recurring" queue runs the job's function and records the run in the
// store's job_runs table (GET /api/v1/job-runs). A worker that dies mid-run
// is rescued by River like any job; the next attempt marks the earlier
// record abandoned and runs the slot again. When a process becomes leader
// it catches up, once, the most recent slot of a job that has run before
// if that slot has no run and the schedule was already in force then.
// Schedules changed at run time (PUT /api/v1/schedules) are stored and
// re-installed at once on the process that took the PUT, and within
// ReloadInterval on the others.
//
// Job functions are injected by cmd/xunhui and call the same planners as the
// API (a plan job starts a durable plan run and returns its id); this package
// holds no planning logic of its own except the deadline escalation
// (Escalate), which needs only the request store.
package scheduler
