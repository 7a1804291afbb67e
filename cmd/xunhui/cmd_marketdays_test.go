package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestMarketDaysCommand(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"market-days", "--cycle", "solar:1,4,7", "--from", "2027-04-01", "--to", "2027-04-30"}, 0, "9 market days"},
		{[]string{"market-days", "--cycle", "lunar:1", "--from", "2027-02-06", "--to", "2027-02-06", "--json"}, 0, `"reason": "lunar 逢1 (正月初一)"`},
		{[]string{"market-days", "--cycle", "solar:32"}, 1, "days"},
		{[]string{"market-days", "--cycle", "solar:1", "--from", "2027-01-01", "--to", "2029-01-01"}, 1, "maximum of 400"},
		{[]string{"market-days"}, 2, "usage"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), tt.args, &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errb.String())
			}
			if got := out.String() + errb.String(); !strings.Contains(got, tt.contains) {
				t.Errorf("output %q does not contain %q", got, tt.contains)
			}
		})
	}
}
