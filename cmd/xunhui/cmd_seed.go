package main

import (
	"context"
	"fmt"
	"io"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
)

func init() {
	register(command{
		name:    "seed",
		summary: "load the county geography and the SAMPLE staff, teams, catalogue and requests",
		run:     runSeed,
	})
}

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", stderr)
	cfg := addStoreFlags(fs)
	ifEmpty := fs.Bool("if-empty", false, "do nothing if the database already holds the county geography")
	noSample := fs.Bool("no-sample", false, "load the official geography only, no SAMPLE data")
	week := fs.String("week", "", "Monday of the SAMPLE request week, YYYY-MM-DD (default: next Monday)")
	requests := fs.Int("requests", seed.DefaultRequests, "number of SAMPLE requests (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: xunhui seed [--if-empty] [--no-sample] [--week YYYY-MM-DD] [--requests N]")
		return errUsage
	}
	if *requests < 0 {
		return fmt.Errorf("--requests %d: want a number of requests, 0 or more", *requests)
	}
	if *week != "" {
		d, err := data.ParseDate(*week)
		if err != nil {
			return err
		}
		if d.Weekday() != 1 {
			return fmt.Errorf("--week %s is not a Monday", d)
		}
	}
	s, err := openStoreConfig(ctx, *cfg, stdout)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := seed.Load(ctx, s, seed.Options{IfEmpty: *ifEmpty, NoSample: *noSample, Week: data.Date(*week), Requests: *requests, NoRequests: *requests == 0})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed (%s): %s\n", cfg.describe(), rep)
	if !rep.Skipped && !*noSample {
		fmt.Fprintln(stdout, "note: staff, teams, catalogue, market cycles and requests are SAMPLE data (invented), labelled as such")
	}
	return nil
}
