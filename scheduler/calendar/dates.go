package calendar

import (
	"fmt"
	"sort"
	"strings"

	"github.com/6tail/lunar-go/calendar"
)

// MaxRangeDays is the longest range Dates accepts, counting both ends: a
// little over a year, enough for a yearly plan and its margins.
const MaxRangeDays = 400

// ExceptionKind says what an Exception does to the regular cycle.
type ExceptionKind string

// The exception kinds.
const (
	Add    ExceptionKind = "add"    // an extra market day (春节前加场, harvest season)
	Move   ExceptionKind = "move"   // a market day moved to another date
	Remove ExceptionKind = "remove" // a cancelled market day (holiday)
)

// Exception changes a township's regular market days. Date is the day added
// or removed, or the regular day a Move moves away from; To is the day a Move
// moves to (unused otherwise). Reason is shown to users, e.g. "春节前加场".
type Exception struct {
	Kind   ExceptionKind `json:"kind"`
	Date   Date          `json:"date"`
	To     Date          `json:"to,omitzero"`
	Reason string        `json:"reason"`
}

// Validate reports the first invalid field of e as a *FieldError; field names
// are relative to the exception ("date", "to", ...).
func (e Exception) Validate() error {
	switch e.Kind {
	case Add, Remove:
		if !e.To.IsZero() {
			return fieldErr("to", "only a move has a target date")
		}
	case Move:
		if e.To.IsZero() {
			return fieldErr("to", "a move needs the date it moves to")
		}
		if e.To == e.Date {
			return fieldErr("to", "a move to the same date changes nothing")
		}
	default:
		return fieldErr("kind", "unknown exception kind %q; want add, move or remove", string(e.Kind))
	}
	if e.Date.IsZero() {
		return fieldErr("date", "missing")
	}
	if strings.TrimSpace(e.Reason) == "" {
		return fieldErr("reason", "an exception needs a reason users can read")
	}
	return nil
}

// MarketDay is one market date and why it is one.
type MarketDay struct {
	Date   Date   `json:"date"`
	Reason string `json:"reason"`
}

// Matches reports whether d is a regular market day of c (exceptions aside)
// and, if so, the reason, e.g. "逢1·4·7 (solar day 14)" or "lunar 初一 (闰二月)".
// c should be valid; an invalid cycle matches nothing it cannot evaluate.
func (c Cycle) Matches(d Date) (reason string, ok bool) {
	switch c.Kind {
	case SolarDays:
		if !dayMatches(d.Day, c.Digits, c.Days) {
			return "", false
		}
		return fmt.Sprintf("%s (solar day %d)", c.label(), d.Day), true
	case LunarDays:
		if d.Year < 1901 || d.Year > 2099 || d.IsZero() {
			return "", false // outside lunar-go's exact span (and it panics on the zero date)
		}
		return c.matchLunar(lunarOf(d))
	case EveryNDays:
		if c.Every < 1 || mod(d.DaysSince(c.Anchor), c.Every) != 0 { // Every < 1: invalid, and must not divide by zero
			return "", false
		}
		return c.label(), true
	case Weekdays:
		w := Weekday(d.Weekday())
		for _, x := range c.Weekdays {
			if x == w {
				return fmt.Sprintf("%s (%s)", c.label(), w), true
			}
		}
	}
	return "", false
}

// lunarDay is the lunar month (Chinese name, e.g. "闰六月") and day (1–30) of a date.
type lunarDay struct {
	month string
	day   int
}

// lunarOf converts d with lunar-go (about 0.1 ms: Dates avoids calling it for every day).
func lunarOf(d Date) lunarDay {
	l := calendar.NewSolarFromYmd(d.Year, int(d.Month), d.Day).GetLunar()
	return lunarDay{month: l.GetMonthInChinese() + "月", day: l.GetDay()}
}

// lunarDayNames are 初一 … 三十, indexed by day - 1.
var lunarDayNames = [30]string{"初一", "初二", "初三", "初四", "初五", "初六", "初七", "初八", "初九", "初十",
	"十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十",
	"廿一", "廿二", "廿三", "廿四", "廿五", "廿六", "廿七", "廿八", "廿九", "三十"}

func (c Cycle) matchLunar(l lunarDay) (string, bool) {
	if l.day < 1 || l.day > 30 || !dayMatches(l.day, c.Digits, c.Days) {
		return "", false
	}
	name := lunarDayNames[l.day-1]
	if len(c.Digits) > 0 {
		return fmt.Sprintf("lunar %s (%s%s)", c.label(), l.month, name), true
	}
	return fmt.Sprintf("lunar %s (%s)", name, l.month), true
}

// label names the cycle for reasons: "逢1·4·7", "days 1·15", "every 5 days
// from 2026-01-03", "weekly tue·sat".
func (c Cycle) label() string {
	switch c.Kind {
	case SolarDays, LunarDays:
		if len(c.Digits) > 0 {
			return "逢" + joinInts(c.Digits, "·")
		}
		return "days " + joinInts(c.Days, "·")
	case EveryNDays:
		return fmt.Sprintf("every %d days from %s", c.Every, c.Anchor)
	case Weekdays:
		names := make([]string, len(c.Weekdays))
		for i, w := range c.Weekdays {
			names[i] = w.String()
		}
		return "weekly " + strings.Join(names, "·")
	}
	return string(c.Kind)
}

func dayMatches(day int, digits, days []int) bool {
	for _, k := range digits {
		if day%10 == k {
			return true
		}
	}
	for _, k := range days {
		if day == k {
			return true
		}
	}
	return false
}

// mod is the non-negative remainder, so anchors after the date work too.
func mod(a, n int) int { return ((a % n) + n) % n }

// CheckRange reports whether [from, to] (inclusive) is a usable range: both set,
// from not after to, at most MaxRangeDays days. Errors name "from" or "to".
func CheckRange(from, to Date) error {
	switch {
	case from.IsZero():
		return fieldErr("from", "missing")
	case to.IsZero():
		return fieldErr("to", "missing")
	case from.Year < 1901 || from.Year > 2099:
		// lunar-go's tables are exact for this span; nobody plans markets outside it.
		return fieldErr("from", "year %d out of range 1901-2099", from.Year)
	case to.Year < 1901 || to.Year > 2099:
		return fieldErr("to", "year %d out of range 1901-2099", to.Year)
	case to.Before(from):
		return fieldErr("to", "%s is before from %s", to, from)
	case to.DaysSince(from)+1 > MaxRangeDays:
		return fieldErr("to", "range of %d days exceeds the maximum of %d", to.DaysSince(from)+1, MaxRangeDays)
	}
	return nil
}

// Dates lists the market days of cycle c between from and to inclusive,
// in date order, with exceptions applied in this order: the regular days,
// then removals, then moves (the regular day, if it is one, is removed and
// the target added with reason "moved from DATE: REASON"), then additions
// ("special: REASON"). An addition on a day that is already a market day
// appends its reason. Exceptions outside the range are ignored, except that
// a move from outside the range into it adds its target.
//
// Errors are *FieldError values: "cycle.*" for an invalid cycle,
// "exceptions[i].*" for an invalid exception, "from"/"to" for a bad range
// (see CheckRange). Cost: one lunar conversion per day for lunar cycles.
func Dates(c Cycle, exceptions []Exception, from, to Date) ([]MarketDay, error) {
	if err := c.Validate(); err != nil {
		fe, _ := AsFieldError(err)
		return nil, fieldErr("cycle."+fe.Field, "%s", fe.Msg)
	}
	for i, e := range exceptions {
		if err := e.Validate(); err != nil {
			fe, _ := AsFieldError(err)
			return nil, fieldErr(fmt.Sprintf("exceptions[%d].%s", i, fe.Field), "%s", fe.Msg)
		}
	}
	if err := CheckRange(from, to); err != nil {
		return nil, err
	}
	inRange := func(d Date) bool { return !d.Before(from) && !d.After(to) }

	days := map[Date]string{}
	var prev lunarDay
	for d := from; !d.After(to); d = d.AddDays(1) {
		var (
			r  string
			ok bool
		)
		if c.Kind == LunarDays {
			// Every lunar month has at least 29 days, so the day after
			// day k < 29 is day k+1 of the same month; only near a month's
			// end ask the library (2–3 conversions a month instead of 30).
			if d == from || prev.day >= 29 {
				prev = lunarOf(d)
			} else {
				prev.day++
			}
			r, ok = c.matchLunar(prev)
		} else {
			r, ok = c.Matches(d)
		}
		if ok {
			days[d] = r
		}
	}
	for _, e := range exceptions {
		if e.Kind == Remove {
			delete(days, e.Date)
		}
	}
	for _, e := range exceptions {
		if e.Kind != Move {
			continue
		}
		delete(days, e.Date)
		if inRange(e.To) {
			days[e.To] = appendReason(days[e.To], fmt.Sprintf("moved from %s: %s", e.Date, e.Reason))
		}
	}
	for _, e := range exceptions {
		if e.Kind == Add && inRange(e.Date) {
			days[e.Date] = appendReason(days[e.Date], "special: "+e.Reason)
		}
	}

	out := make([]MarketDay, 0, len(days))
	for d, r := range days {
		out = append(out, MarketDay{Date: d, Reason: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out, nil
}

func appendReason(old, add string) string {
	if old == "" {
		return add
	}
	return old + "; " + add
}
