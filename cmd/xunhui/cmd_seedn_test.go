package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/sqlite"
)

// TestSeedExactlyNRequests: `seed --requests N` stores exactly N requests
// (counted in the store, not read off the report), below and above the
// default of 300, and seeding again adds none.
func TestSeedExactlyNRequests(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	for _, n := range []int{1, 37, 450} {
		db := filepath.Join(t.TempDir(), "x.db")
		stored := func() int {
			s, err := sqlite.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, total, err := s.ListRequests(context.Background(), data.RequestFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return total
		}
		for round := 1; round <= 2; round++ {
			code, out, errs := runMain(t, "seed", "--db", db, "--requests", fmt.Sprint(n))
			if code != 0 {
				t.Fatalf("seed --requests %d: code %d\n%s%s", n, code, out, errs)
			}
			if got := stored(); got != n {
				t.Fatalf("seed --requests %d (round %d) stored %d requests", n, round, got)
			}
			if round == 1 && !strings.Contains(out, fmt.Sprintf("requests %d ", n)) {
				t.Errorf("seed --requests %d reports %q", n, out)
			}
		}
	}
}
