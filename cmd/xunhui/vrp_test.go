package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/optimizer/vrp/vroom"
)

const vroomTestdata = "../../optimizer/vrp/vroom/testdata"

func TestVRPCommand(t *testing.T) {
	dir := t.TempDir()
	outFile := filepath.Join(dir, "sol.json")
	tests := []struct {
		name     string
		args     []string
		stdin    string
		exit     int
		wantCode int
	}{
		{"file in, stdout", []string{"vrp", "-i", filepath.Join(vroomTestdata, "example_2.json"), "--iterations", "20"}, "", 0, 0},
		{"stdin", []string{"vrp", "--iterations", "20"}, `{"vehicles":[{"id":1,"start_index":0,"end_index":0}],"jobs":[{"id":7,"location_index":1}],"matrix":[[0,3],[3,0]]}`, 0, 0},
		{"input error", []string{"vrp", "--iterations", "20"}, `{"vehicles":[],"jobs":[]}`, 1, 2},
		{"no matrix source", []string{"vrp", "--iterations", "20"}, `{"vehicles":[{"id":1,"start":[103,29.8]}],"jobs":[{"id":7,"location":[103.1,29.7]}]}`, 1, 3},
		{"estimate source", []string{"vrp", "--iterations", "20", "-matrix", "estimate"}, `{"vehicles":[{"id":1,"start":[103,29.8]}],"jobs":[{"id":7,"location":[103.1,29.7]}]}`, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			oldStdin := os.Stdin
			if tc.stdin != "" {
				f := filepath.Join(dir, "in.json")
				if err := os.WriteFile(f, []byte(tc.stdin), 0o644); err != nil {
					t.Fatal(err)
				}
				in, err := os.Open(f)
				if err != nil {
					t.Fatal(err)
				}
				defer in.Close()
				os.Stdin = in
				defer func() { os.Stdin = oldStdin }()
			}
			exit := Main(context.Background(), tc.args, &stdout, &stderr)
			if exit != tc.exit {
				t.Fatalf("exit %d, want %d; stderr %s", exit, tc.exit, stderr.String())
			}
			var out struct {
				Code   int             `json:"code"`
				Error  string          `json:"error"`
				Routes json.RawMessage `json:"routes"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("stdout is not one JSON answer: %v: %s", err, stdout.String())
			}
			if out.Code != tc.wantCode || (tc.wantCode == 0) != (out.Routes != nil) {
				t.Errorf("got code %d error %q routes %s, want code %d", out.Code, out.Error, out.Routes, tc.wantCode)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if exit := Main(context.Background(), []string{"vrp", "-i", filepath.Join(vroomTestdata, "example_2.json"), "-o", outFile, "--iterations", "5"}, &stdout, &stderr); exit != 0 {
		t.Fatalf("-o: exit %d: %s", exit, stderr.String())
	}
	b, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	var out vroom.Output
	if err := json.Unmarshal(b, &out); err != nil || out.Summary == nil || out.Summary.Routes != 1 || stdout.Len() != 0 {
		t.Errorf("-o: got %s (stdout %q), want one route in the file and nothing on stdout", b, stdout.String())
	}
}

// TestBenchVroomJSON runs the benchmark with the VROOM-JSON twin of C101.
func TestBenchVroomJSON(t *testing.T) {
	dir := t.TempDir()
	vdir := filepath.Join(dir, "vroom")
	for _, d := range []string{filepath.Join(dir, "solomon"), vdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(solomonTestdata, "C101.txt"), filepath.Join(dir, "solomon", "C101.txt"))
	copyFile(filepath.Join(solomonTestdata, "BKS.json"), filepath.Join(dir, "BKS.json"))
	copyFile(filepath.Join(vroomTestdata, "C101.json"), filepath.Join(vdir, "C101.json"))
	var stdout, stderr bytes.Buffer
	args := []string{"bench-vrptw", "--dir", dir, "--sets", "solomon", "--time-limit", "0", "--iterations", "5", "--in-process", "--vroom-json", vdir}
	if exit := Main(context.Background(), args, &stdout, &stderr); exit != 0 {
		t.Fatalf("exit %d: %s", exit, stderr.String())
	}
	text := stdout.String()
	if !strings.Contains(text, "vroom-json cost/1000") || !strings.Contains(text, "VROOM-JSON path") || strings.Contains(text, "**failed**") {
		t.Errorf("report lacks the VROOM-JSON columns or has a failure:\n%s", text)
	}
}

// TestVRPCommandRoadGraph: with -matrix geo and XUNHUI_OSM set, a
// coordinates-only problem is timed on the road graph (A→C is 2 km of
// road at 60 km/h in the test valley: 120 s each way), as the server does.
func TestVRPCommandRoadGraph(t *testing.T) {
	t.Setenv("XUNHUI_OSM", valleyOSM)
	t.Setenv("OSRM_URL", "")
	in := filepath.Join(t.TempDir(), "p.json")
	body := `{"vehicles":[{"id":1,"start":[102.85,29.78],"end":[102.85,29.78]}],"jobs":[{"id":7,"location":[102.85,29.7979864]}]}`
	if err := os.WriteFile(in, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if exit := Main(context.Background(), []string{"vrp", "-i", in, "--iterations", "10", "-matrix", "geo"}, &stdout, &stderr); exit != 0 {
		t.Fatalf("exit %d: %s %s", exit, stdout.String(), stderr.String())
	}
	var out struct {
		Code    int `json:"code"`
		Summary struct {
			Duration int64 `json:"duration"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Code != 0 || out.Summary.Duration != 240 || !strings.Contains(stderr.String(), "roadgraph") {
		t.Fatalf("code %d duration %d (want 0, 240 s on the road graph); stderr %q", out.Code, out.Summary.Duration, stderr.String())
	}
}

// TestVRPPlanModeRefused: -c is VROOM's plan mode, which Xunhui does not
// have; the command says so instead of solving.
func TestVRPPlanModeRefused(t *testing.T) {
	var stdout, stderr bytes.Buffer
	exit := Main(context.Background(), []string{"vrp", "-c", "-i", filepath.Join(vroomTestdata, "example_2.json")}, &stdout, &stderr)
	if exit == 0 || !strings.Contains(stderr.String(), "plan mode") {
		t.Errorf("exit %d, stderr %q: want a non-zero exit naming plan mode", exit, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

// TestVRPProfilesCommand solves the two-profile example through the
// command line.
func TestVRPProfilesCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sol.json")
	var stdout, stderr bytes.Buffer
	exit := Main(context.Background(), []string{"vrp", "-i", filepath.Join(vroomTestdata, "example_profiles.json"), "-o", out, "--iterations", "20"}, &stdout, &stderr)
	if exit != 0 {
		t.Fatalf("exit %d; stderr %s", exit, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var sol struct {
		Code    int `json:"code"`
		Summary struct {
			Routes     int `json:"routes"`
			Unassigned int `json:"unassigned"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(b, &sol); err != nil {
		t.Fatal(err)
	}
	if sol.Code != 0 || sol.Summary.Routes != 2 || sol.Summary.Unassigned != 0 {
		t.Errorf("got %s, want code 0, two routes (car and bike), nothing unassigned", b)
	}
}
