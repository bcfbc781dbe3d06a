package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/pid"
	"dancu/internal/place"
)

// draft is an event request checked on its own, before the records it
// touches are read.
type draft struct {
	typ             EventType
	effective       civil.Date
	legal, reason   string
	d               Details
	spouse, newHead pid.Number
	mother, father  pid.Number
	placeGiven      bool
	// Places a correction names are checked against the corrected birth
	// date, which is known only once the record is read.
	registrationPlaceRaw string
	birthPlaceRaw        string
}

// checkEvent validates an event request by itself: type, fields allowed and
// required for it, formats, dates not in the future, places in force.
func (s *Service) checkEvent(req EventRequest, today civil.Date) (*draft, error) {
	var fs errs.Fields
	typ, ok := ParseEventType(req.Type)
	switch {
	case req.Type == "":
		fs.Add("type", "required", "the event type is required")
		return nil, fs.Err()
	case !ok:
		fs.Add("type", "unknown", "unknown event type %q; known types: %s", req.Type, knownTypes())
		return nil, fs.Err()
	case typ == EventBirth:
		fs.Add("type", "not_allowed", "births are registered with POST /api/v1/births")
		return nil, fs.Err()
	case typ == EventMerge || typ == EventMergedInto || typ == EventUnmerge:
		fs.Add("type", "not_allowed", "duplicates are merged and unmerged through /api/v1/merges, with a second officer's approval")
		return nil, fs.Err()
	}
	spec := eventFields[typ]
	given := req.set()
	for _, f := range given {
		if !slices.Contains(spec.allowed, f) {
			fs.Add(f, "not_allowed", "a %s event does not take %s", typ, f)
		}
	}
	for _, f := range spec.required {
		if !slices.Contains(given, f) {
			fs.Add(f, "required", "a %s event requires %s", typ, f)
		}
	}
	if typ == EventCorrection && len(given) == 0 {
		fs.Add("type", "required", "a correction must change at least one of: %s", strings.Join(correctable, ", "))
	}
	dr := &draft{typ: typ}
	dr.effective = checkDate(&fs, "effective_date", req.EffectiveDate, today, false)
	if req.EffectiveDate == "" {
		dr.effective = today
	} else if !dr.effective.IsZero() && dr.effective.Precision() != civil.PrecisionDay {
		fs.Add("effective_date", "format", "an effective date must be a full date YYYY-MM-DD")
	}
	dr.legal, dr.reason = legalBasis(&fs, typ, req.LegalBasis, req.Reason)
	if err := fs.Err(); err != nil {
		return nil, err
	}

	d := &dr.d
	eff := dr.effective
	d.FullName = checkName(&fs, "full_name", req.FullName, false)
	for i, n := range req.OtherNames {
		if v := checkName(&fs, fmt.Sprintf("other_names[%d]", i), n, true); v != "" {
			d.OtherNames = append(d.OtherNames, v)
		}
	}
	if req.OtherNames != nil && d.OtherNames == nil {
		d.OtherNames = []string{}
	}
	d.BirthDate = checkDate(&fs, "birth_date", req.BirthDate, today, false)
	if req.Sex != "" {
		if sex, ok := ParseSex(req.Sex); ok {
			d.Sex = sex
		} else {
			fs.Add("sex", "format", "sex must be male or female, not %q", req.Sex)
		}
	}
	d.BirthCountry = checkCountry(&fs, "birth_country", req.BirthCountry)
	d.RegistrationCountry = checkCountry(&fs, "registration_country", req.RegistrationCountry)
	d.Ethnicity = checkEthnicity(&fs, "ethnicity", req.Ethnicity)
	d.Religion = checkReligion(&fs, "religion", req.Religion)
	d.Nationality = checkCountry(&fs, "nationality", req.Nationality)
	d.HomeTown = strings.TrimSpace(req.HomeTown)
	if d.HomeTown != "" && len(s.Places.Versions(d.HomeTown)) == 0 {
		fs.Add("home_town", "unknown", "%q is not the code of any province, district or commune", d.HomeTown)
	}
	dr.birthPlaceRaw, dr.registrationPlaceRaw = req.BirthPlace, req.RegistrationPlace
	dr.mother = checkPID(&fs, "mother_pid", req.MotherPID)
	dr.father = checkPID(&fs, "father_pid", req.FatherPID)
	dr.spouse = checkPID(&fs, "spouse_pid", req.SpousePID)
	dr.newHead = checkPID(&fs, "new_head_pid", req.NewHeadPID)

	if req.Place != "" {
		dr.placeGiven = true
		if u, err := s.commune(req.Place, eff); err != nil {
			fs.Add("place", placeReason(err), "%v", err)
		} else {
			d.Place = u.Code
		}
	}
	d.Address = checkText(&fs, "address", req.Address)
	d.Destination = checkText(&fs, "destination", req.Destination)
	d.DeathPlace = checkText(&fs, "death_place", req.DeathPlace)
	d.HouseholdID = strings.TrimSpace(req.HouseholdID)
	if d.HouseholdID != "" && !digitsN(d.HouseholdID, 12) {
		fs.Add("household_id", "format", "a household number has 12 digits")
	}
	d.NewHousehold = req.NewHousehold
	if req.Relation != "" {
		if _, ok := Relations[Relation(req.Relation)]; ok {
			d.Relation = Relation(req.Relation)
		} else {
			fs.Add("relation", "unknown", "unknown relation %q; known: %s", req.Relation, knownRelations())
		}
	}
	if req.Until != "" {
		u, err := civil.ParseDate(req.Until)
		switch {
		case err != nil:
			fs.Add("until", "format", "%v", err)
		case u.Precision() != civil.PrecisionDay:
			fs.Add("until", "format", "an end date must be a full date YYYY-MM-DD")
		case !u.After(eff):
			fs.Add("until", "before_start", "the end date %s must be after the effective date %s", u, eff)
		case typ == EventTemporaryResidence && u.After(eff.AddYears(2)):
			// Luật Cư trú 2020, Điều 27: at most two years, renewable.
			fs.Add("until", "too_long", "a temporary residence lasts at most two years (until %s at the latest); renew it with a new registration", eff.AddYears(2))
		default:
			d.Until = u
		}
	}
	if req.Phone != "" {
		if n, ok := NormalisePhone(req.Phone); ok {
			d.Phone = n
		} else {
			fs.Add("phone", "format", "%q is not a Vietnamese mobile number (10 digits starting 03, 05, 07, 08 or 09, or +84…)", req.Phone)
		}
	}
	switch req.PhoneSource {
	case "", string(PhoneDeclared):
		d.PhoneSource = PhoneDeclared
	case string(PhoneTelco):
		d.PhoneSource = PhoneTelco
	default:
		fs.Add("phone_source", "unknown", "phone_source is declared or telco, not %q", req.PhoneSource)
	}
	if typ != EventPhoneNumber {
		d.PhoneSource = ""
	}
	d.Remove = req.Remove
	if req.LegacyID != "" {
		if n, err := pid.ParseLegacy(req.LegacyID); err != nil {
			fs.Add("legacy_id", "format", "%v", err)
		} else {
			d.LegacyID = string(n)
		}
	}
	d.LegacyIssuedOn = checkDate(&fs, "legacy_issued_on", req.LegacyIssuedOn, today, false)

	switch typ {
	case EventPermanentResidence:
		switch {
		case d.HouseholdID != "" && d.NewHousehold:
			fs.Add("new_household", "not_allowed", "give household_id to join a household, or new_household to start one, not both")
		case d.HouseholdID == "" && !d.NewHousehold:
			fs.Add("household_id", "required", "a permanent residence is registered into a household: give household_id, or new_household: true")
		}
	case EventTemporaryResidence:
		if d.HouseholdID != "" && d.NewHousehold {
			fs.Add("new_household", "not_allowed", "give household_id or new_household, not both")
		}
	}
	if (typ == EventPermanentResidence || typ == EventTemporaryResidence) && d.HouseholdID == "" {
		if !dr.placeGiven {
			fs.Add("place", "required", "the commune code of the residence is required")
		}
		if d.Address == "" {
			fs.Add("address", "required", "the address (house number, street, hamlet) is required")
		}
	}
	if d.NewHousehold && d.Relation != "" && d.Relation != RelationHead {
		fs.Add("relation", "inconsistent", "the person who starts a household is its head")
	}
	if d.HouseholdID != "" && d.Relation == "" {
		fs.Add("relation", "required", "the relation to the head of household is required")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return dr, nil
}

// RecordEvent records an event about the person with the given number.
func (s *Service) RecordEvent(ctx context.Context, a actor.Actor, number string, req EventRequest, opt WriteOptions) (*Result, error) {
	if err := CheckNumber(number); err != nil {
		return nil, err
	}
	dr, err := s.checkEvent(req, civil.DateOf(s.now()))
	if err != nil {
		return nil, err
	}
	var res *Result
	err = s.Store.Update(ctx, func(tx Tx) error {
		res = nil
		if replay, err := s.claim(ctx, tx, a, opt); err != nil || replay != nil {
			res = &Result{Replay: replay}
			return err
		}
		res, err = s.record(ctx, tx, a, number, dr, opt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// record checks and stores one event inside a write transaction. Locks are
// taken on every person involved before any household, and authority is
// checked before anything is said about a record the actor may not read.
func (s *Service) record(ctx context.Context, tx Tx, a actor.Actor, number string, dr *draft, opt WriteOptions) (*Result, error) {
	today := civil.DateOf(s.now())
	al, err := tx.Resolve(ctx, number)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.NotFound, "not-found", "no person has the number %s", number).With("field", "pid")
	}
	if err != nil {
		return nil, err
	}
	self, err := s.follow(ctx, tx, al.Person)
	if err != nil {
		return nil, err
	}
	d := dr.d
	refs := map[string]*PersonKey{"spouse_pid": &d.Spouse, "new_head_pid": &d.NewHead, "mother_pid": &d.Mother, "father_pid": &d.Father}
	nums := map[string]pid.Number{"spouse_pid": dr.spouse, "new_head_pid": dr.newHead, "mother_pid": dr.mother, "father_pid": dr.father}
	locked := []PersonKey{self}
	for _, field := range []string{"spouse_pid", "new_head_pid", "mother_pid", "father_pid"} {
		if nums[field] == "" {
			continue
		}
		k, err := s.resolveField(ctx, tx, field, string(nums[field]))
		if err != nil {
			return nil, err
		}
		if k == self {
			return nil, errs.RuleField(field, "inconsistent", "%s is the person's own number", field)
		}
		*refs[field] = k
		locked = append(locked, k)
	}
	if err := tx.LockPersons(ctx, locked...); err != nil {
		return nil, err
	}
	c, err := tx.Citizen(ctx, self)
	if err != nil {
		return nil, err
	}
	// An officer may register anyone moving into their unit; the place is
	// checked as soon as it is known (prepareResidence).
	covered := s.covers(a, c, today)
	residence := dr.typ == EventPermanentResidence || dr.typ == EventTemporaryResidence || dr.typ == EventCurrentResidence
	if !covered && !residence {
		return nil, outsideUnit(a)
	}
	if !covered && dr.typ == EventCurrentResidence {
		if err := s.mayRecordIn(a, d.Place, dr.effective, "place"); err != nil {
			return nil, err
		}
	}
	// The spouse a death widows, or the one a divorce without spouse_pid
	// names, is known only now; lock them before any household.
	if (dr.typ == EventDeath || (dr.typ == EventDivorce && d.Spouse == 0)) && c.Spouse() != 0 {
		if dr.typ == EventDivorce {
			d.Spouse = c.Spouse()
		}
		if err := tx.LockPersons(ctx, c.Spouse()); err != nil {
			return nil, err
		}
		locked = append(locked, c.Spouse())
	}
	now, err := s.stamp(ctx, tx, locked)
	if err != nil {
		return nil, err
	}
	e := &Event{
		ID: s.newID(now), Seq: pendingSeq, Type: dr.typ, Subject: self, Parties: []PersonKey{self},
		Effective: dr.effective, RecordedAt: now, Officer: a.ID, LegalBasis: dr.legal, Reason: dr.reason,
	}

	switch dr.typ {
	case EventPermanentResidence, EventTemporaryResidence:
		if err := s.prepareResidence(ctx, tx, a, covered, c, &d, dr); err != nil {
			return nil, err
		}
	case EventPermanentDeregistration, EventTemporaryDeregistration:
		kind := residenceKindOf(dr.typ)
		if i := c.openResidence(kind); i >= 0 && c.Residences[i].HouseholdID != "" {
			if err := s.leaveHousehold(ctx, tx, c, c.Residences[i].HouseholdID, &d, dr.effective, false); err != nil {
				return nil, err
			}
		} else if d.NewHead != 0 {
			return nil, errs.RuleField("new_head_pid", "not_head", "the person heads no household")
		}
	case EventDeath:
		for _, r := range c.Households(dr.effective) {
			if r.Relation == RelationHead {
				if err := s.leaveHousehold(ctx, tx, c, r.HouseholdID, &d, dr.effective, true); err != nil {
					return nil, err
				}
			}
		}
		if d.NewHead != 0 && d.FromHousehold == "" {
			return nil, errs.RuleField("new_head_pid", "not_head", "the person heads no household")
		}
		if sp := c.Spouse(); sp != 0 {
			e.Parties = append(e.Parties, sp)
		}
		if err := s.checkChildren(ctx, tx, c, c.Sex, c.BirthDate, dr.effective); err != nil {
			return nil, err
		}
	case EventMarriage:
		sp, err := tx.Citizen(ctx, d.Spouse)
		if err != nil {
			return nil, err
		}
		if err := checkMarriage(c, sp); err != nil {
			return nil, err
		}
	case EventDivorce:
		if d.Spouse == 0 {
			return nil, errs.RuleField("spouse_pid", "not_married", "the person is not married")
		}
	case EventCorrection:
		if err := s.prepareCorrection(ctx, tx, c, &d, dr, e, today); err != nil {
			return nil, err
		}
	}
	if opt.IfMatch != "" && opt.IfMatch != "*" && opt.IfMatch != ETag(c) {
		return nil, errs.E(errs.Precondition, "precondition-failed",
			"the record changed since it was read: If-Match %s, current ETag %s; read it again", opt.IfMatch, ETag(c)).
			With("etag", ETag(c))
	}
	if d.Spouse != 0 && !slices.Contains(e.Parties, d.Spouse) {
		e.Parties = append(e.Parties, d.Spouse)
	}
	if d.NewHead != 0 && !slices.Contains(e.Parties, d.NewHead) {
		e.Parties = append(e.Parties, d.NewHead)
	}
	e.Data = d

	var states []*Citizen
	for _, p := range e.Parties {
		st, err := s.foldWith(ctx, tx, p, e)
		if err != nil {
			return nil, err
		}
		states = append(states, st)
	}
	if err := tx.AppendEvent(ctx, e); err != nil {
		return nil, err
	}
	for _, st := range states {
		st.LastEventID = e.ID
		if err := s.save(ctx, tx, st); err != nil {
			return nil, err
		}
	}
	if err := s.saveAliases(ctx, tx, c, e); err != nil {
		return nil, err
	}
	res := &Result{Citizen: states[0], Event: e}
	return res, s.finish(ctx, tx, a, opt, res, e.Parties)
}

// prepareResidence resolves the household of a residence registration:
// joining one (which must exist, be of the right kind, lie in the place
// given and not gain a second head), or starting one; and, when the person
// leaves a household they head, who heads it next. An actor without
// authority over the person is checked against the destination first.
func (s *Service) prepareResidence(ctx context.Context, tx Tx, a actor.Actor, covered bool, c *Citizen, d *Details, dr *draft) error {
	kind := residenceKindOf(dr.typ)
	eff := dr.effective
	var h *Household
	if d.HouseholdID != "" {
		err := tx.LockHousehold(ctx, d.HouseholdID)
		if err == nil {
			h, err = tx.Household(ctx, d.HouseholdID, eff)
		}
		if errs.Is(err, errs.NotFound) {
			return errs.RuleField("household_id", "unknown", "no household %s", d.HouseholdID)
		}
		if err != nil {
			return err
		}
		hplace, err := s.householdPlace(h, eff)
		if err != nil {
			return err
		}
		if !covered {
			if err := s.mayRecordIn(a, hplace, eff, "household_id"); err != nil {
				return err
			}
		}
		if dr.placeGiven && !s.SamePlace(d.Place, eff, hplace, eff) {
			return errs.RuleField("place", "inconsistent", "household %s is in commune %s, not %s", h.ID, hplace, d.Place)
		}
		d.Place = hplace
	} else if !covered {
		if err := s.mayRecordIn(a, d.Place, eff, "place"); err != nil {
			return err
		}
	}
	if i := c.openResidence(kind); i >= 0 && c.Residences[i].HouseholdID != "" && c.Residences[i].HouseholdID != d.HouseholdID {
		if err := s.leaveHousehold(ctx, tx, c, c.Residences[i].HouseholdID, d, eff, false); err != nil {
			return err
		}
	} else if d.NewHead != 0 {
		return errs.RuleField("new_head_pid", "not_head", "the person does not leave a household they head")
	}
	switch {
	case h != nil:
		if h.Kind != kind {
			return errs.RuleField("household_id", "inconsistent", "household %s is a %s household, not %s", h.ID, h.Kind, kind)
		}
		if eff.Before(h.Created) {
			return errs.RuleField("effective_date", "before_household", "household %s was created on %s", h.ID, h.Created)
		}
		if d.Address == "" {
			d.Address = h.Address
		}
		if slices.ContainsFunc(h.Members, func(m Member) bool { return m.Key == c.Key }) {
			return errs.RuleField("household_id", "already_member", "the person is already a member of household %s", h.ID)
		}
		if d.Relation == RelationHead {
			// The new head must not overlap any head from the effective
			// date on, including heads registered later than a back-dated
			// join.
			history, err := tx.HouseholdHistory(ctx, h.ID)
			if err != nil {
				return err
			}
			for _, m := range history {
				if m.Relation == RelationHead && m.Key != c.Key && (m.Ended.IsZero() || m.Ended.After(eff)) {
					return errs.RuleField("relation", "inconsistent", "household %s has a head from %s; one household has one head", h.ID, m.From)
				}
			}
		}
	case d.NewHousehold:
		id, err := s.freeHouseholdID(ctx, tx)
		if err != nil {
			return err
		}
		d.HouseholdID = id
		d.Relation = RelationHead
		if err := tx.CreateHousehold(ctx, &Household{ID: id, Kind: kind, Place: d.Place, Address: d.Address, Created: eff}); err != nil {
			return err
		}
	}
	return nil
}

// householdPlace is the household's commune as a code valid on day.
func (s *Service) householdPlace(h *Household, day civil.Date) (string, error) {
	if _, err := s.commune(h.Place, day); err == nil {
		return h.Place, nil
	}
	cs, err := s.Places.CurrentCommunes(h.Place, h.Created)
	if err != nil || len(cs) != 1 || !cs[0].ValidOn(day) {
		return "", errs.RuleField("place", "required",
			"household %s was registered in commune %s, which no longer exists and has several successors; give place", h.ID, h.Place)
	}
	return cs[0].Code, nil
}

// samePlace reports whether two commune codes, each valid on its own date,
// stand for the same commune today.
// SamePlace reports whether commune a (valid on aDay) and commune b (valid
// on bDay) are the same commune today, through the reform's successions.
func (s *Service) SamePlace(a string, aDay civil.Date, b string, bDay civil.Date) bool {
	x, err1 := s.Places.CurrentCommunes(a, aDay)
	y, err2 := s.Places.CurrentCommunes(b, bDay)
	if err1 != nil || err2 != nil {
		return false
	}
	for _, u := range x {
		if slices.ContainsFunc(y, func(v place.Unit) bool { return v.Code == u.Code }) {
			return true
		}
	}
	return false
}

func (s *Service) freeHouseholdID(ctx context.Context, tx Tx) (string, error) {
	for range 16 {
		id, err := s.newHouseholdID()
		if err != nil {
			return "", err
		}
		if _, err := tx.Household(ctx, id, civil.Date{}); errs.Is(err, errs.NotFound) {
			return id, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", errs.E(errs.Unavailable, "household-number-exhausted", "could not draw a free household number; try again")
}

// leaveHousehold handles the person leaving household hid on day. When
// they head it and others remain, a new head must be named from among the
// members — except at a death, which is recorded regardless and leaves the
// household without a head until one is registered.
func (s *Service) leaveHousehold(ctx context.Context, tx Tx, c *Citizen, hid string, d *Details, day civil.Date, dying bool) error {
	if err := tx.LockHousehold(ctx, hid); err != nil {
		return err
	}
	h, err := tx.Household(ctx, hid, day)
	if err != nil {
		return err
	}
	if h.Head() != c.Key {
		if d.NewHead != 0 {
			return errs.RuleField("new_head_pid", "not_head", "the person does not head household %s", hid)
		}
		return nil
	}
	others := slices.DeleteFunc(slices.Clone(h.Members), func(m Member) bool { return m.Key == c.Key })
	if len(others) == 0 {
		if d.NewHead != 0 {
			return errs.RuleField("new_head_pid", "not_member", "household %s has no other members", hid)
		}
		return nil
	}
	if d.NewHead == 0 {
		if dying {
			return nil
		}
		return errs.RuleField("new_head_pid", "required",
			"the person heads household %s, which has %d other member(s); name the new head in new_head_pid", hid, len(others))
	}
	if !slices.ContainsFunc(others, func(m Member) bool { return m.Key == d.NewHead }) {
		return errs.RuleField("new_head_pid", "not_member", "the new head is not a member of household %s", hid)
	}
	d.FromHousehold = hid
	return nil
}

// checkMarriage checks what a marriage needs that neither record shows on
// its own: two people of different sex who are not close relatives (Luật
// Hôn nhân và Gia đình 2014, Điều 5 and 8).
func checkMarriage(c, sp *Citizen) error {
	if sp.Sex == c.Sex {
		return errs.RuleField("spouse_pid", "same_sex",
			"the Law on Marriage and Family 2014 (Điều 8) does not recognise marriage between people of the same sex")
	}
	related := c.Mother == sp.Key || c.Father == sp.Key || sp.Mother == c.Key || sp.Father == c.Key ||
		(c.Mother != 0 && c.Mother == sp.Mother) || (c.Father != 0 && c.Father == sp.Father)
	if related {
		return errs.RuleField("spouse_pid", "related", "marriage between direct relatives or siblings is prohibited (Điều 5)")
	}
	return nil
}

// prepareCorrection validates a correction against the record and the
// records of parents and children, and, when the corrected sex, birth year
// or registration place make the personal ID number wrong, issues a new one
// in the same event.
func (s *Service) prepareCorrection(ctx context.Context, tx Tx, c *Citizen, d *Details, dr *draft, e *Event, today civil.Date) error {
	birth := c.BirthDate
	if !d.BirthDate.IsZero() {
		birth = d.BirthDate
		if y := birth.Year(); y < pid.FirstYear || y > pid.LastYear {
			return errs.RuleField("birth_date", "range", "birth years run from %d to %d", pid.FirstYear, pid.LastYear)
		}
	}
	var fs errs.Fields
	if dr.birthPlaceRaw != "" || d.BirthCountry != "" {
		d.BirthPlace, d.BirthCountry = s.placeOrCountry(&fs, "birth_place", dr.birthPlaceRaw, "birth_country", d.BirthCountry, birth.First(), today)
	}
	if dr.registrationPlaceRaw != "" || d.RegistrationCountry != "" {
		d.RegistrationPlace, d.RegistrationCountry = s.placeOrCountry(&fs, "registration_place", dr.registrationPlaceRaw, "registration_country", d.RegistrationCountry, birth.First(), today)
	}
	if err := fs.Err(); err != nil {
		return err
	}
	sex := c.Sex
	if d.Sex != "" {
		sex = d.Sex
	}
	// Parents named by the correction, or already recorded when the birth
	// date moves, must still fit the child.
	for _, p := range []struct {
		field      string
		given, rec PersonKey
		sex        Sex
	}{{"mother_pid", d.Mother, c.Mother, Female}, {"father_pid", d.Father, c.Father, Male}} {
		key := p.given
		if key == 0 && !d.BirthDate.IsZero() {
			key = p.rec
		}
		if key == 0 {
			continue
		}
		if err := tx.LockPersons(ctx, key); err != nil {
			return err
		}
		pc, err := tx.Citizen(ctx, key)
		if err != nil {
			return err
		}
		if err := checkParent(p.field, pc, p.sex, birth); err != nil {
			return err
		}
	}
	if !d.BirthDate.IsZero() || d.Sex != "" {
		if err := s.checkChildren(ctx, tx, c, sex, birth, c.DeathDate); err != nil {
			return err
		}
	}
	after := *c
	after.Sex, after.BirthDate = sex, birth
	if d.RegistrationPlace != "" || d.RegistrationCountry != "" {
		after.RegistrationPlace, after.RegistrationCountry = d.RegistrationPlace, d.RegistrationCountry
	}
	if pid.Validate(c.PID, s.ExpectedPID(&after)) == nil {
		return nil
	}
	// The number in use is retired from the correction's effective date. A
	// number issued by a correction effective later must not be pulled
	// from under it: such a back-dated correction would leave the record on
	// a retired number (the fold refuses it, naming the later correction).
	n, err := s.AllocatePID(ctx, tx, c.Key, after.RegistrationPlace, after.RegistrationCountry, birth, sex, today, e.ID)
	if err != nil {
		return err
	}
	d.PID, d.RetiredPID = n, c.PID
	return nil
}

// checkChildren checks that a person's recorded children still fit them as
// a parent with the given sex, birth date and (when set) death date. A
// child that no longer fits makes the change conflict with the child's
// birth registration.
func (s *Service) checkChildren(ctx context.Context, tx Tx, c *Citizen, sex Sex, birth, death civil.Date) error {
	children, err := tx.Children(ctx, c.Key)
	if err != nil {
		return err
	}
	parent := *c
	parent.Sex, parent.BirthDate = sex, birth
	if !death.IsZero() {
		parent.Status, parent.DeathDate = Dead, death
	}
	for _, ch := range children {
		field, role := "mother_pid", Female
		if ch.Father == c.Key {
			field, role = "father_pid", Male
		}
		err := checkParent(field, &parent, role, ch.BirthDate)
		if err == nil {
			continue
		}
		evs, err2 := tx.Events(ctx, ch.Key, time.Time{})
		if err2 != nil {
			return err2
		}
		birthEvent := evs[0]
		var rule *errs.Error
		errors.As(err, &rule)
		return (&errs.Error{Kind: errs.Conflict, Code: "conflicting-event",
			Message: fmt.Sprintf("the change contradicts the registration of the person's child %s, born %s: %s", ch.PID, ch.BirthDate, rule.Message),
			Fields:  []errs.Field{{Name: "effective_date", Reason: "conflict", Message: "a recorded child would no longer fit this parent"}},
		}).With("conflicting_event", map[string]any{
			"id": birthEvent.ID, "type": birthEvent.Type, "effective_date": birthEvent.Effective.String(),
			"recorded_at": birthEvent.RecordedAt.UTC().Format(time.RFC3339Nano),
		})
	}
	return nil
}

// saveAliases stores the numbers an event adds or retires.
func (s *Service) saveAliases(ctx context.Context, tx Tx, c *Citizen, e *Event) error {
	d := e.Data
	if d.RetiredPID != "" {
		if err := tx.RetireAlias(ctx, string(d.RetiredPID), e.Effective, e.ID); err != nil {
			return err
		}
	}
	if d.LegacyID != "" {
		ok, err := tx.AddAlias(ctx, Alias{Number: d.LegacyID, Person: c.Key, Kind: AliasLegacy, ValidFrom: d.LegacyIssuedOn, EventID: e.ID})
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.Conflict, "number-taken", "the number %s already identifies a person", d.LegacyID).
				With("field", "legacy_id")
		}
	}
	return nil
}

func knownTypes() string {
	var ts []string
	for t := range EventTypes {
		if t != EventBirth {
			ts = append(ts, string(t))
		}
	}
	slices.Sort(ts)
	return strings.Join(ts, ", ")
}

func knownRelations() string {
	var rs []string
	for r := range Relations {
		rs = append(rs, string(r))
	}
	slices.Sort(rs)
	return strings.Join(rs, ", ")
}

func digitsN(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckNumber validates a number used to name a person: a 12-digit
// personal ID number or a 9-digit legacy number.
func CheckNumber(number string) error {
	if _, err := pid.Parse(number); err == nil {
		return nil
	}
	if _, err := pid.ParseLegacy(number); err == nil {
		return nil
	}
	return errs.InvalidField("pid", "format", "%q is not a 12-digit personal ID number or a 9-digit legacy ID number (ASCII digits only)", number)
}
