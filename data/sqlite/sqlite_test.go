package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
