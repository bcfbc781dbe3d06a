package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

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

// TestMigrateKeepsData migrates a registry holding data from version 2,
// where personal ID numbers and event ids were inline UNIQUE columns, to
// the current schema, which rebuilds those two tables.
func TestMigrateKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dancu.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, sqlite.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO persons (person_key, created_at) VALUES (1, 1), (2, 2)`,
		`INSERT INTO identity_aliases VALUES ('001090000001', 1, 'pid', '1990-01-01', '', 'E1'), ('001090000002', 2, 'pid', '1990-01-01', '', 'E2')`,
		`INSERT INTO events (seq, id, type, subject_key, effective, effective_from, recorded_at, officer, legal_basis, reason, data, parties)
			VALUES (7, 'E1', 'birth', 1, '1990-01-01', '1990-01-01', 5, 'o', 'l', '', '{}', '[1]'), (8, 'E2', 'birth', 2, '1990-01-01', '1990-01-01', 6, 'o', 'l', '', '{}', '[2]')`,
		`INSERT INTO event_parties VALUES (1, '1990-01-01', 7), (2, '1990-01-01', 8)`,
		`INSERT INTO citizens (person_key, pid, full_name, birth_from, birth_to, status, mother_key, father_key, version, record, quality_flags, quality_score, alive_from)
			VALUES (1, '001090000001', 'Nguyễn Văn A', '1990-01-01', '1990-01-01', 'alive', NULL, NULL, 1, '{"a":1}', 4, 96, ''),
			       (2, '001090000002', 'Trần Thị B', '1990-01-01', '1990-01-01', 'alive', 1, NULL, 1, '{"b":2}', 0, 100, '2030-01-01')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db, applied, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if len(applied) == 0 {
		t.Fatal("nothing migrated")
	}
	var rows []string
	r, err := db.Read.QueryContext(ctx, `SELECT person_key || '|' || pid || '|' || full_name || '|' || COALESCE(mother_key, '') || '|' || record || '|' || quality_score || '|' || alive_from FROM citizens ORDER BY person_key`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var s string
		if err := r.Scan(&s); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, s)
	}
	r.Close()
	want := []string{`1|001090000001|Nguyễn Văn A||{"a":1}|96|`, `2|001090000002|Trần Thị B|1|{"b":2}|100|2030-01-01`}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("citizens after migrating: %q, want %q", rows, want)
	}
	var events, parties int
	if err := db.Read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events WHERE seq IN (7, 8)), (SELECT count(*) FROM event_parties)`).Scan(&events, &parties); err != nil || events != 2 || parties != 2 {
		t.Fatalf("%d events, %d parties after migrating (%v)", events, parties, err)
	}
	// Uniqueness and foreign keys hold on the rebuilt tables.
	for _, q := range []string{
		`INSERT INTO citizens (person_key, pid, full_name, birth_from, birth_to, status, version, record) VALUES (2, '001090000001', 'x', '', '', 'alive', 1, '{}')`,
		`INSERT INTO events (id, type, subject_key, effective, effective_from, recorded_at, officer, legal_basis, reason, data, parties) VALUES ('E1', 'birth', 1, '', '', 0, '', '', '', '{}', '[]')`,
		`INSERT INTO event_parties VALUES (1, '1990-01-01', 99)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err == nil {
			t.Errorf("accepted after migrating: %s", q)
		}
	}
	var fk int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign keys %d after migrating (%v)", fk, err)
	}
	var seq int64
	if err := db.Write.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'events'`).Scan(&seq); err != nil || seq < 8 {
		t.Errorf("event sequence %d after migrating (%v): new events would reuse numbers", seq, err)
	}
}

// TestUnnumberedEntriesNumberedOnUpgrade opens a database written before
// SQLite numbered access-log entries on write: the upgrade numbers the
// entries the sequencer had not folded yet, in id order, after those it
// had, and the sequencer folds them.
func TestUnnumberedEntriesNumberedOnUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dancu.db")
	db, _, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO access_log (at, actor_kind, actor_id, role, unit, purpose, person_key, fields, action, request_id, member, legal_basis, result, visible_from, seq)
		VALUES (1, 'officer', 'off_1', 'registry', '00004', 'test', ?, '["full_name"]', 'read', 'r', '', '', '', 0, ?)`
	for i, seq := range []any{int64(1), int64(2), nil, nil, nil} {
		if _, err := db.Write.ExecContext(ctx, insert, 100+i, seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM goose_db_version WHERE version_id = 11`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, applied, err := sqlite.Open(ctx, path)
	if err != nil || len(applied) != 1 {
		t.Fatalf("reopening applied %v, %v", applied, err)
	}
	defer db.Close()
	rows, err := db.Read.QueryContext(ctx, `SELECT person_key, seq FROM access_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var person, seq int64
		if err := rows.Scan(&person, &seq); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%d", person, seq))
	}
	rows.Close()
	if want := "[100:1 101:2 102:3 103:4 104:5]"; fmt.Sprint(got) != want {
		t.Fatalf("entries numbered %v, want %s", got, want)
	}
	tree, folded, err := db.AccessLogSequencer().Sequence(ctx, 100)
	if err != nil || folded != 5 || tree.Size() != 5 {
		t.Fatalf("sequencer folded %d into a tree of %d: %v", folded, tree.Size(), err)
	}
	// An entry deleted before it was folded leaves a gap the sequencer
	// will not fold over.
	for _, seq := range []int64{6, 8} {
		if _, err := db.Write.ExecContext(ctx, insert, 200, seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := db.AccessLogSequencer().Sequence(ctx, 100); err == nil || !strings.Contains(err.Error(), "entry 7 is missing") {
		t.Fatalf("sequencing over a gap: %v", err)
	}
}
