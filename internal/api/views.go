package api

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"dancu/internal/catalog"
	"dancu/internal/civil"
	"dancu/internal/place"
	"dancu/internal/registry"
)

// CitizenJSON is a citizen as the API shows it. Request and response use the
// same field names. Internal keys never appear: people are named by their
// personal ID numbers.
type CitizenJSON struct {
	PID                 string            `json:"pid"`
	PIDIssuedOn         string            `json:"pid_issued_on"`
	RetiredPIDs         []RetiredPIDJSON  `json:"retired_pids"`
	LegacyIDs           []LegacyIDJSON    `json:"legacy_ids"`
	FullName            string            `json:"full_name"`
	OtherNames          []string          `json:"other_names"`
	FormerNames         []string          `json:"former_names"`
	BirthDate           string            `json:"birth_date"`
	Sex                 string            `json:"sex"`
	BirthPlace          string            `json:"birth_place,omitempty"`
	BirthPlaceName      string            `json:"birth_place_name,omitempty"`
	BirthCountry        string            `json:"birth_country,omitempty"`
	RegistrationPlace   string            `json:"registration_place,omitempty"`
	RegistrationName    string            `json:"registration_place_name,omitempty"`
	RegistrationCountry string            `json:"registration_country,omitempty"`
	HomeTown            string            `json:"home_town,omitempty"`
	HomeTownName        string            `json:"home_town_name,omitempty"`
	Ethnicity           string            `json:"ethnicity,omitempty"`
	EthnicityName       string            `json:"ethnicity_name,omitempty"`
	Religion            string            `json:"religion,omitempty"`
	ReligionName        string            `json:"religion_name,omitempty"`
	Nationality         string            `json:"nationality,omitempty"`
	MotherPID           string            `json:"mother_pid,omitempty"`
	FatherPID           string            `json:"father_pid,omitempty"`
	SpousePID           string            `json:"spouse_pid,omitempty"`
	MaritalStatus       string            `json:"marital_status"`
	Phones              []PhoneJSON       `json:"phones"`
	Status              string            `json:"status"`
	DeathDate           string            `json:"death_date,omitempty"`
	DeathPlace          string            `json:"death_place,omitempty"`
	MissingSince        string            `json:"missing_since,omitempty"`
	PermanentResidence  *ResidenceJSON    `json:"permanent_residence"`
	TemporaryResidence  *ResidenceJSON    `json:"temporary_residence"`
	CurrentResidence    *ResidenceJSON    `json:"current_residence"`
	TemporaryAbsence    *AbsenceJSON      `json:"temporary_absence"`
	ResidenceHistory    []ResidenceJSON   `json:"residence_history"`
	AbsenceHistory      []AbsenceJSON     `json:"absence_history"`
	AsOf                string            `json:"as_of"`
	KnownAt             string            `json:"known_at,omitempty"`
	Version             int64             `json:"version"`
	Links               map[string]string `json:"links"`
}

// RetiredPIDJSON is a number replaced by a correction.
type RetiredPIDJSON struct {
	Number  string `json:"number"`
	Retired string `json:"retired"`
	EventID string `json:"event_id"`
}

// LegacyIDJSON is an old identity-card number.
type LegacyIDJSON struct {
	Number   string `json:"number"`
	IssuedOn string `json:"issued_on,omitempty"`
}

// PhoneJSON is a phone number with its source.
type PhoneJSON struct {
	Number string `json:"number"`
	Source string `json:"source"`
	Since  string `json:"since"`
}

// ResidenceJSON is one residence period.
type ResidenceJSON struct {
	Kind         string   `json:"kind"`
	Place        string   `json:"place"`
	PlaceName    string   `json:"place_name"`
	CurrentPlace []string `json:"current_place"`
	Address      string   `json:"address,omitempty"`
	HouseholdID  string   `json:"household_id,omitempty"`
	Relation     string   `json:"relation,omitempty"`
	From         string   `json:"from"`
	Until        string   `json:"until,omitempty"`
	Ended        string   `json:"ended,omitempty"`
	EventID      string   `json:"event_id"`
}

// AbsenceJSON is a temporary absence.
type AbsenceJSON struct {
	From        string `json:"from"`
	Until       string `json:"until"`
	Destination string `json:"destination,omitempty"`
	Ended       string `json:"ended,omitempty"`
	EventID     string `json:"event_id"`
}

// citizenFields are the fields a full citizen response shows; they are
// what the access log records.
var citizenFields = jsonFields(reflect.TypeFor[CitizenJSON]())

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && name != "links" && name != "version" && name != "as_of" && name != "known_at" {
			out = append(out, name)
		}
	}
	return out
}

// placeName is "commune, district, province" as the unit was named then.
func placeName(places *place.Catalogue, code string, on civil.Date) string {
	if code == "" {
		return ""
	}
	u, err := places.Lookup(code, on)
	if err != nil {
		return ""
	}
	parts := []string{u.Name}
	if u.DistrictCode != "" && u.Level == place.LevelCommune {
		if d, err := places.Lookup(u.DistrictCode, on); err == nil {
			parts = append(parts, d.Name)
		}
	}
	if u.Level != place.LevelProvince {
		parts = append(parts, places.Province(u).Name)
	}
	return strings.Join(parts, ", ")
}

func currentCodes(places *place.Catalogue, code string, on civil.Date) []string {
	cs, err := places.CurrentCommunes(code, on)
	if err != nil {
		return []string{}
	}
	out := make([]string, 0, len(cs))
	for _, u := range cs {
		out = append(out, u.Code)
	}
	return out
}

func (s *Server) residenceJSON(r registry.Residence) ResidenceJSON {
	return ResidenceJSON{
		Kind: string(r.Kind), Place: r.Place, PlaceName: placeName(s.places, r.Place, r.From.First()),
		CurrentPlace: currentCodes(s.places, r.Place, r.From.First()),
		Address:      r.Address, HouseholdID: r.HouseholdID, Relation: string(r.Relation),
		From: r.From.String(), Until: r.Until.String(), Ended: r.Ended.String(), EventID: r.EventID,
	}
}

// citizenJSON renders a record as of day.
func (s *Server) citizenJSON(c *registry.Citizen, pids map[registry.PersonKey]string, day civil.Date, knownAt time.Time) CitizenJSON {
	on := c.BirthDate.First()
	out := CitizenJSON{
		PID: string(c.PID), PIDIssuedOn: c.PIDIssuedOn.String(),
		RetiredPIDs: []RetiredPIDJSON{}, LegacyIDs: []LegacyIDJSON{},
		FullName: c.FullName, OtherNames: nonNil(c.OtherNames), FormerNames: nonNil(c.FormerNames),
		BirthDate: c.BirthDate.String(), Sex: string(c.Sex),
		BirthPlace: c.BirthPlace, BirthPlaceName: placeName(s.places, c.BirthPlace, on), BirthCountry: c.BirthCountry,
		RegistrationPlace: c.RegistrationPlace, RegistrationName: placeName(s.places, c.RegistrationPlace, on),
		RegistrationCountry: c.RegistrationCountry,
		HomeTown:            c.HomeTown, HomeTownName: placeName(s.places, c.HomeTown, on),
		Ethnicity: c.Ethnicity, Religion: c.Religion, Nationality: c.Nationality,
		MotherPID: pids[c.Mother], FatherPID: pids[c.Father], SpousePID: pids[c.Spouse()],
		MaritalStatus: string(c.MaritalStatus()), Phones: []PhoneJSON{},
		Status: string(c.Status), DeathDate: c.DeathDate.String(), DeathPlace: c.DeathPlace, MissingSince: c.MissingSince.String(),
		ResidenceHistory: []ResidenceJSON{}, AbsenceHistory: []AbsenceJSON{},
		AsOf: day.String(), Version: c.Version,
		Links: map[string]string{
			"self":   "/api/v1/citizens/" + string(c.PID),
			"events": "/api/v1/citizens/" + string(c.PID) + "/events",
		},
	}
	if !knownAt.IsZero() {
		out.KnownAt = knownAt.UTC().Format(time.RFC3339Nano)
	}
	if e, ok := catalog.EthnicityByCode(c.Ethnicity); ok {
		out.EthnicityName = e.Name
	}
	if r, ok := catalog.ReligionByCode(c.Religion); ok {
		out.ReligionName = r.Name
	}
	for _, r := range c.RetiredPIDs {
		out.RetiredPIDs = append(out.RetiredPIDs, RetiredPIDJSON{Number: string(r.Number), Retired: r.Retired.String(), EventID: r.EventID})
	}
	for _, l := range c.LegacyIDs {
		out.LegacyIDs = append(out.LegacyIDs, LegacyIDJSON{Number: l.Number, IssuedOn: l.IssuedOn.String()})
	}
	for _, p := range c.Phones {
		out.Phones = append(out.Phones, PhoneJSON{Number: p.Number, Source: string(p.Source), Since: p.Since.String()})
	}
	for kind, dst := range map[registry.ResidenceKind]**ResidenceJSON{
		registry.Permanent: &out.PermanentResidence, registry.Temporary: &out.TemporaryResidence, registry.Current: &out.CurrentResidence,
	} {
		if r, ok := c.Residence(kind, day); ok {
			j := s.residenceJSON(r)
			*dst = &j
		}
	}
	for _, a := range c.Absences {
		j := AbsenceJSON{From: a.From.String(), Until: a.Until.String(), Destination: a.Destination, Ended: a.Ended.String(), EventID: a.EventID}
		if a.InForce(day) {
			out.TemporaryAbsence = &j
		}
		out.AbsenceHistory = append(out.AbsenceHistory, j)
	}
	for _, r := range c.Residences {
		out.ResidenceHistory = append(out.ResidenceHistory, s.residenceJSON(r))
	}
	if h := firstHousehold(c, day); h != "" {
		out.Links["household"] = "/api/v1/households/" + h
	}
	return out
}

func firstHousehold(c *registry.Citizen, day civil.Date) string {
	for _, r := range c.Households(day) {
		if r.Kind == registry.Permanent {
			return r.HouseholdID
		}
	}
	return ""
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// LimitedCitizenJSON is a search match outside the officer's unit.
type LimitedCitizenJSON struct {
	PID       string `json:"pid"`
	FullName  string `json:"full_name"`
	BirthDate string `json:"birth_date"`
	Sex       string `json:"sex"`
	Status    string `json:"status"`
	Limited   bool   `json:"limited"`
}

// EventJSON is an event as the API shows it.
type EventJSON struct {
	ID            string         `json:"id"`
	Type          string         `json:"type"`
	TypeName      string         `json:"type_name"`
	PID           string         `json:"pid"`
	Parties       []string       `json:"parties"`
	EffectiveDate string         `json:"effective_date"`
	RecordedAt    string         `json:"recorded_at"`
	Officer       string         `json:"officer"`
	LegalBasis    string         `json:"legal_basis"`
	Reason        string         `json:"reason,omitempty"`
	Details       map[string]any `json:"details"`
}

// partyDetails are the details shown of an event in the history of a party
// other than its subject: how it concerns the party, and nothing else of the
// subject's record (a moving head's new address, a spouse's place of death),
// which the reader may have no authority over and which the access log
// records only for the party.
var partyDetails = map[string]bool{"spouse_pid": true, "new_head_pid": true, "from_household_id": true}

// eventJSON renders an event as seen in the history of viewer, a record
// together with the duplicates merged into it.
func eventJSON(e *registry.Event, pids map[registry.PersonKey]string, viewer *registry.Citizen) EventJSON {
	out := eventDetails(e, pids)
	if e.Subject != viewer.Key && !slices.Contains(viewer.Merged, e.Subject) {
		maps.DeleteFunc(out.Details, func(k string, _ any) bool { return !partyDetails[k] })
	}
	return out
}

func eventDetails(e *registry.Event, pids map[registry.PersonKey]string) EventJSON {
	out := EventJSON{
		ID: e.ID, Type: string(e.Type), TypeName: registry.EventTypes[e.Type], PID: pids[e.Subject], Parties: []string{},
		EffectiveDate: e.Effective.String(), RecordedAt: e.RecordedAt.UTC().Format(time.RFC3339Nano),
		Officer: e.Officer, LegalBasis: e.LegalBasis, Reason: e.Reason, Details: map[string]any{},
	}
	for _, p := range e.Parties {
		out.Parties = append(out.Parties, pids[p])
	}
	d := e.Data
	set := func(k string, v string) {
		if v != "" {
			out.Details[k] = v
		}
	}
	set("pid", string(d.PID))
	set("retired_pid", string(d.RetiredPID))
	set("full_name", d.FullName)
	if d.OtherNames != nil {
		out.Details["other_names"] = d.OtherNames
	}
	set("birth_date", d.BirthDate.String())
	set("sex", string(d.Sex))
	set("birth_place", d.BirthPlace)
	set("birth_country", d.BirthCountry)
	set("registration_place", d.RegistrationPlace)
	set("registration_country", d.RegistrationCountry)
	set("home_town", d.HomeTown)
	set("ethnicity", d.Ethnicity)
	set("religion", d.Religion)
	set("nationality", d.Nationality)
	set("mother_pid", pids[d.Mother])
	set("father_pid", pids[d.Father])
	set("place", d.Place)
	set("address", d.Address)
	set("household_id", d.HouseholdID)
	if d.NewHousehold {
		out.Details["new_household"] = true
	}
	set("relation", string(d.Relation))
	set("until", d.Until.String())
	set("new_head_pid", pids[d.NewHead])
	set("from_household_id", d.FromHousehold)
	set("destination", d.Destination)
	set("spouse_pid", pids[d.Spouse])
	set("death_place", d.DeathPlace)
	set("phone", d.Phone)
	set("phone_source", string(d.PhoneSource))
	if d.Remove {
		out.Details["remove"] = true
	}
	set("legacy_id", d.LegacyID)
	set("legacy_issued_on", d.LegacyIssuedOn.String())
	set("merged_pid", pids[d.Merged])
	set("survivor_pid", pids[d.Survivor])
	set("merge_request", d.MergeRequest)
	return out
}
