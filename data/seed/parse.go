package seed

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yingjing/xunhui/data"
)

// MaxImportBytes bounds an import file, in bytes.
const MaxImportBytes = 32 << 20

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// table is a parsed CSV file: header names and rows with their line numbers.
type table struct {
	cols  map[string]int
	rows  [][]string
	lines []int
	// bad lists lines the CSV reader rejected.
	bad []data.RowError
}

// Batch is the result of parsing an import file: the records that parsed and
// validated, the line on which each starts, and every rejected line.
type Batch[T any] struct {
	Records []T
	Lines   []int
	Bad     []data.RowError
}

// add keeps rec (from line) if validate accepts it, else records why not.
func (b *Batch[T]) add(line int, rec T, validate func(T) error) {
	if err := validate(rec); err != nil {
		b.Bad = append(b.Bad, lineError(line, err))
		return
	}
	b.Records = append(b.Records, rec)
	b.Lines = append(b.Lines, line)
}

func (b *Batch[T]) fail(line int, field, format string, args ...any) {
	b.Bad = append(b.Bad, data.RowError{Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Err returns the rejected lines as an Invalid import error, or nil.
func (b *Batch[T]) Err() error { return data.NewImportError("import", b.Bad) }

// readTable reads a CSV file with a header. required columns must be present;
// every physical line number is kept so that errors can point at it.
func readTable(r io.Reader, required, optional []string) (*table, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxImportBytes {
		return nil, data.Errorf(data.Invalid, "file larger than %d bytes", MaxImportBytes)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // Excel's UTF-8 BOM
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, data.NewImportError("import", []data.RowError{{Line: 1, Reason: "empty file: want a header line"}})
		}
		return nil, csvError(err)
	}
	t := &table{cols: map[string]int{}}
	known := append(append([]string{}, required...), optional...)
	var bad []data.RowError
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case badCell(h) != "":
			bad = append(bad, data.RowError{Line: 1, Field: fmt.Sprintf("column %d", i+1), Reason: "column name " + badCell(h)})
		case name == "" || !slices.Contains(known, name):
			bad = append(bad, data.RowError{Line: 1, Field: fmt.Sprintf("column %d", i+1),
				Reason: fmt.Sprintf("unknown column %q; allowed: %s", truncateText(h, 40), strings.Join(known, ","))})
		default:
			if _, dup := t.cols[name]; dup {
				bad = append(bad, data.RowError{Line: 1, Field: fmt.Sprintf("column %d", i+1), Reason: fmt.Sprintf("column %q given twice", name)})
			}
			t.cols[name] = i
		}
	}
	if len(bad) > 0 {
		return nil, data.NewImportError("import", bad)
	}
	var missing []string
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, data.NewImportError("import", []data.RowError{{Line: 1, Field: strings.Join(missing, ","),
			Reason: fmt.Sprintf("header lacks column(s) %s; want %s", strings.Join(missing, ", "), strings.Join(append(required, optional...), ","))}})
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				reason := pe.Err.Error()
				if pe.Err == csv.ErrQuote || pe.Err == csv.ErrBareQuote {
					// The reader cannot resynchronise after a quote error:
					// later lines are unchecked.
					t.bad = append(t.bad, data.RowError{Line: pe.StartLine, Reason: reason + "; lines after it were not read"})
					break
				}
				t.bad = append(t.bad, data.RowError{Line: pe.StartLine, Reason: reason})
				continue
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if re, ok := badRow(cr, header, rec); !ok {
			t.bad = append(t.bad, re)
			continue
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

// badRow checks every cell of rec for text that the two stores would treat
// differently (a NUL character, invalid UTF-8) and for cells beyond the
// header; it names the line, the column number and the column's name.
func badRow(cr *csv.Reader, header, rec []string) (data.RowError, bool) {
	for j, cell := range rec {
		line, col := cr.FieldPos(j)
		if j >= len(header) {
			if strings.TrimSpace(cell) == "" {
				continue
			}
			return data.RowError{Line: line, Field: fmt.Sprintf("column %d", j+1),
				Reason: fmt.Sprintf("value %q in column %d (character %d) has no header", truncateText(cell, 40), j+1, col)}, false
		}
		if msg := badCell(cell); msg != "" {
			name := strings.ToLower(strings.TrimSpace(header[j]))
			return data.RowError{Line: line, Field: name,
				Reason: fmt.Sprintf("column %d (%s, character %d) %s", j+1, name, col, msg)}, false
		}
	}
	return data.RowError{}, true
}

// badCell says what is wrong with a cell's text, or "".
func badCell(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL character"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}

// truncateText cuts s to at most n runes for an error message.
func truncateText(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return data.NewImportError("import", []data.RowError{{Line: pe.Line, Reason: pe.Err.Error()}})
	}
	return err
}

// get returns column c of row i, trimmed ("" if absent).
func (t *table) get(i int, c string) string {
	j, ok := t.cols[c]
	if !ok || j >= len(t.rows[i]) {
		return ""
	}
	return strings.TrimSpace(t.rows[i][j])
}

func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "", "0", "false", "no", "n", "否":
		return false, true
	case "1", "true", "yes", "y", "是":
		return true, true
	}
	return false, false
}

// splitList splits "a;b; c" into trimmed non-empty parts.
func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseVillageLocationsCSV reads "code,lon,lat[,provenance]" rows. With
// crs "gcj02" the points are converted from GCJ-02 to WGS84; crs "wgs84"
// (or "") keeps them. provenance defaults to surveyed. Records are checked
// with Validate (not against the store); every bad line is in Batch.Bad.
// The error is for an unreadable file, a bad header or a bad crs.
func ParseVillageLocationsCSV(r io.Reader, crs string) (Batch[data.VillageLocation], error) {
	var b Batch[data.VillageLocation]
	crs = strings.ToLower(crs)
	if crs != "" && crs != "wgs84" && crs != "gcj02" {
		return b, data.FieldError("crs", "%q is not wgs84 or gcj02", crs)
	}
	t, err := readTable(r, []string{"code", "lon", "lat"}, []string{"provenance"})
	if err != nil {
		return b, err
	}
	b.Bad = t.bad
	for i := range t.rows {
		line := t.lines[i]
		lon, ok1 := parseFloat(t.get(i, "lon"))
		lat, ok2 := parseFloat(t.get(i, "lat"))
		if !ok1 || !ok2 {
			b.fail(line, "lon/lat", "%q,%q are not decimal degrees", t.get(i, "lon"), t.get(i, "lat"))
			continue
		}
		if crs == "gcj02" {
			lon, lat = gcj02ToWGS84(lon, lat)
			lon, lat = round6(lon), round6(lat)
		}
		prov := data.Provenance(t.get(i, "provenance"))
		if prov == "" {
			prov = data.Surveyed
		}
		b.add(line, data.VillageLocation{VillageID: t.get(i, "code"), Location: data.Point{Lon: lon, Lat: lat}, Provenance: prov},
			data.VillageLocation.Validate)
	}
	return b, nil
}

func lineError(line int, err error) data.RowError {
	re := data.RowError{Line: line, Field: data.ErrorField(err)}
	var de *data.Error
	if errors.As(err, &de) && de.Message != "" {
		re.Reason = de.Message
	} else {
		re.Reason = err.Error()
	}
	return re
}

// ParseItemsCSV reads catalogue rows
// "id,name,category,kind,lowest_level,mode,duration_min,skill[,source,list,handled_at]";
// source "SAMPLE" marks a sample item; list is general (default),
// personalised or cross_level, handled_at the level that decides a
// cross-level item. Every bad line is in Batch.Bad.
func ParseItemsCSV(r io.Reader) (Batch[data.ServiceItem], error) {
	var b Batch[data.ServiceItem]
	t, err := readTable(r, []string{"id", "name", "category", "kind", "lowest_level", "mode", "duration_min", "skill"}, []string{"source", "list", "handled_at"})
	if err != nil {
		return b, err
	}
	b.Bad = t.bad
	for i := range t.rows {
		dur, err := strconv.Atoi(t.get(i, "duration_min"))
		if err != nil {
			b.fail(t.lines[i], "duration_min", "%q is not a whole number of minutes", t.get(i, "duration_min"))
			continue
		}
		it := data.ServiceItem{ID: t.get(i, "id"), Name: t.get(i, "name"), Category: data.Category(t.get(i, "category")),
			Kind: t.get(i, "kind"), LowestLevel: data.Level(t.get(i, "lowest_level")), Mode: data.Mode(t.get(i, "mode")),
			DurationMin: dur, Skill: data.Skill(t.get(i, "skill")), Sample: strings.EqualFold(t.get(i, "source"), SampleSource),
			List: data.ServiceList(t.get(i, "list")), HandledAt: data.Level(t.get(i, "handled_at"))}
		b.add(t.lines[i], it, data.ServiceItem.Validate)
	}
	return b, nil
}

// ParseStaffCSV reads staff rows
// "id,name,role,skills,home_code[,department,home_point_id,phone,party_member,service_star,availability,leave,source]":
// skills "a;b", availability in the ParseWeeklyWindows form (default
// mon-fri 08:30-17:30), leave "2026-12-01..2026-12-03; 2026-12-20..2026-12-20",
// booleans 1/0, true/false or 是/否. Every bad line is in Batch.Bad.
func ParseStaffCSV(r io.Reader) (Batch[data.Staff], error) {
	var b Batch[data.Staff]
	t, err := readTable(r, []string{"id", "name", "role", "skills", "home_code"},
		[]string{"department", "home_point_id", "phone", "party_member", "service_star", "availability", "leave", "source"})
	if err != nil {
		return b, err
	}
	b.Bad = t.bad
	for i := range t.rows {
		line := t.lines[i]
		st := data.Staff{ID: t.get(i, "id"), Name: t.get(i, "name"), Role: data.StaffRole(t.get(i, "role")),
			HomeCode: t.get(i, "home_code"), Department: t.get(i, "department"), HomePointID: t.get(i, "home_point_id"),
			Phone: t.get(i, "phone"), Sample: strings.EqualFold(t.get(i, "source"), SampleSource)}
		for _, s := range splitList(t.get(i, "skills")) {
			st.Skills = append(st.Skills, data.Skill(s))
		}
		var ok bool
		if st.PartyMember, ok = parseBool(t.get(i, "party_member")); !ok {
			b.fail(line, "party_member", "want 1/0, true/false or 是/否")
			continue
		}
		if st.ServiceStar, ok = parseBool(t.get(i, "service_star")); !ok {
			b.fail(line, "service_star", "want 1/0, true/false or 是/否")
			continue
		}
		if av := t.get(i, "availability"); av != "" {
			ws, err := data.ParseWeeklyWindows(av)
			if err != nil {
				b.fail(line, "availability", "%s", data.ErrorMessage(err))
				continue
			}
			st.Availability = ws
		} else {
			st.Availability = data.WorkingWeek(officeStart, officeEnd)
		}
		for _, l := range splitList(t.get(i, "leave")) {
			from, to, ok := strings.Cut(l, "..")
			if !ok {
				from, to = l, l
			}
			st.Leave = append(st.Leave, data.DateRange{From: data.Date(strings.TrimSpace(from)), To: data.Date(strings.TrimSpace(to))})
		}
		b.add(line, st, data.Staff.Validate)
	}
	return b, nil
}

// ParseRequestsCSV reads request rows
// "ledger,name,village_id,items[,phone,id,address,lon,lat,groups,priority,visit_windows,deadline,summary]":
// items and groups "a;b", lon/lat WGS84 (both or neither), priority 1–5
// (default 3), visit_windows in the ParseWeeklyWindows form, deadline
// YYYY-MM-DD. Rows are checked with Validate; the deadline against today and
// the references are checked by the store. Every bad line is in Batch.Bad.
func ParseRequestsCSV(r io.Reader) (Batch[data.Request], error) {
	var b Batch[data.Request]
	t, err := readTable(r, []string{"ledger", "name", "village_id", "items"},
		[]string{"phone", "id", "address", "lon", "lat", "groups", "priority", "visit_windows", "deadline", "summary"})
	if err != nil {
		return b, err
	}
	b.Bad = t.bad
	for i := range t.rows {
		line := t.lines[i]
		rq := data.Request{ID: t.get(i, "id"), Ledger: data.Ledger(t.get(i, "ledger")),
			Household: data.Household{Name: t.get(i, "name"), Phone: t.get(i, "phone"), VillageID: t.get(i, "village_id"), Address: t.get(i, "address")},
			ItemIDs:   splitList(t.get(i, "items")), Deadline: data.Date(t.get(i, "deadline")), Summary: t.get(i, "summary"),
			Priority: 3, Source: "import"}
		for _, g := range splitList(t.get(i, "groups")) {
			rq.Groups = append(rq.Groups, data.Group(g))
		}
		if p := t.get(i, "priority"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				b.fail(line, "priority", "%q is not a number 1–5", p)
				continue
			}
			rq.Priority = n
		}
		lonS, latS := t.get(i, "lon"), t.get(i, "lat")
		if lonS != "" || latS != "" {
			lon, ok1 := parseFloat(lonS)
			lat, ok2 := parseFloat(latS)
			if !ok1 || !ok2 {
				b.fail(line, "lon/lat", "give both lon and lat in decimal degrees (WGS84), or neither")
				continue
			}
			rq.Household.Location = &data.Point{Lon: lon, Lat: lat}
		}
		if w := t.get(i, "visit_windows"); w != "" {
			ws, err := data.ParseWeeklyWindows(w)
			if err != nil {
				b.fail(line, "visit_windows", "%s", data.ErrorMessage(err))
				continue
			}
			rq.VisitWindows = ws
		}
		b.add(line, rq, data.Request.Validate)
	}
	return b, nil
}

// ParseJSONArray decodes a JSON array of T, rejecting unknown fields, and
// validates each element with validate (nil: no validation). Elements that
// fail are listed in Batch.Bad with the line on which they start; a file that
// is not a well-formed JSON array is a single bad line (where it breaks).
func ParseJSONArray[T any](r io.Reader, validate func(T) error) (Batch[T], error) {
	var out Batch[T]
	if validate == nil {
		validate = func(T) error { return nil }
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return out, err
	}
	if len(b) > MaxImportBytes {
		return out, data.Errorf(data.Invalid, "file larger than %d bytes", MaxImportBytes)
	}
	lineAt := func(off int64) int {
		off = min(max(off, 0), int64(len(b)))
		return 1 + bytes.Count(b[:off], []byte{'\n'})
	}
	broken := func(off int64, reason string) (Batch[T], error) {
		out.Records, out.Lines = nil, nil
		out.Bad = append(out.Bad, data.RowError{Line: lineAt(off), Reason: reason})
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return broken(dec.InputOffset(), "want a JSON array of records")
	}
	for dec.More() {
		start := dec.InputOffset()
		// Skip the separator and whitespace to find where the element starts.
		for start < int64(len(b)) && strings.IndexByte(" \t\r\n,", b[start]) >= 0 {
			start++
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return broken(se.Offset, "malformed JSON: "+se.Error())
			}
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				// The decoder has consumed the element; keep going.
				out.fail(lineAt(start), te.Field, "wrong type: want %s", te.Type)
				continue
			}
			if err == io.ErrUnexpectedEOF || err == io.EOF {
				return broken(int64(len(b)), "malformed JSON: unexpected end of file")
			}
			// Unknown field and similar: the element was consumed.
			out.fail(lineAt(start), "", "%s", strings.TrimPrefix(err.Error(), "json: "))
			continue
		}
		if !utf8.Valid(b[start:dec.InputOffset()]) {
			out.fail(lineAt(start), "", "not valid UTF-8")
			continue
		}
		if err := data.CheckText(v); err != nil {
			out.Bad = append(out.Bad, lineError(lineAt(start), err))
			continue
		}
		out.add(lineAt(start), v, validate)
	}
	if _, err := dec.Token(); err != nil {
		return broken(dec.InputOffset(), "malformed JSON: unterminated array")
	}
	return out, nil
}

// ParseAbsencesCSV reads absence rows "staff_id,from,reason[,to,kind,id]"
// (to defaults to from, kind to leave). Every bad line is in Batch.Bad.
func ParseAbsencesCSV(r io.Reader) (Batch[data.Absence], error) {
	var b Batch[data.Absence]
	t, err := readTable(r, []string{"staff_id", "from", "reason"}, []string{"to", "kind", "id"})
	if err != nil {
		return b, err
	}
	b.Bad = t.bad
	for i := range t.rows {
		a := data.Absence{ID: t.get(i, "id"), StaffID: t.get(i, "staff_id"), From: data.Date(t.get(i, "from")),
			To: data.Date(t.get(i, "to")), Kind: data.AbsenceKind(t.get(i, "kind")), Reason: t.get(i, "reason")}
		if a.To == "" {
			a.To = a.From
		}
		b.add(t.lines[i], a, data.Absence.Validate)
	}
	return b, nil
}

// ParseCalendarsCSV reads market-calendar rows
// "township_id,cycle,start,end[,place,special_days]": cycle in the compact
// form ("lunar:1,15"), hours HH:MM, special_days "ON NAME; ON NAME" (e.g.
// "lunar:01-15 元宵灯会; solar:2026-10-01 国庆物资交流会"). check validates
// a record against the calendar and may rewrite it in canonical form (cmd
// passes market.CheckMarketCycle; data cannot read lunar dates). Every bad
// line is in Batch.Bad.
func ParseCalendarsCSV(r io.Reader, check func(*data.MarketCycle) error) (Batch[data.MarketCycle], error) {
	var b Batch[data.MarketCycle]
	t, err := readTable(r, []string{"township_id", "cycle", "start", "end"}, []string{"place", "special_days"})
	if err != nil {
		return b, err
	}
	b.Bad = t.bad
	for i := range t.rows {
		line := t.lines[i]
		start, err1 := data.ParseClock(t.get(i, "start"))
		end, err2 := data.ParseClock(t.get(i, "end"))
		if err1 != nil || err2 != nil {
			b.fail(line, "start/end", "%q,%q are not times HH:MM", t.get(i, "start"), t.get(i, "end"))
			continue
		}
		mc := data.MarketCycle{TownshipID: t.get(i, "township_id"), Cycle: t.get(i, "cycle"), Place: t.get(i, "place"), Start: start, End: end}
		for _, s := range splitList(t.get(i, "special_days")) {
			on, name, _ := strings.Cut(s, " ")
			mc.SpecialDays = append(mc.SpecialDays, data.SpecialDay{On: on, Name: strings.TrimSpace(name)})
		}
		b.add(line, mc, func(data.MarketCycle) error { return check(&mc) })
		if n := len(b.Records); n > 0 && b.Lines[n-1] == line {
			b.Records[n-1] = mc // as check rewrote it
		}
	}
	return b, nil
}
