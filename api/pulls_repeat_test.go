package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// TestPullRepeatNotRewritten: a pull identical to the one recorded minutes
// ago answers the same (empty) changes without writing the pull again; a
// pull that differs, or one past the refresh window, is written.
func TestPullRepeatNotRewritten(t *testing.T) {
	eachFieldStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		today := data.Today()
		week := "/api/v1/teams/" + teamA + "/week?from=" + string(today)
		recorded := func() time.Time {
			t.Helper()
			ps, err := e.store.LastPulls(ctx, "u-memberA", teamA, today, today)
			if err != nil || len(ps) != 1 {
				t.Fatalf("LastPulls = %+v, %v", ps, err)
			}
			return ps[0].At
		}
		var w weekBody
		e.getJSON(week, "u-memberA", http.StatusOK, &w)
		at1 := recorded()
		time.Sleep(5 * time.Millisecond)
		e.getJSON(week, "u-memberA", http.StatusOK, &w)
		if !w.Changes.Empty() || w.Changes.Since == nil || !w.Changes.Since.Equal(at1) {
			t.Fatalf("repeated pull: changes %+v, want none since %v", w.Changes, at1)
		}
		if at := recorded(); !at.Equal(at1) {
			t.Fatalf("an identical pull was written again: at %v, was %v", at, at1)
		}

		// Past the window the identical pull is written again.
		old := []data.Pull{{UserID: "u-memberA", TeamID: teamA, Date: today, PlanID: w.Days[0].PlanID, At: at1}}
		if repeatsRecentPull(old, old, at1.Add(pullRefresh)) || !repeatsRecentPull(old, old, at1.Add(pullRefresh-time.Second)) {
			t.Fatal("refresh window not honoured")
		}
		changed := []data.Pull{{UserID: "u-memberA", TeamID: teamA, Date: today, PlanID: "P-other", At: at1}}
		if repeatsRecentPull(old, changed, at1) || repeatsRecentPull(nil, old, at1) {
			t.Fatal("a different or first pull counted as a repeat")
		}
	})
}
