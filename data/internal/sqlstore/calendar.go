package sqlstore

import (
	"context"
	"fmt"

	"github.com/yingjing/xunhui/data"
)

const absenceCols = `id, staff_id, from_day, to_day, kind, reason, created_by, created_at, cancelled_at, cancelled_by, version`

func scanAbsence(r Row) (data.Absence, error) {
	var a data.Absence
	var from, to string
	if err := r.Scan(&a.ID, &a.StaffID, &from, &to, &a.Kind, &a.Reason, &a.CreatedBy, &a.CreatedAt, &a.CancelledAt,
		&a.CancelledBy, &a.Version); err != nil {
		return a, err
	}
	a.From, a.To = data.Date(from), data.Date(to)
	return a, nil
}

// prepareAbsence validates a and fills its defaults (not the staff check).
func prepareAbsence(a *data.Absence, by string) error {
	if a.Kind == "" {
		a.Kind = data.AbsenceLeave
	}
	if a.CreatedBy == "" {
		a.CreatedBy = by
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if a.CreatedBy == "" {
		return data.FieldError("created_by", "is required")
	}
	if a.ID == "" {
		a.ID = data.NewID("AB")
	}
	a.CancelledAt, a.CancelledBy = nil, ""
	return nil
}

// writeAbsences inserts prepared absences (staff already checked).
func (s *Store) writeAbsences(ctx context.Context, tx Tx, as []data.Absence) error {
	now := s.now()
	for i := range as {
		a := &as[i]
		a.Version, a.CreatedAt = 1, now
		if _, err := tx.Exec(ctx, `INSERT INTO absences (`+absenceCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, '', $9)`,
			a.ID, a.StaffID, string(a.From), string(a.To), string(a.Kind), a.Reason, a.CreatedBy, now, a.Version); err != nil {
			if data.ErrorKind(err) == data.Conflict {
				return &data.Error{Kind: data.Conflict, Field: "id", Message: fmt.Sprintf("absence %q already exists", a.ID)}
			}
			return err
		}
	}
	return nil
}

// CreateAbsence implements data.Store.
func (s *Store) CreateAbsence(ctx context.Context, a *data.Absence) error {
	const op = "store.CreateAbsence"
	c := *a
	if err := prepareAbsence(&c, ""); err != nil {
		return data.WithOp(op, err)
	}
	err := s.tx(ctx, op, func(tx Tx) error {
		ok, err := exists(ctx, tx, `SELECT 1 FROM staff WHERE id = $1`, c.StaffID)
		if err != nil {
			return err
		}
		if !ok {
			return data.FieldError("staff_id", "unknown staff %s", c.StaffID)
		}
		one := []data.Absence{c}
		if err := s.writeAbsences(ctx, tx, one); err != nil {
			return err
		}
		c = one[0]
		return nil
	})
	if err == nil {
		*a = c
	}
	return err
}

// ImportAbsences implements data.Store.
func (s *Store) ImportAbsences(ctx context.Context, as []data.Absence, by string) error {
	const op = "store.ImportAbsences"
	cs := append([]data.Absence(nil), as...)
	return s.tx(ctx, op, func(tx Tx) error {
		staff, err := idSet(ctx, tx, `SELECT id FROM staff`)
		if err != nil {
			return err
		}
		known, err := idSet(ctx, tx, `SELECT id FROM absences`)
		if err != nil {
			return err
		}
		var b batch
		for i := range cs {
			explicit := cs[i].ID != ""
			if err := prepareAbsence(&cs[i], by); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "id", cs[i].ID) {
				continue
			}
			switch {
			case !staff[cs[i].StaffID]:
				b.fail(i, "staff_id", "unknown staff %s", cs[i].StaffID)
			case explicit && known[cs[i].ID]:
				b.fail(i, "id", "absence %q already exists", cs[i].ID)
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		return s.writeAbsences(ctx, tx, cs)
	})
}

// GetAbsence implements data.Store.
func (s *Store) GetAbsence(ctx context.Context, id string) (data.Absence, error) {
	var a data.Absence
	err := s.tx(ctx, "store.GetAbsence", func(tx Tx) (err error) {
		a, err = scanAbsence(tx.QueryRow(ctx, `SELECT `+absenceCols+` FROM absences WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("absence", id)
		}
		return err
	})
	return a, err
}

func listAbsences(ctx context.Context, tx Tx, f data.AbsenceFilter) ([]data.Absence, error) {
	out := []data.Absence{}
	rows, err := tx.Query(ctx, `SELECT `+absenceCols+` FROM absences
		WHERE ($1 = '' OR staff_id = $1) AND ($2 = '' OR to_day >= $2) AND ($3 = '' OR from_day <= $3)
		AND ($4 OR cancelled_at IS NULL)
		ORDER BY from_day, staff_id, id`, f.StaffID, string(f.From), string(f.To), f.IncludeCancelled)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAbsence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ListAbsences implements data.Store.
func (s *Store) ListAbsences(ctx context.Context, f data.AbsenceFilter) ([]data.Absence, error) {
	var out []data.Absence
	err := s.tx(ctx, "store.ListAbsences", func(tx Tx) (err error) {
		out, err = listAbsences(ctx, tx, f)
		return err
	})
	return out, err
}

// CancelAbsence implements data.Store.
func (s *Store) CancelAbsence(ctx context.Context, id string, version int64, by string) (data.Absence, error) {
	var a data.Absence
	err := s.tx(ctx, "store.CancelAbsence", func(tx Tx) (err error) {
		a, err = scanAbsence(tx.QueryRow(ctx, `SELECT `+absenceCols+` FROM absences WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("absence", id)
		}
		if err != nil {
			return err
		}
		if !a.Active() {
			return data.Errorf(data.Conflict, "absence %s was already cancelled by %s", id, a.CancelledBy)
		}
		if version != 0 && version != a.Version {
			return versionConflict("absence", id, a.Version, version)
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE absences SET cancelled_at = $2, cancelled_by = $3, version = version + 1 WHERE id = $1`,
			id, now, by); err != nil {
			return err
		}
		a.CancelledAt, a.CancelledBy, a.Version = &now, by, a.Version+1
		return nil
	})
	return a, err
}

func listClaims(ctx context.Context, tx Tx, f data.ClaimFilter) ([]data.Claim, error) {
	out := []data.Claim{}
	rows, err := tx.Query(ctx, `SELECT staff_id, day, kind, plan_id, ref FROM staff_claims
		WHERE ($1 = '' OR staff_id = $1) AND ($2 = '' OR plan_id = $2) AND ($3 = '' OR kind = $3)
		AND ($4 = '' OR day >= $4) AND ($5 = '' OR day <= $5)
		ORDER BY day, staff_id`, f.StaffID, f.PlanID, string(f.Kind), string(f.From), string(f.To))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c data.Claim
		var day string
		if err := rows.Scan(&c.StaffID, &day, &c.Kind, &c.PlanID, &c.Ref); err != nil {
			return nil, err
		}
		c.Date = data.Date(day)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ListClaims implements data.Store.
func (s *Store) ListClaims(ctx context.Context, f data.ClaimFilter) ([]data.Claim, error) {
	var out []data.Claim
	err := s.tx(ctx, "store.ListClaims", func(tx Tx) (err error) {
		out, err = listClaims(ctx, tx, f)
		return err
	})
	return out, err
}

// teamMembers returns the member ids of every team, in member order.
func teamMembers(ctx context.Context, tx Tx) (map[string][]string, error) {
	out := map[string][]string{}
	rows, err := tx.Query(ctx, `SELECT team_id, staff_id FROM team_members ORDER BY team_id, seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t, s string
		if err := rows.Scan(&t, &s); err != nil {
			return nil, err
		}
		out[t] = append(out[t], s)
	}
	return out, rows.Err()
}

// writeClaims inserts the claims of published plan d; a person-day held by
// another plan is a Conflict naming it.
func writeClaims(ctx context.Context, tx Tx, d data.PlanDetail) error {
	teams, err := teamMembers(ctx, tx)
	if err != nil {
		return err
	}
	for _, c := range data.PlanClaims(d, teams) {
		var holder string
		err := tx.QueryRow(ctx, `SELECT plan_id FROM staff_claims WHERE staff_id = $1 AND day = $2`, c.StaffID, string(c.Date)).Scan(&holder)
		if err == nil {
			return data.ClaimConflict(c, holder)
		}
		if data.ErrorKind(err) != data.NotFound {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO staff_claims (staff_id, day, kind, plan_id, ref) VALUES ($1, $2, $3, $4, $5)`,
			c.StaffID, string(c.Date), string(c.Kind), c.PlanID, c.Ref); err != nil {
			return err
		}
	}
	return nil
}
