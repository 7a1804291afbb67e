package seed

import (
	"slices"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
)

func lines(rows []data.RowError) []int {
	var out []int
	for _, r := range rows {
		out = append(out, r.Line)
	}
	return out
}

func TestParseRequestsCSV(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       string
		records  int
		badLines []int
		fatal    bool
	}{
		{"good", "ledger,name,phone,village_id,items,visit_windows,lon,lat\nproxy,甲,13800000001,511822207200,MA-01;SI-01,mon-fri 09:00-12:00,102.63,29.78\n", 1, nil, false},
		{"bom and blank lines", "\xef\xbb\xbfledger,name,phone,village_id,items\n\nappeal,乙,13800000002,511822207200,CA-04\n\n", 1, nil, false},
		{"phone optional", "ledger,name,village_id,items\nproxy,甲,511822207200,MA-01\n", 1, nil, false},
		{"phone empty", "ledger,name,phone,village_id,items\nproxy,甲,,511822207200,MA-01\n", 1, nil, false},
		{"missing column", "ledger,name,phone,items\nproxy,甲,1380000,MA-01\n", 0, nil, true},
		{"empty file", "", 0, []int{1}, true},
		{"bad rows", "ledger,name,phone,village_id,items,priority,lon,lat,visit_windows\n" +
			"proxy,甲,13800000001,511822207200,MA-01,3,,,\n" + // 2 good
			"proxy,乙,13800000002,511822207200,MA-01,high,,,\n" + // 3 priority
			"proxy,丙,13800000003,511822207200,MA-01,3,102.6,,\n" + // 4 half a point
			"proxy,丁,13800000004,511822207200,,3,,,\n" + // 5 no items
			"proxy,戊,13800000005,511822207200,MA-01,3,,,someday 09:00-10:00\n" + // 6 windows
			"lottery,己,13800000006,511822207200,MA-01,3,,,\n", // 7 ledger
			1, []int{3, 4, 5, 6, 7}, false},
		{"broken quote stops", "ledger,name,phone,village_id,items\nproxy,甲,13800000001,511822207200,MA-01\nproxy,\"乙,13800000002,511822207200,MA-01\nproxy,丙,13800000003,511822207200,MA-01\n", 1, []int{3}, false},
		{"wrong field count is fine", "ledger,name,phone,village_id,items,summary\nproxy,甲,13800000001,511822207200,MA-01\n", 1, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ParseRequestsCSV(strings.NewReader(tc.in))
			if tc.fatal {
				if err == nil {
					t.Fatalf("no error for %q", tc.in)
				}
				if tc.badLines != nil && !slices.Equal(lines(data.RowErrors(err)), tc.badLines) {
					t.Fatalf("bad lines = %v, want %v", lines(data.RowErrors(err)), tc.badLines)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Records) != tc.records || !slices.Equal(lines(b.Bad), tc.badLines) {
				t.Fatalf("records %d bad %v, want %d bad lines %v", len(b.Records), b.Bad, tc.records, tc.badLines)
			}
			for _, r := range b.Bad {
				if r.Reason == "" {
					t.Errorf("line %d without a reason", r.Line)
				}
			}
			if len(b.Lines) != len(b.Records) {
				t.Fatalf("%d lines for %d records", len(b.Lines), len(b.Records))
			}
		})
	}
}

func TestParseVillageLocationsCSV(t *testing.T) {
	in := "code,lon,lat,provenance\n511822207200,102.635148,29.781136\n511822207201,102.6,29.7,public-2016-point\n511822207202,102.6,29.7,rumour\n"
	b, err := ParseVillageLocationsCSV(strings.NewReader(in), "gcj02")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Records) != 2 || !slices.Equal(lines(b.Bad), []int{4}) {
		t.Fatalf("records %v bad %v", b.Records, b.Bad)
	}
	// 民主村's GCJ-02 point converts to its WGS84 row in coords.csv.
	if p := b.Records[0].Location; p.Lon != 102.633744 || p.Lat != 29.784009 || b.Records[0].Provenance != data.Surveyed {
		t.Fatalf("converted = %+v", b.Records[0])
	}
	if _, err := ParseVillageLocationsCSV(strings.NewReader(in), "bd09"); data.ErrorField(err) != "crs" {
		t.Fatalf("bad crs accepted: %v", err)
	}
}

func TestParseStaffAndItemsCSV(t *testing.T) {
	staff := "id,name,role,skills,home_code,availability,leave,party_member\n" +
		"S1,张某甲,desk_officer,general;civil_affairs,511822101000,mon-fri 08:30-17:30,2026-12-01..2026-12-03,是\n" +
		"S2,李某乙,village_agent,general,511822101000,,,\n" + // agent homed at a township
		"S3,王某丙,county_expert,health,511822000000,,,maybe\n"
	b, err := ParseStaffCSV(strings.NewReader(staff))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Records) != 1 || !slices.Equal(lines(b.Bad), []int{3, 4}) || !b.Records[0].PartyMember || len(b.Records[0].Leave) != 1 {
		t.Fatalf("staff records %+v bad %v", b.Records, b.Bad)
	}
	items := "id,name,category,kind,lowest_level,mode,duration_min,skill\nX1,某事项,licences,approval,township,intake_proxy,30,forestry\nX2,某事项,licences,approval,township,intake_proxy,half,forestry\n"
	bi, err := ParseItemsCSV(strings.NewReader(items))
	if err != nil {
		t.Fatal(err)
	}
	if len(bi.Records) != 1 || bi.Records[0].Sample || !slices.Equal(lines(bi.Bad), []int{3}) {
		t.Fatalf("items %+v bad %v", bi.Records, bi.Bad)
	}
}

func TestParseJSONArray(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       string
		records  int
		badLines []int
	}{
		{"good", "[\n {\"id\": \"X1\"},\n {\"id\": \"X2\"}\n]", 2, nil},
		{"empty", "[]", 0, nil},
		{"not an array", "{\"id\": 1}", 0, []int{1}},
		{"unknown field", "[\n {\"id\": \"X1\"},\n {\"idd\": \"X2\"}\n]", 1, []int{3}},
		{"wrong type", "[\n {\"id\": 7},\n {\"id\": \"X2\"}\n]", 1, []int{2}},
		{"invalid", "[\n {\"id\": \"\"}\n]", 0, []int{2}},
		{"truncated", "[\n {\"id\": \"X1\"},\n {\"id\": ", 0, []int{3}},
		{"syntax", "[\n {\"id\": \"X1\"},\n {\"id\" \"X2\"}\n]", 0, []int{3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ParseJSONArray(strings.NewReader(tc.in), func(x struct {
				ID string `json:"id"`
			}) error {
				if x.ID == "" {
					return data.FieldError("id", "is required")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Records) != tc.records || !slices.Equal(lines(b.Bad), tc.badLines) {
				t.Fatalf("records %d bad %v; want %d, lines %v", len(b.Records), b.Bad, tc.records, tc.badLines)
			}
		})
	}
}

func FuzzParseRequestsCSV(f *testing.F) {
	f.Add("ledger,name,phone,village_id,items\nproxy,甲,13800000001,511822207200,MA-01\n")
	f.Add("ledger,name,phone,village_id,items,lon,lat,visit_windows,priority\nproxy,\"a\"\"b\",1,2,3,x,y,mon 1:00-2:00,9\n")
	f.Add("\"")
	f.Fuzz(func(t *testing.T, in string) {
		b, err := ParseRequestsCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		if len(b.Lines) != len(b.Records) {
			t.Fatalf("%d lines for %d records", len(b.Lines), len(b.Records))
		}
		for _, r := range b.Records {
			if err := r.Validate(); err != nil {
				t.Fatalf("parser kept an invalid record: %v", err)
			}
		}
		for _, r := range b.Bad {
			if r.Line < 1 || r.Reason == "" {
				t.Fatalf("bad row without line or reason: %+v", r)
			}
		}
	})
}

func FuzzParseJSONRequests(f *testing.F) {
	f.Add(`[{"ledger":"proxy","household":{"name":"甲","phone":"13800000001","village_id":"511822207200"},"item_ids":["MA-01"],"priority":3}]`)
	f.Add(`[{"ledger":1}, {"x":2}]`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, in string) {
		b, err := ParseJSONArray(strings.NewReader(in), data.Request.Validate)
		if err != nil {
			return
		}
		if len(b.Lines) != len(b.Records) {
			t.Fatalf("%d lines for %d records", len(b.Lines), len(b.Records))
		}
		for _, r := range b.Bad {
			if r.Line < 1 || r.Line > strings.Count(in, "\n")+1 {
				t.Fatalf("line %d outside the input", r.Line)
			}
		}
	})
}
