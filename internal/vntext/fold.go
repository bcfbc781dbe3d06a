package vntext

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldKind says what Fold does with a rune.
type foldKind uint8

const (
	foldSep  foldKind = iota // a token boundary
	foldDrop                 // nothing, not even a boundary
	foldKeep                 // the rune(s) r1 (and r2 when not 0)
)

type foldEntry struct {
	r1, r2 rune
	kind   foldKind
}

// Precomputed folds of the ranges that names use, so that the hot path never
// consults the normalisation tables.
var (
	foldLatin [0x370]foldEntry // U+0000..U+036F: Latin, IPA, modifiers, combining diacritics
	foldViet  [0x100]foldEntry // U+1E00..U+1EFF: Latin Extended Additional (ạ ả ấ … ỹ)
	foldPunct [0x70]foldEntry  // U+2000..U+206F: general punctuation
)

func init() {
	for r := range foldLatin {
		foldLatin[r] = foldRuneSlow(rune(r))
	}
	for r := range foldViet {
		foldViet[r] = foldRuneSlow(rune(0x1E00 + r))
	}
	for r := range foldPunct {
		foldPunct[r] = foldRuneSlow(rune(0x2000 + r))
	}
}

func foldRune(r rune) foldEntry {
	switch {
	case r < 0x370:
		return foldLatin[r]
	case 0x1E00 <= r && r < 0x1F00:
		return foldViet[r-0x1E00]
	case 0x2000 <= r && r < 0x2070:
		return foldPunct[r-0x2000]
	}
	return foldRuneSlow(r)
}

// isApostrophe reports whether r is one of the characters typed for the
// apostrophe of names such as "H'Hen".
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u00B4', // ' ` ´
		'\u02B9', '\u02BB', '\u02BC', '\u02BD', '\u02BE', '\u02BF', '\u02C8', // ʹ ʻ ʼ ʽ ʾ ʿ ˈ
		'\u2018', '\u2019', '\u201B', '\u2032', '\u2035', // ‘ ’ ‛ ′ ‵
		'\uFF07': // ＇
		return true
	}
	return false
}

// foldRuneSlow computes the fold of r from the Unicode tables.
func foldRuneSlow(r rune) foldEntry {
	for range 4 {
		if d := decomposition(r); len(d) > 0 {
			r, _ = utf8.DecodeRune(d) // the base; the rest are marks
		}
		switch {
		case isApostrophe(r):
			return foldEntry{kind: foldDrop}
		case r < utf8.RuneSelf:
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				return foldEntry{r1: r, kind: foldKeep}
			case 'A' <= r && r <= 'Z':
				return foldEntry{r1: r + 'a' - 'A', kind: foldKeep}
			}
			return foldEntry{kind: foldSep}
		case 0xFF01 <= r && r <= 0xFF5E: // fullwidth ASCII
			r -= 0xFEE0
			continue
		case unicode.IsSpace(r):
			return foldEntry{kind: foldSep}
		case unicode.In(r, unicode.M, unicode.Cf):
			return foldEntry{kind: foldDrop}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if l := unicode.ToLower(r); l != r {
				r = l
				continue
			}
			switch r {
			case 'đ', 'ð', 'ɖ':
				return foldEntry{r1: 'd', kind: foldKeep}
			case 'ø':
				return foldEntry{r1: 'o', kind: foldKeep}
			case 'ł':
				return foldEntry{r1: 'l', kind: foldKeep}
			case 'ı':
				return foldEntry{r1: 'i', kind: foldKeep}
			case 'ħ':
				return foldEntry{r1: 'h', kind: foldKeep}
			case 'ŧ':
				return foldEntry{r1: 't', kind: foldKeep}
			case 'ß':
				return foldEntry{r1: 's', r2: 's', kind: foldKeep}
			case 'æ':
				return foldEntry{r1: 'a', r2: 'e', kind: foldKeep}
			case 'œ':
				return foldEntry{r1: 'o', r2: 'e', kind: foldKeep}
			case 'þ':
				return foldEntry{r1: 't', r2: 'h', kind: foldKeep}
			}
			return foldEntry{r1: r, kind: foldKeep}
		}
		return foldEntry{kind: foldSep}
	}
	return foldEntry{kind: foldSep}
}

// decomposition returns the canonical (NFD) decomposition of r, or nil.
// Hangul syllables are not decomposed.
func decomposition(r rune) []byte {
	if r < 0xC0 {
		return nil
	}
	var b [utf8.UTFMax]byte
	n := utf8.EncodeRune(b[:], r)
	return norm.NFD.Properties(b[:n]).Decomposition()
}

// Hangul conjoining jamo, composed by Fold as NFC would.
const (
	hangulSBase  = 0xAC00
	hangulLBase  = 0x1100
	hangulVBase  = 0x1161
	hangulTBase  = 0x11A7
	hangulLCount = 19
	hangulVCount = 21
	hangulTCount = 28
	hangulNCount = hangulVCount * hangulTCount
	hangulSCount = hangulLCount * hangulNCount
)

// composeHangul returns the composition of prev and r, or false.
func composeHangul(prev, r rune) (rune, bool) {
	if hangulLBase <= prev && prev < hangulLBase+hangulLCount &&
		hangulVBase <= r && r < hangulVBase+hangulVCount {
		return hangulSBase + ((prev-hangulLBase)*hangulVCount+r-hangulVBase)*hangulTCount, true
	}
	if hangulSBase <= prev && prev < hangulSBase+hangulSCount && (prev-hangulSBase)%hangulTCount == 0 &&
		hangulTBase < r && r < hangulTBase+hangulTCount {
		return prev + r - hangulTBase, true
	}
	return 0, false
}

// Fold returns the matching key of s: s lower-cased, without diacritics (đ
// folds to d), without apostrophes, with every other run of non-letters and
// non-digits turned into one ASCII space and no leading or trailing space.
// The precise rules are in the package documentation. Fold accepts any input
// (NFC, NFD, stray combining marks, invalid UTF-8); Fold(Canonical(s)) ==
// Fold(s) and Fold(Fold(s)) == Fold(s).
//
// Fold returns s itself, without allocating, when s is already folded.
func Fold(s string) string {
	if isFolded(s) {
		return s
	}
	var buf [64]byte
	return string(appendFold(buf[:0], s))
}

// EqualFold reports whether a and b are the same name after Fold.
func EqualFold(a, b string) bool {
	if a == b {
		return true
	}
	var ba, bb [64]byte
	return bytes.Equal(appendFold(ba[:0], a), appendFold(bb[:0], b))
}

// Tokens returns the folded tokens of s, in order: strings.Fields(Fold(s)).
// It returns nil when s has no letter or digit.
func Tokens(s string) []string {
	f := Fold(s)
	if f == "" {
		return nil
	}
	return strings.Split(f, " ")
}

// isFolded reports whether s is certainly its own fold: ASCII lower-case
// letters and digits in tokens separated by single spaces.
func isFolded(s string) bool {
	space := true // at the start, a space is not allowed either
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			space = false
		case c == ' ' && !space:
			space = true
		default:
			return false
		}
	}
	return !space || s == ""
}

// appendFold appends Fold(s) to dst.
func appendFold(dst []byte, s string) []byte {
	start := len(dst)
	sep := false // a boundary is pending
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == '\'' || c == '`':
				continue
			default:
				sep = true
				continue
			}
			if sep {
				if len(dst) > start {
					dst = append(dst, ' ')
				}
				sep = false
			}
			dst = append(dst, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		e := foldEntry{kind: foldSep} // invalid UTF-8
		if size > 1 {
			e = foldRune(r)
		}
		switch e.kind {
		case foldSep:
			sep = true
			continue
		case foldDrop:
			continue
		}
		if sep {
			if len(dst) > start {
				dst = append(dst, ' ')
			}
			sep = false
		} else if e.r1 >= hangulVBase && e.r1 < hangulTBase+hangulTCount && len(dst) > start {
			// Compose conjoining jamo with what precedes, as NFC would.
			prev, n := utf8.DecodeLastRune(dst[start:])
			if h, ok := composeHangul(prev, e.r1); ok {
				dst = utf8.AppendRune(dst[:len(dst)-n], h)
				continue
			}
		}
		if e.r1 < utf8.RuneSelf {
			dst = append(dst, byte(e.r1))
		} else {
			dst = utf8.AppendRune(dst, e.r1)
		}
		if e.r2 != 0 {
			dst = append(dst, byte(e.r2))
		}
	}
	return dst
}
