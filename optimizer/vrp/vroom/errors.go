package vroom

import (
	"errors"
	"fmt"
	"net/http"
)

// Status codes of VROOM's output "code" key.
const (
	// CodeOK means no error.
	CodeOK = 0
	// CodeInternal is an internal error (a bug: please report it).
	CodeInternal = 1
	// CodeInput is an input error: bad JSON, invalid or unsupported field.
	CodeInput = 2
	// CodeRouting is a routing error: no matrix could be obtained.
	CodeRouting = 3
)

// Error is a failure with a VROOM status code. Field names the offending
// input field in JSON path form ("jobs[3].time_windows[0]") when known.
type Error struct {
	Code  int
	Field string
	Msg   string
	Err   error
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Field != "" {
		s = e.Field + ": " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func inputErr(field, format string, a ...any) *Error {
	return &Error{Code: CodeInput, Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Code returns the VROOM status code of err: CodeOK for nil, the code of an
// *Error, CodeInternal for anything else.
func Code(err error) int {
	if err == nil {
		return CodeOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// HTTPStatus maps err to an HTTP status for the API: 200 for nil, 400 for
// input errors, 502 for routing errors (the matrix source failed), 500
// otherwise.
func HTTPStatus(err error) int {
	switch Code(err) {
	case CodeOK:
		return http.StatusOK
	case CodeInput:
		return http.StatusBadRequest
	case CodeRouting:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// ErrorOutput returns the answer VROOM gives on failure: {"code": c,
// "error": "..."}. Internal errors carry a generic message so that no
// internals leak to API users; the cause stays in err for logs.
func ErrorOutput(err error) *Output {
	c := Code(err)
	msg := err.Error()
	if c == CodeInternal {
		msg = "internal error"
	}
	return &Output{Code: c, Error: msg}
}
