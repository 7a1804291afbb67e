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

// TestImportGuideRules: `seed` writes the default guide rules; `import
// guide-rules FILE.json` reports every bad rule by line and field and
// changes nothing, then replaces the set with a good file.
func TestImportGuideRules(t *testing.T) {
	dir, db := seededDB(t)
	rules := func() []data.GuideRule {
		s, err := sqlite.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		rs, err := s.ListGuideRules(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if rs := rules(); len(rs) != len(data.DefaultGuideRules()) {
		t.Fatalf("seeded rules = %+v, want the defaults", rs)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.json", `[{"id":"GR-1","group":"elderly_alone","levels":["county"]},
 {"id":"GR-2","group":"nobody","levels":["county"]},
 {"id":"GR-3","item_id":"NO-SUCH-ITEM","levels":["township"]}]`)
	code, _, errs := runMain(t, "import", "guide-rules", bad, "--db", db)
	if code == 0 || !strings.Contains(errs, bad+":2: group:") || !strings.Contains(errs, bad+":3: item_id:") {
		t.Fatalf("bad file: code %d\n%s", code, errs)
	}
	if rs := rules(); len(rs) != len(data.DefaultGuideRules()) {
		t.Fatalf("a rejected file changed the rules: %+v", rs)
	}
	good := write("good.json", `[{"id":"GR-1","group":"seriously_ill","levels":["county","township"],"note":"重病患者"}]`)
	if code, out, errs := runMain(t, "import", "guide-rules", good, "--db", db); code != 0 || !strings.Contains(out, "imported 1 guide-rules") {
		t.Fatalf("good file: code %d\n%s%s", code, out, errs)
	}
	if rs := rules(); len(rs) != 1 || rs[0].Group != data.GroupSeriouslyIll || len(rs[0].Levels) != 2 {
		t.Fatalf("rules after import = %+v", rs)
	}
	if code, out, _ := runMain(t, "seed", "--db", db, "--requests", "0"); code != 0 || len(rules()) != 1 {
		t.Fatalf("a re-seed overwrote the county's rules: %d %s %+v", code, out, rules())
	}
}
