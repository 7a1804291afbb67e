package api

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// TestPullChanges: a team member pulls the week, a re-plan is published
// with supersedes (R-A2 added before R-A1, R-A1 an hour later), the next
// pull lists exactly those changes (and the plan switch of every day), and
// a third pull with nothing changed lists none. Each user has their own
// last pull; the itinerary answers changes too.
func TestPullChanges(t *testing.T) {
	loc := func(dx float64) data.Point { return data.Point{Lon: 102.8 + dx, Lat: 29.8 + dx/2} }
	eachFieldStore(t, func(t *testing.T, e *testEnv) {
		today := data.Today()
		week := "/api/v1/teams/" + teamA + "/week?from=" + string(today)
		var w1 weekBody
		e.getJSON(week, "u-memberA", http.StatusOK, &w1)
		if w1.Changes.Since != nil || !w1.Changes.Empty() || w1.Changes.Added == nil {
			t.Fatalf("first pull: changes %+v, want none and no since", w1.Changes)
		}
		p1 := w1.Days[0].PlanID

		// The re-plan, published in place of p1.
		v2 := data.PlanDetail{
			Plan: data.Plan{Kind: data.PlanCircuit, From: today, To: today.AddDays(6), CreatedBy: "u-planner"},
			Itineraries: []data.Itinerary{{TeamID: teamA, Date: today, Stops: []data.Stop{
				{Seq: 1, VillageID: vA2, RequestIDs: []string{reqA2}, Location: loc(0.02), Arrival: 540, Start: 540, Depart: 560, TravelSeconds: 600},
				{Seq: 2, VillageID: vA1, RequestIDs: []string{reqA1}, Location: loc(0.01), Arrival: 600, Start: 600, Depart: 620, TravelSeconds: 600},
			}, ReturnSeconds: 600}},
			Desks: []data.Desk{},
		}
		if err := e.store.CreatePlan(context.Background(), &v2); err != nil {
			t.Fatal(err)
		}
		var pub circuit.Published
		e.postJSON("/api/v1/circuit-plans/"+v2.Plan.ID+"/publish", "u-planner", map[string]string{"supersedes": p1}, http.StatusOK, &pub)

		var w2 weekBody
		e.getJSON(week, "u-memberA", http.StatusOK, &w2)
		var plans []circuit.PlanSwitch
		for i := range 7 {
			plans = append(plans, circuit.PlanSwitch{Date: today.AddDays(i), From: p1, To: v2.Plan.ID})
		}
		want := circuit.PullChanges{Since: w2.Changes.Since, Plans: plans,
			Added:   []data.PulledVisit{{RequestID: reqA2, Date: today, Seq: 1, Start: 540}},
			Removed: []data.PulledVisit{},
			Moved: []circuit.PulledMove{{RequestID: reqA1, From: data.PulledVisit{RequestID: reqA1, Date: today, Seq: 1, Start: 540},
				To: data.PulledVisit{RequestID: reqA1, Date: today, Seq: 2, Start: 600}}}}
		if w2.Changes.Since == nil || !reflect.DeepEqual(w2.Changes, want) {
			t.Fatalf("second pull: changes\n got %+v\nwant %+v", w2.Changes, want)
		}

		var w3 weekBody
		e.getJSON(week, "u-memberA", http.StatusOK, &w3)
		if !w3.Changes.Empty() || w3.Changes.Since == nil || w3.Changes.Since.Before(*w2.Changes.Since) {
			t.Fatalf("third pull: changes %+v, want none since the second pull", w3.Changes)
		}

		// The day's itinerary: nothing new for this member; a coordinator
		// who never pulled the day gets no changes either, then has a pull.
		var it itineraryBody
		e.getJSON("/api/v1/teams/"+teamA+"/itinerary?date="+string(today), "u-memberA", http.StatusOK, &it)
		if len(it.Stops) != 2 || !it.Changes.Empty() || it.Changes.Since == nil {
			t.Fatalf("itinerary after the week pull: %d stops, changes %+v", len(it.Stops), it.Changes)
		}
		var co itineraryBody
		e.getJSON("/api/v1/teams/"+teamA+"/itinerary?date="+string(today), "u-coordA", http.StatusOK, &co)
		if co.Changes.Since != nil || !co.Changes.Empty() || len(co.Stops) != 2 {
			t.Fatalf("coordinator's first pull: %+v", co.Changes)
		}
		if ps, err := e.store.LastPulls(context.Background(), "u-coordA", teamA, today, today); err != nil || len(ps) != 1 || len(ps[0].Visits) != 2 {
			t.Fatalf("coordinator's pull recorded: %+v, %v", ps, err)
		}
	})
}
