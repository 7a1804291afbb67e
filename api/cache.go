package api

import (
	"sync"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// Both caches below key their whole content on one of the store's change
// generations (data.Generations), read once per request before anything
// else: an entry made while the counter read g is used only by requests
// that read g too, and the first request that reads another value empties
// the cache. A change committed by any replica or command therefore takes
// effect on the very next request everywhere; nothing is invalidated by
// hand, so no write path can forget to.

// genCache is a map valid for one generation, bounded in size.
type genCache[K comparable, V any] struct {
	mu  sync.Mutex
	gen int64
	max int
	m   map[K]V
}

func newGenCache[K comparable, V any](max int) *genCache[K, V] {
	return &genCache[K, V]{max: max, m: map[K]V{}}
}

// get returns k's value made at generation gen.
func (c *genCache[K, V]) get(gen int64, k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		var zero V
		return zero, false
	}
	v, ok := c.m[k]
	return v, ok
}

// put stores v, made from data read after the generation was read as gen.
// A newer gen empties the cache; an older one (a request that read the
// counter before the last change) stores nothing. A full cache starts over:
// simpler than LRU and the entries are cheap to remake.
func (c *genCache[K, V]) put(gen int64, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen || len(c.m) >= c.max:
		c.gen = gen
		clear(c.m)
	}
	c.m[k] = v
}

// authEntry is a token resolved by the store. Expiry is checked at every
// use; revocation, renewal and changes of the user raise the auth
// generation.
type authEntry struct {
	user  data.User
	token data.Token
}

func (e authEntry) expired(now time.Time) bool {
	return e.token.ExpiresAt != nil && !now.Before(*e.token.ExpiresAt)
}

// maxCachedTokens and maxCachedAnswers bound the two caches (a county has
// a few hundred users and teams).
const (
	maxCachedTokens  = 10000
	maxCachedAnswers = 4096
)

// answerKey names one schedule answer: a team's days from–to, from one
// plan or the newest covering each day, published plans only or drafts too.
type answerKey struct {
	route         string
	team          string
	from, to      data.Date
	plan          string
	publishedOnly bool
}

// answer is a schedule answer as read once: the sheets (shared, never
// changed after they are stored), their JSON, its validator and the
// request ids the trail notes for each read.
type answer struct {
	sheet circuit.Sheet
	week  circuit.Week
	json  []byte
	etag  string
	ids   []string
}
