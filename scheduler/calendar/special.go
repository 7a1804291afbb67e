package calendar

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/6tail/lunar-go/calendar"
)

// MaxSpecialDays bounds a township's list of special days.
const MaxSpecialDays = 100

// SpecialDay is a festival fair (特别日): a market day outside the regular
// cycle, given by a solar or a lunar date, once or every year. Its text form
// (see ParseSpecialDay) is what the store keeps.
type SpecialDay struct {
	// Lunar is true for a date of the Chinese lunar calendar.
	Lunar bool
	// Year is the (lunar, for Lunar) year of a one-off day; 0 means every year.
	Year int
	// Leap marks a lunar leap month (闰月); such a yearly day happens only in
	// the years that have that leap month.
	Leap bool
	// Month (1–12) and Day (1–31 solar, 1–30 lunar) give the day.
	Month, Day int
	// Name is shown to users, e.g. "元宵灯会".
	Name string
}

func timeMonth(m int) time.Month { return time.Month(m) }

// lunarMonthNames are 正 … 腊, indexed by month - 1.
var lunarMonthNames = [12]string{"正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊"}

// lunarMonthName is "正月", "闰六月", ...
func lunarMonthName(month int, leap bool) string {
	n := lunarMonthNames[month-1] + "月"
	if leap {
		n = "闰" + n
	}
	return n
}

// ParseSpecialDay reads a special day from its text form on and its name:
//
//	solar:2026-10-01    once, by the solar calendar
//	solar:10-01         every year on 1 October
//	lunar:2026-01-15    once, on lunar 2026 正月十五
//	lunar:01-15         every year on lunar 正月十五
//	lunar:2025-L06-15   once, in the leap sixth month (闰六月) of lunar 2025
//
// A one-off lunar date is checked against the calendar library: a day that
// its month lacks (day 30 of a 29-day month) or a leap month the year does
// not have is an error that says so, never moved to a neighbouring day.
// Errors are *FieldError values naming "on" or "name".
func ParseSpecialDay(on, name string) (SpecialDay, error) {
	var s SpecialDay
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return s, fieldErr("name", "a special day needs a name users can read, e.g. 元宵灯会")
	case utf8.RuneCountInString(name) > 100:
		return s, fieldErr("name", "longer than 100 characters")
	}
	s.Name = name
	head, body, ok := strings.Cut(strings.TrimSpace(on), ":")
	switch strings.ToLower(head) {
	case "solar":
	case "lunar":
		s.Lunar = true
	default:
		return s, fieldErr("on", "%q: want solar:[YYYY-]MM-DD or lunar:[YYYY-][L]MM-DD", on)
	}
	if !ok {
		return s, fieldErr("on", "%q: want solar:[YYYY-]MM-DD or lunar:[YYYY-][L]MM-DD", on)
	}
	parts := strings.Split(strings.TrimSpace(body), "-")
	if len(parts) == 3 {
		y, err := strconv.Atoi(parts[0])
		if err != nil || len(parts[0]) != 4 || y < 1901 || y > 2099 {
			return s, fieldErr("on", "%q: year %q is not a year 1901-2099", on, parts[0])
		}
		s.Year, parts = y, parts[1:]
	}
	if len(parts) != 2 {
		return s, fieldErr("on", "%q: want solar:[YYYY-]MM-DD or lunar:[YYYY-][L]MM-DD", on)
	}
	m := parts[0]
	if s.Lunar && (strings.HasPrefix(m, "L") || strings.HasPrefix(m, "l")) {
		s.Leap, m = true, m[1:]
	}
	var err1, err2 error
	s.Month, err1 = strconv.Atoi(m)
	s.Day, err2 = strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || len(m) != 2 || len(parts[1]) != 2 {
		return s, fieldErr("on", "%q: month and day are two digits each, e.g. 01-15", on)
	}
	if s.Month < 1 || s.Month > 12 {
		return s, fieldErr("on", "%q: month %d out of range 1-12", on, s.Month)
	}
	if err := s.checkDay(on); err != nil {
		return SpecialDay{}, err
	}
	return s, nil
}

// checkDay checks the day against its month (and, for a one-off day, its year).
func (s SpecialDay) checkDay(on string) error {
	if !s.Lunar {
		maxDay := NewDate(2024, timeMonth(s.Month)+1, 0).Day // a leap year: 29 February is a valid yearly day
		if s.Year != 0 {
			maxDay = NewDate(s.Year, timeMonth(s.Month)+1, 0).Day
		}
		if s.Day < 1 || s.Day > maxDay {
			return fieldErr("on", "%q: day %d out of range 1-%d for that month", on, s.Day, maxDay)
		}
		return nil
	}
	if s.Day < 1 || s.Day > 30 {
		return fieldErr("on", "%q: lunar day %d out of range 1-30", on, s.Day)
	}
	if s.Year == 0 {
		return nil
	}
	lm, ok := findLunarMonth(s.Year, s.Month, s.Leap)
	if !ok {
		if leap := calendar.NewLunarYear(s.Year).GetLeapMonth(); leap == 0 {
			return fieldErr("on", "%q: lunar %d has no leap month", on, s.Year)
		} else {
			return fieldErr("on", "%q: lunar %d has no %s; its leap month is %s", on, s.Year,
				lunarMonthName(s.Month, true), lunarMonthName(leap, true))
		}
	}
	if s.Day > lm.days {
		return fieldErr("on", "%q: lunar %d %s has %d days, so there is no %s; give day %d (%s) if the fair is held on the month's last day",
			on, s.Year, lunarMonthName(s.Month, s.Leap), lm.days, lunarDayNames[s.Day-1], lm.days, lunarDayNames[lm.days-1])
	}
	return nil
}

// String returns the text form read by ParseSpecialDay (without the name).
func (s SpecialDay) String() string {
	var b strings.Builder
	if s.Lunar {
		b.WriteString("lunar:")
	} else {
		b.WriteString("solar:")
	}
	if s.Year != 0 {
		fmt.Fprintf(&b, "%04d-", s.Year)
	}
	if s.Leap {
		b.WriteByte('L')
	}
	fmt.Fprintf(&b, "%02d-%02d", s.Month, s.Day)
	return b.String()
}

// label describes the day for reasons: "lunar 正月十五", "solar 10-01".
func (s SpecialDay) label() string {
	if s.Lunar {
		return "lunar " + lunarMonthName(s.Month, s.Leap) + lunarDayNames[s.Day-1]
	}
	return fmt.Sprintf("solar %02d-%02d", s.Month, s.Day)
}

// Note explains a market day that the calendar asks for but that does not
// exist in the range: a lunar day 30 in a 29-day month, 31 April, a yearly
// festival in a leap month the year lacks. Such days are not held; they are
// never moved to a neighbouring day.
type Note struct {
	// Month names the month concerned: "2026-04" (solar) or "lunar 2025 腊月".
	Month string `json:"month"`
	// Message says what is not held and why.
	Message string `json:"message"`
}

// lunarMonthInfo is one lunar month: its number, leap flag, length and first day.
type lunarMonthInfo struct {
	year, month int
	leap        bool
	days        int
	first       Date
}

// lunarMonthsOf lists the months of lunar year y in order (leap months included).
func lunarMonthsOf(y int) []lunarMonthInfo {
	var out []lunarMonthInfo
	ms := calendar.NewLunarYear(y).GetMonthsInYear()
	for e := ms.Front(); e != nil; e = e.Next() {
		m := e.Value.(*calendar.LunarMonth)
		s := calendar.NewSolarFromJulianDay(m.GetFirstJulianDay())
		num := m.GetMonth()
		out = append(out, lunarMonthInfo{year: y, month: max(num, -num), leap: num < 0, days: m.GetDayCount(),
			first: NewDate(s.GetYear(), timeMonth(s.GetMonth()), s.GetDay())})
	}
	return out
}

func findLunarMonth(y, month int, leap bool) (lunarMonthInfo, bool) {
	for _, m := range lunarMonthsOf(y) {
		if m.month == month && m.leap == leap {
			return m, true
		}
	}
	return lunarMonthInfo{}, false
}

// lunarMonthsBetween lists the lunar months that overlap [from, to].
func lunarMonthsBetween(from, to Date) []lunarMonthInfo {
	var out []lunarMonthInfo
	for y := from.Year - 1; y <= to.Year; y++ { // lunar year y starts in solar year y (Jan-Feb)
		if y < 1901 || y > 2099 {
			continue
		}
		for _, m := range lunarMonthsOf(y) {
			last := m.first.AddDays(m.days - 1)
			if !last.Before(from) && !m.first.After(to) {
				out = append(out, m)
			}
		}
	}
	return out
}

// Occurrences lists the dates of s within [from, to] (a range CheckRange
// accepts) and notes for occurrences that do not exist in a month of the range.
func (s SpecialDay) Occurrences(from, to Date) ([]Date, []Note) {
	var days []Date
	var notes []Note
	in := func(d Date) bool { return !d.Before(from) && !d.After(to) }
	if !s.Lunar {
		for y := from.Year; y <= to.Year; y++ {
			if s.Year != 0 && y != s.Year {
				continue
			}
			last := NewDate(y, timeMonth(s.Month)+1, 0)
			if s.Day > last.Day {
				if in(NewDate(y, timeMonth(s.Month), 1).AddDays(s.Day - 1)) { // where the day would be
					notes = append(notes, Note{Month: fmt.Sprintf("%04d-%02d", y, s.Month),
						Message: fmt.Sprintf("special day %s (%s): %04d-%02d has %d days; not held that year", s.Name, s.String(), y, s.Month, last.Day)})
				}
				continue
			}
			if d := NewDate(y, timeMonth(s.Month), s.Day); in(d) {
				days = append(days, d)
			}
		}
		return days, notes
	}
	for _, m := range lunarMonthsBetween(from, to) {
		if m.month != s.Month || m.leap != s.Leap || (s.Year != 0 && m.year != s.Year) {
			continue
		}
		if s.Day > m.days {
			if !in(m.first.AddDays(s.Day - 1)) { // where the day would be
				continue
			}
			notes = append(notes, Note{Month: fmt.Sprintf("lunar %d %s", m.year, lunarMonthName(m.month, m.leap)),
				Message: fmt.Sprintf("special day %s (%s): lunar %d %s has %d days, so there is no %s that year; not held, not moved",
					s.Name, s.label(), m.year, lunarMonthName(m.month, m.leap), m.days, lunarDayNames[s.Day-1])})
			continue
		}
		if d := m.first.AddDays(s.Day - 1); in(d) {
			days = append(days, d)
		}
	}
	return days, notes
}

// SpecialExceptions turns special days into "add" exceptions for Dates
// (reason "NAME (lunar 正月十五)", which Dates shows as "special: …") and
// collects their notes, in date order.
func SpecialExceptions(specials []SpecialDay, from, to Date) ([]Exception, []Note) {
	var out []Exception
	var notes []Note
	for _, s := range specials {
		days, ns := s.Occurrences(from, to)
		for _, d := range days {
			out = append(out, Exception{Kind: Add, Date: d, Reason: fmt.Sprintf("%s (%s)", s.Name, s.label())})
		}
		notes = append(notes, ns...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out, notes
}

// CycleNotes explains the months in which an exact day of c (solar days
// 29–31, lunar day 30) does not exist, where that day would fall within
// [from, to]: the market is not held that month. 逢-digit cycles get no
// notes: 逢0 meaning "10th, 20th and 30th when there is one" is the custom.
// c should be valid.
func CycleNotes(c Cycle, from, to Date) []Note {
	var notes []Note
	in := func(d Date) bool { return !d.Before(from) && !d.After(to) }
	switch c.Kind {
	case SolarDays:
		for m := NewDate(from.Year, from.Month, 1); !m.After(to); m = NewDate(m.Year, m.Month+1, 1) {
			last := NewDate(m.Year, m.Month+1, 0).Day
			for _, d := range c.Days {
				if d > last && in(m.AddDays(d-1)) {
					notes = append(notes, Note{Month: fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)),
						Message: fmt.Sprintf("cycle %s: %04d-%02d has %d days, so there is no market on day %d that month (not moved)", c, m.Year, int(m.Month), last, d)})
				}
			}
		}
	case LunarDays:
		for _, m := range lunarMonthsBetween(from, to) {
			for _, d := range c.Days {
				if d > m.days && in(m.first.AddDays(d-1)) {
					notes = append(notes, Note{Month: fmt.Sprintf("lunar %d %s", m.year, lunarMonthName(m.month, m.leap)),
						Message: fmt.Sprintf("cycle %s: lunar %d %s has %d days, so there is no %s market that month (not moved)", c, m.year, lunarMonthName(m.month, m.leap), m.days, lunarDayNames[d-1])})
				}
			}
		}
	}
	return notes
}

// SpecialDaysOf parses a list of stored special days (data.SpecialDay): get
// returns an element's text form and name. Errors are *FieldError values
// naming "special_days[i].on" or "special_days[i].name"; a day given twice
// is an error.
func SpecialDaysOf[T any](in []T, get func(T) (on, name string)) ([]SpecialDay, error) {
	out := make([]SpecialDay, 0, len(in))
	seen := map[string]int{}
	if len(in) > MaxSpecialDays {
		return nil, fieldErr("special_days", "%d special days; at most %d", len(in), MaxSpecialDays)
	}
	for i, x := range in {
		s, err := ParseSpecialDay(get(x))
		if err != nil {
			fe, _ := AsFieldError(err)
			return nil, fieldErr(fmt.Sprintf("special_days[%d].%s", i, fe.Field), "%s", fe.Msg)
		}
		if j, dup := seen[s.String()]; dup {
			return nil, fieldErr(fmt.Sprintf("special_days[%d].on", i), "%s is also special_days[%d]", s, j)
		}
		seen[s.String()] = i
		out = append(out, s)
	}
	return out, nil
}
