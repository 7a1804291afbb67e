package api

import (
	"strings"
	"testing"
)

func TestLineCol(t *testing.T) {
	body := []byte("{\n  \"a\": 1,\n  \"b\": x\n}")
	for _, tc := range []struct {
		offset    int64
		line, col int
	}{
		{0, 1, 1}, {1, 1, 1}, {2, 2, 1}, {5, 2, 3}, {19, 3, 7}, {-5, 1, 1}, {1000, 4, 1},
	} {
		l, c := lineCol(body, tc.offset)
		if l != tc.line || c != tc.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", tc.offset, l, c, tc.line, tc.col)
		}
	}
}

func TestDecodeJSONBytes(t *testing.T) {
	for _, tc := range []struct {
		name, body, field, msg string
		ok                     bool
	}{
		{"valid", `{"ledger":"proxy","item_ids":["MA-01"],"household":{"name":"x","phone":"123456","village_id":"511822001201"}}`, "", "", true},
		{"syntax", "{\n\"ledger\": proxy}", "", "line 2, column 11", false},
		{"unknown", `{"ledgr":"proxy"}`, "ledgr", `unknown field "ledgr"`, false},
		{"type", `{"priority":"1"}`, "priority", "want an integer", false},
		{"nested type", `{"household":{"location":{"lon":"x"}}}`, "household.location.lon", "want a number", false},
		{"trailing", `{} x`, "", "after the JSON value", false},
		{"empty", "  \n ", "", "empty", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in requestInput
			err := decodeJSONBytes([]byte(tc.body), &in)
			if tc.ok {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			he, ok := err.(*httpError)
			if !ok || he.Status != 400 {
				t.Fatalf("got %#v, want a 400 httpError", err)
			}
			if he.Field != tc.field || !strings.Contains(he.Message, tc.msg) {
				t.Errorf("got field %q message %q, want field %q message containing %q", he.Field, he.Message, tc.field, tc.msg)
			}
		})
	}
}

// FuzzDecodeRequestCreate feeds arbitrary bytes through the decoder of
// POST /api/v1/requests and the validation that follows it: neither may
// panic, and a rejection is always a 4xx.
func FuzzDecodeRequestCreate(f *testing.F) {
	f.Add([]byte(`{"ledger":"proxy","household":{"name":"周","phone":"13700000009","village_id":"511822001201"},"item_ids":["MA-01"],"priority":2,"deadline":"2030-01-01"}`))
	f.Add([]byte(`{"visit_windows":[{"weekday":1,"from":480,"to":720}],"groups":["elderly_alone"]}`))
	f.Add([]byte(`{"household":{"location":{"lon":102.8,"lat":29.8}}}`))
	f.Add([]byte(`{"priority": 1e999}`))
	f.Add([]byte(`[`))
	f.Add([]byte("{\"summary\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in requestInput
		err := decodeJSONBytes(body, &in)
		if err != nil {
			he, ok := err.(*httpError)
			if !ok || he.Status < 400 || he.Status > 499 || he.Message == "" {
				t.Fatalf("decode error %#v is not a 4xx httpError with a message", err)
			}
			return
		}
		r := in.toRequest()
		_ = r.Validate()
		var p requestPatch
		_ = decodeJSONBytes(body, &p)
	})
}
