package data

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// ClosureKind says what a road closure closes.
type ClosureKind string

// Closure kinds.
const (
	// ClosedRoad is a stretch of road closed to every travel mode (a
	// landslide after rain, snow on a pass), given as a line along the road.
	ClosedRoad ClosureKind = "road"
	// FootOnly is a village reachable only on foot: vehicles stop at the
	// trailhead and wait there while the team walks WalkMinutes each way.
	FootOnly ClosureKind = "foot_only"
)

// Closure limits.
const (
	// MaxClosureLinePoints bounds a closed road's line.
	MaxClosureLinePoints = 500
	// MaxWalkMinutes bounds a foot-only village's walk from the trailhead.
	MaxWalkMinutes = 240
)

// Closure is a road closure or a walk-only village with its validity: the
// days on which travel must honour it. Dates are civil dates in Local.
type Closure struct {
	// ID is "CL-…" when assigned by the store.
	ID   string      `json:"id"`
	Kind ClosureKind `json:"kind"`
	// Name says where it is, e.g. "G108 塌方 (龙苍沟)".
	Name string `json:"name"`
	// Reason is free text shown on route sheets, e.g. "雨季塌方".
	Reason string `json:"reason,omitempty"`
	// Line is the closed stretch, WGS84 points along the road (road only,
	// at least two points).
	Line []Point `json:"line,omitempty"`
	// VillageID is the walk-only village (foot_only only).
	VillageID string `json:"village_id,omitempty"`
	// Trailhead is where vehicles stop (foot_only only).
	Trailhead *Point `json:"trailhead,omitempty"`
	// WalkMinutes is the walk from the trailhead to any place in the
	// village, one way (foot_only only, 1–MaxWalkMinutes).
	WalkMinutes int `json:"walk_minutes,omitempty"`
	// From and To are the first and last day of validity, both included:
	// YYYY-MM-DD, or MM-DD when Yearly (then a range may wrap the year
	// end, e.g. winter 12-01 – 02-28).
	From   string `json:"from"`
	To     string `json:"to"`
	Yearly bool   `json:"yearly,omitempty"`

	CreatedBy string    `json:"created_by,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ClosureFilter selects closures; the zero value selects all.
type ClosureFilter struct {
	// On keeps the closures valid on that day.
	On Date
	// Kind keeps one kind.
	Kind ClosureKind
}

// Match reports whether c passes f.
func (f ClosureFilter) Match(c Closure) bool {
	return (f.Kind == "" || c.Kind == f.Kind) && (f.On == "" || c.ActiveOn(f.On))
}

// Validate checks c; errors are Invalid and name the field.
func (c Closure) Validate() error {
	if err := validateName("name", c.Name); err != nil {
		return err
	}
	if utf8.RuneCountInString(c.Reason) > 200 || !utf8.ValidString(c.Reason) {
		return FieldError("reason", "must be valid UTF-8 of at most 200 characters")
	}
	switch c.Kind {
	case ClosedRoad:
		if err := c.validateRoad(); err != nil {
			return err
		}
	case FootOnly:
		if err := c.validateFoot(); err != nil {
			return err
		}
	default:
		return FieldError("kind", "%q is not road or foot_only", c.Kind)
	}
	return c.validateDates()
}

func (c Closure) validateRoad() error {
	if len(c.Line) < 2 || len(c.Line) > MaxClosureLinePoints {
		return FieldError("line", "has %d points; a closed road needs 2–%d points along it", len(c.Line), MaxClosureLinePoints)
	}
	for i, p := range c.Line {
		if err := p.validate(fmt.Sprintf("line[%d]", i)); err != nil {
			return err
		}
		if i > 0 && p == c.Line[i-1] {
			return FieldError(fmt.Sprintf("line[%d]", i), "repeats the point before it")
		}
	}
	switch {
	case c.VillageID != "":
		return FieldError("village_id", "only a foot_only closure names a village")
	case c.Trailhead != nil:
		return FieldError("trailhead", "only a foot_only closure has a trailhead")
	case c.WalkMinutes != 0:
		return FieldError("walk_minutes", "only a foot_only closure has walking minutes")
	}
	return nil
}

func (c Closure) validateFoot() error {
	if !ValidCode(c.VillageID) || c.VillageID[9:] == "000" {
		return FieldError("village_id", "%q is not a village code 511822xxxyyy", c.VillageID)
	}
	if c.Trailhead == nil {
		return FieldError("trailhead", "is required: the point where vehicles stop")
	}
	if err := c.Trailhead.validate("trailhead"); err != nil {
		return err
	}
	if c.WalkMinutes < 1 || c.WalkMinutes > MaxWalkMinutes {
		return FieldError("walk_minutes", "%d is not 1–%d minutes of walking from the trailhead", c.WalkMinutes, MaxWalkMinutes)
	}
	if len(c.Line) > 0 {
		return FieldError("line", "only a road closure has a line")
	}
	return nil
}

func (c Closure) validateDates() error {
	if !c.Yearly {
		r := DateRange{From: Date(c.From), To: Date(c.To)}
		if !r.From.Valid() {
			return FieldError("from", "%q is not a date YYYY-MM-DD (or MM-DD with yearly)", c.From)
		}
		if !r.To.Valid() {
			return FieldError("to", "%q is not a date YYYY-MM-DD (or MM-DD with yearly)", c.To)
		}
		if r.To < r.From {
			return FieldError("to", "ends (%s) before it starts (%s)", r.To, r.From)
		}
		return nil
	}
	if !validMonthDay(c.From) {
		return FieldError("from", "%q is not a day of the year MM-DD (yearly)", c.From)
	}
	if !validMonthDay(c.To) {
		return FieldError("to", "%q is not a day of the year MM-DD (yearly)", c.To)
	}
	return nil
}

// validMonthDay accepts MM-DD of a leap year (02-29 included).
func validMonthDay(s string) bool {
	if len(s) != 5 {
		return false
	}
	_, err := time.Parse("2006-01-02", "2024-"+s)
	return err == nil
}

// ActiveOn reports whether c is valid on day d. A yearly range wrapping the
// year end (From > To) covers From…12-31 and 01-01…To. A yearly range
// ending 02-29 ends 02-28 in other years, since that is its last day.
func (c Closure) ActiveOn(d Date) bool {
	if !c.Yearly {
		return Date(c.From) <= d && d <= Date(c.To)
	}
	if !d.Valid() {
		return false
	}
	md := string(d)[5:]
	if c.From <= c.To {
		return c.From <= md && md <= c.To
	}
	return md >= c.From || md <= c.To
}
