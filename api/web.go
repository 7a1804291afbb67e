package api

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// WebConfig configures the browser application served by SetWeb.
type WebConfig struct {
	// TileURL is an optional raster tile server template reachable from the
	// county network, e.g. "http://10.1.2.3/tiles/{z}/{x}/{y}.png". Empty
	// means the map is drawn from vector data only (works offline). Its
	// origin is added to the page's Content-Security-Policy img-src.
	TileURL string
}

// SetWeb serves the browser application from fsys (package web's FS):
// GET / answers index.html and GET /app/{file} the static files, both
// without authentication because they hold no data (the app signs in with a
// token and calls /api/v1). The pages get a strict Content-Security-Policy
// (self only, no inline script). It also registers PUT
// /api/v1/villages/{id}/location so that planners can correct a village's
// position on the map. Call it once, before Open.
func (s *Server) SetWeb(fsys fs.FS, cfg WebConfig) {
	csp := webCSP(cfg.TileURL)
	conf, _ := json.Marshal(map[string]string{"tile_url": cfg.TileURL})
	files, err := appFiles(fsys)
	if err != nil {
		files = nil // an unreadable file system: every file is 404
	}
	root := &s.engine.RouterGroup
	serveFile := func(c *gin.Context, name string) error {
		if name == "config.json" {
			c.Header("Content-Security-Policy", csp)
			c.Header("Cache-Control", "no-cache")
			c.Data(http.StatusOK, "application/json", conf)
			return nil
		}
		f, ok := files[name]
		if !ok {
			return notFound("no such file: /app/" + name)
		}
		serveAsset(c, f, csp)
		return nil
	}
	s.handle(root, http.MethodGet, "/", opSpec{public: true, tag: "web",
		summary: "The web application (index.html; no data, no authentication)", contentType: "text/html"},
		func(c *gin.Context) error { return serveFile(c, "index.html") })
	s.handle(root, http.MethodGet, "/app/*file", opSpec{public: true, tag: "web",
		summary: "Static files of the web application (JavaScript modules, CSS, county outline)",
		description: "config.json gives the configured tile server URL (empty = vector map only). " +
			"gzip when accepted, ETag validators (304 on a match), immutable for a year when versioned (?v=<hash>, as every reference in the app is).",
		contentType: "application/octet-stream", errors: []int{404}},
		func(c *gin.Context) error {
			name := strings.TrimPrefix(path.Clean("/"+c.Param("file")), "/")
			if name == "" || name == "." {
				name = "index.html"
			}
			return serveFile(c, name)
		})
	s.fieldWeb(fsys, csp)
	v1 := s.engine.Group("/api/v1", s.authenticate())
	s.handle(v1, http.MethodPut, "/villages/:id/location", opSpec{roles: planners, tag: "geography",
		summary:     "Correct a village's position (planners, from the map page)",
		description: "Body {\"lon\", \"lat\", \"provenance\"}; provenance defaults to surveyed. The village's service point moves with it.",
		request:     villageLocationInput{}, response: data.Village{}, errors: []int{404, 422}}, s.putVillageLocation)
}

// villageLocationInput is the body of PUT /api/v1/villages/{id}/location.
type villageLocationInput struct {
	Lon        float64         `json:"lon"`
	Lat        float64         `json:"lat"`
	Provenance data.Provenance `json:"provenance,omitempty"`
}

func (s *Server) putVillageLocation(c *gin.Context) error {
	var in villageLocationInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Provenance == "" {
		in.Provenance = data.Surveyed
	}
	id := c.Param("id")
	ctx := c.Request.Context()
	if _, err := s.store.GetVillage(ctx, id); err != nil {
		return err
	}
	l := data.VillageLocation{VillageID: id, Location: data.Point{Lon: in.Lon, Lat: in.Lat}, Provenance: in.Provenance}
	if err := l.Validate(); err != nil {
		return err
	}
	if err := s.store.SetVillageLocations(ctx, []data.VillageLocation{l}); err != nil {
		return err
	}
	v, err := s.store.GetVillage(ctx, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// webCSP allows only the app's own origin, plus the tile server's origin
// for images when one is configured.
func webCSP(tileURL string) string {
	img := "'self' data:"
	if u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(tileURL)); err == nil && u.Scheme != "" && u.Host != "" {
		img += " " + u.Scheme + "://" + u.Host
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}
