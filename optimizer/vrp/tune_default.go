//go:build !vrptune

package vrp

import "time"

// Search parameters fixed in production builds; tune.go (build tag
// vrptune) lets experiments override them from the environment.
const (
	cpuClock         = false
	wakeSelfOnly     = true
	avgRemoved       = float64(sisrAvgRemoved)
	routeRemovalRate = 0.05
	lambdaScale      = 1000.0
	// fleetShare is the share of the budget (time or iterations) that
	// fleet mode may spend removing routes before the cost search takes
	// the rest (fleet.go).
	fleetShare = 0.5
	// fleetSqueeze tries N&B's squeeze before inserting with ejections.
	fleetSqueeze = true
)

func threadCPU() time.Time { return time.Now() }

func tuneFromEnv(*runConfig) {}
