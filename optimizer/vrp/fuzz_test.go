package vrp

import (
	"context"
	"testing"
)

// FuzzSolve builds small arbitrary problems from bytes: Validate must
// reject or accept without panicking, and an accepted problem must solve
// to a solution that passes Check.
func FuzzSolve(f *testing.F) {
	f.Add([]byte{3, 2, 1, 5, 9, 0, 4, 7, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{5, 1, 0, 0, 0, 200, 255, 3, 3, 3, 9, 9, 1, 0, 2, 2, 2, 2, 2, 2, 2})
	f.Add([]byte{2, 3, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 90, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		k := 0
		next := func() int {
			if k >= len(data) {
				return 0
			}
			k++
			return int(data[k-1])
		}
		n := 1 + next()%6
		p := &Problem{Durations: NewMatrix(n)}
		for i := range p.Durations.Data {
			p.Durations.Data[i] = int64(next() % 50)
		}
		nv := next() % 3
		for v := 0; v < nv; v++ {
			veh := Vehicle{ID: "v", Start: next()%(n+1) - 1, End: next()%(n+1) - 1, Capacity: []int64{int64(next() % 10)},
				MaxTasks: next() % 4, Skills: []int{next() % 3}}
			if next()%2 == 0 {
				veh.Shift = TimeWindow{int64(next() % 20), int64(50 + next()%200)}
			}
			if next()%3 == 0 {
				veh.Breaks = []Break{{ID: "b", Duration: int64(next() % 30), TimeWindows: []TimeWindow{{int64(next() % 100), int64(100 + next()%100)}}}}
			}
			p.Vehicles = append(p.Vehicles, veh)
		}
		nj := next() % 7
		for j := 0; j < nj; j++ {
			job := Job{ID: "j", Location: next() % n, Service: int64(next() % 20), Amounts: []int64{int64(next() % 6)}, Priority: next() % 3}
			if next()%2 == 0 {
				s := int64(next() % 150)
				job.TimeWindows = []TimeWindow{{s, s + int64(next()%80)}}
				if next()%2 == 0 {
					e := job.TimeWindows[0].End + 1 + int64(next()%50)
					job.TimeWindows = append(job.TimeWindows, TimeWindow{e, e + int64(next()%80)})
				}
			}
			if next()%4 == 0 {
				job.Skills = []int{next() % 3}
			}
			p.Jobs = append(p.Jobs, job)
		}
		if p.Validate() != nil {
			return
		}
		s, err := Solve(context.Background(), p, Options{Seed: 1, MaxIterations: 5})
		if err != nil {
			t.Fatalf("Solve on a valid problem: %v", err)
		}
		if err := Check(p, s); err != nil {
			t.Fatalf("Check: %v", err)
		}
	})
}
