package market

import (
	"bytes"
	"context"
	"fmt"
	"github.com/yingjing/xunhui/internal/ical"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
)

// Afternoon is a free afternoon after a market-morning desk: the person is
// already in the township, so the circuit planner may give them home visits
// there from From to To (minutes after midnight) on Date, as one day.
type Afternoon struct {
	StaffID    string    `json:"staff_id"`
	TownshipID string    `json:"township_id"`
	Date       data.Date `json:"date"`
	From       int       `json:"from"`
	To         int       `json:"to"`
}

// LunchMinutes is the break between the desk's end and afternoon visits.
const LunchMinutes = 60

// Afternoons lists, for every person at every desk, the afternoon window in
// that township: from the desk's end plus LunchMinutes to the end of the
// person's working window that weekday; windows shorter than an hour are
// left out. It is the hand-over to optimizer/circuit (not wired yet): each
// entry is one day whose morning is the desk and whose afternoon is free.
// Staff missing from staff are skipped.
func Afternoons(desks []data.Desk, staff []data.Staff) []Afternoon {
	byID := map[string]data.Staff{}
	for _, st := range staff {
		byID[st.ID] = st
	}
	out := []Afternoon{}
	for _, dk := range desks {
		for _, id := range dk.StaffIDs {
			st, ok := byID[id]
			if !ok {
				continue
			}
			from, to := dk.End+LunchMinutes, 0
			wd := st.ShiftWeekday(dk.Date, adjustedWorkday(dk.Date))
			for _, w := range st.Availability {
				if w.Weekday == wd && w.From <= dk.Start && w.To > to {
					to = w.To
				}
			}
			if to-from >= 60 {
				out = append(out, Afternoon{StaffID: id, TownshipID: dk.TownshipID, Date: dk.Date, From: from, To: to})
			}
		}
	}
	return out
}

// PlanAfternoons returns Afternoons for a stored plan.
func (s *Service) PlanAfternoons(ctx context.Context, a Actor, id string) ([]Afternoon, error) {
	v, err := s.GetPlan(ctx, a, id)
	if err != nil {
		return nil, err
	}
	staff, err := s.store.ListStaff(ctx, data.StaffFilter{})
	if err != nil {
		return nil, err
	}
	return Afternoons(v.Desks, staff), nil
}

// ICS renders desks as an RFC 5545 iCalendar feed in Asia/Shanghai time:
// one VEVENT per desk (per desk and person when staffID is set), named and
// described in Chinese. Draft plans give TENTATIVE events, published ones
// CONFIRMED. Lines are folded at 75 octets without splitting characters.
func (s *Service) ICS(ctx context.Context, v PlanView, name, staffID string) ([]byte, error) {
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	line := func(format string, args ...any) { b.WriteString(ical.Fold(fmt.Sprintf(format, args...))) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Yingjing County//Xunhui market desks//ZH")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:%s", ical.Text(name))
	line("X-WR-TIMEZONE:Asia/Shanghai")
	line("BEGIN:VTIMEZONE")
	line("TZID:Asia/Shanghai")
	line("BEGIN:STANDARD")
	line("DTSTART:19700101T000000")
	line("TZOFFSETFROM:+0800")
	line("TZOFFSETTO:+0800")
	line("TZNAME:CST")
	line("END:STANDARD")
	line("END:VTIMEZONE")
	status := "TENTATIVE"
	if v.Publication == data.PlanPublished {
		status = "CONFIRMED"
	}
	stamp := v.UpdatedAt.UTC().Format("20060102T150405Z")
	for _, dk := range v.Desks {
		if len(dk.StaffIDs) == 0 {
			continue
		}
		day := strings.ReplaceAll(string(dk.Date), "-", "")
		uid := fmt.Sprintf("%s-%s-%s", v.ID, dk.TownshipID, day)
		if staffID != "" {
			uid += "-" + staffID
		}
		line("BEGIN:VEVENT")
		line("UID:%s@xunhui", uid)
		line("DTSTAMP:%s", stamp)
		line("DTSTART;TZID=Asia/Shanghai:%sT%02d%02d00", day, dk.Start/60, dk.Start%60)
		line("DTEND;TZID=Asia/Shanghai:%sT%02d%02d00", day, dk.End/60, dk.End%60)
		line("SUMMARY:%s", ical.Text("便民赶集日 · "+names.town(dk.TownshipID)))
		line("LOCATION:%s", ical.Text(names.town(dk.TownshipID)+"赶场点便民服务台"))
		line("DESCRIPTION:%s", ical.Text("服务人员："+names.people(dk.StaffIDs)+"\n可办事项："+names.itemList(dk.ItemIDs)))
		line("STATUS:%s", status)
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes(), nil
}

// namer resolves ids to display names.
type namer struct {
	towns  map[string]string
	staff  map[string]string
	sample map[string]bool // staff id -> SAMPLE person
	items  map[string]data.ServiceItem
	order  []string // item ids in catalogue order
}

func (s *Service) names(ctx context.Context) (*namer, error) {
	n := &namer{towns: map[string]string{}, staff: map[string]string{}, sample: map[string]bool{}, items: map[string]data.ServiceItem{}}
	ts, err := s.store.ListTownships(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		n.towns[t.ID] = t.Name
	}
	ss, err := s.store.ListStaff(ctx, data.StaffFilter{})
	if err != nil {
		return nil, err
	}
	for _, st := range ss {
		n.staff[st.ID] = st.Name
		n.sample[st.ID] = st.Sample
	}
	its, err := s.store.ListServiceItems(ctx)
	if err != nil {
		return nil, err
	}
	for _, it := range its {
		n.items[it.ID] = it
		n.order = append(n.order, it.ID)
	}
	return n, nil
}

func (n *namer) town(id string) string {
	if v, ok := n.towns[id]; ok {
		return v
	}
	return id
}

func (n *namer) people(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if v, ok := n.staff[id]; ok {
			out[i] = v
		}
	}
	return strings.Join(out, "、")
}

func (n *namer) itemList(ids []string) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if it, ok := n.items[id]; ok {
			out = append(out, it.Name+"（"+modeName[it.Mode]+"）")
		}
	}
	return strings.Join(out, "；")
}

var modeName = map[data.Mode]string{data.ModeOnTheSpot: "即办", data.ModeIntakeProxy: "接件代办", data.ModeAdvice: "咨询"}

var categoryName = map[data.Category]string{
	data.CatMedicalAssistance: "医疗救助", data.CatSocialInsurance: "社会保险", data.CatEducationElderly: "教育与养老",
	data.CatLicences: "证照办理", data.CatCivilAffairs: "民政与社会救助", data.CatAgricultureForestry: "农业与林业",
	data.CatDisability: "残疾人服务", data.CatHouseholdRegistration: "户籍", data.CatOther: "其他",
}

var weekdayName = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

type posterRow struct {
	Date, Weekday, Hours, Reason, People string
	Services                             []string
}

var posterTmpl = template.Must(template.New("poster").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>@page{size:A4;margin:15mm}body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-size:12pt}
h1{text-align:center;font-size:20pt}table{border-collapse:collapse;width:100%}th,td{border:1px solid #333;padding:4pt;vertical-align:top}
th{background:#eee}.note{font-size:10pt;color:#444}ul{margin:0;padding-left:1.2em}</style></head>
<body><h1>{{.Title}}</h1>
<p>赶场日在集镇设立便民服务台：现场办理（即办）、接件代办、政策咨询。可通过村代办员提前预约（订单式）。</p>
{{if .Rows}}<table><thead><tr><th>日期</th><th>星期</th><th>时间</th><th>赶场</th><th>服务人员</th><th>可办事项</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{.Date}}</td><td>{{.Weekday}}</td><td>{{.Hours}}</td><td>{{.Reason}}</td><td>{{.People}}</td><td><ul>{{range .Services}}<li>{{.}}</li>{{end}}</ul></td></tr>
{{end}}</tbody></table>{{else}}<p>本月暂无便民赶集日服务安排。</p>{{end}}
{{if .Draft}}<p class="note">草稿：计划尚未发布，安排可能调整。</p>{{end}}
<p class="note">计划编号 {{.PlanID}}。{{if .Sample}}含示例数据（SAMPLE），仅供演示。{{end}}</p>
</body></html>
`))

// Poster renders the printable monthly poster (Chinese HTML, A4) of
// township tid: one row per desk day in month ("YYYY-MM"; default the
// plan's first month) with hours, the market-day reason, the people and
// the services grouped by category.
func (s *Service) Poster(ctx context.Context, v PlanView, tid, month string) ([]byte, error) {
	if month == "" {
		month = string(v.From)[:7]
	}
	if _, err := time.Parse("2006-01", month); err != nil {
		return nil, data.FieldError("month", "%q is not YYYY-MM", month)
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	mt, _ := time.Parse("2006-01", month)
	first := data.Date(month + "-01")
	last := data.DateOf(first.Time().AddDate(0, 1, -1))
	days, err := s.MarketDays(ctx, tid, first, last)
	if err != nil {
		return nil, err
	}
	reason := map[data.Date]string{}
	for _, d := range days {
		reason[d.Date] = d.Reason
	}
	desks := slices.Clone(v.Desks)
	slices.SortFunc(desks, func(a, b data.Desk) int { return strings.Compare(string(a.Date), string(b.Date)) })
	var rows []posterRow
	sample := false
	for _, dk := range desks {
		if dk.TownshipID != tid || !strings.HasPrefix(string(dk.Date), month) || len(dk.StaffIDs) == 0 {
			continue
		}
		for _, id := range dk.StaffIDs {
			sample = sample || names.sample[id]
		}
		for _, id := range dk.ItemIDs {
			sample = sample || names.items[id].Sample
		}
		t := dk.Date.Time()
		row := posterRow{Date: fmt.Sprintf("%d月%d日", t.Month(), t.Day()), Weekday: weekdayName[t.Weekday()],
			Hours: data.Clock(dk.Start) + "–" + data.Clock(dk.End), Reason: reason[dk.Date], People: names.people(dk.StaffIDs)}
		byCat := map[data.Category][]string{}
		for _, id := range dk.ItemIDs {
			if it, ok := names.items[id]; ok {
				byCat[it.Category] = append(byCat[it.Category], it.Name+"（"+modeName[it.Mode]+"）")
			}
		}
		for _, c := range data.Categories {
			if len(byCat[c]) > 0 {
				row.Services = append(row.Services, categoryName[c]+"："+strings.Join(byCat[c], "、"))
			}
		}
		rows = append(rows, row)
	}
	var b bytes.Buffer
	err = posterTmpl.Execute(&b, map[string]any{
		"Title":  fmt.Sprintf("%s %d年%d月 便民赶集日服务安排", names.town(tid), mt.Year(), mt.Month()),
		"Rows":   rows,
		"Draft":  v.Publication != data.PlanPublished,
		"Sample": sample,
		"PlanID": v.ID,
	})
	return b.Bytes(), err
}
