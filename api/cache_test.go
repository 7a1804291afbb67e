package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// replica is a second server over e's store (another process in
// production), with e's users and client.
func replica(t *testing.T, e *testEnv) *testEnv {
	t.Helper()
	b := NewServer(e.store, nil, Config{})
	b.SetCircuit(circuit.NewService(e.store, circuit.Config{MaxIterations: 50}))
	ts := httptest.NewServer(b.Handler())
	t.Cleanup(ts.Close)
	r := *e
	r.url, r.srv = ts.URL, b
	return &r
}

// TestCachesAcrossReplicas: answers and tokens cached by one server are
// dropped the moment another server commits a change: an outcome shows
// at once in the itinerary and the week (no stale ETag either), and a
// token revoked elsewhere is refused on the next request.
func TestCachesAcrossReplicas(t *testing.T) {
	eachFieldStore(t, func(t *testing.T, a *testEnv) {
		b := replica(t, a)
		today := string(data.Today())
		itin := "/api/v1/teams/" + teamA + "/itinerary?date=" + today
		week := "/api/v1/teams/" + teamA + "/week?from=" + today + "&days=2"
		var sh circuit.Sheet
		for range 2 { // the second read is served from the caches
			b.getJSON(itin, "u-memberA", http.StatusOK, &sh)
		}
		if len(sh.Stops) != 1 || sh.Stops[0].Households[0].Status == data.StatusDone {
			t.Fatalf("sheet before the outcome = %+v", sh.Stops)
		}
		_, h0, _ := b.do(http.MethodGet, week, "u-memberA", nil)
		etag := h0.Get("ETag")
		if code, _, _ := b.do(http.MethodGet, week, "u-memberA", nil, "If-None-Match", etag); code != http.StatusNotModified {
			t.Fatalf("unchanged week with its ETag: %d, want 304", code)
		}

		a.postJSON("/api/v1/visits/"+sh.Stops[0].VisitID+"/outcome", "u-memberA", outcomeInput{Outcome: circuit.OutcomeDone}, http.StatusOK, nil)
		b.getJSON(itin, "u-memberA", http.StatusOK, &sh)
		if got := sh.Stops[0].Households[0].Status; got != data.StatusDone {
			t.Fatalf("replica's itinerary after the outcome: status %q, want done", got)
		}
		code, _, body := b.do(http.MethodGet, week, "u-memberA", nil, "If-None-Match", etag)
		var w weekBody
		if code != http.StatusOK || json.Unmarshal(body, &w) != nil || w.Days[0].Stops[0].Households[0].Status != data.StatusDone {
			t.Fatalf("replica's week after the outcome: %d %s", code, body)
		}

		// A closure entered on one server shows on the other's route sheet.
		if len(sh.Closures) != 0 {
			t.Fatalf("closures before any were entered: %+v", sh.Closures)
		}
		closure := closureInput{Kind: data.ClosedRoad, Name: "桥梁维修 (SAMPLE)", Line: []data.Point{{Lon: 102.80, Lat: 29.79}, {Lon: 102.81, Lat: 29.79}},
			From: today, To: today}
		if code, _, body := a.do(http.MethodPost, "/api/v1/closures", "u-planner", closure); code != http.StatusCreated {
			t.Fatalf("closure: %d %s", code, body)
		}
		b.getJSON(itin, "u-memberA", http.StatusOK, &sh)
		if len(sh.Closures) != 1 {
			t.Fatalf("replica's itinerary after a closure: %d closures, want 1", len(sh.Closures))
		}

		var toks listBody[data.Token]
		a.getJSON("/api/v1/users/u-memberA/tokens", "u-admin", http.StatusOK, &toks)
		if len(toks.Items) != 1 {
			t.Fatalf("member tokens = %+v", toks.Items)
		}
		if code, _, body := a.do(http.MethodDelete, "/api/v1/tokens/"+toks.Items[0].ID, "u-admin", nil); code != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", code, body)
		}
		if code, _, _ := b.do(http.MethodGet, itin, "u-memberA", nil); code != http.StatusUnauthorized {
			t.Fatalf("revoked token on the replica: %d, want 401", code)
		}

		var u data.User
		b.getJSON("/api/v1/me", "u-coordA", http.StatusOK, nil) // cached on b
		var users listBody[data.User]
		a.getJSON("/api/v1/users", "u-admin", http.StatusOK, &users)
		for _, x := range users.Items {
			if x.ID == "u-coordA" {
				u = x
			}
		}
		if code, _, body := a.do(http.MethodPatch, "/api/v1/users/u-coordA", "u-admin", map[string]any{"disabled": true, "version": u.Version}); code != http.StatusOK {
			t.Fatalf("disable: %d %s", code, body)
		}
		if code, _, _ := b.do(http.MethodGet, "/api/v1/me", "u-coordA", nil); code != http.StatusUnauthorized {
			t.Fatalf("disabled user on the replica: %d, want 401", code)
		}
	})
}

// TestWeekBody: the week answer (cached JSON with synced_at spliced in) is
// byte for byte what encoding weekBody writes, gzipped or not.
func TestWeekBody(t *testing.T) {
	eachFieldStore(t, func(t *testing.T, e *testEnv) {
		path := "/api/v1/teams/" + teamA + "/week?from=" + string(data.Today())
		for _, gz := range []bool{false, true} {
			hdr := []string{"Accept-Encoding", "identity"}
			if gz {
				hdr = []string{"Accept-Encoding", "gzip"}
			}
			code, h, body := e.do(http.MethodGet, path, "u-memberA", nil, hdr...)
			if code != http.StatusOK {
				t.Fatalf("week: %d %s", code, body)
			}
			if gz != (h.Get("Content-Encoding") == "gzip") {
				t.Fatalf("gzip %v: Content-Encoding %q", gz, h.Get("Content-Encoding"))
			}
			if gz {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			var w weekBody
			if err := json.Unmarshal(body, &w); err != nil {
				t.Fatalf("week body: %v: %s", err, body)
			}
			want, _ := json.Marshal(w)
			if !bytes.Equal(body, want) || w.SyncedAt.IsZero() || len(w.Days) != 7 {
				t.Fatalf("week body\n%s\nwant\n%s", body, want)
			}
		}
	})
}

// TestTrailConcurrentReads: 40 concurrent itinerary reads (group-committed
// trail entries) leave 40 entries, each naming the household.
func TestTrailConcurrentReads(t *testing.T) {
	eachFieldStore(t, func(t *testing.T, e *testEnv) {
		path := "/api/v1/teams/" + teamA + "/itinerary?date=" + string(data.Today())
		var wg sync.WaitGroup
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code, _, body := e.do(http.MethodGet, path, "u-memberA", nil); code != http.StatusOK {
					t.Errorf("read: %d %s", code, body)
				}
			}()
		}
		wg.Wait()
		lb := e.trail("?user=u-memberA&limit=100")
		if lb.Total != 40 {
			t.Fatalf("trail after 40 concurrent reads: %d entries, want 40", lb.Total)
		}
		for _, r := range lb.Items {
			if len(r.RecordIDs) != 1 || r.RecordIDs[0] != reqA1 || r.Route != "/api/v1/teams/:id/itinerary" {
				t.Fatalf("entry = %+v", r)
			}
		}
	})
}
