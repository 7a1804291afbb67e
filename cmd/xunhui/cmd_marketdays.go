package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/yingjing/xunhui/scheduler/calendar"
)

func init() {
	register(command{
		name:    "market-days",
		summary: "list the market days of a cycle (e.g. solar:1,4,7, lunar:1,15) between two dates",
		run:     runMarketDays,
	})
}

// runMarketDays prints the market days of a cycle given in compact text
// form, one "DATE  WEEKDAY  REASON" line per day, or JSON with --json. It
// needs no database: it is for checking a cycle before storing it.
func runMarketDays(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("market-days", stderr)
	cycle := fs.String("cycle", "", "cycle in compact form: solar:1,4,7 | lunar:1,15 | every:5@2026-01-03 | weekdays:tue,sat (required)")
	from := fs.String("from", "", "first date YYYY-MM-DD (default today in Asia/Shanghai)")
	to := fs.String("to", "", fmt.Sprintf("last date YYYY-MM-DD (default from + %d days; at most %d days in all)", calendar.DefaultQueryDays-1, calendar.MaxRangeDays))
	asJSON := fs.Bool("json", false, "print JSON instead of lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cycle == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: xunhui market-days --cycle CYCLE [--from DATE] [--to DATE] [--json]")
		fs.PrintDefaults()
		return errUsage
	}
	c, err := calendar.ParseCycle(*cycle)
	if err != nil {
		return fmt.Errorf("--cycle: %w", err)
	}
	res, err := calendar.MarketDaysOf(c, false, nil, nil, *from, *to, time.Now())
	if err != nil {
		return fmt.Errorf("market days: %w", err)
	}
	if *asJSON {
		res.Sample = false
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "# %s, %s to %s: %d market days\n", res.Cycle, res.From, res.To, len(res.Days))
	for _, d := range res.Days {
		fmt.Fprintf(stdout, "%s  %s  %s\n", d.Date, calendar.Weekday(d.Date.Weekday()), d.Reason)
	}
	return nil
}
