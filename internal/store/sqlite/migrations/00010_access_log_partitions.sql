-- PostgreSQL partitions the access log by month here; SQLite keeps one
-- table (it has no partitions), so this version does nothing on it and
-- the two backends keep the same migration numbers.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
