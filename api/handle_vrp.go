package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/optimizer/vrp/vroom"
)

// vrpProblem and vrpSolution stand for VROOM's JSON input and output in the
// OpenAPI description (see docs/vroom.md for their fields).
type (
	vrpProblem  map[string]any
	vrpSolution map[string]any
)

// VRP solve limits: solves are CPU-bound and the machine is small, so the
// time limit is capped and at most MaxConcurrentSolves run at once; others
// wait for a slot until their request is cancelled.
const (
	DefaultSolveTime    = 5 * time.Second
	MaxSolveTime        = 30 * time.Second
	MaxConcurrentSolves = 2
)

// SetVRPMatrix installs the travel-matrix source used by POST /api/v1/vrp
// for problems that give coordinates but no matrices. Without it, such
// problems answer 502 with VROOM code 3. Call it before Open.
func (s *Server) SetVRPMatrix(f vroom.MatrixFunc) { s.vrpMatrix = f }

// solveVRP solves a VROOM-format problem. Solver errors are answered in
// VROOM's own shape ({"code": 2, "error": "jobs[3]...: ..."}) so that
// existing VROOM clients understand them; authentication, size and content
// type errors keep the API's error shape.
func (s *Server) solveVRP(c *gin.Context) error {
	q, err := query(c, "time_limit")
	if err != nil {
		return err
	}
	limit := DefaultSolveTime
	if v := q.Get("time_limit"); v != "" {
		sec, err := strconv.ParseFloat(v, 64)
		if err != nil || sec <= 0 || sec > MaxSolveTime.Seconds() {
			return badRequest("time_limit", fmt.Sprintf("time_limit must be seconds in (0, %g]", MaxSolveTime.Seconds()))
		}
		limit = time.Duration(sec * float64(time.Second))
	}
	if err := requireJSON(c.Request); err != nil {
		return err
	}
	if c.Request.ContentLength > SolverMaxBodyBytes {
		return tooLarge(SolverMaxBodyBytes)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, SolverMaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(SolverMaxBodyBytes)
		}
		return badRequest("", "cannot read request body")
	}
	ctx := c.Request.Context()
	select {
	case s.solveSlots <- struct{}{}:
		defer func() { <-s.solveSlots }()
	case <-ctx.Done():
		return &httpError{Status: http.StatusServiceUnavailable, Code: codeUnavailable, Message: "all solver slots busy; retry later"}
	}
	start := time.Now()
	out, err := vroom.SolveBytes(ctx, body, vroom.Options{TimeLimit: limit, Threads: 1, Seed: 1, Matrix: s.vrpMatrix})
	status := "ok"
	if err != nil {
		status = "error"
	}
	s.metrics.SolveSeconds.WithLabelValues("vrp", status).Observe(time.Since(start).Seconds())
	if err != nil {
		code := vroom.HTTPStatus(err)
		if code >= 500 {
			s.logger.ErrorContext(ctx, "vrp solve failed", slog.String("request_id", requestID(c)), slog.Any("error", err))
		}
		s.metrics.Errors.WithLabelValues("vrp_" + strconv.Itoa(vroom.Code(err))).Inc()
		c.AbortWithStatusJSON(code, vroom.ErrorOutput(err))
		return nil
	}
	c.JSON(http.StatusOK, out)
	return nil
}
