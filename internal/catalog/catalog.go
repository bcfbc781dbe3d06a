package catalog

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

//go:embed data/*.csv
var dataFS embed.FS

// tables holds every parsed list and its indexes.
type tables struct {
	ethnicities   []Ethnicity         // all rows, in file order (the 54, then the foreigner code)
	ethByCode     map[string]int      // 2008 code -> index
	ethBy1979     map[string]int      // 1979 code -> index
	ethByName     map[string]int      // folded name/alias -> index
	religions     []Religion          // in code order
	relByCode     map[string]int      // code -> index
	relByName     map[string]int      // folded name/alias -> index
	countries     []Country           // in alpha-2 order
	ctyByAlpha2   map[string]int      // upper-case alpha-2 -> index
	ctyByAlpha3   map[string]int      // upper-case alpha-3 -> index
	ctyByNumeric  map[string]int      // 3-digit numeric -> index
	ctyByName     map[string]int      // folded name -> index
	ambiguousKeys map[string][]string // folded keys claimed by two different entries, per list (for tests)
}

var (
	loadOnce sync.Once
	loaded   *tables
)

// data returns the parsed tables, parsing the embedded files on first use.
// The files are part of the binary and checked by the tests, so a malformed
// file is a programming error and panics.
func data() *tables {
	loadOnce.Do(func() {
		t, err := parseAll()
		if err != nil {
			panic("catalog: embedded data: " + err.Error())
		}
		loaded = t
	})
	return loaded
}

func parseAll() (*tables, error) {
	t := &tables{ambiguousKeys: map[string][]string{}}
	if err := t.parseEthnicities(); err != nil {
		return nil, err
	}
	if err := t.parseReligions(); err != nil {
		return nil, err
	}
	if err := t.parseCountries(); err != nil {
		return nil, err
	}
	return t, nil
}

// readCSV reads an embedded CSV file, checks its header and returns the
// records after it. Every value must be NFC and free of surrounding spaces.
func readCSV(name string, header []string) ([][]string, error) {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(header)
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("%s: header must be %q", name, strings.Join(header, ","))
	}
	for i, rec := range recs[1:] {
		for j, v := range rec {
			if v != strings.TrimSpace(v) {
				return nil, fmt.Errorf("%s: line %d, %s: surrounding space in %q", name, i+2, header[j], v)
			}
			if !norm.NFC.IsNormalString(v) {
				return nil, fmt.Errorf("%s: line %d, %s: %q is not NFC", name, i+2, header[j], v)
			}
		}
	}
	return recs[1:], nil
}

// splitList splits a "|"-separated cell; an empty cell gives nil.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// addKey indexes the folded form of name to entry i of list. A key already
// held by a different entry is ambiguous: it is removed from the index, so it
// matches nothing, and recorded for the tests to report.
func (t *tables) addKey(list string, idx map[string]int, name string, i int, dropped map[string]bool) {
	k := fold(name)
	if k == "" || dropped[k] {
		return
	}
	if j, ok := idx[k]; ok && j != i {
		delete(idx, k)
		dropped[k] = true
		t.ambiguousKeys[list] = append(t.ambiguousKeys[list], name)
		return
	}
	idx[k] = i
}

// fold reduces a name to the form used for matching: NFD-decomposed, with
// combining marks removed, đ/Đ turned into d, lower-cased, and with every
// character that is not a letter or a digit (spaces, hyphens, apostrophes,
// dots, parentheses) dropped. "Ê-đê", "Ê Đê" and "ede" all fold to "ede".
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// normDigits trims s and left-pads an all-digit string with zeros to width;
// anything else is returned trimmed and unchanged.
func normDigits(s string, width int) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > width {
		return s
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return s
		}
	}
	return strings.Repeat("0", width-len(s)) + s
}
