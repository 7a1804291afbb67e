package geo

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CRS is the coordinate reference system of input coordinates.
type CRS string

// Supported input CRSs. Output is always WGS84.
const (
	WGS84 CRS = "wgs84"
	GCJ02 CRS = "gcj02"
)

// ParseCRS accepts "wgs84" (default for "") and "gcj02" in any case.
func ParseCRS(s string) (CRS, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", "")) {
	case "", "wgs84", "epsg:4326":
		return WGS84, nil
	case "gcj02":
		return GCJ02, nil
	}
	return "", fmt.Errorf("unknown CRS %q (want wgs84 or gcj02)", s)
}

// ToWGS84 converts p from crs to WGS84.
func (c CRS) ToWGS84(p Location) Location {
	if c == GCJ02 {
		p.Point = GCJ02ToWGS84(p.Point)
	}
	return p
}

// maxPoints bounds a points file; a 10 000 × 10 000 matrix is already far
// beyond what a county plans.
const maxPoints = 10000

// ReadLocationsCSV reads locations from CSV rows "id,lon,lat" with an
// optional fourth column "group" (township, for estimate overrides). A first
// row whose lon and lat are not numbers is taken as a header. Coordinates in
// crs are converted to WGS84. Errors name the line.
func ReadLocationsCSV(r io.Reader, crs CRS) ([]Location, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var locs []Location
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("points: %w", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < 3 || len(rec) > 4 {
			return nil, fmt.Errorf("points line %d: %d fields, want id,lon,lat[,group]", line, len(rec))
		}
		lon, err1 := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		lat, err2 := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if err1 != nil || err2 != nil {
			if len(locs) == 0 && line == 1 {
				continue // header
			}
			return nil, fmt.Errorf("points line %d: lon %q / lat %q are not numbers", line, rec[1], rec[2])
		}
		l := Location{ID: strings.TrimSpace(rec[0]), Point: [2]float64{lon, lat}}
		if len(rec) == 4 {
			l.Group = strings.TrimSpace(rec[3])
		}
		if !ValidPoint(l.Point) {
			return nil, fmt.Errorf("points line %d: %q: coordinates %v out of range (lon,lat order?)", line, l.ID, l.Point)
		}
		locs = append(locs, crs.ToWGS84(l))
		if len(locs) > maxPoints {
			return nil, fmt.Errorf("points: more than %d locations", maxPoints)
		}
	}
	if len(locs) == 0 {
		return nil, errors.New("points: no locations")
	}
	if err := CheckLocations(locs); err != nil {
		return nil, fmt.Errorf("points: %w", err)
	}
	return locs, nil
}
