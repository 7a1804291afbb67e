package sqlstore

import (
	"context"
	"slices"
	"strings"

	"github.com/yingjing/xunhui/data"
)

// planHeaderCols are the plan columns without the summary, which can be
// large (unassigned requests, decisions, loads) and is not needed on the road.
const planHeaderCols = `id, kind, from_day, to_day, status, version, created_by, created_at, updated_at`

// TeamSchedule implements data.Store: ten queries in one transaction,
// whatever the number of days, stops and households.
func (s *Store) TeamSchedule(ctx context.Context, q data.ScheduleQuery) (data.Schedule, error) {
	var out data.Schedule
	if err := q.Validate(); err != nil {
		return out, data.WithOp("store.TeamSchedule", err)
	}
	err := s.tx(ctx, "store.TeamSchedule", func(tx Tx) (err error) {
		if out, err = scheduleTeam(ctx, tx, q.TeamID); err != nil {
			return err
		}
		plans, err := schedulePlans(ctx, tx, q)
		if err != nil {
			return err
		}
		if err := scheduleDays(ctx, tx, q, plans, &out); err != nil {
			return err
		}
		return scheduleRefs(ctx, tx, &out)
	})
	return out, err
}

// scheduleTeam reads the team, its members (in order) and its base point.
func scheduleTeam(ctx context.Context, tx Tx, teamID string) (data.Schedule, error) {
	var out data.Schedule
	t, err := scanTeam(tx.QueryRow(ctx, `SELECT `+teamCols+` FROM teams WHERE id = $1`, teamID))
	if data.ErrorKind(err) == data.NotFound {
		return out, notFound("team", teamID)
	}
	if err != nil {
		return out, err
	}
	t.MemberIDs = []string{}
	out.Members = []data.Staff{}
	rows, err := tx.Query(ctx, `SELECT `+prefixCols("s.", staffCols)+` FROM team_members m JOIN staff s ON s.id = m.staff_id
		WHERE m.team_id = $1 ORDER BY m.seq`, teamID)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		st, err := scanStaff(rows)
		if err != nil {
			return out, err
		}
		t.MemberIDs = append(t.MemberIDs, st.ID)
		out.Members = append(out.Members, st)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	out.Team = t
	p, err := scanPoint(tx.QueryRow(ctx, `SELECT `+pointCols+` FROM service_points WHERE id = $1`, t.HomePointID))
	if err == nil {
		out.Base = &p
	} else if data.ErrorKind(err) != data.NotFound {
		return out, err
	}
	return out, nil
}

// schedulePlans returns the headers of the candidate circuit plans for the
// query's days, newest first (the plan PlanID alone when given).
func schedulePlans(ctx context.Context, tx Tx, q data.ScheduleQuery) ([]data.Plan, error) {
	var rows Rows
	var err error
	if q.PlanID != "" {
		rows, err = tx.Query(ctx, `SELECT `+planHeaderCols+` FROM plans WHERE id = $1`, q.PlanID)
	} else {
		status := ""
		if q.PublishedOnly {
			status = string(data.PlanPublished)
		}
		rows, err = tx.Query(ctx, `SELECT `+planHeaderCols+` FROM plans
			WHERE kind = $1 AND from_day <= $2 AND to_day >= $3 AND ($4 = '' OR status = $4)
			ORDER BY created_at DESC, id DESC`, string(data.PlanCircuit), string(q.To), string(q.From), status)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []data.Plan
	for rows.Next() {
		var p data.Plan
		var from, to string
		if err := rows.Scan(&p.ID, &p.Kind, &from, &to, &p.Status, &p.Version, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt); err != nil {
			return nil, err
		}
		p.From, p.To = data.Date(from), data.Date(to)
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if q.PlanID != "" && (len(ps) == 0 || ps[0].Kind != data.PlanCircuit || (q.PublishedOnly && ps[0].Status != data.PlanPublished)) {
		return nil, data.Errorf(data.NotFound, "no circuit plan %s", q.PlanID)
	}
	return ps, nil
}

// pickPlan chooses the plan of one day among ps (newest first): the newest
// published plan covering it, else the newest draft (ps holds drafts only
// when they are allowed).
func pickPlan(ps []data.Plan, day data.Date) *data.Plan {
	for _, st := range []data.PlanStatus{data.PlanPublished, data.PlanDraft} {
		for i := range ps {
			if ps[i].Status == st && ps[i].From <= day && day <= ps[i].To {
				return &ps[i]
			}
		}
	}
	return nil
}

// scheduleDays picks each day's plan and reads the team's itineraries in
// those plans (one query).
func scheduleDays(ctx context.Context, tx Tx, q data.ScheduleQuery, plans []data.Plan, out *data.Schedule) error {
	chosen := map[string]bool{}
	for d := q.From; d <= q.To; d = d.AddDays(1) {
		day := data.ScheduleDay{Date: d, Plan: pickPlan(plans, d)}
		if q.PlanID != "" {
			day.Plan = &plans[0] // the plan asked for, even outside its dates (no stops then)
		}
		if day.Plan != nil {
			chosen[day.Plan.ID] = true
		}
		out.Days = append(out.Days, day)
	}
	if len(chosen) == 0 {
		return nil
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range chosen {
			if !yield(id) {
				return
			}
		}
	})
	args := []any{q.TeamID, string(q.From), string(q.To)}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.Query(ctx, `SELECT plan_id, team_id, day, stops, return_seconds, staff_ids FROM itineraries
		WHERE team_id = $1 AND day >= $2 AND day <= $3 AND plan_id IN (`+placeholders(4, len(ids))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var it data.Itinerary
		var day, stops, staff string
		if err := rows.Scan(&it.PlanID, &it.TeamID, &day, &stops, &it.ReturnSeconds, &staff); err != nil {
			return err
		}
		if err := fromJSON(staff, &it.StaffIDs); err != nil {
			return err
		}
		if len(it.StaffIDs) == 0 {
			it.StaffIDs = nil
		}
		it.Date = data.Date(day)
		it.Stops = []data.Stop{}
		if err := fromJSON(stops, &it.Stops); err != nil {
			return err
		}
		for i := range out.Days {
			if d := &out.Days[i]; d.Date == it.Date && d.Plan != nil && d.Plan.ID == it.PlanID {
				d.Itinerary = &it
			}
		}
	}
	return rows.Err()
}

// scheduleRefs reads the requests (without history), villages and service
// items of the days' stops (five queries).
func scheduleRefs(ctx context.Context, tx Tx, out *data.Schedule) error {
	out.Requests, out.Villages, out.Items = map[string]data.Request{}, map[string]data.Village{}, map[string]data.ServiceItem{}
	var reqIDs, villageIDs []string
	for _, d := range out.Days {
		if d.Itinerary == nil {
			continue
		}
		for _, st := range d.Itinerary.Stops {
			villageIDs = append(villageIDs, st.VillageID)
			reqIDs = append(reqIDs, st.RequestIDs...)
		}
	}
	reqIDs, villageIDs = uniq(reqIDs), uniq(villageIDs)
	var rs []data.Request
	if err := queryIn(ctx, tx, `SELECT `+requestCols+` FROM requests r WHERE r.id IN `, reqIDs, func(r Rows) error {
		x, err := scanRequest(r)
		rs = append(rs, x)
		return err
	}); err != nil {
		return err
	}
	if err := loadRequestLists(ctx, tx, rs); err != nil {
		return err
	}
	var itemIDs []string
	for _, r := range rs {
		out.Requests[r.ID] = r
		itemIDs = append(itemIDs, r.ItemIDs...)
	}
	if err := queryIn(ctx, tx, `SELECT `+villageCols+` FROM villages WHERE id IN `, villageIDs, func(r Rows) error {
		v, err := scanVillage(r)
		out.Villages[v.ID] = v
		return err
	}); err != nil {
		return err
	}
	return queryIn(ctx, tx, `SELECT `+itemCols+` FROM service_items WHERE id IN `, uniq(itemIDs), func(r Rows) error {
		it, err := scanItem(r)
		out.Items[it.ID] = it
		return err
	})
}

// queryIn runs query + "(ids...)" and calls scan on each row; nothing for
// no ids.
func queryIn(ctx context.Context, tx Tx, query string, ids []string, scan func(Rows) error) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.Query(ctx, query+`(`+placeholders(1, len(ids))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// uniq returns the distinct values of xs, sorted.
func uniq(xs []string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}

// prefixCols qualifies each column of a comma-separated list with p.
func prefixCols(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
