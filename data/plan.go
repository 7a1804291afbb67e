package data

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PlanKind says which planner produced a plan.
type PlanKind string

// Plan kinds.
const (
	PlanCircuit PlanKind = "circuit" // door-to-door circuits (itineraries)
	PlanMarket  PlanKind = "market"  // market-day desks
)

// PlanStatus is the publication state of a plan.
type PlanStatus string

// Plan statuses.
const (
	PlanDraft      PlanStatus = "draft"
	PlanPublished  PlanStatus = "published"
	PlanSuperseded PlanStatus = "superseded" // was published, replaced by a later published version
)

// Plan is the header of a planning result covering the dates From–To
// (inclusive). Its content is a set of itineraries (circuit plans) or desks
// (market plans), saved and replaced as a whole.
type Plan struct {
	// ID is a stable id; stores assign "P-" + random hex when empty.
	ID string `json:"id"`
	// Kind is circuit or market.
	Kind PlanKind `json:"kind"`
	// From and To are the first and last day covered.
	From Date `json:"from"`
	To   Date `json:"to"`
	// Status is draft, published or superseded. A published plan is
	// immutable: it only becomes superseded when another version is
	// published in its place.
	Status PlanStatus `json:"status"`
	// Supersedes is the published plan this one replaced when it was
	// published; SupersededBy the plan that replaced this one.
	Supersedes   string `json:"supersedes,omitempty"`
	SupersededBy string `json:"superseded_by,omitempty"`
	// Version increases by one on every write (optimistic concurrency).
	Version int64 `json:"version"`
	// CreatedBy is the user id (or "scheduler") that created the plan.
	CreatedBy string `json:"created_by"`
	// CreatedAt and UpdatedAt are set by the store (UTC).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Summary holds the planner's figures and logs (nil: none); only the
	// part of the plan's kind may be set.
	Summary *PlanSummary `json:"summary,omitempty"`
}

// Validate checks p's header fields; errors are Invalid.
func (p Plan) Validate() error {
	if p.ID != "" {
		if err := validateID("id", p.ID); err != nil {
			return err
		}
	}
	if p.Kind != PlanCircuit && p.Kind != PlanMarket {
		return FieldError("kind", "%q is not circuit or market", p.Kind)
	}
	if !p.From.Valid() {
		return FieldError("from", "%q is not a date YYYY-MM-DD", p.From)
	}
	if !p.To.Valid() || p.To < p.From {
		return FieldError("to", "%q is not a date YYYY-MM-DD on or after from (%s)", p.To, p.From)
	}
	if p.Status != "" && p.Status != PlanDraft && p.Status != PlanPublished && p.Status != PlanSuperseded {
		return FieldError("status", "%q is not draft, published or superseded", p.Status)
	}
	if p.CreatedBy == "" {
		return FieldError("created_by", "is required")
	}
	if err := p.Summary.validate(p.Kind); err != nil {
		return err
	}
	if p.Summary != nil {
		if _, err := json.Marshal(p.Summary); err != nil {
			return FieldError("summary", "is not JSON-encodable: %v", err)
		}
	}
	return nil
}

// Stop is one visit of an itinerary. Times are minutes after local midnight
// of the itinerary's date.
type Stop struct {
	// Seq is the 1-based position of the stop in the day.
	Seq int `json:"seq"`
	// VillageID is the village visited.
	VillageID string `json:"village_id"`
	// RequestIDs are the requests served at this stop (may be empty for a
	// pure desk/office stop).
	RequestIDs []string `json:"request_ids"`
	// Location is where the stop takes place (WGS84).
	Location Point `json:"location"`
	// Arrival is when the team arrives; Start when service starts (≥ Arrival,
	// waiting for the household's window); Depart when it leaves.
	Arrival int `json:"arrival"`
	Start   int `json:"start"`
	Depart  int `json:"depart"`
	// TravelSeconds is the travel time from the previous stop (or from the
	// home point for the first stop), in seconds.
	TravelSeconds int `json:"travel_seconds"`
	// Locked marks a stop a planner fixed by hand; re-planning keeps it.
	Locked bool `json:"locked"`
	// Guide is set on a home visit the guide rules give a village agent:
	// who guides, or why the visit goes without (GuideRule).
	Guide *StopGuide `json:"guide,omitempty"`
	// StaffIDs are the experts who attend this visit (a subset of the
	// itinerary's crew, exactly those whose skills the items need: two for a
	// visit needing two departments, both from Start to Depart); empty
	// means the whole crew attends (township and village teams).
	StaffIDs []string `json:"staff_ids,omitempty"`
}

// Itinerary is one team's route on one day of a plan.
type Itinerary struct {
	// PlanID is the plan this belongs to (set by the store on save).
	PlanID string `json:"plan_id"`
	// TeamID is the team that travels.
	TeamID string `json:"team_id"`
	// Date is the day of travel.
	Date Date `json:"date"`
	// Stops are the visits in order.
	Stops []Stop `json:"stops"`
	// ReturnSeconds is the travel time from the last stop back home, in seconds.
	ReturnSeconds int `json:"return_seconds"`
	// StaffIDs are who travels that day: a county car's crew formed from
	// the county experts' pool (any county team's members), or a
	// township/village team's members on duty (the planner leaves out those
	// on leave or off that weekday); empty means all of the team's members.
	// They are the person-days the plan claims when published.
	StaffIDs []string `json:"staff_ids,omitempty"`
}

// Validate checks it (not that team, villages and requests exist).
func (it Itinerary) Validate() error {
	if err := validateID("team_id", it.TeamID); err != nil {
		return err
	}
	if !it.Date.Valid() {
		return FieldError("date", "%q is not a date YYYY-MM-DD", it.Date)
	}
	for i, s := range it.Stops {
		f := fmt.Sprintf("stops[%d]", i)
		if s.Seq != i+1 {
			return FieldError(f+".seq", "is %d, want %d (stops in order, 1-based)", s.Seq, i+1)
		}
		if !ValidCode(s.VillageID) {
			return FieldError(f+".village_id", "%q is not an NBS code inside 511822", s.VillageID)
		}
		if err := s.Location.validate(f + ".location"); err != nil {
			return err
		}
		if s.Arrival < 0 || s.Start < s.Arrival || s.Depart < s.Start || s.Depart > 2*MinutesPerDay {
			return FieldError(f, "times must satisfy 0 ≤ arrival (%d) ≤ start (%d) ≤ depart (%d)", s.Arrival, s.Start, s.Depart)
		}
		if s.TravelSeconds < 0 {
			return FieldError(f+".travel_seconds", "is negative")
		}
		for j, r := range s.RequestIDs {
			if err := validateID(fmt.Sprintf("%s.request_ids[%d]", f, j), r); err != nil {
				return err
			}
		}
		if g := s.Guide; g != nil && g.StaffID != "" {
			if err := validateID(f+".guide.staff_id", g.StaffID); err != nil {
				return err
			}
		}
		for j, id := range s.StaffIDs {
			if err := validateID(fmt.Sprintf("%s.staff_ids[%d]", f, j), id); err != nil {
				return err
			}
		}
	}
	if it.ReturnSeconds < 0 {
		return FieldError("return_seconds", "is negative")
	}
	for i, id := range it.StaffIDs {
		if err := validateID(fmt.Sprintf("staff_ids[%d]", i), id); err != nil {
			return err
		}
	}
	return nil
}

// Desk is a market-day service desk: staff of a township sit at the market
// on a market day and offer some items.
type Desk struct {
	// PlanID is the plan this belongs to (set by the store on save).
	PlanID string `json:"plan_id"`
	// TownshipID is the township whose market hosts the desk.
	TownshipID string `json:"township_id"`
	// Date is the market day.
	Date Date `json:"date"`
	// Start and End are the desk hours, minutes after local midnight.
	Start int `json:"start"`
	End   int `json:"end"`
	// StaffIDs are the people at the desk.
	StaffIDs []string `json:"staff_ids"`
	// ItemIDs are the service items offered.
	ItemIDs []string `json:"item_ids"`
	// RequestIDs are requests whose households are invited to this desk.
	RequestIDs []string `json:"request_ids,omitempty"`
	// Locked marks a desk a planner fixed by hand.
	Locked bool `json:"locked"`
}

// Validate checks d (not that referenced records exist).
func (d Desk) Validate() error {
	if TownshipOf(d.TownshipID) != d.TownshipID || d.TownshipID == "" {
		return FieldError("township_id", "%q is not a township code", d.TownshipID)
	}
	if !d.Date.Valid() {
		return FieldError("date", "%q is not a date YYYY-MM-DD", d.Date)
	}
	if d.Start < 0 || d.End > MinutesPerDay || d.End <= d.Start {
		return FieldError("end", "desk hours %d–%d are not within 0–1440 with start < end", d.Start, d.End)
	}
	for i, s := range d.StaffIDs {
		if err := validateID(fmt.Sprintf("staff_ids[%d]", i), s); err != nil {
			return err
		}
	}
	for i, s := range d.ItemIDs {
		if err := validateID(fmt.Sprintf("item_ids[%d]", i), s); err != nil {
			return err
		}
	}
	for i, s := range d.RequestIDs {
		if err := validateID(fmt.Sprintf("request_ids[%d]", i), s); err != nil {
			return err
		}
	}
	return nil
}

// PlanDetail is a plan with its content.
type PlanDetail struct {
	Plan        Plan        `json:"plan"`
	Itineraries []Itinerary `json:"itineraries"`
	Desks       []Desk      `json:"desks"`
}

// PlanFilter selects plans for ListPlans. Zero fields do not filter.
type PlanFilter struct {
	Kind   PlanKind
	Status PlanStatus
	// Overlaps keeps plans whose From–To range contains this date.
	Overlaps Date
	// Limit (default 100, at most 1000) and Offset page the result, newest first.
	Limit  int
	Offset int
}

// Publication asks the store to publish a draft plan.
type Publication struct {
	// ID and Version name the draft (Version must be current).
	ID      string
	Version int64
	// Supersedes names the published plan of the same kind whose period
	// overlaps this one and which this one replaces; required when there is
	// one (Conflict otherwise), and must be "" when there is none.
	Supersedes string
}

// ItineraryFilter selects itineraries across plans. Zero fields do not filter.
type ItineraryFilter struct {
	PlanID string
	TeamID string
	// From and To bound the itinerary date (inclusive).
	From Date
	To   Date
	// PublishedOnly keeps itineraries of published plans only.
	PublishedOnly bool
}

// MarketCycle is a township's market-day rhythm (赶场/逢场), e.g. 逢1·4·7:
// the market is held on every day of the month whose last digit is 1, 4 or 7.
//
// Cycle holds the compact text form read by scheduler/calendar.ParseCycle
// ("solar:1,4,7", "lunar:1,15", "every:5@2026-01-03", "weekdays:tue,sat"),
// which is the authoritative rhythm. Calendar and Digits describe the common
// 逢-digit form; when Cycle is empty, Normalize derives it from them.
type MarketCycle struct {
	// TownshipID is the township.
	TownshipID string `json:"township_id"`
	// Cycle is the compact text form (≤ 256 bytes, "KIND:PARAMS"); data does
	// not parse it beyond its shape: the scheduler validates it.
	Cycle string `json:"cycle"`
	// Calendar is "lunar" (农历, the traditional count) or "solar" (公历);
	// optional when Cycle is set.
	Calendar string `json:"calendar,omitempty"`
	// Digits are the last digits of market days, 0–9; 0 stands for the
	// 10th, 20th and 30th. Optional when Cycle is set.
	Digits []int `json:"digits,omitempty"`
	// Place is where the market is held (optional).
	Place string `json:"place,omitempty"`
	// Start and End are the usual market hours, minutes after local midnight.
	Start int `json:"start"`
	End   int `json:"end"`
	// Sample is true for invented cycles: no public source was found for
	// Yingjing, so every seeded cycle is SAMPLE.
	Sample bool `json:"sample"`
	// SpecialDays are the township's festival fairs (特别日), market days
	// outside the cycle (at most 100).
	SpecialDays []SpecialDay `json:"special_days,omitempty"`
}

// SpecialDay is a festival fair (特别日) of a township: a market day outside
// the regular cycle, once or every year.
type SpecialDay struct {
	// On is the day in text form, read by scheduler/calendar.ParseSpecialDay:
	// "solar:2026-10-01" (once), "solar:10-01" (every year), "lunar:01-15"
	// (every lunar 正月十五), "lunar:2025-L06-15" (闰六月 of lunar 2025 only).
	// data checks only its shape; the calendar checks that the day exists.
	On string `json:"on"`
	// Name is shown to users, e.g. "元宵灯会" (1–100 characters).
	Name string `json:"name"`
}

// Text returns On and Name, the two strings the calendar parses.
func (s SpecialDay) Text() (on, name string) { return s.On, s.Name }

// Normalize fills Cycle from Calendar and Digits when it is empty.
func (c *MarketCycle) Normalize() {
	if c.Cycle != "" || c.Calendar == "" || len(c.Digits) == 0 {
		return
	}
	parts := make([]string, len(c.Digits))
	for i, d := range c.Digits {
		parts[i] = strconv.Itoa(d)
	}
	c.Cycle = c.Calendar + ":" + strings.Join(parts, ",")
}

// Validate checks c (after Normalize); errors are Invalid.
func (c MarketCycle) Validate() error {
	if TownshipOf(c.TownshipID) != c.TownshipID || c.TownshipID == "" {
		return FieldError("township_id", "%q is not a township code", c.TownshipID)
	}
	if c.Cycle == "" && c.Calendar == "" {
		return FieldError("cycle", "is required (e.g. solar:1,4,7)")
	}
	if c.Cycle != "" {
		if k, _, ok := strings.Cut(c.Cycle, ":"); !ok || k == "" || len(c.Cycle) > 256 || !utf8.ValidString(c.Cycle) {
			return FieldError("cycle", "%q is not KIND:PARAMS (≤ 256 bytes), e.g. solar:1,4,7", c.Cycle)
		}
	}
	if c.Calendar != "" {
		if c.Calendar != "lunar" && c.Calendar != "solar" {
			return FieldError("calendar", "%q is not lunar or solar", c.Calendar)
		}
		if len(c.Digits) == 0 {
			return FieldError("digits", "at least one digit is required with a calendar")
		}
	}
	seen := map[int]bool{}
	for i, d := range c.Digits {
		if d < 0 || d > 9 || seen[d] {
			return FieldError(fmt.Sprintf("digits[%d]", i), "%d is not a new digit 0–9", d)
		}
		seen[d] = true
	}
	if utf8.RuneCountInString(c.Place) > 100 {
		return FieldError("place", "longer than 100 characters")
	}
	if c.Start < 0 || c.End > MinutesPerDay || c.End <= c.Start {
		return FieldError("end", "market hours %d–%d are not within 0–1440 with start < end", c.Start, c.End)
	}
	if len(c.SpecialDays) > 100 {
		return FieldError("special_days", "%d special days; at most 100", len(c.SpecialDays))
	}
	seenOn := map[string]bool{}
	for i, s := range c.SpecialDays {
		f := fmt.Sprintf("special_days[%d]", i)
		k, _, ok := strings.Cut(s.On, ":")
		if !ok || (k != "solar" && k != "lunar") || len(s.On) > 32 {
			return FieldError(f+".on", "%q is not solar:[YYYY-]MM-DD or lunar:[YYYY-][L]MM-DD", s.On)
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(s.Name)); n == 0 || n > 100 {
			return FieldError(f+".name", "a special day needs a name of 1–100 characters")
		}
		if seenOn[s.On] {
			return FieldError(f+".on", "%s is listed twice", s.On)
		}
		seenOn[s.On] = true
	}
	return nil
}

// IsMarketDay reports whether day-of-month dom (1–31, in the cycle's
// Calendar) is a market day by Digits; it ignores Cycle (use the scheduler
// for other forms).
func (c MarketCycle) IsMarketDay(dom int) bool {
	for _, d := range c.Digits {
		if dom%10 == d {
			return true
		}
	}
	return false
}

// MarketException changes one township's market calendar on one date.
type MarketException struct {
	// TownshipID is the township.
	TownshipID string `json:"township_id"`
	// Kind is "add" (an extra market day), "move" (the market of Date is
	// held on To instead) or "remove" (no market on Date).
	Kind string `json:"kind"`
	// Date is the affected day (for move: the regular day).
	Date Date `json:"date"`
	// To is the new day of a move; empty otherwise.
	To Date `json:"to,omitempty"`
	// Reason explains the exception (≤ 200 characters).
	Reason string `json:"reason,omitempty"`
}

// Validate checks e; errors are Invalid.
func (e MarketException) Validate() error {
	if TownshipOf(e.TownshipID) != e.TownshipID || e.TownshipID == "" {
		return FieldError("township_id", "%q is not a township code", e.TownshipID)
	}
	if !e.Date.Valid() {
		return FieldError("date", "%q is not a date YYYY-MM-DD", e.Date)
	}
	switch e.Kind {
	case "add", "remove":
		if e.To != "" {
			return FieldError("to", "only a move has a target date")
		}
	case "move":
		if !e.To.Valid() || e.To == e.Date {
			return FieldError("to", "%q is not a date YYYY-MM-DD other than date", e.To)
		}
	default:
		return FieldError("kind", "%q is not add, move or remove", e.Kind)
	}
	if utf8.RuneCountInString(e.Reason) > 200 {
		return FieldError("reason", "longer than 200 characters")
	}
	return nil
}
