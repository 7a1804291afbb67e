package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// healthBody is the answer of /healthz and /readyz.
type healthBody struct {
	Status string `json:"status"`
}

// healthz answers 200 as long as the process serves HTTP; it checks no
// dependency, so that a database outage does not get the process killed.
func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, healthBody{Status: "ok"})
	return nil
}

// readyz answers 200 when the store answers a ping within 2 s, else 503, so
// that a load balancer stops sending traffic to an instance cut off from its
// database.
func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.logger.WarnContext(ctx, "readiness check failed", "error", err, "request_id", requestID(c))
		return &httpError{Status: http.StatusServiceUnavailable, Code: codeUnavailable, Message: "store not reachable"}
	}
	c.JSON(http.StatusOK, healthBody{Status: "ready"})
	return nil
}

func (s *Server) metricsHandler(c *gin.Context) error {
	s.metrics.Handler().ServeHTTP(c.Writer, c.Request)
	return nil
}

func (s *Server) openapi(c *gin.Context) error {
	c.JSON(http.StatusOK, s.spec)
	return nil
}

// meBody describes the caller.
type meBody struct {
	User data.User `json:"user"`
	// TokenID is the id of the token used (not secret).
	TokenID string `json:"token_id"`
}

func (s *Server) me(c *gin.Context) error {
	p := mustPrincipal(c)
	c.JSON(http.StatusOK, meBody{User: p.user, TokenID: p.token.ID})
	return nil
}

// listBody wraps every list answer, so that pagination fields can be added
// without breaking clients. Total counts all matches (for paginated lists)
// or equals len(Items).
type listBody[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit,omitempty"`
	Offset int `json:"offset,omitempty"`
}

func list[T any](items []T) listBody[T] {
	if items == nil {
		items = []T{}
	}
	return listBody[T]{Items: items, Total: len(items)}
}
