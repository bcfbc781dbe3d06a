-- Initial loads of millions of people build every index whose keys arrive
-- in random order after the rows are in (see sqlstore/bulk.go). SQLite
-- cannot drop the index behind an inline UNIQUE, so the uniqueness of
-- personal ID numbers and event ids becomes a named unique index; the
-- tables are rebuilt for that, the documented way (foreign keys off,
-- outside a transaction, then the copy in one transaction). Every step can
-- run again if the migration is interrupted.
--
-- bulk_loads marks a registry while an initial load has indexes dropped:
-- a registry whose load was interrupted is refused until it is loaded
-- again from the start.

-- +goose NO TRANSACTION
-- +goose Up
PRAGMA foreign_keys = OFF;

-- +goose StatementBegin
BEGIN IMMEDIATE;
CREATE TABLE citizens_rebuilt (
    person_key    INTEGER PRIMARY KEY REFERENCES persons (person_key),
    pid           TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    birth_from    TEXT NOT NULL,
    birth_to      TEXT NOT NULL,
    status        TEXT NOT NULL,
    mother_key    INTEGER,
    father_key    INTEGER,
    version       INTEGER NOT NULL,
    record        TEXT NOT NULL,
    quality_flags INTEGER NOT NULL DEFAULT 0,
    quality_score INTEGER NOT NULL DEFAULT 100,
    alive_from    TEXT NOT NULL DEFAULT ''
);
INSERT INTO citizens_rebuilt (person_key, pid, full_name, birth_from, birth_to, status, mother_key, father_key,
        version, record, quality_flags, quality_score, alive_from)
    SELECT person_key, pid, full_name, birth_from, birth_to, status, mother_key, father_key,
        version, record, quality_flags, quality_score, alive_from FROM citizens;
DROP TABLE citizens;
ALTER TABLE citizens_rebuilt RENAME TO citizens;
CREATE UNIQUE INDEX citizens_pid ON citizens (pid);
CREATE INDEX citizens_birth ON citizens (birth_from, birth_to);
CREATE INDEX citizens_mother ON citizens (mother_key) WHERE mother_key IS NOT NULL;
CREATE INDEX citizens_father ON citizens (father_key) WHERE father_key IS NOT NULL;
CREATE INDEX citizens_quality ON citizens (quality_score, person_key);
CREATE INDEX citizens_alive_from ON citizens (alive_from) WHERE alive_from <> '';

CREATE TABLE events_rebuilt (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL,
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
INSERT INTO events_rebuilt (seq, id, type, subject_key, effective, effective_from, recorded_at, officer,
        legal_basis, reason, data, parties)
    SELECT seq, id, type, subject_key, effective, effective_from, recorded_at, officer,
        legal_basis, reason, data, parties FROM events;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
CREATE UNIQUE INDEX events_id ON events (id);

CREATE TABLE IF NOT EXISTS bulk_loads (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    kind       TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    -- what the load removed and must rebuild, as JSON
    plan       TEXT NOT NULL
);
COMMIT;
-- +goose StatementEnd

PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;

-- +goose StatementBegin
BEGIN IMMEDIATE;
DROP TABLE bulk_loads;
CREATE TABLE events_rebuilt (
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
INSERT INTO events_rebuilt SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
CREATE TABLE citizens_rebuilt (
    person_key    INTEGER PRIMARY KEY REFERENCES persons (person_key),
    pid           TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    birth_from    TEXT NOT NULL,
    birth_to      TEXT NOT NULL,
    status        TEXT NOT NULL,
    mother_key    INTEGER,
    father_key    INTEGER,
    version       INTEGER NOT NULL,
    record        TEXT NOT NULL,
    quality_flags INTEGER NOT NULL DEFAULT 0,
    quality_score INTEGER NOT NULL DEFAULT 100,
    alive_from    TEXT NOT NULL DEFAULT ''
);
INSERT INTO citizens_rebuilt SELECT * FROM citizens;
DROP TABLE citizens;
ALTER TABLE citizens_rebuilt RENAME TO citizens;
CREATE INDEX citizens_birth ON citizens (birth_from, birth_to);
CREATE INDEX citizens_mother ON citizens (mother_key) WHERE mother_key IS NOT NULL;
CREATE INDEX citizens_father ON citizens (father_key) WHERE father_key IS NOT NULL;
CREATE INDEX citizens_quality ON citizens (quality_score, person_key);
CREATE INDEX citizens_alive_from ON citizens (alive_from) WHERE alive_from <> '';
COMMIT;
-- +goose StatementEnd

PRAGMA foreign_keys = ON;
