package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/market"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// SetMarket installs the market-day planner and registers its endpoints
// (market days, bookings, demand, market plans and their views, feeds and
// posters) under /api/v1. Call it once, before Open. The routes are
// registered here rather than in routes() so that a server without a market
// service simply has no such endpoints, and so that this file is the only
// one the market planner touches.
func (s *Server) SetMarket(svc *market.Service) {
	m := &marketAPI{s: s, svc: svc}
	svc.Observe(func(d time.Duration, status string) {
		s.metrics.SolveSeconds.WithLabelValues("market", status).Observe(d.Seconds())
	})
	m.routes(s.engine.Group("/api/v1", s.authenticate()))
}

// marketAPI holds the market handlers' dependencies.
type marketAPI struct {
	s   *Server
	svc *market.Service
}

// bookingStatusInput is the body of POST /api/v1/bookings/{id}/status.
type bookingStatusInput struct {
	Status data.BookingStatus `json:"status" doc:"booked, served, cancelled or no_show"`
}

// marketPlanInput is the body of POST /api/v1/market-plans.
type marketPlanInput struct {
	From string `json:"from" doc:"first day, YYYY-MM-DD"`
	To   string `json:"to" doc:"last day, YYYY-MM-DD (at most 62 days after from)"`
}

// marketPlanCreated is the answer of POST /api/v1/market-plans.
type marketPlanCreated struct {
	ID     string `json:"id"`
	Status string `json:"status" doc:"queued"`
}

// marketPublishInput is the optional body of POST /market-plans/{id}/publish.
type marketPublishInput struct {
	Version    int64  `json:"version,omitempty" doc:"the plan version read; 0 = current"`
	Supersedes string `json:"supersedes,omitempty" doc:"the published plan this version replaces (required when one overlaps the period)"`
}

var (
	qMarketFrom  = apiParam{Name: "from", In: "query", Description: "first day, YYYY-MM-DD (default today, Asia/Shanghai)", Schema: &jsonSchema{Type: "string", Format: "date"}}
	qMarketTo    = apiParam{Name: "to", In: "query", Description: "last day, YYYY-MM-DD (default from + 27 days; at most 400 days)", Schema: &jsonSchema{Type: "string", Format: "date"}}
	qMarketMonth = apiParam{Name: "month", In: "query", Description: "YYYY-MM (default the plan's first month)", Schema: &jsonSchema{Type: "string"}}
)

func (m *marketAPI) routes(v1 *gin.RouterGroup) {
	s := m.s
	s.handle(v1, http.MethodGet, "/townships/:id/market-days", opSpec{roles: allRoles, tag: "market",
		summary:     "Market days (赶场日) of a township with their reasons",
		description: "From the township's cycle (solar 逢-digits, lunar days, every N days, weekdays) and its exceptions (added, moved, cancelled days). Seeded cycles are SAMPLE (sample: true).",
		query:       []apiParam{qMarketFrom, qMarketTo}, response: calendar.MarketDaysResult{}, errors: []int{400, 404}}, m.marketDays)
	s.handle(v1, http.MethodGet, "/townships/:id/market-flags", opSpec{roles: writers, tag: "market",
		summary: "Market days the coordinator must look at: statutory holidays and days without a staffed desk, with their bookings",
		description: "For each market day from–to (default today + 27 days, at most 92): reasons holiday (a statutory day off), no_desk (the published market plan covering the day has no staffed desk at this market) " +
			"or no_plan (bookings taken for a day no published plan covers), with the day's booked bookings. Coordinators: their own township only (403).",
		query: []apiParam{qMarketFrom, qMarketTo}, response: listBody[market.DayFlag]{}, errors: []int{400, 403, 404}}, m.dayFlags)
	s.handle(v1, http.MethodGet, "/townships/:id/market-calendar", opSpec{roles: allRoles, tag: "market",
		summary:     "A township's market cycle, hours, place and special days (特别日)",
		description: "notes lists, for the coming year, market days the calendar asks for that do not exist (a lunar day 30 in a 29-day month): they are not held and never moved. 404 for a township without a cycle.",
		response:    market.CalendarView{}, errors: []int{404}}, m.getCalendar)
	s.handle(v1, http.MethodPut, "/townships/:id/market-calendar", opSpec{roles: writers, tag: "market",
		summary: "Set a township's market cycle, hours, place and special days (特别日)",
		description: "Replaces the cycle, hours, place and special days (the record is no longer SAMPLE); added, moved and cancelled days are kept. " +
			"422 names the field: a cycle that does not parse (cycle.days …), a one-off lunar special day its month lacks (special_days[i].on, explained), bad hours. Coordinators: their own township only (403).",
		request: market.CalendarInput{}, response: market.CalendarView{}, errors: []int{400, 403, 404, 422}}, m.setCalendar)
	s.handle(v1, http.MethodPost, "/market-days/:township/:date/bookings", opSpec{roles: allRoles, tag: "market",
		summary:     "Book an item for a market day (订单式)",
		description: "Rejected with 422 naming the field: an unknown item (item_id), a past date or a date that is not a market day of the township (date), a household outside the township (household.village_id). A township coordinator may book only for their township; a team member only for the township their team is based in (county teams: not at all).",
		request:     market.BookingInput{}, response: data.Booking{}, status: http.StatusCreated, errors: []int{403, 404, 422}}, m.book)
	s.handle(v1, http.MethodGet, "/market-days/:township/:date/bookings", opSpec{roles: writers, tag: "market",
		summary: "Bookings of one market day (coordinators: their township only)", response: listBody[data.Booking]{}, errors: []int{403, 422}}, m.listBookings)
	s.handle(v1, http.MethodPost, "/bookings/:id/status", opSpec{roles: writers, tag: "market",
		summary:     "Record what became of a booking: served, no_show, cancelled (or booked again)",
		description: "Only booked bookings are planned; served ones feed the walk-in demand estimate. Coordinators: their township only.",
		request:     bookingStatusInput{}, response: data.Booking{}, errors: []int{403, 404, 422}}, m.bookingStatus)
	s.handle(v1, http.MethodGet, "/market-demand", opSpec{roles: allRoles, tag: "market",
		summary:     "Expected walk-in demand per township and item category on a market day",
		description: "(bookings + ledger requests served in the township over the last 90 days) / market days in those 90 days; see docs/market.md.",
		query:       []apiParam{qTownship}, response: listBody[market.Demand]{}, errors: []int{400}}, m.demand)
	s.handle(v1, http.MethodPost, "/market-plans", opSpec{roles: planners, tag: "market",
		summary:     "Plan the market-day desks of a horizon (asynchronous)",
		description: "Answers 202 with the plan id; poll GET /market-plans/{id} (any replica) until status is done, failed (error says why, e.g. its worker was lost) or cancelled. The plan runs as a durable job. A plan of the same dates while one is queued or running is 409 whose error.id names it; 429 with Retry-After when the queue of market plans is full.",
		request:     marketPlanInput{}, response: marketPlanCreated{}, status: http.StatusAccepted, errors: []int{403, 409, 422, 429}}, m.startPlan)
	s.handle(v1, http.MethodGet, "/market-plans", opSpec{roles: allRoles, tag: "market",
		summary: "List market plans, newest first", query: []apiParam{
			{Name: "date", In: "query", Description: "only plans whose dates contain this day, YYYY-MM-DD", Schema: &jsonSchema{Type: "string", Format: "date"}},
			{Name: "limit", In: "query", Description: "at most this many (1–1000, default 100)", Schema: &jsonSchema{Type: "integer"}}},
		response: listBody[market.PlanHeader]{}, errors: []int{400}}, m.listPlans)
	s.handle(v1, http.MethodGet, "/market-plans/:id", opSpec{roles: allRoles, tag: "market",
		summary:     "Status, desks, uncovered bookings, conflicts, locks and change log of a market plan",
		description: "status: queued, running, done or failed; publication: draft or published. Township coordinators see only their township.",
		response:    market.PlanView{}, errors: []int{404}}, m.getPlan)
	s.handle(v1, http.MethodDelete, "/market-plans/:id", opSpec{roles: planners, tag: "market",
		summary:     "Stop a queued or running market plan early (from any replica), keeping the best plan found",
		description: "A queued plan is cancelled at once; a running search stops within the queue's poll interval and its best plan so far is saved (status done, stopped_early true, stats.search_status cancelled). Answers 202 with the plan as it is now; a plan not queued or running is 409.",
		response:    market.PlanView{}, status: http.StatusAccepted, errors: []int{403, 404, 409}}, m.stopPlan)
	s.handle(v1, http.MethodPost, "/market-plans/:id/adjustments", opSpec{roles: writers, tag: "market",
		summary: "Adjust a draft plan: lock, unlock, swap a person, add or cancel a market day; re-plans at once",
		description: "Locks are kept and the rest changes as little as it must; a person needed in two places is reported in conflicts, never dropped silently. " +
			"Coordinators may adjust only their own township (403). A published plan or a stale version is 409.",
		request: market.Adjustment{}, response: market.PlanView{}, errors: []int{403, 404, 409, 422}}, m.adjust)
	s.handle(v1, http.MethodPost, "/market-plans/:id/publish", opSpec{roles: planners, tag: "market",
		summary: "Publish a finished draft market plan", request: marketPublishInput{}, response: market.PlanView{},
		errors: []int{403, 404, 409}}, m.publish)
	s.handle(v1, http.MethodGet, "/market-plans/:id/townships/:township", opSpec{roles: allRoles, tag: "market",
		summary: "A market plan's desks of one township", response: market.PlanView{}, errors: []int{403, 404}}, m.townshipView)
	s.handle(v1, http.MethodGet, "/market-plans/:id/townships/:township/calendar.ics", opSpec{roles: allRoles, tag: "market",
		summary: "iCalendar feed (RFC 5545, Asia/Shanghai) of a township's desks", contentType: "text/calendar", errors: []int{403, 404}}, m.townshipICS)
	s.handle(v1, http.MethodGet, "/market-plans/:id/townships/:township/poster", opSpec{roles: allRoles, tag: "market",
		summary: "Printable monthly poster of a township's market-day services (Chinese HTML, A4)", query: []apiParam{qMarketMonth},
		contentType: "text/html", errors: []int{403, 404, 422}}, m.poster)
	s.handle(v1, http.MethodGet, "/market-plans/:id/staff/:staff", opSpec{roles: allRoles, tag: "market",
		summary: "A market plan's desks of one person", response: market.PlanView{}, errors: []int{404}}, m.staffView)
	s.handle(v1, http.MethodGet, "/market-plans/:id/staff/:staff/calendar.ics", opSpec{roles: allRoles, tag: "market",
		summary: "iCalendar feed (RFC 5545, Asia/Shanghai) of one person's desks", contentType: "text/calendar", errors: []int{404}}, m.staffICS)
	s.handle(v1, http.MethodGet, "/market-plans/:id/afternoons", opSpec{roles: planners, tag: "market",
		summary:     "Free afternoons after market-morning desks (hand-over to the circuit planner)",
		description: "One entry per person and desk: the township, the date and the window from the desk's end plus lunch to the end of their working day.",
		response:    listBody[market.Afternoon]{}, errors: []int{403, 404}}, m.afternoons)
}

func marketActor(c *gin.Context) market.Actor {
	p := mustPrincipal(c)
	return market.Actor{UserID: p.user.ID, Role: p.user.Role, TownshipID: p.user.TownshipID}
}

func marketTownship(c *gin.Context) (string, error) {
	t := c.Param("township")
	if data.TownshipOf(t) != t || t == "" {
		return "", notFound("no such township: " + truncate(t, 80))
	}
	return t, nil
}

func (m *marketAPI) marketDays(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	q, err := query(c, "from", "to")
	if err != nil {
		return err
	}
	res, err := m.svc.MarketDaysResult(c.Request.Context(), id, q.Get("from"), q.Get("to"))
	if errors.Is(err, market.ErrBadQuery) {
		// a bad query parameter is a 400, as for every other query
		return badRequest(data.ErrorField(err), data.ErrorField(err)+": "+data.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, res)
	return nil
}

func (m *marketAPI) dayFlags(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	q, err := query(c, "from", "to")
	if err != nil {
		return err
	}
	from := data.DateOf(m.s.cfg.Now())
	if v := q.Get("from"); v != "" {
		if from, err = data.ParseDate(v); err != nil {
			return badRequest("from", "from= is not a date YYYY-MM-DD")
		}
	}
	to := from.AddDays(27)
	if v := q.Get("to"); v != "" {
		if to, err = data.ParseDate(v); err != nil {
			return badRequest("to", "to= is not a date YYYY-MM-DD")
		}
	}
	if to < from || from.AddDays(market.MaxFlagDays-1) < to {
		return badRequest("to", fmt.Sprintf("to= must be within %d days on or after from", market.MaxFlagDays))
	}
	fs, err := m.svc.DayFlags(c.Request.Context(), marketActor(c), id, from, to)
	if err != nil {
		return err
	}
	var ids []string
	for _, f := range fs {
		for _, b := range f.Bookings {
			ids = append(ids, b.ID)
		}
	}
	noteAccess(c, "booking", ids...)
	c.JSON(http.StatusOK, listBody[market.DayFlag]{Items: fs, Total: len(fs)})
	return nil
}

func (m *marketAPI) getCalendar(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := m.svc.Calendar(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *marketAPI) setCalendar(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in market.CalendarInput
	if err := decodeJSON(c.Writer, c.Request, m.s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.TownshipID != "" && in.TownshipID != id {
		return data.FieldError("township_id", "%q differs from the township of the path %s", in.TownshipID, id)
	}
	v, err := m.svc.SetCalendar(c.Request.Context(), marketActor(c), id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *marketAPI) book(c *gin.Context) error {
	tid, err := marketTownship(c)
	if err != nil {
		return err
	}
	var in market.BookingInput
	if err := decodeJSON(c.Writer, c.Request, m.s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if err := m.memberMayBook(c, tid); err != nil {
		return err
	}
	b, err := m.svc.Book(c.Request.Context(), marketActor(c), tid, c.Param("date"), in)
	if err != nil {
		return err
	}
	noteAccess(c, "booking", b.ID)
	c.JSON(http.StatusCreated, b)
	return nil
}

// memberMayBook limits a team member's bookings to the township their team
// is based in: a village agent (a one-person village team) books for the
// residents of their own township's market, a township team member for
// their township; members of county teams, based at the county centre, do
// not book at all (403). Other roles are checked by the market service
// (coordinators: own township).
func (m *marketAPI) memberMayBook(c *gin.Context, tid string) error {
	p := mustPrincipal(c)
	if p.user.Role != data.UserTeamMember {
		return nil
	}
	t, err := m.s.store.GetTeam(c.Request.Context(), p.user.TeamID)
	if err != nil && data.ErrorKind(err) != data.NotFound {
		return err
	}
	if err != nil || data.TownshipOf(t.HomeCode) != tid {
		return forbidden("a team member may book only for the township their team is based in")
	}
	return nil
}

func (m *marketAPI) listBookings(c *gin.Context) error {
	tid, err := marketTownship(c)
	if err != nil {
		return err
	}
	d, err := data.ParseDate(c.Param("date"))
	if err != nil {
		return data.FieldError("date", "%q is not a date YYYY-MM-DD", c.Param("date"))
	}
	bs, err := m.svc.Bookings(c.Request.Context(), marketActor(c), data.BookingFilter{TownshipID: tid, From: d, To: d})
	if err != nil {
		return err
	}
	ids := make([]string, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	noteAccess(c, "booking", ids...)
	c.JSON(http.StatusOK, listBody[data.Booking]{Items: bs, Total: len(bs)})
	return nil
}

func (m *marketAPI) bookingStatus(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in bookingStatusInput
	if err := decodeJSON(c.Writer, c.Request, m.s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	b, err := m.svc.SetBookingStatus(c.Request.Context(), marketActor(c), id, in.Status)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, b)
	return nil
}

func (m *marketAPI) demand(c *gin.Context) error {
	q, err := query(c, "township")
	if err != nil {
		return err
	}
	ds, err := m.svc.EstimateDemand(c.Request.Context(), q.Get("township"), data.DateOf(m.s.cfg.Now()))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, listBody[market.Demand]{Items: ds, Total: len(ds)})
	return nil
}

func (m *marketAPI) startPlan(c *gin.Context) error {
	var in marketPlanInput
	if err := decodeJSON(c.Writer, c.Request, m.s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	id, err := m.svc.StartPlan(c.Request.Context(), marketActor(c), in.From, in.To)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/market-plans/"+id)
	c.JSON(http.StatusAccepted, marketPlanCreated{ID: id, Status: market.RunQueued})
	return nil
}

func (m *marketAPI) listPlans(c *gin.Context) error {
	q, err := query(c, "date", "limit")
	if err != nil {
		return err
	}
	var day data.Date
	if q.Get("date") != "" {
		if day, err = data.ParseDate(q.Get("date")); err != nil {
			return badRequest("date", "date must be YYYY-MM-DD")
		}
	}
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	ps, err := m.svc.ListPlans(c.Request.Context(), day, limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, listBody[market.PlanHeader]{Items: ps, Total: len(ps)})
	return nil
}

// plan loads the plan of the :id parameter as the caller may see it.
func (m *marketAPI) plan(c *gin.Context) (market.PlanView, error) {
	id, err := pathID(c)
	if err != nil {
		return market.PlanView{}, err
	}
	return m.svc.GetPlan(c.Request.Context(), marketActor(c), id)
}

func (m *marketAPI) stopPlan(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := m.svc.Stop(c.Request.Context(), marketActor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, v)
	return nil
}

func (m *marketAPI) getPlan(c *gin.Context) error {
	v, err := m.plan(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *marketAPI) adjust(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in market.Adjustment
	if err := decodeJSON(c.Writer, c.Request, m.s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	v, err := m.svc.Adjust(c.Request.Context(), marketActor(c), id, in)
	if err != nil {
		return err
	}
	if a := marketActor(c); a.Role == data.UserTownshipCoordinator {
		v = v.Township(a.TownshipID)
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *marketAPI) publish(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in marketPublishInput
	if err := decodeOptionalJSON(c, m.s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	v, err := m.svc.Publish(c.Request.Context(), marketActor(c), id, in.Version, in.Supersedes)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// townshipPlan is the plan restricted to the :township parameter; a
// coordinator of another township gets 403.
func (m *marketAPI) townshipPlan(c *gin.Context) (market.PlanView, string, error) {
	tid, err := marketTownship(c)
	if err != nil {
		return market.PlanView{}, "", err
	}
	if a := marketActor(c); a.Role == data.UserTownshipCoordinator && a.TownshipID != tid {
		return market.PlanView{}, "", forbidden("a coordinator of " + a.TownshipID + " may not see the plan of township " + tid)
	}
	v, err := m.plan(c)
	if err != nil {
		return market.PlanView{}, "", err
	}
	return v.Township(tid), tid, nil
}

func (m *marketAPI) townshipView(c *gin.Context) error {
	v, _, err := m.townshipPlan(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *marketAPI) townshipICS(c *gin.Context) error {
	v, tid, err := m.townshipPlan(c)
	if err != nil {
		return err
	}
	b, err := m.svc.ICS(c.Request.Context(), v, "便民赶集日 "+tid, "")
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", b)
	return nil
}

func (m *marketAPI) poster(c *gin.Context) error {
	q, err := query(c, "month")
	if err != nil {
		return err
	}
	v, tid, err := m.townshipPlan(c)
	if err != nil {
		return err
	}
	b, err := m.svc.Poster(c.Request.Context(), v, tid, q.Get("month"))
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", b)
	return nil
}

// staffPlan is the plan restricted to the :staff parameter.
func (m *marketAPI) staffPlan(c *gin.Context) (market.PlanView, string, error) {
	sid := c.Param("staff")
	if !data.ValidID(sid) {
		return market.PlanView{}, "", notFound("no such staff: " + truncate(sid, 80))
	}
	if _, err := m.s.store.GetStaff(c.Request.Context(), sid); err != nil {
		return market.PlanView{}, "", err
	}
	v, err := m.plan(c)
	if err != nil {
		return market.PlanView{}, "", err
	}
	return v.Person(sid), sid, nil
}

func (m *marketAPI) staffView(c *gin.Context) error {
	v, _, err := m.staffPlan(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *marketAPI) staffICS(c *gin.Context) error {
	v, sid, err := m.staffPlan(c)
	if err != nil {
		return err
	}
	b, err := m.svc.ICS(c.Request.Context(), v, "便民赶集日 "+sid, sid)
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", b)
	return nil
}

func (m *marketAPI) afternoons(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	as, err := m.svc.PlanAfternoons(c.Request.Context(), marketActor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, listBody[market.Afternoon]{Items: as, Total: len(as)})
	return nil
}
