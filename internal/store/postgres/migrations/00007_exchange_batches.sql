-- Batch verification jobs of the data-sharing gateway. The input and the
-- results are files under DATA/batches; a row is a job's checkpoint: how
-- far its input was read and how much of its results is final.

-- +goose Up
CREATE TABLE exchange_batches (
    id           TEXT PRIMARY KEY,
    system_id    TEXT NOT NULL REFERENCES exchange_systems (id),
    member_id    TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    format       TEXT NOT NULL CHECK (format IN ('csv', 'jsonl')),
    status       TEXT NOT NULL CHECK (status IN ('uploading', 'queued', 'running', 'done', 'cancelled', 'failed')),
    input_size   BIGINT NOT NULL,
    input_offset BIGINT NOT NULL,
    results_size BIGINT NOT NULL,
    total        BIGINT NOT NULL,
    done         BIGINT NOT NULL,
    counts       TEXT NOT NULL, -- JSON: records by result
    error        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL,
    lease_until  BIGINT NOT NULL,
    version      BIGINT NOT NULL
);
CREATE INDEX exchange_batches_work ON exchange_batches (status, lease_until);

-- +goose Down
DROP TABLE exchange_batches;
