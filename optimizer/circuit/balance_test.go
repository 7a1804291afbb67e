package circuit

import (
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/vrp"
)

// balanceProblem: two county teams based at location 0 on two days; four
// one-hour jobs that either team may serve on either day (unless allowed
// says otherwise), all given to team A: two on Monday, two on Tuesday.
func balanceProblem(t *testing.T, allowed []int) (*vrp.Problem, *vrp.Solution, []vehicle) {
	t.Helper()
	d := vrp.NewMatrix(3)
	for i := range 3 {
		for j := range 3 {
			if i != j {
				d.Set(i, j, 600)
			}
		}
	}
	const day = 86400
	p := &vrp.Problem{Durations: d}
	var vehicles []vehicle
	for _, team := range []string{"T-A", "T-B"} {
		for dd := range 2 {
			p.Vehicles = append(p.Vehicles, vrp.Vehicle{ID: team, Start: 0, End: 0,
				Shift: vrp.TimeWindow{Start: int64(dd*day + 8*3600), End: int64(dd*day + 18*3600)}})
			vehicles = append(vehicles, vehicle{team: data.Team{ID: team, Level: data.LevelCounty}, day: dd,
				date: monday.AddDays(dd)})
		}
	}
	for j := range 4 {
		p.Jobs = append(p.Jobs, vrp.Job{ID: string(rune('a' + j)), Location: 1 + j%2, Service: 3600,
			TimeWindows:     []vrp.TimeWindow{{Start: 8 * 3600, End: 17 * 3600}, {Start: day + 8*3600, End: day + 17*3600}},
			AllowedVehicles: allowed})
	}
	// Vehicles: 0 = A Monday, 1 = A Tuesday, 2 = B Monday, 3 = B Tuesday.
	sol := &vrp.Solution{}
	for v, jobs := range map[int][]int{0: {0, 1}, 1: {2, 3}} {
		r, err := vrp.EvaluateRoute(p, vrp.ObjectiveCost, v, jobs)
		if err != nil {
			t.Fatal(err)
		}
		sol.Routes = append(sol.Routes, r)
		sol.Cost += r.Cost
		sol.TravelTime += r.TravelTime
		sol.Served += len(jobs)
		sol.ServedPriority += len(jobs)
	}
	if sol.Routes[0].Vehicle > sol.Routes[1].Vehicle {
		sol.Routes[0], sol.Routes[1] = sol.Routes[1], sol.Routes[0]
	}
	if err := vrp.Check(p, sol); err != nil {
		t.Fatal(err)
	}
	return p, sol, vehicles
}

// TestRebalanceRoutes: one of team A's two days goes to team B at the same
// cost; the result passes the engine's checker.
func TestRebalanceRoutes(t *testing.T) {
	p, sol, vehicles := balanceProblem(t, nil)
	before := teamMinutes(sol, vehicles)["county"]
	if before["T-B"] != 0 || before["T-A"] == 0 {
		t.Fatalf("setup: minutes %v", before)
	}
	out := rebalanceRoutes(p, vrp.ObjectiveCost, sol, vehicles)
	if err := vrp.Check(p, out); err != nil {
		t.Fatal(err)
	}
	after := teamMinutes(out, vehicles)["county"]
	if after["T-A"] != after["T-B"] || after["T-A"]+after["T-B"] != before["T-A"] {
		t.Errorf("minutes after %v (before %v): want one day each", after, before)
	}
	if out.Cost != sol.Cost || out.Served != sol.Served || len(out.Routes) != 2 {
		t.Errorf("cost %d served %d routes %d, want %d %d 2", out.Cost, out.Served, len(out.Routes), sol.Cost, sol.Served)
	}
}

// TestRebalanceRoutesKeepsEligibility: when team B may not serve the jobs
// (skills, level, area: the allowed vehicles), nothing moves.
func TestRebalanceRoutesKeepsEligibility(t *testing.T) {
	p, sol, vehicles := balanceProblem(t, []int{0, 1})
	out := rebalanceRoutes(p, vrp.ObjectiveCost, sol, vehicles)
	if out != sol {
		t.Errorf("routes moved to a team that may not serve them: %+v", out.Routes)
	}
}

// TestSoftDayLimits: a group whose longest day runs over 1.2× its
// estimated mean day (at least 4 h) gets that limit on every team-day;
// single-team groups and groups within the limit get none. The mean day
// is the served service time plus, per team-day, its breaks and a round
// trip to the mean stop, so routing the same work otherwise keeps the
// limit.
func TestSoftDayLimits(t *testing.T) {
	team := func(id string, l data.Level, home string) data.Team {
		return data.Team{ID: id, Level: l, HomeCode: home}
	}
	// Location 0: the base; 1 is 30 min away, 2 is 10 min away.
	d := vrp.NewMatrix(3)
	for _, a := range [][3]int64{{0, 1, 1800}, {0, 2, 600}, {1, 2, 1500}} {
		d.Set(int(a[0]), int(a[1]), a[2])
		d.Set(int(a[1]), int(a[0]), a[2])
	}
	p := &vrp.Problem{Durations: d, Jobs: []vrp.Job{{ID: "j0", Location: 1}, {ID: "j1", Location: 2}, {ID: "j2", Location: 1}}}
	var vehicles []vehicle
	for _, tm := range []data.Team{team("C1", data.LevelCounty, data.CountyCode), team("C2", data.LevelCounty, data.CountyCode),
		team("W1", data.LevelTownship, tw1), team("W2", data.LevelTownship, tw2)} {
		for dd := range 2 {
			v := vrp.Vehicle{ID: tm.ID}
			if tm.Level == data.LevelCounty {
				v.Breaks = []vrp.Break{{ID: "lunch", Duration: 3600}}
			}
			p.Vehicles = append(p.Vehicles, v)
			vehicles = append(vehicles, vehicle{team: tm, day: dd, date: monday.AddDays(dd)})
		}
	}
	visit := func(j int) []vrp.Visit { return []vrp.Visit{{Kind: vrp.VisitJob, Job: j}} }
	// C1: 9 h with j0 (5 h of service), 7 h with j1 (3 h); W1 alone in
	// its township: 10 h, no limit.
	sol := &vrp.Solution{Routes: []vrp.Route{
		{Vehicle: 0, Duration: 9 * 3600, ServiceTime: 5 * 3600, Visits: visit(0)},
		{Vehicle: 1, Duration: 7 * 3600, ServiceTime: 3 * 3600, Visits: visit(1)},
		{Vehicle: 4, Duration: 10 * 3600, ServiceTime: 9 * 3600, Visits: visit(2)}}}
	// Service 480 min + 4 team-days × (60 min lunch + 40 min mean round
	// trip) = 880 min over 4 team-days: mean day 220 min, limit 264 min.
	want := int64(264 * 60)
	check := func(name string, sol *vrp.Solution) {
		t.Helper()
		got := softDayLimits(p, sol, vehicles)
		if len(got) != 4 {
			t.Fatalf("%s: limits %v: want the four county team-days", name, got)
		}
		for vi := range 4 {
			if got[vi] != want {
				t.Errorf("%s: vehicle %d: limit %d s, want %d", name, vi, got[vi], want)
			}
		}
	}
	check("C1 works both days", sol)
	// The same work routed otherwise (j1 by C2, with waiting): same limit.
	other := &vrp.Solution{Routes: []vrp.Route{sol.Routes[0],
		{Vehicle: 2, Duration: 8 * 3600, ServiceTime: 3 * 3600, WaitingTime: 3600, Visits: visit(1)}, sol.Routes[2]}}
	check("j1 moved to C2", other)
	// Within the limit: nothing to do.
	even := &vrp.Solution{Routes: []vrp.Route{
		{Vehicle: 0, Duration: 3 * 3600, ServiceTime: 3600, Visits: visit(0)},
		{Vehicle: 2, Duration: 3 * 3600, ServiceTime: 3600, Visits: visit(1)}}}
	if got := softDayLimits(p, even, vehicles); len(got) != 0 {
		t.Errorf("even week: limits %v, want none", got)
	}
}
