package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
