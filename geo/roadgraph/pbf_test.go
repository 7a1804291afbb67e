package roadgraph

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"
	"github.com/yingjing/xunhui/geo"
	"google.golang.org/protobuf/encoding/protowire"
)

var update = flag.Bool("update", false, "regenerate testdata/valley.osm.pbf from valley.osm")

// encodePBF writes nodes (as DenseNodes) and ways as an .osm.pbf file with
// zlib-compressed blobs, following https://wiki.openstreetmap.org/wiki/PBF_Format.
func encodePBF(nodes []*osm.Node, ways []*osm.Way) []byte {
	var out bytes.Buffer
	writeBlock := func(typ string, payload []byte) {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(payload)
		zw.Close()
		var blob []byte
		blob = protowire.AppendTag(blob, 2, protowire.VarintType)
		blob = protowire.AppendVarint(blob, uint64(len(payload)))
		blob = protowire.AppendTag(blob, 3, protowire.BytesType)
		blob = protowire.AppendBytes(blob, z.Bytes())
		var hdr []byte
		hdr = protowire.AppendTag(hdr, 1, protowire.BytesType)
		hdr = protowire.AppendString(hdr, typ)
		hdr = protowire.AppendTag(hdr, 3, protowire.VarintType)
		hdr = protowire.AppendVarint(hdr, uint64(len(blob)))
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(hdr)))
		out.Write(n[:])
		out.Write(hdr)
		out.Write(blob)
	}
	var header []byte
	for _, f := range []string{"OsmSchema-V0.6", "DenseNodes"} {
		header = protowire.AppendTag(header, 4, protowire.BytesType)
		header = protowire.AppendString(header, f)
	}
	writeBlock("OSMHeader", header)

	strs := []string{""}
	index := map[string]uint64{}
	str := func(s string) uint64 {
		if i, ok := index[s]; ok {
			return i
		}
		strs = append(strs, s)
		index[s] = uint64(len(strs) - 1)
		return index[s]
	}
	packed := func(b []byte, num protowire.Number, vals []uint64) []byte {
		var p []byte
		for _, v := range vals {
			p = protowire.AppendVarint(p, v)
		}
		b = protowire.AppendTag(b, num, protowire.BytesType)
		return protowire.AppendBytes(b, p)
	}
	var ids, lats, lons, kv []uint64
	var pid, plat, plon int64
	for _, n := range nodes {
		lat, lon := int64(n.Lat*1e7+0.5*sign(n.Lat)), int64(n.Lon*1e7+0.5*sign(n.Lon))
		ids = append(ids, protowire.EncodeZigZag(int64(n.ID)-pid))
		lats = append(lats, protowire.EncodeZigZag(lat-plat))
		lons = append(lons, protowire.EncodeZigZag(lon-plon))
		pid, plat, plon = int64(n.ID), lat, lon
		for _, t := range n.Tags {
			kv = append(kv, str(t.Key), str(t.Value))
		}
		kv = append(kv, 0)
	}
	var dense []byte
	dense = packed(dense, 1, ids)
	dense = packed(dense, 8, lats)
	dense = packed(dense, 9, lons)
	dense = packed(dense, 10, kv)
	var group []byte
	group = protowire.AppendTag(group, 2, protowire.BytesType)
	group = protowire.AppendBytes(group, dense)
	for _, w := range ways {
		var wb []byte
		wb = protowire.AppendTag(wb, 1, protowire.VarintType)
		wb = protowire.AppendVarint(wb, uint64(w.ID))
		var keys, vals, refs []uint64
		for _, t := range w.Tags {
			keys, vals = append(keys, str(t.Key)), append(vals, str(t.Value))
		}
		var prev int64
		for _, wn := range w.Nodes {
			refs = append(refs, protowire.EncodeZigZag(int64(wn.ID)-prev))
			prev = int64(wn.ID)
		}
		wb = packed(wb, 2, keys)
		wb = packed(wb, 3, vals)
		wb = packed(wb, 8, refs)
		group = protowire.AppendTag(group, 3, protowire.BytesType)
		group = protowire.AppendBytes(group, wb)
	}
	var st []byte
	for _, s := range strs {
		st = protowire.AppendTag(st, 1, protowire.BytesType)
		st = protowire.AppendString(st, s)
	}
	var block []byte
	block = protowire.AppendTag(block, 1, protowire.BytesType)
	block = protowire.AppendBytes(block, st)
	block = protowire.AppendTag(block, 2, protowire.BytesType)
	block = protowire.AppendBytes(block, group)
	writeBlock("OSMData", block)
	return out.Bytes()
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

func readXMLObjects(t testing.TB, path string) ([]*osm.Node, []*osm.Way) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := osmxml.New(context.Background(), f)
	defer sc.Close()
	var nodes []*osm.Node
	var ways []*osm.Way
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			nodes = append(nodes, o)
		case *osm.Way:
			ways = append(ways, o)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return nodes, ways
}

// TestPBFMatchesXML loads the same network from .osm and .osm.pbf and
// compares the matrices.
func TestPBFMatchesXML(t *testing.T) {
	pbfPath := filepath.Join("testdata", "valley.osm.pbf")
	if *update {
		nodes, ways := readXMLObjects(t, filepath.Join("testdata", "valley.osm"))
		if err := os.WriteFile(pbfPath, encodePBF(nodes, ways), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pn, err := LoadFile(context.Background(), pbfPath)
	if err != nil {
		t.Fatalf("load pbf: %v", err)
	}
	xn := loadValley(t)
	if pn.Stats().Segments != xn.Stats().Segments || pn.Stats().FordNodes != 1 {
		t.Errorf("pbf stats %+v, xml stats %+v", pn.Stats(), xn.Stats())
	}
	for _, mode := range geo.Modes {
		pm, err := NewSource(pn).Matrix(context.Background(), valleyLocs(), mode)
		if err != nil {
			t.Fatal(err)
		}
		xm, _ := NewSource(xn).Matrix(context.Background(), valleyLocs(), mode)
		for i := range pm.Durations {
			for j := range pm.Durations[i] {
				if pm.Durations[i][j] != xm.Durations[i][j] || pm.Distances[i][j] != xm.Distances[i][j] {
					t.Errorf("%s (%d,%d): pbf %d s/%d m, xml %d s/%d m", mode, i, j,
						pm.Durations[i][j], pm.Distances[i][j], xm.Durations[i][j], xm.Distances[i][j])
				}
			}
		}
	}
}

func TestPBFGuard(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "valley.osm.pbf"))
	if err != nil {
		t.Fatal(err)
	}
	plainNode := func() []byte {
		// A data block whose group holds a plain Node (field 1).
		var group, block []byte
		group = protowire.AppendTag(group, 1, protowire.BytesType)
		group = protowire.AppendBytes(group, []byte{8, 2})
		block = protowire.AppendTag(block, 2, protowire.BytesType)
		block = protowire.AppendBytes(block, group)
		var blob []byte
		blob = protowire.AppendTag(blob, 1, protowire.BytesType)
		blob = protowire.AppendBytes(blob, block)
		var hdr []byte
		hdr = protowire.AppendTag(hdr, 1, protowire.BytesType)
		hdr = protowire.AppendString(hdr, "OSMData")
		hdr = protowire.AppendTag(hdr, 3, protowire.VarintType)
		hdr = protowire.AppendVarint(hdr, uint64(len(blob)))
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(hdr)))
		return append(append(append(append([]byte{}, good[:headerBlockLen(good)]...), n[:]...), hdr...), blob...)
	}()
	negative := append([]byte{}, good...)
	// Set the first blob's datasize varint to -1 (ten bytes) by rebuilding the header.
	var hdr []byte
	hdr = protowire.AppendTag(hdr, 1, protowire.BytesType)
	hdr = protowire.AppendString(hdr, "OSMHeader")
	hdr = protowire.AppendTag(hdr, 3, protowire.VarintType)
	hdr = protowire.AppendVarint(hdr, uint64(1<<64-1))
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(hdr)))
	negative = append(append(n[:], hdr...), negative[4:]...)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"plain nodes", plainNode, "non-dense"},
		{"negative blob size", negative, "bad blob size"},
		{"truncated", good[:len(good)-7], "bad blob size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(context.Background(), bytes.NewReader(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// headerBlockLen returns the length of the first (OSMHeader) file block.
func headerBlockLen(b []byte) int {
	hl := int(binary.BigEndian.Uint32(b))
	_, size, _ := blobHeader(b[4 : 4+hl])
	return 4 + hl + size
}

// FuzzRead feeds arbitrary bytes, XML-like and PBF-like, to the loader: it
// must return a network or an error, never panic or hang.
func FuzzRead(f *testing.F) {
	xml, _ := os.ReadFile(filepath.Join("testdata", "valley.osm"))
	pbf, _ := os.ReadFile(filepath.Join("testdata", "valley.osm.pbf"))
	f.Add(xml)
	f.Add(pbf)
	f.Add([]byte(`<osm><node id="1" lat="91" lon="0"/><way id="1"><nd ref="1"/><nd ref="1"/><tag k="highway" v="path"/></way></osm>`))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n, err := Read(ctx, bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, mode := range geo.Modes {
			g, err := n.Graph(mode)
			if err != nil {
				t.Fatal(err)
			}
			for i := range g.edges {
				if g.edges[i].ms == 0 || int(g.edges[i].head) >= g.NumNodes() {
					t.Fatalf("bad edge %+v", g.edges[i])
				}
			}
		}
	})
}
