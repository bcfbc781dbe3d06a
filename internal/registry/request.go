package registry

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"dancu/internal/catalog"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/pid"
	"dancu/internal/vntext"
)

// BirthRequest registers a birth (đăng ký khai sinh). Field names are the
// API's.
type BirthRequest struct {
	FullName            string   `json:"full_name"`
	OtherNames          []string `json:"other_names,omitempty"`
	BirthDate           string   `json:"birth_date"`
	Sex                 string   `json:"sex"`
	BirthPlace          string   `json:"birth_place,omitempty"`
	BirthCountry        string   `json:"birth_country,omitempty"`
	RegistrationPlace   string   `json:"registration_place,omitempty"`
	RegistrationCountry string   `json:"registration_country,omitempty"`
	HomeTown            string   `json:"home_town,omitempty"`
	Ethnicity           string   `json:"ethnicity,omitempty"`
	Religion            string   `json:"religion,omitempty"`
	Nationality         string   `json:"nationality,omitempty"`
	MotherPID           string   `json:"mother_pid,omitempty"`
	FatherPID           string   `json:"father_pid,omitempty"`
	LegalBasis          string   `json:"legal_basis,omitempty"`
	Reason              string   `json:"reason,omitempty"`
}

// EventRequest records any event but a birth. Which fields a type takes is
// in eventFields; a field outside them is refused, never ignored.
type EventRequest struct {
	Type          string `json:"type"`
	EffectiveDate string `json:"effective_date,omitempty"`
	LegalBasis    string `json:"legal_basis,omitempty"`
	Reason        string `json:"reason,omitempty"`

	FullName            string   `json:"full_name,omitempty"`
	OtherNames          []string `json:"other_names,omitempty"`
	BirthDate           string   `json:"birth_date,omitempty"`
	Sex                 string   `json:"sex,omitempty"`
	BirthPlace          string   `json:"birth_place,omitempty"`
	BirthCountry        string   `json:"birth_country,omitempty"`
	RegistrationPlace   string   `json:"registration_place,omitempty"`
	RegistrationCountry string   `json:"registration_country,omitempty"`
	HomeTown            string   `json:"home_town,omitempty"`
	Ethnicity           string   `json:"ethnicity,omitempty"`
	Religion            string   `json:"religion,omitempty"`
	Nationality         string   `json:"nationality,omitempty"`
	MotherPID           string   `json:"mother_pid,omitempty"`
	FatherPID           string   `json:"father_pid,omitempty"`

	Place        string `json:"place,omitempty"`
	Address      string `json:"address,omitempty"`
	HouseholdID  string `json:"household_id,omitempty"`
	NewHousehold bool   `json:"new_household,omitempty"`
	Relation     string `json:"relation,omitempty"`
	Until        string `json:"until,omitempty"`
	NewHeadPID   string `json:"new_head_pid,omitempty"`
	Destination  string `json:"destination,omitempty"`

	SpousePID  string `json:"spouse_pid,omitempty"`
	DeathPlace string `json:"death_place,omitempty"`

	Phone       string `json:"phone,omitempty"`
	PhoneSource string `json:"phone_source,omitempty"`
	Remove      bool   `json:"remove,omitempty"`

	LegacyID       string `json:"legacy_id,omitempty"`
	LegacyIssuedOn string `json:"legacy_issued_on,omitempty"`
}

// set lists the type-specific fields a request sets, by API name.
func (r *EventRequest) set() []string {
	var out []string
	add := func(name string, isSet bool) {
		if isSet {
			out = append(out, name)
		}
	}
	add("full_name", r.FullName != "")
	add("other_names", r.OtherNames != nil)
	add("birth_date", r.BirthDate != "")
	add("sex", r.Sex != "")
	add("birth_place", r.BirthPlace != "")
	add("birth_country", r.BirthCountry != "")
	add("registration_place", r.RegistrationPlace != "")
	add("registration_country", r.RegistrationCountry != "")
	add("home_town", r.HomeTown != "")
	add("ethnicity", r.Ethnicity != "")
	add("religion", r.Religion != "")
	add("nationality", r.Nationality != "")
	add("mother_pid", r.MotherPID != "")
	add("father_pid", r.FatherPID != "")
	add("place", r.Place != "")
	add("address", r.Address != "")
	add("household_id", r.HouseholdID != "")
	add("new_household", r.NewHousehold)
	add("relation", r.Relation != "")
	add("until", r.Until != "")
	add("new_head_pid", r.NewHeadPID != "")
	add("destination", r.Destination != "")
	add("spouse_pid", r.SpousePID != "")
	add("death_place", r.DeathPlace != "")
	add("phone", r.Phone != "")
	add("phone_source", r.PhoneSource != "")
	add("remove", r.Remove)
	add("legacy_id", r.LegacyID != "")
	add("legacy_issued_on", r.LegacyIssuedOn != "")
	return out
}

// correctable lists the fields a correction may change.
var correctable = []string{"full_name", "other_names", "birth_date", "sex", "birth_place", "birth_country",
	"registration_place", "registration_country", "home_town", "ethnicity", "religion", "nationality",
	"mother_pid", "father_pid"}

// eventFields says, for each type, which fields it takes and which of them
// it requires.
var eventFields = map[EventType]struct{ allowed, required []string }{
	EventPermanentResidence:      {[]string{"place", "address", "household_id", "new_household", "relation", "new_head_pid"}, nil},
	EventTemporaryResidence:      {[]string{"place", "address", "household_id", "new_household", "relation", "until", "new_head_pid"}, []string{"until"}},
	EventCurrentResidence:        {[]string{"place", "address"}, []string{"place"}},
	EventPermanentDeregistration: {[]string{"new_head_pid"}, nil},
	EventTemporaryDeregistration: {[]string{"new_head_pid"}, nil},
	EventTemporaryAbsence:        {[]string{"until", "destination"}, []string{"until"}},
	EventMarriage:                {[]string{"spouse_pid"}, []string{"spouse_pid"}},
	EventDivorce:                 {[]string{"spouse_pid"}, nil},
	EventNameChange:              {[]string{"full_name", "other_names"}, []string{"full_name"}},
	EventCorrection:              {correctable, nil},
	EventDeath:                   {[]string{"death_place", "new_head_pid"}, nil},
	EventMissing:                 {nil, nil},
	EventMissingRevoked:          {nil, nil},
	EventPhoneNumber:             {[]string{"phone", "phone_source", "remove"}, []string{"phone"}},
	EventLegacyID:                {[]string{"legacy_id", "legacy_issued_on"}, []string{"legacy_id"}},
}

// MaxNameLength bounds names in characters; the longest real Vietnamese
// names are far shorter.
const MaxNameLength = 100

// MaxTextLength bounds free-text fields (addresses, reasons).
const MaxTextLength = 500

// checkName validates a personal name and returns it in NFC with its
// spacing tidied. The exact letters, diacritics and tone placement the
// person uses are kept.
func checkName(fs *errs.Fields, field, s string, required bool) string {
	if s == "" {
		if required {
			fs.Add(field, "required", "a name is required")
		}
		return ""
	}
	if !utf8.ValidString(s) {
		fs.Add(field, "encoding", "the name is not valid UTF-8")
		return ""
	}
	n := strings.Join(strings.Fields(vntext.NFC(s)), " ")
	switch {
	case n == "":
		fs.Add(field, "required", "the name is blank")
	case utf8.RuneCountInString(n) > MaxNameLength:
		fs.Add(field, "too_long", "a name has at most %d characters", MaxNameLength)
	default:
		for _, r := range n {
			if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && r != ' ' && r != '\'' && r != '’' && r != '-' {
				fs.Add(field, "format", "a name has only letters, spaces, apostrophes and hyphens; %q is not allowed", r)
				return ""
			}
		}
	}
	return n
}

func checkText(fs *errs.Fields, field, s string) string {
	if !utf8.ValidString(s) {
		fs.Add(field, "encoding", "the text is not valid UTF-8")
		return ""
	}
	s = strings.Join(strings.Fields(vntext.NFC(s)), " ")
	if utf8.RuneCountInString(s) > MaxTextLength {
		fs.Add(field, "too_long", "at most %d characters", MaxTextLength)
	}
	return s
}

// checkDate parses a civil date that must not be in the future.
func checkDate(fs *errs.Fields, field, s string, today civil.Date, required bool) civil.Date {
	if s == "" {
		if required {
			fs.Add(field, "required", "a date is required (YYYY-MM-DD)")
		}
		return civil.Date{}
	}
	d, err := civil.ParseDate(s)
	if err != nil {
		fs.Add(field, "format", "%v", err)
		return civil.Date{}
	}
	if d.First().After(today) {
		fs.Add(field, "future", "%s is in the future (today is %s)", s, today)
		return civil.Date{}
	}
	return d
}

// checkPID parses a personal ID number given in a field.
func checkPID(fs *errs.Fields, field, s string) pid.Number {
	if s == "" {
		return ""
	}
	n, err := pid.Parse(s)
	if err != nil {
		fs.Add(field, "format", "%v", err)
	}
	return n
}

func checkEthnicity(fs *errs.Fields, field, s string) string {
	if s == "" {
		return ""
	}
	if e, ok := catalog.EthnicityByCode(s); ok {
		return e.Code
	}
	if e, ok := catalog.EthnicityByName(s); ok {
		return e.Code
	}
	fs.Add(field, "unknown", "%q is not an ethnic group's code (01–54) or name", s)
	return ""
}

func checkReligion(fs *errs.Fields, field, s string) string {
	if s == "" {
		return ""
	}
	if r, ok := catalog.ReligionByCode(s); ok {
		return r.Code
	}
	if r, ok := catalog.ReligionByName(s); ok {
		return r.Code
	}
	fs.Add(field, "unknown", "%q is not a religion's code or name", s)
	return ""
}

func checkCountry(fs *errs.Fields, field, s string) string {
	if s == "" {
		return ""
	}
	if c, ok := catalog.CountryByCode(s); ok {
		return c.Alpha2
	}
	fs.Add(field, "unknown", "%q is not an ISO 3166-1 country code", s)
	return ""
}

// NormalisePhone returns a Vietnamese mobile number as 10 digits starting
// with 0, accepting +84 and 84 prefixes, spaces, dots and hyphens.
func NormalisePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '.', r == '-':
		default:
			return "", false
		}
	}
	d := b.String()
	if strings.HasPrefix(s, "+84") || (strings.HasPrefix(d, "84") && len(d) == 11) {
		d = "0" + d[2:]
	}
	if len(d) != 10 || d[0] != '0' || !strings.ContainsRune("35789", rune(d[1])) {
		return "", false
	}
	return d, true
}
