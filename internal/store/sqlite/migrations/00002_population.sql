-- National scale: data-quality marks next to each record, resumable
-- imports, duplicate candidates and the maker–checker merge workflow.

-- +goose Up
ALTER TABLE citizens ADD COLUMN quality_flags INTEGER NOT NULL DEFAULT 0;
ALTER TABLE citizens ADD COLUMN quality_score INTEGER NOT NULL DEFAULT 100;
-- first day a time-dependent rule fires without any new event ('' never)
ALTER TABLE citizens ADD COLUMN alive_from TEXT NOT NULL DEFAULT '';
-- the worst records first, for officers to fix
CREATE INDEX citizens_quality ON citizens (quality_score, person_key);
-- records a time-dependent rule will overtake, re-assessed by reports
CREATE INDEX citizens_alive_from ON citizens (alive_from) WHERE alive_from <> '';

CREATE TABLE import_runs (
    file_id     TEXT PRIMARY KEY, -- sha256 of the file's content
    name        TEXT NOT NULL,
    format      TEXT NOT NULL,
    next_offset INTEGER NOT NULL, -- where the first record not yet loaded starts
    next_line   INTEGER NOT NULL,
    records     INTEGER NOT NULL,
    loaded      INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL -- 0 while unfinished
) WITHOUT ROWID;

CREATE TABLE duplicate_candidates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    a_key      INTEGER NOT NULL REFERENCES persons (person_key),
    b_key      INTEGER NOT NULL REFERENCES persons (person_key),
    score      REAL NOT NULL,
    likely     INTEGER NOT NULL, -- 1 when the score is above the duplicate threshold
    reasons    TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'rejected', 'proposed', 'merged')),
    found_at   INTEGER NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    UNIQUE (a_key, b_key)
);
CREATE INDEX duplicate_candidates_b ON duplicate_candidates (b_key);
CREATE INDEX duplicate_candidates_open ON duplicate_candidates (status, score);

CREATE TABLE merge_requests (
    id            TEXT PRIMARY KEY,
    survivor_key  INTEGER NOT NULL REFERENCES persons (person_key),
    merged_key    INTEGER NOT NULL REFERENCES persons (person_key),
    candidate_id  INTEGER NOT NULL, -- 0 when proposed without a candidate
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'unmerged')),
    proposed_by   TEXT NOT NULL,
    proposed_at   INTEGER NOT NULL,
    decided_by    TEXT NOT NULL,
    decided_at    INTEGER NOT NULL,
    note          TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX merge_requests_persons ON merge_requests (survivor_key, merged_key);

-- +goose Down
DROP TABLE merge_requests;
DROP TABLE duplicate_candidates;
DROP TABLE import_runs;
DROP INDEX citizens_alive_from;
DROP INDEX citizens_quality;
ALTER TABLE citizens DROP COLUMN alive_from;
ALTER TABLE citizens DROP COLUMN quality_score;
ALTER TABLE citizens DROP COLUMN quality_flags;
