package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ScheduleUpdate is the body of PUT /api/v1/schedules/{job} (or one element
// of PUT /api/v1/schedules). Omitted fields keep their current value.
type ScheduleUpdate struct {
	Job      string  `json:"job,omitempty"`
	Spec     *string `json:"spec,omitempty"`
	TimeZone *string `json:"time_zone,omitempty"`
	Enabled  *bool   `json:"enabled,omitempty"`
}

// maxScheduleBody bounds a PUT /api/v1/schedules body.
const maxScheduleBody = 64 << 10

// PutSchedules is the handler logic of PUT /api/v1/schedules (admin and
// county planner only; the API checks the role). body is a JSON object
// ScheduleUpdate or an array of them; job names the job (for
// PUT /api/v1/schedules/{job}, pass the path value; "" to take it from the
// body). Every update is validated before any is stored. by is the acting
// user id. Errors: a *FieldError ("job", "spec", "time_zone", "body", with
// an index prefix such as "[1].spec" for arrays) is a 400; ErrUnknownJob a
// 404; anything else a 500. Returns the resulting schedules of all jobs.
func (s *Scheduler) PutSchedules(ctx context.Context, job string, body io.Reader, by string) ([]Schedule, error) {
	raw, err := io.ReadAll(io.LimitReader(body, maxScheduleBody+1))
	if err != nil {
		return nil, fieldErr("body", "read: %v", err)
	}
	if len(raw) > maxScheduleBody {
		return nil, fieldErr("body", "larger than %d bytes", maxScheduleBody)
	}
	var ups []ScheduleUpdate
	array := len(raw) > 0 && firstNonSpace(raw) == '['
	if array {
		err = json.Unmarshal(raw, &ups)
	} else {
		var u ScheduleUpdate
		err = json.Unmarshal(raw, &u)
		ups = []ScheduleUpdate{u}
	}
	if err != nil {
		return nil, fieldErr("body", "not a JSON schedule update: %v", err)
	}
	if len(ups) == 0 {
		return nil, fieldErr("body", "no schedule given")
	}
	current := map[string]Schedule{}
	for _, v := range s.Schedules() {
		current[v.Job] = v
	}
	next := make([]Schedule, len(ups))
	for i, u := range ups {
		prefix := ""
		if array {
			prefix = "[" + strconv.Itoa(i) + "]."
		}
		if job != "" {
			if u.Job != "" && u.Job != job {
				return nil, fieldErr(prefix+"job", "%q does not match the path's job %q", u.Job, job)
			}
			u.Job = job
		}
		cur, ok := current[u.Job]
		if u.Job == "" {
			return nil, fieldErr(prefix+"job", "missing")
		}
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknownJob, u.Job)
		}
		if u.Spec != nil {
			cur.Spec = *u.Spec
			if u.TimeZone == nil && (strings.HasPrefix(*u.Spec, "CRON_TZ=") || strings.HasPrefix(*u.Spec, "TZ=")) {
				cur.TimeZone = "" // the spec's own zone replaces the current one
			}
		}
		if u.TimeZone != nil {
			cur.TimeZone = *u.TimeZone
		}
		if u.Enabled != nil {
			cur.Enabled = *u.Enabled
		}
		if _, err := ParseSpec(cur.Spec, cur.TimeZone); err != nil {
			if fe, ok := AsFieldError(err); ok {
				return nil, fieldErr(prefix+fe.Field, "%s", fe.Msg)
			}
			return nil, err
		}
		next[i] = cur
	}
	for _, v := range next {
		if _, err := s.SetSchedule(ctx, v, by); err != nil {
			return nil, err
		}
	}
	return s.Schedules(), nil
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// ListRuns is the handler logic of GET /api/v1/job-runs?job=&limit=: job
// filters by name ("" = all), limit is 1–1000 (default 100). A *FieldError
// on "job" or "limit" is a 400.
func (s *Scheduler) ListRuns(ctx context.Context, job, limit string) ([]Run, error) {
	f := RunFilter{Job: job}
	if job != "" {
		s.mu.Lock()
		_, ok := s.jobs[job]
		s.mu.Unlock()
		if !ok {
			return nil, fieldErr("job", "unknown job %q", job)
		}
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > 1000 {
			return nil, fieldErr("limit", "%q is not a whole number 1-1000", limit)
		}
		f.Limit = n
	}
	return s.Runs(ctx, f)
}

// HTTPStatus maps an error of PutSchedules, ListRuns or SetSchedule to an
// HTTP status: 400 for a *FieldError, 404 for ErrUnknownJob, 500 otherwise.
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return 200
	case errors.Is(err, ErrUnknownJob):
		return 404
	}
	if _, ok := AsFieldError(err); ok {
		return 400
	}
	return 500
}
