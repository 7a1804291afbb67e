package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/yingjing/xunhui/scheduler"
)

func TestSchedules(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	// Without a scheduler the endpoints exist but answer 503.
	if code, _, _ := e.do(http.MethodGet, "/api/v1/schedules", "u-planner", nil); code != http.StatusServiceUnavailable {
		t.Errorf("no scheduler: status %d, want 503", code)
	}
	sched, err := scheduler.NewStandard(e.store, scheduler.StandardFuncs{}, scheduler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetScheduler(sched)

	var list []scheduler.Schedule
	e.getJSON("/api/v1/schedules", "u-planner", 200, &list)
	if len(list) != 4 {
		t.Fatalf("schedules: got %d, want the 4 standard jobs", len(list))
	}
	for _, user := range []string{"u-coordA", "u-memberA"} {
		e.getJSON("/api/v1/schedules", user, 403, nil)
		e.getJSON("/api/v1/job-runs", user, 403, nil)
	}
	for _, tc := range []struct {
		path, body string
		want       int
		field      string
	}{
		{"/api/v1/schedules/" + scheduler.JobEscalation, `{"spec": "every now and then"}`, 400, "spec"},
		{"/api/v1/schedules/" + scheduler.JobEscalation, `{"time_zone": "Mars/Olympus"}`, 400, "time_zone"},
		{"/api/v1/schedules/no-such-job", `{"enabled": false}`, 404, ""},
		{"/api/v1/schedules/" + scheduler.JobEscalation, `{"spec": "15 * * * *", "enabled": true}`, 200, ""},
	} {
		code, _, body := e.do(http.MethodPut, tc.path, "u-admin", tc.body)
		if code != tc.want {
			t.Errorf("PUT %s %s: status %d, want %d; %s", tc.path, tc.body, code, tc.want, body)
			continue
		}
		if tc.field != "" && errBody(t, body).Field != tc.field {
			t.Errorf("PUT %s %s: field %q, want %q", tc.path, tc.body, errBody(t, body).Field, tc.field)
		}
	}
	e.getJSON("/api/v1/schedules", "u-admin", 200, &list)
	for _, s := range list {
		if s.Job == scheduler.JobEscalation && (s.Spec != "15 * * * *" || s.UpdatedBy != "u-admin") {
			t.Errorf("escalation after PUT: %+v", s)
		}
	}
	code, _, body := e.do(http.MethodGet, "/api/v1/job-runs?limit=x", "u-admin", nil)
	if code != 400 || errBody(t, body).Field != "limit" {
		t.Errorf("job-runs?limit=x: status %d body %s", code, body)
	}
	code, _, body = e.do(http.MethodGet, "/api/v1/job-runs", "u-admin", nil)
	var runs []json.RawMessage
	if code != 200 || json.Unmarshal(body, &runs) != nil {
		t.Errorf("job-runs: status %d body %s", code, body)
	}
}
