//go:build vrptune

// Experiment knobs, compiled only with -tags vrptune: environment
// overrides of search parameters and a thread-CPU clock for fair
// comparisons on a shared machine. Production builds use tune_default.go.

package vrp

import (
	"os"
	"strconv"
	"syscall"
	"time"
)

// cpuClock makes time limits count the search thread's CPU time
// (VRP_CPUCLOCK=1), so that experiments on a loaded machine compare
// algorithms fairly. Never set in production.
var cpuClock = os.Getenv("VRP_CPUCLOCK") == "1"

func threadCPU() time.Time {
	var ru syscall.Rusage
	_ = syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Unix(0, ru.Utime.Nano()+ru.Stime.Nano())
}

// tuneFromEnv lets experiments override search parameters
// (VRP_TSTART, VRP_TEND, VRP_LSMODE, VRP_LSGATE). Temporary.
func tuneFromEnv(cfg *runConfig) {
	f := func(name string, dst *float64) {
		if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
			*dst = v
		}
	}
	f("VRP_TSTART", &cfg.tStart)
	f("VRP_TEND", &cfg.tEnd)
	f("VRP_LSGATE", &cfg.lsGate)
	if v := os.Getenv("VRP_PEN"); v != "" {
		cfg.penalised = v == "1"
	}
	if v, err := strconv.Atoi(os.Getenv("VRP_LSMODE")); err == nil {
		cfg.lsMode = v
	}
}

var wakeSelfOnly = os.Getenv("VRP_WAKESELF") != "0"

var avgRemoved = func() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("VRP_CBAR"), 64); err == nil {
		return v
	}
	return sisrAvgRemoved
}()

var routeRemovalRate = func() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("VRP_RROUTE"), 64); err == nil {
		return v
	}
	return 0.05
}()

var lambdaScale = func() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("VRP_LAMBDA"), 64); err == nil {
		return v
	}
	return 1000
}()

var fleetShare = func() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("VRP_FLEETSHARE"), 64); err == nil {
		return v
	}
	return 0.5
}()

var fleetSqueeze = os.Getenv("VRP_SQUEEZE") != "0"
