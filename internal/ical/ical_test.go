package ical

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{"a,b;c\\d": `a\,b\;c\\d`, "一\r\n二\n三": `一\n二\n三`, "": ""} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "SUMMARY:短", "DESCRIPTION:" + strings.Repeat("赵大爷 13900000001：医疗救助申请、", 8), strings.Repeat("x", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n") {
			return
		}
		out := Fold(s)
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
