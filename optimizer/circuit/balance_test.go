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

// TestRebalanceRoutesAcrossDays: team B may take team A's Monday jobs only
// on Tuesday, and A's Tuesday jobs not at all, so no same-day hand-over
// helps; A's Monday route moves to B's Tuesday (re-timed) instead.
func TestRebalanceRoutesAcrossDays(t *testing.T) {
	p, sol, vehicles := balanceProblem(t, nil)
	// Vehicles: 0 = A Monday, 1 = A Tuesday, 2 = B Monday, 3 = B Tuesday.
	p.Jobs[0].AllowedVehicles, p.Jobs[1].AllowedVehicles = []int{0, 1, 3}, []int{0, 1, 3}
	p.Jobs[2].AllowedVehicles, p.Jobs[3].AllowedVehicles = []int{0, 1}, []int{0, 1}
	if err := vrp.Check(p, sol); err != nil {
		t.Fatal(err)
	}
	out := rebalanceRoutes(p, vrp.ObjectiveCost, sol, vehicles)
	if err := vrp.Check(p, out); err != nil {
		t.Fatal(err)
	}
	after := teamMinutes(out, vehicles)["county"]
	if after["T-A"] == 0 || after["T-A"] != after["T-B"] {
		t.Fatalf("minutes after %v: want one day each", after)
	}
	for _, r := range out.Routes {
		if r.Vehicle == 3 && (len(r.Visits) < 2 || r.Visits[0].Job > 1) {
			t.Errorf("B's Tuesday serves %+v, want A's Monday jobs 0 and 1", r.Visits)
		}
	}
	if out.Cost > sol.Cost || out.Served != sol.Served {
		t.Errorf("cost %d served %d, want at most %d and %d", out.Cost, out.Served, sol.Cost, sol.Served)
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

// TestSoftDayLimits: every team-day of a group with at least two teams
// gets 1.2× the group's estimated mean day (at least 4 h): its jobs'
// service time plus, per team-day, its breaks and a round trip to the
// mean stop. Single-team groups get none.
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
	var vehicles []vehicle
	p := &vrp.Problem{Durations: d}
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
	// County: j0 (5 h of service, 30 min out) and j1 (3 h, 10 min out);
	// j2 belongs to W1, alone in its township; j3 fits no team.
	p.Jobs = []vrp.Job{
		{ID: "j0", Location: 1, Service: 5 * 3600, AllowedVehicles: []int{0, 1, 2, 3}},
		{ID: "j1", Location: 2, Service: 3 * 3600, AllowedVehicles: []int{2, 3}},
		{ID: "j2", Location: 1, Service: 9 * 3600, AllowedVehicles: []int{4, 5}},
		{ID: "j3", Location: 2, Service: 9 * 3600, AllowedVehicles: []int{}}}
	got := softDayLimits(p, vehicles)
	// Service 480 min + 4 team-days × (60 min lunch + 40 min mean round
	// trip) = 880 min over 4 team-days: mean day 220 min, limit 264 min.
	want := int64(264 * 60)
	if len(got) != 4 {
		t.Fatalf("limits %v: want the four county team-days", got)
	}
	for vi := range 4 {
		if got[vi] != want {
			t.Errorf("vehicle %d: limit %d s, want %d", vi, got[vi], want)
		}
	}
	// A light week: the limit is at least 4 h.
	p.Jobs[0].Service, p.Jobs[1].Service = 600, 600
	if got := softDayLimits(p, vehicles); got[0] != 240*60 {
		t.Errorf("light week: limit %d s, want %d", got[0], 240*60)
	}
}
