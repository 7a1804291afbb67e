package data

import (
	"fmt"
	"time"
)

// MaxPullDays is the most days one pull may record (a week sync reads at
// most 14).
const MaxPullDays = 14

// PulledVisit is one visit as a team member's phone was given it: the
// request on a day, at a position and a start time.
type PulledVisit struct {
	RequestID string `json:"request_id"`
	Date      Date   `json:"date"`
	// Seq is the 1-based position of the stop in the day; Start its start,
	// minutes after local midnight.
	Seq   int `json:"seq"`
	Start int `json:"start"`
}

// Pull is what one user was given of one team's day at their last pull:
// the plan the day came from (empty: no plan covered it) and its visits.
// The store keeps one per user, team and day; a new pull of the day
// replaces it.
type Pull struct {
	UserID string        `json:"user_id"`
	TeamID string        `json:"team_id"`
	Date   Date          `json:"date"`
	PlanID string        `json:"plan_id"`
	Visits []PulledVisit `json:"visits"`
	// At is when the day was pulled (UTC).
	At time.Time `json:"at"`
}

// Validate checks a pull; errors are Invalid.
func (p Pull) Validate() error {
	if p.UserID == "" {
		return FieldError("user_id", "is required")
	}
	if err := validateID("team_id", p.TeamID); err != nil {
		return err
	}
	if !p.Date.Valid() {
		return FieldError("date", "%q is not a date YYYY-MM-DD", p.Date)
	}
	if p.PlanID != "" {
		if err := validateID("plan_id", p.PlanID); err != nil {
			return err
		}
	}
	for i, v := range p.Visits {
		if v.RequestID == "" || v.Date != p.Date {
			return FieldError(fmt.Sprintf("visits[%d]", i), "needs a request id on the pull's date %s", p.Date)
		}
	}
	return nil
}
