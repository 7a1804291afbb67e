package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/optimizer/vrp/solomon"
)

const solomonTestdata = "../../optimizer/vrp/solomon/testdata"

func TestSolveVRPTWCommand(t *testing.T) {
	file := filepath.Join(solomonTestdata, "C101.txt")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"solve-vrptw", "--instance", file, "--time-limit", "0", "--iterations", "20", "--seed", "3", "--neighbours", "8"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	var res vrptwResult
	dec := json.NewDecoder(&stdout)
	if err := dec.Decode(&res); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Error("more than one JSON value printed")
	}
	in, err := solomon.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	chk, err := solomon.Check(in, res.Routes)
	if err != nil {
		t.Fatalf("printed routes rejected: %v", err)
	}
	if res.Instance != "C101" || res.Vehicles != chk.Vehicles || res.Cost != float64(int64(chk.Distance*100+0.5))/100 {
		t.Errorf("got instance %q vehicles %d cost %v, want C101, %d, %.2f", res.Instance, res.Vehicles, res.Cost, chk.Vehicles, chk.Distance)
	}
}

func TestSolveVRPTWErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("X\nVEHICLE\nNUMBER CAPACITY\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no instance", []string{"solve-vrptw"}, 2, "Usage"},
		{"missing file", []string{"solve-vrptw", "--instance", filepath.Join(dir, "none.txt")}, 1, "no such file"},
		{"malformed", []string{"solve-vrptw", "--instance", bad}, 1, "line 4"},
		{"negative neighbours", []string{"solve-vrptw", "--instance", bad, "--neighbours", "-1"}, 2, "--neighbours"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("got exit %d stderr %q, want %d containing %q", code, stderr.String(), tc.code, tc.stderr)
			}
		})
	}
}

// TestBenchVRPTWCommand runs two tiny benchmarks into one file and checks
// that re-running a section replaces it while other sections stay.
func TestBenchVRPTWCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "solomon"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"C101.txt", "R201.txt", "BKS.json"} {
		b, err := os.ReadFile(filepath.Join(solomonTestdata, f))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, "solomon", f)
		if f == "BKS.json" {
			dst = filepath.Join(dir, f)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "benchmarks.md")
	run := func(extra ...string) string {
		t.Helper()
		args := append([]string{"bench-vrptw", "--dir", dir, "--sets", "solomon", "--time-limit", "0", "--iterations", "10", "--in-process", "--out", out}, extra...)
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d, stderr: %s", code, stderr.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := run()
	for _, want := range []string{"| solomon | C101 |", "| solomon | R201 |", "| solomon | C1 |", "| solomon | R2 |", "VROOM 1.14", "0 infeasible"} {
		if !strings.Contains(first, want) {
			t.Errorf("first run: output lacks %q:\n%s", want, first)
		}
	}
	parallel := run("--jobs", "2")
	if !strings.Contains(parallel, "(2 instance(s) solved at once)") {
		t.Errorf("--jobs 2: section does not say so:\n%s", parallel)
	}
	if c, r := strings.Index(parallel, "| solomon | C101 |"), strings.Index(parallel, "| solomon | R201 |"); c < 0 || r < c {
		t.Errorf("--jobs 2: rows missing or out of instance order (C101 at %d, R201 at %d)", c, r)
	}
	second := run("--instances", "C101")
	third := run()
	for name, text := range map[string]string{"second": second, "third": third} {
		if n := strings.Count(text, "<!-- bench-vrptw:begin vrptw sets=solomon time=0s iterations=10 -->"); n != 1 {
			t.Errorf("%s run: full section present %d times, want 1", name, n)
		}
		if n := strings.Count(text, "instances=c101 -->"); n != 2 { // begin and end markers
			t.Errorf("%s run: subset section markers %d, want 2", name, n)
		}
		if n := strings.Count(text, "# Benchmarks"); n != 1 {
			t.Errorf("%s run: file header present %d times, want 1", name, n)
		}
	}
	// Fleet mode: its own section, the vehicles table against the
	// vehicles-first best known solutions (R201: 4 vehicles; by distance 8).
	fleet := run("--fleet", "--iterations", "40")
	i := strings.Index(fleet, "<!-- bench-vrptw:begin vrptw sets=solomon time=0s iterations=40 fleet -->")
	if i < 0 {
		t.Fatalf("--fleet: no fleet section:\n%s", fleet)
	}
	sec := fleet[i:]
	for _, want := range []string{"### Vehicles (fleet mode)", "vehicles-first best known", "| 1252.37 |", "| **solomon** | **all** | 2 | 2 |"} {
		if !strings.Contains(sec, want) {
			t.Errorf("--fleet: section lacks %q:\n%s", want, sec)
		}
	}
}

func TestNaturalLess(t *testing.T) {
	names := []string{"c1_2_10", "c1_2_2", "C101", "c1_2_1", "C109", "C1010"}
	want := []string{"C101", "C109", "C1010", "c1_2_1", "c1_2_2", "c1_2_10"}
	got := append([]string(nil), names...)
	for i := range got {
		for j := i + 1; j < len(got); j++ {
			if naturalLess(got[j], got[i]) {
				got[i], got[j] = got[j], got[i]
			}
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}
