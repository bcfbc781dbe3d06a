// Package clean turns the two published tables of Viet Nam's administrative
// units (the January 2025 list of the 63-province system and the July 2025
// conversion table to the 34-province system) into the compact, checked
// files that package place embeds. It is used by the gencatalog generator and
// by place's tests, which re-run it to prove the embedded files up to date.
//
// Every decision taken here is described in internal/place/data/README.md;
// every row it had to correct or interpret is listed in anomalies.csv.
package clean

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Source file names inside the source directory.
const (
	JanFile  = "communes-2025-01-04.csv"
	ConvFile = "communes-2025-07-conversion.csv"
)

// Dates written into the output. The old system ended on OldTo; the new one
// began on Reform. Units that the conversion table names but the 4 January
// list does not were created between the two snapshots: InterimFrom is the
// earliest day the sources allow for them.
const (
	OldTo       = "2025-06-30"
	Reform      = "2025-07-01"
	InterimFrom = "2025-01-05"
)

// Output file names, relative to the data directory.
const (
	UnitsFile       = "units.csv"
	SuccessionsFile = "successions.csv"
	AnomaliesFile   = "anomalies.csv"
)

// Succession kinds as written in successions.csv.
const (
	Whole     = "whole"
	Partial   = "partial"
	Unchanged = "unchanged"
)

// Levels as written in units.csv.
const (
	Province = "province"
	District = "district"
	Commune  = "commune"
)

// Output is the cleaned catalogue.
type Output struct {
	Files map[string][]byte // file name -> content, for UnitsFile, SuccessionsFile, AnomaliesFile
	Stats Stats
}

// Stats are the counts reported in data/README.md and asserted by the tests.
type Stats struct {
	JanRows      int // data rows of the January list
	ConvRecords  int // CSV records of the conversion table, its two header rows included
	ConvSections int // section rows (a province name alone)
	ConvRows     int // data rows

	OldProvinces, OldDistricts, OldCommunes int // old-era units written
	IslandDistricts                         int // old districts without communes
	InterimCommunes                         int // old communes known only from the conversion table
	NewProvinces, NewCommunes               int // new-era units written

	CommuneSuccessions int // old commune -> new commune links written
	OrphanCommunes     int // old communes with no successor at all
	WholeToPartial     int // old communes listed whole (or unchanged) in several new communes
	RepointedRows      int // rows moved to another old code: a wrong code, matched by name
	NameMatched        int // old communes without a row of their own, given successors by name
	Duplicates         int // (old, new) pairs listed more than once
	NameDiffers        int // rows whose old name differs from the January name (January name kept)
	Unchanged          int // Giữ nguyên links
	NFCFields          int // source fields that were not NFC
	SpaceFields        int // source fields with stray white space or line breaks
}

// FromDir reads both source files from dir and cleans them.
func FromDir(dir string) (*Output, error) {
	jan, err := os.Open(filepath.Join(dir, JanFile))
	if err != nil {
		return nil, err
	}
	defer jan.Close()
	conv, err := os.Open(filepath.Join(dir, ConvFile))
	if err != nil {
		return nil, err
	}
	defer conv.Close()
	return Clean(jan, conv)
}

type unit struct {
	level, code, name, kind, prov, dist string
	from, to                            string
}

type convRow struct {
	line                     int
	newProvCode, newProvName string
	newCode, newName         string
	oldCode, oldName         string
	note                     string
	distCode, distName       string
	provCode, provName       string
	kind                     string // classified note
	allResidents             bool
	target                   string // the old commune code the row is attached to after reconciliation
}

type succ struct {
	old, new     string
	kind         string
	allResidents bool
	note         string
}

type anomaly struct {
	file   string
	line   int
	code   string
	issue  string
	action string
}

type cleaner struct {
	stats Stats

	oldProv    map[string]*unit
	oldDist    map[string]*unit
	oldCom     map[string]*unit // January communes and interim communes
	janByName  map[string][]string
	islands    map[string]bool
	newProv    map[string]*unit
	newCom     map[string]*unit
	newNames   map[string]map[string]int // new commune code -> name -> rows
	newNameSeq map[string][]string       // first-seen order of names
	rows       []*convRow
	succs      []succ
	anomalies  []anomaly
}

// Clean reads the January list and the conversion table and returns the
// cleaned files. It fails on anything it does not know how to interpret,
// so that a new edition of the sources forces a human decision.
func Clean(jan, conv io.Reader) (*Output, error) {
	c := &cleaner{
		oldProv:    map[string]*unit{},
		oldDist:    map[string]*unit{},
		oldCom:     map[string]*unit{},
		janByName:  map[string][]string{},
		islands:    map[string]bool{},
		newProv:    map[string]*unit{},
		newCom:     map[string]*unit{},
		newNames:   map[string]map[string]int{},
		newNameSeq: map[string][]string{},
	}
	if err := c.readJan(jan); err != nil {
		return nil, fmt.Errorf("%s: %w", JanFile, err)
	}
	if err := c.readConv(conv); err != nil {
		return nil, fmt.Errorf("%s: %w", ConvFile, err)
	}
	if err := c.settleNewNames(); err != nil {
		return nil, err
	}
	if err := c.reconcile(); err != nil {
		return nil, err
	}
	if err := c.derive(); err != nil {
		return nil, err
	}
	return c.output(), nil
}

// Text normalises one field: NFC, every run of white space (including the
// line breaks inside quoted fields) collapsed to one space, trimmed.
func Text(s string) string {
	return strings.Join(strings.FieldsFunc(norm.NFC.String(s), unicode.IsSpace), " ")
}

// tonePairs maps the older tone-mark placement to the newer one, so that
// "Hoà" and "Hòa", "Thuỵ" and "Thụy" compare equal when matching names.
var tonePairs = strings.NewReplacer(
	"oà", "òa", "oá", "óa", "oả", "ỏa", "oã", "õa", "oạ", "ọa",
	"oè", "òe", "oé", "óe", "oẻ", "ỏe", "oẽ", "õe", "oẹ", "ọe",
	"uỳ", "ùy", "uý", "úy", "uỷ", "ủy", "uỹ", "ũy", "uỵ", "ụy",
	"’", "", "‘", "", "'", "", " ", "",
)

// Fold is the key used to decide that two spellings of a name are the same
// name: lower case, one tone-mark placement, no apostrophes, no spaces. It
// is used only to match rows between the two sources, never to rename.
func Fold(s string) string {
	return tonePairs.Replace(strings.ToLower(Text(s)))
}

var codedName = regexp.MustCompile(`^(.*\S)\s*\((\d+)\)$`)

// splitCoded splits "Thành phố Hà Nội (01)" into name and code.
func splitCoded(s string, digits int) (name, code string, ok bool) {
	m := codedName.FindStringSubmatch(s)
	if m == nil || len(m[2]) != digits {
		return "", "", false
	}
	return m[1], m[2], true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var (
	provinceKinds = []string{"Thành phố", "Tỉnh"}
	districtKinds = []string{"Thành phố", "Thị xã", "Quận", "Huyện"}
	oldComKinds   = []string{"Thị trấn", "Phường", "Xã"}
	newComKinds   = []string{"Đặc khu", "Phường", "Xã"}
)

// kindOf returns the kind that prefixes name, fixing its capitalisation
// ("Thị Trấn X" -> "Thị trấn X", "Thị Xã" -> "Thị xã").
func kindOf(name string, kinds []string) (fixed, kind string, ok bool) {
	for _, k := range kinds {
		if len(name) > len(k) && strings.EqualFold(name[:len(k)], k) && name[len(k)] == ' ' {
			return k + name[len(k):], k, true
		}
	}
	return name, "", false
}

func (c *cleaner) note(file string, line int, code, issue, action string) {
	c.anomalies = append(c.anomalies, anomaly{file, line, code, issue, action})
}

// readJan reads the 4 January 2025 list: one row per commune with its
// district and province; island districts without communes have a row with
// empty commune columns.
func (c *cleaner) readJan(r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return err
	}
	want := []string{"Tỉnh Thành Phố", "Mã TP", "Quận Huyện", "Mã QH", "Phường Xã", "Mã PX", "Cấp"}
	if len(head) < len(want) {
		return fmt.Errorf("header %q: want %q", head, want)
	}
	for i, w := range want {
		if Text(head[i]) != w {
			return fmt.Errorf("header column %d is %q, want %q", i+1, head[i], w)
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0)
		c.stats.JanRows++
		f := make([]string, 7)
		for i := range f {
			if i < len(rec) {
				f[i] = Text(rec[i])
			}
		}
		provName, provCode, distName, distCode, comName, comCode, level := f[0], f[1], f[2], f[3], f[4], f[5], f[6]
		if !isDigits(provCode, 2) || !isDigits(distCode, 3) {
			return fmt.Errorf("line %d: bad province or district code %q, %q", line, provCode, distCode)
		}
		c.countFixes(rec)
		if err := c.addOldProvince(provCode, provName, line); err != nil {
			return err
		}
		if err := c.addOldDistrict(distCode, distName, provCode, line); err != nil {
			return err
		}
		if comCode == "" && comName == "" {
			if level != "Huyện" {
				return fmt.Errorf("line %d: row without commune for a %q", line, level)
			}
			c.islands[distCode] = true
			c.note(JanFile, line, distCode, "district row without communes ("+distName+")",
				"kept as a district with no communes; its successor is the special zone named in the conversion table")
			continue
		}
		if !isDigits(comCode, 5) {
			return fmt.Errorf("line %d: bad commune code %q", line, comCode)
		}
		if _, dup := c.oldCom[comCode]; dup {
			return fmt.Errorf("line %d: commune code %s appears twice", line, comCode)
		}
		name, kind, err := c.fixOldCommuneName(comName, level, comCode, line)
		if err != nil {
			return err
		}
		c.oldCom[comCode] = &unit{level: Commune, code: comCode, name: name, kind: kind, prov: provCode, dist: distCode, to: OldTo}
		key := distCode + "|" + Fold(name)
		c.janByName[key] = append(c.janByName[key], comCode)
	}
	return nil
}

// countFixes counts the fields that Text changes, by reason.
func (c *cleaner) countFixes(rec []string) {
	for _, raw := range rec {
		nfc := norm.NFC.String(raw)
		if nfc != raw {
			c.stats.NFCFields++
		}
		if Text(raw) != nfc {
			c.stats.SpaceFields++
		}
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// fixOldCommuneName repairs the defects of the January list's names: wrong
// capitalisation of the kind ("Thị Trấn"), a doubled kind ("Phường Phường
// Đúc") and the abbreviation "NT"/"N.T" for "Nông trường" (state-farm towns).
// The kind comes from the name; a disagreeing "Cấp" column is reported.
func (c *cleaner) fixOldCommuneName(name, level, code string, line int) (string, string, error) {
	orig := name
	fixed, kind, ok := kindOf(name, oldComKinds)
	if !ok {
		return "", "", fmt.Errorf("line %d: commune %s %q has no known kind prefix", line, code, name)
	}
	name = fixed
	if rest, dup := strings.CutPrefix(name[len(kind)+1:], kind+" "); dup {
		name = kind + " " + rest
	}
	words := strings.Split(name, " ")
	for i, w := range words {
		if i > 0 && (w == "NT" || w == "N.T" || w == "N.T.") {
			words[i] = "Nông trường"
		}
	}
	name = strings.Join(words, " ")
	if name != orig {
		c.note(JanFile, line, code, fmt.Sprintf("name %q", orig), fmt.Sprintf("written %q", name))
	}
	if level != kind {
		c.note(JanFile, line, code, fmt.Sprintf("column Cấp says %q but the name %q is a %s", level, name, kind),
			"kind taken from the name")
	}
	return name, kind, nil
}

func (c *cleaner) addOldProvince(code, name string, line int) error {
	fixed, kind, ok := kindOf(name, provinceKinds)
	if !ok {
		return fmt.Errorf("line %d: province %q has no known kind prefix", line, name)
	}
	if p := c.oldProv[code]; p != nil {
		if p.name != fixed {
			return fmt.Errorf("line %d: province %s is named both %q and %q", line, code, p.name, fixed)
		}
		return nil
	}
	c.oldProv[code] = &unit{level: Province, code: code, name: fixed, kind: kind, prov: code, to: OldTo}
	return nil
}

func (c *cleaner) addOldDistrict(code, name, prov string, line int) error {
	fixed, kind, ok := kindOf(name, districtKinds)
	if !ok {
		return fmt.Errorf("line %d: district %q has no known kind prefix", line, name)
	}
	if d := c.oldDist[code]; d != nil {
		if d.name != fixed || d.prov != prov {
			return fmt.Errorf("line %d: district %s is both %q in %s and %q in %s", line, code, d.name, d.prov, fixed, prov)
		}
		return nil
	}
	c.oldDist[code] = &unit{level: District, code: code, name: fixed, kind: kind, prov: prov, dist: code, to: OldTo}
	return nil
}

// readConv reads the conversion table: two header rows, then data rows
// interleaved with section rows that carry only a province name.
func (c *cleaner) readConv(r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var headers int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0)
		c.stats.ConvRecords++
		f := make([]string, 8)
		nonEmpty := 0
		for i := range rec {
			if i < len(f) {
				f[i] = Text(rec[i])
			}
			if Text(rec[i]) != "" {
				nonEmpty++
			}
		}
		if headers < 2 {
			headers++
			if headers == 2 && (f[1] != "Tên Xã mới" || f[2] != "Mã Xã mới" || f[4] != "Mã Xã cũ" || f[5] != "Ghi chú") {
				return fmt.Errorf("line %d: unexpected header %q", line, f)
			}
			continue
		}
		if nonEmpty <= 1 {
			c.stats.ConvSections++
			continue
		}
		row := &convRow{line: line, newName: f[1], newCode: f[2], oldName: f[3], oldCode: f[4], note: f[5]}
		var ok bool
		if row.newProvName, row.newProvCode, ok = splitCoded(f[0], 2); !ok {
			return fmt.Errorf("line %d: new province %q is not \"Name (NN)\"", line, f[0])
		}
		if row.distName, row.distCode, ok = splitCoded(f[6], 3); !ok {
			return fmt.Errorf("line %d: old district %q is not \"Name (NNN)\"", line, f[6])
		}
		if row.provName, row.provCode, ok = splitCoded(f[7], 2); !ok {
			return fmt.Errorf("line %d: old province %q is not \"Name (NN)\"", line, f[7])
		}
		if !isDigits(row.newCode, 5) {
			return fmt.Errorf("line %d: new commune code %q", line, row.newCode)
		}
		if row.oldCode != "" && !isDigits(row.oldCode, 5) {
			return fmt.Errorf("line %d: old commune code %q", line, row.oldCode)
		}
		c.countFixes(rec)
		if err := c.addNewUnits(row); err != nil {
			return err
		}
		if row.kind, row.allResidents, err = classify(row.note); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if row.note == "" {
			c.note(ConvFile, line, row.oldCode, "empty note", "read as whole (Nhập toàn bộ)")
		} else if !standardNotes[row.note] {
			c.note(ConvFile, line, row.oldCode, fmt.Sprintf("note %q", row.note), "read as "+row.kind)
		}
		c.rows = append(c.rows, row)
	}
	c.stats.ConvRows = len(c.rows)
	return nil
}

// standardNotes are the notes that need no remark in anomalies.csv.
var standardNotes = map[string]bool{
	"Nhập toàn bộ": true, "Nhập một phần": true, "Giữ nguyên": true,
	"Nhập một phần diện tích": true, "Nhập một phần diện tích, toàn bộ dân số": true,
}

// classify reads the note column. Anything mentioning "một phần" (a part)
// or "phần còn lại" (the remainder) is partial; "Giữ nguyên" is unchanged;
// merging, renaming, retyping and whole-district/commune rearrangements are
// whole; an empty note is whole. Unknown notes are an error.
func classify(note string) (kind string, allResidents bool, err error) {
	n := strings.ToLower(strings.ReplaceAll(note, "Nhâp", "Nhập"))
	allResidents = strings.Contains(n, "toàn bộ dân số")
	switch {
	case n == "":
		return Whole, false, nil
	case n == "giữ nguyên":
		return Unchanged, false, nil
	case strings.Contains(n, "một phần"), strings.HasPrefix(n, "phần còn lại"):
		return Partial, allResidents, nil
	case strings.HasPrefix(n, "nhập toàn bộ"), strings.HasPrefix(n, "đổi tên"),
		strings.HasPrefix(n, "đổi loại hình"), strings.HasPrefix(n, "sắp xếp toàn bộ"):
		return Whole, false, nil
	}
	return "", false, fmt.Errorf("unknown note %q", note)
}

func (c *cleaner) addNewUnits(row *convRow) error {
	pname, pkind, ok := kindOf(row.newProvName, provinceKinds)
	if !ok {
		return fmt.Errorf("line %d: new province %q has no known kind", row.line, row.newProvName)
	}
	if p := c.newProv[row.newProvCode]; p == nil {
		c.newProv[row.newProvCode] = &unit{level: Province, code: row.newProvCode, name: pname, kind: pkind, prov: row.newProvCode, from: Reform}
	} else if p.name != pname {
		return fmt.Errorf("line %d: new province %s is named both %q and %q", row.line, row.newProvCode, p.name, pname)
	}
	name := row.newName
	if rest, ok := strings.CutPrefix(name, "Xa "); ok {
		name = "Xã " + rest
		c.note(ConvFile, row.line, row.newCode, fmt.Sprintf("new commune name %q", row.newName), fmt.Sprintf("written %q", name))
	}
	name, kind, ok := kindOf(name, newComKinds)
	if !ok {
		return fmt.Errorf("line %d: new commune %q has no known kind", row.line, row.newName)
	}
	if u := c.newCom[row.newCode]; u == nil {
		c.newCom[row.newCode] = &unit{level: Commune, code: row.newCode, kind: kind, prov: row.newProvCode, from: Reform}
		c.newNames[row.newCode] = map[string]int{}
	} else if u.prov != row.newProvCode {
		return fmt.Errorf("line %d: new commune %s is in both province %s and %s", row.line, row.newCode, u.prov, row.newProvCode)
	} else if u.kind != kind {
		return fmt.Errorf("line %d: new commune %s is both a %s and a %s", row.line, row.newCode, u.kind, kind)
	}
	if c.newNames[row.newCode][name] == 0 {
		c.newNameSeq[row.newCode] = append(c.newNameSeq[row.newCode], name)
	}
	c.newNames[row.newCode][name]++
	return nil
}

// settleNewNames picks one name per new commune: the spelling used by most
// of its rows (the first one seen on a tie).
func (c *cleaner) settleNewNames() error {
	for code, u := range c.newCom {
		seq := c.newNameSeq[code]
		best := seq[0]
		for _, n := range seq[1:] {
			if c.newNames[code][n] > c.newNames[code][best] {
				best = n
			}
		}
		u.name = best
		if len(seq) > 1 {
			var parts []string
			for _, n := range seq {
				parts = append(parts, fmt.Sprintf("%q ×%d", n, c.newNames[code][n]))
			}
			c.note(ConvFile, 0, code, "new commune spelt differently in its rows: "+strings.Join(parts, ", "),
				fmt.Sprintf("kept %q", best))
		}
	}
	return nil
}

// reconcile attaches every data row to an old unit. The January list is the
// authority for old units; the conversion table's old names only help to
// detect a wrong old code.
func (c *cleaner) reconcile() error {
	byCode := map[string][]*convRow{}
	for _, r := range c.rows {
		if r.oldCode != "" {
			byCode[r.oldCode] = append(byCode[r.oldCode], r)
		}
	}
	// otherRowsKeep reports whether code keeps at least one row other than
	// r whose old name agrees with the January name, so that moving r away
	// does not leave that unit without a successor.
	otherRowsKeep := func(code string, r *convRow) bool {
		ju := c.oldCom[code]
		for _, o := range byCode[code] {
			if o != r && Fold(o.oldName) == Fold(ju.name) {
				return true
			}
		}
		return false
	}
	for _, r := range c.rows {
		if r.oldCode == "" {
			if err := c.codelessRow(r); err != nil {
				return err
			}
			continue
		}
		d := c.oldDist[r.distCode]
		if d == nil {
			return fmt.Errorf("%s line %d: old district %s (%s) is not in the January list", ConvFile, r.line, r.distCode, r.distName)
		}
		if d.prov != r.provCode {
			c.note(ConvFile, r.line, r.oldCode, fmt.Sprintf("old province given as %q (%s) but district %s belongs to %s (%s)", r.provName, r.provCode, r.distCode, c.oldProv[d.prov].name, d.prov),
				"province taken from the January list")
		}
		ju, inJan := c.oldCom[r.oldCode]
		if inJan && ju.from == "" && Fold(ju.name) == Fold(r.oldName) {
			if ju.dist != r.distCode {
				c.note(ConvFile, r.line, r.oldCode, fmt.Sprintf("old district given as %s but the January list has %s", r.distCode, ju.dist), "district taken from the January list")
			}
			r.target = r.oldCode
			continue
		}
		cands := c.janByName[r.distCode+"|"+Fold(r.oldName)]
		switch {
		case len(cands) == 1 && cands[0] != r.oldCode && (!inJan || otherRowsKeep(r.oldCode, r)):
			r.target = cands[0]
			c.stats.RepointedRows++
			what := "is not in the January list"
			if inJan {
				what = fmt.Sprintf("is %q in the January list", ju.name)
			}
			c.note(ConvFile, r.line, r.oldCode, fmt.Sprintf("old commune %q has code %s, which %s", r.oldName, r.oldCode, what),
				fmt.Sprintf("attached to %s %q, the only commune of that name in district %s", cands[0], c.oldCom[cands[0]].name, r.distCode))
		case inJan && ju.from == "":
			r.target = r.oldCode
			c.stats.NameDiffers++
			c.note(ConvFile, r.line, r.oldCode, fmt.Sprintf("old name %q differs from the January name %q", r.oldName, ju.name),
				"code trusted, January name kept (spelling variant or renamed before 1 July 2025)")
		default:
			// A commune created after 4 January 2025 and abolished on 1 July.
			name, kind, ok := kindOf(r.oldName, oldComKinds)
			if !ok {
				return fmt.Errorf("%s line %d: old commune %q has no known kind", ConvFile, r.line, r.oldName)
			}
			if u := c.oldCom[r.oldCode]; u != nil {
				if u.name != name || u.dist != r.distCode {
					return fmt.Errorf("%s line %d: interim commune %s is both %q in %s and %q in %s", ConvFile, r.line, r.oldCode, u.name, u.dist, name, r.distCode)
				}
			} else {
				c.oldCom[r.oldCode] = &unit{level: Commune, code: r.oldCode, name: name, kind: kind, prov: d.prov, dist: r.distCode, from: InterimFrom, to: OldTo}
				c.stats.InterimCommunes++
				c.note(ConvFile, r.line, r.oldCode, fmt.Sprintf("old commune %q (%s) is not in the January list and no January commune of district %s has that name", r.oldName, r.oldCode, r.distCode),
					"added as an old-era commune valid from "+InterimFrom+" (created between the two snapshots)")
			}
			r.target = r.oldCode
		}
	}

	// Old communes that no row names by code: look for rows in the same
	// district that name them (the row's own code then belonged to another
	// commune, or was re-used by a commune merged before 1 July 2025).
	has := map[string]bool{}
	for _, r := range c.rows {
		if r.target != "" {
			has[r.target] = true
		}
	}
	byName := map[string][]*convRow{}
	for _, r := range c.rows {
		if r.oldCode != "" {
			k := r.distCode + "|" + Fold(r.oldName)
			byName[k] = append(byName[k], r)
		}
	}
	for _, code := range sortedKeys(c.oldCom) {
		u := c.oldCom[code]
		if has[code] {
			continue
		}
		k := u.dist + "|" + Fold(u.name)
		if len(c.janByName[k]) != 1 || len(byName[k]) == 0 {
			continue
		}
		c.stats.NameMatched++
		for _, r := range byName[k] {
			c.succs = append(c.succs, succ{old: code, new: r.newCode, kind: r.kind, allResidents: r.allResidents, note: r.note})
			other := "not in the January list"
			if o := c.oldCom[r.oldCode]; o != nil {
				other = fmt.Sprintf("%q in the January list", o.name)
			}
			c.note(ConvFile, r.line, code, fmt.Sprintf("no row has code %s (%s); this row names a commune %q with code %s (%s)", code, u.name, r.oldName, r.oldCode, other),
				fmt.Sprintf("%s also given successor %s (%s), matched by name within district %s", code, r.newCode, r.kind, u.dist))
		}
	}
	for _, r := range c.rows {
		if r.target != "" {
			c.succs = append(c.succs, succ{old: r.target, new: r.newCode, kind: r.kind, allResidents: r.allResidents, note: r.note})
		}
	}
	return c.settleCommuneSuccessions()
}

// codelessRow handles rows without an old commune code: island districts
// rearranged into special zones, and land that was not a commune.
func (c *cleaner) codelessRow(r *convRow) error {
	lower := strings.ToLower(r.note)
	switch {
	case strings.HasPrefix(lower, "sắp xếp toàn bộ huyện"):
		d := c.oldDist[r.distCode]
		if d == nil || !c.islands[r.distCode] {
			return fmt.Errorf("%s line %d: district %s rearranged as a whole but it is not a district without communes", ConvFile, r.line, r.distCode)
		}
		if d.prov != r.provCode {
			c.note(ConvFile, r.line, r.distCode, fmt.Sprintf("old province given as %q (%s) but district %s belongs to %s (%s)", r.provName, r.provCode, r.distCode, c.oldProv[d.prov].name, d.prov),
				"province taken from the January list")
		}
		c.succs = append(c.succs, succ{old: r.distCode, new: r.newCode, kind: Whole, note: r.note})
		return nil
	case r.oldName != "":
		c.note(ConvFile, r.line, r.newCode, fmt.Sprintf("old unit %q has no code: it was not a commune", r.oldName),
			"no succession recorded; the new commune keeps its other predecessors")
		return nil
	}
	return fmt.Errorf("%s line %d: row without old code or old name", ConvFile, r.line)
}

// settleCommuneSuccessions merges duplicate links and makes the kinds
// consistent: an old commune with several successors is partial in all of
// them, whatever each row says.
func (c *cleaner) settleCommuneSuccessions() error {
	type key struct{ old, new string }
	merged := map[key]*succ{}
	var order []key
	for _, s := range c.succs {
		k := key{s.old, s.new}
		if m := merged[k]; m != nil {
			c.stats.Duplicates++
			c.note(ConvFile, 0, s.old, fmt.Sprintf("succession %s -> %s listed twice (%q, %q)", s.old, s.new, m.note, s.note), "merged into one link")
			if m.kind != s.kind {
				m.kind = Partial
			}
			m.allResidents = m.allResidents || s.allResidents
			if m.note != s.note {
				m.note += "; " + s.note
			}
			continue
		}
		cp := s
		merged[k] = &cp
		order = append(order, k)
	}
	byOld := map[string][]*succ{}
	preds := map[string]int{}
	for _, k := range order {
		byOld[k.old] = append(byOld[k.old], merged[k])
		if len(k.old) == 5 {
			preds[k.new]++
		}
	}
	c.succs = c.succs[:0]
	for _, old := range sortedKeys(byOld) {
		ss := byOld[old]
		if len(ss) > 1 {
			changed := false
			for _, s := range ss {
				if s.kind != Partial {
					s.kind = Partial
					changed = true
				}
			}
			if changed {
				c.stats.WholeToPartial++
				c.note(ConvFile, 0, old, fmt.Sprintf("listed whole or unchanged but has %d successors", len(ss)), "all its links made partial")
			}
		}
		if len(ss) == 1 && ss[0].kind == Partial {
			c.note(ConvFile, 0, old, "partial but only one successor is listed", "kept partial (the rest of its land went to no commune in the table)")
		}
		for _, s := range ss {
			if s.kind == Unchanged && (s.new != s.old || preds[s.new] != 1) {
				s.kind = Whole
				c.note(ConvFile, 0, old, "unchanged but the new commune has another code or other predecessors", "made whole")
			}
			if s.kind == Unchanged {
				c.stats.Unchanged++
			}
			c.succs = append(c.succs, *s)
		}
	}
	return nil
}

// derive adds the district- and province-level successions, computed from
// the communes (and the island districts' special zones).
func (c *cleaner) derive() error {
	commTargets := map[string][]string{} // old unit -> new communes
	for _, s := range c.succs {
		commTargets[s.old] = append(commTargets[s.old], s.new)
	}
	provOf := func(newCom string) string { return c.newCom[newCom].prov }
	distProvs := map[string]map[string]bool{}
	provProvs := map[string]map[string]bool{}
	add := func(m map[string]map[string]bool, k, v string) {
		if m[k] == nil {
			m[k] = map[string]bool{}
		}
		m[k][v] = true
	}
	orphans := 0
	for code, u := range c.oldCom {
		ts := commTargets[code]
		if len(ts) == 0 {
			orphans++
			c.note(JanFile, 0, code, fmt.Sprintf("old commune %q (district %s) has no row in the conversion table", u.name, u.dist),
				"no successor recorded: Resolve returns no current unit")
		}
		for _, t := range ts {
			add(distProvs, u.dist, provOf(t))
			add(provProvs, u.prov, provOf(t))
		}
	}
	for code := range c.islands {
		for _, t := range commTargets[code] {
			add(distProvs, code, provOf(t))
			add(provProvs, c.oldDist[code].prov, provOf(t))
		}
	}
	c.stats.OrphanCommunes = orphans
	provPreds := map[string]int{}
	for _, ps := range provProvs {
		for p := range ps {
			provPreds[p]++
		}
	}
	for _, code := range sortedKeys(c.oldDist) {
		ps := sortedKeys(distProvs[code])
		if len(ps) == 0 {
			return fmt.Errorf("old district %s has no successor province", code)
		}
		for _, p := range ps {
			kind := Whole
			if len(ps) > 1 {
				kind = Partial
			}
			c.succs = append(c.succs, succ{old: code, new: p, kind: kind, note: "derived from its communes"})
		}
	}
	for _, code := range sortedKeys(c.oldProv) {
		ps := sortedKeys(provProvs[code])
		if len(ps) == 0 {
			return fmt.Errorf("old province %s has no successor province", code)
		}
		for _, p := range ps {
			kind := Whole
			switch {
			case len(ps) > 1:
				kind = Partial
			case p == code && c.newProv[p].name == c.oldProv[code].name && provPreds[p] == 1:
				kind = Unchanged
			}
			c.succs = append(c.succs, succ{old: code, new: p, kind: kind, note: "derived from its communes"})
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (c *cleaner) output() *Output {
	var units []*unit
	for _, m := range []map[string]*unit{c.oldProv, c.oldDist, c.oldCom, c.newProv, c.newCom} {
		for _, k := range sortedKeys(m) {
			units = append(units, m[k])
		}
	}
	var ub bytes.Buffer
	w := csv.NewWriter(&ub)
	w.Write([]string{"level", "code", "name", "kind", "province_code", "district_code", "valid_from", "valid_to"})
	for _, u := range units {
		w.Write([]string{u.level, u.code, u.name, u.kind, u.prov, u.distOf(), u.from, u.to})
	}
	w.Flush()

	slices.SortStableFunc(c.succs, func(a, b succ) int {
		if n := len(a.old) - len(b.old); n != 0 {
			return n
		}
		if n := strings.Compare(a.old, b.old); n != 0 {
			return n
		}
		return strings.Compare(a.new, b.new)
	})
	var sb bytes.Buffer
	w = csv.NewWriter(&sb)
	w.Write([]string{"on", "old_code", "new_code", "kind", "all_residents", "note"})
	for _, s := range c.succs {
		all := ""
		if s.allResidents {
			all = "true"
		}
		w.Write([]string{Reform, s.old, s.new, s.kind, all, s.note})
		if len(s.old) == 5 {
			c.stats.CommuneSuccessions++
		}
	}
	w.Flush()

	slices.SortStableFunc(c.anomalies, func(a, b anomaly) int {
		if n := strings.Compare(a.file, b.file); n != 0 {
			return n
		}
		if a.line != b.line {
			return a.line - b.line
		}
		return strings.Compare(a.code, b.code)
	})
	var ab bytes.Buffer
	w = csv.NewWriter(&ab)
	w.Write([]string{"file", "line", "code", "issue", "action"})
	for _, a := range c.anomalies {
		line := ""
		if a.line > 0 {
			line = fmt.Sprint(a.line)
		}
		w.Write([]string{a.file, line, a.code, a.issue, a.action})
	}
	w.Flush()

	s := &c.stats
	s.OldProvinces, s.OldDistricts, s.OldCommunes = len(c.oldProv), len(c.oldDist), len(c.oldCom)
	s.IslandDistricts = len(c.islands)
	s.NewProvinces, s.NewCommunes = len(c.newProv), len(c.newCom)
	return &Output{
		Files: map[string][]byte{UnitsFile: ub.Bytes(), SuccessionsFile: sb.Bytes(), AnomaliesFile: ab.Bytes()},
		Stats: *s,
	}
}

func (u *unit) distOf() string {
	if u.level == Commune {
		return u.dist
	}
	return ""
}
