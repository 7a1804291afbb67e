package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// TestStaffTeamWrites: planners add and change staff (skills, shifts) and
// teams (membership); bad fields are 422 naming them, duplicates 409;
// coordinators and team members are refused (403).
func TestStaffTeamWrites(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		st := data.Staff{ID: "ST-NEW", Name: "新同志 (SAMPLE)", Role: data.RoleDeskOfficer, Skills: []data.Skill{data.SkillGeneral},
			HomeCode: twA, Availability: data.WorkingWeek(9*60, 17*60), Sample: true}
		for _, u := range []string{"u-coordA", "u-memberA"} {
			if code, _, _ := e.do(http.MethodPost, "/api/v1/staff", u, st); code != http.StatusForbidden {
				t.Errorf("%s adds staff: %d, want 403", u, code)
			}
		}
		code, _, body := e.do(http.MethodPost, "/api/v1/staff", "u-planner", st)
		var got data.Staff
		if code != http.StatusCreated || json.Unmarshal(body, &got) != nil || got.ID != "ST-NEW" {
			t.Fatalf("create staff: %d %s", code, body)
		}
		if code, _, _ = e.do(http.MethodPost, "/api/v1/staff", "u-planner", st); code != http.StatusConflict {
			t.Errorf("duplicate staff: %d, want 409", code)
		}
		// A new skill and a shorter Friday.
		st.Skills = append(st.Skills, data.SkillMedicalSecurity)
		st.Availability = data.WorkingWeek(9*60, 12*60)
		if code, _, body = e.do(http.MethodPut, "/api/v1/staff/ST-NEW", "u-planner", st); code != http.StatusPreconditionRequired {
			t.Errorf("edit staff without a version: %d %s, want 428", code, body)
		}
		st.Version = got.Version
		code, _, body = e.do(http.MethodPut, "/api/v1/staff/ST-NEW", "u-planner", st)
		if code != 200 || json.Unmarshal(body, &got) != nil || !slices.Contains(got.Skills, data.SkillMedicalSecurity) || got.Availability[0].To != 12*60 {
			t.Fatalf("edit staff: %d %s", code, body)
		}
		if got.Version != st.Version+1 {
			t.Errorf("version after edit = %d, want %d", got.Version, st.Version+1)
		}
		// A second editor who read the old version does not overwrite the first.
		stale := st
		stale.Phone = "13800000000"
		if code, _, body = e.do(http.MethodPut, "/api/v1/staff/ST-NEW", "u-planner", stale); code != http.StatusConflict || errBody(t, body).Field != "version" {
			t.Errorf("stale staff edit: %d %s, want 409 naming version", code, body)
		}
		var now data.Staff
		e.getJSON("/api/v1/staff/ST-NEW", "u-planner", 200, &now)
		if now.Phone != "" || now.Version != got.Version {
			t.Errorf("after the stale edit: phone %q version %d, want unchanged (\"\", %d)", now.Phone, now.Version, got.Version)
		}
		st.Version = got.Version
		bad := st
		bad.Role = "wizard"
		if code, _, body = e.do(http.MethodPut, "/api/v1/staff/ST-NEW", "u-planner", bad); code != http.StatusUnprocessableEntity || errBody(t, body).Field != "role" {
			t.Errorf("bad role: %d %s, want 422 naming role", code, body)
		}
		if code, _, _ = e.do(http.MethodPut, "/api/v1/staff/ST-NONE", "u-planner", st); code != http.StatusBadRequest {
			t.Errorf("body id differs from path: %d, want 400", code)
		}
		// Team membership.
		var tm data.Team
		e.getJSON("/api/v1/teams/"+teamA, "u-planner", 200, &tm)
		tm.MemberIDs = append(tm.MemberIDs, "ST-NEW")
		read := tm
		code, _, body = e.do(http.MethodPut, "/api/v1/teams/"+teamA, "u-planner", tm)
		if code != 200 || json.Unmarshal(body, &tm) != nil || !slices.Contains(tm.MemberIDs, "ST-NEW") || tm.Version != read.Version+1 {
			t.Fatalf("add member: %d %s", code, body)
		}
		read.MemberIDs = read.MemberIDs[:1]
		if code, _, body = e.do(http.MethodPut, "/api/v1/teams/"+teamA, "u-planner", read); code != http.StatusConflict || errBody(t, body).Field != "version" {
			t.Errorf("stale team edit: %d %s, want 409 naming version", code, body)
		}
		tm.MemberIDs = append(tm.MemberIDs, "ST-GHOST")
		if code, _, body = e.do(http.MethodPut, "/api/v1/teams/"+teamA, "u-planner", tm); code != http.StatusUnprocessableEntity {
			t.Errorf("unknown member: %d %s, want 422", code, body)
		}
		nt := tm
		nt.ID, nt.Name, nt.MemberIDs = "T-NEW", "新队 (SAMPLE)", []string{"ST-NEW"}
		if code, _, body = e.do(http.MethodPost, "/api/v1/teams", "u-planner", nt); code != http.StatusCreated {
			t.Errorf("create team: %d %s", code, body)
		}
		if code, _, _ = e.do(http.MethodPut, "/api/v1/teams/"+teamA, "u-coordA", tm); code != http.StatusForbidden {
			t.Errorf("coordinator edits a team: %d, want 403", code)
		}
	})
}
