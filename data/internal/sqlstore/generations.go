package sqlstore

import (
	"context"

	"github.com/yingjing/xunhui/data"
)

// Generations implements data.Store: one read outside a transaction (it is
// read on every API request). The triggers of migration 0251 raise the
// data and auth counters, RecordPulls the pulls counter; the row is created again here if it is missing (a test harness
// that empties every table).
func (s *Store) Generations(ctx context.Context) (data.Generations, error) {
	var g data.Generations
	const q = `SELECT auth, data, pulls FROM generations WHERE id = 1`
	err := s.db.QueryRow(ctx, q).Scan(&g.Auth, &g.Data, &g.Pulls)
	if data.ErrorKind(err) != data.NotFound {
		return g, data.WithOp("store.Generations", err)
	}
	err = s.tx(ctx, "store.Generations", func(tx Tx) error {
		err := tx.QueryRow(ctx, q).Scan(&g.Auth, &g.Data, &g.Pulls)
		if data.ErrorKind(err) != data.NotFound {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO generations (id, auth, data) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING`)
		return err
	})
	return g, err
}

// bumpData raises the data generation inside a write of a table that the
// triggers of 0251 do not cover because it came later (closures, 0270,
// after this migration range). Call it as the transaction's last
// statement: the counter row is then the last lock taken, as with the
// deferred triggers.
func bumpData(ctx context.Context, tx Tx) error {
	_, err := tx.Exec(ctx, `UPDATE generations SET data = data + 1 WHERE id = 1`)
	return err
}
