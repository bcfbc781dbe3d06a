package dedup

import (
	"bytes"
	"math"
	"strings"

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
}

// pname is a parsed personal name. Parsing allocates nothing beyond Fold.
type pname struct {
	fold  string
	ascii bool // raw carries no diacritics at all
	n     int
	toks  [maxTokens]token
	clen  int
	canon [128]byte
}

// parse fills p from the name raw and its fold (Fold(raw), passed when the
// caller already has it, or "" to compute it).
func (p *pname) parse(raw, fold string) {
	if fold == "" && raw != "" {
		fold = vntext.Fold(raw)
	}
	p.fold, p.n, p.clen = fold, 0, 0
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
	// One slip apart: in the matching forms, or in the folds (a slip in a
	// name that has a variant: "Hutnh" for Huỳnh). Short parts one slip
	// apart are often two names (Hà/Hạnh, Pó/Páo) unless the slip broke
	// the shape of a syllable ("Ln", "Yn").
	fa, fb := a.fTok(i), b.fTok(j)
	if osaDistance(ca, cb) > 1 && osaDistance([]byte(fa), []byte(fb)) > 1 {
		return relDiff
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
	var m map[string]float64
	switch kind {
	case partSurname:
		m = surnameShare
	case partMiddle:
		m = middleShare
	default:
		m = givenShare
	}
	_, okA := m[string(a)]
	_, okB := m[string(b)]
	return okA && okB
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
	variantSurname                       bool // Huỳnh/Hoàng or Võ/Vũ in the surname
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
