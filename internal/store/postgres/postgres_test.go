package postgres_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"dancu/internal/accesslog"

	"dancu/internal/store/postgres"
	"dancu/internal/store/postgres/pgtest"
	"dancu/internal/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

func TestConformance(t *testing.T) {
	cluster := pgtest.Shared(t)
	storetest.Run(t, func(tb testing.TB) storetest.Backend {
		db, _, err := postgres.Open(context.Background(), cluster.NewDatabase(tb), 20)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	})
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	url := pgtest.Shared(t).NewDatabase(t)
	db, applied, err := postgres.Open(context.Background(), url, 2)
	if err != nil || len(applied) == 0 {
		t.Fatalf("first open applied %v, %v", applied, err)
	}
	db.Close()
	db, applied, err = postgres.Open(context.Background(), url, 2)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second open applied %v, %v", applied, err)
	}
	db.Close()
}

func BenchmarkRegistry(b *testing.B) {
	cluster := pgtest.Shared(b)
	storetest.Bench(b, func(tb testing.TB) storetest.Backend {
		db, _, err := postgres.Open(context.Background(), cluster.NewDatabase(tb), 20)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	})
}

// TestAccessLogPartitions: the access log has a partition for this month
// and the next two, and a default one; an entry of a month without a
// partition lands in the default and is read like any other; when that
// month's partition is made, its entries move into it.
func TestAccessLogPartitions(t *testing.T) {
	ctx := context.Background()
	db, _, err := postgres.Open(ctx, pgtest.Shared(t).NewDatabase(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	partitions := func() []string {
		t.Helper()
		rows, err := db.Read.QueryContext(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'access_log' ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			out = append(out, n)
		}
		return out
	}
	now := time.Now().UTC()
	month := func(add int) string {
		m := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, add, 0)
		return fmt.Sprintf("access_log_%04d_%02d", m.Year(), int(m.Month()))
	}
	if got, want := partitions(), []string{month(0), month(1), month(2), "access_log_default"}; !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Fatalf("partitions %v, want %v", got, want)
	}
	later := now.AddDate(0, 6, 0)
	if err := db.Record(ctx, []accesslog.Entry{
		{At: now, ActorKind: "officer", ActorID: "o", Purpose: "now", PersonKey: 7, Action: accesslog.ActionRead},
		{At: later, ActorKind: "officer", ActorID: "o", Purpose: "later", PersonKey: 7, Action: accesslog.ActionRead},
	}); err != nil {
		t.Fatal(err)
	}
	inDefault := func() int {
		var n int
		db.Read.QueryRowContext(ctx, `SELECT count(*) FROM access_log_default`).Scan(&n)
		return n
	}
	if n := inDefault(); n != 1 {
		t.Fatalf("%d entries in the default partition, want the one six months ahead", n)
	}
	if got, err := db.About(ctx, 7, time.Time{}, time.Time{}, 10); err != nil || len(got) != 2 {
		t.Fatalf("reading both: %v %v", got, err)
	}
	if err := db.EnsureAccessLogPartitions(ctx, later); err != nil {
		t.Fatal(err)
	}
	if n := inDefault(); n != 0 {
		t.Fatalf("%d entries left in the default partition after their month's was made", n)
	}
	if got, err := db.About(ctx, 7, time.Time{}, time.Time{}, 10); err != nil || len(got) != 2 || got[0].Purpose != "later" {
		t.Fatalf("reading both after the move: %v %v", got, err)
	}
	if err := db.EnsureAccessLogPartitions(ctx, later); err != nil {
		t.Fatalf("making the partitions again: %v", err)
	}
}
