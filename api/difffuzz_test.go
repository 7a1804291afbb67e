package api

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// diffRequest is one request of the differential corpus.
type diffRequest struct {
	method, path, user string
	body               any // nil, string (raw) or a JSON value
	hdr                []string
}

// fuzzText returns a hostile or ordinary string: NUL, invalid UTF-8,
// control characters, very long text, SQL and HTML metacharacters, CJK,
// emoji, surrogate escapes.
func fuzzText(r *rand.Rand) string {
	pool := []string{
		"", " ", "周奶奶", "a\x00b", "\x00", "\xff\xfe", "\xc3\x28", "\xed\xa0\x80", "'; DROP TABLE requests; --", "<script>x</script>",
		"%00", "\t\n\r", "😀👵", "R-A1", "511822001201", "null", "0", "-1", "9999999999999999999", "1e309",
		strings.Repeat("长", 300), strings.Repeat("x", 5000), "\u202e", "\\u0000", "2026-02-30", "13700000009",
	}
	s := pool[r.IntN(len(pool))]
	if r.IntN(4) == 0 {
		s += pool[r.IntN(len(pool))]
	}
	return s
}

// fuzzValue returns a random JSON value of a random type.
func fuzzValue(r *rand.Rand) any {
	switch r.IntN(8) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return []int{-1, 0, 1, 5, 6, 1 << 31, -(1 << 62)}[r.IntN(7)]
	case 3:
		return 1.5
	case 4:
		return []any{fuzzText(r)}
	case 5:
		return map[string]any{"x": fuzzText(r)}
	default:
		return fuzzText(r)
	}
}

// mutate replaces, deletes or adds one field (at any depth) of a JSON body.
func mutate(r *rand.Rand, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Deterministic order for a seeded run.
	slicesSort(keys)
	switch op := r.IntN(10); {
	case op < 6 && len(keys) > 0:
		k := keys[r.IntN(len(keys))]
		if sub, ok := m[k].(map[string]any); ok && r.IntN(2) == 0 {
			mutate(r, sub)
			return
		}
		m[k] = fuzzValue(r)
	case op < 8 && len(keys) > 0:
		delete(m, keys[r.IntN(len(keys))])
	default:
		m[fuzzText(r)] = fuzzValue(r)
	}
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// diffCorpus builds n requests from seed: writes and reads of requests,
// bookings-free routes of the fixture, hostile paths, queries and bodies.
func diffCorpus(seed uint64, n int) []diffRequest {
	r := rand.New(rand.NewPCG(seed, 22))
	users := []string{"u-admin", "u-planner", "u-coordA", "u-coordB", "u-memberA", "u-memberB", "", "xh_bad"}
	ids := []string{reqA1, reqA2, reqB1, "R-NONE", "R-F1", "R-F2", "R-F3", "%00", "%ff", "R-A1%00", "..%2f..", strings.Repeat("R", 300)}
	out := make([]diffRequest, 0, n)
	for i := 0; i < n; i++ {
		user := users[r.IntN(len(users))]
		id := ids[r.IntN(len(ids))]
		var q diffRequest
		switch r.IntN(9) {
		case 0, 1: // create
			b := newRequestBody(fmt.Sprintf("R-F%d", i), []string{vA1, vA2, vB1, "511822001299"}[r.IntN(4)])
			// Keep the shape valid most of the time, with hostile text in
			// a text field, so that the stores themselves are reached.
			switch r.IntN(3) {
			case 0:
				b["household"].(map[string]any)[[]string{"name", "address"}[r.IntN(2)]] = fuzzText(r)
			case 1:
				b["summary"] = fuzzText(r)
			}
			for range r.IntN(3) / 2 {
				mutate(r, b)
			}
			// A store-assigned id is random, so it would sort differently
			// on the two stores: keep an id in every create.
			if id, _ := b["id"].(string); id == "" {
				b["id"] = fmt.Sprintf("R-G%d", i)
			}
			q = diffRequest{http.MethodPost, "/api/v1/requests", user, b, nil}
			if r.IntN(5) == 0 {
				q.path += "?dry_run=true"
			}
		case 2: // patch
			b := map[string]any{"version": r.IntN(3), "priority": r.IntN(7), "summary": fuzzText(r)}
			if r.IntN(2) == 0 {
				b["household"] = map[string]any{"name": fuzzText(r), "phone": fuzzText(r), "village_id": []string{vA1, vB1, fuzzText(r)}[r.IntN(3)]}
			}
			mutate(r, b)
			q = diffRequest{http.MethodPatch, "/api/v1/requests/" + id, user, b, nil}
		case 3: // status
			b := map[string]any{"version": r.IntN(3), "to": []string{"planned", "done", "pending", "withdrawn", "failed", fuzzText(r)}[r.IntN(6)], "note": fuzzText(r)}
			q = diffRequest{http.MethodPost, "/api/v1/requests/" + id + "/status", user, b, nil}
		case 4: // reads
			q = diffRequest{http.MethodGet, []string{"/api/v1/requests/" + id, "/api/v1/requests/" + id + "/history"}[r.IntN(2)], user, nil, nil}
		case 5: // list with hostile queries
			keys := []string{"township", "village", "status", "ledger", "group", "deadline_before", "order", "limit", "offset", "townsihp"}
			k := keys[r.IntN(len(keys))]
			v := []string{twA, vA1, "pending,done", "proxy", "elderly_alone", "2026-12-31", "priority", "5", "-1", "%00", "%ff", "%zz", "x'y"}[r.IntN(13)]
			q = diffRequest{http.MethodGet, "/api/v1/requests?" + k + "=" + v, user, nil, nil}
		case 6: // raw bodies
			raws := []string{"", "{", "[]", "null", `{"id":"R-F9"}`, strings.Repeat("[", 200), "{\"summary\":\"\xff\"}", `{"household":{"name":"\u0000"}}`, `{"a":1} {"b":2}`}
			q = diffRequest{[]string{http.MethodPost, http.MethodPut, http.MethodPatch}[r.IntN(3)], "/api/v1/requests" + []string{"", "/" + id}[r.IntN(2)], user, raws[r.IntN(len(raws))], nil}
		case 7: // reference reads with odd ids
			p := []string{"/api/v1/townships/", "/api/v1/villages/", "/api/v1/staff/", "/api/v1/teams/", "/api/v1/service-items/"}[r.IntN(5)]
			q = diffRequest{http.MethodGet, p + []string{twA, vA1, staffA, teamA, itemMA, id}[r.IntN(6)], user, nil, nil}
		default: // headers
			b := map[string]any{"priority": r.IntN(7)}
			q = diffRequest{http.MethodPatch, "/api/v1/requests/" + id, user, b, []string{"If-Match", []string{`"1"`, `"2"`, "*", "\xff", `W/"1"`, "1"}[r.IntN(6)]}}
		}
		out = append(out, q)
	}
	return out
}

var randomID = regexp.MustCompile(`\b([A-Z]{1,3})-[0-9a-f]{16}\b`)

// volatile keys differ between two correct runs (clock, random ids).
var volatile = map[string]bool{"created_at": true, "updated_at": true, "at": true, "request_id": true, "synced_at": true}

// normalize decodes a JSON answer and drops what may legitimately differ.
func normalize(b []byte) any {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "non-JSON:" + randomID.ReplaceAllString(string(b), "$1-*")
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			for k := range t {
				if volatile[k] {
					delete(t, k)
				} else {
					t[k] = walk(t[k])
				}
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case string:
			return randomID.ReplaceAllString(t, "$1-*")
		}
		return v
	}
	return walk(v)
}

// diffRequestCount is the corpus size: XUNHUI_DIFF_FUZZ_N (make fuzz sets
// it), else 400, or 100 with -short.
func diffRequestCount(t *testing.T) int {
	if s := os.Getenv("XUNHUI_DIFF_FUZZ_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("XUNHUI_DIFF_FUZZ_N=%q", s)
		}
		return n
	}
	if testing.Short() {
		return 100
	}
	return 400
}

// TestDifferentialStores sends the same seeded corpus of hostile requests
// to a server on each store and fails on any difference in status, error
// code and field, or answer (clock and random ids aside), on any 5xx, and
// on any difference in what is stored at the end.
func TestDifferentialStores(t *testing.T) {
	if len(storeFactories) < 2 {
		t.Skip("needs both stores")
	}
	n := diffRequestCount(t)
	seed := uint64(22)
	if s := os.Getenv("XUNHUI_DIFF_FUZZ_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	envs := make([]*testEnv, len(storeFactories))
	for i, sf := range storeFactories {
		envs[i] = newTestEnv(t, sf.open(t))
	}
	corpus := diffCorpus(seed, n)
	statuses := map[int]int{}
	disagreements := 0
	for i, q := range corpus {
		var codes [2]int
		var answers [2]any
		for j, e := range envs {
			code, _, body := e.do(q.method, q.path, q.user, q.body, q.hdr...)
			codes[j], answers[j] = code, normalize(body)
			if code >= 500 {
				t.Errorf("#%d %s %s as %q on %s: %d %.300s", i, q.method, q.path, q.user, storeFactories[j].name, code, body)
			}
		}
		statuses[codes[0]]++
		if codes[0] != codes[1] || !reflect.DeepEqual(answers[0], answers[1]) {
			disagreements++
			if disagreements <= 10 {
				a0, _ := json.Marshal(answers[0])
				a1, _ := json.Marshal(answers[1])
				t.Errorf("#%d %s %s as %q (body %.200v): %s %d %.300s; %s %d %.300s", i, q.method, q.path, q.user, q.body,
					storeFactories[0].name, codes[0], a0, storeFactories[1].name, codes[1], a1)
			}
		}
	}
	// Stored results: every request with its history, as admin.
	var stored [2][]any
	for j, e := range envs {
		_, _, body := e.do(http.MethodGet, "/api/v1/requests?limit=1000", "u-admin", nil)
		var lb listBody[data.Request]
		if err := json.Unmarshal(body, &lb); err != nil {
			t.Fatal(err)
		}
		stored[j] = append(stored[j], normalize(body))
		for _, r := range lb.Items {
			_, _, hist := e.do(http.MethodGet, "/api/v1/requests/"+r.ID+"/history", "u-admin", nil)
			stored[j] = append(stored[j], normalize(hist))
		}
	}
	if !reflect.DeepEqual(stored[0], stored[1]) {
		a0, _ := json.Marshal(stored[0])
		a1, _ := json.Marshal(stored[1])
		t.Errorf("stored results differ:\n%s: %.2000s\n%s: %.2000s", storeFactories[0].name, a0, storeFactories[1].name, a1)
	}
	t.Logf("differential corpus: %d requests per store (seed %d), %d disagreements, statuses %v", n, seed, disagreements, statuses)
}
