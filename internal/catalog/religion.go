package catalog

import "fmt"

// Religion codes with a special meaning.
const (
	ReligionNone  = "00" // Không: follows no religion
	ReligionOther = "99" // Khác: a religion outside this list
)

// Religion is one entry of dancu's religion list. Viet Nam publishes no
// numeric code list for religions; these 2-digit codes are dancu's own and
// are never reused or renumbered.
type Religion struct {
	Code   string // "00" none, "01".."16" the recognised religions, "99" other
	Name   string // Vietnamese name, NFC
	NameEN string // English name
	// Aliases are other names matched by ReligionByName.
	Aliases []string
}

func (r Religion) clone() Religion {
	r.Aliases = append([]string(nil), r.Aliases...)
	return r
}

var religionHeader = []string{"code", "name", "name_en", "aliases"}

func (t *tables) parseReligions() error {
	recs, err := readCSV("religions.csv", religionHeader)
	if err != nil {
		return err
	}
	t.relByCode = map[string]int{}
	t.relByName = map[string]int{}
	for i, r := range recs {
		rel := Religion{Code: r[0], Name: r[1], NameEN: r[2], Aliases: splitList(r[3])}
		if len(rel.Code) != 2 || rel.Name == "" {
			return fmt.Errorf("religions.csv: line %d: bad code %q or empty name", i+2, rel.Code)
		}
		if _, dup := t.relByCode[rel.Code]; dup {
			return fmt.Errorf("religions.csv: duplicate code %s", rel.Code)
		}
		t.relByCode[rel.Code] = i
		t.religions = append(t.religions, rel)
	}
	dropped := map[string]bool{}
	for i, rel := range t.religions {
		for _, n := range append([]string{rel.Name, rel.NameEN}, rel.Aliases...) {
			t.addKey("religions", t.relByName, n, i, dropped)
		}
	}
	return nil
}

// Religions returns the whole list in code order: "00" (none), the 16
// religions recognised in Viet Nam, and "99" (other).
func Religions() []Religion {
	t := data()
	out := make([]Religion, len(t.religions))
	for i, r := range t.religions {
		out[i] = r.clone()
	}
	return out
}

// ReligionByCode returns the religion with the given code. Surrounding
// spaces are ignored and a one-digit code is read zero-padded.
func ReligionByCode(code string) (Religion, bool) {
	t := data()
	i, ok := t.relByCode[normDigits(code, 2)]
	if !ok {
		return Religion{}, false
	}
	return t.religions[i].clone(), true
}

// ReligionByName finds a religion by its Vietnamese or English name or an
// alias ("Thiên Chúa giáo", "Hòa Hảo", "Mặc Môn"), ignoring case,
// diacritics, hyphens, apostrophes and spacing.
func ReligionByName(name string) (Religion, bool) {
	t := data()
	i, ok := t.relByName[fold(name)]
	if !ok {
		return Religion{}, false
	}
	return t.religions[i].clone(), true
}
