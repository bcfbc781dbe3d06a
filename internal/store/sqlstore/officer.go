package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"dancu/internal/actor"
	"dancu/internal/errs"
	"dancu/internal/officer"
)

// Officers returns the officer store.
func (db *DB) Officers() officer.Store { return officerStore{db} }

type officerStore struct{ db *DB }

func (s officerStore) CreateOfficer(ctx context.Context, o officer.Officer, hash []byte, a officer.Audit) error {
	return s.db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO officers (id, name, role, unit, scope, token_hash, created_at, created_by, revoked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`),
			o.ID, o.Name, string(o.Role), o.Unit, string(o.Scope), hash, micros(o.CreatedAt), o.CreatedBy); err != nil {
			return err
		}
		return s.audit(ctx, tx, a)
	})
}

func (s officerStore) audit(ctx context.Context, tx *sql.Tx, a officer.Audit) error {
	_, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO officer_audit (at, actor, action, officer_id, detail) VALUES (?, ?, ?, ?, ?)`),
		micros(a.At), a.Actor, a.Action, a.OfficerID, a.Detail)
	return err
}

const officerColumns = `id, name, role, unit, scope, created_at, created_by, revoked_at`

func scanOfficer(sc interface{ Scan(...any) error }) (officer.Officer, error) {
	var o officer.Officer
	var role, scope string
	var created, revoked int64
	if err := sc.Scan(&o.ID, &o.Name, &role, &o.Unit, &scope, &created, &o.CreatedBy, &revoked); err != nil {
		return o, err
	}
	o.Role, o.Scope, o.CreatedAt = actor.Role(role), actor.Scope(scope), fromMicros(created)
	if revoked != 0 {
		o.RevokedAt = fromMicros(revoked)
	}
	return o, nil
}

func (s officerStore) OfficerByTokenHash(ctx context.Context, hash []byte) (officer.Officer, error) {
	o, err := scanOfficer(s.db.queryRow(ctx, s.db.Read, `SELECT `+officerColumns+` FROM officers WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return o, notFound("officer")
	}
	return o, err
}

func (s officerStore) RevokeOfficer(ctx context.Context, id string, at time.Time, a officer.Audit) error {
	return s.db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.q(`UPDATE officers SET revoked_at = ? WHERE id = ? AND revoked_at = 0`), micros(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "not-found", "no active officer %s", id)
		}
		return s.audit(ctx, tx, a)
	})
}

func (s officerStore) Officers(ctx context.Context) ([]officer.Officer, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+officerColumns+` FROM officers ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []officer.Officer
	for rows.Next() {
		o, err := scanOfficer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s officerStore) OfficerAudit(ctx context.Context) ([]officer.Audit, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT at, actor, action, officer_id, detail FROM officer_audit ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []officer.Audit
	for rows.Next() {
		var a officer.Audit
		var at int64
		if err := rows.Scan(&at, &a.Actor, &a.Action, &a.OfficerID, &a.Detail); err != nil {
			return nil, err
		}
		a.At = fromMicros(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
