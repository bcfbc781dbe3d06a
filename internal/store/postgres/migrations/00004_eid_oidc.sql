-- e-ID accounts and the OpenID Provider (internal/eid, internal/oidc).
-- Secrets are never stored as given: passwords as argon2id hashes, session
-- tokens, one-time codes, refresh tokens and client secrets as keyed
-- hashes, TOTP secrets and signing keys encrypted with the master key.

-- +goose Up
CREATE TABLE eid_accounts (
    id            TEXT PRIMARY KEY,
    person_key    BIGINT NOT NULL REFERENCES persons (person_key),
    level         INTEGER NOT NULL CHECK (level IN (1, 2)),
    -- pending: enrolled in person, waiting for the citizen to activate it
    status        TEXT NOT NULL CHECK (status IN ('pending', 'active', 'locked', 'closed')),
    status_reason TEXT NOT NULL,
    password_hash TEXT NOT NULL, -- '' while pending
    phone         TEXT NOT NULL, -- verified contacts, '' when none
    email         TEXT NOT NULL,
    notify_logins INTEGER NOT NULL,
    guardian_id   TEXT NOT NULL, -- the parent's account that registered a child, ''
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    level2_at     BIGINT NOT NULL, -- last in-person verification, 0 never
    level2_by     TEXT NOT NULL,
    version       BIGINT NOT NULL
);
-- A citizen has at most one account that is not closed.
CREATE UNIQUE INDEX eid_accounts_person ON eid_accounts (person_key) WHERE status <> 'closed';

CREATE TABLE eid_credentials (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES eid_accounts (id),
    kind          TEXT NOT NULL CHECK (kind IN ('totp', 'passkey')),
    name          TEXT NOT NULL,
    -- TOTP: the secret, encrypted; passkey: the WebAuthn credential (JSON)
    secret        BYTEA NOT NULL,
    credential_id BYTEA NOT NULL, -- WebAuthn credential id; empty for TOTP
    last_step     BIGINT NOT NULL, -- TOTP: the last time step used, against replays
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL
);
CREATE INDEX eid_credentials_account ON eid_credentials (account_id);

CREATE TABLE eid_sessions (
    id           BYTEA PRIMARY KEY, -- keyed hash of the cookie's token
    account_id   TEXT NOT NULL REFERENCES eid_accounts (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    auth_time    BIGINT NOT NULL, -- the latest authentication in the session
    level        INTEGER NOT NULL, -- assurance reached in the session
    amr          TEXT NOT NULL, -- JSON list (RFC 8176)
    address      TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    ended_at     BIGINT NOT NULL, -- 0 while open
    end_reason   TEXT NOT NULL
);
CREATE INDEX eid_sessions_account ON eid_sessions (account_id);

CREATE TABLE eid_challenges (
    id          TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL,
    person_key  BIGINT NOT NULL,
    account_id  TEXT NOT NULL,
    destination TEXT NOT NULL,
    code_hash   BYTEA NOT NULL,
    attempts    INTEGER NOT NULL,
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL
);

CREATE TABLE eid_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_failure BIGINT NOT NULL
);

CREATE TABLE eid_audit (
    id         BIGSERIAL PRIMARY KEY,
    at         BIGINT NOT NULL,
    account_id TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX eid_audit_account ON eid_audit (account_id, at);

CREATE TABLE oidc_clients (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    secret_hash      BYTEA NOT NULL, -- keyed hash; empty for private_key_jwt clients
    auth_method      TEXT NOT NULL CHECK (auth_method IN ('client_secret_basic', 'private_key_jwt')),
    jwks             TEXT NOT NULL, -- public keys of private_key_jwt clients
    redirect_uris    TEXT NOT NULL, -- JSON lists
    post_logout_uris TEXT NOT NULL,
    scopes           TEXT NOT NULL,
    grant_types      TEXT NOT NULL,
    max_level        INTEGER NOT NULL,
    subject_type     TEXT NOT NULL CHECK (subject_type IN ('public', 'pairwise')),
    sector           TEXT NOT NULL,
    purpose          TEXT NOT NULL, -- why it asks, shown on the consent page
    created_at       BIGINT NOT NULL,
    created_by       TEXT NOT NULL,
    disabled_at      BIGINT NOT NULL
);

CREATE TABLE oidc_auth_requests (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    request    TEXT NOT NULL, -- the authorization request's parameters (JSON)
    account_id TEXT NOT NULL,
    session_id BYTEA NOT NULL,
    auth_time  BIGINT NOT NULL,
    amr        TEXT NOT NULL,
    acr        TEXT NOT NULL,
    done       INTEGER NOT NULL,
    code_hash  BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_auth_requests_code ON oidc_auth_requests (code_hash);

CREATE TABLE oidc_refresh_tokens (
    hash       BYTEA PRIMARY KEY, -- keyed hash of the token
    id         TEXT NOT NULL,
    family     TEXT NOT NULL, -- every token rotated from one grant
    client_id  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    acr        TEXT NOT NULL,
    amr        TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL, -- rotated: presenting it again revokes the family
    revoked_at BIGINT NOT NULL
);
CREATE INDEX oidc_refresh_tokens_family ON oidc_refresh_tokens (family);
CREATE INDEX oidc_refresh_tokens_account ON oidc_refresh_tokens (account_id, client_id);

-- Access tokens are signed JWTs checked without the database; a revoked
-- one is listed here until it would have expired.
CREATE TABLE oidc_revoked_tokens (
    id         TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

CREATE TABLE oidc_consents (
    account_id TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    private_key BYTEA NOT NULL, -- encrypted with the master key
    public_jwk  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retire_at   BIGINT NOT NULL, -- stops signing then
    expires_at  BIGINT NOT NULL  -- leaves the JWKS then: nothing it signed is valid
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE oidc_consents;
DROP TABLE oidc_revoked_tokens;
DROP TABLE oidc_refresh_tokens;
DROP TABLE oidc_auth_requests;
DROP TABLE oidc_clients;
DROP TABLE eid_audit;
DROP TABLE eid_throttle;
DROP TABLE eid_challenges;
DROP TABLE eid_sessions;
DROP TABLE eid_credentials;
DROP TABLE eid_accounts;
