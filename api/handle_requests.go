package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// requestInput is the body of POST /api/v1/requests. Read-only fields of
// data.Request (township_id, status, history, source, version, timestamps)
// are absent, so sending them is an unknown-field error rather than being
// silently ignored.
type requestInput struct {
	// ID is optional; the store assigns "R-…" when empty.
	ID           string              `json:"id,omitempty"`
	Ledger       data.Ledger         `json:"ledger"`
	Household    data.Household      `json:"household"`
	Groups       []data.Group        `json:"groups,omitempty"`
	ItemIDs      []string            `json:"item_ids"`
	Priority     *int                `json:"priority,omitempty" doc:"1 (routine, default) … 5 (most urgent)"`
	VisitWindows []data.WeeklyWindow `json:"visit_windows,omitempty"`
	Deadline     data.Date           `json:"deadline,omitempty" doc:"YYYY-MM-DD, not before today"`
	Summary      string              `json:"summary,omitempty"`
}

// toRequest builds the record to create.
func (in requestInput) toRequest() data.Request {
	pr := 1
	if in.Priority != nil {
		pr = *in.Priority
	}
	return data.Request{
		ID: in.ID, Ledger: in.Ledger, Household: in.Household, Groups: in.Groups, ItemIDs: in.ItemIDs,
		Priority: pr, VisitWindows: in.VisitWindows, Deadline: in.Deadline, Summary: in.Summary,
		Source: "api",
	}
}

// requestReplace is the body of PUT /api/v1/requests/{id}: every editable
// field, plus the version read (or If-Match).
type requestReplace struct {
	Version      *int64              `json:"version,omitempty" doc:"the version read; alternative to If-Match"`
	Ledger       data.Ledger         `json:"ledger"`
	Household    data.Household      `json:"household"`
	Groups       []data.Group        `json:"groups,omitempty"`
	ItemIDs      []string            `json:"item_ids"`
	Priority     int                 `json:"priority"`
	VisitWindows []data.WeeklyWindow `json:"visit_windows,omitempty"`
	Deadline     data.Date           `json:"deadline,omitempty"`
	Summary      string              `json:"summary,omitempty"`
}

// householdPatch changes some household fields.
type householdPatch struct {
	Name      *string     `json:"name,omitempty"`
	Phone     *string     `json:"phone,omitempty"`
	VillageID *string     `json:"village_id,omitempty"`
	Address   *string     `json:"address,omitempty"`
	Location  *data.Point `json:"location,omitempty"`
}

// requestPatch is the body of PATCH /api/v1/requests/{id}: absent (or null)
// fields keep their value; an empty string clears deadline, summary or
// address.
type requestPatch struct {
	Version      *int64               `json:"version,omitempty" doc:"the version read; alternative to If-Match"`
	Ledger       *data.Ledger         `json:"ledger,omitempty"`
	Household    *householdPatch      `json:"household,omitempty"`
	Groups       *[]data.Group        `json:"groups,omitempty"`
	ItemIDs      *[]string            `json:"item_ids,omitempty"`
	Priority     *int                 `json:"priority,omitempty"`
	VisitWindows *[]data.WeeklyWindow `json:"visit_windows,omitempty"`
	Deadline     *data.Date           `json:"deadline,omitempty"`
	Summary      *string              `json:"summary,omitempty"`
}

func (p requestPatch) apply(r *data.Request) {
	if p.Ledger != nil {
		r.Ledger = *p.Ledger
	}
	if h := p.Household; h != nil {
		if h.Name != nil {
			r.Household.Name = *h.Name
		}
		if h.Phone != nil {
			r.Household.Phone = *h.Phone
		}
		if h.VillageID != nil {
			r.Household.VillageID = *h.VillageID
		}
		if h.Address != nil {
			r.Household.Address = *h.Address
		}
		if h.Location != nil {
			loc := *h.Location
			r.Household.Location = &loc
		}
	}
	if p.Groups != nil {
		r.Groups = *p.Groups
	}
	if p.ItemIDs != nil {
		r.ItemIDs = *p.ItemIDs
	}
	if p.Priority != nil {
		r.Priority = *p.Priority
	}
	if p.VisitWindows != nil {
		r.VisitWindows = *p.VisitWindows
	}
	if p.Deadline != nil {
		r.Deadline = *p.Deadline
	}
	if p.Summary != nil {
		r.Summary = *p.Summary
	}
}

// statusInput is the body of POST /api/v1/requests/{id}/status.
type statusInput struct {
	Version *int64      `json:"version,omitempty" doc:"the version read; alternative to If-Match"`
	To      data.Status `json:"to"`
	Note    string      `json:"note,omitempty"`
}

// requestScope restricts f to what the caller may see. A township
// coordinator asking for another township silently gets nothing (the same
// answer as for a township without requests), so listing cannot be used to
// probe other townships.
func (s *Server) requestScope(p *principal, f *data.RequestFilter) error {
	switch p.user.Role {
	case data.UserAdmin, data.UserCountyPlanner:
		return nil
	case data.UserTownshipCoordinator:
		// Their township's households, and the requests their desk
		// accepted for households of other townships (无差别受理).
		if f.TownshipID != "" && f.TownshipID != p.user.TownshipID {
			f.IDs = []string{}
		}
		f.DeskTownship = p.user.TownshipID
		return nil
	case data.UserTeamMember:
		if p.user.TeamID == "" {
			f.IDs = []string{}
		}
		f.TeamID = p.user.TeamID
		return nil
	}
	f.IDs = []string{}
	return nil
}

// canSee reports whether the caller may see request r. Requests outside the
// caller's scope are answered 404, exactly like missing ones, so ids of
// other townships' households cannot be probed.
func (s *Server) canSee(ctx context.Context, p *principal, r data.Request) (bool, error) {
	switch p.user.Role {
	case data.UserAdmin, data.UserCountyPlanner:
		return true, nil
	case data.UserTownshipCoordinator:
		return p.user.TownshipID != "" && (r.TownshipID == p.user.TownshipID || r.AcceptedTownship == p.user.TownshipID), nil
	case data.UserTeamMember:
		ids, err := s.store.RequestIDsForTeam(ctx, p.user.TeamID, "", "")
		if err != nil {
			return false, err
		}
		return slices.Contains(ids, r.ID), nil
	}
	return false, nil
}

// checkVillageScope answers 403 when a township coordinator writes a
// request for a village outside their township.
func checkVillageScope(p *principal, villageID string) error {
	if p.user.Role != data.UserTownshipCoordinator {
		return nil
	}
	if data.TownshipOf(villageID) != p.user.TownshipID {
		return &httpError{Status: http.StatusForbidden, Code: codeForbidden, Field: "household.village_id",
			Message: fmt.Sprintf("village %s is outside your township %s", truncate(villageID, 20), p.user.TownshipID)}
	}
	return nil
}

// loadRequest fetches the request of the :id parameter, answering 404 when
// it is missing or outside the caller's scope.
func (s *Server) loadRequest(c *gin.Context) (data.Request, error) {
	id, err := pathID(c)
	if err != nil {
		return data.Request{}, err
	}
	ctx := c.Request.Context()
	r, err := s.store.GetRequest(ctx, id)
	if err != nil {
		return data.Request{}, err
	}
	ok, err := s.canSee(ctx, mustPrincipal(c), r)
	if err != nil {
		return data.Request{}, err
	}
	if !ok {
		return data.Request{}, notFound("no such request: " + id)
	}
	return r, nil
}

func (s *Server) listRequests(c *gin.Context) error {
	q, err := query(c, "township", "village", "status", "ledger", "group", "deadline_before", "order", "limit", "offset")
	if err != nil {
		return err
	}
	f := data.RequestFilter{TownshipID: q.Get("township"), VillageID: q.Get("village"),
		Ledger: data.Ledger(q.Get("ledger")), Group: data.Group(q.Get("group")), DeadlineBefore: data.Date(q.Get("deadline_before"))}
	if err := townshipParam(f.TownshipID); err != nil {
		return err
	}
	if f.VillageID != "" && (!data.ValidCode(f.VillageID) || strings.HasSuffix(f.VillageID, "000")) {
		return badRequest("village", "village="+truncate(f.VillageID, 40)+" is not a village code 511822xxxyyy")
	}
	if st := q.Get("status"); st != "" {
		for _, v := range strings.Split(st, ",") {
			if !data.Status(v).Valid() {
				return badRequest("status", fmt.Sprintf("status %q is not one of %v", truncate(v, 40), data.Statuses))
			}
			f.Statuses = append(f.Statuses, data.Status(v))
		}
	}
	if f.Ledger != "" && !f.Ledger.Valid() {
		return badRequest("ledger", "ledger must be proxy, appeal or hardship")
	}
	if f.Group != "" && !f.Group.Valid() {
		return badRequest("group", fmt.Sprintf("group %q is not one of %v", truncate(string(f.Group), 40), data.Groups))
	}
	if f.DeadlineBefore != "" && !f.DeadlineBefore.Valid() {
		return badRequest("deadline_before", "deadline_before must be a date YYYY-MM-DD")
	}
	switch f.Order = q.Get("order"); f.Order {
	case "", "id", "priority", "deadline", "created":
	default:
		return badRequest("order", "order must be id, priority, deadline or created")
	}
	if f.Limit, err = intParam(q, "limit", data.DefaultLimit, 1, data.MaxLimit); err != nil {
		return err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := s.requestScope(mustPrincipal(c), &f); err != nil {
		return err
	}
	rs, total, err := s.store.ListRequests(ctx, f)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []data.Request{}
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	noteAccess(c, "request", ids...)
	c.JSON(http.StatusOK, listBody[data.Request]{Items: rs, Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

func (s *Server) createRequest(c *gin.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	var in requestInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	p := mustPrincipal(c)
	r := in.toRequest()
	r.CreatedBy = p.user.ID // the first history entry is by this user
	// Format checks first, so that a malformed village code is reported as
	// invalid (422) rather than as outside the caller's township (403).
	if err := r.Validate(); err != nil {
		return err
	}
	// 无差别受理: a coordinator's desk accepts for a household of any
	// township; the request is planned in the household's township and
	// stays visible to the accepting desk.
	if p.user.Role == data.UserTownshipCoordinator && data.TownshipOf(r.Household.VillageID) != p.user.TownshipID {
		r.AcceptedTownship = p.user.TownshipID
	}
	ctx := c.Request.Context()
	if dry {
		// Every check of a real create runs (village, items, duplicate id),
		// then the store rolls back: a form can validate before saving.
		if err := s.store.CreateRequest(data.DryRun(ctx), &r); err != nil {
			return err
		}
		c.Header("X-Dry-Run", "true")
		c.JSON(http.StatusOK, r)
		return nil
	}
	if err := s.store.CreateRequest(ctx, &r); err != nil {
		return err
	}
	s.logger.InfoContext(c.Request.Context(), "request created", "request_id", requestID(c), "id", r.ID, "user", p.user.ID)
	c.Header("Location", "/api/v1/requests/"+r.ID)
	writeRequest(c, http.StatusCreated, r)
	return nil
}

func writeRequest(c *gin.Context, status int, r data.Request) {
	noteAccess(c, "request", r.ID)
	c.Header("ETag", strconv.Quote(strconv.FormatInt(r.Version, 10)))
	c.JSON(status, r)
}

func (s *Server) getRequest(c *gin.Context) error {
	r, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	writeRequest(c, http.StatusOK, r)
	return nil
}

func (s *Server) requestHistory(c *gin.Context) error {
	r, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	h, err := s.store.RequestHistory(c.Request.Context(), r.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(h))
	return nil
}

// expectedVersion resolves the version the client read, from the body
// (version) and/or the If-Match header ("3", W/"3" or 3). Both absent is 428;
// both present and different is 400.
func expectedVersion(c *gin.Context, body *int64) (int64, error) {
	var hdr *int64
	if im := strings.TrimSpace(c.GetHeader("If-Match")); im != "" {
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(im, "W/"), `"`), 10, 64)
		if err != nil || v < 1 {
			return 0, badRequest("If-Match", `If-Match must be the version read, e.g. "3"`)
		}
		hdr = &v
	}
	switch {
	case body == nil && hdr == nil:
		return 0, &httpError{Status: http.StatusPreconditionRequired, Code: codePreconditionRequired, Field: "version",
			Message: "send the version you read, in the body's version or as If-Match, so that concurrent edits are not lost"}
	case body != nil && hdr != nil && *body != *hdr:
		return 0, badRequest("version", fmt.Sprintf("body version %d differs from If-Match %d", *body, *hdr))
	case body != nil:
		if *body < 1 {
			return 0, badRequest("version", "version must be ≥ 1")
		}
		return *body, nil
	}
	return *hdr, nil
}

// staleIfDifferent answers 409 right away when the client's version is not
// the one just read; the store re-checks inside its transaction, which is
// what makes concurrent updates safe.
func staleIfDifferent(r data.Request, version int64) error {
	if r.Version != version {
		return &httpError{Status: http.StatusConflict, Code: codeConflict, Field: "version",
			Message: fmt.Sprintf("request %s is at version %d, not %d: re-read it and retry", r.ID, r.Version, version)}
	}
	return nil
}

// checkNewDeadline refuses a changed deadline in the past; an unchanged old
// deadline does not block editing other fields.
func (s *Server) checkNewDeadline(old, r data.Request) error {
	if r.Deadline != "" && r.Deadline != old.Deadline && r.Deadline.Valid() && r.Deadline < data.DateOf(s.cfg.Now()) {
		return data.FieldError("deadline", "%s is before today (%s)", r.Deadline, data.DateOf(s.cfg.Now()))
	}
	return nil
}

// update runs the common tail of PUT and PATCH.
func (s *Server) update(c *gin.Context, old, r data.Request, version int64) error {
	p := mustPrincipal(c)
	if err := staleIfDifferent(old, version); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if err := checkVillageScope(p, r.Household.VillageID); err != nil && (old.AcceptedTownship != p.user.TownshipID || r.Household.VillageID != old.Household.VillageID) {
		// The accepting desk may edit its request, but not move it to another village.
		return err
	}
	if err := s.checkNewDeadline(old, r); err != nil {
		return err
	}
	r.Version = version
	if err := s.store.UpdateRequest(c.Request.Context(), &r); err != nil {
		return err
	}
	s.logger.InfoContext(c.Request.Context(), "request updated", "request_id", requestID(c), "id", r.ID, "version", r.Version, "user", p.user.ID)
	writeRequest(c, http.StatusOK, r)
	return nil
}

func (s *Server) putRequest(c *gin.Context) error {
	var in requestReplace
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	version, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	old, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	r := old
	r.Ledger, r.Household, r.Groups, r.ItemIDs = in.Ledger, in.Household, in.Groups, in.ItemIDs
	r.Priority, r.VisitWindows, r.Deadline, r.Summary = in.Priority, in.VisitWindows, in.Deadline, in.Summary
	if r.Groups == nil {
		r.Groups = []data.Group{}
	}
	if r.VisitWindows == nil {
		r.VisitWindows = []data.WeeklyWindow{}
	}
	return s.update(c, old, r, version)
}

func (s *Server) patchRequest(c *gin.Context) error {
	var in requestPatch
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	version, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	old, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	r := old
	r.Groups = slices.Clone(old.Groups)
	r.ItemIDs = slices.Clone(old.ItemIDs)
	in.apply(&r)
	return s.update(c, old, r, version)
}

func (s *Server) transitionRequest(c *gin.Context) error {
	var in statusInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	version, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	if !in.To.Valid() {
		return data.FieldError("to", "%q is not one of %v", in.To, data.Statuses)
	}
	if len([]rune(in.Note)) > 500 {
		return data.FieldError("note", "longer than 500 characters")
	}
	p := mustPrincipal(c)
	if in.To.Closed() && p.user.Role == data.UserTeamMember {
		return &httpError{Status: http.StatusForbidden, Code: codeForbidden, Field: "to",
			Message: "only planners and coordinators may withdraw or cancel a request; record the visit's outcome instead"}
	}
	if in.To == data.StatusMerged {
		return data.FieldError("to", "a request becomes merged only through POST /api/v1/requests/{id}/merge")
	}
	old, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	if err := staleIfDifferent(old, version); err != nil {
		return err
	}
	r, err := s.store.TransitionRequest(c.Request.Context(), data.RequestTransition{
		ID: old.ID, Version: version, To: in.To, By: p.user.ID, Note: in.Note})
	if err != nil {
		return err
	}
	s.logger.InfoContext(c.Request.Context(), "request status changed", "request_id", requestID(c), "id", r.ID,
		"from", old.Status, "to", r.Status, "user", p.user.ID)
	writeRequest(c, http.StatusOK, r)
	return nil
}

// mergeInput is the body of POST /api/v1/requests/{id}/merge: the request
// of the path is the duplicate, folded into the request named by into.
type mergeInput struct {
	Version     *int64 `json:"version,omitempty" doc:"the duplicate's version read; alternative to If-Match"`
	Into        string `json:"into" doc:"the request that is kept"`
	IntoVersion int64  `json:"into_version" doc:"the kept request's version read"`
	Reason      string `json:"reason,omitempty" doc:"why they are duplicates (stored in both histories)"`
}

// mergeResult answers a merge: both records after it.
type mergeResult struct {
	Duplicate data.Request `json:"duplicate"`
	Kept      data.Request `json:"kept"`
}

func (s *Server) mergeRequest(c *gin.Context) error {
	var in mergeInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	version, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	if !data.ValidID(in.Into) {
		return data.FieldError("into", "%q is not a request id", truncate(in.Into, 70))
	}
	if in.IntoVersion < 1 {
		return data.FieldError("into_version", "the kept request's version is required (≥ 1)")
	}
	if len([]rune(in.Reason)) > 500 {
		return data.FieldError("reason", "longer than 500 characters")
	}
	dup, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	if err := staleIfDifferent(dup, version); err != nil {
		return err
	}
	ctx := c.Request.Context()
	p := mustPrincipal(c)
	// The kept request must be visible too; one outside the caller's scope
	// is reported exactly like a missing one.
	if keep, err := s.store.GetRequest(ctx, in.Into); err == nil {
		if ok, err := s.canSee(ctx, p, keep); err != nil {
			return err
		} else if !ok {
			return data.FieldError("into", "unknown request %s", in.Into)
		}
	} else if data.ErrorKind(err) == data.NotFound {
		return data.FieldError("into", "unknown request %s", in.Into)
	} else {
		return err
	}
	d, k, err := s.store.MergeRequests(ctx, data.RequestMerge{ID: dup.ID, Version: version, IntoID: in.Into,
		IntoVersion: in.IntoVersion, By: p.user.ID, Note: in.Reason})
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "request merged", "request_id", requestID(c), "id", d.ID, "into", k.ID, "user", p.user.ID)
	c.JSON(http.StatusOK, mergeResult{Duplicate: d, Kept: k})
	return nil
}

// duplicateCandidate is a request that may be the same need as another.
type duplicateCandidate struct {
	Request data.Request `json:"request"`
	// Reasons say why it matches: same_phone, same_name, same_items.
	Reasons []string `json:"reasons"`
}

// duplicateReasons returns why b may duplicate a (nil when it does not):
// the same phone or the same household name in the same township, with
// shared items noted.
func duplicateReasons(a, b data.Request) []string {
	var out []string
	if a.Household.Phone != "" && a.Household.Phone == b.Household.Phone {
		out = append(out, "same_phone")
	}
	if strings.TrimSpace(a.Household.Name) == strings.TrimSpace(b.Household.Name) {
		out = append(out, "same_name")
	}
	if len(out) == 0 {
		return nil
	}
	for _, it := range b.ItemIDs {
		if slices.Contains(a.ItemIDs, it) {
			out = append(out, "same_items")
			break
		}
	}
	return out
}

func (s *Server) requestDuplicates(c *gin.Context) error {
	r, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	f := data.RequestFilter{TownshipID: r.TownshipID, Limit: data.MaxLimit,
		Statuses: []data.Status{data.StatusPending, data.StatusPlanned, data.StatusFailed, data.StatusFollowUp, data.StatusDone}}
	if err := s.requestScope(mustPrincipal(c), &f); err != nil {
		return err
	}
	out := []duplicateCandidate{}
	for f.Offset = 0; ; f.Offset += f.Limit {
		rs, total, err := s.store.ListRequests(c.Request.Context(), f)
		if err != nil {
			return err
		}
		for _, o := range rs {
			if o.ID == r.ID {
				continue
			}
			if why := duplicateReasons(r, o); why != nil {
				out = append(out, duplicateCandidate{Request: o, Reasons: why})
			}
		}
		if f.Offset+f.Limit >= total {
			break
		}
	}
	c.JSON(http.StatusOK, list(out))
	return nil
}
