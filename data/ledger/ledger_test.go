package ledger

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yingjing/xunhui/data"
)

func sample() []data.Request {
	return []data.Request{
		{ID: "R-1", Version: 3, Ledger: data.LedgerProxy, Priority: 4, Status: data.StatusPending,
			Household: data.Household{Name: "赵某某", Phone: "13800000000", VillageID: "511822207200", Address: "3组12号", Location: &data.Point{Lon: 102.63, Lat: 29.78}},
			Groups:    []data.Group{data.GroupElderlyAlone, data.GroupDisabled}, ItemIDs: []string{"MA-01", "SI-02"},
			VisitWindows: []data.WeeklyWindow{{Weekday: time.Tuesday, From: 540, To: 720}}, Deadline: "2030-01-02", Summary: "医疗救助上门收件"},
		{ID: "R-2", Version: 1, Ledger: data.LedgerHardship, Priority: 1, Status: data.StatusDone,
			Household: data.Household{Name: "钱某", VillageID: "511822101001"}, ItemIDs: []string{"CA-01"}},
	}
}

// TestRoundTrip: what Export writes, Parse reads back field for field, on
// the ledger's own sheet and row.
func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := Export(&buf, sample(), map[string]string{"511822207200": "民主村村委会"}); err != nil {
		t.Fatal(err)
	}
	b, err := Parse(bytes.NewReader(buf.Bytes()))
	if err != nil || len(b.Bad) != 0 {
		t.Fatalf("parse: %v %v", err, b.Bad)
	}
	if len(b.Records) != 2 || b.Places[0] != (Place{"代办事项", 2}) || b.Places[1] != (Place{"困难问题", 2}) {
		t.Fatalf("records %d at %v", len(b.Records), b.Places)
	}
	for i, want := range sample() {
		got := b.Records[i]
		want.Status, got.Source = "", "" // status is for people; source is set by the store
		if got.Groups == nil {
			got.Groups = nil
		}
		if got.ID != want.ID || got.Version != want.Version || got.Ledger != want.Ledger || got.Priority != want.Priority ||
			got.Household.Name != want.Household.Name || got.Household.Phone != want.Household.Phone ||
			got.Household.VillageID != want.Household.VillageID || got.Household.Address != want.Household.Address ||
			(got.Household.Location == nil) != (want.Household.Location == nil) ||
			!slices.Equal(got.ItemIDs, want.ItemIDs) || !slices.Equal(got.Groups, want.Groups) ||
			!slices.Equal(got.VisitWindows, want.VisitWindows) || got.Deadline != want.Deadline || got.Summary != want.Summary {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

// TestParseErrors: every bad row is reported with its sheet, row and
// column; a bad header or an unknown sheet makes the whole file unreadable.
func TestParseErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Export(&buf, sample(), nil); err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	_ = f.SetCellValue("代办事项", "J2", "高")                                                        // priority not a number
	_ = f.SetSheetRow("民生诉求", "A2", &[]any{"", "", "孙某", "x1", "511822207200", "", "", "MA-01"}) // bad phone
	var out bytes.Buffer
	_ = f.Write(&out)
	b, err := Parse(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, e := range b.Bad {
		got = append(got, e.Error())
	}
	want := []string{`代办事项:2: 优先级: "高" is not a number 1–5`, `民生诉求:2: household.phone: "x1" is not a phone number (6–20 digits, +, -)`}
	if !slices.Equal(got, want) || len(b.Records) != 1 {
		t.Errorf("bad rows %q, want %q (records %d)", got, want, len(b.Records))
	}
	_ = f.SetCellValue("困难问题", "P1", "备注") // unknown column
	_, _ = f.NewSheet("Sheet2")
	out.Reset()
	_ = f.Write(&out)
	_, err = Parse(bytes.NewReader(out.Bytes()))
	rows := data.RowErrors(err)
	if len(rows) != 2 || rows[0].Sheet != "困难问题" || rows[0].Field != "备注" || rows[1].Sheet != "Sheet2" {
		t.Errorf("header errors %v", rows)
	}
	if _, err := Parse(bytes.NewReader([]byte("not a zip"))); data.ErrorKind(err) != data.Invalid {
		t.Errorf("garbage: %v, want Invalid", err)
	}
}

// FuzzParse: no input makes Parse panic, and every record it returns is valid.
func FuzzParse(f *testing.F) {
	var buf bytes.Buffer
	if err := Export(&buf, sample(), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := Parse(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(b.Records) != len(b.Places) {
			t.Fatalf("%d records, %d places", len(b.Records), len(b.Places))
		}
		for _, r := range b.Records {
			if err := r.Validate(); err != nil {
				t.Fatalf("invalid record returned: %v", err)
			}
		}
	})
}
