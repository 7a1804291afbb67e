package sqlstore

import (
	"context"
	"reflect"
	"slices"

	"github.com/yingjing/xunhui/data"
)

// SaveRequests implements data.Store.
func (s *Store) SaveRequests(ctx context.Context, rs []data.Request, by string) (data.SaveResult, error) {
	const op = "store.SaveRequests"
	var res data.SaveResult
	err := s.tx(ctx, op, func(tx Tx) error {
		plan, err := s.planSave(ctx, tx, rs)
		if err != nil {
			return err
		}
		if err := plan.b.err(op); err != nil {
			return err
		}
		now := s.now()
		for i := range rs {
			switch plan.action[i] {
			case saveCreate:
				r := rs[i]
				if r.Source == "" {
					r.Source = "import"
				}
				if r.CreatedBy == "" {
					r.CreatedBy = by
				}
				s.prepareNew(&r, now)
				if err := insertRequest(ctx, tx, &r); err != nil {
					return err
				}
				res.Created++
			case saveUpdate:
				r := rs[i]
				if err := updateEditable(ctx, tx, &r, now); err != nil {
					return err
				}
				old := plan.old[i]
				if err := appendHistory(ctx, tx, r.ID, data.StatusChange{At: now, By: by, From: old.Status, To: old.Status,
					Note: "edited from a ledger workbook"}); err != nil {
					return err
				}
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		return nil
	})
	if err != nil {
		return data.SaveResult{}, err
	}
	return res, nil
}

type saveAction int

const (
	saveSkip saveAction = iota
	saveCreate
	saveUpdate
)

// savePlan is what SaveRequests will do with each row, and the bad rows.
type savePlan struct {
	action []saveAction
	old    []data.Request
	b      batch
}

// planSave checks every row: new ones as ImportRequests does; existing ones
// against their stored version and status (closed requests are not edited);
// unchanged rows are skipped.
func (s *Store) planSave(ctx context.Context, tx Tx, rs []data.Request) (*savePlan, error) {
	rf, err := loadRefs(ctx, tx)
	if err != nil {
		return nil, err
	}
	p := &savePlan{action: make([]saveAction, len(rs)), old: make([]data.Request, len(rs))}
	today := s.today()
	for i, r := range rs {
		if r.ID != "" && p.b.dup(i, "id", r.ID) {
			continue
		}
		var old data.Request
		exists := false
		if r.ID != "" {
			old, err = getRequest(ctx, tx, r.ID)
			switch {
			case err == nil:
				exists = true
			case data.ErrorKind(err) != data.NotFound:
				return nil, err
			}
		}
		if !exists {
			if r.Version != 0 {
				p.b.fail(i, "version", "request %q does not exist, so it has no version to edit", r.ID)
				continue
			}
			if err := r.ValidateNew(today); err != nil {
				p.b.add(i, err)
			} else if err := rf.check(r); err != nil {
				p.b.add(i, err)
			} else {
				p.action[i] = saveCreate
			}
			continue
		}
		p.old[i] = old
		if err := planUpdate(&p.b, i, r, old, rf, today); err != nil {
			continue
		}
		if !sameEditable(r, old) {
			p.action[i] = saveUpdate
		}
	}
	return p, nil
}

// planUpdate checks an edited row of an existing request; it records and
// returns the first problem.
func planUpdate(b *batch, i int, r, old data.Request, rf refs, today data.Date) error {
	bad := func(field, format string, args ...any) error {
		b.fail(i, field, format, args...)
		return data.FieldError(field, format, args...)
	}
	if r.Version != old.Version {
		return bad("version", "request %s is at version %d, not %d: it changed after the export; export again", r.ID, old.Version, r.Version)
	}
	if sameEditable(r, old) {
		return nil
	}
	if old.Status.Closed() {
		return bad("status", "request %s is %s and cannot be edited", r.ID, old.Status)
	}
	if err := r.Validate(); err != nil {
		b.add(i, err)
		return err
	}
	if err := rf.check(r); err != nil {
		b.add(i, err)
		return err
	}
	if r.Deadline != "" && r.Deadline != old.Deadline && r.Deadline < today {
		return bad("deadline", "%s is before today (%s)", r.Deadline, today)
	}
	return nil
}

// sameEditable reports whether a and b agree on every editable field.
func sameEditable(a, b data.Request) bool {
	loc := func(p *data.Point) data.Point {
		if p == nil {
			return data.Point{}
		}
		return *p
	}
	return a.Ledger == b.Ledger && a.Household.Name == b.Household.Name && a.Household.Phone == b.Household.Phone &&
		a.Household.VillageID == b.Household.VillageID && a.Household.Address == b.Household.Address &&
		(a.Household.Location == nil) == (b.Household.Location == nil) && loc(a.Household.Location) == loc(b.Household.Location) &&
		slices.Equal(a.ItemIDs, b.ItemIDs) && slices.Equal(nonNil(a.Groups), nonNil(b.Groups)) && a.Priority == b.Priority &&
		reflect.DeepEqual(nonNil(a.VisitWindows), nonNil(b.VisitWindows)) && a.Deadline == b.Deadline && a.Summary == b.Summary
}
