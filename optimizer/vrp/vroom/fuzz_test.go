package vroom

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

// FuzzSolve feeds arbitrary bytes to SolveBytes with a tiny iteration cap:
// it must never panic, never report an internal error (code 1 would mean
// the validation let through something the engine or the output rejects),
// and any answer must pass the independent verifier.
func FuzzSolve(f *testing.F) {
	for _, p := range []string{"testdata/example_2.json", "testdata/example_2_legacy.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"vehicles":[{"id":1,"start_index":0,"end_index":0,"capacity":[2],"time_window":[0,100],"breaks":[{"id":1,"service":5,"time_windows":[[10,20]]}]}],"jobs":[{"id":1,"location_index":1,"delivery":[1],"setup":3,"service":2,"time_windows":[[0,50]]},{"id":2,"location_index":1,"pickup":[1],"priority":3}],"matrices":{"car":{"durations":[[0,10],[10,0]],"distances":[[0,5],[5,0]]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		out, err := SolveBytes(context.Background(), data, Options{MaxIterations: 3, Seed: 1})
		if err != nil {
			if c := Code(err); c == CodeInternal {
				t.Fatalf("internal error on input %q: %v", data, err)
			}
			return
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := verify(data, b, nil); err != nil {
			t.Fatalf("infeasible answer: %v\ninput %s\noutput %s", err, data, b)
		}
	})
}
