package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/sqlite"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/data/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return sqlitetest.New(t) })
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, sqlitetest.New(b)) }

// TestOddPath opens a database whose path has URI-special characters.
func TestOddPath(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"a b.db", "x?y#z%.db", "荥经.db"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), name)
			db, err := sqlite.Open(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(p); err != nil {
				t.Fatalf("database not at %q: %v", p, err)
			}
		})
	}
}

// TestRosterLeaveConverted: a staff record holding leave ranges (as earlier
// versions stored them) gets them as absences after migrating, once, and
// loses them from the record.
func TestRosterLeaveConverted(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.PutTownships(ctx, []data.Township{{ID: "511822101000", Name: "花滩镇", Type: "镇"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutStaff(ctx, []data.Staff{{ID: "ST-1", Name: "张三", Role: data.RoleDeskOfficer, Skills: []data.Skill{data.SkillGeneral}, HomeCode: "511822101000"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE staff SET leave_ranges = '[{"from":"2026-12-01","to":"2026-12-03"}]' WHERE id = 'ST-1'`); err != nil {
		t.Fatal(err)
	}
	for range 2 { // converted once, whatever the number of starts
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	as, err := db.ListAbsences(ctx, data.AbsenceFilter{StaffID: "ST-1"})
	if err != nil || len(as) != 1 || as[0].From != "2026-12-01" || as[0].To != "2026-12-03" || as[0].Kind != data.AbsenceLeave {
		t.Fatalf("absences = %+v, %v", as, err)
	}
	var left string
	if err := db.SQL().QueryRowContext(ctx, `SELECT leave_ranges FROM staff WHERE id = 'ST-1'`).Scan(&left); err != nil || left != "[]" {
		t.Fatalf("leave_ranges = %q, %v", left, err)
	}
}

// TestCheckpointer: with the writer's automatic checkpoint off, the read
// pool's checkpointer copies committed writes from the WAL into the
// database file by itself, and the writes read back through a new handle.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "ck.db")
	db, err := sqlite.Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE ck (v BLOB)`); err != nil {
		t.Fatal(err)
	}
	// Everything so far into the file, then 2 MB more that only the
	// checkpointer may copy there.
	if _, err := db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	before := size()
	blob := make([]byte, 64<<10)
	for range 32 {
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO ck (v) VALUES ($1)`, blob); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return size() >= before+2<<20 })
	if g, err := db.Generations(ctx); err != nil {
		t.Fatalf("a plain read through the read pool: %+v, %v", g, err)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for range 100 {
		if ok() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the checkpointer did not copy the WAL into the database within 5 s")
}

// TestCloseTwice: closing the store again returns without harm.
func TestCloseTwice(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
}
