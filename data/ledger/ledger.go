// Package ledger reads and writes the three request ledgers as the township
// offices keep them: one Excel workbook (.xlsx) with one sheet per ledger
// (代办事项, 民生诉求, 困难问题) and Chinese column headers. Export writes
// every request with its id and version; Parse reads a workbook back into
// request records, reporting every bad cell as SHEET:ROW: field: reason, so
// that an import is all or nothing (data.Store.SaveRequests).
//
// The format is github.com/xuri/excelize/v2 (maintained, pure Go, reads and
// writes the Office Open XML that WPS and Excel save).
package ledger

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/yingjing/xunhui/data"
)

// Sheets are the ledgers' sheet names, in workbook order.
var Sheets = []struct {
	Name   string
	Ledger data.Ledger
}{
	{"代办事项", data.LedgerProxy},
	{"民生诉求", data.LedgerAppeal},
	{"困难问题", data.LedgerHardship},
}

// column is one column of a ledger sheet: its Chinese header and whether an
// import reads it (村（社区）名称 and 状态 are for people, ignored on import).
type column struct {
	header string
	key    string
	read   bool
}

var columns = []column{
	{"编号", "id", true},
	{"版本", "version", true},
	{"姓名", "name", true},
	{"联系电话", "phone", true},
	{"村（社区）代码", "village_id", true},
	{"村（社区）", "village", false},
	{"地址", "address", true},
	{"服务事项", "items", true},
	{"特殊群体", "groups", true},
	{"优先级", "priority", true},
	{"可上门时间", "visit_windows", true},
	{"办理期限", "deadline", true},
	{"诉求摘要", "summary", true},
	{"经度", "lon", true},
	{"纬度", "lat", true},
	{"状态", "status", false},
}

// MaxBytes bounds a workbook read by Parse.
const MaxBytes = 16 << 20

// MaxRows bounds the data rows of one sheet.
const MaxRows = 20000

// Export writes rs as a ledger workbook to w, each request on its ledger's
// sheet, by id; villageNames (id → name) fills the village column.
func Export(w io.Writer, rs []data.Request, villageNames map[string]string) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range Sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sh.Name)
		if err != nil {
			return err
		}
		head := make([]any, len(columns))
		for j, c := range columns {
			head[j] = c.header
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		row := 2
		for _, r := range rs {
			if r.Ledger != sh.Ledger {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, exportRow(r, villageNames)); err != nil {
				return err
			}
			row++
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// exportRow is the cells of one request, in columns order. Every cell is
// text (ids, phones and codes must not become numbers) except version and
// priority.
func exportRow(r data.Request, villageNames map[string]string) []any {
	lon, lat := "", ""
	if p := r.Household.Location; p != nil {
		lon, lat = strconv.FormatFloat(p.Lon, 'f', -1, 64), strconv.FormatFloat(p.Lat, 'f', -1, 64)
	}
	groups := make([]string, len(r.Groups))
	for i, g := range r.Groups {
		groups[i] = string(g)
	}
	return []any{r.ID, r.Version, r.Household.Name, r.Household.Phone, r.Household.VillageID, villageNames[r.Household.VillageID],
		r.Household.Address, strings.Join(r.ItemIDs, ";"), strings.Join(groups, ";"), r.Priority,
		data.FormatWeeklyWindows(r.VisitWindows), string(r.Deadline), r.Summary, lon, lat, string(r.Status)}
}

// Place is where a parsed record came from.
type Place struct {
	Sheet string
	Row   int
}

// Batch is a parsed workbook: the records, where each came from, and every
// bad row found by the parser.
type Batch struct {
	Records []data.Request
	Places  []Place
	Bad     []data.RowError
}

// Err returns the parser's bad rows as one Invalid ImportError (nil if none).
func (b Batch) Err() error { return data.NewImportError("import", b.Bad) }

// Relabel turns the 1-based record positions of a store's ImportError into
// sheet and row.
func (b Batch) Relabel(err error) {
	rows := data.RowErrors(err)
	for i := range rows {
		if k := rows[i].Line - 1; k >= 0 && k < len(b.Places) {
			rows[i].Sheet, rows[i].Line = b.Places[k].Sheet, b.Places[k].Row
		}
	}
}

// Parse reads a ledger workbook. Sheets other than the three ledgers are an
// error (a renamed sheet must not be skipped silently); a missing ledger
// sheet is fine. Each sheet needs the header row with at least 姓名,
// 村（社区）代码 and 服务事项; unknown headers are refused. A row is a
// request: without 编号 a new one, with 编号 and 版本 an edit of that version.
// Empty rows are skipped. The error is non-nil only for a file that is not
// a readable workbook or a bad sheet or header (as an ImportError).
func Parse(r io.Reader) (Batch, error) {
	var b Batch
	f, err := excelize.OpenReader(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return b, data.Errorf(data.Invalid, "not a readable .xlsx workbook: %v", err)
	}
	defer f.Close()
	var bad []data.RowError
	for _, name := range f.GetSheetList() {
		i := slices.IndexFunc(Sheets, func(s struct {
			Name   string
			Ledger data.Ledger
		}) bool {
			return s.Name == name
		})
		if i < 0 {
			bad = append(bad, data.RowError{Sheet: name, Line: 1, Reason: fmt.Sprintf("unknown sheet: want %s, %s or %s", Sheets[0].Name, Sheets[1].Name, Sheets[2].Name)})
			continue
		}
		rows, err := f.GetRows(name)
		if err != nil {
			return b, data.Errorf(data.Invalid, "sheet %s: %v", name, err)
		}
		if len(rows) > MaxRows+1 {
			bad = append(bad, data.RowError{Sheet: name, Line: MaxRows + 2, Reason: fmt.Sprintf("more than %d rows", MaxRows)})
			continue
		}
		bad = append(bad, b.parseSheet(name, Sheets[i].Ledger, rows)...)
	}
	if hdr := headerErrors(bad); len(hdr) > 0 {
		return b, data.NewImportError("import", hdr)
	}
	b.Bad = append(b.Bad, bad...)
	return b, nil
}

// headerErrors keeps the errors that make a sheet unreadable (row 1).
func headerErrors(bad []data.RowError) []data.RowError {
	var out []data.RowError
	for _, e := range bad {
		if e.Line == 1 {
			out = append(out, e)
		}
	}
	return out
}

// parseSheet reads the data rows of one ledger sheet into b.
func (b *Batch) parseSheet(name string, ledger data.Ledger, rows [][]string) []data.RowError {
	if len(rows) == 0 {
		return nil
	}
	idx := map[string]int{}
	var bad []data.RowError
	for j, h := range rows[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		k := slices.IndexFunc(columns, func(c column) bool { return c.header == h })
		if k < 0 {
			bad = append(bad, data.RowError{Sheet: name, Line: 1, Field: h, Reason: "unknown column"})
			continue
		}
		idx[columns[k].key] = j
	}
	for _, need := range []string{"name", "village_id", "items"} {
		if _, ok := idx[need]; !ok {
			k := slices.IndexFunc(columns, func(c column) bool { return c.key == need })
			bad = append(bad, data.RowError{Sheet: name, Line: 1, Field: columns[k].header, Reason: "missing column"})
		}
	}
	if len(bad) > 0 {
		return bad
	}
	for i, cells := range rows[1:] {
		row := i + 2
		get := func(key string) string {
			if j, ok := idx[key]; ok && j < len(cells) {
				return strings.TrimSpace(cells[j])
			}
			return ""
		}
		if slices.IndexFunc(cells, func(c string) bool { return strings.TrimSpace(c) != "" }) < 0 {
			continue
		}
		if j := slices.IndexFunc(cells, func(c string) bool { return !utf8.ValidString(c) || strings.ContainsRune(c, 0) }); j >= 0 && j < len(rows[0]) {
			bad = append(bad, data.RowError{Sheet: name, Line: row, Field: rows[0][j], Reason: "contains a NUL character or invalid UTF-8"})
			continue
		}
		r, err := parseRow(ledger, get)
		if err != nil {
			bad = append(bad, rowError(name, row, err))
			continue
		}
		b.Records = append(b.Records, r)
		b.Places = append(b.Places, Place{Sheet: name, Row: row})
	}
	return bad
}

// rowError is err as a bad row of sheet: field and reason apart.
func rowError(sheet string, row int, err error) data.RowError {
	re := data.RowError{Sheet: sheet, Line: row, Field: data.ErrorField(err), Reason: err.Error()}
	var de *data.Error
	if errors.As(err, &de) && de.Message != "" {
		re.Reason = de.Message
	}
	return re
}

// parseRow builds one request from its cells; errors are Invalid and name
// the column by its header.
func parseRow(ledger data.Ledger, get func(string) string) (data.Request, error) {
	r := data.Request{ID: get("id"), Ledger: ledger, Priority: 3, Source: "import",
		Household: data.Household{Name: get("name"), Phone: get("phone"), VillageID: get("village_id"), Address: get("address")},
		ItemIDs:   splitList(get("items")), Deadline: data.Date(get("deadline")), Summary: get("summary")}
	if v := get("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return r, data.FieldError("版本", "%q is not a version number", v)
		}
		r.Version = n
	}
	for _, g := range splitList(get("groups")) {
		r.Groups = append(r.Groups, data.Group(g))
	}
	if p := get("priority"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return r, data.FieldError("优先级", "%q is not a number 1–5", p)
		}
		r.Priority = n
	}
	if w := get("visit_windows"); w != "" {
		ws, err := data.ParseWeeklyWindows(w)
		if err != nil {
			return r, data.FieldError("可上门时间", "%s", data.ErrorMessage(err))
		}
		r.VisitWindows = ws
	}
	lon, lat := get("lon"), get("lat")
	if (lon == "") != (lat == "") {
		return r, data.FieldError("经度", "give both longitude and latitude, or neither")
	}
	if lon != "" {
		x, err1 := strconv.ParseFloat(lon, 64)
		y, err2 := strconv.ParseFloat(lat, 64)
		if err1 != nil || err2 != nil {
			return r, data.FieldError("经度", "%q, %q are not numbers", lon, lat)
		}
		r.Household.Location = &data.Point{Lon: x, Lat: y}
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	return r, nil
}

// splitList splits "a;b" (also "a；b", "a,b", "a、b") into trimmed non-empty parts.
func splitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == ',' || r == '，' || r == '、' })
	out := []string{}
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
