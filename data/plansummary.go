package data

import (
	"time"
)

// PlanSummary is what a plan keeps next to its itineraries and desks: the
// planner's figures and logs, one typed record shared by both planners, the
// stores and the API. A circuit plan has only the Circuit part, a market
// plan only the Market part. Both parts are embedded so that the stored and
// served JSON stays one flat object ({"stats": ..., "unassigned": ...} for a
// circuit plan, {"run": ..., "uncovered": ...} for a market plan); a nil
// part adds no fields, and decoding allocates the part whose fields appear.
type PlanSummary struct {
	*CircuitSummary
	*MarketSummary
}

// Circuit returns s's circuit part (the zero value when s or the part is nil).
func (s *PlanSummary) Circuit() CircuitSummary {
	if s == nil || s.CircuitSummary == nil {
		return CircuitSummary{}
	}
	return *s.CircuitSummary
}

// Market returns s's market part (the zero value when s or the part is nil).
func (s *PlanSummary) Market() MarketSummary {
	if s == nil || s.MarketSummary == nil {
		return MarketSummary{}
	}
	return *s.MarketSummary
}

// validate checks that s has only the part of kind; errors are Invalid.
func (s *PlanSummary) validate(kind PlanKind) error {
	if s == nil {
		return nil
	}
	if s.MarketSummary != nil && kind != PlanMarket {
		return FieldError("summary", "a %s plan has no market summary", kind)
	}
	if s.CircuitSummary != nil && kind != PlanCircuit {
		return FieldError("summary", "a %s plan has no circuit summary", kind)
	}
	return nil
}

// ReasonCode is a reason code for a request left out of a plan. Codes are only
// ever appended.
type ReasonCode string

// UnassignedRequest is a request left for a later plan.
type UnassignedRequest struct {
	RequestID string     `json:"request_id"`
	Code      ReasonCode `json:"code"`
	Detail    string     `json:"detail,omitempty"`
	Priority  int        `json:"priority"`
}

// LevelDecision records how level routing placed a request.
type LevelDecision struct {
	RequestID string `json:"request_id"`
	// Level is the lowest level that can handle every item.
	Level Level `json:"level"`
	// ServedBy is the level of the team that got the request ("" when unserved).
	ServedBy Level `json:"served_by,omitempty"`
	// Mode is home_visit (特殊情况不出门) or service_point (village room).
	Mode     string `json:"mode"`
	Priority int    `json:"priority"`
	Reason   string `json:"reason"`
}

// TeamLoad is one team's work in a plan.
type TeamLoad struct {
	TeamID         string `json:"team_id"`
	Level          Level  `json:"level"`
	Days           int    `json:"days"`
	WorkingDays    int    `json:"working_days"`
	Stops          int    `json:"stops"`
	Requests       int    `json:"requests"`
	WorkMinutes    int    `json:"work_minutes"`
	TravelMinutes  int    `json:"travel_minutes"`
	ServiceMinutes int    `json:"service_minutes"`
	// Utilisation is WorkMinutes over the shift minutes of the working days.
	Utilisation float64 `json:"utilisation"`
}

// VisitMove is a request whose team or day changed in a re-plan.
type VisitMove struct {
	RequestID string `json:"request_id"`
	FromTeam  string `json:"from_team"`
	FromDate  Date   `json:"from_date"`
	ToTeam    string `json:"to_team,omitempty"`
	ToDate    Date   `json:"to_date,omitempty"`
	// Minutes is how far the visit's start moved when it kept its team and
	// day (0 otherwise).
	Minutes int `json:"minutes,omitempty"`
	// Reason is the unassigned code of a dropped visit (ToTeam empty), or
	// why a kept visit moved: team_day_gone (its team-day no longer works)
	// or no_room (its team-day could not keep it within the tolerance).
	Reason ReasonCode `json:"reason,omitempty"`
}

// CircuitStats are the figures of a run.
type CircuitStats struct {
	Requests   int     `json:"requests"`
	Served     int     `json:"served"`
	Unserved   int     `json:"unserved"`
	Stops      int     `json:"stops"`
	Jobs       int     `json:"jobs"`
	Vehicles   int     `json:"vehicles"`
	Cost       int64   `json:"cost"`
	TravelMin  int     `json:"travel_minutes"`
	Iterations int     `json:"iterations"`
	ElapsedSec float64 `json:"elapsed_seconds"`
	Source     string  `json:"source"`
	Fixed      int     `json:"fixed_stops,omitempty"`
	Moved      int     `json:"moved_requests,omitempty"`
	Kept       int     `json:"kept_requests,omitempty"`
	MovedStops int     `json:"moved_stops,omitempty"`
	// Dropped counts published visits left out (each with a reason);
	// MinutesMoved sums and MaxMinutesMoved bounds the start shifts of the
	// visits kept on their team-day; Revisits counts open requests of past
	// stops (nobody home, follow-up, no outcome) planned again.
	Dropped         int    `json:"dropped_requests,omitempty"`
	MinutesMoved    int    `json:"minutes_moved,omitempty"`
	MaxMinutesMoved int    `json:"max_minutes_moved,omitempty"`
	Revisits        int    `json:"revisits,omitempty"`
	Untouched       int    `json:"untouched_stops,omitempty"`
	BaselinePID     string `json:"baseline_plan_id,omitempty"`
	// GuideVisits counts the home visits the guide rules give a village
	// agent; Guided those with one (the others carry Stop.Guide.Missing).
	GuideVisits int `json:"guide_visits,omitempty"`
	Guided      int `json:"guided,omitempty"`
}

// PlanEditOp names a planner's hand edit of a draft circuit plan.
type PlanEditOp string

// PlanEdit is one hand edit. TeamID, Date and Seq locate the visit (move,
// remove, pin, unpin); RequestID names the request to assign; ToTeamID,
// ToDate and ToSeq say where it goes (move, assign): an empty ToTeamID or
// ToDate keeps the visit's own, ToSeq is the 1-based position in the target
// day (0 = at the end).
type PlanEdit struct {
	Op        PlanEditOp `json:"op"`
	TeamID    string     `json:"team_id,omitempty"`
	Date      Date       `json:"date,omitempty"`
	Seq       int        `json:"seq,omitempty"`
	RequestID string     `json:"request_id,omitempty"`
	ToTeamID  string     `json:"to_team_id,omitempty"`
	ToDate    Date       `json:"to_date,omitempty"`
	ToSeq     int        `json:"to_seq,omitempty"`
}

// PlanEditRecord is one applied edit in a plan's edit log (kept in the plan
// summary): who, when, what it changed, and the changed routes as they were
// before, which is what undo restores.
type PlanEditRecord struct {
	N                  int         `json:"n"`
	Edit               PlanEdit    `json:"edit"`
	By                 string      `json:"by"`
	At                 time.Time   `json:"at"`
	TravelDeltaSeconds int         `json:"travel_delta_seconds"`
	Before             []Itinerary `json:"before"`
	// UnassignedAdded are the requests the edit made unassigned;
	// UnassignedRemoved the unassigned entries it placed.
	UnassignedAdded   []UnassignedRequest `json:"unassigned_added,omitempty"`
	UnassignedRemoved []UnassignedRequest `json:"unassigned_removed,omitempty"`
	// Undone is set when a later undo reverted this edit; Of is the edit an
	// undo record reverted.
	Undone bool `json:"undone,omitempty"`
	Of     int  `json:"of,omitempty"`
}

// CircuitSummary is what a circuit plan keeps in its summary: the figures,
// the unassigned requests with their reason codes, the level-routing
// decisions, the team loads, (re-plans) the moved requests, the search's
// progress and the hand-edit log.
type CircuitSummary struct {
	Stats      CircuitStats        `json:"stats"`
	Unassigned []UnassignedRequest `json:"unassigned,omitempty"`
	Decisions  []LevelDecision     `json:"decisions,omitempty"`
	Loads      []TeamLoad          `json:"loads,omitempty"`
	Moves      []VisitMove         `json:"moves,omitempty"`
	Warnings   []string            `json:"warnings,omitempty"`
	Progress   []RunPoint          `json:"progress,omitempty"`
	Edits      []PlanEditRecord    `json:"edits,omitempty"`
}

// MarketCost is the objective of a solution, term by term, and the weighted total.
type MarketCost struct {
	Uncovered  int64 `json:"uncovered"`   // bookings without a present skill
	Missed     int64 `json:"missed"`      // desks missing from weekly targets
	Shortfall  int64 `json:"shortfall"`   // people missing from wanted desk sizes
	Changes    int64 `json:"changes"`     // assignments added or removed against Previous
	TravelMin  int64 `json:"travel_min"`  // round-trip travel, minutes
	FairnessSq int64 `json:"fairness_sq"` // Σ (market days per person)²
	Total      int64 `json:"total"`       // weighted sum
}

// UncoveredBooking is a booking no present person can handle, and why.
type UncoveredBooking struct {
	BookingID  string `json:"booking_id"`
	TownshipID string `json:"township_id"`
	Date       Date   `json:"date"`
	ItemID     string `json:"item_id"`
	// Reason is not_market_day, no_one_available, desk_locked, desk_full or staff_needed_elsewhere.
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// DeskConflict reports a request the plan cannot honour, e.g. one person locked
// at two desks on one day. Conflicts are reported, never dropped silently.
type DeskConflict struct {
	// Kind is "two_places" (a person locked at two desks on one day),
	// "unavailable" (locked on a day off or on leave), "over_week" (the lock
	// exceeds the person's days per week) or "desk_full" (more than MaxStaff).
	Kind string `json:"kind"`
	// StaffID is the person; Date the day; TownshipID the desk whose lock
	// could not be honoured; Other the desk that keeps the person, if any.
	StaffID    string `json:"staff_id"`
	Date       Date   `json:"date"`
	TownshipID string `json:"township_id"`
	Other      string `json:"other_township_id,omitempty"`
	// Message explains it in words.
	Message string `json:"message"`
}

// MissedWeek is a township-week with fewer desks than its target.
type MissedWeek struct {
	TownshipID string `json:"township_id"`
	// Week is the first day of the ISO week inside the plan's horizon.
	Week   Date `json:"week"`
	Target int  `json:"target"`
	Held   int  `json:"held"`
	// Reason is no_one_available (every market day that week on which
	// anybody works has a desk) or staff_needed_elsewhere.
	Reason string `json:"reason"`
}

// DeskLock is a desk a coordinator fixed.
type DeskLock struct {
	TownshipID string    `json:"township_id"`
	Date       Date      `json:"date"`
	StaffIDs   []string  `json:"staff_ids"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// MarketChange is one entry of a plan's change log.
type MarketChange struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	Op         string    `json:"op"`
	TownshipID string    `json:"township_id,omitempty"`
	Date       Date      `json:"date,omitempty"`
	StaffIDs   []string  `json:"staff_ids,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// MarketSummary is what a market plan keeps in its summary: the run's
// state, the uncovered bookings, conflicts, missed weekly targets, the
// coordinators' locks and change log, and the search's figures.
type MarketSummary struct {
	Run          string             `json:"run"`
	Error        string             `json:"error,omitempty"`
	Uncovered    []UncoveredBooking `json:"uncovered"`
	Conflicts    []DeskConflict     `json:"conflicts"`
	Missed       []MissedWeek       `json:"missed_targets"`
	Locks        []DeskLock         `json:"locks"`
	Changes      []MarketChange     `json:"changes"`
	Cost         MarketCost         `json:"cost"`
	Bookings     int                `json:"bookings"`
	Coverable    int                `json:"coverable"`
	Staff        int                `json:"staff"`
	Slots        int                `json:"slots"`
	Desks        int                `json:"desks"`
	Iterations   int                `json:"iterations"`
	SearchStatus string             `json:"search_status,omitempty"`
	SolveMillis  int64              `json:"solve_ms"`
}
