package calendar

import "testing"

// TestRestDay checks statutory holidays and adjusted working days (调休)
// against the State Council's 2026 notice as published in lunar-go.
func TestRestDay(t *testing.T) {
	for _, tc := range []struct {
		day  string
		rest bool
		name string
	}{
		{"2026-10-01", true, "国庆节"}, // National Day, a Thursday
		{"2026-10-10", false, ""},   // Saturday worked for National Day (调休)
		{"2026-02-14", false, ""},   // Saturday worked for Spring Festival
		{"2026-12-05", true, "周末"},  // ordinary Saturday
		{"2026-12-07", false, ""},   // ordinary Monday
		{"2027-01-01", true, "元旦节"}, // New Year's Day
	} {
		d, err := ParseDate(tc.day)
		if err != nil {
			t.Fatal(err)
		}
		rest, name := RestDay(d)
		if rest != tc.rest || name != tc.name {
			t.Errorf("RestDay(%s) = %v %q, want %v %q", tc.day, rest, name, tc.rest, tc.name)
		}
	}
	for day, want := range map[string]string{"2026-10-01": "国庆节", "2026-10-10": "", "2026-12-05": "", "2026-12-07": "", "not a date": ""} {
		if name, off := StatutoryDayOff(day); name != want || off != (want != "") {
			t.Errorf("StatutoryDayOff(%s) = %q %v, want %q (ordinary weekends and 调休 days are no statutory day off)", day, name, off, want)
		}
	}
	if h, ok := HolidayOf(NewDate(2026, 10, 10)); !ok || !h.Work || h.Target != "2026-10-01" {
		t.Errorf("HolidayOf(2026-10-10) = %+v %v", h, ok)
	}
}
