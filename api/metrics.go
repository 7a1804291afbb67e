package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the Prometheus collectors of one server. Each Server gets its
// own registry (not the global default one) so that tests can start many
// servers in one process without duplicate-registration panics.
//
// Planners and the solver record into SolveSeconds; anything else may register
// more collectors on Registry.
type Metrics struct {
	// Registry is what /metrics exposes. It includes the Go runtime and
	// process collectors.
	Registry *prometheus.Registry
	// Requests counts finished HTTP requests by route template (e.g.
	// "/api/v1/requests/:id", or "unmatched"), method and status code.
	Requests *prometheus.CounterVec
	// Duration observes the handling time of HTTP requests in seconds, by
	// route template and method.
	Duration *prometheus.HistogramVec
	// Errors counts error responses by error code ("invalid", "not_found",
	// "internal", ...), i.e. by the code field of the JSON error body.
	Errors *prometheus.CounterVec
	// SolveSeconds observes the wall-clock time of one solver or planner run
	// in seconds, labelled by planner name (e.g. "circuit", "market", "vrp")
	// and outcome status (e.g. "ok", "time_limit", "error").
	SolveSeconds *prometheus.HistogramVec
	// RateLimited counts requests answered 429, by limit ("token",
	// "address", "failed_auth").
	RateLimited *prometheus.CounterVec
}

// NewMetrics returns a Metrics with a fresh registry holding the HTTP
// collectors, SolveSeconds, and the Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "xunhui",
			Name:      "http_requests_total",
			Help:      "HTTP requests handled, by route template, method and status code.",
		}, []string{"route", "method", "status"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "xunhui",
			Name:      "http_request_duration_seconds",
			Help:      "HTTP request handling time in seconds, by route template and method.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"route", "method"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "xunhui",
			Name:      "http_errors_total",
			Help:      "HTTP error responses, by error code of the JSON error body.",
		}, []string{"code"}),
		SolveSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "xunhui",
			Name:      "solve_seconds",
			Help:      "Wall-clock time of one planner or solver run in seconds.",
			// Solves run from milliseconds (tiny problems) to minutes.
			Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600},
		}, []string{"planner", "status"}),
		RateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "xunhui",
			Name:      "rate_limited_total",
			Help:      "Requests answered 429, by limit: token, address or failed_auth.",
		}, []string{"limit"}),
	}
	m.Registry.MustRegister(
		m.Requests, m.Duration, m.Errors, m.SolveSeconds, m.RateLimited,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Handler returns the Prometheus text-format handler for m.Registry.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// middleware records count and latency of every request. The route label is
// gin's route template, never the raw path, so that ids in paths and scanners
// probing random URLs cannot blow up the label cardinality.
func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request.Method
		if !knownMethod(method) {
			method = "other"
		}
		m.Requests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
		m.Duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	}
}

// knownMethod reports whether method is a standard HTTP method; others are
// folded into one label value to bound cardinality.
func knownMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}
