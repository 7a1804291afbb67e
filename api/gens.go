package api

import (
	"context"
	"sync"

	"github.com/yingjing/xunhui/data"
)

// genReader shares the store's generation reads among concurrent requests.
// Every authenticated request needs the generations as of its arrival;
// a read that starts after a request arrived sees every commit before
// that arrival, so all the requests that arrive while one read runs can
// share the next read. Under load that is two reads per burst instead of
// one per request (on SQLite all of them queue on the one connection).
type genReader struct {
	store data.Store

	mu      sync.Mutex
	running bool
	next    *genRound // the read that starts when the running one ends
}

// genRound is one shared read; done is closed when g and err are set.
type genRound struct {
	done chan struct{}
	g    data.Generations
	err  error
}

// read returns the generations as read by a store read that started after
// read was called.
func (r *genReader) read(ctx context.Context) (data.Generations, error) {
	r.mu.Lock()
	if !r.running {
		r.running = true
		r.mu.Unlock()
		round := &genRound{done: make(chan struct{})}
		r.run(ctx, round)
		return round.g, round.err
	}
	if r.next == nil {
		r.next = &genRound{done: make(chan struct{})}
	}
	round := r.next
	r.mu.Unlock()
	select {
	case <-round.done:
		return round.g, round.err
	case <-ctx.Done():
		return data.Generations{}, ctx.Err()
	}
}

// run reads for round, then starts the round that gathered meanwhile (in
// its own goroutine, so that no request waits for others' reads).
func (r *genReader) run(ctx context.Context, round *genRound) {
	round.g, round.err = r.store.Generations(context.WithoutCancel(ctx))
	close(round.done)
	r.mu.Lock()
	next := r.next
	r.next = nil
	r.running = next != nil
	r.mu.Unlock()
	if next != nil {
		go r.run(context.WithoutCancel(ctx), next)
	}
}
