package data

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// ServiceList is which of the county's three service lists (三张清单) a
// catalogue item is on.
type ServiceList string

// The three lists.
const (
	// ListGeneral (通用清单): handled where it is accepted.
	ListGeneral ServiceList = "general"
	// ListPersonalised (个性化清单): a township's own items, handled there.
	ListPersonalised ServiceList = "personalised"
	// ListCrossLevel (跨层级清单): accepted at a village, a market desk or a
	// township and handled higher (代办转办): a hand-off chain.
	ListCrossLevel ServiceList = "cross_level"
)

// Valid reports whether l is a known list ("" counts as general).
func (l ServiceList) Valid() bool {
	return l == "" || l == ListGeneral || l == ListPersonalised || l == ListCrossLevel
}

// AcceptVia is where an item was accepted; items are accepted anywhere in
// the county regardless of residence (无差别受理).
type AcceptVia string

// Acceptance places.
const (
	AcceptVillage    AcceptVia = "village"     // by the village agent (村代办员)
	AcceptMarketDesk AcceptVia = "market_desk" // at a market-day desk (便民赶集日)
	AcceptTownship   AcceptVia = "township"    // at the township service centre
)

// Level is the level that holds the file first: a village agent's file
// starts at the village, a market desk's and a township desk's at the township.
func (a AcceptVia) Level() Level {
	switch a {
	case AcceptVillage:
		return LevelVillage
	case AcceptMarketDesk, AcceptTownship:
		return LevelTownship
	}
	return ""
}

// StageDays is how many calendar days a level has to act on a file it
// holds (forward it or decide it), and DeliveryDays how many the result has
// to reach the resident on a planned visit. SAMPLE figures: the county's
// time limits per item are not public; they are one table to replace.
var (
	StageDays    = map[Level]int{LevelVillage: 2, LevelTownship: 3, LevelCounty: 10}
	DeliveryDays = 7
)

// HandoffStatus is where a hand-off chain stands.
type HandoffStatus string

// Hand-off states.
const (
	HandoffOpen       HandoffStatus = "open"       // a level holds the file
	HandoffDelivering HandoffStatus = "delivering" // decided; the result goes back on a planned visit
	HandoffDelivered  HandoffStatus = "delivered"  // the delivery visit is done
)

// HandoffStage is one level's hold of the file, or (Delivery) the way back
// to the resident.
type HandoffStage struct {
	// Level holds the file (for the delivery: the level that brings the result).
	Level Level `json:"level"`
	// Holder says who holds it: a desk, a team or a county department.
	Holder string `json:"holder"`
	// From is the day the level received the file; Due the last day to act.
	From Date `json:"from"`
	Due  Date `json:"due"`
	// Done is the day the level acted (forwarded, decided, delivered); empty while it holds the file.
	Done Date `json:"done,omitempty"`
	// Delivery marks the last stage: the result goes back to the resident.
	Delivery bool `json:"delivery,omitempty"`
	// Note is a remark of the holder (≤ 200 characters).
	Note string `json:"note,omitempty"`
}

// Late reports whether the stage is late on day today: acted after Due, or
// still open after Due.
func (s HandoffStage) Late(today Date) bool {
	if s.Done != "" {
		return s.Done > s.Due
	}
	return today > s.Due
}

// Handoff is the chain of a cross-level item (代办转办): accepted low,
// forwarded level by level to the level that handles it, and its result
// delivered back to the resident on a planned visit.
type Handoff struct {
	// ID is assigned by the store ("H-" + hex) when empty.
	ID string `json:"id"`
	// RequestID is the ledger request of the household; ItemID the item handed off.
	RequestID string `json:"request_id"`
	ItemID    string `json:"item_id"`
	// TownshipID is the household's township (read-only, from the request).
	TownshipID string `json:"township_id"`
	// AcceptedTownship is the township whose desk accepted the item when a
	// township coordinator did (无差别受理: it may differ from TownshipID);
	// that desk follows the file too.
	AcceptedTownship string `json:"accepted_township,omitempty"`
	// AcceptedVia and AcceptedOn say where and when the item was accepted.
	AcceptedVia AcceptVia `json:"accepted_via"`
	AcceptedOn  Date      `json:"accepted_on"`
	// Stages are the holds of the file, oldest first; the last one without
	// Done is the current holder.
	Stages []HandoffStage `json:"stages"`
	// DeliveryRequestID is the request created for the delivery visit.
	DeliveryRequestID string `json:"delivery_request_id,omitempty"`
	// Status is open, delivering or delivered.
	Status HandoffStatus `json:"status"`
	// CreatedBy is the user that accepted the item.
	CreatedBy string `json:"created_by,omitempty"`
	// Version increases by one on every write (optimistic concurrency).
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Current returns the index of the stage holding the file, or -1.
func (h Handoff) Current() int {
	for i := len(h.Stages) - 1; i >= 0; i-- {
		if h.Stages[i].Done == "" {
			return i
		}
	}
	return -1
}

// Validate checks h's own fields; errors are Invalid naming the field.
func (h Handoff) Validate() error {
	if h.ID != "" {
		if err := validateID("id", h.ID); err != nil {
			return err
		}
	}
	if err := validateID("request_id", h.RequestID); err != nil {
		return err
	}
	if err := validateID("item_id", h.ItemID); err != nil {
		return err
	}
	if h.AcceptedVia.Level() == "" {
		return FieldError("accepted_via", "%q is not village, market_desk or township", h.AcceptedVia)
	}
	if !h.AcceptedOn.Valid() {
		return FieldError("accepted_on", "%q is not a date YYYY-MM-DD", h.AcceptedOn)
	}
	switch h.Status {
	case HandoffOpen, HandoffDelivering, HandoffDelivered:
	default:
		return FieldError("status", "%q is not open, delivering or delivered", h.Status)
	}
	if len(h.Stages) == 0 || len(h.Stages) > 8 {
		return FieldError("stages", "a hand-off has 1–8 stages, not %d", len(h.Stages))
	}
	for i, s := range h.Stages {
		f := fmt.Sprintf("stages[%d]", i)
		switch {
		case !s.Level.Valid():
			return FieldError(f+".level", "%q is not county, township or village", s.Level)
		case s.Holder == "" || utf8.RuneCountInString(s.Holder) > 100:
			return FieldError(f+".holder", "who holds the file: 1–100 characters")
		case !s.From.Valid() || !s.Due.Valid() || s.Due < s.From:
			return FieldError(f+".due", "from %q and due %q are not dates with due ≥ from", s.From, s.Due)
		case s.Done != "" && (!s.Done.Valid() || s.Done < s.From):
			return FieldError(f+".done", "%q is not a date on or after from", s.Done)
		case utf8.RuneCountInString(s.Note) > 200:
			return FieldError(f+".note", "longer than 200 characters")
		}
	}
	return nil
}

// HandoffFilter selects hand-offs; zero fields match everything.
type HandoffFilter struct {
	TownshipID string
	// Involving keeps the hand-offs of a township's households or accepted
	// at its desk.
	Involving string
	RequestID string
	Status    HandoffStatus
}
