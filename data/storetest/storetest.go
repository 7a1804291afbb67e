// Package storetest is the one contract suite every data.Store must pass.
// Adapters call Run from their own tests:
//
//	func TestStore(t *testing.T) { storetest.Run(t, func(t *testing.T) data.Store { return sqlitetest.New(t) }) }
//
// The factory must return a migrated, empty store that is closed when t ends.
// Each subtest gets a fresh store, so subtests are independent.
package storetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// Factory returns a fresh, migrated, empty store for t.
type Factory func(t *testing.T) data.Store

// Run runs the contract suite against stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s data.Store)
	}{
		{"Health", testHealth},
		{"Migrate", testMigrate},
		{"Geography", testGeography},
		{"ImportAllOrNothing", testImportAllOrNothing},
		{"VillageLocations", testVillageLocations},
		{"CatalogueStaffTeams", testCatalogueStaffTeams},
		{"Market", testMarket},
		{"Handoffs", testHandoffs},
		{"Closures", testClosures},
		{"Guides", testGuides},
		{"RequestAcceptedTownship", testRequestAcceptedTownship},
		{"RequestCreate", testRequestCreate},
		{"RequestInvalid", testRequestInvalid},
		{"RequestList", testRequestList},
		{"RequestUpdateVersion", testRequestUpdateVersion},
		{"RequestConcurrentUpdates", testRequestConcurrentUpdates},
		{"RequestTransition", testRequestTransition},
		{"RequestWithdraw", testRequestWithdraw},
		{"RequestMerge", testRequestMerge},
		{"ImportRequests", testImportRequests},
		{"SaveRequests", testSaveRequests},
		{"Plans", testPlans},
		{"PlanScoping", testPlanScoping},
		{"TeamSchedule", testTeamSchedule},
		{"SignIn", testSignIn},
		{"UsersTokens", testUsersTokens},
		{"MatrixCache", testMatrixCache},
		{"Jobs", testJobs},
		{"Bookings", testBookings},
		{"Absences", testAbsences},
		{"PlanVersionsClaims", testPlanVersionsClaims},
		{"RecordOutcome", testRecordOutcome},
		{"DryRun", testDryRun},
		{"TextParity", testTextParity},
		{"AccessTrail", testAccessTrail},
		{"AccessBatch", testAccessBatch},
		{"Generations", testGenerations},
		{"Pulls", testPulls},
		{"Runs", testRuns},
		{"Crews", testCrews},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

var ctx = context.Background()

// Fixture codes: two townships with two villages each.
const (
	T1 = "511822101000" // 花滩镇
	T2 = "511822207000" // 泗坪乡
	V1 = "511822101001" // 花滩社区
	V2 = "511822101201"
	V3 = "511822207200" // 民主村
	V4 = "511822207201"
)

func mustKind(t *testing.T, err error, want data.Kind) {
	t.Helper()
	if got := data.ErrorKind(err); got != want || err == nil {
		t.Fatalf("error kind = %v (err %v), want %v", got, err, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// fixture loads a small county: 2 townships, 4 villages, points, 3 items,
// 3 staff, 2 teams.
func fixture(t *testing.T, s data.Store) {
	t.Helper()
	must(t, s.PutTownships(ctx, []data.Township{
		{ID: T1, Name: "花滩镇", Type: "镇"},
		{ID: T2, Name: "泗坪乡", Type: "乡"},
	}))
	vs := []data.Village{
		{ID: V1, TownshipID: T1, Name: "花滩社区居委会", ShortName: "花滩社区", Kind: data.KindCommunity, Location: data.Point{Lon: 102.77, Lat: 29.78}, Provenance: data.Estimated},
		{ID: V2, TownshipID: T1, Name: "甲村村委会", ShortName: "甲村", Kind: data.KindVillage, Location: data.Point{Lon: 102.78, Lat: 29.79}, Provenance: data.Estimated},
		{ID: V3, TownshipID: T2, Name: "民主村村委会", ShortName: "民主村", Kind: data.KindVillage, Location: data.Point{Lon: 102.63, Lat: 29.78}, Provenance: data.Public2016Point},
		{ID: V4, TownshipID: T2, Name: "乙村村委会", ShortName: "乙村", Kind: data.KindVillage, Location: data.Point{Lon: 102.64, Lat: 29.77}, Provenance: data.Estimated},
	}
	must(t, s.PutVillages(ctx, vs))
	must(t, s.PutServicePoints(ctx, []data.ServicePoint{
		{ID: "sp-" + data.CountyCode, Circle: data.CircleCounty, Code: data.CountyCode, Name: "荥经县政务服务中心", Location: data.Point{Lon: 102.845, Lat: 29.795}, Provenance: data.Public2016Point},
		{ID: "sp-" + T1, Circle: data.CircleTownship, Code: T1, Name: "花滩镇便民服务中心", Location: data.Point{Lon: 102.77, Lat: 29.78}, Provenance: data.Public2016Point},
		{ID: "sp-" + V3, Circle: data.CircleVillage, Code: V3, Name: "民主村便民服务室", Location: data.Point{Lon: 102.63, Lat: 29.78}, Provenance: data.Public2016Point},
	}))
	must(t, s.PutServiceItems(ctx, []data.ServiceItem{
		{ID: "MA-01", Name: "医疗救助申请", Category: data.CatMedicalAssistance, Kind: "public_service", LowestLevel: data.LevelVillage, Mode: data.ModeIntakeProxy, DurationMin: 20, Skill: data.SkillMedicalSecurity, Sample: true},
		{ID: "SI-01", Name: "城乡居民养老保险参保登记", Category: data.CatSocialInsurance, Kind: "public_service", LowestLevel: data.LevelVillage, Mode: data.ModeOnTheSpot, DurationMin: 15, Skill: data.SkillSocialSecurity, Sample: true},
		{ID: "LC-01", Name: "林木采伐许可", Category: data.CatLicences, Kind: "approval", LowestLevel: data.LevelTownship, Mode: data.ModeIntakeProxy, DurationMin: 30, Skill: data.SkillForestry, Sample: true},
	}))
	must(t, s.PutStaff(ctx, []data.Staff{
		{ID: "ST-1", Name: "张某某", Role: data.RoleCountyExpert, Skills: []data.Skill{data.SkillMedicalSecurity, data.SkillSocialSecurity}, HomeCode: data.CountyCode, HomePointID: "sp-" + data.CountyCode, PartyMember: true, Availability: data.WorkingWeek(510, 1050), Sample: true},
		{ID: "ST-2", Name: "李某某", Role: data.RoleDeskOfficer, Skills: []data.Skill{data.SkillGeneral}, HomeCode: T1, Availability: data.WorkingWeek(540, 1020), Leave: []data.DateRange{{From: "2026-12-01", To: "2026-12-03"}}, Sample: true},
		{ID: "ST-3", Name: "王某某", Role: data.RoleVillageAgent, Skills: []data.Skill{data.SkillGeneral}, HomeCode: V3, Availability: data.WorkingWeek(480, 1080), MaxDaysPerWeek: 2, Sample: true},
	}))
	must(t, s.PutTeams(ctx, []data.Team{
		{ID: "T-CTY-1", Name: "县红色巡回服务队", Level: data.LevelCounty, HomeCode: data.CountyCode, HomePointID: "sp-" + data.CountyCode, MemberIDs: []string{"ST-1", "ST-2"}, TravelMode: data.TravelCar, DayStart: 510, DayEnd: 1050, LunchStart: 720, LunchEnd: 810, Red: true, Sample: true},
		{ID: "T-AG-" + V3, Name: "民主村代办员", Level: data.LevelVillage, HomeCode: V3, HomePointID: "sp-" + V3, MemberIDs: []string{"ST-3"}, TravelMode: data.TravelFoot, DayStart: 480, DayEnd: 1080, Sample: true},
	}))
}

func newRequest(village string, items ...string) data.Request {
	return data.Request{
		Ledger:       data.LedgerProxy,
		Household:    data.Household{Name: "赵某某", Phone: "13800000000", VillageID: village},
		Groups:       []data.Group{data.GroupElderlyAlone},
		ItemIDs:      items,
		Priority:     3,
		VisitWindows: []data.WeeklyWindow{{Weekday: time.Tuesday, From: 540, To: 720}},
		Deadline:     data.Today().AddDays(14),
		Source:       "test",
	}
}

func testHealth(t *testing.T, s data.Store) {
	must(t, s.Ping(ctx))
	seeded, err := s.Seeded(ctx)
	must(t, err)
	if seeded {
		t.Fatalf("Seeded() on empty store = true, want false")
	}
	fixture(t, s)
	seeded, err = s.Seeded(ctx)
	must(t, err)
	if !seeded {
		t.Fatalf("Seeded() after fixture = false, want true")
	}
}

func testMigrate(t *testing.T, s data.Store) {
	m, ok := s.(data.Migrator)
	if !ok {
		t.Skip("store does not implement data.Migrator")
	}
	applied, err := m.Migrate(ctx)
	must(t, err)
	if len(applied) != 0 {
		t.Fatalf("second Migrate applied %v, want nothing (idempotent)", applied)
	}
}

func testGeography(t *testing.T, s data.Store) {
	fixture(t, s)
	ts, err := s.ListTownships(ctx)
	must(t, err)
	if len(ts) != 2 || ts[0].ID != T1 || ts[1].ID != T2 {
		t.Fatalf("ListTownships = %+v, want %s, %s", ts, T1, T2)
	}
	_, err = s.GetTownship(ctx, "511822999000")
	mustKind(t, err, data.NotFound)

	for _, tc := range []struct {
		township string
		want     []string
	}{{"", []string{V1, V2, V3, V4}}, {T1, []string{V1, V2}}, {T2, []string{V3, V4}}, {"511822999000", []string{}}} {
		t.Run("villages-"+tc.township, func(t *testing.T) {
			vs, err := s.ListVillages(ctx, tc.township)
			must(t, err)
			var got []string
			for _, v := range vs {
				got = append(got, v.ID)
			}
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("ListVillages(%q) = %v, want %v", tc.township, got, tc.want)
			}
		})
	}
	v, err := s.GetVillage(ctx, V3)
	must(t, err)
	if v.Name != "民主村村委会" || v.Provenance != data.Public2016Point || v.Location.Lon != 102.63 {
		t.Fatalf("GetVillage = %+v", v)
	}
	_, err = s.GetVillage(ctx, "511822101999")
	mustKind(t, err, data.NotFound)

	ps, err := s.ListServicePoints(ctx, data.CircleTownship)
	must(t, err)
	if len(ps) != 1 || ps[0].Code != T1 {
		t.Fatalf("ListServicePoints(township) = %+v", ps)
	}
	p, err := s.GetServicePoint(ctx, "sp-"+V3)
	must(t, err)
	if p.Circle != data.CircleVillage {
		t.Fatalf("GetServicePoint = %+v", p)
	}
}

func testImportAllOrNothing(t *testing.T, s data.Store) {
	fixture(t, s)
	good := data.Village{ID: "511822101202", TownshipID: T1, Name: "丙村村委会", ShortName: "丙村", Kind: data.KindVillage, Location: data.Point{Lon: 102.7, Lat: 29.7}, Provenance: data.Estimated}
	badTown := good
	badTown.ID, badTown.TownshipID = "511822106201", "511822106000" // valid code, township not stored
	badLoc := good
	badLoc.ID, badLoc.Location = "511822101203", data.Point{Lon: 2, Lat: 29.7}
	dup := good
	err := s.PutVillages(ctx, []data.Village{good, badTown, badLoc, dup})
	mustKind(t, err, data.Invalid)
	rows := data.RowErrors(err)
	wantLines := []int{2, 3, 4}
	var got []int
	for _, r := range rows {
		got = append(got, r.Line)
		if r.Reason == "" {
			t.Errorf("row %d has no reason", r.Line)
		}
	}
	if !slices.Equal(got, wantLines) {
		t.Fatalf("bad rows = %v (%v), want lines %v", got, rows, wantLines)
	}
	if rows[1].Field != "location" {
		t.Errorf("row 3 field = %q, want location", rows[1].Field)
	}
	if _, err := s.GetVillage(ctx, good.ID); data.ErrorKind(err) != data.NotFound {
		t.Fatalf("good row of a rejected batch was written (err %v)", err)
	}
}

func testVillageLocations(t *testing.T, s data.Store) {
	fixture(t, s)
	err := s.SetVillageLocations(ctx, []data.VillageLocation{
		{VillageID: V3, Location: data.Point{Lon: 102.6301, Lat: 29.7801}, Provenance: data.Surveyed},
		{VillageID: "511822207299", Location: data.Point{Lon: 102.6, Lat: 29.7}, Provenance: data.Surveyed},
	})
	mustKind(t, err, data.Invalid)
	if rows := data.RowErrors(err); len(rows) != 1 || rows[0].Line != 2 {
		t.Fatalf("row errors = %v, want one on line 2", rows)
	}
	v, _ := s.GetVillage(ctx, V3)
	if v.Provenance != data.Public2016Point {
		t.Fatalf("rejected batch changed village: %+v", v)
	}
	must(t, s.SetVillageLocations(ctx, []data.VillageLocation{{VillageID: V3, Location: data.Point{Lon: 102.6301, Lat: 29.7801}, Provenance: data.Surveyed}}))
	v, _ = s.GetVillage(ctx, V3)
	if v.Provenance != data.Surveyed || v.Location.Lon != 102.6301 {
		t.Fatalf("village after SetVillageLocations = %+v", v)
	}
	p, _ := s.GetServicePoint(ctx, "sp-"+V3)
	if p.Location != v.Location || p.Provenance != data.Surveyed {
		t.Fatalf("village service point did not move: %+v", p)
	}
}

func testCatalogueStaffTeams(t *testing.T, s data.Store) {
	fixture(t, s)
	items, err := s.ListServiceItems(ctx)
	must(t, err)
	if len(items) != 3 || items[0].ID != "LC-01" || !items[0].Sample {
		t.Fatalf("ListServiceItems = %+v", items)
	}
	it, err := s.GetServiceItem(ctx, "MA-01")
	must(t, err)
	if it.Mode != data.ModeIntakeProxy || it.DurationMin != 20 || it.Skill != data.SkillMedicalSecurity {
		t.Fatalf("GetServiceItem = %+v", it)
	}
	for _, tc := range []struct {
		name string
		f    data.StaffFilter
		want []string
	}{
		{"all", data.StaffFilter{}, []string{"ST-1", "ST-2", "ST-3"}},
		{"role", data.StaffFilter{Role: data.RoleDeskOfficer}, []string{"ST-2"}},
		{"township", data.StaffFilter{TownshipID: T2}, []string{"ST-3"}},
		{"skill", data.StaffFilter{Skill: data.SkillSocialSecurity}, []string{"ST-1"}},
		{"none", data.StaffFilter{Skill: "social"}, nil},
		{"underscore is literal", data.StaffFilter{Skill: "social_securit_"}, nil},
	} {
		t.Run("staff-"+tc.name, func(t *testing.T) {
			ss, err := s.ListStaff(ctx, tc.f)
			must(t, err)
			var got []string
			for _, st := range ss {
				got = append(got, st.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ListStaff(%+v) = %v, want %v", tc.f, got, tc.want)
			}
		})
	}
	st, err := s.GetStaff(ctx, "ST-2")
	must(t, err)
	if st.Leave != nil || len(st.Availability) != 5 || st.Availability[0].From != 540 {
		t.Fatalf("GetStaff = %+v", st)
	}
	// One leave model: the roster's leave range is an absence (once, also
	// when the roster is put again).
	must(t, s.PutStaff(ctx, []data.Staff{{ID: "ST-2", Name: "李某某", Role: data.RoleDeskOfficer, Skills: []data.Skill{data.SkillGeneral},
		HomeCode: T1, Availability: data.WorkingWeek(540, 1020), Leave: []data.DateRange{{From: "2026-12-01", To: "2026-12-03"}},
		Sample: true, Version: st.Version}}))
	leave, err := s.ListAbsences(ctx, data.AbsenceFilter{StaffID: "ST-2"})
	must(t, err)
	if len(leave) != 1 || leave[0].From != "2026-12-01" || leave[0].To != "2026-12-03" || leave[0].Kind != data.AbsenceLeave ||
		leave[0].CreatedBy != "import" || !leave[0].Covers("2026-12-02") {
		t.Fatalf("roster leave as absences = %+v", leave)
	}
	if st3, _ := s.GetStaff(ctx, "ST-3"); st3.MaxDaysPerWeek != 2 {
		t.Fatalf("MaxDaysPerWeek round trip = %d, want 2", st3.MaxDaysPerWeek)
	}
	team, err := s.GetTeam(ctx, "T-CTY-1")
	must(t, err)
	if !slices.Equal(team.MemberIDs, []string{"ST-1", "ST-2"}) || team.LunchStart != 720 || !team.Red {
		t.Fatalf("GetTeam = %+v", team)
	}
	teams, err := s.ListTeams(ctx, data.LevelVillage)
	must(t, err)
	if len(teams) != 1 || teams[0].MemberIDs[0] != "ST-3" {
		t.Fatalf("ListTeams(village) = %+v", teams)
	}
	// Reordering members is an upsert.
	team.MemberIDs = []string{"ST-2", "ST-1"}
	must(t, s.PutTeams(ctx, []data.Team{team}))
	team, _ = s.GetTeam(ctx, "T-CTY-1")
	if !slices.Equal(team.MemberIDs, []string{"ST-2", "ST-1"}) {
		t.Fatalf("members after update = %v", team.MemberIDs)
	}
	testStaffTeamVersions(t, s, team)
	team, _ = s.GetTeam(ctx, "T-CTY-1")
	bad := team
	bad.MemberIDs = []string{"ST-404"}
	err = s.PutTeams(ctx, []data.Team{bad})
	mustKind(t, err, data.Invalid)
	if rows := data.RowErrors(err); len(rows) != 1 || rows[0].Field != "member_ids" {
		t.Fatalf("row errors = %v, want member_ids", rows)
	}
	_, err = s.GetTeam(ctx, "nope")
	mustKind(t, err, data.NotFound)
}

// testStaffTeamVersions: a write that sends the version it read is refused
// (Conflict, nothing changed) once someone else wrote; version 0 (imports)
// writes unconditionally; every write bumps the version.
func testStaffTeamVersions(t *testing.T, s data.Store, team data.Team) {
	st, err := s.GetStaff(ctx, "ST-1")
	must(t, err)
	if st.Version < 1 {
		t.Fatalf("staff version = %d, want ≥ 1", st.Version)
	}
	first, second := st, st
	first.Department = "甲"
	must(t, s.PutStaff(ctx, []data.Staff{first}))
	second.Department = "乙"
	mustKind(t, s.PutStaff(ctx, []data.Staff{second}), data.Conflict)
	got, _ := s.GetStaff(ctx, "ST-1")
	if got.Department != "甲" || got.Version != st.Version+1 {
		t.Fatalf("after a stale write: department %q version %d, want 甲 and %d", got.Department, got.Version, st.Version+1)
	}
	imported := st
	imported.Version, imported.Department = 0, "丙"
	must(t, s.PutStaff(ctx, []data.Staff{imported}))
	if got, _ = s.GetStaff(ctx, "ST-1"); got.Department != "丙" || got.Version != st.Version+2 {
		t.Fatalf("after an import: department %q version %d, want 丙 and %d", got.Department, got.Version, st.Version+2)
	}
	ghost := st
	ghost.ID = "ST-GHOST"
	mustKind(t, s.PutStaff(ctx, []data.Staff{ghost}), data.NotFound)

	stale := team
	must(t, s.PutTeams(ctx, []data.Team{team}))
	stale.Name = "旧"
	mustKind(t, s.PutTeams(ctx, []data.Team{stale}), data.Conflict)
	if got, _ := s.GetTeam(ctx, team.ID); got.Name == "旧" || got.Version != team.Version+1 {
		t.Fatalf("team after a stale write = %+v, want version %d and the old name", got, team.Version+1)
	}
}

func testMarket(t *testing.T, s data.Store) {
	fixture(t, s)
	must(t, s.PutMarketCycles(ctx, []data.MarketCycle{
		{TownshipID: T1, Calendar: "solar", Digits: []int{1, 4, 7}, Start: 420, End: 720, Sample: true},
		{TownshipID: T2, Cycle: "lunar:3,6,9", Start: 420, End: 660, Sample: true,
			SpecialDays: []data.SpecialDay{{On: "lunar:01-15", Name: "元宵灯会"}, {On: "solar:2027-10-01", Name: "国庆物资交流会"}}},
	}))
	cs, err := s.ListMarketCycles(ctx)
	must(t, err)
	if len(cs) != 2 || cs[0].Cycle != "solar:1,4,7" || cs[1].Cycle != "lunar:3,6,9" || !cs[0].IsMarketDay(24) {
		t.Fatalf("ListMarketCycles = %+v", cs)
	}
	if cs[0].SpecialDays != nil || len(cs[1].SpecialDays) != 2 || cs[1].SpecialDays[0] != (data.SpecialDay{On: "lunar:01-15", Name: "元宵灯会"}) {
		t.Fatalf("special days = %+v / %+v", cs[0].SpecialDays, cs[1].SpecialDays)
	}
	err = s.PutMarketCycles(ctx, []data.MarketCycle{{TownshipID: T1, Cycle: "solar:1", Start: 420, End: 720,
		SpecialDays: []data.SpecialDay{{On: "lunar:01-15", Name: "x"}, {On: "moon:01-15", Name: "y"}}}})
	mustKind(t, err, data.Invalid)
	if rows := data.RowErrors(err); len(rows) != 1 || !strings.Contains(rows[0].Field, "special_days[1].on") {
		t.Errorf("bad special day: rows %+v, want one naming special_days[1].on", rows)
	}
	must(t, s.PutMarketExceptions(ctx, []data.MarketException{
		{TownshipID: T1, Kind: "remove", Date: "2027-02-11", Reason: "春节"},
		{TownshipID: T1, Kind: "move", Date: "2027-02-14", To: "2027-02-15"},
	}))
	c, es, err := s.MarketCalendar(ctx, T1)
	must(t, err)
	if c.TownshipID != T1 || len(es) != 2 || es[1].To != "2027-02-15" {
		t.Fatalf("MarketCalendar = %+v %+v", c, es)
	}
	err = s.PutMarketExceptions(ctx, []data.MarketException{{TownshipID: T1, Kind: "move", Date: "2027-02-14"}})
	mustKind(t, err, data.Invalid)
	must(t, s.DeleteMarketException(ctx, T1, "2027-02-11"))
	mustKind(t, s.DeleteMarketException(ctx, T1, "2027-02-11"), data.NotFound)
	_, _, err = s.MarketCalendar(ctx, "511822102000")
	mustKind(t, err, data.NotFound)
}

func testRequestCreate(t *testing.T, s data.Store) {
	fixture(t, s)
	r := newRequest(V3, "MA-01", "SI-01")
	r.CreatedBy = "u-1"
	must(t, s.CreateRequest(ctx, &r))
	if r.ID == "" || r.Version != 1 || r.Status != data.StatusPending || r.TownshipID != T2 || r.CreatedAt.IsZero() {
		t.Fatalf("created request = %+v", r)
	}
	if len(r.History) != 1 || r.History[0].To != data.StatusPending || r.History[0].By != "u-1" {
		t.Fatalf("history = %+v", r.History)
	}
	got, err := s.GetRequest(ctx, r.ID)
	must(t, err)
	if !slices.Equal(got.ItemIDs, []string{"MA-01", "SI-01"}) || !slices.Equal(got.Groups, []data.Group{data.GroupElderlyAlone}) ||
		got.Household.Location != nil || len(got.VisitWindows) != 1 || got.Deadline != r.Deadline || !got.CreatedAt.Equal(r.CreatedAt) {
		t.Fatalf("GetRequest = %+v, want %+v", got, r)
	}
	loc := data.Point{Lon: 102.631, Lat: 29.781}
	r2 := newRequest(V3, "MA-01")
	r2.ID, r2.Household.Location = "R-fixed-1", &loc
	must(t, s.CreateRequest(ctx, &r2))
	got, _ = s.GetRequest(ctx, "R-fixed-1")
	if got.Household.Location == nil || *got.Household.Location != loc {
		t.Fatalf("location round trip = %+v", got.Household.Location)
	}
	dup := newRequest(V3, "MA-01")
	dup.ID = "R-fixed-1"
	mustKind(t, s.CreateRequest(ctx, &dup), data.Conflict)
	hist, err := s.RequestHistory(ctx, "R-fixed-1")
	must(t, err)
	if len(hist) != 1 {
		t.Fatalf("RequestHistory = %+v", hist)
	}
	_, err = s.GetRequest(ctx, "R-404")
	mustKind(t, err, data.NotFound)
}

func testRequestInvalid(t *testing.T, s data.Store) {
	fixture(t, s)
	for _, tc := range []struct {
		name  string
		edit  func(r *data.Request)
		field string
	}{
		{"unknown village", func(r *data.Request) { r.Household.VillageID = "511822101299" }, "household.village_id"},
		{"village code outside county", func(r *data.Request) { r.Household.VillageID = "110101001001" }, "household.village_id"},
		{"unknown item", func(r *data.Request) { r.ItemIDs = []string{"MA-01", "XX-99"} }, "item_ids[1]"},
		{"no items", func(r *data.Request) { r.ItemIDs = nil }, "item_ids"},
		{"deadline before today", func(r *data.Request) { r.Deadline = data.Today().AddDays(-1) }, "deadline"},
		{"bad deadline", func(r *data.Request) { r.Deadline = "2026-13-01" }, "deadline"},
		{"priority", func(r *data.Request) { r.Priority = 9 }, "priority"},
		{"phone", func(r *data.Request) { r.Household.Phone = "abc" }, "household.phone"},
		{"ledger", func(r *data.Request) { r.Ledger = "other" }, "ledger"},
		{"group", func(r *data.Request) { r.Groups = []data.Group{"vip"} }, "groups[0]"},
		{"window", func(r *data.Request) { r.VisitWindows = []data.WeeklyWindow{{Weekday: 1, From: 600, To: 500}} }, "visit_windows[0].to"},
		{"location outside county", func(r *data.Request) { r.Household.Location = &data.Point{Lon: 116.4, Lat: 39.9} }, "household.location"},
		{"bad id", func(r *data.Request) { r.ID = "has space" }, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(V1, "MA-01")
			tc.edit(&r)
			err := s.CreateRequest(ctx, &r)
			mustKind(t, err, data.Invalid)
			if got := data.ErrorField(err); got != tc.field {
				t.Fatalf("field = %q, want %q (err %v)", got, tc.field, err)
			}
		})
	}
	_, total, err := s.ListRequests(ctx, data.RequestFilter{})
	must(t, err)
	if total != 0 {
		t.Fatalf("invalid requests were written: total %d", total)
	}
}

func testRequestList(t *testing.T, s data.Store) {
	fixture(t, s)
	mk := func(id, village string, ledger data.Ledger, groups ...data.Group) {
		r := newRequest(village, "MA-01")
		r.ID, r.Ledger, r.Groups = id, ledger, groups
		must(t, s.CreateRequest(ctx, &r))
	}
	mk("R-01", V1, data.LedgerProxy, data.GroupDisabled)
	mk("R-02", V2, data.LedgerAppeal)
	mk("R-03", V3, data.LedgerHardship, data.GroupDisabled, data.GroupLowIncome)
	mk("R-04", V4, data.LedgerProxy, data.GroupLeftBehindChild)
	mk("R-05", V3, data.LedgerProxy)
	// Priorities and deadlines for the orderings: R-02 most urgent, R-04
	// without a deadline, R-03 due soonest.
	for id, set := range map[string]func(r *data.Request){
		"R-02": func(r *data.Request) { r.Priority = 5 },
		"R-04": func(r *data.Request) { r.Deadline = "" },
		"R-03": func(r *data.Request) { r.Deadline = data.Today().AddDays(2) },
	} {
		r, _ := s.GetRequest(ctx, id)
		set(&r)
		must(t, s.UpdateRequest(ctx, &r))
	}
	r, _ := s.GetRequest(ctx, "R-05")
	_, err := s.TransitionRequest(ctx, data.RequestTransition{ID: "R-05", Version: r.Version, To: data.StatusPlanned, By: "u"})
	must(t, err)
	_, _, err = s.ListRequests(ctx, data.RequestFilter{Order: "random"})
	mustKind(t, err, data.Invalid)

	for _, tc := range []struct {
		name  string
		f     data.RequestFilter
		want  []string
		total int
	}{
		{"all", data.RequestFilter{}, []string{"R-01", "R-02", "R-03", "R-04", "R-05"}, 5},
		{"township", data.RequestFilter{TownshipID: T2}, []string{"R-03", "R-04", "R-05"}, 3},
		{"village", data.RequestFilter{VillageID: V3}, []string{"R-03", "R-05"}, 2},
		{"status", data.RequestFilter{Statuses: []data.Status{data.StatusPlanned}}, []string{"R-05"}, 1},
		{"statuses", data.RequestFilter{Statuses: []data.Status{data.StatusPlanned, data.StatusPending}, Limit: 2}, []string{"R-01", "R-02"}, 5},
		{"ledger", data.RequestFilter{Ledger: data.LedgerProxy}, []string{"R-01", "R-04", "R-05"}, 3},
		{"group", data.RequestFilter{Group: data.GroupDisabled}, []string{"R-01", "R-03"}, 2},
		{"group+township", data.RequestFilter{Group: data.GroupDisabled, TownshipID: T1}, []string{"R-01"}, 1},
		{"page2", data.RequestFilter{Limit: 2, Offset: 2}, []string{"R-03", "R-04"}, 5},
		{"past end", data.RequestFilter{Offset: 10}, nil, 5},
		{"ids", data.RequestFilter{IDs: []string{"R-04", "R-02", "R-99"}}, []string{"R-02", "R-04"}, 2},
		{"empty ids", data.RequestFilter{IDs: []string{}}, nil, 0},
		{"deadline before", data.RequestFilter{DeadlineBefore: data.Today().AddDays(13)}, []string{"R-03"}, 1},
		{"order priority", data.RequestFilter{Order: "priority"}, []string{"R-02", "R-03", "R-01", "R-05", "R-04"}, 5},
		{"order deadline", data.RequestFilter{Order: "deadline"}, []string{"R-03", "R-01", "R-02", "R-05", "R-04"}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, total, err := s.ListRequests(ctx, tc.f)
			must(t, err)
			var got []string
			for _, r := range rs {
				got = append(got, r.ID)
				if len(r.ItemIDs) == 0 || len(r.History) == 0 {
					t.Errorf("%s listed without items/history: %+v", r.ID, r)
				}
			}
			if !slices.Equal(got, tc.want) || total != tc.total {
				t.Fatalf("ListRequests(%+v) = %v total %d, want %v total %d", tc.f, got, total, tc.want, tc.total)
			}
		})
	}
}

func testRequestUpdateVersion(t *testing.T, s data.Store) {
	fixture(t, s)
	r := newRequest(V1, "MA-01")
	must(t, s.CreateRequest(ctx, &r))
	stale := r
	r.Priority = 5
	r.ItemIDs = []string{"SI-01", "MA-01"}
	r.Household.VillageID = V3
	must(t, s.UpdateRequest(ctx, &r))
	if r.Version != 2 || r.TownshipID != T2 || !slices.Equal(r.ItemIDs, []string{"SI-01", "MA-01"}) {
		t.Fatalf("after update: %+v", r)
	}
	stale.Summary = "lost update?"
	err := s.UpdateRequest(ctx, &stale)
	mustKind(t, err, data.Conflict)
	if data.ErrorField(err) != "version" {
		t.Errorf("conflict field = %q, want version", data.ErrorField(err))
	}
	got, _ := s.GetRequest(ctx, r.ID)
	if got.Summary != "" || got.Priority != 5 {
		t.Fatalf("stale update was applied: %+v", got)
	}
	missing := r
	missing.ID = "R-missing"
	mustKind(t, s.UpdateRequest(ctx, &missing), data.NotFound)
	bad := r
	bad.ItemIDs = []string{"XX-1"}
	mustKind(t, s.UpdateRequest(ctx, &bad), data.Invalid)
}

// testRequestConcurrentUpdates races updates of the same version: exactly
// one must win, every other one must get Conflict, and the stored record is
// the winner's (no lost update).
func testRequestConcurrentUpdates(t *testing.T, s data.Store) {
	fixture(t, s)
	r := newRequest(V1, "MA-01")
	must(t, s.CreateRequest(ctx, &r))
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := r
			c.ItemIDs = slices.Clone(r.ItemIDs)
			c.Summary = fmt.Sprintf("writer %d", i)
			<-start
			errs[i] = s.UpdateRequest(ctx, &c)
		}()
	}
	close(start)
	wg.Wait()
	winners := 0
	winner := ""
	for i, err := range errs {
		switch data.ErrorKind(err) {
		case data.Other:
			winners++
			winner = fmt.Sprintf("writer %d", i)
		case data.Conflict:
		default:
			t.Fatalf("writer %d: unexpected error %v", i, err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d writers succeeded with the same version, want exactly 1 (errors %v)", winners, errs)
	}
	got, _ := s.GetRequest(ctx, r.ID)
	if got.Version != 2 || got.Summary != winner {
		t.Fatalf("stored %q version %d, want %q version 2", got.Summary, got.Version, winner)
	}
	// Concurrent transitions too.
	terrs := make([]error, n)
	start = make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, terrs[i] = s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: 2, To: data.StatusPlanned, By: "u"})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range terrs {
		if err == nil {
			ok++
		} else if data.ErrorKind(err) != data.Conflict {
			t.Fatalf("transition: unexpected error %v", err)
		}
	}
	got, _ = s.GetRequest(ctx, r.ID)
	if ok != 1 || len(got.History) != 2 || got.Version != 3 {
		t.Fatalf("%d transitions won; history %d entries, version %d; want 1, 2, 3", ok, len(got.History), got.Version)
	}
}

func testRequestTransition(t *testing.T, s data.Store) {
	fixture(t, s)
	r := newRequest(V1, "MA-01")
	must(t, s.CreateRequest(ctx, &r))
	steps := []struct {
		to   data.Status
		kind data.Kind
	}{
		{data.StatusPlanned, data.Other},
		{data.StatusFollowUp, data.Other},
		{data.StatusDone, data.Other},
		{data.StatusPending, data.Conflict}, // done is final except follow_up
		{"lost", data.Invalid},
	}
	v := r.Version
	for _, st := range steps {
		got, err := s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: v, To: st.to, By: "u-7", Note: "n"})
		if data.ErrorKind(err) != st.kind {
			t.Fatalf("to %s: err %v, want kind %v", st.to, err, st.kind)
		}
		if err == nil {
			if got.Status != st.to || got.Version != v+1 {
				t.Fatalf("to %s: got %+v", st.to, got)
			}
			v = got.Version
		}
	}
	_, err := s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: 1, To: data.StatusFollowUp})
	mustKind(t, err, data.Conflict)
	raised, err := s.SetRequestPriority(ctx, data.PriorityChange{ID: r.ID, Version: v, Priority: 5, By: "scheduler", Note: "overdue by 2 days"})
	must(t, err)
	last := raised.History[len(raised.History)-1]
	if raised.Priority != 5 || raised.Version != v+1 || last.From != data.StatusDone || last.To != data.StatusDone ||
		last.Note != "priority 3→5: overdue by 2 days" || last.By != "scheduler" {
		t.Fatalf("after SetRequestPriority: priority %d version %d last %+v", raised.Priority, raised.Version, last)
	}
	_, err = s.SetRequestPriority(ctx, data.PriorityChange{ID: r.ID, Version: v, Priority: 4})
	mustKind(t, err, data.Conflict)
	_, err = s.SetRequestPriority(ctx, data.PriorityChange{ID: r.ID, Version: v + 1, Priority: 6})
	mustKind(t, err, data.Invalid)
	_, err = s.TransitionRequest(ctx, data.RequestTransition{ID: "R-404", Version: 1, To: data.StatusPlanned})
	mustKind(t, err, data.NotFound)
	got, _ := s.GetRequest(ctx, r.ID)
	var path []data.Status
	for _, h := range got.History {
		path = append(path, h.To)
	}
	want := []data.Status{data.StatusPending, data.StatusPlanned, data.StatusFollowUp, data.StatusDone, data.StatusDone}
	if !slices.Equal(path, want) || got.History[2].From != data.StatusPlanned || got.History[2].By != "u-7" {
		t.Fatalf("history = %+v, want path %v", got.History, want)
	}
}

// testRequestWithdraw: withdrawing and cancelling need a reason, keep the
// record and its history, freeze editing, and can be undone by reopening.
func testRequestWithdraw(t *testing.T, s data.Store) {
	fixture(t, s)
	r := newRequest(V1, "MA-01")
	r.Household.Phone = "" // a phone is optional
	must(t, s.CreateRequest(ctx, &r))
	if r.Household.Phone != "" {
		t.Fatalf("phone = %q, want empty", r.Household.Phone)
	}
	_, err := s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: 1, To: data.StatusWithdrawn, By: "u-1", Note: "  "})
	mustKind(t, err, data.Invalid)
	if data.ErrorField(err) != "note" {
		t.Fatalf("withdraw without reason: %v, want field note", err)
	}
	w, err := s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: 1, To: data.StatusWithdrawn, By: "u-1", Note: "家属已代为办理"})
	must(t, err)
	if w.Status != data.StatusWithdrawn || w.Version != 2 || len(w.History) != 2 || w.History[1].Note != "家属已代为办理" {
		t.Fatalf("withdrawn = %+v", w)
	}
	edit := w
	edit.Summary = "changed"
	mustKind(t, s.UpdateRequest(ctx, &edit), data.Conflict)
	_, err = s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: 2, To: data.StatusPlanned})
	mustKind(t, err, data.Conflict)
	back, err := s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: 2, To: data.StatusPending, By: "u-1", Note: "household asked again"})
	must(t, err)
	c, err := s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: back.Version, To: data.StatusCancelled, By: "u-1", Note: "不属于本级受理范围"})
	must(t, err)
	var path []data.Status
	for _, h := range c.History {
		path = append(path, h.To)
	}
	if want := []data.Status{data.StatusPending, data.StatusWithdrawn, data.StatusPending, data.StatusCancelled}; !slices.Equal(path, want) {
		t.Fatalf("history path %v, want %v", path, want)
	}
	_, err = s.TransitionRequest(ctx, data.RequestTransition{ID: r.ID, Version: c.Version, To: data.StatusMerged, Note: "x"})
	mustKind(t, err, data.Conflict)
	open, total, err := s.ListRequests(ctx, data.RequestFilter{Statuses: []data.Status{data.StatusCancelled}})
	must(t, err)
	if total != 1 || open[0].ID != r.ID {
		t.Fatalf("cancelled list: %d %v", total, open)
	}
}

// testRequestMerge: a duplicate is folded into the kept request in one
// transaction; nothing is deleted and both histories say so.
func testRequestMerge(t *testing.T, s data.Store) {
	fixture(t, s)
	keep := newRequest(V1, "MA-01")
	keep.Household.Phone = ""
	keep.Priority = 2
	keep.Deadline = ""
	dup := newRequest(V2, "SI-01", "MA-01")
	dup.Priority = 4
	dup.Groups = []data.Group{data.GroupDisabled}
	other := newRequest(V3, "MA-01")
	must(t, s.CreateRequest(ctx, &keep))
	must(t, s.CreateRequest(ctx, &dup))
	must(t, s.CreateRequest(ctx, &other))
	cases := []struct {
		name string
		m    data.RequestMerge
		kind data.Kind
	}{
		{"self", data.RequestMerge{ID: dup.ID, Version: 1, IntoID: dup.ID, IntoVersion: 1}, data.Invalid},
		{"unknown into", data.RequestMerge{ID: dup.ID, Version: 1, IntoID: "R-404", IntoVersion: 1}, data.Invalid},
		{"unknown dup", data.RequestMerge{ID: "R-404", Version: 1, IntoID: keep.ID, IntoVersion: 1}, data.NotFound},
		{"other township", data.RequestMerge{ID: other.ID, Version: 1, IntoID: keep.ID, IntoVersion: 1}, data.Invalid},
		{"stale", data.RequestMerge{ID: dup.ID, Version: 2, IntoID: keep.ID, IntoVersion: 1}, data.Conflict},
		{"stale into", data.RequestMerge{ID: dup.ID, Version: 1, IntoID: keep.ID, IntoVersion: 3}, data.Conflict},
	}
	for _, tc := range cases {
		_, _, err := s.MergeRequests(ctx, tc.m)
		if data.ErrorKind(err) != tc.kind {
			t.Fatalf("%s: err %v, want kind %v", tc.name, err, tc.kind)
		}
	}
	d, k, err := s.MergeRequests(ctx, data.RequestMerge{ID: dup.ID, Version: 1, IntoID: keep.ID, IntoVersion: 1, By: "u-2", Note: "同一户重复登记"})
	must(t, err)
	if d.Status != data.StatusMerged || d.DuplicateOf != keep.ID || d.Version != 2 {
		t.Fatalf("duplicate after merge: %+v", d)
	}
	if !slices.Equal(k.ItemIDs, []string{"MA-01", "SI-01"}) || k.Priority != 4 || k.Deadline != dup.Deadline ||
		k.Household.Phone != dup.Household.Phone || len(k.Groups) != 2 || k.Version != 2 || k.Status != data.StatusPending {
		t.Fatalf("kept after merge: %+v", k)
	}
	if h := d.History[len(d.History)-1]; h.To != data.StatusMerged || h.By != "u-2" || h.Note != "merged into "+keep.ID+": 同一户重复登记" {
		t.Fatalf("duplicate history %+v", h)
	}
	if h := k.History[len(k.History)-1]; h.From != data.StatusPending || h.To != data.StatusPending || !strings.Contains(h.Note, dup.ID) {
		t.Fatalf("kept history %+v", h)
	}
	_, _, err = s.MergeRequests(ctx, data.RequestMerge{ID: dup.ID, Version: 2, IntoID: keep.ID, IntoVersion: 2})
	mustKind(t, err, data.Conflict) // already merged
	_, err = s.TransitionRequest(ctx, data.RequestTransition{ID: dup.ID, Version: 2, To: data.StatusPending})
	mustKind(t, err, data.Conflict) // merged is final
	if got, _ := s.GetRequest(ctx, dup.ID); got.DuplicateOf != keep.ID {
		t.Fatalf("stored duplicate_of = %q", got.DuplicateOf)
	}
}

// testSaveRequests: a ledger workbook's rows create, edit (at the exported
// version) or leave alone requests, all or nothing.
func testSaveRequests(t *testing.T, s data.Store) {
	fixture(t, s)
	a, b := newRequest(V1, "MA-01"), newRequest(V2, "MA-01")
	must(t, s.CreateRequest(ctx, &a))
	must(t, s.CreateRequest(ctx, &b))
	ea := a
	ea.Priority, ea.ItemIDs = 5, []string{"MA-01", "SI-01"}
	c := newRequest(V3, "SI-01")
	res, err := s.SaveRequests(ctx, []data.Request{ea, b, c}, "u-9")
	must(t, err)
	if res != (data.SaveResult{Created: 1, Updated: 1, Unchanged: 1}) {
		t.Fatalf("result %+v", res)
	}
	got, _ := s.GetRequest(ctx, a.ID)
	if got.Priority != 5 || got.Version != 2 || len(got.ItemIDs) != 2 || got.History[len(got.History)-1].By != "u-9" {
		t.Fatalf("edited %+v", got)
	}
	if gb, _ := s.GetRequest(ctx, b.ID); gb.Version != 1 {
		t.Fatalf("unchanged row bumped the version to %d", gb.Version)
	}
	// Stale version, a bad new row and a closed request: all reported, nothing written.
	stale := ea
	stale.Summary = "again"
	bad := newRequest("511822101299", "MA-01")
	_, err = s.TransitionRequest(ctx, data.RequestTransition{ID: b.ID, Version: 1, To: data.StatusWithdrawn, Note: "重复"})
	must(t, err)
	closed := b
	closed.Version, closed.Summary = 2, "edit"
	d := newRequest(V1, "MA-01")
	_, err = s.SaveRequests(ctx, []data.Request{stale, bad, closed, d}, "u-9")
	mustKind(t, err, data.Invalid)
	var lines []string
	for _, r := range data.RowErrors(err) {
		lines = append(lines, fmt.Sprintf("%d %s", r.Line, r.Field))
	}
	if want := []string{"1 version", "2 household.village_id", "3 status"}; !slices.Equal(lines, want) {
		t.Fatalf("bad rows %v, want %v", lines, want)
	}
	if _, total, _ := s.ListRequests(ctx, data.RequestFilter{}); total != 3 {
		t.Fatalf("a rejected batch wrote: %d requests", total)
	}
}

func testImportRequests(t *testing.T, s data.Store) {
	fixture(t, s)
	good := newRequest(V1, "MA-01")
	good.ID = "R-I1"
	bad1 := newRequest("511822101299", "MA-01")
	bad2 := newRequest(V2, "MA-01")
	bad2.Deadline = data.Today().AddDays(-3)
	dup := newRequest(V2, "MA-01")
	dup.ID = "R-I1"
	err := s.ImportRequests(ctx, []data.Request{good, bad1, bad2, dup}, "importer")
	mustKind(t, err, data.Invalid)
	rows := data.RowErrors(err)
	var lines []int
	for _, r := range rows {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{2, 3, 4}) {
		t.Fatalf("bad lines = %v (%v), want [2 3 4]", lines, rows)
	}
	if _, total, _ := s.ListRequests(ctx, data.RequestFilter{}); total != 0 {
		t.Fatalf("rejected import wrote %d requests", total)
	}
	must(t, s.ImportRequests(ctx, []data.Request{good, newRequest(V3, "SI-01")}, "importer"))
	rs, total, _ := s.ListRequests(ctx, data.RequestFilter{})
	if total != 2 || rs[0].History[0].By != "importer" && rs[1].History[0].By != "importer" {
		t.Fatalf("imported %d: %+v", total, rs)
	}
	mustKind(t, s.ImportRequests(ctx, []data.Request{good}, "x"), data.Invalid) // id exists now
}

func planFixture(t *testing.T, s data.Store) (data.PlanDetail, []string) {
	fixture(t, s)
	var ids []string
	for _, v := range []string{V3, V4, V1} {
		r := newRequest(v, "MA-01")
		must(t, s.CreateRequest(ctx, &r))
		ids = append(ids, r.ID)
	}
	d := data.PlanDetail{
		Plan: data.Plan{Kind: data.PlanCircuit, From: "2026-12-07", To: "2026-12-11", CreatedBy: "planner",
			Summary: &data.PlanSummary{CircuitSummary: &data.CircuitSummary{Stats: data.CircuitStats{Cost: 1234, Unserved: 1},
				Unassigned: []data.UnassignedRequest{{RequestID: "R-x", Code: "capacity", Priority: 3}}}}},
		Itineraries: []data.Itinerary{
			{TeamID: "T-CTY-1", Date: "2026-12-08", Stops: []data.Stop{
				{Seq: 1, VillageID: V3, RequestIDs: []string{ids[0]}, Location: data.Point{Lon: 102.63, Lat: 29.78}, Arrival: 570, Start: 570, Depart: 600, TravelSeconds: 1800},
				{Seq: 2, VillageID: V4, RequestIDs: []string{ids[1]}, Location: data.Point{Lon: 102.64, Lat: 29.77}, Arrival: 610, Start: 620, Depart: 640, TravelSeconds: 600, Locked: true},
			}, ReturnSeconds: 2000},
			{TeamID: "T-AG-" + V3, Date: "2026-12-09", Stops: []data.Stop{
				{Seq: 1, VillageID: V1, RequestIDs: []string{ids[2]}, Location: data.Point{Lon: 102.77, Lat: 29.78}, Arrival: 500, Start: 540, Depart: 560},
			}},
		},
	}
	return d, ids
}

func testPlans(t *testing.T, s data.Store) {
	d, ids := planFixture(t, s)
	must(t, s.CreatePlan(ctx, &d))
	if d.Plan.ID == "" || d.Plan.Version != 1 || d.Plan.Status != data.PlanDraft || d.Itineraries[0].PlanID != d.Plan.ID {
		t.Fatalf("created plan = %+v", d.Plan)
	}
	got, err := s.GetPlan(ctx, d.Plan.ID)
	must(t, err)
	if len(got.Itineraries) != 2 || len(got.Itineraries[0].Stops) != 2 || !got.Itineraries[0].Stops[1].Locked ||
		got.Itineraries[0].Stops[1].Start != 620 || got.Plan.Summary.Circuit().Stats.Cost != 1234 || len(got.Plan.Summary.Circuit().Unassigned) != 1 || got.Plan.Summary.MarketSummary != nil || got.Itineraries[0].ReturnSeconds != 2000 {
		t.Fatalf("GetPlan = %+v", got)
	}
	// Market plan with desks.
	m := data.PlanDetail{Plan: data.Plan{Kind: data.PlanMarket, From: "2026-12-07", To: "2026-12-13", CreatedBy: "scheduler"},
		Desks: []data.Desk{{TownshipID: T1, Date: "2026-12-07", Start: 480, End: 720, StaffIDs: []string{"ST-2"}, ItemIDs: []string{"SI-01"}, RequestIDs: []string{ids[2]}}}}
	must(t, s.CreatePlan(ctx, &m))
	gm, _ := s.GetPlan(ctx, m.Plan.ID)
	if len(gm.Desks) != 1 || gm.Desks[0].StaffIDs[0] != "ST-2" || gm.Desks[0].End != 720 {
		t.Fatalf("market plan = %+v", gm)
	}
	ps, err := s.ListPlans(ctx, data.PlanFilter{Kind: data.PlanCircuit})
	must(t, err)
	if len(ps) != 1 || ps[0].ID != d.Plan.ID {
		t.Fatalf("ListPlans(circuit) = %+v", ps)
	}
	ps, _ = s.ListPlans(ctx, data.PlanFilter{Overlaps: "2026-12-12"})
	if len(ps) != 1 || ps[0].ID != m.Plan.ID {
		t.Fatalf("ListPlans(overlaps 12-12) = %+v", ps)
	}

	// Replace content with the current version; a stale one conflicts.
	stale := got
	got.Itineraries = got.Itineraries[:1]
	got.Plan.Summary = &data.PlanSummary{CircuitSummary: &data.CircuitSummary{Stats: data.CircuitStats{Cost: 1000}}}
	must(t, s.ReplacePlan(ctx, &got))
	if got.Plan.Version != 2 {
		t.Fatalf("version after replace = %d", got.Plan.Version)
	}
	mustKind(t, s.ReplacePlan(ctx, &stale), data.Conflict)
	again, _ := s.GetPlan(ctx, d.Plan.ID)
	if len(again.Itineraries) != 1 {
		t.Fatalf("stale replace changed content: %d itineraries", len(again.Itineraries))
	}
	_, err = s.PublishPlan(ctx, data.Publication{ID: d.Plan.ID, Version: 1})
	mustKind(t, err, data.Conflict)
	pub, err := s.PublishPlan(ctx, data.Publication{ID: d.Plan.ID, Version: 2})
	must(t, err)
	if pub.Status != data.PlanPublished || pub.Version != 3 {
		t.Fatalf("published = %+v", pub)
	}
	its, err := s.ListItineraries(ctx, data.ItineraryFilter{PublishedOnly: true})
	must(t, err)
	if len(its) != 1 || its[0].TeamID != "T-CTY-1" {
		t.Fatalf("ListItineraries(published) = %+v", its)
	}

	// Bad content is rejected with a path-like field.
	bad := data.PlanDetail{Plan: data.Plan{Kind: data.PlanCircuit, From: "2026-12-07", To: "2026-12-11", CreatedBy: "p"},
		Itineraries: []data.Itinerary{{TeamID: "T-CTY-1", Date: "2026-12-08", Stops: []data.Stop{
			{Seq: 1, VillageID: V3, RequestIDs: []string{"R-404"}, Location: data.Point{Lon: 102.63, Lat: 29.78}, Arrival: 1, Start: 1, Depart: 2}}}}}
	err = s.CreatePlan(ctx, &bad)
	mustKind(t, err, data.Invalid)
	if f := data.ErrorField(err); f != "itineraries[0].stops[0].request_ids[0]" {
		t.Fatalf("field = %q", f)
	}
	bad.Itineraries[0].Stops[0].RequestIDs = nil
	bad.Itineraries[0].Date = "2026-12-20"
	mustKind(t, s.CreatePlan(ctx, &bad), data.Invalid)
	nan := data.PlanDetail{Plan: data.Plan{Kind: data.PlanCircuit, From: "2026-12-07", To: "2026-12-11", CreatedBy: "p",
		Summary: &data.PlanSummary{CircuitSummary: &data.CircuitSummary{Stats: data.CircuitStats{ElapsedSec: math.NaN()}}}}}
	err = s.CreatePlan(ctx, &nan)
	mustKind(t, err, data.Invalid)
	if data.ErrorField(err) != "summary" {
		t.Fatalf("NaN summary: field %q", data.ErrorField(err))
	}
	// A circuit plan has no market summary.
	mixed := data.PlanDetail{Plan: data.Plan{Kind: data.PlanCircuit, From: "2026-12-07", To: "2026-12-11", CreatedBy: "p",
		Summary: &data.PlanSummary{MarketSummary: &data.MarketSummary{Run: "done"}}}}
	err = s.CreatePlan(ctx, &mixed)
	mustKind(t, err, data.Invalid)
	if data.ErrorField(err) != "summary" {
		t.Fatalf("market summary on a circuit plan: field %q", data.ErrorField(err))
	}

	// A published plan is history: neither replaced nor deleted.
	pubd, _ := s.GetPlan(ctx, d.Plan.ID)
	mustKind(t, s.ReplacePlan(ctx, &pubd), data.Conflict)
	mustKind(t, s.DeletePlan(ctx, d.Plan.ID, 3), data.Conflict)
	mustKind(t, s.DeletePlan(ctx, m.Plan.ID, 99), data.Conflict)
	must(t, s.DeletePlan(ctx, m.Plan.ID, 1))
	_, err = s.GetPlan(ctx, m.Plan.ID)
	mustKind(t, err, data.NotFound)
	mustKind(t, s.DeletePlan(ctx, m.Plan.ID, 1), data.NotFound)
}

func testPlanScoping(t *testing.T, s data.Store) {
	d, ids := planFixture(t, s)
	must(t, s.CreatePlan(ctx, &d))
	// A draft shows no household to the team.
	got, err := s.RequestIDsForTeam(ctx, "T-CTY-1", "", "")
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("RequestIDsForTeam on a draft = %v, want none", got)
	}
	if _, total, _ := s.ListRequests(ctx, data.RequestFilter{TeamID: "T-AG-" + V3}); total != 0 {
		t.Fatalf("ListRequests(team) on a draft: total %d, want 0", total)
	}
	_, err = s.PublishPlan(ctx, data.Publication{ID: d.Plan.ID, Version: d.Plan.Version})
	must(t, err)
	got, err = s.RequestIDsForTeam(ctx, "T-CTY-1", "", "")
	must(t, err)
	want := slices.Sorted(slices.Values(ids[:2]))
	if !slices.Equal(got, want) {
		t.Fatalf("RequestIDsForTeam = %v, want %v", got, want)
	}
	got, _ = s.RequestIDsForTeam(ctx, "T-CTY-1", "2026-12-09", "2026-12-11")
	if len(got) != 0 {
		t.Fatalf("RequestIDsForTeam(out of range) = %v", got)
	}
	rs, total, err := s.ListRequests(ctx, data.RequestFilter{TeamID: "T-AG-" + V3})
	must(t, err)
	if total != 1 || rs[0].ID != ids[2] {
		t.Fatalf("ListRequests(team) = %v total %d, want [%s]", rs, total, ids[2])
	}
	_, total, _ = s.ListRequests(ctx, data.RequestFilter{TeamID: "T-nobody"})
	if total != 0 {
		t.Fatalf("ListRequests(unknown team) total = %d", total)
	}
	// A newer published version replaces the older one: only its stops count.
	d2 := data.PlanDetail{Plan: data.Plan{Kind: data.PlanCircuit, From: d.Plan.From, To: d.Plan.To, CreatedBy: "planner"},
		Itineraries: []data.Itinerary{{TeamID: "T-CTY-1", Date: "2026-12-08", Stops: d.Itineraries[0].Stops[:1], ReturnSeconds: 1800}}}
	must(t, s.CreatePlan(ctx, &d2))
	_, err = s.PublishPlan(ctx, data.Publication{ID: d2.Plan.ID, Version: d2.Plan.Version, Supersedes: d.Plan.ID})
	must(t, err)
	got, _ = s.RequestIDsForTeam(ctx, "T-CTY-1", "", "")
	if !slices.Equal(got, ids[:1]) {
		t.Fatalf("RequestIDsForTeam after a superseding publication = %v, want %v", got, ids[:1])
	}
	if _, total, _ := s.ListRequests(ctx, data.RequestFilter{TeamID: "T-AG-" + V3}); total != 0 {
		t.Fatalf("ListRequests(team) of a superseded plan: total %d, want 0", total)
	}
}

func testUsersTokens(t *testing.T, s data.Store) {
	fixture(t, s)
	admin := data.User{ID: "admin", Name: "管理员", Role: data.UserAdmin}
	must(t, s.CreateUser(ctx, &admin))
	if admin.Version != 1 || admin.CreatedAt.IsZero() {
		t.Fatalf("created user = %+v", admin)
	}
	mustKind(t, s.CreateUser(ctx, &data.User{ID: "admin", Name: "x", Role: data.UserAdmin}), data.Conflict)
	for _, tc := range []struct {
		name  string
		u     data.User
		field string
	}{
		{"coordinator without township", data.User{ID: "c1", Name: "c", Role: data.UserTownshipCoordinator}, "township_id"},
		{"coordinator unknown township", data.User{ID: "c1", Name: "c", Role: data.UserTownshipCoordinator, TownshipID: "511822102000"}, "township_id"},
		{"member unknown team", data.User{ID: "m1", Name: "m", Role: data.UserTeamMember, TeamID: "T-404"}, "team_id"},
		{"planner with team", data.User{ID: "p1", Name: "p", Role: data.UserCountyPlanner, TeamID: "T-CTY-1"}, "team_id"},
		{"bad role", data.User{ID: "p1", Name: "p", Role: "root"}, "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateUser(ctx, &tc.u)
			mustKind(t, err, data.Invalid)
			if data.ErrorField(err) != tc.field {
				t.Fatalf("field = %q, want %q", data.ErrorField(err), tc.field)
			}
		})
	}
	coord := data.User{ID: "c1", Name: "协调员", Role: data.UserTownshipCoordinator, TownshipID: T1}
	must(t, s.CreateUser(ctx, &coord))
	coord.Name = "协调员甲"
	must(t, s.UpdateUser(ctx, &coord))
	if coord.Version != 2 {
		t.Fatalf("version after update = %d", coord.Version)
	}
	coord.Version = 1
	mustKind(t, s.UpdateUser(ctx, &coord), data.Conflict)

	secret, hash, err := data.NewToken()
	must(t, err)
	if data.HashToken(secret) != hash || len(hash) != 64 {
		t.Fatalf("NewToken hash mismatch")
	}
	tok := data.Token{UserID: "admin", Name: "cli", Hash: hash}
	must(t, s.CreateToken(ctx, &tok))
	mustKind(t, s.CreateToken(ctx, &data.Token{UserID: "admin", Hash: hash}), data.Conflict)
	mustKind(t, s.CreateToken(ctx, &data.Token{UserID: "ghost", Hash: data.HashToken("x")}), data.Invalid)
	mustKind(t, s.CreateToken(ctx, &data.Token{UserID: "admin", Hash: "plain-secret"}), data.Invalid)
	u, gotTok, err := s.UserByTokenHash(ctx, data.HashToken(secret))
	must(t, err)
	if u.ID != "admin" || gotTok.ID != tok.ID {
		t.Fatalf("UserByTokenHash = %+v %+v", u, gotTok)
	}
	_, _, err = s.UserByTokenHash(ctx, data.HashToken("wrong"))
	mustKind(t, err, data.Unauthorized)

	past := time.Now().Add(-time.Hour)
	expired := data.Token{UserID: "c1", Hash: data.HashToken("old"), ExpiresAt: &past}
	must(t, s.CreateToken(ctx, &expired))
	_, _, err = s.UserByTokenHash(ctx, data.HashToken("old"))
	mustKind(t, err, data.Unauthorized)

	future := time.Now().Add(time.Hour)
	ct := data.Token{UserID: "c1", Hash: data.HashToken("c1"), ExpiresAt: &future}
	must(t, s.CreateToken(ctx, &ct))
	if _, _, err := s.UserByTokenHash(ctx, data.HashToken("c1")); err != nil {
		t.Fatalf("valid token: %v", err)
	}
	coord, _ = s.GetUser(ctx, "c1")
	coord.Disabled = true
	must(t, s.UpdateUser(ctx, &coord))
	_, _, err = s.UserByTokenHash(ctx, data.HashToken("c1"))
	mustKind(t, err, data.Unauthorized)

	toks, err := s.ListTokens(ctx, "c1")
	must(t, err)
	if len(toks) != 2 {
		t.Fatalf("ListTokens = %+v", toks)
	}
	must(t, s.DeleteToken(ctx, tok.ID))
	mustKind(t, s.DeleteToken(ctx, tok.ID), data.NotFound)
	_, _, err = s.UserByTokenHash(ctx, hash)
	mustKind(t, err, data.Unauthorized)
	users, err := s.ListUsers(ctx)
	must(t, err)
	if len(users) != 2 {
		t.Fatalf("ListUsers = %+v", users)
	}
	_, err = s.GetUser(ctx, "nobody")
	mustKind(t, err, data.NotFound)
}

func testMatrixCache(t *testing.T, s data.Store) {
	_, err := s.GetMatrix(ctx, "car:1")
	mustKind(t, err, data.NotFound)
	blob := []byte{0, 1, 2, 255, 'x'}
	must(t, s.PutMatrix(ctx, data.MatrixEntry{Key: "car:1", Blob: blob, Source: "haversine"}))
	must(t, s.PutMatrix(ctx, data.MatrixEntry{Key: "car:2", Blob: []byte("b"), Source: "osm"}))
	must(t, s.PutMatrix(ctx, data.MatrixEntry{Key: "foot_1", Blob: []byte("c"), Source: "osm"}))
	e, err := s.GetMatrix(ctx, "car:1")
	must(t, err)
	if string(e.Blob) != string(blob) || e.Source != "haversine" || e.CreatedAt.IsZero() {
		t.Fatalf("GetMatrix = %+v", e)
	}
	must(t, s.PutMatrix(ctx, data.MatrixEntry{Key: "car:1", Blob: []byte("new"), Source: "osm"}))
	e, _ = s.GetMatrix(ctx, "car:1")
	if string(e.Blob) != "new" {
		t.Fatalf("replace: %q", e.Blob)
	}
	mustKind(t, s.PutMatrix(ctx, data.MatrixEntry{Key: ""}), data.Invalid)
	// '_' and '%' in a prefix are literal, not LIKE wildcards.
	n, err := s.DeleteMatrices(ctx, "car:")
	must(t, err)
	if n != 2 {
		t.Fatalf("DeleteMatrices(car:) = %d, want 2", n)
	}
	n, _ = s.DeleteMatrices(ctx, "foot%")
	if n != 0 {
		t.Fatalf("DeleteMatrices(foot%%) = %d, want 0", n)
	}
	if _, err := s.GetMatrix(ctx, "foot_1"); err != nil {
		t.Fatalf("foot_1 gone: %v", err)
	}
}

func testJobs(t *testing.T, s data.Store) {
	r1 := data.JobRun{Job: "weekly-circuit", Slot: "2026-11-30T08:00+08:00"}
	must(t, s.StartJobRun(ctx, &r1))
	if r1.ID == "" || r1.Outcome != data.JobRunning || r1.Started.IsZero() {
		t.Fatalf("started = %+v", r1)
	}
	r2 := data.JobRun{Job: "weekly-circuit", Slot: r1.Slot}
	mustKind(t, s.StartJobRun(ctx, &r2), data.Conflict)
	must(t, s.AbandonJobRun(ctx, r1.ID, "process died"))
	mustKind(t, s.AbandonJobRun(ctx, r1.ID, "again"), data.Conflict)
	mustKind(t, s.AbandonJobRun(ctx, "J-404", "x"), data.NotFound)
	must(t, s.StartJobRun(ctx, &r2)) // slot free again
	r2.Outcome, r2.Output = data.JobOK, map[string]any{"plan": "P-1", "stops": 42.0}
	must(t, s.FinishJobRun(ctx, r2))
	mustKind(t, s.FinishJobRun(ctx, data.JobRun{ID: "J-404", Outcome: data.JobOK}), data.NotFound)
	mustKind(t, s.FinishJobRun(ctx, data.JobRun{ID: r2.ID, Outcome: "great"}), data.Invalid)
	manual := data.JobRun{Job: "market", Started: time.Now().Add(time.Minute)}
	must(t, s.StartJobRun(ctx, &manual))
	must(t, s.StartJobRun(ctx, &data.JobRun{Job: "market"})) // empty slots never clash

	runs, err := s.ListJobRuns(ctx, data.JobRunFilter{Job: "weekly-circuit"})
	must(t, err)
	if len(runs) != 2 {
		t.Fatalf("ListJobRuns = %+v", runs)
	}
	var done data.JobRun
	for _, r := range runs {
		if r.ID == r2.ID {
			done = r
		}
	}
	if done.Outcome != data.JobOK || done.Ended == nil || done.Output["plan"] != "P-1" {
		t.Fatalf("finished run = %+v", done)
	}
	all, _ := s.ListJobRuns(ctx, data.JobRunFilter{Limit: 1})
	if len(all) != 1 || all[0].ID != manual.ID {
		t.Fatalf("newest run = %+v, want %s", all, manual.ID)
	}
	slot, err := s.LastJobSlot(ctx, "weekly-circuit")
	must(t, err)
	if slot != r1.Slot {
		t.Fatalf("LastJobSlot = %q", slot)
	}
	if slot, _ := s.LastJobSlot(ctx, "never"); slot != "" {
		t.Fatalf("LastJobSlot(never) = %q", slot)
	}

	js := data.JobSchedule{Job: "weekly-circuit", Spec: "0 8 * * 1", TimeZone: "Asia/Shanghai", Enabled: true, UpdatedBy: "admin"}
	must(t, s.PutJobSchedule(ctx, &js))
	js.Enabled = false
	must(t, s.PutJobSchedule(ctx, &js))
	list, err := s.ListJobSchedules(ctx)
	must(t, err)
	if len(list) != 1 || list[0].Enabled || list[0].Spec != "0 8 * * 1" || list[0].UpdatedBy != "admin" {
		t.Fatalf("ListJobSchedules = %+v", list)
	}
	must(t, s.DeleteJobSchedule(ctx, "weekly-circuit"))
	mustKind(t, s.DeleteJobSchedule(ctx, "weekly-circuit"), data.NotFound)
	mustKind(t, s.PutJobSchedule(ctx, &data.JobSchedule{Job: "x"}), data.Invalid)
	mustKind(t, s.StartJobRun(ctx, &data.JobRun{Job: "x", Output: map[string]any{"f": func() {}}}), data.Invalid)
}

func testBookings(t *testing.T, s data.Store) {
	fixture(t, s)
	b := data.Booking{TownshipID: T2, Date: "2027-01-03", ItemID: "SI-01", Via: "agent", CreatedBy: "u-1",
		Household: data.Household{Name: "钱某某", Phone: "13900000000", VillageID: V3}}
	must(t, s.CreateBooking(ctx, &b))
	if b.ID == "" || b.Status != data.BookingBooked || b.CreatedAt.IsZero() {
		t.Fatalf("created booking = %+v", b)
	}
	for _, tc := range []struct {
		name  string
		edit  func(b *data.Booking)
		field string
	}{
		{"village of another township", func(b *data.Booking) { b.Household.VillageID = V1 }, "household.village_id"},
		{"unknown village", func(b *data.Booking) { b.Household.VillageID = "511822207299" }, "household.village_id"},
		{"unknown item", func(b *data.Booking) { b.ItemID = "XX-1" }, "item_id"},
		{"bad via", func(b *data.Booking) { b.Via = "fax" }, "via"},
		{"bad date", func(b *data.Booking) { b.Date = "tomorrow" }, "date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := data.Booking{TownshipID: T2, Date: "2027-01-03", ItemID: "SI-01", Via: "api",
				Household: data.Household{Name: "孙某某", Phone: "13900000001", VillageID: V4}}
			tc.edit(&c)
			err := s.CreateBooking(ctx, &c)
			mustKind(t, err, data.Invalid)
			if data.ErrorField(err) != tc.field {
				t.Fatalf("field = %q, want %q", data.ErrorField(err), tc.field)
			}
		})
	}
	b2 := data.Booking{TownshipID: T2, Date: "2027-01-06", ItemID: "MA-01", Via: "api", Household: data.Household{Name: "周某某", Phone: "13900000002", VillageID: V4}}
	must(t, s.CreateBooking(ctx, &b2))
	dup := b2
	mustKind(t, s.CreateBooking(ctx, &dup), data.Conflict)
	got, err := s.SetBookingStatus(ctx, b.ID, data.BookingServed, "u-2")
	must(t, err)
	if got.Status != data.BookingServed || got.UpdatedBy != "u-2" {
		t.Fatalf("after SetBookingStatus: %+v", got)
	}
	_, err = s.SetBookingStatus(ctx, "B-404", data.BookingServed, "u")
	mustKind(t, err, data.NotFound)
	_, err = s.SetBookingStatus(ctx, b.ID, "lost", "u")
	mustKind(t, err, data.Invalid)
	for _, tc := range []struct {
		name string
		f    data.BookingFilter
		want []string
	}{
		{"all", data.BookingFilter{}, []string{b.ID, b2.ID}},
		{"range", data.BookingFilter{From: "2027-01-04", To: "2027-01-31"}, []string{b2.ID}},
		{"status", data.BookingFilter{Statuses: []data.BookingStatus{data.BookingBooked}}, []string{b2.ID}},
		{"township", data.BookingFilter{TownshipID: T1}, nil},
	} {
		t.Run("list-"+tc.name, func(t *testing.T) {
			bs, err := s.ListBookings(ctx, tc.f)
			must(t, err)
			var ids []string
			for _, x := range bs {
				ids = append(ids, x.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("ListBookings(%v) = %v, want %v", tc.f, ids, tc.want)
			}
		})
	}
	g, err := s.GetBooking(ctx, b2.ID)
	must(t, err)
	if g.Household.Name != "周某某" || g.Date != "2027-01-06" {
		t.Fatalf("GetBooking = %+v", g)
	}
}

// testDryRun checks that data.DryRun writes nothing but reports everything.
func testDryRun(t *testing.T, s data.Store) {
	fixture(t, s)
	dry := data.DryRun(ctx)
	r := newRequest(V1, "MA-01")
	must(t, s.CreateRequest(dry, &r))
	if _, total, _ := s.ListRequests(ctx, data.RequestFilter{}); total != 0 {
		t.Fatalf("dry-run CreateRequest wrote %d requests", total)
	}
	bad := newRequest("511822101299", "MA-01")
	err := s.ImportRequests(dry, []data.Request{newRequest(V1, "MA-01"), bad}, "x")
	if rows := data.RowErrors(err); len(rows) != 1 || rows[0].Line != 2 {
		t.Fatalf("dry-run import errors = %v", err)
	}
}

// testTextParity: text PostgreSQL refuses (NUL, invalid UTF-8) is refused by
// every store with the same Invalid error, and nothing is written.
func testTextParity(t *testing.T, s data.Store) {
	fixture(t, s)
	for _, tc := range []struct {
		name string
		edit func(r *data.Request)
	}{
		{"NUL in name", func(r *data.Request) { r.Household.Name = "赵\x00某" }},
		{"NUL in summary", func(r *data.Request) { r.Summary = "\x00" }},
		{"invalid UTF-8 in address", func(r *data.Request) { r.Household.Address = "\xff\xfe" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(V1, "MA-01")
			tc.edit(&r)
			mustKind(t, s.CreateRequest(ctx, &r), data.Invalid)
		})
	}
	u := data.User{ID: "u-nul", Name: "a\x00b", Role: data.UserCountyPlanner}
	mustKind(t, s.CreateUser(ctx, &u), data.Invalid)
	_, total, err := s.ListRequests(ctx, data.RequestFilter{})
	must(t, err)
	if total != 0 {
		t.Fatalf("refused requests were written: total %d", total)
	}
}

// testAccessTrail: entries round-trip with their ids, filter by user,
// record, kind, action and time, page newest first, and purge by age.
func testAccessTrail(t *testing.T, s data.Store) {
	base := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	mk := func(min int, user string, action data.AccessAction, ids ...string) data.AccessRecord {
		r := data.AccessRecord{At: base.Add(time.Duration(min) * time.Minute), UserID: user, Role: data.UserTownshipCoordinator,
			Action: action, Method: "GET", Route: "/api/v1/requests/:id", Kind: "request", RecordIDs: ids, Status: 200, RequestID: "rid"}
		must(t, s.RecordAccess(ctx, &r))
		if r.ID == "" {
			t.Fatal("no id assigned")
		}
		return r
	}
	mk(0, "u-a", data.AccessRead, "R-1")
	mk(1, "u-a", data.AccessRead, "R-2", "R-1", "R-2") // duplicates collapse
	mk(2, "u-b", data.AccessChange, "R-2")
	mustKind(t, s.RecordAccess(ctx, &data.AccessRecord{Action: data.AccessRead, Kind: "request"}), data.Invalid)
	mustKind(t, s.RecordAccess(ctx, &data.AccessRecord{UserID: "u", Action: "peek", Kind: "request"}), data.Invalid)

	all, total, err := s.ListAccess(ctx, data.AccessFilter{})
	must(t, err)
	if total != 3 || len(all) != 3 || all[0].UserID != "u-b" || !all[0].At.Equal(base.Add(2*time.Minute)) ||
		!slices.Equal(all[1].RecordIDs, []string{"R-1", "R-2"}) || all[2].Route != "/api/v1/requests/:id" {
		t.Fatalf("ListAccess = %+v (total %d)", all, total)
	}
	for _, tc := range []struct {
		f    data.AccessFilter
		want int
	}{
		{data.AccessFilter{UserID: "u-a"}, 2},
		{data.AccessFilter{RecordID: "R-1"}, 2},
		{data.AccessFilter{RecordID: "R-2"}, 2},
		{data.AccessFilter{RecordID: "R-_"}, 0},
		{data.AccessFilter{Action: data.AccessChange}, 1},
		{data.AccessFilter{Kind: "booking"}, 0},
		{data.AccessFilter{From: base.Add(time.Minute)}, 2},
		{data.AccessFilter{To: base.Add(time.Minute)}, 1},
	} {
		_, n, err := s.ListAccess(ctx, tc.f)
		must(t, err)
		if n != tc.want {
			t.Errorf("ListAccess(%+v) total %d, want %d", tc.f, n, tc.want)
		}
	}
	page, total, _ := s.ListAccess(ctx, data.AccessFilter{Limit: 1, Offset: 1})
	if total != 3 || len(page) != 1 || page[0].UserID != "u-a" || len(page[0].RecordIDs) != 2 {
		t.Fatalf("page 2 = %+v", page)
	}
	n, err := s.PurgeAccess(ctx, base.Add(90*time.Second))
	must(t, err)
	if n != 2 {
		t.Fatalf("purged %d, want 2", n)
	}
	if _, total, _ := s.ListAccess(ctx, data.AccessFilter{RecordID: "R-1"}); total != 0 {
		t.Fatalf("purged entries still listed by record: %d", total)
	}
}

// testHandoffs: the list attributes of items round-trip; a hand-off chain
// is created for a request, updated under its version, and its delivery
// request is created in the same transaction (nothing written on conflict).
func testHandoffs(t *testing.T, s data.Store) {
	fixture(t, s)
	must(t, s.PutServiceItems(ctx, []data.ServiceItem{{ID: "LC-02", Name: "林木采伐许可(跨层级)", Category: data.CatLicences, Kind: "approval",
		LowestLevel: data.LevelTownship, Mode: data.ModeIntakeProxy, DurationMin: 30, Skill: data.SkillForestry, List: data.ListCrossLevel, HandledAt: data.LevelCounty}}))
	it, err := s.GetServiceItem(ctx, "LC-02")
	must(t, err)
	if it.List != data.ListCrossLevel || it.HandledAt != data.LevelCounty {
		t.Fatalf("item lists = %q %q", it.List, it.HandledAt)
	}
	err = s.PutServiceItems(ctx, []data.ServiceItem{{ID: "LC-03", Name: "x", Category: data.CatLicences, Kind: "approval",
		LowestLevel: data.LevelTownship, Mode: data.ModeIntakeProxy, DurationMin: 30, Skill: data.SkillForestry, List: data.ListCrossLevel}})
	mustKind(t, err, data.Invalid)

	r := newRequest(V3, "LC-02")
	must(t, s.CreateRequest(ctx, &r))
	day := data.DateOf(time.Now())
	h := data.Handoff{RequestID: r.ID, ItemID: "LC-02", AcceptedVia: data.AcceptMarketDesk, AcceptedOn: day, Status: data.HandoffOpen,
		Stages: []data.HandoffStage{{Level: data.LevelTownship, Holder: "赶集日服务台", From: day, Due: day.AddDays(3)}}}
	must(t, s.CreateHandoff(ctx, &h))
	if h.ID == "" || h.Version != 1 || h.TownshipID != T2 {
		t.Fatalf("created %+v", h)
	}
	bad := h
	bad.ID, bad.RequestID = "", "R-nope"
	mustKind(t, s.CreateHandoff(ctx, &bad), data.Invalid)

	h.Stages[0].Done = day
	h.Stages = append(h.Stages, data.HandoffStage{Level: data.LevelCounty, Holder: "县林业局", From: day, Due: day.AddDays(10)})
	must(t, s.UpdateHandoff(ctx, &h, nil))
	stale := h
	stale.Version = 1
	d := newRequest(V3, "LC-02")
	mustKind(t, s.UpdateHandoff(ctx, &stale, &d), data.Conflict)
	if _, total, _ := s.ListRequests(ctx, data.RequestFilter{}); total != 1 {
		t.Fatalf("a conflicting update wrote its delivery request: %d requests", total)
	}
	h.Status = data.HandoffDelivering
	must(t, s.UpdateHandoff(ctx, &h, &d))
	if h.Version != 3 || h.DeliveryRequestID == "" || h.DeliveryRequestID != d.ID {
		t.Fatalf("after delivery %+v (delivery %s)", h, d.ID)
	}
	got, err := s.GetHandoff(ctx, h.ID)
	must(t, err)
	if got.Status != data.HandoffDelivering || len(got.Stages) != 2 || got.Stages[1].Holder != "县林业局" || got.DeliveryRequestID != d.ID {
		t.Fatalf("GetHandoff = %+v", got)
	}
	hs, err := s.ListHandoffs(ctx, data.HandoffFilter{TownshipID: T2})
	must(t, err)
	if len(hs) != 1 {
		t.Fatalf("ListHandoffs(T2) = %d", len(hs))
	}
	if hs, _ := s.ListHandoffs(ctx, data.HandoffFilter{TownshipID: T1}); len(hs) != 0 {
		t.Fatalf("ListHandoffs(T1) = %d", len(hs))
	}
	_, err = s.GetHandoff(ctx, "H-nope")
	mustKind(t, err, data.NotFound)
}
