package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/yingjing/xunhui/data"
)

const planCols = `id, kind, from_day, to_day, status, version, created_by, created_at, updated_at, summary, supersedes, superseded_by`

func scanPlan(r Row) (data.Plan, error) {
	var p data.Plan
	var from, to, summary string
	if err := r.Scan(&p.ID, &p.Kind, &from, &to, &p.Status, &p.Version, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt, &summary,
		&p.Supersedes, &p.SupersededBy); err != nil {
		return p, err
	}
	p.From, p.To = data.Date(from), data.Date(to)
	return p, fromJSON(summary, &p.Summary)
}

// checkPlanContent validates the content of d against the database and
// returns the first problem as an Invalid error with a path-like field.
func checkPlanContent(ctx context.Context, tx Tx, d *data.PlanDetail) error {
	if err := d.Plan.Validate(); err != nil {
		return err
	}
	if d.Plan.Kind == data.PlanCircuit && len(d.Desks) > 0 {
		return data.FieldError("desks", "a circuit plan has itineraries, not desks")
	}
	if d.Plan.Kind == data.PlanMarket && len(d.Itineraries) > 0 {
		return data.FieldError("itineraries", "a market plan has desks, not itineraries")
	}
	sets := map[string]string{
		"team":     `SELECT id FROM teams`,
		"place":    `SELECT id FROM villages UNION SELECT id FROM townships`,
		"request":  `SELECT id FROM requests`,
		"staff":    `SELECT id FROM staff`,
		"item":     `SELECT id FROM service_items`,
		"township": `SELECT id FROM townships`,
	}
	known := map[string]map[string]bool{}
	for k, q := range sets {
		set, err := idSet(ctx, tx, q)
		if err != nil {
			return err
		}
		known[k] = set
	}
	known["place"][data.CountyCode] = true
	inRange := func(field string, day data.Date) error {
		if day < d.Plan.From || day > d.Plan.To {
			return data.FieldError(field, "%s is outside the plan's dates %s–%s", day, d.Plan.From, d.Plan.To)
		}
		return nil
	}
	seen := map[string]bool{}
	for i, it := range d.Itineraries {
		f := fmt.Sprintf("itineraries[%d]", i)
		if err := it.Validate(); err != nil {
			return prefix(f, err)
		}
		if err := inRange(f+".date", it.Date); err != nil {
			return err
		}
		if !known["team"][it.TeamID] {
			return data.FieldError(f+".team_id", "unknown team %s", it.TeamID)
		}
		if k := it.TeamID + " " + string(it.Date); seen[k] {
			return data.FieldError(f, "team %s already has an itinerary on %s", it.TeamID, it.Date)
		} else {
			seen[k] = true
		}
		for j, st := range it.Stops {
			if !known["place"][st.VillageID] {
				return data.FieldError(fmt.Sprintf("%s.stops[%d].village_id", f, j), "unknown village %s", st.VillageID)
			}
			for k, r := range st.RequestIDs {
				if !known["request"][r] {
					return data.FieldError(fmt.Sprintf("%s.stops[%d].request_ids[%d]", f, j, k), "unknown request %s", r)
				}
			}
			if g := st.Guide; g != nil && g.StaffID != "" && !known["staff"][g.StaffID] {
				return data.FieldError(fmt.Sprintf("%s.stops[%d].guide.staff_id", f, j), "unknown staff %s", g.StaffID)
			}
			for k, id := range st.StaffIDs {
				if !known["staff"][id] {
					return data.FieldError(fmt.Sprintf("%s.stops[%d].staff_ids[%d]", f, j, k), "unknown staff %s", id)
				}
			}
		}
	}
	for i, dk := range d.Desks {
		f := fmt.Sprintf("desks[%d]", i)
		if err := dk.Validate(); err != nil {
			return prefix(f, err)
		}
		if err := inRange(f+".date", dk.Date); err != nil {
			return err
		}
		if !known["township"][dk.TownshipID] {
			return data.FieldError(f+".township_id", "unknown township %s", dk.TownshipID)
		}
		if k := "desk " + dk.TownshipID + " " + string(dk.Date); seen[k] {
			return data.FieldError(f, "township %s already has a desk on %s", dk.TownshipID, dk.Date)
		} else {
			seen[k] = true
		}
		for j, id := range dk.StaffIDs {
			if !known["staff"][id] {
				return data.FieldError(fmt.Sprintf("%s.staff_ids[%d]", f, j), "unknown staff %s", id)
			}
		}
		for j, id := range dk.ItemIDs {
			if !known["item"][id] {
				return data.FieldError(fmt.Sprintf("%s.item_ids[%d]", f, j), "unknown service item %s", id)
			}
		}
		for j, id := range dk.RequestIDs {
			if !known["request"][id] {
				return data.FieldError(fmt.Sprintf("%s.request_ids[%d]", f, j), "unknown request %s", id)
			}
		}
	}
	return nil
}

// prefix puts path in front of the field of a validation error.
func prefix(path string, err error) error {
	f := data.ErrorField(err)
	if f != "" {
		f = path + "." + f
	} else {
		f = path
	}
	msg := data.ErrorMessage(err)
	if i := strings.Index(msg, ": "); i >= 0 && data.ErrorField(err) != "" {
		msg = msg[i+2:]
	}
	return &data.Error{Kind: data.Invalid, Field: f, Message: msg}
}

// writePlanContent inserts the content of d (which must be already deleted).
func writePlanContent(ctx context.Context, tx Tx, d *data.PlanDetail) error {
	for i := range d.Itineraries {
		it := &d.Itineraries[i]
		it.PlanID = d.Plan.ID
		it.Stops = nonNil(it.Stops)
		for j := range it.Stops {
			it.Stops[j].RequestIDs = nonNil(it.Stops[j].RequestIDs)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO itineraries (plan_id, team_id, day, stops, return_seconds, staff_ids)
			VALUES ($1, $2, $3, $4, $5, $6)`, it.PlanID, it.TeamID, string(it.Date), toJSON(it.Stops), it.ReturnSeconds,
			toJSON(nonNil(it.StaffIDs))); err != nil {
			return err
		}
	}
	for i := range d.Desks {
		dk := &d.Desks[i]
		dk.PlanID = d.Plan.ID
		dk.StaffIDs, dk.ItemIDs = nonNil(dk.StaffIDs), nonNil(dk.ItemIDs)
		if _, err := tx.Exec(ctx, `INSERT INTO desks (plan_id, township_id, day, start_min, end_min, staff_ids, item_ids,
			request_ids, locked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			dk.PlanID, dk.TownshipID, string(dk.Date), dk.Start, dk.End, toJSON(dk.StaffIDs), toJSON(dk.ItemIDs),
			toJSON(nonNil(dk.RequestIDs)), dk.Locked); err != nil {
			return err
		}
	}
	d.Itineraries, d.Desks = nonNil(d.Itineraries), nonNil(d.Desks)
	return nil
}

func deletePlanContent(ctx context.Context, tx Tx, id string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM itineraries WHERE plan_id = $1`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM desks WHERE plan_id = $1`, id)
	return err
}

// CreatePlan implements data.Store.
func (s *Store) CreatePlan(ctx context.Context, d *data.PlanDetail) error {
	const op = "store.CreatePlan"
	c := *d
	c.Itineraries = append([]data.Itinerary(nil), d.Itineraries...)
	c.Desks = append([]data.Desk(nil), d.Desks...)
	if c.Plan.ID == "" {
		c.Plan.ID = data.NewID("P")
	}
	c.Plan.Status = data.PlanDraft // published only through PublishPlan
	c.Plan.Supersedes, c.Plan.SupersededBy = "", ""
	err := s.tx(ctx, op, func(tx Tx) error {
		if err := checkPlanContent(ctx, tx, &c); err != nil {
			return err
		}
		now := s.now()
		c.Plan.Version, c.Plan.CreatedAt, c.Plan.UpdatedAt = 1, now, now
		if _, err := tx.Exec(ctx, `INSERT INTO plans (`+planCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', '')`,
			c.Plan.ID, string(c.Plan.Kind), string(c.Plan.From), string(c.Plan.To), string(c.Plan.Status), c.Plan.Version,
			c.Plan.CreatedBy, now, now, toJSON(c.Plan.Summary)); err != nil {
			if data.ErrorKind(err) == data.Conflict {
				return &data.Error{Kind: data.Conflict, Field: "id", Message: fmt.Sprintf("plan %q already exists", c.Plan.ID)}
			}
			return err
		}
		return writePlanContent(ctx, tx, &c)
	})
	if err == nil {
		*d = c
	}
	return err
}

func getPlan(ctx context.Context, tx Tx, id string) (data.PlanDetail, error) {
	var d data.PlanDetail
	p, err := scanPlan(tx.QueryRow(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1`, id))
	if data.ErrorKind(err) == data.NotFound {
		return d, notFound("plan", id)
	}
	if err != nil {
		return d, err
	}
	d.Plan = p
	d.Itineraries, err = listItineraries(ctx, tx, data.ItineraryFilter{PlanID: id})
	if err != nil {
		return d, err
	}
	d.Desks = []data.Desk{}
	rows, err := tx.Query(ctx, `SELECT plan_id, township_id, day, start_min, end_min, staff_ids, item_ids, request_ids, locked
		FROM desks WHERE plan_id = $1 ORDER BY township_id, day`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var dk data.Desk
		var day, staff, items, reqs string
		if err := rows.Scan(&dk.PlanID, &dk.TownshipID, &day, &dk.Start, &dk.End, &staff, &items, &reqs, &dk.Locked); err != nil {
			return d, err
		}
		dk.Date = data.Date(day)
		for _, x := range []struct {
			s string
			v *[]string
		}{{staff, &dk.StaffIDs}, {items, &dk.ItemIDs}, {reqs, &dk.RequestIDs}} {
			if err := fromJSON(x.s, x.v); err != nil {
				return d, err
			}
		}
		d.Desks = append(d.Desks, dk)
	}
	return d, rows.Err()
}

// GetPlan implements data.Store.
func (s *Store) GetPlan(ctx context.Context, id string) (data.PlanDetail, error) {
	var d data.PlanDetail
	err := s.tx(ctx, "store.GetPlan", func(tx Tx) (err error) {
		d, err = getPlan(ctx, tx, id)
		return err
	})
	return d, err
}

// ListPlans implements data.Store.
func (s *Store) ListPlans(ctx context.Context, f data.PlanFilter) ([]data.Plan, error) {
	out := []data.Plan{}
	err := s.tx(ctx, "store.ListPlans", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+planCols+` FROM plans
			WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR status = $2) AND ($3 = '' OR (from_day <= $3 AND to_day >= $3))
			ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`,
			string(f.Kind), string(f.Status), string(f.Overlaps), limit(f.Limit), max(f.Offset, 0))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPlan(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// ReplacePlan implements data.Store.
func (s *Store) ReplacePlan(ctx context.Context, d *data.PlanDetail) error {
	const op = "store.ReplacePlan"
	c := *d
	c.Itineraries = append([]data.Itinerary(nil), d.Itineraries...)
	c.Desks = append([]data.Desk(nil), d.Desks...)
	err := s.tx(ctx, op, func(tx Tx) error {
		old, err := getPlan(ctx, tx, c.Plan.ID)
		if err != nil {
			return err
		}
		if old.Plan.Status != data.PlanDraft {
			return &data.Error{Kind: data.Conflict, Field: "status",
				Message: fmt.Sprintf("plan %s is %s and immutable; re-plan to make a new version", c.Plan.ID, old.Plan.Status)}
		}
		// Kind, creator, creation time and status are not changed here.
		c.Plan.Kind, c.Plan.CreatedBy, c.Plan.CreatedAt = old.Plan.Kind, old.Plan.CreatedBy, old.Plan.CreatedAt
		c.Plan.Status, c.Plan.Supersedes, c.Plan.SupersededBy = old.Plan.Status, old.Plan.Supersedes, old.Plan.SupersededBy
		if err := checkPlanContent(ctx, tx, &c); err != nil {
			return err
		}
		now := s.now()
		n, err := tx.Exec(ctx, `UPDATE plans SET from_day = $3, to_day = $4, summary = $5, updated_at = $6,
			version = version + 1 WHERE id = $1 AND version = $2`,
			c.Plan.ID, c.Plan.Version, string(c.Plan.From), string(c.Plan.To), toJSON(c.Plan.Summary), now)
		if err != nil {
			return err
		}
		if n == 0 {
			return checkVersion(ctx, tx, "plans", "plan", c.Plan.ID, c.Plan.Version)
		}
		c.Plan.Version++
		c.Plan.UpdatedAt = now
		if err := deletePlanContent(ctx, tx, c.Plan.ID); err != nil {
			return err
		}
		return writePlanContent(ctx, tx, &c)
	})
	if err == nil {
		*d = c
	}
	return err
}

// PublishPlan implements data.Store.
func (s *Store) PublishPlan(ctx context.Context, pub data.Publication) (data.Plan, error) {
	var p data.Plan
	err := s.tx(ctx, "store.PublishPlan", func(tx Tx) error {
		d, err := getPlan(ctx, tx, pub.ID)
		if err != nil {
			return err
		}
		if d.Plan.Version != pub.Version {
			return versionConflict("plan", pub.ID, d.Plan.Version, pub.Version)
		}
		if d.Plan.Status != data.PlanDraft {
			return data.Errorf(data.Conflict, "plan %s is %s, not a draft", pub.ID, d.Plan.Status)
		}
		if err := supersede(ctx, tx, d.Plan, pub.Supersedes); err != nil {
			return err
		}
		if err := writeClaims(ctx, tx, d); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE plans SET status = 'published', supersedes = $2, version = version + 1,
			updated_at = $3 WHERE id = $1`, pub.ID, pub.Supersedes, s.now()); err != nil {
			return err
		}
		p, err = scanPlan(tx.QueryRow(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1`, pub.ID))
		return err
	})
	return p, err
}

// supersede checks that old is the one published plan of p's kind whose
// period overlaps p's (or that there is none and old is ""), marks it
// superseded by p and releases its claims.
func supersede(ctx context.Context, tx Tx, p data.Plan, old string) error {
	ids, err := idSet(ctx, tx, `SELECT id FROM plans WHERE kind = $1 AND status = 'published' AND from_day <= $2 AND to_day >= $3`,
		string(p.Kind), string(p.To), string(p.From))
	if err != nil {
		return err
	}
	if old == "" {
		for id := range ids {
			return &data.Error{Kind: data.Conflict, Field: "supersedes",
				Message: fmt.Sprintf("published %s plan %s covers part of %s–%s; name it in supersedes to replace it", p.Kind, id, p.From, p.To)}
		}
		return nil
	}
	if !ids[old] {
		return &data.Error{Kind: data.Conflict, Field: "supersedes",
			Message: fmt.Sprintf("%s is not a published %s plan overlapping %s–%s", old, p.Kind, p.From, p.To)}
	}
	for id := range ids {
		if id != old {
			return &data.Error{Kind: data.Conflict, Field: "supersedes",
				Message: fmt.Sprintf("published %s plan %s also overlaps %s–%s; supersede one plan at a time", p.Kind, id, p.From, p.To)}
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE plans SET status = 'superseded', superseded_by = $2, version = version + 1 WHERE id = $1`, old, p.ID); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM staff_claims WHERE plan_id = $1`, old)
	return err
}

// DeletePlan implements data.Store.
func (s *Store) DeletePlan(ctx context.Context, id string, version int64) error {
	return s.tx(ctx, "store.DeletePlan", func(tx Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM plans WHERE id = $1`, id).Scan(&status)
		if data.ErrorKind(err) == data.NotFound {
			return notFound("plan", id)
		}
		if err != nil {
			return err
		}
		if status != string(data.PlanDraft) {
			return data.Errorf(data.Conflict, "plan %s is %s: published plans are kept as history", id, status)
		}
		if err := deletePlanContent(ctx, tx, id); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `DELETE FROM plans WHERE id = $1 AND version = $2`, id, version)
		if err != nil {
			return err
		}
		if n == 0 {
			return checkVersion(ctx, tx, "plans", "plan", id, version)
		}
		return nil
	})
}

func listItineraries(ctx context.Context, tx Tx, f data.ItineraryFilter) ([]data.Itinerary, error) {
	out := []data.Itinerary{}
	rows, err := tx.Query(ctx, `SELECT i.plan_id, i.team_id, i.day, i.stops, i.return_seconds, i.staff_ids
		FROM itineraries i JOIN plans p ON p.id = i.plan_id
		WHERE ($1 = '' OR i.plan_id = $1) AND ($2 = '' OR i.team_id = $2) AND ($3 = '' OR i.day >= $3)
		AND ($4 = '' OR i.day <= $4) AND ($5 = '' OR p.status = $5)
		ORDER BY i.day, i.team_id, i.plan_id`,
		f.PlanID, f.TeamID, string(f.From), string(f.To), map[bool]string{true: "published", false: ""}[f.PublishedOnly])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it data.Itinerary
		var day, stops, staff string
		if err := rows.Scan(&it.PlanID, &it.TeamID, &day, &stops, &it.ReturnSeconds, &staff); err != nil {
			return nil, err
		}
		if err := fromJSON(staff, &it.StaffIDs); err != nil {
			return nil, err
		}
		if len(it.StaffIDs) == 0 {
			it.StaffIDs = nil
		}
		it.Date = data.Date(day)
		it.Stops = []data.Stop{}
		if err := fromJSON(stops, &it.Stops); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// ListItineraries implements data.Store.
func (s *Store) ListItineraries(ctx context.Context, f data.ItineraryFilter) ([]data.Itinerary, error) {
	var out []data.Itinerary
	err := s.tx(ctx, "store.ListItineraries", func(tx Tx) (err error) {
		out, err = listItineraries(ctx, tx, f)
		return err
	})
	return out, err
}
