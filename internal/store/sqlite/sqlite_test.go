package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"dancu/internal/accesslog"
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

// migrations opens the database at path without migrating it, for a test
// to take it to a version of its own.
func migrations(t *testing.T, path string) (*sql.DB, *goose.Provider) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, sqlite.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	return raw, p
}

// TestMigrateKeepsData migrates a registry holding data from version 2,
// where personal ID numbers and event ids were inline UNIQUE columns, to
// the current schema, which rebuilds those two tables.
func TestMigrateKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dancu.db")
	raw, p := migrations(t, path)
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
// SQLite numbered access-log entries on write and split them into reads
// and entries: the upgrade numbers the entries the sequencer had not
// folded yet, in id order, after those it had, keeps every entry as it
// was, and the sequencer folds them.
func TestUnnumberedEntriesNumberedOnUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dancu.db")
	raw, p := migrations(t, path)
	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO access_log (at, actor_kind, actor_id, role, unit, purpose, person_key, fields, action, request_id, member, legal_basis, result, visible_from, seq)
		VALUES (?, 'officer', 'off_1', 'registry', '00004', 'test', ?, '["full_name"]', 'read', 'r', 'm', 'l', 'match', 0, ?)`
	for i, seq := range []any{int64(1), int64(2), nil, nil, nil} {
		if _, err := raw.ExecContext(ctx, insert, 1000+i, 100+i, seq); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, applied, err := sqlite.Open(ctx, path)
	if err != nil || len(applied) != 2 {
		t.Fatalf("reopening applied %v, %v", applied, err)
	}
	defer db.Close()
	rows, err := db.Read.QueryContext(ctx, `SELECT person_key, seq, at, actor_id, fields, member, legal_basis, result FROM access_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var person, seq, at int64
		var actor, fields, member, basis, result string
		if err := rows.Scan(&person, &seq, &at, &actor, &fields, &member, &basis, &result); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%d:%d:%s:%s:%s:%s:%s", person, seq, at, actor, fields, member, basis, result))
	}
	rows.Close()
	want := `[100:1:1000:off_1:["full_name"]:m:l:match 101:2:1001:off_1:["full_name"]:m:l:match 102:3:1002:off_1:["full_name"]:m:l:match ` +
		`103:4:1003:off_1:["full_name"]:m:l:match 104:5:1004:off_1:["full_name"]:m:l:match]`
	if fmt.Sprint(got) != want {
		t.Fatalf("entries after upgrading %v, want %s", got, want)
	}
	tree, folded, err := db.AccessLogSequencer().Sequence(ctx, 100)
	if err != nil || folded != 5 || tree.Size() != 5 {
		t.Fatalf("sequencer folded %d into a tree of %d: %v", folded, tree.Size(), err)
	}
	// An entry deleted before it was folded leaves a gap the sequencer
	// will not fold over.
	for _, seq := range []int64{6, 8} {
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO access_entries (seq, read_id, person_key, at, result) VALUES (?, 1, 200, 2000, 'match')`, seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := db.AccessLogSequencer().Sequence(ctx, 100); err == nil || !strings.Contains(err.Error(), "entry 7 is missing") {
		t.Fatalf("sequencing over a gap: %v", err)
	}
}

// TestAccessLogSplitDown takes the access log back to one table per
// entry (migration 12 down) and up again, keeping every entry.
func TestAccessLogSplitDown(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dancu.db")
	db, _, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Runs of one reader alike and mixed, and readers one after another.
	var sample []accesslog.Entry
	at := time.Date(2026, 11, 25, 14, 2, 0, 0, time.UTC)
	for i := range 40 {
		e := accesslog.Entry{At: at, ActorKind: "client", ActorID: "s-1", Purpose: "làm sạch thuê bao", PersonKey: int64(1000 + i),
			Fields: []string{"pid", "full_name"}, Action: accesslog.ActionRead, RequestID: "batch:b-1", Member: "m-1", LegalBasis: "NĐ 13/2023", Result: "match"}
		switch {
		case i >= 30:
			e.ActorID, e.RequestID, e.At = fmt.Sprint("s-", i%3), fmt.Sprint("r-", i), at.Add(time.Duration(i)*time.Millisecond)
		case i >= 20:
			e.At, e.Result = at.Add(time.Duration(i)*time.Second), "mismatch"
		case i >= 10:
			e.Result, e.VisibleFrom = "not_found", at.AddDate(0, 6, 0)
		}
		sample = append(sample, e)
	}
	if err := db.Record(ctx, sample); err != nil {
		t.Fatal(err)
	}
	entries := func() string {
		var b strings.Builder
		for e, err := range db.SequencedEntries(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%+v\n", e)
		}
		return b.String()
	}
	before := entries()
	db.Close()
	raw, p := migrations(t, path)
	if _, err := p.DownTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM access_log WHERE seq IS NOT NULL`).Scan(&n); err != nil || n != strings.Count(before, "\n") {
		t.Fatalf("%d numbered entries in the one table (%v), want %d", n, err, strings.Count(before, "\n"))
	}
	raw.Close()
	if db, _, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if strings.Count(before, "\n") != len(sample) {
		t.Fatalf("%d entries read back, %d written", strings.Count(before, "\n"), len(sample))
	}
	if after := entries(); after != before {
		t.Fatalf("entries after down and up:\n%s\nbefore:\n%s", after, before)
	}
}
