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
