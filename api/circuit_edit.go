package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// editInput is the body of POST /circuit-plans/{id}/edits: the plan version
// read (or If-Match) and one edit.
type editInput struct {
	Version   *int64         `json:"version,omitempty" doc:"the plan version read; alternative to If-Match"`
	Op        circuit.EditOp `json:"op" doc:"move, assign, remove, pin or unpin"`
	TeamID    string         `json:"team_id,omitempty" doc:"the visit's team (move, remove, pin, unpin)"`
	Date      data.Date      `json:"date,omitempty" doc:"the visit's day"`
	Seq       int            `json:"seq,omitempty" doc:"the visit's 1-based position that day"`
	RequestID string         `json:"request_id,omitempty" doc:"the request to assign (assign)"`
	ToTeamID  string         `json:"to_team_id,omitempty" doc:"target team (move, assign; default the visit's own)"`
	ToDate    data.Date      `json:"to_date,omitempty" doc:"target day (move, assign; default the visit's own)"`
	ToSeq     int            `json:"to_seq,omitempty" doc:"1-based target position (0 = at the end)"`
}

// undoInput is the body of POST /circuit-plans/{id}/edits/undo.
type undoInput struct {
	Version *int64 `json:"version,omitempty" doc:"the plan version read; alternative to If-Match"`
}

// infeasibleBody is the answer to an edit that breaks a rule: the usual
// error object (code infeasible, the first violation as message) plus the
// whole evaluation.
type infeasibleBody struct {
	Error      errorDetail        `json:"error"`
	Evaluation circuit.Evaluation `json:"evaluation"`
}

// codeInfeasible is the error code of a refused plan edit (422).
const codeInfeasible = "infeasible"

func (s *Server) circuitEditRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodPost, "/circuit-plans/:id/edits", opSpec{roles: planners, tag: "circuits",
		summary: "Edit a draft plan by hand: move, assign, remove, pin or unpin a visit",
		description: "Every edit is first evaluated on the server with the planner's own re-timing and independent check: " +
			"`evaluation` says whether the changed routes still keep every rule, lists each broken rule (window, shift, lunch, skill, level, area, deadline, team) with its team, day, stop and request, " +
			"and gives the change in travel seconds and late minutes. A feasible edit is applied in one write that checks the plan version (409 when stale) and is recorded in the edit log; " +
			"an infeasible one is refused with 422 `infeasible` and the evaluation, and changes nothing. With dry_run=true nothing is written and the answer is 200 either way. Only drafts can be edited (409).",
		query:   []apiParam{qIfMatch, {Name: "dry_run", In: "query", Description: "evaluate only (true/false)", Schema: &jsonSchema{Type: "boolean"}}},
		request: editInput{}, response: circuit.EditResult{}, errors: []int{400, 403, 404, 409, 422, 428, 503}}, s.editCircuitPlan)
	s.handle(v1, http.MethodPost, "/circuit-plans/:id/edits/undo", opSpec{roles: planners, tag: "circuits",
		summary:     "Undo the last edit of a draft plan (the log keeps both)",
		description: "Restores the routes the edit changed and the unassigned list; 409 when there is nothing to undo or the version is stale.",
		query:       []apiParam{qIfMatch}, request: undoInput{}, response: circuit.EditResult{}, errors: []int{403, 404, 409, 428, 503}}, s.undoCircuitEdit)
	s.handle(v1, http.MethodGet, "/circuit-plans/:id/edits", opSpec{roles: planners, tag: "circuits",
		summary: "The edit log of a plan, oldest first", response: listBody[circuit.EditRecord]{}, errors: []int{403, 404, 503}}, s.listCircuitEdits)
}

func (s *Server) editCircuitPlan(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	var in editInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	version, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	e := circuit.Edit{Op: in.Op, TeamID: in.TeamID, Date: in.Date, Seq: in.Seq, RequestID: in.RequestID,
		ToTeamID: in.ToTeamID, ToDate: in.ToDate, ToSeq: in.ToSeq}
	user := mustPrincipal(c).userID()
	res, err := svc.EditPlan(c.Request.Context(), id, version, e, user, dry)
	if errors.Is(err, circuit.ErrInfeasible) {
		if dry {
			c.JSON(http.StatusOK, res)
			return nil
		}
		msg := "the edit breaks a rule of the plan"
		if v := res.Evaluation.Violations; len(v) > 0 {
			msg = v[0].Error()
		}
		s.metrics.Errors.WithLabelValues(codeInfeasible).Inc()
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, infeasibleBody{
			Error:      errorDetail{Code: codeInfeasible, Message: msg, Field: "op", RequestID: requestID(c)},
			Evaluation: res.Evaluation})
		return nil
	}
	if err != nil {
		return err
	}
	if res.Applied {
		s.logger.InfoContext(c.Request.Context(), "circuit plan edited", "request_id", requestID(c), "plan", id,
			"op", string(in.Op), "version", res.Plan.Version, "user", user)
		c.Header("ETag", strconv.Quote(strconv.FormatInt(res.Plan.Version, 10)))
	}
	c.JSON(http.StatusOK, res)
	return nil
}

func (s *Server) undoCircuitEdit(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	var in undoInput
	if err := decodeOptionalJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	version, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	user := mustPrincipal(c).userID()
	res, err := svc.UndoEdit(c.Request.Context(), id, version, user)
	if err != nil {
		return err
	}
	s.logger.InfoContext(c.Request.Context(), "circuit plan edit undone", "request_id", requestID(c), "plan", id, "of", res.Record.Of, "user", user)
	c.Header("ETag", strconv.Quote(strconv.FormatInt(res.Plan.Version, 10)))
	c.JSON(http.StatusOK, res)
	return nil
}

func (s *Server) listCircuitEdits(c *gin.Context) error {
	svc, id, err := s.circuitPlanRef(c)
	if err != nil {
		return err
	}
	log, err := svc.Edits(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(log))
	return nil
}
