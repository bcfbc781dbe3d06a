package bulk

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"dancu/internal/catalog"
	"dancu/internal/civil"
	"dancu/internal/pid"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// CheckContext is what checking a row needs besides the row.
type CheckContext struct {
	// Places is the administrative unit catalogue; nil is place.Default().
	Places *place.Catalogue
	// Today is the civil date of the import: no date but a temporary
	// residence's end may be after it.
	Today civil.Date
}

// Person is a row checked and typed: what the loader turns into a birth
// and the events after it. Codes are normalised (an ethnicity or religion
// named by name becomes its code, a country its alpha-2 code), names and
// addresses are in NFC with their spacing tidied, phones are 10 digits.
type Person struct {
	PID         pid.Number
	PIDIssuedOn civil.Date // zero when the row does not say
	LegacyIDs   []pid.Legacy

	FullName   string
	OtherNames []string
	BirthDate  civil.Date
	Sex        registry.Sex

	// Exactly one of RegistrationPlace and RegistrationCountry is set; at
	// most one of BirthPlace and BirthCountry.
	BirthPlace          string
	BirthCountry        string
	RegistrationPlace   string
	RegistrationCountry string
	HomeTown            string
	Ethnicity           string
	Religion            string
	Nationality         string // "VN" when the row gives none

	// Mother, Father and Spouse are other people's personal ID numbers:
	// people of the same file or already in the registry.
	Mother, Father pid.Number
	Spouse         pid.Number
	MarriageDate   civil.Date // set exactly when Spouse is

	// The residences in force (for the dead, on the eve of death); nil
	// when the row gives none.
	Permanent *Residence
	Temporary *Residence
	Current   *Residence

	Phones []string

	Status       registry.Status
	DeathDate    civil.Date
	DeathPlace   string
	MissingSince civil.Date

	// Warnings are what data-quality rules will flag later and an import
	// keeps: a personal ID number whose digits disagree with the birth
	// year, sex or place of registration (CodePIDMismatch). A migrated
	// registry holds such numbers, issued under older rules or with errors
	// since corrected elsewhere; refusing them would drop real people.
	Warnings []Problem
}

// Residence is one residence in force.
type Residence struct {
	Place   string // commune code valid on From
	Address string
	From    civil.Date
	Until   civil.Date // temporary residence only
	// HouseholdID and Relation: permanent residence only, and only when
	// the row gives a household.
	HouseholdID string
	Relation    registry.Relation
}

// Check validates every value of the row by the rules the registry applies
// to the same values online, and returns the typed person, or nil and
// every problem found. It checks the row on its own: references to other
// people (parents, spouse, household) are checked for form only; whether
// they exist and fit is for the loader, with the other rows and the
// registry. Disagreements between the personal ID number and the person
// are Warnings, not problems (see Person.Warnings).
//
// The registry's name and text rules are not exported, so Check repeats
// them (see checkName): NFC, spacing tidied, at most registry.MaxNameLength
// characters of letters, combining marks, spaces, apostrophes and hyphens.
// It is stricter in one way: a line break or other control character in a
// name is refused, not folded into a space, because in a bulk file it means
// a field boundary went astray.
func (r *Row) Check(ctx CheckContext) (*Person, []Problem) {
	c := checker{places: ctx.Places, today: ctx.Today}
	if c.places == nil {
		c.places = place.Default()
	}
	f := r.fields()
	for i, v := range f {
		if !utf8.ValidString(*v) {
			c.add(CodeEncoding, Columns[i], "the value is not valid UTF-8")
			continue
		}
		// Tabs and line breaks are white space (tidied in text, refused in
		// names and codes); other control characters are refused
		// everywhere: PostgreSQL cannot even store U+0000.
		for _, r := range *v {
			if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
				c.add(CodeInvalid, Columns[i], "the value holds the control character %U", r)
				break
			}
		}
	}
	if len(c.ps) > 0 {
		return nil, c.ps
	}
	p := &Person{}

	// Identity.
	p.PID = c.pid("pid", r.PID, true)
	for _, s := range splitList(r.LegacyIDs) {
		n, err := pid.ParseLegacy(s)
		switch {
		case err != nil:
			c.add(CodeInvalid, "legacy_ids", "%q: %v", s, err)
		case string(n) == string(p.PID):
			c.add(CodeInconsistent, "legacy_ids", "%s is the personal ID number itself", s)
		case !slices.Contains(p.LegacyIDs, n):
			p.LegacyIDs = append(p.LegacyIDs, n)
		}
	}
	p.FullName = c.name("full_name", r.FullName, true)
	for _, s := range splitList(r.OtherNames) {
		if n := c.name("other_names", s, true); n != "" {
			p.OtherNames = append(p.OtherNames, n)
		}
	}
	p.BirthDate = c.date("birth_date", r.BirthDate, true, false)
	if y := p.BirthDate.Year(); !p.BirthDate.IsZero() && (y < pid.FirstYear || y > pid.LastYear) {
		c.add(CodeInvalid, "birth_date", "a personal ID number exists only for births from %d", pid.FirstYear)
		p.BirthDate = civil.Date{}
	}
	switch sex, ok := registry.ParseSex(strings.ToLower(r.Sex)); {
	case r.Sex == "":
		c.add(CodeRequired, "sex", "sex is required: male or female")
	case !ok:
		c.add(CodeInvalid, "sex", "sex is male or female (nam, nữ), not %q", r.Sex)
	default:
		p.Sex = sex
	}

	// Birth and origin. Places of birth are read on the birth date or, for
	// a late registration that names the commune as it is now, today.
	birth := p.BirthDate.First()
	if !p.BirthDate.IsZero() {
		p.BirthPlace, p.BirthCountry = c.placeOrCountry("birth_place", r.BirthPlace, "birth_country", r.BirthCountry, birth, false)
		p.RegistrationPlace, p.RegistrationCountry = c.placeOrCountry("registration_place", r.RegistrationPlace, "registration_country", r.RegistrationCountry, birth, true)
		if r.HomeTown != "" {
			if _, err := c.places.Lookup(r.HomeTown, birth); err != nil {
				if _, err2 := c.places.Lookup(r.HomeTown, c.today); err2 != nil {
					c.add(placeCode(err), "home_town", "%v", err)
				}
			}
			p.HomeTown = r.HomeTown
		}
	}
	p.Ethnicity = c.catalogue("ethnicity", r.Ethnicity, func(s string) (string, bool) {
		if e, ok := catalog.EthnicityByCode(s); ok {
			return e.Code, true
		}
		e, ok := catalog.EthnicityByName(s)
		return e.Code, ok
	}, "an ethnic group's code (01–54) or name")
	p.Religion = c.catalogue("religion", r.Religion, func(s string) (string, bool) {
		if e, ok := catalog.ReligionByCode(s); ok {
			return e.Code, true
		}
		e, ok := catalog.ReligionByName(s)
		return e.Code, ok
	}, "a religion's code or name")
	p.Nationality = c.country("nationality", r.Nationality)
	if r.Nationality == "" {
		p.Nationality = "VN"
	}
	p.PIDIssuedOn = c.date("pid_issued_on", r.PIDIssuedOn, false, false)
	if !p.PIDIssuedOn.IsZero() && !p.BirthDate.IsZero() && p.PIDIssuedOn.Before(p.BirthDate) {
		c.add(CodeInconsistent, "pid_issued_on", "the number was issued on %s, before the birth on %s", p.PIDIssuedOn, p.BirthDate)
	}

	// Status first: later events must not follow a death.
	switch strings.ToLower(r.Status) {
	case "", string(registry.Alive):
		p.Status = registry.Alive
	case string(registry.Dead):
		p.Status = registry.Dead
	case string(registry.Missing):
		p.Status = registry.Missing
	default:
		c.add(CodeInvalid, "status", "status is alive, dead or missing, not %q", r.Status)
	}
	p.DeathDate = c.eventDate("death_date", r.DeathDate, p.BirthDate, civil.Date{})
	p.MissingSince = c.eventDate("missing_since", r.MissingSince, p.BirthDate, civil.Date{})
	p.DeathPlace = c.text("death_place", r.DeathPlace)
	switch {
	case p.Status == registry.Dead && r.DeathDate == "":
		c.add(CodeRequired, "death_date", "the person is dead: give the date of death")
	case p.Status != registry.Dead && r.DeathDate != "":
		c.add(CodeInconsistent, "death_date", "a date of death for a person whose status is %s", p.Status)
	}
	if p.Status != registry.Dead && r.DeathPlace != "" {
		c.add(CodeInconsistent, "death_place", "a place of death for a person whose status is %s", p.Status)
	}
	switch {
	case p.Status == registry.Missing && r.MissingSince == "":
		c.add(CodeRequired, "missing_since", "the person is declared missing: give the date of the declaration")
	case p.Status != registry.Missing && r.MissingSince != "":
		c.add(CodeInconsistent, "missing_since", "a missing_since date for a person whose status is %s", p.Status)
	}
	death := p.DeathDate

	// Family.
	p.Mother = c.pid("mother_pid", r.MotherPID, false)
	p.Father = c.pid("father_pid", r.FatherPID, false)
	p.Spouse = c.pid("spouse_pid", r.SpousePID, false)
	for _, q := range []struct {
		field string
		n     pid.Number
	}{{"mother_pid", p.Mother}, {"father_pid", p.Father}, {"spouse_pid", p.Spouse}} {
		if q.n != "" && q.n == p.PID {
			c.add(CodeInconsistent, q.field, "%s is the person's own number", q.field)
		}
	}
	if p.Mother != "" && p.Mother == p.Father {
		c.add(CodeInconsistent, "father_pid", "mother and father are the same person")
	}
	p.MarriageDate = c.eventDate("marriage_date", r.MarriageDate, p.BirthDate, death)
	switch {
	case r.SpousePID != "" && r.MarriageDate == "":
		c.add(CodeRequired, "marriage_date", "give the date of the marriage to spouse_pid")
	case r.SpousePID == "" && r.MarriageDate != "":
		c.add(CodeInconsistent, "marriage_date", "a marriage date without spouse_pid")
	case !p.MarriageDate.IsZero() && p.Sex != "" && !p.BirthDate.IsZero():
		if min := minMarriageAge(p.Sex); p.BirthDate.AgeOn(p.MarriageDate) < min {
			c.add(CodeInconsistent, "marriage_date", "a %s must be at least %d to marry (Luật Hôn nhân và Gia đình 2014, Điều 8); born %s, the person was %d on %s",
				p.Sex, min, p.BirthDate, p.BirthDate.AgeOn(p.MarriageDate), p.MarriageDate)
		}
	}

	// Residences.
	hh := strings.TrimSpace(r.HouseholdID)
	if hh != "" && !digits(hh, 12) {
		c.add(CodeInvalid, "household_id", "a household number has 12 digits, not %q", r.HouseholdID)
	}
	var rel registry.Relation
	if r.Relation != "" {
		if _, ok := registry.Relations[registry.Relation(r.Relation)]; ok {
			rel = registry.Relation(r.Relation)
		} else {
			c.add(CodeUnknownCode, "relation", "unknown relation %q; known: %s", r.Relation, knownRelations())
		}
	}
	switch {
	case hh != "" && r.Relation == "":
		c.add(CodeRequired, "relation", "the relation to the head of household is required with household_id")
	case hh == "" && r.Relation != "":
		c.add(CodeInconsistent, "relation", "a relation to the head of household without household_id")
	}
	if r.PermanentPlace != "" || r.PermanentAddress != "" || r.PermanentFrom != "" || hh != "" {
		res := &Residence{HouseholdID: hh, Relation: rel}
		res.From = c.eventDate("permanent_from", r.PermanentFrom, p.BirthDate, death)
		if r.PermanentFrom == "" {
			c.add(CodeRequired, "permanent_from", "the date the permanent residence was registered is required")
		}
		// Joining a household takes its place and address (those of its
		// head's row); starting one, or living outside one, needs both.
		defines := hh == "" || rel == registry.RelationHead
		res.Place = c.commune("permanent_place", r.PermanentPlace, res.From, defines)
		res.Address = c.text("permanent_address", r.PermanentAddress)
		if defines && r.PermanentAddress == "" {
			c.add(CodeRequired, "permanent_address", "the address of the permanent residence is required")
		}
		p.Permanent = res
	}
	if r.TemporaryPlace != "" || r.TemporaryAddress != "" || r.TemporaryFrom != "" || r.TemporaryUntil != "" {
		res := &Residence{}
		res.From = c.eventDate("temporary_from", r.TemporaryFrom, p.BirthDate, death)
		if r.TemporaryFrom == "" {
			c.add(CodeRequired, "temporary_from", "the date the temporary residence was registered is required")
		}
		res.Place = c.commune("temporary_place", r.TemporaryPlace, res.From, true)
		res.Address = c.text("temporary_address", r.TemporaryAddress)
		if r.TemporaryAddress == "" {
			c.add(CodeRequired, "temporary_address", "the address of the temporary residence is required")
		}
		res.Until = c.fullDate("temporary_until", r.TemporaryUntil)
		switch {
		case r.TemporaryUntil == "":
			c.add(CodeRequired, "temporary_until", "a temporary residence has an end date")
		case res.Until.IsZero() || res.From.IsZero():
		case !res.Until.After(res.From):
			c.add(CodeInconsistent, "temporary_until", "the end date %s is not after the start %s", res.Until, res.From)
		case res.Until.After(res.From.AddYears(2)):
			// Luật Cư trú 2020, Điều 27: at most two years, renewable.
			c.add(CodeInconsistent, "temporary_until", "a temporary residence lasts at most two years (until %s at the latest)", res.From.AddYears(2))
		}
		p.Temporary = res
	}
	if r.CurrentPlace != "" || r.CurrentAddress != "" || r.CurrentFrom != "" {
		res := &Residence{}
		res.From = c.eventDate("current_from", r.CurrentFrom, p.BirthDate, death)
		if r.CurrentFrom == "" {
			c.add(CodeRequired, "current_from", "the date the current residence was declared is required")
		}
		res.Place = c.commune("current_place", r.CurrentPlace, res.From, true)
		res.Address = c.text("current_address", r.CurrentAddress)
		p.Current = res
	}

	for _, s := range splitList(r.Phones) {
		n, ok := registry.NormalisePhone(s)
		switch {
		case !ok:
			c.add(CodeInvalid, "phones", "%q is not a Vietnamese mobile number (10 digits starting 03, 05, 07, 08 or 09, or +84…)", s)
		case !slices.Contains(p.Phones, n):
			p.Phones = append(p.Phones, n)
		}
	}

	if len(c.ps) > 0 {
		return nil, c.ps
	}
	p.Warnings = c.pidWarnings(p)
	return p, nil
}

// checker collects the problems of one row.
type checker struct {
	places *place.Catalogue
	today  civil.Date
	ps     []Problem
}

func (c *checker) add(code, field, format string, args ...any) {
	c.ps = append(c.ps, Problem{Code: code, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) pid(field, s string, required bool) pid.Number {
	if s == "" {
		if required {
			c.add(CodeRequired, field, "the personal ID number is required")
		}
		return ""
	}
	n, err := pid.Parse(s)
	if err != nil {
		c.add(CodeInvalid, field, "%v", err)
	}
	return n
}

// date parses a date that must not be after today.
func (c *checker) date(field, s string, required, full bool) civil.Date {
	if s == "" {
		if required {
			c.add(CodeRequired, field, "a date is required (YYYY-MM-DD, YYYY-MM or YYYY)")
		}
		return civil.Date{}
	}
	d, err := civil.ParseDate(s)
	switch {
	case err != nil:
		c.add(CodeInvalid, field, "%v", err)
		return civil.Date{}
	case full && d.Precision() != civil.PrecisionDay:
		c.add(CodeInvalid, field, "the date of an event is a full date YYYY-MM-DD, not %q", s)
		return civil.Date{}
	case d.First().After(c.today):
		c.add(CodeFuture, field, "%s is in the future (today is %s)", s, c.today)
		return civil.Date{}
	}
	return d
}

// fullDate parses a full date that may be in the future.
func (c *checker) fullDate(field, s string) civil.Date {
	if s == "" {
		return civil.Date{}
	}
	d, err := civil.ParseDate(s)
	switch {
	case err != nil:
		c.add(CodeInvalid, field, "%v", err)
	case d.Precision() != civil.PrecisionDay:
		c.add(CodeInvalid, field, "a full date YYYY-MM-DD is required, not %q", s)
	default:
		return d
	}
	return civil.Date{}
}

// eventDate parses the full date of an event, which cannot come before the
// birth or after a death.
func (c *checker) eventDate(field, s string, birth, death civil.Date) civil.Date {
	d := c.date(field, s, false, true)
	switch {
	case d.IsZero():
	case !birth.IsZero() && d.Before(birth):
		c.add(CodeInconsistent, field, "%s is before the birth on %s", d, birth)
		return civil.Date{}
	case !death.IsZero() && death.Before(d):
		c.add(CodeInconsistent, field, "%s is after the death on %s", d, death)
		return civil.Date{}
	}
	return d
}

// name is the registry's rule for personal names (registry.checkName),
// refusing control characters too.
func (c *checker) name(field, s string, required bool) string {
	if s == "" {
		if required {
			c.add(CodeRequired, field, "a name is required")
		}
		return ""
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			c.add(CodeInvalid, field, "a name cannot hold a line break or other control character (%U): a field boundary may have gone astray", r)
			return ""
		}
	}
	n := tidy(s)
	switch {
	case n == "":
		c.add(CodeRequired, field, "the name is blank")
		return ""
	case utf8.RuneCountInString(n) > registry.MaxNameLength:
		c.add(CodeTooLong, field, "a name has at most %d characters", registry.MaxNameLength)
		return ""
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && r != ' ' && r != '\'' && r != '’' && r != '-' {
			c.add(CodeInvalid, field, "a name has only letters, spaces, apostrophes and hyphens; %q is not allowed", r)
			return ""
		}
	}
	return n
}

// text is the registry's rule for free text (registry.checkText).
func (c *checker) text(field, s string) string {
	s = tidy(s)
	if utf8.RuneCountInString(s) > registry.MaxTextLength {
		c.add(CodeTooLong, field, "at most %d characters", registry.MaxTextLength)
		return ""
	}
	return s
}

// placeOrCountry checks a commune valid on `on` (or, when today is
// allowed, today) or, for an event abroad, a country; not both.
func (c *checker) placeOrCountry(placeField, code, countryField, country string, on civil.Date, required bool) (string, string) {
	switch {
	case code != "" && country != "":
		c.add(CodeInconsistent, countryField, "give either %s (a commune) or %s (abroad), not both", placeField, countryField)
	case code == "" && country == "":
		if required {
			c.add(CodeRequired, placeField, "%s is required: the code of a commune valid on %s, or %s for a registration abroad", placeField, on, countryField)
		}
	case country != "":
		cc := c.country(countryField, country)
		if cc == "VN" {
			c.add(CodeInconsistent, countryField, "for Viet Nam give %s, the commune code", placeField)
			return "", ""
		}
		return "", cc
	default:
		u, err := c.communeOn(code, on)
		if err != nil {
			// A late registration may name the commune as it is today.
			if u2, err2 := c.communeOn(code, c.today); err2 == nil {
				return u2.Code, ""
			}
			c.add(placeCode(err), placeField, "%v", err)
			return "", ""
		}
		return u.Code, ""
	}
	return "", ""
}

// commune checks a commune code valid on day.
func (c *checker) commune(field, code string, day civil.Date, required bool) string {
	switch {
	case code == "":
		if required {
			c.add(CodeRequired, field, "the commune code is required")
		}
		return ""
	case day.IsZero():
		return "" // the date's own problem is reported
	}
	u, err := c.communeOn(code, day)
	if err != nil {
		c.add(placeCode(err), field, "%v", err)
		return ""
	}
	return u.Code
}

func (c *checker) communeOn(code string, day civil.Date) (place.Unit, error) {
	u, err := c.places.Lookup(code, day)
	if err != nil {
		return place.Unit{}, err
	}
	if u.Level != place.LevelCommune {
		return place.Unit{}, fmt.Errorf("%s is a %s (%s), not a commune: %w", code, u.Level, u.Name, place.ErrUnknownCode)
	}
	return u, nil
}

func placeCode(err error) string {
	if errors.Is(err, place.ErrNotInForce) {
		return CodeNotInForce
	}
	return CodeUnknownPlace
}

func (c *checker) country(field, s string) string {
	if s == "" {
		return ""
	}
	if k, ok := catalog.CountryByCode(s); ok {
		return k.Alpha2
	}
	c.add(CodeUnknownCode, field, "%q is not an ISO 3166-1 country code", s)
	return ""
}

func (c *checker) catalogue(field, s string, find func(string) (string, bool), what string) string {
	if s == "" {
		return ""
	}
	if code, ok := find(s); ok {
		return code
	}
	c.add(CodeUnknownCode, field, "%q is not %s", s, what)
	return ""
}

// pidWarnings compares the number with the person: birth year and sex
// always, the place code when the issue date tells which province list it
// comes from.
func (c *checker) pidWarnings(p *Person) []Problem {
	want := pid.Expectation{Sex: p.Sex.PID(), BirthYearFrom: p.BirthDate.Year(), BirthYearTo: p.BirthDate.Year()}
	switch {
	case p.RegistrationCountry != "":
		if k, ok := catalog.CountryByAlpha2(p.RegistrationCountry); ok {
			want.PlaceCodes = []string{k.Numeric}
		}
	case !p.PIDIssuedOn.IsZero() && p.PIDIssuedOn.Precision() == civil.PrecisionDay:
		if code, err := c.places.PIDPlaceCode(p.RegistrationPlace, p.BirthDate.First(), p.PIDIssuedOn); err == nil {
			want.PlaceCodes = []string{code}
		} else if code, err := c.places.PIDPlaceCode(p.RegistrationPlace, c.today, p.PIDIssuedOn); err == nil {
			want.PlaceCodes = []string{code}
		}
	}
	var ve *pid.ValidationError
	if err := pid.Validate(p.PID, want); errors.As(err, &ve) {
		return []Problem{{Code: CodePIDMismatch, Field: "pid", Message: ve.Error()}}
	}
	return nil
}

// Row returns p in the file's form, with every value normalised: checking
// it again gives p back.
func (p *Person) Row() Row {
	r := Row{
		PID:                 string(p.PID),
		FullName:            p.FullName,
		OtherNames:          strings.Join(p.OtherNames, ";"),
		BirthDate:           p.BirthDate.String(),
		Sex:                 string(p.Sex),
		BirthPlace:          p.BirthPlace,
		BirthCountry:        p.BirthCountry,
		RegistrationPlace:   p.RegistrationPlace,
		RegistrationCountry: p.RegistrationCountry,
		HomeTown:            p.HomeTown,
		Ethnicity:           p.Ethnicity,
		Religion:            p.Religion,
		Nationality:         p.Nationality,
		PIDIssuedOn:         p.PIDIssuedOn.String(),
		MotherPID:           string(p.Mother),
		FatherPID:           string(p.Father),
		SpousePID:           string(p.Spouse),
		MarriageDate:        p.MarriageDate.String(),
		Phones:              strings.Join(p.Phones, ";"),
		Status:              string(p.Status),
		DeathDate:           p.DeathDate.String(),
		DeathPlace:          p.DeathPlace,
		MissingSince:        p.MissingSince.String(),
	}
	ls := make([]string, len(p.LegacyIDs))
	for i, l := range p.LegacyIDs {
		ls[i] = string(l)
	}
	r.LegacyIDs = strings.Join(ls, ";")
	if res := p.Permanent; res != nil {
		r.HouseholdID, r.Relation = res.HouseholdID, string(res.Relation)
		r.PermanentPlace, r.PermanentAddress, r.PermanentFrom = res.Place, res.Address, res.From.String()
	}
	if res := p.Temporary; res != nil {
		r.TemporaryPlace, r.TemporaryAddress, r.TemporaryFrom, r.TemporaryUntil = res.Place, res.Address, res.From.String(), res.Until.String()
	}
	if res := p.Current; res != nil {
		r.CurrentPlace, r.CurrentAddress, r.CurrentFrom = res.Place, res.Address, res.From.String()
	}
	return r
}

// tidy returns s in NFC with runs of white space made one space and none
// at the ends, as the registry stores names and text. Most values already
// are; they are returned without copying.
func tidy(s string) string {
	if s == "" {
		return s
	}
	clean := s[0] != ' ' && s[len(s)-1] != ' '
	for i := 0; clean && i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			clean = s[i+1] != ' ' // s does not end in a space
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			clean = false
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			clean = !unicode.IsSpace(r)
			i += n - 1
		}
	}
	if clean {
		return vntext.NFC(s)
	}
	return strings.Join(strings.Fields(vntext.NFC(s)), " ")
}

// splitList splits a ";"-separated value, dropping empty items.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func minMarriageAge(s registry.Sex) int {
	if s == registry.Female {
		return registry.MinMarriageAgeFemale
	}
	return registry.MinMarriageAgeMale
}

func digits(s string, n int) bool {
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

func knownRelations() string {
	rs := make([]string, 0, len(registry.Relations))
	for r := range registry.Relations {
		rs = append(rs, string(r))
	}
	slices.Sort(rs)
	return strings.Join(rs, ", ")
}

// Numbers remembers the personal ID and legacy numbers of the rows of one
// import, so that a number given by two rows is rejected on the second.
// It holds about 40 bytes per number. Numbers already in the registry,
// including those loaded before an import resumed, are the loader's to
// find: a resumed import starts a new Numbers.
type Numbers struct{ lines map[uint64]int64 }

// NewNumbers returns an empty Numbers.
func NewNumbers() *Numbers { return &Numbers{lines: map[uint64]int64{}} }

// Add records the numbers of p, read on line. If an earlier row gave one of
// them, it records none and returns a CodeDuplicate problem for each.
func (ns *Numbers) Add(p *Person, line int64) []Problem {
	type num struct{ field, n string }
	all := []num{{"pid", string(p.PID)}}
	for _, l := range p.LegacyIDs {
		all = append(all, num{"legacy_ids", string(l)})
	}
	var ps []Problem
	for _, x := range all {
		if first, ok := ns.lines[numberKey(x.n)]; ok {
			ps = append(ps, Problem{Code: CodeDuplicate, Field: x.field, Message: fmt.Sprintf("number %s is already given on line %d", x.n, first)})
		}
	}
	if len(ps) > 0 {
		return ps
	}
	for _, x := range all {
		ns.lines[numberKey(x.n)] = line
	}
	return nil
}

// numberKey packs a 9- or 12-digit number and its length into a uint64:
// "012345678" and "000012345678" are different numbers.
func numberKey(s string) uint64 {
	var v uint64
	for i := 0; i < len(s); i++ {
		v = v*10 + uint64(s[i]-'0')
	}
	return v<<1 | uint64(len(s)/12)
}
