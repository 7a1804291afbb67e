package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

func mustCycle(t *testing.T, s string) Cycle {
	t.Helper()
	c, err := ParseCycle(s)
	if err != nil {
		t.Fatalf("ParseCycle(%q): %v", s, err)
	}
	return c
}

func dayNumbers(days []MarketDay) []int {
	out := make([]int, len(days))
	for i, d := range days {
		out[i] = d.Date.Day
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSolarCycles(t *testing.T) {
	tests := []struct {
		cycle      string
		year       int
		month      time.Month
		wantDays   []int
		wantReason string // reason of the first day
	}{
		{"solar:1,4,7", 2027, time.January, []int{1, 4, 7, 11, 14, 17, 21, 24, 27, 31}, "逢1·4·7 (solar day 1)"},
		{"solar:1,4,7", 2027, time.April, []int{1, 4, 7, 11, 14, 17, 21, 24, 27}, "逢1·4·7 (solar day 1)"},
		{"solar:2,5,8", 2027, time.February, []int{2, 5, 8, 12, 15, 18, 22, 25, 28}, "逢2·5·8 (solar day 2)"},
		{"solar:3,6,9,0", 2027, time.February, []int{3, 6, 9, 10, 13, 16, 19, 20, 23, 26}, "逢0·3·6·9 (solar day 3)"},
		{"solar:3,6,9,0", 2028, time.February, []int{3, 6, 9, 10, 13, 16, 19, 20, 23, 26, 29}, "逢0·3·6·9 (solar day 3)"},
		{"solar:1,15", 2027, time.March, []int{1, 15}, "days 1·15 (solar day 1)"},
		{"solar:30", 2027, time.February, []int{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.cycle+"/"+tt.month.String(), func(t *testing.T) {
			from := NewDate(tt.year, tt.month, 1)
			to := NewDate(tt.year, tt.month+1, 0)
			got, err := Dates(mustCycle(t, tt.cycle), nil, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if !equalInts(dayNumbers(got), tt.wantDays) {
				t.Errorf("days = %v, want %v", dayNumbers(got), tt.wantDays)
			}
			if len(got) > 0 && got[0].Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", got[0].Reason, tt.wantReason)
			}
		})
	}
}

// TestLunarKnownDates checks 初一 and 十五 against dates known independently of
// the code under test: Spring Festival 2027 (正月初一) is 6 February 2027, and
// the library's own lunar→solar conversion for every month of lunar 2027.
func TestLunarKnownDates(t *testing.T) {
	c := mustCycle(t, "lunar:1,15")
	got, err := Dates(c, nil, NewDate(2027, 1, 1), NewDate(2027, 12, 31))
	if err != nil {
		t.Fatal(err)
	}
	set := map[Date]string{}
	for _, d := range got {
		set[d.Date] = d.Reason
	}
	if r, ok := set[NewDate(2027, 2, 6)]; !ok || r != "lunar 初一 (正月)" {
		t.Errorf("2027-02-06 (Spring Festival) reason = %q, in=%v; want lunar 初一 (正月)", r, ok)
	}
	want := 0
	for m := 1; m <= 12; m++ {
		for _, day := range []int{1, 15} {
			s := calendar.NewLunarFromYmd(2027, m, day).GetSolar()
			d := NewDate(s.GetYear(), time.Month(s.GetMonth()), s.GetDay())
			if d.Year != 2027 {
				continue
			}
			want++
			if _, ok := set[d]; !ok {
				t.Errorf("lunar 2027-%02d-%02d = solar %s missing from Dates", m, day, d)
			}
		}
	}
	// Lunar 2026-12 (腊月) days that fall in January 2027 also count.
	for _, day := range []int{1, 15} {
		s := calendar.NewLunarFromYmd(2026, 12, day).GetSolar()
		if s.GetYear() == 2027 {
			want++
		}
	}
	if len(got) != want {
		t.Errorf("got %d market days in 2027, want %d", len(got), want)
	}
}

// TestLunarLeapMonth runs across 闰六月 of lunar 2025 (25 July – 22 August 2025):
// the leap month's 初一 and 十五 are market days like any other month's.
func TestLunarLeapMonth(t *testing.T) {
	c := mustCycle(t, "lunar:1,15")
	got, err := Dates(c, nil, NewDate(2025, 6, 20), NewDate(2025, 9, 30))
	if err != nil {
		t.Fatal(err)
	}
	var leap []MarketDay
	for _, d := range got {
		if strings.Contains(d.Reason, "闰六月") {
			leap = append(leap, d)
		}
	}
	if len(leap) != 2 {
		t.Fatalf("leap-month market days = %v, want 初一 and 十五 of 闰六月", leap)
	}
	s := calendar.NewLunarFromYmd(2025, -6, 1).GetSolar()
	if want := NewDate(s.GetYear(), time.Month(s.GetMonth()), s.GetDay()); leap[0].Date != want || want != NewDate(2025, 7, 25) {
		t.Errorf("闰六月初一 = %s, library says %s, want 2025-07-25", leap[0].Date, want)
	}
	if leap[1].Date != NewDate(2025, 8, 8) {
		t.Errorf("闰六月十五 = %s, want 2025-08-08", leap[1].Date)
	}
	// 六月初一 2025-06-25 … 八月初一 2025-09-22.
	if len(got) != 7 {
		t.Errorf("got %d days %v, want 7 (六月初一 and 十五, 闰六月 ×2, 七月 ×2, 八月初一)", len(got), got)
	}
}

func TestEveryAndWeekdays(t *testing.T) {
	tests := []struct {
		cycle    string
		from, to Date
		want     []Date
	}{
		// Anchor after the range: counting backwards works too.
		{"every:5@2026-01-13", NewDate(2026, 1, 1), NewDate(2026, 1, 12), []Date{NewDate(2026, 1, 3), NewDate(2026, 1, 8)}},
		{"every:1@2026-01-01", NewDate(2026, 3, 1), NewDate(2026, 3, 2), []Date{NewDate(2026, 3, 1), NewDate(2026, 3, 2)}},
		// 2026-01-06 is a Tuesday.
		{"weekdays:tue,sat", NewDate(2026, 1, 5), NewDate(2026, 1, 14), []Date{NewDate(2026, 1, 6), NewDate(2026, 1, 10), NewDate(2026, 1, 13)}},
	}
	for _, tt := range tests {
		t.Run(tt.cycle, func(t *testing.T) {
			got, err := Dates(mustCycle(t, tt.cycle), nil, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i].Date != tt.want[i] {
					t.Errorf("day %d = %s, want %s", i, got[i].Date, tt.want[i])
				}
			}
		})
	}
}

func TestExceptions(t *testing.T) {
	c := mustCycle(t, "solar:1,4,7")
	exc := []Exception{
		{Kind: Remove, Date: NewDate(2027, 1, 1), Reason: "元旦"},
		{Kind: Move, Date: NewDate(2027, 1, 4), To: NewDate(2027, 1, 5), Reason: "county fair"},
		{Kind: Add, Date: NewDate(2027, 1, 30), Reason: "春节前加场"},
		{Kind: Add, Date: NewDate(2027, 1, 7), Reason: "harvest"},
		{Kind: Move, Date: NewDate(2026, 12, 31), To: NewDate(2027, 1, 2), Reason: "weather"},
		{Kind: Add, Date: NewDate(2027, 3, 1), Reason: "out of range"},
	}
	got, err := Dates(c, exc, NewDate(2027, 1, 1), NewDate(2027, 1, 31))
	if err != nil {
		t.Fatal(err)
	}
	want := map[Date]string{
		NewDate(2027, 1, 2):  "moved from 2026-12-31: weather",
		NewDate(2027, 1, 5):  "moved from 2027-01-04: county fair",
		NewDate(2027, 1, 7):  "逢1·4·7 (solar day 7); special: harvest",
		NewDate(2027, 1, 30): "special: 春节前加场",
		NewDate(2027, 1, 31): "逢1·4·7 (solar day 31)",
	}
	seen := map[Date]bool{}
	for i, d := range got {
		if i > 0 && !got[i-1].Date.Before(d.Date) {
			t.Errorf("not in date order at %d: %v", i, got)
		}
		seen[d.Date] = true
		if w, ok := want[d.Date]; ok && d.Reason != w {
			t.Errorf("%s reason = %q, want %q", d.Date, d.Reason, w)
		}
	}
	for d := range want {
		if !seen[d] {
			t.Errorf("%s missing", d)
		}
	}
	for _, d := range []Date{NewDate(2027, 1, 1), NewDate(2027, 1, 4)} {
		if seen[d] {
			t.Errorf("%s should have been removed or moved", d)
		}
	}
	if len(got) != 11 { // 10 regular days (1…31) - 2 removed/moved + 2 moved-to + 1 added.
		t.Errorf("got %d days, want 11: %v", len(got), got)
	}
}

func TestDatesErrors(t *testing.T) {
	c := mustCycle(t, "solar:1")
	jan1, jan2 := NewDate(2027, 1, 1), NewDate(2027, 1, 2)
	tests := []struct {
		name     string
		c        Cycle
		exc      []Exception
		from, to Date
		field    string
	}{
		{"to before from", c, nil, jan2, jan1, "to"},
		{"too long", c, nil, jan1, jan1.AddDays(MaxRangeDays), "to"},
		{"missing from", c, nil, Date{}, jan1, "from"},
		{"bad cycle", Cycle{Kind: SolarDays}, nil, jan1, jan2, "cycle.days"},
		{"move without target", c, []Exception{{Kind: Move, Date: jan1, Reason: "x"}}, jan1, jan2, "exceptions[0].to"},
		{"no reason", c, []Exception{{Kind: Add, Date: jan1}}, jan1, jan2, "exceptions[0].reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Dates(tt.c, tt.exc, tt.from, tt.to)
			fe, ok := AsFieldError(err)
			if !ok || fe.Field != tt.field {
				t.Errorf("error = %v, want a FieldError on %q", err, tt.field)
			}
		})
	}
	t.Run("longest range is fine", func(t *testing.T) {
		got, err := Dates(c, nil, jan1, jan1.AddDays(MaxRangeDays-1))
		if err != nil || len(got) == 0 {
			t.Errorf("got %d days, %v; want days and no error", len(got), err)
		}
	})
}

func TestMarketDays(t *testing.T) {
	now := time.Date(2027, 1, 31, 20, 0, 0, 0, time.UTC) // already 1 February in Shanghai
	res, err := MarketDays("solar:1,4,7", true, nil, nil, "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if res.From != NewDate(2027, 2, 1) || res.To != NewDate(2027, 2, DefaultQueryDays) {
		t.Errorf("range = %s..%s, want 2027-02-01..2027-02-%d", res.From, res.To, DefaultQueryDays)
	}
	if !res.Sample || res.Cycle != "solar:1,4,7" || len(res.Days) != 9 {
		t.Errorf("result = %+v, want sample solar:1,4,7 with 9 days", res)
	}
	if _, err := MarketDays("solar:1", false, nil, nil, "2027-13-01", "", now); err == nil {
		t.Error("bad from accepted")
	} else if fe, ok := AsFieldError(err); !ok || fe.Field != "from" {
		t.Errorf("error = %v, want FieldError on from", err)
	}
	if _, err := MarketDays("nonsense", false, nil, nil, "", "", now); !errors.Is(err, ErrStoredCycle) {
		t.Errorf("error = %v, want ErrStoredCycle", err)
	}
}

func TestFromDigits(t *testing.T) {
	c, err := FromDigits("lunar", []int{9, 3, 6})
	if err != nil || c.String() != "lunar:3,6,9" {
		t.Errorf("FromDigits(lunar, 9,3,6) = %v, %v; want lunar:3,6,9", c, err)
	}
	for _, tt := range []struct {
		cal    string
		digits []int
		field  string
	}{{"gregorian", []int{1}, "calendar"}, {"solar", nil, "digits"}, {"solar", []int{10}, "digits"}} {
		_, err := FromDigits(tt.cal, tt.digits)
		if fe, ok := AsFieldError(err); !ok || fe.Field != tt.field {
			t.Errorf("FromDigits(%q, %v) = %v, want FieldError on %s", tt.cal, tt.digits, err, tt.field)
		}
	}
}

// TestLunarShortcutMatchesLibrary checks Dates' day-increment shortcut against
// a full lunar-go conversion of every day over three years (leap months of
// 2025 and 2028 included).
func TestLunarShortcutMatchesLibrary(t *testing.T) {
	c := mustCycle(t, "lunar:days=1,2,15,29,30")
	for from := NewDate(2025, 1, 1); from.Year < 2028 || (from.Year == 2028 && from.Month < 10); from = from.AddDays(MaxRangeDays) {
		to := from.AddDays(MaxRangeDays - 1)
		got, err := Dates(c, nil, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var want []MarketDay
		for d := from; !d.After(to); d = d.AddDays(1) {
			if r, ok := c.Matches(d); ok {
				want = append(want, MarketDay{d, r})
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s..%s: %d days, library says %d", from, to, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("day %d: got %v, library says %v", i, got[i], want[i])
			}
		}
	}
}

func TestMatchesInvalidCycleDoesNotPanic(t *testing.T) {
	for _, c := range []Cycle{{Kind: EveryNDays}, {Kind: EveryNDays, Every: -3}, {Kind: "x"}, {}, {Kind: LunarDays}, {Kind: Weekdays, Weekdays: []Weekday{9}}} {
		if _, ok := c.Matches(NewDate(2027, 1, 1)); ok && c.Kind != Weekdays {
			t.Errorf("%#v matched", c)
		}
	}
	lunar := Cycle{Kind: LunarDays, Days: []int{1}}
	for _, d := range []Date{{}, {1, 1, 1}, {9999, 12, 31}} {
		if _, ok := lunar.Matches(d); ok {
			t.Errorf("lunar cycle matched out-of-range date %v", d)
		}
	}
}
