package circuit

import (
	"context"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

func TestPlanGeneratedCounty(t *testing.T) {
	snap := GenerateCounty(GenOptions{Seed: 1, Requests: 120})
	res, err := Plan(context.Background(), snap, Options{From: "2026-11-30", To: "2026-12-04", MaxIterations: 200, Seed: 1,
		Now: time.Date(2026, 11, 29, 12, 0, 0, 0, data.Local)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(snap, res.Detail, res.Travel); err != nil {
		t.Fatalf("check: %v", err)
	}
	t.Logf("stats %+v", res.Stats)
	codes := map[Code]int{}
	for _, u := range res.Unassigned {
		codes[u.Code]++
	}
	t.Logf("unassigned %v", codes)
}
