package calendar

import (
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Holiday is a day of mainland China's official holiday calendar, as
// published each year by the State Council and maintained in
// github.com/6tail/lunar-go (HolidayUtil).
type Holiday struct {
	// Name is the holiday (国庆节, 春节...).
	Name string `json:"name"`
	// Work is true for an adjusted working day (调休): a weekend day worked
	// in exchange for the holiday; false for a day off.
	Work bool `json:"work"`
	// Target is the holiday's main day, YYYY-MM-DD.
	Target string `json:"target"`
}

// HolidayOf returns the official holiday entry of d, or false for an
// ordinary day (or a year the library has no table for).
func HolidayOf(d Date) (Holiday, bool) {
	h := HolidayUtil.GetHoliday(d.String())
	if h == nil {
		return Holiday{}, false
	}
	return Holiday{Name: h.GetName(), Work: h.IsWork(), Target: h.GetTarget()}, true
}

// RestDay reports whether d is an official day off: a statutory holiday, or
// a Saturday or Sunday that is not an adjusted working day (调休). The name
// is the holiday's, "周末" for an ordinary weekend, "" on working days.
func RestDay(d Date) (rest bool, name string) {
	if h, ok := HolidayOf(d); ok {
		if h.Work {
			return false, ""
		}
		return true, h.Name
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return true, "周末"
	}
	return false, ""
}

// StatutoryDayOff names the statutory holiday on day (YYYY-MM-DD) when it
// is a day off; an adjusted working day (调休), an ordinary day, a day of a
// year the library has no table for, or a string that is not a date is not.
// Both planners and the staff calendar read holidays through it.
func StatutoryDayOff(day string) (name string, off bool) {
	d, err := ParseDate(day)
	if err != nil {
		return "", false
	}
	h, ok := HolidayOf(d)
	if !ok || h.Work {
		return "", false
	}
	return h.Name, true
}

// AdjustedWorkday reports whether day (YYYY-MM-DD) is an adjusted working
// day (调休): a Saturday or Sunday worked in exchange for a holiday, from
// lunar-go's official table. Anything else, or a string that is not a date,
// is not.
func AdjustedWorkday(day string) bool {
	d, err := ParseDate(day)
	if err != nil {
		return false
	}
	h, ok := HolidayOf(d)
	return ok && h.Work
}
