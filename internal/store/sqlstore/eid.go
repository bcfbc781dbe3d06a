package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"dancu/internal/eid"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

// EID returns the e-ID accounts' store.
func (db *DB) EID() eid.Store { return eidStore{db} }

type eidStore struct{ db *DB }

func (s eidStore) Update(ctx context.Context, fn func(eid.Tx) error) error {
	return s.db.update(ctx, func(tx *sql.Tx) error { return fn(&eidTx{regTx{db: s.db, tx: tx, pool: s.db.Write}}) })
}

func (s eidStore) View(ctx context.Context, fn func(eid.Tx) error) error {
	// e-ID reads must see the writes just made (a session just opened), so
	// they never go to a replica.
	return s.db.once(ctx, s.db.Read, s.db.Dialect.ReadTxOptions, func(tx *sql.Tx) error {
		return fn(&eidTx{regTx{db: s.db, tx: tx, pool: s.db.Read}})
	})
}

type eidTx struct{ regTx }

const accountColumns = `id, person_key, level, status, status_reason, password_hash, phone, email, notify_logins,
	guardian_id, created_at, updated_at, level2_at, level2_by, version`

func scanAccount(row interface{ Scan(...any) error }) (*eid.Account, error) {
	a := &eid.Account{}
	var level, notify int
	var status string
	var created, updated, l2 int64
	err := row.Scan(&a.ID, &a.Person, &level, &status, &a.StatusReason, &a.PasswordHash, &a.Phone, &a.Email, &notify,
		&a.Guardian, &created, &updated, &l2, &a.Level2By, &a.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("account")
	}
	if err != nil {
		return nil, err
	}
	a.Level, a.Status, a.NotifyLogins = eid.Level(level), eid.Status(status), notify != 0
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	if l2 != 0 {
		a.Level2At = fromMicros(l2)
	}
	return a, nil
}

func (t *eidTx) AccountByID(ctx context.Context, id string) (*eid.Account, error) {
	return scanAccount(t.row(ctx, `SELECT `+accountColumns+` FROM eid_accounts WHERE id = ?`, id))
}

func (t *eidTx) AccountByPerson(ctx context.Context, person registry.PersonKey) (*eid.Account, error) {
	return scanAccount(t.row(ctx, `SELECT `+accountColumns+` FROM eid_accounts WHERE person_key = ? AND status <> 'closed'`, person))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func optMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func optTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

func (t *eidTx) InsertAccount(ctx context.Context, a *eid.Account) error {
	a.Version = 1
	_, err := t.exec(ctx, `INSERT INTO eid_accounts (`+accountColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Person, int(a.Level), string(a.Status), a.StatusReason, a.PasswordHash, a.Phone, a.Email, boolInt(a.NotifyLogins),
		a.Guardian, micros(a.CreatedAt), micros(a.UpdatedAt), optMicros(a.Level2At), a.Level2By, a.Version)
	if err != nil && isUniqueViolation(err) {
		return errs.E(errs.Conflict, "account-exists", "this person already has an e-ID account")
	}
	return err
}

func (t *eidTx) UpdateAccount(ctx context.Context, a *eid.Account) error {
	res, err := t.exec(ctx, `UPDATE eid_accounts SET level = ?, status = ?, status_reason = ?, password_hash = ?, phone = ?, email = ?,
		notify_logins = ?, guardian_id = ?, updated_at = ?, level2_at = ?, level2_by = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		int(a.Level), string(a.Status), a.StatusReason, a.PasswordHash, a.Phone, a.Email, boolInt(a.NotifyLogins), a.Guardian,
		micros(a.UpdatedAt), optMicros(a.Level2At), a.Level2By, a.ID, a.Version)
	if err != nil {
		if isUniqueViolation(err) {
			return errs.E(errs.Conflict, "account-exists", "this person already has an e-ID account")
		}
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Conflict, "account-changed", "the account changed meanwhile; try again")
	}
	a.Version++
	return nil
}

const credentialColumns = `id, account_id, kind, name, secret, credential_id, last_step, created_at, last_used_at`

func scanCredential(row interface{ Scan(...any) error }) (eid.Credential, error) {
	var c eid.Credential
	var kind string
	var created, used int64
	err := row.Scan(&c.ID, &c.AccountID, &kind, &c.Name, &c.Secret, &c.CredentialID, &c.LastStep, &created, &used)
	c.Kind, c.CreatedAt, c.LastUsedAt = eid.CredentialKind(kind), fromMicros(created), fromMicros(used)
	if len(c.CredentialID) == 0 {
		c.CredentialID = nil
	}
	return c, err
}

func (t *eidTx) Credentials(ctx context.Context, accountID string) ([]eid.Credential, error) {
	rows, err := t.query(ctx, `SELECT `+credentialColumns+` FROM eid_credentials WHERE account_id = ? ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eid.Credential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *eidTx) CredentialByWebAuthnID(ctx context.Context, credentialID []byte) (*eid.Credential, error) {
	if len(credentialID) == 0 {
		return nil, notFound("credential")
	}
	c, err := scanCredential(t.row(ctx, `SELECT `+credentialColumns+` FROM eid_credentials WHERE kind = 'passkey' AND credential_id = ?`, credentialID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("credential")
	}
	return &c, err
}

func (t *eidTx) InsertCredential(ctx context.Context, c *eid.Credential) error {
	id := c.CredentialID
	if id == nil {
		id = []byte{}
	}
	_, err := t.exec(ctx, `INSERT INTO eid_credentials (`+credentialColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.AccountID, string(c.Kind), c.Name, blob(c.Secret), id, c.LastStep, micros(c.CreatedAt), micros(c.LastUsedAt))
	return err
}

func (t *eidTx) UpdateCredential(ctx context.Context, c *eid.Credential) error {
	_, err := t.exec(ctx, `UPDATE eid_credentials SET secret = ?, last_step = ?, last_used_at = ? WHERE id = ?`,
		blob(c.Secret), c.LastStep, micros(c.LastUsedAt), c.ID)
	return err
}

func (t *eidTx) DeleteCredentials(ctx context.Context, accountID string, kind eid.CredentialKind) error {
	if kind == "" {
		_, err := t.exec(ctx, `DELETE FROM eid_credentials WHERE account_id = ?`, accountID)
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM eid_credentials WHERE account_id = ? AND kind = ?`, accountID, string(kind))
	return err
}

func (t *eidTx) DeleteCredential(ctx context.Context, accountID, id string) error {
	res, err := t.exec(ctx, `DELETE FROM eid_credentials WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("credential")
	}
	return nil
}

const sessionColumns = `id, account_id, created_at, last_seen_at, expires_at, auth_time, level, amr, address, user_agent, ended_at, end_reason`

func scanSession(row interface{ Scan(...any) error }) (*eid.Session, error) {
	s := &eid.Session{}
	var created, seen, expires, auth, ended int64
	var level int
	var amr string
	err := row.Scan(&s.ID, &s.AccountID, &created, &seen, &expires, &auth, &level, &amr, &s.Address, &s.UserAgent, &ended, &s.EndReason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("session")
	}
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.AuthTime = fromMicros(created), fromMicros(seen), fromMicros(expires), fromMicros(auth)
	s.EndedAt, s.Level = optTime(ended), eid.Level(level)
	if err := json.Unmarshal([]byte(amr), &s.AMR); err != nil {
		return nil, err
	}
	return s, nil
}

func (t *eidTx) InsertSession(ctx context.Context, s *eid.Session) error {
	amr, err := json.Marshal(s.AMR)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO eid_sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.AccountID, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt), micros(s.AuthTime), int(s.Level),
		string(amr), s.Address, s.UserAgent, optMicros(s.EndedAt), s.EndReason)
	return err
}

func (t *eidTx) SessionByID(ctx context.Context, id []byte) (*eid.Session, error) {
	return scanSession(t.row(ctx, `SELECT `+sessionColumns+` FROM eid_sessions WHERE id = ?`, id))
}

func (t *eidTx) UpdateSession(ctx context.Context, s *eid.Session) error {
	amr, err := json.Marshal(s.AMR)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE eid_sessions SET last_seen_at = ?, expires_at = ?, auth_time = ?, level = ?, amr = ?, ended_at = ?, end_reason = ?
		WHERE id = ?`, micros(s.LastSeenAt), micros(s.ExpiresAt), micros(s.AuthTime), int(s.Level), string(amr),
		optMicros(s.EndedAt), s.EndReason, s.ID)
	return err
}

func (t *eidTx) Sessions(ctx context.Context, accountID string, after time.Time) ([]eid.Session, error) {
	since := micros(after)
	rows, err := t.query(ctx, `SELECT `+sessionColumns+` FROM eid_sessions WHERE account_id = ? AND (ended_at = 0 OR ended_at > ?)
		ORDER BY created_at DESC LIMIT 200`, accountID, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eid.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

func (t *eidTx) EndSessions(ctx context.Context, accountID string, at time.Time, reason string) error {
	_, err := t.exec(ctx, `UPDATE eid_sessions SET ended_at = ?, end_reason = ? WHERE account_id = ? AND ended_at = 0`,
		micros(at), reason, accountID)
	return err
}

const challengeColumns = `id, purpose, person_key, account_id, destination, code_hash, attempts, data, created_at, expires_at, used_at`

func (t *eidTx) InsertChallenge(ctx context.Context, c *eid.Challenge) error {
	data := string(c.Data)
	if data == "" {
		data = "null"
	}
	hash := c.CodeHash
	if hash == nil {
		hash = []byte{}
	}
	_, err := t.exec(ctx, `INSERT INTO eid_challenges (`+challengeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Purpose, c.Person, c.AccountID, c.Destination, hash, c.Attempts, data,
		micros(c.CreatedAt), micros(c.ExpiresAt), optMicros(c.UsedAt))
	return err
}

func (t *eidTx) ChallengeByID(ctx context.Context, id string) (*eid.Challenge, error) {
	c := &eid.Challenge{}
	var data string
	var created, expires, used int64
	err := t.row(ctx, `SELECT `+challengeColumns+` FROM eid_challenges WHERE id = ?`, id).
		Scan(&c.ID, &c.Purpose, &c.Person, &c.AccountID, &c.Destination, &c.CodeHash, &c.Attempts, &data, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("challenge")
	}
	if err != nil {
		return nil, err
	}
	if data != "null" {
		c.Data = json.RawMessage(data)
	}
	c.CodeHash = optBlob(c.CodeHash)
	c.CreatedAt, c.ExpiresAt, c.UsedAt = fromMicros(created), fromMicros(expires), optTime(used)
	return c, nil
}

func (t *eidTx) UpdateChallenge(ctx context.Context, c *eid.Challenge) error {
	_, err := t.exec(ctx, `UPDATE eid_challenges SET code_hash = ?, attempts = ?, created_at = ?, expires_at = ?, used_at = ? WHERE id = ?`,
		blob(c.CodeHash), c.Attempts, micros(c.CreatedAt), micros(c.ExpiresAt), optMicros(c.UsedAt), c.ID)
	return err
}

func (t *eidTx) Throttle(ctx context.Context, key string) (eid.FailureRecord, error) {
	var r eid.FailureRecord
	var last int64
	err := t.row(ctx, `SELECT failures, last_failure FROM eid_throttle WHERE key = ?`, key).Scan(&r.Failures, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return eid.FailureRecord{}, nil
	}
	r.LastFailure = fromMicros(last)
	return r, err
}

func (t *eidTx) SetThrottle(ctx context.Context, key string, r eid.FailureRecord) error {
	if r.Failures == 0 {
		_, err := t.exec(ctx, `DELETE FROM eid_throttle WHERE key = ?`, key)
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO eid_throttle (key, failures, last_failure) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure`,
		key, r.Failures, micros(r.LastFailure))
	return err
}

func (t *eidTx) Audit(ctx context.Context, e eid.AuditEntry) error {
	_, err := t.exec(ctx, `INSERT INTO eid_audit (at, account_id, actor, action, detail) VALUES (?, ?, ?, ?, ?)`,
		micros(e.At), e.AccountID, e.Actor, e.Action, e.Detail)
	return err
}

func (t *eidTx) AuditTrail(ctx context.Context, accountID string) ([]eid.AuditEntry, error) {
	rows, err := t.query(ctx, `SELECT at, account_id, actor, action, detail FROM eid_audit WHERE account_id = ? ORDER BY at, id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eid.AuditEntry
	for rows.Next() {
		var e eid.AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.AccountID, &e.Actor, &e.Action, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// isUniqueViolation reports whether err is a unique-constraint violation
// of either backend.
func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key value")
}
