package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

func init() {
	register(command{
		name:    "plan",
		summary: "plan a horizon's circuits offline (store's pending requests, or a generated SAMPLE county) and print a summary",
		run:     runPlan,
	})
}

// runPlan plans the circuits of from–to over the store's request pool (or,
// with --generate N, over a generated SAMPLE county of N requests without a
// database), checks the plan independently and prints its figures; with
// --save it stores the plan as a draft (created by "cli").
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", stderr)
	from := fs.String("from", "", "first day YYYY-MM-DD (default: next Monday)")
	to := fs.String("to", "", "last day YYYY-MM-DD (default: from + 4 days)")
	gen := fs.Int("generate", 0, "plan a generated SAMPLE county week with this many requests instead of the store (e.g. 600)")
	limit := fs.Duration("time-limit", 10*time.Second, "search time limit")
	iters := fs.Int("iterations", 0, "search iteration cap (0 = none)")
	threads := fs.Int("threads", 2, "parallel searches")
	seed := fs.Int64("seed", 1, "search seed")
	save := fs.Bool("save", false, "save the plan as a draft in the store")
	asJSON := fs.Bool("json", false, "print the whole result (plan, unassigned, decisions, loads) as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := data.Date(*from)
	if start == "" {
		start = data.Today().AddDays(1)
		for start.Weekday() != time.Monday {
			start = start.AddDays(1)
		}
		if *gen > 0 {
			start = "2026-11-30"
		}
	}
	end := data.Date(*to)
	if end == "" {
		end = start.AddDays(4)
	}
	if _, err := circuit.Days(start, end); err != nil {
		return err
	}
	var snap *circuit.Snapshot
	var store data.Store
	if *gen > 0 {
		if *save {
			return fmt.Errorf("--save needs the store, not --generate")
		}
		snap = circuit.GenerateCounty(circuit.GenOptions{Seed: uint64(*seed), Requests: *gen, Monday: start})
	} else {
		var err error
		if store, err = openStore(ctx, stderr); err != nil {
			return err
		}
		defer store.Close()
		if snap, err = circuit.LoadSnapshot(ctx, store, nil); err != nil {
			return err
		}
	}
	res, err := circuit.Plan(ctx, snap, circuit.Options{From: start, To: end, TimeLimit: *limit, MaxIterations: *iters,
		Threads: *threads, Seed: *seed, Now: start.Time().Add(-12 * time.Hour)})
	if err != nil {
		return err
	}
	if err := circuit.Check(snap, res.Detail, res.Travel); err != nil {
		return fmt.Errorf("independent check failed: %w", err)
	}
	if *save {
		res.Detail.Plan.CreatedBy = "cli"
		if err := store.CreatePlan(ctx, &res.Detail); err != nil {
			return fmt.Errorf("save: %w", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Plan    data.PlanDetail   `json:"plan"`
			Summary *data.PlanSummary `json:"summary"`
		}{res.Detail, res.Summary()})
	}
	st := res.Stats
	fmt.Fprintf(stdout, "circuit plan %s–%s%s: %d requests, %d served, %d left; %d stops on %d team-days; travel %d min; cost %d; %d iterations in %.1f s; travel times: %s; independent check: ok\n",
		start, end, map[bool]string{true: " (saved as draft " + res.Detail.Plan.ID + ")", false: ""}[*save],
		st.Requests, st.Served, st.Unserved, st.Stops, len(res.Detail.Itineraries), st.TravelMin, st.Cost, st.Iterations, st.ElapsedSec, st.Source)
	codes := map[circuit.Code]int{}
	for _, u := range res.Unassigned {
		codes[u.Code]++
	}
	var keys []string
	for c := range codes {
		keys = append(keys, string(c))
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "  left for next plan: %-24s %d\n", k, codes[circuit.Code(k)])
	}
	byLevel := map[data.Level][]int{}
	for _, l := range res.Loads {
		byLevel[l.Level] = append(byLevel[l.Level], l.WorkMinutes)
	}
	for _, lv := range []data.Level{data.LevelCounty, data.LevelTownship, data.LevelVillage} {
		ms := byLevel[lv]
		if len(ms) == 0 {
			continue
		}
		sort.Ints(ms)
		sum := 0
		for _, m := range ms {
			sum += m
		}
		fmt.Fprintf(stdout, "  %-8s teams %3d: working minutes min %d, median %d, max %d, mean %.0f\n", lv, len(ms), ms[0], ms[len(ms)/2], ms[len(ms)-1], float64(sum)/float64(len(ms)))
	}
	return nil
}
