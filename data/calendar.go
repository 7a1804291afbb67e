package data

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// AbsenceKind says why a staff member is away.
type AbsenceKind string

// Absence kinds.
const (
	AbsenceLeave    AbsenceKind = "leave"    // 请假 (annual, personal)
	AbsenceSick     AbsenceKind = "sick"     // 病假
	AbsenceTraining AbsenceKind = "training" // 培训, meetings away
	AbsenceOther    AbsenceKind = "other"
)

// Valid reports whether k is one of the absence kinds.
func (k AbsenceKind) Valid() bool {
	switch k {
	case AbsenceLeave, AbsenceSick, AbsenceTraining, AbsenceOther:
		return true
	}
	return false
}

// Absence is a staff member's leave or absence from From to To (both days
// included). Absences are first-class records: added, listed and cancelled
// through the store (never deleted), and read by both planners. They are the
// one leave model: the leave ranges of a staff import (Staff.Leave) are
// recorded as absences.
type Absence struct {
	// ID is a stable id; stores assign "AB-" + random hex when empty.
	ID string `json:"id"`
	// StaffID is the person who is away.
	StaffID string `json:"staff_id"`
	// From and To are the first and last day away.
	From Date `json:"from"`
	To   Date `json:"to"`
	// Kind is leave, sick, training or other (default leave).
	Kind AbsenceKind `json:"kind"`
	// Reason explains the absence (1–200 characters).
	Reason string `json:"reason"`
	// CreatedBy is the user (or import) that recorded it; CreatedAt is set by the store.
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// CancelledAt and CancelledBy are set when the absence is cancelled;
	// a cancelled absence no longer counts.
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	CancelledBy string     `json:"cancelled_by,omitempty"`
	// Version increases by one on every write.
	Version int64 `json:"version"`
}

// Active reports whether a is not cancelled.
func (a Absence) Active() bool { return a.CancelledAt == nil }

// Covers reports whether a is active and d lies within it.
func (a Absence) Covers(d Date) bool { return a.Active() && a.From <= d && d <= a.To }

// MaxAbsenceDays bounds one absence record (a longer one is split by hand).
const MaxAbsenceDays = 366

// Validate checks a's fields (not that the staff member exists); errors are
// Invalid and name the field. An empty Kind is read as leave.
func (a Absence) Validate() error {
	if a.ID != "" {
		if err := validateID("id", a.ID); err != nil {
			return err
		}
	}
	if err := validateID("staff_id", a.StaffID); err != nil {
		return err
	}
	if !a.From.Valid() {
		return FieldError("from", "%q is not a date YYYY-MM-DD", a.From)
	}
	if !a.To.Valid() || a.To < a.From {
		return FieldError("to", "%q is not a date YYYY-MM-DD on or after from (%s)", a.To, a.From)
	}
	if a.To.Time().Sub(a.From.Time()) > MaxAbsenceDays*24*time.Hour {
		return FieldError("to", "an absence spans at most %d days", MaxAbsenceDays)
	}
	if a.Kind != "" && !a.Kind.Valid() {
		return FieldError("kind", "%q is not leave, sick, training or other", a.Kind)
	}
	if n := utf8.RuneCountInString(a.Reason); n == 0 || n > 200 || !utf8.ValidString(a.Reason) {
		return FieldError("reason", "is required (1–200 characters)")
	}
	return nil
}

// AbsenceFilter selects absences. Zero fields do not filter.
type AbsenceFilter struct {
	// StaffID restricts to one person.
	StaffID string
	// From and To keep absences overlapping this range (inclusive).
	From Date
	To   Date
	// IncludeCancelled keeps cancelled absences too.
	IncludeCancelled bool
}

// DayKind is what a staff member's day is given to, in the staff calendar.
type DayKind string

// Day kinds: a person-day is exactly one of these.
const (
	DayCircuit    DayKind = "circuit"     // on a circuit team's route (published circuit plan)
	DayMarketDesk DayKind = "market_desk" // at a market-day desk (published market plan)
	DayDeskDuty   DayKind = "desk_duty"   // 坐班: at the home base, free for a planner
	DayLeave      DayKind = "leave"       // away: roster leave or an absence
	DayRest       DayKind = "rest"        // not a working day for the person (weekday off, holiday)
)

// Claim is one person-day taken by a published plan: the store writes the
// claims of a plan when it is published, in the same transaction, and at
// most one plan claims a person on a day.
type Claim struct {
	// StaffID and Date are the person-day.
	StaffID string `json:"staff_id"`
	Date    Date   `json:"date"`
	// Kind is circuit or market_desk.
	Kind DayKind `json:"kind"`
	// PlanID is the published plan that claims it.
	PlanID string `json:"plan_id"`
	// Ref is the team (circuit) or township (market desk) the person serves.
	Ref string `json:"ref"`
}

// ClaimFilter selects claims. Zero fields do not filter.
type ClaimFilter struct {
	StaffID string
	PlanID  string
	Kind    DayKind
	// From and To bound the date (inclusive).
	From Date
	To   Date
}

// StaffDay is a person-day key.
type StaffDay struct {
	StaffID string
	Date    Date
}

// PlanClaims returns the person-days a plan's content takes: each member on
// an itinerary with at least one stop (Itinerary.StaffIDs, or the team's
// members when it names none), each village agent guiding a visit
// (Stop.Guide), each person at a desk. teams gives the
// member ids of each team id. Duplicates within the plan are merged (the
// first wins), so the result has one claim per person-day, in content order.
func PlanClaims(d PlanDetail, teams map[string][]string) []Claim {
	var out []Claim
	seen := map[StaffDay]bool{}
	add := func(c Claim) {
		k := StaffDay{c.StaffID, c.Date}
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	for _, it := range d.Itineraries {
		if len(it.Stops) == 0 {
			continue
		}
		members := it.StaffIDs
		if len(members) == 0 {
			members = teams[it.TeamID]
		}
		for _, id := range members {
			add(Claim{StaffID: id, Date: it.Date, Kind: DayCircuit, PlanID: d.Plan.ID, Ref: it.TeamID})
		}
	}
	// Guides come after every team's own members, so that an agent guiding
	// on a day of their own circuit keeps their team as the claim's ref.
	for _, it := range d.Itineraries {
		for _, st := range it.Stops {
			if st.Guide != nil && st.Guide.StaffID != "" {
				add(Claim{StaffID: st.Guide.StaffID, Date: it.Date, Kind: DayCircuit, PlanID: d.Plan.ID, Ref: it.TeamID})
			}
		}
	}
	for _, dk := range d.Desks {
		for _, id := range dk.StaffIDs {
			add(Claim{StaffID: id, Date: dk.Date, Kind: DayMarketDesk, PlanID: d.Plan.ID, Ref: dk.TownshipID})
		}
	}
	return out
}

// AbsentClaims returns the claims that fall on a day one of absences covers
// (the person-days a published plan counts on but the person is away): the
// reason a plan needs a re-plan.
func AbsentClaims(claims []Claim, absences []Absence) []Claim {
	var out []Claim
	for _, c := range claims {
		for _, a := range absences {
			if a.StaffID == c.StaffID && a.Covers(c.Date) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// ClaimConflict describes a person-day that a plan would claim but another
// published plan already holds.
func ClaimConflict(c Claim, holder string) *Error {
	return &Error{Kind: Conflict, Field: "staff",
		Message: fmt.Sprintf("%s on %s is already claimed by published plan %s; re-plan around it", c.StaffID, c.Date, holder)}
}

// CalendarDay is one person-day of the staff calendar.
type CalendarDay struct {
	StaffID string  `json:"staff_id"`
	Date    Date    `json:"date"`
	Kind    DayKind `json:"kind"`
	// PlanID and Ref name the published plan and its team or township when
	// the day is claimed (circuit, market_desk).
	PlanID string `json:"plan_id,omitempty"`
	Ref    string `json:"ref,omitempty"`
	// AbsenceID names the absence of a leave day (empty for roster leave).
	AbsenceID string `json:"absence_id,omitempty"`
	// ClaimedWhileAway is set on a leave day that a published plan still
	// claims (PlanID): that plan needs a re-plan.
	ClaimedWhileAway bool `json:"claimed_while_away,omitempty"`
	// Guiding is the time of the day a published circuit plan claims of a
	// village agent as the guide of other teams' home visits.
	Guiding []GuideSpan `json:"guiding,omitempty"`
}

// StaffCalendar returns st's days from–to (inclusive), one per day: leave
// when roster leave or an active absence covers it (even if a plan claims
// it: ClaimedWhileAway), else the claim of a published plan, else rest when
// the person does not work that weekday or rest(day) says it is a rest day
// (holidays; nil = none), else desk duty. workday(day) says a weekend day is
// an adjusted working day (调休; nil = none): it is worked with the
// person's weekday shifts (ShiftWeekday). absences and claims may hold
// other people's records; they are filtered here.
func StaffCalendar(st Staff, absences []Absence, claims []Claim, from, to Date, rest, workday func(Date) bool) []CalendarDay {
	byDay := map[Date]Claim{}
	for _, c := range claims {
		if c.StaffID == st.ID {
			byDay[c.Date] = c
		}
	}
	var out []CalendarDay
	for d := from; d <= to && d.Valid(); d = d.AddDays(1) {
		cd := CalendarDay{StaffID: st.ID, Date: d}
		c, claimed := byDay[d]
		if claimed {
			cd.PlanID, cd.Ref = c.PlanID, c.Ref
		}
		away := false
		for _, a := range absences {
			if a.StaffID == st.ID && a.Covers(d) {
				away, cd.AbsenceID = true, a.ID
				break
			}
		}
		switch {
		case away:
			cd.Kind, cd.ClaimedWhileAway = DayLeave, claimed
		case claimed:
			cd.Kind = c.Kind
		case !st.WorksOn(st.ShiftWeekday(d, workday != nil && workday(d))) || (rest != nil && rest(d)):
			cd.Kind = DayRest
		default:
			cd.Kind = DayDeskDuty
		}
		out = append(out, cd)
	}
	return out
}

// ShiftWeekday is the weekday whose shifts (availability windows) st works
// on d. On an adjusted working day (调休: adjusted is true for a Saturday or
// Sunday the State Council makes a working day in exchange for a holiday)
// someone with no shift on that weekend day works it as an ordinary working
// day: with the shifts of their first weekday, Monday to Friday, that has
// any. Anyone else, and every other day, works d's own weekday.
func (s Staff) ShiftWeekday(d Date, adjusted bool) time.Weekday {
	wd := d.Weekday()
	if !adjusted || s.WorksOn(wd) {
		return wd
	}
	for x := time.Monday; x <= time.Friday; x++ {
		if s.WorksOn(x) {
			return x
		}
	}
	return wd
}

// WorksOn reports whether st's availability has a window on weekday wd (no
// availability at all means every day).
func (s Staff) WorksOn(wd time.Weekday) bool {
	if len(s.Availability) == 0 {
		return true
	}
	for _, w := range s.Availability {
		if w.Weekday == wd {
			return true
		}
	}
	return false
}
