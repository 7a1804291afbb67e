package sqlstore

import (
	"context"

	"github.com/yingjing/xunhui/data"
)

const handoffCols = `id, request_id, item_id, township_id, accepted_via, accepted_on, stages, delivery_request_id, status,
	created_by, version, created_at, updated_at, accepted_township`

func scanHandoff(r Row) (data.Handoff, error) {
	var h data.Handoff
	var stages string
	if err := r.Scan(&h.ID, &h.RequestID, &h.ItemID, &h.TownshipID, &h.AcceptedVia, &h.AcceptedOn, &stages,
		&h.DeliveryRequestID, &h.Status, &h.CreatedBy, &h.Version, &h.CreatedAt, &h.UpdatedAt, &h.AcceptedTownship); err != nil {
		return h, err
	}
	h.CreatedAt, h.UpdatedAt = h.CreatedAt.UTC(), h.UpdatedAt.UTC()
	return h, fromJSON(stages, &h.Stages)
}

// CreateHandoff implements data.Store.
func (s *Store) CreateHandoff(ctx context.Context, h *data.Handoff) error {
	const op = "store.CreateHandoff"
	c := *h
	if c.ID == "" {
		c.ID = data.NewID("H")
	}
	if err := c.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	return s.tx(ctx, op, func(tx Tx) error {
		r, err := getRequest(ctx, tx, c.RequestID)
		if data.ErrorKind(err) == data.NotFound {
			return data.FieldError("request_id", "unknown request %s", c.RequestID)
		}
		if err != nil {
			return err
		}
		if ok, err := exists(ctx, tx, `SELECT 1 FROM service_items WHERE id = $1`, c.ItemID); err != nil {
			return err
		} else if !ok {
			return data.FieldError("item_id", "unknown service item %s", c.ItemID)
		}
		c.TownshipID = r.TownshipID
		c.Version = 1
		c.CreatedAt = s.now()
		c.UpdatedAt = c.CreatedAt
		if _, err := tx.Exec(ctx, `INSERT INTO handoffs (`+handoffCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			c.ID, c.RequestID, c.ItemID, c.TownshipID, string(c.AcceptedVia), string(c.AcceptedOn), toJSON(c.Stages),
			c.DeliveryRequestID, string(c.Status), c.CreatedBy, c.Version, c.CreatedAt, c.UpdatedAt, c.AcceptedTownship); err != nil {
			if data.ErrorKind(err) == data.Conflict {
				return &data.Error{Kind: data.Conflict, Field: "id", Message: "hand-off " + c.ID + " already exists"}
			}
			return err
		}
		*h = c
		return nil
	})
}

// GetHandoff implements data.Store.
func (s *Store) GetHandoff(ctx context.Context, id string) (data.Handoff, error) {
	var h data.Handoff
	err := s.tx(ctx, "store.GetHandoff", func(tx Tx) (err error) {
		h, err = scanHandoff(tx.QueryRow(ctx, `SELECT `+handoffCols+` FROM handoffs WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("hand-off", id)
		}
		return err
	})
	return h, err
}

// ListHandoffs implements data.Store.
func (s *Store) ListHandoffs(ctx context.Context, f data.HandoffFilter) ([]data.Handoff, error) {
	out := []data.Handoff{}
	err := s.tx(ctx, "store.ListHandoffs", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+handoffCols+` FROM handoffs
			WHERE ($1 = '' OR township_id = $1) AND ($2 = '' OR request_id = $2) AND ($3 = '' OR status = $3)
			AND ($4 = '' OR township_id = $4 OR accepted_township = $4)
			ORDER BY created_at, id`, f.TownshipID, f.RequestID, string(f.Status), f.Involving)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHandoff(rows)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateHandoff implements data.Store.
func (s *Store) UpdateHandoff(ctx context.Context, h *data.Handoff, delivery *data.Request) error {
	const op = "store.UpdateHandoff"
	if err := h.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	if delivery != nil {
		if err := delivery.ValidateNew(s.today()); err != nil {
			return data.WithOp(op, err)
		}
	}
	return s.tx(ctx, op, func(tx Tx) error {
		c := *h
		var d data.Request
		if delivery != nil {
			rf, err := loadRefs(ctx, tx)
			if err != nil {
				return err
			}
			if err := rf.check(*delivery); err != nil {
				return err
			}
			d = *delivery
			s.prepareNew(&d, s.now())
			if err := insertRequest(ctx, tx, &d); err != nil {
				return err
			}
			c.DeliveryRequestID = d.ID
		}
		c.UpdatedAt = s.now()
		n, err := tx.Exec(ctx, `UPDATE handoffs SET stages = $1, delivery_request_id = $2, status = $3, version = version + 1,
			updated_at = $4 WHERE id = $5 AND version = $6`,
			toJSON(c.Stages), c.DeliveryRequestID, string(c.Status), c.UpdatedAt, c.ID, c.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return checkVersion(ctx, tx, "handoffs", "hand-off", c.ID, c.Version)
		}
		c.Version++
		*h = c
		if delivery != nil {
			*delivery = d
		}
		return nil
	})
}
