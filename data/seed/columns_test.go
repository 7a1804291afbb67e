package seed

import (
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// TestImportRejectsUnknownColumns: a column no parser reads is an error on
// line 1 naming the column number and name, for every CSV import; so is a
// value beyond the header, and text the stores would treat differently.
func TestImportRejectsUnknownColumns(t *testing.T) {
	parsers := map[string]func(string) error{
		"requests": func(s string) error { b, err := ParseRequestsCSV(strings.NewReader(s)); return errOrBad(b.Bad, err) },
		"staff":    func(s string) error { b, err := ParseStaffCSV(strings.NewReader(s)); return errOrBad(b.Bad, err) },
		"items":    func(s string) error { b, err := ParseItemsCSV(strings.NewReader(s)); return errOrBad(b.Bad, err) },
		"villages": func(s string) error {
			b, err := ParseVillageLocationsCSV(strings.NewReader(s), "")
			return errOrBad(b.Bad, err)
		},
	}
	heads := map[string]string{
		"requests": "ledger,name,phone,village_id,items",
		"staff":    "id,name,role,skills,home_code",
		"items":    "id,name,category,kind,lowest_level,mode,duration_min,skill",
		"villages": "code,lon,lat",
	}
	for name, parse := range parsers {
		t.Run(name, func(t *testing.T) {
			err := parse(heads[name] + ",Remark\n")
			rows := data.RowErrors(err)
			if len(rows) != 1 || rows[0].Line != 1 || !strings.Contains(rows[0].Field, "column") ||
				!strings.Contains(rows[0].Reason, `unknown column "Remark"`) {
				t.Fatalf("unknown column: got %v (%v), want one line-1 error naming column and Remark", rows, err)
			}
			if !strings.Contains(rows[0].Field, "6") && !strings.Contains(rows[0].Field, "4") && !strings.Contains(rows[0].Field, "9") {
				t.Errorf("field %q does not give the column number", rows[0].Field)
			}
		})
	}
	good := "proxy,甲,13800000001,511822207200,MA-01"
	for _, tc := range []struct{ name, in, field, reason string }{
		{"value past the header", heads["requests"] + "\n" + good + ",extra\n", "column 6", "has no header"},
		{"NUL in a cell", heads["requests"] + "\nproxy,甲\x00,13800000001,511822207200,MA-01\n", "name", "NUL"},
		{"invalid UTF-8", heads["requests"] + "\nproxy,\xff\xfe,13800000001,511822207200,MA-01\n", "name", "UTF-8"},
		{"duplicate column", heads["requests"] + ",name\n" + good + ",乙\n", "column 6", "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ParseRequestsCSV(strings.NewReader(tc.in))
			rows := b.Bad
			if err != nil {
				rows = data.RowErrors(err)
			}
			if len(rows) != 1 || rows[0].Field != tc.field || !strings.Contains(rows[0].Reason, tc.reason) || len(b.Records) != 0 {
				t.Fatalf("got rows %v records %d (err %v), want one error field %q reason ~%q", rows, len(b.Records), err, tc.field, tc.reason)
			}
		})
	}
	// JSON imports: NUL inside a string names the field and line.
	b, err := ParseJSONArray[data.Request](strings.NewReader("[\n{\"ledger\":\"proxy\",\"household\":{\"name\":\"a\\u0000b\"}}\n]"), nil)
	if err != nil || len(b.Bad) != 1 || b.Bad[0].Field != "household.name" || b.Bad[0].Line != 2 {
		t.Fatalf("JSON NUL: bad %v err %v, want household.name on line 2", b.Bad, err)
	}
}

func errOrBad(bad []data.RowError, err error) error {
	if err != nil {
		return err
	}
	return data.NewImportError("import", bad)
}
