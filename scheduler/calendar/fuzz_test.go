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
