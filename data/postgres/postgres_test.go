package postgres_test

import (
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/postgres/pgtest"
	"github.com/yingjing/xunhui/data/storetest"
)

// TestStore runs the contract suite on a throwaway database per subtest.
func TestStore(t *testing.T) {
	pgtest.Check(t)
	storetest.Run(t, func(t *testing.T) data.Store { return pgtest.NewStore(t) })
}
