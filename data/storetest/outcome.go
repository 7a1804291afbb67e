package storetest

import (
	"sync"
	"testing"

	"github.com/yingjing/xunhui/data"
)

func testRecordOutcome(t *testing.T, s data.Store) {
	fixture(t, s)
	var ids []string
	for _, v := range []string{V1, V2, V3} {
		r := newRequest(v, "MA-01")
		must(t, s.CreateRequest(ctx, &r))
		ids = append(ids, r.ID)
	}
	history := func(id string) int {
		t.Helper()
		h, err := s.RequestHistory(ctx, id)
		must(t, err)
		return len(h)
	}
	// The third request is already done: a call naming it changes nothing.
	_, err := s.RecordOutcome(ctx, data.OutcomeRecord{VisitID: "v0", RequestIDs: ids[2:], To: data.StatusDone, By: "u1"})
	must(t, err)
	h0 := history(ids[0])
	_, err = s.RecordOutcome(ctx, data.OutcomeRecord{VisitID: "v1", RequestIDs: []string{ids[0], ids[2]}, To: data.StatusDone, By: "u1"})
	mustKind(t, err, data.Conflict)
	if f := data.ErrorField(err); f != "request_ids[1]" {
		t.Fatalf("failing request named by %q, want request_ids[1] (%v)", f, err)
	}
	if r, _ := s.GetRequest(ctx, ids[0]); r.Status != data.StatusPending || history(ids[0]) != h0 {
		t.Fatalf("all-or-nothing broken: first request is %s with %d history entries", r.Status, history(ids[0]))
	}
	_, err = s.RecordOutcome(ctx, data.OutcomeRecord{VisitID: "v1", RequestIDs: []string{ids[0], "R-404"}, To: data.StatusDone, By: "u1"})
	mustKind(t, err, data.NotFound)
	for _, bad := range []data.OutcomeRecord{
		{RequestIDs: nil, To: data.StatusDone, By: "u1"},
		{RequestIDs: []string{ids[0], ids[0]}, To: data.StatusDone, By: "u1"},
		{RequestIDs: []string{ids[0]}, To: data.StatusPending, By: "u1"},
	} {
		_, err := s.RecordOutcome(ctx, bad)
		mustKind(t, err, data.Invalid)
	}

	// Two requests in one call, idempotent by key.
	o := data.OutcomeRecord{VisitID: "v2", RequestIDs: ids[:2], To: data.StatusFollowUp, Note: "needs papers", By: "u1",
		IdempotencyKey: "k-1", Fingerprint: "body-1"}
	first, err := s.RecordOutcome(ctx, o)
	must(t, err)
	if len(first.Requests) != 2 || first.Requests[0].Status != data.StatusFollowUp || first.Requests[1].Status != data.StatusFollowUp || first.Replayed {
		t.Fatalf("first = %+v", first)
	}
	h1 := history(ids[0])
	last, _ := s.RequestHistory(ctx, ids[0])
	if e := last[len(last)-1]; e.By != "u1" || e.To != data.StatusFollowUp || e.Note != "needs papers" || e.At.IsZero() {
		t.Fatalf("history entry = %+v", e)
	}
	// pending → follow_up walks through planned: two entries for one outcome.
	if last[len(last)-2].To != data.StatusPlanned {
		t.Fatalf("no planned step before follow_up: %+v", last)
	}
	again, err := s.RecordOutcome(ctx, o)
	must(t, err)
	if !again.Replayed || !again.RecordedAt.Equal(first.RecordedAt) || len(again.Requests) != 2 || again.Requests[0].Version != first.Requests[0].Version {
		t.Fatalf("replay = %+v, want the first answer", again)
	}
	if history(ids[0]) != h1 {
		t.Fatalf("replay wrote history")
	}
	other := o
	other.Fingerprint = "body-2"
	_, err = s.RecordOutcome(ctx, other)
	mustKind(t, err, data.Conflict)
	if data.ErrorField(err) != "Idempotency-Key" {
		t.Fatalf("reused key: field %q", data.ErrorField(err))
	}
	// Keys are per user: the same key of another user is another call.
	u2 := o
	u2.By, u2.To, u2.Note = "u2", data.StatusDone, ""
	if rc, err := s.RecordOutcome(ctx, u2); err != nil || rc.Replayed || rc.Requests[0].Status != data.StatusDone {
		t.Fatalf("u2 with the same key: %+v %v", rc, err)
	}

	// Concurrent repeats of one call write once and all answer the same.
	r4 := newRequest(V4, "MA-01")
	must(t, s.CreateRequest(ctx, &r4))
	h4 := history(r4.ID)
	c := data.OutcomeRecord{VisitID: "v3", RequestIDs: []string{r4.ID}, To: data.StatusDone, By: "u3", IdempotencyKey: "k-c", Fingerprint: "b"}
	var wg sync.WaitGroup
	res := make([]data.OutcomeReceipt, 6)
	errs := make([]error, 6)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], errs[i] = s.RecordOutcome(ctx, c)
		}()
	}
	wg.Wait()
	fresh := 0
	for i := range res {
		if errs[i] != nil {
			t.Fatalf("concurrent call %d: %v", i, errs[i])
		}
		if !res[i].Replayed {
			fresh++
		}
		if !res[i].RecordedAt.Equal(res[0].RecordedAt) {
			t.Errorf("call %d answered another outcome", i)
		}
	}
	if fresh != 1 || history(r4.ID) != h4+1 { // pending → done, once
		t.Fatalf("%d calls wrote, history grew by %d; want 1 and 1", fresh, history(r4.ID)-h4)
	}
}
