package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusM is the mean Earth radius in metres used by DistanceHaversine.
const EarthRadiusM = 6371008.8

// DistanceHaversine returns the great-circle distance in metres between two
// WGS84 points on a sphere of radius EarthRadiusM. Its error against the
// ellipsoid is below 0.5 %, ample for estimates.
func DistanceHaversine(a, b orb.Point) float64 {
	lat1 := a[1] * math.Pi / 180
	lat2 := b[1] * math.Pi / 180
	dLat := lat2 - lat1
	dLon := (b[0] - a[0]) * math.Pi / 180
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	if s > 1 {
		s = 1
	}
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(s))
}

// ValidPoint reports whether p is a finite WGS84 coordinate.
func ValidPoint(p orb.Point) bool {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return false
	}
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}
