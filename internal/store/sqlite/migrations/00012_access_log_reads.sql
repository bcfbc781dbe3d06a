-- An access-log entry is a read (who read, for what purpose and legal
-- basis, which fields, in which request) and the person read, when, with
-- what result. A batch chunk, a search or an export is one read of many
-- people, so SQLite keeps each read once and each entry as its number,
-- read, person, time and result: a tenth of the bytes per entry, which
-- is most of what a 10-million-record batch verification writes. The
-- entry's number is its rowid (one B-tree, not a table and an index).
-- access_log becomes a view with the columns it had, so every reader,
-- the sequencer and `dancu accesslog verify` read entries as before, and
-- the leaf hashes are computed over the same values.
--
-- PostgreSQL keeps one wide row per entry (its migration 12 does
-- nothing): its writers commit side by side and its log is partitioned
-- by month, and a read shared across partitions would outlive them.

-- +goose Up
CREATE TABLE access_reads (
    id           INTEGER PRIMARY KEY,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    role         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    fields       TEXT NOT NULL,
    action       TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    member       TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    visible_from INTEGER NOT NULL
);

-- No foreign key to access_reads: entries and their read are written in
-- one transaction by the one writer, and a check per entry would cost
-- what the narrow row saves. An entry whose read went missing drops out
-- of the view, which the tree's verification reports as a removed entry.
CREATE TABLE access_entries (
    seq        INTEGER PRIMARY KEY,
    read_id    INTEGER NOT NULL,
    person_key INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    result     TEXT NOT NULL
);

INSERT INTO access_reads (id, actor_kind, actor_id, role, unit, purpose, fields, action, request_id, member, legal_basis, visible_from)
SELECT id, actor_kind, actor_id, role, unit, purpose, fields, action, request_id, member, legal_basis, visible_from FROM access_log ORDER BY id;

-- Every entry is numbered by now (migration 11); one that was not would
-- take the next number, after the numbered ones, as the sequencer would.
INSERT INTO access_entries (seq, read_id, person_key, at, result)
SELECT seq, id, person_key, at, result FROM access_log ORDER BY seq IS NULL, seq, id;

DROP TABLE access_log;
CREATE INDEX access_entries_person ON access_entries (person_key, at);

CREATE VIEW access_log AS
SELECT e.seq AS id, e.seq, e.at, r.actor_kind, r.actor_id, r.role, r.unit, r.purpose, e.person_key, r.fields, r.action,
       r.request_id, r.member, r.legal_basis, e.result, r.visible_from
FROM access_entries AS e JOIN access_reads AS r ON r.id = e.read_id;

-- +goose Down
DROP VIEW access_log;
CREATE TABLE access_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    role         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    person_key   INTEGER NOT NULL,
    fields       TEXT NOT NULL,
    action       TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    member       TEXT NOT NULL DEFAULT '',
    legal_basis  TEXT NOT NULL DEFAULT '',
    result       TEXT NOT NULL DEFAULT '',
    visible_from BIGINT NOT NULL DEFAULT 0,
    seq          BIGINT
);
INSERT INTO access_log (id, at, actor_kind, actor_id, role, unit, purpose, person_key, fields, action, request_id, member, legal_basis, result, visible_from, seq)
SELECT e.seq, e.at, r.actor_kind, r.actor_id, r.role, r.unit, r.purpose, e.person_key, r.fields, r.action, r.request_id, r.member, r.legal_basis, e.result, r.visible_from, e.seq
FROM access_entries AS e JOIN access_reads AS r ON r.id = e.read_id ORDER BY e.seq;
CREATE INDEX access_log_person ON access_log (person_key, at);
CREATE UNIQUE INDEX access_log_seq ON access_log (seq);
CREATE INDEX access_log_unsequenced ON access_log (id) WHERE seq IS NULL;
DROP TABLE access_entries;
DROP TABLE access_reads;
