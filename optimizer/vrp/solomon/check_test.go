package solomon

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// tiny returns a 3-customer instance built on 3-4-5 triangles, so that the
// distances are exact: d(0,1)=5, d(1,2)=5, d(0,2)=10, d(0,3)=5.
func tiny(depotDue int) string {
	return header + fmt.Sprintf(
		"0 0 0 0 0 %d 0\n"+
			"1 3 4 5 0 10 1\n"+
			"2 6 8 5 20 30 1\n"+
			"3 0 5 3 0 50 0\n", depotDue)
}

func mustParse(t *testing.T, s string) *Instance {
	t.Helper()
	in, err := Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestCheckValid(t *testing.T) {
	in := mustParse(t, tiny(100))
	// Route 0: depart 0, arrive 1 at 5, leave 6, arrive 2 at 11, wait to
	// 20, leave 21, back at 31. Route 1: 0 -> 3 -> 0 = 10.
	res, err := Check(in, [][]int{{1, 2}, {}, {3}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Distance != 30 || res.Vehicles != 2 {
		t.Errorf("got distance %v vehicles %d, want 30 and 2", res.Distance, res.Vehicles)
	}
	r0 := res.Routes[0]
	if r0.Load != 10 || r0.Waiting != 9 || r0.Return != 31 || r0.Distance != 20 {
		t.Errorf("route 0: got %+v, want load 10 waiting 9 return 31 distance 20", r0)
	}
}

func TestCheckViolations(t *testing.T) {
	tests := []struct {
		name     string
		depotDue int
		routes   [][]int
		kind     Kind
		route    int
		customer int
	}{
		{"depot in route", 100, [][]int{{0, 1, 2}, {3}}, UnknownCustomer, 0, 0},
		{"unknown customer", 100, [][]int{{1, 2}, {4}}, UnknownCustomer, 1, 4},
		{"negative customer", 100, [][]int{{1, 2}, {-3}}, UnknownCustomer, 1, -3},
		{"duplicate", 100, [][]int{{1, 2}, {3, 1}}, Duplicate, 1, 1},
		{"missing", 100, [][]int{{1, 2}}, Missing, -1, 3},
		{"no routes", 100, nil, Missing, -1, 1},
		{"capacity", 100, [][]int{{1, 2, 3}}, Capacity, 0, 3},
		// 0 -> 2 arrives at 10, waits to 20, leaves 21, reaches 1 at 26 > 10.
		{"late", 100, [][]int{{2, 1}, {3}}, Late, 0, 1},
		{"late return", 25, [][]int{{1, 2}, {3}}, DepotLate, 0, 0},
		{"fleet", 100, [][]int{{1}, {2}, {3}}, Fleet, -1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mustParse(t, tiny(tc.depotDue))
			_, err := Check(in, tc.routes)
			var ce *CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *CheckError of kind %v", err, tc.kind)
			}
			if ce.Kind != tc.kind || ce.Route != tc.route || ce.Customer != tc.customer {
				t.Errorf("got kind %v route %d customer %d (%v), want %v %d %d",
					ce.Kind, ce.Route, ce.Customer, err, tc.kind, tc.route, tc.customer)
			}
		})
	}
}

func TestCheckBoundaryOnTime(t *testing.T) {
	// Service starting exactly at the due date, and a return exactly at the
	// depot's due date, are on time.
	in := mustParse(t, header+"0 0 0 0 0 10 0\n1 3 4 1 0 5 0\n")
	if _, err := Check(in, [][]int{{1}}); err != nil {
		t.Errorf("got %v, want on time", err)
	}
}

// TestCheckSingletonsReal checks one customer per route on the real files:
// every customer of these instances is reachable on its own, so this must
// pass with an unlimited fleet and cost twice the sum of depot distances.
func TestCheckSingletonsReal(t *testing.T) {
	for _, f := range []string{"testdata/C101.txt", "testdata/R201.txt", "testdata/RC105.txt"} {
		t.Run(f, func(t *testing.T) {
			in, err := ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var routes [][]int
			want := 0.0
			for c := 1; c <= in.N(); c++ {
				routes = append(routes, []int{c})
				want += 2 * in.Dist(0, c)
			}
			_, err = Check(in, routes)
			var ce *CheckError
			if !errors.As(err, &ce) || ce.Kind != Fleet {
				t.Fatalf("with the file's fleet: got %v, want a Fleet violation", err)
			}
			in.Vehicles = in.N()
			res, err := Check(in, routes)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Distance-want) > 1e-9 || res.Vehicles != in.N() {
				t.Errorf("got %v with %d vehicles, want %v with %d", res.Distance, res.Vehicles, want, in.N())
			}
		})
	}
}
