// Package sources assembles the geo.Source that plans use from
// configuration: the road graph when an OSM file is given, else OSRM when a
// server URL is given, else the estimate; optionally with the estimate as
// fallback for what the better source cannot give, and a matrix cache.
// cmd/xunhui (matrix, serve) and the scheduler call Open once at start.
package sources

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/geo/osrm"
	"github.com/yingjing/xunhui/geo/roadgraph"
)

// Options select and configure the travel-time source.
type Options struct {
	// OSMFile is an .osm.pbf or .osm road extract; when set the road graph
	// is used and OSRMURL is ignored.
	OSMFile string
	// OSRMURL is the root of an OSRM server (e.g. http://127.0.0.1:5000).
	OSRMURL string
	// OSRMTimeout bounds each table request (default 30 s).
	OSRMTimeout time.Duration
	// EstimateFile is an EstimateConfig JSON file (modes and per-township
	// overrides); empty means the defaults.
	EstimateFile string
	// MaxSnapM is the largest distance from a location to its road
	// (default 5000 m).
	MaxSnapM float64
	// MainComponentNodes snaps locations to roads of connected networks of
	// at least this many nodes when one is within MaxSnapM (see
	// roadgraph.Source); 0 snaps to the nearest road.
	MainComponentNodes int
	// Strict disables the fallback: locations without a road, unreachable
	// pairs and server failures are errors or unreachable pairs instead of
	// estimates.
	Strict bool
	// EstimateNoRoute makes the fallback estimate also the pairs the roads
	// prove unreachable (see geo.Fallback).
	EstimateNoRoute bool
	// Cache, when set, caches matrices (see geo.CachedSource).
	Cache geo.MatrixCache
}

// OptionsFromEnv reads XUNHUI_OSM, OSRM_URL, XUNHUI_ESTIMATE,
// XUNHUI_MAX_SNAP_M, XUNHUI_MAIN_COMPONENT (nodes) and XUNHUI_GEO_STRICT
// (true/1).
func OptionsFromEnv() (Options, error) {
	o := Options{OSMFile: os.Getenv("XUNHUI_OSM"), OSRMURL: os.Getenv("OSRM_URL"), EstimateFile: os.Getenv("XUNHUI_ESTIMATE")}
	if v := os.Getenv("XUNHUI_MAX_SNAP_M"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			return o, fmt.Errorf("XUNHUI_MAX_SNAP_M=%q: want a positive number of metres", v)
		}
		o.MaxSnapM = f
	}
	if v := os.Getenv("XUNHUI_MAIN_COMPONENT"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 0 {
			return o, fmt.Errorf("XUNHUI_MAIN_COMPONENT=%q: want a number of nodes ≥ 0", v)
		}
		o.MainComponentNodes = k
	}
	if v := os.Getenv("XUNHUI_GEO_STRICT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, fmt.Errorf("XUNHUI_GEO_STRICT=%q: want true or false", v)
		}
		o.Strict = b
	}
	return o, nil
}

// Open builds the source. Loading an OSM file reads it fully (seconds for a
// county extract); a bad file is an error, not a silent fallback.
func Open(ctx context.Context, o Options) (geo.Source, error) {
	est := &geo.Estimator{}
	if o.EstimateFile != "" {
		e, err := geo.LoadEstimateConfig(o.EstimateFile)
		if err != nil {
			return nil, err
		}
		est = e
	}
	var src geo.Source = est
	switch {
	case o.OSMFile != "":
		net, err := roadgraph.LoadFile(ctx, o.OSMFile)
		if err != nil {
			return nil, err
		}
		src = &roadgraph.Source{Net: net, MaxSnapM: o.MaxSnapM, MainComponentNodes: o.MainComponentNodes}
	case o.OSRMURL != "":
		c, err := osrm.New(o.OSRMURL)
		if err != nil {
			return nil, err
		}
		c.MaxSnapM = o.MaxSnapM
		if o.OSRMTimeout > 0 {
			c.HTTP = &http.Client{Timeout: o.OSRMTimeout}
		}
		src = c
	}
	if src != geo.Source(est) && !o.Strict {
		src = &geo.Fallback{Primary: src, Estimate: est, EstimateNoRoute: o.EstimateNoRoute}
	}
	if o.Cache != nil {
		src = &geo.CachedSource{Source: src, Cache: o.Cache}
	}
	return src, nil
}
