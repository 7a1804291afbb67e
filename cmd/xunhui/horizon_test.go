package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// TestDefaultRecoveryHorizon checks the issue's bound "a run whose server
// was killed is done or failed with a reason within 3 minutes, with the
// defaults" from the defaults themselves: the flags of serve and worker,
// unset, give a queue whose recovery horizon (rescue age + River's rescuer
// and scheduler intervals + poll + a whole new attempt) is under 3 minutes.
// TestKilledServerRunsRecover shows the mechanism with short limits.
func TestDefaultRecoveryHorizon(t *testing.T) {
	for _, env := range []string{"XUNHUI_PLAN_TIME_LIMIT", "XUNHUI_JOB_TIMEOUT", "XUNHUI_RESCUE_AFTER", "XUNHUI_JOB_POLL", "XUNHUI_RECONCILE_EVERY"} {
		t.Setenv(env, "") // the defaults, whatever the caller's environment
	}
	for _, workers := range []int{1, 2} { // serve, worker
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		w := addWorkFlags(fs, workers)
		if err := fs.Parse(nil); err != nil {
			t.Fatal(err)
		}
		cfg := w.queueConfig(nil)
		if cfg.JobTimeout != time.Minute || cfg.RescueAfter != time.Minute+jobs.RescueMargin {
			t.Errorf("default job timeout %s, rescue after %s; want 1m0s and 1m15s", cfg.JobTimeout, cfg.RescueAfter)
		}
		if h := cfg.RecoveryHorizon(); h >= 3*time.Minute {
			t.Errorf("recovery horizon with the defaults = %s, want < 3m0s", h)
		} else {
			t.Logf("recovery horizon with the defaults: %s", h)
		}
	}
	// A longer search moves the horizon with it: the bound is derived, not fixed.
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	w := addWorkFlags(fs, 1)
	if err := fs.Parse([]string{"--plan-time-limit", "30s"}); err != nil {
		t.Fatal(err)
	}
	if got, want := w.queueConfig(nil).RecoveryHorizon(), 180*time.Second+15*time.Second+30*time.Second+time.Second+5*time.Second+time.Second+180*time.Second; got != want {
		t.Errorf("horizon with 30 s searches = %s, want %s", got, want)
	}
}

// TestReplanToleranceFlag: the re-plan tolerance is configurable per
// process (--replan-tolerance, XUNHUI_REPLAN_TOLERANCE), defaults to the
// planner's 60 minutes and refuses values outside 1–1440 naming the flag.
func TestReplanToleranceFlag(t *testing.T) {
	t.Setenv("XUNHUI_REPLAN_TOLERANCE", "")
	for _, tc := range []struct {
		args []string
		want int
		bad  bool
	}{{nil, circuit.DefaultTolerance, false}, {[]string{"--replan-tolerance", "30"}, 30, false},
		{[]string{"--replan-tolerance", "0"}, 0, true}, {[]string{"--replan-tolerance", "1441"}, 0, true}} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		w := addWorkFlags(fs, 1)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		cfg, err := w.circuitConfig()
		switch {
		case tc.bad && (err == nil || !strings.Contains(err.Error(), "--replan-tolerance")):
			t.Errorf("%v: %v, want an error naming --replan-tolerance", tc.args, err)
		case !tc.bad && (err != nil || cfg.Tolerance != tc.want || cfg.TimeLimit != 10*time.Second):
			t.Errorf("%v: %+v %v, want tolerance %d", tc.args, cfg, err, tc.want)
		}
	}
	t.Setenv("XUNHUI_REPLAN_TOLERANCE", "45")
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	w := addWorkFlags(fs, 2)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if cfg, err := w.circuitConfig(); err != nil || cfg.Tolerance != 45 {
		t.Errorf("XUNHUI_REPLAN_TOLERANCE=45: %+v %v", cfg, err)
	}
}
