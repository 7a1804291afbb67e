package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// peopleWriteRoutes registers the staff and team writes (planners only):
// skills, shifts (availability, day hours) and membership. Leave and
// absences go through /absences (the staff calendar both planners read).
func (s *Server) peopleWriteRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodPost, "/staff", opSpec{roles: planners, tag: "people",
		summary:     "Add a staff member (skills, role, home, weekly availability)",
		description: "A duplicate id is 409; a bad field is 422 naming it. Leave and absences are recorded with POST /absences.",
		request:     data.Staff{}, response: data.Staff{}, status: http.StatusCreated, errors: []int{403, 409, 422}}, s.createStaff)
	s.handle(v1, http.MethodPut, "/staff/:id", opSpec{roles: planners, tag: "people",
		summary:     "Replace a staff member's record (skills, shifts, department, phone)",
		description: "Send the version you read in `version` or as `If-Match: \"<version>\"`; a stale version is 409 and nothing changes.",
		query:       []apiParam{qIfMatch}, request: data.Staff{}, response: data.Staff{},
		errors: []int{403, 404, 409, 422, 428}}, s.putStaff)
	s.handle(v1, http.MethodPost, "/teams", opSpec{roles: planners, tag: "people",
		summary: "Add a team (level, home, members, day hours, lunch, travel mode)", request: data.Team{}, response: data.Team{},
		status: http.StatusCreated, errors: []int{403, 409, 422}}, s.createTeam)
	s.handle(v1, http.MethodPut, "/teams/:id", opSpec{roles: planners, tag: "people",
		summary:     "Replace a team's record (members, hours, level)",
		description: "Send the version you read in `version` or as `If-Match`; a stale version is 409 and nothing changes.",
		query:       []apiParam{qIfMatch}, request: data.Team{}, response: data.Team{},
		errors: []int{403, 404, 409, 422, 428}}, s.putTeam)
}

// singleRecord turns a one-record batch's ImportError into the field error
// of that record.
func singleRecord(err error) error {
	if rows := data.RowErrors(err); len(rows) == 1 {
		return data.FieldError(rows[0].Field, "%s", rows[0].Reason)
	}
	return err
}

// sentVersion resolves the version a PUT read (body or If-Match, 428 when
// neither) and answers 409 at once when the record has moved on; the store
// checks again inside its transaction, which is what makes it safe.
func sentVersion(c *gin.Context, what, id string, body, have int64) (int64, error) {
	var bp *int64
	if body != 0 {
		bp = &body
	}
	v, err := expectedVersion(c, bp)
	if err != nil {
		return 0, err
	}
	if v != have {
		return 0, &httpError{Status: http.StatusConflict, Code: codeConflict, Field: "version",
			Message: fmt.Sprintf("%s %s is at version %d, not %d: someone else changed it; reload and retry", what, id, have, v)}
	}
	return v, nil
}

// pathBodyID checks that a body's id is absent or equals the path's.
func pathBodyID(c *gin.Context, body *string) (string, error) {
	id, err := pathID(c)
	if err != nil {
		return "", err
	}
	if *body != "" && *body != id {
		return "", badRequest("id", "the body's id "+truncate(*body, 64)+" differs from the path's "+id)
	}
	*body = id
	return id, nil
}

func (s *Server) createStaff(c *gin.Context) error {
	var st data.Staff
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &st); err != nil {
		return err
	}
	if err := st.Validate(); err != nil {
		return err
	}
	st.Version = 0
	ctx := c.Request.Context()
	if _, err := s.store.GetStaff(ctx, st.ID); err == nil {
		return &httpError{Status: http.StatusConflict, Code: codeConflict, Field: "id", Message: "staff " + st.ID + " already exists; use PUT to change it"}
	} else if data.ErrorKind(err) != data.NotFound {
		return err
	}
	return s.saveStaff(c, st, http.StatusCreated)
}

func (s *Server) putStaff(c *gin.Context) error {
	var st data.Staff
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &st); err != nil {
		return err
	}
	id, err := pathBodyID(c, &st.ID)
	if err != nil {
		return err
	}
	old, err := s.store.GetStaff(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if st.Version, err = sentVersion(c, "staff", id, st.Version, old.Version); err != nil {
		return err
	}
	if err := st.Validate(); err != nil {
		return err
	}
	return s.saveStaff(c, st, http.StatusOK)
}

func (s *Server) saveStaff(c *gin.Context, st data.Staff, status int) error {
	ctx := c.Request.Context()
	if err := s.store.PutStaff(ctx, []data.Staff{st}); err != nil {
		return singleRecord(err)
	}
	got, err := s.store.GetStaff(ctx, st.ID)
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "staff saved", "request_id", requestID(c), "staff", st.ID, "user", mustPrincipal(c).userID())
	c.JSON(status, got)
	return nil
}

func (s *Server) createTeam(c *gin.Context) error {
	var t data.Team
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &t); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	t.Version = 0
	if _, err := s.store.GetTeam(c.Request.Context(), t.ID); err == nil {
		return &httpError{Status: http.StatusConflict, Code: codeConflict, Field: "id", Message: "team " + t.ID + " already exists; use PUT to change it"}
	} else if data.ErrorKind(err) != data.NotFound {
		return err
	}
	return s.saveTeam(c, t, http.StatusCreated)
}

func (s *Server) putTeam(c *gin.Context) error {
	var t data.Team
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &t); err != nil {
		return err
	}
	id, err := pathBodyID(c, &t.ID)
	if err != nil {
		return err
	}
	old, err := s.store.GetTeam(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if t.Version, err = sentVersion(c, "team", id, t.Version, old.Version); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return s.saveTeam(c, t, http.StatusOK)
}

func (s *Server) saveTeam(c *gin.Context, t data.Team, status int) error {
	ctx := c.Request.Context()
	if err := s.store.PutTeams(ctx, []data.Team{t}); err != nil {
		return singleRecord(err)
	}
	got, err := s.store.GetTeam(ctx, t.ID)
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "team saved", "request_id", requestID(c), "team", t.ID, "user", mustPrincipal(c).userID())
	c.JSON(status, got)
	return nil
}
