package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
)

const requestCols = `r.id, r.ledger, r.hh_name, r.hh_phone, r.village_id, r.township_id, r.hh_address, r.has_location,
	r.hh_lon, r.hh_lat, r.priority, r.visit_windows, r.deadline, r.summary, r.status, r.source, r.created_by,
	r.version, r.created_at, r.updated_at, r.duplicate_of, r.accepted_township`

func scanRequest(row Row) (data.Request, error) {
	var r data.Request
	var hasLoc bool
	var lon, lat float64
	var windows, deadline string
	if err := row.Scan(&r.ID, &r.Ledger, &r.Household.Name, &r.Household.Phone, &r.Household.VillageID, &r.TownshipID,
		&r.Household.Address, &hasLoc, &lon, &lat, &r.Priority, &windows, &deadline, &r.Summary, &r.Status, &r.Source,
		&r.CreatedBy, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.DuplicateOf, &r.AcceptedTownship); err != nil {
		return r, err
	}
	if hasLoc {
		r.Household.Location = &data.Point{Lon: lon, Lat: lat}
	}
	r.Deadline = data.Date(deadline)
	r.VisitWindows = []data.WeeklyWindow{}
	r.Groups = []data.Group{}
	r.ItemIDs = []string{}
	r.History = []data.StatusChange{}
	return r, fromJSON(windows, &r.VisitWindows)
}

// loadRequestChildren fills items, groups and history of rs.
func loadRequestChildren(ctx context.Context, tx Tx, rs []data.Request) error {
	if err := loadRequestLists(ctx, tx, rs); err != nil {
		return err
	}
	return loadRequestHistory(ctx, tx, rs)
}

// requestIndex returns the position of each request of rs by id, the ids as
// query arguments and their placeholders.
func requestIndex(rs []data.Request) (map[string]int, []any, string) {
	idx := make(map[string]int, len(rs))
	args := make([]any, len(rs))
	for i, r := range rs {
		idx[r.ID] = i
		args[i] = r.ID
	}
	return idx, args, placeholders(1, len(rs))
}

// loadRequestLists fills the items and groups of rs (two queries).
func loadRequestLists(ctx context.Context, tx Tx, rs []data.Request) error {
	if len(rs) == 0 {
		return nil
	}
	idx, args, in := requestIndex(rs)
	rows, err := tx.Query(ctx, `SELECT request_id, item_id FROM request_items WHERE request_id IN (`+in+`) ORDER BY request_id, seq`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, item string
		if err := rows.Scan(&id, &item); err != nil {
			rows.Close()
			return err
		}
		rs[idx[id]].ItemIDs = append(rs[idx[id]].ItemIDs, item)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT request_id, grp FROM request_groups WHERE request_id IN (`+in+`) ORDER BY request_id, seq`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, g string
		if err := rows.Scan(&id, &g); err != nil {
			return err
		}
		rs[idx[id]].Groups = append(rs[idx[id]].Groups, data.Group(g))
	}
	return rows.Err()
}

// loadRequestHistory fills the history of rs (one query).
func loadRequestHistory(ctx context.Context, tx Tx, rs []data.Request) error {
	if len(rs) == 0 {
		return nil
	}
	idx, args, in := requestIndex(rs)
	rows, err := tx.Query(ctx, `SELECT request_id, changed_at, by_user, from_status, to_status, note FROM request_history
		WHERE request_id IN (`+in+`) ORDER BY request_id, seq`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var h data.StatusChange
		if err := rows.Scan(&id, &h.At, &h.By, &h.From, &h.To, &h.Note); err != nil {
			return err
		}
		rs[idx[id]].History = append(rs[idx[id]].History, h)
	}
	return rows.Err()
}

func getRequest(ctx context.Context, tx Tx, id string) (data.Request, error) {
	r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestCols+` FROM requests r WHERE r.id = $1`, id))
	if data.ErrorKind(err) == data.NotFound {
		return r, notFound("request", id)
	}
	if err != nil {
		return r, err
	}
	rs := []data.Request{r}
	err = loadRequestChildren(ctx, tx, rs)
	return rs[0], err
}

// refs holds the reference sets a request batch is checked against.
type refs struct {
	villages, items map[string]bool
}

func loadRefs(ctx context.Context, tx Tx) (refs, error) {
	v, err := idSet(ctx, tx, `SELECT id FROM villages`)
	if err != nil {
		return refs{}, err
	}
	it, err := idSet(ctx, tx, `SELECT id FROM service_items`)
	return refs{villages: v, items: it}, err
}

// checkRefs returns an Invalid error naming the first unknown reference of r.
func (rf refs) check(r data.Request) error {
	if !rf.villages[r.Household.VillageID] {
		return data.FieldError("household.village_id", "unknown village %s", r.Household.VillageID)
	}
	for i, it := range r.ItemIDs {
		if !rf.items[it] {
			return data.FieldError(fmt.Sprintf("item_ids[%d]", i), "unknown service item %s", it)
		}
	}
	return nil
}

// prepareNew fills the defaults of a request about to be created.
func (s *Store) prepareNew(r *data.Request, now time.Time) {
	if r.ID == "" {
		r.ID = data.NewID("R")
	}
	if r.Status == "" {
		r.Status = data.StatusPending
	}
	if r.Source == "" {
		r.Source = "api"
	}
	r.TownshipID = data.TownshipOf(r.Household.VillageID)
	r.Version = 1
	r.CreatedAt, r.UpdatedAt = now, now
	by := r.CreatedBy
	if by == "" {
		by = r.Source
	}
	r.History = []data.StatusChange{{At: now, By: by, From: "", To: r.Status, Note: "created"}}
	r.Groups = nonNil(r.Groups)
	r.VisitWindows = nonNil(r.VisitWindows)
}

func insertRequest(ctx context.Context, tx Tx, r *data.Request) error {
	var lon, lat float64
	if r.Household.Location != nil {
		lon, lat = r.Household.Location.Lon, r.Household.Location.Lat
	}
	if _, err := tx.Exec(ctx, `INSERT INTO requests (id, ledger, hh_name, hh_phone, village_id, township_id, hh_address,
		has_location, hh_lon, hh_lat, priority, visit_windows, deadline, summary, status, source, created_by, version,
		created_at, updated_at, accepted_township) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		r.ID, string(r.Ledger), r.Household.Name, r.Household.Phone, r.Household.VillageID, r.TownshipID, r.Household.Address,
		r.Household.Location != nil, lon, lat, r.Priority, toJSON(r.VisitWindows), string(r.Deadline), r.Summary,
		string(r.Status), r.Source, r.CreatedBy, r.Version, r.CreatedAt, r.UpdatedAt, r.AcceptedTownship); err != nil {
		if data.ErrorKind(err) == data.Conflict {
			return &data.Error{Kind: data.Conflict, Field: "id", Message: fmt.Sprintf("request %q already exists", r.ID)}
		}
		return err
	}
	if err := writeRequestLists(ctx, tx, r); err != nil {
		return err
	}
	for i, h := range r.History {
		if err := insertHistory(ctx, tx, r.ID, i, h); err != nil {
			return err
		}
	}
	return nil
}

func insertHistory(ctx context.Context, tx Tx, id string, seq int, h data.StatusChange) error {
	_, err := tx.Exec(ctx, `INSERT INTO request_history (request_id, seq, changed_at, by_user, from_status, to_status, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, seq, h.At, h.By, string(h.From), string(h.To), h.Note)
	return err
}

// writeRequestLists replaces the items and groups of r.
func writeRequestLists(ctx context.Context, tx Tx, r *data.Request) error {
	if _, err := tx.Exec(ctx, `DELETE FROM request_items WHERE request_id = $1`, r.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM request_groups WHERE request_id = $1`, r.ID); err != nil {
		return err
	}
	for i, it := range r.ItemIDs {
		if _, err := tx.Exec(ctx, `INSERT INTO request_items (request_id, seq, item_id) VALUES ($1, $2, $3)`, r.ID, i, it); err != nil {
			return err
		}
	}
	for i, g := range r.Groups {
		if _, err := tx.Exec(ctx, `INSERT INTO request_groups (request_id, seq, grp) VALUES ($1, $2, $3)`, r.ID, i, string(g)); err != nil {
			return err
		}
	}
	return nil
}

// CreateRequest implements data.Store.
func (s *Store) CreateRequest(ctx context.Context, r *data.Request) error {
	const op = "store.CreateRequest"
	if err := r.ValidateNew(s.today()); err != nil {
		return data.WithOp(op, err)
	}
	return s.tx(ctx, op, func(tx Tx) error {
		rf, err := loadRefs(ctx, tx)
		if err != nil {
			return err
		}
		if err := rf.check(*r); err != nil {
			return err
		}
		c := *r
		s.prepareNew(&c, s.now())
		if err := insertRequest(ctx, tx, &c); err != nil {
			return err
		}
		*r = c
		return nil
	})
}

// ImportRequests implements data.Store.
func (s *Store) ImportRequests(ctx context.Context, rs []data.Request, by string) error {
	const op = "store.ImportRequests"
	today := s.today()
	return s.tx(ctx, op, func(tx Tx) error {
		rf, err := loadRefs(ctx, tx)
		if err != nil {
			return err
		}
		existing, err := idSet(ctx, tx, `SELECT id FROM requests`)
		if err != nil {
			return err
		}
		var b batch
		for i, r := range rs {
			if err := r.ValidateNew(today); err != nil {
				b.add(i, err)
				continue
			}
			if err := rf.check(r); err != nil {
				b.add(i, err)
				continue
			}
			if r.ID != "" {
				if b.dup(i, "id", r.ID) {
					continue
				}
				if existing[r.ID] {
					b.fail(i, "id", "request %q already exists", r.ID)
				}
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		now := s.now()
		for _, r := range rs {
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
		}
		return nil
	})
}

// GetRequest implements data.Store.
func (s *Store) GetRequest(ctx context.Context, id string) (data.Request, error) {
	var r data.Request
	err := s.tx(ctx, "store.GetRequest", func(tx Tx) (err error) {
		r, err = getRequest(ctx, tx, id)
		return err
	})
	return r, err
}

// RequestHistory implements data.Store.
func (s *Store) RequestHistory(ctx context.Context, id string) ([]data.StatusChange, error) {
	r, err := s.GetRequest(ctx, id)
	if err != nil {
		return nil, data.WithOp("store.RequestHistory", err)
	}
	return r.History, nil
}

// ListRequests implements data.Store.
func (s *Store) ListRequests(ctx context.Context, f data.RequestFilter) ([]data.Request, int, error) {
	f.Normalize()
	out := []data.Request{}
	total := 0
	// Deadlines are '' when absent: "deadline = ''" sorts them last.
	orders := map[string]string{
		"":         "r.id",
		"id":       "r.id",
		"priority": "r.priority DESC, r.deadline = '', r.deadline, r.id",
		"deadline": "r.deadline = '', r.deadline, r.id",
		"created":  "r.created_at DESC, r.id",
	}
	order, ok := orders[f.Order]
	if !ok {
		return out, 0, data.WithOp("store.ListRequests", data.FieldError("order", "%q is not id, priority, deadline or created", f.Order))
	}
	err := s.tx(ctx, "store.ListRequests", func(tx Tx) error {
		var where []string
		var args []any
		arg := func(v any) string {
			args = append(args, v)
			return fmt.Sprintf("$%d", len(args))
		}
		ids := f.IDs
		if f.TeamID != "" {
			team, err := requestIDsForTeam(ctx, tx, f.TeamID, "", "")
			if err != nil {
				return err
			}
			if ids != nil {
				team = slices.DeleteFunc(team, func(id string) bool { return !slices.Contains(ids, id) })
			}
			ids = team
		}
		if ids != nil {
			if len(ids) == 0 {
				return nil
			}
			ph := make([]string, len(ids))
			for i, id := range ids {
				ph[i] = arg(id)
			}
			where = append(where, "r.id IN ("+strings.Join(ph, ",")+")")
		}
		if f.TownshipID != "" {
			where = append(where, "r.township_id = "+arg(f.TownshipID))
		}
		if f.DeskTownship != "" {
			a := arg(f.DeskTownship)
			where = append(where, "(r.township_id = "+a+" OR r.accepted_township = "+a+")")
		}
		if f.VillageID != "" {
			where = append(where, "r.village_id = "+arg(f.VillageID))
		}
		if len(f.Statuses) > 0 {
			ph := make([]string, len(f.Statuses))
			for i, st := range f.Statuses {
				ph[i] = arg(string(st))
			}
			where = append(where, "r.status IN ("+strings.Join(ph, ",")+")")
		}
		if f.Ledger != "" {
			where = append(where, "r.ledger = "+arg(string(f.Ledger)))
		}
		if f.Group != "" {
			where = append(where, "EXISTS (SELECT 1 FROM request_groups g WHERE g.request_id = r.id AND g.grp = "+arg(string(f.Group))+")")
		}
		if f.DeadlineBefore != "" {
			where = append(where, "r.deadline <> '' AND r.deadline <= "+arg(string(f.DeadlineBefore)))
		}
		cond := ""
		if len(where) > 0 {
			cond = " WHERE " + strings.Join(where, " AND ")
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM requests r`+cond, args...).Scan(&total); err != nil {
			return err
		}
		page := `SELECT ` + requestCols + ` FROM requests r` + cond + ` ORDER BY ` + order + ` LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(f.Offset)
		rows, err := tx.Query(ctx, page, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			r, err := scanRequest(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return loadRequestChildren(ctx, tx, out)
	})
	return out, total, err
}

// UpdateRequest implements data.Store.
func (s *Store) UpdateRequest(ctx context.Context, r *data.Request) error {
	const op = "store.UpdateRequest"
	if err := r.Validate(); err != nil {
		return data.WithOp(op, err)
	}
	if r.ID == "" {
		return data.WithOp(op, data.FieldError("id", "is required"))
	}
	return s.tx(ctx, op, func(tx Tx) error {
		rf, err := loadRefs(ctx, tx)
		if err != nil {
			return err
		}
		if err := rf.check(*r); err != nil {
			return err
		}
		var oldDeadline, status string
		err = tx.QueryRow(ctx, `SELECT deadline, status FROM requests WHERE id = $1`, r.ID).Scan(&oldDeadline, &status)
		if data.ErrorKind(err) == data.NotFound {
			return notFound("request", r.ID)
		}
		if err != nil {
			return err
		}
		if data.Status(status).Closed() {
			return closedConflict(r.ID, data.Status(status))
		}
		// A deadline may stay in the past (it was valid when set), but a new
		// one must not be before today.
		if r.Deadline != "" && string(r.Deadline) != oldDeadline && r.Deadline < s.today() {
			return data.FieldError("deadline", "%s is before today (%s)", r.Deadline, s.today())
		}
		if err := updateEditable(ctx, tx, r, s.now()); err != nil {
			return err
		}
		got, err := getRequest(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		*r = got
		return nil
	})
}

// updateEditable writes the editable fields of r (items and groups
// included) if r.Version is current, bumping the version.
func updateEditable(ctx context.Context, tx Tx, r *data.Request, now time.Time) error {
	var lon, lat float64
	if r.Household.Location != nil {
		lon, lat = r.Household.Location.Lon, r.Household.Location.Lat
	}
	n, err := tx.Exec(ctx, `UPDATE requests SET ledger = $3, hh_name = $4, hh_phone = $5, village_id = $6,
		township_id = $7, hh_address = $8, has_location = $9, hh_lon = $10, hh_lat = $11, priority = $12,
		visit_windows = $13, deadline = $14, summary = $15, version = version + 1, updated_at = $16
		WHERE id = $1 AND version = $2`,
		r.ID, r.Version, string(r.Ledger), r.Household.Name, r.Household.Phone, r.Household.VillageID,
		data.TownshipOf(r.Household.VillageID), r.Household.Address, r.Household.Location != nil, lon, lat,
		r.Priority, toJSON(nonNil(r.VisitWindows)), string(r.Deadline), r.Summary, now)
	if err != nil {
		return err
	}
	if n == 0 {
		return checkVersion(ctx, tx, "requests", "request", r.ID, r.Version)
	}
	return writeRequestLists(ctx, tx, r)
}

// TransitionRequest implements data.Store.
func (s *Store) TransitionRequest(ctx context.Context, t data.RequestTransition) (data.Request, error) {
	const op = "store.TransitionRequest"
	var out data.Request
	if !t.To.Valid() {
		return out, data.WithOp(op, data.FieldError("to", "%q is not one of %v", t.To, data.Statuses))
	}
	if len(t.Note) > 2000 {
		return out, data.WithOp(op, data.FieldError("note", "longer than 2000 bytes"))
	}
	if t.To.NeedsReason() && strings.TrimSpace(t.Note) == "" {
		return out, data.WithOp(op, data.FieldError("note", "a reason is required to mark a request %s", t.To))
	}
	err := s.tx(ctx, op, func(tx Tx) (err error) {
		out, err = transitionTx(ctx, tx, t, s.now())
		return err
	})
	return out, err
}

// transitionTx changes a request's status within tx (version-checked unless
// t.Version < 0), appending to its history.
func transitionTx(ctx context.Context, tx Tx, t data.RequestTransition, now time.Time) (data.Request, error) {
	var from string
	var version int64
	var seq int
	err := tx.QueryRow(ctx, `SELECT status, version FROM requests WHERE id = $1`, t.ID).Scan(&from, &version)
	if data.ErrorKind(err) == data.NotFound {
		return data.Request{}, notFound("request", t.ID)
	}
	if err != nil {
		return data.Request{}, err
	}
	if t.Version < 0 {
		t.Version = version
	}
	if version != t.Version {
		return data.Request{}, versionConflict("request", t.ID, version, t.Version)
	}
	if !data.CanTransition(data.Status(from), t.To) {
		return data.Request{}, &data.Error{Kind: data.Conflict, Field: "to", Message: fmt.Sprintf("cannot go from %s to %s", from, t.To)}
	}
	n, err := tx.Exec(ctx, `UPDATE requests SET status = $3, version = version + 1, updated_at = $4
		WHERE id = $1 AND version = $2`, t.ID, t.Version, string(t.To), now)
	if err != nil {
		return data.Request{}, err
	}
	if n == 0 { // changed between our read and our write
		return data.Request{}, checkVersion(ctx, tx, "requests", "request", t.ID, t.Version)
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM request_history WHERE request_id = $1`, t.ID).Scan(&seq); err != nil {
		return data.Request{}, err
	}
	by := t.By
	if by == "" {
		by = "system"
	}
	if err := insertHistory(ctx, tx, t.ID, seq, data.StatusChange{At: now, By: by, From: data.Status(from), To: t.To, Note: t.Note}); err != nil {
		return data.Request{}, err
	}
	return getRequest(ctx, tx, t.ID)
}

// closedConflict is the answer to a change of a withdrawn, cancelled or
// merged request.
func closedConflict(id string, st data.Status) error {
	msg := fmt.Sprintf("request %s is %s: reopen it first", id, st)
	if st == data.StatusMerged {
		msg = fmt.Sprintf("request %s was merged into another request and can no longer change", id)
	}
	return &data.Error{Kind: data.Conflict, Field: "status", Message: msg}
}

// appendHistory adds h as the next entry of request id's history.
func appendHistory(ctx context.Context, tx Tx, id string, h data.StatusChange) error {
	var seq int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM request_history WHERE request_id = $1`, id).Scan(&seq); err != nil {
		return err
	}
	return insertHistory(ctx, tx, id, seq, h)
}

// MergeRequests implements data.Store.
func (s *Store) MergeRequests(ctx context.Context, m data.RequestMerge) (dup, keep data.Request, err error) {
	const op = "store.MergeRequests"
	if m.ID == m.IntoID {
		return dup, keep, data.WithOp(op, data.FieldError("into", "a request cannot be merged into itself"))
	}
	if len(m.Note) > 2000 {
		return dup, keep, data.WithOp(op, data.FieldError("note", "longer than 2000 bytes"))
	}
	err = s.tx(ctx, op, func(tx Tx) error {
		d, k, err := loadMergePair(ctx, tx, m)
		if err != nil {
			return err
		}
		merged, err := data.MergeInto(k, d)
		if err != nil {
			return err
		}
		now := s.now()
		if err := writeMerged(ctx, tx, merged, now); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `UPDATE requests SET status = $3, duplicate_of = $4, version = version + 1, updated_at = $5
			WHERE id = $1 AND version = $2`, d.ID, d.Version, string(data.StatusMerged), k.ID, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return checkVersion(ctx, tx, "requests", "request", d.ID, d.Version)
		}
		if err := s.recordMerge(ctx, tx, m, d, k, now); err != nil {
			return err
		}
		if dup, err = getRequest(ctx, tx, d.ID); err != nil {
			return err
		}
		keep, err = getRequest(ctx, tx, k.ID)
		return err
	})
	return dup, keep, err
}

// loadMergePair reads both requests of a merge and checks versions and
// statuses: neither may be closed, the duplicate may not be done.
func loadMergePair(ctx context.Context, tx Tx, m data.RequestMerge) (dup, keep data.Request, err error) {
	if dup, err = getRequest(ctx, tx, m.ID); err != nil {
		return dup, keep, err
	}
	if keep, err = getRequest(ctx, tx, m.IntoID); err != nil {
		if data.ErrorKind(err) == data.NotFound {
			return dup, keep, data.FieldError("into", "unknown request %s", m.IntoID)
		}
		return dup, keep, err
	}
	if dup.Version != m.Version {
		return dup, keep, versionConflict("request", dup.ID, dup.Version, m.Version)
	}
	if keep.Version != m.IntoVersion {
		return dup, keep, &data.Error{Kind: data.Conflict, Field: "into_version",
			Message: fmt.Sprintf("request %s is at version %d, not %d: re-read it and retry", keep.ID, keep.Version, m.IntoVersion)}
	}
	for _, r := range []data.Request{dup, keep} {
		if r.Status.Closed() {
			return dup, keep, closedConflict(r.ID, r.Status)
		}
	}
	if dup.Status == data.StatusDone {
		return dup, keep, &data.Error{Kind: data.Conflict, Field: "status",
			Message: fmt.Sprintf("request %s is done: merge the open request into it instead", dup.ID)}
	}
	return dup, keep, nil
}

// writeMerged stores the kept request's merged fields, bumping its version.
func writeMerged(ctx context.Context, tx Tx, r data.Request, now time.Time) error {
	var lon, lat float64
	if r.Household.Location != nil {
		lon, lat = r.Household.Location.Lon, r.Household.Location.Lat
	}
	n, err := tx.Exec(ctx, `UPDATE requests SET hh_phone = $3, hh_address = $4, has_location = $5, hh_lon = $6, hh_lat = $7,
		priority = $8, visit_windows = $9, deadline = $10, version = version + 1, updated_at = $11
		WHERE id = $1 AND version = $2`,
		r.ID, r.Version, r.Household.Phone, r.Household.Address, r.Household.Location != nil, lon, lat,
		r.Priority, toJSON(nonNil(r.VisitWindows)), string(r.Deadline), now)
	if err != nil {
		return err
	}
	if n == 0 {
		return checkVersion(ctx, tx, "requests", "request", r.ID, r.Version)
	}
	return writeRequestLists(ctx, tx, &r)
}

// recordMerge appends the merge to both histories.
func (s *Store) recordMerge(ctx context.Context, tx Tx, m data.RequestMerge, dup, keep data.Request, now time.Time) error {
	by := m.By
	if by == "" {
		by = "system"
	}
	suffix := ""
	if m.Note != "" {
		suffix = ": " + m.Note
	}
	if err := appendHistory(ctx, tx, dup.ID, data.StatusChange{At: now, By: by, From: dup.Status, To: data.StatusMerged,
		Note: "merged into " + keep.ID + suffix}); err != nil {
		return err
	}
	return appendHistory(ctx, tx, keep.ID, data.StatusChange{At: now, By: by, From: keep.Status, To: keep.Status,
		Note: "merged " + dup.ID + " into this request" + suffix})
}

// SetRequestPriority implements data.Store.
func (s *Store) SetRequestPriority(ctx context.Context, c data.PriorityChange) (data.Request, error) {
	const op = "store.SetRequestPriority"
	var out data.Request
	if c.Priority < 1 || c.Priority > 5 {
		return out, data.WithOp(op, data.FieldError("priority", "%d is not within 1 (routine) – 5 (most urgent)", c.Priority))
	}
	if len(c.Note) > 2000 {
		return out, data.WithOp(op, data.FieldError("note", "longer than 2000 bytes"))
	}
	err := s.tx(ctx, op, func(tx Tx) error {
		var status string
		var version int64
		var prio, seq int
		err := tx.QueryRow(ctx, `SELECT status, version, priority FROM requests WHERE id = $1`, c.ID).Scan(&status, &version, &prio)
		if data.ErrorKind(err) == data.NotFound {
			return notFound("request", c.ID)
		}
		if err != nil {
			return err
		}
		if version != c.Version {
			return versionConflict("request", c.ID, version, c.Version)
		}
		now := s.now()
		n, err := tx.Exec(ctx, `UPDATE requests SET priority = $3, version = version + 1, updated_at = $4
			WHERE id = $1 AND version = $2`, c.ID, c.Version, c.Priority, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return checkVersion(ctx, tx, "requests", "request", c.ID, c.Version)
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM request_history WHERE request_id = $1`, c.ID).Scan(&seq); err != nil {
			return err
		}
		note := fmt.Sprintf("priority %d→%d", prio, c.Priority)
		if c.Note != "" {
			note += ": " + c.Note
		}
		by := c.By
		if by == "" {
			by = "system"
		}
		st := data.Status(status)
		if err := insertHistory(ctx, tx, c.ID, seq, data.StatusChange{At: now, By: by, From: st, To: st, Note: note}); err != nil {
			return err
		}
		out, err = getRequest(ctx, tx, c.ID)
		return err
	})
	return out, err
}

// RequestIDsForTeam implements data.Store.
func (s *Store) RequestIDsForTeam(ctx context.Context, teamID string, from, to data.Date) ([]string, error) {
	var out []string
	err := s.tx(ctx, "store.RequestIDsForTeam", func(tx Tx) (err error) {
		out, err = requestIDsForTeam(ctx, tx, teamID, from, to)
		return err
	})
	return out, err
}

func requestIDsForTeam(ctx context.Context, tx Tx, teamID string, from, to data.Date) ([]string, error) {
	// Only currently published plans: a team member must not see the
	// households of drafts or of versions a later publication replaced.
	rows, err := tx.Query(ctx, `SELECT i.stops FROM itineraries i JOIN plans p ON p.id = i.plan_id
		WHERE i.team_id = $1 AND p.status = $4
		AND ($2 = '' OR i.day >= $2) AND ($3 = '' OR i.day <= $3)`, teamID, string(from), string(to), string(data.PlanPublished))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		var stops []data.Stop
		if err := fromJSON(js, &stops); err != nil {
			return nil, err
		}
		for _, st := range stops {
			for _, id := range st.RequestIDs {
				set[id] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}
