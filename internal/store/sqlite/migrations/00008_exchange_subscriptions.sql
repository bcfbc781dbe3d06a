-- Change subscriptions of the data-sharing gateway: who subscribes to
-- what (a watch list of people, by internal key, or a region), and a row
-- per event to deliver to each, which webhook delivery, retries, the
-- dead-letter list and replay work from.

-- +goose Up
CREATE TABLE exchange_subscriptions (
    id            TEXT PRIMARY KEY,
    member_id     TEXT NOT NULL,
    system_id     TEXT NOT NULL REFERENCES exchange_systems (id),
    purpose       TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    event_types   TEXT NOT NULL, -- JSON list
    unit          TEXT NOT NULL, -- '' for a watch list
    url           TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    created_at    BIGINT NOT NULL,
    active        INTEGER NOT NULL
);
CREATE INDEX exchange_subscriptions_unit ON exchange_subscriptions (unit) WHERE unit <> '';

CREATE TABLE exchange_watch (
    subscription_id TEXT NOT NULL REFERENCES exchange_subscriptions (id),
    person_key      BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, person_key)
);
CREATE INDEX exchange_watch_person ON exchange_watch (person_key);

CREATE TABLE exchange_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id TEXT NOT NULL REFERENCES exchange_subscriptions (id),
    event_id        TEXT NOT NULL,
    type            TEXT NOT NULL,
    person_key      BIGINT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL,
    next_at         BIGINT NOT NULL,
    last_error      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT NOT NULL,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX exchange_deliveries_due ON exchange_deliveries (next_at) WHERE status = 'pending';

-- +goose Down
DROP TABLE exchange_deliveries;
DROP TABLE exchange_watch;
DROP TABLE exchange_subscriptions;
