package api

import (
	"errors"
	"net/http"

	"github.com/yingjing/xunhui/data"
)

// kindStatus is the one table mapping data error kinds to HTTP statuses and
// error codes. Invalid is 422, not 400: the body was well-formed JSON (400 is
// kept for syntax, unknown fields and wrong types) but broke a domain rule
// such as an unknown village or a deadline in the past.
var kindStatus = map[data.Kind]struct {
	status int
	code   string
}{
	data.Invalid:      {http.StatusUnprocessableEntity, codeInvalid},
	data.NotFound:     {http.StatusNotFound, codeNotFound},
	data.Conflict:     {http.StatusConflict, codeConflict},
	data.Forbidden:    {http.StatusForbidden, codeForbidden},
	data.Unauthorized: {http.StatusUnauthorized, codeUnauthorized},
	data.Busy:         {http.StatusTooManyRequests, codeQueueFull},
	// Internal and Other are absent on purpose: they become a generic 500.
}

// domainError maps a *data.Error with a client-facing kind to an httpError
// carrying its user-safe message and field. It reports false for internal
// errors and for errors that are not from the data layer.
func domainError(err error) (*httpError, bool) {
	var de *data.Error
	if !errors.As(err, &de) {
		return nil, false
	}
	m, ok := kindStatus[data.ErrorKind(err)]
	if !ok {
		return nil, false
	}
	return &httpError{Status: m.status, Code: m.code, Message: data.ErrorMessage(err), Field: data.ErrorField(err), ID: data.ErrorID(err)}, true
}
