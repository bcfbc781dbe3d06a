-- Mobile numbers telco subscriber batches confirmed, and for whom: when a
-- number is confirmed for another person, the earlier holder's link ends.

-- +goose Up
CREATE TABLE exchange_telco_numbers (
    number       TEXT PRIMARY KEY,
    person_key   BIGINT NOT NULL,
    pid          TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE exchange_telco_numbers;
