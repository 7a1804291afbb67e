package vroom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var quick = Options{MaxIterations: 50, Seed: 1}

func solveFile(t *testing.T, path string, opts Options) ([]byte, []byte) {
	t.Helper()
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := SolveBytes(context.Background(), in, opts)
	if err != nil {
		t.Fatalf("solve %s: %v", path, err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return in, b
}

// keys collects the key paths of a JSON value ("routes[].steps[].arrival").
func keys(v any, prefix string, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			into[p] = true
			keys(c, p, into)
		}
	case []any:
		for _, c := range x {
			keys(c, prefix+"[]", into)
		}
	}
}

func keySet(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	keys(v, "", m)
	return m
}

// TestExampleShape solves VROOM's documented custom-matrix example (current
// and legacy key) and checks that every key of VROOM's documented answer is
// in ours, that the answer is feasible, and that it is no worse than VROOM's.
func TestExampleShape(t *testing.T) {
	want, err := os.ReadFile("testdata/example_2_sol.json")
	if err != nil {
		t.Fatal(err)
	}
	var wantOut Output
	if err := json.Unmarshal(want, &wantOut); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"testdata/example_2.json", "testdata/example_2_legacy.json"} {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, got := solveFile(t, f, quick)
			gk, wk := keySet(t, got), keySet(t, want)
			var missing []string
			for k := range wk {
				if !gk[k] {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("keys of VROOM's answer missing from ours: %v\n%s", missing, got)
			}
			if err := verify(in, got, nil); err != nil {
				t.Errorf("infeasible: %v\n%s", err, got)
			}
			var out Output
			if err := json.Unmarshal(got, &out); err != nil {
				t.Fatal(err)
			}
			if out.Summary.Cost > wantOut.Summary.Cost {
				t.Errorf("cost: got %d, VROOM's documented answer %d", out.Summary.Cost, wantOut.Summary.Cost)
			}
		})
	}
}

// haversineSeconds is a test matrix source: great-circle metres at 10 m/s.
func haversineMetres(a, b []float64) int64 {
	const r = 6371000.0
	rad := math.Pi / 180
	dlat, dlon := (b[1]-a[1])*rad, (b[0]-a[0])*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return int64(math.Round(2 * r * math.Asin(math.Sqrt(h))))
}

func haversineSeconds(a, b []float64) int64 { return (haversineMetres(a, b) + 5) / 10 }

// haversinePair is verify's view of testMatrix.
func haversinePair(_ string, a, b []float64) (int64, int64) {
	return haversineSeconds(a, b), haversineMetres(a, b)
}

func testMatrix(_ context.Context, _ string, locs [][2]float64) ([][]int64, [][]int64, error) {
	dur := make([][]int64, len(locs))
	dist := make([][]int64, len(locs))
	for i := range locs {
		dur[i] = make([]int64, len(locs))
		dist[i] = make([]int64, len(locs))
		for j := range locs {
			dur[i][j] = haversineSeconds(locs[i][:], locs[j][:])
			dist[i][j] = haversineMetres(locs[i][:], locs[j][:])
		}
	}
	return dur, dist, nil
}

// TestExampleCoordinates runs VROOM's first documented example: shipments
// are refused naming the field; without them, the jobs are solved with a
// plugged matrix source, with skills, breaks, pickups and deliveries.
func TestExampleCoordinates(t *testing.T) {
	raw, err := os.ReadFile("testdata/example_1.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = SolveBytes(context.Background(), raw, Options{MaxIterations: 20, Matrix: testMatrix})
	if Code(err) != CodeInput || !strings.Contains(err.Error(), "shipments") {
		t.Fatalf("with shipments: got %v (code %d), want code 2 naming shipments", err, Code(err))
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "shipments")
	in, _ := json.Marshal(doc)
	if _, err := SolveBytes(context.Background(), in, Options{MaxIterations: 20}); Code(err) != CodeRouting {
		t.Errorf("without a matrix source: got %v, want code 3", err)
	}
	out, err := SolveBytes(context.Background(), in, Options{MaxIterations: 50, Matrix: testMatrix})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(out)
	if err := verify(in, got, haversinePair); err != nil {
		t.Fatalf("infeasible: %v\n%s", err, got)
	}
	if out.Summary.Unassigned != 0 {
		t.Errorf("unassigned: got %d (%+v), want 0", out.Summary.Unassigned, out.Unassigned)
	}
	if out.Summary.Distance == nil || *out.Summary.Distance <= 0 {
		t.Errorf("summary distance missing although the source gave distances")
	}
	for _, r := range out.Routes {
		if r.Steps[0].Location == nil {
			t.Errorf("vehicle %d: start step lacks the input location", r.Vehicle)
		}
	}
}

// TestSolomonJSON solves the VROOM-format Solomon instances in testdata
// (and, when present and not -short, all 56 of ../shared) with a small
// iteration cap and proves every answer feasible from the input matrix.
func TestSolomonJSON(t *testing.T) {
	files, _ := filepath.Glob("testdata/[CR]*.json")
	if len(files) == 0 {
		t.Fatal("no testdata instances")
	}
	shared, _ := filepath.Glob("../../../../shared/benchmarks/vroom-json/solomon/*.json")
	if !testing.Short() && len(shared) > 0 {
		files = append(files, shared...)
	} else {
		t.Logf("optional: %d instances of ../shared not run (-short or absent)", len(shared))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, got := solveFile(t, f, Options{MaxIterations: 10, Seed: 1})
			if err := verify(in, got, nil); err != nil {
				t.Fatalf("infeasible: %v", err)
			}
			var out Output
			if err := json.Unmarshal(got, &out); err != nil {
				t.Fatal(err)
			}
			if out.Summary.Unassigned != 0 {
				t.Errorf("unassigned: got %d, want 0", out.Summary.Unassigned)
			}
		})
	}
}

// TestFeatures exercises setup, pickups, priorities, max_tasks,
// max_travel_time, speed_factor, costs and open routes on a small matrix
// and checks each answer with the independent verifier.
func TestFeatures(t *testing.T) {
	matrix := `"matrices": {"car": {"durations": [[0,10,20,30],[10,0,10,20],[20,10,0,10],[30,20,10,0]], "distances": [[0,100,200,300],[100,0,100,200],[200,100,0,100],[300,200,100,0]]}}`
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, out *Output)
	}{
		{"setup once per place", `{"vehicles":[{"id":1,"start_index":0,"end_index":0}],
			"jobs":[{"id":1,"location_index":2,"setup":7,"service":1},{"id":2,"location_index":2,"setup":7,"service":1}],` + matrix + `}`,
			func(t *testing.T, out *Output) {
				if out.Summary.Setup != 7 {
					t.Errorf("setup: got %d, want 7 (second job at the same place)", out.Summary.Setup)
				}
			}},
		{"pickup and delivery loads", `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"capacity":[2]}],
			"jobs":[{"id":1,"location_index":1,"delivery":[1]},{"id":2,"location_index":2,"pickup":[1]},{"id":3,"location_index":3,"delivery":[1]}],` + matrix + `}`,
			func(t *testing.T, out *Output) {
				// The load is exact: 2 on board at the start, the pickup
				// after at least one delivery, so all three fit.
				if out.Summary.Unassigned != 0 {
					t.Fatalf("unassigned: got %+v, want none", out.Unassigned)
				}
				if got := out.Routes[0].Steps[0].Load; len(got) != 1 || got[0] != 2 {
					t.Errorf("start load: got %v, want [2] (the route's deliveries)", got)
				}
			}},
		{"max_tasks", `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"max_tasks":1},{"id":2,"start_index":0,"end_index":0,"max_tasks":0}],
			"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":2}],` + matrix + `}`,
			func(t *testing.T, out *Output) {
				if out.Summary.Unassigned != 1 || len(out.Routes) != 1 || out.Routes[0].Vehicle != 1 {
					t.Errorf("got %d unassigned and %d routes, want 1 and 1 on vehicle 1", out.Summary.Unassigned, len(out.Routes))
				}
			}},
		{"priority wins", `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"max_tasks":1}],
			"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":3,"priority":50}],` + matrix + `}`,
			func(t *testing.T, out *Output) {
				if len(out.Unassigned) != 1 || out.Unassigned[0].ID != 1 || out.Summary.Priority != 50 {
					t.Errorf("got unassigned %+v priority %d, want job 1 left out, priority 50", out.Unassigned, out.Summary.Priority)
				}
			}},
		{"max_travel_time", `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"max_travel_time":25}],
			"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":3}],` + matrix + `}`,
			func(t *testing.T, out *Output) {
				if out.Summary.Unassigned != 1 || out.Unassigned[0].ID != 2 || out.Unassigned[0].Reason == "" {
					t.Errorf("got %+v, want job 2 unassigned with a reason", out.Unassigned)
				}
			}},
		{"speed factor and costs", `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"speed_factor":2,"costs":{"fixed":100,"per_hour":7200,"per_km":1000}}],
			"jobs":[{"id":1,"location_index":2}],` + matrix + `}`,
			func(t *testing.T, out *Output) {
				// travel 20 s each way at speed 2 = 20 s; 40 s at 7200/h = 40;
				// 400 m at 1000/km = 400; plus 100 fixed.
				r := out.Routes[0]
				if r.Duration != 20 || r.Cost != 540 || *r.Distance != 400 {
					t.Errorf("got duration %d cost %d distance %d, want 20, 540, 400", r.Duration, r.Cost, *r.Distance)
				}
			}},
		{"open end and time windows", `{"vehicles":[{"id":1,"start_index":0,"time_window":[100,1000]}],
			"jobs":[{"id":1,"location_index":1,"time_windows":[[500,600]]},{"id":2,"location_index":3,"time_windows":[[0,50],[700,800]]}],` + matrix + `}`,
			func(t *testing.T, out *Output) {
				steps := out.Routes[0].Steps
				if out.Summary.Unassigned != 0 || steps[len(steps)-1].Type != "end" {
					t.Errorf("got %+v", out.Summary)
				}
			}},
		{"break", `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"time_window":[0,1000],"breaks":[{"id":9,"service":50,"time_windows":[[20,30]]}]}],
			"jobs":[{"id":1,"location_index":1,"service":5},{"id":2,"location_index":3,"service":5}],` + matrix + `}`,
			func(t *testing.T, out *Output) {
				if out.Summary.Service != 60 {
					t.Errorf("service: got %d, want 60 (two jobs and the break)", out.Summary.Service)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := SolveBytes(context.Background(), []byte(tc.input), quick)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(out)
			if err := verify([]byte(tc.input), b, nil); err != nil {
				t.Fatalf("infeasible: %v\n%s", err, b)
			}
			tc.check(t, out)
		})
	}
}

func TestInputErrors(t *testing.T) {
	m := `"matrices":{"car":{"durations":[[0,1],[1,0]]}}`
	v := `"vehicles":[{"id":1,"start_index":0,"end_index":0}]`
	j := `"jobs":[{"id":1,"location_index":1}]`
	tests := []struct {
		name, input string
		code        int
		field       string
	}{
		{"empty", ``, 2, "empty input"},
		{"syntax", `{`, 2, "invalid JSON"},
		{"not an object", `[1]`, 2, "input"},
		{"trailing", `{} {}`, 2, "trailing"},
		{"no vehicles", `{` + j + `,` + m + `}`, 2, "vehicles"},
		{"no jobs", `{` + v + `,` + m + `}`, 2, "jobs"},
		{"shipments", `{` + v + `,` + j + `,` + m + `,"shipments":[{}]}`, 2, "shipments"},
		{"string id", `{` + v + `,"jobs":[{"id":"a","location_index":1}],` + m + `}`, 2, "jobs[0].id"},
		{"negative id", `{` + v + `,"jobs":[{"id":-1,"location_index":1}],` + m + `}`, 2, "jobs[0].id"},
		{"missing id", `{` + v + `,"jobs":[{"location_index":1}],` + m + `}`, 2, "jobs[0].id"},
		{"duplicate job", `{` + v + `,"jobs":[{"id":1,"location_index":1},{"id":1,"location_index":0}],` + m + `}`, 2, "jobs[1].id"},
		{"duplicate vehicle", `{"vehicles":[{"id":1,"start_index":0},{"id":1,"start_index":0}],` + j + `,` + m + `}`, 2, "vehicles[1].id"},
		{"index out of matrix", `{` + v + `,"jobs":[{"id":1,"location_index":2}],` + m + `}`, 2, "jobs[0].location_index"},
		{"vehicle index out", `{"vehicles":[{"id":1,"start_index":5}],` + j + `,` + m + `}`, 2, "vehicles[0].start_index"},
		{"index missing", `{` + v + `,"jobs":[{"id":1}],` + m + `}`, 2, "jobs[0].location_index"},
		{"non-square", `{` + v + `,` + j + `,"matrices":{"car":{"durations":[[0,1],[1]]}}}`, 2, "matrices.car.durations[1]"},
		{"negative matrix", `{` + v + `,` + j + `,"matrices":{"car":{"durations":[[0,-1],[1,0]]}}}`, 2, "matrices.car.durations[0][1]"},
		{"distances size", `{` + v + `,` + j + `,"matrices":{"car":{"durations":[[0,1],[1,0]],"distances":[[0]]}}}`, 2, "matrices.car.distances"},
		{"distances only", `{` + v + `,` + j + `,"matrices":{"car":{"distances":[[0,1],[1,0]]}}}`, 2, "matrices.car.durations"},
		{"other profile", `{` + v + `,` + j + `,"matrices":{"bike":{"durations":[[0,1],[1,0]]}}}`, 2, "matrices"},
		{"no matrix no coordinates", `{` + v + `,"jobs":[{"id":1}]}`, 2, "jobs[0].location"},
		{"coordinates without source", `{"vehicles":[{"id":1,"start":[103.0,29.8]}],"jobs":[{"id":1,"location":[103.1,29.7]}]}`, 3, "no routing engine configured"},
		{"bad coordinates", `{"vehicles":[{"id":1,"start":[103.0]}],"jobs":[{"id":1,"location":[103.1,29.7]}]}`, 2, "vehicles[0].start"},
		{"lat out of range", `{"vehicles":[{"id":1,"start":[103.0,29]}],"jobs":[{"id":1,"location":[29.7,103.1]}]}`, 2, "jobs[0].location"},
		{"skills nobody has", `{` + v + `,"jobs":[{"id":1,"location_index":1,"skills":[4]}],` + m + `}`, 2, "jobs[0].skills"},
		{"negative service", `{` + v + `,"jobs":[{"id":1,"location_index":1,"service":-5}],` + m + `}`, 2, "jobs[0].service"},
		{"fractional service", `{` + v + `,"jobs":[{"id":1,"location_index":1,"service":1.5}],` + m + `}`, 2, "jobs[0].service"},
		{"negative delivery", `{` + v + `,"jobs":[{"id":1,"location_index":1,"delivery":[-1]}],` + m + `}`, 2, "jobs[0].delivery[0]"},
		{"amount length", `{"vehicles":[{"id":1,"start_index":0,"capacity":[3,4]}],"jobs":[{"id":1,"location_index":1,"delivery":[1]}],` + m + `}`, 2, "jobs[0].delivery"},
		{"priority", `{` + v + `,"jobs":[{"id":1,"location_index":1,"priority":101}],` + m + `}`, 2, "jobs[0].priority"},
		{"window reversed", `{` + v + `,"jobs":[{"id":1,"location_index":1,"time_windows":[[5,3]]}],` + m + `}`, 2, "jobs[0].time_windows[0]"},
		{"window shape", `{` + v + `,"jobs":[{"id":1,"location_index":1,"time_windows":[[5]]}],` + m + `}`, 2, "jobs[0].time_windows[0]"},
		{"windows overlap", `{` + v + `,"jobs":[{"id":1,"location_index":1,"time_windows":[[0,10],[5,20]]}],` + m + `}`, 2, "jobs[0].time_windows"},
		{"vehicle window", `{"vehicles":[{"id":1,"start_index":0,"time_window":[10]}],` + j + `,` + m + `}`, 2, "vehicles[0].time_window"},
		{"no start or end", `{"vehicles":[{"id":1}],` + j + `,` + m + `}`, 2, "vehicles[0]"},
		{"step unknown job", `{"vehicles":[{"id":1,"start_index":0,"steps":[{"type":"start"},{"type":"job","id":7}]}],` + j + `,` + m + `}`, 2, "vehicles[0].steps[1].id"},
		{"step shipment", `{"vehicles":[{"id":1,"start_index":0,"steps":[{"type":"pickup","id":1}]}],` + j + `,` + m + `}`, 2, "vehicles[0].steps[0].type"},
		{"step type missing", `{"vehicles":[{"id":1,"start_index":0,"steps":[{"id":1}]}],` + j + `,` + m + `}`, 2, "vehicles[0].steps[0].type"},
		{"step type unknown", `{"vehicles":[{"id":1,"start_index":0,"steps":[{"type":"lunch"}]}],` + j + `,` + m + `}`, 2, "vehicles[0].steps[0].type"},
		{"step id missing", `{"vehicles":[{"id":1,"start_index":0,"steps":[{"type":"job"}]}],` + j + `,` + m + `}`, 2, "vehicles[0].steps[0].id"},
		{"step id type", `{"vehicles":[{"id":1,"start_index":0,"steps":[{"type":"job","id":"1"}]}],` + j + `,` + m + `}`, 2, "vehicles[0].steps[0].id"},
		{"step not an object", `{"vehicles":[{"id":1,"start_index":0,"steps":[3]}],` + j + `,` + m + `}`, 2, "vehicles[0].steps[0]"},
		{"step job twice", `{"vehicles":[{"id":1,"start_index":0,"steps":[{"type":"job","id":1}]},{"id":2,"start_index":0,"steps":[{"type":"job","id":1}]}],` + j + `,` + m + `}`, 2, "vehicles[1].steps[0].id"},
		{"max_distance without distances", `{"vehicles":[{"id":1,"start_index":0,"max_distance":10}],` + j + `,` + m + `}`, 2, "vehicles[0].max_distance"},
		{"max_distance without distances on its profile", `{"vehicles":[{"id":1,"start_index":0,"max_distance":10},{"id":2,"start_index":0,"profile":"bike","max_distance":10}],` + j + `,"matrices":{"car":{"durations":[[0,1],[1,0]],"distances":[[0,1],[1,0]]},"bike":{"durations":[[0,2],[2,0]]}}}`, 2, "vehicles[1].max_distance"},
		{"negative max_distance", `{"vehicles":[{"id":1,"start_index":0,"max_distance":-1}],` + j + `,"matrices":{"car":{"durations":[[0,1],[1,0]],"distances":[[0,1],[1,0]]}}}`, 2, "vehicles[0].max_distance"},
		{"speed factor", `{"vehicles":[{"id":1,"start_index":0,"speed_factor":0}],` + j + `,` + m + `}`, 2, "vehicles[0].speed_factor"},
		{"speed factor above 5", `{"vehicles":[{"id":1,"start_index":0,"speed_factor":5.5}],` + j + `,` + m + `}`, 2, "vehicles[0].speed_factor"},
		{"speed factor tiny", `{"vehicles":[{"id":1,"start_index":0,"speed_factor":1e-9}],` + j + `,` + m + `}`, 2, "vehicles[0].speed_factor"},
		{"speed factor beyond the horizon", `{"vehicles":[{"id":1,"start_index":0,"speed_factor":1.5}],"jobs":[{"id":1,"location_index":1,"time_windows":[[0,1000000000000]]}],` + m + `}`, 2, "jobs[0].time_windows[0]"},
		{"profile without matrices", `{"vehicles":[{"id":1,"start_index":0},{"id":2,"start_index":0,"profile":"bike"}],` + j + `,` + m + `}`, 2, "matrices"},
		{"profiles of different sizes", `{"vehicles":[{"id":1,"start_index":0},{"id":2,"start_index":0,"profile":"bike"}],` + j + `,"matrices":{"car":{"durations":[[0,1],[1,0]]},"bike":{"durations":[[0,1,1],[1,0,1],[1,1,0]]}}}`, 2, "matrices.bike.durations"},
		{"costs for one profile only", `{"vehicles":[{"id":1,"start_index":0},{"id":2,"start_index":0,"profile":"bike"}],` + j + `,"matrices":{"car":{"durations":[[0,1],[1,0]],"costs":[[0,1],[1,0]]},"bike":{"durations":[[0,2],[2,0]]}}}`, 2, "matrices.bike.costs"},
		{"per_km without distances on its profile", `{"vehicles":[{"id":1,"start_index":0},{"id":2,"start_index":0,"profile":"bike","costs":{"per_km":5}}],` + j + `,"matrices":{"car":{"durations":[[0,1],[1,0]],"distances":[[0,1],[1,0]]},"bike":{"durations":[[0,2],[2,0]]}}}`, 2, "vehicles[1].costs.per_km"},
		{"costs matrix and per_hour", `{"vehicles":[{"id":1,"start_index":0,"costs":{"per_hour":10}}],` + j + `,"matrices":{"car":{"durations":[[0,1],[1,0]],"costs":[[0,1],[1,0]]}}}`, 2, "vehicles[0].costs"},
		{"per_km without distances", `{"vehicles":[{"id":1,"start_index":0,"costs":{"per_km":10}}],` + j + `,` + m + `}`, 2, "vehicles[0].costs.per_km"},
		{"negative fixed", `{"vehicles":[{"id":1,"start_index":0,"costs":{"fixed":-1}}],` + j + `,` + m + `}`, 2, "vehicles[0].costs.fixed"},
		{"break id", `{"vehicles":[{"id":1,"start_index":0,"breaks":[{"id":1},{"id":1}]}],` + j + `,` + m + `}`, 2, "vehicles[0].breaks[1].id"},
		{"break max_load", `{"vehicles":[{"id":1,"start_index":0,"capacity":[5],"breaks":[{"id":1,"max_load":[2]}]}],` + j + `,` + m + `}`, 2, "vehicles[0].breaks[0].max_load"},
		{"negative max_tasks", `{"vehicles":[{"id":1,"start_index":0,"max_tasks":-1}],` + j + `,` + m + `}`, 2, "vehicles[0].max_tasks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := SolveBytes(context.Background(), []byte(tc.input), quick)
			if err == nil {
				t.Fatalf("got answer %+v, want code %d", out, tc.code)
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("got %v (code %d), want code %d naming %q", err, Code(err), tc.code, tc.field)
			}
			b, _ := json.Marshal(ErrorOutput(err))
			var back map[string]any
			if err := json.Unmarshal(b, &back); err != nil || len(back) != 2 || back["code"] != float64(tc.code) {
				t.Errorf("error output %s: want exactly {code, error}", b)
			}
		})
	}
}

func TestUnknownFieldsIgnored(t *testing.T) {
	in := `{"options":{"g":true},"vehicles":[{"id":1,"start_index":0,"end_index":0,"type":"van","colour":"red"}],
		"jobs":[{"id":1,"location_index":1,"note":"x"}],"matrices":{"car":{"durations":[[0,1],[1,0]]}}}`
	if _, err := SolveBytes(context.Background(), []byte(in), quick); err != nil {
		t.Errorf("got %v, want unknown keys ignored", err)
	}
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{inputErr("jobs", "x"), 400},
		{&Error{Code: CodeRouting}, 502},
		{errors.New("boom"), 500},
	}
	for _, tc := range tests {
		if got := HTTPStatus(tc.err); got != tc.want {
			t.Errorf("HTTPStatus(%v): got %d, want %d", tc.err, got, tc.want)
		}
	}
	if got := ErrorOutput(errors.New("secret detail")).Error; got != "internal error" {
		t.Errorf("internal error leaks: %q", got)
	}
}

// TestGridLocations: VROOM accepts locations that are not geographic (the
// Gehring-Homberger grid) when custom matrices make coordinates
// unnecessary, and echoes them; without matrices they must be [lon, lat].
func TestGridLocations(t *testing.T) {
	withMatrix := `{"vehicles":[{"id":1,"start":[250,250],"start_index":0,"end":[250,250],"end_index":0}],
		"jobs":[{"id":7,"location":[400,-120],"location_index":1}],
		"matrices":{"car":{"durations":[[0,5],[5,0]]}}}`
	out, err := SolveBytes(context.Background(), []byte(withMatrix), quick)
	if err != nil {
		t.Fatalf("grid locations with a matrix: %v", err)
	}
	if out.Summary.Unassigned != 0 || len(out.Routes) != 1 {
		t.Fatalf("got %d routes, %d unassigned; want the job served", len(out.Routes), out.Summary.Unassigned)
	}
	var echoed []float64
	for _, s := range out.Routes[0].Steps {
		if s.Type == "job" {
			echoed = s.Location
		}
	}
	if len(echoed) != 2 || echoed[0] != 400 || echoed[1] != -120 {
		t.Errorf("job step location: got %v, want the input [400 -120] echoed", echoed)
	}
	if out.Summary.Duration != 10 {
		t.Errorf("duration: got %d, want 10 from the matrix", out.Summary.Duration)
	}
	for _, tc := range []struct{ name, input, field string }{
		{"job", `{"vehicles":[{"id":1,"start":[103.0,29.8]}],"jobs":[{"id":1,"location":[250,250]}]}`, "jobs[0].location"},
		{"vehicle end", `{"vehicles":[{"id":1,"start":[103.0,29.8],"end":[103.0,-91]}],"jobs":[{"id":1,"location":[103.1,29.7]}]}`, "vehicles[0].end"},
	} {
		t.Run("without matrix/"+tc.name, func(t *testing.T) {
			_, err := SolveBytes(context.Background(), []byte(tc.input), Options{MaxIterations: 10, Matrix: testMatrix})
			if Code(err) != CodeInput || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), "is not a [lon, lat] position") {
				t.Fatalf("got %v (code %d), want code 2 naming %s: is not a [lon, lat] position", err, Code(err), tc.field)
			}
		})
	}
}

// TestFixedCosts: costs.fixed is paid once per used vehicle and steers the
// search: two jobs far apart are cheaper on two vehicles (40 against 120)
// until each vehicle costs 1000 to use, then one vehicle serves both.
func TestFixedCosts(t *testing.T) {
	for _, tc := range []struct {
		fixed        int
		routes, cost int
	}{{0, 2, 40}, {1000, 1, 1120}} {
		in := fmt.Sprintf(`{"vehicles":[{"id":1,"start_index":0,"end_index":0,"costs":{"fixed":%d}},{"id":2,"start_index":0,"end_index":0,"costs":{"fixed":%d}}],
			"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":2}],
			"matrices":{"car":{"durations":[[0,10,10],[10,0,100],[10,100,0]]}}}`, tc.fixed, tc.fixed)
		out, err := SolveBytes(context.Background(), []byte(in), Options{MaxIterations: 100, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Routes) != tc.routes || out.Summary.Cost != int64(tc.cost) {
			t.Errorf("fixed %d: %d routes, cost %d; want %d routes, cost %d", tc.fixed, len(out.Routes), out.Summary.Cost, tc.routes, tc.cost)
		}
		b, _ := json.Marshal(out)
		if err := verify([]byte(in), b, nil); err != nil {
			t.Errorf("fixed %d: %v", tc.fixed, err)
		}
	}
}
