package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchCircuitCommand runs the short-against-long comparison on a small
// generated week and reads the table it writes: one checked row per plan,
// the same-seed gap and the summary lines.
func TestBenchCircuitCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "circuit-bench.md")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"bench-circuit", "--requests", "40", "--short", "300ms", "--long", "600ms",
		"--seeds", "1,2", "--long-seeds", "2", "--threads", "1", "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"| 300ms | 1 |", "| 300ms | 2 |", "| 600ms | 2 |", "| mean cost |", "worst short plan against the best long plan",
		"Same seed, short against long: seed 2 ", "xunhui bench-circuit --requests 40"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "/40 |"); n != 3 {
		t.Errorf("%d rows with the 40 requests, want 3:\n%s", n, text)
	}
}

func TestBenchCircuitBadSeeds(t *testing.T) {
	for _, args := range [][]string{{"--seeds", "x"}, {"--long-seeds", "5-2"}, {"--threads", "0"}} {
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), append([]string{"bench-circuit"}, args...), &stdout, &stderr); code == 0 {
			t.Errorf("%v: exit 0, want an error", args)
		}
	}
}

func TestParseSeeds(t *testing.T) {
	for in, want := range map[string]string{"1-3": "[1 2 3]", "4": "[4]", "1, 5,9": "[1 5 9]"} {
		got, err := parseSeeds(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if s := fmt.Sprint(got); s != want {
			t.Errorf("%q: %s, want %s", in, s, want)
		}
	}
}
