package roadgraph

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"
	"github.com/yingjing/xunhui/geo"
)

// maxPBFBytes bounds the size of a PBF file (a county or province extract).
const maxPBFBytes = 2 << 30

// ErrNoRoads is returned when OSM data holds no way any mode can use.
var ErrNoRoads = errors.New("no routable roads")

// Network is a road network read from OpenStreetMap: the nodes used by
// routable ways and the segments between consecutive way nodes with their
// per-mode speeds. It is immutable once loaded and safe for concurrent use;
// Graph builds the per-mode graphs on first use.
type Network struct {
	coords []orb.Point  // node index → WGS84 position
	osmIDs []osm.NodeID // node index → OSM id
	segs   []rawSeg
	attrs  []wayAttr
	ford   []bool // node index → ford node (closed to motorbikes)

	fingerprint string
	stats       Stats

	once   [nModes]sync.Once
	graphs [nModes]*Graph
}

// rawSeg is a piece of a way between two consecutive nodes.
type rawSeg struct {
	u, v int32   // node indices, in way order
	lenM float32 // great-circle length in metres
	attr int32   // index into Network.attrs
}

// Stats describe what a load kept and dropped.
type Stats struct {
	Nodes        int `json:"nodes"`         // nodes used by routable ways
	Ways         int `json:"ways"`          // routable ways kept
	Segments     int `json:"segments"`      // segments between consecutive nodes
	MissingNodes int `json:"missing_nodes"` // way node references without a node (clipped extract)
	SkippedWays  int `json:"skipped_ways"`  // ways without a usable highway tag
	FordNodes    int `json:"ford_nodes"`    // nodes tagged ford=*
	BytesRead    int `json:"bytes_read"`
}

// Stats returns counts from the load.
func (n *Network) Stats() Stats { return n.stats }

// Fingerprint is the hex SHA-256 of the OSM bytes read plus ProfileVersion;
// it changes when the road data or the speed rules change.
func (n *Network) Fingerprint() string { return n.fingerprint }

// NumNodes returns the number of road nodes.
func (n *Network) NumNodes() int { return len(n.coords) }

// Point returns the position of node i (0 ≤ i < NumNodes).
func (n *Network) Point(i int) orb.Point { return n.coords[i] }

// Bound returns the bounding box of the road nodes.
func (n *Network) Bound() orb.Bound { return orb.MultiPoint(n.coords).Bound() }

// LoadFile reads an .osm.pbf or .osm XML file; the format is detected from
// the content. Errors name the file; an empty or corrupt file, or one without
// any routable road, is an error.
func LoadFile(ctx context.Context, path string) (*Network, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load osm: %w", err)
	}
	defer f.Close()
	n, err := Read(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("load osm %s: %w", path, err)
	}
	return n, nil
}

// Read reads OSM XML or PBF from r in one pass. All node positions are held
// until the ways are seen (about 40 bytes a node), which suits a county
// extract; clip a province extract to the area first (osmium extract).
func Read(ctx context.Context, r io.Reader) (*Network, error) {
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(r, h)}
	br := bufio.NewReaderSize(cr, 64<<10)
	head, err := br.Peek(64)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("read: %w", err)
	}
	trim := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	var sc osm.Scanner
	switch {
	case len(trim) == 0:
		return nil, errors.New("empty OSM data")
	case trim[0] == '<':
		sc = osmxml.New(ctx, br)
	case len(head) >= 13 && bytes.Contains(head[:min(len(head), 24)], []byte("OSMHeader")):
		// Read the file into memory to check it before osmpbf sees it (see
		// checkPBF); county extracts are a few MB.
		all, err := io.ReadAll(io.LimitReader(br, maxPBFBytes+1))
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		if len(all) > maxPBFBytes {
			return nil, fmt.Errorf("pbf larger than %d MB: clip the extract to the county first", maxPBFBytes>>20)
		}
		if err := checkPBF(all); err != nil {
			return nil, err
		}
		ps := osmpbf.New(ctx, bytes.NewReader(all), max(1, runtime.GOMAXPROCS(0)))
		ps.SkipRelations = true
		sc = ps
	default:
		return nil, errors.New("not OSM data: expected OSM XML or an .osm.pbf file")
	}
	b := newBuilder()
	func() {
		defer sc.Close()
		for sc.Scan() {
			switch o := sc.Object().(type) {
			case *osm.Node:
				b.addNode(o)
			case *osm.Way:
				b.addWay(o)
			}
		}
	}()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// Drain so that the fingerprint covers the whole input.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	n, err := b.build()
	if err != nil {
		return nil, err
	}
	n.stats.BytesRead = int(cr.n)
	n.fingerprint = fingerprint(h)
	return n, nil
}

func fingerprint(h hash.Hash) string {
	h.Write([]byte(ProfileVersion))
	return "osm:" + hex.EncodeToString(h.Sum(nil))
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// builder accumulates nodes and ways before the network is assembled.
type builder struct {
	nodes   map[osm.NodeID]nodeRec
	ways    []wayRec
	skipped int
}

type nodeRec struct {
	lon, lat float64
	ford     bool
}

type wayRec struct {
	nodes []osm.NodeID
	attr  wayAttr
}

func newBuilder() *builder { return &builder{nodes: map[osm.NodeID]nodeRec{}} }

func (b *builder) addNode(n *osm.Node) {
	if !geo.ValidPoint(orb.Point{n.Lon, n.Lat}) {
		return
	}
	b.nodes[n.ID] = nodeRec{lon: n.Lon, lat: n.Lat, ford: isFord(n.Tags.Find("ford"))}
}

func (b *builder) addWay(w *osm.Way) {
	attr, ok := evalWay(w.Tags)
	if !ok || len(w.Nodes) < 2 {
		b.skipped++
		return
	}
	ids := make([]osm.NodeID, len(w.Nodes))
	for i, wn := range w.Nodes {
		ids[i] = wn.ID
	}
	b.ways = append(b.ways, wayRec{nodes: ids, attr: attr})
}

// build assigns dense node indices in order of first use by a way, so that
// nodes close along roads are close in memory.
func (b *builder) build() (*Network, error) {
	n := &Network{}
	index := make(map[osm.NodeID]int32, len(b.nodes)/2)
	idx := func(id osm.NodeID) (int32, bool) {
		if i, ok := index[id]; ok {
			return i, true
		}
		rec, ok := b.nodes[id]
		if !ok {
			return -1, false
		}
		if len(n.coords) >= math.MaxInt32 {
			return -1, false
		}
		i := int32(len(n.coords))
		index[id] = i
		n.coords = append(n.coords, orb.Point{rec.lon, rec.lat})
		n.osmIDs = append(n.osmIDs, id)
		n.ford = append(n.ford, rec.ford)
		if rec.ford {
			n.stats.FordNodes++
		}
		return i, true
	}
	for _, w := range b.ways {
		attr := int32(len(n.attrs))
		kept := false
		prev := int32(-1)
		for _, id := range w.nodes {
			i, ok := idx(id)
			if !ok {
				n.stats.MissingNodes++
				prev = -1
				continue
			}
			if prev >= 0 && prev != i {
				l := geo.DistanceHaversine(n.coords[prev], n.coords[i])
				n.segs = append(n.segs, rawSeg{u: prev, v: i, lenM: float32(l), attr: attr})
				kept = true
			}
			prev = i
		}
		if kept {
			n.attrs = append(n.attrs, w.attr)
			n.stats.Ways++
		}
	}
	n.renumber()
	n.stats.Nodes = len(n.coords)
	n.stats.Segments = len(n.segs)
	n.stats.SkippedWays = b.skipped
	if len(n.segs) == 0 {
		return nil, fmt.Errorf("%w: %d ways skipped (no usable highway tag), %d node references missing", ErrNoRoads, b.skipped, n.stats.MissingNodes)
	}
	return n, nil
}
