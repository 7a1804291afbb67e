package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// closureInput is the body of POST /closures and PUT /closures/{id}.
type closureInput struct {
	ID          string           `json:"id,omitempty" doc:"optional on create (CL-… is assigned); must equal the path's on PUT"`
	Kind        data.ClosureKind `json:"kind" doc:"road (a closed stretch of road) or foot_only (a village reachable only on foot)"`
	Name        string           `json:"name" doc:"where it is (1–100 characters)"`
	Reason      string           `json:"reason,omitempty" doc:"shown on route sheets, e.g. 雨季塌方"`
	Line        []data.Point     `json:"line,omitempty" doc:"road: 2–500 WGS84 points along the closed road"`
	VillageID   string           `json:"village_id,omitempty" doc:"foot_only: the village"`
	Trailhead   *data.Point      `json:"trailhead,omitempty" doc:"foot_only: where vehicles stop and wait"`
	WalkMinutes int              `json:"walk_minutes,omitempty" doc:"foot_only: walk from the trailhead, one way (1–240)"`
	From        string           `json:"from" doc:"first day, YYYY-MM-DD (MM-DD when yearly)"`
	To          string           `json:"to" doc:"last day, YYYY-MM-DD (MM-DD when yearly; may wrap the year end)"`
	Yearly      bool             `json:"yearly,omitempty" doc:"true: every year (rain season 06-01–09-30, winter 12-01–02-28)"`
	Version     int64            `json:"version,omitempty" doc:"PUT: the version read (or If-Match)"`
}

func (in closureInput) closure() data.Closure {
	return data.Closure{ID: in.ID, Kind: in.Kind, Name: in.Name, Reason: in.Reason, Line: in.Line, VillageID: in.VillageID,
		Trailhead: in.Trailhead, WalkMinutes: in.WalkMinutes, From: in.From, To: in.To, Yearly: in.Yearly, Version: in.Version}
}

// closureImportResult answers POST /closures/import.
type closureImportResult struct {
	Imported []data.Closure `json:"imported"`
	DryRun   bool           `json:"dry_run,omitempty"`
}

var (
	qOn          = apiParam{Name: "on", In: "query", Description: "keep the closures valid on this day (YYYY-MM-DD)", Schema: &jsonSchema{Type: "string", Format: "date"}}
	qClosureKind = apiParam{Name: "kind", In: "query", Description: "road or foot_only", Schema: &jsonSchema{Type: "string", Enum: []string{"road", "foot_only"}}}
	qVersion     = apiParam{Name: "version", In: "query", Description: "the version read (alternative to If-Match)", Schema: &jsonSchema{Type: "integer"}}
)

// closureRoutes registers road closures and walk-only villages on v1.
func (s *Server) closureRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/closures", opSpec{roles: allRoles, tag: "geography",
		summary:     "List road closures and walk-only villages",
		description: "Circuit plans honour the closures valid on each day of travel: no route uses a closed road; a walk-only village is reached by driving to its trailhead and walking (the vehicle waits there).",
		query:       []apiParam{qOn, qClosureKind}, response: listBody[data.Closure]{}, errors: []int{400}}, s.listClosures)
	s.handle(v1, http.MethodGet, "/closures.geojson", opSpec{roles: allRoles, tag: "geography",
		summary:     "Closures as an RFC 7946 GeoJSON FeatureCollection (for the map)",
		description: "A closed road is a LineString, a walk-only village a Point at its trailhead; properties: id, kind, name, reason, village_id, village_name, walk_minutes, from, to, yearly, version, and active_on when on= is given. The same file imports again (POST /closures/import).",
		query:       []apiParam{qOn, qClosureKind}, response: data.ClosureCollection{}, contentType: "application/geo+json", errors: []int{400}}, s.closuresGeoJSON)
	s.handle(v1, http.MethodPost, "/closures", opSpec{roles: planners, tag: "geography",
		summary: "Add a road closure or a walk-only village", request: closureInput{}, response: data.Closure{},
		status: http.StatusCreated, errors: []int{400, 409, 422}}, s.createClosure)
	s.handle(v1, http.MethodPost, "/closures/import", opSpec{roles: planners, tag: "geography",
		summary:     "Import closures from a GeoJSON FeatureCollection, all or nothing",
		description: "LineString features are closed roads, Point features trailheads of walk-only villages (properties as GET /closures.geojson writes them; unknown properties are ignored). Any bad feature rejects the whole file with 422 and `rows` naming each feature (line = 1-based position) and field, e.g. features[2].properties.walk_minutes.",
		query:       []apiParam{{Name: "dry_run", In: "query", Description: "check only (true/false)", Schema: &jsonSchema{Type: "boolean"}}},
		request:     data.ClosureCollection{}, response: closureImportResult{}, status: http.StatusCreated, errors: []int{400, 413, 415, 422}}, s.importClosures)
	s.handle(v1, http.MethodGet, "/closures/:id", opSpec{roles: allRoles, tag: "geography",
		summary: "Get one closure", response: data.Closure{}, errors: []int{404}}, s.getClosure)
	s.handle(v1, http.MethodPut, "/closures/:id", opSpec{roles: planners, tag: "geography",
		summary: "Replace a closure (send the version read)", query: []apiParam{qIfMatch}, request: closureInput{}, response: data.Closure{},
		errors: []int{400, 404, 409, 422, 428}}, s.putClosure)
	s.handle(v1, http.MethodDelete, "/closures/:id", opSpec{roles: planners, tag: "geography",
		summary: "Remove a closure (send the version read)", query: []apiParam{qIfMatch, qVersion},
		status: http.StatusNoContent, errors: []int{400, 404, 409, 428}}, s.deleteClosure)
}

// closureFilter reads on= and kind=.
func closureFilter(c *gin.Context) (data.ClosureFilter, error) {
	q, err := query(c, "on", "kind")
	if err != nil {
		return data.ClosureFilter{}, err
	}
	var f data.ClosureFilter
	if v := q.Get("on"); v != "" {
		d, err := data.ParseDate(v)
		if err != nil {
			return f, badRequest("on", "on="+truncate(v, 20)+" is not a date YYYY-MM-DD")
		}
		f.On = d
	}
	switch k := data.ClosureKind(q.Get("kind")); k {
	case "", data.ClosedRoad, data.FootOnly:
		f.Kind = k
	default:
		return f, badRequest("kind", "kind must be road or foot_only")
	}
	return f, nil
}

func (s *Server) listClosures(c *gin.Context) error {
	f, err := closureFilter(c)
	if err != nil {
		return err
	}
	cs, err := s.store.ListClosures(c.Request.Context(), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(cs))
	return nil
}

func (s *Server) closuresGeoJSON(c *gin.Context) error {
	f, err := closureFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	on := f.On
	f.On = "" // every closure, marked active_on for the day asked
	cs, err := s.store.ListClosures(ctx, f)
	if err != nil {
		return err
	}
	vs, err := s.store.ListVillages(ctx, "")
	if err != nil {
		return err
	}
	names := make(map[string]string, len(vs))
	for _, v := range vs {
		names[v.ID] = v.ShortName
	}
	fc := data.ClosureCollection{Type: "FeatureCollection", Features: make([]data.ClosureFeature, 0, len(cs))}
	for _, cl := range cs {
		fc.Features = append(fc.Features, data.ClosureToFeature(cl, names[cl.VillageID], on))
	}
	c.Render(http.StatusOK, jsonAs{contentType: "application/geo+json", v: fc})
	return nil
}

func (s *Server) createClosure(c *gin.Context) error {
	var in closureInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Version != 0 {
		return badRequest("version", "a new closure has no version")
	}
	cs := []data.Closure{in.closure()}
	if err := s.store.ImportClosures(c.Request.Context(), cs, mustPrincipal(c).user.ID); err != nil {
		return singleRecord(err)
	}
	c.JSON(http.StatusCreated, cs[0])
	return nil
}

func (s *Server) importClosures(c *gin.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := decodeJSON(c.Writer, c.Request, SolverMaxBodyBytes, &raw); err != nil {
		return err
	}
	cs, err := data.ParseClosuresGeoJSON(raw)
	if rows := data.RowErrors(err); rows != nil {
		return s.rejectRows(c, rows)
	}
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if dry {
		ctx = data.DryRun(ctx)
	}
	if err := s.store.ImportClosures(ctx, cs, mustPrincipal(c).user.ID); err != nil {
		if rows := data.RowErrors(err); rows != nil {
			for i := range rows {
				rows[i].Field = closureFeatureField(rows[i])
			}
			return s.rejectRows(c, rows)
		}
		return err
	}
	c.JSON(http.StatusCreated, closureImportResult{Imported: cs, DryRun: dry})
	return nil
}

// closureFeatureField names a store row error's field as the place in the
// GeoJSON feature (the store numbers records as the file numbers features).
func closureFeatureField(r data.RowError) string {
	f := "features[" + itoa(r.Line-1) + "]"
	switch r.Field {
	case "":
		return f
	case "id":
		return f + ".properties.id"
	}
	return f + ".properties." + r.Field
}

func (s *Server) getClosure(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	cl, err := s.store.GetClosure(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, cl)
	return nil
}

func (s *Server) putClosure(c *gin.Context) error {
	var in closureInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	id, err := pathBodyID(c, &in.ID)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	old, err := s.store.GetClosure(ctx, id)
	if err != nil {
		return err
	}
	if in.Version, err = sentVersion(c, "closure", id, in.Version, old.Version); err != nil {
		return err
	}
	cl := in.closure()
	if err := s.store.UpdateClosure(ctx, &cl); err != nil {
		return err
	}
	c.JSON(http.StatusOK, cl)
	return nil
}

func (s *Server) deleteClosure(c *gin.Context) error {
	q, err := query(c, "version")
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body *int64
	if q.Get("version") != "" {
		v, err := intParam(q, "version", 0, 1, 1<<31)
		if err != nil {
			return err
		}
		v64 := int64(v)
		body = &v64
	}
	ctx := c.Request.Context()
	old, err := s.store.GetClosure(ctx, id)
	if err != nil {
		return err
	}
	v, err := expectedVersion(c, body)
	if err != nil {
		return err
	}
	if _, err := sentVersion(c, "closure", id, v, old.Version); err != nil {
		return err
	}
	if err := s.store.DeleteClosure(ctx, id, v); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
