package data

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// BookingStatus is the state of a market-day booking.
type BookingStatus string

// Booking statuses.
const (
	BookingBooked    BookingStatus = "booked"
	BookingServed    BookingStatus = "served"
	BookingCancelled BookingStatus = "cancelled"
	BookingNoShow    BookingStatus = "no_show"
)

// Valid reports whether s is a known booking status.
func (s BookingStatus) Valid() bool {
	return s == BookingBooked || s == BookingServed || s == BookingCancelled || s == BookingNoShow
}

// Booking is a household's appointment (订单式服务) for one service item at a
// township's market-day desk.
type Booking struct {
	// ID is a stable id; stores assign "B-" + random hex when empty.
	ID string `json:"id"`
	// TownshipID is the township whose market hosts the desk.
	TownshipID string `json:"township_id"`
	// Date is the market day (whether it is one is checked by the market planner).
	Date Date `json:"date"`
	// ItemID is the service item booked.
	ItemID string `json:"item_id"`
	// Household is who comes; its village must belong to TownshipID.
	Household Household `json:"household"`
	// Note is a free-text remark (≤ 500 characters).
	Note string `json:"note,omitempty"`
	// Via is how the booking was made: "api" or "agent".
	Via string `json:"via"`
	// Status is booked, served, cancelled or no_show (default booked).
	Status BookingStatus `json:"status"`
	// CreatedBy is the user id that made the booking.
	CreatedBy string `json:"created_by"`
	// CreatedAt and UpdatedAt are set by the store (UTC).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// UpdatedBy is the user id of the last status change.
	UpdatedBy string `json:"updated_by,omitempty"`
	// Sample marks invented bookings.
	Sample bool `json:"sample"`
}

// Validate checks b's own fields (not that item and village exist); errors
// are Invalid and name the field.
func (b Booking) Validate() error {
	if b.ID != "" {
		if err := validateID("id", b.ID); err != nil {
			return err
		}
	}
	if TownshipOf(b.TownshipID) != b.TownshipID || b.TownshipID == "" {
		return FieldError("township_id", "%q is not a township code", b.TownshipID)
	}
	if !b.Date.Valid() {
		return FieldError("date", "%q is not a date YYYY-MM-DD", b.Date)
	}
	if err := validateID("item_id", b.ItemID); err != nil {
		return err
	}
	if err := validateName("household.name", b.Household.Name); err != nil {
		return err
	}
	if !phoneRE.MatchString(b.Household.Phone) {
		return FieldError("household.phone", "%q is not a phone number (6–20 digits, +, -)", b.Household.Phone)
	}
	if TownshipOf(b.Household.VillageID) != b.TownshipID || b.Household.VillageID[9:] == "000" {
		return FieldError("household.village_id", "%q is not a village of township %s", b.Household.VillageID, b.TownshipID)
	}
	if b.Household.Location != nil {
		if err := b.Household.Location.validate("household.location"); err != nil {
			return err
		}
	}
	if utf8.RuneCountInString(b.Household.Address) > 200 {
		return FieldError("household.address", "longer than 200 characters")
	}
	if utf8.RuneCountInString(b.Note) > 500 {
		return FieldError("note", "longer than 500 characters")
	}
	if b.Via != "api" && b.Via != "agent" {
		return FieldError("via", "%q is not api or agent", b.Via)
	}
	if b.Status != "" && !b.Status.Valid() {
		return FieldError("status", "%q is not booked, served, cancelled or no_show", b.Status)
	}
	if len(b.CreatedBy) > 64 {
		return FieldError("created_by", "longer than 64 bytes")
	}
	return nil
}

// BookingFilter selects bookings. Zero fields do not filter.
type BookingFilter struct {
	TownshipID string
	// From and To bound the market day (inclusive).
	From, To Date
	Statuses []BookingStatus
	// Limit (default 100, at most 1000) and Offset page the result, ordered
	// by date, township, id.
	Limit, Offset int
}

// String describes f for logs.
func (f BookingFilter) String() string {
	return fmt.Sprintf("township=%s from=%s to=%s statuses=%v", f.TownshipID, f.From, f.To, f.Statuses)
}
