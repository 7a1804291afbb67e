package roadgraph

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// osmpbf (v0.8.0) decodes blocks in its own goroutines and panics there on
// some malformed files (negative blob sizes, plain non-dense nodes), which no
// recover in this package can catch. checkPBF walks the file structure first
// and rejects what would reach those panics, so that a corrupt file is an
// error, never a crash. Limits follow the PBF spec: blob header < 64 KiB,
// blob < 32 MiB.
const (
	maxBlobHeader = 64 << 10
	maxBlob       = 32 << 20
)

func checkPBF(b []byte) error {
	for off := 0; off < len(b); {
		if len(b)-off < 4 {
			return errors.New("pbf: truncated block length")
		}
		hl := int(binary.BigEndian.Uint32(b[off:]))
		off += 4
		if hl >= maxBlobHeader || hl > len(b)-off {
			return fmt.Errorf("pbf: bad blob header size %d", hl)
		}
		typ, size, err := blobHeader(b[off : off+hl])
		if err != nil {
			return err
		}
		off += hl
		if size < 0 || size >= maxBlob || size > len(b)-off {
			return fmt.Errorf("pbf: bad blob size %d", size)
		}
		data, err := blobData(b[off : off+size])
		if err != nil {
			return err
		}
		off += size
		switch typ {
		case "OSMHeader":
		case "OSMData":
			if err := checkPrimitiveBlock(data); err != nil {
				return err
			}
		default:
			return fmt.Errorf("pbf: unexpected block type %q", typ)
		}
	}
	return nil
}

// fields calls f for every field of a protobuf message.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("pbf: %w", protowire.ParseError(n))
		}
		b = b[n:]
		var val []byte
		var v uint64
		switch typ {
		case protowire.BytesType:
			val, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("pbf: %w", protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(num, typ, val, v); err != nil {
			return err
		}
	}
	return nil
}

func blobHeader(b []byte) (typ string, size int, err error) {
	size = -1
	err = fields(b, func(num protowire.Number, t protowire.Type, val []byte, v uint64) error {
		switch {
		case num == 1 && t == protowire.BytesType:
			typ = string(val)
		case num == 3 && t == protowire.VarintType:
			size = int(int32(v))
		}
		return nil
	})
	return typ, size, err
}

func blobData(b []byte) ([]byte, error) {
	var raw, z []byte
	rawSize := int64(-1)
	err := fields(b, func(num protowire.Number, t protowire.Type, val []byte, v uint64) error {
		switch {
		case num == 1 && t == protowire.BytesType:
			raw = val
		case num == 2 && t == protowire.VarintType:
			rawSize = int64(int32(v))
		case num == 3 && t == protowire.BytesType:
			z = val
		case num >= 4 && num <= 7:
			return errors.New("pbf: unsupported blob compression (only raw and zlib)")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case raw != nil:
		return raw, nil
	case z != nil:
		if rawSize < 0 || rawSize >= maxBlob {
			return nil, fmt.Errorf("pbf: bad raw_size %d", rawSize)
		}
		zr, err := zlib.NewReader(bytes.NewReader(z))
		if err != nil {
			return nil, fmt.Errorf("pbf: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxBlob))
		if err != nil {
			return nil, fmt.Errorf("pbf: %w", err)
		}
		if int64(len(out)) != rawSize {
			return nil, fmt.Errorf("pbf: blob is %d bytes, raw_size says %d", len(out), rawSize)
		}
		return out, nil
	}
	return nil, errors.New("pbf: blob without data")
}

func checkPrimitiveBlock(b []byte) error {
	return fields(b, func(num protowire.Number, t protowire.Type, val []byte, _ uint64) error {
		if num != 2 || t != protowire.BytesType {
			return nil
		}
		return fields(val, func(num protowire.Number, _ protowire.Type, _ []byte, _ uint64) error {
			if num == 1 {
				return errors.New("pbf: plain (non-dense) nodes are not supported; re-save with osmium cat (dense nodes)")
			}
			return nil
		})
	})
}
