-- SQLite splits its access log into reads and entries here (see its
-- migration 12). PostgreSQL keeps one row per entry: its writers commit
-- side by side, numbered afterwards by the sequencer, and its log is
-- partitioned by month. This version does nothing on it, so the two
-- backends keep the same migration numbers.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
