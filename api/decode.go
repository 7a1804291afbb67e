package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/gin-gonic/gin"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Body size limits. The default applies to every JSON endpoint; bulk
// endpoints (the VRP solver) get a larger one. Bodies are read through
// http.MaxBytesReader, and a Content-Length above the limit is rejected before
// a single byte is read.
const (
	// DefaultMaxBodyBytes is the body limit of ordinary JSON endpoints.
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB
	// SolverMaxBodyBytes is the body limit of problem-upload endpoints.
	SolverMaxBodyBytes = 8 << 20 // 8 MiB
)

// decodeJSON reads one JSON value from r into dst, enforcing the content type,
// the body limit (in bytes), unknown-field rejection and the absence of
// trailing data. Every failure is an *httpError naming the problem, with the
// field and the line/column where the decoder can tell.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(limit)
		}
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: "cannot read request body"}
	}
	return decodeJSONBytes(body, dst)
}

// decodeJSONBytes decodes body (one JSON value) into dst strictly: unknown
// object fields and trailing data are errors. It never panics on any input;
// FuzzDecodeRequestCreate exercises it.
// decodeOptionalJSON decodes the body into dst like decodeJSON when there
// is one, and leaves dst unchanged for a request without a body (an action
// such as publish whose input is optional).
func decodeOptionalJSON(c *gin.Context, limit int64, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return decodeJSON(c.Writer, c.Request, limit, dst)
}

func decodeJSONBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: "request body is empty; a JSON object is expected"}
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(body, err)
	}
	// A second value (or garbage) after the object is a client bug that
	// would otherwise be silently ignored.
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(body, dec.InputOffset())
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest,
			Message: fmt.Sprintf("malformed JSON at line %d, column %d: unexpected data after the JSON value", line, col)}
	}
	return nil
}

// jsonError turns an encoding/json error into a 400 naming the problem.
func jsonError(body []byte, err error) *httpError {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(body, syn.Offset)
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest,
			Message: fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, syn.Error())}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		line, col := lineCol(body, int64(len(body)))
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest,
			Message: fmt.Sprintf("malformed JSON at line %d, column %d: unexpected end of input", line, col)}
	case errors.As(err, &typ):
		line, col := lineCol(body, typ.Offset)
		field := typ.Field
		msg := fmt.Sprintf("wrong type at line %d, column %d: got JSON %s, want %s", line, col, typ.Value, jsonTypeName(typ.Type.String()))
		if field != "" {
			msg = fmt.Sprintf("field %q has the wrong type at line %d, column %d: got JSON %s, want %s", field, line, col, typ.Value, jsonTypeName(typ.Type.String()))
		}
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: msg, Field: field}
	}
	// encoding/json reports unknown fields and bad field values (from a
	// custom UnmarshalJSON) as plain errors; pick the field name out of the
	// former, whose text is stable: `json: unknown field "name"`.
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		field := strings.Trim(rest, `"`)
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest,
			Message: fmt.Sprintf("unknown field %q", field), Field: field}
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: fe.Error(), Field: fe.Field}
	}
	return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: "malformed JSON: " + strings.TrimPrefix(msg, "json: ")}
}

// FieldError is returned by custom JSON decoders of request types to name the
// field whose value could not be parsed (e.g. a date in the wrong format).
type FieldError struct {
	// Field is the JSON name of the field.
	Field string
	// Message says what was wrong, for the client.
	Message string
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// jsonTypeName gives a client-facing name for a Go type in a type error.
func jsonTypeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map["):
		return "an object"
	}
	return "an object"
}

// lineCol converts a byte offset in body into a 1-based line and column
// (columns count bytes, as offsets do).
func lineCol(body []byte, offset int64) (line, col int) {
	if offset < 0 {
		offset = 0
	}
	if offset > int64(len(body)) {
		offset = int64(len(body))
	}
	prefix := body[:offset]
	line = 1 + bytes.Count(prefix, []byte{'\n'})
	col = int(offset) - (bytes.LastIndexByte(prefix, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

// requireJSON rejects a request whose Content-Type is not application/json
// (parameters such as charset=utf-8 are allowed) with 415.
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return &httpError{Status: http.StatusUnsupportedMediaType, Code: codeUnsupportedMediaType,
			Message: fmt.Sprintf("Content-Type must be application/json, got %q", ct)}
	}
	return nil
}

func tooLarge(limit int64) *httpError {
	return &httpError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge,
		Message: fmt.Sprintf("request body exceeds the limit of %d bytes", limit)}
}
