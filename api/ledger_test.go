package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yingjing/xunhui/data"
)

// exportWorkbook downloads the ledger workbook as user.
func exportWorkbook(t *testing.T, e *testEnv, user string) *excelize.File {
	t.Helper()
	code, h, body := e.do(http.MethodGet, "/api/v1/ledgers.xlsx", user, nil)
	if code != 200 || h.Get("Content-Type") != xlsxType {
		t.Fatalf("export as %s: %d %s", user, code, h.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("exported workbook does not open: %v", err)
	}
	return f
}

func workbookBytes(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// findRow returns the 1-based row of request id on sheet.
func findRow(t *testing.T, f *excelize.File, sheet, id string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == id {
			return i + 1
		}
	}
	t.Fatalf("request %s not on sheet %s", id, sheet)
	return 0
}

// TestLedgerRoundTrip: export the three ledgers, change a row, import it
// (the request changes, with a history entry); a workbook with a bad row is
// refused naming its sheet and row and changes nothing; a coordinator
// exports and imports only its township.
func TestLedgerRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		f := exportWorkbook(t, e, "u-planner")
		if got := f.GetSheetList(); !slices.Equal(got, []string{"代办事项", "民生诉求", "困难问题"}) {
			t.Fatalf("sheets %v", got)
		}
		if head, _ := f.GetCellValue("代办事项", "C1"); head != "姓名" {
			t.Errorf("header C1 = %q, want 姓名", head)
		}
		// Change reqA1's priority (代办事项) and add a new row on 民生诉求.
		row := findRow(t, f, "代办事项", reqA1)
		cell, _ := excelize.CoordinatesToCellName(10, row) // 优先级
		must(t, f.SetCellValue("代办事项", cell, 5))
		must(t, f.SetSheetRow("民生诉求", "A3", &[]any{"", "", "新户 (SAMPLE)", "", vA2, "", "", itemMA, "", 2}))
		code, _, body := e.do(http.MethodPost, "/api/v1/ledgers.xlsx", "u-planner", workbookBytes(t, f))
		var res ledgerImportResult
		if code != 200 || json.Unmarshal(body, &res) != nil || res.Updated != 1 || res.Created != 1 || res.Unchanged != 2 {
			t.Fatalf("import: %d %s", code, body)
		}
		var r data.Request
		e.getJSON("/api/v1/requests/"+reqA1, "u-planner", 200, &r)
		if r.Priority != 5 || r.Version != 2 || r.History[len(r.History)-1].By != "u-planner" {
			t.Fatalf("after import: %+v", r)
		}
		// The same workbook again: its row for reqA1 is now stale (version 1).
		code, _, body = e.do(http.MethodPost, "/api/v1/ledgers.xlsx", "u-planner", workbookBytes(t, f))
		var rej ledgerRejected
		if code != http.StatusUnprocessableEntity || json.Unmarshal(body, &rej) != nil {
			t.Fatalf("stale re-import: %d %s", code, body)
		}
		if !slices.ContainsFunc(rej.Rows, func(x data.RowError) bool { return x.Sheet == "代办事项" && x.Line == row && x.Field == "version" }) {
			t.Errorf("stale row not reported at 代办事项:%d: %+v", row, rej.Rows)
		}
		// A fresh export with one bad row: rejected with sheet and row, nothing written.
		before := e.requestIDs("u-planner", "")
		f = exportWorkbook(t, e, "u-planner")
		row = findRow(t, f, "代办事项", reqA1)
		cell, _ = excelize.CoordinatesToCellName(10, row)
		must(t, f.SetCellValue("代办事项", cell, 4)) // a good change …
		bad := findRow(t, f, "困难问题", reqB1)
		cell, _ = excelize.CoordinatesToCellName(5, bad) // … and an unknown village
		must(t, f.SetCellValue("困难问题", cell, "511822999999"))
		code, _, body = e.do(http.MethodPost, "/api/v1/ledgers.xlsx", "u-planner", workbookBytes(t, f))
		rej = ledgerRejected{}
		if code != http.StatusUnprocessableEntity || json.Unmarshal(body, &rej) != nil || len(rej.Rows) != 1 ||
			rej.Rows[0].Sheet != "困难问题" || rej.Rows[0].Line != bad || rej.Rows[0].Field != "household.village_id" || rej.Error.RequestID == "" {
			t.Fatalf("bad workbook: %d %s", code, body)
		}
		e.getJSON("/api/v1/requests/"+reqA1, "u-planner", 200, &r)
		if r.Priority != 5 || r.Version != 2 || !slices.Equal(e.requestIDs("u-planner", ""), before) {
			t.Errorf("a rejected workbook changed something: %+v", r)
		}
		// A coordinator sees only its township and cannot write another's.
		f = exportWorkbook(t, e, "u-coordA")
		rows, _ := f.GetRows("困难问题")
		if len(rows) != 1 {
			t.Errorf("coordinator A's export has %d rows on 困难问题 (township B's request): %v", len(rows)-1, rows)
		}
		must(t, f.SetSheetRow("困难问题", "A2", &[]any{"", "", "乙户 (SAMPLE)", "", vB1, "", "", itemMA}))
		code, _, body = e.do(http.MethodPost, "/api/v1/ledgers.xlsx", "u-coordA", workbookBytes(t, f))
		rej = ledgerRejected{}
		if code != http.StatusUnprocessableEntity || json.Unmarshal(body, &rej) != nil || rej.Rows[0].Sheet != "困难问题" || rej.Rows[0].Line != 2 {
			t.Errorf("coordinator writes township B: %d %s", code, body)
		}
		if code, _, _ := e.do(http.MethodGet, "/api/v1/ledgers.xlsx", "u-memberA", nil); code != http.StatusForbidden {
			t.Errorf("team member exports: %d, want 403", code)
		}
		// Not a workbook at all.
		if code, _, body := e.do(http.MethodPost, "/api/v1/ledgers.xlsx", "u-planner", []byte("ledger,name\n")); code != http.StatusUnprocessableEntity {
			t.Errorf("CSV posted as a workbook: %d %s", code, body)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
