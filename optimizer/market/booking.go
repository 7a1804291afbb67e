package market

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"sync"
	"time"

	"github.com/yingjing/xunhui/data"
)

// BookingRecord is an item a resident booked for a township's market day
// (订单式), through a village agent or the API.
type BookingRecord struct {
	// ID is assigned "B-" + random hex when empty.
	ID string `json:"id"`
	// TownshipID and Date locate the market day.
	TownshipID string    `json:"township_id"`
	Date       data.Date `json:"date"`
	// ItemID is the catalogue item booked.
	ItemID string `json:"item_id"`
	// Household is who booked (the village must lie in the township).
	Household data.Household `json:"household"`
	// Note is a free remark (≤ 200 characters).
	Note string `json:"note,omitempty"`
	// Via is "api" or "agent" (a village agent booked on the resident's behalf).
	Via string `json:"via"`
	// Status is booked, served, cancelled or no_show.
	Status string `json:"status"`
	// CreatedBy is the user id; CreatedAt is set on creation (UTC).
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Booking statuses.
const (
	BookingBooked    = "booked"
	BookingServed    = "served"
	BookingCancelled = "cancelled"
	BookingNoShow    = "no_show"
)

// BookingFilter selects bookings; zero fields do not filter. From and To
// bound the market date (inclusive).
type BookingFilter struct {
	TownshipID string
	From, To   data.Date
	Statuses   []string
}

// BookingStore keeps bookings. The data contract has no bookings yet (asked
// for in /tmp/xh/requests.md); MemoryBookings stands in meanwhile.
type BookingStore interface {
	// CreateBooking stores b, assigning ID and CreatedAt; Conflict on a
	// duplicate id.
	CreateBooking(ctx context.Context, b *BookingRecord) error
	// ListBookings returns the bookings matching f by date, township, id.
	ListBookings(ctx context.Context, f BookingFilter) ([]BookingRecord, error)
}

// MemoryBookings is an in-process BookingStore, safe for concurrent use.
// Its bookings are lost when the process ends.
type MemoryBookings struct {
	mu sync.Mutex
	bs []BookingRecord
}

// CreateBooking implements BookingStore.
func (m *MemoryBookings) CreateBooking(_ context.Context, b *BookingRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b.ID == "" {
		var r [6]byte
		_, _ = rand.Read(r[:])
		b.ID = "B-" + hex.EncodeToString(r[:])
	}
	for _, o := range m.bs {
		if o.ID == b.ID {
			return &data.Error{Op: "market.CreateBooking", Kind: data.Conflict, Field: "id", Message: "booking " + b.ID + " already exists"}
		}
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = time.Now().UTC()
	}
	if b.Status == "" {
		b.Status = BookingBooked
	}
	m.bs = append(m.bs, *b)
	return nil
}

// ListBookings implements BookingStore.
func (m *MemoryBookings) ListBookings(_ context.Context, f BookingFilter) ([]BookingRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []BookingRecord{}
	for _, b := range m.bs {
		if (f.TownshipID != "" && b.TownshipID != f.TownshipID) || (f.From != "" && b.Date < f.From) ||
			(f.To != "" && b.Date > f.To) || (len(f.Statuses) > 0 && !slices.Contains(f.Statuses, b.Status)) {
			continue
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b BookingRecord) int {
		switch {
		case a.Date != b.Date:
			return cmpStr(string(a.Date), string(b.Date))
		case a.TownshipID != b.TownshipID:
			return cmpStr(a.TownshipID, b.TownshipID)
		}
		return cmpStr(a.ID, b.ID)
	})
	return out, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
