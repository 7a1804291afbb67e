package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// SetCircuit installs the weekly circuit planner behind /api/v1/circuit-plans,
// /teams/{id}/itinerary and /visits/{id}/outcome. Call it before Open;
// without it those endpoints answer 503.
// Run times go to the solve-seconds histogram (label "circuit").
func (s *Server) SetCircuit(svc *circuit.Service) {
	s.circuit = svc
	if svc != nil {
		svc.SetOnFinish(func(status string, d time.Duration) {
			s.metrics.SolveSeconds.WithLabelValues("circuit", status).Observe(d.Seconds())
		})
	}
}

// Role sets of the circuit endpoints.
var (
	planReaders  = []data.UserRole{data.UserAdmin, data.UserCountyPlanner, data.UserTownshipCoordinator}
	qDate        = apiParam{Name: "date", In: "query", Required: true, Description: "the day, YYYY-MM-DD", Schema: &jsonSchema{Type: "string", Format: "date"}}
	qSheetFormat = apiParam{Name: "format", In: "query", Description: "json (default), geojson, gpx, ics (iCalendar) or html (printable Chinese route sheet)",
		Schema: &jsonSchema{Type: "string", Enum: []string{"json", "geojson", "gpx", "ics", "html"}}}
	qPlan = apiParam{Name: "plan", In: "query", Description: "plan id (default: the newest published plan covering the date; planners also see drafts)", Schema: &jsonSchema{Type: "string"}}
)

// circuitPlanInput is the body of POST /api/v1/circuit-plans.
type circuitPlanInput struct {
	From data.Date `json:"from" doc:"first day, YYYY-MM-DD"`
	To   data.Date `json:"to" doc:"last day, YYYY-MM-DD (at most 31 days)"`
}

// publishInput is the optional body of POST /circuit-plans/{id}/publish.
type publishInput struct {
	Version int64 `json:"version,omitempty" doc:"the plan version read; 0 = current"`
	// Supersedes is required when a published plan already covers part of
	// the period (409 otherwise).
	Supersedes string `json:"supersedes,omitempty" doc:"the published plan this version replaces (required when one overlaps the period)"`
}

// replanInput is the optional body of POST /circuit-plans/{id}/replan.
type replanInput struct {
	Now string `json:"now,omitempty" doc:"re-plan as of this time (RFC 3339) or the start of this day (YYYY-MM-DD); default now"`
}

// outcomeInput is the body of POST /api/v1/visits/{id}/outcome.
type outcomeInput struct {
	Outcome    circuit.Outcome `json:"outcome" doc:"done, nobody_home or follow_up"`
	Note       string          `json:"note,omitempty"`
	RequestIDs []string        `json:"request_ids,omitempty" doc:"only these requests of the visit (default: all)"`
}

// outcomeResult is the answer of POST /api/v1/visits/{id}/outcome.
type outcomeResult struct {
	VisitID  string         `json:"visit_id"`
	Outcome  string         `json:"outcome"`
	Requests []data.Request `json:"requests"`
	// RecordedAt and RecordedBy say when and by whom it was written; a
	// replay (same Idempotency-Key) answers the first call's values.
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
	Replayed   bool      `json:"replayed,omitempty"`
}

// routesResult is the answer of GET /circuit-plans/{id}/routes.
type routesResult struct {
	PlanID string                  `json:"plan_id"`
	Routes []circuit.RouteGeometry `json:"routes"`
}

// slotsResult is the answer of GET /circuit-plans/{id}/slots.
type slotsResult struct {
	PlanID    string         `json:"plan_id"`
	RequestID string         `json:"request_id"`
	Slots     []circuit.Slot `json:"slots"`
	// Reason explains an empty list (a reason code).
	Reason circuit.Code `json:"reason,omitempty"`
}

// circuitRoutes registers the circuit planner's endpoints on v1.
func (s *Server) circuitRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodPost, "/circuit-plans", opSpec{roles: planners, tag: "circuits",
		summary:     "Start planning the circuits of a horizon (asynchronous)",
		description: "Answers 202 with the run's id; poll GET /circuit-plans/{id} on any replica. The plan runs as a durable job on whichever worker takes it. A horizon longer than 31 days is 400; a plan while another for an overlapping horizon is queued or running is 409 whose error.id names that run; 429 with Retry-After when the queue of circuit plans is full.",
		request:     circuitPlanInput{}, response: circuit.View{}, status: http.StatusAccepted, errors: []int{400, 403, 409, 429, 503}}, s.startCircuitPlan)
	s.handle(v1, http.MethodGet, "/circuit-plans", opSpec{roles: planReaders, tag: "circuits",
		summary:     "List circuit plans, newest first (headers; summary reduced to stats)",
		description: "Saved plans only (runs still queued or running are not listed yet).",
		query: []apiParam{{Name: "status", In: "query", Description: "draft or published", Schema: &jsonSchema{Type: "string", Enum: []string{"draft", "published"}}},
			{Name: "date", In: "query", Description: "keep plans covering this day (YYYY-MM-DD)", Schema: &jsonSchema{Type: "string", Format: "date"}},
			{Name: "limit", In: "query", Description: "1–1000 (default 100)", Schema: &jsonSchema{Type: "integer"}}},
		response: listBody[data.Plan]{}, errors: []int{400}}, s.listCircuitPlans)
	s.handle(v1, http.MethodGet, "/circuit-plans/:id", opSpec{roles: planReaders, tag: "circuits",
		summary:     "Status, progress, itineraries and unassigned requests of a circuit plan",
		description: "status is queued, running, done, failed (error says why, e.g. its worker was lost) or cancelled; progress lists the best cost and served count over time, persisted by the worker, so every replica answers. Township coordinators see only their township's teams.",
		response:    circuit.View{}, errors: []int{404, 503}}, s.getCircuitPlan)
	s.handle(v1, http.MethodGet, "/circuit-plans/:id/events", opSpec{roles: planReaders, tag: "circuits",
		summary:     "Progress of a plan as server-sent events (text/event-stream)",
		description: "Events `progress` (data: {status, elapsed_seconds, cost, served, iteration, time_limit_seconds}) while the plan runs, then one `done`, `failed` or `cancelled` event (data: {id, status, error, stopped_early}); the stream then ends. Served by any replica from the stored run state. Poll GET /circuit-plans/{id} instead if you prefer.",
		contentType: "text/event-stream", errors: []int{404, 503}}, s.circuitPlanEvents)
	s.handle(v1, http.MethodDelete, "/circuit-plans/:id", opSpec{roles: planners, tag: "circuits",
		summary: "Stop a queued or running plan early (from any replica), keeping the best plan found", response: circuit.View{},
		errors: []int{404, 409, 503}}, s.stopCircuitPlan)
	s.handle(v1, http.MethodPost, "/circuit-plans/:id/publish", opSpec{roles: planners, tag: "circuits",
		summary:     "Publish a finished draft plan; its requests become planned; answers the diff against the version it supersedes",
		description: "Published plans are immutable. When a published circuit plan already covers part of the period, `supersedes` must name it (409 otherwise); that plan becomes superseded and its staff claims pass to this one. A person-day another published plan (e.g. a market desk) claims is 409. The answer is the plan header plus `diff`: per team-day the requests added, removed and moved (with minutes). With dry_run=true nothing is written: the answer is the diff publishing would give, against `supersedes` or, when that is empty, the newest published plan overlapping the period (named in diff.supersedes, to pass on when confirming).",
		query:       []apiParam{{Name: "dry_run", In: "query", Description: "preview the diff only (true/false)", Schema: &jsonSchema{Type: "boolean"}}},
		request:     publishInput{}, response: circuit.Published{},
		errors: []int{404, 409, 503}}, s.publishCircuitPlan)
	s.handle(v1, http.MethodPost, "/circuit-plans/:id/replan", opSpec{roles: planners, tag: "circuits",
		summary:     "Re-plan the rest of a plan's horizon (staff on leave, urgent requests)",
		description: "Stops before `now` and locked stops stay; the others keep their team and day when still possible. Answers 202 with a new run; its summary lists the moves.",
		request:     replanInput{}, response: circuit.View{}, status: http.StatusAccepted, errors: []int{400, 404, 409, 429, 503}}, s.replanCircuitPlan)
	s.handle(v1, http.MethodGet, "/circuit-plans/:id/explanation", opSpec{roles: planReaders, tag: "circuits",
		summary:  "Why each unassigned request was left out, each team's load, and the level-routing decisions",
		response: circuit.Explanation{}, errors: []int{404, 409, 503}}, s.explainCircuitPlan)
	s.handle(v1, http.MethodGet, "/circuit-plans/:id/routes", opSpec{roles: planReaders, tag: "circuits",
		summary:     "The drawable path of each team-day of a plan, for the map (no household data)",
		description: "geometry is `road` when the path follows the road graph, `straight` when the stops are joined in order (the travel source cannot route them). Township coordinators get their township's teams only.",
		query:       []apiParam{{Name: "date", In: "query", Description: "only this day (YYYY-MM-DD)", Schema: &jsonSchema{Type: "string", Format: "date"}}},
		response:    routesResult{}, errors: []int{400, 404, 409, 503}}, s.planRouteGeometry)
	s.handle(v1, http.MethodGet, "/circuit-plans/:id/slots", opSpec{roles: planReaders, tag: "circuits",
		summary: "Suggest the best (team, day, time) slots for a request in a plan, without re-planning",
		query: []apiParam{{Name: "request", In: "query", Required: true, Description: "request id", Schema: &jsonSchema{Type: "string"}},
			{Name: "k", In: "query", Description: "number of slots, 1–20 (default 3)", Schema: &jsonSchema{Type: "integer"}}},
		response: slotsResult{}, errors: []int{400, 404, 503}}, s.circuitSlots)
	s.handle(v1, http.MethodGet, "/teams/:id/itinerary", opSpec{roles: allRoles, tag: "circuits",
		summary:     "A team's route for one day (JSON, GeoJSON, GPX, iCalendar or printable HTML)",
		description: "Team members see only their own team and only published plans; township coordinators only their township's teams. The JSON form lists `changes` since the caller's previous pull of the day (visits added, removed, moved in day, time or order; the plan version the day comes from) and records this pull.",
		query:       []apiParam{qDate, qSheetFormat, qPlan}, response: itineraryBody{}, errors: []int{400, 403, 404, 503}}, s.teamItinerary)
	s.handle(v1, http.MethodPost, "/visits/:id/outcome", opSpec{roles: allRoles, tag: "circuits",
		summary:     "Record the outcome of a visit: done, nobody_home or follow_up (with note)",
		description: "The visit id is the visit_id of an itinerary stop. Requests move to done, failed or follow_up with the note in their history (who, when); failed and follow-up requests return to the pool of the next plan. All requests of the call change in one transaction or none do (the failing one is named by field request_ids[i]). With an `Idempotency-Key` header (≤ 200 bytes, per user) a repeat answers the first call's result (header Idempotent-Replayed: true) and writes nothing, on any replica; the same key with another body is 409.",
		request:     outcomeInput{}, response: outcomeResult{}, errors: []int{403, 404, 409, 422, 503}}, s.visitOutcome)
	s.circuitEditRoutes(v1)
}

func (s *Server) circuitService() (*circuit.Service, error) {
	if s.circuit == nil {
		return nil, &httpError{Status: http.StatusServiceUnavailable, Code: codeUnavailable, Message: "the circuit planner is not configured on this server"}
	}
	return s.circuit, nil
}

// circuitPlanRef returns the circuit service and the plan id of the path:
// the common start of every /circuit-plans/:id handler.
func (s *Server) circuitPlanRef(c *gin.Context) (*circuit.Service, string, error) {
	svc, err := s.circuitService()
	if err != nil {
		return nil, "", err
	}
	id, err := pathID(c)
	if err != nil {
		return nil, "", err
	}
	return svc, id, nil
}

func (s *Server) startCircuitPlan(c *gin.Context) error {
	svc, err := s.circuitService()
	if err != nil {
		return err
	}
	var in circuitPlanInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if !in.From.Valid() {
		return badRequest("from", fmt.Sprintf("from=%q is not a date YYYY-MM-DD", truncate(string(in.From), 40)))
	}
	if !in.To.Valid() {
		return badRequest("to", fmt.Sprintf("to=%q is not a date YYYY-MM-DD", truncate(string(in.To), 40)))
	}
	if _, err := circuit.Days(in.From, in.To); err != nil {
		return badRequest("to", fmt.Sprintf("horizon %s–%s: %v", in.From, in.To, err))
	}
	v, err := svc.Start(c.Request.Context(), in.From, in.To, mustPrincipal(c).userID())
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/circuit-plans/"+v.ID)
	c.JSON(http.StatusAccepted, v)
	return nil
}

func (s *Server) listCircuitPlans(c *gin.Context) error {
	q, err := query(c, "status", "date", "limit")
	if err != nil {
		return err
	}
	f := data.PlanFilter{Kind: data.PlanCircuit, Status: data.PlanStatus(q.Get("status"))}
	if f.Status != "" && f.Status != data.PlanDraft && f.Status != data.PlanPublished {
		return badRequest("status", "status= is draft or published")
	}
	if d := q.Get("date"); d != "" {
		if f.Overlaps, err = data.ParseDate(d); err != nil {
			return badRequest("date", "date= is not YYYY-MM-DD")
		}
	}
	if f.Limit, err = intParam(q, "limit", data.DefaultLimit, 1, data.MaxLimit); err != nil {
		return err
	}
	ps, err := s.store.ListPlans(c.Request.Context(), f)
	if err != nil {
		return err
	}
	for i := range ps {
		// A list carries the figures only, not the per-request parts.
		if c := ps[i].Summary.Circuit(); ps[i].Summary != nil {
			ps[i].Summary = &data.PlanSummary{CircuitSummary: &data.CircuitSummary{Stats: c.Stats}}
		}
	}
	if ps == nil {
		ps = []data.Plan{}
	}
	c.JSON(http.StatusOK, listBody[data.Plan]{Items: ps, Total: len(ps), Limit: f.Limit})
	return nil
}

// teamVisible reports whether the caller may see team t's circuits.
func teamVisible(p *principal, t data.Team) bool {
	switch p.user.Role {
	case data.UserAdmin, data.UserCountyPlanner:
		return true
	case data.UserTownshipCoordinator:
		return t.Level != data.LevelCounty && data.TownshipOf(t.HomeCode) == p.user.TownshipID
	case data.UserTeamMember:
		return p.user.TeamID == t.ID
	}
	return false
}

func (s *Server) getCircuitPlan(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	v, err := svc.Get(ctx, id)
	if err != nil {
		return err
	}
	p := mustPrincipal(c)
	if p.user.Role == data.UserTownshipCoordinator {
		ok, err := s.visibleTeams(ctx, p)
		if err != nil {
			return err
		}
		its := []data.Itinerary{}
		for _, it := range v.Itineraries {
			if ok[it.TeamID] {
				its = append(its, it)
			}
		}
		v.Itineraries = its
		v.Unassigned, err = s.unassignedInTownship(c, v.Unassigned, p.user.TownshipID)
		if err != nil {
			return err
		}
		v.Loads = slices.DeleteFunc(v.Loads, func(l circuit.Load) bool { return !ok[l.TeamID] })
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// visibleTeams maps each team id to whether p may see its circuits.
func (s *Server) visibleTeams(ctx context.Context, p *principal) (map[string]bool, error) {
	teams, err := s.store.ListTeams(ctx, "")
	if err != nil {
		return nil, err
	}
	ok := make(map[string]bool, len(teams))
	for _, t := range teams {
		ok[t.ID] = teamVisible(p, t)
	}
	return ok, nil
}

// planRouteGeometry answers the drawable paths of a plan's team-days.
func (s *Server) planRouteGeometry(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	q, err := query(c, "date")
	if err != nil {
		return err
	}
	var date data.Date
	if d := q.Get("date"); d != "" {
		if date, err = data.ParseDate(d); err != nil {
			return badRequest("date", "date= is not a date YYYY-MM-DD")
		}
	}
	ctx := c.Request.Context()
	var keep func(string) bool
	if p := mustPrincipal(c); p.user.Role == data.UserTownshipCoordinator {
		ok, err := s.visibleTeams(ctx, p)
		if err != nil {
			return err
		}
		keep = func(id string) bool { return ok[id] }
	}
	rs, err := svc.Routes(ctx, id, date, keep)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, routesResult{PlanID: id, Routes: rs})
	return nil
}

// unassignedInTownship keeps the unassigned requests of one township.
func (s *Server) unassignedInTownship(c *gin.Context, us []circuit.Unassigned, township string) ([]circuit.Unassigned, error) {
	out := []circuit.Unassigned{}
	if len(us) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(us))
	for _, u := range us {
		ids = append(ids, u.RequestID)
	}
	in := map[string]bool{}
	for i := 0; i < len(ids); i += data.MaxLimit {
		rs, _, err := s.store.ListRequests(c.Request.Context(), data.RequestFilter{IDs: ids[i:min(i+data.MaxLimit, len(ids))], TownshipID: township, Limit: data.MaxLimit})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			in[r.ID] = true
		}
	}
	for _, u := range us {
		if in[u.RequestID] {
			out = append(out, u)
		}
	}
	return out, nil
}

// circuitPlanEvents streams a run's progress as server-sent events.
func (s *Server) circuitPlanEvents(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	v, err := svc.Get(ctx, id)
	if err != nil {
		return err
	}
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-cache")
	c.Status(http.StatusOK)
	sent := 0
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		for ; sent < len(v.Progress); sent++ {
			p := v.Progress[sent]
			c.SSEvent("progress", gin.H{"status": v.Status, "elapsed_seconds": p.ElapsedSec, "cost": p.Cost, "served": p.Served, "iteration": p.Iteration, "time_limit_seconds": v.TimeLimitSec})
		}
		if !v.Status.Active() {
			c.SSEvent(string(v.Status), gin.H{"id": v.ID, "status": v.Status, "error": v.Error, "stopped_early": v.Stopped})
			c.Writer.Flush()
			return nil
		}
		c.Writer.Flush()
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if v, err = svc.Get(ctx, id); err != nil {
			return nil // headers are sent; end the stream
		}
	}
}

func (s *Server) stopCircuitPlan(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	v, err := svc.Stop(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, v)
	return nil
}

func (s *Server) publishCircuitPlan(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	var in publishInput
	if err := decodeOptionalJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if dry {
		p, err := svc.PreviewPublish(c.Request.Context(), id, in.Version, in.Supersedes)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, p)
		return nil
	}
	p, err := svc.Publish(c.Request.Context(), id, in.Version, in.Supersedes, mustPrincipal(c).userID())
	if err != nil {
		return err
	}
	s.logger.InfoContext(c.Request.Context(), "circuit plan published", "request_id", requestID(c), "plan", id, "user", mustPrincipal(c).userID())
	c.JSON(http.StatusOK, p)
	return nil
}

func (s *Server) replanCircuitPlan(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	var in replanInput
	if err := decodeOptionalJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	var now time.Time
	if in.Now != "" {
		if d, err := data.ParseDate(in.Now); err == nil {
			now = d.Time()
		} else if now, err = time.Parse(time.RFC3339, in.Now); err != nil {
			return badRequest("now", fmt.Sprintf("now=%q is neither RFC 3339 nor YYYY-MM-DD", truncate(in.Now, 40)))
		}
	}
	v, err := svc.Replan(c.Request.Context(), id, now, mustPrincipal(c).userID())
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/circuit-plans/"+v.ID)
	c.JSON(http.StatusAccepted, v)
	return nil
}

func (s *Server) explainCircuitPlan(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	e, err := svc.Explain(c.Request.Context(), id)
	if err != nil {
		return err
	}
	p := mustPrincipal(c)
	if p.user.Role == data.UserTownshipCoordinator {
		if e.Unassigned, err = s.unassignedInTownship(c, e.Unassigned, p.user.TownshipID); err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, u := range e.Unassigned {
			keep[u.RequestID] = true
		}
		e.Decisions = slices.DeleteFunc(e.Decisions, func(d circuit.Decision) bool { return !keep[d.RequestID] })
	}
	c.JSON(http.StatusOK, e)
	return nil
}

func (s *Server) circuitSlots(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	q, err := query(c, "request", "k")
	if err != nil {
		return err
	}
	rid := q.Get("request")
	if !data.ValidID(rid) {
		return badRequest("request", "request= must name a request id")
	}
	k, err := intParam(q, "k", 3, 1, 20)
	if err != nil {
		return err
	}
	// The caller must be able to see the request (coordinators: own township).
	r, err := s.store.GetRequest(c.Request.Context(), rid)
	if err != nil {
		return err
	}
	if ok, err := s.canSee(c.Request.Context(), mustPrincipal(c), r); err != nil {
		return err
	} else if !ok {
		return notFound("no such request: " + rid)
	}
	slots, code, err := svc.SuggestSlots(c.Request.Context(), id, rid, k)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, slotsResult{PlanID: id, RequestID: rid, Slots: slots, Reason: code})
	return nil
}

func (s *Server) teamItinerary(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	q, err := query(c, "date", "format", "plan")
	if err != nil {
		return err
	}
	date, err := data.ParseDate(q.Get("date"))
	if err != nil {
		return badRequest("date", "date= is required as YYYY-MM-DD")
	}
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if !slices.Contains([]string{"json", "geojson", "gpx", "ics", "html"}, format) {
		return badRequest("format", "format="+truncate(format, 20)+" is not json, geojson, gpx, ics or html")
	}
	planID := q.Get("plan")
	if planID != "" && !data.ValidID(planID) {
		return badRequest("plan", "plan= is not a plan id")
	}
	ctx := c.Request.Context()
	p := mustPrincipal(c)
	if err := s.teamAccess(ctx, p, id); err != nil {
		return err
	}
	key := answerKey{route: "itinerary", team: id, from: date, to: date, plan: planID, publishedOnly: p.user.Role == data.UserTeamMember}
	a, err := s.scheduleAnswer(c, key, func() (*answer, error) {
		sh, err := svc.Itinerary(ctx, id, date, planID, key.publishedOnly)
		if err != nil {
			return nil, err
		}
		return newAnswer(sh, circuit.Week{}, sh)
	})
	if err != nil {
		return err
	}
	noteAccess(c, "request", a.ids...)
	sh := a.sheet
	name := fmt.Sprintf("%s-%s", sh.TeamID, date)
	switch format {
	case "geojson":
		b, err := sh.GeoJSON()
		if err != nil {
			return err
		}
		c.Data(http.StatusOK, "application/geo+json", b)
	case "gpx":
		b, err := sh.GPX()
		if err != nil {
			return err
		}
		c.Header("Content-Disposition", `attachment; filename="`+name+`.gpx"`)
		c.Data(http.StatusOK, "application/gpx+xml", b)
	case "ics":
		c.Header("Content-Disposition", `attachment; filename="`+name+`.ics"`)
		c.Data(http.StatusOK, "text/calendar; charset=utf-8", sh.ICS(s.cfg.Now()))
	case "html":
		c.Status(http.StatusOK)
		c.Header("Content-Type", "text/html; charset=utf-8")
		return sh.HTML(c.Writer)
	default:
		// The app's form: what changed since the caller's last pull.
		ch, err := s.pullChanges(ctx, p, id, sh)
		if err != nil {
			return err
		}
		body, err := withField(a.json, "changes", ch)
		if err != nil {
			return err
		}
		writeCached(c, a.etag, "application/json; charset=utf-8", body)
	}
	return nil
}

func (s *Server) visitOutcome(c *gin.Context) error {
	svc, err := s.circuitService()
	if err != nil {
		return err
	}
	vid := c.Param("id")
	if len(vid) > 200 {
		return notFound("no such visit")
	}
	var in outcomeInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if len([]rune(in.Note)) > 400 {
		return data.FieldError("note", "longer than 400 characters")
	}
	ctx := c.Request.Context()
	v, err := svc.FindVisit(ctx, vid)
	if err != nil {
		return err
	}
	t, err := s.store.GetTeam(ctx, v.TeamID)
	if err != nil {
		return err
	}
	p := mustPrincipal(c)
	if !teamVisible(p, t) {
		return notFound("no such visit") // out of scope answers like missing
	}
	if p.user.Role == data.UserTeamMember && !v.Published {
		return notFound("no such visit in a published plan")
	}
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 200 {
		return badRequest("Idempotency-Key", "the Idempotency-Key header is longer than 200 bytes")
	}
	rc, err := svc.Record(ctx, v, in.Outcome, in.Note, in.RequestIDs, p.userID(), key, outcomeFingerprint(vid, in))
	if err != nil {
		return err
	}
	if rc.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	s.logger.InfoContext(ctx, "visit outcome", "request_id", requestID(c), "visit", vid, "outcome", in.Outcome, "user", p.userID(),
		"replayed", rc.Replayed)
	c.JSON(http.StatusOK, outcomeResult{VisitID: vid, Outcome: string(in.Outcome), Requests: rc.Requests,
		RecordedAt: rc.RecordedAt, RecordedBy: p.userID(), Replayed: rc.Replayed})
	return nil
}

// outcomeFingerprint identifies an outcome call's content, so that an
// Idempotency-Key reused for another call is refused.
func outcomeFingerprint(vid string, in outcomeInput) string {
	b, _ := json.Marshal(struct {
		V string
		I outcomeInput
	}{vid, in}) // plain strings and slices: cannot fail
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
