package exchange

import (
	"context"
	"math"
	"slices"
	"strings"

	"dancu/internal/civil"
	"dancu/internal/eid"
	"dancu/internal/errs"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// Verification answers, per attribute the caller holds, whether the
// registry agrees: the caller learns which attributes failed, never the
// registry's values nor why they differ. Requests and answers follow the
// CAMARA KYC Match API (attribute names, "true" / "false" /
// "not_available", a score for a name that did not match) so a telco's
// client needs little change; dancu adds the legacy number, the kind of a
// name match, and a result for the whole request.

// VerifyRequest holds the attributes a caller wants checked. IDDocument
// (a personal ID number or a legacy number) names the person.
type VerifyRequest struct {
	IDDocument  string `json:"idDocument"`
	LegacyID    string `json:"legacyIdDocument,omitempty"`
	Name        string `json:"name,omitempty"`
	GivenName   string `json:"givenName,omitempty"`
	FamilyName  string `json:"familyName,omitempty"`
	Birthdate   string `json:"birthdate,omitempty"`
	Gender      string `json:"gender,omitempty"`
	Address     string `json:"address,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// Match is one attribute's answer.
type Match string

const (
	MatchTrue         Match = "true"
	MatchFalse        Match = "false"
	MatchNotAvailable Match = "not_available"
)

// VerifyResult is the answer: one member per attribute sent.
type VerifyResult struct {
	// Result sums up: "match" (every attribute sent matched),
	// "mismatch", or "not_found" (no person has the number).
	Result               string `json:"result"`
	IDDocumentMatch      Match  `json:"idDocumentMatch"`
	LegacyIDMatch        Match  `json:"legacyIdDocumentMatch,omitempty"`
	NameMatch            Match  `json:"nameMatch,omitempty"`
	NameMatchKind        string `json:"nameMatchKind,omitempty"` // exact, folded, fuzzy
	NameMatchScore       *int   `json:"nameMatchScore,omitempty"`
	GivenNameMatch       Match  `json:"givenNameMatch,omitempty"`
	GivenNameMatchScore  *int   `json:"givenNameMatchScore,omitempty"`
	FamilyNameMatch      Match  `json:"familyNameMatch,omitempty"`
	FamilyNameMatchScore *int   `json:"familyNameMatchScore,omitempty"`
	BirthdateMatch       Match  `json:"birthdateMatch,omitempty"`
	GenderMatch          Match  `json:"genderMatch,omitempty"`
	AddressMatch         Match  `json:"addressMatch,omitempty"`
	PhoneNumberMatch     Match  `json:"phoneNumberMatch,omitempty"`
}

// fields returns the registry fields the request compares, which the
// grant must cover.
func (r VerifyRequest) fields() []string {
	fs := make([]string, 1, 8)
	fs[0] = FieldPID
	add := func(v, f string) {
		if strings.TrimSpace(v) != "" && !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	add(r.LegacyID, FieldLegacyIDs)
	add(r.Name, FieldFullName)
	add(r.GivenName, FieldFullName)
	add(r.FamilyName, FieldFullName)
	add(r.Birthdate, FieldBirthDate)
	add(r.Gender, FieldSex)
	add(r.Address, FieldPermanentAddress)
	add(r.Address, FieldCurrentAddress)
	add(r.PhoneNumber, FieldPhones)
	return fs
}

// trimmed drops the spaces around every attribute: an attribute of
// spaces only is not sent.
func (r VerifyRequest) trimmed() VerifyRequest {
	for _, p := range []*string{&r.IDDocument, &r.LegacyID, &r.Name, &r.GivenName, &r.FamilyName, &r.Birthdate, &r.Gender, &r.Address, &r.PhoneNumber} {
		*p = strings.TrimSpace(*p)
	}
	return r
}

// check refuses malformed attributes, naming each.
func (r VerifyRequest) check() error {
	var fs errs.Fields
	if strings.TrimSpace(r.IDDocument) == "" {
		fs.Add("idDocument", "required", "idDocument, the personal ID number or a legacy number, names the person to verify")
	}
	for _, a := range [...]struct{ name, v string }{{"name", r.Name}, {"givenName", r.GivenName}, {"familyName", r.FamilyName}, {"address", r.Address}} {
		name, v := a.name, a.v
		if len(v) > 300 || strings.ContainsFunc(v, func(c rune) bool { return c < 0x20 }) {
			fs.Add(name, "format", "%s is printable text of at most 300 bytes", name)
		}
	}
	if r.Birthdate != "" {
		if _, err := civil.ParseDate(r.Birthdate); err != nil {
			fs.Add("birthdate", "format", "birthdate is YYYY-MM-DD (or YYYY-MM, YYYY)")
		}
	}
	if r.Gender != "" && !slices.Contains([]string{"MALE", "FEMALE", "OTHER"}, strings.ToUpper(r.Gender)) {
		fs.Add("gender", "format", "gender is MALE, FEMALE or OTHER")
	}
	if r.PhoneNumber != "" {
		if _, ok := eid.NormalizePhone(r.PhoneNumber); !ok {
			fs.Add("phoneNumber", "format", "phoneNumber is a Vietnamese mobile number, +84 or 0 followed by nine digits")
		}
	}
	return fs.Err()
}

// Verify checks the attributes a caller holds against the registry.
func (s *Service) Verify(ctx context.Context, c Caller, purpose string, req VerifyRequest) (*VerifyResult, error) {
	req = req.trimmed()
	au, err := s.authorise(ctx, c, Request{Operation: OpVerify, Purpose: purpose, Fields: req.fields()})
	if err != nil {
		return nil, err
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	var res *VerifyResult
	_, err = s.examine(ctx, au, OpVerify, strings.TrimSpace(req.IDDocument), req.fields(), func(p *registry.Citizen) (map[string]any, string) {
		res = s.match(p, req)
		return nil, res.Result
	})
	if errs.Is(err, errs.NotFound) {
		return notFound(req), nil
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// notFound answers for a number no person has: nothing else can be
// compared.
func notFound(req VerifyRequest) *VerifyResult {
	res := &VerifyResult{Result: "not_found", IDDocumentMatch: MatchFalse}
	na := func(v string) Match {
		if strings.TrimSpace(v) == "" {
			return ""
		}
		return MatchNotAvailable
	}
	res.LegacyIDMatch, res.NameMatch, res.GivenNameMatch, res.FamilyNameMatch = na(req.LegacyID), na(req.Name), na(req.GivenName), na(req.FamilyName)
	res.BirthdateMatch, res.GenderMatch, res.AddressMatch, res.PhoneNumberMatch = na(req.Birthdate), na(req.Gender), na(req.Address), na(req.PhoneNumber)
	return res
}

// match compares the attributes with a record.
func (s *Service) match(p *registry.Citizen, req VerifyRequest) *VerifyResult {
	res := &VerifyResult{IDDocumentMatch: MatchTrue}
	if v := strings.TrimSpace(req.LegacyID); v != "" {
		res.LegacyIDMatch = boolMatch(slices.ContainsFunc(p.LegacyIDs, func(l registry.LegacyID) bool { return l.Number == v }))
		if len(p.LegacyIDs) == 0 {
			res.LegacyIDMatch = MatchNotAvailable
		}
	}
	if req.Name != "" {
		res.NameMatch, res.NameMatchKind, res.NameMatchScore = matchName(req.Name, p.FullName)
	}
	var tokens []string
	if req.FamilyName != "" || req.GivenName != "" {
		tokens = vntext.Tokens(p.FullName)
	}
	if req.FamilyName != "" && len(tokens) > 0 {
		res.FamilyNameMatch, _, res.FamilyNameMatchScore = matchName(req.FamilyName, tokens[0])
	}
	if req.GivenName != "" && len(tokens) > 1 {
		// A given name may be sent with the middle names or without.
		m, _, score := matchName(req.GivenName, strings.Join(tokens[1:], " "))
		if m != MatchTrue {
			if m2, _, score2 := matchName(req.GivenName, tokens[len(tokens)-1]); m2 == MatchTrue || *score2 > *score {
				m, score = m2, score2
			}
		}
		res.GivenNameMatch, res.GivenNameMatchScore = m, score
	}
	if req.Birthdate != "" {
		d, _ := civil.ParseDate(req.Birthdate)
		switch {
		case p.BirthDate.IsZero():
			res.BirthdateMatch = MatchNotAvailable
		default:
			// The registry may know only the year or the month: a date
			// within it agrees with what is on record.
			res.BirthdateMatch = boolMatch(p.BirthDate.Contains(d.First()) && p.BirthDate.Contains(d.Last()))
		}
	}
	if req.Gender != "" {
		res.GenderMatch = boolMatch(strings.EqualFold(req.Gender, string(p.Sex)))
	}
	if req.Address != "" {
		res.AddressMatch = s.matchAddress(p, req.Address)
	}
	if req.PhoneNumber != "" {
		n, _ := eid.NormalizePhone(req.PhoneNumber)
		switch {
		case len(p.Phones) == 0:
			res.PhoneNumberMatch = MatchNotAvailable
		default:
			res.PhoneNumberMatch = boolMatch(slices.ContainsFunc(p.Phones, func(ph registry.Phone) bool { return ph.Number == n }))
		}
	}
	res.Result = "match"
	for _, m := range []Match{res.LegacyIDMatch, res.NameMatch, res.GivenNameMatch, res.FamilyNameMatch, res.BirthdateMatch, res.GenderMatch, res.AddressMatch, res.PhoneNumberMatch} {
		if m == MatchFalse {
			res.Result = "mismatch"
		}
	}
	return res
}

func boolMatch(ok bool) Match {
	if ok {
		return MatchTrue
	}
	return MatchFalse
}

// matchName compares a name sent with the one on record: exact (the same
// words in the same order, case, tone placement, Unicode form and spacing
// aside), folded (each word the same, or written without diacritics, in
// any order: "Nguyen Van An", "Văn An Nguyễn"), or else no match with a
// score out of 100 (CAMARA gives the score only when the name did not
// match). A word written with other diacritics ("Ân" for "An") is another
// name, not a folded spelling.
func matchName(sent, stored string) (Match, string, *int) {
	if sent == stored && strings.TrimSpace(sent) != "" {
		return MatchTrue, "exact", nil // most names sent are the registry's
	}
	a, b := words(sent), words(stored)
	if len(a) > 0 && slices.Equal(a, b) {
		return MatchTrue, "exact", nil
	}
	if len(a) > 0 && len(a) == len(b) {
		used := make([]bool, len(b))
		all := true
		for _, w := range a {
			found := false
			for j, v := range b {
				if !used[j] && (w == v || (!hasMarks(w) && vntext.Fold(w) == vntext.Fold(v))) {
					used[j], found = true, true
					break
				}
			}
			if !found {
				all = false
				break
			}
		}
		if all {
			return MatchTrue, "folded", nil
		}
	}
	score := int(math.Round(100 * vntext.Similarity(sent, stored)))
	return MatchFalse, "fuzzy", &score
}

// words are a name's words in canonical spelling (NFC, standard tone
// placement), lower case.
func words(name string) []string {
	return strings.Fields(strings.ToLower(vntext.Canonical(name)))
}

// hasMarks reports whether a word carries diacritics (đ included).
func hasMarks(w string) bool {
	for _, r := range w {
		if r > 0x7f {
			return true
		}
	}
	return false
}

// matchAddress agrees when the address sent names the street address of
// a residence in force (folded, as words).
func (s *Service) matchAddress(p *registry.Citizen, sent string) Match {
	today := civil.DateOf(s.now())
	words := vntext.Tokens(vntext.Fold(sent))
	available := false
	for _, kind := range []registry.ResidenceKind{registry.Permanent, registry.Temporary, registry.Current} {
		r, ok := p.Residence(kind, today)
		if !ok || r.Address == "" {
			continue
		}
		available = true
		stored := vntext.Tokens(vntext.Fold(r.Address))
		if len(stored) > 0 && containsAll(words, stored) {
			return MatchTrue
		}
	}
	if !available {
		return MatchNotAvailable
	}
	return MatchFalse
}

// containsAll reports whether every word of want is in have.
func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
