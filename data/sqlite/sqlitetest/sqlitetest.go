// Package sqlitetest gives tests a migrated SQLite store in a temporary file.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/yingjing/xunhui/data/sqlite"
)

// New returns a migrated, empty store in a file under t.TempDir(), closed
// when t ends.
func New(t testing.TB) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "xunhui-test.db"))
	if err != nil {
		t.Fatalf("sqlitetest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("sqlitetest: migrate: %v", err)
	}
	return db
}
