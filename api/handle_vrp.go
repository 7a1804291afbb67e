package api

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// vrpProblem and vrpSolution stand for VROOM's JSON input and output in the
// OpenAPI description; the bodies are passed through as raw JSON.
type (
	vrpProblem  map[string]any
	vrpSolution map[string]any
)

// solveVRP passes a VROOM-format problem to the configured solver. The body
// limit is SolverMaxBodyBytes: a matrix for a few hundred locations is
// megabytes.
func (s *Server) solveVRP(c *gin.Context) error {
	if err := requireJSON(c.Request); err != nil {
		return err
	}
	if c.Request.ContentLength > SolverMaxBodyBytes {
		return tooLarge(SolverMaxBodyBytes)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, SolverMaxBodyBytes))
	if err != nil {
		return tooLarge(SolverMaxBodyBytes)
	}
	if s.vrp == nil {
		return &httpError{Status: http.StatusServiceUnavailable, Code: codeUnavailable, Message: "no VRP solver is configured in this server"}
	}
	out, err := s.vrp(c.Request.Context(), body)
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "application/json", out)
	return nil
}
