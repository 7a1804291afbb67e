package market

import (
	"math/rand"
	"testing"
)

// TestMoveDeltas applies thousands of random moves (accepting every one,
// undoing some) and checks after each batch that the incrementally kept
// cost equals Check's recomputation from scratch, over several seeds.
func TestMoveDeltas(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		p := Generate(GenSpec{Townships: 5, Staff: 14, Days: 16, Bookings: 160, Seed: seed})
		p.Locks = []Lock{{Township: 0, Day: p.Townships[0].MarketDays[0], Staff: []int{0}}}
		p.Previous = []Assignment{{Staff: 1, Township: 1, Day: p.Townships[1].MarketDays[0]}}
		if err := p.Prepare(); err != nil {
			t.Fatal(err)
		}
		st := newState(p)
		st.construct()
		rng := rand.New(rand.NewSource(seed))
		for batch := 0; batch < 20; batch++ {
			for i := 0; i < 200; i++ {
				st.log = st.log[:0]
				if st.move(rng) && rng.Intn(3) == 0 {
					st.undo(0)
				}
			}
			sol := st.solution()
			if err := Check(p, sol); err != nil {
				t.Fatalf("seed %d batch %d: %v", seed, batch, err)
			}
		}
	}
}

// FuzzSolve builds small problems from fuzz bytes: Solve must not panic,
// must reject bad input with an error, and every solution must pass Check.
func FuzzSolve(f *testing.F) {
	f.Add([]byte{3, 4, 7, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{1, 1, 1, 1})
	f.Add([]byte{12, 9, 30, 200, 0, 255, 17, 33})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 {
			return
		}
		g := GenSpec{Townships: 1 + int(b[0])%6, Staff: 1 + int(b[1])%10, Days: 1 + int(b[2])%20, Bookings: int(b[3]) % 80, Seed: int64(len(b))}
		for _, x := range b[4:] {
			g.Seed = g.Seed*31 + int64(x)
		}
		p := Generate(g)
		p.Options.MaxIterations = 2000
		rng := rand.New(rand.NewSource(g.Seed))
		// Locks and previous assignments from the bytes, possibly clashing.
		for i := 4; i+2 < len(b); i += 3 {
			t0 := int(b[i]) % len(p.Townships)
			if len(p.Townships[t0].MarketDays) == 0 {
				continue
			}
			d := p.Townships[t0].MarketDays[int(b[i+1])%len(p.Townships[t0].MarketDays)]
			x := int(b[i+2]) % len(p.Staff)
			if rng.Intn(2) == 0 {
				p.Locks = append(p.Locks, Lock{Township: t0, Day: d, Staff: []int{x}})
			} else {
				p.Previous = append(p.Previous, Assignment{Staff: x, Township: t0, Day: d})
			}
		}
		sol, err := Solve(t.Context(), p)
		if err != nil {
			return
		}
		if err := Check(p, sol); err != nil {
			t.Fatalf("check: %v", err)
		}
	})
}
