package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"dancu/internal/store/sqlite"
	"dancu/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) storetest.Backend {
		db, _, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "dancu.db"))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	})
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dancu.db")
	db, applied, err := sqlite.Open(context.Background(), path)
	if err != nil || len(applied) == 0 {
		t.Fatalf("first open applied %v, %v", applied, err)
	}
	db.Close()
	db, applied, err = sqlite.Open(context.Background(), path)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second open applied %v, %v", applied, err)
	}
	db.Close()
}

func BenchmarkRegistry(b *testing.B) {
	storetest.Bench(b, func(tb testing.TB) storetest.Backend {
		db, _, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "dancu.db"))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	})
}
