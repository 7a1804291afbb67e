package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestMarketPlanCommand(t *testing.T) {
	t.Run("generated", func(t *testing.T) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), []string{"market-plan", "--generate", "4,8,14,60", "--iterations", "5000"}, &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "exact check ok") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
		}
	})
	t.Run("store", func(t *testing.T) {
		t.Setenv("DATABASE_URL", "")
		t.Setenv("XUNHUI_DB", filepath.Join(t.TempDir(), "x.db"))
		var out, errb bytes.Buffer
		if code := Main(context.Background(), []string{"seed", "--requests", "10"}, &out, &errb); code != 0 {
			t.Skipf("seed command unavailable here (exit %d): %s", code, errb.String())
		}
		out.Reset()
		code := Main(context.Background(), []string{"market-plan", "--from", "2026-12-01", "--to", "2026-12-14", "--iterations", "5000"}, &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "market plan P-") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
		}
	})
	t.Run("usage", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := Main(context.Background(), []string{"market-plan"}, &out, &errb); code != 2 {
			t.Errorf("exit %d, want 2 (usage)", code)
		}
		if code := Main(context.Background(), []string{"market-plan", "--generate", "x"}, &out, &errb); code != 1 {
			t.Errorf("bad --generate: exit %d, want 1", code)
		}
	})
}
