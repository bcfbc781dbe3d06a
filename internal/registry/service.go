package registry

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/catalog"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/events"
	"dancu/internal/pid"
	"dancu/internal/place"
)

// Service records and reads the registry. It decides who may do what;
// handlers only translate HTTP.
type Service struct {
	Store  Store
	Places *place.Catalogue
	// Clock gives the current instant; civil dates are read from it in
	// Asia/Ho_Chi_Minh.
	Clock civil.Clock
	// Rand is the source of serials and ids; crypto/rand in production.
	Rand io.Reader
	// Assess grades each record as it is saved (internal/quality); nil
	// marks every record clean.
	Assess Assessor
}

// NewService returns a Service with production defaults for nil fields.
func NewService(store Store, places *place.Catalogue, clock civil.Clock, rnd io.Reader) *Service {
	if places == nil {
		places = place.Default()
	}
	if clock == nil {
		clock = time.Now
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{Store: store, Places: places, Clock: clock, Rand: rnd}
}

// WriteOptions carries the HTTP-level guarantees of a write.
type WriteOptions struct {
	// IfMatch, when set, must equal the ETag of the subject's record.
	IfMatch string
	// IdempotencyKey, when set, makes the request safe to retry: the first
	// response is stored in the same transaction and returned again.
	IdempotencyKey string
	RequestHash    string
	// Render turns the result into the response that is stored for the
	// idempotency key. Required when IdempotencyKey is set.
	Render func(*Result) (StoredResponse, error)
	// Fields are the fields of the person the response will show; they
	// are recorded in the access log.
	Fields []string
}

// Result is the outcome of a write.
type Result struct {
	Citizen *Citizen
	Event   *Event
	// PIDs maps the persons an event or record refers to (parents,
	// spouse, new head) to their current numbers.
	PIDs map[PersonKey]string
	// Replay is set when the request was a retry: send it instead.
	Replay *StoredResponse
}

// ETag is the entity tag of a record's version.
func ETag(c *Citizen) string { return fmt.Sprintf(`"v%d"`, c.Version) }

func (s *Service) now() time.Time { return s.Clock() }

// RegisterBirth registers a birth, creating the person and issuing a new
// personal ID number in the same transaction.
func (s *Service) RegisterBirth(ctx context.Context, a actor.Actor, req BirthRequest, opt WriteOptions) (*Result, error) {
	today := civil.DateOf(s.now())
	var fs errs.Fields
	d := Details{
		FullName:    checkName(&fs, "full_name", req.FullName, true),
		BirthDate:   checkDate(&fs, "birth_date", req.BirthDate, today, true),
		HomeTown:    strings.TrimSpace(req.HomeTown),
		Ethnicity:   checkEthnicity(&fs, "ethnicity", req.Ethnicity),
		Religion:    checkReligion(&fs, "religion", req.Religion),
		Nationality: checkCountry(&fs, "nationality", req.Nationality),
	}
	for i, n := range req.OtherNames {
		if v := checkName(&fs, fmt.Sprintf("other_names[%d]", i), n, true); v != "" {
			d.OtherNames = append(d.OtherNames, v)
		}
	}
	if d.Nationality == "" {
		d.Nationality = "VN"
	}
	if sex, ok := ParseSex(req.Sex); ok {
		d.Sex = sex
	} else if req.Sex == "" {
		fs.Add("sex", "required", "sex is required: male or female")
	} else {
		fs.Add("sex", "format", "sex must be male or female, not %q", req.Sex)
	}
	if y := d.BirthDate.Year(); !d.BirthDate.IsZero() && (y < pid.FirstYear || y > pid.LastYear) {
		fs.Add("birth_date", "range", "a personal ID number can be issued only for births from %d", pid.FirstYear)
	}
	mother := checkPID(&fs, "mother_pid", req.MotherPID)
	father := checkPID(&fs, "father_pid", req.FatherPID)
	if mother != "" && mother == father {
		fs.Add("father_pid", "inconsistent", "mother and father are the same person")
	}
	// A birth is registered in a commune, or abroad at a mission in a
	// country; the birth itself happened in a commune or a country.
	if !d.BirthDate.IsZero() {
		on := d.BirthDate.First()
		d.BirthPlace, d.BirthCountry = s.placeOrCountry(&fs, "birth_place", req.BirthPlace, "birth_country", req.BirthCountry, on, today)
		d.RegistrationPlace, d.RegistrationCountry = s.placeOrCountry(&fs, "registration_place", req.RegistrationPlace, "registration_country", req.RegistrationCountry, on, today)
		if d.HomeTown != "" {
			if _, err := s.Places.Lookup(d.HomeTown, on); err != nil {
				if _, err2 := s.Places.Lookup(d.HomeTown, today); err2 != nil {
					fs.Add("home_town", placeReason(err), "%v", err)
				}
			}
		}
	}
	legal, reason := legalBasis(&fs, EventBirth, req.LegalBasis, req.Reason)
	if err := fs.Err(); err != nil {
		return nil, err
	}
	if d.RegistrationPlace != "" {
		if err := s.mayRecordIn(a, d.RegistrationPlace, s.validDay(d.RegistrationPlace, d.BirthDate.First(), today), "registration_place"); err != nil {
			return nil, err
		}
	} else if a.Scope != actor.ScopeNational && a.Kind != actor.KindOperator {
		return nil, errs.E(errs.Forbidden, "forbidden", "births registered abroad are recorded by national-scope officers")
	}

	var res *Result
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = nil
		if replay, err := s.claim(ctx, tx, a, opt); err != nil || replay != nil {
			res = &Result{Replay: replay}
			return err
		}
		parents := []struct {
			field string
			num   pid.Number
			key   *PersonKey
			sex   Sex
		}{{"mother_pid", mother, &d.Mother, Female}, {"father_pid", father, &d.Father, Male}}
		var keys []PersonKey
		for _, p := range parents {
			if p.num == "" {
				continue
			}
			k, err := s.resolveField(ctx, tx, p.field, string(p.num))
			if err != nil {
				return err
			}
			*p.key = k
			keys = append(keys, k)
		}
		if err := tx.LockPersons(ctx, keys...); err != nil {
			return err
		}
		for _, p := range parents {
			if *p.key == 0 {
				continue
			}
			pc, err := tx.Citizen(ctx, *p.key)
			if err != nil {
				return err
			}
			if err := checkParent(p.field, pc, p.sex, d.BirthDate); err != nil {
				return err
			}
		}
		now, err := s.stamp(ctx, tx, keys)
		if err != nil {
			return err
		}
		today := civil.DateOf(now)
		key, err := tx.NewPerson(ctx, now)
		if err != nil {
			return err
		}
		number, err := s.AllocatePID(ctx, tx, key, d.RegistrationPlace, d.RegistrationCountry, d.BirthDate, d.Sex, today, "")
		if err != nil {
			return err
		}
		d.PID = number
		e := &Event{
			ID: s.newID(now), Type: EventBirth, Subject: key, Parties: []PersonKey{key},
			Effective: d.BirthDate, RecordedAt: now, Officer: a.ID, LegalBasis: legal, Reason: reason, Data: d,
		}
		if err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		c, rerr := Fold(key, []*Event{e}, civil.Date{})
		if rerr != nil {
			return s.ruleError(e, rerr)
		}
		if err := s.save(ctx, tx, c); err != nil {
			return err
		}
		res = &Result{Citizen: c, Event: e}
		return s.finish(ctx, tx, a, opt, res, []PersonKey{key})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// placeOrCountry validates a commune code valid on `on` or, for events
// abroad, a country code; exactly one of the two is required.
func (s *Service) placeOrCountry(fs *errs.Fields, placeField, code, countryField, country string, on, today civil.Date) (string, string) {
	switch {
	case code != "" && country != "":
		fs.Add(countryField, "not_allowed", "give either %s (a commune) or %s (abroad), not both", placeField, countryField)
	case code == "" && country == "":
		fs.Add(placeField, "required", "%s is required: the code of a commune valid on %s", placeField, on)
	case country != "":
		c := checkCountry(fs, countryField, country)
		if c == "VN" {
			fs.Add(countryField, "inconsistent", "for a birth in Viet Nam give %s, the commune code", placeField)
		}
		return "", c
	default:
		u, err := s.commune(code, on)
		if err != nil {
			// A late registration may name the commune as it is today.
			if u2, err2 := s.commune(code, today); err2 == nil {
				return u2.Code, ""
			}
			fs.Add(placeField, placeReason(err), "%v", err)
			return "", ""
		}
		return u.Code, ""
	}
	return "", ""
}

// commune returns the commune with code in force on day.
func (s *Service) commune(code string, day civil.Date) (place.Unit, error) {
	u, err := s.Places.Lookup(code, day)
	if err != nil {
		return place.Unit{}, err
	}
	if u.Level != place.LevelCommune {
		return place.Unit{}, fmt.Errorf("%s is a %s (%s), not a commune: %w", code, u.Level, u.Name, place.ErrUnknownCode)
	}
	return u, nil
}

func placeReason(err error) string {
	if errors.Is(err, place.ErrNotInForce) {
		return "not_in_force"
	}
	return "unknown"
}

func legalBasis(fs *errs.Fields, t EventType, legal, reason string) (string, string) {
	legal = checkText(fs, "legal_basis", legal)
	if legal == "" {
		legal = DefaultLegalBasis[t]
	}
	return legal, checkText(fs, "reason", reason)
}

// checkParent checks that p can be the mother (sex Female) or father of a
// child born on birth. Its messages say which rule failed without
// disclosing the parent's record, which the officer may not be entitled to
// read.
func checkParent(field string, p *Citizen, sex Sex, birth civil.Date) error {
	role := map[Sex]string{Female: "mother", Male: "father"}[sex]
	if p.Sex != sex {
		return errs.RuleField(field, "inconsistent", "the number given as %s is not recorded as %s", field, sex)
	}
	if !p.BirthDate.Before(birth) {
		return errs.RuleField(field, "born_after_child", "the %s given in %s was not born before the child (born %s)", role, field, birth)
	}
	if p.Status == Dead {
		// A father may die before the birth of a child conceived before his
		// death; 300 days is the period the civil code presumes.
		limit := p.DeathDate
		if sex == Male {
			limit = p.DeathDate.AddDays(300)
		}
		if limit.Before(birth) {
			return errs.RuleField(field, "dead_before_birth", "the %s given in %s died too long before the birth on %s", role, field, birth)
		}
	}
	return nil
}

// AllocatePID issues a new personal ID number to key and stores it as the
// person's alias. Serials are drawn at random, so numbers reveal nothing
// about registration order and concurrent writers never contend on a
// counter; uniqueness is the alias table's primary key, checked in the same
// transaction, so a number taken by anyone, ever, is never issued again and
// a number reserved by a transaction that dies is simply not issued.
func (s *Service) AllocatePID(ctx context.Context, tx Tx, key PersonKey, regPlace, regCountry string, birth civil.Date, sex Sex, today civil.Date, eventID string) (pid.Number, error) {
	code, err := s.pidPlaceCode(regPlace, regCountry, birth, today)
	if err != nil {
		return "", err
	}
	for range 64 {
		var b [4]byte
		if _, err := io.ReadFull(s.Rand, b[:]); err != nil {
			return "", err
		}
		serial := int(binary.BigEndian.Uint32(b[:])%pid.MaxSerial) + 1
		n, err := pid.Compose(code, birth.Year(), sex.PID(), serial)
		if err != nil {
			return "", errs.RuleField("birth_date", "range", "%v", err)
		}
		ok, err := tx.AddAlias(ctx, Alias{Number: string(n), Person: key, Kind: AliasPID, ValidFrom: today, EventID: eventID})
		if err != nil {
			return "", err
		}
		if ok {
			return n, nil
		}
	}
	return "", errs.E(errs.Unavailable, "number-space-exhausted",
		"no free personal ID number found for place %s, year %d; try again", code, birth.Year())
}

// pidPlaceCode is the place code a number issued today carries.
func (s *Service) pidPlaceCode(regPlace, regCountry string, birth, today civil.Date) (string, error) {
	if regCountry != "" {
		c, ok := catalog.CountryByAlpha2(regCountry)
		if !ok {
			return "", errs.InvalidField("registration_country", "unknown", "unknown country %q", regCountry)
		}
		return c.Numeric, nil
	}
	code, err := s.Places.PIDPlaceCode(regPlace, birth.First(), today)
	if err != nil {
		code, err = s.Places.PIDPlaceCode(regPlace, today, today)
	}
	if err != nil {
		return "", errs.RuleField("registration_place", "ambiguous", "%v", err)
	}
	return code, nil
}

// ExpectedPID returns what a person's number must encode, for validation.
func (s *Service) ExpectedPID(c *Citizen) pid.Expectation {
	want := pid.Expectation{Sex: c.Sex.PID(), BirthYearFrom: c.BirthDate.Year(), BirthYearTo: c.BirthDate.Year()}
	if code, err := s.pidPlaceCode(c.RegistrationPlace, c.RegistrationCountry, c.BirthDate, c.PIDIssuedOn); err == nil {
		want.PlaceCodes = []string{code}
	}
	return want
}

// mayRecordIn checks that the actor may record an event located in the
// commune code (valid on day): the commune, or its successor, is in the
// actor's unit.
func (s *Service) mayRecordIn(a actor.Actor, code string, day civil.Date, field string) error {
	if a.Kind == actor.KindOperator || a.Scope == actor.ScopeNational {
		return nil
	}
	if a.Covers(s.unitsOf(code, day)) {
		return nil
	}
	return errs.E(errs.Forbidden, "forbidden", "%s %s is outside your unit %s", field, code, a.Unit).
		With("field", field)
}

// unitsOf returns the current communes and provinces that stand for a unit
// code valid on day.
func (s *Service) unitsOf(code string, day civil.Date) []string {
	if code == "" {
		return nil
	}
	cs, err := s.Places.CurrentCommunes(code, day)
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range cs {
		out = append(out, u.Code, u.ProvinceCode)
	}
	return out
}

// validDay returns the day on which to read a place code recorded for an
// event of date day: that day, or — for a late registration that named the
// commune as it is today — today.
func (s *Service) validDay(code string, day, today civil.Date) civil.Date {
	if _, err := s.Places.Lookup(code, day); err != nil {
		if _, err := s.Places.Lookup(code, today); err == nil {
			return today
		}
	}
	return day
}

// unitSpans returns the current units a record attaches the person to and
// until when: residences (a temporary one until its end date) and the
// place of birth registration. For a person who has died, the residences
// in force on the eve of the death count, with no end, so the commune that
// recorded the death keeps authority.
func (s *Service) unitSpans(c *Citizen, today civil.Date) []UnitSpan {
	var out []UnitSpan
	day := today
	if c.Status == Dead {
		day = c.DeathDate.First().AddDays(-1)
	}
	for _, r := range c.Residences {
		if !r.InForce(day) {
			continue
		}
		until := r.Until
		if c.Status == Dead {
			until = civil.Date{}
		}
		for _, u := range s.unitsOf(r.Place, s.validDay(r.Place, r.From.First(), today)) {
			out = append(out, UnitSpan{Unit: u, Until: until})
		}
	}
	if c.RegistrationPlace != "" {
		for _, u := range s.unitsOf(c.RegistrationPlace, s.validDay(c.RegistrationPlace, c.BirthDate.First(), today)) {
			out = append(out, UnitSpan{Unit: u})
		}
	}
	// One span per unit: the longest.
	slices.SortFunc(out, func(a, b UnitSpan) int {
		if a.Unit != b.Unit {
			return strings.Compare(a.Unit, b.Unit)
		}
		switch {
		case a.Until.IsZero() && !b.Until.IsZero():
			return -1
		case !a.Until.IsZero() && b.Until.IsZero():
			return 1
		}
		return -civil.Compare(a.Until, b.Until)
	})
	return slices.CompactFunc(out, func(a, b UnitSpan) bool { return a.Unit == b.Unit })
}

// ResidesIn reports whether a residence lies in unit, a commune or
// province as they are today (a residence declared in a commune merged
// since lies in the commune that took it over).
func (s *Service) ResidesIn(r Residence, unit string, today civil.Date) bool {
	return slices.Contains(s.unitsOf(r.Place, s.validDay(r.Place, r.From.First(), today)), unit)
}

// covers reports whether the actor's authority reaches the person on day.
// National authority reaches everyone, so the person's units (place
// lookups for every residence) are not worked out for it: a national
// reader — an agency system among them — pays nothing for the check.
func (s *Service) covers(a actor.Actor, c *Citizen, day civil.Date) bool {
	if a.CoversAll() {
		return true
	}
	return a.Covers(s.Units(c, day))
}

// Units returns the current communes and provinces that have authority over
// the person on day.
func (s *Service) Units(c *Citizen, day civil.Date) []string {
	var out []string
	for _, u := range s.unitSpans(c, day) {
		out = append(out, u.Unit)
	}
	return out
}

func (s *Service) save(ctx context.Context, tx Tx, c *Citizen) error {
	return tx.SaveCitizen(ctx, c, s.Project(c, civil.DateOf(s.now())))
}

// Project computes what is stored beside a record: the units it is
// attached to and its data-quality mark.
func (s *Service) Project(c *Citizen, today civil.Date) Projection {
	p := Projection{Units: s.unitSpans(c, today), Quality: QualityMark{Score: 100}}
	if s.Assess != nil {
		p.Quality = s.Assess(c, today)
	}
	return p
}

// stamp returns the recording instant for an event about the persons, read
// after their rows are locked: later than every event already recorded for
// any of them, so a person's events are recorded in the order they were
// checked and every known_at prefix of a history is one that was checked
// whole — even when a writer waited for the lock, or clocks of several
// servers disagree.
func (s *Service) stamp(ctx context.Context, tx ReadTx, keys []PersonKey) (time.Time, error) {
	now := s.now()
	if len(keys) == 0 {
		return now, nil
	}
	last, err := tx.LatestRecordedAt(ctx, keys)
	if err != nil {
		return time.Time{}, err
	}
	if !now.After(last) {
		now = last.Add(time.Microsecond)
	}
	return now, nil
}

// claim reserves the idempotency key, or returns the stored response. A
// replay sends the person's data again, so it is access-logged in the same
// transaction, like any read.
func (s *Service) claim(ctx context.Context, tx Tx, a actor.Actor, opt WriteOptions) (*StoredResponse, error) {
	if opt.IdempotencyKey == "" {
		return nil, nil
	}
	stored, err := tx.ClaimIdempotencyKey(ctx, a.ID, opt.IdempotencyKey, opt.RequestHash)
	if err != nil || stored == nil {
		return nil, err
	}
	if stored.Person != 0 {
		if err := tx.LogAccess(ctx, []accesslog.Entry{s.entry(a, stored.Person, opt.Fields, accesslog.ActionRead)}); err != nil {
			return nil, err
		}
	}
	return stored, nil
}

// finish writes what every write ends with, in its transaction: the
// outbox message, the access-log row for the person returned, and the
// stored response for the idempotency key.
func (s *Service) finish(ctx context.Context, tx Tx, a actor.Actor, opt WriteOptions, res *Result, refs []PersonKey) error {
	e, c := res.Event, res.Citizen
	payload, err := json.Marshal(map[string]any{
		"event_id": e.ID, "type": e.Type, "pid": c.PID,
		"effective_date": e.Effective.String(), "recorded_at": e.RecordedAt.UTC().Format(time.RFC3339Nano),
	})
	if err != nil {
		return err
	}
	if err := tx.Outbox(ctx, events.Message{EventID: e.ID, Subject: events.Subject("registry", string(e.Type)), Payload: payload, CreatedAt: e.RecordedAt}); err != nil {
		return err
	}
	refs = append(refs, c.Mother, c.Father, c.Spouse(), e.Data.Spouse, e.Data.NewHead, e.Data.Mother, e.Data.Father)
	if res.PIDs, err = s.pids(ctx, tx, refs); err != nil {
		return err
	}
	if err := tx.LogAccess(ctx, []accesslog.Entry{s.entry(a, c.Key, opt.Fields, accesslog.ActionWrite)}); err != nil {
		return err
	}
	if opt.IdempotencyKey == "" {
		return nil
	}
	if opt.Render == nil {
		return errors.New("registry: idempotent write without a renderer")
	}
	resp, err := opt.Render(res)
	if err != nil {
		return err
	}
	resp.Person = c.Key
	return tx.CompleteIdempotencyKey(ctx, a.ID, opt.IdempotencyKey, resp)
}

func (s *Service) pids(ctx context.Context, tx ReadTx, keys []PersonKey) (map[PersonKey]string, error) {
	var want []PersonKey
	for _, k := range keys {
		if k != 0 && !slices.Contains(want, k) {
			want = append(want, k)
		}
	}
	if len(want) == 0 {
		return map[PersonKey]string{}, nil
	}
	return tx.PIDs(ctx, want)
}

func (s *Service) entry(a actor.Actor, key PersonKey, fields []string, action accesslog.Action) accesslog.Entry {
	return s.entryAt(s.now(), a, key, fields, action)
}

// entryAt is entry for a read of many people at one moment: entries
// alike but for the person are written as one run.
func (s *Service) entryAt(at time.Time, a actor.Actor, key PersonKey, fields []string, action accesslog.Action) accesslog.Entry {
	return accesslog.Entry{
		At: at, ActorKind: string(a.Kind), ActorID: a.ID, Role: string(a.Role), Unit: a.Unit,
		Purpose: a.Purpose, PersonKey: int64(key), Fields: fields, Action: action, RequestID: a.RequestID,
		Member: a.Member, LegalBasis: a.LegalBasis, VisibleFrom: a.WithholdUntil,
	}
}

// resolveField resolves a number given in a request field to a person; an
// unknown number is the field's fault.
func (s *Service) resolveField(ctx context.Context, tx ReadTx, field, number string) (PersonKey, error) {
	al, err := tx.Resolve(ctx, number)
	if errs.Is(err, errs.NotFound) {
		return 0, errs.RuleField(field, "unknown", "no person has the number %s", number)
	}
	if err != nil {
		return 0, err
	}
	return s.follow(ctx, tx, al.Person)
}

// follow returns the record a person's number leads to: the person, or the
// surviving record it was merged into as a duplicate.
func (s *Service) follow(ctx context.Context, tx ReadTx, key PersonKey) (PersonKey, error) {
	c, err := tx.Citizen(ctx, key)
	if err != nil {
		return 0, err
	}
	if c.MergedInto != 0 {
		return c.MergedInto, nil
	}
	return key, nil
}

// ruleError turns a fold failure into the error the caller sees: a rule
// broken by the new event itself, or a conflict with an event recorded
// earlier that the new one would make impossible.
func (s *Service) ruleError(e *Event, rerr *RuleError) error {
	if rerr.Event == nil || rerr.Event.ID == e.ID {
		return errs.RuleField(rerr.Field, rerr.Reason, "%s", rerr.Message)
	}
	ce := rerr.Event
	return (&errs.Error{
		Kind: errs.Conflict, Code: "conflicting-event",
		Message: fmt.Sprintf("the %s event effective %s contradicts the %s event %s effective %s, recorded %s: %s",
			e.Type, e.Effective, ce.Type, ce.ID, ce.Effective, ce.RecordedAt.In(civil.Location).Format(time.RFC3339), rerr.Message),
		Fields: []errs.Field{{Name: "effective_date", Reason: "conflict", Message: rerr.Message}},
	}).With("conflicting_event", map[string]any{
		"id": ce.ID, "type": ce.Type, "effective_date": ce.Effective.String(),
		"recorded_at": ce.RecordedAt.UTC().Format(time.RFC3339Nano),
	})
}

// newID returns a new event id: a ULID (time-ordered, 26 characters of
// Crockford base32), so ids sort roughly by recording time.
func (s *Service) newID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	if _, err := io.ReadFull(s.Rand, b[6:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var out [26]byte
	// 128 bits as 26 base32 digits, most significant first.
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// newHouseholdID returns a 12-digit household number.
func (s *Service) newHouseholdID() (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(s.Rand, b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("%012d", binary.BigEndian.Uint64(b[:])%1_000_000_000_000), nil
}

// pendingSeq sorts an event not yet stored after every stored event with
// the same effective date.
const pendingSeq = math.MaxInt64

// foldWith folds a person's known history with a new event added, and
// reports a conflict when the new event makes a later one impossible.
func (s *Service) foldWith(ctx context.Context, tx ReadTx, key PersonKey, e *Event) (*Citizen, error) {
	evs, err := tx.Events(ctx, key, time.Time{})
	if err != nil {
		return nil, err
	}
	c, rerr := Fold(key, append(evs, e), civil.Date{})
	if rerr != nil {
		return nil, s.ruleError(e, rerr)
	}
	return c, nil
}
