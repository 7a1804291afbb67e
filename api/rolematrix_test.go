package api

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/handoff"
	"github.com/yingjing/xunhui/optimizer/market"
)

// Roles of the full matrix, in the order of routeRoles' strings: a = admin,
// p = county_planner, c = township_coordinator, m = team_member; "public"
// needs no token.
var matrixUsers = []struct {
	letter byte
	user   string
	role   data.UserRole
}{
	{'a', "u-admin", data.UserAdmin},
	{'p', "u-planner", data.UserCountyPlanner},
	{'c', "u-coordA", data.UserTownshipCoordinator},
	{'m', "u-memberA", data.UserTeamMember},
}

// routeRoles is the role × endpoint matrix of docs/api.md, written out by
// hand: every route the server registers must be listed here, so a route
// added by any change fails TestRouteRoleMatrix until its roles are decided
// and listed (and docs/api.md says the same).
var routeRoles = map[string]string{
	"GET /healthz":             "public",
	"GET /readyz":              "public",
	"GET /":                    "public",
	"GET /app/*file":           "public",
	"GET /field/*file":         "public",
	"GET /metrics":             "a",
	"GET /api/v1/me":           "apcm",
	"GET /api/v1/openapi.json": "apcm",

	"GET /api/v1/townships":             "apcm",
	"GET /api/v1/townships/:id":         "apcm",
	"GET /api/v1/villages":              "apcm",
	"GET /api/v1/villages.geojson":      "apcm",
	"GET /api/v1/villages/:id":          "apcm",
	"PUT /api/v1/villages/:id/location": "ap",
	"GET /api/v1/service-points":        "apcm",
	"GET /api/v1/service-items":         "apcm",
	"GET /api/v1/service-items/:id":     "apcm",
	"GET /api/v1/staff":                 "apcm",
	"GET /api/v1/staff/:id":             "apcm",
	"GET /api/v1/teams":                 "apcm",
	"GET /api/v1/teams/:id":             "apcm",

	"GET /api/v1/requests":                "apcm",
	"POST /api/v1/requests":               "apc",
	"GET /api/v1/requests/:id":            "apcm",
	"PUT /api/v1/requests/:id":            "apc",
	"PATCH /api/v1/requests/:id":          "apc",
	"GET /api/v1/requests/:id/history":    "apcm",
	"POST /api/v1/requests/:id/status":    "apcm",
	"POST /api/v1/requests/:id/merge":     "apc",
	"GET /api/v1/requests/:id/duplicates": "apc",

	"GET /api/v1/absences":             "apc",
	"POST /api/v1/absences":            "apc",
	"POST /api/v1/absences/:id/cancel": "apc",
	"GET /api/v1/staff-calendar":       "apcm",

	"GET /api/v1/guide-rules":      "apc",
	"PUT /api/v1/guide-rules":      "ap",
	"GET /api/v1/closures":         "apcm",
	"GET /api/v1/closures.geojson": "apcm",
	"POST /api/v1/closures":        "ap",
	"POST /api/v1/closures/import": "ap",
	"GET /api/v1/closures/:id":     "apcm",
	"PUT /api/v1/closures/:id":     "ap",
	"DELETE /api/v1/closures/:id":  "ap",

	"GET /api/v1/users":             "a",
	"POST /api/v1/users":            "a",
	"PATCH /api/v1/users/:id":       "a",
	"GET /api/v1/users/:id/tokens":  "a",
	"POST /api/v1/users/:id/tokens": "a",
	"GET /api/v1/access-trail":      "a",
	"DELETE /api/v1/tokens/:id":     "a",

	"POST /api/v1/vrp": "ap",

	"GET /api/v1/schedules":           "ap",
	"PUT /api/v1/schedules":           "ap",
	"PUT /api/v1/schedules/:job":      "ap",
	"POST /api/v1/schedules/:job/run": "ap",
	"GET /api/v1/job-runs":            "ap",

	"POST /api/v1/circuit-plans":                "ap",
	"GET /api/v1/circuit-plans":                 "apc",
	"GET /api/v1/circuit-plans/:id":             "apc",
	"DELETE /api/v1/circuit-plans/:id":          "ap",
	"GET /api/v1/circuit-plans/:id/events":      "apc",
	"POST /api/v1/circuit-plans/:id/publish":    "ap",
	"POST /api/v1/circuit-plans/:id/replan":     "ap",
	"GET /api/v1/circuit-plans/:id/explanation": "apc",
	"GET /api/v1/circuit-plans/:id/slots":       "apc",
	"GET /api/v1/circuit-plans/:id/routes":      "apc",
	"POST /api/v1/circuit-plans/:id/edits":      "ap",
	"GET /api/v1/ledgers.xlsx":                  "apc",
	"POST /api/v1/staff":                        "ap",
	"PUT /api/v1/staff/:id":                     "ap",
	"POST /api/v1/teams":                        "ap",
	"PUT /api/v1/teams/:id":                     "ap",
	"POST /api/v1/ledgers.xlsx":                 "apc",
	"POST /api/v1/circuit-plans/:id/edits/undo": "ap",
	"GET /api/v1/circuit-plans/:id/edits":       "ap",
	"GET /api/v1/teams/:id/itinerary":           "apcm",
	"POST /api/v1/visits/:id/outcome":           "apcm",

	"GET /api/v1/townships/:id/market-days":                         "apcm",
	"GET /api/v1/townships/:id/route-sheets.xlsx":                   "apc",
	"GET /api/v1/townships/:id/market-calendar":                     "apcm",
	"GET /api/v1/townships/:id/market-flags":                        "apc",
	"PUT /api/v1/townships/:id/market-calendar":                     "apc",
	"POST /api/v1/market-days/:township/:date/bookings":             "apcm",
	"GET /api/v1/market-days/:township/:date/bookings":              "apc",
	"POST /api/v1/bookings/:id/status":                              "apc",
	"GET /api/v1/market-demand":                                     "apcm",
	"POST /api/v1/market-plans":                                     "ap",
	"GET /api/v1/market-plans":                                      "apcm",
	"GET /api/v1/market-plans/:id":                                  "apcm",
	"DELETE /api/v1/market-plans/:id":                               "ap",
	"POST /api/v1/market-plans/:id/adjustments":                     "apc",
	"POST /api/v1/market-plans/:id/publish":                         "ap",
	"GET /api/v1/market-plans/:id/townships/:township":              "apcm",
	"GET /api/v1/market-plans/:id/townships/:township/calendar.ics": "apcm",
	"GET /api/v1/market-plans/:id/townships/:township/poster":       "apcm",
	"GET /api/v1/market-plans/:id/staff/:staff":                     "apcm",
	"GET /api/v1/market-plans/:id/staff/:staff/calendar.ics":        "apcm",
	"GET /api/v1/teams/:id/week":                                    "apcm",
	"POST /api/v1/auth/code":                                        "public",
	"POST /api/v1/auth/password":                                    "public",
	"POST /api/v1/auth/renew":                                       "apcm",
	"GET /api/v1/me/devices":                                        "apcm",
	"DELETE /api/v1/me/devices/:id":                                 "apcm",
	"PUT /api/v1/me/password":                                       "apcm",
	"POST /api/v1/users/:id/signin-codes":                           "ap",
	"PUT /api/v1/users/:id/password":                                "a",
	"GET /api/v1/market-plans/:id/afternoons":                       "ap",

	"GET /api/v1/handoffs":              "apc",
	"POST /api/v1/handoffs":             "apc",
	"GET /api/v1/handoffs/:id":          "apc",
	"POST /api/v1/handoffs/:id/forward": "apc",
	"POST /api/v1/handoffs/:id/result":  "apc",
}

// fullEnv is a testEnv whose server also serves the optional parts (market
// planner, web page), so that its route table is the production one.
func fullEnv(t *testing.T, store data.Store) *testEnv {
	e := newTestEnv(t, store)
	svc := market.NewService(e.store, market.Config{Options: market.Options{MaxIterations: 100, TimeLimit: time.Second}})
	e.srv.SetMarket(svc)
	e.srv.SetHandoffs(handoff.New(e.store, nil))
	e.srv.SetWeb(fstest.MapFS{
		"index.html": {Data: []byte("<!doctype html><title>x</title>")},
		"app.js":     {Data: []byte("export {}")},
	}, WebConfig{})
	return e
}

// samplePath fills a route pattern with in-scope fixture ids for the
// coordinator and member of township/team A (or ids that do not exist,
// where any answer but 401/403 will do).
func samplePath(pattern string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") && !strings.HasPrefix(s, "*") {
			continue
		}
		prev := segs[i-1]
		switch {
		case s == "*file":
			segs[i] = "app.js"
		case s == ":township":
			segs[i] = twA
		case s == ":date":
			segs[i] = string(data.Today())
		case s == ":staff":
			segs[i] = staffA
		case s == ":job":
			segs[i] = "no-such-job"
		case prev == "requests":
			segs[i] = reqA1
		case prev == "teams":
			segs[i] = teamA
		case prev == "townships":
			segs[i] = twA
		case prev == "villages":
			segs[i] = vA1
		case prev == "service-items":
			segs[i] = itemMA
		case prev == "staff":
			segs[i] = staffA
		case prev == "users":
			segs[i] = "u-coordB"
		default:
			segs[i] = "no-such-id"
		}
	}
	return strings.Join(segs, "/")
}

// TestRouteRoleMatrix: every registered route is in routeRoles, its
// OpenAPI roles agree, and live requests with each role's token get 403
// exactly where the role is not listed (401 without a token, except public
// routes). Bodies are empty, so allowed calls stop at validation (400, 404,
// 415, 422, 428 …) and change nothing.
func TestRouteRoleMatrix(t *testing.T) {
	e := fullEnv(t, storeFactories[0].open(t))
	seen := map[string]bool{}
	for _, r := range e.srv.engine.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		want, ok := routeRoles[key]
		if !ok {
			t.Errorf("route %s is not in the role matrix: add it to routeRoles in api/rolematrix_test.go (and docs/api.md) with the roles that may call it", key)
			continue
		}
		if want != "public" {
			p, _ := openAPIPath(r.Path)
			op := e.srv.spec.Paths[p][strings.ToLower(r.Method)]
			var specLetters []byte
			if op != nil {
				for _, u := range matrixUsers {
					if slices.Contains(op.Roles, string(u.role)) {
						specLetters = append(specLetters, u.letter)
					}
				}
			}
			if string(specLetters) != want {
				t.Errorf("%s: OpenAPI roles %v, role matrix %q", key, op.Roles, want)
			}
		}
		path := samplePath(r.Path)
		code, _, body := e.do(r.Method, path, "", nil)
		if want == "public" {
			if code == http.StatusUnauthorized || code == http.StatusForbidden {
				t.Errorf("%s %s without token: %d, want public; %.200s", r.Method, path, code, body)
			}
			continue
		}
		if code != http.StatusUnauthorized {
			t.Errorf("%s %s without token: %d, want 401; %.200s", r.Method, path, code, body)
		}
		for _, u := range matrixUsers {
			code, _, body := e.do(r.Method, path, u.user, nil)
			allowed := strings.IndexByte(want, u.letter) >= 0
			switch {
			case !allowed && code != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403; %.200s", r.Method, path, u.role, code, body)
			case allowed && (code == http.StatusForbidden || code == http.StatusUnauthorized || code >= 500 && code != http.StatusServiceUnavailable):
				t.Errorf("%s %s as %s: %d, want it allowed; %.200s", r.Method, path, u.role, code, body)
			}
		}
	}
	for key := range routeRoles {
		if !seen[key] {
			t.Errorf("routeRoles lists %s, which the server does not register", key)
		}
	}
}

// TestOutOfScopeLikeMissing: on every registered route under
// /api/v1/requests/:id, a request outside the caller's scope answers byte
// for byte like a request that does not exist (apart from the id): for a
// coordinator (another township's household) and a team member (a
// household only on a draft plan of their team).
func TestOutOfScopeLikeMissing(t *testing.T) {
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) { outOfScopeLikeMissing(t, fullEnv(t, sf.open(t))) })
	}
}

func outOfScopeLikeMissing(t *testing.T, e *testEnv) {
	const missing = "R-NONE"
	n := 0
	for _, r := range e.srv.engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/requests/:id") {
			continue
		}
		for _, tc := range []struct{ user, outside string }{{"u-coordA", reqB1}, {"u-memberA", reqA2}} {
			n++
			var body any
			if r.Method != http.MethodGet {
				body = map[string]any{"version": 1}
			}
			p1 := strings.Replace(r.Path, ":id", tc.outside, 1)
			p2 := strings.Replace(r.Path, ":id", missing, 1)
			c1, _, b1 := e.do(r.Method, p1, tc.user, body, "X-Request-ID", "same-id", "If-Match", `"1"`)
			c2, _, b2 := e.do(r.Method, p2, tc.user, body, "X-Request-ID", "same-id", "If-Match", `"1"`)
			b1 = bytes.ReplaceAll(b1, []byte(tc.outside), []byte(missing))
			if c1 != c2 || !bytes.Equal(b1, b2) {
				t.Errorf("%s %s as %s: out of scope %d %s, missing %d %s", r.Method, r.Path, tc.user, c1, b1, c2, b2)
			}
			// "u-coordA"[2] is 'c', "u-memberA"[2] is 'm': the role letters.
			mayCall := strings.IndexByte(routeRoles[r.Method+" "+r.Path], tc.user[2]) >= 0
			if r.Method == http.MethodGet && mayCall && c1 != http.StatusNotFound {
				t.Errorf("%s %s as %s: %d, want 404", r.Method, p1, tc.user, c1)
			}
		}
	}
	if n < 8 {
		t.Fatalf("only %d request routes checked", n/2)
	}
}

// TestCSPEverywhere: every response of every registered route (pages,
// sheets, posters, JSON, errors) carries a Content-Security-Policy that
// allows no inline script and no script from anywhere else.
func TestCSPEverywhere(t *testing.T) {
	e := fullEnv(t, storeFactories[0].open(t))
	for _, r := range e.srv.engine.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		path := samplePath(r.Path)
		_, h, _ := e.do(r.Method, path, "u-admin", nil)
		csp := h.Get("Content-Security-Policy")
		if csp == "" {
			t.Errorf("GET %s: no Content-Security-Policy", path)
			continue
		}
		script := ""
		for _, d := range strings.Split(csp, ";") {
			d = strings.TrimSpace(d)
			if strings.HasPrefix(d, "script-src ") || (script == "" && strings.HasPrefix(d, "default-src ")) {
				script = d
			}
		}
		if script == "" || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "*") ||
			strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "data:") {
			t.Errorf("GET %s: script policy %q in %q is not strict", path, script, csp)
		}
	}
}
