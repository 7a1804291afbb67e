package api

import (
	"context"
	"net/http"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/jobs"
	"github.com/yingjing/xunhui/jobs/jobstest"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// pullCountStore counts the store reads of member pulls.
type pullCountStore struct {
	data.Store
	reads atomic.Int64
}

func (s *pullCountStore) LastPulls(ctx context.Context, userID, teamID string, from, to data.Date) ([]data.Pull, error) {
	s.reads.Add(1)
	return s.Store.LastPulls(ctx, userID, teamID, from, to)
}

// TestPullCache: a member's repeated itinerary read compares with the
// previous pull without reading member_pulls again (this server's own pull
// write keeps the cache), yet a pull written by another process (another
// replica: straight into the store here) is seen by the very next read,
// which answers the changes since that pull, on both stores.
func TestPullCache(t *testing.T) {
	t.Parallel()
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			t.Parallel()
			raw := sf.open(t)
			st := &pullCountStore{Store: raw}
			q := jobstest.Start(t, raw, jobs.Config{}, nil)
			svc := circuit.NewService(raw, circuit.Config{MaxIterations: 50, Queue: q})
			jobstest.Handle(svc, data.RunCircuitPlan, data.RunCircuitReplan)(q)
			e := newTestEnvWith(t, st, func(s *Server) { s.SetCircuit(svc) })
			ctx := context.Background()
			today := data.Today()
			path := "/api/v1/teams/" + teamA + "/itinerary?date=" + string(today)
			stored := func() data.Pull {
				t.Helper()
				ps, err := st.Store.LastPulls(ctx, "u-memberA", teamA, today, today)
				if err != nil || len(ps) != 1 {
					t.Fatalf("LastPulls = %+v, %v", ps, err)
				}
				return ps[0]
			}

			var b1 itineraryBody
			e.getJSON(path, "u-memberA", http.StatusOK, &b1)
			if b1.Changes.Since != nil || !b1.Changes.Empty() || len(b1.Stops) == 0 {
				t.Fatalf("first pull: %d stops, changes %+v", len(b1.Stops), b1.Changes)
			}
			first := stored()
			reads := st.reads.Load()
			if reads != 1 {
				t.Fatalf("first pull read member_pulls %d times, want 1", reads)
			}
			var b2 itineraryBody
			e.getJSON(path, "u-memberA", http.StatusOK, &b2)
			if !b2.Changes.Empty() || b2.Changes.Since == nil || !b2.Changes.Since.Equal(first.At) {
				t.Fatalf("repeated pull: changes %+v, want none since %v", b2.Changes, first.At)
			}
			if n := st.reads.Load(); n != reads {
				t.Fatalf("a repeated pull read member_pulls (%d reads, was %d)", n, reads)
			}

			// Another replica records this user's pull of the day from
			// another plan with no visits.
			other := []data.Pull{{UserID: "u-memberA", TeamID: teamA, Date: today, PlanID: "P-elsewhere", Visits: []data.PulledVisit{}}}
			if _, err := st.Store.RecordPulls(ctx, other); err != nil {
				t.Fatal(err)
			}
			var b3 itineraryBody
			e.getJSON(path, "u-memberA", http.StatusOK, &b3)
			cur := circuit.SheetPulls("u-memberA", teamA, b3.Sheet)[0]
			at := other[0].At
			want := circuit.PullChanges{Since: &at, Plans: []circuit.PlanSwitch{{Date: today, From: "P-elsewhere", To: b3.PlanID}},
				Added: cur.Visits, Removed: []data.PulledVisit{}, Moved: []circuit.PulledMove{}}
			if b3.Changes.Since == nil || !b3.Changes.Since.Equal(at) || !reflect.DeepEqual(b3.Changes.Plans, want.Plans) ||
				!reflect.DeepEqual(b3.Changes.Added, want.Added) || len(b3.Changes.Removed)+len(b3.Changes.Moved) != 0 {
				t.Fatalf("after another replica's pull: changes\n got %+v\nwant %+v", b3.Changes, want)
			}
			if n := st.reads.Load(); n != reads+1 {
				t.Fatalf("the pull after another replica's write read member_pulls %d times, want once", n-reads)
			}
			// That read was recorded (it differs), and the next one is
			// answered from memory against it.
			third := stored()
			if third.PlanID != b3.PlanID || !third.At.After(at) {
				t.Fatalf("stored pull after the third read: %+v", third)
			}
			var b4 itineraryBody
			e.getJSON(path, "u-memberA", http.StatusOK, &b4)
			if !b4.Changes.Empty() || b4.Changes.Since == nil || !b4.Changes.Since.Equal(third.At) {
				t.Fatalf("fourth pull: changes %+v, want none since %v", b4.Changes, third.At)
			}
			if n := st.reads.Load(); n != reads+1 {
				t.Fatalf("the fourth pull read member_pulls (%d reads, want %d)", n, reads+1)
			}
		})
	}
}

// TestPullCacheRaces checks the rules that keep a slow store read from
// bringing back rows older than a write, without a server.
func TestPullCacheRaces(t *testing.T) {
	c := newPullCache(10)
	k := pullKey{"u", "T-1"}
	d := data.Date("2026-12-07")
	old := pullSpan{lo: d.AddDays(-7), hi: d.AddDays(7), pulls: []data.Pull{{UserID: "u", TeamID: "T-1", Date: d, PlanID: "P-1"}}}

	// A miss at generation 5, then this process writes (5 -> 6) before the
	// miss's store answer is stored: that answer is refused.
	_, token, ok := c.get(5, k, d, d)
	if ok || token == 0 {
		t.Fatalf("empty cache: hit %v, token %d", ok, token)
	}
	c.recorded(6, []data.Pull{{UserID: "u", TeamID: "T-1", Date: d, PlanID: "P-2"}})
	c.put(token, k, old)
	if _, _, ok := c.get(6, k, d, d); ok {
		t.Fatal("a store answer read before a write was kept after it")
	}

	// Stored at 6, then an own write 6 -> 7 is applied to the entry.
	_, token, _ = c.get(6, k, d, d)
	c.put(token, k, old)
	c.recorded(7, []data.Pull{{UserID: "u", TeamID: "T-1", Date: d, PlanID: "P-3"}})
	if ps, _, ok := c.get(7, k, d.AddDays(-1), d.AddDays(1)); !ok || len(ps) != 1 || ps[0].PlanID != "P-3" {
		t.Fatalf("after an own write: %+v, hit %v", ps, ok)
	}
	// A request that read generation 6 (before that write) gets no hit and
	// may not store.
	if _, token, ok := c.get(6, k, d, d); ok || token != 0 {
		t.Fatalf("older generation: hit %v, token %d", ok, token)
	}
	// A write elsewhere (7 -> 8) seen by a request empties the cache; an
	// own write that skips a generation (9 after 7) does too.
	if _, _, ok := c.get(8, k, d, d); ok {
		t.Fatal("a newer generation hit")
	}
	_, token, _ = c.get(8, k, d, d)
	c.put(token, k, old)
	c.recorded(10, []data.Pull{{UserID: "u", TeamID: "T-1", Date: d, PlanID: "P-4"}})
	if _, _, ok := c.get(10, k, d, d); ok {
		t.Fatal("an own write after a write elsewhere kept the entry")
	}
	// Days outside the entry's span are a miss.
	_, token, _ = c.get(10, k, d, d)
	c.put(token, k, old)
	if _, _, ok := c.get(10, k, d, d.AddDays(8)); ok {
		t.Fatal("a day outside the span hit")
	}
}
