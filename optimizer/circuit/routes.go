package circuit

import (
	"context"

	"github.com/paulmach/orb"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
)

// Route geometries: how a team-day's path is drawn.
const (
	// GeometryRoad: the path follows the road graph between the stops.
	GeometryRoad = "road"
	// GeometryStraight: straight segments joining the stops in order (the
	// travel source cannot route, or a stop is far from any road).
	GeometryStraight = "straight"
)

// RouteGeometry is the drawable path of one team-day of a plan, base →
// stops → base, with no household data.
type RouteGeometry struct {
	TeamID string    `json:"team_id"`
	Date   data.Date `json:"date"`
	Stops  int       `json:"stops"`
	// Geometry is GeometryRoad or GeometryStraight.
	Geometry string `json:"geometry"`
	// Path is [lon, lat] pairs in WGS84.
	Path [][2]float64 `json:"path"`
}

// Routes returns the drawable paths of plan id's team-days that keep
// accepts (nil keeps all), of one date when date is not empty: the road
// path where the travel source can route, straight segments otherwise
// (marked as such). Errors: NotFound, Conflict while the plan runs.
func (s *Service) Routes(ctx context.Context, id string, date data.Date, keep func(teamID string) bool) ([]RouteGeometry, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.Status != Done {
		return nil, data.Errorf(data.Conflict, "plan %s is %s", id, v.Status)
	}
	teams, err := s.store.ListTeams(ctx, "")
	if err != nil {
		return nil, err
	}
	byID := make(map[string]data.Team, len(teams))
	for _, t := range teams {
		byID[t.ID] = t
	}
	points := map[string]data.Point{}
	out := []RouteGeometry{}
	for _, it := range v.Itineraries {
		if len(it.Stops) == 0 || (date != "" && it.Date != date) || (keep != nil && !keep(it.TeamID)) {
			continue
		}
		t := byID[it.TeamID]
		base, err := s.basePoint(ctx, points, t.HomePointID)
		if err != nil {
			return nil, err
		}
		out = append(out, s.routeGeometry(ctx, t, it, base))
	}
	return out, nil
}

// basePoint is the location of service point id (cached in seen); nil when
// the team has none.
func (s *Service) basePoint(ctx context.Context, seen map[string]data.Point, id string) (*data.Point, error) {
	if id == "" {
		return nil, nil
	}
	if p, ok := seen[id]; ok {
		return &p, nil
	}
	sp, err := s.store.GetServicePoint(ctx, id)
	if data.ErrorKind(err) == data.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	seen[id] = sp.Location
	return &sp.Location, nil
}

// routeGeometry draws one team-day: the road path when the source routes
// it, else the stops joined in order.
func (s *Service) routeGeometry(ctx context.Context, t data.Team, it data.Itinerary, base *data.Point) RouteGeometry {
	var pts []orb.Point
	if base != nil {
		pts = append(pts, orb.Point{base.Lon, base.Lat})
	}
	for _, st := range it.Stops {
		pts = append(pts, orb.Point{st.Location.Lon, st.Location.Lat})
	}
	if base != nil {
		pts = append(pts, pts[0])
	}
	r := RouteGeometry{TeamID: it.TeamID, Date: it.Date, Stops: len(it.Stops), Geometry: GeometryStraight}
	if mode, err := geo.ParseMode(string(t.TravelMode)); err == nil && len(pts) > 1 {
		if path, err := geo.RoutePath(ctx, s.cfg.Source, mode, pts); err == nil && len(path) > 1 {
			pts, r.Geometry = path, GeometryRoad
		}
	}
	r.Path = make([][2]float64, len(pts))
	for i, p := range pts {
		r.Path[i] = [2]float64{p[0], p[1]}
	}
	return r
}
