package vroom

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// solveJSON solves input, checks the answer with the independent verifier
// and returns it decoded.
func solveJSON(t *testing.T, input string, opts Options, pair pairFunc) *Output {
	t.Helper()
	out, err := SolveBytes(context.Background(), []byte(input), opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := verify([]byte(input), b, pair); err != nil {
		t.Fatalf("infeasible: %v\n%s", err, b)
	}
	return out
}

// servedBy maps each served job id to its vehicle id.
func servedBy(out *Output) map[uint64]uint64 {
	m := map[uint64]uint64{}
	for _, r := range out.Routes {
		for _, s := range r.Steps {
			if s.Type == "job" {
				m[*s.ID] = r.Vehicle
			}
		}
	}
	return m
}

// TestSpeedFactorRounding checks VROOM's arithmetic: travel times are
// multiplied by round(100/speed_factor) in centiseconds and the reported
// times truncated, not rounded arc by arc.
func TestSpeedFactorRounding(t *testing.T) {
	// Sample data: a triangle of 10 s arcs at speed 1.5: factor
	// round(100/1.5) = 67, so arrivals at 670, 1340 and 2010 cs, reported
	// 6, 13 and 20 s (rounding each arc to 7 s would give 7, 14, 21).
	in := `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"speed_factor":1.5}],
		"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":2}],
		"matrices":{"car":{"durations":[[0,10,10],[10,0,10],[10,10,0]]}}}`
	out := solveJSON(t, in, quick, nil)
	r := out.Routes[0]
	var arrivals, durations []int64
	for _, s := range r.Steps {
		arrivals = append(arrivals, s.Arrival)
		durations = append(durations, s.Duration)
	}
	if want := []int64{0, 6, 13, 20}; !slices.Equal(arrivals, want) || !slices.Equal(durations, want) {
		t.Errorf("arrivals %v durations %v, want both %v", arrivals, durations, want)
	}
	if r.Duration != 20 || r.Cost != 20 {
		t.Errorf("route duration %d cost %d, want 20 and 20", r.Duration, r.Cost)
	}
}

// TestEngineProfiles checks the engine problem: one profile per distinct
// (profile, speed factor) pair, times in the finest unit the factors need.
func TestEngineProfiles(t *testing.T) {
	in, err := DecodeBytes([]byte(`{"vehicles":[
		{"id":1,"start_index":0},{"id":2,"start_index":0,"speed_factor":2},
		{"id":3,"start_index":0,"profile":"bike"},{"id":4,"start_index":0,"profile":"car","speed_factor":1}],
		"jobs":[{"id":1,"location_index":1,"service":7,"time_windows":[[10,20]]}],
		"matrices":{"car":{"durations":[[0,9],[9,0]]},"bike":{"durations":[[0,30],[30,0]]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := resolve(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.problem()
	if err != nil {
		t.Fatal(err)
	}
	// Speed 2 takes 50 cs per second: the engine counts half seconds.
	var profiles []int
	for _, v := range p.Vehicles {
		profiles = append(profiles, v.Profile)
	}
	if want := []int{0, 1, 2, 0}; !slices.Equal(profiles, want) {
		t.Errorf("vehicle profiles: got %v, want %v", profiles, want)
	}
	if len(p.Profiles) != 2 {
		t.Fatalf("got %d extra profiles, want 2", len(p.Profiles))
	}
	if got := []int64{p.Durations.At(0, 1), p.Profiles[0].Durations.At(0, 1), p.Profiles[1].Durations.At(0, 1)}; !slices.Equal(got, []int64{18, 9, 60}) {
		t.Errorf("durations 0→1 in half seconds: got %v, want [18 9 60]", got)
	}
	if j := p.Jobs[0]; j.Service != 14 || j.TimeWindows[0].Start != 20 || j.TimeWindows[0].End != 40 {
		t.Errorf("job in half seconds: got service %d window %v, want 14 and [20 40]", j.Service, j.TimeWindows[0])
	}
}

// TestProfiles solves with two profiles: each job is reachable in time only
// with one of them.
func TestProfiles(t *testing.T) {
	// Sample data: from 0, location 1 is 3 s by bike and 10 s by car,
	// location 2 the other way round; both jobs must start by 5 s.
	in := `{"vehicles":[{"id":1,"profile":"car","start_index":0,"end_index":0},{"id":2,"profile":"bike","start_index":0,"end_index":0}],
		"jobs":[{"id":1,"location_index":1,"time_windows":[[0,5]]},{"id":2,"location_index":2,"time_windows":[[0,5]]}],
		"matrices":{
			"car":{"durations":[[0,10,3],[10,0,10],[3,10,0]],"distances":[[0,100,30],[100,0,100],[30,100,0]]},
			"bike":{"durations":[[0,3,10],[3,0,10],[10,10,0]],"distances":[[0,20,90],[20,0,90],[90,90,0]]}}}`
	out := solveJSON(t, in, quick, nil)
	if got := servedBy(out); got[1] != 2 || got[2] != 1 {
		t.Errorf("served by: got %v, want job 1 by the bike (2), job 2 by the car (1)", got)
	}
	if out.Summary.Distance == nil || *out.Summary.Distance != 40+60 {
		t.Errorf("summary distance: got %v, want 100 (bike 2×20, car 2×30)", out.Summary.Distance)
	}
}

// TestSpeedFactors puts two vehicles of one profile at different speeds.
func TestSpeedFactors(t *testing.T) {
	// Sample data: 10 s to the job, which must start by 6 s: only the
	// vehicle at speed 2 (5 s) makes it.
	in := `{"vehicles":[{"id":1,"start_index":0,"end_index":0},{"id":2,"start_index":0,"end_index":0,"speed_factor":2}],
		"jobs":[{"id":1,"location_index":1,"time_windows":[[0,6]]},{"id":2,"location_index":1,"service":3}],
		"matrices":{"car":{"durations":[[0,10],[10,0]]}}}`
	out := solveJSON(t, in, quick, nil)
	if got := servedBy(out); got[1] != 2 {
		t.Errorf("served by: got %v, want job 1 by vehicle 2", got)
	}
	if out.Summary.Unassigned != 0 {
		t.Errorf("unassigned: %+v", out.Unassigned)
	}
}

// TestMaxDistance limits a vehicle's distance: the far job is left out with
// reason max_distance, the near one served.
func TestMaxDistance(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"max_distance":250}],
		"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":2}],
		"matrices":{"car":{"durations":[[0,10,20],[10,0,10],[20,10,0]],"distances":[[0,100,300],[100,0,200],[300,200,0]]}}}`
	out := solveJSON(t, in, quick, nil)
	if len(out.Unassigned) != 1 || out.Unassigned[0].ID != 2 || out.Unassigned[0].Reason != "max_distance" {
		t.Errorf("unassigned: got %+v, want job 2 with reason max_distance", out.Unassigned)
	}
	if r := out.Routes[0]; r.Distance == nil || *r.Distance != 200 {
		t.Errorf("route distance: got %v, want 200", r.Distance)
	}
	// A second vehicle without a limit takes it.
	in2 := `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"max_distance":250},{"id":2,"start_index":0,"end_index":0,"costs":{"fixed":1000}}],
		"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":2}],
		"matrices":{"car":{"durations":[[0,10,20],[10,0,10],[20,10,0]],"distances":[[0,100,300],[100,0,200],[300,200,0]]}}}`
	out = solveJSON(t, in2, quick, nil)
	if got := servedBy(out); got[2] != 2 || out.Summary.Unassigned != 0 {
		t.Errorf("served by: got %v (unassigned %+v), want job 2 on vehicle 2", got, out.Unassigned)
	}
}

// TestPickupDeliveryOrder needs the delivery before the pickup: with
// capacity 1 the other order overloads.
func TestPickupDeliveryOrder(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"capacity":[1]}],
		"jobs":[{"id":1,"location_index":2,"pickup":[1]},{"id":2,"location_index":1,"delivery":[1]}],
		"matrices":{"car":{"durations":[[0,10,10],[10,0,10],[10,10,0]]}}}`
	out := solveJSON(t, in, quick, nil)
	if out.Summary.Unassigned != 0 {
		t.Fatalf("unassigned: got %+v, want none", out.Unassigned)
	}
	var ids []uint64
	var loads []int64
	for _, s := range out.Routes[0].Steps {
		if s.ID != nil && s.Type == "job" {
			ids = append(ids, *s.ID)
		}
		loads = append(loads, s.Load[0])
	}
	if ids[len(ids)-1] != 1 {
		t.Errorf("job order %v: want the pickup (1) last", ids)
	}
	if want := []int64{1, 0, 1, 1}; !slices.Equal(loads, want) {
		t.Errorf("loads: got %v, want %v", loads, want)
	}
	if s := out.Summary; s.Delivery[0] != 1 || s.Pickup[0] != 1 {
		t.Errorf("summary delivery/pickup: got %v/%v, want [1]/[1]", s.Delivery, s.Pickup)
	}
}

// withSteps returns input with each vehicle's steps set from the routes of
// out (start, jobs and breaks, end), as a VROOM user would send a previous
// plan back.
func withSteps(t *testing.T, input []byte, out *Output) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(input, &doc); err != nil {
		t.Fatal(err)
	}
	steps := map[uint64][]any{}
	for _, r := range out.Routes {
		for _, s := range r.Steps {
			st := map[string]any{"type": s.Type}
			if s.ID != nil {
				st["id"] = *s.ID
			}
			steps[r.Vehicle] = append(steps[r.Vehicle], st)
		}
	}
	for _, v := range doc["vehicles"].([]any) {
		vm := v.(map[string]any)
		if s, ok := steps[uint64(vm["id"].(float64))]; ok {
			vm["steps"] = s
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWarmStartSteps sends a solution back as vehicle steps: the search
// starts from it, so a single iteration can only keep or improve it.
func TestWarmStartSteps(t *testing.T) {
	raw, err := os.ReadFile("testdata/C101.json")
	if err != nil {
		t.Fatal(err)
	}
	first := solveJSON(t, string(raw), Options{MaxIterations: 20, Seed: 1}, nil)
	warm := withSteps(t, raw, first)
	again := solveJSON(t, string(warm), Options{MaxIterations: 1, Seed: 2}, nil)
	if again.Summary.Unassigned > first.Summary.Unassigned || again.Summary.Cost > first.Summary.Cost {
		t.Errorf("warm start: got cost %d with %d unassigned, want at most the plan sent (%d, %d)",
			again.Summary.Cost, again.Summary.Unassigned, first.Summary.Cost, first.Summary.Unassigned)
	}
}

// TestWarmStartDropsInfeasible lists a job on a vehicle lacking its skill
// and another after a break: the first is dropped and served elsewhere,
// break steps are ignored.
func TestWarmStartDropsInfeasible(t *testing.T) {
	in := `{"vehicles":[
			{"id":1,"start_index":0,"end_index":0,"breaks":[{"id":5,"service":10}],
			 "steps":[{"type":"start"},{"type":"job","id":1},{"type":"break","id":5},{"type":"job","id":2},{"type":"end"}]},
			{"id":2,"start_index":0,"end_index":0,"skills":[7]}],
		"jobs":[{"id":1,"location_index":1,"skills":[7]},{"id":2,"location_index":2}],
		"matrices":{"car":{"durations":[[0,10,10],[10,0,10],[10,10,0]]}}}`
	out := solveJSON(t, in, Options{MaxIterations: 1, Seed: 1}, nil)
	if got := servedBy(out); got[1] != 2 || got[2] == 0 {
		t.Errorf("served by: got %v, want job 1 on vehicle 2 and job 2 served", got)
	}
}

// TestExampleProfiles solves a VROOM-docs-style example (example_2's
// matrix) with a second, slower profile, speed factors, distances and
// max_distance, and checks the shape against VROOM's documented answer.
func TestExampleProfiles(t *testing.T) {
	in, got := solveFile(t, "testdata/example_profiles.json", quick)
	if err := verify(in, got, nil); err != nil {
		t.Fatalf("infeasible: %v\n%s", err, got)
	}
	want, err := os.ReadFile("testdata/example_2_sol.json")
	if err != nil {
		t.Fatal(err)
	}
	gk, wk := keySet(t, got), keySet(t, want)
	var missing []string
	for k := range wk {
		if !gk[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("keys of VROOM's answer missing from ours: %v", missing)
	}
	var out Output
	if err := json.Unmarshal(got, &out); err != nil {
		t.Fatal(err)
	}
	// The car cannot carry all four deliveries: the bike, within its
	// max_distance, serves location 2.
	if out.Summary.Unassigned != 0 || out.Summary.Routes != 2 || out.Summary.Distance == nil {
		t.Errorf("got %d unassigned, %d routes, distance %v; want 0, 2 and a distance", out.Summary.Unassigned, out.Summary.Routes, out.Summary.Distance)
	}
}

// TestCoordinateProfiles asks the matrix source once per profile.
func TestCoordinateProfiles(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]int{}
	slow := func(profile string) int64 {
		if profile == "foot" {
			return 5
		}
		return 1
	}
	source := func(ctx context.Context, profile string, locs [][2]float64) ([][]int64, [][]int64, error) {
		mu.Lock()
		asked[profile]++
		mu.Unlock()
		dur, dist, err := testMatrix(ctx, profile, locs)
		for i := range dur {
			for j := range dur[i] {
				dur[i][j] *= slow(profile)
			}
		}
		return dur, dist, err
	}
	pair := func(profile string, a, b []float64) (int64, int64) {
		return haversineSeconds(a, b) * slow(profile), haversineMetres(a, b)
	}
	in := `{"vehicles":[{"id":1,"start":[103.0,29.8],"end":[103.0,29.8]},{"id":2,"profile":"foot","start":[103.0,29.8],"speed_factor":1.2,"max_distance":30000}],
		"jobs":[{"id":1,"location":[103.1,29.7]},{"id":2,"location":[103.01,29.8],"service":60},{"id":3,"location":[103.0,29.81]}]}`
	out := solveJSON(t, in, Options{MaxIterations: 50, Seed: 1, Matrix: source}, pair)
	if asked["car"] != 1 || asked["foot"] != 1 || len(asked) != 2 {
		t.Errorf("matrix source asked %v, want car and foot once each", asked)
	}
	if out.Summary.Unassigned != 0 {
		t.Errorf("unassigned: %+v", out.Unassigned)
	}
}

// TestSharedProfileMatrixLegacy reads the legacy matrix key as the
// durations of every profile.
func TestSharedProfileMatrixLegacy(t *testing.T) {
	in := `{"vehicles":[{"id":1,"start_index":0,"profile":"car"},{"id":2,"start_index":0,"profile":"bike","speed_factor":0.5}],
		"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":2}],
		"matrix":[[0,10,10],[10,0,10],[10,10,0]]}`
	out := solveJSON(t, in, quick, nil)
	if out.Summary.Unassigned != 0 {
		t.Errorf("unassigned: %+v", out.Unassigned)
	}
}

func ExampleSolveBytes_profiles() {
	in := `{"vehicles":[{"id":1,"profile":"car","start_index":0,"end_index":0},
		{"id":2,"profile":"bike","start_index":0,"end_index":0,"speed_factor":1.25}],
		"jobs":[{"id":1,"location_index":1,"time_windows":[[0,5]]}],
		"matrices":{"car":{"durations":[[0,10],[10,0]]},"bike":{"durations":[[0,6],[6,0]]}}}`
	out, err := SolveBytes(context.Background(), []byte(in), Options{MaxIterations: 10, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Only the bike at speed 1.25 (6 s × 80 cs = 4.8 s) is in time.
	r := out.Routes[0]
	fmt.Println(r.Vehicle, r.Steps[1].Arrival, r.Duration)
	// Output: 2 4 9
}

// TestZeroLimits: max_travel_time 0 and max_distance 0 allow only jobs
// reached without travel, even when the other arcs are as short as 1.
func TestZeroLimits(t *testing.T) {
	// Sample data: 0→1 costs 1 and 1→0 nothing, so serving job 1 travels
	// exactly 1 (s or m), the smallest amount a limit of 0 must refuse.
	matrix := `"matrices":{"car":{"durations":[[0,1,0],[0,0,1],[0,1,0]],"distances":[[0,1,0],[0,0,1],[0,1,0]]}}`
	jobs := `"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":2}]`
	for _, limit := range []string{`"max_travel_time":0`, `"max_distance":0`, `"max_travel_time":0,"speed_factor":4`, `"max_travel_time":0,"speed_factor":1.5`} {
		t.Run(limit, func(t *testing.T) {
			in := `{"vehicles":[{"id":1,"start_index":0,"end_index":0,` + limit + `}],` + jobs + `,` + matrix + `}`
			out := solveJSON(t, in, quick, nil)
			if got := servedBy(out); got[2] != 1 || len(out.Unassigned) != 1 || out.Unassigned[0].ID != 1 {
				t.Errorf("got served %v, unassigned %+v; want job 2 served, job 1 unassigned", got, out.Unassigned)
			}
		})
	}
}

// randomInput builds a SAMPLE problem from seed mixing every lifted
// feature: two profiles with distances, speed factors, max_distance,
// max_travel_time, pickups and deliveries, setup, windows, breaks and a
// warm start naming some jobs.
func randomInput(seed int64) string {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	const n = 9 // locations
	mat := func(scale int) [][]int64 {
		xs := make([][2]int, n)
		for i := range xs {
			xs[i] = [2]int{rng.IntN(100), rng.IntN(100)}
		}
		m := make([][]int64, n)
		for i := range m {
			m[i] = make([]int64, n)
			for j := range m[i] {
				dx, dy := xs[i][0]-xs[j][0], xs[i][1]-xs[j][1]
				m[i][j] = int64((abs(dx) + abs(dy)) * scale)
				if i != j && rng.IntN(5) == 0 {
					m[i][j] += int64(rng.IntN(7)) // a little asymmetry
				}
			}
		}
		return m
	}
	profiles := []string{"car", "bike"}
	matrices := map[string]any{}
	for k, p := range profiles {
		matrices[p] = map[string]any{"durations": mat(k + 1), "distances": mat(3)}
	}
	speeds := []float64{1, 1.5, 0.8, 2, 3.3}
	var vehicles []any
	for v := 0; v < 3; v++ {
		veh := map[string]any{
			"id": v + 1, "profile": profiles[rng.IntN(2)], "start_index": rng.IntN(n),
			"capacity": []int{3 + rng.IntN(3)}, "speed_factor": speeds[rng.IntN(len(speeds))],
		}
		if rng.IntN(2) == 0 {
			veh["end_index"] = rng.IntN(n)
		}
		if rng.IntN(3) == 0 {
			veh["max_distance"] = 300 + rng.IntN(600)
		}
		if rng.IntN(4) == 0 {
			veh["max_travel_time"] = 100 + rng.IntN(200)
		}
		if rng.IntN(3) == 0 {
			veh["time_window"] = []int{0, 400 + rng.IntN(400)}
			veh["breaks"] = []any{map[string]any{"id": 1, "service": 10, "time_windows": [][]int{{50, 250}}}}
		}
		vehicles = append(vehicles, veh)
	}
	var jobs []any
	for j := 0; j < 10; j++ {
		job := map[string]any{"id": j + 1, "location_index": rng.IntN(n), "service": rng.IntN(20), "setup": rng.IntN(5)}
		switch rng.IntN(3) {
		case 0:
			job["delivery"] = []int{1 + rng.IntN(2)}
		case 1:
			job["pickup"] = []int{1 + rng.IntN(2)}
		default:
			job["delivery"], job["pickup"] = []int{rng.IntN(2)}, []int{rng.IntN(2)}
		}
		if rng.IntN(3) == 0 {
			s := rng.IntN(300)
			job["time_windows"] = [][]int{{s, s + 20 + rng.IntN(100)}}
		}
		jobs = append(jobs, job)
	}
	// Warm start: a few jobs, in any order, on any vehicle.
	for k, j := range rng.Perm(10)[:4] {
		veh := vehicles[k%3].(map[string]any)
		steps, _ := veh["steps"].([]any)
		veh["steps"] = append(steps, map[string]any{"type": "job", "id": j + 1})
	}
	b, err := json.Marshal(map[string]any{"vehicles": vehicles, "jobs": jobs, "matrices": matrices})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestRandomFeatures solves SAMPLE problems mixing the lifted features and
// proves each answer with the independent verifier.
func TestRandomFeatures(t *testing.T) {
	served := 0
	for seed := int64(1); seed <= 40; seed++ {
		in := randomInput(seed)
		out, err := SolveBytes(context.Background(), []byte(in), Options{MaxIterations: 30, Seed: seed})
		if err != nil {
			t.Fatalf("seed %d: %v\ninput %s", seed, err, in)
		}
		b, _ := json.Marshal(out)
		if err := verify([]byte(in), b, nil); err != nil {
			t.Fatalf("seed %d: infeasible: %v\ninput %s\noutput %s", seed, err, in, b)
		}
		served += len(servedBy(out))
	}
	if served == 0 {
		t.Error("no job served in any problem: the generator is broken")
	}
}

// TestSourceWithoutDistances: max_distance needs distances, which this
// matrix source does not give.
func TestSourceWithoutDistances(t *testing.T) {
	source := func(ctx context.Context, profile string, locs [][2]float64) ([][]int64, [][]int64, error) {
		dur, _, err := testMatrix(ctx, profile, locs)
		return dur, nil, err
	}
	in := `{"vehicles":[{"id":1,"start":[103.0,29.8],"max_distance":1000}],"jobs":[{"id":1,"location":[103.1,29.7]}]}`
	_, err := SolveBytes(context.Background(), []byte(in), Options{MaxIterations: 5, Matrix: source})
	if Code(err) != CodeInput || !strings.Contains(err.Error(), "vehicles[0].max_distance") || !strings.Contains(err.Error(), "matrix source") {
		t.Errorf("got %v, want code 2 naming vehicles[0].max_distance and the matrix source", err)
	}
}

// TestCostsPerProfile gives each profile its costs matrix: the cheaper
// profile serves the job, and the route cost is its arcs plus fixed.
func TestCostsPerProfile(t *testing.T) {
	in := `{"vehicles":[{"id":1,"profile":"car","start_index":0,"end_index":0},{"id":2,"profile":"bike","start_index":0,"end_index":0,"costs":{"fixed":5},"speed_factor":0.5}],
		"jobs":[{"id":1,"location_index":1}],
		"matrices":{"car":{"durations":[[0,10],[10,0]],"costs":[[0,40],[40,0]]},"bike":{"durations":[[0,30],[30,0]],"costs":[[0,7],[9,0]]}}}`
	out := solveJSON(t, in, quick, nil)
	if len(out.Routes) != 1 || out.Routes[0].Vehicle != 2 || out.Routes[0].Cost != 5+7+9 || out.Routes[0].Duration != 120 {
		t.Errorf("got %+v; want vehicle 2 at cost 21 (5 fixed + 7 + 9) and duration 120 (2×30 s at speed 0.5)", out.Routes)
	}
}
