package seed

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/yingjing/xunhui/data"
)

// Geography is the county's reference geography as seeded.
type Geography struct {
	// County is the county centre point (WGS84).
	County data.Point
	// Townships are the 12 townships, by code.
	Townships []data.Township
	// Villages are the 71 villages, by code, each with a location.
	Villages []data.Village
	// Points are the service points of the three circles: the county centre,
	// one per township, one per village.
	Points []data.ServicePoint
	// Boundary is the county outline (WGS84, closed ring).
	Boundary []data.Point
}

// readCSV reads an embedded CSV file as maps from header to value.
func readCSV(name string) ([]map[string]string, error) {
	f, err := files.Open("files/" + name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	var out []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m := map[string]string{}
		for i, h := range header {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
}

// shortName drops the NBS suffix: 青仁村村委会 → 青仁村, 城东社区居委会 → 城东社区.
func shortName(name string) string {
	for _, suf := range []string{"村委会", "居委会"} {
		if s, ok := strings.CutSuffix(name, suf); ok {
			return s
		}
	}
	return name
}

// LoadGeography builds the county geography from the embedded files:
// official NBS 2021 names and codes, 2016 public points (converted from
// GCJ-02 to WGS84) where they exist, and estimated village points elsewhere
// (see estimateVillages).
func LoadGeography() (*Geography, error) {
	divs, err := readCSV("divisions_detail.csv")
	if err != nil {
		return nil, err
	}
	coords, err := readCSV("coords.csv")
	if err != nil {
		return nil, err
	}
	cross, err := readCSV("crosswalk_current_to_2016.csv")
	if err != nil {
		return nil, err
	}
	g := &Geography{}
	if g.Boundary, err = loadBoundary(); err != nil {
		return nil, err
	}
	// WGS84 rows of coords.csv: the Amap (Vonng) row wins over DataV for the
	// county, as both come from the same 2016 source family as the townships.
	wgs := map[string]data.Point{}
	for _, c := range coords {
		if !strings.HasPrefix(c["crs"], "WGS84") || strings.Contains(c["name"], "DataV") {
			continue
		}
		lon, err1 := strconv.ParseFloat(c["lon"], 64)
		lat, err2 := strconv.ParseFloat(c["lat"], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("coords.csv: bad point for %s", c["code"])
		}
		if _, dup := wgs[c["code"]]; !dup {
			wgs[c["code"]] = data.Point{Lon: lon, Lat: lat}
		}
	}
	var ok bool
	if g.County, ok = wgs[data.CountyCode]; !ok {
		return nil, fmt.Errorf("coords.csv: no county point")
	}
	// 2016 village points from the crosswalk (GCJ-02), converted here. A
	// cross-township name match (flagged VERIFY) is not trusted.
	public := map[string]data.Point{}
	for _, c := range cross {
		if c["lon_gcj02_2016"] == "" || strings.Contains(c["match"], "VERIFY") {
			continue
		}
		lon, err1 := strconv.ParseFloat(c["lon_gcj02_2016"], 64)
		lat, err2 := strconv.ParseFloat(c["lat_gcj02_2016"], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("crosswalk: bad point for %s", c["code_2021"])
		}
		wlon, wlat := gcj02ToWGS84(lon, lat)
		public[c["code_2021"]] = data.Point{Lon: round6(wlon), Lat: round6(wlat)}
	}
	seen := map[string]bool{}
	for _, d := range divs {
		code := d["code"]
		if seen[code] { // divisions_detail.csv repeats 严道街道
			continue
		}
		seen[code] = true
		switch d["level"] {
		case "township":
			p, ok := wgs[code]
			if !ok {
				return nil, fmt.Errorf("coords.csv: no point for township %s", code)
			}
			pred := strings.TrimSuffix(d["predecessor_2016"], " (2016 seat-point source)")
			if strings.HasPrefix(pred, code) {
				pred = "" // unchanged since 2016
			}
			g.Townships = append(g.Townships, data.Township{ID: code, Name: d["nbs_name"], Type: d["township_type"], Predecessor2016: pred})
			g.Points = append(g.Points, data.ServicePoint{ID: "sp-" + code, Circle: data.CircleTownship, Code: code,
				Name: d["short_name"] + "便民服务中心", Location: p, Provenance: data.Public2016Point})
		case "village", "community":
			kind := data.KindVillage
			if d["level"] == "community" {
				kind = data.KindCommunity
			}
			v := data.Village{ID: code, TownshipID: d["parent_code"], Name: d["nbs_name"], ShortName: shortName(d["nbs_name"]), Kind: kind}
			if p, ok := public[code]; ok {
				v.Location, v.Provenance = p, data.Public2016Point
			}
			g.Villages = append(g.Villages, v)
		}
	}
	sort.Slice(g.Townships, func(i, j int) bool { return g.Townships[i].ID < g.Townships[j].ID })
	sort.Slice(g.Villages, func(i, j int) bool { return g.Villages[i].ID < g.Villages[j].ID })
	town := map[string]data.Point{}
	for _, p := range g.Points {
		town[p.Code] = p.Location
	}
	if err := estimateVillages(g.Villages, town, g.Boundary); err != nil {
		return nil, err
	}
	g.Points = append([]data.ServicePoint{{ID: "sp-" + data.CountyCode, Circle: data.CircleCounty, Code: data.CountyCode,
		Name: "荥经县政务服务中心", Location: g.County, Provenance: data.Public2016Point}}, g.Points...)
	for _, v := range g.Villages {
		g.Points = append(g.Points, data.ServicePoint{ID: "sp-" + v.ID, Circle: data.CircleVillage, Code: v.ID,
			Name: v.ShortName + "便民服务室", Location: v.Location, Provenance: v.Provenance})
	}
	return g, nil
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// loadBoundary reads the county outline (GCJ-02 GeoJSON Polygon, Amap) and
// converts its outer ring to WGS84.
func loadBoundary() ([]data.Point, error) {
	b, err := files.ReadFile("files/county_boundary_gcj02.json")
	if err != nil {
		return nil, err
	}
	var poly struct {
		Type        string        `json:"type"`
		Coordinates [][][]float64 `json:"coordinates"`
	}
	if err := json.Unmarshal(b, &poly); err != nil {
		return nil, fmt.Errorf("county boundary: %w", err)
	}
	if poly.Type != "Polygon" || len(poly.Coordinates) == 0 || len(poly.Coordinates[0]) < 4 {
		return nil, fmt.Errorf("county boundary: want a GeoJSON Polygon")
	}
	ring := make([]data.Point, 0, len(poly.Coordinates[0]))
	for _, c := range poly.Coordinates[0] {
		if len(c) < 2 {
			return nil, fmt.Errorf("county boundary: short position")
		}
		lon, lat := gcj02ToWGS84(c[0], c[1])
		ring = append(ring, data.Point{Lon: lon, Lat: lat})
	}
	return ring, nil
}

// inside reports whether p lies inside ring (even-odd rule, ray casting;
// planar degrees are fine at county scale).
func inside(p data.Point, ring []data.Point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) &&
			p.Lon < (b.Lon-a.Lon)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
			in = !in
		}
	}
	return in
}

// Estimation parameters (see docs/data.md, "Estimated village points").
const (
	goldenAngle  = 2.399963229728653 // radians, π(3 − √5): spreads successive villages evenly
	ringMinKm    = 1.5               // villages: innermost ring
	ringMaxKm    = 4.0               // villages: outermost ring
	urbanMinKm   = 0.4               // communities (urban 社区): tighter rings
	urbanMaxKm   = 1.2
	kmPerDegLat  = 111.32
	shrinkFactor = 0.8 // radius multiplier when a candidate falls outside the county
)

// estimateVillages places every village that has no public point on a ring
// around its township point: the k-th estimated village of a township (in
// code order) sits at angle k·goldenAngle (from north, clockwise) and
// radius ringMin + (ringMax − ringMin)·frac(k·φ), φ = 0.618…, so that
// villages spread in angle and distance without overlapping. Candidates
// outside the county outline are pulled towards the township point
// (radius × 0.8, up to 20 times; the township point itself as a last
// resort). The method is deterministic: same files, same points.
func estimateVillages(vs []data.Village, town map[string]data.Point, boundary []data.Point) error {
	k := map[string]int{}
	for i := range vs {
		v := &vs[i]
		if v.Provenance != "" {
			continue
		}
		c, ok := town[v.TownshipID]
		if !ok {
			return fmt.Errorf("village %s: no point for township %s", v.ID, v.TownshipID)
		}
		n := k[v.TownshipID]
		k[v.TownshipID]++
		lo, hi := ringMinKm, ringMaxKm
		if v.Kind == data.KindCommunity {
			lo, hi = urbanMinKm, urbanMaxKm
		}
		frac := math.Mod(float64(n+1)*0.6180339887498949, 1)
		r := lo + (hi-lo)*frac
		angle := float64(n) * goldenAngle
		p := c
		for range 20 {
			dLat := r * math.Cos(angle) / kmPerDegLat
			dLon := r * math.Sin(angle) / (kmPerDegLat * math.Cos(c.Lat*math.Pi/180))
			cand := data.Point{Lon: round6(c.Lon + dLon), Lat: round6(c.Lat + dLat)}
			if inside(cand, boundary) {
				p = cand
				break
			}
			r *= shrinkFactor
		}
		v.Location, v.Provenance = p, data.Estimated
	}
	return nil
}

// gcj02ToWGS84 converts a GCJ-02 point (the datum of Chinese web maps, in
// which every public Yingjing point and outline was published) to WGS84 with
// geo's transform.
func gcj02ToWGS84(lon, lat float64) (float64, float64) {
	w := geo.GCJ02ToWGS84(orb.Point{lon, lat})
	return w[0], w[1]
}
