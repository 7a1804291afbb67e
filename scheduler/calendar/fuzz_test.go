package calendar

import (
	"encoding/json"
	"testing"
)

// FuzzParseCycle checks that the text parser never panics, that whatever it
// accepts validates, and that the canonical form and JSON round-trip.
func FuzzParseCycle(f *testing.F) {
	for _, s := range []string{"solar:1,4,7", "lunar:1,15", "lunar:days=1", "every:5@2026-01-03",
		"weekdays:tue,sat", "solar:digits=0", "solar:", "every:@", ":", "weekdays:,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCycle(s)
		if err != nil {
			if _, ok := AsFieldError(err); !ok {
				t.Fatalf("ParseCycle(%q) error %v is not a *FieldError", s, err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseCycle(%q) accepted an invalid cycle: %v", s, err)
		}
		back, err := ParseCycle(c.String())
		if err != nil || !back.Equal(c) {
			t.Fatalf("ParseCycle(%q).String() = %q reparses to %#v, %v", s, c.String(), back, err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var j Cycle
		if err := json.Unmarshal(b, &j); err != nil || !j.Equal(c) {
			t.Fatalf("JSON %s round trip = %#v, %v", b, j, err)
		}
		if _, err := Dates(c, nil, NewDate(2027, 1, 1), NewDate(2027, 1, 31)); err != nil {
			t.Fatalf("Dates(%v): %v", c, err)
		}
	})
}

// FuzzCycleJSON checks the JSON decoder: no panic, accepted cycles validate
// and survive Matches and a text round trip.
func FuzzCycleJSON(f *testing.F) {
	for _, s := range []string{`{"kind":"solar_days","digits":[1,4,7]}`, `{"kind":"lunar_days","days":[15,1]}`,
		`{"kind":"every_n_days","every":5,"anchor":"2026-01-03"}`, `{"kind":"weekdays","weekdays":["sat","tue"]}`,
		`{"kind":"every_n_days","every":0}`, `{"kind":"weekdays","weekdays":[3]}`, `[]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Cycle
		if err := json.Unmarshal(b, &c); err != nil {
			return
		}
		if c.Kind == "" && len(b) > 0 && string(b) == "null" {
			return // null leaves the zero value, as for any Go type
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("decoded an invalid cycle from %s: %v", b, err)
		}
		c.Matches(NewDate(2027, 1, 1))
		back, err := ParseCycle(c.String())
		if err != nil || !back.Equal(c) {
			t.Fatalf("%s: text form %q reparses to %#v, %v", b, c.String(), back, err)
		}
	})
}

// FuzzParseSpecialDay checks that the special-day parser never panics (the
// calendar library panics on days that do not exist, so the parser must
// catch them first), that its errors are *FieldError values, and that the
// text form round-trips and its occurrences in a year can be listed.
func FuzzParseSpecialDay(f *testing.F) {
	for _, s := range []string{"lunar:01-15", "lunar:2025-L06-15", "lunar:2025-12-30", "solar:02-29",
		"solar:2026-10-01", "lunar:L13-01", "lunar:2099-12-30", "solar:-", "lunar:0000-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, on string) {
		s, err := ParseSpecialDay(on, "会")
		if err != nil {
			if _, ok := AsFieldError(err); !ok {
				t.Fatalf("ParseSpecialDay(%q) error %v is not a *FieldError", on, err)
			}
			return
		}
		back, err := ParseSpecialDay(s.String(), "会")
		if err != nil || back != s {
			t.Fatalf("ParseSpecialDay(%q).String() = %q reparses to %+v, %v", on, s.String(), back, err)
		}
		y := max(s.Year, 2026)
		s.Occurrences(NewDate(y, 1, 1), NewDate(y, 12, 31))
	})
}
