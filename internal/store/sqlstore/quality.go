package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"dancu/internal/quality"
	"dancu/internal/registry"
)

// The quality report sums stored marks in the database: one pass over the
// records of a unit, never a decode of each. A duplicate suspicion lives
// in duplicate_candidates, not in the stored flags (a later save of the
// record would lose it), and is joined in here.

const openDuplicates = `(SELECT a_key AS person_key FROM duplicate_candidates WHERE status = 'open' AND likely = 1
	UNION SELECT b_key FROM duplicate_candidates WHERE status = 'open' AND likely = 1)`

// QualityCounts implements quality.Store.
func (db *DB) QualityCounts(ctx context.Context, units []string, q quality.CountQuery) ([]quality.Counts, error) {
	var b strings.Builder
	var args []any
	unitCol := "''"
	from := ` FROM citizens c`
	if units != nil {
		unitCol = "u.unit"
		from = ` FROM citizen_units u JOIN citizens c ON c.person_key = u.person_key`
	}
	fmt.Fprintf(&b, `SELECT %s, count(*), COALESCE(sum(CASE WHEN d.person_key IS NULL THEN c.quality_score
			WHEN c.quality_score > %d THEN c.quality_score - %d ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN d.person_key IS NULL THEN 0 ELSE 1 END), 0)`, unitCol, q.DuplicateWeight, q.DuplicateWeight)
	for i, m := range q.Masks {
		// Masks are our own constants, not input: inlined, so the planner
		// sees plain expressions on both backends.
		dup := ""
		if q.DuplicateIn[i] {
			dup = " OR d.person_key IS NOT NULL"
		}
		fmt.Fprintf(&b, `, COALESCE(sum(CASE WHEN (c.quality_flags & %d) <> 0%s THEN 1 ELSE 0 END), 0)`, int64(m), dup)
	}
	b.WriteString(from + ` LEFT JOIN ` + openDuplicates + ` d ON d.person_key = c.person_key`)
	if units != nil {
		if len(units) == 0 {
			return nil, nil
		}
		b.WriteString(` WHERE u.unit IN (` + marks(len(units)) + `) AND (u.until = '' OR u.until >= ?) GROUP BY u.unit`)
		for _, u := range units {
			args = append(args, u)
		}
		args = append(args, q.Day)
	}
	var out []quality.Counts
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(b.String()), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := quality.Counts{Masked: make([]int64, len(q.Masks))}
			dest := []any{&c.Unit, &c.Persons, &c.ScoreSum, &c.Duplicates}
			for i := range c.Masked {
				dest = append(dest, &c.Masked[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// DueRecords implements quality.Store.
func (db *DB) DueRecords(ctx context.Context, units []string, day string, fn func(unit string, s quality.Stored) error) error {
	args := []any{day}
	query := `SELECT '', c.person_key, c.record, c.quality_flags, c.quality_score FROM citizens c
		WHERE c.alive_from <> '' AND c.alive_from <= ?`
	if units != nil {
		if len(units) == 0 {
			return nil
		}
		query = `SELECT u.unit, c.person_key, c.record, c.quality_flags, c.quality_score
			FROM citizens c JOIN citizen_units u ON u.person_key = c.person_key
			WHERE c.alive_from <> '' AND c.alive_from <= ? AND u.unit IN (` + marks(len(units)) + `) AND (u.until = '' OR u.until >= ?)`
		for _, u := range units {
			args = append(args, u)
		}
		args = append(args, day)
	}
	return db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var unit string
			sq, err := scanStored(rows, &unit)
			if err != nil {
				return err
			}
			if err := fn(unit, sq); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// scanStored scans (lead..., person_key, record, flags, score, trail...).
func scanStored(rows *sql.Rows, lead any, trail ...any) (quality.Stored, error) {
	var sq quality.Stored
	var key registry.PersonKey
	var doc string
	var flags int64
	dest := []any{&key, &doc, &flags, &sq.Score}
	if lead != nil {
		dest = append([]any{lead}, dest...)
	}
	if err := rows.Scan(append(dest, trail...)...); err != nil {
		return sq, err
	}
	c, err := decodeCitizen(key, []byte(doc))
	if err != nil {
		return sq, err
	}
	sq.Citizen, sq.Flags = c, uint64(flags)
	return sq, nil
}

// WorstRecords implements quality.Store: lowest stored scores first.
func (db *DB) WorstRecords(ctx context.Context, unit, day string, limit int) ([]quality.Stored, error) {
	var args []any
	filter := ""
	if unit != "" {
		filter = ` AND c.person_key IN (SELECT u.person_key FROM citizen_units u WHERE u.unit = ? AND (u.until = '' OR u.until >= ?))`
		args = append(args, unit, day)
	}
	args = append(args, limit)
	query := `SELECT c.person_key, c.record, c.quality_flags, c.quality_score,
			CASE WHEN c.person_key IN ` + openDuplicates + ` THEN 1 ELSE 0 END
		FROM citizens c WHERE 1 = 1` + filter + ` ORDER BY c.quality_score, c.person_key LIMIT ?`
	var out []quality.Stored
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var dup int64
			sq, err := scanStored(rows, nil, &dup)
			if err != nil {
				return err
			}
			sq.Duplicate = dup != 0
			out = append(out, sq)
		}
		return rows.Err()
	})
	return out, err
}
