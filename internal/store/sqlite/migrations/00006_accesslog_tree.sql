-- The access log's place in its Merkle tree (internal/accesslog): the
-- sequencer numbers entries in the order it folds them into the tree
-- (ids may commit out of order on PostgreSQL, so they cannot be the
-- order), keeps the tree's compact state in one row, and records the
-- checkpoints it signs. Checkpoints are also written outside the
-- database, which is what makes a rebuilt log detectable.

-- +goose Up
ALTER TABLE access_log ADD COLUMN seq BIGINT;
CREATE UNIQUE INDEX access_log_seq ON access_log (seq);
CREATE INDEX access_log_unsequenced ON access_log (id) WHERE seq IS NULL;

CREATE TABLE accesslog_tree (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  BIGINT NOT NULL,
    state BLOB NOT NULL
);

CREATE TABLE accesslog_checkpoints (
    size   BIGINT PRIMARY KEY,
    at     BIGINT NOT NULL,
    signed TEXT NOT NULL
);

-- +goose Down
DROP TABLE accesslog_checkpoints;
DROP TABLE accesslog_tree;
DROP INDEX access_log_unsequenced;
DROP INDEX access_log_seq;
ALTER TABLE access_log DROP COLUMN seq;
