package solomon

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkParse measures parsing a 100-customer file (target: well under
// a millisecond, negligible next to any solve).
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/C101.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck measures checking a full solution (one route per customer)
// of a 100-customer instance (target: a few microseconds).
func BenchmarkCheck(b *testing.B) {
	in, err := ReadFile("testdata/C101.txt")
	if err != nil {
		b.Fatal(err)
	}
	in.Vehicles = in.N()
	routes := make([][]int, in.N())
	for c := 1; c <= in.N(); c++ {
		routes[c-1] = []int{c}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Check(in, routes); err != nil {
			b.Fatal(err)
		}
	}
}
