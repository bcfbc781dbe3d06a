package vntext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file holds a small, allocation-free NFD/NFC for Latin text, which is
// all that names in the registry normally contain: ASCII, U+0080..U+036F
// (Latin-1, Latin Extended-A/B, IPA, modifiers, combining diacritical marks)
// and U+1E00..U+1EFF (Latin Extended Additional, home of most precomposed
// Vietnamese vowels). Its tables are derived from golang.org/x/text at
// start-up; Canonical falls back to that package for any other input, and
// the tests check that both paths agree.

// latinInfo describes a rune of the fast ranges.
type latinInfo struct {
	decomp string // full canonical decomposition, or ""
	ccc    uint8  // canonical combining class (marks)
	mark   bool   // a combining mark in U+0300..U+036F
	letter bool   // a letter (after decomposition: its base is one)
	fast   bool   // handled by the fast path
}

var (
	latinLow  [0x370 - 0x80]latinInfo // U+0080..U+036F
	latinViet [0x100]latinInfo        // U+1E00..U+1EFF
	// latinCompose maps a starter and a mark to their primary composite.
	latinCompose = map[uint32]rune{}
)

func composeKey(starter, mark rune) uint32 { return uint32(starter)<<7 | uint32(mark-0x300) }

func init() {
	build := func(r rune) latinInfo {
		var b [utf8.UTFMax]byte
		p := norm.NFD.Properties(b[:utf8.EncodeRune(b[:], r)])
		info := latinInfo{ccc: p.CCC(), mark: 0x300 <= r && r < 0x370, fast: true}
		d := string(p.Decomposition())
		info.decomp = d
		base := r
		if d != "" {
			base, _ = utf8.DecodeRuneInString(d)
		}
		info.letter = unicode.IsLetter(base)
		// Every rune of a decomposition after the first (and, for a mark,
		// the first too) must be a mark of U+0300..U+036F, in canonical order.
		prev := uint8(0)
		for i, m := range []rune(d) {
			if i == 0 && !info.mark {
				if norm.NFD.PropertiesString(string(m)).CCC() != 0 {
					info.fast = false
				}
				continue
			}
			c := norm.NFD.PropertiesString(string(m)).CCC()
			if m < 0x300 || m >= 0x370 || c < prev {
				info.fast = false
			}
			prev = c
		}
		if info.mark && info.ccc == 0 && d != "" {
			info.fast = false
		}
		return info
	}
	addComposite := func(r rune) {
		d := []rune(string(norm.NFD.Properties([]byte(string(r))).Decomposition()))
		if len(d) < 2 || norm.NFC.String(string(r)) != string(r) {
			return // no decomposition, a singleton, or excluded from composition
		}
		last := d[len(d)-1]
		x := []rune(norm.NFC.String(string(d[:len(d)-1])))
		if len(x) == 1 && 0x300 <= last && last < 0x370 {
			latinCompose[composeKey(x[0], last)] = r
		}
	}
	for i := range latinLow {
		r := rune(0x80 + i)
		latinLow[i] = build(r)
		addComposite(r)
	}
	for i := range latinViet {
		r := rune(0x1E00 + i)
		latinViet[i] = build(r)
		addComposite(r)
	}
}

func latinInfoOf(r rune) latinInfo {
	switch {
	case 0x80 <= r && r < 0x370:
		return latinLow[r-0x80]
	case 0x1E00 <= r && r < 0x1F00:
		return latinViet[r-0x1E00]
	}
	return latinInfo{}
}

// markCCC returns the combining class of the mark m in U+0300..U+036F.
func markCCC(m rune) uint8 { return latinLow[m-0x80].ccc }

// appendMarkOrdered appends the mark m (U+0300..U+036F, two bytes in UTF-8)
// to dst, whose marks from runStart on are in canonical order, keeping them
// in canonical order.
func appendMarkOrdered(dst []byte, runStart int, m rune) []byte {
	c := markCCC(m)
	pos := len(dst)
	if c != 0 {
		for pos-2 >= runStart {
			prev, _ := utf8.DecodeRune(dst[pos-2 : pos])
			if markCCC(prev) <= c {
				break
			}
			pos -= 2
		}
	}
	dst = append(dst, 0, 0)
	copy(dst[pos+2:], dst[pos:len(dst)-2])
	utf8.EncodeRune(dst[pos:], m)
	return dst
}

// maxMarksLatin bounds the marks on one letter that the fast path accepts.
const maxMarksLatin = 16

// appendNFDLatin appends the NFD of s to dst. It reports false, leaving the
// work to the general normaliser, when s holds invalid UTF-8, a rune outside
// the fast ranges, or a combining mark that does not follow a letter.
func appendNFDLatin(dst []byte, s string) ([]byte, bool) {
	letter := false // the current starter is a letter
	runStart := 0   // where the marks of the current starter begin in dst
	for i := 0; i < len(s); {
		if len(dst)-runStart > 2*maxMarksLatin { // marks are two bytes each
			return dst, false
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			letter = 'a' <= c|0x20 && c|0x20 <= 'z'
			runStart = len(dst)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		info := latinInfoOf(r)
		if !info.fast || size == 1 {
			return dst, false
		}
		if info.mark {
			if !letter {
				return dst, false
			}
			if info.decomp == "" {
				dst = appendMarkOrdered(dst, runStart, r)
				continue
			}
			for _, m := range info.decomp {
				dst = appendMarkOrdered(dst, runStart, m)
			}
			continue
		}
		letter = info.letter
		if info.decomp == "" {
			dst = utf8.AppendRune(dst, r)
			runStart = len(dst)
			continue
		}
		_, n := utf8.DecodeRuneInString(info.decomp)
		dst = append(dst, info.decomp...)
		runStart = len(dst) - len(info.decomp) + n
	}
	return dst, len(dst)-runStart <= 2*maxMarksLatin
}

// appendNFCLatin appends the NFC of src to dst. src must hold only runes that
// appendNFDLatin accepts, with every mark after a starter; its marks need not
// be in canonical order.
func appendNFCLatin(dst, src []byte) []byte {
	var buf [2 * maxMarksLatin]rune
	for i := 0; i < len(src); {
		starter, size := utf8.DecodeRune(src[i:])
		i += size
		// Collect the marks of this starter in canonical order.
		marks := buf[:0]
		for i < len(src) && src[i] >= 0xCC && src[i] <= 0xCD { // U+0300..U+036F
			m, sz := utf8.DecodeRune(src[i:])
			i += sz
			marks = append(marks, m)
			pos := len(marks) - 1
			if c := markCCC(m); c != 0 {
				for pos > 0 && markCCC(marks[pos-1]) > c {
					pos--
				}
			}
			copy(marks[pos+1:], marks[pos:len(marks)-1])
			marks[pos] = m
		}
		// Compose each mark that is not blocked into the starter.
		k := 0
		last := -1 // combining class of the last mark left uncomposed
		for _, m := range marks {
			c := int(markCCC(m))
			if last < 0 || last != 0 && last < c {
				if p, ok := latinCompose[composeKey(starter, m)]; ok {
					starter = p
					continue
				}
			}
			marks[k] = m
			k++
			last = c
		}
		dst = utf8.AppendRune(dst, starter)
		for _, m := range marks[:k] {
			dst = utf8.AppendRune(dst, m)
		}
	}
	return dst
}
