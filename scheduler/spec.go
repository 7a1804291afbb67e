package scheduler

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// DefaultTimeZone is the time zone of job schedules unless set otherwise.
const DefaultTimeZone = "Asia/Shanghai"

// FieldError reports an invalid field of a schedule: Field is the JSON name
// ("spec", "time_zone", "job"), so that the API can answer 400 naming it.
type FieldError struct {
	Field string
	Msg   string
}

// Error returns "FIELD: MSG".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// AsFieldError returns the first *FieldError in err's chain, if any.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// specParser accepts 5-field crontab specs, an optional leading seconds
// field, and descriptors such as @daily.
var specParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// NormalizeSpec moves a leading "CRON_TZ=zone " or "TZ=zone " of spec into
// the time zone, as cron/v3 writes it, so that both notations are accepted
// and stored the same way. A zone in both places must agree (*FieldError on
// "time_zone" otherwise); "" tz becomes DefaultTimeZone.
func NormalizeSpec(spec, tz string) (string, string, error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		head, rest, ok := strings.Cut(spec, " ")
		_, zone, _ := strings.Cut(head, "=")
		if !ok || zone == "" {
			return "", "", fieldErr("spec", "%q: want CRON_TZ=ZONE followed by the schedule", spec)
		}
		if tz != "" && tz != zone {
			return "", "", fieldErr("time_zone", "%q conflicts with %s in the spec", tz, head)
		}
		spec, tz = strings.TrimSpace(rest), zone
	}
	if tz == "" {
		tz = DefaultTimeZone
	}
	return spec, tz, nil
}

// ParseSpec validates a cron spec and time zone and returns the schedule.
// spec has 5 fields (minute hour day-of-month month day-of-week), or 6 with
// leading seconds, or a descriptor (@hourly, @daily, @weekly, @monthly,
// @yearly), optionally prefixed by CRON_TZ=zone (see NormalizeSpec). tz is
// an IANA zone name ("" means DefaultTimeZone). Rejected, with a
// *FieldError naming "spec" or "time_zone": empty or malformed specs, zones
// that disagree, @every (its times depend on when it
// starts, so replicas could not agree on slots) and specs that never fire.
func ParseSpec(spec, tz string) (cron.Schedule, error) {
	spec, tz, err := NormalizeSpec(spec, tz)
	if err != nil {
		return nil, err
	}
	loc, err := loadZone(tz)
	if err != nil {
		return nil, fieldErr("time_zone", "unknown time zone %q", tz)
	}
	switch {
	case spec == "":
		return nil, fieldErr("spec", "missing")
	case len(spec) > 200:
		return nil, fieldErr("spec", "longer than 200 bytes")
	case strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ="):
		return nil, fieldErr("spec", "more than one time zone prefix")
	case strings.HasPrefix(spec, "@every"):
		return nil, fieldErr("spec", "@every is not supported: use a cron expression with fixed times")
	}
	sched, err := parseCron("CRON_TZ=" + tz + " " + spec)
	if err != nil {
		return nil, fieldErr("spec", "%q: %v", spec, err)
	}
	if sched.Next(time.Now().In(loc)).IsZero() {
		return nil, fieldErr("spec", "%q never fires", spec)
	}
	return sched, nil
}

// parseCron calls the cron parser, turning a panic on odd input into an error:
// input never panics.
func parseCron(s string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("unparsable spec")
		}
	}()
	return specParser.Parse(s)
}

func loadZone(tz string) (*time.Location, error) {
	// time.LoadLocation accepts "" and "UTC"/"Local"; "Local" depends on the
	// host, which replicas must not.
	if tz == "Local" || strings.ContainsAny(tz, " \t\n") {
		return nil, fmt.Errorf("bad zone")
	}
	return time.LoadLocation(tz)
}

// prevSlot returns the latest time <= now at which sched fires, searching up
// to about 400 days back (beyond that no slot counts as missed).
func prevSlot(sched cron.Schedule, now time.Time) (time.Time, bool) {
	for back := time.Hour; back <= 512*24*time.Hour; back *= 2 {
		t := sched.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := sched.Next(t)
			if n.IsZero() || n.After(now) {
				return t.UTC(), true
			}
			t = n
		}
	}
	return time.Time{}, false
}
