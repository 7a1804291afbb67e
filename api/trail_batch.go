package api

import (
	"context"
	"sync"

	"github.com/yingjing/xunhui/data"
)

// maxTrailBatch bounds the entries of one trail transaction.
const maxTrailBatch = 256

// trailBatcher writes access-trail entries with group commit: entries of
// concurrent requests that arrive while a transaction is being written
// wait and then go together in the next one, so that N concurrent reads
// cost one commit instead of N. Each request still waits until its own
// entry is durable (or its write failed) before it finishes: the trail is
// never behind the answers. No goroutine of its own: the first waiting
// request writes the batch (the leader) and hands the lead to the next
// waiting request, so no request writes more than one batch.
type trailBatcher struct {
	store data.Store

	mu      sync.Mutex
	busy    bool
	pending []*trailWait
}

// trailWait is one entry waiting for its batch: done receives the outcome
// of its write, or lead=true when it is this entry's turn to write.
type trailWait struct {
	rec  *data.AccessRecord
	done chan trailSignal
}

type trailSignal struct {
	lead bool
	err  error
}

// record writes r and returns once it is durable, or with the error of
// its transaction.
func (b *trailBatcher) record(ctx context.Context, r *data.AccessRecord) error {
	w := &trailWait{rec: r, done: make(chan trailSignal, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, w)
	lead := !b.busy
	b.busy = true
	b.mu.Unlock()
	if !lead {
		sig := <-w.done
		if !sig.lead {
			return sig.err
		}
	}
	b.mu.Lock()
	n := min(len(b.pending), maxTrailBatch)
	batch := b.pending[:n:n]
	b.pending = b.pending[n:]
	b.mu.Unlock()

	errs := b.write(ctx, batch)
	var own error
	for i, q := range batch {
		if q == w {
			own = errs[i]
		} else {
			q.done <- trailSignal{err: errs[i]}
		}
	}
	b.mu.Lock()
	if len(b.pending) > 0 {
		b.pending[0].done <- trailSignal{lead: true}
	} else {
		b.busy = false
	}
	b.mu.Unlock()
	return own
}

// write stores a batch in one transaction. Should that fail, each entry is
// tried alone, so that one bad entry cannot take the others with it.
func (b *trailBatcher) write(ctx context.Context, batch []*trailWait) []error {
	errs := make([]error, len(batch))
	recs := make([]*data.AccessRecord, len(batch))
	for i, q := range batch {
		recs[i] = q.rec
	}
	err := b.store.RecordAccess(ctx, recs...)
	if err == nil || len(batch) == 1 {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for i, r := range recs {
		errs[i] = b.store.RecordAccess(ctx, r)
	}
	return errs
}
