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

// TestSeedZeroRequestsAndImportCalendars: `seed --requests 0` loads no
// request; `import calendars` reports every bad line (a lunar day 30 its
// month lacks is explained) and writes nothing, then loads a good file.
func TestSeedZeroRequestsAndImportCalendars(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	code, out, errs := runMain(t, "seed", "--db", db, "--requests", "0")
	if code != 0 || !strings.Contains(out, "requests 0") {
		t.Fatalf("seed --requests 0: code %d\n%s%s", code, out, errs)
	}
	if code, _, errs := runMain(t, "seed", "--db", db, "--requests", "-3"); code == 0 || !strings.Contains(errs, "--requests -3") {
		t.Fatalf("seed --requests -3: code %d\n%s", code, errs)
	}
	ctx := context.Background()
	count := func() (int, data.MarketCycle) {
		s, err := sqlite.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, total, err := s.ListRequests(ctx, data.RequestFilter{})
		if err != nil {
			t.Fatal(err)
		}
		mc, _, err := s.MarketCalendar(ctx, "511822101000")
		if err != nil {
			t.Fatal(err)
		}
		return total, mc
	}
	if n, _ := count(); n != 0 {
		t.Fatalf("seed --requests 0 stored %d requests", n)
	}

	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("cal.csv", "township_id,cycle,start,end,place,special_days\n"+
		"511822101000,lunar:1,15,07:00,12:00,老街,lunar:01-15 元宵灯会\n"+ // unquoted comma: the CSV reader sees 7 fields
		"511822101000,\"lunar:1,15\",07:00,12:00,老街,lunar:2025-12-30 除夕集\n"+
		"511822102000,moon:1,07:00,12:00,,\n"+
		"511822999000,solar:1,07:00,12:00,,\n")
	code, _, errs = runMain(t, "import", "calendars", bad, "--db", db)
	for _, want := range []string{"cal.csv:2:", "cal.csv:3: special_days[0].on", "腊月 has 29 days", "cal.csv:4: cycle.kind", "cal.csv:5: township_id", "4 bad line(s)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("import stderr lacks %q:\n%s", want, errs)
		}
	}
	if code != 1 {
		t.Errorf("bad import exited %d, want 1", code)
	}
	if _, mc := count(); !mc.Sample {
		t.Fatalf("a rejected import changed the calendar: %+v", mc)
	}
	good := write("cal.json", `[{"township_id":"511822101000","cycle":"lunar:15,1","start":"07:30","end":"12:00",
  "special_days":[{"on":"lunar:01-15","name":"元宵灯会"}]}]`)
	if code, out, errs := runMain(t, "import", "calendars", good, "--db", db); code != 0 || !strings.Contains(out, "imported 1 calendars") {
		t.Fatalf("good import: %d\n%s%s", code, out, errs)
	}
	if _, mc := count(); mc.Sample || mc.Cycle != "lunar:1,15" || mc.Start != 450 || len(mc.SpecialDays) != 1 {
		t.Fatalf("calendar after import = %+v", mc)
	}
	// The market-days command reads the same cycle text.
	if code, out, _ := runMain(t, "market-days", "--cycle", "lunar:1,15", "--from", "2025-07-20", "--to", "2025-08-10"); code != 0 || !strings.Contains(out, "闰六月") {
		t.Fatalf("market-days over the leap month: %d\n%s", code, out)
	}
}
