package data

import (
	"time"
	"unicode/utf8"
)

// OutcomeRecord asks the store to record the outcome of one visit: every
// request of RequestIDs goes to status To, in one transaction (all or
// none). A request whose direct change to To is not allowed but which may
// go there through planned (a pending request visited without a published
// plan) is walked through planned first.
type OutcomeRecord struct {
	// VisitID names the visit (for the history note).
	VisitID string
	// RequestIDs are the requests served at the visit (≥ 1).
	RequestIDs []string
	// To is done, failed or follow_up.
	To Status
	// Note is the history note of each change (≤ 2000 bytes).
	Note string
	// By is the acting user.
	By string
	// IdempotencyKey, when set, makes the call idempotent for (By, key): the
	// first success is stored with its answer in the same transaction; a
	// repeat with the same Fingerprint answers the stored result
	// (Replayed) and writes nothing; with another Fingerprint it is a
	// Conflict (field Idempotency-Key). 1–200 characters.
	IdempotencyKey string
	// Fingerprint identifies the call's content (e.g. a hash of the body).
	Fingerprint string
}

// OutcomeReceipt is the answer of RecordOutcome.
type OutcomeReceipt struct {
	// Requests are the requests after the change, in RequestIDs order.
	Requests []Request `json:"requests"`
	// RecordedAt is when the outcome was written (UTC).
	RecordedAt time.Time `json:"recorded_at"`
	// Replayed is true when the answer is the stored one of an earlier call
	// with the same idempotency key.
	Replayed bool `json:"replayed,omitempty"`
}

// Validate checks o; errors are Invalid and name the field.
func (o OutcomeRecord) Validate() error {
	if len(o.RequestIDs) == 0 {
		return FieldError("request_ids", "at least one request is required")
	}
	seen := map[string]bool{}
	for i, id := range o.RequestIDs {
		if err := validateID("request_ids", id); err != nil {
			return err
		}
		if seen[id] {
			return FieldError("request_ids", "request %s is listed twice (item %d)", id, i+1)
		}
		seen[id] = true
	}
	if o.To != StatusDone && o.To != StatusFailed && o.To != StatusFollowUp {
		return FieldError("to", "%q is not done, failed or follow_up", o.To)
	}
	if len(o.Note) > 2000 {
		return FieldError("note", "longer than 2000 bytes")
	}
	if o.To.NeedsReason() && o.Note == "" {
		return FieldError("note", "a reason is required to mark a request %s", o.To)
	}
	if o.By == "" {
		return FieldError("by", "is required")
	}
	if n := utf8.RuneCountInString(o.IdempotencyKey); o.IdempotencyKey != "" && (n > 200 || !utf8.ValidString(o.IdempotencyKey)) {
		return FieldError("Idempotency-Key", "must be 1–200 characters")
	}
	return nil
}
