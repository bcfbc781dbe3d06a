package registry

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/vntext"
)

// ReadOptions says what a read returns.
type ReadOptions struct {
	// AsOf, when set, asks for what was true on that date.
	AsOf civil.Date
	// KnownAt, when set, asks for what the registry knew at that instant.
	KnownAt time.Time
	// Fields are the fields the response will show, for the access log.
	Fields []string
}

// View is a record returned by a read.
type View struct {
	Citizen *Citizen
	// Current is the stored current record; ETag and authority come from it.
	Current *Citizen
	AsOf    civil.Date
	KnownAt time.Time
	PIDs    map[PersonKey]string
}

// Citizen returns the record of the person a number names, as of a date and
// as known at an instant, after logging the access.
func (s *Service) Citizen(ctx context.Context, a actor.Actor, number string, opt ReadOptions) (*View, error) {
	if err := CheckNumber(number); err != nil {
		return nil, err
	}
	now := s.now()
	if err := checkAsOf(opt, now); err != nil {
		return nil, err
	}
	v := &View{AsOf: opt.AsOf, KnownAt: opt.KnownAt}
	err := s.Store.View(ctx, func(tx ReadTx) error {
		cur, err := s.authorised(ctx, tx, a, number)
		if err != nil {
			return err
		}
		v.Current, v.Citizen = cur, cur
		if !opt.AsOf.IsZero() || !opt.KnownAt.IsZero() {
			evs, err := tx.Events(ctx, cur.Key, opt.KnownAt)
			if err != nil {
				return err
			}
			c, rerr := Fold(cur.Key, evs, opt.AsOf)
			if rerr != nil {
				return fmt.Errorf("registry: stored history of a person does not fold: %w", rerr)
			}
			if !c.Exists() {
				return errs.E(errs.NotFound, "not-found", "the registry held no record of this person %s", whenText(opt))
			}
			c.Version = cur.Version
			v.Citizen = c
		}
		v.PIDs, err = s.pids(ctx, tx, []PersonKey{v.Citizen.Mother, v.Citizen.Father, v.Citizen.Spouse()})
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.Store.Record(ctx, []accesslog.Entry{s.entry(a, v.Current.Key, opt.Fields, accesslog.ActionRead)}); err != nil {
		return nil, err
	}
	return v, nil
}

func whenText(opt ReadOptions) string {
	var parts []string
	if !opt.AsOf.IsZero() {
		parts = append(parts, "as of "+opt.AsOf.String())
	}
	if !opt.KnownAt.IsZero() {
		parts = append(parts, "known at "+opt.KnownAt.Format(time.RFC3339))
	}
	return strings.Join(parts, ", ")
}

func checkAsOf(opt ReadOptions, now time.Time) error {
	if !opt.AsOf.IsZero() && opt.AsOf.First().After(civil.DateOf(now)) {
		return errs.InvalidField("as_of", "future", "%s is in the future", opt.AsOf)
	}
	if opt.KnownAt.After(now) {
		return errs.InvalidField("known_at", "future", "%s is in the future", opt.KnownAt.Format(time.RFC3339))
	}
	return nil
}

// authorised resolves a number and checks the actor's authority over the
// person, by the units of their current record.
func (s *Service) authorised(ctx context.Context, tx ReadTx, a actor.Actor, number string) (*Citizen, error) {
	cur, err := tx.CitizenByNumber(ctx, number)
	if errs.Is(err, errs.NotFound) {
		return nil, numberNotFound(number)
	}
	if err != nil {
		return nil, err
	}
	if cur.MergedInto != 0 {
		// A duplicate's number still resolves: to the surviving record.
		if cur, err = tx.Citizen(ctx, cur.MergedInto); err != nil {
			return nil, err
		}
	}
	if !s.covers(a, cur, civil.DateOf(s.now())) {
		return nil, outsideUnit(a)
	}
	return cur, nil
}

func numberNotFound(number string) error {
	return errs.E(errs.NotFound, "not-found", "no person has the number %s", number).With("field", "pid")
}

func outsideUnit(a actor.Actor) error {
	return errs.E(errs.Forbidden, "forbidden", "the person is outside your unit %s", a.Unit)
}

// EventsPage is one page of a person's history.
type EventsPage struct {
	Citizen *Citizen
	Events  []*Event
	PIDs    map[PersonKey]string
	// Next is the cursor of the next page, empty on the last.
	Next string
}

// MaxPageSize bounds every page.
const MaxPageSize = 200

// Events returns a person's event history in the order it applies (oldest
// effective date first), a page at a time.
func (s *Service) Events(ctx context.Context, a actor.Actor, number, cursor string, limit int, fields []string) (*EventsPage, error) {
	if err := CheckNumber(number); err != nil {
		return nil, err
	}
	after, err := decodeEventCursor(cursor)
	if err != nil {
		return nil, err
	}
	limit = clampLimit(limit)
	page := &EventsPage{}
	err = s.Store.View(ctx, func(tx ReadTx) error {
		cur, err := s.authorised(ctx, tx, a, number)
		if err != nil {
			return err
		}
		page.Citizen = cur
		// The survivor of a merge shows the merged records' histories too:
		// their events stay where they were recorded.
		evs, err := tx.EventPage(ctx, append([]PersonKey{cur.Key}, cur.Merged...), after, limit+1)
		if err != nil {
			return err
		}
		if len(evs) > limit {
			evs = evs[:limit]
			last := evs[limit-1]
			page.Next = encodeEventCursor(EventPosition{Effective: last.Effective.First().String(), Seq: last.Seq})
		}
		page.Events = evs
		var refs []PersonKey
		for _, e := range evs {
			refs = append(refs, e.Parties...)
			refs = append(refs, e.Data.Mother, e.Data.Father, e.Data.Spouse, e.Data.NewHead, e.Data.Merged, e.Data.Survivor)
		}
		page.PIDs, err = s.pids(ctx, tx, refs)
		return err
	})
	if err != nil {
		return nil, err
	}
	at := s.now()
	entries := []accesslog.Entry{s.entryAt(at, a, page.Citizen.Key, fields, accesslog.ActionRead)}
	for _, k := range page.Citizen.Merged {
		// The merged records' own events are shown too.
		entries = append(entries, s.entryAt(at, a, k, fields, accesslog.ActionRead))
	}
	if err := s.Store.Record(ctx, entries); err != nil {
		return nil, err
	}
	return page, nil
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

// Cursors are opaque to clients: base64url of a versioned position. They
// hold no internal key.
func encodeEventCursor(p EventPosition) string {
	return base64.RawURLEncoding.EncodeToString([]byte("e1:" + p.Effective + ":" + strconv.FormatInt(p.Seq, 10)))
}

func decodeEventCursor(s string) (EventPosition, error) {
	if s == "" {
		return EventPosition{}, nil
	}
	bad := errs.InvalidField("cursor", "format", "the cursor is not one this server issued; start again without it")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return EventPosition{}, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "e1" {
		return EventPosition{}, bad
	}
	if _, err := civil.ParseDate(parts[1]); err != nil {
		return EventPosition{}, bad
	}
	seq, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || seq < 0 {
		return EventPosition{}, bad
	}
	return EventPosition{Effective: parts[1], Seq: seq}, nil
}

func encodeSearchCursor(pid string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("s1:" + pid))
}

func decodeSearchCursor(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(b), "s1:") || CheckNumber(string(b[3:])) != nil {
		return "", errs.InvalidField("cursor", "format", "the cursor is not one this server issued; start again without it")
	}
	return string(b[3:]), nil
}

// SearchRequest finds persons by name.
type SearchRequest struct {
	Name      string
	BirthDate string
	Cursor    string
	Limit     int
	// Fields are the fields shown for each match, for the access log.
	Fields []string
}

// Match is one search result. Limited is set when the person is outside the
// actor's unit: only identifying fields may be shown (enough to recognise
// someone moving in), never the full record.
type Match struct {
	Citizen *Citizen
	Limited bool
}

// SearchResult is a page of matches.
type SearchResult struct {
	Matches []Match
	Next    string
}

// LimitedFields are the fields shown for a match outside the actor's unit.
var LimitedFields = []string{"pid", "full_name", "birth_date", "sex", "status"}

// Search finds persons by name, diacritic-, tone-placement- and
// case-insensitively, among full, other and former names. A search without
// a birth date stays within the actor's unit; national officers must give
// one. With a birth date, matches outside the actor's unit are shown in
// limited form. Every person returned is access-logged.
func (s *Service) Search(ctx context.Context, a actor.Actor, req SearchRequest) (*SearchResult, error) {
	var fs errs.Fields
	name := vntext.Fold(req.Name)
	if name == "" {
		fs.Add("name", "required", "a name to search for is required")
	}
	now := s.now()
	var birth civil.Date
	if req.BirthDate != "" {
		birth = checkDate(&fs, "birth_date", req.BirthDate, civil.DateOf(now), false)
	}
	after, err := decodeSearchCursor(req.Cursor)
	if err != nil {
		return nil, err
	}
	national := a.Kind == actor.KindOperator || a.Scope == actor.ScopeNational
	if req.BirthDate == "" && national {
		fs.Add("birth_date", "required", "a name search across the whole country needs a birth date")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	q := SearchQuery{Name: name, AfterPID: after, Limit: clampLimit(req.Limit) + 1, On: civil.DateOf(now)}
	if !birth.IsZero() {
		q.BirthFrom, q.BirthTo = birth.First(), birth.Last()
	} else {
		q.Unit = a.Unit
	}
	res := &SearchResult{}
	var entries []accesslog.Entry
	err = s.Store.View(ctx, func(tx ReadTx) error {
		cs, err := tx.Search(ctx, q)
		if err != nil {
			return err
		}
		if len(cs) == q.Limit {
			cs = cs[:q.Limit-1]
			res.Next = encodeSearchCursor(string(cs[len(cs)-1].PID))
		}
		for _, c := range cs {
			m := Match{Citizen: c}
			fields := req.Fields
			if !national && q.Unit == "" && !s.covers(a, c, q.On) {
				m.Limited, fields = true, LimitedFields
			}
			res.Matches = append(res.Matches, m)
			entries = append(entries, s.entryAt(now, a, c.Key, fields, accesslog.ActionSearch))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(entries) > 0 {
		if err := s.Store.Record(ctx, entries); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// HouseholdView is a household with its members' records.
type HouseholdView struct {
	Household *Household
	Members   map[PersonKey]*Citizen
}

// Household returns a household with its members on a date (today when
// zero). Each member returned is access-logged.
func (s *Service) Household(ctx context.Context, a actor.Actor, id string, day civil.Date, fields []string) (*HouseholdView, error) {
	if !digitsN(id, 12) {
		return nil, errs.InvalidField("id", "format", "a household number has 12 digits")
	}
	now := s.now()
	if day.IsZero() {
		day = civil.DateOf(now)
	} else if err := checkAsOf(ReadOptions{AsOf: day}, now); err != nil {
		return nil, err
	}
	v := &HouseholdView{Members: map[PersonKey]*Citizen{}}
	err := s.Store.View(ctx, func(tx ReadTx) error {
		h, err := tx.Household(ctx, id, day)
		if err != nil {
			return err
		}
		if a.Kind != actor.KindOperator && a.Scope != actor.ScopeNational && !a.Covers(s.unitsOf(h.Place, h.Created)) {
			return errs.E(errs.Forbidden, "forbidden", "household %s is outside your unit %s", id, a.Unit)
		}
		v.Household = h
		for _, m := range h.Members {
			c, err := tx.Citizen(ctx, m.Key)
			if err != nil {
				return err
			}
			v.Members[m.Key] = c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var entries []accesslog.Entry
	at := s.now()
	for _, m := range v.Household.Members {
		entries = append(entries, s.entryAt(at, a, m.Key, fields, accesslog.ActionRead))
	}
	if len(entries) > 0 {
		if err := s.Store.Record(ctx, entries); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// LogReads writes the access-log rows of records shown by another service
// (the worst records of a quality report), before they are sent.
func (s *Service) LogReads(ctx context.Context, a actor.Actor, keys []PersonKey, fields []string) error {
	if len(keys) == 0 {
		return nil
	}
	entries := make([]accesslog.Entry, len(keys))
	at := s.now()
	for i, k := range keys {
		entries[i] = s.entryAt(at, a, k, fields, accesslog.ActionRead)
	}
	return s.Store.Record(ctx, entries)
}

// ExportPage is one page of an export: records with the numbers of the
// people they name (parents, spouse).
type ExportPage struct {
	Citizens []*Citizen
	PIDs     map[PersonKey]string
	Next     ExportCursor
	Done     bool
}

// Export returns the next page of the registry (or of a unit) for an
// export, after writing an access-log row for every record in it: an
// export is a read of each person.
func (s *Service) Export(ctx context.Context, a actor.Actor, unit string, after ExportCursor, limit int) (*ExportPage, error) {
	if unit == actor.NationalUnit {
		unit = ""
	}
	if !a.Covers([]string{unit}) && !(unit == "" && a.Scope == actor.ScopeNational) {
		return nil, errs.E(errs.Forbidden, "forbidden", "unit %q is outside your unit %s", unit, a.Unit)
	}
	page := &ExportPage{}
	err := s.Store.View(ctx, func(tx ReadTx) error {
		cs, err := tx.ExportPage(ctx, unit, after, limit)
		if err != nil {
			return err
		}
		page.Citizens = cs
		var refs []PersonKey
		for _, c := range cs {
			refs = append(refs, c.Mother, c.Father, c.Spouse())
			for _, m := range c.Marriages {
				refs = append(refs, m.Spouse)
			}
		}
		page.PIDs, err = s.pids(ctx, tx, refs)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(page.Citizens) < limit {
		page.Done = true
	}
	if n := len(page.Citizens); n > 0 {
		last := page.Citizens[n-1]
		page.Next = ExportCursor{BirthFrom: last.BirthDate.First().String(), Key: last.Key}
	}
	entries := make([]accesslog.Entry, len(page.Citizens))
	at := s.now()
	for i, c := range page.Citizens {
		entries[i] = s.entryAt(at, a, c.Key, []string{"export"}, accesslog.ActionRead)
	}
	if len(entries) > 0 {
		if err := s.Store.Record(ctx, entries); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// CitizenByNumber returns the current record of the person a number names,
// for another capability acting as a (the e-ID service, an OpenID client):
// authority is checked and the read logged as for any reader.
func (s *Service) CitizenByNumber(ctx context.Context, a actor.Actor, number string, fields []string) (*Citizen, error) {
	v, err := s.Citizen(ctx, a, number, ReadOptions{Fields: fields})
	if err != nil {
		return nil, err
	}
	return v.Citizen, nil
}

// CitizenByKey returns a person's current record by internal key (a
// duplicate merged away gives the surviving record), for another
// capability acting as a; the read is logged.
func (s *Service) CitizenByKey(ctx context.Context, a actor.Actor, key PersonKey, fields []string) (*Citizen, error) {
	var cur *Citizen
	err := s.Store.View(ctx, func(tx ReadTx) error {
		var err error
		if cur, err = tx.Citizen(ctx, key); err != nil {
			return err
		}
		if cur.MergedInto != 0 {
			if cur, err = tx.Citizen(ctx, cur.MergedInto); err != nil {
				return err
			}
		}
		onBehalf := a.OnBehalfOf != 0 && (a.OnBehalfOf == int64(key) || a.OnBehalfOf == int64(cur.Key))
		if !onBehalf && !s.covers(a, cur, civil.DateOf(s.now())) {
			return outsideUnit(a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.Store.Record(ctx, []accesslog.Entry{s.entry(a, cur.Key, fields, accesslog.ActionRead)}); err != nil {
		return nil, err
	}
	return cur, nil
}

// Examine reads the current record of the person a number names for a
// capability that answers from it rather than returning it (a
// verification, a confirmation of residence): judge says what the answer
// was, which the access-log entry records as its result. The entry is
// durable before Examine returns; the caller must not answer otherwise.
func (s *Service) Examine(ctx context.Context, a actor.Actor, number string, fields []string, judge func(*Citizen) string) (*Citizen, error) {
	if err := CheckNumber(number); err != nil {
		return nil, err
	}
	var c *Citizen
	var result string
	err := s.Store.View(ctx, func(tx ReadTx) error {
		var err error
		if c, err = s.authorised(ctx, tx, a, number); err != nil {
			return err
		}
		result = judge(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	e := s.entry(a, c.Key, fields, accesslog.ActionRead)
	e.Result = result
	if err := s.Store.Record(ctx, []accesslog.Entry{e}); err != nil {
		return nil, err
	}
	return c, nil
}

// Examined is one record of ExamineKeys, or why it was not read.
type Examined struct {
	Citizen *Citizen
	Err     error
}

// ResolveAll returns the persons numbers (sorted, distinct) are aliases
// of, each at its number's place, 0 for numbers no one has (malformed
// ones among them), for work that will read the records in the order of
// their keys. Only internal keys come out, so nothing is logged: the
// reads that follow are.
func (s *Service) ResolveAll(ctx context.Context, numbers []string) ([]PersonKey, error) {
	out := make([]PersonKey, len(numbers))
	err := inParts(len(numbers), func(lo, hi int) error {
		for ; lo < hi; lo += joinRun {
			run := numbers[lo:min(lo+joinRun, hi)]
			err := s.Store.View(ctx, func(tx ReadTx) error {
				found, err := tx.ResolveNumbers(ctx, run)
				copy(out[lo:], found)
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ExamineKeys is Examine for many records at once, by the keys their
// numbers resolved to (ResolveAll), in ascending order (a chunk of a
// verification job): the records are read the way a database joins, the
// keys split into one run per core, each run read in key order in one
// statement of its own snapshot. A merged duplicate's key leads to the
// surviving record. judge is called for each record read, possibly from
// several goroutines at once, with its examined part (ExaminedRecord)
// filled in and maybe no more; the access-log entries, in key order
// within each result, are written in one durable write before
// ExamineKeys returns. A key whose record is not read has its error and
// no entry.
func (s *Service) ExamineKeys(ctx context.Context, a actor.Actor, keys []PersonKey, fields []string, judge func(i int, c *Citizen) string) ([]Examined, error) {
	out := make([]Examined, len(keys))
	results := make([]string, len(keys))
	today := civil.DateOf(s.now())
	err := inParts(len(keys), func(lo, hi int) error {
		// A run does not split a key's records: two runs must not both
		// judge them.
		for lo > 0 && lo < len(keys) && keys[lo] == keys[lo-1] {
			lo++
		}
		for hi < len(keys) && hi > 0 && keys[hi] == keys[hi-1] {
			hi++
		}
		if lo >= hi {
			return nil
		}
		distinct := slices.Compact(slices.Clone(keys[lo:hi]))
		return s.Store.View(ctx, func(tx ReadTx) error {
			found, err := tx.ExaminedRecords(ctx, distinct)
			if err != nil {
				return err
			}
			slices.SortFunc(found, func(x, y *Citizen) int { return cmp.Compare(x.Key, y.Key) })
			i := lo
			for _, c := range found {
				for i < hi && keys[i] < c.Key {
					i++ // no record: left for the not-found pass
				}
				cur := c
				if cur.MergedInto != 0 {
					if cur, err = tx.Citizen(ctx, cur.MergedInto); err != nil {
						return err
					}
				}
				var denied error
				if !s.covers(a, cur, today) {
					denied = outsideUnit(a)
				}
				for ; i < hi && keys[i] == c.Key; i++ {
					out[i] = Examined{Citizen: cur, Err: denied}
					if denied == nil {
						results[i] = judge(i, cur)
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	// The records were read at one moment, and the entries go grouped by
	// result: a run of entries alike but for the person is written as one
	// list.
	at := s.now()
	var byResult [][]accesslog.Entry
	group := map[string]int{}
	for i, x := range out {
		switch {
		case x.Citizen == nil && x.Err == nil:
			out[i].Err = errs.E(errs.NotFound, "not-found", "no person has this number").With("field", "pid")
		case x.Err == nil:
			g, ok := group[results[i]]
			if !ok {
				g = len(byResult)
				group[results[i]] = g
				byResult = append(byResult, nil)
			}
			e := s.entryAt(at, a, x.Citizen.Key, fields, accesslog.ActionRead)
			e.Result = results[i]
			byResult[g] = append(byResult[g], e)
		}
	}
	entries := slices.Concat(byResult...)
	if err := s.Store.Record(ctx, entries); err != nil {
		return nil, err
	}
	return out, nil
}

// joinRun is how many numbers or keys one statement joins.
const joinRun = 10_000

// inParts runs fn over [0, n) split into one part per core, side by side,
// and returns the first error.
func inParts(n int, fn func(lo, hi int) error) error {
	parts := max(1, runtime.GOMAXPROCS(0))
	size := max(1, (n+parts-1)/parts)
	var g errgroup.Group
	for lo := 0; lo < n; lo += size {
		g.Go(func() error { return fn(lo, min(lo+size, n)) })
	}
	return g.Wait()
}

// Keys resolves numbers to the records they lead to, for a capability
// that keeps people by key (a subscription's watch list); the numbers no
// one has come back apart. Nothing about the people leaves with it, so
// nothing is logged.
func (s *Service) Keys(ctx context.Context, numbers []string) (map[string]PersonKey, []string, error) {
	out := map[string]PersonKey{}
	var unknown []string
	err := s.Store.View(ctx, func(tx ReadTx) error {
		for _, n := range numbers {
			if CheckNumber(n) != nil {
				unknown = append(unknown, n)
				continue
			}
			al, err := tx.Resolve(ctx, n)
			if errs.Is(err, errs.NotFound) {
				unknown = append(unknown, n)
				continue
			}
			if err != nil {
				return err
			}
			k, err := s.follow(ctx, tx, al.Person)
			if err != nil {
				return err
			}
			out[n] = k
		}
		return nil
	})
	return out, unknown, err
}

// Locate returns the record a number leads to and the current units it is
// attached to, for matching an event against subscriptions by person or
// region. Nothing leaves with it, so it is not logged.
func (s *Service) Locate(ctx context.Context, number string) (PersonKey, []string, error) {
	var key PersonKey
	var units []string
	err := s.Store.View(ctx, func(tx ReadTx) error {
		al, err := tx.Resolve(ctx, number)
		if err != nil {
			return err
		}
		if key, err = s.follow(ctx, tx, al.Person); err != nil {
			return err
		}
		c, err := tx.Citizen(ctx, key)
		if err != nil {
			return err
		}
		units = s.Units(c, civil.DateOf(s.now()))
		return nil
	})
	return key, units, err
}
