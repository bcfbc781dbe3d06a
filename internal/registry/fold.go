package registry

import (
	"fmt"
	"slices"

	"dancu/internal/civil"
	"dancu/internal/vntext"
)

// RuleError says that an event cannot be applied to a person's record.
type RuleError struct {
	// Event is the event that could not be applied. When a new event is
	// folded into a history, an Event other than the new one means the new
	// event contradicts something recorded after it.
	Event *Event
	// Field is the request field at fault, as the API names it.
	Field   string
	Reason  string
	Message string
}

func (e *RuleError) Error() string { return e.Message }

func ruleErr(e *Event, field, reason, format string, args ...any) *RuleError {
	return &RuleError{Event: e, Field: field, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Minimum ages for marriage (Luật Hôn nhân và Gia đình 2014, Điều 8).
const (
	MinMarriageAgeMale   = 20
	MinMarriageAgeFemale = 18
)

// SortEvents puts events into the order in which they apply.
func SortEvents(evs []*Event) {
	slices.SortStableFunc(evs, func(a, b *Event) int {
		switch {
		case a.before(b):
			return -1
		case b.before(a):
			return 1
		}
		return 0
	})
}

// Fold applies the events that concern self, in effective order, and
// returns self's record as of asOf (all events when asOf is zero). Events
// must already be limited to what was known at the instant asked for. It
// returns the first event that cannot be applied.
func Fold(self PersonKey, evs []*Event, asOf civil.Date) (*Citizen, *RuleError) {
	evs = slices.Clone(evs)
	SortEvents(evs)
	c := &Citizen{Key: self}
	for _, e := range evs {
		if !asOf.IsZero() && e.Effective.First().After(asOf) {
			break
		}
		if err := apply(c, self, e); err != nil {
			return nil, err
		}
		if err := consistent(c, e); err != nil {
			return nil, err
		}
		c.LastEventID = e.ID
		c.Version++
	}
	return c, nil
}

// apply changes c, the record of self, by one event.
func apply(c *Citizen, self PersonKey, e *Event) *RuleError {
	d := &e.Data
	if !c.Exists() {
		if e.Type != EventBirth {
			return ruleErr(e, "effective_date", "before_birth",
				"the %s event takes effect on %s, before the person's birth", e.Type, e.Effective)
		}
	} else if e.Type == EventBirth && e.Subject == self {
		return ruleErr(e, "birth_date", "duplicate", "the person's birth is already registered")
	}
	merging := e.Type == EventMerge || e.Type == EventMergedInto || e.Type == EventUnmerge
	if c.MergedInto != 0 && e.Type != EventUnmerge && e.Type != EventCorrection {
		return ruleErr(e, "pid", "merged",
			"the record was merged into another as a duplicate; record the %s event on the surviving record", e.Type)
	}
	if c.Status == Dead && e.Type != EventCorrection && !merging {
		return ruleErr(e, "type", "after_death",
			"the person died on %s; only corrections may be recorded after a death", c.DeathDate)
	}
	other := e.Subject // the other party, seen from self
	if e.Subject == self {
		other = d.Spouse
	}

	switch e.Type {
	case EventBirth:
		c.PID = d.PID
		c.PIDIssuedOn = civil.DateOf(e.RecordedAt)
		c.FullName = d.FullName
		c.OtherNames = d.OtherNames
		c.BirthDate = d.BirthDate
		c.Sex = d.Sex
		c.BirthPlace, c.BirthCountry = d.BirthPlace, d.BirthCountry
		c.RegistrationPlace, c.RegistrationCountry = d.RegistrationPlace, d.RegistrationCountry
		c.HomeTown, c.Ethnicity, c.Religion, c.Nationality = d.HomeTown, d.Ethnicity, d.Religion, d.Nationality
		c.Mother, c.Father = d.Mother, d.Father
		c.Status = Alive

	case EventPermanentResidence, EventTemporaryResidence, EventCurrentResidence:
		if self != e.Subject {
			return becomeHead(c, e)
		}
		kind := residenceKindOf(e.Type)
		if i := c.openResidence(kind); i >= 0 {
			closeResidence(c, i, e)
		}
		rel := d.Relation
		if d.NewHousehold {
			rel = RelationHead
		}
		c.Residences = append(c.Residences, Residence{
			Kind: kind, Place: d.Place, Address: d.Address, HouseholdID: d.HouseholdID,
			Relation: rel, From: e.Effective, Until: d.Until, EventID: e.ID,
		})

	case EventPermanentDeregistration, EventTemporaryDeregistration:
		if self != e.Subject {
			return becomeHead(c, e)
		}
		kind := residenceKindOf(e.Type)
		i := c.openResidence(kind)
		if i < 0 {
			return ruleErr(e, "type", "no_residence", "the person has no %s residence to deregister on %s", kind, e.Effective)
		}
		closeResidence(c, i, e)

	case EventTemporaryAbsence:
		_, perm := c.Residence(Permanent, e.Effective)
		_, temp := c.Residence(Temporary, e.Effective)
		if !perm && !temp {
			return ruleErr(e, "type", "no_residence", "a temporary absence needs a permanent or temporary residence in force on %s", e.Effective)
		}
		c.Absences = append(c.Absences, Absence{From: e.Effective, Until: d.Until, Destination: d.Destination, Reason: e.Reason, EventID: e.ID})

	case EventMarriage:
		if s := c.Spouse(); s != 0 {
			who := "the person is"
			if self != e.Subject {
				who = "the spouse is"
			}
			return ruleErr(e, "spouse_pid", "already_married", "%s already married (since %s)", who, c.Marriages[len(c.Marriages)-1].From)
		}
		if min := minMarriageAge(c.Sex); c.BirthDate.AgeOn(e.Effective) < min {
			field := "effective_date"
			if self != e.Subject {
				field = "spouse_pid"
			}
			return ruleErr(e, field, "under_age", "a %s must be at least %d to marry; born %s, the person is %d on %s",
				c.Sex, min, c.BirthDate, c.BirthDate.AgeOn(e.Effective), e.Effective)
		}
		c.Marriages = append(c.Marriages, Marriage{Spouse: other, From: e.Effective})

	case EventDivorce:
		if c.Spouse() != other {
			return ruleErr(e, "spouse_pid", "not_married", "the two people are not married to each other on %s", e.Effective)
		}
		endMarriage(c, e, "divorce")

	case EventNameChange:
		if vntext.SameSpelling(d.FullName, c.FullName) {
			return ruleErr(e, "full_name", "unchanged", "the new name is the same as the current one")
		}
		c.FormerNames = append(c.FormerNames, c.FullName)
		c.FullName = d.FullName
		if d.OtherNames != nil {
			c.OtherNames = d.OtherNames
		}

	case EventCorrection:
		if d.FullName != "" && !vntext.SameSpelling(d.FullName, c.FullName) {
			c.FormerNames = append(c.FormerNames, c.FullName)
			c.FullName = d.FullName
		}
		if d.OtherNames != nil {
			c.OtherNames = d.OtherNames
		}
		if !d.BirthDate.IsZero() {
			c.BirthDate = d.BirthDate
		}
		if d.Sex != "" {
			c.Sex = d.Sex
		}
		// A place and a country are alternatives: setting one clears the
		// other.
		if d.BirthPlace != "" || d.BirthCountry != "" {
			c.BirthPlace, c.BirthCountry = d.BirthPlace, d.BirthCountry
		}
		if d.RegistrationPlace != "" || d.RegistrationCountry != "" {
			c.RegistrationPlace, c.RegistrationCountry = d.RegistrationPlace, d.RegistrationCountry
		}
		setIf(&c.HomeTown, d.HomeTown)
		setIf(&c.Ethnicity, d.Ethnicity)
		setIf(&c.Religion, d.Religion)
		setIf(&c.Nationality, d.Nationality)
		if d.Mother != 0 {
			c.Mother = d.Mother
		}
		if d.Father != 0 {
			c.Father = d.Father
		}
		if d.PID != "" && d.RetiredPID != c.PID {
			return ruleErr(e, "effective_date", "number_changed_later",
				"the correction retires number %s, but on %s the person's number was %s: a correction that issues a new number cannot take effect before one that already did",
				d.RetiredPID, e.Effective, c.PID)
		}
		if d.PID != "" && d.PID != c.PID {
			c.RetiredPIDs = append(c.RetiredPIDs, RetiredNumber{Number: c.PID, Retired: e.Effective, EventID: e.ID})
			c.PID = d.PID
			c.PIDIssuedOn = civil.DateOf(e.RecordedAt)
		}

	case EventDeath:
		if self != e.Subject {
			if d.NewHead == self {
				if err := becomeHead(c, e); err != nil {
					return err
				}
			}
			if c.Spouse() == e.Subject {
				endMarriage(c, e, "death")
			}
			return nil
		}
		c.Status = Dead
		c.DeathDate = e.Effective
		c.DeathPlace = d.DeathPlace
		for i := range c.Residences {
			if c.Residences[i].Ended.IsZero() {
				closeResidence(c, i, e)
			}
		}
		for i := range c.Absences {
			if c.Absences[i].Ended.IsZero() {
				c.Absences[i].Ended = e.Effective
			}
		}
		if c.Spouse() != 0 {
			endMarriage(c, e, "death")
		}

	case EventMissing:
		if c.Status == Missing {
			return ruleErr(e, "type", "already_missing", "the person is already declared missing since %s", c.MissingSince)
		}
		c.Status = Missing
		c.MissingSince = e.Effective

	case EventMissingRevoked:
		if c.Status != Missing {
			return ruleErr(e, "type", "not_missing", "the person is not declared missing on %s", e.Effective)
		}
		c.Status = Alive
		c.MissingSince = civil.Date{}

	case EventPhoneNumber:
		i := slices.IndexFunc(c.Phones, func(p Phone) bool { return p.Number == d.Phone })
		switch {
		case d.Remove && i < 0:
			return ruleErr(e, "phone", "unknown", "the registry holds no phone number %s for the person", d.Phone)
		case d.Remove:
			c.Phones = slices.Delete(c.Phones, i, i+1)
		case i >= 0 && c.Phones[i].Source == d.PhoneSource:
			return ruleErr(e, "phone", "duplicate", "the phone number is already recorded with source %s", d.PhoneSource)
		case i >= 0:
			c.Phones[i].Source, c.Phones[i].Since, c.Phones[i].EventID = d.PhoneSource, e.Effective, e.ID
		default:
			c.Phones = append(c.Phones, Phone{Number: d.Phone, Source: d.PhoneSource, Since: e.Effective, EventID: e.ID})
		}

	case EventLegacyID:
		if slices.ContainsFunc(c.LegacyIDs, func(l LegacyID) bool { return l.Number == d.LegacyID }) {
			return ruleErr(e, "legacy_id", "duplicate", "legacy number %s is already recorded for the person", d.LegacyID)
		}
		c.LegacyIDs = append(c.LegacyIDs, LegacyID{Number: d.LegacyID, IssuedOn: d.LegacyIssuedOn})

	case EventMerge:
		switch {
		case d.Merged == 0 || d.Merged == self:
			return ruleErr(e, "duplicate_pid", "invalid", "a merge names another record")
		case slices.Contains(c.Merged, d.Merged):
			return ruleErr(e, "duplicate_pid", "already_merged", "the record is already merged into this one")
		}
		c.Merged = append(c.Merged, d.Merged)

	case EventMergedInto:
		switch {
		case d.Survivor == 0 || d.Survivor == self:
			return ruleErr(e, "survivor_pid", "invalid", "a merge names another record")
		case len(c.Merged) > 0:
			return ruleErr(e, "duplicate_pid", "has_merged",
				"other duplicates were merged into this record; merge into it instead, or unmerge them first")
		}
		c.MergedInto = d.Survivor

	case EventUnmerge:
		if self == e.Subject {
			i := slices.Index(c.Merged, d.Merged)
			if i < 0 {
				return ruleErr(e, "duplicate_pid", "not_merged", "the record was not merged into this one")
			}
			c.Merged = slices.Delete(c.Merged, i, i+1)
			return nil
		}
		if c.MergedInto != e.Subject {
			return ruleErr(e, "duplicate_pid", "not_merged", "the record was not merged into this one")
		}
		c.MergedInto = 0

	default:
		return ruleErr(e, "type", "unknown", "unknown event type %q", e.Type)
	}
	return nil
}

// consistent checks the invariants of a record after an event, so that a
// correction cannot leave earlier events impossible.
func consistent(c *Citizen, e *Event) *RuleError {
	if !c.Exists() {
		return nil
	}
	for _, r := range c.Residences {
		if r.From.Before(c.BirthDate) {
			return ruleErr(e, "birth_date", "after_events",
				"the person would be born %s, after a %s residence that began on %s", c.BirthDate, r.Kind, r.From)
		}
	}
	for _, m := range c.Marriages {
		if min := minMarriageAge(c.Sex); c.BirthDate.AgeOn(m.From) < min {
			return ruleErr(e, "birth_date", "under_age",
				"with birth date %s the person would have married on %s below the minimum age of %d", c.BirthDate, m.From, min)
		}
	}
	if !c.DeathDate.IsZero() && c.DeathDate.Before(c.BirthDate) {
		return ruleErr(e, "effective_date", "death_before_birth", "death on %s would be before birth on %s", c.DeathDate, c.BirthDate)
	}
	return nil
}

func minMarriageAge(s Sex) int {
	if s == Female {
		return MinMarriageAgeFemale
	}
	return MinMarriageAgeMale
}

func residenceKindOf(t EventType) ResidenceKind {
	switch t {
	case EventPermanentResidence, EventPermanentDeregistration:
		return Permanent
	case EventTemporaryResidence, EventTemporaryDeregistration:
		return Temporary
	}
	return Current
}

func closeResidence(c *Citizen, i int, e *Event) {
	c.Residences[i].Ended = e.Effective
	c.Residences[i].EndEventID = e.ID
}

func endMarriage(c *Citizen, e *Event, reason string) {
	m := &c.Marriages[len(c.Marriages)-1]
	m.Ended, m.EndReason = e.Effective, reason
}

// becomeHead makes c, a member of the household the subject of e left or
// headed, its new head: the membership period ends and a new one begins
// with relation head, so the history keeps both.
func becomeHead(c *Citizen, e *Event) *RuleError {
	for i := len(c.Residences) - 1; i >= 0; i-- {
		r := c.Residences[i]
		if r.HouseholdID == e.Data.FromHousehold && r.Ended.IsZero() {
			closeResidence(c, i, e)
			r.Relation, r.From, r.EventID, r.Ended, r.EndEventID = RelationHead, e.Effective, e.ID, civil.Date{}, ""
			c.Residences = append(c.Residences, r)
			return nil
		}
	}
	return ruleErr(e, "new_head_pid", "not_member", "the new head is not a member of household %s on %s", e.Data.FromHousehold, e.Effective)
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
