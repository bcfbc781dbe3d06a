package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"dancu/internal/registry"
)

// QualityCounts are the stored quality marks of the persons attached to a
// unit, summed in the database.
type QualityCounts struct {
	Unit     string
	Persons  int64
	ScoreSum int64
	// Masked[i] counts the persons with any flag of masks[i] set.
	Masked []int64
	// Duplicates counts the persons in an open, likely duplicate pair.
	Duplicates int64
}

// QualityCounts sums the quality marks of persons attached to each unit
// (with authority there on day), counting for each mask the persons with a
// flag of it set.
func (db *DB) QualityCounts(ctx context.Context, units []string, masks []uint64, day string) ([]QualityCounts, error) {
	if len(units) == 0 {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString(`SELECT u.unit, count(*), COALESCE(sum(c.quality_score), 0)`)
	for _, m := range masks {
		// Masks are our own constants, not input: inlined so the planner
		// sees plain expressions on both backends.
		fmt.Fprintf(&b, `, COALESCE(sum(CASE WHEN (c.quality_flags & %d) <> 0 THEN 1 ELSE 0 END), 0)`, int64(m))
	}
	b.WriteString(` FROM citizen_units u JOIN citizens c ON c.person_key = u.person_key
		WHERE u.unit IN (` + marks(len(units)) + `) AND (u.until = '' OR u.until >= ?) GROUP BY u.unit`)
	args := make([]any, 0, len(units)+1)
	for _, u := range units {
		args = append(args, u)
	}
	args = append(args, day)
	out := map[string]*QualityCounts{}
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(b.String()), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			qc := &QualityCounts{Masked: make([]int64, len(masks))}
			dest := []any{&qc.Unit, &qc.Persons, &qc.ScoreSum}
			for i := range qc.Masked {
				dest = append(dest, &qc.Masked[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			out[qc.Unit] = qc
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, db.q(`SELECT u.unit, count(DISTINCT u.person_key) FROM citizen_units u
			WHERE u.unit IN (`+marks(len(units))+`) AND (u.until = '' OR u.until >= ?) AND u.person_key IN (
				SELECT a_key FROM duplicate_candidates WHERE status = 'open' AND likely = 1
				UNION SELECT b_key FROM duplicate_candidates WHERE status = 'open' AND likely = 1)
			GROUP BY u.unit`), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var unit string
			var n int64
			if err := rows.Scan(&unit, &n); err != nil {
				return err
			}
			if qc := out[unit]; qc != nil {
				qc.Duplicates = n
			}
		}
		return rows.Err()
	})
	res := make([]QualityCounts, 0, len(units))
	for _, u := range units {
		if qc := out[u]; qc != nil {
			res = append(res, *qc)
		} else {
			res = append(res, QualityCounts{Unit: u, Masked: make([]int64, len(masks))})
		}
	}
	return res, err
}

// StoredQuality is a record with its stored quality mark.
type StoredQuality struct {
	Citizen   *registry.Citizen
	Flags     uint64
	Score     int
	Duplicate bool // in an open, likely duplicate pair
}

// DueRecords calls fn for every record attached to unit whose stored mark
// a time-dependent rule has overtaken (alive_from on or before day), so
// reports can re-assess just those.
func (db *DB) DueRecords(ctx context.Context, unit, day string, fn func(StoredQuality) error) error {
	return db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`SELECT c.person_key, c.record, c.quality_flags, c.quality_score
			FROM citizen_units u JOIN citizens c ON c.person_key = u.person_key
			WHERE u.unit = ? AND (u.until = '' OR u.until >= ?) AND c.alive_from <> '' AND c.alive_from <= ?`), unit, day, day)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sq, err := scanStoredQuality(rows)
			if err != nil {
				return err
			}
			if err := fn(sq); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

func scanStoredQuality(rows *sql.Rows, extra ...any) (StoredQuality, error) {
	var sq StoredQuality
	var key registry.PersonKey
	var doc string
	var flags int64
	if err := rows.Scan(append([]any{&key, &doc, &flags, &sq.Score}, extra...)...); err != nil {
		return sq, err
	}
	c := &registry.Citizen{}
	if err := json.Unmarshal([]byte(doc), c); err != nil {
		return sq, fmt.Errorf("decode citizen %d: %w", key, err)
	}
	c.Key = key
	sq.Citizen, sq.Flags = c, uint64(flags)
	return sq, nil
}

// WorstRecords returns the records attached to unit with the lowest
// stored scores, a duplicate suspicion taking dupWeight off.
func (db *DB) WorstRecords(ctx context.Context, unit, day string, dupWeight, limit int) ([]StoredQuality, error) {
	var out []StoredQuality
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`SELECT c.person_key, c.record, c.quality_flags, c.quality_score, w.dup FROM (
				SELECT u.person_key, CASE WHEN d.person_key IS NULL THEN 0 ELSE 1 END AS dup,
					c2.quality_score - CASE WHEN d.person_key IS NULL THEN 0 ELSE ? END AS effective
				FROM citizen_units u
				JOIN citizens c2 ON c2.person_key = u.person_key
				LEFT JOIN (SELECT a_key AS person_key FROM duplicate_candidates WHERE status = 'open' AND likely = 1
					UNION SELECT b_key FROM duplicate_candidates WHERE status = 'open' AND likely = 1) d ON d.person_key = u.person_key
				WHERE u.unit = ? AND (u.until = '' OR u.until >= ?)
				ORDER BY effective, u.person_key LIMIT ?) w
			JOIN citizens c ON c.person_key = w.person_key ORDER BY w.effective, w.person_key`), dupWeight, unit, day, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var dup int64
			sq, err := scanStoredQuality(rows, &dup)
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
