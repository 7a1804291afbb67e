package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
	"github.com/yingjing/xunhui/optimizer/vrp/vroom"
	"github.com/yingjing/xunhui/scheduler"
)

func init() {
	// Release mode: gin's debug mode prints route tables and warnings to
	// stdout, which would corrupt the JSON logs.
	gin.SetMode(gin.ReleaseMode)
}

// Config holds the tunables of a Server. The zero value is usable: every
// zero field takes the default given in its comment.
type Config struct {
	// MaxBodyBytes limits JSON request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// ReadHeaderTimeout bounds reading request headers (default 10 s), the
	// usual defence against slow-loris clients.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request (default 60 s).
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response (default 5 min: solves are slow).
	WriteTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections (default 2 min).
	IdleTimeout time.Duration
	// TrustedProxies lists proxy addresses or CIDRs whose X-Forwarded-For is
	// believed for the logged client address; none by default.
	TrustedProxies []string
	// Now returns the current time; tests may fix it (default time.Now).
	Now func() time.Time
	// QueueRetryAfter is the Retry-After of a 429 for a full job queue
	// (default 30 s; cmd sets the queue's own).
	QueueRetryAfter time.Duration
	// RateLimits bounds request rates per token, per address and of failed
	// sign-ins (429 with Retry-After); nil turns every limit off. `xunhui
	// serve` sets DefaultRateLimits, adjusted by its flags.
	RateLimits *RateLimits
	// TrailRetention is how long access-trail entries are kept (default
	// DefaultTrailRetention; negative: forever).
	TrailRetention time.Duration
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = 10 * time.Second
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 60 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Minute
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 2 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.TrailRetention == 0 {
		c.TrailRetention = DefaultTrailRetention
	}
	if c.QueueRetryAfter <= 0 {
		c.QueueRetryAfter = 30 * time.Second
	}
	return c
}

// Server is the HTTP API: a gin engine over a data.Store. Create it with
// NewServer, start it with Open, stop it with Close. Handlers are thin: they
// bind and check input, apply the caller's role, call the store and encode.
type Server struct {
	store   data.Store
	logger  *slog.Logger
	cfg     Config
	metrics *Metrics
	limits  *limiter
	// tokens and answers are the caches of cache.go; trail batches the
	// access-trail writes of concurrent requests.
	tokens  *genCache[string, authEntry]
	answers *genCache[answerKey, *answer]
	trail   *trailBatcher
	gens    *genReader
	// pulls are users' last pulls (pullcache.go).
	pulls *pullCache
	// trailPurged is the Unix second of the last access-trail purge.
	trailPurged atomic.Int64
	engine      *gin.Engine
	spec        *openAPIDoc

	sched      *scheduler.Scheduler
	vrpMatrix  vroom.MatrixFunc
	solveSlots chan struct{}
	circuit    *circuit.Service

	mu      sync.Mutex
	srv     *http.Server
	ln      net.Listener
	metSrv  *http.Server
	metLn   net.Listener
	serveWG sync.WaitGroup
}

// NewServer returns a Server over store. logger may be nil (logs are
// discarded). The routes are registered immediately, so Handler can be used
// without Open.
func NewServer(store data.Store, logger *slog.Logger, cfg Config) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		store:   store,
		logger:  logger,
		cfg:     cfg.withDefaults(),
		metrics: NewMetrics(),
		spec:    newOpenAPIDoc(),

		solveSlots: make(chan struct{}, MaxConcurrentSolves),
		tokens:     newGenCache[string, authEntry](maxCachedTokens),
		answers:    newGenCache[answerKey, *answer](maxCachedAnswers),
	}
	s.trail = &trailBatcher{store: store}
	s.gens = &genReader{store: store}
	s.pulls = newPullCache(maxCachedPulls)
	if s.cfg.RateLimits != nil {
		s.limits = newLimiter(*s.cfg.RateLimits, s.cfg.Now)
	}
	s.engine = gin.New()
	s.engine.HandleMethodNotAllowed = true
	s.engine.RedirectTrailingSlash = false // a redirect would drop PATCH bodies
	s.engine.RedirectFixedPath = false
	s.engine.ContextWithFallback = true
	_ = s.engine.SetTrustedProxies(s.cfg.TrustedProxies)
	s.routes()
	return s
}

// Metrics returns the server's Prometheus collectors; planners record solve
// times into Metrics().SolveSeconds.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Handler returns the root HTTP handler (for tests with httptest).
func (s *Server) Handler() http.Handler { return s.engine }

// Open listens on addr (host:port; port 0 picks a free one) and serves in the
// background until Close.
func (s *Server) Open(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	s.serve(srv, ln)
	return nil
}

// OpenMetrics serves /metrics without authentication on a separate listener
// at addr, meant for a loopback or cluster-internal address that only the
// Prometheus scraper can reach. The main listener's /metrics needs an admin
// token instead.
func (s *Server) OpenMetrics(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen metrics %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.metSrv, s.metLn = srv, ln
	s.mu.Unlock()
	s.serve(srv, ln)
	return nil
}

func (s *Server) serve(srv *http.Server, ln net.Listener) {
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("http serve", slog.String("addr", ln.Addr().String()), slog.Any("error", err))
		}
	}()
}

// Addr returns the address the API listens on, or nil before Open.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// MetricsAddr returns the address of the metrics listener, or nil.
func (s *Server) MetricsAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.metLn == nil {
		return nil
	}
	return s.metLn.Addr()
}

// URL returns the base URL of the API ("http://127.0.0.1:port"), or "".
func (s *Server) URL() string {
	a := s.Addr()
	if a == nil {
		return ""
	}
	return "http://" + a.String()
}

// Close shuts the server down gracefully: it stops accepting connections
// and waits for in-flight requests to finish until ctx is done, then closes
// the remaining connections. It does not close the store. It returns
// ctx.Err() if requests had to be cut off.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	srvs := []*http.Server{s.srv, s.metSrv}
	s.mu.Unlock()
	var errs []error
	for _, srv := range srvs {
		if srv == nil {
			continue
		}
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
			_ = srv.Close()
		}
	}
	s.serveWG.Wait()
	return errors.Join(errs...)
}
