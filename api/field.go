package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// weekBody is the answer of GET /teams/{id}/week: what a team member's
// phone keeps to work offline.
type weekBody struct {
	circuit.Week
	// SyncedAt is when the server read the week (UTC); the app shows it as
	// "last synced".
	SyncedAt time.Time `json:"synced_at"`
}

// fieldRoutes registers the endpoints of the field app (the team's phone).
func (s *Server) fieldRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/teams/:id/week", opSpec{roles: allRoles, tag: "field",
		summary: "A team's route sheets for several days in one read (the field app's sync)",
		description: "One sheet per day from `from` (default today) for `days` days (1–14, default 7): stops, households within the team's scope, " +
			"items, times. Team members see only their own team and only published plans; township coordinators only their township's teams. " +
			"A day no plan covers has an empty plan_id and no stops.",
		query: []apiParam{
			{Name: "from", In: "query", Description: "first day, YYYY-MM-DD (default today)", Schema: &jsonSchema{Type: "string", Format: "date"}},
			{Name: "days", In: "query", Description: "number of days, 1–14 (default 7)", Schema: &jsonSchema{Type: "integer"}}},
		response: weekBody{}, errors: []int{400, 403, 404, 503}}, s.teamWeek)
}

// teamAccess answers 403 unless the caller may see team id's circuits, and
// 404 for an unknown team when the answer depends on the team's record.
// Admins and planners see every team and team members only their own, so
// only coordinators cost a read.
func (s *Server) teamAccess(ctx context.Context, p *principal, id string) error {
	switch p.user.Role {
	case data.UserAdmin, data.UserCountyPlanner:
		return nil
	case data.UserTeamMember:
		if p.user.TeamID == id {
			return nil
		}
		return forbidden("you may see only your own team's itinerary")
	}
	t, err := s.store.GetTeam(ctx, id)
	if err != nil {
		return err
	}
	if !teamVisible(p, t) {
		return forbidden("you may see only your own team's itinerary")
	}
	return nil
}

func (s *Server) teamWeek(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
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
	ctx := c.Request.Context()
	p := mustPrincipal(c)
	if err := s.teamAccess(ctx, p, id); err != nil {
		return err
	}
	synced := s.cfg.Now().UTC()
	w, err := svc.Week(ctx, id, from, from.AddDays(days-1), p.user.Role == data.UserTeamMember)
	if err != nil {
		return err
	}
	noteSheet(c, w.Days...)
	return writeWeek(c, weekBody{Week: w, SyncedAt: synced})
}

// writeWeek answers a week with a validator of its content (synced_at
// aside): a phone that already has this week gets 304 and no body; the body
// is gzipped when the phone accepts it (a week is mostly repeated keys).
func writeWeek(c *gin.Context, wb weekBody) error {
	content, err := json.Marshal(wb.Week)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(content)
	etag := `"w-` + hex.EncodeToString(sum[:12]) + `"`
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	if inm := c.GetHeader("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		c.Status(http.StatusNotModified)
		return nil
	}
	body, err := json.Marshal(wb)
	if err != nil {
		return err
	}
	if len(body) > 1024 && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		if err := zw.Close(); err != nil {
			return err
		}
		h.Set("Content-Encoding", "gzip")
		body = buf.Bytes()
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	return nil
}
