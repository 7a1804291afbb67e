package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// absenceInput is the body of POST /absences.
type absenceInput struct {
	StaffID string           `json:"staff_id" doc:"the person who is away"`
	From    data.Date        `json:"from" doc:"first day away, YYYY-MM-DD"`
	To      data.Date        `json:"to" doc:"last day away, YYYY-MM-DD (default from)"`
	Kind    data.AbsenceKind `json:"kind,omitempty" doc:"leave (default), sick, training or other"`
	Reason  string           `json:"reason" doc:"why (1–200 characters)"`
}

// cancelAbsenceInput is the optional body of POST /absences/{id}/cancel.
type cancelAbsenceInput struct {
	Version int64 `json:"version,omitempty" doc:"the absence version read; 0 = current"`
}

// absenceResult answers POST /absences and POST /absences/{id}/cancel:
// the absence and the person-days of published plans it takes away (those
// plans need a re-plan).
type absenceResult struct {
	Absence data.Absence `json:"absence"`
	// Affected are the claims of published plans on the absent days.
	Affected []data.Claim `json:"affected"`
}

// maxCalendarDays bounds the staff calendar's range.
const maxCalendarDays = 62

var (
	qAbsStaff = apiParam{Name: "staff", In: "query", Description: "one staff id", Schema: &jsonSchema{Type: "string"}}
	qFrom     = apiParam{Name: "from", In: "query", Description: "first day, YYYY-MM-DD", Schema: &jsonSchema{Type: "string", Format: "date"}}
	qTo       = apiParam{Name: "to", In: "query", Description: "last day, YYYY-MM-DD", Schema: &jsonSchema{Type: "string", Format: "date"}}
)

// calendarRoutes registers absences and the staff calendar on v1.
func (s *Server) calendarRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/absences", opSpec{roles: writers, tag: "people",
		summary:     "List staff absences (leave, sick, training) overlapping a range",
		description: "Township coordinators see the absences of staff based in their township only. Cancelled absences are left out unless include_cancelled=true.",
		query: []apiParam{qAbsStaff, qFrom, qTo, {Name: "include_cancelled", In: "query", Description: "true to list cancelled absences too",
			Schema: &jsonSchema{Type: "boolean"}}},
		response: listBody[data.Absence]{}, errors: []int{400}}, s.listAbsences)
	s.handle(v1, http.MethodPost, "/absences", opSpec{roles: writers, tag: "people",
		summary:     "Record an absence; answers the published person-days it takes away",
		description: "Both planners plan around absences. When a published plan counts on the person on an absent day, `affected` lists those claims and the plan shows needs_replan. Coordinators record absences of their township's staff only (others are 422 unknown staff).",
		request:     absenceInput{}, response: absenceResult{}, status: http.StatusCreated, errors: []int{400, 409, 422}}, s.createAbsence)
	s.handle(v1, http.MethodPost, "/absences/:id/cancel", opSpec{roles: writers, tag: "people",
		summary: "Cancel an absence (kept in the history, no longer counted)", request: cancelAbsenceInput{}, response: absenceResult{},
		errors: []int{404, 409}}, s.cancelAbsence)
	s.handle(v1, http.MethodGet, "/staff-calendar", opSpec{roles: allRoles, tag: "people",
		summary:     "The staff calendar: each person-day is circuit, market_desk, desk_duty, leave or rest",
		description: "circuit and market_desk days are claimed by published plans (plan_id, ref = team or township); a leave day still claimed by a plan has claimed_while_away; a village agent's day lists in guiding the visits of other teams the agent guides (plan, team, stop, from arrival to departure). Coordinators see their township's staff, team members their own team. At most 62 days.",
		query:       []apiParam{qAbsStaff, qTownship, qFrom, qTo}, response: listBody[data.CalendarDay]{}, errors: []int{400}}, s.staffCalendar)
}

// staffScope returns whether the caller may see (and, for writers, manage
// the absences of) a staff member.
func (s *Server) staffScope(ctx context.Context, p *principal) (func(data.Staff) bool, error) {
	return s.phoneScope(ctx, p)
}

// dateRange reads optional from/to query parameters.
func dateRange(q url.Values) (data.Date, data.Date, error) {
	var out [2]data.Date
	for i, name := range []string{"from", "to"} {
		if v := q.Get(name); v != "" {
			d, err := data.ParseDate(v)
			if err != nil {
				return "", "", badRequest(name, fmt.Sprintf("%s=%q is not a date YYYY-MM-DD", name, truncate(v, 20)))
			}
			out[i] = d
		}
	}
	if out[0] != "" && out[1] != "" && out[1] < out[0] {
		return "", "", badRequest("to", "to is before from")
	}
	return out[0], out[1], nil
}

func (s *Server) listAbsences(c *gin.Context) error {
	q, err := query(c, "staff", "from", "to", "include_cancelled")
	if err != nil {
		return err
	}
	from, to, err := dateRange(q)
	if err != nil {
		return err
	}
	inc := q.Get("include_cancelled")
	if inc != "" && inc != "true" && inc != "false" {
		return badRequest("include_cancelled", "include_cancelled must be true or false")
	}
	ctx := c.Request.Context()
	as, err := s.store.ListAbsences(ctx, data.AbsenceFilter{StaffID: q.Get("staff"), From: from, To: to, IncludeCancelled: inc == "true"})
	if err != nil {
		return err
	}
	as, err = s.absencesInScope(ctx, mustPrincipal(c), as)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(as))
	return nil
}

// absencesInScope keeps the absences of staff the caller may see.
func (s *Server) absencesInScope(ctx context.Context, p *principal, as []data.Absence) ([]data.Absence, error) {
	see, err := s.staffScope(ctx, p)
	if err != nil {
		return nil, err
	}
	staff, err := s.store.ListStaff(ctx, data.StaffFilter{})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]data.Staff, len(staff))
	for _, st := range staff {
		byID[st.ID] = st
	}
	out := []data.Absence{}
	for _, a := range as {
		if see(byID[a.StaffID]) {
			out = append(out, a)
		}
	}
	return out, nil
}

// staffForWrite returns the staff member id if the caller may manage their
// absences; an unknown or out-of-scope person is the same Invalid error.
func (s *Server) staffForWrite(ctx context.Context, p *principal, id string) error {
	st, err := s.store.GetStaff(ctx, id)
	if data.ErrorKind(err) == data.NotFound {
		return data.FieldError("staff_id", "unknown staff %s", id)
	}
	if err != nil {
		return err
	}
	see, err := s.staffScope(ctx, p)
	if err != nil {
		return err
	}
	if !see(st) {
		return data.FieldError("staff_id", "unknown staff %s", id)
	}
	return nil
}

func (s *Server) createAbsence(c *gin.Context) error {
	var in absenceInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.To == "" {
		in.To = in.From
	}
	ctx := c.Request.Context()
	p := mustPrincipal(c)
	a := data.Absence{StaffID: in.StaffID, From: in.From, To: in.To, Kind: in.Kind, Reason: in.Reason, CreatedBy: p.userID()}
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.staffForWrite(ctx, p, in.StaffID); err != nil {
		return err
	}
	if err := s.store.CreateAbsence(ctx, &a); err != nil {
		return err
	}
	affected, err := s.store.ListClaims(ctx, data.ClaimFilter{StaffID: a.StaffID, From: a.From, To: a.To})
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "absence recorded", "request_id", requestID(c), "absence", a.ID, "staff", a.StaffID,
		"from", a.From, "to", a.To, "affected", len(affected), "user", p.userID())
	c.Header("Location", "/api/v1/absences?staff="+url.QueryEscape(a.StaffID))
	c.JSON(http.StatusCreated, absenceResult{Absence: a, Affected: affected})
	return nil
}

func (s *Server) cancelAbsence(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in cancelAbsenceInput
	if err := decodeOptionalJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	ctx := c.Request.Context()
	p := mustPrincipal(c)
	a, err := s.store.GetAbsence(ctx, id)
	if err != nil {
		return err
	}
	if err := s.staffForWrite(ctx, p, a.StaffID); err != nil {
		return notFound("no such absence")
	}
	a, err = s.store.CancelAbsence(ctx, id, in.Version, p.userID())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, absenceResult{Absence: a, Affected: []data.Claim{}})
	return nil
}

func (s *Server) staffCalendar(c *gin.Context) error {
	q, err := query(c, "staff", "township", "from", "to")
	if err != nil {
		return err
	}
	from, to, err := dateRange(q)
	if err != nil {
		return err
	}
	if from == "" || to == "" {
		return badRequest("from", "from and to are required")
	}
	if to > from.AddDays(maxCalendarDays-1) {
		return badRequest("to", fmt.Sprintf("at most %d days", maxCalendarDays))
	}
	tw := q.Get("township")
	if err := townshipParam(tw); err != nil {
		return err
	}
	ctx := c.Request.Context()
	staff, err := s.store.ListStaff(ctx, data.StaffFilter{TownshipID: tw})
	if err != nil {
		return err
	}
	see, err := s.staffScope(ctx, mustPrincipal(c))
	if err != nil {
		return err
	}
	abs, err := s.store.ListAbsences(ctx, data.AbsenceFilter{StaffID: q.Get("staff"), From: from, To: to})
	if err != nil {
		return err
	}
	claims, err := s.store.ListClaims(ctx, data.ClaimFilter{StaffID: q.Get("staff"), From: from, To: to})
	if err != nil {
		return err
	}
	guided, err := s.guidedItineraries(ctx, claims, from, to)
	if err != nil {
		return err
	}
	out := []data.CalendarDay{}
	for _, st := range staff {
		if (q.Get("staff") != "" && st.ID != q.Get("staff")) || !see(st) {
			continue
		}
		days := data.StaffCalendar(st, abs, claims, from, to, s.restDay, adjustedWorkday)
		if st.Role == data.RoleVillageAgent || st.Role == data.RoleGridWorker {
			for i := range days {
				if days[i].PlanID != "" {
					days[i].Guiding = data.GuideSpans(guided, st.ID, days[i].Date)
				}
			}
		}
		out = append(out, days...)
	}
	c.JSON(http.StatusOK, list(out))
	return nil
}

// guidedItineraries returns the itineraries from–to of the published
// circuit plans holding claims (the guide spans of village agents are read
// from their stops).
func (s *Server) guidedItineraries(ctx context.Context, claims []data.Claim, from, to data.Date) ([]data.Itinerary, error) {
	seen := map[string]bool{}
	var out []data.Itinerary
	for _, c := range claims {
		if c.Kind != data.DayCircuit || seen[c.PlanID] {
			continue
		}
		seen[c.PlanID] = true
		its, err := s.store.ListItineraries(ctx, data.ItineraryFilter{PlanID: c.PlanID, From: from, To: to})
		if err != nil {
			return nil, err
		}
		out = append(out, its...)
	}
	return out, nil
}

// adjustedWorkday reports whether d is an adjusted working day (调休): a
// weekend day the staff calendar counts as worked with weekday shifts.
func adjustedWorkday(d data.Date) bool { return calendar.AdjustedWorkday(string(d)) }

// restDay reports whether d is a statutory day off (not an adjusted working
// day): staff calendars show it as rest unless a plan claims it.
func (s *Server) restDay(d data.Date) bool {
	_, off := calendar.StatutoryDayOff(string(d))
	return off
}
