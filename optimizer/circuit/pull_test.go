package circuit

import (
	"reflect"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

func TestChangesSince(t *testing.T) {
	mon, tue, wed := data.Date("2026-12-07"), data.Date("2026-12-08"), data.Date("2026-12-09")
	at := time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)
	v := func(id string, d data.Date, seq, start int) data.PulledVisit {
		return data.PulledVisit{RequestID: id, Date: d, Seq: seq, Start: start}
	}
	prev := []data.Pull{
		{Date: mon, PlanID: "P-1", At: at, Visits: []data.PulledVisit{v("A", mon, 1, 540), v("B", mon, 2, 600), v("C", mon, 3, 660), v("D", mon, 4, 720)}},
		{Date: tue, PlanID: "P-1", At: at.Add(time.Hour), Visits: []data.PulledVisit{v("E", tue, 1, 540), v("F", tue, 2, 600)}},
		{Date: wed, PlanID: "P-1", At: at, Visits: []data.PulledVisit{v("G", wed, 1, 540)}},
	}
	// Monday: A gone, B kept, D before C at the same times (order swapped),
	// X new. Tuesday: E moved to 09:30, F kept, G moved here from Wednesday
	// (not pulled now).
	cur := []data.Pull{
		{Date: mon, PlanID: "P-2", Visits: []data.PulledVisit{v("B", mon, 1, 600), v("D", mon, 2, 720), v("C", mon, 3, 660), v("X", mon, 4, 800)}},
		{Date: tue, PlanID: "P-2", Visits: []data.PulledVisit{v("E", tue, 1, 570), v("F", tue, 2, 600), v("G", tue, 3, 700)}},
	}
	got := ChangesSince(prev, cur)
	since := at.Add(time.Hour)
	want := PullChanges{Since: &since,
		Plans:   []PlanSwitch{{mon, "P-1", "P-2"}, {tue, "P-1", "P-2"}},
		Added:   []data.PulledVisit{v("X", mon, 4, 800)},
		Removed: []data.PulledVisit{v("A", mon, 1, 540)},
		Moved: []PulledMove{
			{"D", v("D", mon, 4, 720), v("D", mon, 2, 720)},
			{"E", v("E", tue, 1, 540), v("E", tue, 1, 570)},
			{"G", v("G", wed, 1, 540), v("G", tue, 3, 700)},
		}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangesSince:\n got %+v\nwant %+v", got, want)
	}
	// The same pull again: nothing changed.
	for i := range cur {
		cur[i].At = at.Add(2 * time.Hour)
	}
	if again := ChangesSince(cur, cur); !again.Empty() || again.Since == nil {
		t.Errorf("unchanged pull: %+v", again)
	}
	// First pull: nothing to compare.
	if first := ChangesSince(nil, cur); !first.Empty() || first.Since != nil || first.Added == nil {
		t.Errorf("first pull: %+v", first)
	}
}
