package data

import "time"

// AccessAction says whether a trail entry is a read or a change.
type AccessAction string

// Access actions.
const (
	AccessRead   AccessAction = "read"
	AccessChange AccessAction = "change"
)

// AccessRecord is one entry of the access trail: one API call that read or
// changed household records (requests, bookings, visits), naming every
// record id it touched. It holds ids, never names, phones or addresses.
type AccessRecord struct {
	ID     string       `json:"id"`
	At     time.Time    `json:"at"`
	UserID string       `json:"user_id"`
	Role   UserRole     `json:"role"`
	Action AccessAction `json:"action"`
	// Method and Route are the HTTP method and the route template
	// ("/api/v1/requests/:id"); the query string is never kept.
	Method string `json:"method"`
	Route  string `json:"route"`
	// Kind is the kind of record: "request", "booking", "visit".
	Kind string `json:"kind"`
	// RecordIDs are the records read or changed: one entry names all the
	// records of a list answer.
	RecordIDs []string `json:"record_ids"`
	// Status is the HTTP status answered.
	Status int `json:"status"`
	// RequestID is the X-Request-ID of the call, to match logs.
	RequestID string `json:"request_id"`
}

// AccessFilter selects trail entries; zero fields do not filter.
type AccessFilter struct {
	UserID   string
	RecordID string
	Kind     string
	Action   AccessAction
	// From and To bound At (inclusive from, exclusive to).
	From, To time.Time
	// Limit (default 100, at most MaxLimit) and Offset page the result,
	// newest first.
	Limit, Offset int
}
