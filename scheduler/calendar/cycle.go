package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a market cycle.
type Kind string

// The cycle kinds. Their parameters are described on Cycle.
const (
	SolarDays  Kind = "solar_days"   // days of the Gregorian month
	LunarDays  Kind = "lunar_days"   // days of the Chinese lunar month
	EveryNDays Kind = "every_n_days" // every N days counted from an anchor date
	Weekdays   Kind = "weekdays"     // fixed days of the week
)

// Limits on cycle parameters.
const (
	// MaxEvery is the largest N of an every_n_days cycle (one year plus a day).
	MaxEvery = 366
	// maxTextLen bounds the compact text form; real cycles are a dozen bytes.
	maxTextLen = 256
)

// Cycle is a township's regular market cycle. It is a plain value: compare it
// with Equal, copy it freely. Which fields are used depends on Kind:
//
//   - SolarDays, LunarDays: exactly one of Digits or Days is non-empty.
//     Digits are 逢 digits 0–9: digit k matches every day of the month whose
//     last decimal digit is k, so 逢1 is the 1st, 11th, 21st and 31st and 逢0
//     is the 10th, 20th and 30th. Days are exact days of the month (1–31 solar,
//     1–30 lunar). A day that a month lacks (the 31st of April, the 30th of a
//     29-day lunar month) is simply no market day that month: it never moves
//     to a neighbouring day. Lunar cycles count the days of a leap month (闰月)
//     like any other month, because markets follow the day number.
//   - EveryNDays: Every (1–366) and Anchor, a market day; the market falls on
//     Anchor ± k·Every for every integer k.
//   - Weekdays: one or more days of the week.
//
// Slices are kept sorted and free of duplicates by ParseCycle and Normalize.
type Cycle struct {
	Kind     Kind      `json:"kind"`
	Digits   []int     `json:"digits,omitempty"`
	Days     []int     `json:"days,omitempty"`
	Every    int       `json:"every,omitempty"`
	Anchor   Date      `json:"anchor,omitzero"`
	Weekdays []Weekday `json:"weekdays,omitempty"`
}

// Weekday is a day of the week that encodes as its lowercase three-letter
// English name ("mon" … "sun") in JSON and text.
type Weekday time.Weekday

var weekdayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// String returns the three-letter lowercase name, e.g. "tue".
func (w Weekday) String() string {
	if w < 0 || int(w) >= len(weekdayNames) {
		return "weekday(" + strconv.Itoa(int(w)) + ")"
	}
	return weekdayNames[w]
}

// MarshalText encodes w as its name.
func (w Weekday) MarshalText() ([]byte, error) {
	if w < 0 || int(w) >= len(weekdayNames) {
		return nil, fmt.Errorf("weekday %d out of range", int(w))
	}
	return []byte(weekdayNames[w]), nil
}

// UnmarshalText decodes a weekday name (case-insensitive, "tue" or "tuesday").
func (w *Weekday) UnmarshalText(b []byte) error {
	v, ok := parseWeekday(string(b))
	if !ok {
		return fmt.Errorf("weekday %q: want mon, tue, wed, thu, fri, sat or sun", b)
	}
	*w = v
	return nil
}

func parseWeekday(s string) (Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < 3 {
		return 0, false
	}
	for i, n := range weekdayNames {
		if s == n || s == strings.ToLower(time.Weekday(i).String()) {
			return Weekday(i), true
		}
	}
	return 0, false
}

// FieldError reports an invalid field of a cycle, exception or query. Field is
// a dotted JSON path such as "days" or "exceptions[2].to"; the API turns it
// into a 400 response naming the field.
type FieldError struct {
	Field string
	Msg   string
}

// Error returns "FIELD: MSG".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// AsFieldError returns the first FieldError in err's chain, if any.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// Validate reports the first invalid field of c as a *FieldError. It does not
// modify c; call Normalize to sort and de-duplicate lists first if needed.
func (c Cycle) Validate() error {
	switch c.Kind {
	case SolarDays, LunarDays:
		maxDay := 31
		if c.Kind == LunarDays {
			maxDay = 30
		}
		switch {
		case len(c.Digits) == 0 && len(c.Days) == 0:
			return fieldErr("days", "a %s cycle needs digits (逢, 0-9) or days (1-%d)", c.Kind, maxDay)
		case len(c.Digits) > 0 && len(c.Days) > 0:
			return fieldErr("days", "give either digits or days, not both")
		}
		for _, d := range c.Digits {
			if d < 0 || d > 9 {
				return fieldErr("digits", "digit %d out of range 0-9", d)
			}
		}
		for _, d := range c.Days {
			if d < 1 || d > maxDay {
				return fieldErr("days", "day %d out of range 1-%d", d, maxDay)
			}
		}
		if err := sortedUnique("digits", c.Digits); err != nil {
			return err
		}
		if err := sortedUnique("days", c.Days); err != nil {
			return err
		}
		if c.Every != 0 || !c.Anchor.IsZero() || len(c.Weekdays) > 0 {
			return fieldErr("kind", "%s takes only digits or days", c.Kind)
		}
	case EveryNDays:
		if c.Every < 1 || c.Every > MaxEvery {
			return fieldErr("every", "every %d out of range 1-%d", c.Every, MaxEvery)
		}
		if c.Anchor.IsZero() {
			return fieldErr("anchor", "an every_n_days cycle needs an anchor date (a known market day)")
		}
		if c.Anchor.Year < 1900 || c.Anchor.Year > 2200 {
			return fieldErr("anchor", "anchor year %d out of range 1900-2200", c.Anchor.Year)
		}
		if len(c.Digits) > 0 || len(c.Days) > 0 || len(c.Weekdays) > 0 {
			return fieldErr("kind", "every_n_days takes only every and anchor")
		}
	case Weekdays:
		if len(c.Weekdays) == 0 {
			return fieldErr("weekdays", "a weekdays cycle needs at least one weekday")
		}
		prev := Weekday(-1)
		for _, w := range c.Weekdays {
			if w < 0 || w > 6 {
				return fieldErr("weekdays", "weekday %d out of range", int(w))
			}
			if w <= prev {
				return fieldErr("weekdays", "weekdays must be sorted sun..sat without duplicates")
			}
			prev = w
		}
		if len(c.Digits) > 0 || len(c.Days) > 0 || c.Every != 0 || !c.Anchor.IsZero() {
			return fieldErr("kind", "weekdays takes only weekdays")
		}
	case "":
		return fieldErr("kind", "missing; want solar_days, lunar_days, every_n_days or weekdays")
	default:
		return fieldErr("kind", "unknown kind %q; want solar_days, lunar_days, every_n_days or weekdays", string(c.Kind))
	}
	return nil
}

func sortedUnique(field string, xs []int) error {
	for i := 1; i < len(xs); i++ {
		if xs[i] <= xs[i-1] {
			return fieldErr(field, "values must be ascending without duplicates")
		}
	}
	return nil
}

// Normalize returns c with its lists sorted and de-duplicated, so that cycles
// written by hand in JSON validate.
func (c Cycle) Normalize() Cycle {
	c.Digits = sortUniq(c.Digits)
	c.Days = sortUniq(c.Days)
	if len(c.Weekdays) > 0 {
		w := slices.Clone(c.Weekdays)
		slices.Sort(w)
		c.Weekdays = slices.Compact(w)
	}
	return c
}

func sortUniq(xs []int) []int {
	if len(xs) == 0 {
		return nil
	}
	ys := slices.Clone(xs)
	slices.Sort(ys)
	return slices.Compact(ys)
}

// Equal reports whether c and d describe the same cycle field by field.
func (c Cycle) Equal(d Cycle) bool {
	return c.Kind == d.Kind && slices.Equal(c.Digits, d.Digits) && slices.Equal(c.Days, d.Days) &&
		c.Every == d.Every && c.Anchor == d.Anchor && slices.Equal(c.Weekdays, d.Weekdays)
}

// UnmarshalJSON decodes a cycle object and validates it after normalising its
// lists. Validation errors are *FieldError values.
func (c *Cycle) UnmarshalJSON(b []byte) error {
	type plain Cycle // without methods, to avoid recursion
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("decode cycle: %w", err)
	}
	v := Cycle(p).Normalize()
	if err := v.Validate(); err != nil {
		return err
	}
	*c = v
	return nil
}

// ParseCycle parses the compact text form of a cycle:
//
//	solar:1,4,7          逢1·4·7 by the solar calendar (all values 0-9: 逢 digits)
//	solar:1,15           solar days 1 and 15 (any value >= 10: exact days)
//	solar:days=5         exact solar day 5 only (days= / digits= force the reading)
//	lunar:1,15           lunar 初一 and 十五
//	lunar:3,6,9          lunar 逢3·6·9
//	every:5@2026-01-03   every 5 days, 2026-01-03 being a market day
//	weekdays:tue,sat     every Tuesday and Saturday
//
// Spaces around items are ignored and keywords are case-insensitive. Lists are
// sorted and de-duplicated. Errors are *FieldError values naming the field.
// String returns the canonical form, which ParseCycle reads back unchanged.
func ParseCycle(s string) (Cycle, error) {
	if len(s) > maxTextLen {
		return Cycle{}, fieldErr("cycle", "longer than %d bytes", maxTextLen)
	}
	head, body, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Cycle{}, fieldErr("cycle", "%q: want KIND:PARAMS, e.g. solar:1,4,7", s)
	}
	var c Cycle
	switch strings.ToLower(strings.TrimSpace(head)) {
	case "solar":
		c.Kind = SolarDays
	case "lunar":
		c.Kind = LunarDays
	case "every":
		c.Kind = EveryNDays
	case "weekdays":
		c.Kind = Weekdays
	default:
		return Cycle{}, fieldErr("kind", "unknown cycle kind %q; want solar, lunar, every or weekdays", strings.TrimSpace(head))
	}
	body = strings.TrimSpace(body)
	switch c.Kind {
	case SolarDays, LunarDays:
		mode := ""
		if k, rest, ok := strings.Cut(body, "="); ok {
			mode = strings.ToLower(strings.TrimSpace(k))
			if mode != "days" && mode != "digits" {
				return Cycle{}, fieldErr("days", "unknown list name %q; want days= or digits=", mode)
			}
			body = rest
		}
		nums, err := parseInts(mode, body)
		if err != nil {
			return Cycle{}, err
		}
		if mode == "" {
			mode = "digits"
			for _, n := range nums {
				if n >= 10 {
					mode = "days"
				}
			}
		}
		if mode == "digits" {
			c.Digits = nums
		} else {
			c.Days = nums
		}
	case EveryNDays:
		n, a, ok := strings.Cut(body, "@")
		if !ok {
			return Cycle{}, fieldErr("anchor", "want every:N@YYYY-MM-DD")
		}
		every, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil {
			return Cycle{}, fieldErr("every", "%q is not a whole number", strings.TrimSpace(n))
		}
		c.Every = every
		anchor, err := ParseDate(strings.TrimSpace(a))
		if err != nil {
			return Cycle{}, fieldErr("anchor", "%v", err)
		}
		c.Anchor = anchor
	case Weekdays:
		for _, item := range strings.Split(body, ",") {
			w, ok := parseWeekday(item)
			if !ok {
				return Cycle{}, fieldErr("weekdays", "%q: want mon, tue, wed, thu, fri, sat or sun", strings.TrimSpace(item))
			}
			c.Weekdays = append(c.Weekdays, w)
		}
	}
	c = c.Normalize()
	if err := c.Validate(); err != nil {
		return Cycle{}, err
	}
	return c, nil
}

func parseInts(field, body string) ([]int, error) {
	if field == "" {
		field = "days"
	}
	var out []int
	for _, item := range strings.Split(body, ",") {
		item = strings.TrimSpace(item)
		n, err := strconv.Atoi(item)
		if err != nil || len(item) > 3 {
			return nil, fieldErr(field, "%q is not a day number", item)
		}
		out = append(out, n)
	}
	return out, nil
}

// String returns the canonical compact text form (see ParseCycle), or a
// description of the problem for an invalid cycle.
func (c Cycle) String() string {
	if err := c.Validate(); err != nil {
		return "invalid cycle (" + err.Error() + ")"
	}
	var b strings.Builder
	switch c.Kind {
	case SolarDays, LunarDays:
		if c.Kind == SolarDays {
			b.WriteString("solar:")
		} else {
			b.WriteString("lunar:")
		}
		if len(c.Digits) > 0 {
			b.WriteString(joinInts(c.Digits, ","))
			break
		}
		// Exact days all below 10 would read back as 逢 digits: say days=.
		if c.Days[len(c.Days)-1] < 10 {
			b.WriteString("days=")
		}
		b.WriteString(joinInts(c.Days, ","))
	case EveryNDays:
		fmt.Fprintf(&b, "every:%d@%s", c.Every, c.Anchor)
	case Weekdays:
		b.WriteString("weekdays:")
		for i, w := range c.Weekdays {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(w.String())
		}
	}
	return b.String()
}

func joinInts(xs []int, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, sep)
}
