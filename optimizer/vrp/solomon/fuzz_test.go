package solomon

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and any
// instance it accepts must satisfy the invariants the checker and ToProblem
// rely on. Seeds: testdata/fuzz/FuzzParse plus the real files.
func FuzzParse(f *testing.F) {
	// Real files cut to their first customers: whole 100-customer files
	// make the fuzzer crawl (a few executions a second).
	for _, p := range []string{"testdata/C101.txt", "testdata/R201.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		lines := bytes.SplitAfter(b, []byte("\n"))
		f.Add(bytes.Join(lines[:min(len(lines), 16)], nil))
	}
	f.Add([]byte(tiny(100)))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Parse(bytes.NewReader(data))
		if err != nil {
			if in != nil {
				t.Fatal("non-nil instance with an error")
			}
			return
		}
		if in.N() < 1 || in.Vehicles < 1 || in.Capacity < 1 {
			t.Fatalf("accepted degenerate instance: n %d vehicles %d capacity %d", in.N(), in.Vehicles, in.Capacity)
		}
		for i, c := range in.Customers {
			if c.Number != i || c.Ready > c.Due || c.Demand < 0 || c.Demand > in.Capacity || c.Service < 0 {
				t.Fatalf("accepted bad customer %+v at index %d", c, i)
			}
		}
		// The checker must not panic on what the parser accepts.
		routes := make([][]int, in.N())
		for c := 1; c <= in.N(); c++ {
			routes[c-1] = []int{c}
		}
		_, _ = Check(in, routes)
		_, _ = Check(in, [][]int{{1, 1, 0, in.N() + 1}})
	})
}
