package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// RequestIDHeader is the header carrying the request id, echoed on every
// response; a well-formed id sent by the client (or a proxy) is kept.
const RequestIDHeader = "X-Request-ID"

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxPrincipal
)

// requestIDMiddleware assigns each request an id (the client's if it is a
// sane token, else 16 random bytes in hex), sets it on the response and in
// the request context for logs and error bodies.
func requestIDMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Header(RequestIDHeader, id)
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), ctxRequestID, id))
		c.Next()
	}
}

// validRequestID accepts 1..128 characters of [A-Za-z0-9._:-]: enough for
// UUIDs and trace ids, and nothing that could forge log lines or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9',
			b == '.', b == '_', b == ':', b == '-':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// requestID returns the id assigned by requestIDMiddleware, or "".
func requestID(c *gin.Context) string {
	id, _ := c.Request.Context().Value(ctxRequestID).(string)
	return id
}

// RequestIDFromContext returns the request id of an API request context, or
// "" outside a request. Planners called from handlers can log it.
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID).(string)
	return id
}

// accessLog writes one structured line per request after it finished.
// Query strings are not logged: they may hold personal data (names, phones)
// in search filters.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case status >= 400:
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("route", c.FullPath()),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("remote", c.ClientIP()),
		}
		if p := principalOf(c); p != nil {
			attrs = append(attrs, slog.String("user", p.userID()), slog.String("role", p.role()))
		}
		s.logger.LogAttrs(c.Request.Context(), level, "http request", attrs...)
	}
}

// recovery turns a panic in a handler into a 500 JSON error with the request
// id, logging the panic value and stack. It must run inside requestID and
// accessLog so that the failed request is still logged and counted.
func (s *Server) recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nilWriter{}, func(c *gin.Context, rec any) {
		if err, ok := rec.(error); ok && err == http.ErrAbortHandler {
			panic(rec) // let net/http abort the connection as intended
		}
		s.fail(c, fmt.Errorf("panic: %v\n%s", rec, debug.Stack()))
	})
}

// nilWriter discards gin's own recovery output; recovery logs via slog.
type nilWriter struct{}

func (nilWriter) Write(p []byte) (int, error) { return len(p), nil }

// DefaultCSP is the Content-Security-Policy of every response that does not
// set its own (the web page sets a self-only one): nothing may load or run
// but inline style (the printable sheets and posters carry a <style>
// block). No script at all, inline or not, so an HTML answer (itinerary
// sheet, poster, an error) cannot run anything injected into it.
const DefaultCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// securityHeaders sets headers that cost nothing and stop browsers from
// sniffing JSON as HTML, running script in any page, or caching personal
// data.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", DefaultCSP)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		c.Next()
	}
}
