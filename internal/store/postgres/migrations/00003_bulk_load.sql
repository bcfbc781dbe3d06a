-- bulk_loads marks a registry while an initial load has its indexes and
-- constraints dropped (see sqlstore/bulk.go): a registry whose load was
-- interrupted is refused until it is loaded again from the start.

-- +goose Up
CREATE TABLE bulk_loads (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    kind       TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    -- what the load removed and must rebuild, as JSON
    plan       TEXT NOT NULL
);

-- +goose Down
DROP TABLE bulk_loads;
