-- SQLite numbers access-log entries for the Merkle tree as they are
-- written (one writer at a time: the order they commit in is known), so
-- the sequencer no longer rewrites each row. Entries written before this
-- version and not yet numbered are numbered here, in id order, as the
-- sequencer would have done.

-- +goose Up
UPDATE access_log SET seq = n.seq
FROM (SELECT id, (SELECT COALESCE(max(seq), 0) FROM access_log) + row_number() OVER (ORDER BY id) AS seq
      FROM access_log WHERE seq IS NULL) AS n
WHERE access_log.id = n.id;

-- +goose Down
SELECT 1;
