package sqlstore

import (
	"context"

	"github.com/yingjing/xunhui/data"
)

// ListGuideRules implements data.Store.
func (s *Store) ListGuideRules(ctx context.Context) ([]data.GuideRule, error) {
	out := []data.GuideRule{}
	err := s.tx(ctx, "store.ListGuideRules", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, item_id, grp, levels, note FROM guide_rules ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r data.GuideRule
			var levels string
			if err := rows.Scan(&r.ID, &r.ItemID, &r.Group, &levels, &r.Note); err != nil {
				return err
			}
			if err := fromJSON(levels, &r.Levels); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// ReplaceGuideRules implements data.Store.
func (s *Store) ReplaceGuideRules(ctx context.Context, rules []data.GuideRule, by string) error {
	const op = "store.ReplaceGuideRules"
	return s.tx(ctx, op, func(tx Tx) error {
		items, err := idSet(ctx, tx, `SELECT id FROM service_items`)
		if err != nil {
			return err
		}
		var b batch
		for i, r := range rules {
			if err := r.Validate(); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "id", r.ID) {
				continue
			}
			if r.ItemID != "" && !items[r.ItemID] {
				b.fail(i, "item_id", "unknown service item %s", r.ItemID)
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM guide_rules`); err != nil {
			return err
		}
		now := s.now()
		for _, r := range rules {
			if _, err := tx.Exec(ctx, `INSERT INTO guide_rules (id, item_id, grp, levels, note, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.ItemID, string(r.Group), toJSON(r.Levels), r.Note, by, now); err != nil {
				return err
			}
		}
		return bumpData(ctx, tx)
	})
}
