package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/market"
)

func init() {
	register(command{
		name:    "market-plan",
		summary: "plan market-day desks for a horizon (stored as a draft market plan), or solve a generated SAMPLE instance",
		run:     runMarketPlan,
	})
}

// runMarketPlan plans the market days from–to over the store (as user
// "cli", role admin) and prints the plan's figures, or with --generate
// solves a random SAMPLE instance without a database and prints its
// figures (the benchmark instance is --generate 12,40,30,2000).
func runMarketPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("market-plan", stderr)
	from := fs.String("from", "", "first day YYYY-MM-DD (required without --generate)")
	to := fs.String("to", "", "last day YYYY-MM-DD (required without --generate)")
	gen := fs.String("generate", "", "solve a generated SAMPLE instance TOWNSHIPS,STAFF,DAYS,BOOKINGS instead, e.g. 12,40,30,2000")
	seed := fs.Int64("seed", 1, "seed of the generator and the search")
	limit := fs.Duration("time-limit", 3*time.Second, "local-search time limit")
	iters := fs.Int("iterations", 400_000, "local-search move cap")
	asJSON := fs.Bool("json", false, "print the full result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opt := market.Options{Seed: *seed, TimeLimit: *limit, MaxIterations: *iters}
	out := json.NewEncoder(stdout)
	out.SetIndent("", "  ")
	if *gen != "" {
		var g market.GenSpec
		if _, err := fmt.Sscanf(*gen, "%d,%d,%d,%d", &g.Townships, &g.Staff, &g.Days, &g.Bookings); err != nil || g.Days <= 0 {
			return fmt.Errorf("--generate %q: want TOWNSHIPS,STAFF,DAYS,BOOKINGS", *gen)
		}
		g.Seed = *seed
		p := market.Generate(g)
		p.Options = opt
		t0 := time.Now()
		sol, err := market.Solve(ctx, p)
		if err != nil {
			return err
		}
		el := time.Since(t0)
		if err := market.Check(p, sol); err != nil {
			return fmt.Errorf("exact check failed: %w", err)
		}
		if *asJSON {
			return out.Encode(sol)
		}
		fmt.Fprintf(stdout, "SAMPLE instance %s seed %d: %d slots, %d bookings, %d coverable, %d uncovered, %d missed desks, travel %d min, Σdays² %d, %d moves (%s), %.2fs; exact check ok\n",
			*gen, *seed, len(p.Slots()), len(p.Bookings), sol.Coverable, len(sol.Uncovered), sol.Cost.Missed, sol.Cost.TravelMin,
			sol.Cost.FairnessSq, sol.Iterations, sol.Status, el.Seconds())
		return nil
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: xunhui market-plan --from DATE --to DATE [--json] | --generate T,S,D,B [--seed N]")
		fs.PrintDefaults()
		return errUsage
	}
	store, err := openStore(ctx, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := market.NewService(store, market.Config{Options: opt})
	cli := market.Actor{UserID: "cli", Role: data.UserAdmin}
	v, err := svc.Plan(ctx, cli, *from, *to)
	if err != nil {
		return err
	}
	id := v.ID
	if *asJSON {
		return out.Encode(v)
	}
	if v.Status != market.RunDone {
		return fmt.Errorf("plan %s %s: %s", id, v.Status, v.Error)
	}
	fmt.Fprintf(stdout, "market plan %s (%s, %s–%s): %d desks, %d bookings, %d uncovered, %d conflicts, %d missed desks, travel %d min, %d ms\n",
		id, v.Publication, v.From, v.To, len(v.Desks), v.Stats.Bookings, len(v.Uncovered), len(v.Conflicts), v.Stats.Cost.Missed,
		v.Stats.Cost.TravelMin, v.Stats.SolveMillis)
	for _, u := range v.Uncovered {
		fmt.Fprintf(stdout, "  uncovered %s %s %s %s: %s\n", u.BookingID, u.TownshipID, u.Date, u.ItemID, u.Message)
	}
	return nil
}
