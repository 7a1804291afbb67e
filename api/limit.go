package api

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// RateLimits configures the request limits of a Server (token buckets from
// golang.org/x/time/rate). A zero rate turns that limit off. Over a limit
// the server answers 429 (code too_many_requests) with Retry-After in whole
// seconds.
type RateLimits struct {
	// PerToken is the sustained rate of requests per bearer token, in
	// requests per second, with bursts of TokenBurst.
	PerToken   float64
	TokenBurst int
	// PerAddress is the sustained rate per client address (ClientIP, which
	// honours TrustedProxies), with bursts of AddressBurst. It covers every
	// route except /healthz and /readyz, before authentication.
	PerAddress   float64
	AddressBurst int
	// FailedAuthPerMinute is how many failed sign-ins (any 401 answer: a
	// bad, expired or missing bearer token, or a failed sign-in endpoint) an
	// address may make per minute, with bursts of FailedAuthBurst. Once they
	// are used up, every request of that address that needs authentication
	// answers 429 until the bucket refills, valid token or not.
	FailedAuthPerMinute float64
	FailedAuthBurst     int
}

// DefaultRateLimits are the limits `xunhui serve` starts with: generous for
// a township office sharing one address, tight for guessing tokens.
func DefaultRateLimits() RateLimits {
	return RateLimits{PerToken: 20, TokenBurst: 60, PerAddress: 50, AddressBurst: 150,
		FailedAuthPerMinute: 10, FailedAuthBurst: 10}
}

// buckets is a set of token buckets by key, forgetting buckets that have
// been idle (and therefore full) for a while so that memory stays bounded
// by the number of recently active clients.
type buckets struct {
	limit rate.Limit
	burst int
	idle  time.Duration

	mu        sync.Mutex
	m         map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newBuckets(perSecond float64, burst int) *buckets {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	// A bucket idle for burst/rate is full again: forgetting it then is
	// the same as keeping it.
	idle := time.Duration(float64(burst)/perSecond*float64(time.Second)) + time.Minute
	return &buckets{limit: rate.Limit(perSecond), burst: burst, idle: idle, m: map[string]*bucket{}}
}

func (b *buckets) get(key string, now time.Time) *rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.lastSweep) > b.idle {
		for k, v := range b.m {
			if now.Sub(v.seen) > b.idle {
				delete(b.m, k)
			}
		}
		b.lastSweep = now
	}
	e, ok := b.m[key]
	if !ok {
		e = &bucket{lim: rate.NewLimiter(b.limit, b.burst)}
		b.m[key] = e
	}
	e.seen = now
	return e.lim
}

// take consumes one request from key's bucket; when it is empty it consumes
// nothing and returns how long until one is available.
func (b *buckets) take(key string, now time.Time) (ok bool, wait time.Duration) {
	if b == nil {
		return true, 0
	}
	r := b.get(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// peek reports whether key's bucket holds a whole token, without taking
// it, and otherwise how long until it does.
func (b *buckets) peek(key string, now time.Time) (ok bool, wait time.Duration) {
	if b == nil {
		return true, 0
	}
	t := b.get(key, now).TokensAt(now)
	if t >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - t) / float64(b.limit) * float64(time.Second))
}

// limiter holds the server's three bucket sets.
type limiter struct {
	token, addr, authFail *buckets
	now                   func() time.Time
}

func newLimiter(c RateLimits, now func() time.Time) *limiter {
	return &limiter{
		token:    newBuckets(c.PerToken, c.TokenBurst),
		addr:     newBuckets(c.PerAddress, c.AddressBurst),
		authFail: newBuckets(c.FailedAuthPerMinute/60, c.FailedAuthBurst),
		now:      now,
	}
}

func tooManyRequests(c *gin.Context, wait time.Duration, what string) *httpError {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	return &httpError{Status: http.StatusTooManyRequests, Code: codeTooManyRequests,
		Message: "too many " + what + "; retry after " + strconv.Itoa(secs) + " s"}
}

// addressLimit is the per-address limit, before authentication. Probes
// (/healthz, /readyz) are exempt.
func (s *Server) addressLimit() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.limits == nil || s.limits.addr == nil {
			c.Next()
			return
		}
		if probe(c) {
			c.Next()
			return
		}
		if ok, wait := s.limits.addr.take(c.ClientIP(), s.limits.now()); !ok {
			s.metrics.RateLimited.WithLabelValues("address").Inc()
			s.fail(c, tooManyRequests(c, wait, "requests from this address"))
			return
		}
		c.Next()
	}
}

// authFailLimit guards authentication: an address whose failed sign-ins
// are used up gets 429 before its credentials are even looked at, and every
// 401 answered to an address uses one up. Sign-in endpoints that answer 401
// on a wrong code or password are covered without any code of their own.
func (s *Server) authFailLimit() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.limits == nil || s.limits.authFail == nil || probe(c) {
			c.Next()
			return
		}
		ip := c.ClientIP()
		if ok, wait := s.limits.authFail.peek(ip, s.limits.now()); !ok {
			s.metrics.RateLimited.WithLabelValues("failed_auth").Inc()
			s.fail(c, tooManyRequests(c, wait, "failed sign-ins from this address"))
			return
		}
		c.Next()
		if c.Writer.Status() == http.StatusUnauthorized {
			s.limits.authFail.take(ip, s.limits.now())
		}
	}
}

// tokenLimit is the per-token limit, after authentication.
func (s *Server) tokenLimit(c *gin.Context) error {
	if s.limits == nil || s.limits.token == nil {
		return nil
	}
	p := principalOf(c)
	if p == nil {
		return nil
	}
	key := p.token.ID
	if key == "" {
		key = "user:" + p.user.ID
	}
	if ok, wait := s.limits.token.take(key, s.limits.now()); !ok {
		s.metrics.RateLimited.WithLabelValues("token").Inc()
		return tooManyRequests(c, wait, "requests with this token")
	}
	return nil
}

// probe reports whether c is a liveness or readiness probe, which no limit
// may starve.
func probe(c *gin.Context) bool {
	p := c.Request.URL.Path
	return p == "/healthz" || p == "/readyz"
}
