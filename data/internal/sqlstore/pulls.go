package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/yingjing/xunhui/data"
)

// RecordPulls implements data.Store: one multi-row upsert, then the pulls
// generation raised by one (the transaction's last statement, so that on
// PostgreSQL the counter row is locked only until the commit right after).
func (s *Store) RecordPulls(ctx context.Context, ps []data.Pull) (int64, error) {
	const op = "store.RecordPulls"
	if len(ps) == 0 {
		return 0, nil
	}
	if len(ps) > data.MaxPullDays {
		return 0, data.WithOp(op, data.FieldError("days", "at most %d days per pull, got %d", data.MaxPullDays, len(ps)))
	}
	now := s.now()
	var rows []string
	var args []any
	for i, p := range ps {
		if err := p.Validate(); err != nil {
			return 0, data.WithOp(op, err)
		}
		visits := p.Visits
		if visits == nil {
			visits = []data.PulledVisit{}
		}
		n := len(args)
		rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6))
		args = append(args, p.UserID, p.TeamID, string(p.Date), p.PlanID, toJSON(visits), now)
		ps[i].At = now
	}
	var gen int64
	err := s.tx(ctx, op, func(tx Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO member_pulls (user_id, team_id, day, plan_id, visits, pulled_at) VALUES `+
			strings.Join(rows, ", ")+`
			ON CONFLICT (user_id, team_id, day) DO UPDATE SET plan_id = excluded.plan_id, visits = excluded.visits,
			pulled_at = excluded.pulled_at`, args...)
		if err != nil {
			return err
		}
		// The counter row is made again if missing (see Generations).
		return tx.QueryRow(ctx, `INSERT INTO generations (id, auth, data, pulls) VALUES (1, 0, 0, 1)
			ON CONFLICT (id) DO UPDATE SET pulls = generations.pulls + 1 RETURNING pulls`).Scan(&gen)
	})
	if err != nil {
		return 0, err
	}
	return gen, nil
}

// LastPulls implements data.Store.
func (s *Store) LastPulls(ctx context.Context, userID, teamID string, from, to data.Date) ([]data.Pull, error) {
	out := []data.Pull{}
	err := s.tx(ctx, "store.LastPulls", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT day, plan_id, visits, pulled_at FROM member_pulls
			WHERE user_id = $1 AND team_id = $2 AND day >= $3 AND day <= $4 ORDER BY day`, userID, teamID, string(from), string(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p := data.Pull{UserID: userID, TeamID: teamID}
			var day, visits string
			if err := rows.Scan(&day, &p.PlanID, &visits, &p.At); err != nil {
				return err
			}
			p.Date, p.At = data.Date(day), p.At.UTC()
			if err := fromJSON(visits, &p.Visits); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}
