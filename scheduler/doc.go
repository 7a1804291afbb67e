// Package scheduler runs Xunhui's recurring jobs — the weekly draft plan, the
// daily re-plan, the monthly market-day roll-forward and the hourly deadline
// escalation — on cron schedules, exactly once per scheduled slot across
// every replica that shares a database.
//
// The design in one paragraph (docs/scheduler.md has the long form): each
// job has a cron spec and an IANA time zone (github.com/robfig/cron/v3
// parses them; the scheduler only asks it for the next time). A scheduled
// time is a slot. When a slot is due, a replica takes the job's Locker lock
// (a PostgreSQL session advisory lock in scheduler/pglock, an in-process
// mutex for the embedded store), then claims the slot in the RunStore,
// whose unique (job, slot) key makes a second claim fail; only then does the
// job's function run. A replica that dies drops its database session, which
// releases the lock; the next replica to take the lock finds the slot's run
// still "running", marks it abandoned and runs the slot again. Slots missed
// while no replica was up are caught up once, on start, for the most recent
// slot only. Ticks come from a Clock, so tests drive time by hand.
//
// Job functions are injected by cmd/xunhui and call the same planners as the
// API; this package holds no planning logic of its own except the deadline
// escalation (Escalate), which needs only the request store.
package scheduler
