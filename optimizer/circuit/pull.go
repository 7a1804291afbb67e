package circuit

import (
	"slices"
	"sort"
	"time"

	"github.com/yingjing/xunhui/data"
)

// PullChanges is what changed on a team's days since the caller's previous
// pull of them (GET /teams/{id}/itinerary and /teams/{id}/week answer it as
// "changes"). Only days pulled before are compared: on a first pull Since is
// nil and the lists are empty.
type PullChanges struct {
	// Since is when the previous pull of these days was made (the latest
	// of them); nil when none of them was pulled before.
	Since *time.Time `json:"since,omitempty"`
	// Plans are the days now served from another plan (a new version).
	Plans []PlanSwitch `json:"plans"`
	// Added are visits on a day pulled before that were not on it (nor
	// anywhere else in the previous pull); Removed visits that are gone
	// from the pulled days.
	Added   []data.PulledVisit `json:"added"`
	Removed []data.PulledVisit `json:"removed"`
	// Moved are visits of the same request at another day, start time or
	// position (order among the visits kept on the day).
	Moved []PulledMove `json:"moved"`
}

// Empty reports whether nothing changed.
func (c PullChanges) Empty() bool {
	return len(c.Plans) == 0 && len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Moved) == 0
}

// PlanSwitch is a day now served from another plan.
type PlanSwitch struct {
	Date data.Date `json:"date"`
	From string    `json:"from"`
	To   string    `json:"to"`
}

// PulledMove is a visit that moved: where it was and where it is.
type PulledMove struct {
	RequestID string           `json:"request_id"`
	From      data.PulledVisit `json:"from"`
	To        data.PulledVisit `json:"to"`
}

// SheetPulls returns what the sheets give userID of teamID's days (one pull
// per sheet: its plan and every household's visit).
func SheetPulls(userID, teamID string, sheets ...Sheet) []data.Pull {
	out := make([]data.Pull, 0, len(sheets))
	for _, sh := range sheets {
		p := data.Pull{UserID: userID, TeamID: teamID, Date: sh.Date, PlanID: sh.PlanID, Visits: []data.PulledVisit{}}
		for _, st := range sh.Stops {
			for _, h := range st.Households {
				p.Visits = append(p.Visits, data.PulledVisit{RequestID: h.RequestID, Date: sh.Date, Seq: st.Seq, Start: st.StartMin})
			}
		}
		out = append(out, p)
	}
	return out
}

// ChangesSince compares the pull cur with the previous pulls prev (of the
// same user and team; prev may cover more days than cur, so that a visit
// moved from a day outside cur is reported as moved, not added).
func ChangesSince(prev, cur []data.Pull) PullChanges {
	out := PullChanges{Plans: []PlanSwitch{}, Added: []data.PulledVisit{}, Removed: []data.PulledVisit{}, Moved: []PulledMove{}}
	type key struct {
		req string
		day data.Date
	}
	before := map[data.Date]data.Pull{}
	old := map[key]data.PulledVisit{}
	for _, p := range prev {
		before[p.Date] = p
		for _, v := range p.Visits {
			old[key{v.RequestID, v.Date}] = v
		}
	}
	curDays := map[data.Date]bool{}
	var fresh []data.PulledVisit // visits not on the same day before
	kept := map[data.Date][]string{}
	for _, p := range cur {
		curDays[p.Date] = true
		b, ok := before[p.Date]
		if !ok {
			continue
		}
		if out.Since == nil || b.At.After(*out.Since) {
			at := b.At
			out.Since = &at
		}
		if b.PlanID != p.PlanID {
			out.Plans = append(out.Plans, PlanSwitch{Date: p.Date, From: b.PlanID, To: p.PlanID})
		}
	}
	for _, p := range cur {
		for _, v := range p.Visits {
			k := key{v.RequestID, v.Date}
			o, ok := old[k]
			if !ok {
				fresh = append(fresh, v)
				continue
			}
			delete(old, k)
			if o.Start != v.Start {
				out.Moved = append(out.Moved, PulledMove{RequestID: v.RequestID, From: o, To: v})
				continue
			}
			kept[v.Date] = append(kept[v.Date], v.RequestID)
		}
	}
	// Position: the order of the visits kept on a day (same request, same
	// start) against their order before; a removal or insertion alone moves
	// no other visit.
	for day, ids := range kept {
		was := slices.Clone(ids)
		pos := map[string]int{}
		for _, v := range before[day].Visits {
			if _, ok := pos[v.RequestID]; !ok {
				pos[v.RequestID] = v.Seq
			}
		}
		sort.SliceStable(was, func(a, b int) bool { return pos[was[a]] < pos[was[b]] })
		for i, id := range ids {
			if was[i] == id {
				continue
			}
			// Out of its old order; reported when its position number
			// changed too (a visit that kept its number did not move).
			if v, o := visitOf(cur, id, day), visitOf(prev, id, day); v.Seq != o.Seq {
				out.Moved = append(out.Moved, PulledMove{RequestID: id, From: o, To: v})
			}
		}
	}
	// A visit on a new day of a request that left another day moved day.
	byReq := map[string][]data.PulledVisit{}
	for _, o := range old {
		byReq[o.RequestID] = append(byReq[o.RequestID], o)
	}
	for _, v := range fresh {
		if os := byReq[v.RequestID]; len(os) > 0 {
			sort.Slice(os, func(a, b int) bool { return os[a].Date < os[b].Date })
			out.Moved = append(out.Moved, PulledMove{RequestID: v.RequestID, From: os[0], To: v})
			delete(old, key{os[0].RequestID, os[0].Date})
			byReq[v.RequestID] = os[1:]
			continue
		}
		if _, pulled := before[v.Date]; pulled {
			out.Added = append(out.Added, v)
		}
	}
	for _, o := range old {
		if curDays[o.Date] {
			out.Removed = append(out.Removed, o)
		}
	}
	sortVisits(out.Added)
	sortVisits(out.Removed)
	sort.Slice(out.Moved, func(a, b int) bool {
		x, y := out.Moved[a], out.Moved[b]
		if x.To.Date != y.To.Date {
			return x.To.Date < y.To.Date
		}
		if x.To.Seq != y.To.Seq {
			return x.To.Seq < y.To.Seq
		}
		return x.RequestID < y.RequestID
	})
	sort.Slice(out.Plans, func(a, b int) bool { return out.Plans[a].Date < out.Plans[b].Date })
	return out
}

// visitOf returns request id's visit on day in ps.
func visitOf(ps []data.Pull, id string, day data.Date) data.PulledVisit {
	for _, p := range ps {
		if p.Date != day {
			continue
		}
		for _, v := range p.Visits {
			if v.RequestID == id {
				return v
			}
		}
	}
	return data.PulledVisit{}
}

func sortVisits(vs []data.PulledVisit) {
	sort.Slice(vs, func(a, b int) bool {
		if vs[a].Date != vs[b].Date {
			return vs[a].Date < vs[b].Date
		}
		if vs[a].Seq != vs[b].Seq {
			return vs[a].Seq < vs[b].Seq
		}
		return vs[a].RequestID < vs[b].RequestID
	})
}
