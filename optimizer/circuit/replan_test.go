package circuit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// TestReplanLosesNothing: after Monday's visits left some requests open
// (nobody home, follow-up, no outcome), a re-plan as of Tuesday 10:00
// visits every open request again after now or lists it as unassigned;
// nothing is scheduled before now; kept visits stay within the tolerance
// unless reported as moved; every dropped visit has a reason.
func TestReplanLosesNothing(t *testing.T) {
	s := smallCounty()
	for i := 0; i < 14; i++ {
		r := req(fmt.Sprintf("R-%02d", i), []string{v1, v2, v3}[i%3], []string{"IT", "IV"}[i%2])
		r.Household.Phone = fmt.Sprintf("1390000%04d", i)
		r.Household.Name = fmt.Sprintf("住户%02d (SAMPLE)", i)
		// Half at home on Monday only (they are visited before the re-plan),
		// half on Wednesday only (kept visits for the re-plan).
		r.VisitWindows = []data.WeeklyWindow{{Weekday: time.Monday, From: 8 * 60, To: 18 * 60}, {Weekday: time.Tuesday, From: 8 * 60, To: 18 * 60}}
		if i >= 8 {
			r.VisitWindows = []data.WeeklyWindow{{Weekday: time.Wednesday, From: 8 * 60, To: 18 * 60}}
		}
		s.Requests = append(s.Requests, r)
	}
	base := plan1(t, s, 3)
	base.Detail.Plan.ID = "P-base"
	// Monday happened: outcomes cycle done, nobody home (failed), follow-up, none recorded.
	outcome := []data.Status{data.StatusDone, data.StatusFailed, data.StatusFollowUp, data.StatusPlanned}
	status := map[string]data.Status{}
	k := 0
	for _, it := range base.Detail.Itineraries {
		for _, st := range it.Stops {
			for _, id := range st.RequestIDs {
				status[id] = data.StatusPlanned
				if it.Date == monday {
					status[id] = outcome[k%len(outcome)]
					k++
				}
			}
		}
	}
	if k < 4 {
		t.Fatalf("only %d visits on Monday", k)
	}
	for i := range s.Requests {
		if st, ok := status[s.Requests[i].ID]; ok {
			s.Requests[i].Status = st
		}
	}
	now := monday.AddDays(1).Time().Add(10 * time.Hour)
	res, err := Plan(context.Background(), s, Options{From: monday, To: monday.AddDays(2), MaxIterations: 200, Seed: 1, Now: now,
		Baseline: &Baseline{Plan: base.Detail}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(s, res.Detail, res.Travel); err != nil {
		t.Fatalf("independent check: %v", err)
	}
	// Independent accounting: where is each open request now?
	after := map[string]bool{}
	nowDay, nowMin := data.DateOf(now), 10*60
	for _, it := range res.Detail.Itineraries {
		for _, st := range it.Stops {
			future := it.Date > nowDay || (it.Date == nowDay && st.Start >= nowMin)
			if it.Date == nowDay && st.Arrival*60-st.TravelSeconds < nowMin*60 && future {
				t.Errorf("%s %s stop %d leaves before now", it.TeamID, it.Date, st.Seq)
			}
			for _, id := range st.RequestIDs {
				if future {
					after[id] = true
				}
			}
		}
	}
	unassigned := map[string]Code{}
	for _, u := range res.Unassigned {
		unassigned[u.RequestID] = u.Code
	}
	lost := 0
	for _, r := range s.Requests {
		if !openStatus(r.Status) {
			if after[r.ID] {
				t.Errorf("%s (%s) planned again", r.ID, r.Status)
			}
			continue
		}
		if !after[r.ID] && unassigned[r.ID] == "" {
			lost++
			t.Errorf("open request %s (%s) is neither visited after now nor unassigned", r.ID, r.Status)
			for _, it := range res.Detail.Itineraries {
				for _, st := range it.Stops {
					for _, id := range st.RequestIDs {
						if id == r.ID {
							t.Logf("  at %s %s stop %d start %s", it.TeamID, it.Date, st.Seq, data.Clock(st.Start))
						}
					}
				}
			}
		}
	}
	if res.Stats.Revisits == 0 || res.Stats.Kept == 0 {
		t.Errorf("no revisits counted: %+v", res.Stats)
	}
	for _, m := range res.Moves {
		switch {
		case m.ToTeam == "" && m.Reason == "":
			t.Errorf("dropped %s without a reason", m.RequestID)
		case m.ToTeam != "" && m.Reason != MovedTeamDayGone && m.Reason != MovedNoRoom:
			t.Errorf("kept %s moved (%s %s → %s %s, %d min) with reason %q, want team_day_gone or no_room", m.RequestID, m.FromTeam, m.FromDate, m.ToTeam, m.ToDate, m.Minutes, m.Reason)
		}
	}
	if res.Stats.MaxMinutesMoved > DefaultTolerance {
		over := 0
		for _, m := range res.Moves {
			if m.Minutes > DefaultTolerance {
				over++
			}
		}
		if over == 0 {
			t.Errorf("a kept visit moved %d min without being reported", res.Stats.MaxMinutesMoved)
		}
	}
	t.Logf("kept %d moved %d dropped %d revisits %d minutes moved %d (max %d)", res.Stats.Kept, res.Stats.Moved, res.Stats.Dropped,
		res.Stats.Revisits, res.Stats.MinutesMoved, res.Stats.MaxMinutesMoved)
}
