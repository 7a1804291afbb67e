package sources

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/geo/osrm"
	"github.com/yingjing/xunhui/geo/roadgraph"
)

const valley = "../roadgraph/testdata/valley.osm"

func TestOpen(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		opts Options
		want func(geo.Source) bool
	}{
		{"estimate by default", Options{}, func(s geo.Source) bool { _, ok := s.(*geo.Estimator); return ok }},
		{"road graph with fallback", Options{OSMFile: valley, OSRMURL: "http://127.0.0.1:1"}, func(s geo.Source) bool {
			f, ok := s.(*geo.Fallback)
			if !ok {
				return false
			}
			_, ok = f.Primary.(*roadgraph.Source)
			return ok
		}},
		{"strict road graph", Options{OSMFile: valley, Strict: true}, func(s geo.Source) bool { _, ok := s.(*roadgraph.Source); return ok }},
		{"osrm with fallback", Options{OSRMURL: "http://127.0.0.1:1"}, func(s geo.Source) bool {
			f, ok := s.(*geo.Fallback)
			if !ok {
				return false
			}
			_, ok = f.Primary.(*osrm.Client)
			return ok
		}},
		{"cached", Options{Cache: &geo.MemoryCache{}}, func(s geo.Source) bool { _, ok := s.(*geo.CachedSource); return ok }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(s) {
				t.Errorf("got %T", s)
			}
		})
	}
	bad := filepath.Join(t.TempDir(), "empty.osm")
	os.WriteFile(bad, nil, 0o644)
	for _, o := range []Options{{OSMFile: bad}, {OSMFile: bad + ".missing"}, {OSRMURL: "localhost:5000"}, {EstimateFile: bad}} {
		if _, err := Open(ctx, o); err == nil {
			t.Errorf("Open(%+v) succeeded", o)
		}
	}
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv("XUNHUI_OSM", "roads.osm.pbf")
	t.Setenv("OSRM_URL", "http://127.0.0.1:5000")
	t.Setenv("XUNHUI_MAX_SNAP_M", "2500")
	t.Setenv("XUNHUI_GEO_STRICT", "true")
	o, err := OptionsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if o.OSMFile != "roads.osm.pbf" || o.OSRMURL != "http://127.0.0.1:5000" || o.MaxSnapM != 2500 || !o.Strict {
		t.Errorf("options = %+v", o)
	}
	t.Setenv("XUNHUI_MAX_SNAP_M", "-1")
	if _, err := OptionsFromEnv(); err == nil {
		t.Error("negative snap distance accepted")
	}
}
