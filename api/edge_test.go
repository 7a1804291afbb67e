package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestCheckJSONText: NUL and invalid UTF-8 are named by field path, line and
// column; nesting is bounded; well-formed bodies pass.
func TestCheckJSONText(t *testing.T) {
	deep := strings.Repeat("[", MaxJSONDepth+1) + strings.Repeat("]", MaxJSONDepth+1)
	ok := strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth)
	for _, tc := range []struct {
		name, body, field, msg string
	}{
		{"fine", `{"a":{"b":[1,"x",{"c":"中文"}]},"d":null}`, "", ""},
		{"deepest allowed", ok, "", ""},
		{"NUL in nested field", `{"id":"R","household":{"phone":"1","name":"a\u0000b"}}`, "household.name", "NUL"},
		{"NUL in array element", `{"item_ids":["MA-01","X\u0000"]}`, "item_ids[1]", "NUL"},
		{"NUL in object in array", `{"visit_windows":[{"from":1},{"note":"\u0000"}]}`, "visit_windows[1].note", "NUL"},
		{"NUL in a key", `{"household":{"na\u0000me":"x"}}`, "household", "field name"},
		{"invalid UTF-8", "{\"summary\":\"\xff\xfe\"}", "summary", "UTF-8"},
		{"too deep", deep, "", "nested deeper"},
		{"syntax error left to the decoder", `{"a":`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkJSONText([]byte(tc.body))
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			he, isHE := err.(*httpError)
			if !isHE || he.Status != 400 || he.Field != tc.field || !strings.Contains(he.Message, tc.msg) {
				t.Fatalf("got %#v, want 400 field %q message ~%q", err, tc.field, tc.msg)
			}
			if tc.field != "" && !strings.Contains(he.Message, "line 1, column") {
				t.Errorf("message lacks line and column: %q", he.Message)
			}
		})
	}
}

// TestEdgeText: every input channel (body, query, path, header) refuses NUL
// and invalid UTF-8 with a 400 naming the field, on both stores, and nothing
// is written; the answers are the same on both stores.
func TestEdgeText(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		body := func(edit func(m map[string]any)) []byte {
			m := newRequestBody("R-TXT", vA1)
			edit(m)
			b, _ := json.Marshal(m)
			return b
		}
		raw := []byte(`{"id":"R-TXT","ledger":"proxy","household":{"name":"` + "\xff" + `","phone":"13700000009","village_id":"` + vA1 + `"},"item_ids":["MA-01"]}`)
		for _, tc := range []struct {
			name, method, path string
			body               any
			hdr                []string
			field              string
		}{
			{"NUL in household.name", "POST", "/api/v1/requests", body(func(m map[string]any) {
				m["household"].(map[string]any)["name"] = "周\x00奶奶"
			}), nil, "household.name"},
			{"NUL in summary", "POST", "/api/v1/requests", body(func(m map[string]any) { m["summary"] = "\x00" }), nil, "summary"},
			{"invalid UTF-8 body", "POST", "/api/v1/requests", raw, nil, "household.name"},
			{"NUL in patch", "PATCH", "/api/v1/requests/" + reqA1, map[string]any{"version": 1, "summary": "a\x00"}, nil, "summary"},
			{"NUL in status note", "POST", "/api/v1/requests/" + reqA1 + "/status", map[string]any{"version": 1, "to": "planned", "note": "\x00"}, nil, "note"},
			{"NUL in query", "GET", "/api/v1/requests?group=%00", nil, nil, "group"},
			{"invalid UTF-8 in query", "GET", "/api/v1/requests?village=%ff", nil, nil, "village"},
			{"bad escape in query", "GET", "/api/v1/requests?village=%zz", nil, nil, "query"},
			{"NUL in path", "GET", "/api/v1/requests/R%00", nil, nil, "path"},
			{"invalid UTF-8 in path", "GET", "/api/v1/requests/R%ff", nil, nil, "path"},
			{"invalid UTF-8 in If-Match", "PATCH", "/api/v1/requests/" + reqA1, map[string]any{"priority": 1}, []string{"If-Match", "\xff"}, "If-Match"},
			{"too deep", "POST", "/api/v1/requests", strings.Repeat("[", 100) + strings.Repeat("]", 100), nil, ""},
		} {
			code, _, out := e.do(tc.method, tc.path, "u-admin", tc.body, tc.hdr...)
			if code != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400; %s", tc.name, code, out)
				continue
			}
			if eb := errBody(t, out); eb.Field != tc.field || eb.Code != codeBadRequest {
				t.Errorf("%s: code %q field %q, want bad_request naming %q; %s", tc.name, eb.Code, eb.Field, tc.field, out)
			}
		}
		if got := e.requestIDs("u-planner", ""); len(got) != 3 {
			t.Errorf("after refused writes the requests are %v", got)
		}
	})
}
