package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestPlanCommandGenerated(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"plan", "--generate", "60", "--iterations", "50", "--threads", "1"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"60 requests", "independent check: ok", "county"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPlanCommandBadHorizon(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"plan", "--generate", "10", "--from", "2026-01-01", "--to", "2027-02-04"}, &out, &errb); code != 1 {
		t.Errorf("400-day horizon: exit %d, want 1 (%s)", code, errb.String())
	}
}
