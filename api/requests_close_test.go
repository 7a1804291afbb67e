package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// TestWithdrawCancel: withdrawing needs a reason, keeps the request and its
// history, freezes editing until reopened; team members cannot withdraw; a
// phone number is optional.
func TestWithdrawCancel(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		nophone := newRequestBody("R-NOPHONE", vA1)
		delete(nophone["household"].(map[string]any), "phone")
		code, _, body := e.do(http.MethodPost, "/api/v1/requests", "u-coordA", nophone)
		if code != http.StatusCreated {
			t.Fatalf("create without phone: status %d; %s", code, body)
		}
		code, _, body = e.do(http.MethodPost, "/api/v1/requests/"+reqA1+"/status", "u-memberA",
			map[string]any{"version": 1, "to": "withdrawn", "note": "不需要了"})
		if code != http.StatusForbidden || errBody(t, body).Field != "to" {
			t.Errorf("member withdraws: status %d; %s, want 403 naming to", code, body)
		}
		code, _, body = e.do(http.MethodPost, "/api/v1/requests/"+reqA1+"/status", "u-coordA",
			map[string]any{"version": 1, "to": "withdrawn"})
		if code != http.StatusUnprocessableEntity || errBody(t, body).Field != "note" {
			t.Errorf("withdraw without reason: status %d; %s, want 422 naming note", code, body)
		}
		code, _, body = e.do(http.MethodPost, "/api/v1/requests/"+reqB1+"/status", "u-coordA",
			map[string]any{"version": 1, "to": "withdrawn", "note": "x"})
		if code != http.StatusNotFound {
			t.Errorf("coordinator A withdraws B's request: status %d, want 404; %s", code, body)
		}
		code, _, body = e.do(http.MethodPost, "/api/v1/requests/"+reqA1+"/status", "u-coordA",
			map[string]any{"version": 1, "to": "withdrawn", "note": "户主已自行办理"})
		var r data.Request
		if code != 200 || json.Unmarshal(body, &r) != nil || r.Status != data.StatusWithdrawn || r.History[len(r.History)-1].Note != "户主已自行办理" {
			t.Fatalf("withdraw: status %d; %s", code, body)
		}
		code, _, body = e.do(http.MethodPatch, "/api/v1/requests/"+reqA1, "u-coordA", map[string]any{"version": 2, "priority": 5})
		if code != http.StatusConflict || errBody(t, body).Field != "status" {
			t.Errorf("edit a withdrawn request: status %d; %s, want 409 naming status", code, body)
		}
		code, _, body = e.do(http.MethodPost, "/api/v1/requests/"+reqA1+"/status", "u-planner",
			map[string]any{"version": 2, "to": "merged", "note": "x"})
		if code != http.StatusUnprocessableEntity {
			t.Errorf("status merged by hand: status %d, want 422; %s", code, body)
		}
		code, _, body = e.do(http.MethodPost, "/api/v1/requests/"+reqA1+"/status", "u-planner",
			map[string]any{"version": 2, "to": "pending", "note": "户主再次申请"})
		if code != 200 {
			t.Fatalf("reopen: status %d; %s", code, body)
		}
		var hist listBody[data.StatusChange]
		e.getJSON("/api/v1/requests/"+reqA1+"/history", "u-planner", 200, &hist)
		var path []data.Status
		for _, h := range hist.Items {
			path = append(path, h.To)
		}
		if want := []data.Status{data.StatusPending, data.StatusWithdrawn, data.StatusPending}; !slices.Equal(path, want) {
			t.Errorf("history %v, want %v", path, want)
		}
		if got := e.requestIDs("u-planner", "?status=withdrawn,cancelled"); len(got) != 0 {
			t.Errorf("closed requests after reopening: %v", got)
		}
	})
}

// TestMergeDuplicates: candidates are found by phone or name; merging folds
// the duplicate into the kept request and keeps both records; the role and
// township rules hold.
func TestMergeDuplicates(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		dup := newRequestBody("R-DUP", vA2)
		dup["household"].(map[string]any)["phone"] = "13900000001" // reqA1's phone
		dup["item_ids"] = []string{itemLic}
		dup["priority"] = 4
		if code, _, body := e.do(http.MethodPost, "/api/v1/requests", "u-coordA", dup); code != http.StatusCreated {
			t.Fatalf("create duplicate: %d %s", code, body)
		}
		var cands listBody[duplicateCandidate]
		e.getJSON("/api/v1/requests/R-DUP/duplicates", "u-coordA", 200, &cands)
		if len(cands.Items) != 1 || cands.Items[0].Request.ID != reqA1 || !slices.Equal(cands.Items[0].Reasons, []string{"same_phone"}) {
			t.Fatalf("candidates = %+v, want %s by same_phone", cands.Items, reqA1)
		}
		e.getJSON("/api/v1/requests/R-DUP/duplicates", "u-memberA", 403, nil)
		e.getJSON("/api/v1/requests/"+reqB1+"/duplicates", "u-coordA", 404, nil)

		merge := func(user, id string, body map[string]any) (int, []byte) {
			code, _, out := e.do(http.MethodPost, "/api/v1/requests/"+id+"/merge", user, body)
			return code, out
		}
		if code, out := merge("u-memberA", "R-DUP", map[string]any{"version": 1, "into": reqA1, "into_version": 1}); code != http.StatusForbidden {
			t.Errorf("member merges: %d %s", code, out)
		}
		if code, out := merge("u-coordA", "R-DUP", map[string]any{"version": 1, "into": reqB1, "into_version": 1}); code != http.StatusUnprocessableEntity || errBody(t, out).Field != "into" {
			t.Errorf("coordinator A merges into B's request: %d %s, want 422 naming into", code, out)
		}
		if code, out := merge("u-coordA", reqB1, map[string]any{"version": 1, "into": reqA1, "into_version": 1}); code != http.StatusNotFound {
			t.Errorf("coordinator A merges B's request: %d %s, want 404", code, out)
		}
		if code, out := merge("u-planner", reqB1, map[string]any{"version": 1, "into": reqA1, "into_version": 1}); code != http.StatusUnprocessableEntity {
			t.Errorf("merge across townships: %d %s, want 422", code, out)
		}
		if code, out := merge("u-coordA", "R-DUP", map[string]any{"version": 1, "into": reqA1, "into_version": 9}); code != http.StatusConflict || errBody(t, out).Field != "into_version" {
			t.Errorf("stale into_version: %d %s, want 409", code, out)
		}
		if code, out := merge("u-coordA", "R-DUP", map[string]any{"into": reqA1, "into_version": 1}); code != http.StatusPreconditionRequired {
			t.Errorf("merge without version: %d %s, want 428", code, out)
		}
		code, out := merge("u-coordA", "R-DUP", map[string]any{"version": 1, "into": reqA1, "into_version": 1, "reason": "同一户重复登记"})
		var res mergeResult
		if code != 200 || json.Unmarshal(out, &res) != nil {
			t.Fatalf("merge: %d %s", code, out)
		}
		if res.Duplicate.Status != data.StatusMerged || res.Duplicate.DuplicateOf != reqA1 ||
			!slices.Equal(res.Kept.ItemIDs, []string{itemMA, itemLic}) || res.Kept.Priority != 4 || res.Kept.Version != 2 {
			t.Errorf("after merge: duplicate %+v kept %+v", res.Duplicate, res.Kept)
		}
		var stored data.Request
		e.getJSON("/api/v1/requests/R-DUP", "u-coordA", 200, &stored) // still there: nothing is deleted
		if stored.Status != data.StatusMerged || stored.History[len(stored.History)-1].By != "u-coordA" {
			t.Errorf("stored duplicate %+v", stored)
		}
		e.getJSON("/api/v1/requests/R-DUP/duplicates", "u-coordA", 200, &cands)
		e.getJSON("/api/v1/requests/"+reqA1+"/duplicates", "u-coordA", 200, &cands)
		if len(cands.Items) != 0 {
			t.Errorf("a merged request is still a candidate: %+v", cands.Items)
		}
	})
}
