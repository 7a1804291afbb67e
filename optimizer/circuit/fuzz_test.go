package circuit

import (
	"testing"
)

func FuzzParseVisitID(f *testing.F) {
	for _, s := range []string{"P-1~T-A~2026-11-30~1", "", "~~~", "P~T~2026-02-30~1", "P~T~2026-11-30~x", "a~b~c~d~e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pid, tid, date, seq, err := ParseVisitID(s)
		if err != nil {
			return
		}
		p2, t2, d2, s2, err := ParseVisitID(VisitID(pid, tid, date, seq))
		if err != nil || p2 != pid || t2 != tid || d2 != date || s2 != seq || !date.Valid() {
			t.Errorf("ParseVisitID(%q) = %q %q %q %d does not round-trip: %v", s, pid, tid, date, seq, err)
		}
	})
}
