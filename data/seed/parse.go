package seed

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

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
}

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
	for i, h := range header {
		t.cols[strings.ToLower(strings.TrimSpace(h))] = i
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
	var bad []data.RowError
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, data.RowError{Line: pe.Line, Reason: pe.Err.Error()})
				if pe.Err == csv.ErrQuote || pe.Err == csv.ErrBareQuote {
					// The reader cannot resynchronise after a quote error.
					break
				}
				continue
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	if len(bad) > 0 {
		return nil, data.NewImportError("import", bad)
	}
	return t, nil
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
// (or "") keeps them. provenance defaults to surveyed. It returns the
// records, the line of each record, and an Invalid error listing every bad
// line (records are checked with Validate, not against the store).
func ParseVillageLocationsCSV(r io.Reader, crs string) ([]data.VillageLocation, []int, error) {
	crs = strings.ToLower(crs)
	if crs != "" && crs != "wgs84" && crs != "gcj02" {
		return nil, nil, data.FieldError("crs", "%q is not wgs84 or gcj02", crs)
	}
	t, err := readTable(r, []string{"code", "lon", "lat"}, []string{"provenance"})
	if err != nil {
		return nil, nil, err
	}
	var out []data.VillageLocation
	var bad []data.RowError
	for i := range t.rows {
		line := t.lines[i]
		lon, ok1 := parseFloat(t.get(i, "lon"))
		lat, ok2 := parseFloat(t.get(i, "lat"))
		if !ok1 || !ok2 {
			bad = append(bad, data.RowError{Line: line, Field: "lon/lat", Reason: fmt.Sprintf("%q,%q are not decimal degrees", t.get(i, "lon"), t.get(i, "lat"))})
			continue
		}
		if crs == "gcj02" {
			lon, lat = GCJ02ToWGS84(lon, lat)
			lon, lat = round6(lon), round6(lat)
		}
		prov := data.Provenance(t.get(i, "provenance"))
		if prov == "" {
			prov = data.Surveyed
		}
		l := data.VillageLocation{VillageID: t.get(i, "code"), Location: data.Point{Lon: lon, Lat: lat}, Provenance: prov}
		if err := l.Validate(); err != nil {
			bad = append(bad, lineError(line, err))
			continue
		}
		out = append(out, l)
	}
	return out, t.lines, data.NewImportError("import villages", bad)
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
// "id,name,category,kind,lowest_level,mode,duration_min,skill[,source]";
// source "SAMPLE" marks a sample item. It returns the records, their lines and
// an Invalid error listing every bad line.
func ParseItemsCSV(r io.Reader) ([]data.ServiceItem, []int, error) {
	t, err := readTable(r, []string{"id", "name", "category", "kind", "lowest_level", "mode", "duration_min", "skill"}, []string{"source"})
	if err != nil {
		return nil, nil, err
	}
	var out []data.ServiceItem
	var bad []data.RowError
	for i := range t.rows {
		dur, err := strconv.Atoi(t.get(i, "duration_min"))
		if err != nil {
			bad = append(bad, data.RowError{Line: t.lines[i], Field: "duration_min", Reason: fmt.Sprintf("%q is not a whole number of minutes", t.get(i, "duration_min"))})
			continue
		}
		it := data.ServiceItem{ID: t.get(i, "id"), Name: t.get(i, "name"), Category: data.Category(t.get(i, "category")),
			Kind: t.get(i, "kind"), LowestLevel: data.Level(t.get(i, "lowest_level")), Mode: data.Mode(t.get(i, "mode")),
			DurationMin: dur, Skill: data.Skill(t.get(i, "skill")), Sample: strings.EqualFold(t.get(i, "source"), SampleSource)}
		if err := it.Validate(); err != nil {
			bad = append(bad, lineError(t.lines[i], err))
			continue
		}
		out = append(out, it)
	}
	return out, t.lines, data.NewImportError("import items", bad)
}

// ParseStaffCSV reads staff rows
// "id,name,role,skills,home_code[,department,home_point_id,phone,party_member,service_star,availability,leave,source]":
// skills "a;b", availability in the ParseWeeklyWindows form (default
// mon-fri 08:30-17:30), leave "2026-12-01..2026-12-03; 2026-12-20..2026-12-20",
// booleans 1/0, true/false or 是/否.
func ParseStaffCSV(r io.Reader) ([]data.Staff, []int, error) {
	t, err := readTable(r, []string{"id", "name", "role", "skills", "home_code"},
		[]string{"department", "home_point_id", "phone", "party_member", "service_star", "availability", "leave", "source"})
	if err != nil {
		return nil, nil, err
	}
	var out []data.Staff
	var bad []data.RowError
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
			bad = append(bad, data.RowError{Line: line, Field: "party_member", Reason: "want 1/0, true/false or 是/否"})
			continue
		}
		if st.ServiceStar, ok = parseBool(t.get(i, "service_star")); !ok {
			bad = append(bad, data.RowError{Line: line, Field: "service_star", Reason: "want 1/0, true/false or 是/否"})
			continue
		}
		if av := t.get(i, "availability"); av != "" {
			ws, err := data.ParseWeeklyWindows(av)
			if err != nil {
				bad = append(bad, data.RowError{Line: line, Field: "availability", Reason: data.ErrorMessage(err)})
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
		if err := st.Validate(); err != nil {
			bad = append(bad, lineError(line, err))
			continue
		}
		out = append(out, st)
	}
	return out, t.lines, data.NewImportError("import staff", bad)
}

// ParseRequestsCSV reads request rows
// "ledger,name,phone,village_id,items[,id,address,lon,lat,groups,priority,visit_windows,deadline,summary]":
// items and groups "a;b", lon/lat WGS84 (both or neither), priority 1–5
// (default 3), visit_windows in the ParseWeeklyWindows form, deadline
// YYYY-MM-DD. Rows are checked with Validate; the deadline against today and
// the references are checked by the store.
func ParseRequestsCSV(r io.Reader) ([]data.Request, []int, error) {
	t, err := readTable(r, []string{"ledger", "name", "phone", "village_id", "items"},
		[]string{"id", "address", "lon", "lat", "groups", "priority", "visit_windows", "deadline", "summary"})
	if err != nil {
		return nil, nil, err
	}
	var out []data.Request
	var bad []data.RowError
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
				bad = append(bad, data.RowError{Line: line, Field: "priority", Reason: fmt.Sprintf("%q is not a number 1–5", p)})
				continue
			}
			rq.Priority = n
		}
		lonS, latS := t.get(i, "lon"), t.get(i, "lat")
		if lonS != "" || latS != "" {
			lon, ok1 := parseFloat(lonS)
			lat, ok2 := parseFloat(latS)
			if !ok1 || !ok2 {
				bad = append(bad, data.RowError{Line: line, Field: "lon/lat", Reason: "give both lon and lat in decimal degrees (WGS84), or neither"})
				continue
			}
			rq.Household.Location = &data.Point{Lon: lon, Lat: lat}
		}
		if w := t.get(i, "visit_windows"); w != "" {
			ws, err := data.ParseWeeklyWindows(w)
			if err != nil {
				bad = append(bad, data.RowError{Line: line, Field: "visit_windows", Reason: data.ErrorMessage(err)})
				continue
			}
			rq.VisitWindows = ws
		}
		if err := rq.Validate(); err != nil {
			bad = append(bad, lineError(line, err))
			continue
		}
		out = append(out, rq)
	}
	return out, t.lines, data.NewImportError("import requests", bad)
}

// ParseJSONArray decodes a JSON array of T, rejecting unknown fields, and
// returns the records with the line on which each element starts. Decoding
// errors are reported with their line; validation is left to the caller.
func ParseJSONArray[T any](r io.Reader) ([]T, []int, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(b) > MaxImportBytes {
		return nil, nil, data.Errorf(data.Invalid, "file larger than %d bytes", MaxImportBytes)
	}
	lineAt := func(off int64) int {
		off = min(max(off, 0), int64(len(b)))
		return 1 + bytes.Count(b[:off], []byte{'\n'})
	}
	fail := func(off int64, reason string) error {
		return data.NewImportError("import", []data.RowError{{Line: lineAt(off), Reason: reason}})
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return nil, nil, fail(dec.InputOffset(), "want a JSON array of records")
	}
	var out []T
	var lines []int
	var bad []data.RowError
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
				return nil, nil, fail(se.Offset, "malformed JSON: "+se.Error())
			}
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				bad = append(bad, data.RowError{Line: lineAt(start), Field: te.Field, Reason: fmt.Sprintf("wrong type: want %s", te.Type)})
				// The decoder has consumed the element; keep going.
				out = append(out, v)
				lines = append(lines, lineAt(start))
				continue
			}
			return nil, nil, fail(start, err.Error())
		}
		out = append(out, v)
		lines = append(lines, lineAt(start))
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fail(dec.InputOffset(), "malformed JSON: unterminated array")
	}
	if len(bad) > 0 {
		return nil, nil, data.NewImportError("import", bad)
	}
	return out, lines, nil
}

// ValidateAll runs validate on every record and returns an Invalid import
// error listing each failing record with its line.
func ValidateAll[T any](recs []T, lines []int, validate func(T) error) error {
	var bad []data.RowError
	for i, r := range recs {
		if err := validate(r); err != nil {
			line := i + 1
			if i < len(lines) {
				line = lines[i]
			}
			bad = append(bad, lineError(line, err))
		}
	}
	return data.NewImportError("import", bad)
}
