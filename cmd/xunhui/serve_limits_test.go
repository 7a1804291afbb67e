package main

import "testing"

// TestRateLimitFlags: the rate flags parse into limits with their bursts;
// negative or non-numeric values are refused naming the flag.
func TestRateLimitFlags(t *testing.T) {
	l, err := rateLimits("20", "50", "10")
	if err != nil || l.PerToken != 20 || l.TokenBurst != 60 || l.PerAddress != 50 || l.AddressBurst != 150 ||
		l.FailedAuthPerMinute != 10 || l.FailedAuthBurst != 10 {
		t.Fatalf("rateLimits = %+v, %v", l, err)
	}
	if l, err := rateLimits("0", "0", "0"); err != nil || l.PerToken != 0 || l.TokenBurst != 0 {
		t.Fatalf("zeros: %+v %v", l, err)
	}
	for _, bad := range [][3]string{{"-1", "1", "1"}, {"1", "x", "1"}, {"1", "1", "NaN"}} {
		if _, err := rateLimits(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("rateLimits%v: no error", bad)
		}
	}
}
