package data

import (
	"testing"
	"time"
)

// TestAdjustedWorkday: on an adjusted working day (调休, Saturday 2026-10-10
// after National Day) someone with a Monday–Friday shift works it with
// their Monday hours and the staff calendar shows desk duty, not rest; a
// person with a Saturday shift keeps it; the Sunday after, an ordinary
// weekend day, stays rest; the holiday itself stays rest.
func TestAdjustedWorkday(t *testing.T) {
	week := append(WorkingWeek(9*60, 17*60), WeeklyWindow{Weekday: time.Monday, From: 8 * 60, To: 9 * 60})
	office := Staff{ID: "S-O", Availability: week}
	weekend := Staff{ID: "S-W", Availability: []WeeklyWindow{{Weekday: time.Saturday, From: 7 * 60, To: 12 * 60}}}
	allDays := Staff{ID: "S-ALL"}
	sat, sun, holiday := Date("2026-10-10"), Date("2026-10-11"), Date("2026-10-07")
	workday := func(d Date) bool { return d == sat }
	rest := func(d Date) bool { return d >= "2026-10-01" && d <= holiday }

	for _, c := range []struct {
		st       Staff
		d        Date
		adjusted bool
		want     time.Weekday
	}{
		{office, sat, true, time.Monday},
		{office, sat, false, time.Saturday},
		{office, sun, false, time.Sunday},
		{weekend, sat, true, time.Saturday},
		{allDays, sat, true, time.Saturday},
		{office, Date("2026-10-09"), false, time.Friday},
	} {
		if got := c.st.ShiftWeekday(c.d, c.adjusted); got != c.want {
			t.Errorf("%s.ShiftWeekday(%s, %v) = %s, want %s", c.st.ID, c.d, c.adjusted, got, c.want)
		}
	}
	want := map[Date]DayKind{holiday: DayRest, "2026-10-08": DayDeskDuty, "2026-10-09": DayDeskDuty, sat: DayDeskDuty, sun: DayRest}
	days := StaffCalendar(office, nil, nil, holiday, sun, rest, workday)
	if len(days) != len(want) {
		t.Fatalf("%d days, want %d", len(days), len(want))
	}
	for _, cd := range days {
		if cd.Kind != want[cd.Date] {
			t.Errorf("office worker on %s (%s): %s, want %s", cd.Date, cd.Date.Weekday(), cd.Kind, want[cd.Date])
		}
	}
	// Without the adjusted-day table the Saturday is rest, as before.
	if k := StaffCalendar(office, nil, nil, sat, sat, rest, nil)[0].Kind; k != DayRest {
		t.Errorf("no workday table: %s on %s, want rest", k, sat)
	}
	if k := StaffCalendar(weekend, nil, nil, sun, sun, rest, workday)[0].Kind; k != DayRest {
		t.Errorf("Saturday worker on Sunday: %s, want rest", k)
	}
}
