// Package pglock makes scheduler jobs run exactly once across replicas that
// share one PostgreSQL database.
//
// Locker hands out PostgreSQL session advisory locks
// (pg_try_advisory_lock(Namespace, hashtext(name))), each on its own dedicated
// connection held for the whole run. If the process dies, or its connection
// breaks, the server ends the session and releases the lock: that is how a
// replica that dies mid-job frees it for the others, with nothing to expire
// by hand. A keep-alive query notices a broken connection and reports the
// lock lost, so the run stops instead of going on unprotected.
//
// Store keeps run records (table scheduler_runs, with a partial unique index
// on (job, slot) over runs that are not abandoned, so a slot is claimed once
// even if two replicas raced past the lock) and schedule overrides (table
// scheduler_schedules). Migrate creates both if they do not exist.
package pglock

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yingjing/xunhui/scheduler"
)

// Namespace is the first key of the two-key advisory locks taken by Locker
// ("xh" and 1). PostgreSQL keeps two-key and one-bigint-key advisory locks
// apart, and other users of two-key locks would need this very number, so
// job locks cannot collide with the store's migration locks.
const Namespace int32 = 0x78680001

// Locker is a scheduler.Locker on PostgreSQL session advisory locks.
type Locker struct {
	cfg *pgx.ConnConfig
	// KeepAlive is how often a held lock's connection is checked (default 5 s).
	KeepAlive time.Duration
	// KeepAliveTimeout bounds one check (default 15 s). It must be generous:
	// a check that times out closes the connection (pgx cannot reuse a
	// connection interrupted mid-query), which really does lose the lock.
	KeepAliveTimeout time.Duration
}

// NewLocker returns a Locker that opens its connections with url
// (postgres://…). It does not connect until TryLock.
func NewLocker(url string) (*Locker, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pglock: parse url: %w", err)
	}
	return &Locker{cfg: cfg, KeepAlive: 5 * time.Second}, nil
}

// TryLock implements scheduler.Locker: it opens a connection and tries the
// advisory lock keyed by (Namespace, hashtext(name)). scheduler.ErrLocked if another
// session holds it.
func (l *Locker) TryLock(ctx context.Context, name string) (scheduler.Lock, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return nil, fmt.Errorf("pglock: connect: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, hashtext($2))", Namespace, name).Scan(&ok); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("pglock: try lock %s: %w", name, err)
	}
	if !ok {
		conn.Close(ctx)
		return nil, scheduler.ErrLocked
	}
	k := &Lock{name: name, conn: conn, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	every, timeout := l.KeepAlive, l.KeepAliveTimeout
	if every <= 0 {
		every = 5 * time.Second
	}
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	go k.keepAlive(every, timeout)
	return k, nil
}

// Lock is a held advisory lock and its connection.
type Lock struct {
	name     string
	mu       sync.Mutex // guards conn: pgx connections are not concurrent
	conn     *pgx.Conn
	lost     chan struct{}
	lostOnce sync.Once
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// PID returns the server process id of the session holding the lock (for
// tests that kill it with pg_terminate_backend, and for operators).
func (k *Lock) PID() uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.conn.PgConn().PID()
}

// Lost implements scheduler.Lock.
func (k *Lock) Lost() <-chan struct{} { return k.lost }

func (k *Lock) keepAlive(every, timeout time.Duration) {
	defer close(k.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-k.stop:
			return
		case <-t.C:
		}
		k.mu.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		_, err := k.conn.Exec(ctx, "SELECT 1")
		cancel()
		k.mu.Unlock()
		if err != nil {
			k.lostOnce.Do(func() { close(k.lost) })
			return
		}
	}
}

// Unlock implements scheduler.Lock: it releases the lock and closes the
// connection (closing alone would release it too; unlocking first says so
// explicitly and surfaces errors).
func (k *Lock) Unlock(ctx context.Context) error {
	k.stopOnce.Do(func() { close(k.stop) })
	<-k.done
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conn.IsClosed() {
		return nil
	}
	var ok bool
	err := k.conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1, hashtext($2))", Namespace, k.name).Scan(&ok)
	cerr := k.conn.Close(context.WithoutCancel(ctx))
	switch {
	case err != nil:
		return fmt.Errorf("pglock: unlock %s: %w", k.name, err)
	case !ok:
		return fmt.Errorf("pglock: unlock %s: lock was not held", k.name)
	}
	return cerr
}
