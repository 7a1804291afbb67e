package vrp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSolomonQuick solves Solomon instances when VRP_SOLOMON=dur is set
// (e.g. 1s); a manual benchmark, skipped by default.
func TestSolomonQuick(t *testing.T) {
	lim := os.Getenv("VRP_SOLOMON")
	if lim == "" {
		t.Skip("set VRP_SOLOMON=1s to run")
	}
	d, err := time.ParseDuration(lim)
	if err != nil {
		t.Fatal(err)
	}
	dir := "/work/shared/benchmarks/vrptw"
	set := os.Getenv("VRP_SET")
	if set == "" {
		set = "solomon"
	}
	var bks map[string]struct {
		Cost float64 `json:"best_known_cost"`
		Veh  int     `json:"solved_with_vehicles"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "BKS.json"))
	json.Unmarshal(b, &bks)
	files, _ := filepath.Glob(filepath.Join(dir, set, "*.txt"))
	sort.Strings(files)
	if f := os.Getenv("VRP_FILTER"); f != "" {
		var keep []string
		for _, x := range files {
			if strings.Contains(filepath.Base(x), f) {
				keep = append(keep, x)
			}
		}
		files = keep
	}
	var sum float64
	for _, f := range files {
		p, err := readSolomon(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		seed, _ := strconv.Atoi(os.Getenv("VRP_SEED"))
		k, _ := strconv.Atoi(os.Getenv("VRP_K"))
		opts := Options{TimeLimit: d, Seed: int64(seed), Objective: ObjectiveDistance, Neighbours: k}
		if it, err := strconv.Atoi(os.Getenv("VRP_ITERS")); err == nil {
			opts.TimeLimit, opts.MaxIterations = 0, it
		}
		s, err := Solve(context.Background(), p, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(p, s); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		ref := bks[name+"_distance"].Cost
		if ref == 0 {
			ref = bks[name].Cost
		}
		gap := (float64(s.Cost)/1000/ref - 1) * 100
		sum += gap
		t.Logf("%s cost %.2f bks %.2f gap %+.2f%% routes %d unassigned %d iters %d", name, float64(s.Cost)/1000, ref, gap, len(s.Routes), len(s.Unassigned), s.Iterations)
	}
	t.Logf("average gap %+.3f%% over %d", sum/float64(len(files)), len(files))
}
