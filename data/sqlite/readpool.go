package sqlite

import (
	"context"
	"database/sql"
	"net/url"
	"sync"
	"time"
)

// readConns is the size of the read pool: WAL lets readers run beside the
// one writer, and every API request starts with a plain read (the store's
// generations) that must not wait for the writer's transactions (access
// trail commits) to finish.
const readConns = 2

// checkpointEvery is how often the read pool copies the WAL into the
// database file (a PASSIVE checkpoint: it never waits for, nor blocks, the
// writer or readers). The writer's automatic checkpoint is off
// (wal_autocheckpoint(0)), so that no request's commit pays for a
// checkpoint and its fsync; the WAL stays a few seconds of writes long.
const checkpointEvery = 250 * time.Millisecond

// readPool is the connections of plain reads outside transactions, and the
// checkpointer.
type readPool struct {
	db *sql.DB

	mu    sync.Mutex
	stmts map[string]*sql.Stmt

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// maxReadStmts bounds the statements the read pool keeps prepared.
const maxReadStmts = 64

// readQuery is the connection setup of the read pool: the busy timeout,
// and no writes of data through it (query_only; checkpoints are allowed).
func readQuery() url.Values {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	return q
}

func openReadPool(ctx context.Context, dsn string) (*readPool, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(readConns)
	db.SetMaxIdleConns(readConns)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	p := &readPool{db: db, stmts: map[string]*sql.Stmt{}, stop: make(chan struct{}), done: make(chan struct{})}
	go p.checkpoints()
	return p, nil
}

// queryRow runs q (prepared once: no transaction holds these connections)
// with args already converted.
func (p *readPool) queryRow(ctx context.Context, q string, args []any) sqlRow {
	p.mu.Lock()
	st, ok := p.stmts[q]
	p.mu.Unlock()
	if !ok {
		var err error
		if st, err = p.db.PrepareContext(ctx, q); err != nil {
			return sqlRow{p.db.QueryRowContext(ctx, q, args...)}
		}
		p.mu.Lock()
		old, dup := p.stmts[q]
		keep := !dup && len(p.stmts) < maxReadStmts
		if keep {
			p.stmts[q] = st
		}
		p.mu.Unlock()
		switch {
		case dup:
			st.Close()
			st = old
		case !keep:
			st.Close()
			return sqlRow{p.db.QueryRowContext(ctx, q, args...)}
		}
	}
	return sqlRow{st.QueryRowContext(ctx, args...)}
}

// checkpoints runs a PASSIVE checkpoint every checkpointEvery until close.
// A failed one (the database closing, a busy checkpointer of another
// process) is simply tried again at the next tick.
func (p *readPool) checkpoints() {
	defer close(p.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			_, _ = p.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// close stops the checkpointer and closes the pool; closing again (a store
// closed twice) does no harm, as with sql.DB.
func (p *readPool) close() error {
	if p == nil {
		return nil
	}
	p.stopOnce.Do(func() { close(p.stop) })
	<-p.done
	p.mu.Lock()
	for _, st := range p.stmts {
		st.Close()
	}
	clear(p.stmts)
	p.mu.Unlock()
	return p.db.Close()
}
