package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// pathID returns the :id path parameter, or a 404 when it cannot be an id
// (so junk never reaches the store).
func pathID(c *gin.Context) (string, error) { return pathParam(c, "id") }

// pathParam returns the named path parameter, or a 404 when it cannot be an
// id.
func pathParam(c *gin.Context, name string) (string, error) {
	id := c.Param(name)
	if !data.ValidID(id) {
		return "", notFound("no such record: " + truncate(id, 80))
	}
	return id, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// townshipParam validates an optional ?township= filter.
func townshipParam(v string) error {
	if v != "" && (data.TownshipOf(v) != v) {
		return badRequest("township", "township="+truncate(v, 40)+" is not a township code 511822xxx000")
	}
	return nil
}

func (s *Server) listTownships(c *gin.Context) error {
	if _, err := query(c); err != nil {
		return err
	}
	ts, err := s.store.ListTownships(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(ts))
	return nil
}

func (s *Server) getTownship(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := s.store.GetTownship(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, t)
	return nil
}

func (s *Server) listVillages(c *gin.Context) error {
	q, err := query(c, "township", "format")
	if err != nil {
		return err
	}
	switch q.Get("format") {
	case "", "json":
	case "geojson":
		return s.writeVillagesGeoJSON(c, q.Get("township"))
	default:
		return badRequest("format", "format must be json or geojson")
	}
	if err := townshipParam(q.Get("township")); err != nil {
		return err
	}
	vs, err := s.store.ListVillages(c.Request.Context(), q.Get("township"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(vs))
	return nil
}

func (s *Server) villagesGeoJSON(c *gin.Context) error {
	q, err := query(c, "township")
	if err != nil {
		return err
	}
	return s.writeVillagesGeoJSON(c, q.Get("township"))
}

// featureCollection is an RFC 7946 GeoJSON FeatureCollection of villages.
type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

// feature is one village as a GeoJSON Feature with a Point geometry.
type feature struct {
	Type       string        `json:"type"`
	ID         string        `json:"id"`
	Geometry   pointGeometry `json:"geometry"`
	Properties villageProps  `json:"properties"`
}

// pointGeometry is a GeoJSON Point; RFC 7946 orders coordinates
// [longitude, latitude] in WGS84.
type pointGeometry struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// villageProps are the properties of a village feature.
type villageProps struct {
	Code         string           `json:"code"`
	Name         string           `json:"name"`
	ShortName    string           `json:"short_name"`
	Kind         data.VillageKind `json:"kind"`
	Township     string           `json:"township"`
	TownshipName string           `json:"township_name"`
	Provenance   data.Provenance  `json:"provenance"`
}

func (s *Server) writeVillagesGeoJSON(c *gin.Context, township string) error {
	if err := townshipParam(township); err != nil {
		return err
	}
	ctx := c.Request.Context()
	vs, err := s.store.ListVillages(ctx, township)
	if err != nil {
		return err
	}
	ts, err := s.store.ListTownships(ctx)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(ts))
	for _, t := range ts {
		names[t.ID] = t.Name
	}
	fc := featureCollection{Type: "FeatureCollection", Features: make([]feature, 0, len(vs))}
	for _, v := range vs {
		fc.Features = append(fc.Features, feature{
			Type:     "Feature",
			ID:       v.ID,
			Geometry: pointGeometry{Type: "Point", Coordinates: [2]float64{v.Location.Lon, v.Location.Lat}},
			Properties: villageProps{Code: v.ID, Name: v.Name, ShortName: v.ShortName, Kind: v.Kind,
				Township: v.TownshipID, TownshipName: names[v.TownshipID], Provenance: v.Provenance},
		})
	}
	c.Render(http.StatusOK, jsonAs{contentType: "application/geo+json", v: fc})
	return nil
}

func (s *Server) getVillage(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.store.GetVillage(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) listServicePoints(c *gin.Context) error {
	q, err := query(c, "circle")
	if err != nil {
		return err
	}
	circle := data.Circle(q.Get("circle"))
	switch circle {
	case "", data.CircleCounty, data.CircleTownship, data.CircleVillage:
	default:
		return badRequest("circle", "circle must be county, township or village")
	}
	ps, err := s.store.ListServicePoints(c.Request.Context(), circle)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(ps))
	return nil
}

func (s *Server) listServiceItems(c *gin.Context) error {
	if _, err := query(c); err != nil {
		return err
	}
	items, err := s.store.ListServiceItems(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(items))
	return nil
}

func (s *Server) getServiceItem(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	it, err := s.store.GetServiceItem(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, it)
	return nil
}

func (s *Server) listStaff(c *gin.Context) error {
	q, err := query(c, "township", "role", "skill")
	if err != nil {
		return err
	}
	f := data.StaffFilter{TownshipID: q.Get("township"), Role: data.StaffRole(q.Get("role")), Skill: data.Skill(q.Get("skill"))}
	if err := townshipParam(f.TownshipID); err != nil {
		return err
	}
	if f.Role != "" && f.Role.Level() == "" {
		return badRequest("role", "role must be county_expert, desk_officer, village_agent or grid_worker")
	}
	if f.Skill != "" && !f.Skill.Valid() {
		return badRequest("skill", "skill must match [a-z][a-z0-9_]*")
	}
	ctx := c.Request.Context()
	ss, err := s.store.ListStaff(ctx, f)
	if err != nil {
		return err
	}
	see, err := s.phoneScope(ctx, mustPrincipal(c))
	if err != nil {
		return err
	}
	for i := range ss {
		if !see(ss[i]) {
			ss[i].Phone = ""
		}
	}
	c.JSON(http.StatusOK, list(ss))
	return nil
}

func (s *Server) getStaff(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	st, err := s.store.GetStaff(ctx, id)
	if err != nil {
		return err
	}
	see, err := s.phoneScope(ctx, mustPrincipal(c))
	if err != nil {
		return err
	}
	if !see(st) {
		st.Phone = ""
	}
	c.JSON(http.StatusOK, st)
	return nil
}

// phoneScope returns whether the caller may see a staff member's phone:
// county-wide roles see all; a township coordinator sees staff based in
// their township (or its villages); a team member sees their own team's
// members. Phones are personal data; nobody else needs them.
func (s *Server) phoneScope(ctx context.Context, p *principal) (func(data.Staff) bool, error) {
	switch p.user.Role {
	case data.UserAdmin, data.UserCountyPlanner:
		return func(data.Staff) bool { return true }, nil
	case data.UserTownshipCoordinator:
		tw := p.user.TownshipID
		return func(st data.Staff) bool { return tw != "" && data.TownshipOf(st.HomeCode) == tw }, nil
	case data.UserTeamMember:
		team, err := s.store.GetTeam(ctx, p.user.TeamID)
		if data.ErrorKind(err) == data.NotFound {
			return func(data.Staff) bool { return false }, nil
		}
		if err != nil {
			return nil, err
		}
		members := make(map[string]bool, len(team.MemberIDs))
		for _, m := range team.MemberIDs {
			members[m] = true
		}
		return func(st data.Staff) bool { return members[st.ID] }, nil
	}
	return func(data.Staff) bool { return false }, nil
}

func (s *Server) listTeams(c *gin.Context) error {
	q, err := query(c, "level")
	if err != nil {
		return err
	}
	lvl := data.Level(q.Get("level"))
	if lvl != "" && !lvl.Valid() {
		return badRequest("level", "level must be county, township or village")
	}
	ts, err := s.store.ListTeams(c.Request.Context(), lvl)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(ts))
	return nil
}

func (s *Server) getTeam(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := s.store.GetTeam(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, t)
	return nil
}
