package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// TestAbsencesAndStaffCalendar records, lists and cancels absences through
// the API on both stores, with scopes, and reads the staff calendar: a leave
// day still claimed by a published plan is flagged, and the absence answer
// names the claims it takes away.
func TestAbsencesAndStaffCalendar(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		today := data.Today()
		// The fixture's published plan claims staffA today (team A's route).
		all, err := e.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit})
		var ps []data.Plan
		for _, p := range all {
			if p.Status == data.PlanPublished {
				ps = append(ps, p)
			}
		}
		if err != nil || len(ps) != 1 {
			t.Fatalf("fixture plans: %v %v", all, err)
		}
		post := func(path, user string, body any, want int, v any) {
			t.Helper()
			code, _, b := e.do(http.MethodPost, path, user, body)
			if code != want {
				t.Fatalf("POST %s as %s: %d, want %d: %s", path, user, code, want, b)
			}
			if v != nil {
				if err := json.Unmarshal(b, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		var res absenceResult
		post("/api/v1/absences", "u-coordA", map[string]any{"staff_id": staffA, "from": today, "reason": "病假", "kind": "sick"}, http.StatusCreated, &res)
		if res.Absence.ID == "" || res.Absence.CreatedBy != "u-coordA" || res.Absence.To != today || res.Absence.Kind != data.AbsenceSick {
			t.Fatalf("absence = %+v", res.Absence)
		}
		if len(res.Affected) != 1 || res.Affected[0].PlanID != ps[0].ID || res.Affected[0].Ref != teamA || res.Affected[0].Date != today {
			t.Fatalf("affected = %+v, want team A's claim on %s in %s", res.Affected, today, ps[0].ID)
		}
		// A coordinator may not record another township's staff (same answer as unknown).
		code, _, b := e.do(http.MethodPost, "/api/v1/absences", "u-coordA", map[string]any{"staff_id": staffB, "from": today, "reason": "x"})
		if code != http.StatusUnprocessableEntity || errBody(t, b).Field != "staff_id" {
			t.Fatalf("out-of-scope absence: %d %s", code, b)
		}
		// Bad input names its field; a team member may not record absences.
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"staff_id": staffA, "from": today, "to": today.AddDays(-1), "reason": "x"}, "to"},
			{map[string]any{"staff_id": staffA, "from": today, "reason": ""}, "reason"},
			{map[string]any{"staff_id": staffA, "from": today, "reason": "x", "kind": "party"}, "kind"},
		} {
			code, _, b := e.do(http.MethodPost, "/api/v1/absences", "u-planner", tc.body)
			if code != http.StatusUnprocessableEntity || errBody(t, b).Field != tc.field {
				t.Errorf("POST absences %v: %d %s, want 422 field %s", tc.body, code, b, tc.field)
			}
		}
		code, _, _ = e.do(http.MethodPost, "/api/v1/absences", "u-memberA", map[string]any{"staff_id": staffA, "from": today, "reason": "x"})
		if code != http.StatusForbidden {
			t.Errorf("member records an absence: %d, want 403", code)
		}

		// Lists are scoped.
		var lb listBody[data.Absence]
		e.getJSON("/api/v1/absences?from="+string(today), "u-planner", http.StatusOK, &lb)
		if lb.Total != 1 {
			t.Fatalf("planner lists %d absences", lb.Total)
		}
		e.getJSON("/api/v1/absences", "u-coordB", http.StatusOK, &lb)
		if lb.Total != 0 {
			t.Fatalf("coordinator B sees %d absences of township A", lb.Total)
		}
		e.getJSON("/api/v1/absences?from=today", "u-planner", http.StatusBadRequest, nil)

		// The calendar: staffA's today is leave, still claimed by the plan.
		var cal listBody[data.CalendarDay]
		e.getJSON("/api/v1/staff-calendar?staff="+staffA+"&from="+string(today)+"&to="+string(today.AddDays(1)), "u-memberA", http.StatusOK, &cal)
		if cal.Total != 2 || cal.Items[0].Kind != data.DayLeave || !cal.Items[0].ClaimedWhileAway || cal.Items[0].PlanID != ps[0].ID ||
			cal.Items[0].AbsenceID != res.Absence.ID {
			t.Fatalf("calendar = %+v", cal.Items)
		}
		if k := cal.Items[1].Kind; k != data.DayDeskDuty && k != data.DayRest {
			t.Errorf("tomorrow is %s, want desk_duty or rest", k)
		}
		e.getJSON("/api/v1/staff-calendar?from="+string(today)+"&to="+string(today), "u-memberB", http.StatusOK, &cal)
		if cal.Total != 1 || cal.Items[0].StaffID != staffB {
			t.Fatalf("member B sees %+v, want only their own team", cal.Items)
		}
		e.getJSON("/api/v1/staff-calendar?from="+string(today)+"&to="+string(today.AddDays(90)), "u-planner", http.StatusBadRequest, nil)

		// Cancel: out of scope is 404; stale version 409; then the day is no longer leave.
		path := "/api/v1/absences/" + res.Absence.ID + "/cancel"
		code, _, _ = e.do(http.MethodPost, path, "u-coordB", nil)
		if code != http.StatusNotFound {
			t.Errorf("coordinator B cancels A's absence: %d, want 404", code)
		}
		code, _, _ = e.do(http.MethodPost, path, "u-planner", map[string]any{"version": 9})
		if code != http.StatusConflict {
			t.Errorf("stale cancel: %d, want 409", code)
		}
		post(path, "u-planner", nil, http.StatusOK, &res)
		if res.Absence.Active() || res.Absence.CancelledBy != "u-planner" {
			t.Fatalf("cancelled = %+v", res.Absence)
		}
		post(path, "u-planner", nil, http.StatusConflict, nil)
		e.getJSON("/api/v1/staff-calendar?staff="+staffA+"&from="+string(today)+"&to="+string(today), "u-planner", http.StatusOK, &cal)
		if cal.Items[0].Kind != data.DayCircuit || cal.Items[0].Ref != teamA {
			t.Fatalf("after cancel: %+v, want circuit with team A", cal.Items[0])
		}
	})
}

// TestStaffCalendarAdjustedWorkday: through the API on both stores, a person
// with a Monday–Friday week rests on the National Day holiday and the
// ordinary Sunday, and works (desk duty) the adjusted Saturday 2026-10-10
// (调休) like the Thursday and Friday before it.
func TestStaffCalendarAdjustedWorkday(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		st, err := e.store.GetStaff(context.Background(), staffA)
		if err != nil {
			t.Fatal(err)
		}
		if !st.WorksOn(time.Friday) || st.WorksOn(time.Saturday) || st.WorksOn(time.Sunday) {
			t.Fatalf("fixture: %s must work Monday–Friday only: %+v", staffA, st.Availability)
		}
		var cal listBody[data.CalendarDay]
		e.getJSON("/api/v1/staff-calendar?staff="+staffA+"&from=2026-10-05&to=2026-10-11", "u-planner", http.StatusOK, &cal)
		want := []data.DayKind{data.DayRest, data.DayRest, data.DayRest, data.DayDeskDuty, data.DayDeskDuty, data.DayDeskDuty, data.DayRest}
		if len(cal.Items) != len(want) {
			t.Fatalf("calendar = %+v, want 7 days", cal.Items)
		}
		for i, cd := range cal.Items {
			if cd.Kind != want[i] {
				t.Errorf("%s (%s): %s, want %s", cd.Date, cd.Date.Weekday(), cd.Kind, want[i])
			}
		}
	})
}
