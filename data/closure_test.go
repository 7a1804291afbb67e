package data

import "testing"

func TestClosureValidate(t *testing.T) {
	th := &Point{Lon: 102.62, Lat: 29.775}
	okRoad := Closure{Kind: ClosedRoad, Name: "r", Line: []Point{{102.7, 29.78}, {102.71, 29.78}}, From: "2026-01-01", To: "2026-01-31"}
	okFoot := Closure{Kind: FootOnly, Name: "f", VillageID: "511822207200", Trailhead: th, WalkMinutes: 30, From: "12-01", To: "02-28", Yearly: true}
	for _, c := range []Closure{okRoad, okFoot} {
		if err := c.Validate(); err != nil {
			t.Fatalf("Validate(%s) = %v", c.Name, err)
		}
	}
	tests := []struct {
		name  string
		edit  func(*Closure)
		base  Closure
		field string
	}{
		{"no name", func(c *Closure) { c.Name = "" }, okRoad, "name"},
		{"kind", func(c *Closure) { c.Kind = "bridge" }, okRoad, "kind"},
		{"one point", func(c *Closure) { c.Line = c.Line[:1] }, okRoad, "line"},
		{"outside county", func(c *Closure) { c.Line[1] = Point{116.4, 39.9} }, okRoad, "line[1]"},
		{"repeated point", func(c *Closure) { c.Line[1] = c.Line[0] }, okRoad, "line[1]"},
		{"road with village", func(c *Closure) { c.VillageID = "511822207200" }, okRoad, "village_id"},
		{"bad from", func(c *Closure) { c.From = "2026-13-01" }, okRoad, "from"},
		{"ends before", func(c *Closure) { c.To = "2025-12-31" }, okRoad, "to"},
		{"yearly full date", func(c *Closure) { c.From = "2026-12-01" }, okFoot, "from"},
		{"yearly 02-30", func(c *Closure) { c.To = "02-30" }, okFoot, "to"},
		{"township code", func(c *Closure) { c.VillageID = "511822207000" }, okFoot, "village_id"},
		{"no trailhead", func(c *Closure) { c.Trailhead = nil }, okFoot, "trailhead"},
		{"walk 0", func(c *Closure) { c.WalkMinutes = 0 }, okFoot, "walk_minutes"},
		{"walk too long", func(c *Closure) { c.WalkMinutes = MaxWalkMinutes + 1 }, okFoot, "walk_minutes"},
		{"foot with line", func(c *Closure) { c.Line = okRoad.Line }, okFoot, "line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.base
			c.Line = append([]Point(nil), c.Line...)
			tc.edit(&c)
			err := c.Validate()
			if ErrorKind(err) != Invalid || ErrorField(err) != tc.field {
				t.Fatalf("Validate = %v (field %q), want Invalid naming %q", err, ErrorField(err), tc.field)
			}
		})
	}
}

func TestClosureActiveOn(t *testing.T) {
	winter := Closure{From: "12-01", To: "02-29", Yearly: true}
	rain := Closure{From: "06-01", To: "09-30", Yearly: true}
	once := Closure{From: "2026-03-02", To: "2026-03-04"}
	tests := []struct {
		c    Closure
		d    Date
		want bool
	}{
		{winter, "2026-12-01", true}, {winter, "2027-01-15", true}, {winter, "2027-02-28", true}, {winter, "2028-02-29", true},
		{winter, "2027-03-01", false}, {winter, "2026-11-30", false},
		{rain, "2026-06-01", true}, {rain, "2026-09-30", true}, {rain, "2026-10-01", false}, {rain, "2026-05-31", false},
		{once, "2026-03-02", true}, {once, "2026-03-04", true}, {once, "2026-03-05", false}, {once, "2027-03-03", false},
	}
	for _, tc := range tests {
		if got := tc.c.ActiveOn(tc.d); got != tc.want {
			t.Errorf("%s–%s ActiveOn(%s) = %v, want %v", tc.c.From, tc.c.To, tc.d, got, tc.want)
		}
	}
}
