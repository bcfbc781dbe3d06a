package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// SQLite compiles every statement it runs; the pure-Go driver does not
// keep compiled statements, and compiling costs as much as running a point
// lookup. So dancu's fixed queries are prepared once per pool and reused on
// each connection (database/sql keeps one compiled copy per connection).
// pgx caches prepared statements itself, so PostgreSQL queries go as they
// are.

// maxCachedStatements bounds the cache: queries built with a variable
// number of placeholders would otherwise fill it.
const maxCachedStatements = 512

type stmtKey struct {
	pool  *sql.DB
	query string
}

type stmtCache struct {
	mu      sync.Mutex
	m       map[stmtKey]*sql.Stmt
	pending map[stmtKey]bool
	closed  bool
}

// prepared returns query prepared on pool, or nil when it is not (yet)
// prepared: the caller then runs it unprepared. A query seen for the first
// time is prepared in the background: preparing takes a connection of the
// pool, and the caller may hold the last one in its transaction.
// PostgreSQL queries, queries with very many placeholders and queries past
// the cache's bound are never prepared here.
func (db *DB) prepared(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	if db.Dialect.Name != "sqlite" || pool == nil || strings.Count(query, "?") > 1000 {
		return nil
	}
	c := &db.stmts
	k := stmtKey{pool, query}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[k]; ok {
		return s
	}
	if c.closed || c.pending[k] || len(c.m)+len(c.pending) >= maxCachedStatements {
		return nil
	}
	if c.pending == nil {
		c.pending = map[stmtKey]bool{}
		c.m = map[stmtKey]*sql.Stmt{}
	}
	c.pending[k] = true
	go func() {
		s, err := pool.PrepareContext(context.WithoutCancel(ctx), query)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.pending, k)
		switch {
		case err != nil:
			// Run unprepared from now on; the error shows there.
			c.m[k] = nil
		case c.closed:
			s.Close()
		default:
			c.m[k] = s
		}
	}()
	return nil
}

// closeStatements closes the cached statements before the pools close.
func (db *DB) closeStatements() {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for k, s := range c.m {
		if s != nil {
			s.Close()
		}
		delete(c.m, k)
	}
}

// txQueryRow runs a one-row query in tx, a transaction of pool.
func (db *DB) txQueryRow(ctx context.Context, pool *sql.DB, tx *sql.Tx, query string, args ...any) *sql.Row {
	q := db.q(query)
	if s := db.prepared(ctx, pool, q); s != nil {
		return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

func (db *DB) txQuery(ctx context.Context, pool *sql.DB, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	q := db.q(query)
	if s := db.prepared(ctx, pool, q); s != nil {
		return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

func (db *DB) txExec(ctx context.Context, pool *sql.DB, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	q := db.q(query)
	if s := db.prepared(ctx, pool, q); s != nil {
		return tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// queryRow runs a one-row query outside a transaction.
func (db *DB) queryRow(ctx context.Context, pool *sql.DB, query string, args ...any) *sql.Row {
	q := db.q(query)
	if s := db.prepared(ctx, pool, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return pool.QueryRowContext(ctx, q, args...)
}
