package storetest

import (
	"fmt"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// testGenerations: the data counter moves with every committed write of a
// schedule table and not with a failed one; the auth counter moves when a
// user changes or a token is revoked, not when a token is created.
func testGenerations(t *testing.T, s data.Store) {
	gen := func() data.Generations {
		t.Helper()
		g, err := s.Generations(ctx)
		must(t, err)
		return g
	}
	g0 := gen()
	fixture(t, s)
	g1 := gen()
	if g1.Data <= g0.Data {
		t.Fatalf("data generation %d after loading the fixture, was %d", g1.Data, g0.Data)
	}
	r := newRequest(V1, "MA-01")
	must(t, s.CreateRequest(ctx, &r))
	g2 := gen()
	if g2.Data <= g1.Data {
		t.Fatalf("data generation %d after a request, was %d", g2.Data, g1.Data)
	}
	closure := data.Closure{Kind: data.ClosedRoad, Name: "桥梁维修", Line: []data.Point{{Lon: 102.80, Lat: 29.79}, {Lon: 102.81, Lat: 29.79}},
		From: "2026-03-02", To: "2026-03-04"}
	must(t, s.ImportClosures(ctx, []data.Closure{closure}, "planner"))
	if g := gen(); g.Data <= g2.Data {
		t.Fatalf("data generation %d after a closure (route sheets show them), was %d", g.Data, g2.Data)
	}
	g2 = gen()
	bad := newRequest("511822999999", "MA-01") // unknown village: refused
	mustKind(t, s.CreateRequest(ctx, &bad), data.Invalid)
	if g := gen(); g.Data != g2.Data {
		t.Fatalf("data generation %d after a refused write, was %d", g.Data, g2.Data)
	}

	u := data.User{ID: "u-gen", Name: "Gen (SAMPLE)", Role: data.UserTeamMember, TeamID: "T-CTY-1"}
	must(t, s.CreateUser(ctx, &u))
	_, hash, err := data.NewToken()
	must(t, err)
	tok := data.Token{UserID: u.ID, Name: "phone", Hash: hash}
	must(t, s.CreateToken(ctx, &tok))
	g3 := gen()
	if g3.Auth != g2.Auth {
		t.Fatalf("auth generation %d after creating a user and a token, was %d", g3.Auth, g2.Auth)
	}
	must(t, s.DeleteToken(ctx, tok.ID))
	g4 := gen()
	if g4.Auth <= g3.Auth {
		t.Fatalf("auth generation %d after revoking a token, was %d", g4.Auth, g3.Auth)
	}
	u.Disabled = true
	must(t, s.UpdateUser(ctx, &u))
	if g := gen(); g.Auth <= g4.Auth {
		t.Fatalf("auth generation %d after disabling a user, was %d", g.Auth, g4.Auth)
	}
}

// testAccessBatch: many entries in one call are all written with their
// ids (more rows than one INSERT shape holds); a batch with one invalid
// entry writes nothing and names the entry.
func testAccessBatch(t *testing.T, s data.Store) {
	var rs []*data.AccessRecord
	for i := range 75 {
		ids := []string{}
		for j := range i % 12 {
			ids = append(ids, fmt.Sprintf("R-%d", j))
		}
		rs = append(rs, &data.AccessRecord{UserID: fmt.Sprintf("u-%d", i%3), Role: data.UserTeamMember, Action: data.AccessRead,
			Method: "GET", Route: "/api/v1/teams/:id/itinerary", Kind: "request", RecordIDs: ids, Status: 200, RequestID: fmt.Sprint(i)})
	}
	must(t, s.RecordAccess(ctx, rs...))
	wantIDs := 0
	for _, r := range rs {
		if r.ID == "" || r.At.IsZero() {
			t.Fatalf("entry %s got no id or time: %+v", r.RequestID, r)
		}
		wantIDs += len(r.RecordIDs)
	}
	all, total, err := s.ListAccess(ctx, data.AccessFilter{Limit: 100})
	must(t, err)
	gotIDs := 0
	for _, r := range all {
		gotIDs += len(r.RecordIDs)
	}
	if total != 75 || gotIDs != wantIDs {
		t.Fatalf("ListAccess: %d entries naming %d ids, want 75 naming %d", total, gotIDs, wantIDs)
	}
	_, n, err := s.ListAccess(ctx, data.AccessFilter{RecordID: "R-10"})
	must(t, err)
	if want := 6; n != want { // i % 12 == 11 for i = 11, 23, ..., 71
		t.Fatalf("entries naming R-10 = %d, want %d", n, want)
	}

	good := &data.AccessRecord{UserID: "u-x", Action: data.AccessRead, Kind: "request", RecordIDs: []string{"R-x"}}
	err = s.RecordAccess(ctx, good, &data.AccessRecord{UserID: "u-y", Action: "peek", Kind: "request"})
	mustKind(t, err, data.Invalid)
	if f := data.ErrorField(err); f != "records[1].action" {
		t.Fatalf("invalid entry named %q, want records[1].action", f)
	}
	if _, n, _ := s.ListAccess(ctx, data.AccessFilter{UserID: "u-x"}); n != 0 {
		t.Fatalf("a refused batch wrote %d entries", n)
	}
}
