package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"dancu/internal/accesslog"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/events"
	"dancu/internal/registry"
)

// Times are stored as Unix microseconds in UTC, the same on both backends;
// civil dates as their ISO text, which sorts as the dates do.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func dateText(d civil.Date) string { return d.String() }

func parseDate(s string) (civil.Date, error) {
	if s == "" {
		return civil.Date{}, nil
	}
	return civil.ParseDate(s)
}

// Registry returns the registry's store.
func (db *DB) Registry() registry.Store { return registryStore{db} }

type registryStore struct{ db *DB }

func (s registryStore) Update(ctx context.Context, fn func(registry.Tx) error) error {
	return s.db.update(ctx, func(tx *sql.Tx) error { return fn(&regTx{db: s.db, tx: tx, pool: s.db.Write}) })
}

func (s registryStore) View(ctx context.Context, fn func(registry.ReadTx) error) error {
	pool := s.db.viewPool(ctx)
	return s.db.once(ctx, pool, s.db.Dialect.ReadTxOptions, func(tx *sql.Tx) error {
		return fn(&regTx{db: s.db, tx: tx, pool: pool})
	})
}

func (s registryStore) Record(ctx context.Context, entries []accesslog.Entry) error {
	return s.db.Record(ctx, entries)
}

type regTx struct {
	db *DB
	tx *sql.Tx
	// pool is the pool tx belongs to, for its prepared statements; nil
	// runs queries unprepared.
	pool *sql.DB
}

func (t *regTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.db.txExec(ctx, t.pool, t.tx, query, args...)
}

func (t *regTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.db.txQuery(ctx, t.pool, t.tx, query, args...)
}

func (t *regTx) row(ctx context.Context, query string, args ...any) *sql.Row {
	return t.db.txQueryRow(ctx, t.pool, t.tx, query, args...)
}

func notFound(what string) error {
	return errs.E(errs.NotFound, "not-found", "%s not found", what)
}

func (t *regTx) Resolve(ctx context.Context, number string) (registry.Alias, error) {
	var a registry.Alias
	var from, to string
	err := t.row(ctx, `SELECT number, person_key, kind, valid_from, valid_to, event_id FROM identity_aliases WHERE number = ?`, number).
		Scan(&a.Number, &a.Person, &a.Kind, &from, &to, &a.EventID)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.E(errs.NotFound, "not-found", "no person has the number %s", number)
	}
	if err != nil {
		return a, err
	}
	if a.ValidFrom, err = parseDate(from); err != nil {
		return a, err
	}
	a.ValidTo, err = parseDate(to)
	return a, err
}

func (t *regTx) Citizen(ctx context.Context, key registry.PersonKey) (*registry.Citizen, error) {
	var doc string
	err := t.row(ctx, `SELECT record FROM citizens WHERE person_key = ?`, key).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("person")
	}
	if err != nil {
		return nil, err
	}
	return decodeCitizen(key, []byte(doc))
}

func (t *regTx) CitizenByNumber(ctx context.Context, number string) (*registry.Citizen, error) {
	var key registry.PersonKey
	var doc string
	err := t.row(ctx, `SELECT c.person_key, c.record FROM identity_aliases a JOIN citizens c ON c.person_key = a.person_key WHERE a.number = ?`, number).Scan(&key, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "not-found", "no person has the number %s", number)
	}
	if err != nil {
		return nil, err
	}
	return decodeCitizen(key, []byte(doc))
}

// ResolveNumbers and ExaminedRecords join a sorted list against the
// registry in one statement that walks the index in the list's order: a
// statement per number costs more in the driver than the lookup itself.
// On SQLite, ResolveNumbers reads a list that fills most of the index
// range it spans (a batch job naming a good part of the registry) as that
// range, in one pass; records are not read that way, since the rows in
// the range a list does not want would be copied whole.
func (t *regTx) ResolveNumbers(ctx context.Context, numbers []string) ([]registry.PersonKey, error) {
	out := make([]registry.PersonKey, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	if t.db.Dialect.Name != "sqlite" {
		// PostgreSQL orders text by the database's collation, which need
		// not be the byte order the list is sorted in.
		return out, t.joinNumbers(ctx, numbers, out)
	}
	// The range is read only while it holds at most twice the numbers.
	limit := 2*len(numbers) + 1
	rows, err := t.query(ctx, `SELECT number, person_key FROM identity_aliases WHERE number BETWEEN ? AND ? ORDER BY number LIMIT ?`,
		numbers[0], numbers[len(numbers)-1], limit)
	if err != nil {
		return nil, err
	}
	var number sql.RawBytes
	at, read := 0, 0
	for rows.Next() {
		var key registry.PersonKey
		if err := rows.Scan(&number, &key); err != nil {
			rows.Close()
			return nil, err
		}
		read++
		for at < len(numbers) && numbers[at] < string(number) {
			at++
		}
		if at < len(numbers) && numbers[at] == string(number) {
			out[at] = key
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || read < limit {
		return out, err
	}
	clear(out)
	return out, t.joinNumbers(ctx, numbers, out)
}

// joinNumbers resolves numbers joining them, as a JSON list, against the
// alias index; each found comes back with its place in the list.
func (t *regTx) joinNumbers(ctx context.Context, numbers []string, out []registry.PersonKey) error {
	query := `SELECT j.key, a.person_key FROM json_each(?) j CROSS JOIN identity_aliases a ON a.number = j.value`
	if t.db.Dialect.Name == "postgres" {
		query = `SELECT j.place - 1, a.person_key FROM json_array_elements_text(?::json) WITH ORDINALITY j(value, place) JOIN identity_aliases a ON a.number = j.value`
	}
	rows, err := t.joinList(ctx, query, numbers)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var place int
		var key registry.PersonKey
		if err := rows.Scan(&place, &key); err != nil {
			return err
		}
		if place < 0 || place >= len(out) {
			return fmt.Errorf("resolve numbers: the join answered for place %d of %d", place, len(out))
		}
		out[place] = key
	}
	return rows.Err()
}

func (t *regTx) ExaminedRecords(ctx context.Context, keys []registry.PersonKey) ([]*registry.Citizen, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	query := `SELECT c.person_key, c.record FROM json_each(?) j CROSS JOIN citizens c ON c.person_key = j.value`
	if t.db.Dialect.Name == "postgres" {
		query = `SELECT c.person_key, c.record FROM json_array_elements_text(?::json) j(value) JOIN citizens c ON c.person_key = j.value::bigint`
	}
	rows, err := t.joinList(ctx, query, keys)
	if err != nil {
		return nil, err
	}
	return scanRecords(rows, decodeExamined)
}

// decodeExamined decodes the examined part of a stored record.
func decodeExamined(key registry.PersonKey, doc []byte) (*registry.Citizen, error) {
	var r registry.ExaminedRecord
	if err := gojson.Unmarshal(doc, &r); err != nil {
		return nil, fmt.Errorf("decode citizen %d: %w", key, err)
	}
	return r.Citizen(key), nil
}

// joinList runs a query whose one parameter is a list, passed as a JSON
// array.
func (t *regTx) joinList(ctx context.Context, query string, list any) (*sql.Rows, error) {
	raw, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	return t.query(ctx, query, string(raw))
}

// decodeCitizen decodes a stored record. Records are decoded on every
// read, and go-json does it in half the time encoding/json takes; a test
// holds the two to the same result on seeded records.
func decodeCitizen(key registry.PersonKey, doc []byte) (*registry.Citizen, error) {
	c := &registry.Citizen{}
	if err := gojson.Unmarshal(doc, c); err != nil {
		return nil, fmt.Errorf("decode citizen %d: %w", key, err)
	}
	c.Key = key
	return c, nil
}

func (t *regTx) LatestRecordedAt(ctx context.Context, keys []registry.PersonKey) (time.Time, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	var us sql.NullInt64
	err := t.row(ctx, `SELECT max(e.recorded_at) FROM event_parties p JOIN events e ON e.seq = p.seq WHERE p.person_key IN (`+marks(len(keys))+`)`, args...).Scan(&us)
	if err != nil || !us.Valid {
		return time.Time{}, err
	}
	return fromMicros(us.Int64), nil
}

func (t *regTx) Children(ctx context.Context, key registry.PersonKey) ([]*registry.Citizen, error) {
	rows, err := t.query(ctx, `SELECT person_key, record FROM citizens WHERE mother_key = ? UNION SELECT person_key, record FROM citizens WHERE father_key = ?`, key, key)
	if err != nil {
		return nil, err
	}
	return scanCitizens(rows)
}

func scanCitizens(rows *sql.Rows) ([]*registry.Citizen, error) {
	return scanRecords(rows, decodeCitizen)
}

// scanRecords decodes rows of (key, record). The record is decoded from
// the driver's buffer, not copied first into a string of its own:
// millions of records are read this way.
func scanRecords(rows *sql.Rows, decode func(registry.PersonKey, []byte) (*registry.Citizen, error)) ([]*registry.Citizen, error) {
	defer rows.Close()
	var out []*registry.Citizen
	var doc sql.RawBytes
	for rows.Next() {
		var key registry.PersonKey
		if err := rows.Scan(&key, &doc); err != nil {
			return nil, err
		}
		c, err := decode(key, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const eventColumns = `e.seq, e.id, e.type, e.subject_key, e.effective, e.recorded_at, e.officer, e.legal_basis, e.reason, e.data, e.parties`

func scanEvents(rows *sql.Rows) ([]*registry.Event, error) {
	defer rows.Close()
	var out []*registry.Event
	for rows.Next() {
		e := &registry.Event{}
		var eff, data, parties string
		var rec int64
		if err := rows.Scan(&e.Seq, &e.ID, &e.Type, &e.Subject, &eff, &rec, &e.Officer, &e.LegalBasis, &e.Reason, &data, &parties); err != nil {
			return nil, err
		}
		var err error
		if e.Effective, err = civil.ParseDate(eff); err != nil {
			return nil, fmt.Errorf("event %s: %w", e.ID, err)
		}
		e.RecordedAt = fromMicros(rec)
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("event %s: %w", e.ID, err)
		}
		if err := json.Unmarshal([]byte(parties), &e.Parties); err != nil {
			return nil, fmt.Errorf("event %s parties: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *regTx) Events(ctx context.Context, key registry.PersonKey, knownAt time.Time) ([]*registry.Event, error) {
	q := `SELECT ` + eventColumns + ` FROM event_parties p JOIN events e ON e.seq = p.seq WHERE p.person_key = ?`
	args := []any{key}
	if !knownAt.IsZero() {
		q += ` AND e.recorded_at <= ?`
		args = append(args, micros(knownAt))
	}
	rows, err := t.query(ctx, q+` ORDER BY p.effective_from, p.seq`, args...)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

func (t *regTx) EventPage(ctx context.Context, keys []registry.PersonKey, after registry.EventPosition, limit int) ([]*registry.Event, error) {
	args := make([]any, 0, len(keys)+4)
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, after.Effective, after.Effective, after.Seq, limit)
	// An event between two of the keys (a marriage of two merged records)
	// would appear twice in the join; DISTINCT keeps one.
	rows, err := t.query(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.seq IN (
		SELECT p.seq FROM event_parties p WHERE p.person_key IN (`+marks(len(keys))+`)
			AND (p.effective_from > ? OR (p.effective_from = ? AND p.seq > ?)))
		ORDER BY e.effective_from, e.seq LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

func (t *regTx) PIDs(ctx context.Context, keys []registry.PersonKey) (map[registry.PersonKey]string, error) {
	out := make(map[registry.PersonKey]string, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	rows, err := t.query(ctx, `SELECT person_key, pid FROM citizens WHERE person_key IN (`+marks(len(keys))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k registry.PersonKey
		var p string
		if err := rows.Scan(&k, &p); err != nil {
			return nil, err
		}
		out[k] = p
	}
	return out, rows.Err()
}

func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func (t *regTx) Household(ctx context.Context, id string, day civil.Date) (*registry.Household, error) {
	h := &registry.Household{}
	var kind, created string
	err := t.row(ctx, `SELECT id, kind, place, address, created FROM households WHERE id = ?`, id).
		Scan(&h.ID, &kind, &h.Place, &h.Address, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "not-found", "no household %s", id)
	}
	if err != nil {
		return nil, err
	}
	h.Kind = registry.ResidenceKind(kind)
	if h.Created, err = civil.ParseDate(created); err != nil {
		return nil, err
	}
	if day.IsZero() {
		return h, nil
	}
	d := dateText(day)
	rows, err := t.query(ctx, `SELECT person_key, relation, from_date, end_date FROM household_members
		WHERE household_id = ? AND from_date <= ? AND (end_date = '' OR end_date > ?)
		ORDER BY CASE relation WHEN 'head' THEN 0 ELSE 1 END, from_date, person_key`, id, d, d)
	if err != nil {
		return nil, err
	}
	h.Members, err = scanMembers(rows)
	return h, err
}

func (t *regTx) HouseholdHistory(ctx context.Context, id string) ([]registry.Member, error) {
	rows, err := t.query(ctx, `SELECT person_key, relation, from_date, end_date FROM household_members
		WHERE household_id = ? ORDER BY from_date, person_key, period`, id)
	if err != nil {
		return nil, err
	}
	return scanMembers(rows)
}

func scanMembers(rows *sql.Rows) ([]registry.Member, error) {
	defer rows.Close()
	var out []registry.Member
	for rows.Next() {
		var m registry.Member
		var from, end string
		err := rows.Scan(&m.Key, &m.Relation, &from, &end)
		if err != nil {
			return nil, err
		}
		if m.From, err = civil.ParseDate(from); err != nil {
			return nil, err
		}
		if m.Ended, err = parseDate(end); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t *regTx) Search(ctx context.Context, q registry.SearchQuery) ([]*registry.Citizen, error) {
	var b strings.Builder
	args := []any{q.Name, q.Name + " ", q.Name + "!"}
	b.WriteString(`SELECT c.person_key, c.record FROM citizens c WHERE c.person_key IN (
		SELECT n.person_key FROM citizen_names n WHERE n.name_folded = ? OR (n.name_folded >= ? AND n.name_folded < ?))`)
	if q.Unit != "" {
		b.WriteString(` AND c.person_key IN (SELECT u.person_key FROM citizen_units u WHERE u.unit = ? AND (u.until = '' OR u.until >= ?))`)
		args = append(args, q.Unit, dateText(q.On))
	}
	if !q.BirthFrom.IsZero() {
		b.WriteString(` AND c.birth_to >= ? AND c.birth_from <= ?`)
		args = append(args, dateText(q.BirthFrom), dateText(q.BirthTo))
	}
	b.WriteString(` AND c.pid > ? ORDER BY c.pid LIMIT ?`)
	args = append(args, q.AfterPID, q.Limit)
	rows, err := t.query(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	return scanCitizens(rows)
}

func (t *regTx) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	return out, countRows(ctx, t.tx, out)
}

func (t *regTx) LockPersons(ctx context.Context, keys ...registry.PersonKey) error {
	if t.db.Dialect.LockRows == "" || len(keys) == 0 {
		return nil
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		var got int64
		err := t.row(ctx, `SELECT person_key FROM persons WHERE person_key = ?`+t.db.Dialect.LockRows, k).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("person")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (t *regTx) LockHousehold(ctx context.Context, id string) error {
	var got string
	err := t.row(ctx, `SELECT id FROM households WHERE id = ?`+t.db.Dialect.LockRows, id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "not-found", "no household %s", id)
	}
	return err
}

func (t *regTx) NewPerson(ctx context.Context, at time.Time) (registry.PersonKey, error) {
	var key registry.PersonKey
	err := t.row(ctx, `INSERT INTO persons (created_at) VALUES (?) RETURNING person_key`, micros(at)).Scan(&key)
	return key, err
}

func (t *regTx) AddAlias(ctx context.Context, a registry.Alias) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO identity_aliases (number, person_key, kind, valid_from, valid_to, event_id)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO NOTHING`,
		a.Number, a.Person, string(a.Kind), dateText(a.ValidFrom), dateText(a.ValidTo), a.EventID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *regTx) RetireAlias(ctx context.Context, number string, validTo civil.Date, eventID string) error {
	res, err := t.exec(ctx, `UPDATE identity_aliases SET kind = ?, valid_to = ?, event_id = ? WHERE number = ? AND kind = ?`,
		string(registry.AliasRetired), dateText(validTo), eventID, number, string(registry.AliasPID))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("retire %s: not a number in use", number)
	}
	return nil
}

func (t *regTx) AppendEvent(ctx context.Context, e *registry.Event) error {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return err
	}
	parties, err := json.Marshal(e.Parties)
	if err != nil {
		return err
	}
	from := dateText(e.Effective.First())
	err = t.row(ctx, `INSERT INTO events (id, type, subject_key, effective, effective_from, recorded_at, officer, legal_basis, reason, data, parties)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		e.ID, string(e.Type), e.Subject, dateText(e.Effective), from, micros(e.RecordedAt), e.Officer, e.LegalBasis, e.Reason, string(data), string(parties)).
		Scan(&e.Seq)
	if err != nil {
		return err
	}
	for _, p := range e.Parties {
		if _, err := t.exec(ctx, `INSERT INTO event_parties (person_key, effective_from, seq) VALUES (?, ?, ?)`, p, from, e.Seq); err != nil {
			return err
		}
	}
	return nil
}

func (t *regTx) SaveCitizen(ctx context.Context, c *registry.Citizen, p registry.Projection) error {
	units := p.Units
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO citizens (person_key, pid, full_name, birth_from, birth_to, status, mother_key, father_key, version, record,
			quality_flags, quality_score, alive_from)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (person_key) DO UPDATE SET pid = excluded.pid, full_name = excluded.full_name,
			birth_from = excluded.birth_from, birth_to = excluded.birth_to, status = excluded.status,
			mother_key = excluded.mother_key, father_key = excluded.father_key,
			version = excluded.version, record = excluded.record,
			quality_flags = excluded.quality_flags, quality_score = excluded.quality_score, alive_from = excluded.alive_from`,
		c.Key, string(c.PID), c.FullName, dateText(c.BirthDate.First()), dateText(c.BirthDate.Last()), string(c.Status),
		nullKey(c.Mother), nullKey(c.Father), c.Version, string(doc),
		int64(p.Quality.Flags), p.Quality.Score, dateText(p.Quality.AliveFrom))
	if err != nil {
		return err
	}
	// The derived rows are few per person; replacing them is simpler and
	// as cheap as diffing.
	for _, del := range []string{
		`DELETE FROM citizen_names WHERE person_key = ?`,
		`DELETE FROM citizen_units WHERE person_key = ?`,
		`DELETE FROM household_members WHERE person_key = ?`,
	} {
		if _, err := t.exec(ctx, del, c.Key); err != nil {
			return err
		}
	}
	for _, n := range foldedNames(c) {
		if _, err := t.exec(ctx, `INSERT INTO citizen_names (name_folded, person_key) VALUES (?, ?)`, n, c.Key); err != nil {
			return err
		}
	}
	for _, u := range units {
		if _, err := t.exec(ctx, `INSERT INTO citizen_units (unit, person_key, until) VALUES (?, ?, ?)`, u.Unit, c.Key, dateText(u.Until)); err != nil {
			return err
		}
	}
	for _, m := range memberships(c) {
		if _, err := t.exec(ctx, `INSERT INTO household_members (household_id, person_key, period, relation, from_date, end_date)
			VALUES (?, ?, ?, ?, ?, ?)`, m.household, c.Key, m.period, m.relation, m.from, m.end); err != nil {
			return err
		}
	}
	return nil
}

func nullKey(k registry.PersonKey) any {
	if k == 0 {
		return nil
	}
	return int64(k)
}

func (t *regTx) CreateHousehold(ctx context.Context, h *registry.Household) error {
	_, err := t.exec(ctx, `INSERT INTO households (id, kind, place, address, created) VALUES (?, ?, ?, ?, ?)`,
		h.ID, string(h.Kind), h.Place, h.Address, dateText(h.Created))
	return err
}

func (t *regTx) Outbox(ctx context.Context, m events.Message) error {
	_, err := t.exec(ctx, `INSERT INTO outbox (event_id, subject, payload, created_at) VALUES (?, ?, ?, ?)`,
		m.EventID, m.Subject, string(m.Payload), micros(m.CreatedAt))
	return err
}

func (t *regTx) LogAccess(ctx context.Context, entries []accesslog.Entry) error {
	return t.db.insertAccess(ctx, t.tx, entries)
}

func (t *regTx) ClaimIdempotencyKey(ctx context.Context, actorID, key, hash string) (*registry.StoredResponse, error) {
	// On PostgreSQL a concurrent claim of the same key waits here for the
	// first transaction to end, then sees its row.
	res, err := t.exec(ctx, `INSERT INTO idempotency_keys (actor_id, key, request_hash, status, location, person_key, body, created_at)
		VALUES (?, ?, ?, 0, '', 0, '', ?) ON CONFLICT (actor_id, key) DO NOTHING`, actorID, key, hash, micros(time.Now()))
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	var stored registry.StoredResponse
	var gotHash, body string
	if err := t.row(ctx, `SELECT request_hash, status, location, person_key, body FROM idempotency_keys WHERE actor_id = ? AND key = ?`, actorID, key).
		Scan(&gotHash, &stored.Status, &stored.Location, &stored.Person, &body); err != nil {
		return nil, err
	}
	if gotHash != hash {
		return nil, errs.E(errs.Unprocessable, "idempotency-key-reused",
			"the Idempotency-Key was already used for a different request; use a new key for a new request").With("field", "Idempotency-Key")
	}
	stored.Body = []byte(body)
	return &stored, nil
}

func (t *regTx) CompleteIdempotencyKey(ctx context.Context, actorID, key string, resp registry.StoredResponse) error {
	_, err := t.exec(ctx, `UPDATE idempotency_keys SET status = ?, location = ?, person_key = ?, body = ? WHERE actor_id = ? AND key = ?`,
		resp.Status, resp.Location, resp.Person, string(resp.Body), actorID, key)
	return err
}

func (t *regTx) ExportPage(ctx context.Context, unit string, after registry.ExportCursor, limit int) ([]*registry.Citizen, error) {
	args := []any{after.BirthFrom, after.BirthFrom, after.Key}
	filter := ""
	if unit != "" {
		filter = ` AND c.person_key IN (SELECT u.person_key FROM citizen_units u WHERE u.unit = ?)`
		args = append(args, unit)
	}
	args = append(args, limit)
	rows, err := t.query(ctx, `SELECT c.person_key, c.record FROM citizens c
		WHERE (c.birth_from > ? OR (c.birth_from = ? AND c.person_key > ?))`+filter+`
		ORDER BY c.birth_from, c.person_key LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	return scanCitizens(rows)
}
