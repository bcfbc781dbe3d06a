-- SQLite numbers access-log entries as they are written (its version 11);
-- PostgreSQL's writers commit side by side, so its sequencer still numbers
-- them after the fact. Nothing changes here: the two backends keep the
-- same migration numbers.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
