// Package calendar computes market days (赶场日) of rural townships from their
// market cycles: by day of the solar month (逢1·4·7), by day of the lunar month
// (初一、十五, via github.com/6tail/lunar-go), every N days from an anchor date,
// or on fixed weekdays, with exceptions that add, move or remove days.
//
// All dates are civil dates in Asia/Shanghai (type Date); no time of day is
// involved. The package imports nothing of the project, so the store, the API
// and the planners can all depend on it.
package calendar

import (
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on hosts without a zoneinfo database.
)

// Shanghai is the Asia/Shanghai time zone, in which all market dates are civil dates.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is embedded, so this cannot happen in a built binary.
		panic("calendar: load " + name + ": " + err.Error())
	}
	return loc
}

// Date is a civil date (year, month, day) without time or zone. The zero Date
// is not a valid date. Dates marshal as "YYYY-MM-DD" in JSON and text.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// dateLayout is the ISO 8601 calendar date layout used in JSON, text and URLs.
const dateLayout = "2006-01-02"

// NewDate returns the civil date y-m-d, normalising overflow as time.Date does
// (NewDate(2027, 2, 30) is 2027-03-02).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), time.UTC)
}

// DateOf returns the civil date of instant t in loc (Shanghai when loc is nil).
func DateOf(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = Shanghai
	}
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate parses "YYYY-MM-DD". It rejects anything else, including dates
// that do not exist such as 2027-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

// utc is the date at 00:00 UTC, used for calendar arithmetic that must not
// see daylight saving or zone offsets.
func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Start returns the instant the date begins in loc (Shanghai when loc is nil).
func (d Date) Start(loc *time.Location) time.Time {
	if loc == nil {
		loc = Shanghai
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date { return DateOf(d.utc().AddDate(0, 0, n), time.UTC) }

// DaysSince returns the number of days from e to d (negative when d is before e).
func (d Date) DaysSince(e Date) int { return int(d.utc().Sub(e.utc()).Hours() / 24) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.DaysSince(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.DaysSince(e) > 0 }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// String returns "YYYY-MM-DD".
func (d Date) String() string { return d.utc().Format(dateLayout) }

// MarshalText encodes d as "YYYY-MM-DD"; the zero Date encodes as "".
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes "YYYY-MM-DD"; "" decodes to the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
