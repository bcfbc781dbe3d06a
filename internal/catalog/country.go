package catalog

import (
	"fmt"
	"strings"
)

// Country is one ISO 3166-1 entry.
type Country struct {
	Alpha2  string // "VN"
	Alpha3  string // "VNM"
	Numeric string // "704", always three digits, zero-padded ("004")
	// NameEN is the English short name ("Korea, Republic of").
	NameEN string
	// CommonNameEN is the usual English name where it differs from NameEN
	// ("South Korea"); empty otherwise. See DisplayNameEN.
	CommonNameEN string
	// NameVI is the Vietnamese name, NFC; empty for countries not yet
	// translated.
	NameVI string
}

// DisplayNameEN returns CommonNameEN if there is one, else NameEN.
func (c Country) DisplayNameEN() string {
	if c.CommonNameEN != "" {
		return c.CommonNameEN
	}
	return c.NameEN
}

var countryHeader = []string{"alpha2", "alpha3", "numeric", "name_en", "common_name_en", "name_vi"}

func (t *tables) parseCountries() error {
	recs, err := readCSV("countries.csv", countryHeader)
	if err != nil {
		return err
	}
	t.ctyByAlpha2 = map[string]int{}
	t.ctyByAlpha3 = map[string]int{}
	t.ctyByNumeric = map[string]int{}
	t.ctyByName = map[string]int{}
	for i, r := range recs {
		c := Country{Alpha2: r[0], Alpha3: r[1], Numeric: r[2], NameEN: r[3], CommonNameEN: r[4], NameVI: r[5]}
		if !isUpperAlpha(c.Alpha2, 2) || !isUpperAlpha(c.Alpha3, 3) || !isDigits(c.Numeric, 3) || c.NameEN == "" {
			return fmt.Errorf("countries.csv: line %d: malformed entry %v", i+2, r)
		}
		for _, ix := range []struct {
			m   map[string]int
			key string
		}{{t.ctyByAlpha2, c.Alpha2}, {t.ctyByAlpha3, c.Alpha3}, {t.ctyByNumeric, c.Numeric}} {
			if _, dup := ix.m[ix.key]; dup {
				return fmt.Errorf("countries.csv: duplicate code %s", ix.key)
			}
			ix.m[ix.key] = i
		}
		t.countries = append(t.countries, c)
	}
	dropped := map[string]bool{}
	for i, c := range t.countries {
		for _, n := range []string{c.NameEN, c.CommonNameEN, c.NameVI} {
			t.addKey("countries", t.ctyByName, n, i, dropped)
		}
	}
	return nil
}

func isUpperAlpha(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isDigits(s string, n int) bool {
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

// Countries returns every current ISO 3166-1 entry in alpha-2 order.
func Countries() []Country {
	return append([]Country(nil), data().countries...)
}

// CountryByAlpha2 returns the country with the given alpha-2 code, ignoring
// case and surrounding spaces ("vn", "VN").
func CountryByAlpha2(a2 string) (Country, bool) {
	t := data()
	i, ok := t.ctyByAlpha2[strings.ToUpper(strings.TrimSpace(a2))]
	if !ok {
		return Country{}, false
	}
	return t.countries[i], true
}

// CountryByAlpha3 returns the country with the given alpha-3 code, ignoring
// case and surrounding spaces.
func CountryByAlpha3(a3 string) (Country, bool) {
	t := data()
	i, ok := t.ctyByAlpha3[strings.ToUpper(strings.TrimSpace(a3))]
	if !ok {
		return Country{}, false
	}
	return t.countries[i], true
}

// CountryByNumeric returns the country with the given ISO 3166-1 numeric
// code ("704"); a shorter all-digit code is read zero-padded ("4" is "004").
//
// In a personal identification number the numeric code is the place code of
// a birth registered abroad, and the same three digits can also be a
// province code ("001" is Hà Nội as well as no country, "004" Afghanistan as
// well as Cao Bằng): read it as a country only when the person's registration
// place says the birth was registered abroad.
func CountryByNumeric(num string) (Country, bool) {
	t := data()
	i, ok := t.ctyByNumeric[normDigits(num, 3)]
	if !ok {
		return Country{}, false
	}
	return t.countries[i], true
}

// CountryByCode accepts an alpha-2, alpha-3 or numeric code, telling them
// apart by length and by whether they are digits.
func CountryByCode(code string) (Country, bool) {
	code = strings.TrimSpace(code)
	if code == "" {
		return Country{}, false
	}
	if code[0] >= '0' && code[0] <= '9' {
		return CountryByNumeric(code)
	}
	switch len(code) {
	case 2:
		return CountryByAlpha2(code)
	case 3:
		return CountryByAlpha3(code)
	}
	return Country{}, false
}

// CountryByName finds a country by its English short name, common English
// name or Vietnamese name ("Hàn Quốc", "south korea", "Korea, Republic of"),
// ignoring case, diacritics, punctuation and spacing.
func CountryByName(name string) (Country, bool) {
	t := data()
	i, ok := t.ctyByName[fold(name)]
	if !ok {
		return Country{}, false
	}
	return t.countries[i], true
}
