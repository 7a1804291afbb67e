package calendar

import (
	"strings"
	"testing"

	"github.com/6tail/lunar-go/calendar"
)

func TestParseSpecialDay(t *testing.T) {
	tests := []struct {
		on, name string
		want     string // String() of the result, or "" for an error
		errField string
		errHas   string
	}{
		{"lunar:01-15", "元宵灯会", "lunar:01-15", "", ""},
		{"lunar:2025-L06-15", "闰月会", "lunar:2025-L06-15", "", ""},
		{"solar:2026-10-01", "国庆物资交流会", "solar:2026-10-01", "", ""},
		{"solar:02-29", "闰日集", "solar:02-29", "", ""},
		{" LUNAR:12-30 ", "除夕集", "lunar:12-30", "", ""},
		// Lunar 2025's 腊月 has 29 days: 除夕 is 廿九, and 三十 does not exist.
		{"lunar:2025-12-30", "除夕集", "", "on", "腊月 has 29 days, so there is no 三十"},
		{"lunar:2026-L06-15", "闰月会", "", "on", "lunar 2026 has no leap month"},
		{"lunar:2025-L05-15", "闰月会", "", "on", "its leap month is 闰六月"},
		{"lunar:01-31", "x", "", "on", "out of range 1-30"},
		{"solar:2027-02-29", "x", "", "on", "out of range 1-28"},
		{"solar:13-01", "x", "", "on", "month 13"},
		{"moon:01-01", "x", "", "on", "want solar:"},
		{"lunar:1-15", "x", "", "on", "two digits"},
		{"lunar:01-15", " ", "", "name", "needs a name"},
		{"lunar:1800-01-15", "x", "", "on", "1901-2099"},
	}
	for _, tt := range tests {
		t.Run(tt.on, func(t *testing.T) {
			got, err := ParseSpecialDay(tt.on, tt.name)
			if tt.want != "" {
				if err != nil || got.String() != tt.want {
					t.Fatalf("got %v, %v; want %s", got, err, tt.want)
				}
				return
			}
			fe, ok := AsFieldError(err)
			if !ok || fe.Field != tt.errField || !strings.Contains(fe.Msg, tt.errHas) {
				t.Fatalf("error %v; want field %s containing %q", err, tt.errField, tt.errHas)
			}
		})
	}
}

// lunarLib returns the lunar month (negative for a leap month) and day of d
// straight from lunar-go, the reference the tests compare against.
func lunarLib(d Date) (month, day int) {
	l := calendar.NewSolarFromYmd(d.Year, int(d.Month), d.Day).GetLunar()
	return l.GetMonth(), l.GetDay()
}

func TestSpecialDayOccurrencesMatchLibrary(t *testing.T) {
	from, to := NewDate(2025, 1, 1), NewDate(2027, 12, 31)
	for _, on := range []string{"lunar:01-15", "lunar:12-30", "lunar:L06-01", "lunar:06-10"} {
		s, err := ParseSpecialDay(on, "会")
		if err != nil {
			t.Fatal(err)
		}
		var want []Date
		for d := from; !d.After(to); d = d.AddDays(1) {
			m, day := lunarLib(d)
			if day == s.Day && m == map[bool]int{false: s.Month, true: -s.Month}[s.Leap] {
				want = append(want, d)
			}
		}
		var got []Date
		var notes []Note
		for y := 2025; y <= 2027; y++ { // Occurrences takes at most a year or so
			g, n := s.Occurrences(NewDate(y, 1, 1), NewDate(y, 12, 31))
			got, notes = append(got, g...), append(notes, n...)
		}
		if len(got) != len(want) || len(want) == 0 && on != "lunar:12-30" {
			t.Fatalf("%s: got %v, want %v", on, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: got %v, want %v", on, got, want)
			}
		}
		if on == "lunar:12-30" {
			// 腊月 of lunar 2024, 2025, 2026 and 2027 all have 29 days.
			if len(notes) == 0 || !strings.Contains(notes[0].Message, "not held, not moved") {
				t.Errorf("%s: notes %v, want an explanation", on, notes)
			}
		}
		if on == "lunar:L06-01" && (len(got) != 1 || got[0] != NewDate(2025, 7, 25)) {
			t.Errorf("闰六月初一 = %v, want only 2025-07-25", got)
		}
	}
}

func TestSpecialDaysInMarketDays(t *testing.T) {
	c := mustCycle(t, "solar:1,4,7")
	specials := []SpecialDay{}
	for _, s := range [][2]string{{"lunar:01-15", "元宵灯会"}, {"solar:2027-03-04", "春耕物资会"}} {
		d, err := ParseSpecialDay(s[0], s[1])
		if err != nil {
			t.Fatal(err)
		}
		specials = append(specials, d)
	}
	now := NewDate(2027, 2, 1).Start(Shanghai)
	res, err := MarketDaysOf(c, false, nil, specials, "2027-02-01", "2027-03-31", now)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[Date]string{}
	for _, d := range res.Days {
		reasons[d.Date] = d.Reason
	}
	// Lunar 2027 正月十五 is 2027-02-20, not a 逢1·4·7 day: added.
	if r := reasons[NewDate(2027, 2, 20)]; r != "special: 元宵灯会 (lunar 正月十五)" {
		t.Errorf("2027-02-20 reason %q, want the 元宵 fair", r)
	}
	// 2027-03-04 is a regular day too: both reasons.
	if r := reasons[NewDate(2027, 3, 4)]; !strings.Contains(r, "逢1·4·7") || !strings.Contains(r, "春耕物资会") {
		t.Errorf("2027-03-04 reason %q, want the cycle and the fair", r)
	}
}

func TestCycleNotes(t *testing.T) {
	c := mustCycle(t, "lunar:days=15,30")
	from, to := NewDate(2025, 1, 1), NewDate(2025, 12, 31)
	notes := CycleNotes(c, from, to)
	days, err := Dates(c, nil, from, to)
	if err != nil {
		t.Fatal(err)
	}
	// Every lunar month whose 30th day would fall in 2025 has a 三十 market
	// if it has 30 days, else a note.
	months := 0
	for _, m := range lunarMonthsBetween(from, to) {
		if d := m.first.AddDays(29); !d.Before(from) && !d.After(to) {
			months++
		}
	}
	thirty := 0
	for _, d := range days {
		if _, day := lunarLib(d.Date); day == 30 {
			thirty++
		}
	}
	if thirty+len(notes) != months || len(notes) == 0 {
		t.Fatalf("%d day-30 markets + %d notes, want %d months; notes %v", thirty, len(notes), months, notes)
	}
	if !strings.Contains(notes[0].Message, "has 29 days, so there is no 三十 market") {
		t.Errorf("note %q", notes[0].Message)
	}
	if n := CycleNotes(mustCycle(t, "solar:days=31"), NewDate(2027, 1, 1), NewDate(2027, 12, 31)); len(n) != 5 {
		t.Errorf("solar day 31 notes: %d, want 5 (Feb, Apr, Jun, Sep, Nov)", len(n))
	}
	if n := CycleNotes(mustCycle(t, "lunar:3,6,9,0"), from, to); len(n) != 0 {
		t.Errorf("逢 digits get no notes, got %v", n)
	}
}
