package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/sqlite"
)

// TestImportClosures: `import closures FILE.geojson` reports every bad
// feature by its position and field and writes nothing, then loads a good
// file.
func TestImportClosures(t *testing.T) {
	dir, db := seededDB(t)
	good := `{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[102.70,29.78],[102.71,29.781]]},
  "properties":{"name":"县道塌方","from":"06-01","to":"09-30","yearly":true}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[102.62,29.775]},
  "properties":{"name":"民主村 冬季","village_id":"511822207200","walk_minutes":40,"from":"12-01","to":"02-28","yearly":true}}]}`
	bad := strings.Replace(strings.Replace(good, `"walk_minutes":40`, `"walk_minutes":500`, 1), `"06-01"`, `"6月1日"`, 1)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b := write("bad.geojson", bad)
	code, _, errs := runMain(t, "import", "closures", b, "--db", db)
	if code == 0 || !strings.Contains(errs, b+":1: features[0].properties.from:") || !strings.Contains(errs, b+":2: features[1].properties.walk_minutes:") {
		t.Fatalf("bad file: code %d\n%s", code, errs)
	}
	count := func() int {
		s, err := sqlite.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		cs, err := s.ListClosures(context.Background(), data.ClosureFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	if n := count(); n != 0 {
		t.Fatalf("a rejected file stored %d closures", n)
	}
	if code, out, errs := runMain(t, "import", "closures", write("good.geojson", good), "--db", db); code != 0 || !strings.Contains(out, "imported 2 closures") {
		t.Fatalf("good file: code %d\n%s%s", code, out, errs)
	}
	if n := count(); n != 2 {
		t.Fatalf("stored %d closures, want 2", n)
	}
}
