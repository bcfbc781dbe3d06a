package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// An initial load into an empty registry (dancu seed) writes tens of
// millions of rows. Maintaining B-trees whose keys arrive in random order —
// personal ID numbers, event ids, folded names, household ids — row by row
// costs a page read and a page write per row once they outgrow memory, and
// the cost per person grows with the registry. So the load drops what it
// can rebuild, appends rows in arrival order, and builds every such index
// once at the end from sorted data:
//
//   - PostgreSQL: foreign keys, unique and primary-key constraints (except
//     those of persons, events and citizens, whose keys the loader hands
//     out in ascending order) and plain indexes of the registry's tables
//     are dropped, their definitions kept; each batch commits without
//     waiting for its WAL flush (synchronous_commit off: an OS crash can
//     lose the last batches, never half of one). EndBulk recreates
//     everything, foreign keys last, which validates them.
//   - SQLite cannot drop a WITHOUT ROWID table's key, so those tables are
//     written to unindexed staging tables and copied in key order at the
//     end; named indexes are dropped and rebuilt. Foreign-key checks are
//     off (the folds check every reference) and, when no other connection
//     has the database open, so is the rollback journal: rows are written
//     once instead of to the WAL and again to the database.
//
// The plan of what was removed is stored in bulk_loads before anything is
// dropped. A load that is killed or fails leaves that row: the registry is
// then incomplete (and on SQLite without a journal possibly corrupt), and
// Open refuses it with ErrInterruptedLoad until it is loaded again from an
// empty database.

// ErrInterruptedLoad reports a registry whose initial load did not finish.
var ErrInterruptedLoad = errors.New("an initial load of this registry did not finish")

// bulkRegistryTables are the tables an initial load writes.
var bulkRegistryTables = []string{
	"persons", "identity_aliases", "households", "events", "event_parties",
	"citizens", "citizen_names", "citizen_units", "household_members",
}

// appendedInKeyOrder are the tables whose primary keys a load hands out in
// ascending order, so their key B-trees only ever grow at the right edge.
var appendedInKeyOrder = map[string]bool{"persons": true, "events": true, "citizens": true, "event_parties": true}

// bulkPlan is what BeginBulk removed and EndBulk rebuilds.
type bulkPlan struct {
	// Staged maps a SQLite table to its staging table and the columns of
	// its primary key.
	Staged []stagedTable `json:"staged,omitempty"`
	// Rebuild are the statements that restore the indexes and
	// constraints, in order.
	Rebuild []string `json:"rebuild"`
	// JournalOff reports whether SQLite runs without a rollback journal.
	JournalOff bool `json:"journal_off,omitempty"`
}

type stagedTable struct {
	Table   string   `json:"table"`
	Staging string   `json:"staging"`
	Columns []string `json:"columns"`
	Key     []string `json:"key"`
}

// bulkTarget returns the table a bulk load writes table's rows to.
func (db *DB) bulkTarget(table string) string {
	if p := db.bulk.Load(); p != nil {
		for _, s := range p.Staged {
			if s.Table == table {
				return s.Staging
			}
		}
	}
	return table
}

// InterruptedLoad reports when an initial load that did not finish began,
// or the zero time when there is none.
func (db *DB) InterruptedLoad(ctx context.Context) (time.Time, error) {
	var started int64
	err := db.Write.QueryRowContext(ctx, `SELECT started_at FROM bulk_loads WHERE id = 1`).Scan(&started)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return fromMicros(started), nil
}

// BeginBulk prepares an empty registry for an initial load (see above). It
// reports false, changing nothing, when the registry is not empty: batches
// are then loaded with every index in place, like any write.
func (db *DB) BeginBulk(ctx context.Context) (bool, error) {
	if at, err := db.InterruptedLoad(ctx); err != nil {
		return false, err
	} else if !at.IsZero() {
		return false, fmt.Errorf("%w (it began %s)", ErrInterruptedLoad, at.Format(time.RFC3339))
	}
	var n int64
	if err := db.Write.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM persons LIMIT 1) p`).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	var plan *bulkPlan
	var drops []string
	var err error
	if db.Dialect.Name == "postgres" {
		plan, drops, err = db.planPostgresBulk(ctx)
	} else {
		plan, drops, err = db.planSQLiteBulk(ctx)
	}
	if err != nil {
		return false, err
	}
	doc, err := json.Marshal(plan)
	if err != nil {
		return false, err
	}
	// The plan is stored, durably, before anything is dropped: whatever
	// happens next, the registry is known to be mid-load.
	err = db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO bulk_loads (id, kind, started_at, plan) VALUES (1, 'seed', ?, ?)`),
			micros(time.Now()), string(doc)); err != nil {
			return err
		}
		for _, s := range drops {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if db.Dialect.Name == "sqlite" {
		if plan.JournalOff, err = db.relaxSQLite(ctx); err != nil {
			return false, err
		}
	}
	db.bulk.Store(plan)
	return true, nil
}

// planSQLiteBulk lists the named indexes of the registry's tables and
// stages the WITHOUT ROWID tables.
func (db *DB) planSQLiteBulk(ctx context.Context) (*bulkPlan, []string, error) {
	plan := &bulkPlan{}
	var drops []string
	for _, t := range bulkRegistryTables {
		cols, key, err := db.sqliteColumns(ctx, t)
		if err != nil {
			return nil, nil, err
		}
		if appendedInKeyOrder[t] {
			continue
		}
		// A WITHOUT ROWID table is one B-tree keyed by its primary key.
		s := stagedTable{Table: t, Staging: "bulk_" + t, Columns: cols, Key: key}
		plan.Staged = append(plan.Staged, s)
		drops = append(drops, "DROP TABLE IF EXISTS "+s.Staging,
			"CREATE TABLE "+s.Staging+" AS SELECT "+strings.Join(cols, ", ")+" FROM "+t+" WHERE 0")
		list := strings.Join(cols, ", ")
		plan.Rebuild = append(plan.Rebuild,
			"INSERT INTO "+t+" ("+list+") SELECT "+list+" FROM "+s.Staging+" ORDER BY "+strings.Join(key, ", "),
			"DROP TABLE "+s.Staging)
	}
	rows, err := db.Write.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (`+quoteList(bulkRegistryTables)+`) ORDER BY name`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			return nil, nil, err
		}
		drops = append(drops, "DROP INDEX "+name)
		plan.Rebuild = append(plan.Rebuild, create)
	}
	return plan, drops, rows.Err()
}

// sqliteColumns returns a table's columns and its primary key's columns
// in key order.
func (db *DB) sqliteColumns(ctx context.Context, table string) (cols, key []string, err error) {
	rows, err := db.Write.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var pks []struct {
		name string
		pos  int
	}
	for rows.Next() {
		var name string
		var pk int
		if err := rows.Scan(&name, &pk); err != nil {
			return nil, nil, err
		}
		cols = append(cols, name)
		if pk > 0 {
			pks = append(pks, struct {
				name string
				pos  int
			}{name, pk})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	key = make([]string, len(pks))
	for _, p := range pks {
		key[p.pos-1] = p.name
	}
	if len(cols) == 0 {
		return nil, nil, fmt.Errorf("table %s not found", table)
	}
	return cols, key, nil
}

// relaxSQLite turns off what an initial load into a fresh file does not
// need. It reports whether the rollback journal is off, which needs every
// other connection to the file closed.
func (db *DB) relaxSQLite(ctx context.Context) (bool, error) {
	for _, p := range []string{
		"PRAGMA foreign_keys = OFF",
		"PRAGMA synchronous = OFF",
		// B-trees and sorts of millions of rows; the default is 2 MB.
		"PRAGMA cache_size = -1048576",
		// Index builds sort on two threads.
		"PRAGMA threads = 2",
	} {
		if _, err := db.Write.ExecContext(ctx, p); err != nil {
			return false, fmt.Errorf("%s: %w", p, err)
		}
	}
	var mode string
	if err := db.Write.QueryRowContext(ctx, "PRAGMA journal_mode = OFF").Scan(&mode); err != nil {
		// Another process holds the database: keep the WAL.
		return false, nil
	}
	if !strings.EqualFold(mode, "off") {
		return false, nil
	}
	// Nobody else may read a file being written without a journal.
	if _, err := db.Write.ExecContext(ctx, "PRAGMA locking_mode = EXCLUSIVE"); err != nil {
		return true, err
	}
	return true, nil
}

// planPostgresBulk lists the constraints and indexes of the registry's
// tables that a load drops, and the statements that rebuild them.
func (db *DB) planPostgresBulk(ctx context.Context) (*bulkPlan, []string, error) {
	plan := &bulkPlan{}
	var fkDrops, keyDrops, ixDrops, keyBuilds, ixBuilds, fkBuilds []string
	rows, err := db.Write.QueryContext(ctx, `SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
		FROM pg_constraint c WHERE c.conrelid = ANY($1::regclass[]) AND c.contype IN ('p', 'u', 'f')
		ORDER BY c.conrelid::regclass::text, c.conname`, bulkRegistryTables)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var table, name, kind, def string
		if err := rows.Scan(&table, &name, &kind, &def); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if kind == "p" && appendedInKeyOrder[table] {
			continue
		}
		drop := "ALTER TABLE " + table + " DROP CONSTRAINT " + quoteIdent(name)
		build := "ALTER TABLE " + table + " ADD CONSTRAINT " + quoteIdent(name) + " " + def
		if kind == "f" {
			fkDrops, fkBuilds = append(fkDrops, drop), append(fkBuilds, build)
		} else {
			keyDrops, keyBuilds = append(keyDrops, drop), append(keyBuilds, build)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = db.Write.QueryContext(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid = ANY($1::regclass[])
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		ORDER BY 1`, bulkRegistryTables)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, nil, err
		}
		ixDrops, ixBuilds = append(ixDrops, "DROP INDEX "+name), append(ixBuilds, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	plan.Rebuild = append(append(keyBuilds, ixBuilds...), fkBuilds...)
	return plan, append(append(fkDrops, keyDrops...), ixDrops...), nil
}

// EndBulk rebuilds what BeginBulk removed, restores the database's usual
// settings and clears the mark of a load in progress. Call it only after
// every batch loaded: after a failure the registry stays marked.
func (db *DB) EndBulk(ctx context.Context) error {
	plan := db.bulk.Load()
	if plan == nil {
		return errors.New("no bulk load in progress")
	}
	if db.Dialect.Name == "postgres" {
		// Index builds sort in memory up to this much.
		if _, err := db.Write.ExecContext(ctx, "SET maintenance_work_mem = '1GB'"); err != nil {
			return err
		}
	}
	for _, s := range plan.Rebuild {
		if _, err := db.Write.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("rebuild after the load: %s: %w", s, err)
		}
	}
	if db.Dialect.Name == "sqlite" {
		if err := db.restoreSQLite(ctx, plan); err != nil {
			return err
		}
	}
	if err := db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM bulk_loads WHERE id = 1`)
		return err
	}); err != nil {
		return err
	}
	db.bulk.Store(nil)
	if db.Dialect.Name == "sqlite" {
		// A full ANALYZE reads every index; a sample is enough for the
		// planner.
		if _, err := db.Write.ExecContext(ctx, "PRAGMA analysis_limit = 1000"); err != nil {
			return err
		}
	}
	_, err := db.Write.ExecContext(ctx, "ANALYZE")
	return err
}

// restoreSQLite makes everything written durable and returns to the WAL
// and the usual settings.
func (db *DB) restoreSQLite(ctx context.Context, plan *bulkPlan) error {
	// A commit with synchronous FULL syncs the file, and with it every page
	// written since the journal was turned off.
	if _, err := db.Write.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return err
	}
	if err := db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE bulk_loads SET kind = kind WHERE id = 1`)
		return err
	}); err != nil {
		return err
	}
	if plan.JournalOff {
		if _, err := db.Write.ExecContext(ctx, "PRAGMA locking_mode = NORMAL"); err != nil {
			return err
		}
		var mode string
		if err := db.Write.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
			return err
		}
		if !strings.EqualFold(mode, "wal") {
			return fmt.Errorf("journal mode is %q after the load, not wal", mode)
		}
	}
	for _, p := range []string{"PRAGMA foreign_keys = ON", "PRAGMA cache_size = -2000", "PRAGMA threads = 0"} {
		if _, err := db.Write.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
