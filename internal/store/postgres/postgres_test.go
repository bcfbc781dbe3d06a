package postgres_test

import (
	"context"
	"os"
	"testing"

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
