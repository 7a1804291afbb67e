package circuit

import (
	"context"
	"fmt"
	"sort"

	"github.com/yingjing/xunhui/data"
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

// TeamDay says whether a team works on a date and with which skills: the
// team works when at least one member is available on that weekday and not
// on leave; its skills are the union of the present members' skills.
func (s *Snapshot) TeamDay(t data.Team, d data.Date) (works bool, skills map[data.Skill]bool) {
	skills = map[data.Skill]bool{}
	wd := d.Weekday()
	for _, id := range t.MemberIDs {
		st, ok := s.Staff[id]
		if !ok || st.OnLeave(d) {
			continue
		}
		avail := len(st.Availability) == 0
		for _, w := range st.Availability {
			if w.Weekday == wd {
				avail = true
				break
			}
		}
		if !avail {
			continue
		}
		works = true
		for _, k := range st.Skills {
			skills[k] = true
		}
	}
	return works, skills
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
