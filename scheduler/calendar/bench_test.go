package calendar

import "testing"

// BenchmarkDates measures a maximal (400-day) range per cycle kind; lunar
// cycles pay one lunar-go conversion per day. Target: well under 10 ms per
// call, so GET …/market-days needs no cache.
func BenchmarkDates(b *testing.B) {
	from := NewDate(2027, 1, 1)
	to := from.AddDays(MaxRangeDays - 1)
	for _, s := range []string{"solar:1,4,7", "lunar:1,15", "every:5@2026-01-03", "weekdays:tue,sat"} {
		c, err := ParseCycle(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Dates(c, nil, from, to); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
