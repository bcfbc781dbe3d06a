// Package postgres opens dancu's production database, PostgreSQL, through
// pgx. Write transactions run at READ COMMITTED and take row locks (SELECT
// … FOR UPDATE) on the persons and households whose rules they check; reads
// run in REPEATABLE READ, READ ONLY snapshots.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"

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

// Dialect is PostgreSQL's.
var Dialect = sqlstore.Dialect{
	Name:        "postgres",
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	LockRows:    " FOR UPDATE",
	Retryable: func(err error) bool {
		var pe *pgconn.PgError
		// 40001 serialization_failure, 40P01 deadlock_detected.
		return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
	},
	ReadTxOptions: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
}

// Open connects to the database at url (postgres://…) and applies pending
// migrations. It returns the migrations applied.
func Open(ctx context.Context, url string, maxConns int) (*sqlstore.DB, []sqlstore.Migration, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, nil, err
	}
	if maxConns <= 0 {
		maxConns = 16
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	applied, err := sqlstore.Migrate(ctx, db, goose.DialectPostgres, Migrations())
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	sdb := sqlstore.New(db, db, Dialect)
	if err := sdb.EnsureAccessLogPartitions(ctx, time.Now()); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	return sdb, applied, nil
}

// OpenReplica connects to a read replica (a hot standby streaming from the
// primary) for read-only transactions. It applies no migrations: the
// replica has the primary's schema.
func OpenReplica(ctx context.Context, url string, maxConns int) (*sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	if maxConns <= 0 {
		maxConns = 16
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres read replica: %w", err)
	}
	return db, nil
}
