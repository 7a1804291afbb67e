package api

import (
	"os"
	"testing"

	"github.com/yingjing/xunhui/data/postgres/pgtest"
)

// TestMain shares one throwaway PostgreSQL database per test binary, with a
// schema per store: creating a database per test dominated the run time.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
