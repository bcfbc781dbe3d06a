package catalog

import (
	"fmt"
	"strings"
)

// ForeignerEthnicityCode is the code dancu uses for a foreigner, or a person
// of foreign origin who has been naturalised, whose ethnicity is none of the
// 54 groups. It is not part of the 2008 list; Recognised is false for it.
const ForeignerEthnicityCode = "55"

// RecognisedEthnicityCount is the number of ethnic groups Viet Nam
// recognises.
const RecognisedEthnicityCount = 54

// Ethnicity is one entry of the ethnic group list.
type Ethnicity struct {
	// Code is the 2-digit code of the 2008 list (Decision 1019/QĐ-TCTK),
	// "01".."54", or ForeignerEthnicityCode.
	Code string
	// Name is the Vietnamese name as the 2008 list spells it, in NFC.
	Name string
	// NameEN is the name without diacritics, as the GSO's English
	// publications write it.
	NameEN string
	// Aliases are other names and spellings in common use (not including
	// Name1979, which is matched as well).
	Aliases []string
	// Code1979 is the group's code in the 1979 list (Decision
	// 121-TCTK/PPCĐ); empty for the foreigner code.
	Code1979 string
	// Name1979 is the name as the 1979 list spells it; empty for the
	// foreigner code.
	Name1979 string
	// Recognised is true for the 54 groups and false for the foreigner code.
	Recognised bool
}

func (e Ethnicity) clone() Ethnicity {
	e.Aliases = append([]string(nil), e.Aliases...)
	return e
}

var ethnicityHeader = []string{"code", "name", "name_en", "recognised", "code_1979", "name_1979", "aliases"}

func (t *tables) parseEthnicities() error {
	recs, err := readCSV("ethnicities.csv", ethnicityHeader)
	if err != nil {
		return err
	}
	t.ethByCode = map[string]int{}
	t.ethBy1979 = map[string]int{}
	t.ethByName = map[string]int{}
	for i, r := range recs {
		e := Ethnicity{
			Code:     r[0],
			Name:     r[1],
			NameEN:   r[2],
			Code1979: r[4],
			Name1979: r[5],
			Aliases:  splitList(r[6]),
		}
		switch r[3] {
		case "true":
			e.Recognised = true
		case "false":
		default:
			return fmt.Errorf("ethnicities.csv: code %s: recognised must be true or false, not %q", e.Code, r[3])
		}
		if len(e.Code) != 2 || e.Name == "" {
			return fmt.Errorf("ethnicities.csv: line %d: bad code %q or empty name", i+2, e.Code)
		}
		if _, dup := t.ethByCode[e.Code]; dup {
			return fmt.Errorf("ethnicities.csv: duplicate code %s", e.Code)
		}
		t.ethByCode[e.Code] = i
		if e.Code1979 != "" {
			if _, dup := t.ethBy1979[e.Code1979]; dup {
				return fmt.Errorf("ethnicities.csv: duplicate 1979 code %s", e.Code1979)
			}
			t.ethBy1979[e.Code1979] = i
		}
		t.ethnicities = append(t.ethnicities, e)
	}
	dropped := map[string]bool{}
	for i, e := range t.ethnicities {
		for _, n := range append([]string{e.Name, e.NameEN, e.Name1979}, e.Aliases...) {
			t.addKey("ethnicities", t.ethByName, n, i, dropped)
		}
	}
	return nil
}

// Ethnicities returns the 54 recognised ethnic groups in order of their 2008
// code. The foreigner code is not included.
func Ethnicities() []Ethnicity {
	t := data()
	out := make([]Ethnicity, 0, RecognisedEthnicityCount)
	for _, e := range t.ethnicities {
		if e.Recognised {
			out = append(out, e.clone())
		}
	}
	return out
}

// EthnicityByCode returns the group with the given 2008 code ("01".."54"),
// or the foreigner entry for ForeignerEthnicityCode. Surrounding spaces are
// ignored and a one-digit code is read as if zero-padded ("8" is "08").
func EthnicityByCode(code string) (Ethnicity, bool) {
	t := data()
	i, ok := t.ethByCode[normDigits(code, 2)]
	if !ok {
		return Ethnicity{}, false
	}
	return t.ethnicities[i].clone(), true
}

// EthnicityFrom1979 returns the group that had the given code in the 1979
// list, for reading old records. Codes are read as in EthnicityByCode.
func EthnicityFrom1979(code string) (Ethnicity, bool) {
	t := data()
	i, ok := t.ethBy1979[normDigits(code, 2)]
	if !ok {
		return Ethnicity{}, false
	}
	return t.ethnicities[i].clone(), true
}

// EthnicityByName finds a group by its name, English name, 1979 name or an
// alias. The match ignores case, diacritics, hyphens, apostrophes and spacing
// ("ede", "Ê-đê", "Ê Đê", "H'Mông", "mèo"), and a leading "dân tộc" or
// "người" ("Người Hoa", "dân tộc Tày"). "Người nước ngoài" finds the
// foreigner entry.
func EthnicityByName(name string) (Ethnicity, bool) {
	t := data()
	k := fold(name)
	if i, ok := t.ethByName[k]; ok {
		return t.ethnicities[i].clone(), true
	}
	for _, prefix := range []string{"dantoc", "nguoi"} {
		if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
			if i, ok := t.ethByName[rest]; ok {
				return t.ethnicities[i].clone(), true
			}
		}
	}
	return Ethnicity{}, false
}
