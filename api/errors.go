package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/optimizer/market"
)

// Error codes of the JSON error body. Clients switch on these, so they are
// only ever appended to, never renamed.
const (
	codeBadRequest           = "bad_request"            // 400: malformed JSON, unknown field, wrong type, bad query
	codeInvalid              = "invalid"                // 422: well-formed input that breaks a domain rule
	codeUnauthorized         = "unauthorized"           // 401: no or bad bearer token
	codeForbidden            = "forbidden"              // 403: authenticated, but the role may not do this
	codeNotFound             = "not_found"              // 404
	codeMethodNotAllowed     = "method_not_allowed"     // 405
	codeConflict             = "conflict"               // 409: duplicate id, stale version
	codeTooLarge             = "too_large"              // 413
	codeUnsupportedMediaType = "unsupported_media_type" // 415
	codePreconditionRequired = "precondition_required"  // 428: update without version or If-Match
	codeInternal             = "internal"               // 500: details are logged, never returned
	codeUnavailable          = "unavailable"            // 503: store not reachable (readyz)
	codeQueueFull            = "queue_full"             // 429: too many queued runs of a kind; see Retry-After
	codeTooManyRequests      = "too_many_requests"      // 429: over a rate limit (Retry-After says when to retry)
)

// httpError is an error the API returns as is: status, code, message and
// field are all meant for the client.
type httpError struct {
	Status  int
	Code    string
	Message string
	Field   string
	// noRoute marks the 404 of an unknown endpoint, the only 404 whose
	// message is kept (see uniformNotFound).
	noRoute bool
	// ID names the record the error is about (a 409 for a run in flight:
	// that run's id).
	ID string
	// RetryAfter, when > 0, is sent as the Retry-After header (seconds).
	RetryAfter int
	// Consequences, CanConfirm: see errorDetail.
	Consequences []market.Consequence
	CanConfirm   bool
}

func (e *httpError) Error() string { return e.Message }

// errorBody is the JSON shape of every error response:
//
//	{"error": {"code": "invalid", "message": "...", "field": "deadline", "request_id": "..."}}
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail is the inner object of errorBody.
type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// ID names the record in the way: for a 409 on a run of the same kind
	// and period already in flight, that run's id.
	ID        string `json:"id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Consequences list what a refused market-desk swap would do (409
	// field with_staff_id), so that a page can say it in its own language;
	// CanConfirm says whether the caller may accept them with confirm: true.
	Consequences []market.Consequence `json:"consequences,omitempty"`
	CanConfirm   bool                 `json:"can_confirm,omitempty"`
}

// fail writes err as a JSON error response and aborts the handler chain.
// Errors that are neither *httpError nor a domain error with a known kind are
// internal: the client gets a generic message with the request id, and the
// details go to the log only.
func (s *Server) fail(c *gin.Context, err error) {
	he := uniformNotFound(s.classify(err), c.Request.URL.Path)
	rid := requestID(c)
	if he.Status >= 500 {
		s.logger.ErrorContext(c.Request.Context(), "request failed",
			slog.String("request_id", rid), slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path), slog.Any("error", err))
	}
	s.metrics.Errors.WithLabelValues(he.Code).Inc()
	if he.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(he.RetryAfter))
	}
	c.AbortWithStatusJSON(he.Status, errorBody{Error: errorDetail{
		Code: he.Code, Message: he.Message, Field: he.Field, ID: he.ID, RequestID: rid,
		Consequences: he.Consequences, CanConfirm: he.CanConfirm,
	}})
}

// classify maps err to what the client may see.
func (s *Server) classify(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	if de, ok := domainError(err); ok {
		if de.Status == http.StatusTooManyRequests {
			de.RetryAfter = int(s.cfg.QueueRetryAfter.Seconds())
		}
		var sr *market.SwapRefused
		if errors.As(err, &sr) {
			de.Consequences, de.CanConfirm = sr.Consequences, sr.CanConfirm
		}
		return de
	}
	return &httpError{Status: http.StatusInternalServerError, Code: codeInternal,
		Message: "internal error; quote the request id when reporting it"}
}

// uniformNotFound gives every 404 of a known endpoint the same message,
// built from the request path alone, and no field: a record outside the
// caller's scope and a record that does not exist answer byte for byte the
// same (apart from the request id), whichever layer noticed (store, scope
// check, service), so that no caller can tell another township's ids from
// missing ones. TestOutOfScopeLikeMissing checks it on every route with an
// id.
func uniformNotFound(he *httpError, path string) *httpError {
	if he.Status != http.StatusNotFound || he.noRoute {
		return he
	}
	return &httpError{Status: http.StatusNotFound, Code: codeNotFound,
		Message: "not found (or outside your scope): " + truncate(strings.ToValidUTF8(path, "?"), 200)}
}

func badRequest(field, msg string) *httpError {
	return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: msg, Field: field}
}

func notFound(msg string) *httpError {
	return &httpError{Status: http.StatusNotFound, Code: codeNotFound, Message: msg}
}

func forbidden(msg string) *httpError {
	return &httpError{Status: http.StatusForbidden, Code: codeForbidden, Message: msg}
}

func unauthorized(msg string) *httpError {
	return &httpError{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: msg}
}
