package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
)

// RequestStore is the part of data.Store that Escalate needs.
type RequestStore interface {
	ListRequests(ctx context.Context, f data.RequestFilter) ([]data.Request, int, error)
	SetRequestPriority(ctx context.Context, c data.PriorityChange) (data.Request, error)
}

// EscalationBy is the user id recorded in request history for escalations.
const EscalationBy = "scheduler"

// Escalation is one priority raise made by Escalate.
type Escalation struct {
	RequestID  string    `json:"request_id"`
	TownshipID string    `json:"township_id"`
	From       int       `json:"from"`
	To         int       `json:"to"`
	Deadline   data.Date `json:"deadline"`
	// DaysLeft is the number of days from today to the deadline (negative: overdue).
	DaysLeft int    `json:"days_left"`
	Reason   string `json:"reason"`
}

// Notifier tells people about escalations (SMS, WeCom, e-mail …). None
// exists yet; Escalate works without one and the run output lists the raises.
type Notifier interface {
	Notify(ctx context.Context, es []Escalation) error
}

// EscalationPolicy maps days left before a request's deadline to the lowest
// priority (1–5) the request should have. The zero value is DefaultEscalation.
type EscalationPolicy struct {
	// SoonDays: a deadline within this many days raises to at least 4 (default 2).
	SoonDays int
	// NearDays: a deadline within this many days raises to at least 3 (default 6).
	NearDays int
}

// DefaultEscalation raises overdue requests to 5 (most urgent), requests due
// within 2 days to at least 4 and within 6 days to at least 3.
var DefaultEscalation = EscalationPolicy{SoonDays: 2, NearDays: 6}

// minPriority returns the least priority for daysLeft and why.
func (p EscalationPolicy) minPriority(daysLeft int) (int, string) {
	if p.SoonDays == 0 && p.NearDays == 0 {
		p = DefaultEscalation
	}
	switch {
	case daysLeft < 0:
		return 5, fmt.Sprintf("overdue by %d day(s)", -daysLeft)
	case daysLeft <= p.SoonDays:
		return 4, fmt.Sprintf("deadline in %d day(s)", daysLeft)
	case daysLeft <= p.NearDays:
		return 3, fmt.Sprintf("deadline in %d day(s)", daysLeft)
	}
	return 1, ""
}

// Escalate is the hourly deadline-escalation job: it raises the priority of
// open requests (pending, planned, failed, follow_up) whose deadline is near
// or past, per policy, through SetRequestPriority, which appends the raise
// to the request's history (by "scheduler", note "deadline escalation:
// overdue by 2 day(s)"); it is version-checked, so a request edited
// meanwhile is skipped and retried next hour. Then it notifies n (if any).
// It is idempotent: a request already at its target is left alone. today is
// the civil date in the county (data.DateOf(now)). The raises are also
// listed in the run output (Result.Output["escalations"]).
func Escalate(ctx context.Context, st RequestStore, n Notifier, policy EscalationPolicy, now time.Time) (Result, error) {
	if policy.SoonDays == 0 && policy.NearDays == 0 {
		policy = DefaultEscalation
	}
	today := data.DateOf(now)
	todayT, err := time.ParseInLocation(time.DateOnly, string(today), data.Local)
	if err != nil {
		return Result{}, fmt.Errorf("escalate: today: %w", err)
	}
	horizon := data.DateOf(todayT.AddDate(0, 0, max(policy.NearDays, policy.SoonDays)))
	f := data.RequestFilter{
		Statuses:       []data.Status{data.StatusPending, data.StatusPlanned, data.StatusFailed, data.StatusFollowUp},
		DeadlineBefore: horizon,
		Limit:          data.MaxLimit,
	}
	var (
		raised    []Escalation
		conflicts []string
		seen      int
	)
	for {
		page, total, err := st.ListRequests(ctx, f)
		if err != nil {
			return Result{}, fmt.Errorf("escalate: list requests: %w", err)
		}
		for _, r := range page {
			if err := ctx.Err(); err != nil {
				return escalationResult(raised, conflicts, seen), fmt.Errorf("escalate: %w", err)
			}
			seen++
			if r.Deadline == "" {
				continue
			}
			d, err := time.ParseInLocation(time.DateOnly, string(r.Deadline), data.Local)
			if err != nil {
				continue // Validate rejects such deadlines; nothing to escalate
			}
			left := int(d.Sub(todayT).Hours() / 24)
			target, why := policy.minPriority(left)
			if r.Priority >= target {
				continue
			}
			e := Escalation{RequestID: r.ID, TownshipID: r.TownshipID, From: r.Priority, To: target, Deadline: r.Deadline, DaysLeft: left, Reason: why}
			ch := data.PriorityChange{ID: r.ID, Version: r.Version, Priority: target, By: EscalationBy, Note: "deadline escalation: " + why}
			if _, err := st.SetRequestPriority(ctx, ch); err != nil {
				if data.ErrorKind(err) == data.Conflict {
					conflicts = append(conflicts, r.ID)
					continue
				}
				return escalationResult(raised, conflicts, seen), fmt.Errorf("escalate: raise %s: %w", r.ID, err)
			}
			raised = append(raised, e)
		}
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			break
		}
	}
	res := escalationResult(raised, conflicts, seen)
	if n != nil && len(raised) > 0 {
		if err := n.Notify(ctx, raised); err != nil {
			return res, fmt.Errorf("escalate: notify: %w", err)
		}
		res.Output["notified"] = true
	}
	return res, nil
}

func escalationResult(raised []Escalation, conflicts []string, seen int) Result {
	overdue := 0
	for _, e := range raised {
		if e.DaysLeft < 0 {
			overdue++
		}
	}
	if raised == nil {
		raised = []Escalation{}
	}
	out := map[string]any{"checked": seen, "raised": len(raised), "overdue": overdue, "escalations": raised}
	if len(conflicts) > 0 {
		out["conflicts"] = conflicts
	}
	return Result{
		Summary: fmt.Sprintf("checked %d requests near their deadline, raised %d (%d overdue), %d edited meanwhile", seen, len(raised), overdue, len(conflicts)),
		Output:  out,
	}
}
