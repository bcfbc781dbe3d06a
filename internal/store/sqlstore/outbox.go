package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"dancu/internal/events"
)

// outboxLock is the advisory lock key of the outbox publisher.
const outboxLock = 0x64616e6376 // "dancv"

// PublishPending implements events.OutboxStore: rows are chosen by "not
// yet published", never by ids above the last one, since ids commit out
// of order on PostgreSQL.
func (db *DB) PublishPending(ctx context.Context, limit int, publish func([]events.Message) ([]string, error)) (int, error) {
	var marked int
	var publishErr error
	err := db.update(ctx, func(tx *sql.Tx) error {
		marked, publishErr = 0, nil
		if db.Dialect.Name == "postgres" {
			var got bool
			if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, outboxLock).Scan(&got); err != nil {
				return err
			}
			if !got {
				return events.ErrPublisherBusy
			}
		}
		rows, err := tx.QueryContext(ctx, db.q(`SELECT id, event_id, subject, payload, created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?`), limit)
		if err != nil {
			return err
		}
		var msgs []events.Message
		ids := map[string]int64{}
		for rows.Next() {
			var m events.Message
			var id, created int64
			var payload string
			if err := rows.Scan(&id, &m.EventID, &m.Subject, &payload, &created); err != nil {
				rows.Close()
				return err
			}
			m.Payload, m.CreatedAt = []byte(payload), fromMicros(created)
			msgs = append(msgs, m)
			ids[m.EventID] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(msgs) == 0 {
			return err
		}
		done, perr := publish(msgs)
		publishErr = perr
		now := micros(time.Now())
		for _, eid := range done {
			if _, err := db.txExec(ctx, db.Write, tx, `UPDATE outbox SET published_at = ? WHERE id = ?`, now, ids[eid]); err != nil {
				return err
			}
			marked++
		}
		// What was published is marked even when the rest failed (so
		// the transaction commits): the rest is tried again next round,
		// and the failure reported after the commit.
		return nil
	})
	if err != nil {
		return marked, err
	}
	return marked, publishErr
}
