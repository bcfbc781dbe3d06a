-- The population registry: persons, their numbers, events and the current
-- records folded from them; officers; access log; outbox; idempotency keys.
-- Times are Unix microseconds (UTC); civil dates are ISO text, which sorts
-- as the dates do.

-- +goose Up
CREATE TABLE persons (
    person_key INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE identity_aliases (
    number     TEXT PRIMARY KEY,
    person_key INTEGER NOT NULL REFERENCES persons (person_key),
    kind       TEXT NOT NULL CHECK (kind IN ('pid', 'legacy', 'retired')),
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL,
    event_id   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX identity_aliases_person ON identity_aliases (person_key);

CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    subject_key    INTEGER NOT NULL REFERENCES persons (person_key),
    effective      TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    recorded_at    INTEGER NOT NULL,
    officer        TEXT NOT NULL,
    legal_basis    TEXT NOT NULL,
    reason         TEXT NOT NULL,
    data           TEXT NOT NULL,
    parties        TEXT NOT NULL
);

CREATE TABLE event_parties (
    person_key     INTEGER NOT NULL REFERENCES persons (person_key),
    effective_from TEXT NOT NULL,
    seq            INTEGER NOT NULL REFERENCES events (seq),
    PRIMARY KEY (person_key, effective_from, seq)
) WITHOUT ROWID;

CREATE TABLE citizens (
    person_key INTEGER PRIMARY KEY REFERENCES persons (person_key),
    pid        TEXT NOT NULL UNIQUE,
    full_name  TEXT NOT NULL,
    birth_from TEXT NOT NULL,
    birth_to   TEXT NOT NULL,
    status     TEXT NOT NULL,
    mother_key INTEGER,
    father_key INTEGER,
    version    INTEGER NOT NULL,
    record     TEXT NOT NULL
);
CREATE INDEX citizens_birth ON citizens (birth_from, birth_to);
CREATE INDEX citizens_mother ON citizens (mother_key) WHERE mother_key IS NOT NULL;
CREATE INDEX citizens_father ON citizens (father_key) WHERE father_key IS NOT NULL;

CREATE TABLE citizen_names (
    name_folded TEXT NOT NULL,
    person_key  INTEGER NOT NULL REFERENCES persons (person_key),
    PRIMARY KEY (name_folded, person_key)
) WITHOUT ROWID;
CREATE INDEX citizen_names_person ON citizen_names (person_key);

CREATE TABLE citizen_units (
    unit       TEXT NOT NULL,
    person_key INTEGER NOT NULL REFERENCES persons (person_key),
    -- last day the unit has authority, '' while open: an expired temporary
    -- residence stops counting without a new event
    until      TEXT NOT NULL,
    PRIMARY KEY (unit, person_key)
) WITHOUT ROWID;
CREATE INDEX citizen_units_person ON citizen_units (person_key);

CREATE TABLE households (
    id      TEXT PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('permanent', 'temporary')),
    place   TEXT NOT NULL,
    address TEXT NOT NULL,
    created TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE household_members (
    household_id TEXT NOT NULL REFERENCES households (id),
    person_key   INTEGER NOT NULL REFERENCES persons (person_key),
    period       INTEGER NOT NULL,
    relation     TEXT NOT NULL,
    from_date    TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    PRIMARY KEY (household_id, person_key, period)
) WITHOUT ROWID;
CREATE INDEX household_members_person ON household_members (person_key);

CREATE TABLE idempotency_keys (
    actor_id     TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    location     TEXT NOT NULL,
    person_key   INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (actor_id, key)
) WITHOUT ROWID;

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL UNIQUE,
    subject      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    published_at INTEGER
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    role       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    person_key INTEGER NOT NULL,
    fields     TEXT NOT NULL,
    action     TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX access_log_person ON access_log (person_key, at);

CREATE TABLE officers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at INTEGER NOT NULL
);

CREATE TABLE officer_audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    officer_id TEXT NOT NULL,
    detail     TEXT NOT NULL
);

-- +goose Down
DROP TABLE officer_audit;
DROP TABLE officers;
DROP TABLE access_log;
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE household_members;
DROP TABLE households;
DROP TABLE citizen_units;
DROP TABLE citizen_names;
DROP TABLE citizens;
DROP TABLE event_parties;
DROP TABLE events;
DROP TABLE identity_aliases;
DROP TABLE persons;
