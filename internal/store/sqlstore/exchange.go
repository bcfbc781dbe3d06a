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

	"dancu/internal/errs"
	"dancu/internal/exchange"
)

// Exchange returns the data-sharing gateway's store.
func (db *DB) Exchange() exchange.Store { return exchangeStore{db} }

type exchangeStore struct{ db *DB }

func (s exchangeStore) Update(ctx context.Context, fn func(exchange.Tx) error) error {
	return s.db.update(ctx, func(tx *sql.Tx) error {
		return fn(&exchangeTx{regTx: regTx{db: s.db, tx: tx, pool: s.db.Write}})
	})
}

// View reads from the primary: a suspension or a withdrawn consent must
// take effect at the next request, not when a replica catches up.
func (s exchangeStore) View(ctx context.Context, fn func(exchange.Tx) error) error {
	return s.db.once(ctx, s.db.Read, s.db.Dialect.ReadTxOptions, func(tx *sql.Tx) error {
		return fn(&exchangeTx{regTx: regTx{db: s.db, tx: tx, pool: s.db.Read}})
	})
}

type exchangeTx struct{ regTx }

func (t *exchangeTx) CreateMember(ctx context.Context, m *exchange.Member) error {
	_, err := t.exec(ctx, `INSERT INTO exchange_members (id, name, type, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		m.ID, m.Name, string(m.Type), micros(m.CreatedAt), m.CreatedBy)
	return err
}

const memberColumns = `id, name, type, created_at, created_by`

func scanMember(row interface{ Scan(...any) error }) (*exchange.Member, error) {
	m := &exchange.Member{}
	var created int64
	var typ string
	if err := row.Scan(&m.ID, &m.Name, &typ, &created, &m.CreatedBy); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("member")
		}
		return nil, err
	}
	m.Type, m.CreatedAt = exchange.MemberType(typ), fromMicros(created)
	return m, nil
}

func (t *exchangeTx) Member(ctx context.Context, id string) (*exchange.Member, error) {
	return scanMember(t.row(ctx, `SELECT `+memberColumns+` FROM exchange_members WHERE id = ?`, id))
}

func (t *exchangeTx) Members(ctx context.Context) ([]*exchange.Member, error) {
	return scanAll(t, ctx, scanMember, `SELECT `+memberColumns+` FROM exchange_members ORDER BY created_at, id`)
}

// scanAll runs a query and scans every row with scan.
func scanAll[T any](t *exchangeTx, ctx context.Context, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const systemColumns = `id, member_id, name, client_id, stage, checklist, rate_limit, created_at, updated_at, version`

func scanSystem(row interface{ Scan(...any) error }) (*exchange.System, error) {
	s := &exchange.System{}
	var stage, checklist string
	var created, updated int64
	if err := row.Scan(&s.ID, &s.MemberID, &s.Name, &s.ClientID, &stage, &checklist, &s.RateLimit, &created, &updated, &s.Version); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("system")
		}
		return nil, err
	}
	if err := json.Unmarshal([]byte(checklist), &s.Checklist); err != nil {
		return nil, fmt.Errorf("system %s checklist: %w", s.ID, err)
	}
	s.Stage, s.CreatedAt, s.UpdatedAt = exchange.Stage(stage), fromMicros(created), fromMicros(updated)
	return s, nil
}

func checklistText(cs []exchange.Check) string {
	if len(cs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(cs)
	return string(b)
}

func (t *exchangeTx) CreateSystem(ctx context.Context, s *exchange.System) error {
	_, err := t.exec(ctx, `INSERT INTO exchange_systems (`+systemColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.MemberID, s.Name, s.ClientID, string(s.Stage), checklistText(s.Checklist), s.RateLimit, micros(s.CreatedAt), micros(s.UpdatedAt), s.Version)
	if err != nil && isUniqueViolation(err) {
		return errs.RuleField("client_id", "taken", "client %s is already another system's", s.ClientID)
	}
	return err
}

func (t *exchangeTx) UpdateSystem(ctx context.Context, s *exchange.System) error {
	res, err := t.exec(ctx, `UPDATE exchange_systems SET name = ?, stage = ?, checklist = ?, rate_limit = ?, updated_at = ?, version = ?
		WHERE id = ? AND version = ?`,
		s.Name, string(s.Stage), checklistText(s.Checklist), s.RateLimit, micros(s.UpdatedAt), s.Version, s.ID, s.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Conflict, "concurrent-change", "system %s was changed by someone else; try again", s.ID)
	}
	return nil
}

func (t *exchangeTx) System(ctx context.Context, id string) (*exchange.System, error) {
	return scanSystem(t.row(ctx, `SELECT `+systemColumns+` FROM exchange_systems WHERE id = ?`, id))
}

func (t *exchangeTx) SystemByClient(ctx context.Context, clientID string) (*exchange.System, error) {
	return scanSystem(t.row(ctx, `SELECT `+systemColumns+` FROM exchange_systems WHERE client_id = ?`, clientID))
}

func (t *exchangeTx) Systems(ctx context.Context) ([]*exchange.System, error) {
	return scanAll(t, ctx, scanSystem, `SELECT `+systemColumns+` FROM exchange_systems ORDER BY created_at, id`)
}

func (t *exchangeTx) AddStageChange(ctx context.Context, c exchange.StageChange) error {
	_, err := t.exec(ctx, `INSERT INTO exchange_system_history (system_id, at, actor, from_stage, to_stage, note) VALUES (?, ?, ?, ?, ?, ?)`,
		c.SystemID, micros(c.At), c.Actor, string(c.From), string(c.To), c.Note)
	return err
}

func (t *exchangeTx) StageChanges(ctx context.Context, systemID string) ([]exchange.StageChange, error) {
	return scanAll(t, ctx, func(row interface{ Scan(...any) error }) (exchange.StageChange, error) {
		c := exchange.StageChange{SystemID: systemID}
		var at int64
		var from, to string
		err := row.Scan(&at, &c.Actor, &from, &to, &c.Note)
		c.At, c.From, c.To = fromMicros(at), exchange.Stage(from), exchange.Stage(to)
		return c, err
	}, `SELECT at, actor, from_stage, to_stage, note FROM exchange_system_history WHERE system_id = ? ORDER BY id`, systemID)
}

const grantColumns = `id, member_id, purpose, legal_basis, operations, fields, valid_from, valid_until, consent_required,
	withhold_days, created_at, created_by, revoked_at`

func scanGrant(row interface{ Scan(...any) error }) (*exchange.Grant, error) {
	g := &exchange.Grant{}
	var ops, fields string
	var from, until, created, revoked int64
	var consent int
	if err := row.Scan(&g.ID, &g.MemberID, &g.Purpose, &g.LegalBasis, &ops, &fields, &from, &until, &consent,
		&g.WithholdDays, &created, &g.CreatedBy, &revoked); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("grant")
		}
		return nil, err
	}
	if err := json.Unmarshal([]byte(ops), &g.Operations); err != nil {
		return nil, fmt.Errorf("grant %s operations: %w", g.ID, err)
	}
	var err error
	if g.Fields, err = parseList(fields, "grant fields"); err != nil {
		return nil, err
	}
	g.ValidFrom, g.ValidUntil, g.CreatedAt, g.RevokedAt = fromMicros(from), fromMicros(until), fromMicros(created), optTime(revoked)
	g.ConsentRequired = consent != 0
	return g, nil
}

func (t *exchangeTx) PutGrant(ctx context.Context, g *exchange.Grant) error {
	ops := make([]string, len(g.Operations))
	for i, op := range g.Operations {
		ops[i] = string(op)
	}
	consent := 0
	if g.ConsentRequired {
		consent = 1
	}
	_, err := t.exec(ctx, `INSERT INTO exchange_grants (`+grantColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET revoked_at = excluded.revoked_at, valid_until = excluded.valid_until`,
		g.ID, g.MemberID, g.Purpose, g.LegalBasis, listText(ops), listText(g.Fields), micros(g.ValidFrom), micros(g.ValidUntil), consent,
		g.WithholdDays, micros(g.CreatedAt), g.CreatedBy, optMicros(g.RevokedAt))
	return err
}

func (t *exchangeTx) Grant(ctx context.Context, id string) (*exchange.Grant, error) {
	return scanGrant(t.row(ctx, `SELECT `+grantColumns+` FROM exchange_grants WHERE id = ?`, id))
}

func (t *exchangeTx) Grants(ctx context.Context, memberID string) ([]*exchange.Grant, error) {
	return scanAll(t, ctx, scanGrant, `SELECT `+grantColumns+` FROM exchange_grants WHERE member_id = ? ORDER BY created_at, id`, memberID)
}

const dataConsentColumns = `person_key, member_id, purpose, granted_at, expires_at, revoked_at`

func scanDataConsent(row interface{ Scan(...any) error }) (*exchange.Consent, error) {
	c := &exchange.Consent{}
	var granted, expires, revoked int64
	if err := row.Scan(&c.PersonKey, &c.MemberID, &c.Purpose, &granted, &expires, &revoked); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("consent")
		}
		return nil, err
	}
	c.GrantedAt, c.ExpiresAt, c.RevokedAt = fromMicros(granted), optTime(expires), optTime(revoked)
	return c, nil
}

// PutConsent records a consent; giving one again after withdrawing it
// starts it afresh.
func (t *exchangeTx) PutConsent(ctx context.Context, c *exchange.Consent) error {
	_, err := t.exec(ctx, `INSERT INTO exchange_consents (`+dataConsentColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (person_key, member_id, purpose) DO UPDATE SET granted_at = excluded.granted_at, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at`,
		c.PersonKey, c.MemberID, c.Purpose, micros(c.GrantedAt), optMicros(c.ExpiresAt), optMicros(c.RevokedAt))
	return err
}

func (t *exchangeTx) Consent(ctx context.Context, person int64, memberID, purpose string) (*exchange.Consent, error) {
	return scanDataConsent(t.row(ctx, `SELECT `+dataConsentColumns+` FROM exchange_consents WHERE person_key = ? AND member_id = ? AND purpose = ?`, person, memberID, purpose))
}

func (t *exchangeTx) Consents(ctx context.Context, person int64) ([]*exchange.Consent, error) {
	return scanAll(t, ctx, scanDataConsent, `SELECT `+dataConsentColumns+` FROM exchange_consents WHERE person_key = ? ORDER BY granted_at DESC`, person)
}

func (t *exchangeTx) AddUsage(ctx context.Context, us []exchange.Usage) error {
	for _, u := range us {
		if _, err := t.exec(ctx, `INSERT INTO exchange_usage (month, member_id, system_id, operation, count) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (month, member_id, system_id, operation) DO UPDATE SET count = exchange_usage.count + excluded.count`,
			u.Month, u.MemberID, u.SystemID, string(u.Operation), u.Count); err != nil {
			return err
		}
	}
	return nil
}

func (t *exchangeTx) Usage(ctx context.Context, month string) ([]exchange.Usage, error) {
	return scanAll(t, ctx, func(row interface{ Scan(...any) error }) (exchange.Usage, error) {
		u := exchange.Usage{Month: month}
		var op string
		err := row.Scan(&u.MemberID, &u.SystemID, &op, &u.Count)
		u.Operation = exchange.Operation(op)
		return u, err
	}, `SELECT member_id, system_id, operation, count FROM exchange_usage WHERE month = ? ORDER BY member_id, system_id, operation`, month)
}

const batchColumns = `id, system_id, member_id, purpose, legal_basis, format, status, input_size, input_offset, results_size,
	total, done, counts, error, created_at, started_at, updated_at, finished_at, lease_until, version`

func scanBatch(row interface{ Scan(...any) error }) (*exchange.Batch, error) {
	b := &exchange.Batch{}
	var status, counts string
	var created, started, updated, finished, lease int64
	if err := row.Scan(&b.ID, &b.SystemID, &b.MemberID, &b.Purpose, &b.LegalBasis, &b.Format, &status, &b.InputSize, &b.InputOffset, &b.ResultsSize,
		&b.Total, &b.Done, &counts, &b.Error, &created, &started, &updated, &finished, &lease, &b.Version); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("batch")
		}
		return nil, err
	}
	if err := json.Unmarshal([]byte(counts), &b.Counts); err != nil {
		return nil, fmt.Errorf("batch %s counts: %w", b.ID, err)
	}
	if b.Counts == nil {
		b.Counts = map[string]int64{}
	}
	b.Status = exchange.BatchStatus(status)
	b.CreatedAt, b.StartedAt, b.UpdatedAt, b.FinishedAt, b.LeaseUntil = fromMicros(created), optTime(started), fromMicros(updated), optTime(finished), optTime(lease)
	return b, nil
}

func (t *exchangeTx) batchArgs(b *exchange.Batch) []any {
	counts, _ := json.Marshal(b.Counts)
	return []any{b.SystemID, b.MemberID, b.Purpose, b.LegalBasis, b.Format, string(b.Status), b.InputSize, b.InputOffset, b.ResultsSize,
		b.Total, b.Done, string(counts), b.Error, micros(b.CreatedAt), optMicros(b.StartedAt), micros(b.UpdatedAt), optMicros(b.FinishedAt), optMicros(b.LeaseUntil), b.Version}
}

func (t *exchangeTx) CreateBatch(ctx context.Context, b *exchange.Batch) error {
	_, err := t.exec(ctx, `INSERT INTO exchange_batches (`+batchColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{b.ID}, t.batchArgs(b)...)...)
	return err
}

func (t *exchangeTx) Batch(ctx context.Context, id string) (*exchange.Batch, error) {
	return scanBatch(t.row(ctx, `SELECT `+batchColumns+` FROM exchange_batches WHERE id = ?`, id))
}

func (t *exchangeTx) UpdateBatch(ctx context.Context, b *exchange.Batch) error {
	res, err := t.exec(ctx, `UPDATE exchange_batches SET system_id = ?, member_id = ?, purpose = ?, legal_basis = ?, format = ?, status = ?,
		input_size = ?, input_offset = ?, results_size = ?, total = ?, done = ?, counts = ?, error = ?, created_at = ?, started_at = ?,
		updated_at = ?, finished_at = ?, lease_until = ?, version = ? WHERE id = ? AND version = ?`,
		append(t.batchArgs(b), b.ID, b.Version-1)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Conflict, "concurrent-change", "batch %s was changed meanwhile; try again", b.ID)
	}
	return nil
}

func (t *exchangeTx) NextBatch(ctx context.Context, now time.Time) (*exchange.Batch, error) {
	b, err := scanBatch(t.row(ctx, `SELECT `+batchColumns+` FROM exchange_batches
		WHERE status = 'queued' OR (status = 'running' AND lease_until < ?) ORDER BY created_at LIMIT 1`+t.db.Dialect.LockRows, micros(now)))
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	return b, err
}

const subscriptionColumns = `id, member_id, system_id, purpose, legal_basis, event_types, unit, url, sealed_secret, created_at, active`

func scanSubscription(row interface{ Scan(...any) error }) (*exchange.Subscription, error) {
	s := &exchange.Subscription{}
	var types string
	var created int64
	var active int
	if err := row.Scan(&s.ID, &s.MemberID, &s.SystemID, &s.Purpose, &s.LegalBasis, &types, &s.Unit, &s.URL, &s.SealedSecret, &created, &active); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("subscription")
		}
		return nil, err
	}
	var err error
	if s.EventTypes, err = parseList(types, "subscription event types"); err != nil {
		return nil, err
	}
	s.CreatedAt, s.Active = fromMicros(created), active != 0
	return s, nil
}

func (t *exchangeTx) CreateSubscription(ctx context.Context, s *exchange.Subscription) error {
	active := 0
	if s.Active {
		active = 1
	}
	_, err := t.exec(ctx, `INSERT INTO exchange_subscriptions (`+subscriptionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.MemberID, s.SystemID, s.Purpose, s.LegalBasis, listText(s.EventTypes), s.Unit, s.URL, blob(s.SealedSecret), micros(s.CreatedAt), active)
	return err
}

func (t *exchangeTx) Subscription(ctx context.Context, id string) (*exchange.Subscription, error) {
	return scanSubscription(t.row(ctx, `SELECT `+subscriptionColumns+` FROM exchange_subscriptions WHERE id = ?`, id))
}

func (t *exchangeTx) AddWatch(ctx context.Context, id string, persons []int64) error {
	for _, p := range persons {
		if _, err := t.exec(ctx, `INSERT INTO exchange_watch (subscription_id, person_key) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, p); err != nil {
			return err
		}
	}
	return nil
}

func (t *exchangeTx) MatchSubscriptions(ctx context.Context, person int64, units []string, typ string) ([]*exchange.Subscription, error) {
	q := `SELECT ` + subscriptionColumns + ` FROM exchange_subscriptions WHERE active = 1 AND id IN (SELECT subscription_id FROM exchange_watch WHERE person_key = ?)`
	args := []any{person}
	if len(units) > 0 {
		q += ` UNION SELECT ` + subscriptionColumns + ` FROM exchange_subscriptions WHERE active = 1 AND unit IN (?` + strings.Repeat(",?", len(units)-1) + `)`
		for _, u := range units {
			args = append(args, u)
		}
	}
	subs, err := scanAll(t, ctx, scanSubscription, q, args...)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(subs, func(s *exchange.Subscription) bool { return !slices.Contains(s.EventTypes, typ) }), nil
}

const deliveryColumns = `id, subscription_id, event_id, type, person_key, payload, status, attempts, next_at, last_error, created_at, delivered_at`

func scanDelivery(row interface{ Scan(...any) error }) (*exchange.Delivery, error) {
	d := &exchange.Delivery{}
	var payload string
	var next, created, delivered int64
	if err := row.Scan(&d.ID, &d.SubscriptionID, &d.EventID, &d.Type, &d.PersonKey, &payload, &d.Status, &d.Attempts, &next, &d.LastError, &created, &delivered); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("delivery")
		}
		return nil, err
	}
	d.Payload, d.NextAt, d.CreatedAt, d.DeliveredAt = []byte(payload), fromMicros(next), fromMicros(created), optTime(delivered)
	return d, nil
}

func (t *exchangeTx) AddDelivery(ctx context.Context, d *exchange.Delivery) error {
	_, err := t.exec(ctx, `INSERT INTO exchange_deliveries (subscription_id, event_id, type, person_key, payload, status, attempts, next_at, last_error, created_at, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, event_id) DO NOTHING`,
		d.SubscriptionID, d.EventID, d.Type, d.PersonKey, string(d.Payload), d.Status, d.Attempts, micros(d.NextAt), d.LastError, micros(d.CreatedAt), optMicros(d.DeliveredAt))
	return err
}

func (t *exchangeTx) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*exchange.Delivery, error) {
	return scanAll(t, ctx, scanDelivery, `SELECT `+deliveryColumns+` FROM exchange_deliveries WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`, micros(now), limit)
}

func (t *exchangeTx) UpdateDelivery(ctx context.Context, d *exchange.Delivery) error {
	_, err := t.exec(ctx, `UPDATE exchange_deliveries SET status = ?, attempts = ?, next_at = ?, last_error = ?, delivered_at = ? WHERE id = ?`,
		d.Status, d.Attempts, micros(d.NextAt), d.LastError, optMicros(d.DeliveredAt), d.ID)
	return err
}

func (t *exchangeTx) Deliveries(ctx context.Context, id, status string, limit int) ([]*exchange.Delivery, error) {
	if status == "" {
		return scanAll(t, ctx, scanDelivery, `SELECT `+deliveryColumns+` FROM exchange_deliveries WHERE subscription_id = ? ORDER BY id DESC LIMIT ?`, id, limit)
	}
	return scanAll(t, ctx, scanDelivery, `SELECT `+deliveryColumns+` FROM exchange_deliveries WHERE subscription_id = ? AND status = ? ORDER BY id DESC LIMIT ?`, id, status, limit)
}

func (t *exchangeTx) ReplayDeliveries(ctx context.Context, id string, since, now time.Time) (int, error) {
	res, err := t.exec(ctx, `UPDATE exchange_deliveries SET status = 'pending', attempts = 0, next_at = ?, last_error = '' WHERE subscription_id = ? AND created_at >= ?`,
		micros(now), id, micros(since))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (t *exchangeTx) TelcoNumber(ctx context.Context, number string) (int64, string, error) {
	var key int64
	var pid string
	err := t.row(ctx, `SELECT person_key, pid FROM exchange_telco_numbers WHERE number = ?`, number).Scan(&key, &pid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return key, pid, err
}

func (t *exchangeTx) PutTelcoNumber(ctx context.Context, number string, person int64, pid, member string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO exchange_telco_numbers (number, person_key, pid, member_id, confirmed_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET person_key = excluded.person_key, pid = excluded.pid, member_id = excluded.member_id, confirmed_at = excluded.confirmed_at`,
		number, person, pid, member, micros(at))
	return err
}

func (t *exchangeTx) ClaimDelivery(ctx context.Context, id int64, was, until time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE exchange_deliveries SET next_at = ? WHERE id = ? AND next_at = ? AND status = 'pending'`, micros(until), id, micros(was))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
