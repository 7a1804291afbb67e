package circuit

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/geo/roadgraph"
)

// Grid road network over the generated county (SAMPLE, invented roads):
// a road every gridStep degrees of latitude and gridStepLon of longitude
// (≈ 500 m), every 4th one a secondary road at 60 km/h, the others
// unclassified at 30 km/h.
const (
	gridLat0, gridLon0   = 29.58, 102.58
	gridStep, gridStepLn = 0.0045, 0.0052
	gridRows, gridCols   = 98, 108
)

func gridNode(r, c int) data.Point {
	return data.Point{Lon: gridLon0 + float64(c)*gridStepLn, Lat: gridLat0 + float64(r)*gridStep}
}

func gridOSM() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<osm version=\"0.6\" generator=\"test\">\n")
	id := func(r, c int) int { return r*gridCols + c + 1 }
	for r := 0; r < gridRows; r++ {
		for c := 0; c < gridCols; c++ {
			p := gridNode(r, c)
			fmt.Fprintf(&b, "<node id=\"%d\" lat=\"%.7f\" lon=\"%.7f\"/>\n", id(r, c), p.Lat, p.Lon)
		}
	}
	way := 1
	tags := func(k int) string {
		if k%4 == 0 {
			return `<tag k="highway" v="secondary"/><tag k="maxspeed" v="60"/>`
		}
		return `<tag k="highway" v="unclassified"/>`
	}
	for r := 0; r < gridRows; r++ {
		fmt.Fprintf(&b, "<way id=\"%d\">", way)
		way++
		for c := 0; c < gridCols; c++ {
			fmt.Fprintf(&b, "<nd ref=\"%d\"/>", id(r, c))
		}
		b.WriteString(tags(r) + "</way>\n")
	}
	for c := 0; c < gridCols; c++ {
		fmt.Fprintf(&b, "<way id=\"%d\">", way)
		way++
		for r := 0; r < gridRows; r++ {
			fmt.Fprintf(&b, "<nd ref=\"%d\"/>", id(r, c))
		}
		b.WriteString(tags(c) + "</way>\n")
	}
	b.WriteString("</osm>\n")
	return b.String()
}

// countyClosures closes, on Tuesday and Wednesday, the secondary roads
// leaving the county seat's corner of the grid eastwards and northwards
// for 4 km (rain), and makes the three villages with the most requests
// walk-only all week (40 minutes from a trailhead 1.5 km
// away).
func countyClosures(snap *Snapshot) []data.Closure {
	line := func(pts ...data.Point) []data.Point { return pts }
	r0, c0 := 48, 52 // secondary row and column near the seat (102.85, 29.80)
	cs := []data.Closure{
		{ID: "CL-east", Kind: data.ClosedRoad, Name: "东线塌方 (SAMPLE)", Line: line(gridNode(r0, c0), gridNode(r0, c0+8)), From: "2026-12-01", To: "2026-12-02"},
		{ID: "CL-north", Kind: data.ClosedRoad, Name: "北线塌方 (SAMPLE)", Line: line(gridNode(r0, c0), gridNode(r0+9, c0)), From: "2026-12-01", To: "2026-12-02"},
	}
	count := map[string]int{}
	for _, r := range snap.Requests {
		count[r.Household.VillageID]++
	}
	var vs []string
	for id := range count {
		vs = append(vs, id)
	}
	sort.Slice(vs, func(a, b int) bool {
		if count[vs[a]] != count[vs[b]] {
			return count[vs[a]] > count[vs[b]]
		}
		return vs[a] < vs[b]
	})
	for _, id := range vs[:3] {
		loc := snap.Villages[id].Location
		th := data.Point{Lon: loc.Lon + 0.0155, Lat: loc.Lat}
		cs = append(cs, data.Closure{ID: "CL-foot-" + id, Kind: data.FootOnly, Name: "步行村 (SAMPLE)", VillageID: id,
			Trailhead: &th, WalkMinutes: 40, From: "2026-11-30", To: "2026-12-04"})
	}
	return cs
}

// TestClosuresCountyWeek plans the 600-request SAMPLE county week on a road
// graph with two closed roads (Tuesday–Wednesday) and three walk-only
// villages (all week), and checks every leg without the planner's
// matrix: the leg is re-routed on the road graph without the roads closed
// that day; that path must not run along a closed line (tested with this
// file's own geometry), and the planned travel time must be that path's
// time, plus the walk for a place in a walk-only village reached from its
// trailhead. The closures must matter: some legs' open-road paths run along
// a closed line, and some visits are in walk-only villages on their days.
func TestClosuresCountyWeek(t *testing.T) {
	ctx := context.Background()
	net, err := roadgraph.Read(ctx, strings.NewReader(gridOSM()))
	if err != nil {
		t.Fatal(err)
	}
	open := roadgraph.NewSource(net)
	snap := GenerateCounty(GenOptions{Seed: 1})
	snap.Closures = countyClosures(snap)
	for _, c := range snap.Closures {
		if err := c.Validate(); err != nil {
			t.Fatalf("closure %s: %v", c.ID, err)
		}
	}
	res, err := Plan(ctx, snap, Options{From: "2026-11-30", To: "2026-12-04", Source: open, MaxIterations: 400, Seed: 1,
		Now: time.Date(2026, 11, 29, 12, 0, 0, 0, data.Local)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(snap, res.Detail, res.Travel); err != nil {
		t.Fatalf("check: %v", err)
	}
	if res.Stats.Served < 400 {
		t.Fatalf("served %d of 600", res.Stats.Served)
	}
	st := checkLegs(t, ctx, snap, res.Detail, open)
	t.Logf("served %d; %d legs checked, %d on closed-road days whose open path ran along a closure, %d foot legs",
		res.Stats.Served, st.legs, st.detoured, st.foot)
	if st.detoured == 0 || st.foot == 0 {
		t.Fatalf("the closures did not matter (detoured %d, foot legs %d): the test proves nothing", st.detoured, st.foot)
	}
}

type legStats struct{ legs, detoured, foot int }

// checkLegs is the independent leg check of TestClosuresCountyWeek.
func checkLegs(t *testing.T, ctx context.Context, snap *Snapshot, d data.PlanDetail, open *roadgraph.Source) legStats {
	t.Helper()
	var st legStats
	teams := map[string]data.Team{}
	for _, tm := range snap.Teams {
		teams[tm.ID] = tm
	}
	for _, it := range d.Itineraries {
		tm := teams[it.TeamID]
		base, _ := snap.base(tm)
		var roads []data.Closure
		foot := map[string]data.Closure{} // village → walk-only closure
		for _, c := range snap.Closures {
			if !c.ActiveOn(it.Date) {
				continue
			}
			if c.Kind == data.ClosedRoad {
				roads = append(roads, c)
			} else if tm.TravelMode != data.TravelFoot {
				foot[c.VillageID] = c
			}
		}
		src := geo.Source(open)
		if len(roads) > 0 {
			var cr []geo.ClosedRoad
			for _, c := range roads {
				cr = append(cr, geo.ClosedRoad{ID: c.ID, Line: orbLine(c.Line)})
			}
			var err error
			if src, _, err = open.WithoutRoads(cr); err != nil {
				t.Fatal(err)
			}
		}
		type place struct {
			p       data.Point
			village string
		}
		home := "" // an agent's base is in its village
		if _, ok := snap.Villages[tm.HomeCode]; ok {
			home = tm.HomeCode
		}
		seq := []place{{base, home}}
		planned := []int{}
		for _, s := range it.Stops {
			seq = append(seq, place{s.Location, s.VillageID})
			planned = append(planned, s.TravelSeconds)
		}
		seq = append(seq, place{base, home})
		planned = append(planned, it.ReturnSeconds)
		for k := 0; k+1 < len(seq); k++ {
			a, b := seq[k], seq[k+1]
			from, to, walk := a.p, b.p, 0
			fa, inA := foot[a.village]
			fb, inB := foot[b.village]
			if inA && inB && a.village == b.village {
				// Walked within the village: great circle × 1.3 at 4 km/h.
				want := 0
				if a.p != b.p {
					secs := math.Round(geo.DistanceHaversine(orb.Point{a.p.Lon, a.p.Lat}, orb.Point{b.p.Lon, b.p.Lat}) * 1.3 / (4 / 3.6))
					want = (int(secs) + 59) / 60 * 60
				}
				if planned[k] != want {
					t.Errorf("%s %s leg %d within walk-only village %s: planned %d s, walking takes %d s", it.TeamID, it.Date, k+1, a.village, planned[k], want)
				}
				st.foot++
				st.legs++
				continue
			}
			if inA {
				from, walk = *fa.Trailhead, walk+fa.WalkMinutes*60
			}
			if inB {
				to, walk = *fb.Trailhead, walk+fb.WalkMinutes*60
			}
			if inA || inB {
				st.foot++
			}
			drive := 0
			if from != to {
				path, secs := route(t, ctx, src, tm.TravelMode, from, to)
				for _, c := range roads {
					if alongLine(path, c.Line) {
						t.Errorf("%s %s leg %d: the path runs along closed road %s", it.TeamID, it.Date, k+1, c.ID)
					}
				}
				drive = int((secs + 59) / 60 * 60)
				if len(roads) > 0 {
					openPath, _ := route(t, ctx, open, tm.TravelMode, from, to)
					for _, c := range roads {
						if alongLine(openPath, c.Line) {
							st.detoured++
							break
						}
					}
				}
			}
			if want := drive + walk; planned[k] != want {
				t.Errorf("%s %s leg %d (%v→%v): planned %d s, the road graph without the day's closed roads gives %d s (walk %d s)",
					it.TeamID, it.Date, k+1, a.p, b.p, planned[k], want, walk)
			}
			st.legs++
		}
	}
	return st
}

func route(t *testing.T, ctx context.Context, src geo.Source, mode data.TravelMode, a, b data.Point) (orb.LineString, int64) {
	t.Helper()
	gm, _ := geo.ParseMode(string(mode))
	legs, err := src.(geo.Router).Route(ctx, gm, []orb.Point{{a.Lon, a.Lat}, {b.Lon, b.Lat}})
	if err != nil {
		t.Fatalf("route %v→%v: %v", a, b, err)
	}
	return legs[0].Path, legs[0].Seconds
}

func orbLine(ps []data.Point) orb.LineString {
	out := make(orb.LineString, len(ps))
	for i, p := range ps {
		out[i] = orb.Point{p.Lon, p.Lat}
	}
	return out
}

// alongLine reports whether some piece of path runs along line: both its
// ends and its middle within 30 m of the line (metres on a local plane).
func alongLine(path orb.LineString, line []data.Point) bool {
	const tol = 30.0
	ky := 6371008.8 * math.Pi / 180
	kx := ky * math.Cos(line[0].Lat*math.Pi/180)
	dist := func(q orb.Point) float64 {
		best := math.Inf(1)
		for i := 0; i+1 < len(line); i++ {
			ax, ay := line[i].Lon*kx, line[i].Lat*ky
			bx, by := line[i+1].Lon*kx, line[i+1].Lat*ky
			qx, qy := q[0]*kx, q[1]*ky
			dx, dy := bx-ax, by-ay
			u := ((qx-ax)*dx + (qy-ay)*dy) / (dx*dx + dy*dy)
			u = math.Max(0, math.Min(1, u))
			best = math.Min(best, math.Hypot(qx-ax-u*dx, qy-ay-u*dy))
		}
		return best
	}
	for i := 0; i+1 < len(path); i++ {
		p, q := path[i], path[i+1]
		if p == q {
			continue
		}
		mid := orb.Point{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2}
		if dist(p) <= tol && dist(q) <= tol && dist(mid) <= tol {
			return true
		}
	}
	return false
}
