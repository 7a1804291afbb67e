package data

import (
	"fmt"
	"strings"
	"time"
)

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func parseDay(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range dayNames {
		if s == n {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// ParseWeeklyWindows parses the text form of weekly windows used in CSV
// imports: windows separated by ';', each "DAYS HH:MM-HH:MM", where DAYS is
// a comma list of days (mon … sun) or day ranges (mon-fri; a range runs
// forward and may wrap, e.g. sat-sun). Example:
//
//	mon-fri 08:30-12:00; sat 09:00-11:30
//
// An empty string gives no windows. Errors are Invalid.
func ParseWeeklyWindows(s string) ([]WeeklyWindow, error) {
	var out []WeeklyWindow
	if len(s) > 2000 {
		return nil, Errorf(Invalid, "windows text longer than 2000 bytes")
	}
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		days, hours, ok := strings.Cut(part, " ")
		if !ok {
			return nil, Errorf(Invalid, "window %q: want DAYS HH:MM-HH:MM", part)
		}
		from, to, ok := strings.Cut(strings.TrimSpace(hours), "-")
		if !ok {
			return nil, Errorf(Invalid, "window %q: want hours HH:MM-HH:MM", part)
		}
		f, err := ParseClock(from)
		if err != nil {
			return nil, Errorf(Invalid, "window %q: %v", part, ErrorMessage(err))
		}
		t, err := ParseClock(to)
		if err != nil {
			return nil, Errorf(Invalid, "window %q: %v", part, ErrorMessage(err))
		}
		if t <= f || f >= MinutesPerDay {
			return nil, Errorf(Invalid, "window %q: end must be after start", part)
		}
		for d := range strings.SplitSeq(days, ",") {
			a, b, isRange := strings.Cut(d, "-")
			first, ok1 := parseDay(a)
			last, ok2 := first, true
			if isRange {
				last, ok2 = parseDay(b)
			}
			if !ok1 || !ok2 {
				return nil, Errorf(Invalid, "window %q: %q is not a day (mon … sun) or range (mon-fri)", part, d)
			}
			for w := first; ; w = (w + 1) % 7 {
				out = append(out, WeeklyWindow{Weekday: w, From: f, To: t})
				if w == last {
					break
				}
			}
		}
	}
	return out, nil
}

// FormatWeeklyWindows returns the text form of ws read by
// ParseWeeklyWindows, one window per day ("mon 08:30-12:00; tue …").
func FormatWeeklyWindows(ws []WeeklyWindow) string {
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		day := fmt.Sprintf("day%d", int(w.Weekday))
		if w.Weekday >= 0 && int(w.Weekday) < len(dayNames) {
			day = dayNames[w.Weekday]
		}
		parts = append(parts, fmt.Sprintf("%s %s-%s", day, Clock(w.From), Clock(w.To)))
	}
	return strings.Join(parts, "; ")
}
