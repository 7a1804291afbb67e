package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/yingjing/xunhui/data"
)

const bookingCols = `id, township_id, day, item_id, hh_name, hh_phone, village_id, hh_address, has_location, hh_lon, hh_lat,
	note, via, status, created_by, updated_by, created_at, updated_at, sample`

func scanBooking(r Row) (data.Booking, error) {
	var b data.Booking
	var day string
	var hasLoc bool
	var lon, lat float64
	if err := r.Scan(&b.ID, &b.TownshipID, &day, &b.ItemID, &b.Household.Name, &b.Household.Phone, &b.Household.VillageID,
		&b.Household.Address, &hasLoc, &lon, &lat, &b.Note, &b.Via, &b.Status, &b.CreatedBy, &b.UpdatedBy,
		&b.CreatedAt, &b.UpdatedAt, &b.Sample); err != nil {
		return b, err
	}
	b.Date = data.Date(day)
	if hasLoc {
		b.Household.Location = &data.Point{Lon: lon, Lat: lat}
	}
	return b, nil
}

// CreateBooking implements data.Store.
func (s *Store) CreateBooking(ctx context.Context, b *data.Booking) error {
	const op = "store.CreateBooking"
	if err := b.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	return s.tx(ctx, op, func(tx Tx) error {
		ok, err := exists(ctx, tx, `SELECT 1 FROM service_items WHERE id = $1`, b.ItemID)
		if err != nil {
			return err
		}
		if !ok {
			return data.FieldError("item_id", "unknown service item %s", b.ItemID)
		}
		if ok, err = exists(ctx, tx, `SELECT 1 FROM villages WHERE id = $1`, b.Household.VillageID); err != nil {
			return err
		}
		if !ok {
			return data.FieldError("household.village_id", "unknown village %s", b.Household.VillageID)
		}
		c := *b
		if c.ID == "" {
			c.ID = data.NewID("B")
		}
		if c.Status == "" {
			c.Status = data.BookingBooked
		}
		now := s.now()
		c.CreatedAt, c.UpdatedAt = now, now
		var lon, lat float64
		if c.Household.Location != nil {
			lon, lat = c.Household.Location.Lon, c.Household.Location.Lat
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bookings (`+bookingCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
			$11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			c.ID, c.TownshipID, string(c.Date), c.ItemID, c.Household.Name, c.Household.Phone, c.Household.VillageID,
			c.Household.Address, c.Household.Location != nil, lon, lat, c.Note, c.Via, string(c.Status), c.CreatedBy,
			c.UpdatedBy, c.CreatedAt, c.UpdatedAt, c.Sample); err != nil {
			if data.ErrorKind(err) == data.Conflict {
				return &data.Error{Kind: data.Conflict, Field: "id", Message: fmt.Sprintf("booking %q already exists", c.ID)}
			}
			return err
		}
		*b = c
		return nil
	})
}

// GetBooking implements data.Store.
func (s *Store) GetBooking(ctx context.Context, id string) (data.Booking, error) {
	var b data.Booking
	err := s.tx(ctx, "store.GetBooking", func(tx Tx) (err error) {
		b, err = scanBooking(tx.QueryRow(ctx, `SELECT `+bookingCols+` FROM bookings WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("booking", id)
		}
		return err
	})
	return b, err
}

// ListBookings implements data.Store.
func (s *Store) ListBookings(ctx context.Context, f data.BookingFilter) ([]data.Booking, error) {
	out := []data.Booking{}
	err := s.tx(ctx, "store.ListBookings", func(tx Tx) error {
		args := []any{f.TownshipID, string(f.From), string(f.To)}
		cond := `($1 = '' OR township_id = $1) AND ($2 = '' OR day >= $2) AND ($3 = '' OR day <= $3)`
		if len(f.Statuses) > 0 {
			ph := make([]string, len(f.Statuses))
			for i, st := range f.Statuses {
				args = append(args, string(st))
				ph[i] = fmt.Sprintf("$%d", len(args))
			}
			cond += ` AND status IN (` + strings.Join(ph, ",") + `)`
		}
		args = append(args, limit(f.Limit), max(f.Offset, 0))
		rows, err := tx.Query(ctx, `SELECT `+bookingCols+` FROM bookings WHERE `+cond+
			fmt.Sprintf(` ORDER BY day, township_id, id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBooking(rows)
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	return out, err
}

// SetBookingStatus implements data.Store.
func (s *Store) SetBookingStatus(ctx context.Context, id string, status data.BookingStatus, by string) (data.Booking, error) {
	const op = "store.SetBookingStatus"
	var b data.Booking
	if !status.Valid() {
		return b, data.WithOp(op, data.FieldError("status", "%q is not booked, served, cancelled or no_show", status))
	}
	err := s.tx(ctx, op, func(tx Tx) (err error) {
		n, err := tx.Exec(ctx, `UPDATE bookings SET status = $2, updated_by = $3, updated_at = $4 WHERE id = $1`,
			id, string(status), by, s.now())
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound("booking", id)
		}
		b, err = scanBooking(tx.QueryRow(ctx, `SELECT `+bookingCols+` FROM bookings WHERE id = $1`, id))
		return err
	})
	return b, err
}
