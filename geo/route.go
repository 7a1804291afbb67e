package geo

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Stop is one visit on a route, as planners hand it to the encoders.
type Stop struct {
	// ID and Name identify the place (village, service point).
	ID   string
	Name string
	// Point is the WGS84 position.
	Point orb.Point
	// Order is the 1-based position in the route.
	Order int
	// Arrival and Departure are the planned times (zero when unknown).
	Arrival, Departure time.Time
	// Items are the service items handled at the stop (e.g. 代办事项 titles).
	Items []string
	// Estimated is set when the travel time into this stop came from the
	// straight-line estimate rather than a road source.
	Estimated bool
}

// Route is a team's ordered stops for one day, with the road path when a
// road graph drew it.
type Route struct {
	// ID identifies the route (e.g. plan id + team id); Name is shown in
	// navigation apps.
	ID   string
	Name string
	// Team is the team id or name.
	Team string
	// Mode is the travel mode.
	Mode Mode
	// Source is the matrix source the times came from ("roadgraph",
	// "osrm", "estimate", "roadgraph+estimate", ...).
	Source string
	Stops  []Stop
	// Path is the road path through all stops, WGS84; nil when no road
	// graph was used, in which case straight lines between stops are
	// drawn and labelled "straight".
	Path orb.LineString
}

// coordFactor rounds output coordinates to 1e-7 degrees (about 1 cm), so
// that files are small and stable.
const coordFactor = 1e7

func roundPoint(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*coordFactor) / coordFactor, math.Round(p[1]*coordFactor) / coordFactor}
}

func roundLine(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[i] = roundPoint(p)
	}
	return out
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Features returns the GeoJSON features of r: one Point feature per stop
// (properties kind "stop", route, team, order, id, name, arrival, departure
// (RFC 3339 UTC), items, estimated) and one LineString feature (kind "path",
// path "road" or "straight", source, mode) when r has two or more stops or a
// path.
func (r Route) Features() []*geojson.Feature {
	var fs []*geojson.Feature
	for _, s := range r.Stops {
		f := geojson.NewFeature(roundPoint(s.Point))
		f.ID = s.ID
		items := s.Items
		if items == nil {
			items = []string{}
		}
		f.Properties = geojson.Properties{
			"kind": "stop", "route": r.ID, "team": r.Team, "order": s.Order,
			"id": s.ID, "name": s.Name, "items": items, "estimated": s.Estimated,
		}
		if a := timeString(s.Arrival); a != "" {
			f.Properties["arrival"] = a
		}
		if d := timeString(s.Departure); d != "" {
			f.Properties["departure"] = d
		}
		fs = append(fs, f)
	}
	line, kind := r.Path, "road"
	if len(line) < 2 {
		kind = "straight"
		line = nil
		for _, s := range r.Stops {
			line = append(line, s.Point)
		}
	}
	if len(line) >= 2 {
		f := geojson.NewFeature(roundLine(line))
		f.Properties = geojson.Properties{"kind": "path", "route": r.ID, "team": r.Team, "path": kind, "source": r.Source, "mode": string(r.Mode)}
		fs = append(fs, f)
	}
	return fs
}

// PlanGeoJSON returns an RFC 7946 FeatureCollection ([lon, lat], WGS84) of
// all routes of a plan, with the plan id as a foreign member "plan".
func PlanGeoJSON(planID string, routes []Route) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, r := range routes {
		fc.Features = append(fc.Features, r.Features()...)
	}
	if planID != "" {
		fc.ExtraMembers = geojson.Properties{"plan": planID}
	}
	return fc
}

// WriteGeoJSON writes PlanGeoJSON(planID, routes) as indented JSON.
func WriteGeoJSON(w io.Writer, planID string, routes []Route) error {
	b, err := json.Marshal(PlanGeoJSON(planID, routes))
	if err != nil {
		return fmt.Errorf("geojson: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return fmt.Errorf("geojson: %w", err)
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

// GPX 1.1 (https://www.topografix.com/GPX/1/1/) structures; element order
// follows the schema (metadata, wpt, rte, trk).
type gpxDoc struct {
	XMLName  xml.Name    `xml:"gpx"`
	Version  string      `xml:"version,attr"`
	Creator  string      `xml:"creator,attr"`
	XMLNS    string      `xml:"xmlns,attr"`
	Metadata gpxMetadata `xml:"metadata"`
	Wpts     []gpxPoint  `xml:"wpt"`
	Rte      *gpxRte     `xml:"rte,omitempty"`
	Trk      *gpxTrk     `xml:"trk,omitempty"`
}

type gpxMetadata struct {
	Name string `xml:"name,omitempty"`
	Desc string `xml:"desc,omitempty"`
	Time string `xml:"time,omitempty"`
}

type gpxPoint struct {
	Lat  string `xml:"lat,attr"`
	Lon  string `xml:"lon,attr"`
	Time string `xml:"time,omitempty"`
	Name string `xml:"name,omitempty"`
	Desc string `xml:"desc,omitempty"`
	Type string `xml:"type,omitempty"`
}

type gpxRte struct {
	Name string     `xml:"name,omitempty"`
	Pts  []gpxPoint `xml:"rtept"`
}

type gpxTrk struct {
	Name string `xml:"name,omitempty"`
	Seg  struct {
		Pts []gpxPoint `xml:"trkpt"`
	} `xml:"trkseg"`
}

func gpxPt(p orb.Point) gpxPoint {
	p = roundPoint(p)
	return gpxPoint{Lat: fmtDeg(p[1]), Lon: fmtDeg(p[0])}
}

func fmtDeg(v float64) string { return fmt.Sprintf("%.7f", v) }

// WriteGPX writes a team's day as GPX 1.1 so that it opens in navigation
// apps: a waypoint per stop (name "<order>. <name>", arrival time in UTC
// RFC 3339, items in desc), a route with one point per stop, and a track of
// the road path when there is one. Coordinates are WGS84; apps that expect
// GCJ-02 convert on import.
func WriteGPX(w io.Writer, r Route) error {
	doc := gpxDoc{Version: "1.1", Creator: "xunhui", XMLNS: "http://www.topografix.com/GPX/1/1"}
	doc.Metadata.Name = r.Name
	if r.Team != "" {
		doc.Metadata.Desc = "team " + r.Team
		if r.Source != "" {
			doc.Metadata.Desc += "; travel times: " + r.Source
		}
	}
	if len(r.Stops) > 0 {
		doc.Metadata.Time = timeString(firstTime(r.Stops[0]))
	}
	rte := &gpxRte{Name: r.Name}
	for _, s := range r.Stops {
		p := gpxPt(s.Point)
		p.Time = timeString(firstTime(s))
		p.Name = fmt.Sprintf("%d. %s", s.Order, s.Name)
		p.Desc = strings.Join(s.Items, "; ")
		if s.Estimated {
			p.Desc = strings.TrimPrefix(p.Desc+"; arrival estimated", "; ")
		}
		p.Type = "stop"
		doc.Wpts = append(doc.Wpts, p)
		rp := gpxPt(s.Point)
		rp.Name = p.Name
		rte.Pts = append(rte.Pts, rp)
	}
	if len(rte.Pts) > 0 {
		doc.Rte = rte
	}
	if len(r.Path) >= 2 {
		doc.Trk = &gpxTrk{Name: r.Name}
		for _, p := range r.Path {
			doc.Trk.Seg.Pts = append(doc.Trk.Seg.Pts, gpxPt(p))
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("gpx: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// firstTime is the arrival, or the departure for a start without arrival.
func firstTime(s Stop) time.Time {
	if s.Arrival.IsZero() {
		return s.Departure
	}
	return s.Arrival
}

// Leg is the road path between two consecutive stops.
type Leg struct {
	// Seconds and Metres as in the matrix (off-road stretches included).
	Seconds, Metres int64
	// Path runs from the first stop, via the roads, to the second (WGS84).
	Path orb.LineString
}

// Router is a Source that can also draw the road path of a route (the road
// graph does; OSRM and the estimate do not).
type Router interface {
	// Route returns one Leg per pair of consecutive points.
	Route(ctx context.Context, mode Mode, pts []orb.Point) ([]Leg, error)
}

// RoutePath returns the road path through pts when src (or the source it
// wraps, through CachedSource and Fallback) is a Router, and nil with a nil
// error when it is not, in which case encoders draw straight lines. An error
// means the router failed (e.g. a stop far from any road).
func RoutePath(ctx context.Context, src Source, mode Mode, pts []orb.Point) (orb.LineString, error) {
	for src != nil {
		if r, ok := src.(Router); ok {
			legs, err := r.Route(ctx, mode, pts)
			if err != nil {
				return nil, err
			}
			var path orb.LineString
			for _, l := range legs {
				for i, p := range l.Path {
					if i == 0 && len(path) > 0 && path[len(path)-1] == p {
						continue
					}
					path = append(path, p)
				}
			}
			return path, nil
		}
		switch s := src.(type) {
		case *CachedSource:
			src = s.Source
		case *Fallback:
			src = s.Primary
		default:
			return nil, nil
		}
	}
	return nil, nil
}
