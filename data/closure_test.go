package data

import (
	"encoding/json"
	"testing"
)

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

func TestParseClosuresGeoJSON(t *testing.T) {
	good := `{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[102.70,29.78],[102.71,29.781,1200]]},
  "properties":{"name":"G108 塌方","reason":"雨季","from":"06-01","to":"09-30","yearly":true,"stroke":"#f00"}},
 {"type":"Feature","id":"CL-w","geometry":{"type":"Point","coordinates":[102.62,29.775]},
  "properties":{"name":"民主村","village_id":"511822207200","walk_minutes":40,"from":"2026-12-01","to":"2027-02-28"}}]}`
	cs, err := ParseClosuresGeoJSON([]byte(good))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(cs) != 2 || cs[0].Kind != ClosedRoad || len(cs[0].Line) != 2 || !cs[0].Yearly ||
		cs[1].Kind != FootOnly || cs[1].ID != "CL-w" || cs[1].Trailhead == nil || cs[1].Trailhead.Lon != 102.62 || cs[1].WalkMinutes != 40 {
		t.Fatalf("parsed = %+v", cs)
	}
	// Round trip through the encoder.
	fc := ClosureCollection{Type: "FeatureCollection"}
	for _, c := range cs {
		fc.Features = append(fc.Features, ClosureToFeature(c, "民主村", "2026-12-05"))
	}
	b, _ := json.Marshal(fc)
	back, err := ParseClosuresGeoJSON(b)
	if err != nil || len(back) != 2 || back[1].WalkMinutes != 40 || back[0].Line[1] != cs[0].Line[1] {
		t.Fatalf("round trip = %+v, %v", back, err)
	}

	bad := `{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[102.70,29.78]]},"properties":{"name":"a","from":"2026-01-01","to":"2026-01-02"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[102.62,29.775]},"properties":{"name":"b","village_id":"511822207200","walk_minutes":0,"from":"2026-01-01","to":"2026-01-02"}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},"properties":{"name":"c","from":"2026-01-01","to":"2026-01-02"}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[102.70,29.78],[116.4,39.9]]},"properties":{"name":"d","from":"2026-01-01","to":"2026-01-02"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[102.62,29.775]},"properties":{"kind":"road","name":"e","from":"2026-01-01","to":"2026-01-02"}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[102.70,29.78],[102.71,29.78]]},"properties":{"name":"ok","from":"2026-01-01","to":"2026-01-02"}}]}`
	_, err = ParseClosuresGeoJSON([]byte(bad))
	rows := RowErrors(err)
	want := []string{"features[0].geometry.coordinates", "features[1].properties.walk_minutes", "features[2].geometry.type",
		"features[3].geometry.coordinates[1]", "features[4].properties.kind"}
	if len(rows) != len(want) {
		t.Fatalf("rows = %+v, want %d", rows, len(want))
	}
	for i, w := range want {
		if rows[i].Field != w || rows[i].Line != i+1 {
			t.Errorf("row %d = %+v, want line %d field %s", i, rows[i], i+1, w)
		}
	}
	for _, s := range []string{`[]`, `{"type":"Feature"}`, `{"type":"FeatureCollection","features":[]}`, `{`} {
		if _, err := ParseClosuresGeoJSON([]byte(s)); ErrorKind(err) != Invalid {
			t.Errorf("parse(%s) = %v, want Invalid", s, err)
		}
	}
}

// FuzzParseClosuresGeoJSON: no input panics; what parses validates.
func FuzzParseClosuresGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[102.62,29.775]},"properties":{"name":"b","village_id":"511822207200","walk_minutes":5,"from":"12-01","to":"02-28","yearly":true}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[102.7,29.78],[102.71,29.78]]},"properties":{"name":"a","from":"2026-01-01","to":"2026-01-02"}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":null},"properties":null}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := ParseClosuresGeoJSON(b)
		if err != nil {
			if ErrorKind(err) != Invalid {
				t.Fatalf("error kind %v: %v", ErrorKind(err), err)
			}
			return
		}
		for _, c := range cs {
			if err := c.Validate(); err != nil {
				t.Fatalf("parsed closure does not validate: %v", err)
			}
		}
	})
}
