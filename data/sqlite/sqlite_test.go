package sqlite_test

import (
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/data/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return sqlitetest.New(t) })
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, sqlitetest.New(b)) }
