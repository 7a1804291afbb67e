package geo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// EstimateParams are the parameters of the straight-line estimate for one
// mode: distance = great-circle × Detour, duration = distance / SpeedKmh.
type EstimateParams struct {
	// Detour is the ratio road distance / great-circle distance (≥ 1).
	Detour float64 `json:"detour"`
	// SpeedKmh is the average travel speed in km/h (> 0).
	SpeedKmh float64 `json:"speed_kmh"`
}

// DefaultEstimate holds the documented per-mode defaults, chosen for
// mountain roads such as Yingjing's: winding roads (detour 1.4 by road, 1.3
// on foot paths that cut corners) and slow average speeds.
var DefaultEstimate = map[Mode]EstimateParams{
	Car:       {Detour: 1.4, SpeedKmh: 35},
	Motorbike: {Detour: 1.4, SpeedKmh: 30},
	Foot:      {Detour: 1.3, SpeedKmh: 4},
}

// Override replaces the estimate between two groups (townships). It applies
// from every location of group From to every location of group To, and in
// the reverse direction too when Symmetric is set.
type Override struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Mode restricts the override to one mode; empty applies to all modes.
	Mode Mode `json:"mode,omitempty"`
	// Minutes, when > 0, is the fixed travel time. Otherwise Detour and
	// SpeedKmh (each when > 0) replace the mode's parameters for the pair.
	Minutes  float64 `json:"minutes,omitempty"`
	Detour   float64 `json:"detour,omitempty"`
	SpeedKmh float64 `json:"speed_kmh,omitempty"`
	// Symmetric applies the override in both directions.
	Symmetric bool `json:"symmetric,omitempty"`
}

// EstimateConfig is the JSON form of an Estimator's configuration:
//
//	{"modes": {"car": {"detour": 1.5, "speed_kmh": 30}},
//	 "overrides": [{"from": "牛背山镇", "to": "严道街道", "mode": "car", "minutes": 90, "symmetric": true}]}
//
// Modes not given keep DefaultEstimate.
type EstimateConfig struct {
	Modes     map[Mode]EstimateParams `json:"modes,omitempty"`
	Overrides []Override              `json:"overrides,omitempty"`
}

// Estimator is the Source of last resort: great-circle distance times a
// detour factor, divided by a speed, per mode and per group pair. Every value
// it returns is an estimate and its matrices say so (Source "estimate").
// The zero value uses DefaultEstimate. It is safe for concurrent use once
// configured.
type Estimator struct {
	// Params overrides DefaultEstimate per mode.
	Params map[Mode]EstimateParams
	// Overrides are per-group-pair replacements, the last match winning.
	Overrides []Override
}

// NewEstimator returns an Estimator from cfg after validating it.
func NewEstimator(cfg EstimateConfig) (*Estimator, error) {
	e := &Estimator{Params: map[Mode]EstimateParams{}, Overrides: cfg.Overrides}
	for m, p := range cfg.Modes {
		if !m.Valid() {
			return nil, fmt.Errorf("estimate config: unknown mode %q", m)
		}
		if !(p.Detour >= 1) || math.IsInf(p.Detour, 0) {
			return nil, fmt.Errorf("estimate config: mode %s: detour %v must be ≥ 1", m, p.Detour)
		}
		if !(p.SpeedKmh > 0) || math.IsInf(p.SpeedKmh, 0) {
			return nil, fmt.Errorf("estimate config: mode %s: speed %v km/h must be > 0", m, p.SpeedKmh)
		}
		e.Params[m] = p
	}
	for i, o := range cfg.Overrides {
		if o.From == "" || o.To == "" {
			return nil, fmt.Errorf("estimate config: override %d: from and to are required", i)
		}
		if o.Mode != "" && !o.Mode.Valid() {
			return nil, fmt.Errorf("estimate config: override %d: unknown mode %q", i, o.Mode)
		}
		if o.Minutes < 0 || o.SpeedKmh < 0 || (o.Detour != 0 && o.Detour < 1) ||
			math.IsNaN(o.Minutes) || math.IsNaN(o.SpeedKmh) || math.IsNaN(o.Detour) ||
			math.IsInf(o.Minutes, 0) || math.IsInf(o.SpeedKmh, 0) || math.IsInf(o.Detour, 0) {
			return nil, fmt.Errorf("estimate config: override %d (%s→%s): minutes and speed must be ≥ 0, detour ≥ 1", i, o.From, o.To)
		}
		if o.Minutes == 0 && o.SpeedKmh == 0 && o.Detour == 0 {
			return nil, fmt.Errorf("estimate config: override %d (%s→%s): give minutes, speed_kmh or detour", i, o.From, o.To)
		}
	}
	return e, nil
}

// ReadEstimateConfig decodes an EstimateConfig from JSON and validates it.
func ReadEstimateConfig(r io.Reader) (*Estimator, error) {
	var cfg EstimateConfig
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("estimate config: %w", err)
	}
	return NewEstimator(cfg)
}

// LoadEstimateConfig reads an EstimateConfig JSON file.
func LoadEstimateConfig(path string) (*Estimator, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("estimate config: %w", err)
	}
	defer f.Close()
	return ReadEstimateConfig(f)
}

// Name returns "estimate".
func (e *Estimator) Name() string { return SourceEstimate }

// Fingerprint hashes the parameters and overrides, so that cached estimates
// are dropped when the coordinator changes them.
func (e *Estimator) Fingerprint() string {
	type kv struct {
		M Mode
		P EstimateParams
	}
	var ps []kv
	for _, m := range Modes {
		ps = append(ps, kv{m, e.params(m)})
	}
	b, _ := json.Marshal(struct {
		P []kv
		O []Override
	}{ps, e.Overrides})
	h := sha256.Sum256(b)
	return "estimate:" + hex.EncodeToString(h[:8])
}

func (e *Estimator) params(m Mode) EstimateParams {
	if e != nil {
		if p, ok := e.Params[m]; ok {
			return p
		}
	}
	return DefaultEstimate[m]
}

// Pair returns the estimated duration (seconds) and distance (metres) from a
// to b for mode, applying the last matching override.
func (e *Estimator) Pair(a, b Location, mode Mode) (seconds, metres int64) {
	if a.Point == b.Point && (a.Group == b.Group) {
		return 0, 0
	}
	p := e.params(mode)
	gc := DistanceHaversine(a.Point, b.Point)
	var minutes float64
	if o, ok := e.override(a.Group, b.Group, mode); ok {
		if o.Minutes > 0 {
			minutes = o.Minutes
		}
		if o.Detour > 0 {
			p.Detour = o.Detour
		}
		if o.SpeedKmh > 0 {
			p.SpeedKmh = o.SpeedKmh
		}
	}
	dist := gc * p.Detour
	secs := dist / (p.SpeedKmh / 3.6)
	if minutes > 0 {
		secs = minutes * 60
	}
	return int64(math.Round(secs)), int64(math.Round(dist))
}

func (e *Estimator) override(from, to string, mode Mode) (Override, bool) {
	if e == nil || from == "" || to == "" {
		return Override{}, false
	}
	for i := len(e.Overrides) - 1; i >= 0; i-- {
		o := e.Overrides[i]
		if o.Mode != "" && o.Mode != mode {
			continue
		}
		if (o.From == from && o.To == to) || (o.Symmetric && o.From == to && o.To == from) {
			return o, true
		}
	}
	return Override{}, false
}

// Matrix returns the full estimate matrix. Every pair has a value.
func (e *Estimator) Matrix(ctx context.Context, locs []Location, mode Mode) (*Matrix, error) {
	if err := checkLocations(locs, mode); err != nil {
		return nil, fmt.Errorf("estimate: %w", err)
	}
	m := NewMatrix(IDs(locs), mode, SourceEstimate)
	for i := range locs {
		if i%64 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("estimate: %w", ctx.Err())
		}
		for j := range locs {
			if i == j {
				continue
			}
			m.Durations[i][j], m.Distances[i][j] = e.Pair(locs[i], locs[j], mode)
		}
	}
	return m, nil
}

// Groups returns the distinct groups named by the overrides, sorted; useful
// to check a configuration against the county's townships.
func (e *Estimator) Groups() []string {
	set := map[string]bool{}
	for _, o := range e.Overrides {
		set[o.From] = true
		set[o.To] = true
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}
