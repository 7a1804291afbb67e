package api

import (
	"net/http"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// newFieldEnv is the fixture server with the circuit service installed.
func newFieldEnv(t *testing.T, store data.Store) *testEnv {
	t.Helper()
	q := jobstest.Start(t, store, jobs.Config{}, nil)
	svc := circuit.NewService(store, circuit.Config{MaxIterations: 50, Queue: q})
	jobstest.Handle(svc, data.RunCircuitPlan, data.RunCircuitReplan)(q)
	return newTestEnvWith(t, store, func(s *Server) { s.SetCircuit(svc) })
}

// eachFieldStore is eachStore over newFieldEnv.
func eachFieldStore(t *testing.T, f func(t *testing.T, e *testEnv)) {
	t.Parallel()
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			t.Parallel()
			f(t, newFieldEnv(t, sf.open(t)))
		})
	}
}

// TestTeamWeek checks GET /teams/{id}/week: one sheet per day, the same
// stops and households as the day's itinerary, drafts hidden from members,
// the role scoping and bad input.
func TestTeamWeek(t *testing.T) {
	eachFieldStore(t, func(t *testing.T, e *testEnv) {
		today := data.Today()
		path := "/api/v1/teams/" + teamA + "/week?from=" + string(today)
		var w weekBody
		e.getJSON(path, "u-memberA", http.StatusOK, &w)
		if len(w.Days) != 7 || w.From != today || w.To != today.AddDays(6) || w.SyncedAt.IsZero() {
			t.Fatalf("week = from %s to %s, %d days, synced %v", w.From, w.To, len(w.Days), w.SyncedAt)
		}
		var planner weekBody
		e.getJSON(path+"&days=2", "u-planner", http.StatusOK, &planner)
		if len(planner.Days) != 2 || len(planner.Days[0].Stops) != 1 {
			t.Fatalf("planner's week = %+v", planner.Days)
		}
		d0 := w.Days[0]
		if d0.PlanID == "" || d0.PlanStatus != data.PlanPublished || len(d0.Stops) != 1 || len(d0.Stops[0].Households) != 1 {
			t.Fatalf("day 0 = %+v", d0)
		}
		h := d0.Stops[0].Households[0]
		if h.RequestID != reqA1 || h.Name != "赵大爷 (SAMPLE)" || h.Phone == "" || len(h.Items) != 1 || h.Items[0].Minutes != 20 ||
			d0.Stops[0].Village != "甲一村" || d0.Base.Name == "" || len(d0.Members) != 1 {
			t.Fatalf("day 0 stop = %+v", d0.Stops[0])
		}
		// The newer draft's stop (R-A2 tomorrow) stays hidden from members.
		for _, d := range w.Days[1:] {
			if d.PlanID != d0.PlanID || len(d.Stops) != 0 {
				t.Fatalf("day %s = plan %q, %d stops; want the published plan, no stops", d.Date, d.PlanID, len(d.Stops))
			}
		}
		var sh circuit.Sheet
		e.getJSON("/api/v1/teams/"+teamA+"/itinerary?date="+string(today), "u-memberA", http.StatusOK, &sh)
		if sh.Stops[0].VisitID != d0.Stops[0].VisitID || sh.Stops[0].Arrival != d0.Stops[0].Arrival || sh.BackAt != d0.BackAt {
			t.Fatalf("itinerary %+v differs from the week's day %+v", sh.Stops[0], d0.Stops[0])
		}

		for _, tc := range []struct {
			name, path, user string
			want             int
			field            string
		}{
			{"other team", "/api/v1/teams/" + teamB + "/week", "u-memberA", 403, ""},
			{"other township", "/api/v1/teams/" + teamA + "/week", "u-coordB", 403, ""},
			{"own township", "/api/v1/teams/" + teamA + "/week", "u-coordA", 200, ""},
			{"unknown team", "/api/v1/teams/T-NOPE/week", "u-planner", 404, ""},
			{"bad from", "/api/v1/teams/" + teamA + "/week?from=tomorrow", "u-memberA", 400, "from"},
			{"too many days", "/api/v1/teams/" + teamA + "/week?days=15", "u-memberA", 400, "days"},
			{"unknown parameter", "/api/v1/teams/" + teamA + "/week?team=x", "u-memberA", 400, "team"},
		} {
			code, _, body := e.do(http.MethodGet, tc.path, tc.user, nil)
			if code != tc.want {
				t.Errorf("%s: status %d, want %d: %s", tc.name, code, tc.want, body)
				continue
			}
			if tc.field != "" {
				if got := errBody(t, body).Field; got != tc.field {
					t.Errorf("%s: field %q, want %q", tc.name, got, tc.field)
				}
			}
		}
	})
}
