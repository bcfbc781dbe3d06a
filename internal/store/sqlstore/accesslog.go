package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"dancu/internal/accesslog"
)

// Every read writes an access-log row that must be durable before the data
// leaves dancu. A transaction per read would make the commit (an fsync) the
// cost of every read, so concurrent reads share commits: Record queues its
// entries and one writer goroutine commits everything queued while the
// previous commit was in flight, then wakes each caller. A caller still
// returns only after its own rows are durable; under load many callers pay
// for one fsync. With no concurrency it is one commit per call, as before.

// maxGroupEntries bounds one group commit, so one very large search does
// not hold back the readers queued behind it for long.
const maxGroupEntries = 4096

type logRequest struct {
	ctx  context.Context
	rows []accessRow
	done chan error
}

type groupLog struct {
	start   sync.Once
	closing sync.Once
	queue   chan *logRequest
	stop    chan struct{}
	stopped chan struct{}
}

// Record writes access-log entries durably, sharing the commit with other
// callers recording at the same time.
func (db *DB) Record(ctx context.Context, entries []accesslog.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	g := &db.accessLog
	g.start.Do(func() {
		g.queue = make(chan *logRequest, 1024)
		g.stop = make(chan struct{})
		g.stopped = make(chan struct{})
		go db.commitAccessLog()
	})
	// Rows are made ready here, on the caller's goroutine, leaving the
	// one writer only what must be done in order.
	rows, err := db.accessRows(entries)
	if err != nil {
		return err
	}
	req := &logRequest{ctx: ctx, rows: rows, done: make(chan error, 1)}
	select {
	case g.queue <- req:
	case <-g.stop:
		return errors.New("access log: database closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the rows may be committed whatever the caller does, so
	// wait for the outcome rather than for ctx: a caller that gave up
	// still must not be told its rows were not written when they were.
	return <-req.done
}

func (db *DB) commitAccessLog() {
	g := &db.accessLog
	defer close(g.stopped)
	var batch []*logRequest
	for {
		select {
		case req := <-g.queue:
			batch = append(batch[:0], req)
		case <-g.stop:
			return
		}
		n := len(batch[0].rows)
	drain:
		for n < maxGroupEntries {
			select {
			case req := <-g.queue:
				batch = append(batch, req)
				n += len(req.rows)
			default:
				break drain
			}
		}
		live := batch[:0]
		for _, req := range batch {
			// A request whose caller already gave up before its commit
			// started is not written: nothing was sent for it.
			if err := req.ctx.Err(); err != nil {
				req.done <- err
				continue
			}
			live = append(live, req)
		}
		if len(live) == 0 {
			continue
		}
		all := make([]accessRow, 0, n)
		for _, req := range live {
			all = append(all, req.rows...)
		}
		err := db.update(context.Background(), func(tx *sql.Tx) error {
			return db.insertRowsInOrder(context.Background(), tx, all)
		})
		for _, req := range live {
			req.done <- err
		}
	}
}

func (db *DB) stopAccessLog() {
	g := &db.accessLog
	g.start.Do(func() {
		// Never started: nothing to wait for, and later calls are refused.
		g.stop = make(chan struct{})
		g.stopped = make(chan struct{})
		close(g.stopped)
	})
	g.closing.Do(func() { close(g.stop) })
	<-g.stopped
}

const accessColumns = 14

// About implements accesslog.Reader, on the (person_key, at) index.
func (db *DB) About(ctx context.Context, person int64, before, visibleAt time.Time, limit int) ([]accesslog.Entry, error) {
	until, visible := int64(math.MaxInt64), int64(math.MaxInt64)
	if !before.IsZero() {
		until = micros(before)
	}
	if !visibleAt.IsZero() {
		visible = micros(visibleAt)
	}
	var out []accesslog.Entry
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`SELECT `+accessReadColumns+`
			FROM access_log WHERE person_key = ? AND at < ? AND visible_from <= ? ORDER BY at DESC, id DESC LIMIT ?`), person, until, visible, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAccess(rows, person)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// insertAccess writes entries with multi-row INSERTs: one round trip per
// chunk rather than per row matters on PostgreSQL.
func (db *DB) insertAccess(ctx context.Context, tx *sql.Tx, entries []accesslog.Entry) error {
	rows, err := db.accessRows(entries)
	if err != nil {
		return err
	}
	return db.insertRowsInOrder(ctx, tx, rows)
}

// accessRows makes entries into rows as they are written; on SQLite with
// each one's leaf hash, as the tree will hash the entry read back.
func (db *DB) accessRows(entries []accesslog.Entry) ([]accessRow, error) {
	hashed := db.Dialect.Name == "sqlite"
	// Entries of one caller usually share their fields.
	var lastFields, storedFields []string
	var fieldsText string
	rows := make([]accessRow, len(entries))
	for i, e := range entries {
		if fieldsText == "" || !slices.Equal(e.Fields, lastFields) {
			fields, err := json.Marshal(e.Fields)
			if err != nil {
				return nil, err
			}
			lastFields, fieldsText, storedFields = e.Fields, string(fields), e.Fields
			// Hashed as they will be read back (scanAccess): JSON gives
			// valid UTF-8 back as it was and replaces the rest, so only
			// fields with invalid text need the round trip.
			if hashed && slices.ContainsFunc(e.Fields, func(f string) bool { return !utf8.ValidString(f) }) {
				storedFields = nil
				if err := json.Unmarshal(fields, &storedFields); err != nil {
					return nil, err
				}
			}
		}
		r := accessRow{e: e, fields: fieldsText}
		if !e.VisibleFrom.IsZero() {
			r.visible = micros(e.VisibleFrom)
		}
		if hashed {
			stored := e
			stored.At, stored.Fields, stored.VisibleFrom = fromMicros(micros(e.At)), storedFields, time.Time{}
			if r.visible != 0 {
				stored.VisibleFrom = fromMicros(r.visible)
			}
			r.leaf = accesslog.LeafHash(stored)
		}
		rows[i] = r
	}
	return rows, nil
}

// insertRowsInOrder writes rows. SQLite has one writer at a time, so the
// order entries commit in is known when they are written: each is
// numbered and folded into the tree here, in the same transaction, and
// the sequencer only signs checkpoints (reading each entry back to fold
// it cost more than writing it). PostgreSQL's writers commit side by
// side, so there the sequencer numbers and folds them after the fact.
func (db *DB) insertRowsInOrder(ctx context.Context, tx *sql.Tx, rows []accessRow) error {
	if db.Dialect.Name == "sqlite" {
		return db.insertNumbered(ctx, tx, rows)
	}
	for len(rows) > 0 {
		// A run of entries of one reader (a search's results, a chunk of
		// a verification job, one system's requests sharing a commit)
		// differs only in time, person and result: the rest is bound once
		// per statement, not once per row.
		same := sameReaderRun(rows)
		var n int
		var err error
		if same >= 8 {
			n = same
			err = db.insertShared(ctx, tx, rows[:n])
		} else {
			n = statementSize(len(rows), 64, 16, 4, 1)
			err = db.insertRows(ctx, tx, rows[:n])
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// sameReaderRun is the length of the run of rows of rows[0]'s reader.
func sameReaderRun(rows []accessRow) int {
	same := 1
	for same < len(rows) && rows[same].sameReader(&rows[0]) {
		same++
	}
	return same
}

// alikeRun is the length of the run of rows read at rows[0]'s moment
// with its result.
func alikeRun(rows []accessRow) int {
	alike := 1
	for alike < len(rows) && micros(rows[alike].e.At) == micros(rows[0].e.At) && rows[alike].e.Result == rows[0].e.Result {
		alike++
	}
	return alike
}

// insertNumbered writes rows to SQLite's access_reads and access_entries
// (migration 12): each run of one reader's rows is one read, and its
// entries follow. The numbers of entries and reads are given here, one
// writer at a time being what makes them known.
func (db *DB) insertNumbered(ctx context.Context, tx *sql.Tx, rows []accessRow) error {
	var next, nextRead int64
	if err := db.txQueryRow(ctx, db.Write, tx, `SELECT COALESCE(max(seq), 0) + 1 FROM access_entries`).Scan(&next); err != nil {
		return err
	}
	if err := db.txQueryRow(ctx, db.Write, tx, `SELECT COALESCE(max(id), 0) + 1 FROM access_reads`).Scan(&nextRead); err != nil {
		return err
	}
	tree, err := db.loadTree(ctx, tx)
	if err != nil {
		return err
	}
	// Entries written before the tree caught up are the sequencer's to
	// fold first.
	folding := tree.Size() == next-1
	for i := range rows {
		rows[i].seq = next + int64(i)
		if folding {
			tree.AppendHash(rows[i].leaf)
		}
	}
	var reads, single []accessRow
	for len(rows) > 0 {
		run := rows[:sameReaderRun(rows)]
		rows = rows[len(run):]
		for i := range run {
			run[i].read = nextRead
		}
		nextRead++
		reads = append(reads, run[0])
		for len(run) > 0 {
			// Entries of one moment and one result (a search's, a
			// batch chunk's, grouped by result) go as a list of person
			// keys, which SQLite's json_each reads fastest, numbered in
			// the list's order.
			alike := alikeRun(run)
			if alike >= 8 {
				if err := db.insertAlikeEntries(ctx, tx, run[:alike]); err != nil {
					return err
				}
			} else {
				single = append(single, run[:alike]...)
			}
			run = run[alike:]
		}
	}
	const readColumns = 12
	err = db.insertValues(ctx, tx, reads, `INSERT INTO access_reads (id, actor_kind, actor_id, role, unit, purpose, fields, action, request_id, member, legal_basis, visible_from) VALUES `,
		readColumns, func(args []any, r *accessRow) []any {
			e := &r.e
			return append(args, r.read, e.ActorKind, e.ActorID, e.Role, e.Unit, e.Purpose, r.fields, string(e.Action), e.RequestID, e.Member, e.LegalBasis, r.visible)
		})
	if err != nil {
		return err
	}
	const entryColumns = 5
	err = db.insertValues(ctx, tx, single, `INSERT INTO access_entries (seq, read_id, person_key, at, result) VALUES `,
		entryColumns, func(args []any, r *accessRow) []any {
			return append(args, r.seq, r.read, r.e.PersonKey, micros(r.e.At), r.e.Result)
		})
	if err != nil {
		return err
	}
	if folding {
		return db.saveTree(ctx, tx, &tree)
	}
	return nil
}

// insertValues writes rows with multi-row INSERTs of a few sizes (each
// statement compiled once), each row's values given by values.
func (db *DB) insertValues(ctx context.Context, tx *sql.Tx, rows []accessRow, insert string, columns int, values func([]any, *accessRow) []any) error {
	row := "(" + strings.Repeat("?,", columns-1) + "?)"
	for len(rows) > 0 {
		n := statementSize(len(rows), 64, 16, 4, 1)
		var b strings.Builder
		b.WriteString(insert)
		args := make([]any, 0, n*columns)
		for i := range rows[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(row)
			args = values(args, &rows[i])
		}
		if _, err := db.txExec(ctx, db.Write, tx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// insertAlikeEntries writes entries of one read, one moment and one
// result, numbered one after another from the first's: the people as a
// list of keys.
func (db *DB) insertAlikeEntries(ctx context.Context, tx *sql.Tx, rows []accessRow) error {
	_, err := db.txExec(ctx, db.Write, tx, `INSERT INTO access_entries (seq, read_id, person_key, at, result)
		SELECT ? + j.key, ?, j.value, ?, ? FROM json_each(?) AS j`,
		rows[0].seq, rows[0].read, micros(rows[0].e.At), rows[0].e.Result, personList(rows))
	return err
}

// personList is rows' person keys as a JSON list.
func personList(rows []accessRow) string {
	list := make([]byte, 0, 1+len(rows)*12)
	list = append(list, '[')
	for i, r := range rows {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, r.e.PersonKey, 10)
	}
	return string(append(list, ']'))
}

// accessRow is an entry as it is written.
type accessRow struct {
	e       accesslog.Entry
	fields  string
	visible int64
	seq     int64    // on SQLite, the entry's number
	read    int64    // on SQLite, the id of its read in access_reads
	leaf    [32]byte // on SQLite, LeafHash of the entry as it is read back
}

// sameReader reports whether r and o differ at most in time, person and
// result.
func (r *accessRow) sameReader(o *accessRow) bool {
	a, b := &r.e, &o.e
	return a.ActorKind == b.ActorKind && a.ActorID == b.ActorID && a.Role == b.Role && a.Unit == b.Unit && a.Purpose == b.Purpose &&
		r.fields == o.fields && a.Action == b.Action && a.RequestID == b.RequestID && a.Member == b.Member && a.LegalBasis == b.LegalBasis &&
		r.visible == o.visible
}

// statementSize is the largest of sizes (descending) that n reaches, or
// the smallest: statements come in a few sizes, each compiled once.
func statementSize(n int, sizes ...int) int {
	for _, size := range sizes {
		if n >= size {
			return size
		}
	}
	return sizes[len(sizes)-1]
}

// insertRows writes rows (PostgreSQL) with every value bound.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, rows []accessRow) error {
	return db.insertValues(ctx, tx, rows, `INSERT INTO access_log (at, actor_kind, actor_id, role, unit, purpose, person_key, fields, action, request_id, member, legal_basis, result, visible_from) VALUES `,
		accessColumns, func(args []any, r *accessRow) []any {
			e := &r.e
			return append(args, micros(e.At), e.ActorKind, e.ActorID, e.Role, e.Unit, e.Purpose, e.PersonKey, r.fields, string(e.Action), e.RequestID,
				e.Member, e.LegalBasis, e.Result, r.visible)
		})
}

// insertShared writes rows of one reader (PostgreSQL): what they share
// is bound once, and the rest goes as a JSON list the statement reads
// row by row. Runs of rows read at one moment with one result go as
// lists of person keys alone; the other rows as a list of [time,
// person, result] rows.
func (db *DB) insertShared(ctx context.Context, tx *sql.Tx, rows []accessRow) error {
	var mixed []accessRow
	for len(rows) > 0 {
		alike := alikeRun(rows)
		if alike < 8 {
			mixed = append(mixed, rows[:alike]...)
		} else {
			args := append(sharedArgs(&rows[0]), micros(rows[0].e.At), rows[0].e.Result, personList(rows[:alike]))
			if _, err := db.txExec(ctx, db.Write, tx, accessSharedInsert+`) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, j.value::bigint FROM json_array_elements_text(?::json) AS j(value)`, args...); err != nil {
				return err
			}
		}
		rows = rows[alike:]
	}
	if len(mixed) == 0 {
		return nil
	}
	list := make([]byte, 0, 1+len(mixed)*40)
	list = append(list, '[')
	for i, r := range mixed {
		if i > 0 {
			list = append(list, ',')
		}
		list = append(list, '[')
		list = strconv.AppendInt(list, micros(r.e.At), 10)
		list = append(list, ',')
		list = strconv.AppendInt(list, r.e.PersonKey, 10)
		list = append(list, ',')
		result, _ := json.Marshal(r.e.Result)
		list = append(list, result...)
		list = append(list, ']')
	}
	list = append(list, ']')
	_, err := db.txExec(ctx, db.Write, tx, accessSharedInsert+`) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (j.value ->> 0)::bigint, j.value ->> 2, (j.value ->> 1)::bigint FROM json_array_elements(?::json) AS j(value)`,
		append(sharedArgs(&mixed[0]), string(list))...)
	return err
}

const accessSharedInsert = `INSERT INTO access_log (actor_kind, actor_id, role, unit, purpose, fields, action, request_id, member, legal_basis, visible_from, at, result, person_key`

// sharedArgs are the values of the first columns of accessSharedInsert,
// which a reader's rows share.
func sharedArgs(r *accessRow) []any {
	e := r.e
	return []any{e.ActorKind, e.ActorID, e.Role, e.Unit, e.Purpose, r.fields, string(e.Action), e.RequestID, e.Member, e.LegalBasis, r.visible}
}

// accessReadColumns are the columns scanAccess reads, the person aside.
const accessReadColumns = `at, actor_kind, actor_id, role, unit, purpose, fields, action, request_id, member, legal_basis, result, visible_from`

// scanAccess reads an entry as the access log stores it. The tree's leaf
// hashes are computed from entries read this way, so what is hashed is
// exactly what a verifier reads back.
func scanAccess(row interface{ Scan(...any) error }, person int64) (accesslog.Entry, error) {
	e := accesslog.Entry{PersonKey: person}
	var at, visible int64
	var fields, action string
	if err := row.Scan(&at, &e.ActorKind, &e.ActorID, &e.Role, &e.Unit, &e.Purpose, &fields, &action, &e.RequestID,
		&e.Member, &e.LegalBasis, &e.Result, &visible); err != nil {
		return e, err
	}
	e.At, e.Action = fromMicros(at), accesslog.Action(action)
	if visible != 0 {
		e.VisibleFrom = fromMicros(visible)
	}
	if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
		return e, fmt.Errorf("access log fields %q: %w", fields, err)
	}
	return e, nil
}
