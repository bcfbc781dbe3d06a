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
	var next int64
	var tree accesslog.Tree
	sequenced, folding := db.Dialect.Name == "sqlite", false
	if sequenced {
		if err := db.txQueryRow(ctx, db.Write, tx, `SELECT COALESCE(max(seq), 0) + 1 FROM access_log`).Scan(&next); err != nil {
			return err
		}
		var err error
		if tree, err = db.loadTree(ctx, tx); err != nil {
			return err
		}
		// Entries written before the tree caught up are the sequencer's
		// to fold first.
		folding = tree.Size() == next-1
		for i := range rows {
			rows[i].seq = next + int64(i)
			if folding {
				tree.AppendHash(rows[i].leaf)
			}
		}
	}
	for len(rows) > 0 {
		// A run of entries of one reader (a search's results, a chunk of
		// a verification job, one system's requests sharing a commit)
		// differs only in time, person and result: the rest is bound once
		// per statement, not once per row.
		same := 1
		for same < len(rows) && rows[same].sameReader(&rows[0]) {
			same++
		}
		var n int
		var err error
		if same >= 8 {
			n = same
			err = db.insertShared(ctx, tx, rows[:n], sequenced)
		} else {
			n = statementSize(len(rows), 64, 16, 4, 1)
			err = db.insertRows(ctx, tx, rows[:n], sequenced)
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	if folding {
		return db.saveTree(ctx, tx, &tree)
	}
	return nil
}

// accessRow is an entry as it is written.
type accessRow struct {
	e       accesslog.Entry
	fields  string
	visible int64
	seq     int64
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

const accessInsert = `INSERT INTO access_log (at, actor_kind, actor_id, role, unit, purpose, person_key, fields, action, request_id, member, legal_basis, result, visible_from`

// insertRows writes rows with every value bound.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, rows []accessRow, sequenced bool) error {
	var b strings.Builder
	b.WriteString(accessInsert)
	row := "(?,?,?,?,?,?,?,?,?,?,?,?,?,?"
	if sequenced {
		b.WriteString(", seq")
		row += ",?"
	}
	b.WriteString(") VALUES ")
	args := make([]any, 0, len(rows)*(accessColumns+1))
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
		b.WriteByte(')')
		e := r.e
		args = append(args, micros(e.At), e.ActorKind, e.ActorID, e.Role, e.Unit, e.Purpose, e.PersonKey, r.fields, string(e.Action), e.RequestID,
			e.Member, e.LegalBasis, e.Result, r.visible)
		if sequenced {
			args = append(args, r.seq)
		}
	}
	_, err := db.txExec(ctx, db.Write, tx, b.String(), args...)
	return err
}

// insertShared writes rows of one reader: what they share is bound once,
// and the rest goes as a JSON list the statement reads row by row. Runs
// of rows read at one moment with one result (a search's, a batch
// chunk's, grouped by result) go as lists of person keys alone, the
// number following the list's order: a list of plain numbers is what
// SQLite's json_each reads fastest, where a list of [time, person,
// number, result] rows cost a parse of each row per column. The other
// rows go as such a list.
func (db *DB) insertShared(ctx context.Context, tx *sql.Tx, rows []accessRow, sequenced bool) error {
	var mixed []accessRow
	for len(rows) > 0 {
		alike := 1
		for alike < len(rows) && micros(rows[alike].e.At) == micros(rows[0].e.At) && rows[alike].e.Result == rows[0].e.Result {
			alike++
		}
		if alike < 8 {
			mixed = append(mixed, rows[:alike]...)
		} else if err := db.insertAlike(ctx, tx, rows[:alike], sequenced); err != nil {
			return err
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
		list = strconv.AppendInt(list, r.seq, 10)
		list = append(list, ',')
		result, _ := json.Marshal(r.e.Result)
		list = append(list, result...)
		list = append(list, ']')
	}
	list = append(list, ']')
	query := accessSharedInsert + `, seq) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, j.value ->> 0, j.value ->> 3, j.value ->> 1, j.value ->> 2 FROM json_each(?) AS j`
	if !sequenced {
		query = accessSharedInsert + `) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (j.value ->> 0)::bigint, j.value ->> 3, (j.value ->> 1)::bigint FROM json_array_elements(?::json) AS j(value)`
	}
	_, err := db.txExec(ctx, db.Write, tx, query, append(sharedArgs(&mixed[0]), string(list))...)
	return err
}

// insertAlike writes rows of one reader read at one moment with one
// result, numbered one after another: the people as a list of keys.
func (db *DB) insertAlike(ctx context.Context, tx *sql.Tx, rows []accessRow, sequenced bool) error {
	list := make([]byte, 0, 1+len(rows)*12)
	list = append(list, '[')
	for i, r := range rows {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, r.e.PersonKey, 10)
	}
	list = append(list, ']')
	args := append(sharedArgs(&rows[0]), micros(rows[0].e.At), rows[0].e.Result)
	var query string
	if sequenced {
		query = accessSharedInsert + `, seq) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, j.value, ? + j.key FROM json_each(?) AS j`
		args = append(args, rows[0].seq)
	} else {
		query = accessSharedInsert + `) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, j.value::bigint FROM json_array_elements_text(?::json) AS j(value)`
	}
	_, err := db.txExec(ctx, db.Write, tx, query, append(args, string(list))...)
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
