-- The data-sharing gateway (internal/exchange): member organisations,
-- their systems and the security gate they pass, purpose-bound grants,
-- citizens' consents, and metered use. The access log gains what a read
-- through the gateway adds: the member, the legal basis, the answer, and
-- when the person may see it.

-- +goose Up
CREATE TABLE exchange_members (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE exchange_systems (
    id         TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES exchange_members (id),
    name       TEXT NOT NULL,
    client_id  TEXT NOT NULL UNIQUE,
    stage      TEXT NOT NULL CHECK (stage IN ('applied', 'assessment', 'approved', 'active', 'suspended', 'revoked')),
    checklist  TEXT NOT NULL, -- JSON: the security assessment's items
    rate_limit REAL NOT NULL, -- requests per second, 0 for the default
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    BIGINT NOT NULL
);
CREATE INDEX exchange_systems_member ON exchange_systems (member_id);

CREATE TABLE exchange_system_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    system_id  TEXT NOT NULL REFERENCES exchange_systems (id),
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    note       TEXT NOT NULL
);
CREATE INDEX exchange_system_history_system ON exchange_system_history (system_id, id);

CREATE TABLE exchange_grants (
    id               TEXT PRIMARY KEY,
    member_id        TEXT NOT NULL REFERENCES exchange_members (id),
    purpose          TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    operations       TEXT NOT NULL, -- JSON list
    fields           TEXT NOT NULL, -- JSON list
    valid_from       BIGINT NOT NULL,
    valid_until      BIGINT NOT NULL,
    consent_required INTEGER NOT NULL,
    withhold_days    INTEGER NOT NULL,
    created_at       BIGINT NOT NULL,
    created_by       TEXT NOT NULL,
    revoked_at       BIGINT NOT NULL
);
CREATE INDEX exchange_grants_member ON exchange_grants (member_id, purpose);

CREATE TABLE exchange_consents (
    person_key BIGINT NOT NULL REFERENCES persons (person_key),
    member_id  TEXT NOT NULL REFERENCES exchange_members (id),
    purpose    TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL, -- 0: until revoked
    revoked_at BIGINT NOT NULL,
    PRIMARY KEY (person_key, member_id, purpose)
);

CREATE TABLE exchange_usage (
    member_id TEXT NOT NULL,
    system_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    month     TEXT NOT NULL, -- YYYY-MM in Asia/Ho_Chi_Minh
    count     BIGINT NOT NULL,
    PRIMARY KEY (month, member_id, system_id, operation)
);

ALTER TABLE access_log ADD COLUMN member TEXT NOT NULL DEFAULT '';
ALTER TABLE access_log ADD COLUMN legal_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE access_log ADD COLUMN result TEXT NOT NULL DEFAULT '';
ALTER TABLE access_log ADD COLUMN visible_from BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE access_log DROP COLUMN visible_from;
ALTER TABLE access_log DROP COLUMN result;
ALTER TABLE access_log DROP COLUMN legal_basis;
ALTER TABLE access_log DROP COLUMN member;
DROP TABLE exchange_usage;
DROP TABLE exchange_consents;
DROP TABLE exchange_grants;
DROP TABLE exchange_system_history;
DROP TABLE exchange_systems;
DROP TABLE exchange_members;
