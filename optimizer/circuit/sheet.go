package circuit

import (
	"context"
	"fmt"
	"sync"

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
	// Closures are the road closures and walk-only villages in force that
	// day (all of them: the team must know a road is shut even where its
	// plan does not pass).
	Closures []SheetClosure `json:"closures"`
	// Path is the road geometry base → stops → base when the travel source
	// can route (road graph, OSRM); empty otherwise (straight lines).
	Path []data.Point `json:"path,omitempty"`
}

// SheetClosure is a closure in force on a sheet's day.
type SheetClosure struct {
	ID          string           `json:"id"`
	Kind        data.ClosureKind `json:"kind"`
	Name        string           `json:"name"`
	Reason      string           `json:"reason,omitempty"`
	Village     string           `json:"village,omitempty"`
	WalkMinutes int              `json:"walk_minutes,omitempty"`
	Until       string           `json:"until"`
	// NotInTimes is set on a closed road the travel times cannot avoid:
	// they come from a source without roads (the estimate, OSRM).
	NotInTimes bool `json:"not_in_times,omitempty"`
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
	Seq           int        `json:"seq"`
	VisitID       string     `json:"visit_id"`
	VillageID     string     `json:"village_id"`
	Village       string     `json:"village"`
	Location      data.Point `json:"location"`
	HomeVisit     bool       `json:"home_visit"`
	Arrival       string     `json:"arrival"`
	Start         string     `json:"start"`
	Depart        string     `json:"depart"`
	ArrivalMin    int        `json:"arrival_min"`
	StartMin      int        `json:"start_min"`
	DepartMin     int        `json:"depart_min"`
	TravelSeconds int        `json:"travel_seconds"`
	TravelMin     int        `json:"travel_minutes"`
	// Foot is set when the place lies in a walk-only village that day:
	// the vehicle stops at the trailhead and waits while the team walks
	// (TravelSeconds includes the walk in).
	Foot *FootLeg `json:"foot,omitempty"`
	// Guide is the village agent who meets the team at this home visit
	// (the guide rules ask for one), or why none comes (Missing).
	Guide      *SheetGuide      `json:"guide,omitempty"`
	Households []SheetHousehold `json:"households"`
	// Attendees are the crew members who attend this visit (county crews:
	// exactly the experts its items need, together from start to depart);
	// empty means the whole team.
	Attendees []SheetPerson `json:"attendees,omitempty"`
}

// SheetGuide is a stop's guide on the route sheet.
type SheetGuide struct {
	data.StopGuide
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
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
	sch, err := s.store.TeamSchedule(ctx, data.ScheduleQuery{TeamID: teamID, From: date, To: date, PlanID: planID, PublishedOnly: publishedOnly})
	if err != nil {
		return Sheet{}, err
	}
	if sch.Days[0].Plan == nil {
		return Sheet{}, data.Errorf(data.NotFound, "no circuit plan covers %s", date)
	}
	return s.sheet(ctx, sch, sch.Days[0])
}

// Week is a team's route sheets for some days, read at once: what a team
// member's phone keeps for working offline.
type Week struct {
	TeamID string    `json:"team_id"`
	From   data.Date `json:"from"`
	To     data.Date `json:"to"`
	// Days has one sheet per day; a day that no plan covers has an empty
	// plan_id and no stops.
	Days []Sheet `json:"days"`
}

// Week builds the sheets of team for the days from–to (at most
// data.MaxScheduleDays) with one store read. Errors: Invalid for bad
// dates, NotFound for an unknown team.
func (s *Service) Week(ctx context.Context, teamID string, from, to data.Date, publishedOnly bool) (Week, error) {
	sch, err := s.store.TeamSchedule(ctx, data.ScheduleQuery{TeamID: teamID, From: from, To: to, PublishedOnly: publishedOnly})
	if err != nil {
		return Week{}, err
	}
	w := Week{TeamID: teamID, From: from, To: to, Days: make([]Sheet, 0, len(sch.Days))}
	for _, d := range sch.Days {
		sh, err := s.sheet(ctx, sch, d)
		if err != nil {
			return Week{}, err
		}
		w.Days = append(w.Days, sh)
	}
	return w, nil
}

// sheet builds the sheet of one day of sch: the header, the stops with
// their households, the totals and the road path.
func (s *Service) sheet(ctx context.Context, sch data.Schedule, day data.ScheduleDay) (Sheet, error) {
	t := sch.Team
	sh := Sheet{TeamID: t.ID, TeamName: t.Name, Level: t.Level, TravelMode: t.TravelMode,
		Date: day.Date, DayStart: data.Clock(t.DayStart), DayEnd: data.Clock(t.DayEnd), Stops: []SheetStop{}, Members: []SheetPerson{}}
	if day.Plan != nil {
		sh.PlanID, sh.PlanStatus = day.Plan.ID, day.Plan.Status
		src, err := s.sources.get(ctx, s.store, *day.Plan)
		if err != nil {
			return Sheet{}, err
		}
		sh.TravelSource = src
	}
	if t.LunchStart != 0 || t.LunchEnd != 0 {
		sh.Lunch = data.Clock(t.LunchStart) + "–" + data.Clock(t.LunchEnd)
	}
	if sch.Base != nil {
		sh.Base = SheetPlace{Name: sch.Base.Name, Location: sch.Base.Location}
	}
	closures, err := s.sheetClosures(ctx, sch, day.Date)
	if err != nil {
		return Sheet{}, err
	}
	sh.Closures = closures.sheet
	it := day.Itinerary
	people, err := s.sheetPeople(ctx, sch, it)
	if err != nil {
		return Sheet{}, err
	}
	if it == nil || len(it.StaffIDs) == 0 {
		for _, st := range sch.Members {
			sh.Members = append(sh.Members, people[st.ID])
		}
	} else {
		// Who travels that day, as the plan names them: the members on
		// duty, or a county car's crew from the experts' pool.
		for _, id := range it.StaffIDs {
			sh.Members = append(sh.Members, people[id])
		}
	}
	if it == nil || len(it.Stops) == 0 {
		return sh, nil
	}
	for _, st := range it.Stops {
		ss, err := sheetStop(sch, *it, st)
		if err != nil {
			return Sheet{}, err
		}
		for _, id := range st.StaffIDs {
			ss.Attendees = append(ss.Attendees, people[id])
		}
		if c, ok := closures.foot[st.VillageID]; ok && t.TravelMode != data.TravelFoot {
			ss.Foot = &FootLeg{ClosureID: c.ID, Name: c.Name, Trailhead: *c.Trailhead, WalkMinutes: c.WalkMinutes}
		}
		if g := st.Guide; g != nil {
			ss.Guide = &SheetGuide{StopGuide: *g}
			if g.StaffID != "" {
				p, err := s.store.GetStaff(ctx, g.StaffID)
				if err != nil && data.ErrorKind(err) != data.NotFound {
					return Sheet{}, err
				}
				ss.Guide.Name, ss.Guide.Phone = p.Name, p.Phone
			}
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
	sh.Path = s.sheetPath(ctx, t.TravelMode, sh, closures.roads)
	return sh, nil
}

// sheetPeople names the team's members and the day's crew (a crew may
// hold experts of other county teams, read from the store).
func (s *Service) sheetPeople(ctx context.Context, sch data.Schedule, it *data.Itinerary) (map[string]SheetPerson, error) {
	out := map[string]SheetPerson{}
	for _, st := range sch.Members {
		out[st.ID] = SheetPerson{ID: st.ID, Name: st.Name, Phone: st.Phone}
	}
	if it == nil {
		return out, nil
	}
	for _, id := range it.StaffIDs {
		if _, ok := out[id]; ok {
			continue
		}
		st, err := s.store.GetStaff(ctx, id)
		if data.ErrorKind(err) == data.NotFound {
			out[id] = SheetPerson{ID: id, Name: id}
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = SheetPerson{ID: st.ID, Name: st.Name, Phone: st.Phone}
	}
	return out, nil
}

// dayClosures are the closures in force on a sheet's day.
type dayClosures struct {
	sheet []SheetClosure
	roads []geo.ClosedRoad
	foot  map[string]data.Closure // village → walk-only closure
}

// sheetClosures reads the closures in force on date.
func (s *Service) sheetClosures(ctx context.Context, sch data.Schedule, date data.Date) (dayClosures, error) {
	out := dayClosures{sheet: []SheetClosure{}, foot: map[string]data.Closure{}}
	cs, err := s.store.ListClosures(ctx, data.ClosureFilter{On: date})
	if err != nil {
		return out, fmt.Errorf("closures: %w", err)
	}
	for _, c := range cs {
		sc := SheetClosure{ID: c.ID, Kind: c.Kind, Name: c.Name, Reason: c.Reason, WalkMinutes: c.WalkMinutes, Until: c.To}
		switch c.Kind {
		case data.FootOnly:
			sc.Village = sch.Villages[c.VillageID].ShortName
			if sc.Village == "" {
				sc.Village = c.VillageID
			}
			out.foot[c.VillageID] = c
		case data.ClosedRoad:
			line := make(orb.LineString, len(c.Line))
			for i, p := range c.Line {
				line[i] = orb.Point{p.Lon, p.Lat}
			}
			out.roads = append(out.roads, geo.ClosedRoad{ID: c.ID, Line: line})
		}
		out.sheet = append(out.sheet, sc)
	}
	if len(out.roads) > 0 {
		src := s.cfg.Source
		if src == nil {
			src = &geo.Estimator{}
		}
		if _, _, ok, err := geo.WithoutRoads(src, out.roads); err != nil || !ok {
			for i := range out.sheet {
				out.sheet[i].NotInTimes = out.sheet[i].Kind == data.ClosedRoad
			}
		}
	}
	return out, nil
}

// sheetStop builds one stop of a sheet from the records read with sch.
func sheetStop(sch data.Schedule, it data.Itinerary, st data.Stop) (SheetStop, error) {
	ss := SheetStop{Seq: st.Seq, VisitID: VisitID(it.PlanID, it.TeamID, it.Date, st.Seq), VillageID: st.VillageID, Location: st.Location,
		Arrival: data.Clock(st.Arrival), Start: data.Clock(st.Start), Depart: data.Clock(st.Depart),
		ArrivalMin: st.Arrival, StartMin: st.Start, DepartMin: st.Depart, TravelSeconds: st.TravelSeconds,
		TravelMin: (st.TravelSeconds + 59) / 60, Households: []SheetHousehold{}, Village: sch.Villages[st.VillageID].ShortName}
	for _, rid := range st.RequestIDs {
		r, ok := sch.Requests[rid]
		if !ok {
			return SheetStop{}, data.Errorf(data.Internal, "request %s of stop %d is missing", rid, st.Seq)
		}
		h := SheetHousehold{RequestID: r.ID, Name: r.Household.Name, Phone: r.Household.Phone, Address: r.Household.Address,
			Groups: r.Groups, Ledger: r.Ledger, Summary: r.Summary, Status: r.Status, Deadline: r.Deadline, Items: []SheetItem{}}
		ss.HomeVisit = ss.HomeVisit || HomeVisit(r)
		for _, iid := range r.ItemIDs {
			item := sch.Items[iid]
			h.Items = append(h.Items, SheetItem{ID: iid, Name: item.Name, Minutes: item.DurationMin})
		}
		ss.Households = append(ss.Households, h)
	}
	return ss, nil
}

// sheetPath is the road geometry base → stops → base when the travel
// source can route; nil otherwise (a failing router is no reason to fail
// the sheet: straight lines).
// The path avoids the roads closed that day and passes the trailhead of a
// stop in a walk-only village on the way in and out.
func (s *Service) sheetPath(ctx context.Context, travel data.TravelMode, sh Sheet, closed []geo.ClosedRoad) []data.Point {
	mode, err := geo.ParseMode(string(travel))
	if err != nil {
		return nil
	}
	pts := []orb.Point{{sh.Base.Location.Lon, sh.Base.Location.Lat}}
	for _, st := range sh.Stops {
		p := orb.Point{st.Location.Lon, st.Location.Lat}
		if st.Foot != nil {
			th := orb.Point{st.Foot.Trailhead.Lon, st.Foot.Trailhead.Lat}
			pts = append(pts, th, p, th)
			continue
		}
		pts = append(pts, p)
	}
	pts = append(pts, pts[0])
	src := s.cfg.Source
	if len(closed) > 0 && src != nil {
		if out, _, ok, err := geo.WithoutRoads(src, closed); err == nil && ok {
			src = out
		}
	}
	path, err := geo.RoutePath(ctx, src, mode, pts)
	if err != nil {
		return nil
	}
	var out []data.Point
	for _, p := range path {
		out = append(out, data.Point{Lon: p[0], Lat: p[1]})
	}
	return out
}

// sourceCache keeps the travel source named in the summary of recent plan
// versions, so that a route sheet does not read and parse a plan's whole
// summary on every request. Safe for concurrent use; the zero value is ready.
type sourceCache struct {
	mu sync.Mutex
	m  map[planVersion]string
}

// planVersion names one version of a plan.
type planVersion struct {
	ID      string
	Version int64
}

// sourceCacheSize bounds the cache; it is emptied when full.
const sourceCacheSize = 256

// get returns the travel source of plan p, reading its summary on a miss.
func (c *sourceCache) get(ctx context.Context, store data.Store, p data.Plan) (string, error) {
	k := planVersion{p.ID, p.Version}
	c.mu.Lock()
	src, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return src, nil
	}
	d, err := store.GetPlan(ctx, p.ID)
	if err != nil {
		return "", fmt.Errorf("plan %s summary: %w", p.ID, err)
	}
	src = d.Plan.Summary.Circuit().Stats.Source
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= sourceCacheSize {
		c.m = map[planVersion]string{}
	}
	// Only the version read is cached: a newer one is read again.
	c.m[planVersion{d.Plan.ID, d.Plan.Version}] = src
	return src, nil
}
