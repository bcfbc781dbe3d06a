package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"

	"dancu/internal/accesslog"
)

// The access log's sequencer (accesslog.Sequencer) folds entries into the
// Merkle tree here: one transaction appends a batch of entries' leaf
// hashes in their order and saves the tree's state. On PostgreSQL,
// whose writers commit side by side, it first numbers the unnumbered
// entries in id order, and an advisory lock keeps other processes from
// folding at the same time (they would wait on the tree's row anyway). On
// SQLite entries are numbered as they are written (one writer at a time),
// and the write transaction is the lock.

// sequencerLock is the advisory lock key of the sequencer.
const sequencerLock = 0x64616e6375 // "dancu"

// AccessLogSequencer is the sequencer's store.
func (db *DB) AccessLogSequencer() accesslog.SequenceStore { return sequenceStore{db} }

type sequenceStore struct{ db *DB }

func (s sequenceStore) Sequence(ctx context.Context, max int) (accesslog.Tree, int, error) {
	db := s.db
	var tree accesslog.Tree
	var folded int
	err := db.update(ctx, func(tx *sql.Tx) error {
		tree, folded = accesslog.Tree{}, 0
		if db.Dialect.Name == "postgres" {
			var got bool
			if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, sequencerLock).Scan(&got); err != nil {
				return err
			}
			if !got {
				return accesslog.ErrSequencerBusy
			}
		}
		var err error
		if tree, err = db.loadTree(ctx, tx); err != nil {
			return err
		}
		if db.Dialect.Name == "sqlite" {
			// Numbered when written, and folded then too (insertAccess);
			// what is left is what was written before the tree caught up
			// (entries of an older version).
			rows, err := tx.QueryContext(ctx, `SELECT seq, person_key, `+accessReadColumns+` FROM access_log WHERE seq > ? ORDER BY seq LIMIT ?`, tree.Size(), max)
			if err != nil {
				return err
			}
			err = scanEntries(rows, func(seq int64, e accesslog.Entry) error {
				if seq != tree.Size()+1 {
					return fmt.Errorf("access log: entry %d is missing (the next is %d): the log was cut, it is not folded further", tree.Size()+1, seq)
				}
				tree.Append(e)
				folded++
				return nil
			})
			if err != nil {
				return err
			}
		} else if err := numberEntries(ctx, tx, &tree, max, &folded); err != nil {
			return err
		}
		if folded == 0 {
			return nil
		}
		return db.saveTree(ctx, tx, &tree)
	})
	return tree, folded, err
}

// numberEntries numbers up to max unnumbered entries (PostgreSQL) in id
// order, in one statement (a statement per entry would make the sequencer
// slower than the readers it follows), and folds them into tree.
func numberEntries(ctx context.Context, tx *sql.Tx, tree *accesslog.Tree, max int, folded *int) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, person_key, `+accessReadColumns+` FROM access_log WHERE seq IS NULL ORDER BY id LIMIT $1`, max)
	if err != nil {
		return err
	}
	var ids []int64
	err = scanEntries(rows, func(id int64, e accesslog.Entry) error {
		tree.Append(e)
		ids = append(ids, id)
		return nil
	})
	if err != nil || len(ids) == 0 {
		return err
	}
	first := tree.Size() - int64(len(ids)) + 1
	seqs := make([]int64, len(ids))
	for i := range seqs {
		seqs[i] = first + int64(i)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE access_log SET seq = v.seq FROM unnest($1::bigint[], $2::bigint[]) AS v(id, seq) WHERE access_log.id = v.id`, ids, seqs); err != nil {
		return err
	}
	*folded = len(ids)
	return nil
}

func (db *DB) loadTree(ctx context.Context, tx *sql.Tx) (accesslog.Tree, error) {
	var tree accesslog.Tree
	var state []byte
	err := db.txQueryRow(ctx, db.Write, tx, `SELECT state FROM accesslog_tree WHERE id = 1`).Scan(&state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return tree, nil
	case err != nil:
		return tree, err
	}
	return tree, tree.UnmarshalBinary(state)
}

func (db *DB) saveTree(ctx context.Context, tx *sql.Tx, tree *accesslog.Tree) error {
	state, err := tree.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = db.txExec(ctx, db.Write, tx, `INSERT INTO accesslog_tree (id, size, state) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET size = excluded.size, state = excluded.state`, tree.Size(), state)
	return err
}

// scanEntries reads rows of a number (seq or id), the person and
// accessReadColumns, calling each with the number and the entry; it
// closes rows.
func scanEntries(rows *sql.Rows, each func(n int64, e accesslog.Entry) error) error {
	defer rows.Close()
	for rows.Next() {
		var n, person int64
		e, err := scanAccess(scanPrefix{rows, []any{&n, &person}}, 0)
		if err != nil {
			return err
		}
		e.PersonKey = person
		if err := each(n, e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanPrefix scans leading columns into prefix, the rest as asked.
type scanPrefix struct {
	row    interface{ Scan(...any) error }
	prefix []any
}

func (p scanPrefix) Scan(dest ...any) error { return p.row.Scan(append(p.prefix, dest...)...) }

func (s sequenceStore) SaveCheckpoint(ctx context.Context, c accesslog.Checkpoint, signed []byte) error {
	return s.db.update(ctx, func(tx *sql.Tx) error {
		_, err := s.db.txExec(ctx, s.db.Write, tx, `INSERT INTO accesslog_checkpoints (size, at, signed) VALUES (?, ?, ?)
			ON CONFLICT (size) DO NOTHING`, c.Size, micros(c.Time), string(signed))
		return err
	})
}

// AccessCheckpoints returns the signed checkpoints the database holds,
// smallest first.
func (db *DB) AccessCheckpoints(ctx context.Context) ([][]byte, error) {
	var out [][]byte
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT signed FROM accesslog_checkpoints ORDER BY size`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			out = append(out, []byte(s))
		}
		return rows.Err()
	})
	return out, err
}

// SequencedEntries reads the numbered entries in their order, a page at a
// time, each page its own snapshot: a log of millions is never held in
// memory or in one long transaction.
func (db *DB) SequencedEntries(ctx context.Context) iter.Seq2[accesslog.Entry, error] {
	return func(yield func(accesslog.Entry, error) bool) {
		var after int64
		for {
			var page []accesslog.Entry
			var seqs []int64
			err := db.view(ctx, func(tx *sql.Tx) error {
				rows, err := tx.QueryContext(ctx, db.q(`SELECT seq, person_key, `+accessReadColumns+` FROM access_log WHERE seq > ? ORDER BY seq LIMIT 10000`), after)
				if err != nil {
					return err
				}
				return scanEntries(rows, func(seq int64, e accesslog.Entry) error {
					page = append(page, e)
					seqs = append(seqs, seq)
					return nil
				})
			})
			if err != nil {
				yield(accesslog.Entry{}, err)
				return
			}
			for i, e := range page {
				if !yield(e, nil) {
					return
				}
				after = seqs[i]
			}
			if len(page) < 10000 {
				return
			}
		}
	}
}
