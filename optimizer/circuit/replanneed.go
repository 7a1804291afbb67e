package circuit

import (
	"context"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
)

// AffectedVisit is a visit of a published plan that counts on a person who
// is now away (an absence, or roster leave, added after publishing), or
// whose travel a closure recorded after planning changed.
type AffectedVisit struct {
	VisitID    string    `json:"visit_id"`
	TeamID     string    `json:"team_id"`
	Date       data.Date `json:"date"`
	StaffID    string    `json:"staff_id"`
	RequestIDs []string  `json:"request_ids"`
	// Reason is "absence" (StaffID is away), "guide_absent" (the village
	// agent StaffID guiding the visit is away) or "closure" (Detail says
	// how the travel to the visit changed).
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// ReplanNeed returns the visits of published plan d whose claimed
// person-days are now covered by an active absence (roster leave is one): when
// it is not empty, the plan needs a re-plan. Drafts and superseded plans
// need none (nil).
func (s *Service) ReplanNeed(ctx context.Context, d data.PlanDetail) ([]AffectedVisit, error) {
	if d.Plan.Status != data.PlanPublished {
		return nil, nil
	}
	claims, err := s.store.ListClaims(ctx, data.ClaimFilter{PlanID: d.Plan.ID})
	if err != nil {
		return nil, err
	}
	abs, err := s.store.ListAbsences(ctx, data.AbsenceFilter{From: d.Plan.From, To: d.Plan.To})
	if err != nil {
		return nil, err
	}
	away := map[data.StaffDay]bool{}
	for _, c := range claims {
		if len(data.AbsentClaims([]data.Claim{c}, abs)) > 0 {
			away[data.StaffDay{StaffID: c.StaffID, Date: c.Date}] = true
		}
	}
	out, err := s.closureNeed(ctx, d)
	if err != nil {
		return nil, err
	}
	if len(away) == 0 {
		return out, nil
	}
	teams := map[string][]string{}
	for _, it := range d.Itineraries {
		members := it.StaffIDs
		if len(members) == 0 {
			if _, ok := teams[it.TeamID]; !ok {
				t, err := s.store.GetTeam(ctx, it.TeamID)
				if err != nil && data.ErrorKind(err) != data.NotFound {
					return nil, err
				}
				teams[it.TeamID] = t.MemberIDs
			}
			members = teams[it.TeamID]
		}
		for _, m := range members {
			if !away[data.StaffDay{StaffID: m, Date: it.Date}] {
				continue
			}
			for _, st := range it.Stops {
				out = append(out, AffectedVisit{VisitID: VisitID(d.Plan.ID, it.TeamID, it.Date, st.Seq), TeamID: it.TeamID,
					Date: it.Date, StaffID: m, RequestIDs: append([]string{}, st.RequestIDs...), Reason: "absence"})
			}
		}
		// A guided visit whose village agent is now away goes without its guide.
		for _, st := range it.Stops {
			if g := st.Guide; g != nil && g.StaffID != "" && away[data.StaffDay{StaffID: g.StaffID, Date: it.Date}] {
				out = append(out, AffectedVisit{VisitID: VisitID(d.Plan.ID, it.TeamID, it.Date, st.Seq), TeamID: it.TeamID,
					Date: it.Date, StaffID: g.StaffID, RequestIDs: append([]string{}, st.RequestIDs...), Reason: "guide_absent",
					Detail: "the visit's guide " + g.StaffID + " is now away"})
			}
		}
	}
	return out, nil
}

// closureNeed returns the visits of d whose travel time differs from what
// the closures now in force give (a closure recorded, changed or removed
// after planning). It recomputes travel only when some closure in force on
// a plan day changed since an hour before the plan was saved (the run
// read the closures when it started), so reading a plan stays cheap.
func (s *Service) closureNeed(ctx context.Context, d data.PlanDetail) ([]AffectedVisit, error) {
	out := []AffectedVisit{}
	days, err := Days(d.Plan.From, d.Plan.To)
	if err != nil {
		return out, nil
	}
	cs, err := s.store.ListClosures(ctx, data.ClosureFilter{})
	if err != nil {
		return nil, err
	}
	since := d.Plan.CreatedAt.Add(-time.Hour)
	changed := false
	for _, c := range cs {
		for _, day := range days {
			changed = changed || (c.UpdatedAt.After(since) && c.ActiveOn(day))
		}
	}
	if !changed {
		return out, nil
	}
	snap, err := LoadSnapshot(ctx, s.store, nil)
	if err != nil {
		return nil, err
	}
	var points []data.Point
	var modes []data.TravelMode
	groups := map[string]string{} // as the planner gives them (estimate overrides)
	for _, t := range snap.Teams {
		if b, ok := snap.base(t); ok {
			points, modes = append(points, b), append(modes, t.TravelMode)
			groups[PointKey(b)] = data.TownshipOf(t.HomeCode)
		}
	}
	for _, it := range d.Itineraries {
		for _, st := range it.Stops {
			points = append(points, st.Location)
			if v, ok := snap.Villages[st.VillageID]; ok {
				groups[PointKey(st.Location)] = v.TownshipID
			}
		}
	}
	tr, err := BuildTravel(ctx, s.cfg.Source, TravelSpec{Points: points, Groups: groups, Villages: snap.stopVillages(d), Modes: modes,
		Days: days, Closures: snap.Closures})
	if err != nil {
		return nil, err
	}
	for _, it := range d.Itineraries {
		t, ok := snap.team(it.TeamID)
		if !ok {
			continue
		}
		base, ok := snap.base(t)
		if !ok {
			continue
		}
		prev := base
		for i, st := range it.Stops {
			tt, ok := tr.Seconds(t.TravelMode, it.Date, prev, st.Location)
			detail := ""
			if ok && int(tt) != st.TravelSeconds {
				detail = fmt.Sprintf("travel to the visit now takes %d min, planned %d min", (tt+59)/60, (st.TravelSeconds+59)/60)
			}
			if i == len(it.Stops)-1 {
				if back, ok := tr.Seconds(t.TravelMode, it.Date, st.Location, base); ok && detail == "" && int(back) != it.ReturnSeconds {
					detail = fmt.Sprintf("the way back now takes %d min, planned %d min", (back+59)/60, (it.ReturnSeconds+59)/60)
				}
			}
			if detail != "" {
				out = append(out, AffectedVisit{VisitID: VisitID(d.Plan.ID, it.TeamID, it.Date, st.Seq), TeamID: it.TeamID, Date: it.Date,
					RequestIDs: append([]string{}, st.RequestIDs...), Reason: "closure", Detail: detail})
			}
			prev = st.Location
		}
	}
	return out, nil
}
