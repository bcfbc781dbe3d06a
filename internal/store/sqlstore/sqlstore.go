// Package sqlstore is the storage shared by the SQLite and PostgreSQL
// backends: one implementation of every capability's store over
// database/sql, parameterised by a Dialect for the few places where the two
// databases differ (placeholders, row locks, retryable errors, how a write
// transaction begins). The backend packages open the database, apply their
// own migrations and hand a *DB to the rest of dancu.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dancu/internal/registry"
)

// Dialect captures what differs between the backends.
type Dialect struct {
	Name string
	// Placeholder returns the n-th (1-based) bind parameter.
	Placeholder func(n int) string
	// LockRows is appended to a SELECT to lock the rows it reads until the
	// transaction ends; empty where the whole database is locked by the
	// write transaction (SQLite's BEGIN IMMEDIATE).
	LockRows string
	// Retryable reports whether a failed transaction may be run again
	// (serialisation failure, deadlock).
	Retryable func(error) bool
	// ReadTxOptions are the options of read-only snapshot transactions.
	ReadTxOptions *sql.TxOptions
}

// DB is a database opened by a backend.
type DB struct {
	// Write runs write transactions; Read runs read-only ones. They are the
	// same pool on PostgreSQL; on SQLite the writer is one connection,
	// since SQLite has one writer at a time anyway, and readers are many.
	Write, Read *sql.DB
	// Replica, when set, serves read-only transactions (PostgreSQL
	// streaming replicas), except those whose context asks for the
	// primary (registry.ReadYourWrites).
	Replica   *sql.DB
	Dialect   Dialect
	rebound   sync.Map // query with ? → query with the dialect's placeholders
	accessLog groupLog
	reserved  reservations
	// bulk is the plan of an initial load in progress (bulk.go).
	bulk  atomic.Pointer[bulkPlan]
	stmts stmtCache
}

// New wraps opened pools.
func New(write, read *sql.DB, d Dialect) *DB {
	return &DB{Write: write, Read: read, Dialect: d}
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stopAccessLog()
	db.closeStatements()
	err := db.Write.Close()
	if db.Replica != nil {
		err = errors.Join(err, db.Replica.Close())
	}
	if db.Read != db.Write {
		err = errors.Join(err, db.Read.Close())
	}
	return err
}

// q rewrites a query written with ? placeholders for the dialect; results
// are cached, since queries are constants.
func (db *DB) q(query string) string {
	if db.Dialect.Placeholder == nil {
		return query
	}
	if s, ok := db.rebound.Load(query); ok {
		return s.(string)
	}
	var b strings.Builder
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteString(db.Dialect.Placeholder(n))
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	db.rebound.Store(query, s)
	return s
}

// maxAttempts bounds how often a transaction is retried after a
// serialisation failure or deadlock.
const maxAttempts = 8

// update runs fn in a write transaction, retrying retryable failures.
func (db *DB) update(ctx context.Context, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
			}
		}
		err = db.once(ctx, db.Write, nil, fn)
		if err == nil || db.Dialect.Retryable == nil || !db.Dialect.Retryable(err) {
			return err
		}
	}
	return err
}

// view runs fn in a read-only snapshot transaction, on a replica when
// there is one and the caller need not see its own recent writes.
func (db *DB) view(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.once(ctx, db.viewPool(ctx), db.Dialect.ReadTxOptions, fn)
}

// viewPool is the pool a read-only transaction runs on.
func (db *DB) viewPool(ctx context.Context) *sql.DB {
	if db.Replica != nil && !registry.ReadsYourWrites(ctx) {
		return db.Replica
	}
	return db.Read
}

func (db *DB) once(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*sql.Tx) error) (err error) {
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Tables lists the tables dancu owns, in creation order; tests compare
// their row counts before and after failed requests.
var Tables = []string{
	"persons", "citizens", "citizen_names", "citizen_units", "identity_aliases",
	"events", "event_parties", "households", "household_members",
	"idempotency_keys", "outbox", "access_log", "officers", "officer_audit",
	"import_runs", "duplicate_candidates", "merge_requests", "bulk_loads",
	"eid_accounts", "eid_credentials", "eid_sessions", "eid_challenges", "eid_throttle", "eid_audit",
	"oidc_clients", "oidc_auth_requests", "oidc_refresh_tokens", "oidc_revoked_tokens", "oidc_consents", "signing_keys",
}

// Counts returns the row count of every table.
func (db *DB) Counts(ctx context.Context) (map[string]int64, error) {
	out := make(map[string]int64, len(Tables))
	err := db.view(ctx, func(tx *sql.Tx) error {
		return countRows(ctx, tx, out)
	})
	return out, err
}

func countRows(ctx context.Context, tx *sql.Tx, out map[string]int64) error {
	for _, t := range Tables {
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.Read.PingContext(ctx)
}

// Rebind rewrites a query written with ? placeholders for the dialect.
func (db *DB) Rebind(query string) string { return db.q(query) }
