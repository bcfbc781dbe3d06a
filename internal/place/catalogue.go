package place

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"dancu/internal/civil"
)

//go:embed data/units.csv data/successions.csv
var dataFS embed.FS

// Catalogue is an immutable set of units and of the successions between
// them. Its methods are safe for concurrent use.
type Catalogue struct {
	units     []Unit
	byCode    map[string][]int32 // code -> versions, oldest first
	next      [][]edge           // unit -> the units that took it over
	prev      [][]edge           // unit -> the units it took over
	province  []int32            // unit -> its province in its era (itself for a province)
	communes  map[int32][]int32  // province or district -> its communes, by code
	districts map[int32][]int32  // province -> its districts, by code
	provinces []int32            // every province, by code then date
}

// edge is one succession link.
type edge struct {
	to           int32
	kind         SuccessionKind
	allResidents bool
	note         string
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalogue
)

// Default returns the embedded catalogue. It is parsed on first use, once;
// the embedded files are checked by the package's tests, so a parse failure
// is a programming error and panics.
func Default() *Catalogue {
	defaultOnce.Do(func() {
		units, err := dataFS.ReadFile("data/units.csv")
		if err != nil {
			panic("place: " + err.Error())
		}
		succ, err := dataFS.ReadFile("data/successions.csv")
		if err != nil {
			panic("place: " + err.Error())
		}
		c, err := parse(units, succ)
		if err != nil {
			panic("place: embedded catalogue: " + err.Error())
		}
		defaultCat = c
	})
	return defaultCat
}

var (
	unitsHeader = []string{"level", "code", "name", "kind", "province_code", "district_code", "valid_from", "valid_to"}
	succHeader  = []string{"on", "old_code", "new_code", "kind", "all_residents", "note"}
)

// parse builds a catalogue from the two CSV files and checks it: codes well
// formed, no two units with one code in force on the same day, every parent
// and every succession resolvable.
func parse(unitsCSV, succCSV []byte) (*Catalogue, error) {
	c := &Catalogue{byCode: map[string][]int32{}}
	dates := map[string]civil.Date{}
	date := func(s string) (civil.Date, error) {
		if s == "" {
			return civil.Date{}, nil
		}
		if d, ok := dates[s]; ok {
			return d, nil
		}
		d, err := civil.ParseDate(s)
		if err != nil {
			return d, err
		}
		if d.Precision() != civil.PrecisionDay {
			return d, fmt.Errorf("date %q is not a day", s)
		}
		dates[s] = d
		return d, nil
	}
	err := readCSV(unitsCSV, unitsHeader, func(line int, f []string) error {
		u := Unit{Level: Level(f[0]), Code: f[1], Name: f[2], Kind: f[3], ProvinceCode: f[4], DistrictCode: f[5]}
		var err error
		if u.ValidFrom, err = date(f[6]); err != nil {
			return err
		}
		if u.ValidTo, err = date(f[7]); err != nil {
			return err
		}
		if want := codeLen(u.Level); want == 0 || !isCode(u.Code) || len(u.Code) != want {
			return fmt.Errorf("bad level %q or code %q", u.Level, u.Code)
		}
		if u.Name == "" || u.Kind == "" || !strings.HasPrefix(u.Name, u.Kind+" ") {
			return fmt.Errorf("unit %s: name %q does not start with its kind %q", u.Code, u.Name, u.Kind)
		}
		if !isCode(u.ProvinceCode) || len(u.ProvinceCode) != 2 || (u.DistrictCode != "" && len(u.DistrictCode) != 3) {
			return fmt.Errorf("unit %s: bad province or district code", u.Code)
		}
		if !u.ValidFrom.IsZero() && !u.ValidTo.IsZero() && u.ValidTo.Before(u.ValidFrom) {
			return fmt.Errorf("unit %s ends before it begins", u.Code)
		}
		for _, j := range c.byCode[u.Code] {
			if overlaps(c.units[j], u) {
				return fmt.Errorf("units %s and %s share code %s on the same days", c.units[j].Name, u.Name, u.Code)
			}
		}
		c.byCode[u.Code] = append(c.byCode[u.Code], int32(len(c.units)))
		c.units = append(c.units, u)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	n := len(c.units)
	c.next = make([][]edge, n)
	c.prev = make([][]edge, n)
	c.province = make([]int32, n)
	c.communes = map[int32][]int32{}
	c.districts = map[int32][]int32{}
	for _, vs := range c.byCode {
		slices.SortFunc(vs, func(a, b int32) int { return compareUnits(c.units[a], c.units[b]) })
	}
	for i := range c.units {
		u := c.units[i]
		p, ok := c.versionAt(u.ProvinceCode, refDay(u))
		if !ok || c.units[p].Level != LevelProvince {
			return nil, fmt.Errorf("units: %s: province %s not found in its era", u, u.ProvinceCode)
		}
		c.province[i] = p
		switch u.Level {
		case LevelProvince:
			if p != int32(i) {
				return nil, fmt.Errorf("units: province %s does not name itself", u)
			}
			c.provinces = append(c.provinces, int32(i))
		case LevelDistrict:
			c.districts[p] = append(c.districts[p], int32(i))
		case LevelCommune:
			c.communes[p] = append(c.communes[p], int32(i))
			if u.DistrictCode != "" {
				d, ok := c.versionAt(u.DistrictCode, refDay(u))
				if !ok || c.units[d].Level != LevelDistrict || c.units[d].ProvinceCode != u.ProvinceCode {
					return nil, fmt.Errorf("units: %s: district %s not found in its province and era", u, u.DistrictCode)
				}
				c.communes[d] = append(c.communes[d], int32(i))
			}
		}
	}
	byCode := func(a, b int32) int { return compareUnits(c.units[a], c.units[b]) }
	slices.SortFunc(c.provinces, byCode)
	for _, m := range []map[int32][]int32{c.communes, c.districts} {
		for _, l := range m {
			slices.SortFunc(l, byCode)
		}
	}

	notes := map[string]string{}
	err = readCSV(succCSV, succHeader, func(line int, f []string) error {
		on, err := date(f[0])
		if err != nil || on.IsZero() {
			return fmt.Errorf("bad date %q", f[0])
		}
		from, ok := c.versionAt(f[1], on.AddDays(-1))
		if !ok {
			return fmt.Errorf("no unit %s in force on the eve of %s", f[1], on)
		}
		to, ok := c.versionAt(f[2], on)
		if !ok {
			return fmt.Errorf("no unit %s in force on %s", f[2], on)
		}
		if end := c.units[from].ValidTo; end.IsZero() || !end.AddDays(1).Equal(on) || !c.units[to].ValidOn(on) {
			return fmt.Errorf("%s -> %s: the old unit does not end on the eve of %s", f[1], f[2], on)
		}
		kind := SuccessionKind(f[3])
		if kind != Whole && kind != Partial && kind != Unchanged {
			return fmt.Errorf("unknown kind %q", f[3])
		}
		if f[4] != "" && f[4] != "true" {
			return fmt.Errorf("all_residents must be empty or true, not %q", f[4])
		}
		note, ok := notes[f[5]]
		if !ok {
			note = strings.Clone(f[5]) // do not keep the whole record alive
			notes[note] = note
		}
		e := edge{to: to, kind: kind, allResidents: f[4] == "true", note: note}
		c.next[from] = append(c.next[from], e)
		e.to = from
		c.prev[to] = append(c.prev[to], e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("successions: %w", err)
	}
	return c, nil
}

// readCSV checks the header and calls fn for every further record.
func readCSV(b []byte, header []string, fn func(line int, f []string) error) error {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(header)
	r.ReuseRecord = true
	h, err := r.Read()
	if err != nil {
		return err
	}
	if !slices.Equal(h, header) {
		return fmt.Errorf("header %q, want %q", h, header)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line, _ := r.FieldPos(0)
		if err := fn(line, rec); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

func codeLen(l Level) int {
	switch l {
	case LevelProvince:
		return 2
	case LevelDistrict:
		return 3
	case LevelCommune:
		return 5
	}
	return 0
}

func isCode(s string) bool {
	if n := len(s); n != 2 && n != 3 && n != 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// refDay is a day on which u was in force, used to find its parents: its
// last day, or its first, or the zero date for a unit with no bounds.
func refDay(u Unit) civil.Date {
	if !u.ValidTo.IsZero() {
		return u.ValidTo
	}
	return u.ValidFrom
}

// versionAt returns the unit with code in force on day; with a zero day,
// the only unit with that code that has no bounds.
func (c *Catalogue) versionAt(code string, day civil.Date) (int32, bool) {
	for _, i := range c.byCode[code] {
		u := c.units[i]
		if day.IsZero() {
			if u.ValidFrom.IsZero() && u.ValidTo.IsZero() {
				return i, true
			}
			continue
		}
		if u.ValidOn(day) {
			return i, true
		}
	}
	return 0, false
}

func overlaps(a, b Unit) bool {
	if !a.ValidTo.IsZero() && !b.ValidFrom.IsZero() && a.ValidTo.Before(b.ValidFrom) {
		return false
	}
	if !b.ValidTo.IsZero() && !a.ValidFrom.IsZero() && b.ValidTo.Before(a.ValidFrom) {
		return false
	}
	return true
}

// compareUnits orders by code, then oldest first (an unbounded start first).
func compareUnits(a, b Unit) int {
	if n := strings.Compare(a.Code, b.Code); n != 0 {
		return n
	}
	switch {
	case a.ValidFrom.IsZero() && !b.ValidFrom.IsZero():
		return -1
	case !a.ValidFrom.IsZero() && b.ValidFrom.IsZero():
		return 1
	}
	return civil.Compare(a.ValidFrom, b.ValidFrom)
}

// covers reports whether u was in force on every day of d.
func covers(u Unit, d civil.Date) bool {
	if d.IsZero() {
		return false
	}
	return (u.ValidFrom.IsZero() || !d.First().Before(u.ValidFrom)) &&
		(u.ValidTo.IsZero() || !d.Last().After(u.ValidTo))
}
