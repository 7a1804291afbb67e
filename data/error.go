package data

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that callers (the HTTP layer, the command line)
// can react without parsing messages. Kinds are only ever appended, never
// renumbered: they may be logged or persisted.
type Kind uint8

// Error kinds. The HTTP status each one maps to is given in brackets; the
// mapping itself lives in the api package.
const (
	// Other is an unclassified error; treat it as Internal.
	Other Kind = iota
	// Invalid means the input broke a rule (bad field, unknown reference,
	// a malformed row) [400 or 422].
	Invalid
	// NotFound means the record does not exist [404].
	NotFound
	// Conflict means the write clashes with the current state: a duplicate
	// id, a stale version (optimistic concurrency), a forbidden status
	// transition [409].
	Conflict
	// Forbidden means the caller is known but may not do this [403].
	Forbidden
	// Unauthorized means the caller is not authenticated [401].
	Unauthorized
	// Internal is a failure of the system itself (database down, bug) [500].
	// Its message must not be shown to users.
	Internal
	// Busy means a bounded queue is full: try again later [429].
	Busy
)

var kindNames = [...]string{
	Other:        "other",
	Invalid:      "invalid",
	NotFound:     "not_found",
	Conflict:     "conflict",
	Forbidden:    "forbidden",
	Unauthorized: "unauthorized",
	Internal:     "internal",
	Busy:         "busy",
}

// String returns the snake_case name of k, used as the "code" in API errors.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error is the error type of the data layer, in the style of upspin and wtf.
// Op names the operation ("store.UpdateRequest"), Field the offending input
// field in JSON spelling ("household.phone") for Invalid errors, Message a
// human-readable reason safe to show to users, and Err an underlying cause
// (which, for Internal errors, may hold driver details not for users).
type Error struct {
	Op      string
	Kind    Kind
	Field   string
	Message string
	Err     error
	// ID names the record the error points at, when there is one: for a
	// Conflict with a run already in flight, that run.
	ID string
}

// ErrorID returns the ID of the first *Error in err's chain that has one.
func ErrorID(err error) string {
	for err != nil {
		if de, ok := err.(*Error); ok && de.ID != "" {
			return de.ID
		}
		err = errors.Unwrap(err)
	}
	return ""
}

// Error formats e as "op: field: message: cause", omitting empty parts.
func (e *Error) Error() string {
	var parts []string
	if e.Op != "" {
		parts = append(parts, e.Op)
	}
	if e.Field != "" {
		parts = append(parts, e.Field)
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	if len(parts) == 0 {
		return e.Kind.String()
	}
	return strings.Join(parts, ": ")
}

// Unwrap returns the cause, so that errors.Is and errors.As see through e.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid *Error naming field and the reason.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// WithOp returns err wrapped in an *Error carrying op, keeping the kind of
// err (errors.Is and errors.As still see err). It returns nil for a nil err.
func WithOp(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Kind: ErrorKind(err), Err: err}
}

// ErrorKind returns the kind of the first *Error in err's chain that has a
// kind other than Other; Internal when there is none and err is not nil;
// Other for a nil err.
func ErrorKind(err error) Kind {
	if err == nil {
		return Other
	}
	for e := err; e != nil; {
		var de *Error
		if !errors.As(e, &de) {
			break
		}
		if de.Kind != Other {
			return de.Kind
		}
		e = de.Err
	}
	return Internal
}

// ErrorField returns the Field of the first *Error in err's chain that names
// one, or "".
func ErrorField(err error) string {
	for e := err; e != nil; {
		var de *Error
		if !errors.As(e, &de) {
			return ""
		}
		if de.Field != "" {
			return de.Field
		}
		e = de.Err
	}
	return ""
}

// ErrorMessage returns a message safe to show to users: the Message of the
// first *Error that has one (prefixed by its field), or a generic text for
// Internal errors whose details must stay in the logs.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if ErrorKind(err) == Internal {
		return "internal error"
	}
	for e := err; e != nil; {
		var de *Error
		if !errors.As(e, &de) {
			break
		}
		if de.Message != "" {
			if de.Field != "" {
				return de.Field + ": " + de.Message
			}
			return de.Message
		}
		e = de.Err
	}
	return err.Error()
}

// RowError is one bad row of a bulk import. Line is the 1-based line number
// in the source file when known (CSV: the physical line, header = line 1;
// JSON arrays: the 1-based element index), else the 1-based position of the
// record in the batch.
type RowError struct {
	// Sheet is the workbook sheet of the row (Excel imports only).
	Sheet  string `json:"sheet,omitempty"`
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// Error formats r as "line N: field: reason", or "SHEET:ROW: field: reason"
// for a workbook row.
func (r RowError) Error() string {
	if r.Sheet != "" {
		if r.Field != "" {
			return fmt.Sprintf("%s:%d: %s: %s", r.Sheet, r.Line, r.Field, r.Reason)
		}
		return fmt.Sprintf("%s:%d: %s", r.Sheet, r.Line, r.Reason)
	}
	if r.Field != "" {
		return fmt.Sprintf("line %d: %s: %s", r.Line, r.Field, r.Reason)
	}
	return fmt.Sprintf("line %d: %s", r.Line, r.Reason)
}

// ImportError collects every bad row of a bulk import; nothing was written.
// It is always wrapped in an Invalid *Error, so ErrorKind reports Invalid.
type ImportError struct {
	Rows []RowError `json:"rows"`
}

// Error lists up to 20 bad rows, one per line.
func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad row(s), nothing imported", len(e.Rows))
	for i, r := range e.Rows {
		if i == 20 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Rows)-20)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(r.Error())
	}
	return b.String()
}

// Relabel replaces record positions (1-based index in the batch, as stores
// report them) by source line numbers: lines[i] is the line of record i.
// Positions outside lines are left as they are.
func (e *ImportError) Relabel(lines []int) {
	for i := range e.Rows {
		if k := e.Rows[i].Line - 1; k >= 0 && k < len(lines) {
			e.Rows[i].Line = lines[k]
		}
	}
}

// NewImportError wraps rows in an Invalid *Error for op, or returns nil when
// rows is empty.
func NewImportError(op string, rows []RowError) error {
	if len(rows) == 0 {
		return nil
	}
	return &Error{Op: op, Kind: Invalid, Message: "import rejected", Err: &ImportError{Rows: rows}}
}

// RowErrors returns the bad rows carried by err, or nil.
func RowErrors(err error) []RowError {
	var ie *ImportError
	if errors.As(err, &ie) {
		return ie.Rows
	}
	return nil
}
