package api

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

var qRouteFrom = apiParam{Name: "from", In: "query", Description: "first day, YYYY-MM-DD (default today, Asia/Shanghai)", Schema: &jsonSchema{Type: "string", Format: "date"}}
var qRouteDays = apiParam{Name: "days", In: "query", Description: "how many days (1–14, default 7)", Schema: &jsonSchema{Type: "integer"}}

// routeSheetRoutes registers the weekly route-sheet workbook of a township.
func (s *Server) routeSheetRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/townships/:id/route-sheets.xlsx", opSpec{roles: writers, tag: "circuits",
		summary: "Weekly route sheets of a township's teams as an Excel workbook (one sheet per team, Chinese headers)",
		description: "The published routes of the teams based in the township (township and village teams; county teams have their own /teams/{id}/itinerary): " +
			"per team, day by day and stop by stop in route order, arrival, service start and departure, village, home visit or service room, " +
			"and each household with phone, address, ledger, items and request id. A township coordinator gets only their own township (else 403). " +
			"Every household listed is recorded in the access trail.",
		query: []apiParam{qRouteFrom, qRouteDays}, contentType: xlsxType, errors: []int{400, 403, 404}}, s.routeSheets)
}

func (s *Server) routeSheets(c *gin.Context) error {
	svc, err := s.circuitService()
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	q, err := query(c, "from", "days")
	if err != nil {
		return err
	}
	from := data.DateOf(s.cfg.Now())
	if v := q.Get("from"); v != "" {
		if from, err = data.ParseDate(v); err != nil {
			return badRequest("from", "from= is not a date YYYY-MM-DD")
		}
	}
	days, err := intParam(q, "days", 7, 1, 14)
	if err != nil {
		return err
	}
	to := from.AddDays(days - 1)
	p := mustPrincipal(c)
	if p.user.Role == data.UserTownshipCoordinator && p.user.TownshipID != id {
		return forbidden("a coordinator of " + p.user.TownshipID + " may not read the route sheets of township " + id)
	}
	ctx := c.Request.Context()
	town, err := s.store.GetTownship(ctx, id)
	if err != nil {
		return err
	}
	teams, err := s.store.ListTeams(ctx, "")
	if err != nil {
		return err
	}
	var weeks []circuit.Week
	for _, t := range teams {
		if t.Level == data.LevelCounty || data.TownshipOf(t.HomeCode) != id {
			continue
		}
		w, err := svc.Week(ctx, t.ID, from, to, true)
		if err != nil {
			return err
		}
		if hasStops(w) {
			weeks = append(weeks, w)
			noteSheet(c, w.Days...)
		}
	}
	var buf bytes.Buffer
	if err := circuit.RouteWorkbook(&buf, fmt.Sprintf("%s 巡回路线单 %s 至 %s", town.Name, from, to), weeks); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="route-sheets-%s-%s.xlsx"`, id, from))
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
	return nil
}

func hasStops(w circuit.Week) bool {
	for _, d := range w.Days {
		if len(d.Stops) > 0 {
			return true
		}
	}
	return false
}
