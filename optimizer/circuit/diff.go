package circuit

import (
	"sort"

	"github.com/yingjing/xunhui/data"
)

// TeamDay is a typed key of one team's day.
type TeamDay struct {
	Team string
	Day  data.Date
}

// VisitShift is a request that stays on its team-day at another time.
type VisitShift struct {
	RequestID string `json:"request_id"`
	// From and To are the old and new start, minutes after midnight.
	From    int `json:"from"`
	To      int `json:"to"`
	Minutes int `json:"minutes"`
}

// TeamDayDiff is what changed on one team's day.
type TeamDayDiff struct {
	TeamID  string       `json:"team_id"`
	Date    data.Date    `json:"date"`
	Added   []string     `json:"added,omitempty"`
	Removed []string     `json:"removed,omitempty"`
	Moved   []VisitShift `json:"moved,omitempty"`
}

// PlanDiff is what a published version changes against the version it
// supersedes (everything is added when it supersedes none), per team-day.
type PlanDiff struct {
	Supersedes string        `json:"supersedes,omitempty"`
	Added      int           `json:"added"`
	Removed    int           `json:"removed"`
	Moved      int           `json:"moved"`
	TeamDays   []TeamDayDiff `json:"team_days"`
}

// visitKey is one visit of a request: the request on a team's day.
type visitKey struct {
	Request string
	TeamDay
}

// visits maps each visit of its to its start minute.
func visits(its []data.Itinerary) map[visitKey]int {
	out := map[visitKey]int{}
	for _, it := range its {
		for _, st := range it.Stops {
			for _, id := range st.RequestIDs {
				out[visitKey{id, TeamDay{it.TeamID, it.Date}}] = st.Start
			}
		}
	}
	return out
}

// Diff compares new against old (nil: no previous version), visit by visit
// (a request on a team's day): a visit only in new is added, only in old
// removed, in both at another start moved. A request that moves to another
// team-day is removed from one and added to the other; a past visit kept as
// history is unchanged.
func Diff(old *data.PlanDetail, new data.PlanDetail) PlanDiff {
	before := map[visitKey]int{}
	d := PlanDiff{TeamDays: []TeamDayDiff{}}
	if old != nil {
		before = visits(old.Itineraries)
		d.Supersedes = old.Plan.ID
	}
	after := visits(new.Itineraries)
	by := map[TeamDay]*TeamDayDiff{}
	get := func(k TeamDay) *TeamDayDiff {
		if by[k] == nil {
			by[k] = &TeamDayDiff{TeamID: k.Team, Date: k.Day}
		}
		return by[k]
	}
	for k, a := range after {
		b, was := before[k]
		switch {
		case !was:
			get(k.TeamDay).Added = append(get(k.TeamDay).Added, k.Request)
			d.Added++
		case b != a:
			get(k.TeamDay).Moved = append(get(k.TeamDay).Moved, VisitShift{RequestID: k.Request, From: b, To: a, Minutes: abs(a - b)})
			d.Moved++
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			get(k.TeamDay).Removed = append(get(k.TeamDay).Removed, k.Request)
			d.Removed++
		}
	}
	for _, td := range by {
		sort.Strings(td.Added)
		sort.Strings(td.Removed)
		sort.Slice(td.Moved, func(i, j int) bool { return td.Moved[i].RequestID < td.Moved[j].RequestID })
		d.TeamDays = append(d.TeamDays, *td)
	}
	sort.Slice(d.TeamDays, func(i, j int) bool {
		if d.TeamDays[i].Date != d.TeamDays[j].Date {
			return d.TeamDays[i].Date < d.TeamDays[j].Date
		}
		return d.TeamDays[i].TeamID < d.TeamDays[j].TeamID
	})
	return d
}
