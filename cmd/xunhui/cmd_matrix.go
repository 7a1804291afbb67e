package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/geo/sources"
)

func init() {
	register(command{
		name:    "matrix",
		summary: "travel-time and distance matrix between points (road graph, OSRM or estimate)",
		run:     runMatrix,
	})
}

// matrixOutput is the JSON printed by xunhui matrix. Durations and
// distances are null for unreachable pairs, which are also listed.
type matrixOutput struct {
	IDs         []string     `json:"ids"`
	Durations   [][]*int64   `json:"durations"`
	Distances   [][]*int64   `json:"distances"`
	Snapped     []snapOutput `json:"snapped"`
	Source      string       `json:"source"`
	Mode        geo.Mode     `json:"mode"`
	Estimated   []pairOutput `json:"estimated,omitempty"`
	Unreachable []pairOutput `json:"unreachable,omitempty"`
	Warnings    []string     `json:"warnings,omitempty"`
	Cached      bool         `json:"cached,omitempty"`
}

type snapOutput struct {
	ID    string  `json:"id"`
	SnapM float64 `json:"snap_m"`
	OK    bool    `json:"ok"`
}

type pairOutput struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason,omitempty"`
}

func runMatrix(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("matrix", stderr)
	osmFile := fs.String("osm", "", "OpenStreetMap extract (.osm.pbf or .osm XML) to route on")
	points := fs.String("points", "", "CSV of points: id,lon,lat[,group] (- for stdin); required")
	modeS := fs.String("mode", "car", "travel mode: car, motorbike or foot")
	crsS := fs.String("crs", "wgs84", "CRS of the points: wgs84, or gcj02 (Amap/Tencent coordinates, converted to WGS84)")
	osrmURL := fs.String("osrm", os.Getenv("OSRM_URL"), "OSRM server used when --osm is not given (default $OSRM_URL)")
	osrmTimeout := fs.Duration("osrm-timeout", 30*time.Second, "timeout of each OSRM table request")
	estimate := fs.String("estimate", "", "estimate configuration JSON (per-mode detour/speed, per-township overrides)")
	maxSnap := fs.Float64("max-snap", 5000, "largest distance in metres from a point to its road")
	mainComp := fs.Int("main-component", 0, "snap points to roads of connected networks of at least N nodes when one is within --max-snap (e.g. 1000); 0 = nearest road")
	strict := fs.Bool("strict", false, "fail instead of estimating points far from roads or a failing OSRM server")
	cache := fs.Bool("cache", false, "cache the matrix in the store (DATABASE_URL, else SQLite $XUNHUI_DB or ./xunhui.db), keyed by points, source, mode and road data")
	fillNoRoute := fs.Bool("estimate-no-route", false, "also estimate pairs the roads prove unreachable (default: report them as null)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: xunhui matrix --points POINTS.csv [--osm FILE | --osrm URL] [--mode car|motorbike|foot] [--crs gcj02]")
		fmt.Fprintln(stderr, "\nPrints {ids, durations [s], distances [m], snapped [{id, snap_m}], source, ...} as JSON.")
		fmt.Fprintln(stderr, "Source: the road graph with --osm, else OSRM with --osrm/OSRM_URL, else the straight-line estimate.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *points == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	mode, err := geo.ParseMode(*modeS)
	if err != nil {
		return err
	}
	crs, err := geo.ParseCRS(*crsS)
	if err != nil {
		return err
	}
	locs, err := readPoints(*points, crs)
	if err != nil {
		return err
	}
	opts := sources.Options{OSMFile: *osmFile, OSRMURL: *osrmURL, OSRMTimeout: *osrmTimeout,
		EstimateFile: *estimate, MaxSnapM: *maxSnap, MainComponentNodes: *mainComp, Strict: *strict, EstimateNoRoute: *fillNoRoute}
	if *cache {
		st, err := openStore(ctx, stderr)
		if err != nil {
			return fmt.Errorf("matrix cache: %w", err)
		}
		defer st.Close()
		opts.Cache = storeMatrixCache{st}
	}
	src, err := sources.Open(ctx, opts)
	if err != nil {
		return err
	}
	m, err := src.Matrix(ctx, locs, mode)
	if err != nil {
		var se *geo.SnapError
		if errors.As(err, &se) {
			return fmt.Errorf("%w (without --strict these pairs are estimated)", err)
		}
		return err
	}
	return writeMatrixJSON(stdout, toMatrixOutput(m))
}

// writeMatrixJSON writes o as JSON with one matrix row or list entry per
// line, so that large matrices stay readable and diffable.
func writeMatrixJSON(w io.Writer, o matrixOutput) error {
	var b bytes.Buffer
	field := func(name string, v any, rows bool) {
		if b.Len() == 0 {
			b.WriteString("{\n")
		} else {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, " %q: ", name)
		rv := reflect.ValueOf(v)
		if !rows || rv.Len() == 0 {
			j, _ := json.Marshal(v)
			b.Write(j)
			return
		}
		b.WriteString("[\n")
		for i := 0; i < rv.Len(); i++ {
			j, _ := json.Marshal(rv.Index(i).Interface())
			b.WriteString("  ")
			b.Write(j)
			if i < rv.Len()-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(" ]")
	}
	field("ids", o.IDs, false)
	field("durations", o.Durations, true)
	field("distances", o.Distances, true)
	field("snapped", o.Snapped, true)
	field("source", o.Source, false)
	field("mode", o.Mode, false)
	if len(o.Estimated) > 0 {
		field("estimated", o.Estimated, true)
	}
	if len(o.Unreachable) > 0 {
		field("unreachable", o.Unreachable, true)
	}
	if len(o.Warnings) > 0 {
		field("warnings", o.Warnings, true)
	}
	if o.Cached {
		field("cached", true, false)
	}
	b.WriteString("\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func readPoints(path string, crs geo.CRS) ([]geo.Location, error) {
	if path == "-" {
		return geo.ReadLocationsCSV(os.Stdin, crs)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	locs, err := geo.ReadLocationsCSV(f, crs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return locs, nil
}

func toMatrixOutput(m *geo.Matrix) matrixOutput {
	out := matrixOutput{IDs: m.IDs, Source: m.Source, Mode: m.Mode, Warnings: m.Warnings, Snapped: []snapOutput{}, Cached: m.Cached}
	cells := func(a [][]int64) [][]*int64 {
		rows := make([][]*int64, len(a))
		for i, row := range a {
			rows[i] = make([]*int64, len(row))
			for j := range row {
				if row[j] != geo.NoValue {
					rows[i][j] = &row[j]
				}
			}
		}
		return rows
	}
	out.Durations, out.Distances = cells(m.Durations), cells(m.Distances)
	for _, s := range m.Snaps {
		out.Snapped = append(out.Snapped, snapOutput{ID: s.ID, SnapM: s.SnapM, OK: s.OK})
	}
	pairs := func(ps []geo.Pair) []pairOutput {
		var o []pairOutput
		for _, p := range ps {
			o = append(o, pairOutput{From: m.IDs[p.From], To: m.IDs[p.To], Reason: p.Reason})
		}
		return o
	}
	out.Estimated, out.Unreachable = pairs(m.Estimated), pairs(m.Unreachable)
	return out
}

// matrixStore is the part of data.Store that caches matrices.
type matrixStore interface {
	GetMatrix(ctx context.Context, key string) (data.MatrixEntry, error)
	PutMatrix(ctx context.Context, e data.MatrixEntry) error
}

// storeMatrixCache adapts the store's generic matrix cache to
// geo.MatrixCache. The entry's Source is the source name taken from the key
// ("geo-matrix:<source>:<mode>:<hash>").
type storeMatrixCache struct{ s matrixStore }

// Get implements geo.MatrixCache; NotFound is a miss.
func (c storeMatrixCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	e, err := c.s.GetMatrix(ctx, key)
	if data.ErrorKind(err) == data.NotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return e.Blob, true, nil
}

// Put implements geo.MatrixCache.
func (c storeMatrixCache) Put(ctx context.Context, key string, blob []byte) error {
	src := "geo"
	if rest, ok := strings.CutPrefix(key, geo.MatrixKeyPrefix); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			src = rest[:i]
		}
	}
	return c.s.PutMatrix(ctx, data.MatrixEntry{Key: key, Blob: blob, Source: src})
}
