package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

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
	ctx     context.Context
	entries []accesslog.Entry
	done    chan error
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
	req := &logRequest{ctx: ctx, entries: entries, done: make(chan error, 1)}
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
		n := len(batch[0].entries)
	drain:
		for n < maxGroupEntries {
			select {
			case req := <-g.queue:
				batch = append(batch, req)
				n += len(req.entries)
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
		all := make([]accesslog.Entry, 0, n)
		for _, req := range live {
			all = append(all, req.entries...)
		}
		err := db.update(context.Background(), func(tx *sql.Tx) error {
			return db.insertAccess(context.Background(), tx, all)
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

// insertAccess writes entries with multi-row INSERTs: one round trip per
// chunk rather than per row matters on PostgreSQL.
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

func (db *DB) insertAccess(ctx context.Context, tx *sql.Tx, entries []accesslog.Entry) error {
	// SQLite has one writer at a time, so the order entries commit in is
	// known when they are written: each is numbered and folded into the
	// tree here, in the same transaction, and the sequencer only signs
	// checkpoints (reading each entry back to fold it cost more than
	// writing it). PostgreSQL's writers commit side by side, so there the
	// sequencer numbers and folds them after the fact.
	var next int64
	var tree accesslog.Tree
	sequenced, folding := db.Dialect.Name == "sqlite", false
	if sequenced {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(seq), 0) + 1 FROM access_log`).Scan(&next); err != nil {
			return err
		}
		var err error
		if tree, err = db.loadTree(ctx, tx); err != nil {
			return err
		}
		// Entries written before the tree caught up are the sequencer's
		// to fold first.
		folding = tree.Size() == next-1
	}
	columns := accessColumns
	insert := `INSERT INTO access_log (at, actor_kind, actor_id, role, unit, purpose, person_key, fields, action, request_id, member, legal_basis, result, visible_from`
	row := "(?,?,?,?,?,?,?,?,?,?,?,?,?,?"
	if sequenced {
		columns++
		insert += ", seq"
		row += ",?"
	}
	insert += ") VALUES "
	row += ")"
	// Entries of one caller usually share their fields.
	var lastFields, storedFields []string
	var fieldsText string
	for len(entries) > 0 {
		// Rows go in statements of a few fixed sizes, each compiled once.
		n := 1
		for _, size := range []int{64, 16, 4} {
			if len(entries) >= size {
				n = size
				break
			}
		}
		var b strings.Builder
		b.WriteString(insert)
		args := make([]any, 0, n*columns)
		for i, e := range entries[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(row)
			if fieldsText == "" || !slices.Equal(e.Fields, lastFields) {
				fields, err := json.Marshal(e.Fields)
				if err != nil {
					return err
				}
				lastFields, fieldsText = e.Fields, string(fields)
				if folding {
					// Hashed as they will be read back (scanAccess).
					storedFields = nil
					if err := json.Unmarshal(fields, &storedFields); err != nil {
						return err
					}
				}
			}
			var visible int64
			if !e.VisibleFrom.IsZero() {
				visible = micros(e.VisibleFrom)
			}
			args = append(args, micros(e.At), e.ActorKind, e.ActorID, e.Role, e.Unit, e.Purpose, e.PersonKey, fieldsText, string(e.Action), e.RequestID,
				e.Member, e.LegalBasis, e.Result, visible)
			if sequenced {
				args = append(args, next)
				next++
			}
			if folding {
				stored := e
				stored.At, stored.Fields, stored.VisibleFrom = fromMicros(micros(e.At)), storedFields, time.Time{}
				if visible != 0 {
					stored.VisibleFrom = fromMicros(visible)
				}
				tree.Append(stored)
			}
		}
		if _, err := db.txExec(ctx, db.Write, tx, b.String(), args...); err != nil {
			return err
		}
		entries = entries[n:]
	}
	if folding {
		return db.saveTree(ctx, tx, &tree)
	}
	return nil
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
