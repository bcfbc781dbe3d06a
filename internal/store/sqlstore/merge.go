package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"dancu/internal/errs"
	"dancu/internal/registry"
)

const mergeColumns = `id, survivor_key, merged_key, candidate_id, reason, status, proposed_by, proposed_at, decided_by, decided_at, note`

func (t *regTx) CreateMergeRequest(ctx context.Context, m *registry.MergeRequest) error {
	_, err := t.exec(ctx, `INSERT INTO merge_requests (`+mergeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.Survivor, m.Duplicate, m.Candidate, m.Reason, string(m.Status), m.ProposedBy, micros(m.ProposedAt),
		m.DecidedBy, microsOrZero(m.DecidedAt), m.Note)
	return err
}

func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func timeOrZero(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

func scanMerge(row interface{ Scan(...any) error }) (*registry.MergeRequest, error) {
	m := &registry.MergeRequest{}
	var status string
	var proposed, decided int64
	if err := row.Scan(&m.ID, &m.Survivor, &m.Duplicate, &m.Candidate, &m.Reason, &status, &m.ProposedBy, &proposed, &m.DecidedBy, &decided, &m.Note); err != nil {
		return nil, err
	}
	m.Status = registry.MergeStatus(status)
	m.ProposedAt, m.DecidedAt = fromMicros(proposed), timeOrZero(decided)
	return m, nil
}

func (t *regTx) MergeRequest(ctx context.Context, id string) (*registry.MergeRequest, error) {
	m, err := scanMerge(t.row(ctx, `SELECT `+mergeColumns+` FROM merge_requests WHERE id = ?`+t.db.Dialect.LockRows, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "not-found", "no merge request %s", id).With("field", "id")
	}
	return m, err
}

func (t *regTx) UpdateMergeRequest(ctx context.Context, m *registry.MergeRequest) error {
	_, err := t.exec(ctx, `UPDATE merge_requests SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?`,
		string(m.Status), m.DecidedBy, microsOrZero(m.DecidedAt), m.Note, m.ID)
	return err
}

func (t *regTx) ReviveAlias(ctx context.Context, number, eventID string) error {
	res, err := t.exec(ctx, `UPDATE identity_aliases SET kind = ?, valid_to = '', event_id = ? WHERE number = ? AND kind = ?`,
		string(registry.AliasPID), eventID, number, string(registry.AliasRetired))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errors.New("revive " + number + ": not a retired number")
	}
	return nil
}

func (t *regTx) SetCandidateStatus(ctx context.Context, id int64, status, by string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE duplicate_candidates SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?`, status, by, micros(at), id)
	return err
}

const candidateColumns = `id, a_key, b_key, score, likely, reasons, status, found_at`

func scanCandidate(row interface{ Scan(...any) error }) (*registry.Candidate, error) {
	c := &registry.Candidate{}
	var likely int64
	var reasons string
	var found int64
	if err := row.Scan(&c.ID, &c.A, &c.B, &c.Score, &likely, &reasons, &c.Status, &found); err != nil {
		return nil, err
	}
	c.Likely, c.Reasons, c.FoundAt = likely != 0, []byte(reasons), fromMicros(found)
	return c, nil
}

func (t *regTx) Candidate(ctx context.Context, id int64) (*registry.Candidate, error) {
	c, err := scanCandidate(t.row(ctx, `SELECT `+candidateColumns+` FROM duplicate_candidates WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "not-found", "no duplicate candidate %d", id)
	}
	return c, err
}

// Candidates lists candidates attached to a unit (any unit when empty)
// with a status, best score first, after a cursor (score, id).
func (t *regTx) Candidates(ctx context.Context, q registry.CandidateQuery) ([]*registry.Candidate, error) {
	args := []any{q.Status}
	query := `SELECT ` + candidateColumns + ` FROM duplicate_candidates d WHERE status = ?`
	if q.Unit != "" {
		query += ` AND (a_key IN (SELECT person_key FROM citizen_units WHERE unit = ?) OR b_key IN (SELECT person_key FROM citizen_units WHERE unit = ?))`
		args = append(args, q.Unit, q.Unit)
	}
	if q.AfterID != 0 {
		query += ` AND (score < ? OR (score = ? AND id > ?))`
		args = append(args, q.AfterScore, q.AfterScore, q.AfterID)
	}
	query += ` ORDER BY score DESC, id LIMIT ?`
	args = append(args, q.Limit)
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*registry.Candidate
	for rows.Next() {
		c, err := scanCandidate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MergeRequests lists merge requests with a status, oldest first.
func (t *regTx) MergeRequests(ctx context.Context, status registry.MergeStatus, limit int) ([]*registry.MergeRequest, error) {
	rows, err := t.query(ctx, `SELECT `+mergeColumns+` FROM merge_requests WHERE status = ? ORDER BY proposed_at, id LIMIT ?`, string(status), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*registry.MergeRequest
	for rows.Next() {
		m, err := scanMerge(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SaveCandidates stores what a duplicate search found. A pair already
// known keeps its status (an officer's rejection stands) and gets the new
// score and reasons.
func (db *DB) SaveCandidates(ctx context.Context, cands []registry.Candidate) error {
	const chunk = 500
	for len(cands) > 0 {
		n := min(chunk, len(cands))
		err := db.update(ctx, func(tx *sql.Tx) error {
			t := &regTx{db: db, tx: tx}
			for _, c := range cands[:n] {
				a, b := c.A, c.B
				if a > b {
					a, b = b, a
				}
				likely := 0
				if c.Likely {
					likely = 1
				}
				if _, err := t.exec(ctx, `INSERT INTO duplicate_candidates (a_key, b_key, score, likely, reasons, status, found_at, decided_by, decided_at)
					VALUES (?, ?, ?, ?, ?, 'open', ?, '', 0)
					ON CONFLICT (a_key, b_key) DO UPDATE SET score = excluded.score, likely = excluded.likely, reasons = excluded.reasons, found_at = excluded.found_at`,
					a, b, c.Score, likely, string(c.Reasons), micros(c.FoundAt)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		cands = cands[n:]
	}
	return nil
}
