package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yingjing/xunhui/data/ledger"
)

// TestImportLedgers: a workbook with a bad row is refused as
// FILE:SHEET:ROW: field: reason and writes nothing; the good workbook is
// imported.
func TestImportLedgers(t *testing.T) {
	dir, db := seededDB(t)
	var buf bytes.Buffer
	if err := ledger.Export(&buf, nil, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// 民主村 (泗坪乡), a SAMPLE item; the second row names no village.
	_ = f.SetSheetRow("代办事项", "A2", &[]any{"", "", "赵某某 (SAMPLE)", "", "511822207200", "", "", "MA-01"})
	_ = f.SetSheetRow("困难问题", "A2", &[]any{"", "", "钱某 (SAMPLE)", "", "", "", "", "MA-01"})
	bad := filepath.Join(dir, "bad.xlsx")
	if err := f.SaveAs(bad); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runMain(t, "import", "ledgers", bad, "--db", db)
	if code == 0 || !strings.Contains(errs, bad+":困难问题:2: household.village_id:") {
		t.Fatalf("bad workbook: code %d, stderr %s", code, errs)
	}
	_ = f.RemoveRow("困难问题", 2)
	good := filepath.Join(dir, "good.xlsx")
	if err := f.SaveAs(good); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runMain(t, "import", "ledgers", good, "--db", db, "--by", "office")
	if code != 0 || !strings.Contains(out, "1 created, 0 updated") {
		t.Fatalf("good workbook: code %d, out %s, stderr %s", code, out, errs)
	}
	_ = os.Remove(bad)
}
