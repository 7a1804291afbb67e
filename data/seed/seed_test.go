package seed

import (
	"context"
	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
)

// TestGCJ02MatchesCoords checks the private transform against the WGS84 rows
// of coords.csv, which were converted independently (to 6 decimals).
func TestGCJ02MatchesCoords(t *testing.T) {
	rows, err := readCSV("coords.csv")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := 0; i+1 < len(rows); i++ {
		g, w := rows[i], rows[i+1]
		if g["crs"] != "GCJ-02" || !strings.HasPrefix(w["crs"], "WGS84") || g["code"] != w["code"] {
			continue
		}
		glon, _ := strconv.ParseFloat(g["lon"], 64)
		glat, _ := strconv.ParseFloat(g["lat"], 64)
		wlon, _ := strconv.ParseFloat(w["lon"], 64)
		wlat, _ := strconv.ParseFloat(w["lat"], 64)
		lon, lat := gcj02ToWGS84(glon, glat)
		if math.Abs(lon-wlon) > 1.5e-6 || math.Abs(lat-wlat) > 1.5e-6 {
			t.Errorf("%s: GCJ02ToWGS84(%v, %v) = (%.7f, %.7f), want (%v, %v)", g["code"], glon, glat, lon, lat, wlon, wlat)
		}
		// And the forward transform takes us back.
		b := geo.WGS84ToGCJ02(orb.Point{lon, lat})
		blon, blat := b[0], b[1]
		if math.Abs(blon-glon) > 1e-9 || math.Abs(blat-glat) > 1e-9 {
			t.Errorf("%s: round trip = (%v, %v), want (%v, %v)", g["code"], blon, blat, glon, glat)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("compared %d point pairs, want ≥ 20", n)
	}
}

func TestGeography(t *testing.T) {
	g, err := LoadGeography()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Townships) != 12 || len(g.Villages) != 71 {
		t.Fatalf("got %d townships, %d villages; want 12, 71", len(g.Townships), len(g.Villages))
	}
	perTownship := map[string]int{}
	kinds := map[data.VillageKind]int{}
	prov := map[data.Provenance]int{}
	seen := map[data.Point]string{}
	for _, v := range g.Villages {
		if err := v.Validate(); err != nil {
			t.Errorf("village %s: %v", v.ID, err)
		}
		perTownship[v.TownshipID]++
		kinds[v.Kind]++
		prov[v.Provenance]++
		if !inside(v.Location, g.Boundary) {
			t.Errorf("village %s at %v is outside the county outline", v.ID, v.Location)
		}
		if other, dup := seen[v.Location]; dup {
			t.Errorf("villages %s and %s share location %v", v.ID, other, v.Location)
		}
		seen[v.Location] = v.ID
	}
	// Counts from the NBS 2021 table in NOTES.md.
	want := map[string]int{"511822001000": 18, "511822101000": 9, "511822102000": 4, "511822103000": 4, "511822104000": 7,
		"511822105000": 5, "511822106000": 7, "511822107000": 3, "511822202000": 4, "511822203000": 4, "511822207000": 3, "511822212000": 3}
	for code, n := range want {
		if perTownship[code] != n {
			t.Errorf("township %s: %d villages, want %d", code, perTownship[code], n)
		}
	}
	if kinds[data.KindCommunity] != 7 || kinds[data.KindVillage] != 64 {
		t.Errorf("kinds = %v, want 7 communities, 64 villages", kinds)
	}
	if prov[data.Public2016Point] != 11 || prov[data.Estimated] != 60 {
		t.Errorf("provenance = %v, want 11 public-2016-point, 60 estimated", prov)
	}
	for _, tw := range g.Townships {
		if err := tw.Validate(); err != nil {
			t.Errorf("township %s: %v", tw.ID, err)
		}
	}
	if len(g.Points) != 1+12+71 {
		t.Errorf("%d service points, want 84", len(g.Points))
	}
	for _, p := range g.Points {
		if err := p.Validate(); err != nil {
			t.Errorf("point %s: %v", p.ID, err)
		}
	}
	if !inside(g.County, g.Boundary) {
		t.Errorf("county centre %v outside the outline", g.County)
	}
	// Deterministic: a second load gives the same points.
	g2, _ := LoadGeography()
	if !slices.Equal(g.Villages, g2.Villages) {
		t.Errorf("estimation is not deterministic")
	}
}

func TestInside(t *testing.T) {
	square := []data.Point{{Lon: 0, Lat: 0}, {Lon: 1, Lat: 0}, {Lon: 1, Lat: 1}, {Lon: 0, Lat: 1}, {Lon: 0, Lat: 0}}
	for _, tc := range []struct {
		p    data.Point
		want bool
	}{{data.Point{Lon: 0.5, Lat: 0.5}, true}, {data.Point{Lon: 1.5, Lat: 0.5}, false}, {data.Point{Lon: -0.1, Lat: 0.9}, false}, {data.Point{Lon: 0.99, Lat: 0.01}, true}} {
		if got := inside(tc.p, square); got != tc.want {
			t.Errorf("inside(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestSampleData(t *testing.T) {
	g, err := LoadGeography()
	if err != nil {
		t.Fatal(err)
	}
	items, err := LoadSampleItems()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) < 30 || len(items) > 50 {
		t.Fatalf("%d sample items, want 30–50", len(items))
	}
	cats := map[data.Category]bool{}
	for _, it := range items {
		if !it.Sample {
			t.Errorf("item %s not marked sample", it.ID)
		}
		cats[it.Category] = true
	}
	for _, c := range data.Categories {
		if !cats[c] {
			t.Errorf("no sample item in category %s", c)
		}
	}
	week := data.Date("2027-03-01")
	staff := SampleStaff(g, items, week)
	teams := SampleTeams(g, staff)
	// Delegation: every village agent can take in every village-level item
	// and every desk officer every township-level one, so the planner can
	// keep small things in the village and big things in the township.
	for _, s := range staff {
		for _, it := range items {
			need := (s.Role == data.RoleVillageAgent && it.LowestLevel == data.LevelVillage) ||
				(s.Role == data.RoleDeskOfficer && it.LowestLevel != data.LevelCounty)
			if need && !slices.Contains(s.Skills, it.Skill) {
				t.Errorf("%s %s lacks skill %s for %s item %s", s.Role, s.ID, it.Skill, it.LowestLevel, it.ID)
			}
		}
	}
	roles := map[data.StaffRole]int{}
	for _, s := range staff {
		if err := s.Validate(); err != nil || !s.Sample {
			t.Errorf("staff %s: sample=%v err=%v", s.ID, s.Sample, err)
		}
		roles[s.Role]++
	}
	if roles[data.RoleDeskOfficer] != 12 || roles[data.RoleVillageAgent] != 71 || roles[data.RoleGridWorker] != 12 || roles[data.RoleCountyExpert] < 10 {
		t.Errorf("roles = %v", roles)
	}
	levels := map[data.Level]int{}
	for _, tm := range teams {
		if err := tm.Validate(); err != nil {
			t.Errorf("team %s: %v", tm.ID, err)
		}
		levels[tm.Level]++
	}
	if levels[data.LevelCounty] != 2 || levels[data.LevelTownship] != 12 || levels[data.LevelVillage] != 71 {
		t.Errorf("team levels = %v", levels)
	}
	for _, c := range SampleMarketCycles(g) {
		if err := c.Validate(); err != nil || !c.Sample || c.Cycle == "" {
			t.Errorf("cycle %+v: %v", c, err)
		}
	}

	reqs := SampleRequests(g, items, week, 400)
	again := SampleRequests(g, items, week, 400)
	if len(reqs) != 400 {
		t.Fatalf("%d requests, want 400", len(reqs))
	}
	nRemote, nGroups := 0, 0
	ledgers := map[data.Ledger]int{}
	for i, r := range reqs {
		if err := r.ValidateNew(week); err != nil {
			t.Errorf("request %s: %v", r.ID, err)
		}
		if r.Source != SampleSource {
			t.Errorf("request %s source %q", r.ID, r.Source)
		}
		if r.ID != again[i].ID || r.Household.VillageID != again[i].Household.VillageID || !slices.Equal(r.ItemIDs, again[i].ItemIDs) {
			t.Fatalf("generator is not deterministic at %d", i)
		}
		if remote[data.TownshipOf(r.Household.VillageID)] {
			nRemote++
		}
		if len(r.Groups) > 0 {
			nGroups++
		}
		ledgers[r.Ledger]++
	}
	if nRemote < 240 {
		t.Errorf("%d of 400 requests in remote townships, want most (≥ 240)", nRemote)
	}
	if nGroups < 160 || len(ledgers) != 3 || ledgers[data.LedgerProxy] < ledgers[data.LedgerAppeal] {
		t.Errorf("groups on %d households, ledgers %v", nGroups, ledgers)
	}
}

func TestNextMonday(t *testing.T) {
	for _, tc := range []struct{ in, want data.Date }{
		{"2026-11-27", "2026-11-30"}, // Friday
		{"2026-11-30", "2026-12-07"}, // Monday
		{"2026-11-29", "2026-11-30"}, // Sunday
	} {
		if got := NextMonday(tc.in); got != tc.want {
			t.Errorf("NextMonday(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	s := sqlitetest.New(t)
	rep, err := Load(ctx, s, Options{Requests: 120})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Villages != 71 || rep.Requests != 120 || rep.Teams != 85 {
		t.Fatalf("report = %+v", rep)
	}
	_, total, err := s.ListRequests(ctx, data.RequestFilter{})
	if err != nil || total != 120 {
		t.Fatalf("stored %d requests (%v), want 120", total, err)
	}
	rep, err = Load(ctx, s, Options{IfEmpty: true})
	if err != nil || !rep.Skipped {
		t.Fatalf("IfEmpty on seeded store: %+v, %v", rep, err)
	}
	surveyed := data.VillageLocation{VillageID: "511822207200", Location: data.Point{Lon: 102.6301, Lat: 29.7802}, Provenance: data.Surveyed}
	if err := s.SetVillageLocations(ctx, []data.VillageLocation{surveyed}); err != nil {
		t.Fatal(err)
	}
	rep, err = Load(ctx, s, Options{Requests: 150})
	if err != nil || rep.Requests != 30 {
		t.Fatalf("re-seed: %+v, %v; want 30 new requests", rep, err)
	}
	v, _ := s.GetVillage(ctx, surveyed.VillageID)
	p, _ := s.GetServicePoint(ctx, "sp-"+surveyed.VillageID)
	if v.Location != surveyed.Location || v.Provenance != data.Surveyed || p.Location != surveyed.Location {
		t.Fatalf("re-seed overwrote surveyed point: village %+v, point %+v", v, p)
	}
}
