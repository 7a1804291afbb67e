package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// ClosureCollection is closures as an RFC 7946 GeoJSON FeatureCollection:
// a road closure is a LineString along the closed road, a walk-only village
// a Point at its trailhead. GET /closures.geojson writes it and
// ParseClosuresGeoJSON reads it back (unknown properties are ignored, so a
// file exported and edited in a GIS tool imports again).
type ClosureCollection struct {
	Type     string           `json:"type"`
	Features []ClosureFeature `json:"features"`
}

// ClosureFeature is one closure as a GeoJSON Feature.
type ClosureFeature struct {
	Type       string          `json:"type"`
	ID         string          `json:"id,omitempty"`
	Geometry   ClosureGeometry `json:"geometry"`
	Properties ClosureProps    `json:"properties"`
}

// ClosureGeometry is a GeoJSON Point ([lon, lat]) or LineString
// ([[lon, lat], …]), WGS84.
type ClosureGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// ClosureProps are a closure feature's properties. VillageName, Version and
// ActiveOn are written for the map and ignored on import.
type ClosureProps struct {
	ID          string      `json:"id,omitempty"`
	Kind        ClosureKind `json:"kind,omitempty"`
	Name        string      `json:"name"`
	Reason      string      `json:"reason,omitempty"`
	VillageID   string      `json:"village_id,omitempty"`
	VillageName string      `json:"village_name,omitempty"`
	WalkMinutes int         `json:"walk_minutes,omitempty"`
	From        string      `json:"from"`
	To          string      `json:"to"`
	Yearly      bool        `json:"yearly,omitempty"`
	Version     int64       `json:"version,omitempty"`
	// ActiveOn is true when the closure is valid on the day asked for.
	ActiveOn *bool `json:"active_on,omitempty"`
}

// ClosureToFeature encodes c (villageName may be empty; on, when not
// empty, sets ActiveOn).
func ClosureToFeature(c Closure, villageName string, on Date) ClosureFeature {
	f := ClosureFeature{Type: "Feature", ID: c.ID, Properties: ClosureProps{ID: c.ID, Kind: c.Kind, Name: c.Name, Reason: c.Reason,
		VillageID: c.VillageID, VillageName: villageName, WalkMinutes: c.WalkMinutes, From: c.From, To: c.To, Yearly: c.Yearly,
		Version: c.Version}}
	if on != "" {
		a := c.ActiveOn(on)
		f.Properties.ActiveOn = &a
	}
	if c.Kind == FootOnly && c.Trailhead != nil {
		b, _ := json.Marshal([2]float64{c.Trailhead.Lon, c.Trailhead.Lat})
		f.Geometry = ClosureGeometry{Type: "Point", Coordinates: b}
		return f
	}
	line := make([][2]float64, len(c.Line))
	for i, p := range c.Line {
		line[i] = [2]float64{p.Lon, p.Lat}
	}
	b, _ := json.Marshal(line)
	f.Geometry = ClosureGeometry{Type: "LineString", Coordinates: b}
	return f
}

// ParseClosuresGeoJSON reads a FeatureCollection of closures. Every bad
// feature is reported in an ImportError (Invalid): RowError.Line is the
// 1-based feature position and Field names the place, e.g.
// "features[2].properties.walk_minutes". Records are validated
// (Closure.Validate) but not checked against the store (villages, ids).
func ParseClosuresGeoJSON(body []byte) ([]Closure, error) {
	const op = "closures.geojson"
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		return nil, &Error{Op: op, Kind: Invalid, Message: "not a GeoJSON FeatureCollection: " + err.Error()}
	}
	if fc.Type != "FeatureCollection" {
		return nil, &Error{Op: op, Kind: Invalid, Field: "type", Message: fmt.Sprintf("%q is not FeatureCollection", fc.Type)}
	}
	if len(fc.Features) == 0 {
		return nil, &Error{Op: op, Kind: Invalid, Field: "features", Message: "no features: nothing to import"}
	}
	var out []Closure
	var rows []RowError
	for i, raw := range fc.Features {
		c, field, err := parseClosureFeature(raw)
		if err == nil {
			if err = c.Validate(); err != nil {
				field = closureGeoField(ErrorField(err))
			}
		}
		if err != nil {
			rows = append(rows, RowError{Line: i + 1, Field: fmt.Sprintf("features[%d]", i) + field, Reason: ErrorMessage(err)})
			continue
		}
		out = append(out, c)
	}
	if err := NewImportError(op, rows); err != nil {
		return nil, err
	}
	return out, nil
}

// closureGeoField maps a Closure field to where it sits in a feature.
func closureGeoField(f string) string {
	switch {
	case f == "":
		return ""
	case f == "line" || f == "trailhead":
		return ".geometry.coordinates"
	case len(f) > 5 && f[:5] == "line[":
		return ".geometry.coordinates" + f[4:]
	}
	return ".properties." + f
}

func parseClosureFeature(raw json.RawMessage) (Closure, string, error) {
	var f ClosureFeature
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&f); err != nil {
		return Closure{}, "", Errorf(Invalid, "not a closure feature: %v", err)
	}
	if f.Type != "Feature" {
		return Closure{}, ".type", Errorf(Invalid, "%q is not Feature", f.Type)
	}
	p := f.Properties
	c := Closure{ID: p.ID, Kind: p.Kind, Name: p.Name, Reason: p.Reason, VillageID: p.VillageID, WalkMinutes: p.WalkMinutes,
		From: p.From, To: p.To, Yearly: p.Yearly}
	if c.ID == "" {
		c.ID = f.ID
	}
	switch f.Geometry.Type {
	case "LineString":
		var cs [][]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &cs); err != nil {
			return c, ".geometry.coordinates", Errorf(Invalid, "a LineString needs [[lon, lat], …]")
		}
		for k, xy := range cs {
			pt, err := lonLat(xy)
			if err != nil {
				return c, fmt.Sprintf(".geometry.coordinates[%d]", k), err
			}
			c.Line = append(c.Line, pt)
		}
		if c.Kind == "" {
			c.Kind = ClosedRoad
		}
		if c.Kind != ClosedRoad {
			return c, ".properties.kind", Errorf(Invalid, "a LineString is a road closure, not %q", c.Kind)
		}
	case "Point":
		var xy []float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &xy); err != nil {
			return c, ".geometry.coordinates", Errorf(Invalid, "a Point needs [lon, lat]")
		}
		pt, err := lonLat(xy)
		if err != nil {
			return c, ".geometry.coordinates", err
		}
		c.Trailhead = &pt
		if c.Kind == "" {
			c.Kind = FootOnly
		}
		if c.Kind != FootOnly {
			return c, ".properties.kind", Errorf(Invalid, "a Point is a walk-only village's trailhead (foot_only), not %q", c.Kind)
		}
	default:
		return c, ".geometry.type", Errorf(Invalid, "%q is not LineString (closed road) or Point (trailhead of a walk-only village)", f.Geometry.Type)
	}
	return c, "", nil
}

func lonLat(xy []float64) (Point, error) {
	if len(xy) < 2 || len(xy) > 3 {
		return Point{}, Errorf(Invalid, "a position is [lon, lat] (WGS84), got %d numbers", len(xy))
	}
	if math.IsInf(xy[0], 0) || math.IsInf(xy[1], 0) {
		return Point{}, Errorf(Invalid, "a position must be finite")
	}
	return Point{Lon: xy[0], Lat: xy[1]}, nil
}
