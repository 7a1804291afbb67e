// Package ical holds the two RFC 5545 text rules that every iCalendar feed of
// Xunhui needs (circuit route sheets, market-day feeds): escaping TEXT values
// and folding content lines.
package ical

import (
	"strings"
	"unicode/utf8"
)

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// Text escapes a TEXT property value (RFC 5545 §3.3.11): backslash,
// semicolon and comma are escaped and any line break becomes \n.
func Text(s string) string { return textEscaper.Replace(s) }

// Fold ends a content line with CRLF, folding it into lines of at most 75
// octets (RFC 5545 §3.1) without splitting a UTF-8 character; continuation
// lines start with one space.
func Fold(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := utf8.RuneLen(r)
		if n+w > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += w
	}
	b.WriteString("\r\n")
	return b.String()
}
