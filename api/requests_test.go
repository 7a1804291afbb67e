package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// newRequestBody returns a valid creation body for village v.
func newRequestBody(id, village string) map[string]any {
	return map[string]any{
		"id":     id,
		"ledger": "proxy",
		"household": map[string]any{
			"name": "周奶奶 (SAMPLE)", "phone": "13700000009", "village_id": village, "address": "3组12号",
		},
		"groups":   []string{"elderly_alone"},
		"item_ids": []string{itemMA},
		"priority": 2,
		"deadline": string(data.Today().AddDays(10)),
		"summary":  "SAMPLE request",
	}
}

// TestCoordinatorScope: a township coordinator reads, lists, creates and
// edits only requests of villages in their own township.
func TestCoordinatorScope(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		// Another township's household: 404, exactly like a missing id.
		code, _, body := e.do(http.MethodGet, "/api/v1/requests/"+reqB1, "u-coordA", nil)
		if code != http.StatusNotFound {
			t.Fatalf("coordinator A reads B's request: status %d, want 404; body %s", code, body)
		}
		if strings.Contains(string(body), "孙家") || strings.Contains(string(body), "13900000003") {
			t.Errorf("404 body leaks the household: %s", body)
		}
		e.getJSON("/api/v1/requests/"+reqB1+"/history", "u-coordA", 404, nil)
		e.getJSON("/api/v1/requests/"+reqA1, "u-coordA", 200, nil)
		e.getJSON("/api/v1/requests/"+reqB1, "u-coordB", 200, nil)

		// Listing is silently filtered to the own township.
		for _, tc := range []struct {
			user, query string
			want        []string
		}{
			{"u-coordA", "", []string{reqA1, reqA2}},
			{"u-coordA", "?township=" + twB, []string{}},
			{"u-coordA", "?village=" + vB1, []string{}},
			{"u-coordA", "?village=" + vA2, []string{reqA2}},
			{"u-coordB", "", []string{reqB1}},
			{"u-planner", "", []string{reqA1, reqA2, reqB1}},
			{"u-admin", "?township=" + twB, []string{reqB1}},
		} {
			if got := e.requestIDs(tc.user, tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%s lists %q: got %v, want %v", tc.user, tc.query, got, tc.want)
			}
		}

		// Edits outside the township are refused and change nothing (a new
		// request for another township's household is accepted:
		// TestDeskAcceptsAnyTownship).
		code, _, _ = e.do(http.MethodPatch, "/api/v1/requests/"+reqB1, "u-coordA", map[string]any{"version": 1, "priority": 1})
		if code != http.StatusNotFound {
			t.Errorf("coordinator A patches B's request: status %d, want 404", code)
		}
		code, _, body = e.do(http.MethodPatch, "/api/v1/requests/"+reqA2, "u-coordA",
			map[string]any{"version": 1, "household": map[string]any{"village_id": vB1}})
		if code != http.StatusForbidden {
			t.Errorf("coordinator A moves a request to B: status %d, want 403; %s", code, body)
		}
		if got := e.requestIDs("u-planner", ""); !slices.Equal(got, []string{reqA1, reqA2, reqB1}) {
			t.Errorf("after refused writes the requests are %v", got)
		}
		var r data.Request
		e.getJSON("/api/v1/requests/"+reqA2, "u-planner", 200, &r)
		if r.Household.VillageID != vA2 || r.Version != 1 {
			t.Errorf("refused move changed the request: %+v", r)
		}
		// Inside the own township it works.
		code, h, body := e.do(http.MethodPost, "/api/v1/requests", "u-coordA", newRequestBody("R-NEW", vA2))
		if code != http.StatusCreated || h.Get("Location") != "/api/v1/requests/R-NEW" || h.Get("ETag") != `"1"` {
			t.Fatalf("coordinator A creates in A: status %d, Location %q, ETag %q; %s", code, h.Get("Location"), h.Get("ETag"), body)
		}
		if err := json.Unmarshal(body, &r); err != nil || r.TownshipID != twA || r.Status != data.StatusPending || r.Version != 1 ||
			r.CreatedBy != "u-coordA" || len(r.History) != 1 || r.History[0].By != "u-coordA" {
			t.Errorf("created request: %+v (%v)", r, err)
		}
	})
}

// TestTeamMemberScope: a team member sees only the households on their own
// team's stops, and cannot create or edit requests.
func TestTeamMemberScope(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		if got := e.requestIDs("u-memberA", ""); !slices.Equal(got, []string{reqA1}) {
			t.Errorf("member A lists %v, want [%s]", got, reqA1)
		}
		if got := e.requestIDs("u-memberA", "?township="+twB); len(got) != 0 {
			t.Errorf("member A lists township B: %v, want none", got)
		}
		if got := e.requestIDs("u-memberB", ""); len(got) != 0 {
			t.Errorf("member B (no stops) lists %v, want none", got)
		}
		var r data.Request
		e.getJSON("/api/v1/requests/"+reqA1, "u-memberA", 200, &r)
		if r.Household.Phone == "" || r.Household.Name == "" {
			t.Errorf("member A cannot see the household it visits: %+v", r.Household)
		}
		for _, id := range []string{reqA2, reqB1} {
			e.getJSON("/api/v1/requests/"+id, "u-memberA", 404, nil)
		}
		e.getJSON("/api/v1/requests/"+reqA1, "u-memberB", 404, nil)
		code, _, _ := e.do(http.MethodPost, "/api/v1/requests", "u-memberA", newRequestBody("R-M", vA1))
		if code != http.StatusForbidden {
			t.Errorf("member creates: status %d, want 403", code)
		}
		code, _, _ = e.do(http.MethodPatch, "/api/v1/requests/"+reqA1, "u-memberA", map[string]any{"version": 1, "priority": 5})
		if code != http.StatusForbidden {
			t.Errorf("member patches: status %d, want 403", code)
		}
		// Members record outcomes on their own stops only.
		code, _, body := e.do(http.MethodPost, "/api/v1/requests/"+reqA1+"/status", "u-memberA",
			map[string]any{"version": 1, "to": "done", "note": "served at home"})
		if code != 200 {
			t.Fatalf("member A records an outcome: status %d; %s", code, body)
		}
		code, _, _ = e.do(http.MethodPost, "/api/v1/requests/"+reqA2+"/status", "u-memberA", map[string]any{"version": 1, "to": "done"})
		if code != 404 {
			t.Errorf("member A records an outcome off its stops: status %d, want 404", code)
		}
		var hist listBody[data.StatusChange]
		e.getJSON("/api/v1/requests/"+reqA1+"/history", "u-memberA", 200, &hist)
		if n := len(hist.Items); n < 2 || hist.Items[n-1].To != data.StatusDone || hist.Items[n-1].By != "u-memberA" {
			t.Errorf("history after the outcome: %+v", hist.Items)
		}
	})
}

// TestRoleMatrix checks the role × endpoint matrix of docs/api.md: the
// status each role gets on each endpoint (with fixture data in scope). One
// server serves every row; write bodies read the current version first, so
// earlier rows do not make later ones stale.
func TestRoleMatrix(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	version := func(id string) int64 {
		r, err := e.store.GetRequest(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return r.Version
	}
	seq := 0
	roles := []string{"u-admin", "u-planner", "u-coordA", "u-memberA"}
	for _, tc := range []struct {
		method, path string
		body         func() any
		want         [4]int // admin, planner, coordinator(A), member(A)
	}{
		{"GET", "/api/v1/me", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/openapi.json", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/townships", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/townships/" + twA, nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/villages", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/villages.geojson", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/villages/" + vA1, nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/service-points", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/service-items", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/service-items/" + itemMA, nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/staff", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/staff/" + staffA, nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/teams", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/teams/" + teamA, nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/requests", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/requests/" + reqA1, nil, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/requests/" + reqA2, nil, [4]int{200, 200, 200, 404}},
		{"GET", "/api/v1/requests/" + reqB1, nil, [4]int{200, 200, 404, 404}},
		{"GET", "/api/v1/requests/" + reqA1 + "/history", nil, [4]int{200, 200, 200, 200}},
		{"POST", "/api/v1/requests", func() any { seq++; return newRequestBody(fmt.Sprintf("R-M%d", seq), vA1) }, [4]int{201, 201, 201, 403}},
		{"PATCH", "/api/v1/requests/" + reqA2, func() any { return map[string]any{"version": version(reqA2), "priority": 4} }, [4]int{200, 200, 200, 403}},
		{"PUT", "/api/v1/requests/" + reqB1, func() any {
			b := newRequestBody("", vB1)
			delete(b, "id")
			b["version"] = version(reqB1)
			return b
		}, [4]int{200, 200, 404, 403}},
		{"POST", "/api/v1/requests/" + reqA1 + "/status", func() any {
			r, err := e.store.GetRequest(context.Background(), reqA1)
			if err != nil {
				t.Fatal(err)
			}
			to := data.StatusPlanned
			if r.Status == data.StatusPlanned {
				to = data.StatusPending
			}
			return map[string]any{"version": r.Version, "to": to}
		}, [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/requests/" + reqA1 + "/duplicates", nil, [4]int{200, 200, 200, 403}},
		{"GET", "/api/v1/requests/" + reqB1 + "/duplicates", nil, [4]int{200, 200, 404, 403}},
		{"POST", "/api/v1/requests/" + reqB1 + "/merge", func() any { // across townships: refused for every writer
			return map[string]any{"version": version(reqB1), "into": reqA2, "into_version": version(reqA2)}
		}, [4]int{422, 422, 404, 403}},
		{"GET", "/api/v1/users", nil, [4]int{200, 403, 403, 403}},
		{"POST", "/api/v1/users", func() any {
			seq++
			return map[string]any{"id": fmt.Sprintf("u-new%d", seq), "name": "New (SAMPLE)", "role": "county_planner"}
		}, [4]int{201, 403, 403, 403}},
		{"POST", "/api/v1/users/u-planner/tokens", func() any { return map[string]any{"name": "cli"} }, [4]int{201, 403, 403, 403}},
		{"POST", "/api/v1/users/u-memberA/signin-codes", nil, [4]int{201, 201, 403, 403}},
		{"PUT", "/api/v1/users/u-memberB/password", func() any { return map[string]any{"password": "long enough password"} }, [4]int{204, 403, 403, 403}},
		{"GET", "/api/v1/me/devices", nil, [4]int{200, 200, 200, 200}},
		{"GET", "/metrics", nil, [4]int{200, 403, 403, 403}},
		{"POST", "/api/v1/vrp?time_limit=0.2", func() any { return tinyVRP() }, [4]int{200, 200, 403, 403}},
	} {
		for i, role := range roles {
			var body any
			if tc.body != nil {
				body = tc.body()
			}
			code, _, out := e.do(tc.method, tc.path, role, body)
			if code != tc.want[i] {
				t.Errorf("%s %s as %s: status %d, want %d; body %.300s", tc.method, tc.path, role, code, tc.want[i], out)
			}
		}
	}
}

// TestBadInput sends every kind of bad input to POST /requests: each is a
// 4xx naming the field (where there is one), and nothing is written.
func TestBadInput(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		valid := func(mod func(m map[string]any)) []byte {
			m := newRequestBody("R-BAD", vA1)
			mod(m)
			b, _ := json.Marshal(m)
			return b
		}
		huge := make([]byte, 10<<20)
		for i := range huge {
			huge[i] = ' '
		}
		copy(huge, `{"summary": "`)
		for _, tc := range []struct {
			name        string
			body        []byte
			contentType string
			want        int
			field       string
			msgHas      string
		}{
			{"malformed JSON", []byte("{\n  \"ledger\": \"proxy\",\n  \"household\": {,}\n}"), "", 400, "", "line 3"},
			{"truncated JSON", []byte(`{"ledger": "proxy"`), "", 400, "", "unexpected end"},
			{"empty body", nil, "", 400, "", "empty"},
			{"trailing data", append(valid(func(map[string]any) {}), []byte(" {}")...), "", 400, "", "after the JSON value"},
			{"not an object", []byte(`[1,2,3]`), "", 400, "", "wrong type"},
			{"unknown field", valid(func(m map[string]any) { m["colour"] = "red" }), "", 400, "colour", "unknown field"},
			{"read-only field", valid(func(m map[string]any) { m["status"] = "done" }), "", 400, "status", "unknown field"},
			{"nested unknown field", valid(func(m map[string]any) { m["household"].(map[string]any)["email"] = "x@y" }), "", 400, "email", "unknown field"},
			{"wrong type number", valid(func(m map[string]any) { m["priority"] = "high" }), "", 400, "priority", "wrong type"},
			{"wrong type nested", valid(func(m map[string]any) { m["household"].(map[string]any)["phone"] = 13700000009 }), "", 400, "household.phone", "wrong type"},
			{"wrong type array", valid(func(m map[string]any) { m["item_ids"] = "MA-01" }), "", 400, "item_ids", "wrong type"},
			{"unknown village", valid(func(m map[string]any) { m["household"].(map[string]any)["village_id"] = "511822001299" }), "", 422, "household.village_id", ""},
			{"malformed village", valid(func(m map[string]any) { m["household"].(map[string]any)["village_id"] = "nowhere" }), "", 422, "household.village_id", ""},
			{"unknown item", valid(func(m map[string]any) { m["item_ids"] = []string{"NOPE-1"} }), "", 422, "item_ids[0]", ""},
			{"deadline before today", valid(func(m map[string]any) { m["deadline"] = string(data.Today().AddDays(-1)) }), "", 422, "deadline", "before today"},
			{"deadline not a date", valid(func(m map[string]any) { m["deadline"] = "next week" }), "", 422, "deadline", ""},
			{"priority out of range", valid(func(m map[string]any) { m["priority"] = 9 }), "", 422, "priority", ""},
			{"bad phone", valid(func(m map[string]any) { m["household"].(map[string]any)["phone"] = "call me" }), "", 422, "household.phone", ""},
			{"bad group", valid(func(m map[string]any) { m["groups"] = []string{"vip"} }), "", 422, "groups[0]", ""},
			{"duplicate id", valid(func(m map[string]any) { m["id"] = reqA1 }), "", 409, "", ""},
			{"10 MB body", huge, "", 413, "", "exceeds"},
			{"wrong content type", valid(func(map[string]any) {}), "text/plain", 415, "", "Content-Type"},
			{"form content type", []byte("ledger=proxy"), "application/x-www-form-urlencoded", 415, "", "Content-Type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ct := tc.contentType
				if ct == "" {
					ct = "application/json"
				}
				before := e.requestIDs("u-admin", "")
				code, _, body := e.do(http.MethodPost, "/api/v1/requests", "u-admin", tc.body, "Content-Type", ct)
				if code != tc.want {
					t.Fatalf("status %d, want %d; body %.400s", code, tc.want, body)
				}
				eb := errBody(t, body)
				if tc.field != "" && !strings.HasSuffix(eb.Field, tc.field) {
					t.Errorf("field %q, want %q (message %q)", eb.Field, tc.field, eb.Message)
				}
				if tc.msgHas != "" && !strings.Contains(eb.Message, tc.msgHas) {
					t.Errorf("message %q lacks %q", eb.Message, tc.msgHas)
				}
				if after := e.requestIDs("u-admin", ""); !slices.Equal(before, after) {
					t.Errorf("a rejected create changed the requests: %v -> %v", before, after)
				}
			})
		}
	})
}

// TestDryRun: ?dry_run=true runs every check and stores nothing.
func TestDryRun(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		code, h, body := e.do(http.MethodPost, "/api/v1/requests?dry_run=true", "u-admin", newRequestBody("R-DRY", vA1))
		if code != 200 || h.Get("X-Dry-Run") != "true" {
			t.Fatalf("dry run: status %d, X-Dry-Run %q; %s", code, h.Get("X-Dry-Run"), body)
		}
		e.getJSON("/api/v1/requests/R-DRY", "u-admin", 404, nil)
		code, _, body = e.do(http.MethodPost, "/api/v1/requests?dry_run=true", "u-admin", newRequestBody(reqA1, vA1))
		if code != 409 {
			t.Errorf("dry run with a duplicate id: status %d, want 409; %s", code, body)
		}
		b := newRequestBody("R-DRY2", "511822001299")
		code, _, body = e.do(http.MethodPost, "/api/v1/requests?dry_run=1", "u-admin", b)
		if code != 422 || errBody(t, body).Field != "household.village_id" {
			t.Errorf("dry run with an unknown village: status %d, want 422; %s", code, body)
		}
		if code, _, _ := e.do(http.MethodPost, "/api/v1/requests?dry_run=maybe", "u-admin", newRequestBody("R-DRY3", vA1)); code != 400 {
			t.Errorf("dry_run=maybe: status %d, want 400", code)
		}
	})
}

// TestBadQuery: list filters are validated, not ignored.
func TestBadQuery(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		for _, q := range []struct{ query, field string }{
			{"?status=lost", "status"},
			{"?ledger=other", "ledger"},
			{"?group=vip", "group"},
			{"?limit=0", "limit"},
			{"?limit=100000", "limit"},
			{"?limit=ten", "limit"},
			{"?offset=-1", "offset"},
			{"?deadline_before=tomorrow", "deadline_before"},
			{"?village=" + twA, "village"},
			{"?statuss=pending", "statuss"},
			{"?limit=1&limit=2", "limit"},
			{"?order=random", "order"},
		} {
			code, _, body := e.do(http.MethodGet, "/api/v1/requests"+q.query, "u-admin", nil)
			if code != 400 || errBody(t, body).Field != q.field {
				t.Errorf("GET /requests%s: status %d body %s, want 400 naming %s", q.query, code, body, q.field)
			}
		}
		var lb listBody[data.Request]
		e.getJSON("/api/v1/requests?status=pending,planned&limit=2&offset=1", "u-admin", 200, &lb)
		if lb.Total != 3 || len(lb.Items) != 2 || lb.Items[0].ID != reqA2 || lb.Limit != 2 || lb.Offset != 1 {
			t.Errorf("paged list: total %d items %d first %v limit %d offset %d", lb.Total, len(lb.Items), lb.Items, lb.Limit, lb.Offset)
		}
		if got := e.requestIDs("u-admin", "?order=priority"); !slices.Equal(got, []string{reqB1, reqA1, reqA2}) {
			t.Errorf("order=priority: %v, want most urgent first", got)
		}
		if got := e.requestIDs("u-admin", "?ledger=hardship"); !slices.Equal(got, []string{reqB1}) {
			t.Errorf("ledger filter: %v", got)
		}
		if got := e.requestIDs("u-admin", "?group=elderly_alone"); !slices.Equal(got, []string{reqA1}) {
			t.Errorf("group filter: %v", got)
		}
	})
}

// TestUpdateConcurrency: updates need the version read; a stale one is 409,
// and of two concurrent updates from the same version exactly one wins.
func TestUpdateConcurrency(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		path := "/api/v1/requests/" + reqA2
		code, _, body := e.do(http.MethodPatch, path, "u-planner", map[string]any{"priority": 4})
		if code != http.StatusPreconditionRequired || errBody(t, body).Field != "version" {
			t.Errorf("PATCH without version: status %d body %s, want 428 naming version", code, body)
		}
		code, h, body := e.do(http.MethodPatch, path, "u-planner", map[string]any{"priority": 4}, "If-Match", `"1"`)
		if code != 200 || h.Get("ETag") != `"2"` {
			t.Fatalf("PATCH with If-Match: status %d ETag %q; %s", code, h.Get("ETag"), body)
		}
		code, _, body = e.do(http.MethodPatch, path, "u-planner", map[string]any{"version": 1, "priority": 2})
		if code != http.StatusConflict || errBody(t, body).Code != codeConflict {
			t.Errorf("stale PATCH: status %d body %s, want 409", code, body)
		}
		code, _, _ = e.do(http.MethodPatch, path, "u-planner", map[string]any{"version": 2, "priority": 2}, "If-Match", `"3"`)
		if code != 400 {
			t.Errorf("body version and If-Match disagree: status %d, want 400", code)
		}
		// PATCH leaves absent fields alone.
		var r data.Request
		e.getJSON(path, "u-planner", 200, &r)
		if r.Priority != 4 || r.Ledger != data.LedgerAppeal || r.Household.Name == "" || r.Version != 2 {
			t.Errorf("after PATCH priority: %+v", r)
		}

		const n = 8
		var wg sync.WaitGroup
		codes := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _, _ = e.do(http.MethodPatch, path, "u-planner", map[string]any{"version": 2, "summary": fmt.Sprintf("edit %d", i)})
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, c := range codes {
			switch c {
			case 200:
				ok++
			case 409:
				conflict++
			}
		}
		if ok != 1 || conflict != n-1 {
			t.Errorf("%d concurrent PATCHes from version 2: %d×200, %d×409 (codes %v), want 1 and %d", n, ok, conflict, codes, n-1)
		}
		e.getJSON(path, "u-planner", 200, &r)
		if r.Version != 3 {
			t.Errorf("version after the race: %d, want 3", r.Version)
		}
		// A bad PUT changes nothing.
		put := newRequestBody("", vA2)
		delete(put, "id")
		put["version"] = 3
		put["deadline"] = string(data.Today().AddDays(-3))
		code, _, body = e.do(http.MethodPut, path, "u-planner", put)
		if code != 422 || errBody(t, body).Field != "deadline" {
			t.Errorf("PUT with a past deadline: status %d body %s, want 422 naming deadline", code, body)
		}
		var after data.Request
		e.getJSON(path, "u-planner", 200, &after)
		if after.Version != 3 || after.Summary != r.Summary {
			t.Errorf("a rejected PUT changed the request: version %d summary %q", after.Version, after.Summary)
		}
		// Forbidden status change: done -> pending is a 409.
		code, _, _ = e.do(http.MethodPost, path+"/status", "u-planner", map[string]any{"version": 3, "to": "done"})
		if code != 200 {
			t.Fatalf("pending -> done: status %d", code)
		}
		code, _, body = e.do(http.MethodPost, path+"/status", "u-planner", map[string]any{"version": 4, "to": "pending"})
		if code != 409 {
			t.Errorf("done -> pending: status %d, want 409; %s", code, body)
		}
	})
}

// TestUsers: admins create users whose token works once returned.
func TestUsers(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		code, _, body := e.do(http.MethodPost, "/api/v1/users", "u-admin", map[string]any{
			"id": "u-coord2", "name": "Coordinator 2 (SAMPLE)", "role": "township_coordinator", "township_id": twB, "token_ttl_days": 30})
		if code != 201 {
			t.Fatalf("create user: status %d; %s", code, body)
		}
		var uc userCreated
		if err := json.Unmarshal(body, &uc); err != nil || !strings.HasPrefix(uc.Token, data.TokenPrefix) || uc.ExpiresAt == nil {
			t.Fatalf("create user answer: %+v (%v)", uc, err)
		}
		var me meBody
		e.getJSON("/api/v1/me", uc.Token, 200, &me)
		if me.User.ID != "u-coord2" || me.User.TownshipID != twB {
			t.Errorf("/me with the new token: %+v", me.User)
		}
		if got := e.requestIDs(uc.Token, ""); !slices.Equal(got, []string{reqB1}) {
			t.Errorf("new coordinator of B lists %v", got)
		}
		for _, tc := range []struct {
			body  map[string]any
			want  int
			field string
		}{
			{map[string]any{"id": "u-coord2", "name": "again", "role": "county_planner"}, 409, ""},
			{map[string]any{"id": "u-x", "name": "x", "role": "root"}, 422, "role"},
			{map[string]any{"id": "u-x", "name": "x", "role": "township_coordinator"}, 422, "township_id"},
			{map[string]any{"id": "u-x", "name": "x", "role": "team_member"}, 422, "team_id"},
			{map[string]any{"id": "u-x", "name": "x", "role": "admin", "token_ttl_days": -1}, 422, "token_ttl_days"},
			{map[string]any{"id": "u-x", "name": "x", "role": "admin", "password": "x"}, 400, "password"},
		} {
			code, _, body := e.do(http.MethodPost, "/api/v1/users", "u-admin", tc.body)
			if code != tc.want || (tc.field != "" && errBody(t, body).Field != tc.field) {
				t.Errorf("create user %v: status %d body %s, want %d naming %q", tc.body, code, body, tc.want, tc.field)
			}
		}
		code, _, _ = e.do(http.MethodPost, "/api/v1/users/u-nobody/tokens", "u-admin", map[string]any{})
		if code != 404 {
			t.Errorf("token for unknown user: status %d, want 404", code)
		}
		var users listBody[data.User]
		e.getJSON("/api/v1/users", "u-admin", 200, &users)
		if users.Total != len(fixtureUsers)+1 {
			t.Errorf("users: %d, want %d", users.Total, len(fixtureUsers)+1)
		}
		if strings.Contains(e.logs.String(), uc.Token) {
			t.Error("the new token appears in the server log")
		}
	})
}

// TestNoPanic throws junk at every write endpoint: nothing may answer 5xx.
func TestNoPanic(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	junk := []string{
		``, `null`, `0`, `"x"`, `[]`, `{}`, `{"household": null}`, `{"household": []}`,
		`{"version": 1e400}`, `{"version": -1}`, `{"version": 1, "groups": null}`, `{"version": 1, "household": {"location": {"lon": "x"}}}`,
		`{"priority": 1.5}`, `{"deadline": 20260101}`, `{"visit_windows": [{"weekday": 99, "from": -1, "to": 99999}]}`,
		"{\"summary\": \"\xff\xfe\"}", `{"id": "` + strings.Repeat("a", 10000) + `"}`, `{"item_ids": [null]}`,
		`{"household": {"village_id": "511822001201"}, "item_ids": ["MA-01"], "ledger": "proxy"}`,
		`{"to": "done"}`, `{"version": 1, "to": "nowhere"}`, `{"role": "admin", "id": "x"}`,
		strings.Repeat("[", 100000), `{"a":` + strings.Repeat(`{"a":`, 5000),
	}
	paths := []struct{ method, path string }{
		{"POST", "/api/v1/requests"}, {"PUT", "/api/v1/requests/" + reqA1}, {"PATCH", "/api/v1/requests/" + reqA1},
		{"POST", "/api/v1/requests/" + reqA1 + "/status"}, {"POST", "/api/v1/users"}, {"POST", "/api/v1/users/u-admin/tokens"},
		{"PATCH", "/api/v1/requests/%00"}, {"POST", "/api/v1/vrp"},
	}
	for _, p := range paths {
		for _, j := range junk {
			code, _, body := e.do(p.method, p.path, "u-admin", []byte(j))
			if code >= 500 && !(p.path == "/api/v1/vrp" && code == 503) {
				t.Errorf("%s %s with %.40q: status %d; %s", p.method, p.path, j, code, body)
			}
		}
	}
}

// TestUserAdmin: admins list and revoke tokens and disable users; both take
// effect on the next request.
func TestUserAdmin(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	var toks listBody[data.Token]
	e.getJSON("/api/v1/users/u-coordB/tokens", "u-admin", 200, &toks)
	if len(toks.Items) != 1 || toks.Items[0].ID == "" {
		t.Fatalf("tokens of u-coordB: %+v", toks.Items)
	}
	_, _, raw := e.do(http.MethodGet, "/api/v1/users/u-coordB/tokens", "u-admin", nil)
	if strings.Contains(string(raw), "hash") || strings.Contains(string(raw), e.tokens["u-coordB"]) {
		t.Errorf("token list leaks hashes or secrets: %s", raw)
	}
	e.getJSON("/api/v1/users/u-coordB/tokens", "u-planner", 403, nil)
	if code, _, _ := e.do(http.MethodDelete, "/api/v1/tokens/"+toks.Items[0].ID, "u-admin", nil); code != http.StatusNoContent {
		t.Fatalf("revoke: status %d, want 204", code)
	}
	e.getJSON("/api/v1/me", "u-coordB", 401, nil)
	if code, _, _ := e.do(http.MethodDelete, "/api/v1/tokens/"+toks.Items[0].ID, "u-admin", nil); code != 404 {
		t.Errorf("revoking twice: status %d, want 404", code)
	}

	var u data.User
	e.getJSON("/api/v1/me", "u-memberB", 200, nil)
	for _, tc := range []struct {
		user string
		body map[string]any
		want int
	}{
		{"u-planner", map[string]any{"version": 1, "disabled": true}, 403},
		{"u-admin", map[string]any{"disabled": true}, 428},
		{"u-admin", map[string]any{"version": 1, "role": "township_coordinator"}, 422},
		{"u-admin", map[string]any{"version": 9, "disabled": true}, 409},
		{"u-admin", map[string]any{"version": 1, "disabled": true}, 200},
	} {
		code, _, body := e.do(http.MethodPatch, "/api/v1/users/u-memberB", tc.user, tc.body)
		if code != tc.want {
			t.Errorf("PATCH u-memberB %v as %s: status %d, want %d; %s", tc.body, tc.user, code, tc.want, body)
		}
		if code == 200 {
			_ = json.Unmarshal(body, &u)
		}
	}
	if !u.Disabled || u.Version != 2 {
		t.Errorf("after disabling: %+v", u)
	}
	e.getJSON("/api/v1/me", "u-memberB", 401, nil)
	if code, _, _ := e.do(http.MethodPatch, "/api/v1/users/u-admin", "u-admin", map[string]any{"version": 1, "disabled": true}); code != 403 {
		t.Errorf("admin disabling itself: status %d, want 403", code)
	}
}

// TestChunkedBodyTooLarge: a body without Content-Length is cut at the limit
// by http.MaxBytesReader (413), not read to the end.
func TestChunkedBodyTooLarge(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	body := io.MultiReader(strings.NewReader(`{"summary": "`), io.LimitReader(zeros{}, 10<<20))
	req, err := http.NewRequest(http.MethodPost, e.url+"/api/v1/requests", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1 // unknown: sent chunked
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.tokens["u-admin"])
	resp, err := e.client.Do(req)
	if err != nil {
		// The server may close the connection while the client is still
		// sending; that is a refusal too, but we want to see the 413.
		t.Fatalf("chunked 10 MB body: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 10 MB body: status %d, want 413", resp.StatusCode)
	}
}

// zeros is an endless reader of '0' bytes (valid inside a JSON string).
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}
