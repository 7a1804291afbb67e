package api

import (
	"context"
	"slices"
	"sync"

	"github.com/yingjing/xunhui/data"
)

// pullCache keeps users' last pulls of teams' days (member_pulls) in
// memory, so that a phone syncing again — the common read — compares with
// its previous pull without reading the store. Its content is valid for one
// value of the store's pulls generation (data.Generations.Pulls), which
// every write of member_pulls raises by one in its own transaction, whoever
// wrote it:
//
//   - A request that read the pulls generation g uses the cache only when
//     the cache is at g. A request that read a newer g empties it and moves
//     it to g (a pull written elsewhere, by another replica); one that read
//     an older g (it arrived before a write this process made since) reads
//     the store and stores nothing.
//   - This process's own pull writes keep it: RecordPulls returns the value
//     n its write raised the counter to, so when the cache is at n-1 the
//     write is the only change between the two and is applied to the entry
//     (the cache moves to n). Any other jump empties it.
//   - A store read made for a miss is stored only if nothing moved the
//     cache meanwhile (epoch): a read that started before a write and is
//     stored after it would otherwise bring the old rows back.
//
// The pulls answered are therefore never older than the request's arrival,
// as if each request read member_pulls itself.
type pullCache struct {
	mu    sync.Mutex
	gen   int64
	epoch uint64
	max   int
	m     map[pullKey]pullSpan
}

// pullKey names one user's pulls of one team's days.
type pullKey struct {
	user, team string
}

// pullSpan is every pull of a key dated lo–hi, sorted by date. Spans are
// replaced, never changed, so a slice handed out stays as it was.
type pullSpan struct {
	lo, hi data.Date
	pulls  []data.Pull
}

// pullSpanMargin is how many days beyond those a pull needs a miss reads,
// so that the next read of a neighbouring day is a hit.
const pullSpanMargin = 7

// maxCachedPulls bounds the keys kept (users × teams they read).
const maxCachedPulls = 10000

func newPullCache(max int) *pullCache {
	return &pullCache{max: max, epoch: 1, m: map[pullKey]pullSpan{}}
}

// get returns k's pulls dated from–to at generation gen. On a miss it
// returns the token to hand to put with what the store answered, 0 when
// that answer must not be stored.
func (c *pullCache) get(gen int64, k pullKey, from, to data.Date) ([]data.Pull, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return nil, 0, false
	case gen > c.gen:
		c.gen = gen
		c.epoch++
		clear(c.m)
		return nil, c.epoch, false
	}
	sp, ok := c.m[k]
	if !ok || from < sp.lo || to > sp.hi {
		return nil, c.epoch, false
	}
	return pullsIn(sp.pulls, from, to), 0, true
}

// put stores sp for k if nothing moved the cache since get gave token.
func (c *pullCache) put(token uint64, k pullKey, sp pullSpan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if token == 0 || token != c.epoch {
		return
	}
	if len(c.m) >= c.max {
		clear(c.m) // simpler than LRU; entries are one read to remake
	}
	c.m[k] = sp
}

// recorded applies this process's write of ps (pulls of one user and
// team, At set by the store) that raised the pulls generation to n.
func (c *pullCache) recorded(n int64, ps []data.Pull) {
	if n <= 0 || len(ps) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case n <= c.gen:
		// The cache was emptied at a generation at or after this write:
		// whatever it holds was read after the write committed.
		return
	case n > c.gen+1:
		clear(c.m) // writes elsewhere in between
	default:
		k := pullKey{ps[0].UserID, ps[0].TeamID}
		if sp, ok := c.m[k]; ok {
			c.m[k] = sp.with(ps)
		}
	}
	c.gen = n
	c.epoch++
}

// with returns the span with ps (pulls of its key) replacing the pulls of
// their days; days outside lo–hi are left out.
func (sp pullSpan) with(ps []data.Pull) pullSpan {
	byDay := make(map[data.Date]data.Pull, len(sp.pulls)+len(ps))
	for _, p := range sp.pulls {
		byDay[p.Date] = p
	}
	for _, p := range ps {
		if p.Date >= sp.lo && p.Date <= sp.hi {
			byDay[p.Date] = p
		}
	}
	out := make([]data.Pull, 0, len(byDay))
	for _, p := range byDay {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b data.Pull) int {
		switch {
		case a.Date < b.Date:
			return -1
		case a.Date > b.Date:
			return 1
		}
		return 0
	})
	return pullSpan{lo: sp.lo, hi: sp.hi, pulls: out}
}

// pullsIn returns the pulls of ps (sorted by date) dated from–to.
func pullsIn(ps []data.Pull, from, to data.Date) []data.Pull {
	i := 0
	for i < len(ps) && ps[i].Date < from {
		i++
	}
	j := i
	for j < len(ps) && ps[j].Date <= to {
		j++
	}
	return ps[i:j:j]
}

// lastPulls returns the caller's last pulls of team's days from–to, from
// the cache when it is at the caller's pulls generation, else from the
// store (kept for the next read).
func (s *Server) lastPulls(ctx context.Context, p *principal, team string, from, to data.Date) ([]data.Pull, error) {
	k := pullKey{p.user.ID, team}
	prev, token, ok := s.pulls.get(p.gen.Pulls, k, from, to)
	if ok {
		return prev, nil
	}
	sp := pullSpan{lo: from.AddDays(-pullSpanMargin), hi: to.AddDays(pullSpanMargin)}
	all, err := s.store.LastPulls(ctx, k.user, k.team, sp.lo, sp.hi)
	if err != nil {
		return nil, err
	}
	sp.pulls = all
	s.pulls.put(token, k, sp)
	return pullsIn(all, from, to), nil
}
