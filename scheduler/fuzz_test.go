package scheduler

import (
	"context"
	"strings"
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

// FuzzPutSchedules checks the PUT /api/v1/schedules body decoder: no panic,
// and every rejection is a 400 or 404, never a 500.
func FuzzPutSchedules(f *testing.F) {
	for _, s := range []string{`{"spec":"0 15 * * fri"}`, `[{"job":"daily-replan","spec":"@daily","time_zone":"UTC"}]`,
		`{"job":"weekly-draft","enabled":false}`, `{"spec":"CRON_TZ=UTC 0 1 * * *"}`, `[]`, `{`, `[{"job":""}]`} {
		f.Add(s, "weekly-draft")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, body, job string) {
		s := New(Options{Logger: quiet, Clock: FixedClock{time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}})
		for _, j := range StandardJobs(StandardFuncs{}) {
			if err := s.Register(j); err != nil {
				t.Fatal(err)
			}
		}
		_, err := s.PutSchedules(context.Background(), job, strings.NewReader(body), "fuzz")
		if st := HTTPStatus(err); st == 500 {
			t.Fatalf("PutSchedules(%q, %q) = %v: status 500", job, body, err)
		}
	})
}
