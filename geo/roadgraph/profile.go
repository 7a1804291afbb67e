package roadgraph

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/osm"
	"github.com/yingjing/xunhui/geo"
)

// ProfileVersion changes whenever the speeds or access rules below change,
// so that cached matrices computed under the old rules are not reused.
const ProfileVersion = "profile-v1"

// Mode indices into per-mode arrays.
const (
	iCar = iota
	iMoto
	iFoot
	nModes
)

func modeIndex(m geo.Mode) (int, bool) {
	switch m {
	case geo.Car:
		return iCar, true
	case geo.Motorbike:
		return iMoto, true
	case geo.Foot:
		return iFoot, true
	}
	return 0, false
}

// ClassSpeed is the default speed in km/h of a highway class per mode; 0
// means the mode may not use the class unless an access tag allows it.
type ClassSpeed struct {
	Car, Motorbike, Foot float64
}

// ClassSpeeds are the documented default speeds (km/h) per highway=* value,
// set for rural mountain roads in Sichuan. Cars use a way's maxspeed instead
// when it has one; motorbikes use min(maxspeed, the value here). Motorbikes
// may not use motorways (Road Traffic Safety Law art. 67); motorways are
// closed to walkers; paths, footways, steps, pedestrian areas, bridleways
// and cycleways are for walkers only.
var ClassSpeeds = map[string]ClassSpeed{
	"motorway":       {100, 0, 0},
	"motorway_link":  {50, 0, 0},
	"trunk":          {70, 60, 4},
	"trunk_link":     {40, 35, 4},
	"primary":        {60, 50, 4},
	"primary_link":   {40, 35, 4},
	"secondary":      {50, 45, 4},
	"secondary_link": {35, 30, 4},
	"tertiary":       {40, 40, 4},
	"tertiary_link":  {30, 30, 4},
	"unclassified":   {30, 30, 4},
	"residential":    {25, 25, 4},
	"living_street":  {10, 10, 4},
	"service":        {15, 15, 4},
	"road":           {25, 25, 4},
	"track":          {12, 20, 3.5},
	"path":           {0, 0, 3.5},
	"bridleway":      {0, 0, 3.5},
	"footway":        {0, 0, 4},
	"pedestrian":     {0, 0, 4},
	"cycleway":       {0, 0, 4},
	"steps":          {0, 0, 2},
}

// accessFallbackKmh is used when an access tag opens a class that a mode
// does not use by default (e.g. highway=path + motorcycle=yes).
var accessFallbackKmh = [nModes]float64{10, 15, 4}

// wayAttr holds the per-mode speeds of a way in its drawing direction
// (forward) and against it (backward), km/h; 0 means not allowed.
type wayAttr struct {
	fwd, bwd [nModes]float32
}

// accessKeys lists, most specific first, the OSM access keys that decide
// whether a mode may use a way.
var accessKeys = [nModes][]string{
	iCar:  {"motorcar", "motor_vehicle", "vehicle", "access"},
	iMoto: {"motorcycle", "motor_vehicle", "vehicle", "access"},
	iFoot: {"foot", "access"},
}

// accessValue returns +1 for allowed, -1 for forbidden, 0 when tags say
// nothing about the mode.
func accessValue(tags osm.Tags, mode int) int {
	for _, k := range accessKeys[mode] {
		v := tags.Find(k)
		if v == "" {
			continue
		}
		switch v {
		case "no", "private", "agricultural", "forestry", "military", "emergency", "use_sidepath":
			return -1
		case "yes", "permissive", "designated", "destination", "customers", "delivery", "official":
			return 1
		}
		// Unknown values are skipped in favour of a less specific key.
	}
	return 0
}

// isFord reports whether a ford tag value marks a water crossing.
func isFord(v string) bool { return v != "" && v != "no" }

// evalWay returns the per-mode speeds of a way, and false when no mode may
// use it (not a road, under construction, closed to all).
func evalWay(tags osm.Tags) (wayAttr, bool) {
	var a wayAttr
	hw := tags.Find("highway")
	cls, ok := ClassSpeeds[hw]
	if !ok {
		return a, false
	}
	if tags.Find("area") == "yes" && hw != "pedestrian" {
		return a, false
	}
	def := [nModes]float64{cls.Car, cls.Motorbike, cls.Foot}
	ford := isFord(tags.Find("ford"))
	maxFwd := parseMaxspeed(tags.Find("maxspeed"))
	if v := parseMaxspeed(tags.Find("maxspeed:forward")); v > 0 {
		maxFwd = v
	}
	maxBwd := parseMaxspeed(tags.Find("maxspeed"))
	if v := parseMaxspeed(tags.Find("maxspeed:backward")); v > 0 {
		maxBwd = v
	}
	oneway := parseOneway(tags, hw)
	any := false
	for m := 0; m < nModes; m++ {
		s := def[m]
		switch accessValue(tags, m) {
		case -1:
			s = 0
		case 1:
			if s == 0 {
				s = accessFallbackKmh[m]
			}
		}
		// The ford rule: motorbikes cannot take fords (water over the
		// wheels stalls them); cars (the county's 4x4s) and walkers can.
		if m == iMoto && ford {
			s = 0
		}
		if s == 0 {
			continue
		}
		fwd, bwd := s, s
		switch m {
		case iCar:
			if maxFwd > 0 {
				fwd = maxFwd
			}
			if maxBwd > 0 {
				bwd = maxBwd
			}
		case iMoto:
			fwd = math.Min(s, positiveOr(maxFwd, s))
			bwd = math.Min(s, positiveOr(maxBwd, s))
		}
		if m != iFoot { // walkers ignore oneway
			switch oneway {
			case 1:
				bwd = 0
			case -1:
				fwd = 0
			}
		}
		a.fwd[m], a.bwd[m] = float32(fwd), float32(bwd)
		if fwd > 0 || bwd > 0 {
			any = true
		}
	}
	return a, any
}

func positiveOr(v, d float64) float64 {
	if v > 0 {
		return v
	}
	return d
}

// parseOneway returns 1 for forward-only, -1 for backward-only, 0 for both.
// Motorways, motorway links and roundabouts are one-way unless tagged
// otherwise.
func parseOneway(tags osm.Tags, hw string) int {
	switch tags.Find("oneway") {
	case "yes", "true", "1":
		return 1
	case "-1", "reverse":
		return -1
	case "no", "false", "0":
		return 0
	}
	if hw == "motorway" || hw == "motorway_link" {
		return 1
	}
	switch tags.Find("junction") {
	case "roundabout", "circular":
		return 1
	}
	return 0
}

// implicitMaxspeed maps the "<country>:<zone>" maxspeed values to km/h.
// China has no per-zone legal defaults in OSM; these follow the common
// national limits for unsigned roads (Road Traffic Safety Law
// implementing regulations art. 45-46: 30 km/h single-lane urban, 40
// rural; higher classes are signed and then carry a number).
var implicitMaxspeed = map[string]float64{
	"urban":         50,
	"rural":         70,
	"trunk":         100,
	"motorway":      120,
	"living_street": 20,
	"walk":          6,
}

// parseMaxspeed returns the speed in km/h of an OSM maxspeed value such as
// "60", "60 km/h", "30 mph", "CN:rural" or "60;40" (the lowest is taken);
// 0 when the value is absent, "none", "signals" or not understood.
func parseMaxspeed(v string) float64 {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Contains(v, ";") {
		best := 0.0
		for _, p := range strings.Split(v, ";") {
			if s := parseMaxspeed(p); s > 0 && (best == 0 || s < best) {
				best = s
			}
		}
		return best
	}
	if v == "walk" {
		return implicitMaxspeed["walk"]
	}
	if i := strings.IndexByte(v, ':'); i > 0 {
		return implicitMaxspeed[strings.ToLower(v[i+1:])]
	}
	unit := 1.0
	low := strings.ToLower(v)
	for _, suf := range []struct {
		s string
		f float64
	}{{"km/h", 1}, {"kmh", 1}, {"kph", 1}, {"mph", 1.609344}, {"knots", 1.852}} {
		if strings.HasSuffix(low, suf.s) {
			low = strings.TrimSpace(strings.TrimSuffix(low, suf.s))
			unit = suf.f
			break
		}
	}
	n, err := strconv.ParseFloat(low, 64)
	if err != nil || math.IsNaN(n) || n <= 0 || n*unit > 200 {
		return 0
	}
	return n * unit
}
