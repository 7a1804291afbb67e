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
)

func threadCPU() time.Time { return time.Now() }

func tuneFromEnv(*runConfig) {}
