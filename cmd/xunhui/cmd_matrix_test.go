package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
)

const valleyOSM = "../../geo/roadgraph/testdata/valley.osm"

func writePoints(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "points.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMatrixCommand(t *testing.T) {
	t.Setenv("OSRM_URL", "")
	pts := writePoints(t, "id,lon,lat\nA,102.85,29.78\nC,102.85,29.7979864\nG,102.8448183,29.7889932\n")
	// The same points in GCJ-02, as Amap would give them.
	var gcj strings.Builder
	gcj.WriteString("id,lon,lat\n")
	for _, l := range []struct {
		id       string
		lon, lat float64
	}{{"A", 102.85, 29.78}, {"C", 102.85, 29.7979864}, {"G", 102.8448183, 29.7889932}} {
		p := geo.WGS84ToGCJ02([2]float64{l.lon, l.lat})
		gcj.WriteString(l.id + "," + ftoa(p[0]) + "," + ftoa(p[1]) + "\n")
	}
	gcjPts := writePoints(t, gcj.String())
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantSource string
		check      func(t *testing.T, o matrixOut)
	}{
		{"road graph car", []string{"--osm", valleyOSM, "--points", pts, "--mode", "car"}, 0, "roadgraph", func(t *testing.T, o matrixOut) {
			if o.Durations[0][1] == nil || *o.Durations[0][1] != 120 || *o.Distances[0][1] != 2000 {
				t.Errorf("A→C = %v s / %v m, want 120 / 2000", o.Durations[0][1], o.Distances[0][1])
			}
			if len(o.Snapped) != 3 || o.Snapped[0].ID != "A" {
				t.Errorf("snapped = %+v", o.Snapped)
			}
		}},
		{"motorbike ford is null", []string{"--osm", valleyOSM, "--points", pts, "--mode", "motorbike"}, 0, "roadgraph", func(t *testing.T, o matrixOut) {
			if o.Durations[0][2] != nil {
				t.Errorf("A→G = %v, want null", *o.Durations[0][2])
			}
			if len(o.Unreachable) == 0 {
				t.Error("unreachable pairs not listed")
			}
		}},
		{"motorbike walks across the ford with --main-component", []string{"--osm", valleyOSM, "--points", pts, "--mode", "motorbike", "--main-component", "1000"}, 0, "roadgraph", func(t *testing.T, o matrixOut) {
			if o.Durations[0][2] == nil || *o.Durations[0][2] != 530 {
				t.Errorf("A→G = %v, want 530 s (80 s ride + 500 m walk)", o.Durations[0][2])
			}
		}},
		{"gcj02 input", []string{"--osm", valleyOSM, "--points", gcjPts, "--crs", "gcj02"}, 0, "roadgraph", func(t *testing.T, o matrixOut) {
			if *o.Durations[0][1] != 120 {
				t.Errorf("A→C = %d, want 120 after GCJ-02 conversion", *o.Durations[0][1])
			}
			for _, s := range o.Snapped {
				if s.SnapM > 0.01 {
					t.Errorf("%s snapped %.3f m away after conversion, want 0", s.ID, s.SnapM)
				}
			}
		}},
		{"estimate without osm", []string{"--points", pts}, 0, "estimate", func(t *testing.T, o matrixOut) {
			if *o.Durations[0][1] <= 0 {
				t.Errorf("estimate A→C = %d", *o.Durations[0][1])
			}
		}},
		{"missing points", []string{"--osm", valleyOSM}, 2, "", nil},
		{"bad mode", []string{"--points", pts, "--mode", "boat"}, 1, "", nil},
		{"corrupt osm", []string{"--osm", pts, "--points", pts}, 1, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), append([]string{"matrix"}, tc.args...), &out, &errb)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.wantCode, errb.String())
			}
			if tc.wantCode != 0 {
				if errb.Len() == 0 {
					t.Error("no message on stderr")
				}
				return
			}
			var o matrixOut
			if err := json.Unmarshal(out.Bytes(), &o); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			if o.Source != tc.wantSource {
				t.Errorf("source = %q, want %q", o.Source, tc.wantSource)
			}
			tc.check(t, o)
		})
	}
}

func TestMatrixCommandCache(t *testing.T) {
	t.Setenv("OSRM_URL", "")
	t.Setenv("DATABASE_URL", "")
	t.Setenv("XUNHUI_DB", filepath.Join(t.TempDir(), "cache.db"))
	pts := writePoints(t, "id,lon,lat\nA,102.85,29.78\nC,102.85,29.7979864\n")
	osmCopy := filepath.Join(t.TempDir(), "valley.osm")
	b, err := os.ReadFile(valleyOSM)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(osmCopy, b, 0o644)
	run := func() matrixOut {
		var out, errb bytes.Buffer
		if code := Main(context.Background(), []string{"matrix", "--cache", "--osm", osmCopy, "--points", pts}, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var o matrixOut
		if err := json.Unmarshal(out.Bytes(), &o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	if o := run(); o.Cached {
		t.Error("first run claims a cache hit")
	}
	if o := run(); !o.Cached || *o.Durations[0][1] != 120 {
		t.Errorf("second run: cached %v, A→C %d; want a hit with 120", o.Cached, *o.Durations[0][1])
	}
	// Changing the road data invalidates the entry.
	os.WriteFile(osmCopy, []byte(strings.Replace(string(b), `v="60"`, `v="30"`, 1)), 0o644)
	if o := run(); o.Cached || *o.Durations[0][1] != 240 {
		t.Errorf("after editing the roads: cached %v, A→C %d; want a miss with 240", o.Cached, *o.Durations[0][1])
	}
}

type matrixOut struct {
	Cached    bool
	IDs       []string
	Durations [][]*int64
	Distances [][]*int64
	Snapped   []struct {
		ID    string  `json:"id"`
		SnapM float64 `json:"snap_m"`
	}
	Source      string
	Unreachable []pairOutput
}

func ftoa(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// fakeMatrixStore is the part of data.Store the cache adapter uses.
type fakeMatrixStore struct{ m map[string]data.MatrixEntry }

func (f *fakeMatrixStore) GetMatrix(_ context.Context, key string) (data.MatrixEntry, error) {
	e, ok := f.m[key]
	if !ok {
		return e, &data.Error{Kind: data.NotFound, Message: "no entry"}
	}
	return e, nil
}

func (f *fakeMatrixStore) PutMatrix(_ context.Context, e data.MatrixEntry) error {
	f.m[e.Key] = e
	return nil
}

func TestStoreMatrixCache(t *testing.T) {
	st := &fakeMatrixStore{m: map[string]data.MatrixEntry{}}
	c := storeMatrixCache{st}
	ctx := context.Background()
	if _, ok, err := c.Get(ctx, "k"); ok || err != nil {
		t.Fatalf("Get of a missing key = %v, %v; want a miss without error", ok, err)
	}
	if err := c.Put(ctx, "geo-matrix:roadgraph:car:ab", []byte("blob")); err != nil {
		t.Fatal(err)
	}
	b, ok, err := c.Get(ctx, "geo-matrix:roadgraph:car:ab")
	if !ok || err != nil || string(b) != "blob" {
		t.Errorf("Get = %q, %v, %v", b, ok, err)
	}
	if st.m["geo-matrix:roadgraph:car:ab"].Source != "roadgraph" {
		t.Errorf("entry source = %q, want roadgraph", st.m["geo-matrix:roadgraph:car:ab"].Source)
	}
}
