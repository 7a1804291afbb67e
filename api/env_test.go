package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
)

// Fixture ids. Township A (严道街道) has villages A1, A2; township B (龙苍沟镇)
// has village B1. Team T-A (member ST-A) has a plan stop at A1 serving
// request R-A1; R-A2 and R-B1 are on no plan. All people are SAMPLE data.
const (
	twA, twB        = "511822001000", "511822102000"
	vA1, vA2, vB1   = "511822001201", "511822001202", "511822102201"
	teamA, teamB    = "T-A", "T-B"
	reqA1, reqA2    = "R-A1", "R-A2"
	reqB1           = "R-B1"
	staffA, staffB  = "ST-A", "ST-B"
	staffCounty     = "ST-C"
	itemMA, itemLic = "MA-01", "LI-01"
)

// Users of the fixture, by the name tests use.
var fixtureUsers = []data.User{
	{ID: "u-admin", Name: "Admin (SAMPLE)", Role: data.UserAdmin},
	{ID: "u-planner", Name: "Planner (SAMPLE)", Role: data.UserCountyPlanner},
	{ID: "u-coordA", Name: "Coordinator A (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: twA},
	{ID: "u-coordB", Name: "Coordinator B (SAMPLE)", Role: data.UserTownshipCoordinator, TownshipID: twB},
	{ID: "u-memberA", Name: "Member A (SAMPLE)", Role: data.UserTeamMember, TeamID: teamA},
	{ID: "u-memberB", Name: "Member B (SAMPLE)", Role: data.UserTeamMember, TeamID: teamB},
}

// testEnv is a real server on 127.0.0.1:0 over a real store with the fixture.
type testEnv struct {
	t      *testing.T
	srv    *Server
	store  data.Store
	url    string
	tokens map[string]string // user id -> bearer token
	client *http.Client
	logs   *syncBuffer
}

// storeFactories are the stores every API test runs against: embedded
// SQLite always, PostgreSQL when reachable (skipped loudly otherwise, and
// fatal when XUNHUI_REQUIRE_POSTGRES=1).
var storeFactories = []struct {
	name string
	open func(t testing.TB) data.Store
}{
	{"sqlite", func(t testing.TB) data.Store { return sqlitetest.New(t) }},
	{"postgres", func(t testing.TB) data.Store { return pgtest.NewStore(t) }},
}

// eachStore runs f as a subtest per store.
// The tests run in parallel with each other: most of their time is spent
// waiting for PostgreSQL to create and migrate a database.
func eachStore(t *testing.T, f func(t *testing.T, e *testEnv)) {
	t.Parallel()
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, sf.open(t))
			f(t, e)
		})
	}
}

func newTestEnv(t *testing.T, store data.Store) *testEnv {
	t.Helper()
	return newTestEnvWith(t, store, nil)
}

// newTestEnvWith is newTestEnv with setup called on the server before it
// opens (to install planners).
func newTestEnvWith(t *testing.T, store data.Store, setup func(*Server)) *testEnv {
	t.Helper()
	return newTestEnvConfig(t, store, Config{}, setup)
}

// newTestEnvConfig is newTestEnvWith with a server configuration.
func newTestEnvConfig(t *testing.T, store data.Store, cfg Config, setup func(*Server)) *testEnv {
	t.Helper()
	ctx := context.Background()
	seedFixture(t, ctx, store)
	logs := &syncBuffer{}
	srv := NewServer(store, newTestLogger(logs), cfg)
	if setup != nil {
		setup(srv)
	}
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatalf("open: %v", err)
	}
	e := &testEnv{t: t, srv: srv, store: store, url: srv.URL(), tokens: map[string]string{},
		client: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{}}, logs: logs}
	t.Cleanup(func() {
		// Connections the client dialed but never used count as active for
		// http.Server.Shutdown during their first 5 s; drop them first.
		e.client.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	for _, u := range fixtureUsers {
		u := u
		if err := store.CreateUser(ctx, &u); err != nil {
			t.Fatalf("create user %s: %v", u.ID, err)
		}
		secret, hash, err := data.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CreateToken(ctx, &data.Token{UserID: u.ID, Name: "test", Hash: hash}); err != nil {
			t.Fatalf("create token %s: %v", u.ID, err)
		}
		e.tokens[u.ID] = secret
	}
	return e
}

func seedFixture(t *testing.T, ctx context.Context, s data.Store) {
	t.Helper()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture %s: %v", what, err)
		}
	}
	must("townships", s.PutTownships(ctx, []data.Township{
		{ID: twA, Name: "严道街道", Type: "街道"},
		{ID: twB, Name: "龙苍沟镇", Type: "镇"},
	}))
	loc := func(dx float64) data.Point { return data.Point{Lon: 102.8 + dx, Lat: 29.8 + dx/2} }
	must("villages", s.PutVillages(ctx, []data.Village{
		{ID: vA1, TownshipID: twA, Name: "甲一村村委会", ShortName: "甲一村", Kind: data.KindVillage, Location: loc(0.01), Provenance: data.Estimated},
		{ID: vA2, TownshipID: twA, Name: "甲二村村委会", ShortName: "甲二村", Kind: data.KindVillage, Location: loc(0.02), Provenance: data.Public2016Point},
		{ID: vB1, TownshipID: twB, Name: "乙一村村委会", ShortName: "乙一村", Kind: data.KindVillage, Location: loc(0.05), Provenance: data.Estimated},
	}))
	must("service points", s.PutServicePoints(ctx, []data.ServicePoint{
		{ID: "sp-" + twA, Circle: data.CircleTownship, Code: twA, Name: "花滩镇便民服务中心", Location: loc(0), Provenance: data.Estimated},
		{ID: "sp-" + twB, Circle: data.CircleTownship, Code: twB, Name: "龙苍沟镇便民服务中心", Location: loc(0.04), Provenance: data.Estimated},
	}))
	must("items", s.PutServiceItems(ctx, []data.ServiceItem{
		{ID: itemMA, Name: "医疗救助申请 (SAMPLE)", Category: data.CatMedicalAssistance, Kind: "public_service", LowestLevel: data.LevelVillage, Mode: data.ModeIntakeProxy, DurationMin: 20, Skill: data.SkillMedicalSecurity, Sample: true},
		{ID: itemLic, Name: "证照代办 (SAMPLE)", Category: data.CatLicences, Kind: "approval", LowestLevel: data.LevelTownship, Mode: data.ModeOnTheSpot, DurationMin: 15, Skill: data.SkillGeneral, Sample: true},
	}))
	week := data.WorkingWeek(8*60+30, 17*60+30)
	must("staff", s.PutStaff(ctx, []data.Staff{
		{ID: staffA, Name: "张三 (SAMPLE)", Role: data.RoleDeskOfficer, Skills: []data.Skill{data.SkillGeneral}, HomeCode: twA, Phone: "13800000001", Availability: week, Sample: true},
		{ID: staffB, Name: "李四 (SAMPLE)", Role: data.RoleDeskOfficer, Skills: []data.Skill{data.SkillGeneral}, HomeCode: twB, Phone: "13800000002", Availability: week, Sample: true},
		{ID: staffCounty, Name: "王五 (SAMPLE)", Role: data.RoleCountyExpert, Skills: []data.Skill{data.SkillMedicalSecurity}, HomeCode: data.CountyCode, Phone: "13800000003", Availability: week, Sample: true},
	}))
	must("teams", s.PutTeams(ctx, []data.Team{
		{ID: teamA, Name: "花滩镇巡回服务队 (SAMPLE)", Level: data.LevelTownship, HomeCode: twA, HomePointID: "sp-" + twA, MemberIDs: []string{staffA}, TravelMode: data.TravelCar, DayStart: 510, DayEnd: 1050, Sample: true},
		{ID: teamB, Name: "龙苍沟镇巡回服务队 (SAMPLE)", Level: data.LevelTownship, HomeCode: twB, HomePointID: "sp-" + twB, MemberIDs: []string{staffB}, TravelMode: data.TravelCar, DayStart: 510, DayEnd: 1050, Sample: true},
	}))
	for _, r := range []data.Request{
		{ID: reqA1, Ledger: data.LedgerProxy, Household: data.Household{Name: "赵大爷 (SAMPLE)", Phone: "13900000001", VillageID: vA1}, Groups: []data.Group{data.GroupElderlyAlone}, ItemIDs: []string{itemMA}, Priority: 3, Source: "SAMPLE"},
		{ID: reqA2, Ledger: data.LedgerAppeal, Household: data.Household{Name: "钱大姐 (SAMPLE)", Phone: "13900000002", VillageID: vA2}, ItemIDs: []string{itemLic}, Priority: 1, Source: "SAMPLE"},
		{ID: reqB1, Ledger: data.LedgerHardship, Household: data.Household{Name: "孙家 (SAMPLE)", Phone: "13900000003", VillageID: vB1}, Groups: []data.Group{data.GroupLowIncome}, ItemIDs: []string{itemMA}, Priority: 5, Source: "SAMPLE"},
	} {
		r := r
		must("request "+r.ID, s.CreateRequest(ctx, &r))
	}
	today := data.Today()
	plan := data.PlanDetail{
		Plan: data.Plan{Kind: data.PlanCircuit, From: today, To: today.AddDays(6), CreatedBy: "test"},
		Itineraries: []data.Itinerary{{TeamID: teamA, Date: today, Stops: []data.Stop{
			{Seq: 1, VillageID: vA1, RequestIDs: []string{reqA1}, Location: loc(0.01), Arrival: 540, Start: 540, Depart: 560, TravelSeconds: 600},
		}, ReturnSeconds: 600}},
		Desks: []data.Desk{},
	}
	must("plan", s.CreatePlan(ctx, &plan))
	_, err := s.PublishPlan(ctx, data.Publication{ID: plan.Plan.ID, Version: plan.Plan.Version})
	must("publish plan", err)
	// A draft for team A naming R-A2: team members must not see it.
	draft := data.PlanDetail{
		Plan: data.Plan{Kind: data.PlanCircuit, From: today, To: today.AddDays(6), CreatedBy: "test"},
		Itineraries: []data.Itinerary{{TeamID: teamA, Date: today.AddDays(1), Stops: []data.Stop{
			{Seq: 1, VillageID: vA2, RequestIDs: []string{reqA2}, Location: loc(0.02), Arrival: 540, Start: 540, Depart: 560, TravelSeconds: 600},
		}, ReturnSeconds: 600}},
		Desks: []data.Desk{},
	}
	must("draft plan", s.CreatePlan(ctx, &draft))
}

// do sends a request as user (by fixture id; "" = no Authorization) and
// returns status, headers and body.
func (e *testEnv) do(method, path, user string, body any, hdr ...string) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		tok, ok := e.tokens[user]
		if !ok {
			tok = user // a literal token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, out
}

// getJSON fetches path as user, expects want and decodes the body into v.
func (e *testEnv) getJSON(path, user string, want int, v any) {
	e.t.Helper()
	code, _, body := e.do(http.MethodGet, path, user, nil)
	if code != want {
		e.t.Fatalf("GET %s as %s: status %d, want %d; body %s", path, user, code, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			e.t.Fatalf("GET %s: decode: %v; body %s", path, err, body)
		}
	}
}

// errBody decodes a JSON error response.
func errBody(t *testing.T, body []byte) errorDetail {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	if eb.Error.Code == "" || eb.Error.Message == "" || eb.Error.RequestID == "" {
		t.Errorf("error body lacks code, message or request_id: %s", body)
	}
	return eb.Error
}

// requestIDs lists the ids of the requests visible to user.
func (e *testEnv) requestIDs(user, query string) []string {
	e.t.Helper()
	var lb listBody[data.Request]
	e.getJSON("/api/v1/requests"+query, user, http.StatusOK, &lb)
	ids := make([]string, 0, len(lb.Items))
	for _, r := range lb.Items {
		ids = append(ids, r.ID)
	}
	return ids
}
