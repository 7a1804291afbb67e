package api

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock for the limiters.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// retryAfter checks a 429 answer and returns its Retry-After.
func retryAfter(t *testing.T, code int, h http.Header, body []byte) time.Duration {
	t.Helper()
	if code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429; %s", code, body)
	}
	if eb := errBody(t, body); eb.Code != codeTooManyRequests {
		t.Errorf("code %q, want %q", eb.Code, codeTooManyRequests)
	}
	s, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || s < 1 {
		t.Fatalf("Retry-After %q, want whole seconds >= 1", h.Get("Retry-After"))
	}
	return time.Duration(s) * time.Second
}

// TestRateLimits: per token, per address and failed sign-ins each answer
// 429 with Retry-After once used up; waiting Retry-After is enough; limits
// are per key; probes are never limited.
func TestRateLimits(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	t.Run("token", func(t *testing.T) {
		e := newTestEnvConfig(t, storeFactories[0].open(t), Config{Now: clock.now,
			RateLimits: &RateLimits{PerToken: 0.5, TokenBurst: 3}}, nil)
		for i := range 3 {
			if code, _, body := e.do("GET", "/api/v1/me", "u-admin", nil); code != 200 {
				t.Fatalf("request %d: %d %s", i+1, code, body)
			}
		}
		code, h, body := e.do("GET", "/api/v1/me", "u-admin", nil)
		wait := retryAfter(t, code, h, body)
		if wait != 2*time.Second {
			t.Errorf("Retry-After %v, want 2s at 0.5 requests/s", wait)
		}
		if code, _, _ := e.do("GET", "/api/v1/me", "u-planner", nil); code != 200 {
			t.Errorf("another token: %d, want 200 (limits are per token)", code)
		}
		clock.add(wait - time.Millisecond)
		if code, _, _ := e.do("GET", "/api/v1/me", "u-admin", nil); code != 429 {
			t.Errorf("just before Retry-After: %d, want 429", code)
		}
		clock.add(time.Millisecond)
		if code, _, body := e.do("GET", "/api/v1/me", "u-admin", nil); code != 200 {
			t.Errorf("after Retry-After: %d %s, want 200", code, body)
		}
	})
	t.Run("failed sign-ins", func(t *testing.T) {
		e := newTestEnvConfig(t, storeFactories[0].open(t), Config{Now: clock.now,
			RateLimits: &RateLimits{FailedAuthPerMinute: 6, FailedAuthBurst: 4}}, nil)
		for i := range 4 {
			if code, _, _ := e.do("GET", "/api/v1/me", "xh_not-a-token", nil); code != 401 {
				t.Fatalf("bad token %d: %d, want 401", i+1, code)
			}
		}
		// The address is now blocked, even with a valid token.
		code, h, body := e.do("GET", "/api/v1/me", "u-admin", nil)
		wait := retryAfter(t, code, h, body)
		if wait != 10*time.Second {
			t.Errorf("Retry-After %v, want 10s at 6 failures a minute", wait)
		}
		if code, _, _ := e.do("GET", "/healthz", "", nil); code != 200 {
			t.Errorf("/healthz while blocked: %d", code)
		}
		clock.add(wait)
		if code, _, body := e.do("GET", "/api/v1/me", "u-admin", nil); code != 200 {
			t.Errorf("after Retry-After with a valid token: %d %s", code, body)
		}
		// Successes do not use the allowance: one more failure blocks again.
		if code, _, _ := e.do("GET", "/api/v1/me", "xh_still-wrong", nil); code != 401 {
			t.Errorf("bad token after the wait: %d, want 401", code)
		}
		if code, _, _ := e.do("GET", "/api/v1/me", "u-admin", nil); code != 429 {
			t.Errorf("after the allowance is used again: %d, want 429", code)
		}
	})
	t.Run("sign-in endpoint", func(t *testing.T) {
		e := newTestEnvConfig(t, storeFactories[0].open(t), Config{Now: clock.now,
			RateLimits: &RateLimits{FailedAuthPerMinute: 3, FailedAuthBurst: 3}}, nil)
		wrong := map[string]string{"user_id": "u-coordA", "password": "not the password"}
		for i := range 3 {
			if code, _, body := e.do("POST", "/api/v1/auth/password", "", wrong); code != 401 {
				t.Fatalf("wrong password %d: %d %s, want 401", i+1, code, body)
			}
		}
		code, h, body := e.do("POST", "/api/v1/auth/password", "", wrong)
		if wait := retryAfter(t, code, h, body); wait != 20*time.Second {
			t.Errorf("Retry-After %v, want 20s at 3 failures a minute", wait)
		}
	})
	t.Run("address", func(t *testing.T) {
		e := newTestEnvConfig(t, storeFactories[0].open(t), Config{Now: clock.now,
			RateLimits: &RateLimits{PerAddress: 1, AddressBurst: 5}}, nil)
		users := []string{"u-admin", "u-planner", "u-coordA", "u-memberA", "u-coordB"}
		for _, u := range users {
			if code, _, _ := e.do("GET", "/api/v1/me", u, nil); code != 200 {
				t.Fatalf("%s: %d", u, code)
			}
		}
		code, h, body := e.do("GET", "/api/v1/me", "u-memberB", nil)
		if wait := retryAfter(t, code, h, body); wait != time.Second {
			t.Errorf("Retry-After %v, want 1s", wait)
		}
		for range 3 {
			if code, _, _ := e.do("GET", "/readyz", "", nil); code != 200 {
				t.Errorf("/readyz over the address limit: %d", code)
			}
		}
		clock.add(time.Second)
		if code, _, _ := e.do("GET", "/api/v1/me", "u-memberB", nil); code != 200 {
			t.Errorf("after Retry-After: %d", code)
		}
	})
}
