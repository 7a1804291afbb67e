package postgres_test

import (
	"os"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/data/storetest"
)

// TestMain gives the whole test binary one throwaway database; each store
// of the suite lives in its own schema in it.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestStore runs the contract suite on a throwaway database per subtest.
func TestStore(t *testing.T) {
	pgtest.Check(t)
	storetest.Run(t, func(t *testing.T) data.Store { return pgtest.NewStore(t) })
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, pgtest.NewStore(b)) }
