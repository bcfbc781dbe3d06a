package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// partitionLock is the advisory lock key of partition creation.
const partitionLock = 0x64616e6377

// PartitionsAhead is how many months after the current one have their
// access-log partition created in advance.
const PartitionsAhead = 2

// EnsureAccessLogPartitions creates the access log's monthly partitions
// (UTC months of `at`) from the current month to PartitionsAhead months
// ahead, on PostgreSQL; SQLite has none. A month whose rows already went
// to the default partition (the month of a migration, a server that was
// down at a month's turn) gets them moved into its new partition in the
// same transaction, since a partition cannot be attached over rows the
// default holds.
func (db *DB) EnsureAccessLogPartitions(ctx context.Context, now time.Time) error {
	if db.Dialect.Name != "postgres" {
		return nil
	}
	first := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := range PartitionsAhead + 1 {
		from, to := first.AddDate(0, i, 0), first.AddDate(0, i+1, 0)
		name := fmt.Sprintf("access_log_%04d_%02d", from.Year(), int(from.Month()))
		err := db.update(ctx, func(tx *sql.Tx) error {
			// Two processes starting at once must not both create it.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, partitionLock); err != nil {
				return err
			}
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1)`, name).Scan(&exists); err != nil || exists {
				return err
			}
			lo, hi := from.UnixMicro(), to.UnixMicro()
			for _, q := range []string{
				fmt.Sprintf(`CREATE TABLE %s (LIKE access_log INCLUDING DEFAULTS)`, name),
				fmt.Sprintf(`WITH moved AS (DELETE FROM access_log_default WHERE at >= %d AND at < %d RETURNING *) INSERT INTO %s SELECT * FROM moved`, lo, hi, name),
				fmt.Sprintf(`ALTER TABLE access_log ATTACH PARTITION %s FOR VALUES FROM (%d) TO (%d)`, name, lo, hi),
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("access-log partition %s: %w", name, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
