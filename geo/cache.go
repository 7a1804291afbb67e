package geo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
)

// MatrixCache stores encoded matrices by key. The store provides one backed
// by a table; tests use MemoryCache.
type MatrixCache interface {
	// Get returns the blob stored under key; ok is false when there is none.
	Get(ctx context.Context, key string) (blob []byte, ok bool, err error)
	// Put stores blob under key, replacing any previous value.
	Put(ctx context.Context, key string, blob []byte) error
}

// CachedSource wraps a Source with a MatrixCache. The key (see MatrixKey)
// covers the location ids and coordinates in order, the source name and
// fingerprint (road-data hash, server URL, estimate parameters) and the mode,
// so that any change to the locations or the road data misses the cache and
// recomputes. Matrices that came with an error (e.g. a SnapError) are not
// cached. Cache failures are not fatal: a failed Get recomputes, a failed Put
// still returns the matrix with a warning.
type CachedSource struct {
	Source Source
	Cache  MatrixCache
}

// Name returns the wrapped source's name.
func (c *CachedSource) Name() string { return c.Source.Name() }

// Fingerprint returns the wrapped source's fingerprint.
func (c *CachedSource) Fingerprint() string { return c.Source.Fingerprint() }

// cacheVersion changes when the encoding of Matrix changes.
const cacheVersion = "xunhui-geo-matrix-v1"

// MatrixKeyPrefix starts every key of MatrixKey, so that a store can drop
// all cached matrices (or one source's: prefix + name + ":").
const MatrixKeyPrefix = "geo-matrix:"

// MatrixKey returns the cache key of a matrix request,
// "geo-matrix:<source>:<mode>:<hex SHA-256>" (under 120 characters), the hash
// covering the format version, source name and fingerprint, mode and every
// location's id, group and coordinates (bit-exact) in order.
func MatrixKey(src Source, locs []Location, mode Mode) string {
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put(cacheVersion)
	put(src.Name())
	put(src.Fingerprint())
	put(string(mode))
	var b [16]byte
	for _, l := range locs {
		put(l.ID)
		put(l.Group)
		binary.LittleEndian.PutUint64(b[:8], math.Float64bits(l.Point[0]))
		binary.LittleEndian.PutUint64(b[8:], math.Float64bits(l.Point[1]))
		h.Write(b[:])
	}
	return MatrixKeyPrefix + src.Name() + ":" + string(mode) + ":" + hex.EncodeToString(h.Sum(nil))
}

// Matrix returns the cached matrix for the request or computes and stores it.
func (c *CachedSource) Matrix(ctx context.Context, locs []Location, mode Mode) (*Matrix, error) {
	key := MatrixKey(c.Source, locs, mode)
	var warn []string
	if blob, ok, err := c.Cache.Get(ctx, key); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		warn = append(warn, fmt.Sprintf("matrix cache read failed, recomputed: %v", err))
	} else if ok {
		var m Matrix
		if err := json.Unmarshal(blob, &m); err == nil && m.Validate() == nil && len(m.IDs) == len(locs) {
			m.Cached = true
			return &m, nil
		}
		warn = append(warn, "matrix cache entry unreadable, recomputed")
	}
	m, err := c.Source.Matrix(ctx, locs, mode)
	if err != nil {
		return m, err
	}
	blob, err := json.Marshal(m)
	if err == nil {
		err = c.Cache.Put(ctx, key, blob)
	}
	if err != nil {
		warn = append(warn, fmt.Sprintf("matrix cache write failed: %v", err))
	}
	m.Warnings = append(m.Warnings, warn...)
	return m, nil
}

// MemoryCache is an in-memory MatrixCache for tests and single runs. It is
// not safe for concurrent use.
type MemoryCache struct {
	M map[string][]byte
	// Gets and Puts count calls, for tests.
	Gets, Puts int
}

// Get implements MatrixCache.
func (c *MemoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.Gets++
	b, ok := c.M[key]
	return b, ok, nil
}

// Put implements MatrixCache.
func (c *MemoryCache) Put(_ context.Context, key string, blob []byte) error {
	if c.M == nil {
		c.M = map[string][]byte{}
	}
	c.Puts++
	c.M[key] = append([]byte(nil), blob...)
	return nil
}
