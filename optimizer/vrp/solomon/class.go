package solomon

import (
	"strings"
)

// Class returns the instance class used to group results: for Solomon names
// ("C101", "RC208") the letters plus the series digit ("C1", "RC2"); for
// Gehring & Homberger names ("c1_2_1", "RC2_10_5") the part before the first
// underscore in upper case ("C1", "RC2"). It returns "" for other names.
func Class(name string) string {
	if i := strings.IndexByte(name, '_'); i > 0 {
		return strings.ToUpper(name[:i])
	}
	u := strings.ToUpper(name)
	j := 0
	for j < len(u) && u[j] >= 'A' && u[j] <= 'Z' {
		j++
	}
	if j == 0 || j >= len(u) || u[j] < '0' || u[j] > '9' {
		return ""
	}
	return u[:j+1]
}
