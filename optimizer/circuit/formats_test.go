package circuit

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

func sampleSheet() Sheet {
	p := func(lon, lat float64) data.Point { return data.Point{Lon: lon, Lat: lat} }
	return Sheet{PlanID: "P-1", PlanStatus: data.PlanPublished, TeamID: "T-1", TeamName: "花滩镇巡回服务队 (SAMPLE)", Date: "2026-11-30",
		Base: SheetPlace{Name: "便民服务中心, 花滩镇; \"A\"", Location: p(102.8, 29.8)}, TravelMode: data.TravelCar,
		Stops: []SheetStop{{Seq: 1, VisitID: "P-1~T-1~2026-11-30~1", Village: "甲一村", Location: p(102.81, 29.81), Arrival: "09:00", Start: "09:00", Depart: "09:30",
			StartMin: 540, DepartMin: 570, TravelMin: 10, HomeVisit: true,
			Households: []SheetHousehold{{RequestID: "R-1", Name: "赵大爷 (SAMPLE)", Phone: "13900000001", Items: []SheetItem{{ID: "MA-01", Name: "医疗救助申请; 含逗号, 和反斜杠\\", Minutes: 30}}}}}},
	}
}

func TestSheetFormats(t *testing.T) {
	tests := []struct {
		name      string
		path      []data.Point
		wantLine  int // points of the route line
		wantTrack bool
	}{
		{"straight", nil, 3, false},
		{"road path", []data.Point{{Lon: 102.8, Lat: 29.8}, {Lon: 102.805, Lat: 29.802}, {Lon: 102.81, Lat: 29.81}, {Lon: 102.8, Lat: 29.8}}, 4, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh := sampleSheet()
			sh.Path = tc.path
			b, err := sh.GeoJSON()
			if err != nil {
				t.Fatal(err)
			}
			var fc struct {
				Features []struct {
					Geometry struct {
						Type        string          `json:"type"`
						Coordinates json.RawMessage `json:"coordinates"`
					} `json:"geometry"`
				} `json:"features"`
			}
			if err := json.Unmarshal(b, &fc); err != nil || len(fc.Features) != 3 {
				t.Fatalf("geojson: %v, %d features", err, len(fc.Features))
			}
			var line [][2]float64
			if err := json.Unmarshal(fc.Features[2].Geometry.Coordinates, &line); err != nil || len(line) != tc.wantLine {
				t.Errorf("route line: %v, %d points, want %d", err, len(line), tc.wantLine)
			}
			g, err := sh.GPX()
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Wpts []struct{} `xml:"wpt"`
				Trk  *struct {
					Pts []struct{} `xml:"trkseg>trkpt"`
				} `xml:"trk"`
			}
			if err := xml.Unmarshal(g, &doc); err != nil || len(doc.Wpts) != 1 || (doc.Trk != nil) != tc.wantTrack {
				t.Errorf("gpx: %v, %d waypoints, track %v (want %v)", err, len(doc.Wpts), doc.Trk != nil, tc.wantTrack)
			}
		})
	}
}

func TestSheetICSAndHTML(t *testing.T) {
	sh := sampleSheet()
	ics := string(sh.ICS(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)))
	for _, want := range []string{"DTSTART:20261130T010000Z", "DTEND:20261130T013000Z", "DTSTAMP:20261127T080000Z", `\;`, `\,`, `\\`, "GEO:29.810000;102.810000"} {
		if !strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), want) {
			t.Errorf("ics lacks %q:\n%s", want, ics)
		}
	}
	var b bytes.Buffer
	if err := sh.HTML(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"巡回服务路线单", "赵大爷 (SAMPLE) 13900000001", "（上门）", "&#34;A&#34;"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "草案") {
		t.Errorf("published sheet marked as draft")
	}
}
