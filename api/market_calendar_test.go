package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	lunar "github.com/6tail/lunar-go/calendar"

	"github.com/yingjing/xunhui/scheduler/calendar"
)

type marketDaysBody struct {
	Cycle  string `json:"cycle"`
	Sample bool   `json:"sample"`
	Days   []struct {
		Date   string `json:"date"`
		Reason string `json:"reason"`
	} `json:"days"`
	Notes []calendar.Note `json:"notes"`
}

type calErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// TestMarketCalendarLunarThroughAPI sets a lunar cycle and special days
// through the API and checks the market days of 2025–2027 (lunar 2025 has a
// leap sixth month) against lunar-go day by day.
func TestMarketCalendarLunarThroughAPI(t *testing.T) {
	eachMarketStore(t, func(t *testing.T, e *marketEnv) {
		path := "/api/v1/townships/" + e.a + "/market-calendar"
		in := map[string]any{"cycle": "lunar:1,15", "place": "场镇老街", "start": "07:00", "end": "12:30",
			"special_days": []map[string]string{{"on": "lunar:01-15", "name": "元宵灯会"}, {"on": "solar:2026-12-25", "name": "冬季物资交流会"}}}
		var set struct {
			Cycle       string `json:"cycle"`
			Start, End  int
			Sample      bool
			SpecialDays []struct{ On, Name string } `json:"special_days"`
		}
		e.send(http.MethodPut, path, "u-coordA", in, http.StatusOK, &set)
		if set.Cycle != "lunar:1,15" || set.Start != 7*60 || set.End != 12*60+30 || set.Sample || len(set.SpecialDays) != 2 {
			t.Fatalf("PUT answered %+v", set)
		}
		var got struct {
			Cycle       string                      `json:"cycle"`
			SpecialDays []struct{ On, Name string } `json:"special_days"`
		}
		e.send(http.MethodGet, path, "u-coordB", nil, http.StatusOK, &got)
		if got.Cycle != "lunar:1,15" || len(got.SpecialDays) != 2 || got.SpecialDays[0].Name != "元宵灯会" {
			t.Fatalf("GET answered %+v", got)
		}

		leapSeen := false
		for _, y := range []string{"2025", "2026", "2027"} {
			var res marketDaysBody
			e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-days?from="+y+"-01-01&to="+y+"-12-31", "u-planner", nil, http.StatusOK, &res)
			if res.Sample || res.Cycle != "lunar:1,15" {
				t.Errorf("%s: cycle %q sample %v", y, res.Cycle, res.Sample)
			}
			gotDays := map[string]string{}
			for _, d := range res.Days {
				gotDays[d.Date] = d.Reason
			}
			want := map[string]bool{}
			start, _ := calendar.ParseDate(y + "-01-01")
			for d := start; d.Year == start.Year; d = d.AddDays(1) {
				l := lunar.NewSolarFromYmd(d.Year, int(d.Month), d.Day).GetLunar()
				if l.GetDay() == 1 || l.GetDay() == 15 {
					want[d.String()] = true
					if l.GetMonth() < 0 {
						leapSeen = true
						if !strings.Contains(gotDays[d.String()], "闰六月") {
							t.Errorf("%s (leap month) reason %q, want it named", d, gotDays[d.String()])
						}
					}
					if l.GetMonth() == 1 && l.GetDay() == 15 && !strings.Contains(gotDays[d.String()], "special: 元宵灯会 (lunar 正月十五)") {
						t.Errorf("%s (正月十五) reason %q, want the special day too", d, gotDays[d.String()])
					}
				}
			}
			if y == "2026" {
				want["2026-12-25"] = true
				if r := gotDays["2026-12-25"]; r != "special: 冬季物资交流会 (solar 12-25)" {
					t.Errorf("2026-12-25 reason %q, want the special day", r)
				}
			}
			for d := range want {
				if _, ok := gotDays[d]; !ok {
					t.Errorf("%s: library says market day, API does not", d)
				}
			}
			for d := range gotDays {
				if !want[d] {
					t.Errorf("%s: API says market day (%s), library does not", d, gotDays[d])
				}
			}
		}
		if !leapSeen {
			t.Error("no leap-month day in 2025–2027: the test lost its point")
		}
	})
}

func TestMarketCalendarErrors(t *testing.T) {
	eachMarketStore(t, func(t *testing.T, e *marketEnv) {
		path := "/api/v1/townships/" + e.a + "/market-calendar"
		body := func(cycle string, specials ...string) map[string]any {
			var sd []map[string]string
			for _, s := range specials {
				sd = append(sd, map[string]string{"on": s, "name": "会"})
			}
			return map[string]any{"cycle": cycle, "start": "07:00", "end": "12:00", "special_days": sd}
		}
		for _, tc := range []struct {
			name   string
			body   map[string]any
			field  string
			msgHas string
		}{
			{"lunar 30 in a 29-day month", body("lunar:1,15", "lunar:2025-12-30"), "special_days[0].on", "腊月 has 29 days, so there is no 三十"},
			{"no such leap month", body("lunar:1,15", "solar:10-01", "lunar:2026-L06-01"), "special_days[1].on", "no leap month"},
			{"lunar day 31", body("lunar:days=31"), "cycle.days", "out of range 1-30"},
			{"unknown kind", body("moon:1"), "cycle.kind", "unknown cycle kind"},
			{"bad hours", map[string]any{"cycle": "solar:1", "start": "7h", "end": "12:00"}, "start", "HH:MM"},
			{"end before start", map[string]any{"cycle": "solar:1", "start": "12:00", "end": "07:00"}, "end", "start < end"},
			{"twice", body("solar:1", "lunar:01-15", "lunar:01-15"), "special_days[1].on", "also special_days[0]"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var eb calErrorBody
				e.send(http.MethodPut, path, "u-planner", tc.body, http.StatusUnprocessableEntity, &eb)
				if eb.Error.Field != tc.field || !strings.Contains(eb.Error.Message, tc.msgHas) {
					t.Errorf("error %+v; want field %s containing %q", eb.Error, tc.field, tc.msgHas)
				}
			})
		}
		e.send(http.MethodPut, path, "u-coordB", body("solar:1"), http.StatusForbidden, nil)
		e.send(http.MethodPut, "/api/v1/townships/511822999000/market-calendar", "u-planner", body("solar:1"), http.StatusNotFound, nil)
		var raw json.RawMessage
		e.send(http.MethodPut, path, "u-planner", `{"cycle":"solar:1","start":"07:00","end":"12:00","colour":"red"}`, http.StatusBadRequest, &raw)
		// Nothing was written by the failures: the seeded SAMPLE cycle is still there.
		var got struct {
			Cycle  string `json:"cycle"`
			Sample bool   `json:"sample"`
		}
		e.send(http.MethodGet, path, "u-planner", nil, http.StatusOK, &got)
		if !got.Sample || got.Cycle == "solar:1" {
			t.Errorf("after failed PUTs the calendar is %+v, want the seeded SAMPLE one", got)
		}
	})
}

// TestMarketCalendarNotes: a lunar day-30 cycle is accepted, and the months
// without a 三十 are explained (not moved) in the calendar and in the market days.
func TestMarketCalendarNotes(t *testing.T) {
	eachMarketStore(t, func(t *testing.T, e *marketEnv) {
		path := "/api/v1/townships/" + e.a + "/market-calendar"
		var view struct {
			Notes []calendar.Note `json:"notes"`
		}
		e.send(http.MethodPut, path, "u-planner", map[string]any{"cycle": "lunar:days=15,30", "start": "07:00", "end": "12:00"}, http.StatusOK, &view)
		if len(view.Notes) == 0 || !strings.Contains(view.Notes[0].Message, "has 29 days, so there is no 三十 market that month (not moved)") {
			t.Fatalf("notes %+v, want the 29-day months explained", view.Notes)
		}
		var res marketDaysBody
		// Lunar 2026 七月 (2026-08-13 … 2026-09-10) has 29 days.
		e.send(http.MethodGet, "/api/v1/townships/"+e.a+"/market-days?from=2026-08-01&to=2026-09-30", "u-planner", nil, http.StatusOK, &res)
		found := false
		for _, n := range res.Notes {
			found = found || n.Month == "lunar 2026 七月"
		}
		if !found {
			t.Errorf("market-days notes %+v, want lunar 2026 七月 explained", res.Notes)
		}
		for _, d := range res.Days {
			if d.Date == "2026-09-11" && !strings.Contains(d.Reason, "八月初一") {
				t.Errorf("2026-09-11 is a market day (%s): the missing 三十 was moved", d.Reason)
			}
		}
	})
}
