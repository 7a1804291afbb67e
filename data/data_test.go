package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestErrorHelpers(t *testing.T) {
	base := FieldError("household.phone", "%q is not a phone number", "x")
	wrapped := fmt.Errorf("create: %w", WithOp("store.CreateRequest", base))
	internal := WithOp("store.Ping", errors.New("dial tcp: refused"))
	for _, tc := range []struct {
		name      string
		err       error
		kind      Kind
		field     string
		message   string
		errString string
	}{
		{"nil", nil, Other, "", "", ""},
		{"field error", base, Invalid, "household.phone", `household.phone: "x" is not a phone number`, `household.phone: "x" is not a phone number`},
		{"wrapped", wrapped, Invalid, "household.phone", `household.phone: "x" is not a phone number`, `create: store.CreateRequest: household.phone: "x" is not a phone number`},
		{"plain error is internal", errors.New("boom"), Internal, "", "internal error", "boom"},
		{"internal hides details", internal, Internal, "", "internal error", "store.Ping: dial tcp: refused"},
		{"not found", Errorf(NotFound, "request %q not found", "R-1"), NotFound, "", `request "R-1" not found`, `request "R-1" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorKind(tc.err); got != tc.kind {
				t.Errorf("ErrorKind = %v, want %v", got, tc.kind)
			}
			if got := ErrorField(tc.err); got != tc.field {
				t.Errorf("ErrorField = %q, want %q", got, tc.field)
			}
			if got := ErrorMessage(tc.err); got != tc.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.message)
			}
			if tc.err != nil && tc.err.Error() != tc.errString {
				t.Errorf("Error() = %q, want %q", tc.err.Error(), tc.errString)
			}
		})
	}
	if !errors.Is(wrapped, base) {
		t.Errorf("errors.Is does not see through WithOp")
	}
	if Kind(99).String() != "kind(99)" || Conflict.String() != "conflict" {
		t.Errorf("Kind.String: %q %q", Kind(99).String(), Conflict.String())
	}
}

func TestImportError(t *testing.T) {
	if NewImportError("op", nil) != nil {
		t.Fatalf("NewImportError(no rows) != nil")
	}
	err := NewImportError("import", []RowError{{Line: 1, Field: "id", Reason: "bad"}, {Line: 3, Reason: "worse"}})
	if ErrorKind(err) != Invalid {
		t.Fatalf("kind = %v, want invalid", ErrorKind(err))
	}
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("no ImportError in %v", err)
	}
	ie.Relabel([]int{10, 20, 30})
	got := RowErrors(err)
	if got[0].Line != 10 || got[1].Line != 30 {
		t.Fatalf("relabelled lines = %v, want 10, 30", got)
	}
	if !strings.Contains(err.Error(), "line 10: id: bad") || !strings.Contains(err.Error(), "2 bad row(s)") {
		t.Fatalf("message = %q", err.Error())
	}
	many := make([]RowError, 25)
	for i := range many {
		many[i] = RowError{Line: i + 2, Reason: "x"}
	}
	if msg := NewImportError("op", many).Error(); !strings.Contains(msg, "and 5 more") {
		t.Fatalf("long message not truncated: %q", msg)
	}
}

func TestDatesAndClock(t *testing.T) {
	if d := DateOf(time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)); d != "2026-11-28" {
		t.Errorf("DateOf(17:00 UTC) = %s, want 2026-11-28 (UTC+8)", d)
	}
	for _, tc := range []struct {
		in    Date
		valid bool
	}{{"2026-02-28", true}, {"2026-02-30", false}, {"2026-2-1", false}, {"", false}, {"tomorrow", false}} {
		if got := tc.in.Valid(); got != tc.valid {
			t.Errorf("Date(%q).Valid() = %v, want %v", tc.in, got, tc.valid)
		}
	}
	if got := Date("2026-12-31").AddDays(1); got != "2027-01-01" {
		t.Errorf("AddDays = %s", got)
	}
	if got := Date("2026-11-30").Weekday(); got != time.Monday {
		t.Errorf("Weekday = %v", got)
	}
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{{"08:30", 510, true}, {"8:30", 510, true}, {"24:00", 1440, true}, {"24:01", 0, false}, {"12:7", 0, false}, {"x", 0, false}, {"-1:00", 0, false}} {
		got, err := ParseClock(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if Clock(510) != "08:30" {
		t.Errorf("Clock(510) = %s", Clock(510))
	}
}

func TestWeeklyWindows(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []WeeklyWindow
		bad  bool
	}{
		{"", nil, false},
		{"mon 08:30-12:00", []WeeklyWindow{{time.Monday, 510, 720}}, false},
		{"mon-wed 09:00-10:00", []WeeklyWindow{{1, 540, 600}, {2, 540, 600}, {3, 540, 600}}, false},
		{"sat-sun 09:00-10:00; tue 14:00-17:30", []WeeklyWindow{{6, 540, 600}, {0, 540, 600}, {2, 840, 1050}}, false},
		{"Mon,Fri 09:00-10:00", []WeeklyWindow{{1, 540, 600}, {5, 540, 600}}, false},
		{"mon 12:00-09:00", nil, true},
		{"funday 09:00-10:00", nil, true},
		{"mon", nil, true},
		{"mon 9-10", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseWeeklyWindows(tc.in)
			if tc.bad {
				if ErrorKind(err) != Invalid {
					t.Fatalf("ParseWeeklyWindows(%q) err = %v, want invalid", tc.in, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("ParseWeeklyWindows(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			back, err := ParseWeeklyWindows(FormatWeeklyWindows(got))
			if err != nil || !slices.Equal(back, got) {
				t.Fatalf("round trip %q -> %q -> %v, %v", tc.in, FormatWeeklyWindows(got), back, err)
			}
		})
	}
}

func FuzzParseWeeklyWindows(f *testing.F) {
	for _, s := range []string{"mon-fri 08:30-17:30", "sat-sun 09:00-12:00; tue 14:00-17:30", "mon 24:00-24:00", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ws, err := ParseWeeklyWindows(s)
		if err != nil {
			if ErrorKind(err) != Invalid {
				t.Fatalf("error kind %v for %q", ErrorKind(err), s)
			}
			return
		}
		if err := validateWindows("w", ws); err != nil {
			t.Fatalf("parsed windows of %q are invalid: %v", s, err)
		}
		back, err := ParseWeeklyWindows(FormatWeeklyWindows(ws))
		if err != nil || !slices.Equal(back, ws) {
			t.Fatalf("round trip of %q failed: %v %v", s, back, err)
		}
	})
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		team, item Level
		want       bool
	}{
		{LevelCounty, LevelVillage, true}, {LevelCounty, LevelCounty, true}, {LevelVillage, LevelTownship, false},
		{LevelTownship, LevelTownship, true}, {LevelTownship, LevelCounty, false}, {"x", LevelVillage, false},
	} {
		if got := tc.team.CanHandle(tc.item); got != tc.want {
			t.Errorf("%s.CanHandle(%s) = %v, want %v", tc.team, tc.item, got, tc.want)
		}
	}
}

func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		want     bool
	}{
		{StatusPending, StatusPlanned, true}, {StatusPlanned, StatusDone, true}, {StatusDone, StatusPending, false},
		{StatusDone, StatusFollowUp, true}, {StatusFailed, StatusPlanned, true}, {StatusPending, StatusFollowUp, false},
		{"x", StatusPending, false},
		{StatusPlanned, StatusWithdrawn, true}, {StatusDone, StatusCancelled, false}, {StatusWithdrawn, StatusPending, true},
		{StatusWithdrawn, StatusPlanned, false}, {StatusPending, StatusMerged, false}, {StatusMerged, StatusPending, false},
	} {
		if got := CanTransition(tc.from, tc.to); got != tc.want {
			t.Errorf("CanTransition(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func validRecords() (Village, Staff, Team, Plan, MarketCycle, User, ServiceItem) {
	return Village{ID: "511822101201", TownshipID: "511822101000", Name: "甲村村委会", ShortName: "甲村", Kind: KindVillage, Location: Point{Lon: 102.77, Lat: 29.78}, Provenance: Estimated},
		Staff{ID: "S1", Name: "张某某", Role: RoleDeskOfficer, Skills: []Skill{SkillGeneral}, HomeCode: "511822101000"},
		Team{ID: "T1", Name: "队", Level: LevelTownship, HomeCode: "511822101000", HomePointID: "sp-1", MemberIDs: []string{"S1"}, TravelMode: TravelCar, DayStart: 480, DayEnd: 1050, LunchStart: 720, LunchEnd: 810},
		Plan{Kind: PlanCircuit, From: "2026-12-07", To: "2026-12-11", CreatedBy: "u"},
		MarketCycle{TownshipID: "511822101000", Calendar: "solar", Digits: []int{1, 4, 7}, Start: 420, End: 720},
		User{ID: "c", Name: "c", Role: UserTownshipCoordinator, TownshipID: "511822101000"},
		ServiceItem{ID: "MA-01", Name: "x", Category: CatMedicalAssistance, Kind: "public_service", LowestLevel: LevelVillage, Mode: ModeAdvice, DurationMin: 10, Skill: SkillHealth}
}

// TestValidateNamesField checks that each validation error names the field
// at fault, one broken field at a time.
func TestValidateNamesField(t *testing.T) {
	v, st, tm, p, c, u, it := validRecords()
	for name, err := range map[string]error{"village": v.Validate(), "staff": st.Validate(), "team": tm.Validate(),
		"plan": p.Validate(), "cycle": c.Validate(), "user": u.Validate(), "item": it.Validate()} {
		if err != nil {
			t.Fatalf("valid %s rejected: %v", name, err)
		}
	}
	for _, tc := range []struct {
		name  string
		err   func() error
		field string
	}{
		{"village township mismatch", func() error { x := v; x.TownshipID = "511822102000"; return x.Validate() }, "township_id"},
		{"village provenance", func() error { x := v; x.Provenance = "guess"; return x.Validate() }, "provenance"},
		{"village in Beijing", func() error { x := v; x.Location = Point{Lon: 116.4, Lat: 39.9}; return x.Validate() }, "location"},
		{"staff role level", func() error { x := st; x.HomeCode = "511822101201"; return x.Validate() }, "home_code"},
		{"staff no skills", func() error { x := st; x.Skills = nil; return x.Validate() }, "skills"},
		{"staff leave", func() error {
			x := st
			x.Leave = []DateRange{{From: "2026-12-03", To: "2026-12-01"}}
			return x.Validate()
		}, "leave[0].to"},
		{"team lunch outside day", func() error { x := tm; x.LunchEnd = 1100; return x.Validate() }, "lunch_end"},
		{"team duplicate member", func() error { x := tm; x.MemberIDs = []string{"S1", "S1"}; return x.Validate() }, "member_ids[1]"},
		{"team travel", func() error { x := tm; x.TravelMode = "horse"; return x.Validate() }, "travel_mode"},
		{"plan dates", func() error { x := p; x.To = "2026-12-01"; return x.Validate() }, "to"},
		{"plan kind", func() error { x := p; x.Kind = "x"; return x.Validate() }, "kind"},
		{"cycle digit", func() error { x := c; x.Digits = []int{1, 11}; return x.Validate() }, "digits[1]"},
		{"cycle text", func() error { x := c; x.Calendar, x.Digits, x.Cycle = "", nil, "nonsense"; return x.Validate() }, "cycle"},
		{"user scope", func() error { x := u; x.TownshipID = ""; return x.Validate() }, "township_id"},
		{"item duration", func() error { x := it; x.DurationMin = 0; return x.Validate() }, "duration_min"},
		{"item category", func() error { x := it; x.Category = "misc"; return x.Validate() }, "category"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if ErrorKind(err) != Invalid || ErrorField(err) != tc.field {
				t.Fatalf("err = %v (field %q), want invalid on %q", err, ErrorField(err), tc.field)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	a, ha, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, hb, _ := NewToken()
	if a == b || ha == hb || !strings.HasPrefix(a, TokenPrefix) || len(ha) != 64 || HashToken(a) != ha {
		t.Fatalf("tokens %q %q hashes %q %q", a, b, ha, hb)
	}
	// Known SHA-256 vector.
	if HashToken("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("HashToken(abc) = %s", HashToken("abc"))
	}
	if id := NewID("R"); !ValidID(id) || !strings.HasPrefix(id, "R-") {
		t.Fatalf("NewID = %q", id)
	}
}

func TestMarketCycleNormalize(t *testing.T) {
	c := MarketCycle{Calendar: "lunar", Digits: []int{3, 6, 9}}
	c.Normalize()
	if c.Cycle != "lunar:3,6,9" || !c.IsMarketDay(16) || c.IsMarketDay(15) {
		t.Fatalf("cycle = %+v", c)
	}
}

// FuzzValidate decodes arbitrary JSON into each record type the API accepts
// and validates it: validation must never panic, and must fail only with
// Invalid errors that name a field.
func FuzzValidate(f *testing.F) {
	f.Add(`{"ledger":"proxy","household":{"name":"甲","phone":"13800000001","village_id":"511822207200","location":{"lon":102.6,"lat":29.7}},"item_ids":["MA-01"],"priority":3,"visit_windows":[{"weekday":2,"from":540,"to":720}],"deadline":"2030-01-01"}`)
	f.Add(`{"township_id":"511822101000","date":"2027-01-01","item_id":"X","household":{"village_id":"5118221010"},"via":"api"}`)
	f.Add(`{"household":{"village_id":"51182"}}`)
	f.Add(`{"id":"S","role":"village_agent","skills":["general"],"home_code":"511822101","leave":[{"from":"x"}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		check := func(what string, err error) {
			if err != nil && (ErrorKind(err) != Invalid || ErrorField(err) == "") {
				t.Fatalf("%s: error %v (kind %v, field %q)", what, err, ErrorKind(err), ErrorField(err))
			}
		}
		var r Request
		if json.Unmarshal([]byte(in), &r) == nil {
			check("request", r.Validate())
			check("request new", r.ValidateNew("2026-11-27"))
		}
		var b Booking
		if json.Unmarshal([]byte(in), &b) == nil {
			check("booking", b.Validate())
		}
		var s Staff
		if json.Unmarshal([]byte(in), &s) == nil {
			check("staff", s.Validate())
		}
		var tm Team
		if json.Unmarshal([]byte(in), &tm) == nil {
			check("team", tm.Validate())
		}
		var u User
		if json.Unmarshal([]byte(in), &u) == nil {
			check("user", u.Validate())
		}
		var it Itinerary
		if json.Unmarshal([]byte(in), &it) == nil {
			check("itinerary", it.Validate())
		}
		var d Desk
		if json.Unmarshal([]byte(in), &d) == nil {
			check("desk", d.Validate())
		}
		var v Village
		if json.Unmarshal([]byte(in), &v) == nil {
			check("village", v.Validate())
		}
	})
}
