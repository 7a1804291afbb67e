package scheduler

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// fakeRequests is an in-memory RequestStore.
type fakeRequests struct {
	rs       map[string]data.Request
	conflict string // UpdateRequest of this id fails with Conflict
}

func (f *fakeRequests) ListRequests(_ context.Context, q data.RequestFilter) ([]data.Request, int, error) {
	var out []data.Request
	for _, r := range f.rs {
		if r.Deadline == "" || r.Deadline > q.DeadlineBefore {
			continue
		}
		for _, s := range q.Statuses {
			if r.Status == s {
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	total := len(out)
	if q.Offset < len(out) {
		out = out[q.Offset:]
	} else {
		out = nil
	}
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, total, nil
}

func (f *fakeRequests) SetRequestPriority(_ context.Context, c data.PriorityChange) (data.Request, error) {
	r, ok := f.rs[c.ID]
	if c.ID == f.conflict || !ok || r.Version != c.Version {
		return data.Request{}, &data.Error{Kind: data.Conflict, Message: "stale version"}
	}
	r.Version++
	r.History = append(r.History, data.StatusChange{By: c.By, From: r.Status, To: r.Status,
		Note: fmt.Sprintf("priority %d→%d: %s", r.Priority, c.Priority, c.Note)})
	r.Priority = c.Priority
	f.rs[c.ID] = r
	return r, nil
}

func TestEscalate(t *testing.T) {
	now := shanghai(t, 2026, 11, 27, 10, 0)
	mk := func(id string, prio int, deadline data.Date, st data.Status) data.Request {
		return data.Request{ID: id, Priority: prio, Deadline: deadline, Status: st, Version: 1}
	}
	f := &fakeRequests{conflict: "R-edited", rs: map[string]data.Request{}}
	for _, r := range []data.Request{
		mk("R-overdue", 2, "2026-11-25", data.StatusPending),
		mk("R-today", 1, "2026-11-27", data.StatusPlanned),
		mk("R-soon", 4, "2026-11-29", data.StatusPending),
		mk("R-near", 1, "2026-12-03", data.StatusFollowUp),
		mk("R-far", 1, "2026-12-20", data.StatusPending),
		mk("R-done", 1, "2026-11-20", data.StatusDone),
		mk("R-none", 1, "", data.StatusPending),
		mk("R-edited", 1, "2026-11-20", data.StatusPending),
	} {
		f.rs[r.ID] = r
	}
	res, err := Escalate(context.Background(), f, nil, EscalationPolicy{}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"R-overdue": 5, "R-today": 4, "R-soon": 4, "R-near": 3, "R-far": 1, "R-done": 1, "R-none": 1, "R-edited": 1}
	for id, p := range want {
		if got := f.rs[id].Priority; got != p {
			t.Errorf("%s priority = %d, want %d", id, got, p)
		}
	}
	if res.Output["raised"] != 3 || res.Output["overdue"] != 1 || !strings.Contains(res.Summary, "raised 3") {
		t.Errorf("result = %+v, want 3 raised, 1 overdue", res)
	}
	if h := f.rs["R-overdue"].History; len(h) != 1 || h[0].By != EscalationBy || h[0].Note != "priority 2→5: deadline escalation: overdue by 2 day(s)" {
		t.Errorf("R-overdue history = %+v, want one escalation entry", h)
	}
	if c, _ := res.Output["conflicts"].([]string); len(c) != 1 || c[0] != "R-edited" {
		t.Errorf("conflicts = %v, want [R-edited]", res.Output["conflicts"])
	}
	// Idempotent: a second run raises nothing more.
	res2, err := Escalate(context.Background(), f, nil, EscalationPolicy{}, now)
	if err != nil || res2.Output["raised"] != 0 {
		t.Errorf("second run = %+v, %v; want nothing raised", res2, err)
	}
}

func TestPutSchedulesAndListRuns(t *testing.T) {
	ctx := context.Background()
	s := newTestScheduler(t, Options{}, StandardJobs(StandardFuncs{})...)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, job, body string
		status          int
		field           string
	}{
		{"bad spec", "weekly-draft", `{"spec":"0 16 * * friday"}`, 400, "spec"},
		{"bad zone", "", `{"job":"weekly-draft","time_zone":"Beijing"}`, 400, "time_zone"},
		{"array names index", "", `[{"job":"daily-replan","spec":"0 7 * * *"},{"job":"weekly-draft","spec":"nope"}]`, 400, "[1].spec"},
		{"not json", "weekly-draft", `spec=1`, 400, "body"},
		{"no job", "", `{"spec":"@daily"}`, 400, "job"},
		{"unknown job", "nightly", `{"spec":"@daily"}`, 404, ""},
		{"zone in spec", "daily-replan", `{"spec":"CRON_TZ=UTC 0 22 * * *"}`, 200, ""},
		{"ok", "weekly-draft", `{"spec":"0 15 * * fri","enabled":true}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.PutSchedules(ctx, tt.job, strings.NewReader(tt.body), "u-admin")
			if st := HTTPStatus(err); st != tt.status {
				t.Fatalf("status %d (%v), want %d", st, err, tt.status)
			}
			if tt.field != "" {
				if fe, _ := AsFieldError(err); fe == nil || fe.Field != tt.field {
					t.Errorf("error %v, want field %q", err, tt.field)
				}
			}
			if tt.name == "ok" {
				var w Schedule
				for _, v := range got {
					if v.Job == "weekly-draft" {
						w = v
					}
				}
				if w.Spec != "0 15 * * fri" || !w.Enabled || w.Next == nil {
					t.Errorf("weekly-draft after PUT = %+v", w)
				}
			}
		})
	}
	// The failed array update stored nothing, not even its valid first
	// element; the later CRON_TZ update is stored in normal form.
	for _, v := range s.Schedules() {
		if v.Job == "daily-replan" && (v.Spec != "0 22 * * *" || v.TimeZone != "UTC") {
			t.Errorf("daily-replan = %q in %q, want 0 22 * * * in UTC", v.Spec, v.TimeZone)
		}
	}
	for _, tt := range []struct{ job, limit, field string }{{"nope", "", "job"}, {"", "0", "limit"}, {"", "x", "limit"}} {
		if _, err := s.ListRuns(ctx, tt.job, tt.limit); HTTPStatus(err) != 400 {
			t.Errorf("ListRuns(%q, %q) = %v, want 400 on %s", tt.job, tt.limit, err, tt.field)
		}
	}
	if runs, err := s.ListRuns(ctx, "weekly-draft", "5"); err != nil || runs == nil {
		t.Errorf("ListRuns = %v, %v; want an empty list", runs, err)
	}
}

type fakeCalendar struct {
	mc  data.MarketCycle
	exc []data.MarketException
}

func (f fakeCalendar) MarketCalendar(_ context.Context, id string) (data.MarketCycle, []data.MarketException, error) {
	if id != f.mc.TownshipID {
		return data.MarketCycle{}, nil, &data.Error{Kind: data.NotFound, Message: "no cycle"}
	}
	return f.mc, f.exc, nil
}

func TestTownshipMarketDays(t *testing.T) {
	ctx := context.Background()
	now := shanghai(t, 2027, 1, 1, 9, 0)
	const ts = "511822101000"
	tests := []struct {
		name     string
		st       fakeCalendar
		id       string
		from, to string
		want     []string // "date reason"
		status   string   // "" ok, "400", "404", "500"
	}{
		{"text cycle with exceptions", fakeCalendar{
			mc: data.MarketCycle{TownshipID: ts, Cycle: "solar:1,4,7", Sample: true},
			exc: []data.MarketException{
				{TownshipID: ts, Kind: "remove", Date: "2027-01-01", Reason: "元旦"},
				{TownshipID: ts, Kind: "move", Date: "2027-01-04", To: "2027-01-05"},
			}}, ts, "2027-01-01", "2027-01-07",
			[]string{"2027-01-05 moved from 2027-01-04: market moved", "2027-01-07 逢1·4·7 (solar day 7)"}, ""},
		{"digits only", fakeCalendar{mc: data.MarketCycle{TownshipID: ts, Calendar: "lunar", Digits: []int{1}}}, ts, "2027-02-06", "2027-02-06",
			[]string{"2027-02-06 lunar 逢1 (正月初一)"}, ""},
		{"bad query", fakeCalendar{mc: data.MarketCycle{TownshipID: ts, Cycle: "solar:1"}}, ts, "2027-1-1", "", nil, "400"},
		{"unknown township", fakeCalendar{mc: data.MarketCycle{TownshipID: ts, Cycle: "solar:1"}}, "511822999000", "", "", nil, "404"},
		{"bad stored cycle", fakeCalendar{mc: data.MarketCycle{TownshipID: ts, Cycle: "solar:99"}}, ts, "", "", nil, "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := TownshipMarketDays(ctx, tt.st, tt.id, tt.from, tt.to, now)
			status := ""
			switch {
			case err == nil:
			case data.ErrorKind(err) == data.NotFound:
				status = "404"
			default:
				if _, ok := calendar.AsFieldError(err); ok {
					status = "400"
				} else {
					status = "500"
				}
			}
			if status != tt.status {
				t.Fatalf("error %v (status %q), want status %q", err, status, tt.status)
			}
			if err != nil {
				return
			}
			var got []string
			for _, d := range res.Days {
				got = append(got, d.Date.String()+" "+d.Reason)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("days = %q, want %q", got, tt.want)
			}
			if res.Sample != tt.st.mc.Sample {
				t.Errorf("sample = %v, want %v", res.Sample, tt.st.mc.Sample)
			}
		})
	}
}
