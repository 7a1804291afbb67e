// Package seed holds Yingjing County's seed data, embedded in the binary, and
// loads it into a data.Store.
//
// Official data (files/, see files/SOURCES.md): the county, its 12 townships
// and 71 villages with NBS 2021 codes and names; the county and township
// points (public 2016 Amap points of the same or predecessor unit, WGS84);
// village points where a public 2016 point exists (converted from GCJ-02);
// the county outline. Every other village point is ESTIMATED by the
// deterministic method of estimateVillages.
//
// SAMPLE data (invented, labelled in the records: Sample = true, or
// Source = "SAMPLE" on requests): the service catalogue (46 items), staff,
// teams, market-day cycles and a week of requests.
//
// The package also parses the import files of `xunhui import` (CSV and JSON),
// reporting every bad line.
package seed

import (
	"context"
	"embed"
	"fmt"

	"github.com/yingjing/xunhui/data"
)

//go:embed files
var files embed.FS

// Options controls Load.
type Options struct {
	// IfEmpty skips loading entirely when the store is already seeded.
	IfEmpty bool
	// NoSample loads the official geography only.
	NoSample bool
	// Week is the Monday of the sample request week; default: the Monday
	// after today (Local), so that every deadline lies in the future.
	Week data.Date
	// Requests is the number of sample requests; 0 loads DefaultRequests
	// unless NoRequests is set.
	Requests int
	// NoRequests loads no sample requests (`seed --requests 0`).
	NoRequests bool
}

// DefaultRequests is the number of sample requests when Options.Requests is 0.
const DefaultRequests = 300

// Report says what Load wrote.
type Report struct {
	Skipped                               bool
	Townships, Villages, Points           int
	Estimated, Public2016                 int
	Items, Staff, Teams, Cycles, Requests int
	Week                                  data.Date
}

// String summarises r on one line.
func (r Report) String() string {
	if r.Skipped {
		return "store already seeded; nothing loaded (--if-empty)"
	}
	return fmt.Sprintf("townships %d, villages %d (public-2016-point %d, estimated %d), service points %d; SAMPLE: items %d, staff %d, teams %d, market cycles %d, requests %d (week of %s)",
		r.Townships, r.Villages, r.Public2016, r.Estimated, r.Points, r.Items, r.Staff, r.Teams, r.Cycles, r.Requests, r.Week)
}

// Load writes the seed into s. Reference data is upserted (so running it
// again refreshes it); sample requests whose id already exists are left
// alone. With IfEmpty, a seeded store is not touched at all.
func Load(ctx context.Context, s data.Store, opt Options) (Report, error) {
	var rep Report
	if opt.IfEmpty {
		ok, err := s.Seeded(ctx)
		if err != nil {
			return rep, fmt.Errorf("seed: %w", err)
		}
		if ok {
			rep.Skipped = true
			return rep, nil
		}
	}
	g, err := LoadGeography()
	if err != nil {
		return rep, fmt.Errorf("seed: geography: %w", err)
	}
	// Never overwrite better coordinates: a village whose stored point was
	// surveyed (xunhui import villages) keeps it on a re-seed.
	old, err := s.ListVillages(ctx, "")
	if err != nil {
		return rep, fmt.Errorf("seed: villages: %w", err)
	}
	keep := map[string]data.Village{}
	for _, v := range old {
		if v.Provenance == data.Surveyed {
			keep[v.ID] = v
		}
	}
	for i, v := range g.Villages {
		if k, ok := keep[v.ID]; ok {
			g.Villages[i].Location, g.Villages[i].Provenance = k.Location, k.Provenance
		}
	}
	for i, p := range g.Points {
		if k, ok := keep[p.Code]; ok && p.Circle == data.CircleVillage {
			g.Points[i].Location, g.Points[i].Provenance = k.Location, k.Provenance
		}
	}
	if err := s.PutTownships(ctx, g.Townships); err != nil {
		return rep, fmt.Errorf("seed: townships: %w", err)
	}
	if err := s.PutVillages(ctx, g.Villages); err != nil {
		return rep, fmt.Errorf("seed: villages: %w", err)
	}
	if err := s.PutServicePoints(ctx, g.Points); err != nil {
		return rep, fmt.Errorf("seed: service points: %w", err)
	}
	rep.Townships, rep.Villages, rep.Points = len(g.Townships), len(g.Villages), len(g.Points)
	for _, v := range g.Villages {
		switch v.Provenance {
		case data.Estimated:
			rep.Estimated++
		case data.Public2016Point:
			rep.Public2016++
		}
	}
	if opt.NoSample {
		return rep, nil
	}
	items, err := LoadSampleItems()
	if err != nil {
		return rep, fmt.Errorf("seed: items: %w", err)
	}
	if err := s.PutServiceItems(ctx, items); err != nil {
		return rep, fmt.Errorf("seed: items: %w", err)
	}
	week := opt.Week
	if week == "" {
		week = NextMonday(data.Today())
	}
	if !week.Valid() {
		return rep, data.FieldError("week", "%q is not a date YYYY-MM-DD", week)
	}
	staff := SampleStaff(g, items, week)
	if err := s.PutStaff(ctx, staff); err != nil {
		return rep, fmt.Errorf("seed: staff: %w", err)
	}
	teams := SampleTeams(g, staff)
	if err := s.PutTeams(ctx, teams); err != nil {
		return rep, fmt.Errorf("seed: teams: %w", err)
	}
	cycles := SampleMarketCycles(g)
	if err := s.PutMarketCycles(ctx, cycles); err != nil {
		return rep, fmt.Errorf("seed: market cycles: %w", err)
	}
	// The default guide rules are written only into a store without rules:
	// a re-seed never overwrites the county's own.
	if rules, err := s.ListGuideRules(ctx); err != nil {
		return rep, fmt.Errorf("seed: guide rules: %w", err)
	} else if len(rules) == 0 {
		if err := s.ReplaceGuideRules(ctx, data.DefaultGuideRules(), "seed"); err != nil {
			return rep, fmt.Errorf("seed: guide rules: %w", err)
		}
	}
	n := opt.Requests
	switch {
	case opt.NoRequests:
		n = 0
	case n <= 0:
		n = DefaultRequests
	}
	reqs := SampleRequests(g, items, week, n)
	ids := make([]string, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
	}
	existing := map[string]bool{}
	for off := 0; off < len(ids); off += data.MaxLimit {
		page, _, err := s.ListRequests(ctx, data.RequestFilter{IDs: ids[off:min(off+data.MaxLimit, len(ids))], Limit: data.MaxLimit})
		if err != nil {
			return rep, fmt.Errorf("seed: requests: %w", err)
		}
		for _, r := range page {
			existing[r.ID] = true
		}
	}
	var fresh []data.Request
	for _, r := range reqs {
		if !existing[r.ID] {
			fresh = append(fresh, r)
		}
	}
	if len(fresh) > 0 {
		if err := s.ImportRequests(ctx, fresh, "seed"); err != nil {
			return rep, fmt.Errorf("seed: requests: %w", err)
		}
	}
	rep.Items, rep.Staff, rep.Teams, rep.Cycles, rep.Requests, rep.Week = len(items), len(staff), len(teams), len(cycles), len(fresh), week
	return rep, nil
}
