package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/data/sqlite"
)

// run runs the binary's Main with args and returns exit code, stdout, stderr.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// seededDB seeds a new embedded store (no requests) in a temporary folder
// and returns the folder and the database file; DATABASE_URL is cleared so
// the commands use that file.
func seededDB(t *testing.T) (dir, db string) {
	t.Helper()
	t.Setenv("DATABASE_URL", "")
	dir = t.TempDir()
	db = filepath.Join(dir, "x.db")
	if code, out, errs := runMain(t, "seed", "--db", db, "--requests", "0"); code != 0 {
		t.Fatalf("seed: %d\n%s%s", code, out, errs)
	}
	return dir, db
}

func TestMigrateSeedImport(t *testing.T) {
	t.Setenv("DATABASE_URL", "") // this test is about the embedded store
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")

	code, out, errs := runMain(t, "migrate", "--db", db)
	if code != 0 || !strings.Contains(out, "0001_init.sql") {
		t.Fatalf("migrate: code %d\n%s%s", code, out, errs)
	}
	if code, out, _ = runMain(t, "migrate", "--db", db); code != 0 || strings.Contains(out, "0001_init.sql") {
		t.Fatalf("second migrate reapplied: %d %s", code, out)
	}
	code, out, errs = runMain(t, "seed", "--db", db, "--if-empty", "--requests", "40")
	if code != 0 || !strings.Contains(out, "villages 71") || !strings.Contains(out, "requests 40") || !strings.Contains(out, "SAMPLE") {
		t.Fatalf("seed: code %d\n%s%s", code, out, errs)
	}
	if code, out, _ = runMain(t, "seed", "--db", db, "--if-empty"); code != 0 || !strings.Contains(out, "nothing loaded") {
		t.Fatalf("seed --if-empty on seeded db: %d %s", code, out)
	}

	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "ledger,name,phone,village_id,items,deadline\n"+
		"proxy,甲,13800000001,511822207200,MA-01,\n"+
		"proxy,乙,13800000002,511822207299,MA-01,\n"+
		"proxy,丙,13800000003,511822207200,MA-99,\n"+
		"proxy,丁,13800000004,511822207200,MA-01,2001-01-01\n")
	code, _, errs = runMain(t, "import", "requests", bad, "--db", db)
	for _, want := range []string{"bad.csv:3: household.village_id", "bad.csv:4: item_ids[0]", "bad.csv:5: deadline", "3 bad line(s)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("import stderr lacks %q:\n%s", want, errs)
		}
	}
	if code != 1 {
		t.Errorf("import of a bad file exited %d, want 1", code)
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, total, _ := s.ListRequests(ctx, data.RequestFilter{Statuses: []data.Status{data.StatusPending}})
	s.Close()
	if total != 40 {
		t.Fatalf("after rejected import: %d requests, want the 40 seeded", total)
	}

	good := write("good.json", `[{"ledger":"appeal","household":{"name":"戊","phone":"13800000005","village_id":"511822207200"},"item_ids":["CA-04"],"priority":2}]`)
	if code, out, errs = runMain(t, "import", "requests", good, "--db", db); code != 0 || !strings.Contains(out, "imported 1 requests") {
		t.Fatalf("good import: %d\n%s%s", code, out, errs)
	}
	loc := write("loc.csv", "code,lon,lat\n511822207200,102.635148,29.781136\n")
	if code, out, errs = runMain(t, "import", "villages", "--crs", "gcj02", loc, "--db", db); code != 0 {
		t.Fatalf("villages import: %d\n%s%s", code, out, errs)
	}
	s, _ = sqlite.Open(ctx, db)
	defer s.Close()
	v, _ := s.GetVillage(ctx, "511822207200")
	if v.Provenance != data.Surveyed || v.Location.Lon != 102.633744 {
		t.Fatalf("village after import = %+v", v)
	}
	// Absences: a bad line rejects the file; a good one is stored.
	badAbs := write("abs-bad.csv", "staff_id,from,to,reason\nST-C01,2026-12-09,2026-12-10,病假\nST-999,2026-12-09,,培训\nST-C02,2026-12-10,2026-12-09,x\n")
	code, _, errs = runMain(t, "import", "absences", badAbs, "--db", db)
	for _, want := range []string{"abs-bad.csv:3: staff_id", "abs-bad.csv:4: to", "2 bad line(s)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("absence import stderr lacks %q:\n%s", want, errs)
		}
	}
	if code != 1 {
		t.Errorf("bad absence import exited %d, want 1", code)
	}
	goodAbs := write("abs.csv", "staff_id,from,to,reason,kind\nST-C01,2026-12-09,2026-12-10,病假,sick\n")
	if code, out, errs = runMain(t, "import", "absences", goodAbs, "--db", db, "--by", "hr"); code != 0 || !strings.Contains(out, "imported 1 absences") {
		t.Fatalf("absence import: %d\n%s%s", code, out, errs)
	}
	// The seeded roster's leave ranges are absences too (one leave model),
	// made by "import"; the file's one is the only one by "hr".
	as, err := s.ListAbsences(ctx, data.AbsenceFilter{})
	var byHR []data.Absence
	for _, a := range as {
		if a.CreatedBy == "hr" {
			byHR = append(byHR, a)
		} else if a.CreatedBy != "import" || a.Kind != data.AbsenceLeave {
			t.Errorf("absence %+v: neither the file's nor the roster's", a)
		}
	}
	if err != nil || len(byHR) != 1 || byHR[0].StaffID != "ST-C01" || byHR[0].Kind != data.AbsenceSick || len(as) < 2 {
		t.Fatalf("absences after import = %+v %v", as, err)
	}
	if code, _, _ = runMain(t, "import", "planets", good, "--db", db); code != 2 {
		t.Fatalf("unknown kind exited %d, want 2", code)
	}
}

// TestMigrateSeedPostgres runs the same commands against a throwaway
// PostgreSQL database (skipped loudly when there is no server).
func TestMigrateSeedPostgres(t *testing.T) {
	u := pgtest.NewDatabase(t)
	t.Setenv("DATABASE_URL", u)
	if code, out, errs := runMain(t, "migrate"); code != 0 || !strings.Contains(out, "PostgreSQL") {
		t.Fatalf("migrate: %d\n%s%s", code, out, errs)
	}
	if code, out, errs := runMain(t, "seed", "--if-empty", "--requests", "25"); code != 0 || !strings.Contains(out, "requests 25") {
		t.Fatalf("seed: %d\n%s%s", code, out, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"ledger":"proxy","household":{"name":"甲","phone":"13800000001","village_id":"511822207299"},"item_ids":["MA-01"],"priority":3}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runMain(t, "import", "requests", bad); code != 1 || !strings.Contains(errs, "bad.json:1: household.village_id") {
		t.Fatalf("bad import: %d\n%s", code, errs)
	}
}
