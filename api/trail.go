package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// DefaultTrailRetention is how long access-trail entries are kept when
// Config.TrailRetention is zero: three years.
const DefaultTrailRetention = 3 * 365 * 24 * time.Hour

// trailKey is the gin context key of the record ids a handler read.
const trailKey = "xunhui.trail"

type trailNote struct {
	kind string
	ids  []string
}

// noteAccess records that the current call shows the household records ids
// of kind ("request", "booking", "visit"); the access-trail middleware
// writes one trail entry naming all of them once the call succeeded. List
// handlers call it with every id on the page; routes with an :id under a
// household prefix are noted automatically.
func noteAccess(c *gin.Context, kind string, ids ...string) {
	n, _ := c.Get(trailKey)
	note, _ := n.(*trailNote)
	if note == nil {
		note = &trailNote{kind: kind}
		c.Set(trailKey, note)
	}
	note.ids = append(note.ids, ids...)
}

// noteSheet notes the requests of the households on itinerary sheets.
func noteSheet(c *gin.Context, sheets ...circuit.Sheet) {
	noteAccess(c, "request", sheetRequestIDs(sheets...)...)
}

// sheetRequestIDs lists the requests of the households on sheets.
func sheetRequestIDs(sheets ...circuit.Sheet) []string {
	ids := []string{}
	for _, sh := range sheets {
		for _, st := range sh.Stops {
			for _, h := range st.Households {
				ids = append(ids, h.RequestID)
			}
		}
	}
	return ids
}

// householdKind returns the record kind of a route that reads or changes
// household records, or "".
func householdKind(route string) string {
	switch {
	case strings.HasPrefix(route, "/api/v1/requests"):
		return "request"
	case strings.HasPrefix(route, "/api/v1/bookings"), strings.HasPrefix(route, "/api/v1/market-days/") && strings.HasSuffix(route, "/bookings"):
		return "booking"
	case strings.HasPrefix(route, "/api/v1/visits"):
		return "visit"
	}
	return ""
}

// accessTrail writes the access trail: after a successful call (status <
// 400) by an authenticated user it records one entry when the handler noted
// household records it showed (reads: every list and sheet), when the
// route has an :id under a household prefix (/requests/:id…, /bookings/:id…,
// /visits/:id…), and for every successful write on a household route. A
// failed write of the trail is logged (the answer has been written, but the
// request ends only once its entry is durable: see trailBatcher).
func (s *Server) accessTrail() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		p := principalOf(c)
		status := c.Writer.Status()
		if p == nil || status >= 400 {
			return
		}
		route := c.FullPath()
		kind := householdKind(route)
		var ids []string
		n, _ := c.Get(trailKey)
		if note, _ := n.(*trailNote); note != nil {
			kind, ids = note.kind, note.ids
		} else if kind == "" {
			return
		}
		if id := c.Param("id"); id != "" && householdKind(route) != "" && len(ids) == 0 {
			ids = []string{id}
		}
		method := c.Request.Method
		action := data.AccessChange
		if method == http.MethodGet || method == http.MethodHead {
			action = data.AccessRead
			if len(ids) == 0 {
				return // an empty list showed nobody
			}
		}
		r := data.AccessRecord{At: s.cfg.Now(), UserID: p.userID(), Role: p.user.Role, Action: action,
			Method: method, Route: route, Kind: kind, RecordIDs: ids, Status: status, RequestID: requestID(c)}
		ctx := context.WithoutCancel(c.Request.Context())
		if err := s.trail.record(ctx, &r); err != nil {
			s.logger.ErrorContext(ctx, "access trail not written", "request_id", r.RequestID, "route", route, "error", err)
		}
		s.maybePurgeTrail()
	}
}

// maybePurgeTrail deletes entries past the retention, at most once an
// hour, in the background.
func (s *Server) maybePurgeTrail() {
	if s.cfg.TrailRetention < 0 {
		return
	}
	now := s.cfg.Now()
	last := s.trailPurged.Load()
	if now.Unix()-last < 3600 || !s.trailPurged.CompareAndSwap(last, now.Unix()) {
		return
	}
	go func() {
		n, err := s.store.PurgeAccess(context.Background(), now.Add(-s.cfg.TrailRetention))
		if err != nil {
			s.logger.Error("access trail purge failed", "error", err)
		} else if n > 0 {
			s.logger.Info("access trail purged", "entries", n, "retention", s.cfg.TrailRetention.String())
		}
	}()
}

func (s *Server) trailRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/access-trail", opSpec{roles: adminOnly, tag: "access",
		summary: "The access trail: who read or changed which household records, when, through which endpoint (admin only)",
		description: "One entry per API call, naming every record id it showed or changed (a list of 50 households is one entry naming 50 ids). " +
			"No names, phones or addresses are kept. Filters: user, record, kind (request, booking, visit), action (read, change), " +
			"from/to (RFC 3339 or YYYY-MM-DD, to exclusive). format=csv exports the matches (up to 10000) as CSV.",
		query: []apiParam{
			{Name: "user", In: "query", Description: "user id", Schema: &jsonSchema{Type: "string"}},
			{Name: "record", In: "query", Description: "record id, e.g. a request id", Schema: &jsonSchema{Type: "string"}},
			{Name: "kind", In: "query", Description: "request, booking or visit", Schema: &jsonSchema{Type: "string"}},
			{Name: "action", In: "query", Description: "read or change", Schema: &jsonSchema{Type: "string", Enum: []string{"read", "change"}}},
			{Name: "from", In: "query", Description: "first instant (RFC 3339, or a date = its midnight UTC+8)", Schema: &jsonSchema{Type: "string"}},
			{Name: "to", In: "query", Description: "end instant, exclusive", Schema: &jsonSchema{Type: "string"}},
			{Name: "format", In: "query", Description: "json (default) or csv", Schema: &jsonSchema{Type: "string", Enum: []string{"json", "csv"}}},
			{Name: "limit", In: "query", Description: "page size 1–1000 (default 100; csv: up to 10000)", Schema: &jsonSchema{Type: "integer"}},
			{Name: "offset", In: "query", Description: "matches to skip", Schema: &jsonSchema{Type: "integer"}},
		},
		response: listBody[data.AccessRecord]{}, errors: []int{400, 403}}, s.listAccessTrail)
}

func (s *Server) listAccessTrail(c *gin.Context) error {
	q, err := query(c, "user", "record", "kind", "action", "from", "to", "format", "limit", "offset")
	if err != nil {
		return err
	}
	f := data.AccessFilter{UserID: q.Get("user"), RecordID: q.Get("record"), Kind: q.Get("kind"), Action: data.AccessAction(q.Get("action"))}
	if f.Action != "" && f.Action != data.AccessRead && f.Action != data.AccessChange {
		return badRequest("action", "action= is read or change")
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := parseInstant(v)
			if err != nil {
				return badRequest(p.name, p.name+"= is not an RFC 3339 time or a date YYYY-MM-DD")
			}
			*p.dst = t
		}
	}
	format := q.Get("format")
	maxLimit := data.MaxLimit
	if format == "csv" {
		maxLimit = 10000
	} else if format != "" && format != "json" {
		return badRequest("format", "format= is json or csv")
	}
	if f.Limit, err = intParam(q, "limit", 100, 1, maxLimit); err != nil {
		return err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if format == "csv" {
		return s.exportAccessTrail(c, f)
	}
	rs, total, err := s.store.ListAccess(c.Request.Context(), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, listBody[data.AccessRecord]{Items: rs, Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

// exportAccessTrail writes the matches as CSV, reading them a page of
// MaxLimit at a time.
func (s *Server) exportAccessTrail(c *gin.Context, f data.AccessFilter) error {
	want := f.Limit
	var all []data.AccessRecord
	for len(all) < want {
		page := f
		page.Limit = min(data.MaxLimit, want-len(all))
		page.Offset = f.Offset + len(all)
		rs, _, err := s.store.ListAccess(c.Request.Context(), page)
		if err != nil {
			return err
		}
		all = append(all, rs...)
		if len(rs) < page.Limit {
			break
		}
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="access-trail.csv"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"id", "at", "user_id", "role", "action", "method", "route", "kind", "record_ids", "status", "request_id"})
	for _, r := range all {
		_ = w.Write([]string{r.ID, r.At.UTC().Format(time.RFC3339Nano), r.UserID, string(r.Role), string(r.Action), r.Method, r.Route,
			r.Kind, strings.Join(r.RecordIDs, ";"), strconv.Itoa(r.Status), r.RequestID})
	}
	w.Flush()
	return w.Error()
}

// parseInstant reads RFC 3339, or a date taken as its midnight in the
// county (UTC+8).
func parseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := data.ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad instant %q", s)
	}
	return time.Parse("2006-01-02 -0700", string(d)+" +0800")
}
