package circuit

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// crewWeek is the 600-request SAMPLE week (GenerateCounty, seed 1) with
// what crews must handle: every fourth county request also needs a second
// county department (a disabled household's dilapidated house: 残疾人证 +
// 危房改造, and so on), one expert holds a published market desk on
// Tuesday and another is away Wednesday–Thursday.
func crewWeek() *Snapshot {
	snap := GenerateCounty(GenOptions{Seed: 1})
	second := map[string]string{"G-CTY-1": "G-CTY-3", "G-CTY-2": "G-CTY-1", "G-CTY-3": "G-CTY-2"}
	n := 0
	for i := range snap.Requests {
		r := &snap.Requests[i]
		if o, ok := second[r.ItemIDs[0]]; ok {
			if n%4 == 0 {
				r.ItemIDs = append(r.ItemIDs, o)
			}
			n++
		}
	}
	snap.Claimed = map[data.StaffDay]data.Claim{{StaffID: "S-CTY-1-A", Date: "2026-12-01"}: {StaffID: "S-CTY-1-A", Date: "2026-12-01", Kind: data.DayMarketDesk}}
	snap.Absences = append(snap.Absences, data.Absence{StaffID: "S-CTY-2-B", From: "2026-12-02", To: "2026-12-03", Kind: data.AbsenceLeave, Reason: "leave"})
	return snap
}

// TestCrewsCountyWeek plans crewWeek with crews from the pool and with
// whole teams (the baseline), and checks the crew plan with its own code
// (it does not use the planner's crew functions): every county visit has
// exactly the experts its items need (removing any attendee leaves an item
// without its skill; never the whole pool), a visit needing two
// departments has both experts on the same car serving from the same
// start, no expert is in two places at once or on two crews a day, nobody
// travels on a day they are absent or at a market desk or outside their
// hours, crews fit the seats. Requests served stay within 1 % of the
// whole-team plan, and county expert-hours out fall.
func TestCrewsCountyWeek(t *testing.T) {
	snap := crewWeek()
	opts := Options{From: "2026-11-30", To: "2026-12-04", MaxIterations: 400, Seed: 1, Now: benchNow}
	res, err := Plan(context.Background(), snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(snap, res.Detail, res.Travel); err != nil {
		t.Fatalf("check: %v", err)
	}
	opts.WholeTeams = true
	whole, err := Plan(context.Background(), snap, opts)
	if err != nil {
		t.Fatal(err)
	}

	// The checker's own view of the data.
	teams := map[string]data.Team{}
	inPool := map[string]bool{}
	for _, tm := range snap.Teams {
		teams[tm.ID] = tm
		if tm.Level == data.LevelCounty {
			for _, id := range tm.MemberIDs {
				inPool[id] = true
			}
		}
	}
	reqs := map[string]data.Request{}
	for _, r := range snap.Requests {
		reqs[r.ID] = r
	}
	away := func(id string, d data.Date) string {
		for _, a := range snap.Absences {
			if a.StaffID == id && a.From <= d && d <= a.To {
				return "absent"
			}
		}
		if _, ok := snap.Claimed[data.StaffDay{StaffID: id, Date: d}]; ok {
			return "at a market desk"
		}
		return ""
	}
	type span struct {
		date     data.Date
		from, to int
		where    string
	}
	attends := map[string][]span{}
	onCar := map[data.StaffDay]string{}
	joint, visits, crewMin, wholeMin := 0, 0, 0, 0
	for _, it := range res.Detail.Itineraries {
		tm := teams[it.TeamID]
		for _, id := range it.StaffIDs {
			k := data.StaffDay{StaffID: id, Date: it.Date}
			if prev, ok := onCar[k]; ok {
				t.Errorf("%s travels with %s and %s on %s", id, prev, it.TeamID, it.Date)
			}
			onCar[k] = it.TeamID
		}
		if tm.Level != data.LevelCounty || len(it.Stops) == 0 {
			continue
		}
		first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
		leave, back := first.Arrival-(first.TravelSeconds+59)/60, last.Depart+(it.ReturnSeconds+59)/60
		crewMin += len(it.StaffIDs) * (back - leave)
		seats := tm.Seats
		if seats == 0 {
			seats = len(tm.MemberIDs)
		}
		if len(it.StaffIDs) == 0 || len(it.StaffIDs) > seats {
			t.Errorf("%s %s: crew %v for %d seats", it.TeamID, it.Date, it.StaffIDs, seats)
		}
		for _, id := range it.StaffIDs {
			if !inPool[id] {
				t.Errorf("%s %s: %s is not a county expert", it.TeamID, it.Date, id)
			}
			if why := away(id, it.Date); why != "" {
				t.Errorf("%s %s: %s travels while %s", it.TeamID, it.Date, id, why)
			}
			st := snap.Staff[id]
			ok := false
			for _, w := range st.Availability {
				ok = ok || (w.Weekday == it.Date.Weekday() && w.From <= leave && back <= w.To)
			}
			if !ok {
				t.Errorf("%s %s: %s is off duty during %d–%d", it.TeamID, it.Date, id, leave, back)
			}
		}
		for _, st := range it.Stops {
			visits++
			where := fmt.Sprintf("%s %s stop %d", it.TeamID, it.Date, st.Seq)
			need := map[data.Skill]bool{}
			depts := map[data.Skill]bool{}
			for _, rid := range st.RequestIDs {
				for _, iid := range reqs[rid].ItemIDs {
					need[snap.Items[iid].Skill] = true
					if snap.Items[iid].LowestLevel == data.LevelCounty {
						depts[snap.Items[iid].Skill] = true
					}
				}
			}
			coverBy := func(ids []string) bool {
				has := map[data.Skill]bool{}
				for _, id := range ids {
					for _, k := range snap.Staff[id].Skills {
						has[k] = true
					}
				}
				for k := range need {
					if !has[k] {
						return false
					}
				}
				return true
			}
			if len(st.StaffIDs) == 0 || len(st.StaffIDs) >= len(inPool) {
				t.Errorf("%s: attendees %v (pool of %d)", where, st.StaffIDs, len(inPool))
				continue
			}
			if !coverBy(st.StaffIDs) {
				t.Errorf("%s: attendees %v do not cover %v", where, st.StaffIDs, need)
			}
			for i, id := range st.StaffIDs {
				if !slices.Contains(it.StaffIDs, id) {
					t.Errorf("%s: attendee %s not on the car (crew %v)", where, id, it.StaffIDs)
				}
				rest := append(append([]string{}, st.StaffIDs[:i]...), st.StaffIDs[i+1:]...)
				if len(rest) > 0 && coverBy(rest) {
					t.Errorf("%s: attendee %s is not needed (%v cover %v)", where, id, rest, need)
				}
				attends[id] = append(attends[id], span{it.Date, st.Start, st.Depart, where})
			}
			if len(depts) >= 2 {
				joint++
				// both departments' experts at the household from the same start
				for k := range depts {
					found := false
					for _, id := range st.StaffIDs {
						found = found || slices.Contains(snap.Staff[id].Skills, k)
					}
					if !found {
						t.Errorf("%s: synchronised visit without a %s expert", where, k)
					}
				}
			}
		}
	}
	for id, ss := range attends {
		for i := range ss {
			for j := i + 1; j < len(ss); j++ {
				a, b := ss[i], ss[j]
				if a.date == b.date && a.from < b.to && b.from < a.to {
					t.Errorf("%s is at %s and %s at once", id, a.where, b.where)
				}
			}
		}
	}
	for _, it := range whole.Detail.Itineraries {
		if teams[it.TeamID].Level == data.LevelCounty && len(it.Stops) > 0 {
			first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
			wholeMin += len(it.StaffIDs) * (last.Depart + (it.ReturnSeconds+59)/60 - first.Arrival + (first.TravelSeconds+59)/60)
		}
	}
	if joint < 5 {
		t.Errorf("only %d synchronised visits planned; the week has %d two-department requests", joint, countJoint(snap))
	}
	// Smaller crews carry fewer skills per car: on this week (county cars
	// at their day limits) a few requests may wait for next week, never
	// more than 1 % of the whole-team plan's.
	if res.Stats.Served < whole.Stats.Served-whole.Stats.Served/100 {
		t.Errorf("crews serve %d requests, whole teams %d: more than 1 %% fewer", res.Stats.Served, whole.Stats.Served)
	}
	if crewMin >= wholeMin {
		t.Errorf("county expert-minutes out: crews %d, whole teams %d", crewMin, wholeMin)
	}
	t.Logf("served %d (whole teams %d), %d county visits, %d synchronised, expert-hours out %.1f (whole teams %.1f)",
		res.Stats.Served, whole.Stats.Served, visits, joint, float64(crewMin)/60, float64(wholeMin)/60)
}

func countJoint(snap *Snapshot) int {
	n := 0
	for _, r := range snap.Requests {
		if len(r.ItemIDs) >= 2 && snap.Items[r.ItemIDs[0]].LowestLevel == data.LevelCounty && snap.Items[r.ItemIDs[1]].LowestLevel == data.LevelCounty {
			n++
		}
	}
	return n
}

// TestCrewsReplan: a crew plan re-planned from Wednesday with an expert
// of Monday's crews away from Wednesday: Monday and Tuesday keep their
// crews and attendees exactly, the new plan passes Check (crews available,
// one car a day, attendees on the crew and needed) and the absent expert
// travels on no day from Wednesday.
func TestCrewsReplan(t *testing.T) {
	snap := crewWeek()
	opts := Options{From: "2026-11-30", To: "2026-12-04", MaxIterations: 400, Seed: 1, Now: benchNow}
	base, err := Plan(context.Background(), snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	base.Detail.Plan.ID = "P-base"
	wed := data.Date("2026-12-02")
	away := ""
	for _, it := range base.Detail.Itineraries {
		if it.Date == "2026-11-30" && len(it.StaffIDs) > 0 && it.TeamID[:5] == "T-CTY" {
			away = it.StaffIDs[0]
			break
		}
	}
	if away == "" {
		t.Fatal("no county crew on Monday")
	}
	re := *snap
	re.Absences = append(slices.Clone(snap.Absences), data.Absence{StaffID: away, From: wed, To: "2026-12-04", Kind: data.AbsenceSick, Reason: "sick"})
	opts.Now, opts.Baseline = wed.Time(), &Baseline{Plan: base.Detail}
	res, err := Plan(context.Background(), &re, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(&re, res.Detail, res.Travel); err != nil {
		t.Fatalf("check: %v", err)
	}
	old := map[TeamDay]data.Itinerary{}
	for _, it := range base.Detail.Itineraries {
		old[TeamDay{it.TeamID, it.Date}] = it
	}
	for _, it := range res.Detail.Itineraries {
		if it.Date < wed {
			o := old[TeamDay{it.TeamID, it.Date}]
			if !slices.Equal(it.StaffIDs, o.StaffIDs) || len(it.Stops) != len(o.Stops) {
				t.Errorf("%s %s: past crew %v (%d stops), was %v (%d stops)", it.TeamID, it.Date, it.StaffIDs, len(it.Stops), o.StaffIDs, len(o.Stops))
				continue
			}
			for k := range it.Stops {
				if !slices.Equal(it.Stops[k].StaffIDs, o.Stops[k].StaffIDs) {
					t.Errorf("%s %s stop %d: attendees %v, were %v", it.TeamID, it.Date, k+1, it.Stops[k].StaffIDs, o.Stops[k].StaffIDs)
				}
			}
		} else if slices.Contains(it.StaffIDs, away) {
			t.Errorf("%s %s: %s travels while sick", it.TeamID, it.Date, away)
		}
	}
}
