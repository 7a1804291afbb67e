package api

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// TestRouteSheetWorkbook opens the weekly route-sheet workbook of township
// A and checks its rows against the published plan, read independently
// (the team member's week and the requests themselves): same days, stops in
// route order, times, households, items; drafts left out; the role scoping.
func TestRouteSheetWorkbook(t *testing.T) {
	eachFieldStore(t, func(t *testing.T, e *testEnv) {
		today := data.Today()
		path := "/api/v1/townships/" + twA + "/route-sheets.xlsx?from=" + string(today)
		code, hdr, body := e.do(http.MethodGet, path, "u-coordA", nil)
		if code != http.StatusOK || !strings.Contains(hdr.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("coordinator A: %d %s %.200s", code, hdr.Get("Content-Type"), body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("open workbook: %v", err)
		}
		defer f.Close()
		var tm data.Team
		e.getJSON("/api/v1/teams/"+teamA, "u-planner", http.StatusOK, &tm)
		if !slices.Contains(f.GetSheetList(), tm.Name) {
			t.Fatalf("sheets %v lack team %s", f.GetSheetList(), tm.Name)
		}
		rows, err := f.GetRows(tm.Name)
		if err != nil || len(rows) < 2 {
			t.Fatalf("rows of %s: %v (%d)", tm.Name, err, len(rows))
		}
		if !strings.Contains(rows[0][0], "巡回路线单") || !slices.Equal(rows[1], circuit.RouteColumns) {
			t.Fatalf("title %q, headers %v; want 巡回路线单 and %v", rows[0], rows[1], circuit.RouteColumns)
		}
		want := expectedRouteRows(t, e, today)
		got := rows[2:]
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%d data rows, want %d (from the published week): %v", len(got), len(want), got)
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("row %d = %v, want %v", i+3, got[i], want[i])
			}
		}
		for _, tc := range []struct {
			name, path, user string
			want             int
		}{
			{"other township's coordinator", path, "u-coordB", 403},
			{"team member", path, "u-memberA", 403},
			{"planner", path, "u-planner", 200},
			{"unknown township", "/api/v1/townships/511822999000/route-sheets.xlsx", "u-planner", 404},
			{"bad from", "/api/v1/townships/" + twA + "/route-sheets.xlsx?from=monday", "u-planner", 400},
			{"too many days", "/api/v1/townships/" + twA + "/route-sheets.xlsx?days=30", "u-planner", 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if code, _, body := e.do(http.MethodGet, tc.path, tc.user, nil); code != tc.want {
					t.Errorf("%d, want %d: %.200s", code, tc.want, body)
				}
			})
		}
	})
}

// expectedRouteRows builds team A's rows from the member's week (published
// only) and the requests read one by one.
func expectedRouteRows(t *testing.T, e *testEnv, from data.Date) [][]string {
	t.Helper()
	var w weekBody
	e.getJSON("/api/v1/teams/"+teamA+"/week?from="+string(from), "u-memberA", http.StatusOK, &w)
	var out [][]string
	for _, d := range w.Days {
		for _, st := range d.Stops {
			how := "便民服务室"
			if st.HomeVisit {
				how = "入户"
			}
			lead := []string{string(d.Date), fmt.Sprint(st.Seq), st.Arrival, st.Start, st.Depart, st.Village, how}
			for _, h := range st.Households {
				var r data.Request
				e.getJSON("/api/v1/requests/"+h.RequestID, "u-planner", http.StatusOK, &r)
				var items []string
				for _, id := range r.ItemIDs {
					var it data.ServiceItem
					e.getJSON("/api/v1/service-items/"+id, "u-planner", http.StatusOK, &it)
					items = append(items, it.Name)
				}
				ledger := map[data.Ledger]string{data.LedgerProxy: "代办事项", data.LedgerAppeal: "民生诉求", data.LedgerHardship: "困难问题"}[r.Ledger]
				row := append(slices.Clone(lead), r.Household.Name, r.Household.Phone, r.Household.Address, ledger, strings.Join(items, "、"), r.ID,
					guideText(st.Guide), attendeeNames(st.Attendees), footText(st.Foot))
				for len(row) > 0 && row[len(row)-1] == "" { // GetRows drops trailing empty cells
					row = row[:len(row)-1]
				}
				out = append(out, row)
			}
		}
	}
	return out
}

// guideText, attendeeNames and footText say a stop's guide, crew and walk
// as the workbook must, from the member's week (JSON).
func guideText(g *circuit.SheetGuide) string {
	if g == nil {
		return ""
	}
	if g.StaffID != "" {
		return strings.TrimSpace("村代办员 " + g.Name + " " + g.Phone)
	}
	return "无带路：" + guideWords[g.Missing]
}

// guideWords are the route sheets' words for why a visit goes without its
// guide, written out here so the tests do not read them from the code.
var guideWords = map[data.GuideReason]string{
	data.GuideNoAgent: "本村无代办员", data.GuideAbsent: "代办员请假", data.GuideMarketDesk: "代办员当天在赶集日服务点",
	data.GuideOffDuty: "代办员不在岗", data.GuideOwnRoute: "代办员同时在本村代办路线上", data.GuideBusy: "代办员同时在为另一户带路",
}

func attendeeNames(ps []circuit.SheetPerson) string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return strings.Join(names, "、")
}

func footText(f *circuit.FootLeg) string {
	if f == nil {
		return ""
	}
	return fmt.Sprintf("车停步行起点（%s），步行 %d 分钟", f.Name, f.WalkMinutes)
}
