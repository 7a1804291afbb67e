package market

import (
	"context"

	"github.com/yingjing/xunhui/data"
)

// BookingStore keeps market-day bookings (data.Booking). Every data.Store
// implements it; it is an interface so that tests and tools may plug in
// another.
type BookingStore interface {
	// CreateBooking stores b (see data.Store.CreateBooking).
	CreateBooking(ctx context.Context, b *data.Booking) error
	// ListBookings returns one page of bookings matching f.
	ListBookings(ctx context.Context, f data.BookingFilter) ([]data.Booking, error)
}

// allBookings pages through ListBookings until every match is read.
func allBookings(ctx context.Context, bs BookingStore, f data.BookingFilter) ([]data.Booking, error) {
	out := []data.Booking{}
	f.Limit = data.MaxLimit
	for f.Offset = 0; ; f.Offset += f.Limit {
		page, err := bs.ListBookings(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out, nil
		}
	}
}
