package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"dancu/internal/errs"
	"dancu/internal/oidc"
)

// OIDC returns the OpenID Provider's store.
func (db *DB) OIDC() oidc.Store { return oidcStore{db} }

type oidcStore struct{ db *DB }

func (s oidcStore) Update(ctx context.Context, fn func(oidc.Tx) error) error {
	return s.db.update(ctx, func(tx *sql.Tx) error {
		return fn(&oidcTx{regTx: regTx{db: s.db, tx: tx, pool: s.db.Write}, write: true})
	})
}

func (s oidcStore) View(ctx context.Context, fn func(oidc.Tx) error) error {
	// Like e-ID reads, the provider's must see the writes just made (a
	// code just issued, a token just revoked), so they never go to a
	// replica.
	return s.db.once(ctx, s.db.Read, s.db.Dialect.ReadTxOptions, func(tx *sql.Tx) error {
		return fn(&oidcTx{regTx: regTx{db: s.db, tx: tx, pool: s.db.Read}})
	})
}

type oidcTx struct {
	regTx
	// write reports whether tx is a write transaction, which may lock the
	// rows it reads.
	write bool
}

// lockRows is the clause locking the rows a SELECT reads, in write
// transactions only (a read-only PostgreSQL transaction may not lock).
func (t *oidcTx) lockRows() string {
	if !t.write {
		return ""
	}
	return t.db.Dialect.LockRows
}

// blob returns b, or an empty slice for nil: the byte columns are NOT NULL
// and a nil slice binds as NULL.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// optBlob returns nil for an empty stored value, the struct's "none".
func optBlob(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// listText encodes a list as the JSON text of a list column; nil is "[]".
func listText(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// parseList decodes a list column; an empty list is nil.
func parseList(s, what string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("decode %s: %w", what, err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// markMicros is the stored instant of a "marked at" time, which must not be
// zero: 0 is the column's "not yet".
func markMicros(what string, at time.Time) (int64, error) {
	if at.IsZero() || micros(at) == 0 {
		return 0, fmt.Errorf("%s at the zero time", what)
	}
	return micros(at), nil
}

// Clients.

const clientColumns = `id, name, secret_hash, auth_method, jwks, redirect_uris, post_logout_uris, scopes, grant_types,
	max_level, subject_type, sector, purpose, created_at, created_by, disabled_at`

func scanClient(row interface{ Scan(...any) error }) (*oidc.Client, error) {
	c := &oidc.Client{}
	var jwks, redirects, logouts, scopes, grants string
	var created, disabled int64
	err := row.Scan(&c.ID, &c.Name, &c.SecretHash, &c.AuthMethod, &jwks, &redirects, &logouts, &scopes, &grants,
		&c.MaxLevel, &c.SubjectType, &c.Sector, &c.Purpose, &created, &c.CreatedBy, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("client")
	}
	if err != nil {
		return nil, err
	}
	c.SecretHash = optBlob(c.SecretHash)
	if jwks != "" {
		c.JWKS = []byte(jwks)
	}
	if c.RedirectURIs, err = parseList(redirects, "client redirect URIs"); err != nil {
		return nil, err
	}
	if c.PostLogoutRedirectURIs, err = parseList(logouts, "client post-logout URIs"); err != nil {
		return nil, err
	}
	if c.Scopes, err = parseList(scopes, "client scopes"); err != nil {
		return nil, err
	}
	if c.GrantTypes, err = parseList(grants, "client grant types"); err != nil {
		return nil, err
	}
	c.CreatedAt, c.DisabledAt = fromMicros(created), optTime(disabled)
	return c, nil
}

func (t *oidcTx) InsertClient(ctx context.Context, c *oidc.Client) error {
	_, err := t.exec(ctx, `INSERT INTO oidc_clients (`+clientColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, blob(c.SecretHash), c.AuthMethod, string(c.JWKS), listText(c.RedirectURIs), listText(c.PostLogoutRedirectURIs),
		listText(c.Scopes), listText(c.GrantTypes), c.MaxLevel, c.SubjectType, c.Sector, c.Purpose,
		micros(c.CreatedAt), c.CreatedBy, optMicros(c.DisabledAt))
	if err != nil && isUniqueViolation(err) {
		return errs.E(errs.Conflict, "client-exists", "a client with the id %s exists", c.ID).With("field", "id")
	}
	return err
}

func (t *oidcTx) ClientByID(ctx context.Context, id string) (*oidc.Client, error) {
	return scanClient(t.row(ctx, `SELECT `+clientColumns+` FROM oidc_clients WHERE id = ?`, id))
}

func (t *oidcTx) Clients(ctx context.Context) ([]oidc.Client, error) {
	rows, err := t.query(ctx, `SELECT `+clientColumns+` FROM oidc_clients ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []oidc.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// DisableClient keeps the first disabling instant of a client disabled
// twice.
func (t *oidcTx) DisableClient(ctx context.Context, id string, at time.Time) error {
	us, err := markMicros("DisableClient", at)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE oidc_clients SET disabled_at = ? WHERE id = ? AND disabled_at = 0`, us, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var one int
	err = t.row(ctx, `SELECT 1 FROM oidc_clients WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("client")
	}
	return err
}

// Authorization requests.

const authRequestColumns = `id, client_id, request, account_id, session_id, auth_time, amr, acr, done, code_hash, created_at, expires_at`

func scanAuthRequest(row interface{ Scan(...any) error }) (*oidc.AuthRequest, error) {
	r := &oidc.AuthRequest{}
	var params, amr string
	var auth, created, expires int64
	var done int
	err := row.Scan(&r.ID, &r.ClientID, &params, &r.AccountID, &r.SessionID, &auth, &amr, &r.ACR, &done, &r.CodeHash, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("authorization request")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
		return nil, fmt.Errorf("decode authorization request %s: %w", r.ID, err)
	}
	if r.AMR, err = parseList(amr, "authorization request amr"); err != nil {
		return nil, err
	}
	r.SessionID, r.CodeHash = optBlob(r.SessionID), optBlob(r.CodeHash)
	r.AuthTime, r.Done = optTime(auth), done != 0
	r.CreatedAt, r.ExpiresAt = fromMicros(created), fromMicros(expires)
	return r, nil
}

func (t *oidcTx) InsertAuthRequest(ctx context.Context, r *oidc.AuthRequest) error {
	params, err := json.Marshal(r.Params)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO oidc_auth_requests (`+authRequestColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.ClientID, string(params), r.AccountID, blob(r.SessionID), optMicros(r.AuthTime), listText(r.AMR), r.ACR,
		boolInt(r.Done), blob(r.CodeHash), micros(r.CreatedAt), micros(r.ExpiresAt))
	if err != nil && isUniqueViolation(err) {
		return errs.E(errs.Conflict, "auth-request-exists", "an authorization request with the id %s exists", r.ID)
	}
	return err
}

func (t *oidcTx) AuthRequestByID(ctx context.Context, id string) (*oidc.AuthRequest, error) {
	return scanAuthRequest(t.row(ctx, `SELECT `+authRequestColumns+` FROM oidc_auth_requests WHERE id = ?`, id))
}

// AuthRequestByCode locks the request in a write transaction, so that of
// two exchanges of one code the second waits for the first and then finds
// the request deleted.
func (t *oidcTx) AuthRequestByCode(ctx context.Context, codeHash []byte) (*oidc.AuthRequest, error) {
	if len(codeHash) == 0 {
		// Requests without a code store an empty hash; none of them matches.
		return nil, notFound("authorization request")
	}
	return scanAuthRequest(t.row(ctx, `SELECT `+authRequestColumns+` FROM oidc_auth_requests WHERE code_hash = ?`+t.lockRows(), codeHash))
}

// UpdateAuthRequest stores the login (account, session, auth_time, amr,
// acr), the consent (done), the code's hash and the expiry, which issuing
// a code shortens; NotFound when the request is gone.
func (t *oidcTx) UpdateAuthRequest(ctx context.Context, r *oidc.AuthRequest) error {
	res, err := t.exec(ctx, `UPDATE oidc_auth_requests SET account_id = ?, session_id = ?, auth_time = ?, amr = ?, acr = ?, done = ?,
		code_hash = ?, expires_at = ? WHERE id = ?`,
		r.AccountID, blob(r.SessionID), optMicros(r.AuthTime), listText(r.AMR), r.ACR, boolInt(r.Done), blob(r.CodeHash),
		micros(r.ExpiresAt), r.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("authorization request")
	}
	return nil
}

// DeleteAuthRequest returns NotFound when there was no request to delete:
// of two concurrent exchanges of one code, the second learns that the code
// was spent.
func (t *oidcTx) DeleteAuthRequest(ctx context.Context, id string) error {
	res, err := t.exec(ctx, `DELETE FROM oidc_auth_requests WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("authorization request")
	}
	return nil
}

func (t *oidcTx) DeleteExpiredAuthRequests(ctx context.Context, at time.Time) error {
	_, err := t.exec(ctx, `DELETE FROM oidc_auth_requests WHERE expires_at < ?`, micros(at))
	return err
}

// Refresh tokens.

const refreshColumns = `hash, id, family, client_id, account_id, scopes, acr, amr, auth_time, created_at, expires_at, used_at, revoked_at`

func (t *oidcTx) InsertRefreshToken(ctx context.Context, r *oidc.RefreshToken) error {
	if len(r.Hash) == 0 {
		return errors.New("InsertRefreshToken: no hash")
	}
	_, err := t.exec(ctx, `INSERT INTO oidc_refresh_tokens (`+refreshColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Hash, r.ID, r.Family, r.ClientID, r.AccountID, listText(r.Scopes), r.ACR, listText(r.AMR),
		micros(r.AuthTime), micros(r.CreatedAt), micros(r.ExpiresAt), optMicros(r.UsedAt), optMicros(r.RevokedAt))
	if err != nil && isUniqueViolation(err) {
		return errs.E(errs.Conflict, "refresh-token-exists", "the refresh token exists")
	}
	return err
}

func (t *oidcTx) RefreshTokenByHash(ctx context.Context, hash []byte) (*oidc.RefreshToken, error) {
	r := &oidc.RefreshToken{}
	var scopes, amr string
	var auth, created, expires, used, revoked int64
	err := t.row(ctx, `SELECT `+refreshColumns+` FROM oidc_refresh_tokens WHERE hash = ?`, blob(hash)).
		Scan(&r.Hash, &r.ID, &r.Family, &r.ClientID, &r.AccountID, &scopes, &r.ACR, &amr, &auth, &created, &expires, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("refresh token")
	}
	if err != nil {
		return nil, err
	}
	if r.Scopes, err = parseList(scopes, "refresh token scopes"); err != nil {
		return nil, err
	}
	if r.AMR, err = parseList(amr, "refresh token amr"); err != nil {
		return nil, err
	}
	r.AuthTime, r.CreatedAt, r.ExpiresAt = fromMicros(auth), fromMicros(created), fromMicros(expires)
	r.UsedAt, r.RevokedAt = optTime(used), optTime(revoked)
	return r, nil
}

// UseRefreshToken is one conditional UPDATE: of concurrent uses, the
// database lets one change the row; the others wait for it (PostgreSQL's
// row lock, SQLite's single writer) and then match nothing. A token that
// does not exist is not used either: false.
func (t *oidcTx) UseRefreshToken(ctx context.Context, hash []byte, at time.Time) (bool, error) {
	us, err := markMicros("UseRefreshToken", at)
	if err != nil {
		return false, err
	}
	res, err := t.exec(ctx, `UPDATE oidc_refresh_tokens SET used_at = ? WHERE hash = ? AND used_at = 0 AND revoked_at = 0`, us, blob(hash))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RevokeFamily keeps the first revocation instant of tokens revoked
// before.
func (t *oidcTx) RevokeFamily(ctx context.Context, family string, at time.Time) error {
	us, err := markMicros("RevokeFamily", at)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE oidc_refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at = 0`, us, family)
	return err
}

// RevokeGrants returns the families of the tokens it revoked, sorted,
// each once; tokens revoked before are left as they were.
func (t *oidcTx) RevokeGrants(ctx context.Context, accountID, clientID string, at time.Time) ([]string, error) {
	us, err := markMicros("RevokeGrants", at)
	if err != nil {
		return nil, err
	}
	q := `UPDATE oidc_refresh_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at = 0`
	args := []any{us, accountID}
	if clientID != "" {
		q += ` AND client_id = ?`
		args = append(args, clientID)
	}
	// RETURNING names exactly the rows this statement revoked, even when
	// tokens are issued concurrently (both backends support it).
	rows, err := t.query(ctx, q+` RETURNING family`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var families []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, err
		}
		families = append(families, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(families)
	return slices.Compact(families), nil
}

// Revocations of access tokens.

// RevokeTokenID keeps the later expiry of an id listed twice.
func (t *oidcTx) RevokeTokenID(ctx context.Context, id string, expires time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO oidc_revoked_tokens (id, expires_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET expires_at = CASE WHEN excluded.expires_at > oidc_revoked_tokens.expires_at
			THEN excluded.expires_at ELSE oidc_revoked_tokens.expires_at END`, id, micros(expires))
	return err
}

func (t *oidcTx) Revoked(ctx context.Context, ids ...string) (bool, error) {
	if len(ids) == 0 {
		return false, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var one int
	err := t.row(ctx, `SELECT 1 FROM oidc_revoked_tokens WHERE id IN (`+marks(len(ids))+`) LIMIT 1`, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (t *oidcTx) DeleteExpiredRevocations(ctx context.Context, at time.Time) error {
	_, err := t.exec(ctx, `DELETE FROM oidc_revoked_tokens WHERE expires_at < ?`, micros(at))
	return err
}

// Consents.

const consentColumns = `account_id, client_id, scopes, granted_at, revoked_at`

func scanConsent(row interface{ Scan(...any) error }) (*oidc.Consent, error) {
	c := &oidc.Consent{}
	var scopes string
	var granted, revoked int64
	err := row.Scan(&c.AccountID, &c.ClientID, &scopes, &granted, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("consent")
	}
	if err != nil {
		return nil, err
	}
	if c.Scopes, err = parseList(scopes, "consent scopes"); err != nil {
		return nil, err
	}
	c.GrantedAt, c.RevokedAt = fromMicros(granted), optTime(revoked)
	return c, nil
}

func (t *oidcTx) Consent(ctx context.Context, accountID, clientID string) (*oidc.Consent, error) {
	return scanConsent(t.row(ctx, `SELECT `+consentColumns+` FROM oidc_consents WHERE account_id = ? AND client_id = ? AND revoked_at = 0`,
		accountID, clientID))
}

// SetConsent replaces what an account agreed with a client, a revoked
// consent included.
func (t *oidcTx) SetConsent(ctx context.Context, c *oidc.Consent) error {
	_, err := t.exec(ctx, `INSERT INTO oidc_consents (`+consentColumns+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at,
			revoked_at = excluded.revoked_at`,
		c.AccountID, c.ClientID, listText(c.Scopes), micros(c.GrantedAt), optMicros(c.RevokedAt))
	return err
}

// Consents lists the consents in force, oldest first.
func (t *oidcTx) Consents(ctx context.Context, accountID string) ([]oidc.Consent, error) {
	rows, err := t.query(ctx, `SELECT `+consentColumns+` FROM oidc_consents WHERE account_id = ? AND revoked_at = 0
		ORDER BY granted_at, client_id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []oidc.Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// RevokeConsent does nothing when there is no consent in force.
func (t *oidcTx) RevokeConsent(ctx context.Context, accountID, clientID string, at time.Time) error {
	us, err := markMicros("RevokeConsent", at)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE oidc_consents SET revoked_at = ? WHERE account_id = ? AND client_id = ? AND revoked_at = 0`,
		us, accountID, clientID)
	return err
}

// Signing keys. A zero RetireAt (stored 0) is a key that signs until
// retired; a zero ExpiresAt one that stays in the JWKS until given an
// expiry.

const signingKeyColumns = `id, alg, private_key, public_jwk, created_at, retire_at, expires_at`

func (t *oidcTx) SigningKeys(ctx context.Context, at time.Time) ([]oidc.SigningKey, error) {
	rows, err := t.query(ctx, `SELECT `+signingKeyColumns+` FROM signing_keys WHERE expires_at = 0 OR expires_at > ?
		ORDER BY created_at DESC, id DESC`, micros(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []oidc.SigningKey
	for rows.Next() {
		var k oidc.SigningKey
		var jwk string
		var created, retire, expires int64
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &jwk, &created, &retire, &expires); err != nil {
			return nil, err
		}
		k.PublicJWK = []byte(jwk)
		k.CreatedAt, k.RetireAt, k.ExpiresAt = fromMicros(created), optTime(retire), optTime(expires)
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *oidcTx) InsertSigningKey(ctx context.Context, k *oidc.SigningKey) error {
	_, err := t.exec(ctx, `INSERT INTO signing_keys (`+signingKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Algorithm, blob(k.PrivateKey), string(k.PublicJWK), micros(k.CreatedAt), optMicros(k.RetireAt), optMicros(k.ExpiresAt))
	if err != nil && isUniqueViolation(err) {
		return errs.E(errs.Conflict, "signing-key-exists", "a signing key with the id %s exists", k.ID)
	}
	return err
}

// RetireSigningKeys leaves the keys that retire before t as they are.
func (t *oidcTx) RetireSigningKeys(ctx context.Context, at, expires time.Time) error {
	us, err := markMicros("RetireSigningKeys", at)
	if err != nil {
		return err
	}
	exp, err := markMicros("RetireSigningKeys", expires)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE signing_keys SET retire_at = ?,
		expires_at = CASE WHEN expires_at = 0 OR expires_at > ? THEN ? ELSE expires_at END
		WHERE retire_at = 0 OR retire_at > ?`, us, exp, exp, us)
	return err
}
