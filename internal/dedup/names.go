package dedup

import (
	"bytes"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dancu/internal/vntext"
)

// maxTokens bounds the parts of a name that are compared; a Vietnamese name
// has two to five. The rest of an absurdly long name is ignored.
const maxTokens = 8

// token is one part of a parsed name: fold[f0:f1] is its folded form,
// canon[c0:c1] its matching form (see appendCanon).
type token struct {
	f0, f1, c0, c1 uint8
	// variant reports whether a spelling variant was mapped (Huỳnh to Hoàng).
	variant bool
	// broken reports whether the part as written, diacritics included,
	// breaks the rules of Kinh spelling: it ends in a vowel that needs a
	// final ("Tâ", "Yê", "Luâ"). Names of other peoples may (the Ê Đê
	// Niê, the Gia Rai Kpă), so it says something only of a part that is
	// another with a letter lost.
	broken bool
}

// pname is a parsed personal name. Parsing allocates nothing beyond Fold.
type pname struct {
	raw   string
	fold  string
	ascii bool // raw carries no diacritics at all
	// marked reports whether the tokens' broken flags are set (markBroken,
	// done only when a comparison needs them).
	marked bool
	n      int
	toks   [maxTokens]token
	clen   int
	canon  [128]byte
}

// parse fills p from the name raw and its fold (Fold(raw), passed when the
// caller already has it, or "" to compute it).
func (p *pname) parse(raw, fold string) {
	if fold == "" && raw != "" {
		fold = vntext.Fold(raw)
	}
	p.raw, p.fold, p.n, p.clen, p.marked = raw, fold, 0, 0, false
	p.ascii = isASCII(raw)
	f := fold
	if len(f) > 255 {
		f = f[:255]
	}
	for start := 0; start < len(f) && p.n < maxTokens; {
		end := strings.IndexByte(f[start:], ' ')
		if end < 0 {
			end = len(f)
		} else {
			end += start
		}
		c0 := p.clen
		out, variant := appendCanon(p.canon[:p.clen:len(p.canon)], f[start:end])
		if len(out) > len(p.canon) || &out[0] != &p.canon[0] {
			break // does not fit: ignore the rest of the name
		}
		p.clen = len(out)
		p.toks[p.n] = token{f0: uint8(start), f1: uint8(end), c0: uint8(c0), c1: uint8(p.clen), variant: variant}
		p.n++
		start = end + 1
	}
}

// broken reports whether part i breaks the rules of Kinh spelling as
// written (see token.broken).
func (p *pname) broken(i int) bool {
	if !p.marked {
		p.marked = true
		if !p.ascii {
			p.markBroken(p.raw)
		}
	}
	return p.toks[i].broken
}

// markBroken sets the broken flag of the parts of raw, read as Fold splits
// them; when the parts do not line up with the fold's, none is marked.
func (p *pname) markBroken(raw string) {
	var broken [maxTokens]bool
	n := 0      // parts seen
	in := false // inside a part
	// The last two letters of the part, with the combining marks that
	// followed them (NFD input); classified only at the part's end.
	var prev, last rune
	var prevMods, lastMods uint8
	end := func() {
		if in && n <= maxTokens && openNucleus(letterOf(prev).withMods(prevMods), letterOf(last).withMods(lastMods)) {
			broken[n-1] = true
		}
		in = false
	}
	for _, r := range raw {
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'),
			r >= utf8.RuneSelf && !unicode.Is(unicode.Mn, r) && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if !in {
				in, n = true, n+1
				last, lastMods = 0, 0
			}
			prev, prevMods, last, lastMods = last, lastMods, r, 0
		case r >= utf8.RuneSelf && unicode.Is(unicode.Mn, r): // a combining mark on the last letter
			if in {
				lastMods = vletter{mods: lastMods}.with(r).mods
			}
		case isApostropheRune(r):
		default:
			end()
		}
	}
	end()
	if n != p.n {
		return
	}
	for i := range p.n {
		p.toks[i].broken = broken[i]
	}
}

// vletter is a letter as far as the shape of a syllable cares: its base
// (lower-case ASCII, đ as d, 0 for anything else) and its vowel marks
// (circumflex, breve, horn; tones do not matter).
type vletter struct {
	base byte
	mods uint8
}

const (
	modCircumflex = 1 << iota
	modBreve
	modHorn
)

func (l vletter) with(m rune) vletter {
	switch m {
	case '\u0302':
		l.mods |= modCircumflex
	case '\u0306':
		l.mods |= modBreve
	case '\u031B':
		l.mods |= modHorn
	}
	return l
}

func (l vletter) withMods(m uint8) vletter {
	l.mods |= m
	return l
}

func letterOf(r rune) vletter {
	if r == 0 {
		return vletter{}
	}
	if r < utf8.RuneSelf {
		c := byte(r)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return vletter{base: c}
	}
	if r == 'đ' || r == 'Đ' {
		return vletter{base: 'd'}
	}
	var buf [utf8.UTFMax]byte
	d := norm.NFD.Properties(buf[:utf8.EncodeRune(buf[:], r)]).Decomposition()
	if len(d) == 0 {
		return vletter{}
	}
	b, size := utf8.DecodeRune(d)
	l := letterOf(b)
	if b >= utf8.RuneSelf {
		l = vletter{}
	}
	for d = d[size:]; len(d) > 0; d = d[size:] {
		var m rune
		m, size = utf8.DecodeRune(d)
		l = l.with(m)
	}
	return l
}

// openNucleus reports whether a part ending in the letters prev, last
// ends in a vowel that Vietnamese spelling never leaves without a final:
// â and ă, and the diphthongs iê/yê, uô, ươ (Tân, Yến, Luân, Muộn and
// Phương have one; Tâ, Yê, Luâ, Muô, Phươ do not exist).
func openNucleus(prev, last vletter) bool {
	switch {
	case last.base == 'a' && last.mods&(modCircumflex|modBreve) != 0:
		return true
	case last.base == 'e' && last.mods&modCircumflex != 0:
		return (prev.base == 'i' || prev.base == 'y') && prev.mods == 0
	case last.base == 'o' && last.mods&modCircumflex != 0:
		return prev.base == 'u' && prev.mods == 0
	case last.base == 'o' && last.mods&modHorn != 0:
		return prev.base == 'u' && prev.mods&modHorn != 0
	}
	return false
}

// isApostropheRune reports whether r is dropped by Fold inside a part (the
// apostrophe of "H'Hen" and the characters typed for it).
func isApostropheRune(r rune) bool {
	switch r {
	case '\'', '`', '\u00B4', '\u02B9', '\u02BB', '\u02BC', '\u02BD', '\u02BE', '\u02BF', '\u02C8',
		'\u2018', '\u2019', '\u201B', '\u2032', '\u2035', '\uFF07':
		return true
	}
	return false
}

func (p *pname) fTok(i int) string { t := &p.toks[i]; return p.fold[t.f0:t.f1] }
func (p *pname) cTok(i int) []byte { t := &p.toks[i]; return p.canon[t.c0:t.c1] }

// joined returns the matching forms of all tokens run together, in b.
func (p *pname) joined(b []byte) []byte {
	for i := 0; i < p.n; i++ {
		b = append(b, p.cTok(i)...)
	}
	return b
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// appendCanon appends to dst the matching form of the folded token tok:
//
//   - Remnants of Vietnamese keyboard input typed with the input method off
//     are removed: VNI's digits ("Nguye6n4"), Telex's tone and vowel keys
//     f j z anywhere and s r x after the first letter ("Nguyeenx",
//     "Traanf"; no Vietnamese syllable has f, j, w or z, and s, r, x only
//     begin one, r also in "tr"), Telex's w dropped after a, o, u (ă ơ ư:
//     "Vawn") and read as u elsewhere (a bare w types ư: "Ddwcs" is Đức);
//     a letter typed twice is kept once (Telex
//     "aa" "ee" "oo" "dd", and slips like "Hươngg"), except "uu", which
//     is the fold of "ưu" (Lưu, Hữu).
//   - Spelling variants are mapped: the surnames Huỳnh to Hoàng and Võ to
//     Vũ (the southern and northern forms of one name), and a final y that
//     is the syllable's only vowel to i (Vy/Vi, Lý/Lí, Mỹ/Mĩ, Kỳ/Kì, Quý/Quí;
//     not Thúy/Thúi, where y follows another vowel).
//
// The form is only ever compared: equality under it is evidence of a
// typing slip or variant, inequality proves nothing. variant reports
// whether a variant was mapped. Tokens with letters outside ASCII (other
// scripts) are kept as they are.
func appendCanon(dst []byte, tok string) (out []byte, variant bool) {
	start := len(dst)
	if !isASCII(tok) {
		return append(dst, tok...), false
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case '0' <= c && c <= '9':
			continue
		case c == 'w':
			// Telex: "aw" "ow" "uw" are ă ơ ư, a bare "w" is ư.
			if len(dst) > start {
				if p := dst[len(dst)-1]; p == 'a' || p == 'o' || p == 'u' {
					continue
				}
			}
			c = 'u'
		case c == 'f' || c == 'j' || c == 'z':
			continue
		case (c == 's' || c == 'x') && i > 0:
			continue
		case c == 'r' && i > 0 && !(i == 1 && tok[0] == 't'):
			continue
		}
		if len(dst) > start && dst[len(dst)-1] == c && c != 'u' {
			continue
		}
		dst = append(dst, c)
	}
	if len(dst) == start { // nothing but remnants: keep the token
		dst = append(dst, tok...)
	}
	w := dst[start:]
	switch string(w) {
	case "huynh":
		return append(dst[:start], "hoang"...), true
	case "vo":
		return append(dst[:start], "vu"...), true
	}
	if n := len(w); n >= 1 && w[n-1] == 'y' && onsetOnly(w[:n-1]) {
		w[n-1] = 'i'
		variant = true
	}
	return dst, variant
}

// onsetOnly reports whether b is an initial consonant cluster (possibly
// empty), "qu" included.
func onsetOnly(b []byte) bool {
	if string(b) == "qu" {
		return true
	}
	for _, c := range b {
		if isVowel(c) {
			return false
		}
	}
	return true
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// rel is how two name parts relate, from the closest to the farthest.
type rel uint8

const (
	relSame    rel = iota // equal folds: the same up to case and diacritics
	relClean              // equal once keyboard remnants and doubled letters are removed
	relVariant            // spelling variants of each other (Huỳnh/Hoàng, Vy/Vi)
	relTypo               // one slip apart, and not two different names in use
	relDiff               // different
)

// partKind says which table of known parts applies to a position.
type partKind uint8

const (
	partSurname partKind = iota
	partMiddle
	partGiven
)

// tokRel relates token i of a to token j of b, both at position kind.
func tokRel(a *pname, i int, b *pname, j int, kind partKind) rel {
	if a.fTok(i) == b.fTok(j) {
		return relSame
	}
	ca, cb := a.cTok(i), b.cTok(j)
	if bytes.Equal(ca, cb) {
		if a.toks[i].variant || b.toks[j].variant {
			return relVariant
		}
		return relClean
	}
	// Initial consonants that sound alike are written for each other
	// (Lan/Nan, Sương/Xương, Trang/Chang, Dũng/Giũng/Vũng): a slip even
	// between two names in use, for parents do not give twins names that
	// sound the same.
	if soundAlike(ca, cb) {
		return relTypo
	}
	// One slip apart: in the matching forms, or in the folds (a slip in a
	// name that has a variant: "Hutnh" for Huỳnh). Short parts one slip
	// apart are often two names (Hà/Hạnh, Pó/Páo) unless the slip broke
	// the shape of a syllable ("Ln", "Yn").
	fa, fb := a.fTok(i), b.fTok(j)
	if osaDistance(ca, cb) > 1 && osaDistance([]byte(fa), []byte(fb)) > 1 {
		return relDiff
	}
	// A part that is the other without its last letter was cut short (a
	// full field, a key not pressed) when what is left is no name in use:
	// not one the tables know (Ki for Kim, La for Lan), or not a syllable as
	// written (Châ for Châu, Tuâ for Tuân). Hà and Hân, Phú and Phúc are two
	// names.
	if short, ok := lostLast(ca, cb); ok {
		brokenShort := a.broken(i)
		if len(cb) < len(ca) {
			brokenShort = b.broken(j)
		}
		if brokenShort || !known(short, kind) {
			return relTypo
		}
	}
	if min(len(ca), len(cb)) < 3 && isSyllable(ca) && isSyllable(cb) {
		return relDiff
	}
	// Two names both in use are two names (Khang/Khanh, Thu/Thuy,
	// Phạm/Phan), not a slip.
	if bothKnown(ca, cb, kind) {
		return relDiff
	}
	return relTypo
}

func bothKnown(a, b []byte, kind partKind) bool {
	return known(a, kind) && known(b, kind)
}

// known reports whether the matching form c is a name in use at a
// position, as far as the tables of shares know.
func known(c []byte, kind partKind) bool {
	var m map[string]float64
	switch kind {
	case partSurname:
		m = surnameShare
	case partMiddle:
		m = middleShare
	default:
		m = givenShare
	}
	_, ok := m[string(c)]
	return ok
}

// lostLast reports whether one of a and b is the other without its last
// letter, and returns the shorter.
func lostLast(a, b []byte) (short []byte, ok bool) {
	if len(a) > len(b) {
		a, b = b, a
	}
	return a, len(a) > 0 && len(b) == len(a)+1 && bytes.HasPrefix(b, a)
}

// osaDistance returns the optimal string alignment distance of a and b
// (insertions, deletions, substitutions and transpositions of neighbours),
// or 2 when it is more than 1.
func osaDistance(a, b []byte) int {
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la > 1 {
		return 2
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if i == la {
		return lb - la // equal, or one letter added at the end
	}
	if la == lb {
		// substitution at i, or transposition of i and i+1
		if string(a[i+1:]) == string(b[i+1:]) {
			return 1
		}
		if i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:]) {
			return 1
		}
		return 2
	}
	// b has one letter more: skip it
	if string(a[i:]) == string(b[i+1:]) {
		return 1
	}
	return 2
}

// order says how the parts of two names line up.
type order uint8

const (
	orderKinh     order = iota // surname first, given name last in both
	orderRotated               // the same parts, one name rotated (given name first, surname last)
	orderShuffled              // the same parts in another order
	orderSpacing               // the same letters, split into parts differently
)

// nameKind summarises a name comparison.
type nameKind uint8

const (
	nameMatch       nameKind = iota // the same name, up to slips, variants, order and missing middle names
	nameDiffGiven                   // the given names differ
	nameDiffMiddle                  // the given names agree, the middle names conflict
	nameDiffSurname                 // only the surnames differ
	nameOnlyGiven                   // the given names agree, the surnames and middle names conflict
	nameEmpty                       // a name is missing
)

// nameCmp is the outcome of comparing two names.
type nameCmp struct {
	kind     nameKind
	order    order
	sur, giv rel
	// worst is the farthest relation among the parts paired, middle names
	// included.
	worst rel
	// midTypos counts middle parts one slip apart; midMissing the middle
	// parts of one name absent from the other, midMissingWeak those of them
	// that are Thị or Văn.
	midTypos, midMissing, midMissingWeak int
	// surSound and givSound report whether the surname's or the given
	// name's slip is a sound-alike initial; midSound counts the middle
	// slips that are.
	surSound, givSound bool
	midSound           int
	variantSurname     bool // Huỳnh/Hoàng or Võ/Vũ in the surname
	// clean and variant report whether some paired parts are equal only
	// once keyboard remnants are removed, or only as spelling variants.
	clean, variant bool
}

// note records a pairing of two parts in the summary.
func (m *nameCmp) note(r rel) {
	m.worst = max(m.worst, r)
	switch r {
	case relClean:
		m.clean = true
	case relVariant:
		m.variant = true
	}
}

// compareNames compares two parsed names.
func compareNames(a, b *pname) nameCmp {
	if a.n == 0 || b.n == 0 {
		return nameCmp{kind: nameEmpty}
	}
	m := kinh(a, b)
	if m.kind == nameMatch {
		return m
	}
	var ja, jb [128]byte
	if equalWithoutSpaces(a.fold, b.fold) || bytes.Equal(a.joined(ja[:0]), b.joined(jb[:0])) {
		return nameCmp{kind: nameMatch, order: orderSpacing, worst: relClean, clean: true}
	}
	if p, ok := shuffled(a, b); ok {
		return p
	}
	return m
}

// kinh compares names read in the Kinh order: surname, middle names, given
// name. A one-part name is read as a given name alone.
func kinh(a, b *pname) nameCmp {
	var m nameCmp
	if a.n == 1 || b.n == 1 {
		m.giv = tokRel(a, a.n-1, b, b.n-1, partGiven)
		m.sur = relSame
		m.midMissing = max(a.n, b.n) - 1
	} else {
		m.sur = tokRel(a, 0, b, 0, partSurname)
		m.giv = tokRel(a, a.n-1, b, b.n-1, partGiven)
		m.variantSurname = m.sur == relVariant
		m.note(m.sur)
		middles(a, b, &m)
	}
	m.note(m.giv)
	m.givSound = m.giv == relTypo && soundAlike(a.cTok(a.n-1), b.cTok(b.n-1))
	m.surSound = a.n > 1 && b.n > 1 && m.sur == relTypo && soundAlike(a.cTok(0), b.cTok(0))
	switch {
	case m.giv == relDiff:
		m.kind = nameDiffGiven
	case m.midMissing < 0 && m.sur == relDiff:
		m.kind = nameOnlyGiven
		m.midMissing = 0
	case m.midMissing < 0: // set by middles on a conflict
		m.kind = nameDiffMiddle
		m.midMissing = 0
	case m.sur == relDiff:
		m.kind = nameDiffSurname
	default:
		m.kind = nameMatch
	}
	return m
}

// middles pairs, in order, the middle parts of a and b, recording in m the
// parts missing from one name and the slips; a part of the shorter middle
// left unpaired is a conflict, marked by m.midMissing = -1.
func middles(a, b *pname, m *nameCmp) {
	// Middle parts are tokens 1..n-2.
	na, nb := a.n-2, b.n-2
	if na == 0 && nb == 0 {
		return
	}
	short, long, ns, nl := a, b, na, nb
	if na > nb {
		short, long, ns, nl = b, a, nb, na
	}
	// Dynamic programming over an in-order pairing maximising the number
	// of pairs, then their closeness. Sizes are at most maxTokens-2.
	const w = maxTokens - 1
	var best [w][w]int
	var rels [w][w]rel
	for i := ns; i >= 0; i-- {
		for j := nl; j >= 0; j-- {
			if i == ns || j == nl {
				best[i][j] = 0
				if i < ns { // parts of the short middle left: impossible to pair all
					best[i][j] = -1000 * (ns - i)
				}
				continue
			}
			r := tokRel(short, 1+i, long, 1+j, partMiddle)
			rels[i][j] = r
			v := best[i][j+1] // skip long[j]
			if r != relDiff {
				if p := best[i+1][j+1] + 10 - int(r); p > v {
					v = p
				}
			} else if p := best[i+1][j+1] - 1000; p > v {
				v = p
			}
			best[i][j] = v
		}
	}
	// Walk the choices.
	i, j := 0, 0
	for i < ns && j < nl {
		r := rels[i][j]
		if r != relDiff && best[i][j] == best[i+1][j+1]+10-int(r) {
			if r == relTypo {
				m.midTypos++
				if soundAlike(short.cTok(1+i), long.cTok(1+j)) {
					m.midSound++
				}
			}
			m.note(r)
			i, j = i+1, j+1
			continue
		}
		if best[i][j] == best[i][j+1] {
			m.midMissing++
			if weakMiddle(long.cTok(1 + j)) {
				m.midMissingWeak++
			}
			j++
			continue
		}
		// short[i] pairs with nothing: a conflict.
		m.midMissing = -1
		return
	}
	if i < ns {
		m.midMissing = -1
		return
	}
	for ; j < nl; j++ {
		m.midMissing++
		if weakMiddle(long.cTok(1 + j)) {
			m.midMissingWeak++
		}
	}
}

// weakMiddle reports whether a middle part is one that officers and forms
// routinely drop: Thị, Văn.
func weakMiddle(c []byte) bool {
	s := string(c)
	return s == "thi" || s == "van"
}

// equalWithoutSpaces reports whether a and b are equal once spaces are
// removed.
func equalWithoutSpaces(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && a[i] == ' ' {
			i++
		}
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i, j = i+1, j+1
	}
}

// shuffled compares the names as bags of parts: every part of each paired
// with a part of the other at most a variant apart, in another order.
func shuffled(a, b *pname) (nameCmp, bool) {
	if a.n != b.n || a.n < 2 {
		return nameCmp{}, false
	}
	n := a.n
	var used [maxTokens]bool
	var match [maxTokens]int
	var m nameCmp
	m.kind = nameMatch
	for i := 0; i < n; i++ {
		bestJ, bestR := -1, relDiff
		for j := 0; j < n; j++ {
			if used[j] {
				continue
			}
			if r := tokRel(a, i, b, j, partMiddle); r < bestR {
				bestJ, bestR = j, r
			}
		}
		if bestJ < 0 || bestR > relVariant {
			return nameCmp{}, false
		}
		used[bestJ], match[i] = true, bestJ
		m.note(bestR)
	}
	identity := true
	for i := 0; i < n; i++ {
		identity = identity && match[i] == i
	}
	if identity {
		return nameCmp{}, false // the Kinh reading already said why they differ
	}
	m.order = orderShuffled
	for k := 1; k < n; k++ {
		rotated := true
		for i := 0; i < n; i++ {
			if match[i] != (i+k)%n {
				rotated = false
				break
			}
		}
		if rotated {
			m.order = orderRotated
			break
		}
	}
	return m, true
}

// nameRarity is minus the log of the estimated share of people with the
// name p read in the Kinh order: how surprising it is that two people share
// it. It is bounded to [minRarity, maxRarity].
func nameRarity(p *pname) float64 {
	if p.n == 0 {
		return minRarity
	}
	share := func(m map[string]float64, c []byte, def float64) float64 {
		if v, ok := m[string(c)]; ok {
			return v
		}
		return def
	}
	r := -math.Log(share(givenShare, p.cTok(p.n-1), defaultGivenShare))
	if p.n >= 2 {
		r -= math.Log(share(surnameShare, p.cTok(0), defaultSurnameShare))
	}
	mid := 0.0
	for i := 1; i < p.n-1; i++ {
		mid -= math.Log(share(middleShare, p.cTok(i), defaultMiddleShare))
	}
	r += min(mid, maxMiddleRarity)
	return min(max(r, minRarity), maxRarity)
}

// Bounds of nameRarity: the middle names' share is capped because middle
// names run in families and regions far more than their national shares
// suggest.
const (
	minRarity       = 5.0
	maxRarity       = 12.0
	maxMiddleRarity = 3.0
)

// isSyllable reports whether the matching form c is shaped like one
// Vietnamese syllable: an initial consonant cluster, one to three vowels,
// an allowed final consonant. A typing slip usually breaks the shape
// ("Phượgn", "Qyang", "Trọg"); a different name keeps it (Páo/Pó).
func isSyllable(c []byte) bool {
	s := string(c)
	for _, on := range [...]string{"ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr",
		"b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""} {
		if !strings.HasPrefix(s, on) {
			continue
		}
		rest := s[len(on):]
		if on == "gi" && (rest == "" || !isVowel(rest[0])) {
			rest = s[1:] // g + the vowel i: "gìn"
		}
		v := 0
		for v < len(rest) && isVowel(rest[v]) {
			v++
		}
		if v == 0 || v > 3 {
			return false
		}
		switch rest[v:] {
		case "", "c", "ch", "m", "n", "ng", "nh", "p", "t":
			return true
		}
		return false
	}
	return false
}

// appendSound appends to dst the matching form c with its initial
// consonant replaced by the one it is confused with in speech and writing:
// tr as ch, gi, r and v as d (one sound in the north or in the south), x as
// s, n (not ng or nh) as l. Two parts with the same sound form and
// different spellings sound alike.
func appendSound(dst, c []byte) []byte {
	on, rest := soundSplit(c)
	return append(append(dst, on...), rest...)
}

// soundSplit splits the matching form c into the sound of its initial
// consonant, when it is one of those confused (see appendSound), and the
// rest.
func soundSplit(c []byte) (onset string, rest []byte) {
	switch {
	case len(c) >= 2 && (c[0] == 't' && c[1] == 'r' || c[0] == 'c' && c[1] == 'h'):
		return "ch", c[2:]
	case len(c) >= 2 && c[0] == 'g' && c[1] == 'i':
		if len(c) > 2 && isVowel(c[2]) {
			return "d", c[2:] // gi + vowel: Giang
		}
		return "d", c[1:] // g + the vowel i: Gìn
	case len(c) >= 1 && (c[0] == 'd' || c[0] == 'r' || c[0] == 'v'):
		return "d", c[1:]
	case len(c) >= 1 && (c[0] == 's' || c[0] == 'x'):
		return "s", c[1:]
	case len(c) >= 1 && (c[0] == 'l' || c[0] == 'n' && (len(c) == 1 || c[1] != 'g' && c[1] != 'h')):
		return "l", c[1:]
	}
	return "", c
}

// soundAlike reports whether the matching forms a and b differ and sound
// alike (see appendSound).
func soundAlike(a, b []byte) bool {
	oa, ra := soundSplit(a)
	ob, rb := soundSplit(b)
	return oa != "" && oa == ob && bytes.Equal(ra, rb) && !bytes.Equal(a, b)
}

// initialClass returns the first letter of the matching form c as blocking
// keys file it: letters confused for one another (appendSound; n also
// before g and h) in one class, and c with t, so that tr and ch meet
// whatever slip follows the t ("Turng", "Teung" for Trung).
func initialClass(c []byte) byte {
	if len(c) == 0 {
		return 0
	}
	switch c[0] {
	case 'n':
		return 'l'
	case 'r', 'v':
		return 'd'
	case 'x':
		return 's'
	case 'c':
		return 't'
	case 'g':
		if len(c) >= 2 && c[1] == 'i' {
			return 'd'
		}
	}
	return c[0]
}
