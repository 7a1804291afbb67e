package calendar

import (
	"encoding/json"
	"testing"
)

func TestParseCycle(t *testing.T) {
	tests := []struct {
		in   string
		want Cycle
	}{
		{"solar:1,4,7", Cycle{Kind: SolarDays, Digits: []int{1, 4, 7}}},
		{" SOLAR: 7, 4,1,4 ", Cycle{Kind: SolarDays, Digits: []int{1, 4, 7}}},
		{"solar:0", Cycle{Kind: SolarDays, Digits: []int{0}}},
		{"solar:1,15", Cycle{Kind: SolarDays, Days: []int{1, 15}}},
		{"solar:days=5", Cycle{Kind: SolarDays, Days: []int{5}}},
		{"solar:digits=3,6,9", Cycle{Kind: SolarDays, Digits: []int{3, 6, 9}}},
		{"lunar:1,15", Cycle{Kind: LunarDays, Days: []int{1, 15}}},
		{"lunar:3,6,9", Cycle{Kind: LunarDays, Digits: []int{3, 6, 9}}},
		{"every:5@2026-01-03", Cycle{Kind: EveryNDays, Every: 5, Anchor: NewDate(2026, 1, 3)}},
		{"weekdays:sat,Tue", Cycle{Kind: Weekdays, Weekdays: []Weekday{2, 6}}},
		{"weekdays:tuesday", Cycle{Kind: Weekdays, Weekdays: []Weekday{2}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCycle(tt.in)
			if err != nil {
				t.Fatalf("ParseCycle(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseCycle(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			back, err := ParseCycle(got.String())
			if err != nil || !back.Equal(got) {
				t.Errorf("ParseCycle(String() = %q) = %#v, %v; want %#v", got.String(), back, err, got)
			}
		})
	}
}

func TestParseCycleErrors(t *testing.T) {
	tests := []struct {
		in, field string
	}{
		{"", "cycle"},
		{"solar", "cycle"},
		{"monthly:1", "kind"},
		{"solar:", "days"},
		{"solar:32", "days"},
		{"lunar:31", "days"},
		{"solar:digits=12", "digits"},
		{"solar:x", "days"},
		{"solar:weeks=1", "days"},
		{"every:5", "anchor"},
		{"every:0@2026-01-03", "every"},
		{"every:400@2026-01-03", "every"},
		{"every:x@2026-01-03", "every"},
		{"every:5@2026-02-30", "anchor"},
		{"weekdays:", "weekdays"},
		{"weekdays:mo", "weekdays"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseCycle(tt.in)
			fe, ok := AsFieldError(err)
			if !ok {
				t.Fatalf("ParseCycle(%q) error = %v, want a *FieldError", tt.in, err)
			}
			if fe.Field != tt.field {
				t.Errorf("ParseCycle(%q) field = %q (%v), want %q", tt.in, fe.Field, err, tt.field)
			}
		})
	}
}

func TestCycleJSON(t *testing.T) {
	for _, s := range []string{"solar:1,4,7", "lunar:1,15", "lunar:days=1", "every:5@2026-01-03", "weekdays:tue,sat"} {
		t.Run(s, func(t *testing.T) {
			c, err := ParseCycle(s)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var got Cycle
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("unmarshal %s: %v", b, err)
			}
			if !got.Equal(c) {
				t.Errorf("round trip of %s = %#v, want %#v", b, got, c)
			}
		})
	}
	t.Run("object form", func(t *testing.T) {
		var c Cycle
		if err := json.Unmarshal([]byte(`{"kind":"weekdays","weekdays":["sat","tue","sat"]}`), &c); err != nil {
			t.Fatal(err)
		}
		if got, want := c.String(), "weekdays:tue,sat"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("invalid names field", func(t *testing.T) {
		var c Cycle
		err := json.Unmarshal([]byte(`{"kind":"every_n_days","every":5}`), &c)
		if fe, ok := AsFieldError(err); !ok || fe.Field != "anchor" {
			t.Errorf("error = %v, want a FieldError on anchor", err)
		}
	})
}
