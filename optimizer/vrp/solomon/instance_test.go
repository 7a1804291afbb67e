package solomon

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestReadFileReal(t *testing.T) {
	tests := []struct {
		file               string
		name               string
		vehicles, capacity int
		n                  int
		first              Customer
	}{
		{"testdata/C101.txt", "C101", 25, 200, 100, Customer{Number: 1, X: 45, Y: 68, Demand: 10, Ready: 912, Due: 967, Service: 90}},
		{"testdata/R201.txt", "R201", 25, 1000, 100, Customer{}},
		{"testdata/RC105.txt", "RC105", 25, 200, 100, Customer{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if in.Name != tc.name || in.Vehicles != tc.vehicles || in.Capacity != tc.capacity || in.N() != tc.n {
				t.Errorf("got name %q vehicles %d capacity %d n %d, want %q %d %d %d",
					in.Name, in.Vehicles, in.Capacity, in.N(), tc.name, tc.vehicles, tc.capacity, tc.n)
			}
			for i, c := range in.Customers {
				if c.Number != i {
					t.Fatalf("customer at index %d has number %d", i, c.Number)
				}
			}
			if tc.first != (Customer{}) && in.Customers[1] != tc.first {
				t.Errorf("customer 1: got %+v, want %+v", in.Customers[1], tc.first)
			}
			if d := in.Customers[0].Demand; d != 0 {
				t.Errorf("depot demand: got %d, want 0", d)
			}
		})
	}
}

func TestDist(t *testing.T) {
	in, err := Parse(strings.NewReader(tiny(100)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Dist(0, 1), 5.0; got != want {
		t.Errorf("Dist(0,1): got %v, want %v", got, want)
	}
	if got, want := in.Dist(1, 0), in.Dist(0, 1); got != want {
		t.Errorf("Dist not symmetric: %v vs %v", got, want)
	}
	if got, want := in.Dist(2, 3), math.Sqrt(36+9); math.Abs(got-want) > 1e-12 {
		t.Errorf("Dist(2,3): got %v, want %v", got, want)
	}
}

const header = "T1\n\nVEHICLE\nNUMBER     CAPACITY\n  2         10\n\nCUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"

func TestParseErrors(t *testing.T) {
	depot := "    0      0         0          0          0       100          0\n"
	tests := []struct {
		name     string
		input    string
		line     int
		contains string
	}{
		{"empty", "", 0, "empty file"},
		{"only name", "X\n", 0, "missing VEHICLE"},
		{"no vehicle keyword", "X\nVEHICLES\n", 2, "want section VEHICLE"},
		{"no vehicle header", "X\nVEHICLE\n2 10\n", 3, "NUMBER CAPACITY"},
		{"vehicle row fields", "X\nVEHICLE\nNUMBER CAPACITY\n2\n", 4, "want 2 fields"},
		{"vehicle number", "X\nVEHICLE\nNUMBER CAPACITY\ntwo 10\n", 4, "vehicle NUMBER \"two\""},
		{"zero capacity", "X\nVEHICLE\nNUMBER CAPACITY\n2 0\n", 4, "CAPACITY 0 must be positive"},
		{"no customer section", "X\nVEHICLE\nNUMBER CAPACITY\n2 10\n", 0, "missing CUSTOMER"},
		{"bad customer keyword", "X\nVEHICLE\nNUMBER CAPACITY\n2 10\nCLIENTS\n", 5, "want section CUSTOMER"},
		{"bad customer header", "X\nVEHICLE\nNUMBER CAPACITY\n2 10\nCUSTOMER\n0 0 0 0 0 100 0\n", 6, "CUST NO."},
		{"no rows", header, 0, "no customer besides the depot"},
		{"depot only", header + depot, 0, "no customer besides the depot"},
		{"short row", header + depot + "1 1 1 1 0 10\n", 11, "want 7 fields"},
		{"long row", header + depot + "1 1 1 1 0 10 0 9\n", 11, "want 7 fields"},
		{"bad number", header + depot + "1 1 x 1 0 10 0\n", 11, "YCOORD. \"x\""},
		{"nan", header + depot + "1 NaN 1 1 0 10 0\n", 11, "XCOORD. \"NaN\" is not a finite number"},
		{"inf", header + depot + "1 1 1 1 0 +Inf 0\n", 11, "DUE DATE"},
		{"huge", header + depot + "1 1e300 1 1 0 10 0\n", 11, "out of range"},
		{"sequence", header + depot + "2 1 1 1 0 10 0\n", 11, "CUST NO. 2 out of sequence, want 1"},
		{"depot number", header + "1 0 0 0 0 100 0\n", 10, "want 0"},
		{"fraction demand", header + depot + "1 1 1 1.5 0 10 0\n", 11, "DEMAND 1.5 is not an integer"},
		{"negative demand", header + depot + "1 1 1 -1 0 10 0\n", 11, "negative DEMAND"},
		{"demand above capacity", header + depot + "1 1 1 11 0 10 0\n", 11, "exceeds vehicle CAPACITY 10"},
		{"negative ready", header + depot + "1 1 1 1 -5 10 0\n", 11, "negative READY TIME"},
		{"negative service", header + depot + "1 1 1 1 0 10 -1\n", 11, "negative SERVICE TIME"},
		{"ready after due", header + depot + "1 1 1 1 20 10 0\n", 11, "READY TIME 20 after DUE DATE 10"},
		{"long line", "X\n" + strings.Repeat("a", maxLine+10) + "\n", 2, "read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.input))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got error %v, want *ParseError", err)
			}
			if pe.Line != tc.line {
				t.Errorf("got line %d, want %d (%v)", pe.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("got %q, want it to contain %q", err, tc.contains)
			}
		})
	}
}

func TestParseTolerant(t *testing.T) {
	// CRLF ends, tabs, lower-case keywords and decimals are all accepted.
	in := "t2\r\n\r\nvehicle\r\nnumber capacity\r\n\t3\t50\r\ncustomer\r\ncust no. x y\r\n \r\n0 0 0 0 0 100.5 0\r\n1 1.5 2.5 7 0 10 2.25\r\n\r\n"
	got, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := Customer{Number: 1, X: 1.5, Y: 2.5, Demand: 7, Ready: 0, Due: 10, Service: 2.25}
	if got.Customers[1] != want || got.Customers[0].Due != 100.5 || got.Vehicles != 3 || got.Capacity != 50 {
		t.Errorf("got %+v, want customer 1 %+v, depot due 100.5, 3 vehicles of 50", got, want)
	}
}

func TestClass(t *testing.T) {
	tests := map[string]string{
		"C101": "C1", "c205": "C2", "R112": "R1", "RC208": "RC2", "RC101": "RC1",
		"c1_2_1": "C1", "RC2_10_5": "RC2", "r2_4_10": "R2", "X": "", "": "", "101": "",
	}
	for in, want := range tests {
		if got := Class(in); got != want {
			t.Errorf("Class(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestLoadBKS(t *testing.T) {
	tab, err := LoadBKS("testdata/BKS.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		distance bool
		ok       bool
	}{
		{"C101", true, true},
		{"c101", true, true},
		{"c1_2_1", false, true},
		{"C1_2_1", false, true},
		{"nope", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, dist, ok := tab.Lookup(tc.name)
			if ok != tc.ok || dist != tc.distance {
				t.Fatalf("got ok %v distance %v, want %v %v", ok, dist, tc.ok, tc.distance)
			}
			if ok && (b.Cost <= 0 || b.Vehicles <= 0 || b.Fleet <= 0) {
				t.Errorf("incomplete entry %+v", b)
			}
		})
	}
	if _, err := LoadBKS("testdata/missing.json"); err == nil {
		t.Error("LoadBKS of a missing file: got nil error")
	}
}
