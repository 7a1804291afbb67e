package api

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/market"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// TestMarketDayFlags: with a published December plan that staffs only
// township A's first market day, the coordinator's list flags every other
// December market day of A (no_desk, the one booked before publishing with
// its booking), January days only when they are statutory holidays (no plan
// covers them and nothing is booked), and not the staffed day. Checked
// against the calendar and the plan written here, not the planner.
func TestMarketDayFlags(t *testing.T) {
	eachMarketStore(t, func(t *testing.T, e *marketEnv) {
		ctx := context.Background()
		from, to := data.Date("2026-12-01"), data.Date("2027-01-31")
		days, err := e.svc.MarketDays(ctx, e.a, from, to)
		if err != nil || len(days) < 2 {
			t.Fatalf("market days of %s: %v, %v", e.a, days, err)
		}
		dayA2 := days[1].Date
		book := func(d data.Date) data.Booking {
			var b data.Booking
			e.send(http.MethodPost, "/api/v1/market-days/"+e.a+"/"+string(d)+"/bookings", "u-coordA", e.booking(e.items[0].ID), http.StatusCreated, &b)
			return b
		}
		staffed, unstaffed := book(e.dayA), book(dayA2)

		staff, err := e.store.ListStaff(ctx, data.StaffFilter{Role: data.RoleDeskOfficer})
		if err != nil || len(staff) == 0 {
			t.Fatalf("desk officers: %v", err)
		}
		p := data.PlanDetail{Plan: data.Plan{Kind: data.PlanMarket, From: "2026-12-01", To: "2026-12-31", CreatedBy: "u-planner"},
			Desks: []data.Desk{{TownshipID: e.a, Date: e.dayA, Start: 480, End: 720, StaffIDs: []string{staff[0].ID}}}}
		if err := e.store.CreatePlan(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.PublishPlan(ctx, data.Publication{ID: p.Plan.ID, Version: p.Plan.Version}); err != nil {
			t.Fatal(err)
		}

		var got listBody[market.DayFlag]
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-flags?from="+string(from)+"&to="+string(to), "u-coordA", nil, http.StatusOK, &got)
		byDay := map[data.Date]market.DayFlag{}
		for _, f := range got.Items {
			byDay[f.Date] = f
		}
		for _, md := range days {
			var want []string
			cd, _ := calendar.ParseDate(string(md.Date))
			if h, ok := calendar.HolidayOf(cd); ok && !h.Work {
				want = append(want, market.FlagHoliday)
			}
			if md.Date <= "2026-12-31" && md.Date != e.dayA {
				want = append(want, market.FlagNoDesk)
			}
			f, ok := byDay[md.Date]
			if !slices.Equal(f.Reasons, want) && !(len(want) == 0 && !ok) {
				t.Errorf("%s: reasons %v, want %v", md.Date, f.Reasons, want)
			}
			if ok && md.Date <= "2026-12-31" && f.PlanID != p.Plan.ID {
				t.Errorf("%s: plan %q, want %s", md.Date, f.PlanID, p.Plan.ID)
			}
			delete(byDay, md.Date)
		}
		if len(byDay) != 0 {
			t.Errorf("flags for days that are no market day: %v", byDay)
		}
		f2 := got.Items[slices.IndexFunc(got.Items, func(f market.DayFlag) bool { return f.Date == dayA2 })]
		if len(f2.Bookings) != 1 || f2.Bookings[0].ID != unstaffed.ID {
			t.Errorf("%s: bookings %+v, want %s", dayA2, f2.Bookings, unstaffed.ID)
		}
		if slices.ContainsFunc(got.Items, func(f market.DayFlag) bool { return f.Date == e.dayA }) {
			t.Errorf("the staffed day %s (booking %s) is flagged", e.dayA, staffed.ID)
		}

		// National Day week: every market day is a statutory holiday.
		golden, _ := e.svc.MarketDays(ctx, e.a, "2026-10-01", "2026-10-07")
		var hol listBody[market.DayFlag]
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-flags?from=2026-10-01&to=2026-10-07", "u-coordA", nil, http.StatusOK, &hol)
		if len(golden) == 0 || len(hol.Items) != len(golden) {
			t.Fatalf("National Day week: %d flags for %d market days", len(hol.Items), len(golden))
		}
		for _, f := range hol.Items {
			if !slices.Equal(f.Reasons, []string{market.FlagHoliday}) || f.Holiday == "" {
				t.Errorf("%s: %+v, want a named holiday", f.Date, f)
			}
		}

		// Scope and bad input.
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-flags", "u-coordB", nil, http.StatusForbidden, nil)
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-flags", "u-memberA", nil, http.StatusForbidden, nil)
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-flags", "u-planner", nil, http.StatusOK, nil)
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-flags?from=2026-12-01&to=2027-12-01", "u-coordA", nil, http.StatusBadRequest, nil)
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-flags?from=soon", "u-coordA", nil, http.StatusBadRequest, nil)
	})
}
