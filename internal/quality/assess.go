package quality

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"dancu/internal/catalog"
	"dancu/internal/civil"
	"dancu/internal/pid"
	"dancu/internal/place"
	"dancu/internal/registry"
)

// Ages and terms the rules use.
const (
	// ResidenceAge is the age from which a person is expected to have a
	// permanent or temporary residence on record: the age from which the
	// Law on Identification (Luật Căn cước 2023) makes an identity card
	// compulsory, and the card shows the residence.
	ResidenceAge = 14
	// PhoneAge is the age from which a phone number is expected.
	PhoneAge = 18
	// MaxAge is the age from which a person not recorded as dead is
	// flagged: hardly anyone has ever been verified to live longer, so the
	// death has almost certainly gone unrecorded.
	MaxAge = 120
	// MissingFollowUpYears is how long after a declaration of missing
	// (tuyên bố mất tích) a follow-up is expected: after three years
	// without news a court may declare the person dead (Bộ luật Dân sự
	// 2015, Điều 71).
	MissingFollowUpYears = 3
	// PreciseBirthAfter is the last birth year for which a birth date of
	// only a year or a month is accepted as complete; for later births the
	// day is expected to be known.
	PreciseBirthAfter = 1975
)

// Finding is one rule that fired for a record.
type Finding struct {
	Rule      string    `json:"rule"`
	Dimension Dimension `json:"dimension"`
	// Field is the offending field as the API names it ("pid",
	// "residences[2].place"): for a rule that several fields can break,
	// the first one found.
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Assessment is the quality of one record on one day.
type Assessment struct {
	// Flags has the bit of every rule that fired (see Rules).
	Flags uint64 `json:"flags"`
	// Score is ScoreOf(Flags): 100 for a record no rule faults, down to 0.
	Score int `json:"score"`
	// Findings has one entry per rule that fired, worst first; nil when
	// none did.
	Findings []Finding `json:"findings,omitempty"`
	// AliveFrom is the earliest day after the day assessed from which a
	// time-dependent rule would newly fire for this record if nothing
	// changes (the day after a temporary residence ends, the 14th, 18th
	// or 120th birthday, three years after a declaration of missing); zero
	// if none would. It is stored with the flags so that aggregates can
	// re-assess only the records whose AliveFrom has come, rather than
	// every record every day.
	AliveFrom civil.Date `json:"alive_from,omitzero"`
}

// Checker assesses records. Its zero value works, with the embedded place
// catalogue and without the place-code part of the personal ID number
// check; production passes the registry service's ExpectedPID. A Checker is
// safe for concurrent use.
type Checker struct {
	// Places is the administrative-unit catalogue; nil means place.Default().
	Places *place.Catalogue
	// ExpectedPID says what a person's number must encode; pass
	// registry.Service.ExpectedPID. When nil, only the sex and birth year
	// are checked.
	ExpectedPID func(*registry.Citizen) pid.Expectation
	// Lang is the language of Finding.Message: "vi" (the default) or "en".
	// Describe and Rule.Message give the other language from a finding's
	// rule code.
	Lang string
}

func (k *Checker) places() *place.Catalogue {
	if k.Places != nil {
		return k.Places
	}
	return place.Default()
}

// Assess applies every rule to c as of today, a day. Rules of the
// dimensions complete and alive apply only to people alive (a dead person
// is not faulted for a missing phone), except the identity fields everyone
// must have (full name, birth date, sex, place of birth registration) and
// the rules about people declared missing. Assess never sets the flags of
// ExternalMask.
func (k *Checker) Assess(c *registry.Citizen, today civil.Date) Assessment {
	var fields [64]string
	r := recorder{fields: &fields}
	k.correct(&r, c, today)
	complete(&r, c)
	clean(&r, c)
	timed(&r, c, today)
	return Assessment{
		Flags:     r.flags,
		Score:     ScoreOf(r.flags),
		Findings:  findings(r.flags, &fields, k.Lang),
		AliveFrom: aliveFrom(c, today, r.flags&timeMask),
	}
}

// recorder collects the flags of an assessment and, when fields is set, the
// first offending field of each.
type recorder struct {
	flags  uint64
	fields *[64]string
}

func (r *recorder) has(bit uint) bool { return r.flags&(1<<bit) != 0 }

func (r *recorder) set(bit uint, field string) {
	if r.has(bit) {
		return
	}
	r.flags |= 1 << bit
	if r.fields != nil {
		r.fields[bit] = field
	}
}

// setAt sets bit for the field prefix[i]suffix, building the name only
// when it is recorded.
func (r *recorder) setAt(bit uint, prefix string, i int, suffix string) {
	if r.has(bit) {
		return
	}
	r.flags |= 1 << bit
	if r.fields != nil {
		r.fields[bit] = prefix + "[" + strconv.Itoa(i) + "]" + suffix
	}
}

// living reports whether the rules for living people apply to c: it is
// neither dead nor declared missing.
func living(c *registry.Citizen) bool {
	return c.Status != registry.Dead && c.Status != registry.Missing
}

// correct applies the rules of the dimension correct (đúng).
func (k *Checker) correct(r *recorder, c *registry.Citizen, today civil.Date) {
	if _, err := pid.Parse(string(c.PID)); err != nil {
		r.set(bitPIDMalformed, "pid")
	} else {
		var want pid.Expectation
		if k.ExpectedPID != nil {
			want = k.ExpectedPID(c)
		} else {
			want = pid.Expectation{Sex: c.Sex.PID(), BirthYearFrom: c.BirthDate.Year(), BirthYearTo: c.BirthDate.Year()}
		}
		if pid.Validate(c.PID, want) != nil {
			r.set(bitPIDMismatch, "pid")
		}
	}

	birth := c.BirthDate
	// Dates as ordinals: a date is in the future when its first day is
	// after today, before the birth when its last day is before the birth
	// date's first.
	todayOrd, birthOrd := ordinal(today), 0
	if !birth.IsZero() {
		birthOrd = ordinal(birth)
	}
	future := func(d civil.Date) bool { return !d.IsZero() && ordinal(d) > todayOrd }
	early := func(d civil.Date) bool { return birthOrd != 0 && !d.IsZero() && lastOrdinal(d) < birthOrd }
	if !birth.IsZero() && !c.DeathDate.IsZero() && c.DeathDate.Before(birth) {
		r.set(bitDeathBeforeBirth, "death_date")
	}
	for _, d := range [...]struct {
		field string
		date  civil.Date
	}{{"birth_date", birth}, {"death_date", c.DeathDate}, {"missing_since", c.MissingSince}, {"pid_issued_on", c.PIDIssuedOn}} {
		if future(d.date) {
			r.set(bitDateInFuture, d.field)
		}
		if d.field != "birth_date" && d.field != "death_date" && early(d.date) {
			r.set(bitDateBeforeBirth, d.field)
		}
	}
	for i := range c.Residences {
		if from := c.Residences[i].From; future(from) {
			r.setAt(bitDateInFuture, "residences", i, ".from")
		} else if early(from) {
			r.setAt(bitDateBeforeBirth, "residences", i, ".from")
		}
	}
	for i := range c.Marriages {
		if from := c.Marriages[i].From; future(from) {
			r.setAt(bitDateInFuture, "marriages", i, ".from")
		} else if early(from) {
			r.setAt(bitDateBeforeBirth, "marriages", i, ".from")
		}
	}
	for i := range c.Phones {
		if since := c.Phones[i].Since; future(since) {
			r.setAt(bitDateInFuture, "phones", i, ".since")
		} else if early(since) {
			r.setAt(bitDateBeforeBirth, "phones", i, ".since")
		}
	}
	for i := range c.LegacyIDs {
		if on := c.LegacyIDs[i].IssuedOn; future(on) {
			r.setAt(bitDateInFuture, "legacy_ids", i, ".issued_on")
		} else if early(on) {
			r.setAt(bitDateBeforeBirth, "legacy_ids", i, ".issued_on")
		}
	}

	// Places, each on its own date. A birth or its registration may name
	// the commune as it is today (a late registration), as the registry
	// accepts.
	if c.BirthPlace != "" && !k.communeOn(c.BirthPlace, birth, today, true) {
		r.set(bitPlaceInvalid, "birth_place")
	}
	// Most people were registered where they were born, and many have
	// their birthplace as home town: look each code up once.
	if c.RegistrationPlace != "" && c.RegistrationPlace != c.BirthPlace && !k.communeOn(c.RegistrationPlace, birth, today, true) {
		r.set(bitPlaceInvalid, "registration_place")
	} else if c.RegistrationPlace != "" && c.RegistrationPlace == c.BirthPlace && r.has(bitPlaceInvalid) {
		r.set(bitPlaceInvalid, "registration_place")
	}
	for i := range c.Residences {
		res := &c.Residences[i]
		if res.Place != "" && !k.communeOn(res.Place, res.From, today, false) {
			r.setAt(bitPlaceInvalid, "residences", i, ".place")
		}
	}
	if c.HomeTown != "" && (c.HomeTown != c.BirthPlace || r.has(bitPlaceInvalid)) && !k.knownUnit(c.HomeTown) {
		r.set(bitPlaceInvalid, "home_town")
	}

	codes := catalogCodes()
	if c.Ethnicity != "" && !codes.ethnicity[twoDigits(c.Ethnicity)] {
		r.set(bitUnknownCode, "ethnicity")
	}
	if c.Religion != "" && !codes.religion[twoDigits(c.Religion)] {
		r.set(bitUnknownCode, "religion")
	}
	for _, f := range [...]struct{ field, code string }{
		{"nationality", c.Nationality}, {"birth_country", c.BirthCountry}, {"registration_country", c.RegistrationCountry},
	} {
		if f.code != "" && !codes.country[alpha2(f.code)] {
			r.set(bitUnknownCode, f.field)
		}
	}

	if (c.BirthPlace != "" && c.BirthCountry != "") || c.BirthCountry == "VN" {
		r.set(bitPlaceCountry, "birth_country")
	}
	if (c.RegistrationPlace != "" && c.RegistrationCountry != "") || c.RegistrationCountry == "VN" {
		r.set(bitPlaceCountry, "registration_country")
	}

	switch c.Status {
	case registry.Alive, registry.Dead, registry.Missing:
	default:
		r.set(bitStatusInconsistent, "status")
	}
	if (c.Status == registry.Dead) == c.DeathDate.IsZero() {
		r.set(bitStatusInconsistent, "death_date")
	}
	if (c.Status == registry.Missing) == c.MissingSince.IsZero() {
		r.set(bitStatusInconsistent, "missing_since")
	}
	if c.Status == registry.Dead {
		// A death closes every residence and the marriage in force.
		for i := range c.Residences {
			if c.Residences[i].Ended.IsZero() {
				r.setAt(bitStatusInconsistent, "residences", i, ".ended")
			}
		}
		if c.Spouse() != 0 {
			r.set(bitStatusInconsistent, "marriages")
		}
	}

	residences(r, c)
}

// residences checks the residence periods against each other and the rules
// the registry applies when recording them.
func residences(r *recorder, c *registry.Citizen) {
	rs := c.Residences
	for i := range rs {
		res := &rs[i]
		field := ""
		switch {
		case res.Kind != registry.Permanent && res.Kind != registry.Temporary && res.Kind != registry.Current:
			field = ".kind"
		case res.Place == "":
			field = ".place"
		case res.From.IsZero():
			field = ".from"
		case res.Kind == registry.Temporary && res.Until.IsZero():
			field = ".until" // a temporary residence has a term (Luật Cư trú 2020, Điều 27)
		case res.Kind != registry.Temporary && !res.Until.IsZero():
			field = ".until"
		case !res.Until.IsZero() && !res.Until.After(res.From):
			field = ".until"
		case !res.Ended.IsZero() && res.Ended.Before(res.From):
			field = ".ended"
		}
		if field != "" {
			r.setAt(bitResidenceInconsist, "residences", i, field)
			continue
		}
		// Two periods of one kind never hold on the same day: recording a
		// new one closes the open one.
		si, ei := span(res)
		for j := range i {
			o := &rs[j]
			if o.Kind != res.Kind || o.From.IsZero() {
				continue
			}
			sj, ej := span(o)
			if si < ei && sj < ej && si < ej && sj < ei {
				r.setAt(bitResidenceInconsist, "residences", i, ".from")
				break
			}
		}
	}
}

// span returns the days a period holds as [start, end) in ordinals; end is
// maxOrdinal for an open period. A day d is in the period exactly when
// registry.Residence.InForce(d).
func span(r *registry.Residence) (start, end int) {
	start, end = ordinal(r.From), maxOrdinal
	if !r.Ended.IsZero() {
		end = ordinal(r.Ended)
	}
	if !r.Until.IsZero() {
		end = min(end, lastOrdinal(r.Until)+1)
	}
	return start, end
}

const maxOrdinal = 1 << 30

// ordinal returns yyyymmdd of the first day of d. Ordinals order like the
// days they stand for, which is all the rules need of them; they are much
// cheaper than civil.Date's comparisons of intervals.
func ordinal(d civil.Date) int { return d.Year()*10000 + int(d.Month())*100 + d.Day() }

// lastOrdinal returns an ordinal that compares with the ordinal of any day
// as the last day of d does: a partial date ends on day 31 of its last
// month, which no real day lies beyond.
func lastOrdinal(d civil.Date) int {
	switch d.Precision() {
	case civil.PrecisionYear:
		return d.Year()*10000 + 1231
	case civil.PrecisionMonth:
		return d.Year()*10000 + int(d.Month())*100 + 31
	}
	return ordinal(d)
}

// codeSets holds the valid codes of the catalogues, as arrays for
// allocation-free look-up.
type codeSets struct {
	ethnicity [101]bool       // 2008 codes and the foreigner code; index 100 is "not a code"
	religion  [101]bool       // dancu's religion codes
	country   [26*26 + 1]bool // ISO 3166-1 alpha-2; the last is "not a code"
}

var (
	codesOnce sync.Once
	codes     *codeSets
)

func catalogCodes() *codeSets {
	codesOnce.Do(func() {
		s := &codeSets{}
		for _, e := range catalog.Ethnicities() {
			s.ethnicity[twoDigits(e.Code)] = true
		}
		s.ethnicity[twoDigits(catalog.ForeignerEthnicityCode)] = true
		for _, r := range catalog.Religions() {
			s.religion[twoDigits(r.Code)] = true
		}
		for _, c := range catalog.Countries() {
			s.country[alpha2(c.Alpha2)] = true
		}
		s.ethnicity[100], s.religion[100], s.country[26*26] = false, false, false
		codes = s
	})
	return codes
}

// twoDigits returns the value of a code of exactly two ASCII digits, or 100.
func twoDigits(s string) int {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 100
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}

// alpha2 returns the index of an upper-case two-letter code, or 26*26.
func alpha2(s string) int {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return 26 * 26
	}
	return int(s[0]-'A')*26 + int(s[1]-'A')
}

// complete applies the rules of the dimension complete (đủ) that do not
// depend on the day.
func complete(r *recorder, c *registry.Citizen) {
	if blank(c.FullName) {
		r.set(bitMissingFullName, "full_name")
	}
	if c.BirthDate.IsZero() {
		r.set(bitMissingBirthDate, "birth_date")
	}
	if c.Sex != registry.Male && c.Sex != registry.Female {
		r.set(bitMissingSex, "sex")
	}
	if c.RegistrationPlace == "" && c.RegistrationCountry == "" {
		r.set(bitMissingRegistration, "registration_place")
	}
	if !living(c) {
		return
	}
	if c.BirthPlace == "" && c.BirthCountry == "" {
		r.set(bitMissingBirthPlace, "birth_place")
	}
	if c.Ethnicity == "" {
		r.set(bitMissingEthnicity, "ethnicity")
	}
	if c.Religion == "" {
		r.set(bitMissingReligion, "religion")
	}
	if c.Nationality == "" {
		r.set(bitMissingNationality, "nationality")
	}
	if c.HomeTown == "" {
		r.set(bitMissingHomeTown, "home_town")
	}
	if b := c.BirthDate; !b.IsZero() && b.Precision() != civil.PrecisionDay && b.Year() > PreciseBirthAfter {
		r.set(bitBirthDateImprecise, "birth_date")
	}
	for i := range c.Residences {
		if res := &c.Residences[i]; res.Ended.IsZero() && blank(res.Address) {
			r.setAt(bitResidenceNoAddress, "residences", i, ".address")
		}
	}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// clean applies the rules of the dimension clean (sạch) that Assess sets.
func clean(r *recorder, c *registry.Citizen) {
	// Names of Vietnamese citizens follow Vietnamese spelling; others are
	// only checked for junk and case.
	vn := c.Nationality == "" || c.Nationality == "VN"
	checkName(r, c.FullName, "full_name", -1, vn)
	for i, n := range c.OtherNames {
		checkName(r, n, "other_names", i, vn)
	}
	for i := range c.Phones {
		switch n := c.Phones[i].Number; {
		case !wellFormedPhone(n):
			r.setAt(bitPhoneMalformed, "phones", i, ".number")
		case testPhone(n):
			r.setAt(bitPhoneTestNumber, "phones", i, ".number")
		}
	}
	for i := range c.LegacyIDs {
		if !wellFormedLegacy(c.LegacyIDs[i].Number) {
			r.setAt(bitLegacyIDMalformed, "legacy_ids", i, ".number")
		}
	}
	for i := range c.Residences {
		if a := c.Residences[i].Address; !blank(a) && isPlaceholder(a) {
			r.setAt(bitPlaceholder, "residences", i, ".address")
		}
	}
	if !blank(c.DeathPlace) && isPlaceholder(c.DeathPlace) {
		r.set(bitPlaceholder, "death_place")
	}
	for i := range c.Absences {
		if d := c.Absences[i].Destination; !blank(d) && isPlaceholder(d) {
			r.setAt(bitPlaceholder, "absences", i, ".destination")
		}
	}
}

func checkName(r *recorder, s, prefix string, i int, vn bool) {
	if blank(s) {
		return // missing_full_name, or an empty other name the registry never stores
	}
	set := func(bit uint) {
		if i < 0 {
			r.set(bit, prefix)
		} else {
			r.setAt(bit, prefix, i, "")
		}
	}
	if junkName(s) {
		set(bitJunkName)
		return
	}
	if !canonicalName(s, vn) {
		set(bitNameNotCanonical)
	}
	if vn && strippedSurname(s) {
		set(bitNameNoDiacritics)
	}
}

// timed applies the rules that time alone can make fire, on day. Its flags
// are exactly those of timeMask.
func timed(r *recorder, c *registry.Citizen, day civil.Date) {
	age := -1
	if !c.BirthDate.IsZero() {
		age = c.BirthDate.AgeOn(day)
	}
	switch c.Status {
	case registry.Dead:
		return
	case registry.Missing:
		if age >= MaxAge {
			r.set(bitOver120Alive, "status")
		}
		if !c.MissingSince.IsZero() && c.MissingSince.AgeOn(day) >= MissingFollowUpYears {
			r.set(bitMissingNoFollowUp, "missing_since")
		}
		return
	}
	if age >= MaxAge {
		r.set(bitOver120Alive, "status")
	}
	if age >= PhoneAge && len(c.Phones) == 0 {
		r.set(bitAdultWithoutPhone, "phones")
	}
	registered, inForce, expired := false, false, false
	d := ordinal(day)
	for i := range c.Residences {
		res := &c.Residences[i]
		if res.Kind == registry.Permanent || res.Kind == registry.Temporary {
			registered = true
		}
		if start, end := span(res); start <= d && d < end {
			inForce = true
		}
		// A child's temporary residence expires too.
		if !expired && res.Kind == registry.Temporary && res.Ended.IsZero() && !res.Until.IsZero() &&
			d > lastOrdinal(res.Until) && latest(c, i) {
			expired = true
			r.setAt(bitTemporaryExpired, "residences", i, ".until")
		}
	}
	if age < ResidenceAge {
		return
	}
	if !registered {
		r.set(bitMissingResidence, "residences")
	}
	// An adult whose only residence was a temporary one that expired is
	// faulted once, for the expiry.
	if len(c.Residences) > 0 && !inForce && !expired {
		r.set(bitNoResidenceInForce, "residences")
	}
}

// latest reports whether no residence period of c began after period i: a
// later registration, of any kind, shows the person's whereabouts were
// followed up.
func latest(c *registry.Citizen, i int) bool {
	from := ordinal(c.Residences[i].From)
	for j := range c.Residences {
		if j != i && ordinal(c.Residences[j].From) > from {
			return false
		}
	}
	return true
}

// aliveFrom returns the first day after today on which a time-dependent
// rule that does not fire today (now holds the ones that do) would fire, or
// the zero date. The days on which one can begin to fire are few (the
// birthdays of the rules, the day after each term); they are tried in
// order.
func aliveFrom(c *registry.Citizen, today civil.Date, now uint64) civil.Date {
	if c.Status == registry.Dead {
		return civil.Date{}
	}
	var buf [8]civil.Date
	days := buf[:0]
	t := ordinal(today)
	add := func(d civil.Date) {
		if !d.IsZero() && ordinal(d) > t {
			days = append(days, d)
		}
	}
	if b := c.BirthDate; !b.IsZero() {
		for _, n := range [...]int{ResidenceAge, PhoneAge, MaxAge} {
			if b.Year()+n >= today.Year() { // earlier ones have passed
				add(anniversary(b, n))
			}
		}
	}
	if m := c.MissingSince; !m.IsZero() && m.Year()+MissingFollowUpYears >= today.Year() {
		add(anniversary(m, MissingFollowUpYears))
	}
	for i := range c.Residences {
		if u := c.Residences[i].Until; !u.IsZero() && u.Year() < civil.MaxYear && lastOrdinal(u) >= t {
			add(u.Last().AddDays(1))
		}
	}
	slices.SortFunc(days, func(a, b civil.Date) int { return ordinal(a) - ordinal(b) })
	for _, d := range days {
		var r recorder
		timed(&r, c, d)
		if r.flags&^now != 0 {
			return d
		}
	}
	return civil.Date{}
}

// anniversary returns the first day on which d.AgeOn gives n: for a birth
// on 29 February, 1 March in common years. Zero past the last year a date
// can hold.
func anniversary(d civil.Date, n int) civil.Date {
	f := d.First()
	if f.Year()+n >= civil.MaxYear {
		return civil.Date{}
	}
	a := f.AddYears(n)
	if d.AgeOn(a) < n {
		a = a.AddDays(1)
	}
	return a
}
