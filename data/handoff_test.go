package data

import "testing"

func TestHandoffStageLate(t *testing.T) {
	s := HandoffStage{Level: LevelTownship, Holder: "desk", From: "2026-12-01", Due: "2026-12-04"}
	for _, tc := range []struct {
		done, today Date
		want        bool
	}{
		{"", "2026-12-04", false},           // open, due today
		{"", "2026-12-05", true},            // open past due
		{"2026-12-04", "2026-12-20", false}, // acted on the due day
		{"2026-12-05", "2026-12-05", true},  // acted a day late: stays late
	} {
		x := s
		x.Done = tc.done
		if got := x.Late(tc.today); got != tc.want {
			t.Errorf("done %q today %s: late %v, want %v", tc.done, tc.today, got, tc.want)
		}
	}
}

func TestHandoffValidate(t *testing.T) {
	ok := Handoff{RequestID: "R-1", ItemID: "MA-02", AcceptedVia: AcceptMarketDesk, AcceptedOn: "2026-12-01", Status: HandoffOpen,
		Stages: []HandoffStage{{Level: LevelTownship, Holder: "desk", From: "2026-12-01", Due: "2026-12-04"}}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid hand-off: %v", err)
	}
	if ok.Current() != 0 || AcceptVillage.Level() != LevelVillage || AcceptMarketDesk.Level() != LevelTownship {
		t.Fatal("current stage or acceptance levels wrong")
	}
	for _, tc := range []struct {
		name  string
		edit  func(h *Handoff)
		field string
	}{
		{"via", func(h *Handoff) { h.AcceptedVia = "phone" }, "accepted_via"},
		{"status", func(h *Handoff) { h.Status = "lost" }, "status"},
		{"no stages", func(h *Handoff) { h.Stages = nil }, "stages"},
		{"due before from", func(h *Handoff) { h.Stages[0].Due = "2026-11-30" }, "stages[0].due"},
		{"holder", func(h *Handoff) { h.Stages[0].Holder = "" }, "stages[0].holder"},
		{"done before from", func(h *Handoff) { h.Stages[0].Done = "2026-11-01" }, "stages[0].done"},
	} {
		h := ok
		h.Stages = append([]HandoffStage(nil), ok.Stages...)
		tc.edit(&h)
		if f := ErrorField(h.Validate()); f != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, f, tc.field)
		}
	}
	it := ServiceItem{ID: "X-1", Name: "x", Category: CatLicences, Kind: "approval", LowestLevel: LevelTownship, Mode: ModeIntakeProxy,
		DurationMin: 10, Skill: "forestry", List: ListCrossLevel}
	if f := ErrorField(it.Validate()); f != "handled_at" {
		t.Errorf("cross_level without handled_at: field %q", f)
	}
	it.List = "special"
	if f := ErrorField(it.Validate()); f != "list" {
		t.Errorf("unknown list: field %q", f)
	}
}
