package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// trail lists the access trail as admin with query q.
func (e *testEnv) trail(q string) listBody[data.AccessRecord] {
	e.t.Helper()
	var lb listBody[data.AccessRecord]
	e.getJSON("/api/v1/access-trail"+q, "u-admin", http.StatusOK, &lb)
	return lb
}

// TestAccessTrail: a coordinator reading one household makes one entry
// naming it; a list of 50 households is one entry naming the 50 ids; a
// change is recorded; failed and out-of-scope calls are not; the trail holds
// no names or phones; only admin may query or export it.
func TestAccessTrail(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		e.getJSON("/api/v1/requests/"+reqA1, "u-coordA", http.StatusOK, nil)
		lb := e.trail("?user=u-coordA")
		if lb.Total != 1 {
			t.Fatalf("after one read: %d entries, want 1: %+v", lb.Total, lb.Items)
		}
		r := lb.Items[0]
		if r.Action != data.AccessRead || r.Kind != "request" || !slices.Equal(r.RecordIDs, []string{reqA1}) ||
			r.Route != "/api/v1/requests/:id" || r.Method != "GET" || r.Role != data.UserTownshipCoordinator || r.Status != 200 || r.RequestID == "" || r.At.IsZero() {
			t.Errorf("entry = %+v", r)
		}
		// Out of scope (404) and failed calls leave no entry.
		e.getJSON("/api/v1/requests/"+reqB1, "u-coordA", http.StatusNotFound, nil)
		if lb := e.trail("?user=u-coordA"); lb.Total != 1 {
			t.Errorf("after a 404: %d entries, want 1", lb.Total)
		}

		// A list of 50 households: one entry naming the 50 ids.
		var want []string
		for i := range 48 {
			id := fmt.Sprintf("R-L%02d", i)
			rq := data.Request{ID: id, Ledger: data.LedgerProxy, Household: data.Household{Name: "测试户 (SAMPLE)", Phone: "13900000099", VillageID: vA1},
				ItemIDs: []string{itemMA}, Priority: 3, Source: "SAMPLE"}
			if err := e.store.CreateRequest(ctx, &rq); err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
		}
		want = append(want, reqA1, reqA2)
		slices.Sort(want)
		var page listBody[data.Request]
		e.getJSON("/api/v1/requests?township="+twA+"&limit=50", "u-coordA", http.StatusOK, &page)
		if len(page.Items) != 50 {
			t.Fatalf("listed %d, want 50", len(page.Items))
		}
		lb = e.trail("?user=u-coordA&action=read")
		if lb.Total != 2 || lb.Items[0].Route != "/api/v1/requests" || !slices.Equal(lb.Items[0].RecordIDs, want) {
			t.Fatalf("after a list of 50: %d entries, newest %+v; want 2 entries, the newest naming the 50 ids", lb.Total, lb.Items[0])
		}
		if lb := e.trail("?record=R-L07"); lb.Total != 1 {
			t.Errorf("by record: %d, want 1", lb.Total)
		}

		// A change is recorded with the record's id.
		code, _, body := e.do(http.MethodPatch, "/api/v1/requests/"+reqA2, "u-coordA", map[string]any{"version": 1, "priority": 2})
		if code != 200 {
			t.Fatalf("patch: %d %s", code, body)
		}
		lb = e.trail("?action=change&record=" + reqA2)
		if lb.Total != 1 || lb.Items[0].Method != "PATCH" || lb.Items[0].UserID != "u-coordA" {
			t.Errorf("change entries = %+v", lb.Items)
		}

		// No names or phones anywhere in the trail, JSON or CSV.
		_, _, all := e.do(http.MethodGet, "/api/v1/access-trail?limit=1000", "u-admin", nil)
		code, h, csvBody := e.do(http.MethodGet, "/api/v1/access-trail?format=csv", "u-admin", nil)
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv export: %d %s", code, h.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(string(csvBody))).ReadAll()
		if err != nil || len(rows) != 1+e.trail("").Total || rows[0][0] != "id" {
			t.Errorf("csv rows %d (err %v), want header + %d", len(rows), err, e.trail("").Total)
		}
		for _, leak := range []string{"赵大爷", "钱大姐", "测试户", "139000000"} {
			if strings.Contains(string(all), leak) || strings.Contains(string(csvBody), leak) {
				t.Errorf("the trail holds %q", leak)
			}
		}

		// Only admin may read it.
		for _, u := range []string{"u-planner", "u-coordA", "u-memberA"} {
			if code, _, _ := e.do(http.MethodGet, "/api/v1/access-trail", u, nil); code != http.StatusForbidden {
				t.Errorf("%s reads the trail: %d, want 403", u, code)
			}
			if code, _, _ := e.do(http.MethodGet, "/api/v1/access-trail?format=csv", u, nil); code != http.StatusForbidden {
				t.Errorf("%s exports the trail: %d, want 403", u, code)
			}
		}
		if code, _, _ := e.do(http.MethodGet, "/api/v1/access-trail?from=yesterday", "u-admin", nil); code != 400 {
			t.Errorf("bad from: %d, want 400", code)
		}
	})
}

// TestAccessTrailRetention: entries older than Config.TrailRetention are
// purged (in the background, at most hourly) once the trail is written.
func TestAccessTrailRetention(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	e := newTestEnvConfig(t, storeFactories[0].open(t), Config{Now: clock.now, TrailRetention: 24 * time.Hour}, nil)
	ctx := context.Background()
	old := data.AccessRecord{At: clock.now().Add(-25 * time.Hour), UserID: "u-coordA", Action: data.AccessRead, Kind: "request", RecordIDs: []string{reqA1}}
	if err := e.store.RecordAccess(ctx, &old); err != nil {
		t.Fatal(err)
	}
	e.getJSON("/api/v1/requests/"+reqA1, "u-coordA", http.StatusOK, nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		rs, _, err := e.store.ListAccess(ctx, data.AccessFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 1 && rs[0].ID != old.ID {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("entries after purge: %+v, want only the new one", rs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
