package circuit

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// Snapshot is the county data a plan is computed from, read once so that a
// plan and its check see the same input.
type Snapshot struct {
	// Villages, ServicePoints, Items and Staff are indexed by id.
	Villages      map[string]data.Village
	ServicePoints map[string]data.ServicePoint
	Items         map[string]data.ServiceItem
	Staff         map[string]data.Staff
	// Teams are all teams, by id order.
	Teams []data.Team
	// Requests are the requests to plan (the pool), by id order.
	Requests []data.Request
	// Absences are the active absences (first-class leave records).
	Absences []data.Absence
	// Claimed are the person-days published market plans hold: the circuit
	// planner plans around them.
	Claimed map[data.StaffDay]data.Claim
	// RestDay reports statutory days off (nil: none); nobody travels then.
	RestDay func(data.Date) bool
	// Workday reports adjusted working days (调休, nil: none): weekend days
	// worked with each member's weekday shifts (data.Staff.ShiftWeekday).
	Workday func(data.Date) bool
	// Closures are the road closures and walk-only villages; travel on a
	// day honours those in force then.
	Closures []data.Closure
	// GuideRules say which county and township home visits bring the
	// village agent along (AssignGuides).
	GuideRules []data.GuideRule
}

// baseVillages maps the bases of teams homed in a village (agents) to that
// village, for the walk-only villages of BuildTravel.
func (s *Snapshot) baseVillages(out map[string]string) map[string]string {
	for _, t := range s.Teams {
		if _, ok := s.Villages[t.HomeCode]; !ok {
			continue
		}
		if b, ok := s.base(t); ok {
			out[PointKey(b)] = t.HomeCode
		}
	}
	return out
}

// stopVillages maps the locations of d's stops (and of extra stops), and
// the bases of teams homed in a village, to their villages, for the
// walk-only villages of BuildTravel.
func (s *Snapshot) stopVillages(d data.PlanDetail, extra ...data.Stop) map[string]string {
	out := s.baseVillages(map[string]string{})
	for _, it := range d.Itineraries {
		for _, st := range it.Stops {
			if st.VillageID != "" {
				out[PointKey(st.Location)] = st.VillageID
			}
		}
	}
	for _, st := range extra {
		if st.VillageID != "" {
			out[PointKey(st.Location)] = st.VillageID
		}
	}
	return out
}

// PoolStatuses are the request statuses a new plan takes into account:
// pending ones and those whose last visit failed or needs a follow-up.
var PoolStatuses = []data.Status{data.StatusPending, data.StatusFailed, data.StatusFollowUp}

// LoadSnapshot reads the reference data and the request pool (PoolStatuses,
// plus extra request ids, e.g. those of a plan being re-planned) from store.
func LoadSnapshot(ctx context.Context, store data.Store, extra []string) (*Snapshot, error) {
	s := &Snapshot{Villages: map[string]data.Village{}, ServicePoints: map[string]data.ServicePoint{},
		Items: map[string]data.ServiceItem{}, Staff: map[string]data.Staff{}}
	vs, err := store.ListVillages(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("load villages: %w", err)
	}
	for _, v := range vs {
		s.Villages[v.ID] = v
	}
	ps, err := store.ListServicePoints(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("load service points: %w", err)
	}
	for _, p := range ps {
		s.ServicePoints[p.ID] = p
	}
	items, err := store.ListServiceItems(ctx)
	if err != nil {
		return nil, fmt.Errorf("load items: %w", err)
	}
	for _, it := range items {
		s.Items[it.ID] = it
	}
	staff, err := store.ListStaff(ctx, data.StaffFilter{})
	if err != nil {
		return nil, fmt.Errorf("load staff: %w", err)
	}
	for _, st := range staff {
		s.Staff[st.ID] = st
	}
	if s.Teams, err = store.ListTeams(ctx, ""); err != nil {
		return nil, fmt.Errorf("load teams: %w", err)
	}
	if s.Absences, err = store.ListAbsences(ctx, data.AbsenceFilter{}); err != nil {
		return nil, fmt.Errorf("load absences: %w", err)
	}
	if s.Closures, err = store.ListClosures(ctx, data.ClosureFilter{}); err != nil {
		return nil, fmt.Errorf("load closures: %w", err)
	}
	if s.GuideRules, err = store.ListGuideRules(ctx); err != nil {
		return nil, fmt.Errorf("load guide rules: %w", err)
	}
	claims, err := store.ListClaims(ctx, data.ClaimFilter{Kind: data.DayMarketDesk})
	if err != nil {
		return nil, fmt.Errorf("load claims: %w", err)
	}
	s.Claimed = make(map[data.StaffDay]data.Claim, len(claims))
	for _, c := range claims {
		s.Claimed[data.StaffDay{StaffID: c.StaffID, Date: c.Date}] = c
	}
	s.RestDay, s.Workday = statutoryRest, adjustedWorkday
	seen := map[string]bool{}
	for off := 0; ; off += data.MaxLimit {
		rs, total, err := store.ListRequests(ctx, data.RequestFilter{Statuses: PoolStatuses, Limit: data.MaxLimit, Offset: off})
		if err != nil {
			return nil, fmt.Errorf("load requests: %w", err)
		}
		for _, r := range rs {
			seen[r.ID] = true
			s.Requests = append(s.Requests, r)
		}
		if off+len(rs) >= total || len(rs) == 0 {
			break
		}
	}
	var missing []string
	for _, id := range extra {
		if !seen[id] {
			missing = append(missing, id)
			seen[id] = true
		}
	}
	for i := 0; i < len(missing); i += data.MaxLimit {
		chunk := missing[i:min(i+data.MaxLimit, len(missing))]
		rs, _, err := store.ListRequests(ctx, data.RequestFilter{IDs: chunk, Limit: data.MaxLimit})
		if err != nil {
			return nil, fmt.Errorf("load plan requests: %w", err)
		}
		s.Requests = append(s.Requests, rs...)
	}
	sort.Slice(s.Requests, func(a, b int) bool { return s.Requests[a].ID < s.Requests[b].ID })
	return s, nil
}

// team returns the team with id, or false.
func (s *Snapshot) team(id string) (data.Team, bool) {
	for _, t := range s.Teams {
		if t.ID == id {
			return t, true
		}
	}
	return data.Team{}, false
}

// MinDutyShare is the least share of the team's shift a member's hours must
// cover for the member to travel with the team that day: the team travels
// together, so its day is the part of its shift when every travelling
// member is on duty; a member whose hours would cut it below this share
// stays at the desk (desk duty) instead.
const MinDutyShare = 0.6

// Duty is who of a team travels on a date and when.
type Duty struct {
	// Members are the travelling members, in the team's member order.
	Members []string
	// Skills is the union of their skills.
	Skills map[data.Skill]bool
	// Start and End bound the team's day: the team's shift clipped to every
	// travelling member's hours, minutes after midnight.
	Start, End int
}

// Works reports whether anyone travels.
func (d Duty) Works() bool { return len(d.Members) > 0 }

// Duty returns who of team t travels on d: members not on leave (roster or
// absence), not at a published market desk, working that weekday, on a day
// that is not a statutory day off, and whose hours keep the day at least
// MinDutyShare of the shift. Every visit of the day then happens while
// every travelling member, so every skill holder, is on duty.
func (s *Snapshot) Duty(t data.Team, d data.Date) Duty {
	out := Duty{Skills: map[data.Skill]bool{}, Start: t.DayStart, End: t.DayEnd}
	if s.RestDay != nil && s.RestDay(d) {
		return out
	}
	minLen := int(float64(t.DayEnd-t.DayStart)*MinDutyShare + 0.5)
	adjusted := s.adjusted(d)
	for _, id := range t.MemberIDs {
		st, ok := s.Staff[id]
		if !ok || s.absent(id, d) {
			continue
		}
		if _, taken := s.Claimed[data.StaffDay{StaffID: id, Date: d}]; taken {
			continue
		}
		from, to, ok := hoursOn(st, st.ShiftWeekday(d, adjusted))
		if !ok {
			continue
		}
		start, end := max(out.Start, from), min(out.End, to)
		if end-start < minLen {
			continue
		}
		out.Start, out.End = start, end
		out.Members = append(out.Members, id)
		for _, k := range st.Skills {
			out.Skills[k] = true
		}
	}
	if !out.Works() {
		out.Start, out.End = t.DayStart, t.DayEnd
	}
	return out
}

// hoursOn returns the span of st's availability windows on weekday wd (no
// availability at all means all day).
func hoursOn(st data.Staff, wd time.Weekday) (from, to int, ok bool) {
	if len(st.Availability) == 0 {
		return 0, data.MinutesPerDay, true
	}
	from, to = data.MinutesPerDay, 0
	for _, w := range st.Availability {
		if w.Weekday == wd {
			from, to, ok = min(from, w.From), max(to, w.To), true
		}
	}
	return from, to, ok
}

// absent reports whether an active absence covers staff id on d.
func (s *Snapshot) absent(id string, d data.Date) bool {
	for _, a := range s.Absences {
		if a.StaffID == id && a.Covers(d) {
			return true
		}
	}
	return false
}

// TeamDay says whether a team works on a date and with which skills (see Duty).
func (s *Snapshot) TeamDay(t data.Team, d data.Date) (works bool, skills map[data.Skill]bool) {
	du := s.Duty(t, d)
	return du.Works(), du.Skills
}

// DayTeam returns t with its shift set to the team's day on d (Duty).
func (s *Snapshot) DayTeam(t data.Team, d data.Date) data.Team {
	du := s.Duty(t, d)
	t.DayStart, t.DayEnd = du.Start, du.End
	return t
}

// adjusted reports whether d is an adjusted working day (Workday).
func (s *Snapshot) adjusted(d data.Date) bool { return s.Workday != nil && s.Workday(d) }

// adjustedWorkday reports mainland China's adjusted working days (调休),
// from lunar-go's official table.
func adjustedWorkday(d data.Date) bool { return calendar.AdjustedWorkday(string(d)) }

// statutoryRest reports mainland China's statutory days off (not the
// adjusted working days), from lunar-go's official table.
func statutoryRest(d data.Date) bool {
	_, off := calendar.StatutoryDayOff(string(d))
	return off
}

// base returns the location of a team's home service point (falling back to
// its home village when the point is unknown).
func (s *Snapshot) base(t data.Team) (data.Point, bool) {
	if p, ok := s.ServicePoints[t.HomePointID]; ok {
		return p.Location, true
	}
	if v, ok := s.Villages[t.HomeCode]; ok {
		return v.Location, true
	}
	return data.Point{}, false
}
