package circuit

import (
	"context"

	"github.com/yingjing/xunhui/data"
)

// AffectedVisit is a visit of a published plan that counts on a person who
// is now away (an absence, or roster leave, added after publishing).
type AffectedVisit struct {
	VisitID    string    `json:"visit_id"`
	TeamID     string    `json:"team_id"`
	Date       data.Date `json:"date"`
	StaffID    string    `json:"staff_id"`
	RequestIDs []string  `json:"request_ids"`
}

// ReplanNeed returns the visits of published plan d whose claimed
// person-days are now covered by an active absence or roster leave: when
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
	staff := map[string]data.Staff{}
	away := map[data.StaffDay]bool{}
	for _, c := range claims {
		st, ok := staff[c.StaffID]
		if !ok {
			if st, err = s.store.GetStaff(ctx, c.StaffID); err != nil && data.ErrorKind(err) != data.NotFound {
				return nil, err
			}
			staff[c.StaffID] = st
		}
		if st.OnLeave(c.Date) || len(data.AbsentClaims([]data.Claim{c}, abs)) > 0 {
			away[data.StaffDay{StaffID: c.StaffID, Date: c.Date}] = true
		}
	}
	out := []AffectedVisit{}
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
					Date: it.Date, StaffID: m, RequestIDs: append([]string{}, st.RequestIDs...)})
			}
		}
	}
	return out, nil
}
