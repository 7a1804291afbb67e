package scheduler

import (
	"testing"
	"time"
)

// FuzzParseSpec checks that no spec or zone makes ParseSpec panic (cron/v3
// itself panics on some inputs), that errors name a field, and that an
// accepted schedule fires after any time.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"0 16 * * fri", "0 0 16 * * 5", "@monthly", "CRON_TZ=", "TZ=x", "*/0 * * * *", "1-0 * * * *", "@every 1h"} {
		f.Add(s, "Asia/Shanghai")
	}
	f.Add("0 * * * *", "")
	f.Fuzz(func(t *testing.T, spec, tz string) {
		sched, err := ParseSpec(spec, tz)
		if err != nil {
			fe, ok := AsFieldError(err)
			if !ok || (fe.Field != "spec" && fe.Field != "time_zone") {
				t.Fatalf("ParseSpec(%q, %q) = %v, want a FieldError on spec or time_zone", spec, tz, err)
			}
			return
		}
		now := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
		if n := sched.Next(now); !n.After(now) {
			t.Fatalf("ParseSpec(%q, %q).Next(%v) = %v, want a later time", spec, tz, now, n)
		}
	})
}
