package solomon

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Customer is one row of the CUSTOMER section. Times are in the file's units
// (minutes in the original sets); coordinates are plane coordinates.
type Customer struct {
	// Number is CUST NO. as written in the file; 0 is the depot.
	Number int
	// X and Y are the coordinates.
	X, Y float64
	// Demand is the load the customer takes from the vehicle (non-negative).
	Demand int
	// Ready is the earliest service start (READY TIME).
	Ready float64
	// Due is the latest service start (DUE DATE); for the depot, the latest
	// return.
	Due float64
	// Service is the service duration (SERVICE TIME).
	Service float64
}

// Instance is a parsed VRPTW instance.
type Instance struct {
	// Name is the first non-blank line of the file, e.g. "C101" or "c1_2_1".
	Name string
	// Vehicles is the fleet size (VEHICLE NUMBER).
	Vehicles int
	// Capacity is the capacity of every vehicle.
	Capacity int
	// Customers holds the depot at index 0 and customer i at index i: the
	// parser requires customer numbers 0, 1, 2, ... in file order.
	Customers []Customer
}

// N returns the number of customers, depot excluded.
func (in *Instance) N() int { return len(in.Customers) - 1 }

// Dist returns the Euclidean distance between customers i and j (indices
// into Customers, 0 = depot) in double precision. It is also the travel time.
func (in *Instance) Dist(i, j int) float64 {
	a, b := in.Customers[i], in.Customers[j]
	return math.Hypot(a.X-b.X, a.Y-b.Y)
}

// ParseError reports a malformed instance: Line is 1-based (0 when the error
// concerns the whole file, e.g. a missing section).
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return "solomon: " + e.Msg
	}
	return fmt.Sprintf("solomon: line %d: %s", e.Line, e.Msg)
}

// maxCustomers bounds the number of rows so that hostile input cannot make
// the parser (or the quadratic code behind it) allocate without limit.
const maxCustomers = 100_000

// maxLine bounds one line; real files have lines under 100 bytes.
const maxLine = 4096

// ReadFile parses the instance stored at path. See Parse for the errors.
func ReadFile(path string) (*Instance, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read instance: %w", err)
	}
	defer f.Close()
	in, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return in, nil
}

// Parse reads a Solomon / Gehring-Homberger text instance:
//
//	NAME
//	VEHICLE
//	NUMBER     CAPACITY
//	  25         200
//	CUSTOMER
//	CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE TIME
//	    0      40         50          0          0       1236          0
//	    1      45         68         10        912        967         90
//
// Blank lines, CRLF line ends and extra spaces are ignored; section keywords
// are matched case-insensitively. Any other deviation returns a *ParseError
// naming the line and what is wrong: a missing section, a wrong field count,
// a number that does not parse or is not finite, a negative demand or time,
// READY TIME after DUE DATE, a demand above the capacity, customer numbers
// that are not 0, 1, 2, ... in order, or no customer besides the depot.
func Parse(r io.Reader) (*Instance, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxLine)
	in := &Instance{}
	const (
		wantName = iota
		wantVehicleKeyword
		wantVehicleHeader
		wantVehicleRow
		wantCustomerKeyword
		wantCustomerHeader
		wantRows
	)
	state := wantName
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		upper := strings.ToUpper(text)
		switch state {
		case wantName:
			in.Name = text
			state = wantVehicleKeyword
		case wantVehicleKeyword:
			if upper != "VEHICLE" {
				return nil, &ParseError{line, fmt.Sprintf("want section VEHICLE, got %q", clip(text))}
			}
			state = wantVehicleHeader
		case wantVehicleHeader:
			if !strings.HasPrefix(upper, "NUMBER") {
				return nil, &ParseError{line, fmt.Sprintf("want header NUMBER CAPACITY, got %q", clip(text))}
			}
			state = wantVehicleRow
		case wantVehicleRow:
			f := strings.Fields(text)
			if len(f) != 2 {
				return nil, &ParseError{line, fmt.Sprintf("want 2 fields (NUMBER CAPACITY), got %d", len(f))}
			}
			var err error
			if in.Vehicles, err = parseInt(f[0], "vehicle NUMBER"); err != nil {
				return nil, &ParseError{line, err.Error()}
			}
			if in.Capacity, err = parseInt(f[1], "CAPACITY"); err != nil {
				return nil, &ParseError{line, err.Error()}
			}
			if in.Vehicles <= 0 {
				return nil, &ParseError{line, fmt.Sprintf("vehicle NUMBER %d must be positive", in.Vehicles)}
			}
			if in.Capacity <= 0 {
				return nil, &ParseError{line, fmt.Sprintf("CAPACITY %d must be positive", in.Capacity)}
			}
			state = wantCustomerKeyword
		case wantCustomerKeyword:
			if upper != "CUSTOMER" {
				return nil, &ParseError{line, fmt.Sprintf("want section CUSTOMER, got %q", clip(text))}
			}
			state = wantCustomerHeader
		case wantCustomerHeader:
			if !strings.HasPrefix(upper, "CUST") {
				return nil, &ParseError{line, fmt.Sprintf("want header CUST NO. XCOORD. ..., got %q", clip(text))}
			}
			state = wantRows
		case wantRows:
			c, err := parseRow(text, len(in.Customers), in.Capacity)
			if err != nil {
				return nil, &ParseError{line, err.Error()}
			}
			if len(in.Customers) >= maxCustomers {
				return nil, &ParseError{line, fmt.Sprintf("more than %d customers", maxCustomers)}
			}
			in.Customers = append(in.Customers, c)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{line + 1, fmt.Sprintf("read: %v", err)}
	}
	switch state {
	case wantName:
		return nil, &ParseError{0, "empty file"}
	case wantVehicleKeyword, wantVehicleHeader, wantVehicleRow:
		return nil, &ParseError{0, "missing VEHICLE section"}
	case wantCustomerKeyword, wantCustomerHeader:
		return nil, &ParseError{0, "missing CUSTOMER section"}
	}
	if len(in.Customers) < 2 {
		return nil, &ParseError{0, "no customer besides the depot"}
	}
	return in, nil
}

var rowFields = "CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE SERVICE TIME"

// parseRow parses one customer row that must carry number want.
func parseRow(text string, want, capacity int) (Customer, error) {
	f := strings.Fields(text)
	if len(f) != 7 {
		return Customer{}, fmt.Errorf("want 7 fields (%s), got %d", rowFields, len(f))
	}
	var c Customer
	var err error
	if c.Number, err = parseInt(f[0], "CUST NO."); err != nil {
		return c, err
	}
	if c.Number != want {
		return c, fmt.Errorf("CUST NO. %d out of sequence, want %d", c.Number, want)
	}
	names := [...]string{"XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME"}
	var v [6]float64
	for i := range v {
		if v[i], err = parseFloat(f[i+1], names[i]); err != nil {
			return c, fmt.Errorf("customer %d: %w", c.Number, err)
		}
	}
	c.X, c.Y = v[0], v[1]
	if v[2] != math.Trunc(v[2]) || math.Abs(v[2]) > 1e15 {
		return c, fmt.Errorf("customer %d: DEMAND %s is not an integer", c.Number, f[3])
	}
	c.Demand = int(v[2])
	c.Ready, c.Due, c.Service = v[3], v[4], v[5]
	switch {
	case c.Demand < 0:
		return c, fmt.Errorf("customer %d: negative DEMAND %d", c.Number, c.Demand)
	case c.Demand > capacity:
		return c, fmt.Errorf("customer %d: DEMAND %d exceeds vehicle CAPACITY %d", c.Number, c.Demand, capacity)
	case c.Ready < 0:
		return c, fmt.Errorf("customer %d: negative READY TIME %v", c.Number, c.Ready)
	case c.Service < 0:
		return c, fmt.Errorf("customer %d: negative SERVICE TIME %v", c.Number, c.Service)
	case c.Ready > c.Due:
		return c, fmt.Errorf("customer %d: READY TIME %v after DUE DATE %v", c.Number, c.Ready, c.Due)
	}
	return c, nil
}

func parseInt(s, field string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not an integer", field, clip(s))
	}
	return n, nil
}

// maxAbs bounds coordinates and times: beyond it, float64 sums lose whole
// units and the ×1000 integer model would overflow.
const maxAbs = 1e12

func parseFloat(s, field string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a finite number", field, clip(s))
	}
	if math.Abs(v) > maxAbs {
		return 0, fmt.Errorf("%s %q is out of range (|v| > %g)", field, clip(s), maxAbs)
	}
	return v, nil
}

// clip shortens s for error messages.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
