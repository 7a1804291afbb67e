package sqlstore

import (
	"context"
	"strings"

	"github.com/yingjing/xunhui/data"
)

const itemCols = `id, name, category, kind, lowest_level, mode, duration_min, skill, sample, service_list, handled_at`

func scanItem(r Row) (data.ServiceItem, error) {
	var it data.ServiceItem
	err := r.Scan(&it.ID, &it.Name, &it.Category, &it.Kind, &it.LowestLevel, &it.Mode, &it.DurationMin, &it.Skill, &it.Sample, &it.List, &it.HandledAt)
	return it, err
}

// ListServiceItems implements data.Store.
func (s *Store) ListServiceItems(ctx context.Context) ([]data.ServiceItem, error) {
	out := []data.ServiceItem{}
	err := s.tx(ctx, "store.ListServiceItems", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+itemCols+` FROM service_items ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	return out, err
}

// GetServiceItem implements data.Store.
func (s *Store) GetServiceItem(ctx context.Context, id string) (data.ServiceItem, error) {
	var it data.ServiceItem
	err := s.tx(ctx, "store.GetServiceItem", func(tx Tx) (err error) {
		it, err = scanItem(tx.QueryRow(ctx, `SELECT `+itemCols+` FROM service_items WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("service item", id)
		}
		return err
	})
	return it, err
}

// PutServiceItems implements data.Store.
func (s *Store) PutServiceItems(ctx context.Context, items []data.ServiceItem) error {
	const op = "store.PutServiceItems"
	var b batch
	for i, it := range items {
		if err := it.Validate(); err != nil {
			b.add(i, err)
			continue
		}
		b.dup(i, "id", it.ID)
	}
	if err := b.err(op); err != nil {
		return err
	}
	return s.tx(ctx, op, func(tx Tx) error {
		for _, it := range items {
			if _, err := tx.Exec(ctx, `INSERT INTO service_items (`+itemCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category, kind = excluded.kind,
				lowest_level = excluded.lowest_level, mode = excluded.mode, duration_min = excluded.duration_min,
				skill = excluded.skill, sample = excluded.sample, service_list = excluded.service_list, handled_at = excluded.handled_at`,
				it.ID, it.Name, string(it.Category), it.Kind, string(it.LowestLevel), string(it.Mode), it.DurationMin, string(it.Skill), it.Sample,
				string(it.List), string(it.HandledAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// staffWriteCols are the staff columns a write sets; staffCols adds the
// version the store keeps.
const (
	staffWriteCols = `id, name, role, skills, department, home_code, home_point_id, phone, party_member, service_star, availability, leave_ranges, sample, max_days_per_week`
	staffCols      = staffWriteCols + `, version`
)

func scanStaff(r Row) (data.Staff, error) {
	var st data.Staff
	var skills, avail, leave string
	if err := r.Scan(&st.ID, &st.Name, &st.Role, &skills, &st.Department, &st.HomeCode, &st.HomePointID, &st.Phone,
		&st.PartyMember, &st.ServiceStar, &avail, &leave, &st.Sample, &st.MaxDaysPerWeek, &st.Version); err != nil {
		return st, err
	}
	if err := fromJSON(skills, &st.Skills); err != nil {
		return st, err
	}
	if err := fromJSON(avail, &st.Availability); err != nil {
		return st, err
	}
	// leave_ranges is empty: roster leave is stored as absences (rosterLeave).
	_ = leave
	if st.Availability == nil {
		st.Availability = []data.WeeklyWindow{}
	}
	return st, nil
}

// ListStaff implements data.Store.
func (s *Store) ListStaff(ctx context.Context, f data.StaffFilter) ([]data.Staff, error) {
	out := []data.Staff{}
	err := s.tx(ctx, "store.ListStaff", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+staffCols+` FROM staff
			WHERE ($1 = '' OR role = $1) AND ($2 = '' OR township_id = $2) AND ($3 = '' OR skills LIKE $4 ESCAPE '!')
			ORDER BY id`, string(f.Role), f.TownshipID, string(f.Skill), likeContains(`"`+string(f.Skill)+`"`))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			st, err := scanStaff(rows)
			if err != nil {
				return err
			}
			out = append(out, st)
		}
		return rows.Err()
	})
	return out, err
}

// GetStaff implements data.Store.
func (s *Store) GetStaff(ctx context.Context, id string) (data.Staff, error) {
	var st data.Staff
	err := s.tx(ctx, "store.GetStaff", func(tx Tx) (err error) {
		st, err = scanStaff(tx.QueryRow(ctx, `SELECT `+staffCols+` FROM staff WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("staff", id)
		}
		return err
	})
	return st, err
}

// PutStaff implements data.Store.
func (s *Store) PutStaff(ctx context.Context, ss []data.Staff) error {
	const op = "store.PutStaff"
	return s.tx(ctx, op, func(tx Tx) error {
		points, err := idSet(ctx, tx, `SELECT id FROM service_points`)
		if err != nil {
			return err
		}
		codes, err := idSet(ctx, tx, `SELECT id FROM villages UNION SELECT id FROM townships`)
		if err != nil {
			return err
		}
		codes[data.CountyCode] = true
		var b batch
		for i, st := range ss {
			if err := st.Validate(); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "id", st.ID) {
				continue
			}
			if !codes[st.HomeCode] {
				b.fail(i, "home_code", "unknown township or village %s", st.HomeCode)
			}
			if st.HomePointID != "" && !points[st.HomePointID] {
				b.fail(i, "home_point_id", "unknown service point %s", st.HomePointID)
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		for _, st := range ss {
			if err := expectVersion(ctx, tx, "staff", "staff", st.ID, st.Version); err != nil {
				return err
			}
			if st.Skills == nil {
				st.Skills = []data.Skill{}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO staff (`+staffWriteCols+`, township_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, skills = excluded.skills,
				department = excluded.department, home_code = excluded.home_code, home_point_id = excluded.home_point_id,
				phone = excluded.phone, party_member = excluded.party_member, service_star = excluded.service_star,
				availability = excluded.availability, leave_ranges = excluded.leave_ranges, sample = excluded.sample,
				max_days_per_week = excluded.max_days_per_week, township_id = excluded.township_id, version = staff.version + 1`,
				st.ID, st.Name, string(st.Role), toJSON(st.Skills), st.Department, st.HomeCode, st.HomePointID, st.Phone,
				st.PartyMember, st.ServiceStar, toJSON(nonNil(st.Availability)), "[]", st.Sample,
				st.MaxDaysPerWeek, data.TownshipOf(st.HomeCode)); err != nil {
				return err
			}
			// One leave model: the roster's leave ranges become absences.
			if err := rosterLeave(ctx, tx, st.ID, st.Leave, s.now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// expectVersion checks a version-guarded write of one record: want 0 is an
// unguarded upsert (imports, seed); want > 0 must be the stored version
// (NotFound when the record does not exist, Conflict when it moved on).
func expectVersion(ctx context.Context, tx Tx, table, what, id string, want int64) error {
	if want == 0 {
		return nil
	}
	var have int64
	err := tx.QueryRow(ctx, `SELECT version FROM `+table+` WHERE id = $1`, id).Scan(&have)
	if data.ErrorKind(err) == data.NotFound {
		return notFound(what, id)
	}
	if err != nil {
		return err
	}
	if have != want {
		return versionConflict(what, id, have, want)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// teamWriteCols are the team columns a write sets; teamCols adds the
// version the store keeps.
const (
	teamWriteCols = `id, name, level, home_code, home_point_id, travel_mode, day_start, day_end, lunch_start, lunch_end, red, sample, seats`
	teamCols      = teamWriteCols + `, version`
)

func scanTeam(r Row) (data.Team, error) {
	var t data.Team
	err := r.Scan(&t.ID, &t.Name, &t.Level, &t.HomeCode, &t.HomePointID, &t.TravelMode, &t.DayStart, &t.DayEnd,
		&t.LunchStart, &t.LunchEnd, &t.Red, &t.Sample, &t.Seats, &t.Version)
	return t, err
}

// loadMembers fills MemberIDs of ts in member order.
func loadMembers(ctx context.Context, tx Tx, ts []data.Team) error {
	idx := map[string]int{}
	for i := range ts {
		idx[ts[i].ID] = i
		ts[i].MemberIDs = []string{}
	}
	rows, err := tx.Query(ctx, `SELECT team_id, staff_id FROM team_members ORDER BY team_id, seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var team, staff string
		if err := rows.Scan(&team, &staff); err != nil {
			return err
		}
		if i, ok := idx[team]; ok {
			ts[i].MemberIDs = append(ts[i].MemberIDs, staff)
		}
	}
	return rows.Err()
}

// ListTeams implements data.Store.
func (s *Store) ListTeams(ctx context.Context, level data.Level) ([]data.Team, error) {
	out := []data.Team{}
	err := s.tx(ctx, "store.ListTeams", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+teamCols+` FROM teams WHERE ($1 = '' OR level = $1) ORDER BY id`, string(level))
		if err != nil {
			return err
		}
		for rows.Next() {
			t, err := scanTeam(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return loadMembers(ctx, tx, out)
	})
	return out, err
}

// GetTeam implements data.Store.
func (s *Store) GetTeam(ctx context.Context, id string) (data.Team, error) {
	var t data.Team
	err := s.tx(ctx, "store.GetTeam", func(tx Tx) (err error) {
		t, err = scanTeam(tx.QueryRow(ctx, `SELECT `+teamCols+` FROM teams WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("team", id)
		}
		if err != nil {
			return err
		}
		ts := []data.Team{t}
		err = loadMembers(ctx, tx, ts)
		t = ts[0]
		return err
	})
	return t, err
}

// PutTeams implements data.Store.
func (s *Store) PutTeams(ctx context.Context, ts []data.Team) error {
	const op = "store.PutTeams"
	return s.tx(ctx, op, func(tx Tx) error {
		points, err := idSet(ctx, tx, `SELECT id FROM service_points`)
		if err != nil {
			return err
		}
		staff, err := idSet(ctx, tx, `SELECT id FROM staff`)
		if err != nil {
			return err
		}
		var b batch
		for i, t := range ts {
			if err := t.Validate(); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "id", t.ID) {
				continue
			}
			if !points[t.HomePointID] {
				b.fail(i, "home_point_id", "unknown service point %s", t.HomePointID)
			}
			for _, m := range t.MemberIDs {
				if !staff[m] {
					b.fail(i, "member_ids", "unknown staff %s", m)
				}
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		for _, t := range ts {
			if err := expectVersion(ctx, tx, "teams", "team", t.ID, t.Version); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO teams (`+teamWriteCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, home_code = excluded.home_code,
				home_point_id = excluded.home_point_id, travel_mode = excluded.travel_mode, day_start = excluded.day_start,
				day_end = excluded.day_end, lunch_start = excluded.lunch_start, lunch_end = excluded.lunch_end,
				red = excluded.red, sample = excluded.sample, seats = excluded.seats, version = teams.version + 1`,
				t.ID, t.Name, string(t.Level), t.HomeCode, t.HomePointID, string(t.TravelMode), t.DayStart, t.DayEnd,
				t.LunchStart, t.LunchEnd, t.Red, t.Sample, t.Seats); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE team_id = $1`, t.ID); err != nil {
				return err
			}
			for k, m := range t.MemberIDs {
				if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, staff_id, seq) VALUES ($1, $2, $3)`, t.ID, m, k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

const cycleCols = `township_id, cycle, calendar, digits, place, start_min, end_min, sample, special_days`

func scanCycle(r Row) (data.MarketCycle, error) {
	var c data.MarketCycle
	var digits, specials string
	if err := r.Scan(&c.TownshipID, &c.Cycle, &c.Calendar, &digits, &c.Place, &c.Start, &c.End, &c.Sample, &specials); err != nil {
		return c, err
	}
	if err := fromJSON(specials, &c.SpecialDays); err != nil {
		return c, err
	}
	if len(c.SpecialDays) == 0 {
		c.SpecialDays = nil
	}
	return c, fromJSON(digits, &c.Digits)
}

// ListMarketCycles implements data.Store.
func (s *Store) ListMarketCycles(ctx context.Context) ([]data.MarketCycle, error) {
	out := []data.MarketCycle{}
	err := s.tx(ctx, "store.ListMarketCycles", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+cycleCols+` FROM market_cycles ORDER BY township_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCycle(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// PutMarketCycles implements data.Store.
func (s *Store) PutMarketCycles(ctx context.Context, cs []data.MarketCycle) error {
	const op = "store.PutMarketCycles"
	return s.tx(ctx, op, func(tx Tx) error {
		towns, err := idSet(ctx, tx, `SELECT id FROM townships`)
		if err != nil {
			return err
		}
		var b batch
		norm := make([]data.MarketCycle, len(cs))
		for i, c := range cs {
			c.Normalize()
			norm[i] = c
			if err := c.Validate(); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "township_id", c.TownshipID) {
				continue
			}
			if !towns[c.TownshipID] {
				b.fail(i, "township_id", "unknown township %s", c.TownshipID)
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		for _, c := range norm {
			if _, err := tx.Exec(ctx, `INSERT INTO market_cycles (`+cycleCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (township_id) DO UPDATE SET cycle = excluded.cycle, calendar = excluded.calendar,
				digits = excluded.digits, place = excluded.place, start_min = excluded.start_min,
				end_min = excluded.end_min, sample = excluded.sample, special_days = excluded.special_days`,
				c.TownshipID, c.Cycle, c.Calendar, toJSON(nonNil(c.Digits)), c.Place, c.Start, c.End, c.Sample, toJSON(nonNil(c.SpecialDays))); err != nil {
				return err
			}
		}
		return nil
	})
}

const excCols = `township_id, day, kind, to_day, reason`

func scanExc(r Row) (data.MarketException, error) {
	var e data.MarketException
	err := r.Scan(&e.TownshipID, &e.Date, &e.Kind, &e.To, &e.Reason)
	return e, err
}

func listExceptions(ctx context.Context, tx Tx, townshipID string) ([]data.MarketException, error) {
	out := []data.MarketException{}
	rows, err := tx.Query(ctx, `SELECT `+excCols+` FROM market_exceptions
		WHERE ($1 = '' OR township_id = $1) ORDER BY township_id, day`, townshipID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanExc(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ListMarketExceptions implements data.Store.
func (s *Store) ListMarketExceptions(ctx context.Context, townshipID string) ([]data.MarketException, error) {
	var out []data.MarketException
	err := s.tx(ctx, "store.ListMarketExceptions", func(tx Tx) (err error) {
		out, err = listExceptions(ctx, tx, townshipID)
		return err
	})
	return out, err
}

// PutMarketExceptions implements data.Store.
func (s *Store) PutMarketExceptions(ctx context.Context, es []data.MarketException) error {
	const op = "store.PutMarketExceptions"
	return s.tx(ctx, op, func(tx Tx) error {
		towns, err := idSet(ctx, tx, `SELECT id FROM townships`)
		if err != nil {
			return err
		}
		var b batch
		for i, e := range es {
			if err := e.Validate(); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "date", e.TownshipID+" "+string(e.Date)) {
				continue
			}
			if !towns[e.TownshipID] {
				b.fail(i, "township_id", "unknown township %s", e.TownshipID)
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		for _, e := range es {
			if _, err := tx.Exec(ctx, `INSERT INTO market_exceptions (`+excCols+`) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (township_id, day) DO UPDATE SET kind = excluded.kind, to_day = excluded.to_day,
				reason = excluded.reason`,
				e.TownshipID, string(e.Date), e.Kind, string(e.To), e.Reason); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteMarketException implements data.Store.
func (s *Store) DeleteMarketException(ctx context.Context, townshipID string, date data.Date) error {
	return s.tx(ctx, "store.DeleteMarketException", func(tx Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM market_exceptions WHERE township_id = $1 AND day = $2`, townshipID, string(date))
		if err == nil && n == 0 {
			return notFound("market exception", townshipID+" "+string(date))
		}
		return err
	})
}

// MarketCalendar implements data.Store.
func (s *Store) MarketCalendar(ctx context.Context, townshipID string) (data.MarketCycle, []data.MarketException, error) {
	var c data.MarketCycle
	var es []data.MarketException
	err := s.tx(ctx, "store.MarketCalendar", func(tx Tx) (err error) {
		c, err = scanCycle(tx.QueryRow(ctx, `SELECT `+cycleCols+` FROM market_cycles WHERE township_id = $1`, townshipID))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("market cycle of township", townshipID)
		}
		if err != nil {
			return err
		}
		if townshipID == "" {
			return notFound("market cycle of township", townshipID)
		}
		es, err = listExceptions(ctx, tx, townshipID)
		return err
	})
	return c, es, err
}

// likeContains returns a LIKE pattern (escape character '!') matching any
// text that contains s literally.
func likeContains(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return "%" + r.Replace(s) + "%"
}
