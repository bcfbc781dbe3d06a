-- The access log is partitioned by month (of `at`, Unix microseconds), so
-- old months can be archived or dropped whole and the indexes of the
-- month being written stay small. sqlstore.EnsureAccessLogPartitions
-- creates each month's partition ahead (at start and every day); a
-- default partition takes any row no month partition covers, so no write
-- or read ever fails for want of one. A partitioned table's unique
-- indexes must contain the partition key: the primary key becomes
-- (id, at), and the sequencer's numbers are unique by construction (one
-- sequencer numbers them consecutively) rather than by an index.

-- +goose Up
CREATE SEQUENCE access_log_id_seq_p;

CREATE TABLE access_log_p (
    id           BIGINT NOT NULL DEFAULT nextval('access_log_id_seq_p'),
    at           BIGINT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    role         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    person_key   BIGINT NOT NULL,
    fields       TEXT NOT NULL,
    action       TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    member       TEXT NOT NULL DEFAULT '',
    legal_basis  TEXT NOT NULL DEFAULT '',
    result       TEXT NOT NULL DEFAULT '',
    visible_from BIGINT NOT NULL DEFAULT 0,
    seq          BIGINT,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE access_log_default PARTITION OF access_log_p DEFAULT;

INSERT INTO access_log_p (id, at, actor_kind, actor_id, role, unit, purpose, person_key, fields, action, request_id, member, legal_basis, result, visible_from, seq)
SELECT id, at, actor_kind, actor_id, role, unit, purpose, person_key, fields, action, request_id, member, legal_basis, result, visible_from, seq FROM access_log;
SELECT setval('access_log_id_seq_p', COALESCE((SELECT max(id) FROM access_log_p), 0) + 1, false);

DROP TABLE access_log;
ALTER TABLE access_log_p RENAME TO access_log;
ALTER SEQUENCE access_log_id_seq_p RENAME TO access_log_id_seq;
ALTER SEQUENCE access_log_id_seq OWNED BY access_log.id;
CREATE INDEX access_log_person ON access_log (person_key, at);
CREATE INDEX access_log_seq ON access_log (seq);
CREATE INDEX access_log_unsequenced ON access_log (id) WHERE seq IS NULL;

-- +goose Down
-- Partitioning is not undone: the rows stay where they are.
SELECT 1;
