package seed

import "math"

// GCJ-02 ("Mars coordinates") is the obfuscated datum of Chinese web maps
// (Amap, DataV), in which every public Yingjing point and outline we have was
// published. This is the widely published forward transform (Krasovsky 1940
// ellipsoid) and its iterative inverse. It is a private copy of the same
// transform in geo (geo.GCJ02ToWGS84): data must not import geo, and the
// seed is the only place in data that needs it. Tests check it against the
// WGS84 rows of coords.csv, which were converted independently.

const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

// wgsToGCJ converts a WGS84 point to GCJ-02 (degrees).
func wgsToGCJ(lon, lat float64) (float64, float64) {
	x, y := lon-105.0, lat-35.0
	dLat := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLat += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLat += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	dLat += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	dLon := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	dLon += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLon += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	dLon += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return lon + dLon, lat + dLat
}

// GCJ02ToWGS84 converts a GCJ-02 point to WGS84 by fixed-point iteration of
// the forward transform until the round trip agrees within 1e-10 degrees
// (at most 30 rounds; 3–5 in practice). Inputs that are not finite are
// returned unchanged.
func GCJ02ToWGS84(lon, lat float64) (float64, float64) {
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return lon, lat
	}
	wLon, wLat := lon, lat
	for range 30 {
		gLon, gLat := wgsToGCJ(wLon, wLat)
		eLon, eLat := gLon-lon, gLat-lat
		wLon, wLat = wLon-eLon, wLat-eLat
		if math.Abs(eLon) < 1e-10 && math.Abs(eLat) < 1e-10 {
			break
		}
	}
	return wLon, wLat
}
