package dedup

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"dancu/internal/civil"
	"dancu/internal/vntext"
)

// Weights of the evidence other than names and dates (log-odds). Names
// weigh their rarity (nameRarity, 5 to 12); dates are in dates.go.
const (
	// Name imperfections, subtracted from the name's rarity.
	wOrderRotated   = -1.0 // given name first, or surname last
	wOrderShuffled  = -1.5
	wSpacing        = -0.5
	wKeyboard       = -0.5 // Telex/VNI remnants, doubled letters
	wSurnameVariant = -0.7 // Huỳnh/Hoàng, Võ/Vũ
	wVariant        = -0.7 // Vy/Vi and the like
	wSurnameTypo    = -2.0
	wGivenTypo      = -2.5
	wMiddleTypo     = -1.5
	wMiddleWeak     = -0.5 // Thị or Văn missing
	wMiddleMissing  = -1.2 // another middle name missing
	// Name conflicts.
	wDiffGiven   = -3.0 // replaces the rarity
	wDiffMiddle  = -7.0 // added to the rarity
	wDiffSurname = -8.0 // added to the rarity

	wBirthPlaceSame          = 5.5
	wBirthPlaceRecoded       = 5.0
	wBirthPlaceSameProvince  = -0.5
	wBirthPlaceOtherProvince = -3.0
	wBirthPlaceUnknown       = -1.0 // different codes outside the catalogue
	wCommuneSame             = 1.0
	wCommuneRecoded          = 0.8
	wProvinceSame            = 0.3
	wProvinceDiffers         = -0.3

	wParentKey         = 5.0
	wParentKeyDiffers  = -7.0
	wParentName        = 3.5
	wParentNameSimilar = 2.0
	wParentNameDiffers = -6.0
	wLegacyIDShared    = 8.0
	wLegacyIDsDisjoint = -1.0
	wSexDiffersExcused = -1.0
)

// Caps on the score set by the rules of the package documentation.
var (
	capTwins         = logit(0.02)
	capPossibleTwins = logit(0.70)
	capParentChild   = logit(0.01)
	capDifferentSex  = logit(0.05)
)

// reason is a Reason whose detail may not have been built.
type reason struct {
	code   string
	weight float64
	detail string
}

// scorer scores pairs, keeping the reasons of the last one. Its zero value
// is ready; with explain set it also writes the details.
type scorer struct {
	explain bool
	n       int
	reasons [40]reason
	total   float64
}

func (s *scorer) add(code string, w float64, detail string) {
	if s.n < len(s.reasons) {
		s.reasons[s.n] = reason{code, w, detail}
		s.n++
	}
	s.total += w
}

// limit caps the log-odds at c, recording the cut as a reason.
func (s *scorer) limit(code string, c float64, detail string) {
	if s.total > c {
		s.add(code, c-s.total, detail)
		s.total = c // exact, whatever the rounding of the addition
	} else if s.explain {
		s.add(code, 0, detail)
	}
}

func (s *scorer) result() []Reason {
	out := make([]Reason, s.n)
	for i, r := range s.reasons[:s.n] {
		out[i] = Reason{Code: r.code, Detail: r.detail, Weight: r.weight}
	}
	return out
}

// prep is a record with its names parsed.
type prep struct {
	r              *Record
	name           pname
	mother, father pname
	parents        bool // mother and father parsed
	motherFold     string
	fatherFold     string
}

// init prepares r; the folds may be passed when known, or "".
func (p *prep) init(r *Record, nameFold, motherFold, fatherFold string) {
	p.r = r
	p.name.parse(r.FullName, nameFold)
	p.parents = false
	p.motherFold, p.fatherFold = motherFold, fatherFold
}

func (p *prep) parseParents() {
	if !p.parents {
		p.mother.parse(p.r.MotherName, p.motherFold)
		p.father.parse(p.r.FatherName, p.fatherFold)
		p.parents = true
	}
}

// Compare scores the pair a, b. It is symmetric: Compare(b, a) has the same
// score and reasons, with A and B exchanged.
func Compare(a, b *Record) Candidate {
	x, y := a, b
	if recordLess(b, a) {
		x, y = b, a
	}
	var px, py prep
	px.init(x, "", "", "")
	py.init(y, "", "", "")
	s := scorer{explain: true}
	score := s.score(&px, &py)
	return Candidate{A: refOf(a), B: refOf(b), Score: score, Duplicate: score >= Threshold, Reasons: s.result()}
}

// recordLess orders records on every field, so that Compare can put a pair
// in one order whichever way it is given.
func recordLess(a, b *Record) bool {
	if c := cmp.Or(
		cmp.Compare(a.Key, b.Key),
		strings.Compare(a.PID, b.PID),
		strings.Compare(a.FullName, b.FullName),
		civil.Compare(a.BirthDate, b.BirthDate),
		cmp.Compare(a.BirthDate.Precision(), b.BirthDate.Precision()),
		strings.Compare(a.Sex, b.Sex),
		strings.Compare(a.BirthPlace, b.BirthPlace),
		strings.Compare(a.Province, b.Province),
		strings.Compare(a.Commune, b.Commune),
		strings.Compare(a.MotherName, b.MotherName),
		strings.Compare(a.FatherName, b.FatherName),
		cmp.Compare(a.MotherKey, b.MotherKey),
		cmp.Compare(a.FatherKey, b.FatherKey),
		slices.Compare(a.LegacyIDs, b.LegacyIDs),
		strings.Compare(a.HomeTown, b.HomeTown),
		slices.CompareFunc(a.Addresses, b.Addresses, func(x, y Address) int {
			return cmp.Or(strings.Compare(x.Place, y.Place), strings.Compare(x.Text, y.Text))
		}),
		slices.Compare(a.Phones, b.Phones),
	); c != 0 {
		return c < 0
	}
	return !a.Dead && b.Dead
}

func pair(a, b string) string { return a + " / " + b }

// score scores x and y and returns the probability that they are one
// person; the reasons are left in s.
func (s *scorer) score(x, y *prep) float64 {
	s.n, s.total = 0, Base
	a, b := x.r, y.r
	ex := s.explain

	nm := compareNames(&x.name, &y.name)
	s.nameEvidence(x, y, &nm)

	dc := compareDates(a.BirthDate, b.BirthDate)
	if dc.code != "" {
		d := ""
		if ex {
			d = pair(a.BirthDate.String(), b.BirthDate.String())
		}
		s.add(dc.code, dc.weight, d)
	}

	ix := placeIdx()
	s.placeEvidence(ix, a, b, nm.kind == nameMatch)

	shared, conflict := s.parentEvidence(x, y)

	sharedID := false
	if len(a.LegacyIDs) > 0 && len(b.LegacyIDs) > 0 {
		for _, id := range a.LegacyIDs {
			if id != "" && slices.Contains(b.LegacyIDs, id) {
				sharedID = true
				s.add("same_legacy_id", wLegacyIDShared, id)
				break
			}
		}
		if !sharedID {
			d := ""
			if ex {
				d = pair(strings.Join(a.LegacyIDs, ","), strings.Join(b.LegacyIDs, ","))
			}
			s.add("different_legacy_ids", wLegacyIDsDisjoint, d)
		}
	}

	// Sex.
	if a.Sex != "" && b.Sex != "" && a.Sex != b.Sex {
		excused := nm.kind == nameMatch && nm.order == orderKinh && nm.perfect() &&
			dc.exact && (sharedID || shared && !conflict)
		d := ""
		if ex {
			d = pair(a.Sex, b.Sex)
		}
		if excused {
			s.add("sex_differs", wSexDiffersExcused, d)
		} else {
			s.limit("different_sex", capDifferentSex, d)
		}
	}

	// Parent and child.
	linked := a.Key != 0 && (b.MotherKey == a.Key || b.FatherKey == a.Key) ||
		b.Key != 0 && (a.MotherKey == b.Key || a.FatherKey == b.Key)
	if linked || dc.years >= generationYears {
		d := ""
		if ex {
			if linked {
				d = "one record names the other as a parent"
			} else {
				d = "birth years " + strconv.Itoa(dc.years) + " apart"
			}
		}
		s.limit("parent_child", capParentChild, d)
	}

	// Twins. A shared legacy ID number rules twins and siblings out: a
	// number belongs to one person.
	if shared && dc.exact && !sharedID {
		switch {
		case nm.kind == nameDiffGiven || nm.kind == nameDiffMiddle:
			s.limit("twins", capTwins, "same parent and birth date, different names")
		case nm.kind == nameMatch && nm.order == orderKinh && nm.giv == relTypo &&
			isSyllable(x.name.cTok(x.name.n-1)) && isSyllable(y.name.cTok(y.name.n-1)):
			s.limit("possible_twins", capPossibleTwins, "same parent and birth date, given names one letter apart")
		}
	}

	// Siblings: a shared parent, birth years apart and given names not
	// spelled alike (Hưng 1982, Hùng 1984; keyboard remnants do not count):
	// a brother or sister is likelier than a duplicate with a wrong year
	// and a wrong diacritic.
	kinhOrder := nm.kind == nameMatch && nm.order == orderKinh
	if shared && !sharedID && dc.years >= 1 && dc.years < generationYears &&
		(nm.kind != nameMatch || kinhOrder && (nm.giv >= relTypo || givenMarksDiffer(x, y))) {
		s.limit("possible_siblings", capPossibleTwins, "same parent, different birth years, given names spelled differently")
	}
	return logistic(s.total)
}

// perfect reports whether the names matched without slips or missing parts.
func (m *nameCmp) perfect() bool {
	return m.sur <= relVariant && m.giv <= relVariant && m.midTypos == 0 && m.midMissing == 0
}

// givenMarksDiffer reports whether both names are written with diacritics
// and their given names differ in them (Anh/Ánh): two names, where a name
// typed without diacritics would only have lost them.
func givenMarksDiffer(x, y *prep) bool {
	if x.name.ascii || y.name.ascii {
		return false
	}
	lx, ly := lastWord(x.r.FullName), lastWord(y.r.FullName)
	return !vntext.SameSpelling(strings.ToLower(lx), strings.ToLower(ly))
}

func lastWord(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexAny(s, " \t")+1:]
}

func (s *scorer) nameEvidence(x, y *prep, nm *nameCmp) {
	a, b := x.r, y.r
	d := ""
	if s.explain {
		d = pair(a.FullName, b.FullName)
	}
	rarity := min(nameRarity(&x.name), nameRarity(&y.name))
	switch nm.kind {
	case nameEmpty:
		s.add("name_missing", 0, d)
		return
	case nameDiffGiven:
		s.add("different_given_name", wDiffGiven, d)
		return
	case nameOnlyGiven:
		s.add("only_given_name_shared", wDiffGiven, d)
		return
	case nameDiffMiddle:
		s.add("different_middle_name", rarity+wDiffMiddle, d)
		return
	case nameDiffSurname:
		s.add("different_surname", rarity+wDiffSurname, d)
		return
	}
	switch {
	case vntext.SameSpelling(a.FullName, b.FullName):
		s.add("name_exact", rarity, d)
	case x.name.fold == y.name.fold:
		s.add("name_folded_equal", rarity, d)
	default:
		s.add("name_similar", rarity, d)
	}
	switch nm.order {
	case orderRotated:
		s.add("name_order_swapped", wOrderRotated, "")
	case orderShuffled:
		s.add("name_order_shuffled", wOrderShuffled, "")
	case orderSpacing:
		s.add("name_spacing", wSpacing, "")
	}
	if nm.clean {
		s.add("name_keyboard_remnants", wKeyboard, "")
	}
	if nm.variantSurname {
		s.add("surname_variant", wSurnameVariant, "")
	} else if nm.variant {
		s.add("name_spelling_variant", wVariant, "")
	}
	// A sound-alike initial is weighed as a slip: it is a commoner mistake,
	// but the names it joins are commoner too (Nam and Lam are both names).
	switch {
	case nm.sur == relTypo && nm.surSound:
		s.add("surname_sound_alike", wSurnameTypo, "")
	case nm.sur == relTypo:
		s.add("surname_typo", wSurnameTypo, "")
	}
	switch {
	case nm.giv == relTypo && nm.givSound:
		s.add("given_name_sound_alike", wGivenTypo, "")
	case nm.giv == relTypo:
		s.add("given_name_typo", wGivenTypo, "")
	}
	for range nm.midSound {
		s.add("middle_name_sound_alike", wMiddleTypo, "")
	}
	for range nm.midTypos - nm.midSound {
		s.add("middle_name_typo", wMiddleTypo, "")
	}
	if nm.midMissingWeak > 0 {
		s.add("middle_name_missing", wMiddleWeak*float64(nm.midMissingWeak), "Thị/Văn")
	}
	if k := nm.midMissing - nm.midMissingWeak; k > 0 {
		s.add("middle_name_missing", wMiddleMissing*float64(k), "")
	}
}

func (s *scorer) placeEvidence(ix *placeIndex, a, b *Record, namesAgree bool) {
	d := func(x, y string) string {
		if s.explain {
			return pair(x, y)
		}
		return ""
	}
	switch ix.rel(a.BirthPlace, b.BirthPlace) {
	case placeSame:
		s.add("same_birth_place", wBirthPlaceSame, a.BirthPlace)
	case placeRecoded:
		s.add("birth_place_recoded", wBirthPlaceRecoded, d(a.BirthPlace, b.BirthPlace))
	case placeSameProvince:
		s.add("birth_place_differs", wBirthPlaceSameProvince, d(a.BirthPlace, b.BirthPlace))
	case placeOtherProvince:
		s.add("birth_place_other_province", wBirthPlaceOtherProvince, d(a.BirthPlace, b.BirthPlace))
	case placeDifferent:
		s.add("birth_place_differs", wBirthPlaceUnknown, d(a.BirthPlace, b.BirthPlace))
	}
	if s.familyEvidence(ix, a, b, namesAgree) {
		return // the address says more than the communes
	}
	switch ix.rel(a.Commune, b.Commune) {
	case placeSame:
		s.add("same_commune", wCommuneSame, a.Commune)
		return
	case placeRecoded:
		s.add("commune_recoded", wCommuneRecoded, d(a.Commune, b.Commune))
		return
	}
	if a.Province != "" && b.Province != "" {
		if a.Province == b.Province {
			s.add("same_province", wProvinceSame, a.Province)
		} else {
			s.add("different_province", wProvinceDiffers, d(a.Province, b.Province))
		}
	}
}

// parentEvidence compares the parents; shared reports whether a parent is
// the same (by key or name), conflict whether one is known to differ.
func (s *scorer) parentEvidence(x, y *prep) (shared, conflict bool) {
	a, b := x.r, y.r
	if (a.MotherName == "" || b.MotherName == "") && (a.FatherName == "" || b.FatherName == "") &&
		(a.MotherKey == 0 || b.MotherKey == 0) && (a.FatherKey == 0 || b.FatherKey == 0) {
		return false, false
	}
	x.parseParents()
	y.parseParents()
	one := func(c *parentCodes, ka, kb int64, na, nb string, pa, pb *pname) {
		d := ""
		if s.explain {
			d = pair(na, nb)
		}
		namesKnown := na != "" && nb != ""
		if ka != 0 && kb != 0 {
			switch {
			case ka == kb:
				shared = true
				d := ""
				if s.explain {
					d = strconv.FormatInt(ka, 10)
				}
				s.add(c.same, wParentKey, d)
			case namesKnown && parentNames(pa, pb) == relSame:
				// Two records of the parent, perhaps duplicates themselves.
				shared = true
				s.add(c.keysDiffer, 0, d)
			default:
				conflict = true
				s.add(c.different, wParentKeyDiffers, d)
			}
			return
		}
		if !namesKnown {
			return
		}
		switch parentNames(pa, pb) {
		case relSame:
			shared = true
			s.add(c.nameEqual, wParentName, d)
		case relTypo:
			shared = true
			s.add(c.nameSimilar, wParentNameSimilar, d)
		default:
			conflict = true
			s.add(c.different, wParentNameDiffers, d)
		}
	}
	one(&motherCodes, a.MotherKey, b.MotherKey, a.MotherName, b.MotherName, &x.mother, &y.mother)
	one(&fatherCodes, a.FatherKey, b.FatherKey, a.FatherName, b.FatherName, &x.father, &y.father)
	return shared, conflict
}

// parentCodes are the reason codes about one parent.
type parentCodes struct {
	same, keysDiffer, different, nameEqual, nameSimilar string
}

var (
	motherCodes = parentCodes{"same_mother", "mother_keys_differ_names_match", "different_mother", "mother_name_equal", "mother_name_similar"}
	fatherCodes = parentCodes{"same_father", "father_keys_differ_names_match", "different_father", "father_name_equal", "father_name_similar"}
)

// parentNames relates two parents' names: relSame when they match with at
// most variants and keyboard remnants, relTypo when they match with slips
// or missing middle names or in another order, relDiff otherwise.
func parentNames(a, b *pname) rel {
	m := compareNames(a, b)
	switch {
	case m.kind != nameMatch:
		return relDiff
	case m.order == orderKinh && m.perfect():
		return relSame
	}
	return relTypo
}
