package circuit

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
)

// Sheet is a team's route for one day with everything the team needs on
// the road: ordered stops with times, households, items, phones and travel.
// It is the JSON form of GET /teams/{id}/itinerary and the source of the
// GeoJSON, GPX, iCalendar and HTML forms.
type Sheet struct {
	PlanID       string          `json:"plan_id"`
	PlanStatus   data.PlanStatus `json:"plan_status"`
	TeamID       string          `json:"team_id"`
	TeamName     string          `json:"team_name"`
	Level        data.Level      `json:"level"`
	TravelMode   data.TravelMode `json:"travel_mode"`
	Date         data.Date       `json:"date"`
	Base         SheetPlace      `json:"base"`
	Members      []SheetPerson   `json:"members"`
	DayStart     string          `json:"day_start"`
	DayEnd       string          `json:"day_end"`
	Lunch        string          `json:"lunch,omitempty"`
	Stops        []SheetStop     `json:"stops"`
	LeaveAt      string          `json:"leave_at,omitempty"`
	BackAt       string          `json:"back_at,omitempty"`
	ReturnSec    int             `json:"return_seconds"`
	TravelMin    int             `json:"travel_minutes"`
	ServiceMin   int             `json:"service_minutes"`
	TravelSource string          `json:"travel_source,omitempty"`
	// Path is the road geometry base → stops → base when the travel source
	// can route (road graph, OSRM); empty otherwise (straight lines).
	Path []data.Point `json:"path,omitempty"`
}

// SheetPlace is a named point.
type SheetPlace struct {
	Name     string     `json:"name"`
	Location data.Point `json:"location"`
}

// SheetPerson is a team member.
type SheetPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

// SheetStop is one stop of a Sheet. Times are "HH:MM" local; the *_min
// fields give the same in minutes after midnight.
type SheetStop struct {
	Seq           int              `json:"seq"`
	VisitID       string           `json:"visit_id"`
	VillageID     string           `json:"village_id"`
	Village       string           `json:"village"`
	Location      data.Point       `json:"location"`
	HomeVisit     bool             `json:"home_visit"`
	Arrival       string           `json:"arrival"`
	Start         string           `json:"start"`
	Depart        string           `json:"depart"`
	ArrivalMin    int              `json:"arrival_min"`
	StartMin      int              `json:"start_min"`
	DepartMin     int              `json:"depart_min"`
	TravelSeconds int              `json:"travel_seconds"`
	TravelMin     int              `json:"travel_minutes"`
	Households    []SheetHousehold `json:"households"`
}

// SheetHousehold is one request served at a stop.
type SheetHousehold struct {
	RequestID string       `json:"request_id"`
	Name      string       `json:"name"`
	Phone     string       `json:"phone"`
	Address   string       `json:"address,omitempty"`
	Groups    []data.Group `json:"groups,omitempty"`
	Ledger    data.Ledger  `json:"ledger"`
	Items     []SheetItem  `json:"items"`
	Summary   string       `json:"summary,omitempty"`
	Status    data.Status  `json:"status"`
	Deadline  data.Date    `json:"deadline,omitempty"`
}

// SheetItem is a service item of a request.
type SheetItem struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Minutes int    `json:"minutes"`
}

// Itinerary builds the sheet of team on date: from plan planID when given,
// else from the newest plan covering the date (published only when
// publishedOnly). A team without stops that day gets an empty sheet.
// Errors: NotFound for an unknown team, plan or no plan.
func (s *Service) Itinerary(ctx context.Context, teamID string, date data.Date, planID string, publishedOnly bool) (Sheet, error) {
	t, err := s.store.GetTeam(ctx, teamID)
	if err != nil {
		return Sheet{}, err
	}
	var d data.PlanDetail
	if planID != "" {
		if d, err = s.store.GetPlan(ctx, planID); err != nil {
			return Sheet{}, err
		}
		if d.Plan.Kind != data.PlanCircuit || (publishedOnly && d.Plan.Status != data.PlanPublished) {
			return Sheet{}, data.Errorf(data.NotFound, "no circuit plan %s", planID)
		}
	} else if d, err = s.CurrentPlan(ctx, teamID, date, publishedOnly); err != nil {
		return Sheet{}, err
	}
	sh := Sheet{PlanID: d.Plan.ID, PlanStatus: d.Plan.Status, TeamID: t.ID, TeamName: t.Name, Level: t.Level, TravelMode: t.TravelMode,
		Date: date, DayStart: data.Clock(t.DayStart), DayEnd: data.Clock(t.DayEnd), Stops: []SheetStop{}, Members: []SheetPerson{}}
	if sum, err := ParseSummary(d.Plan.Summary); err == nil {
		sh.TravelSource = sum.Stats.Source
	}
	if t.LunchStart != 0 || t.LunchEnd != 0 {
		sh.Lunch = data.Clock(t.LunchStart) + "–" + data.Clock(t.LunchEnd)
	}
	if sp, err := s.store.GetServicePoint(ctx, t.HomePointID); err == nil {
		sh.Base = SheetPlace{Name: sp.Name, Location: sp.Location}
	}
	for _, id := range t.MemberIDs {
		if st, err := s.store.GetStaff(ctx, id); err == nil {
			sh.Members = append(sh.Members, SheetPerson{ID: st.ID, Name: st.Name, Phone: st.Phone})
		}
	}
	var it *data.Itinerary
	for i := range d.Itineraries {
		if d.Itineraries[i].TeamID == teamID && d.Itineraries[i].Date == date {
			it = &d.Itineraries[i]
		}
	}
	if it == nil || len(it.Stops) == 0 {
		return sh, nil
	}
	items := map[string]data.ServiceItem{}
	villages := map[string]data.Village{}
	for _, st := range it.Stops {
		ss := SheetStop{Seq: st.Seq, VisitID: VisitID(d.Plan.ID, teamID, date, st.Seq), VillageID: st.VillageID, Location: st.Location,
			Arrival: data.Clock(st.Arrival), Start: data.Clock(st.Start), Depart: data.Clock(st.Depart),
			ArrivalMin: st.Arrival, StartMin: st.Start, DepartMin: st.Depart, TravelSeconds: st.TravelSeconds,
			TravelMin: (st.TravelSeconds + 59) / 60, Households: []SheetHousehold{}}
		v, ok := villages[st.VillageID]
		if !ok {
			if v, err = s.store.GetVillage(ctx, st.VillageID); err == nil {
				villages[v.ID] = v
			}
		}
		ss.Village = v.ShortName
		for _, rid := range st.RequestIDs {
			r, err := s.store.GetRequest(ctx, rid)
			if err != nil {
				return Sheet{}, fmt.Errorf("request %s: %w", rid, err)
			}
			h := SheetHousehold{RequestID: r.ID, Name: r.Household.Name, Phone: r.Household.Phone, Address: r.Household.Address,
				Groups: r.Groups, Ledger: r.Ledger, Summary: r.Summary, Status: r.Status, Deadline: r.Deadline, Items: []SheetItem{}}
			ss.HomeVisit = ss.HomeVisit || HomeVisit(r)
			for _, iid := range r.ItemIDs {
				item, ok := items[iid]
				if !ok {
					if item, err = s.store.GetServiceItem(ctx, iid); err == nil {
						items[iid] = item
					}
				}
				h.Items = append(h.Items, SheetItem{ID: iid, Name: item.Name, Minutes: item.DurationMin})
			}
			ss.Households = append(ss.Households, h)
		}
		sh.TravelMin += ss.TravelMin
		sh.ServiceMin += st.Depart - st.Start
		sh.Stops = append(sh.Stops, ss)
	}
	first, last := it.Stops[0], it.Stops[len(it.Stops)-1]
	sh.LeaveAt = data.Clock(first.Arrival - (first.TravelSeconds+59)/60)
	sh.BackAt = data.Clock(last.Depart + (it.ReturnSeconds+59)/60)
	sh.ReturnSec = it.ReturnSeconds
	sh.TravelMin += (it.ReturnSeconds + 59) / 60
	pts := []orb.Point{{sh.Base.Location.Lon, sh.Base.Location.Lat}}
	for _, st := range sh.Stops {
		pts = append(pts, orb.Point{st.Location.Lon, st.Location.Lat})
	}
	pts = append(pts, pts[0])
	if mode, err := geo.ParseMode(string(t.TravelMode)); err == nil {
		// A failing router is no reason to fail the sheet: straight lines.
		if path, err := geo.RoutePath(ctx, s.cfg.Source, mode, pts); err == nil {
			for _, p := range path {
				sh.Path = append(sh.Path, data.Point{Lon: p[0], Lat: p[1]})
			}
		}
	}
	return sh, nil
}
