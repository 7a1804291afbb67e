package circuit

import (
	"strings"
	"testing"
	"unicode/utf8"
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

func FuzzFoldICS(f *testing.F) {
	for _, s := range []string{"", "SUMMARY:短", "DESCRIPTION:" + strings.Repeat("赵大爷 13900000001：医疗救助申请、", 8), strings.Repeat("x", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n") {
			return
		}
		out := foldICS(s)
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("fold(%q) does not end in CRLF", s)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		var b strings.Builder
		for i, l := range lines {
			if len(l) > 75 {
				t.Errorf("line %d has %d octets", i, len(l))
			}
			if !utf8.ValidString(l) {
				t.Errorf("line %d splits a character", i)
			}
			if i > 0 {
				l = strings.TrimPrefix(l, " ")
			}
			b.WriteString(l)
		}
		if b.String() != s {
			t.Errorf("unfolding gives %q, want %q", b.String(), s)
		}
	})
}
