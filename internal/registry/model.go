package registry

import (
	"dancu/internal/civil"
	"dancu/internal/pid"
)

// PersonKey is a person's immutable internal key. It is never exposed: not
// in responses, logs meant for outsiders, cursors or URLs.
type PersonKey int64

// Sex is a person's sex as the registry records it.
type Sex string

const (
	Male   Sex = "male"
	Female Sex = "female"
)

// PID returns the sex as the personal ID number encodes it.
func (s Sex) PID() pid.Sex {
	switch s {
	case Male:
		return pid.Male
	case Female:
		return pid.Female
	}
	return 0
}

// ParseSex accepts "male"/"female" and the Vietnamese "nam"/"nữ".
func ParseSex(s string) (Sex, bool) {
	switch s {
	case "male", "nam", "Nam":
		return Male, true
	case "female", "nữ", "Nữ", "nu":
		return Female, true
	}
	return "", false
}

// Status is whether a person is alive.
type Status string

const (
	Alive   Status = "alive"
	Dead    Status = "dead"
	Missing Status = "missing" // declared missing by a court (tuyên bố mất tích)
)

// ResidenceKind distinguishes the three kinds of residence the Law on
// Residence knows.
type ResidenceKind string

const (
	Permanent ResidenceKind = "permanent" // thường trú
	Temporary ResidenceKind = "temporary" // tạm trú
	Current   ResidenceKind = "current"   // nơi ở hiện tại
)

// Relation is a household member's relation to the head of household.
type Relation string

// Relations lists the relations to the head the registry records (quan hệ
// với chủ hộ).
var Relations = map[Relation]string{
	"head":           "Chủ hộ",
	"spouse":         "Vợ/Chồng",
	"child":          "Con",
	"father":         "Cha",
	"mother":         "Mẹ",
	"grandparent":    "Ông/Bà",
	"grandchild":     "Cháu",
	"sibling":        "Anh/Chị/Em",
	"child_in_law":   "Con dâu/Con rể",
	"parent_in_law":  "Cha/Mẹ vợ/chồng",
	"other_relative": "Họ hàng khác",
	"other":          "Khác",
}

// RelationHead is the head of household (chủ hộ).
const RelationHead Relation = "head"

// Residence is one period of residence. A person's history keeps every
// period; the ones in force on a date are those that started by then and
// were neither ended by a later event nor past their end date.
type Residence struct {
	Kind        ResidenceKind `json:"kind"`
	Place       string        `json:"place"` // commune code valid on From
	Address     string        `json:"address,omitempty"`
	HouseholdID string        `json:"household_id,omitempty"`
	Relation    Relation      `json:"relation,omitempty"`
	From        civil.Date    `json:"from"`
	// Until is the declared end of a temporary residence.
	Until civil.Date `json:"until,omitzero"`
	// Ended is the effective date of the event that closed the period.
	Ended      civil.Date `json:"ended,omitzero"`
	EventID    string     `json:"event_id"`
	EndEventID string     `json:"end_event_id,omitempty"`
}

// InForce reports whether the period holds on day.
func (r Residence) InForce(day civil.Date) bool {
	if day.Before(r.From.First()) {
		return false
	}
	if !r.Ended.IsZero() && !day.Before(r.Ended) {
		return false
	}
	if !r.Until.IsZero() && day.After(r.Until) {
		return false
	}
	return true
}

// Absence is a declared temporary absence (tạm vắng).
type Absence struct {
	From        civil.Date `json:"from"`
	Until       civil.Date `json:"until"`
	Destination string     `json:"destination,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Ended       civil.Date `json:"ended,omitzero"`
	EventID     string     `json:"event_id"`
}

// InForce reports whether the absence holds on day.
func (a Absence) InForce(day civil.Date) bool {
	if day.Before(a.From) || day.After(a.Until) {
		return false
	}
	return a.Ended.IsZero() || day.Before(a.Ended)
}

// PhoneSource says how the registry came to hold a phone number.
type PhoneSource string

const (
	// PhoneDeclared was declared by the person to an officer.
	PhoneDeclared PhoneSource = "declared"
	// PhoneTelco was confirmed by a mobile operator's subscriber record that
	// was itself verified against the registry.
	PhoneTelco PhoneSource = "telco"
)

// Phone is a mobile number the registry holds for a person.
type Phone struct {
	Number  string      `json:"number"`
	Source  PhoneSource `json:"source"`
	Since   civil.Date  `json:"since"`
	EventID string      `json:"event_id"`
}

// LegacyID is a number from the old identity cards (CMND).
type LegacyID struct {
	Number   string     `json:"number"`
	IssuedOn civil.Date `json:"issued_on,omitzero"`
}

// RetiredNumber is a personal ID number replaced by a correction or a merge.
// It still resolves to the person.
type RetiredNumber struct {
	Number  pid.Number `json:"number"`
	Retired civil.Date `json:"retired"`
	EventID string     `json:"event_id"`
}

// Marriage is one marriage in a person's history.
type Marriage struct {
	Spouse PersonKey  `json:"spouse_key"`
	From   civil.Date `json:"from"`
	// Ended and EndReason ("divorce", "death") close it.
	Ended     civil.Date `json:"ended,omitzero"`
	EndReason string     `json:"end_reason,omitempty"`
}

// MaritalStatus is derived from the marriages in force.
type MaritalStatus string

const (
	Single   MaritalStatus = "single"
	Married  MaritalStatus = "married"
	Divorced MaritalStatus = "divorced"
	Widowed  MaritalStatus = "widowed"
)

// Citizen is a person's record as of a date and as known at an instant.
type Citizen struct {
	Key PersonKey  `json:"-"`
	PID pid.Number `json:"pid"`
	// PIDIssuedOn is the civil date the current number was issued; the
	// number's place code is from the code list in force on that date.
	PIDIssuedOn         civil.Date      `json:"pid_issued_on"`
	RetiredPIDs         []RetiredNumber `json:"retired_pids,omitempty"`
	FullName            string          `json:"full_name"`
	OtherNames          []string        `json:"other_names,omitempty"`
	FormerNames         []string        `json:"former_names,omitempty"`
	BirthDate           civil.Date      `json:"birth_date"`
	Sex                 Sex             `json:"sex"`
	BirthPlace          string          `json:"birth_place,omitempty"`
	BirthCountry        string          `json:"birth_country,omitempty"`
	RegistrationPlace   string          `json:"registration_place,omitempty"`
	RegistrationCountry string          `json:"registration_country,omitempty"`
	HomeTown            string          `json:"home_town,omitempty"`
	Ethnicity           string          `json:"ethnicity,omitempty"`
	Religion            string          `json:"religion,omitempty"`
	Nationality         string          `json:"nationality,omitempty"`
	Mother              PersonKey       `json:"mother_key,omitempty"`
	Father              PersonKey       `json:"father_key,omitempty"`
	Marriages           []Marriage      `json:"marriages,omitempty"`
	LegacyIDs           []LegacyID      `json:"legacy_ids,omitempty"`
	Phones              []Phone         `json:"phones,omitempty"`
	Status              Status          `json:"status"`
	DeathDate           civil.Date      `json:"death_date,omitzero"`
	DeathPlace          string          `json:"death_place,omitempty"`
	MissingSince        civil.Date      `json:"missing_since,omitzero"`
	Residences          []Residence     `json:"residences,omitempty"`
	Absences            []Absence       `json:"absences,omitempty"`
	// MergedInto is the record this one was merged into as a duplicate:
	// its number resolves there. Merged are the duplicates merged into
	// this record, whose histories its reads include.
	MergedInto PersonKey   `json:"merged_into_key,omitempty"`
	Merged     []PersonKey `json:"merged_keys,omitempty"`
	// LastEventID is the last event applied.
	LastEventID string `json:"last_event_id"`
	// Version counts the events that changed this record. It is what ETag
	// and If-Match compare.
	Version int64 `json:"version"`
}

// ExaminedRecord is the part of a stored record ExamineKeys reads: what a
// verification compares and what says whose unit the person is in. A
// verification job reads millions of records, and decoding the rest of
// each (family, history, origins) was a sixth of its time. A test holds
// each of these to the record's own field of the same name.
type ExaminedRecord struct {
	PID               pid.Number  `json:"pid"`
	FullName          string      `json:"full_name"`
	BirthDate         civil.Date  `json:"birth_date"`
	Sex               Sex         `json:"sex"`
	RegistrationPlace string      `json:"registration_place,omitempty"`
	LegacyIDs         []LegacyID  `json:"legacy_ids,omitempty"`
	Phones            []Phone     `json:"phones,omitempty"`
	Status            Status      `json:"status"`
	DeathDate         civil.Date  `json:"death_date,omitzero"`
	Residences        []Residence `json:"residences,omitempty"`
	MergedInto        PersonKey   `json:"merged_into_key,omitempty"`
}

// Citizen is the record with only the examined part filled in.
func (r *ExaminedRecord) Citizen(key PersonKey) *Citizen {
	return &Citizen{Key: key, PID: r.PID, FullName: r.FullName, BirthDate: r.BirthDate, Sex: r.Sex, RegistrationPlace: r.RegistrationPlace,
		LegacyIDs: r.LegacyIDs, Phones: r.Phones, Status: r.Status, DeathDate: r.DeathDate, Residences: r.Residences, MergedInto: r.MergedInto}
}

// Exists reports whether the record has a birth event applied.
func (c *Citizen) Exists() bool { return c.PID != "" }

// Spouse returns the spouse in force, or 0.
func (c *Citizen) Spouse() PersonKey {
	if n := len(c.Marriages); n > 0 && c.Marriages[n-1].Ended.IsZero() {
		return c.Marriages[n-1].Spouse
	}
	return 0
}

// MaritalStatus derives the marital status from the marriage history.
func (c *Citizen) MaritalStatus() MaritalStatus {
	n := len(c.Marriages)
	switch {
	case n == 0:
		return Single
	case c.Marriages[n-1].Ended.IsZero():
		return Married
	case c.Marriages[n-1].EndReason == "death":
		return Widowed
	}
	return Divorced
}

// Residence returns the period of the given kind in force on day, if any.
func (c *Citizen) Residence(kind ResidenceKind, day civil.Date) (Residence, bool) {
	for i := len(c.Residences) - 1; i >= 0; i-- {
		r := c.Residences[i]
		if r.Kind == kind && r.InForce(day) {
			return r, true
		}
	}
	return Residence{}, false
}

// openResidence returns the index of the open period of a kind (not ended
// by an event; a temporary one may still be past its end date), or -1.
func (c *Citizen) openResidence(kind ResidenceKind) int {
	for i := len(c.Residences) - 1; i >= 0; i-- {
		if c.Residences[i].Kind == kind && c.Residences[i].Ended.IsZero() {
			return i
		}
	}
	return -1
}

// Households returns the households the person belongs to on day.
func (c *Citizen) Households(day civil.Date) []Residence {
	var out []Residence
	for _, r := range c.Residences {
		if r.HouseholdID != "" && r.InForce(day) {
			out = append(out, r)
		}
	}
	return out
}

// Household is a household (hộ gia đình): people registered at one address
// under a head, replacing the paper household book.
type Household struct {
	ID      string        `json:"id"`
	Kind    ResidenceKind `json:"kind"` // permanent or temporary
	Place   string        `json:"place"`
	Address string        `json:"address"`
	Created civil.Date    `json:"created"`
	// Members holds the members in force on the date asked for.
	Members []Member `json:"members"`
}

// Member is one person's membership of a household.
type Member struct {
	Key      PersonKey  `json:"-"`
	Relation Relation   `json:"relation"`
	From     civil.Date `json:"from"`
	Ended    civil.Date `json:"ended,omitzero"`
}

// Head returns the head of household, or 0 when the household has none (its
// head died or left and no new head has been registered).
func (h *Household) Head() PersonKey {
	for _, m := range h.Members {
		if m.Relation == RelationHead {
			return m.Key
		}
	}
	return 0
}

// Alias is one number that resolves to a person.
type Alias struct {
	Number    string
	Person    PersonKey
	Kind      AliasKind
	ValidFrom civil.Date
	ValidTo   civil.Date
	EventID   string
}

// AliasKind says what sort of number an alias is.
type AliasKind string

const (
	AliasPID     AliasKind = "pid"     // the personal ID number in use
	AliasLegacy  AliasKind = "legacy"  // an old identity-card number
	AliasRetired AliasKind = "retired" // a number replaced by a correction or merge
)
