// Package sqlite opens dancu's embedded default database: one SQLite file
// in WAL mode (modernc.org/sqlite, pure Go), with one writer connection and
// a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"dancu/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the embedded migration files.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// Dialect is SQLite's: the write transaction begins IMMEDIATE, taking the
// database's one write lock up front, so the rows it reads cannot change
// under it and no row locks are needed.
var Dialect = sqlstore.Dialect{Name: "sqlite", ReadTxOptions: &sql.TxOptions{ReadOnly: true}}

// Open opens (creating if needed) the database file at path and applies
// pending migrations. It returns the migrations applied.
func Open(ctx context.Context, path string) (*sqlstore.DB, []sqlstore.Migration, error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	// Each connection keeps its own page cache; SQLite's default of 2 MB
	// holds too little of a national registry's B-trees for their upper
	// levels to stay in it, and every page it misses is a system call.
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=cache_size(-131072)")
	if err != nil {
		return nil, nil, err
	}
	// SQLite allows one writer at a time; one connection makes writers
	// queue in Go instead of spinning on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	applied, err := sqlstore.Migrate(ctx, w, goose.DialectSQLite3, Migrations())
	if err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)&_pragma=cache_size(-32768)")
	if err != nil {
		w.Close()
		return nil, nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return sqlstore.New(w, r, Dialect), applied, nil
}
