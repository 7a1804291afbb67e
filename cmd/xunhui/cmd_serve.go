package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/yingjing/xunhui/api"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/handoff"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/web"
)

func init() {
	register(command{
		name:    "serve",
		summary: "serve the HTTP API (migrates the database; prints the admin token on first run)",
		run:     runServe,
	})
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// newLogger builds the structured logger of serve: format json or text,
// level debug, info, warn or error.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", format)
}

// runServe opens (and migrates) the store, makes sure an admin can log in,
// wires the planners into the API server and serves until ctx is cancelled
// (SIGINT/SIGTERM from main), then drains in-flight requests for at most
// --shutdown-timeout.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	store := addStoreFlags(fs)
	addr := fs.String("addr", envOr("XUNHUI_ADDR", "127.0.0.1:8080"), "listen address host:port; port 0 picks a free one (env XUNHUI_ADDR)")
	metricsAddr := fs.String("metrics-addr", os.Getenv("XUNHUI_METRICS_ADDR"), "also serve /metrics without auth on this (internal, e.g. 127.0.0.1:9090) address (env XUNHUI_METRICS_ADDR)")
	logFormat := fs.String("log-format", envOr("XUNHUI_LOG_FORMAT", "json"), "log format: json or text (env XUNHUI_LOG_FORMAT)")
	logLevel := fs.String("log-level", envOr("XUNHUI_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env XUNHUI_LOG_LEVEL)")
	shutdown := fs.Duration("shutdown-timeout", 20*time.Second, "how long to let in-flight requests finish on SIGTERM/SIGINT")
	seedEmpty := fs.Bool("seed-if-empty", false, "load the county geography and SAMPLE data when the database holds none (same as `xunhui seed --if-empty`)")
	noScheduler := fs.Bool("no-scheduler", false, "recurring jobs off: none is scheduled here and /api/v1/schedules answers 503 (set it on every replica or none: River's elected leader fires the slots)")
	work := addWorkFlags(fs, 1)
	def := api.DefaultRateLimits()
	ratePerToken := fs.String("rate-per-token", envOr("XUNHUI_RATE_PER_TOKEN", fmt.Sprint(def.PerToken)), "requests per second per bearer token, bursts of 3x; 0 = no limit (env XUNHUI_RATE_PER_TOKEN)")
	ratePerAddr := fs.String("rate-per-address", envOr("XUNHUI_RATE_PER_ADDRESS", fmt.Sprint(def.PerAddress)), "requests per second per client address, bursts of 3x; 0 = no limit (env XUNHUI_RATE_PER_ADDRESS)")
	trailDays := fs.Int("trail-retention-days", envInt("XUNHUI_TRAIL_RETENTION_DAYS", 3*365), "days the access trail (who read or changed household records) is kept; 0 = forever (env XUNHUI_TRAIL_RETENTION_DAYS)")
	authFails := fs.String("auth-failures-per-minute", envOr("XUNHUI_AUTH_FAILURES_PER_MINUTE", fmt.Sprint(def.FailedAuthPerMinute)), "failed sign-ins (401 answers) per minute per client address before 429; 0 = no limit (env XUNHUI_AUTH_FAILURES_PER_MINUTE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: xunhui serve [--addr HOST:PORT] [--db FILE | --database-url URL] [--metrics-addr HOST:PORT] [--log-format json|text] [--log-level LEVEL]")
		return errUsage
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	limits, err := rateLimits(*ratePerToken, *ratePerAddr, *authFails)
	if err != nil {
		return err
	}

	s, err := openStoreConfig(ctx, *store, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	logger.Info("store open", "store", store.describe())
	if *seedEmpty {
		rep, err := seed.Load(ctx, s, seed.Options{IfEmpty: true})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		logger.Info("seed", "report", rep.String())
	}

	// The admin token is a secret: it goes to stdout once, never to the log.
	secret, err := api.EnsureAdmin(ctx, s, os.Getenv("XUNHUI_ADMIN_TOKEN"))
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	if secret != "" {
		fmt.Fprintf(stdout, "No admin existed: created user %q. Its token is shown only this once:\n\n    %s\n\n"+
			"Keep it safe (or set XUNHUI_ADMIN_TOKEN to choose your own).\n", api.AdminUserID, secret)
		logger.Warn("created admin user with a new token (printed on stdout)", "user", api.AdminUserID)
	}

	pl, err := openPlanners(ctx, s, work, logger)
	if err != nil {
		return err
	}
	srv := api.NewServer(s, logger, api.Config{QueueRetryAfter: pl.queue.RetryAfter(), RateLimits: &limits, TrailRetention: trailRetention(*trailDays)})
	srv.SetVRPMatrix(geoMatrix(pl.travel))
	cir, mkt := pl.cir, pl.mkt
	srv.SetCircuit(cir)
	srv.SetMarket(mkt)
	srv.SetHandoffs(handoff.New(s, nil))                                     // 代办转办 chains (docs/api.md)
	srv.SetWeb(web.FS, api.WebConfig{TileURL: os.Getenv("XUNHUI_TILE_URL")}) // browser app at / (docs/web.md)

	jobsDone := make(chan error, 1)
	jobCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	if *noScheduler {
		jobsDone <- nil
	} else {
		sched, err := openScheduler(ctx, s, pl, work, logger)
		if err != nil {
			return err
		}
		srv.SetScheduler(sched)
		go func() { jobsDone <- sched.Watch(jobCtx) }()
	}

	// Workers (--workers N) take plans from the queue, whichever replica
	// accepted them; --workers 0 makes an API-only replica.
	if err := pl.queue.Start(ctx); err != nil {
		return err
	}
	defer stopQueue(pl.queue, *shutdown, logger)
	if err := srv.Open(*addr); err != nil {
		return err
	}
	if *metricsAddr != "" {
		if err := srv.OpenMetrics(*metricsAddr); err != nil {
			_ = srv.Close(context.Background())
			return err
		}
		logger.Info("metrics listening", "addr", srv.MetricsAddr().String())
	}
	// Tests and scripts read the address from this line (port 0 picks one).
	fmt.Fprintf(stdout, "xunhui: listening on %s\n", srv.URL())
	logger.Info("listening", "url", srv.URL(), "store", store.describe())

	<-ctx.Done()
	logger.Info("shutting down: draining in-flight requests", "timeout", shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), *shutdown)
	defer cancel()
	err = srv.Close(sctx)
	stopJobs()
	if jerr := <-jobsDone; jerr != nil && !errors.Is(jerr, context.Canceled) {
		logger.Warn("scheduler stopped with an error", "error", jerr)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// stopQueue lets running plans finish for at most grace, then stops them
// (each keeps its best plan so far).
func stopQueue(q *jobs.Queue, grace time.Duration, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		logger.Warn("job queue stopped with an error", "error", err)
	}
}

// rateLimits parses the three rate flags (numbers >= 0) into api.RateLimits;
// bursts are 3x the per-second rates and the whole per-minute allowance of
// failed sign-ins.
func rateLimits(perToken, perAddr, authFails string) (api.RateLimits, error) {
	var out api.RateLimits
	for _, f := range []struct {
		name string
		val  string
		dst  *float64
	}{{"rate-per-token", perToken, &out.PerToken}, {"rate-per-address", perAddr, &out.PerAddress}, {"auth-failures-per-minute", authFails, &out.FailedAuthPerMinute}} {
		v, err := strconv.ParseFloat(strings.TrimSpace(f.val), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return out, fmt.Errorf("--%s %q: want a number >= 0", f.name, f.val)
		}
		*f.dst = v
	}
	out.TokenBurst = int(math.Ceil(3 * out.PerToken))
	out.AddressBurst = int(math.Ceil(3 * out.PerAddress))
	out.FailedAuthBurst = int(math.Ceil(out.FailedAuthPerMinute))
	return out, nil
}

// trailRetention converts --trail-retention-days (0 or less: forever).
func trailRetention(days int) time.Duration {
	if days <= 0 {
		return -1
	}
	return time.Duration(days) * 24 * time.Hour
}
