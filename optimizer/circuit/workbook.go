package circuit

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/yingjing/xunhui/data"
)

// RouteColumns are the Chinese headers of a route-sheet workbook, in
// column order (row 2 of every team's sheet; row 1 is the title).
var RouteColumns = []string{"日期", "站序", "到达", "开始办理", "离开", "村（社区）", "方式", "群众姓名", "电话", "地址", "台账", "服务事项", "诉求编号",
	"带路", "到场专家", "步行"}

// ledgerNames are the ledgers as the office names them.
var ledgerNames = map[data.Ledger]string{data.LedgerProxy: "代办事项", data.LedgerAppeal: "民生诉求", data.LedgerHardship: "困难问题"}

// RouteWorkbook writes the route sheets of weeks as an Excel workbook to w:
// one sheet per team (named after it), row 1 the title, row 2 the headers
// (RouteColumns), then one row per household visited, day by day and stop
// by stop in route order (a stop with no household gets one row). title
// heads every sheet (e.g. the township and the dates). With no week at all
// the workbook has one sheet saying so.
func RouteWorkbook(w io.Writer, title string, weeks []Week) error {
	f := excelize.NewFile()
	defer f.Close()
	used := map[string]bool{}
	first := true
	for _, wk := range weeks {
		name := sheetName(teamName(wk), used)
		if err := addSheet(f, name, first); err != nil {
			return err
		}
		first = false
		if err := writeTeamSheet(f, name, title+" · "+teamName(wk), wk); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	if first {
		if err := f.SetSheetName("Sheet1", "说明"); err != nil {
			return err
		}
		if err := f.SetCellValue("说明", "A1", title+" · 没有已发布的路线"); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func addSheet(f *excelize.File, name string, first bool) error {
	if first {
		return f.SetSheetName("Sheet1", name)
	}
	_, err := f.NewSheet(name)
	return err
}

func teamName(wk Week) string {
	for _, d := range wk.Days {
		if d.TeamName != "" {
			return d.TeamName
		}
	}
	return wk.TeamID
}

// sheetName makes s a valid, unused Excel sheet name (≤ 31 characters,
// none of : \ / ? * [ ]).
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, s)
	base := []rune(s)
	if len(base) > 28 {
		base = base[:28]
	}
	name := string(base)
	for i := 2; used[name] || name == ""; i++ {
		name = fmt.Sprintf("%s~%d", string(base), i)
	}
	used[name] = true
	return name
}

func writeTeamSheet(f *excelize.File, name, title string, wk Week) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{title}); err != nil {
		return err
	}
	head := make([]any, len(RouteColumns))
	for i, c := range RouteColumns {
		head[i] = c
	}
	if err := sw.SetRow("A2", head); err != nil {
		return err
	}
	row := 3
	for _, day := range wk.Days {
		for _, st := range day.Stops {
			for _, r := range stopRows(day.Date, st) {
				cell, _ := excelize.CoordinatesToCellName(1, row)
				if err := sw.SetRow(cell, r); err != nil {
					return err
				}
				row++
			}
		}
	}
	return sw.Flush()
}

// stopRows are the rows of one stop: one per household, or one bare row.
func stopRows(date data.Date, st SheetStop) [][]any {
	how := "便民服务室"
	if st.HomeVisit {
		how = "入户"
	}
	lead := []any{string(date), st.Seq, st.Arrival, st.Start, st.Depart, st.Village, how}
	tail := []any{SheetGuideText(st.Guide), SheetAttendeesText(st.Attendees), SheetFootText(st.Foot)}
	if len(st.Households) == 0 {
		return [][]any{append(append(lead, "", "", "", "", "", ""), tail...)}
	}
	out := make([][]any, 0, len(st.Households))
	for _, h := range st.Households {
		items := make([]string, len(h.Items))
		for i, it := range h.Items {
			items[i] = it.Name
		}
		r := append(append([]any{}, lead...), h.Name, h.Phone, h.Address, ledgerNames[h.Ledger], strings.Join(items, "、"), h.RequestID)
		out = append(out, append(r, tail...))
	}
	return out
}

// SheetGuideText is a stop's guide in the workbook's words: the village
// agent who meets the team, or why none comes ("" when no rule asks).
func SheetGuideText(g *SheetGuide) string {
	switch {
	case g == nil:
		return ""
	case g.StaffID != "":
		return strings.TrimSpace("村代办员 " + g.Name + " " + g.Phone)
	}
	why, ok := guideReasons[g.Missing]
	if !ok {
		why = string(g.Missing)
	}
	return "无带路：" + why
}

// SheetAttendeesText names the crew members at a stop ("" = the whole team).
func SheetAttendeesText(ps []SheetPerson) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, "、")
}

// SheetFootText is the walk from the trailhead of a walk-only village.
func SheetFootText(f *FootLeg) string {
	if f == nil {
		return ""
	}
	return fmt.Sprintf("车停步行起点（%s），步行 %d 分钟", f.Name, f.WalkMinutes)
}
