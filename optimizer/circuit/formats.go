package circuit

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/yingjing/xunhui/internal/ical"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/yingjing/xunhui/data"
)

// GeoJSON encodes sh as an RFC 7946 FeatureCollection: one Point per stop
// (properties seq, visit_id, village, arrival, start, depart, households,
// travel_minutes), the base as a Point (kind "base") and the route as a
// LineString through base, stops and base: the road path when the travel
// source can route, else straight segments (the order only).
func (sh Sheet) GeoJSON() ([]byte, error) {
	fc := geojson.NewFeatureCollection()
	pt := func(p data.Point) orb.Point { return orb.Point{p.Lon, p.Lat} }
	base := geojson.NewFeature(pt(sh.Base.Location))
	base.Properties = geojson.Properties{"kind": "base", "name": sh.Base.Name, "team_id": sh.TeamID}
	fc.Append(base)
	line := orb.LineString{pt(sh.Base.Location)}
	for _, st := range sh.Stops {
		f := geojson.NewFeature(pt(st.Location))
		var names []string
		for _, h := range st.Households {
			names = append(names, h.Name)
		}
		f.Properties = geojson.Properties{"kind": "stop", "seq": st.Seq, "visit_id": st.VisitID, "village": st.Village,
			"village_id": st.VillageID, "arrival": st.Arrival, "start": st.Start, "depart": st.Depart,
			"travel_minutes": st.TravelMin, "home_visit": st.HomeVisit, "households": strings.Join(names, "、")}
		if st.Foot != nil {
			f.Properties["walk_minutes"] = st.Foot.WalkMinutes
			f.Properties["trailhead"] = []float64{st.Foot.Trailhead.Lon, st.Foot.Trailhead.Lat}
		}
		fc.Append(f)
		line = append(line, pt(st.Location))
	}
	if len(sh.Stops) > 0 {
		line = append(line, pt(sh.Base.Location))
		note := "straight segments between stops"
		if len(sh.Path) > 1 {
			line, note = orb.LineString{}, "road path ("+sh.TravelSource+")"
			for _, p := range sh.Path {
				line = append(line, pt(p))
			}
		}
		r := geojson.NewFeature(line)
		r.Properties = geojson.Properties{"kind": "route", "team_id": sh.TeamID, "date": string(sh.Date), "plan_id": sh.PlanID,
			"travel_minutes": sh.TravelMin, "geometry_note": note}
		fc.Append(r)
	}
	return json.Marshal(fc)
}

type gpxDoc struct {
	XMLName  xml.Name `xml:"gpx"`
	Version  string   `xml:"version,attr"`
	Creator  string   `xml:"creator,attr"`
	XMLNS    string   `xml:"xmlns,attr"`
	Metadata struct {
		Name string `xml:"name"`
		Desc string `xml:"desc,omitempty"`
	} `xml:"metadata"`
	Wpts []gpxPt `xml:"wpt"`
	Rte  *gpxRte `xml:"rte,omitempty"`
	Trk  *gpxTrk `xml:"trk,omitempty"`
}

type gpxTrk struct {
	Name string  `xml:"name"`
	Seg  []gpxPt `xml:"trkseg>trkpt"`
}

type gpxPt struct {
	Lat  float64 `xml:"lat,attr"`
	Lon  float64 `xml:"lon,attr"`
	Name string  `xml:"name,omitempty"`
	Desc string  `xml:"desc,omitempty"`
}

type gpxRte struct {
	Name string  `xml:"name"`
	Pts  []gpxPt `xml:"rtept"`
}

// GPX encodes sh as GPX 1.1: a waypoint per stop, a route through base,
// stops and base, and the road path as a track when known.
func (sh Sheet) GPX() ([]byte, error) {
	var g gpxDoc
	g.Version, g.Creator, g.XMLNS = "1.1", "xunhui", "http://www.topografix.com/GPX/1/1"
	g.Metadata.Name = fmt.Sprintf("%s %s", sh.TeamName, sh.Date)
	g.Metadata.Desc = "plan " + sh.PlanID
	rte := &gpxRte{Name: g.Metadata.Name}
	rte.Pts = append(rte.Pts, gpxPt{Lat: sh.Base.Location.Lat, Lon: sh.Base.Location.Lon, Name: sh.Base.Name})
	for _, st := range sh.Stops {
		p := gpxPt{Lat: st.Location.Lat, Lon: st.Location.Lon, Name: fmt.Sprintf("%d %s", st.Seq, st.Village),
			Desc: fmt.Sprintf("%s–%s %s", st.Start, st.Depart, householdNames(st))}
		g.Wpts = append(g.Wpts, p)
		rte.Pts = append(rte.Pts, p)
	}
	rte.Pts = append(rte.Pts, gpxPt{Lat: sh.Base.Location.Lat, Lon: sh.Base.Location.Lon, Name: sh.Base.Name})
	if len(sh.Stops) > 0 {
		g.Rte = rte
	}
	if len(sh.Path) > 1 {
		g.Trk = &gpxTrk{Name: g.Metadata.Name + " (road path)"}
		for _, p := range sh.Path {
			g.Trk.Seg = append(g.Trk.Seg, gpxPt{Lat: p.Lat, Lon: p.Lon})
		}
	}
	b, err := xml.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("gpx: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}

func householdNames(st SheetStop) string {
	var ns []string
	for _, h := range st.Households {
		ns = append(ns, h.Name+" "+h.Phone)
	}
	return strings.Join(ns, "、")
}

// ICS encodes sh as an RFC 5545 iCalendar with one VEVENT per stop (times
// in UTC, CRLF line ends, lines folded at 75 octets), stamped at stamp.
func (sh Sheet) ICS(stamp time.Time) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(ical.Fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Xunhui//Circuit planner//ZH")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + ical.Text(sh.TeamName+" "+string(sh.Date)))
	day := sh.Date.Time()
	at := func(min int) string {
		return day.Add(time.Duration(min) * time.Minute).UTC().Format("20060102T150405Z")
	}
	for _, st := range sh.Stops {
		line("BEGIN:VEVENT")
		line("UID:" + ical.Text(st.VisitID) + "@xunhui")
		line("DTSTAMP:" + stamp.UTC().Format("20060102T150405Z"))
		line("DTSTART:" + at(st.StartMin))
		line("DTEND:" + at(st.DepartMin))
		kind := "集中服务"
		if st.HomeVisit {
			kind = "上门服务"
		}
		line("SUMMARY:" + ical.Text(fmt.Sprintf("%d. %s %s", st.Seq, st.Village, kind)))
		line("LOCATION:" + ical.Text(st.Village))
		line(fmt.Sprintf("GEO:%.6f;%.6f", st.Location.Lat, st.Location.Lon))
		var desc []string
		desc = append(desc, fmt.Sprintf("到达 %s，路程 %d 分钟", st.Arrival, st.TravelMin))
		for _, h := range st.Households {
			var items []string
			for _, it := range h.Items {
				items = append(items, it.Name)
			}
			desc = append(desc, fmt.Sprintf("%s %s：%s", h.Name, h.Phone, strings.Join(items, "、")))
		}
		line("DESCRIPTION:" + ical.Text(strings.Join(desc, "\n")))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

var groupNames = map[data.Group]string{
	data.GroupElderlyAlone: "独居老人", data.GroupDisabled: "残疾人", data.GroupSeriouslyIll: "重病患者",
	data.GroupLeftBehindChild: "留守儿童", data.GroupLowIncome: "低保/低收入", data.GroupExtremePoverty: "特困供养", data.GroupVeteran: "退役军人",
}

// guideReasons are the route sheet's words for why a visit goes without its guide.
var guideReasons = map[data.GuideReason]string{
	data.GuideNoAgent: "本村无代办员", data.GuideAbsent: "代办员请假", data.GuideMarketDesk: "代办员当天在赶集日服务点",
	data.GuideOffDuty: "代办员不在岗", data.GuideOwnRoute: "代办员同时在本村代办路线上", data.GuideBusy: "代办员同时在为另一户带路",
}

var sheetTmpl = template.Must(template.New("sheet").Funcs(template.FuncMap{
	"group": func(g data.Group) string {
		if n, ok := groupNames[g]; ok {
			return n
		}
		return string(g)
	},
	"guideReason": func(r data.GuideReason) string {
		if n, ok := guideReasons[r]; ok {
			return n
		}
		return string(r)
	},
	"mode": func(m data.TravelMode) string {
		return map[data.TravelMode]string{data.TravelCar: "汽车", data.TravelMotorbike: "摩托车", data.TravelFoot: "步行"}[m]
	},
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>巡回服务路线单 {{.TeamName}} {{.Date}}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 1.5em; color: #000; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
.meta { margin: 0 0 1em; font-size: .95em; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #444; padding: .3em .4em; vertical-align: top; text-align: left; }
th { background: #eee; }
.home { font-weight: bold; }
.sign { width: 8em; }
.draft { color: #b00; font-weight: bold; }
.closure { color: #b00; margin: .2em 0; }
@media print {
  body { margin: 0; }
  @page { size: A4 landscape; margin: 12mm; }
  tr { page-break-inside: avoid; }
  th { background: #ddd !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<h1>巡回服务路线单</h1>
<p class="meta">
队伍：{{.TeamName}}（{{.TeamID}}）　日期：{{.Date}}　出行方式：{{mode .TravelMode}}<br>
出发地：{{.Base.Name}}　工作时间：{{.DayStart}}–{{.DayEnd}}{{if .Lunch}}　午休：{{.Lunch}}{{end}}<br>
{{if eq (print .Level) "county"}}随车专家{{else}}成员{{end}}：{{range $i, $m := .Members}}{{if $i}}、{{end}}{{$m.Name}}{{if $m.Phone}} {{$m.Phone}}{{end}}{{end}}<br>
方案：{{.PlanID}}{{if ne (print .PlanStatus) "published"}} <span class="draft">（草案，未发布）</span>{{end}}
{{if .Stops}}　出发 {{.LeaveAt}}，返回 {{.BackAt}}，路程合计 {{.TravelMin}} 分钟，服务合计 {{.ServiceMin}} 分钟{{end}}
</p>
{{range .Closures}}<p class="closure">⚠ {{if eq (print .Kind) "road"}}封路：{{.Name}}{{else}}步行村：{{.Village}}（{{.Name}}），车辆停在步行起点，步行 {{.WalkMinutes}} 分钟{{end}}{{if .Reason}}（{{.Reason}}）{{end}}，至 {{.Until}}{{if .NotInTimes}}（行程时间未计此封路：没有路网数据，请自行绕行）{{end}}</p>
{{end}}{{if .Stops}}
<table>
<thead><tr><th>序号</th><th>到达</th><th>服务时间</th><th>路程</th><th>地点</th><th>群众 / 电话</th><th>事项</th><th class="sign">结果（办结/不在家/需跟进）</th></tr></thead>
<tbody>
{{range .Stops}}<tr>
<td>{{.Seq}}</td><td>{{.Arrival}}</td><td>{{.Start}}–{{.Depart}}</td><td>{{.TravelMin}} 分钟</td>
<td{{if .HomeVisit}} class="home"{{end}}>{{.Village}}{{if .HomeVisit}}（上门）{{else}}（便民服务室）{{end}}{{with .Foot}}<div>车停步行起点 {{printf "%.5f,%.5f" .Trailhead.Lon .Trailhead.Lat}}，步行 {{.WalkMinutes}} 分钟（含在路程内）</div>{{end}}{{with .Guide}}{{if .StaffID}}<div class="guide">带路：村代办员 {{.Name}} {{.Phone}}</div>{{else}}<div class="guide missing">无带路：{{guideReason .Missing}}（{{.Detail}}）</div>{{end}}{{end}}</td>
<td>{{range .Households}}<div>{{.Name}} {{.Phone}}{{if .Address}}，{{.Address}}{{end}}{{range .Groups}} [{{group .}}]{{end}}</div>{{end}}{{if .Attendees}}<div>到场专家：{{range $i, $m := .Attendees}}{{if $i}}、{{end}}{{$m.Name}}{{end}}</div>{{end}}</td>
<td>{{range .Households}}<div>{{range $i, $it := .Items}}{{if $i}}、{{end}}{{$it.Name}}{{end}}{{if .Deadline}}（限 {{.Deadline}}）{{end}}</div>{{end}}</td>
<td></td>
</tr>
{{end}}</tbody>
</table>
{{else}}
<p>当日无巡回安排。</p>
{{end}}
<p class="meta">行程时间为估算值（{{.TravelSource}}），请以实际路况为准。</p>
</body>
</html>
`))

// HTML writes sh as a printable Chinese route sheet.
func (sh Sheet) HTML(w io.Writer) error {
	if err := sheetTmpl.Execute(w, sh); err != nil {
		return fmt.Errorf("route sheet: %w", err)
	}
	return nil
}
