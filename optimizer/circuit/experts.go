package circuit

import (
	"math/bits"

	"github.com/yingjing/xunhui/data"
)

// ExpertUse measures how a plan spends the county's experts: the baseline
// figure of issue 21's crews (today a county team travels whole, so every
// county visit takes all its members on duty, whatever its items need).
type ExpertUse struct {
	// Visits is the number of county-level stops.
	Visits int `json:"visits"`
	// OverStaffed counts the visits that brought more experts than the
	// fewest members on duty whose skills cover the visit's items.
	OverStaffed int `json:"over_staffed"`
	// DayMinutes is the expert-minutes of the county teams' days out
	// (leave to return, times the members on duty).
	DayMinutes int `json:"day_minutes"`
	// OnSiteMinutes is the expert-minutes spent at county visits (service
	// time times the members on duty); NeededMinutes the same with only
	// the fewest members covering each visit's items.
	OnSiteMinutes int `json:"on_site_minutes"`
	NeededMinutes int `json:"needed_minutes"`
}

// ExpertHours measures d's county visits against snap (staff skills,
// items). A visit whose items no subset of the members covers counts all
// of them as needed (Check reports such a visit).
func ExpertHours(snap *Snapshot, d data.PlanDetail) ExpertUse {
	var u ExpertUse
	teams := map[string]data.Team{}
	for _, t := range snap.Teams {
		teams[t.ID] = t
	}
	reqs := requestIndex(snap)
	for _, it := range d.Itineraries {
		t := teams[it.TeamID]
		if t.Level != data.LevelCounty || len(it.Stops) == 0 {
			continue
		}
		members := it.StaffIDs
		if len(members) == 0 {
			members = snap.Duty(t, it.Date).Members
		}
		first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
		day := last.Depart + (it.ReturnSeconds+59)/60 - (first.Arrival - (first.TravelSeconds+59)/60)
		u.DayMinutes += day * len(members)
		for _, st := range it.Stops {
			need := map[data.Skill]bool{}
			for _, id := range st.RequestIDs {
				r, ok := reqs[id]
				if !ok {
					continue
				}
				for _, iid := range r.ItemIDs {
					need[snap.Items[iid].Skill] = true
				}
			}
			k := fewestCovering(snap, members, need)
			service := st.Depart - st.Start
			u.Visits++
			onSite := len(members)
			if len(st.StaffIDs) > 0 {
				onSite = len(st.StaffIDs) // crews: only the attendees
			}
			u.OnSiteMinutes += service * onSite
			u.NeededMinutes += service * k
			if k < onSite {
				u.OverStaffed++
			}
		}
	}
	return u
}

// fewestCovering returns the size of the smallest subset of members whose
// skills cover need (all of them when none does). Teams have a handful of
// members, so every subset is tried.
func fewestCovering(snap *Snapshot, members []string, need map[data.Skill]bool) int {
	n := len(members)
	if n > 16 {
		return n
	}
	best := n
	for mask := 1; mask < 1<<n; mask++ {
		k := bits.OnesCount(uint(mask))
		if k >= best {
			continue
		}
		has := map[data.Skill]bool{}
		for i, id := range members {
			if mask&(1<<i) != 0 {
				for _, s := range snap.Staff[id].Skills {
					has[s] = true
				}
			}
		}
		ok := true
		for s := range need {
			ok = ok && has[s]
		}
		if ok {
			best = k
		}
	}
	return best
}
