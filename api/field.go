package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
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
	// Changes is what changed on these days since the caller's previous
	// pull of them.
	Changes circuit.PullChanges `json:"changes"`
}

// fieldRoutes registers the endpoints of the field app (the team's phone).
func (s *Server) fieldRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/teams/:id/week", opSpec{roles: allRoles, tag: "field",
		summary: "A team's route sheets for several days in one read (the field app's sync)",
		description: "One sheet per day from `from` (default today) for `days` days (1–14, default 7): stops, households within the team's scope, " +
			"items, times. Team members see only their own team and only published plans; township coordinators only their township's teams. " +
			"A day no plan covers has an empty plan_id and no stops. `changes` lists what changed on these days since the caller's previous pull of them " +
			"(visits added, removed, moved in day, time or order; days served from another plan version); the pull is recorded.",
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
	key := answerKey{route: "week", team: id, from: from, to: from.AddDays(days - 1), publishedOnly: p.user.Role == data.UserTeamMember}
	a, err := s.scheduleAnswer(c, key, func() (*answer, error) {
		w, err := svc.Week(ctx, id, key.from, key.to, key.publishedOnly)
		if err != nil {
			return nil, err
		}
		return newAnswer(circuit.Sheet{}, w, w, w.Days...)
	})
	if err != nil {
		return err
	}
	noteAccess(c, "request", a.ids...)
	ch, err := s.pullChanges(ctx, p, id, a.week.Days...)
	if err != nil {
		return err
	}
	return writeWeek(c, a, s.cfg.Now().UTC(), ch)
}

// scheduleAnswer returns the answer k at the caller's data generation:
// the cached one, or the one build reads (then cached). The generation
// was read before build reads anything, so a cached answer is never older
// than its key says.
func (s *Server) scheduleAnswer(c *gin.Context, k answerKey, build func() (*answer, error)) (*answer, error) {
	gen := mustPrincipal(c).gen.Data
	if a, ok := s.answers.get(gen, k); ok {
		return a, nil
	}
	a, err := build()
	if err != nil {
		return nil, err
	}
	s.answers.put(gen, k, a)
	return a, nil
}

// newAnswer encodes v (the sheet or the week) once and names the requests
// on sheets for the trail.
func newAnswer(sh circuit.Sheet, w circuit.Week, v any, sheets ...circuit.Sheet) (*answer, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	if len(sheets) == 0 {
		sheets = []circuit.Sheet{sh}
	}
	return &answer{sheet: sh, week: w, json: b, etag: `"s-` + hex.EncodeToString(sum[:12]) + `"`, ids: sheetRequestIDs(sheets...)}, nil
}

// writeCached answers body with its validator: 304 without a body when the
// client already has it.
func writeCached(c *gin.Context, etag, ctype string, body []byte) {
	c.Header("ETag", etag)
	if inm := c.GetHeader("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, ctype, body)
}

// gzipWriters are reused: a new gzip.Writer allocates about a megabyte of
// tables; reusing them is most of the cost of compressing an answer.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// writeWeek answers a week with a validator of its content (synced_at
// aside): a phone that already has this week gets 304 and no body. The body
// is the cached JSON of the week with synced_at (when the server checked
// that the week is current: now) spliced in as its last field, exactly as
// encoding weekBody would write it, gzipped (fastest level: a week is mostly
// repeated keys, so even that shrinks it about tenfold) when the phone
// accepts it.
func writeWeek(c *gin.Context, a *answer, synced time.Time, changes circuit.PullChanges) error {
	h := c.Writer.Header()
	h.Set("ETag", a.etag)
	h.Set("Vary", "Accept-Encoding")
	if inm := c.GetHeader("If-None-Match"); inm != "" && strings.Contains(inm, a.etag) {
		c.Status(http.StatusNotModified)
		return nil
	}
	ts, err := synced.MarshalJSON()
	if err != nil {
		return err
	}
	body := make([]byte, 0, len(a.json)+len(ts)+16)
	body = append(body, a.json[:len(a.json)-1]...) // the week's fields, without its closing brace
	if len(a.json) > 2 {
		body = append(body, ',')
	}
	body = append(append(append(body, `"synced_at":`...), ts...), '}')
	if body, err = withField(body, "changes", changes); err != nil {
		return err
	}
	if len(body) > 1024 && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(body)
		err := zw.Close()
		gzipWriters.Put(zw)
		if err != nil {
			return err
		}
		h.Set("Content-Encoding", "gzip")
		body = buf.Bytes()
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	return nil
}
