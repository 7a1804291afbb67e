package market

import (
	"context"
	"github.com/yingjing/xunhui/internal/ical"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
)

// now is the fixed clock of the service tests (08:00 in the county).
var now = time.Date(2026, 11, 30, 8, 0, 0, 0, data.Local)

var (
	planner = Actor{UserID: "u-planner", Role: data.UserCountyPlanner}
)

// seeded returns a service over a migrated SQLite store with the county
// seed (SAMPLE staff, cycles and items).
func seeded(t *testing.T) (*Service, data.Store) {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.New(t)
	if _, err := seed.Load(ctx, st, seed.Options{Requests: 50}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	q := jobstest.Start(t, st, jobs.Config{}, nil)
	svc := NewService(st, Config{Now: func() time.Time { return now }, Queue: q,
		Options: Options{MaxIterations: 20_000, TimeLimit: time.Minute}, ReplanIterations: 10_000})
	jobstest.Handle(svc, data.RunMarketPlan)(q)
	return svc, st
}

// firstMarketDay returns a township with a market day on or after from,
// and that day.
func firstMarketDay(t *testing.T, svc *Service, st data.Store, skip int) (string, data.Date) {
	t.Helper()
	ctx := context.Background()
	ts, err := st.ListTownships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tw := range ts[skip:] {
		days, err := svc.MarketDays(ctx, tw.ID, "2026-12-01", "2026-12-31")
		if err != nil {
			t.Fatal(err)
		}
		if len(days) > 0 {
			return tw.ID, days[0].Date
		}
	}
	t.Fatal("no market day in the seed")
	return "", ""
}

func TestServicePlanEndToEnd(t *testing.T) {
	svc, st := seeded(t)
	ctx := context.Background()
	tid, day := firstMarketDay(t, svc, st, 0)
	vs, _ := st.ListVillages(ctx, tid)
	items, _ := st.ListServiceItems(ctx)
	for i := 0; i < 20; i++ {
		_, err := svc.Book(ctx, planner, tid, string(day), BookingInput{ItemID: items[i%4].ID,
			Household: data.Household{Name: "王大妈 (SAMPLE)", Phone: "13900001111", VillageID: vs[0].ID}})
		if err != nil {
			t.Fatalf("book: %v", err)
		}
	}
	id, err := svc.StartPlan(ctx, planner, "2026-12-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.WaitPlan(ctx, id); err != nil {
		t.Fatal(err)
	}
	v, err := svc.GetPlan(ctx, planner, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != RunDone {
		t.Fatalf("status %s (%s), want done", v.Status, v.Error)
	}
	if len(v.Desks) == 0 {
		t.Fatal("no desks")
	}
	t.Logf("desks %d uncovered %d stats %+v", len(v.Desks), len(v.Uncovered), v.Stats)
	if int64(len(v.Missed)) > v.Stats.Cost.Missed || (v.Stats.Cost.Missed > 0 && len(v.Missed) == 0) {
		t.Errorf("missed targets listed %d, cost counts %d desks", len(v.Missed), v.Stats.Cost.Missed)
	}
	for _, m := range v.Missed {
		if m.Held >= m.Target || m.Reason == "" {
			t.Errorf("missed target %+v", m)
		}
	}
	for _, u := range v.Uncovered {
		t.Logf("uncovered %+v", u)
	}
	if got := v.Stats.Bookings - len(v.Uncovered); got != v.Stats.Coverable {
		t.Errorf("covered %d, coverable %d", got, v.Stats.Coverable)
	}
}

// planned books a few items on the first market day of the first township
// with one, plans December 2026 and returns the plan.
func planned(t *testing.T) (*Service, data.Store, PlanView) {
	t.Helper()
	svc, st := seeded(t)
	ctx := context.Background()
	tid, day := firstMarketDay(t, svc, st, 0)
	vs, _ := st.ListVillages(ctx, tid)
	items, _ := st.ListServiceItems(ctx)
	for i := 0; i < 6; i++ {
		if _, err := svc.Book(ctx, planner, tid, string(day), BookingInput{ItemID: items[i%3].ID,
			Household: data.Household{Name: "王大妈 (SAMPLE)", Phone: "13900001111", VillageID: vs[0].ID}}); err != nil {
			t.Fatalf("book: %v", err)
		}
	}
	id, err := svc.StartPlan(ctx, planner, "2026-12-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.WaitPlan(ctx, id); err != nil {
		t.Fatal(err)
	}
	v, err := svc.GetPlan(ctx, planner, id)
	if err != nil || v.Status != RunDone {
		t.Fatalf("plan: %v, status %s %s", err, v.Status, v.Error)
	}
	return svc, st, v
}

func TestBookRejects(t *testing.T) {
	svc, st := seeded(t)
	ctx := context.Background()
	tid, day := firstMarketDay(t, svc, st, 0)
	other, _ := firstMarketDay(t, svc, st, 3)
	vs, _ := st.ListVillages(ctx, tid)
	ovs, _ := st.ListVillages(ctx, other)
	items, _ := st.ListServiceItems(ctx)
	hh := data.Household{Name: "王大妈 (SAMPLE)", Phone: "13900001111", VillageID: vs[0].ID}
	notMarket := day.AddDays(1)
	for d := day.AddDays(1); ; d = d.AddDays(1) {
		if ds, _ := svc.MarketDays(ctx, tid, d, d); len(ds) == 0 {
			notMarket = d
			break
		}
	}
	coordOther := Actor{UserID: "u-c", Role: data.UserTownshipCoordinator, TownshipID: other}
	for _, tc := range []struct {
		name      string
		actor     Actor
		tid, date string
		in        BookingInput
		kind      data.Kind
		field     string
	}{
		{"unknown item", planner, tid, string(day), BookingInput{ItemID: "NOPE-1", Household: hh}, data.Invalid, "item_id"},
		{"past date", planner, tid, "2026-11-01", BookingInput{ItemID: items[0].ID, Household: hh}, data.Invalid, "date"},
		{"not a market day", planner, tid, string(notMarket), BookingInput{ItemID: items[0].ID, Household: hh}, data.Invalid, "date"},
		{"malformed date", planner, tid, "2026-13-01", BookingInput{ItemID: items[0].ID, Household: hh}, data.Invalid, "date"},
		{"village elsewhere", planner, tid, string(day), BookingInput{ItemID: items[0].ID, Household: data.Household{Name: "x", Phone: "13900001111", VillageID: ovs[0].ID}}, data.Invalid, "household.village_id"},
		{"bad phone", planner, tid, string(day), BookingInput{ItemID: items[0].ID, Household: data.Household{Name: "x", Phone: "abc", VillageID: vs[0].ID}}, data.Invalid, "household.phone"},
		{"bad via", planner, tid, string(day), BookingInput{ItemID: items[0].ID, Household: hh, Via: "fax"}, data.Invalid, "via"},
		{"unknown township", planner, "511822999000", string(day), BookingInput{ItemID: items[0].ID, Household: hh}, data.NotFound, ""},
		{"other coordinator", coordOther, tid, string(day), BookingInput{ItemID: items[0].ID, Household: hh}, data.Forbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Book(ctx, tc.actor, tc.tid, tc.date, tc.in)
			if got := data.ErrorKind(err); got != tc.kind {
				t.Fatalf("kind = %v (%v), want %v", got, err, tc.kind)
			}
			if got := data.ErrorField(err); got != tc.field {
				t.Errorf("field = %q (%v), want %q", got, err, tc.field)
			}
		})
	}
}

func deskAt(v PlanView, tid string, d data.Date) (data.Desk, bool) {
	for _, dk := range v.Desks {
		if dk.TownshipID == tid && dk.Date == d {
			return dk, true
		}
	}
	return data.Desk{}, false
}

func assignments(v PlanView) map[string]bool {
	m := map[string]bool{}
	for _, dk := range v.Desks {
		for _, s := range dk.StaffIDs {
			m[dk.TownshipID+"|"+string(dk.Date)+"|"+s] = true
		}
	}
	return m
}

// twoDesksSameDay finds two desks of different townships on one day, each
// with people.
func twoDesksSameDay(t *testing.T, v PlanView) (data.Desk, data.Desk) {
	t.Helper()
	for i, a := range v.Desks {
		for _, b := range v.Desks[i+1:] {
			if a.Date == b.Date && a.TownshipID != b.TownshipID && len(a.StaffIDs) > 0 && len(b.StaffIDs) > 0 {
				return a, b
			}
		}
	}
	t.Fatal("no two desks on one day")
	return data.Desk{}, data.Desk{}
}

func TestAdjustLocksSwapsConflicts(t *testing.T) {
	svc, _, v := planned(t)
	ctx := context.Background()
	a, b := twoDesksSameDay(t, v)
	coordA := Actor{UserID: "u-coordA", Role: data.UserTownshipCoordinator, TownshipID: a.TownshipID}
	coordB := Actor{UserID: "u-coordB", Role: data.UserTownshipCoordinator, TownshipID: b.TownshipID}

	t.Run("coordinator blocked from another township", func(t *testing.T) {
		_, err := svc.Adjust(ctx, coordB, v.ID, Adjustment{Op: "lock", TownshipID: a.TownshipID, Date: a.Date})
		if data.ErrorKind(err) != data.Forbidden {
			t.Fatalf("err = %v, want Forbidden", err)
		}
		got, _ := svc.GetPlan(ctx, coordB, v.ID)
		for _, dk := range got.Desks {
			if dk.TownshipID != b.TownshipID {
				t.Fatalf("coordinator of %s sees desk of %s", b.TownshipID, dk.TownshipID)
			}
		}
	})

	// Swap: the person at b comes to a (and is locked there). Taking them
	// from b's desk is refused for a's coordinator, even confirmed; a
	// planner confirms it.
	x := b.StaffIDs[0]
	before := assignments(v)
	swap := Adjustment{Op: "swap", TownshipID: a.TownshipID, Date: a.Date, StaffID: a.StaffIDs[0], WithStaffID: x}
	for _, confirm := range []bool{false, true} {
		swap.Confirm = confirm
		if _, err := svc.Adjust(ctx, coordA, v.ID, swap); data.ErrorKind(err) != data.Conflict || !strings.Contains(err.Error(), "leaves the desk of township "+b.TownshipID) {
			t.Fatalf("coordinator's swap taking %s from %s (confirm %v): %v, want Conflict naming it", x, b.TownshipID, confirm, err)
		}
	}
	if _, err := svc.Adjust(ctx, planner, v.ID, Adjustment{Op: "swap", TownshipID: a.TownshipID, Date: a.Date, StaffID: a.StaffIDs[0], WithStaffID: x}); data.ErrorKind(err) != data.Conflict {
		t.Fatalf("planner's unconfirmed swap: %v, want Conflict", err)
	}
	v2, err := svc.Adjust(ctx, planner, v.ID, swap)
	if err != nil {
		t.Fatalf("swap: %v", err)
	}
	da, _ := deskAt(v2, a.TownshipID, a.Date)
	if !da.Locked || !slices.Contains(da.StaffIDs, x) || slices.Contains(da.StaffIDs, a.StaffIDs[0]) && a.StaffIDs[0] != x {
		t.Errorf("after swap desk a = %+v, want locked with %s instead of %s", da, x, a.StaffIDs[0])
	}
	if db, _ := deskAt(v2, b.TownshipID, b.Date); slices.Contains(db.StaffIDs, x) {
		t.Errorf("%s is at both desks after the swap: %+v", x, db)
	}
	after := assignments(v2)
	changed := 0
	for k := range before {
		if !after[k] {
			changed++
		}
	}
	for k := range after {
		if !before[k] {
			changed++
		}
	}
	if changed > 6 {
		t.Errorf("swap changed %d assignments; want only the few it forces", changed)
	}
	last := v2.Changes[len(v2.Changes)-1]
	if last.By != "u-planner" || last.Op != "swap" {
		t.Errorf("last change = %+v, want swap by u-planner", last)
	}

	// Conflict: coordinator B locks x at b too; a's earlier lock wins.
	v3, err := svc.Adjust(ctx, coordB, v.ID, Adjustment{Op: "lock", TownshipID: b.TownshipID, Date: b.Date, StaffIDs: []string{x}})
	if err != nil {
		t.Fatalf("lock: %v", err)
	}
	found := false
	for _, c := range v3.Conflicts {
		if c.Kind == "two_places" && c.StaffID == x && c.TownshipID == b.TownshipID && c.Other == a.TownshipID {
			found = true
		}
	}
	if !found {
		t.Errorf("conflicts = %+v, want two_places for %s at %s", v3.Conflicts, x, b.TownshipID)
	}
	if da, _ := deskAt(v3, a.TownshipID, a.Date); !da.Locked || !slices.Contains(da.StaffIDs, x) {
		t.Errorf("lock at a lost: %+v", da)
	}
	for _, l := range []string{a.TownshipID, b.TownshipID} {
		ok := false
		for _, lk := range v3.Locks {
			ok = ok || lk.TownshipID == l
		}
		if !ok {
			t.Errorf("lock of %s missing from %+v", l, v3.Locks)
		}
	}

	// Publication freezes the plan.
	if _, err := svc.Publish(ctx, coordA, v.ID, 0, ""); data.ErrorKind(err) != data.Forbidden {
		t.Errorf("coordinator publish: %v, want Forbidden", err)
	}
	if _, err := svc.Publish(ctx, planner, v.ID, v3.Version, ""); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if _, err := svc.Adjust(ctx, coordA, v.ID, Adjustment{Op: "unlock", TownshipID: a.TownshipID, Date: a.Date}); data.ErrorKind(err) != data.Conflict {
		t.Errorf("adjust after publish: %v, want Conflict", err)
	}
}

func TestCancelDayUncoversBookings(t *testing.T) {
	svc, st, v := planned(t)
	ctx := context.Background()
	tid, day := firstMarketDay(t, svc, st, 0)
	coord := Actor{UserID: "u-coord", Role: data.UserTownshipCoordinator, TownshipID: tid}
	v2, err := svc.Adjust(ctx, coord, v.ID, Adjustment{Op: "cancel_day", TownshipID: tid, Date: day, Reason: "暴雨停集 (SAMPLE)"})
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if _, ok := deskAt(v2, tid, day); ok {
		t.Errorf("desk still on cancelled day")
	}
	n := 0
	for _, u := range v2.Uncovered {
		if u.Reason == ReasonNotMarketDay && u.Date == day {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d bookings uncovered as not_market_day, want 6: %+v", n, v2.Uncovered)
	}
	if _, err := svc.Adjust(ctx, coord, v.ID, Adjustment{Op: "add_day", TownshipID: tid, Date: day, Reason: "恢复 (SAMPLE)"}); err != nil {
		t.Fatalf("add back: %v", err)
	}
}

func TestFeedsAndPoster(t *testing.T) {
	svc, _, v := planned(t)
	ctx := context.Background()
	dk := v.Desks[0]
	ics, err := svc.ICS(ctx, v.Township(dk.TownshipID), "test", "")
	if err != nil {
		t.Fatal(err)
	}
	s := string(ics)
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "TZID:Asia/Shanghai\r\n", "BEGIN:VEVENT\r\n", "STATUS:TENTATIVE\r\n",
		"DTSTART;TZID=Asia/Shanghai:" + strings.ReplaceAll(string(dk.Date), "-", "") + "T083000\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("ics lacks %q", want)
		}
	}
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line %d has %d octets or bad UTF-8: %q", i+1, len(l), l)
		}
	}
	html, err := svc.Poster(ctx, v, dk.TownshipID, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "便民赶集日服务安排") || !strings.Contains(string(html), "2026年12月") {
		t.Errorf("poster lacks its title: %.300s", html)
	}
	aft, err := svc.PlanAfternoons(ctx, planner, v.ID)
	if err != nil || len(aft) == 0 {
		t.Fatalf("afternoons: %v, %d", err, len(aft))
	}
	if aft[0].From != dk.End+LunchMinutes && aft[0].From <= 750 {
		t.Errorf("afternoon %+v starts before desk end + lunch", aft[0])
	}
}

func TestFold(t *testing.T) {
	for _, s := range []string{"", "short", strings.Repeat("便民赶集日", 30), strings.Repeat("a", 200)} {
		out := ical.Fold(s)
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 || !utf8.ValidString(l) {
				t.Errorf("fold(%.20q): line %q", s, l)
			}
		}
		if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != s {
			t.Errorf("unfolded %q, want %q", got, s)
		}
	}
}

func TestRollMonth(t *testing.T) {
	svc, _ := seeded(t)
	sum, out, err := svc.RollMonth(context.Background())
	if err != nil {
		t.Fatalf("roll: %v", err)
	}
	if out["from"] != data.Date("2026-12-01") || out["to"] != data.Date("2026-12-31") || !strings.Contains(sum, "draft market plan") {
		t.Errorf("roll planned %v–%v: %s", out["from"], out["to"], sum)
	}
	// The roll queued a durable run (not a solve in this call); it plans the month.
	id, _ := out["plan_id"].(string)
	r, err := svc.store.GetRun(context.Background(), id)
	if err != nil || r.Kind != data.RunMarketPlan || r.CreatedBy != "scheduler" {
		t.Fatalf("run of the roll: %+v, %v; want a queued market_plan run by scheduler", r, err)
	}
	v, err := svc.WaitPlan(context.Background(), id)
	if err != nil || v.Status != RunDone || len(v.Desks) == 0 {
		t.Fatalf("rolled plan %s: %s with %d desks (%s), %v", id, v.Status, len(v.Desks), v.Error, err)
	}
	// Fired again: a new run of the month (the first one has ended); fired a
	// third time at once, while that run is in flight, it is skipped naming it
	// (or, if that run already ended, it is a new run).
	sum2, out2, err := svc.RollMonth(context.Background())
	if err != nil || out2["plan_id"] == "" {
		t.Fatalf("second roll: %q %v %v", sum2, out2, err)
	}
	if _, again, err := svc.RollMonth(context.Background()); err != nil || (again["skipped"] == true && again["plan_id"] != out2["plan_id"]) {
		t.Errorf("roll while one is in flight: %v %v; want it skipped naming %v (or a new run once that one ended)", again, err, out2["plan_id"])
	}
	svc.Wait()
}
