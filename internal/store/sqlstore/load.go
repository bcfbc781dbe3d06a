package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// The bulk path of initial loads (registry.Loader). A batch is written as
// one multi-row statement per table: on PostgreSQL an INSERT … SELECT FROM
// unnest(arrays), one round trip per table whatever the batch size; on
// SQLite multi-row VALUES lists. Person keys and event sequence numbers are
// reserved before the transaction: on PostgreSQL from the identity
// sequences (gaps are harmless), on SQLite from a counter kept in memory
// above the largest key stored. An online write that takes one of those
// on SQLite meanwhile makes the batch fail with a primary-key conflict,
// reported as registry.ErrLoadConflict, and the loader prepares it again.

type column struct {
	name   string
	pgType string // bigint, text or double precision
	// nullZero stores 0 as NULL (optional person references).
	nullZero bool
}

type bulkTable struct {
	name string
	cols []column
	vals []any // row after row
}

func (t *bulkTable) add(vals ...any) { t.vals = append(t.vals, vals...) }

func (t *bulkTable) rows() int { return len(t.vals) / len(t.cols) }

// maxParams keeps SQLite statements under its bind-parameter limit.
const maxParams = 30000

func (db *DB) writeBulk(ctx context.Context, tx *sql.Tx, stmts map[string]*sql.Stmt, t *bulkTable) error {
	if len(t.vals) == 0 {
		return nil
	}
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	head := "INSERT INTO " + db.bulkTarget(t.name) + " (" + strings.Join(names, ", ") + ") "
	if db.Dialect.Name == "postgres" {
		return db.writeUnnest(ctx, tx, t, head)
	}
	// Statements of a fixed number of rows are prepared once and reused:
	// parsing a statement of thousands of placeholders costs as much as
	// running it. The rows that do not fill a whole statement go one by one.
	n := len(t.cols)
	per := max(1, min(256, maxParams/n))
	rows := t.rows()
	for start := 0; start < rows; {
		k := per
		if rows-start < per {
			k = 1
		}
		stmt, err := bulkStmt(ctx, tx, stmts, head, n, k)
		if err != nil {
			return err
		}
		args := t.vals[start*n : (start+k)*n]
		for i, c := range t.cols {
			if !c.nullZero {
				continue
			}
			for r := i; r < len(args); r += n {
				if v, ok := args[r].(int64); ok && v == 0 {
					args[r] = nil
				}
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("load %s: %w", t.name, err)
		}
		start += k
	}
	return nil
}

// bulkStmt returns the INSERT of k rows of n columns, prepared once per
// transaction (SQLite's one write connection is the transaction's, so
// statements cannot be prepared outside it).
func bulkStmt(ctx context.Context, tx *sql.Tx, stmts map[string]*sql.Stmt, head string, n, k int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s|%d", head, k)
	if s, ok := stmts[key]; ok {
		return s, nil
	}
	tuple := "(" + marks(n) + ")"
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("VALUES ")
	for i := range k {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tuple)
	}
	stmt, err := tx.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	stmts[key] = stmt
	return stmt, nil
}

func (db *DB) writeUnnest(ctx context.Context, tx *sql.Tx, t *bulkTable, head string) error {
	n, rows := len(t.cols), t.rows()
	args := make([]any, n)
	sel := make([]string, n)
	params := make([]string, n)
	for i, c := range t.cols {
		switch c.pgType {
		case "bigint":
			a := make([]int64, rows)
			for r := range rows {
				a[r] = t.vals[r*n+i].(int64)
			}
			args[i] = a
		case "double precision":
			a := make([]float64, rows)
			for r := range rows {
				a[r] = t.vals[r*n+i].(float64)
			}
			args[i] = a
		default:
			a := make([]string, rows)
			for r := range rows {
				a[r] = t.vals[r*n+i].(string)
			}
			args[i] = a
		}
		params[i] = fmt.Sprintf("$%d::%s[]", i+1, c.pgType)
		sel[i] = "u" + fmt.Sprint(i)
		if c.nullZero {
			sel[i] = "NULLIF(" + sel[i] + ", 0)"
		}
	}
	aliases := make([]string, n)
	for i := range aliases {
		aliases[i] = "u" + fmt.Sprint(i)
	}
	q := head + "SELECT " + strings.Join(sel, ", ") + " FROM unnest(" + strings.Join(params, ", ") + ") AS u(" + strings.Join(aliases, ", ") + ")"
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("load %s: %w", t.name, err)
	}
	return nil
}

// reservations hands out SQLite keys and sequence numbers above the
// largest stored, without a round trip per batch.
type reservations struct {
	mu        sync.Mutex
	nextKey   int64
	nextSeq   int64
	refreshed bool
}

// ReserveKeys implements registry.Loader.
func (db *DB) ReserveKeys(ctx context.Context, n int) ([]registry.PersonKey, error) {
	if db.Dialect.Name == "postgres" {
		return nextvals(db, ctx, "persons", "person_key", n, func(v int64) registry.PersonKey { return registry.PersonKey(v) })
	}
	r := &db.reserved
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := db.refreshReservations(ctx); err != nil {
		return nil, err
	}
	out := make([]registry.PersonKey, n)
	for i := range out {
		out[i] = registry.PersonKey(r.nextKey)
		r.nextKey++
	}
	return out, nil
}

func (db *DB) refreshReservations(ctx context.Context) error {
	r := &db.reserved
	if r.refreshed {
		return nil
	}
	var key, seq sql.NullInt64
	if err := db.Write.QueryRowContext(ctx, `SELECT (SELECT max(person_key) FROM persons), (SELECT max(seq) FROM events)`).Scan(&key, &seq); err != nil {
		return err
	}
	r.nextKey = max(r.nextKey, key.Int64+1)
	r.nextSeq = max(r.nextSeq, seq.Int64+1)
	r.refreshed = true
	return nil
}

func (db *DB) reserveSeqs(ctx context.Context, n int) ([]int64, error) {
	if db.Dialect.Name == "postgres" {
		return nextvals(db, ctx, "events", "seq", n, func(v int64) int64 { return v })
	}
	r := &db.reserved
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := db.refreshReservations(ctx); err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = r.nextSeq
		r.nextSeq++
	}
	return out, nil
}

func nextvals[T any](db *DB, ctx context.Context, table, col string, n int, conv func(int64) T) ([]T, error) {
	if n == 0 {
		return nil, nil
	}
	rows, err := db.Write.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, $2)) FROM generate_series(1, $3) ORDER BY 1`, table, col, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]T, 0, n)
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, conv(v))
	}
	return out, rows.Err()
}

// Encode implements registry.Loader: it assigns sequence numbers and turns
// the batch into rows, work that loaders run on several cores before the
// one writer.
func (db *DB) Encode(ctx context.Context, b *registry.PreparedBatch) error {
	seqs, err := db.reserveSeqs(ctx, len(b.Events))
	if err != nil {
		return err
	}
	for i, e := range b.Events {
		e.Seq = seqs[i]
	}
	tables, err := loadTables(b)
	if err != nil {
		return err
	}
	b.Encoded = tables
	return nil
}

// Load implements registry.Loader.
func (db *DB) Load(ctx context.Context, b *registry.PreparedBatch) error {
	if b.Encoded == nil {
		if err := db.Encode(ctx, b); err != nil {
			return err
		}
	}
	tables := b.Encoded.([]*bulkTable)
	err := db.once(ctx, db.Write, nil, func(tx *sql.Tx) error {
		t := &regTx{db: db, tx: tx}
		if db.bulk.Load() != nil && db.Dialect.Name == "postgres" {
			// An initial load: an OS crash may lose the last batches
			// (the registry is marked mid-load until the end), never
			// half of one.
			if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return err
			}
		}
		for i, c := range b.Updated {
			// Lock the stored record and check it is the one the batch
			// was folded on.
			var version int64
			if err := t.row(ctx, `SELECT version FROM citizens WHERE person_key = ?`+db.Dialect.LockRows, c.Key).Scan(&version); err != nil {
				return err
			}
			if version != b.UpdatedFrom[i] {
				return registry.ErrLoadConflict
			}
		}
		stmts := map[string]*sql.Stmt{}
		for _, tb := range tables {
			if err := db.writeBulk(ctx, tx, stmts, tb); err != nil {
				return err
			}
		}
		for i, c := range b.Updated {
			if err := t.SaveCitizen(ctx, c, b.UpdatedProjections[i]); err != nil {
				return err
			}
		}
		if cp := b.Checkpoint; cp != nil {
			return t.saveCheckpoint(ctx, cp)
		}
		return nil
	})
	if err != nil && db.Dialect.Name == "sqlite" && isPrimaryKeyConflict(err) {
		db.reserved.mu.Lock()
		db.reserved.refreshed = false
		db.reserved.mu.Unlock()
		return fmt.Errorf("%w: %v", registry.ErrLoadConflict, err)
	}
	return err
}

func isPrimaryKeyConflict(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed: persons.person_key") || strings.Contains(s, "UNIQUE constraint failed: events.seq")
}

var (
	personsCols = []column{{"person_key", "bigint", false}, {"created_at", "bigint", false}}
	aliasCols   = []column{{"number", "text", false}, {"person_key", "bigint", false}, {"kind", "text", false},
		{"valid_from", "text", false}, {"valid_to", "text", false}, {"event_id", "text", false}}
	eventCols = []column{{"seq", "bigint", false}, {"id", "text", false}, {"type", "text", false}, {"subject_key", "bigint", false},
		{"effective", "text", false}, {"effective_from", "text", false}, {"recorded_at", "bigint", false}, {"officer", "text", false},
		{"legal_basis", "text", false}, {"reason", "text", false}, {"data", "text", false}, {"parties", "text", false}}
	partyCols   = []column{{"person_key", "bigint", false}, {"effective_from", "text", false}, {"seq", "bigint", false}}
	citizenCols = []column{{"person_key", "bigint", false}, {"pid", "text", false}, {"full_name", "text", false},
		{"birth_from", "text", false}, {"birth_to", "text", false}, {"status", "text", false},
		{"mother_key", "bigint", true}, {"father_key", "bigint", true}, {"version", "bigint", false}, {"record", "text", false},
		{"quality_flags", "bigint", false}, {"quality_score", "bigint", false}, {"alive_from", "text", false}}
	nameCols      = []column{{"name_folded", "text", false}, {"person_key", "bigint", false}}
	unitCols      = []column{{"unit", "text", false}, {"person_key", "bigint", false}, {"until", "text", false}}
	householdCols = []column{{"id", "text", false}, {"kind", "text", false}, {"place", "text", false},
		{"address", "text", false}, {"created", "text", false}}
	memberCols = []column{{"household_id", "text", false}, {"person_key", "bigint", false}, {"period", "bigint", false},
		{"relation", "text", false}, {"from_date", "text", false}, {"end_date", "text", false}}
)

// loadTables turns a prepared batch into rows, in an order that satisfies
// the foreign keys.
func loadTables(b *registry.PreparedBatch) ([]*bulkTable, error) {
	persons := &bulkTable{name: "persons", cols: personsCols}
	aliases := &bulkTable{name: "identity_aliases", cols: aliasCols}
	for _, p := range b.Persons {
		persons.add(int64(p.Key), micros(p.Created))
		for _, a := range p.Aliases {
			aliases.add(a.Number, int64(a.Person), string(a.Kind), dateText(a.ValidFrom), dateText(a.ValidTo), a.EventID)
		}
	}
	households := &bulkTable{name: "households", cols: householdCols}
	for _, h := range b.Households {
		households.add(h.ID, string(h.Kind), h.Place, h.Address, dateText(h.Created))
	}
	events := &bulkTable{name: "events", cols: eventCols}
	parties := &bulkTable{name: "event_parties", cols: partyCols}
	for _, e := range b.Events {
		data, err := json.Marshal(e.Data)
		if err != nil {
			return nil, err
		}
		ps, err := json.Marshal(e.Parties)
		if err != nil {
			return nil, err
		}
		from := dateText(e.Effective.First())
		events.add(e.Seq, e.ID, string(e.Type), int64(e.Subject), dateText(e.Effective), from, micros(e.RecordedAt),
			e.Officer, e.LegalBasis, e.Reason, string(data), string(ps))
		for _, p := range slices.Compact(slices.Clone(e.Parties)) {
			parties.add(int64(p), from, e.Seq)
		}
	}
	citizens := &bulkTable{name: "citizens", cols: citizenCols}
	names := &bulkTable{name: "citizen_names", cols: nameCols}
	units := &bulkTable{name: "citizen_units", cols: unitCols}
	members := &bulkTable{name: "household_members", cols: memberCols}
	for i, c := range b.Citizens {
		doc, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		q := b.Projections[i].Quality
		citizens.add(int64(c.Key), string(c.PID), c.FullName, dateText(c.BirthDate.First()), dateText(c.BirthDate.Last()),
			string(c.Status), int64(c.Mother), int64(c.Father), c.Version, string(doc),
			int64(q.Flags), int64(q.Score), dateText(q.AliveFrom))
		for _, n := range foldedNames(c) {
			names.add(n, int64(c.Key))
		}
		for _, u := range b.Projections[i].Units {
			units.add(u.Unit, int64(c.Key), dateText(u.Until))
		}
		for _, m := range memberships(c) {
			members.add(m.household, int64(c.Key), int64(m.period), m.relation, m.from, m.end)
		}
	}
	return []*bulkTable{persons, aliases, households, events, parties, citizens, names, units, members}, nil
}

// foldedNames are the distinct folded names a person is found by.
func foldedNames(c *registry.Citizen) []string {
	names := []string{vntext.Fold(c.FullName)}
	for _, n := range slices.Concat(c.OtherNames, c.FormerNames) {
		names = append(names, vntext.Fold(n))
	}
	slices.Sort(names)
	return slices.Compact(names)
}

type membership struct {
	household, relation, from, end string
	period                         int
}

// memberships are a person's household membership periods, as stored in
// household_members.
func memberships(c *registry.Citizen) []membership {
	var out []membership
	for _, r := range c.Residences {
		if r.HouseholdID == "" {
			continue
		}
		end := ""
		switch {
		case !r.Ended.IsZero():
			end = dateText(r.Ended)
		case !r.Until.IsZero():
			end = dateText(r.Until.AddDays(1))
		}
		out = append(out, membership{household: r.HouseholdID, relation: string(r.Relation),
			from: dateText(r.From.First()), end: end, period: len(out) + 1})
	}
	return out
}

func (t *regTx) saveCheckpoint(ctx context.Context, cp *registry.ImportCheckpoint) error {
	finished := int64(0)
	if cp.Finished {
		finished = micros(cp.UpdatedAt)
	}
	_, err := t.exec(ctx, `INSERT INTO import_runs (file_id, name, format, next_offset, next_line, records, loaded, rejected, started_at, updated_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (file_id) DO UPDATE SET next_offset = excluded.next_offset, next_line = excluded.next_line,
			records = excluded.records, loaded = excluded.loaded, rejected = excluded.rejected,
			updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
		cp.FileID, cp.Name, cp.Format, cp.NextOffset, cp.NextLine, cp.Records, cp.Loaded, cp.Rejected,
		micros(cp.StartedAt), micros(cp.UpdatedAt), finished)
	return err
}

// SaveCheckpoint stores where an import stands without loading a batch
// (a batch of rejected records only).
func (db *DB) SaveCheckpoint(ctx context.Context, cp *registry.ImportCheckpoint) error {
	return db.update(ctx, func(tx *sql.Tx) error { return (&regTx{db: db, tx: tx}).saveCheckpoint(ctx, cp) })
}

// Checkpoint returns where an import of a file stands, or nil when it never
// started.
func (db *DB) Checkpoint(ctx context.Context, fileID string) (*registry.ImportCheckpoint, error) {
	cp := &registry.ImportCheckpoint{}
	var started, updated, finished int64
	err := db.Write.QueryRowContext(ctx, db.q(`SELECT file_id, name, format, next_offset, next_line, records, loaded, rejected, started_at, updated_at, finished_at
		FROM import_runs WHERE file_id = ?`), fileID).
		Scan(&cp.FileID, &cp.Name, &cp.Format, &cp.NextOffset, &cp.NextLine, &cp.Records, &cp.Loaded, &cp.Rejected, &started, &updated, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cp.StartedAt, cp.UpdatedAt, cp.Finished = fromMicros(started), fromMicros(updated), finished != 0
	return cp, nil
}

// ResolveNumbers returns the persons that numbers name (any kind of
// alias); numbers no one has are absent.
func (db *DB) ResolveNumbers(ctx context.Context, numbers []string) (map[string]registry.PersonKey, error) {
	want := slices.Compact(slices.Sorted(slices.Values(numbers)))
	if len(want) > 0 && want[0] == "" {
		want = want[1:]
	}
	out := make(map[string]registry.PersonKey, len(want))
	const chunk = 5000
	for len(want) > 0 {
		n := min(chunk, len(want))
		args := make([]any, n)
		for i, s := range want[:n] {
			args[i] = s
		}
		rows, err := db.Write.QueryContext(ctx, db.q(`SELECT number, person_key FROM identity_aliases WHERE number IN (`+marks(n)+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var num string
			var k registry.PersonKey
			if err := rows.Scan(&num, &k); err != nil {
				rows.Close()
				return nil, err
			}
			out[num] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		want = want[n:]
	}
	return out, nil
}

// Households returns the stored households among ids, without members.
func (db *DB) Households(ctx context.Context, ids []string) (map[string]*registry.Household, error) {
	want := slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make(map[string]*registry.Household, len(want))
	const chunk = 5000
	for len(want) > 0 {
		n := min(chunk, len(want))
		args := make([]any, n)
		for i, s := range want[:n] {
			args[i] = s
		}
		rows, err := db.Write.QueryContext(ctx, db.q(`SELECT id, kind, place, address, created FROM households WHERE id IN (`+marks(n)+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			h := &registry.Household{}
			var kind, created string
			if err := rows.Scan(&h.ID, &kind, &h.Place, &h.Address, &created); err != nil {
				rows.Close()
				return nil, err
			}
			h.Kind = registry.ResidenceKind(kind)
			if h.Created, err = parseDate(created); err != nil {
				rows.Close()
				return nil, err
			}
			out[h.ID] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		want = want[n:]
	}
	return out, nil
}
