package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The five tone marks (dấu thanh) as combining characters. Only these are
// ever moved by Canonical.
const (
	toneHuyen = '\u0300' // grave: à
	toneSac   = '\u0301' // acute: á
	toneNga   = '\u0303' // tilde: ã
	toneHoi   = '\u0309' // hook above: ả
	toneNang  = '\u0323' // dot below: ạ
)

// The vowel-quality marks: they are part of the letter (â ê ô ă ơ ư) and are
// never moved.
const (
	markCircumflex = '\u0302' // â ê ô
	markBreve      = '\u0306' // ă
	markHorn       = '\u031B' // ơ ư
)

// maxSyllable bounds the letters of a word that Canonical treats as a
// Vietnamese syllable. The longest syllable, "nghiêng", has 7; longer words
// are left alone.
const maxSyllable = 12

func isTone(r rune) bool {
	switch r {
	case toneHuyen, toneSac, toneNga, toneHoi, toneNang:
		return true
	}
	return false
}

// isMark reports whether r is a combining mark, attached to the rune before it.
func isMark(r rune) bool {
	if r < 0x300 {
		return false
	}
	if r <= 0x36F {
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc)
}

func isVowel(l rune) bool {
	switch l {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// qualityAllowed reports whether the lower-case base letter l takes the
// vowel-quality mark m in Vietnamese: â ă ê ô ơ ư.
func qualityAllowed(l, m rune) bool {
	switch m {
	case markCircumflex:
		return l == 'a' || l == 'e' || l == 'o'
	case markBreve:
		return l == 'a'
	case markHorn:
		return l == 'o' || l == 'u'
	}
	return false
}

// NFC returns s in Unicode Normalization Form C.
func NFC(s string) string {
	return norm.NFC.String(s)
}

// Canonical returns s in NFC with the tone mark of every Vietnamese syllable
// on the vowel chosen by one fixed rule, and with each run of whitespace
// collapsed to a single ASCII space, leading and trailing whitespace removed.
// Case, letters and vowel-quality marks (â ă ê ô ơ ư) are never changed;
// only the position of a tone mark (the combining grave, acute, tilde, hook
// above or dot below) may move. Invalid UTF-8 bytes become U+FFFD.
//
// The rule is the traditional placement ("kiểu cũ"), the more widespread of
// the two in typed text (it is, for instance, what Unikey types unless told
// otherwise), so that Canonical changes as little stored data as possible.
// Within a syllable, after the
// initial consonant cluster — which includes the u of "qu" and the i of "gi"
// when another vowel follows ("quý", "giữa", but "gìn", where i is the vowel) —
// the tone goes on:
//
//  1. the vowel with a quality mark; with two ("ươ") the second:
//     "tiếng", "thuế", "thuở", "mưa", "cứu", "người", "Nguyễn", "khuấy";
//  2. otherwise, a lone vowel: "quý", "gìn", "già";
//  3. otherwise, with three vowels the middle one: "ngoài", "xoáy", "khuỷu";
//  4. otherwise, with two vowels and a final consonant the second one:
//     "hoàng", "toán", "huýt", "Huỳnh", "hoạch";
//  5. otherwise (two vowels, open syllable) the first one: "hòa", "thúy",
//     "khỏe", "Thụy", "mái", "múa", "túi".
//
// The "new style" (kiểu mới) spellings "hoà", "thuý", "khoẻ", "Thuỵ" are thus
// rewritten as "hòa", "thúy", "khỏe", "Thụy", and misplaced marks such as
// "gía", "qúy" or "hòan" become "giá", "quý", "hoàn".
//
// A word is left exactly as it is (apart from NFC) when it is not a single
// Vietnamese syllable: it has no tone mark or more than one, a letter outside
// a–z and đ, a mark Vietnamese does not use (as in "Ayŭn"), no vowel, more
// than three vowels in a row, or vowels after the final consonant (as in
// multi-syllable words of minority languages such as "Ênuôl"). A word is a
// maximal run of letters with their combining marks, so "H'Hen" holds the
// words "H" and "Hen".
func Canonical(s string) string {
	if isASCII(s) {
		return collapseSpaceASCII(s)
	}
	var dbuf, obuf, cbuf [128]byte
	if d, ok := appendNFDLatin(dbuf[:0], s); ok {
		// Fast path: Latin text, normalised with the tables of nfc.go.
		o := canonicalizeNFD(obuf[:0], d)
		c := appendNFCLatin(cbuf[:0], o)
		if string(c) == s {
			return s
		}
		return string(c)
	}
	return canonicalSlow(s)
}

// canonicalSlow is Canonical for any input, using the normalisation of
// golang.org/x/text.
func canonicalSlow(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	d := norm.NFD.AppendString(nil, s)
	var buf [128]byte
	o := canonicalizeNFD(buf[:0], d)
	return norm.NFC.String(string(o))
}

// SameSpelling reports whether a and b are the same text once NFC, tone
// placement and whitespace are made canonical: diacritics and case matter,
// tone placement does not ("Hoà" and "Hòa" are the same spelling, "Hoa" and
// "Hòa" are not, nor are "hòa" and "Hòa").
func SameSpelling(a, b string) bool {
	return a == b || Canonical(a) == Canonical(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCIISpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// collapseSpaceASCII collapses whitespace in the ASCII string s, returning s
// itself when nothing changes.
func collapseSpaceASCII(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if isASCIISpace(s[i]) && (s[i] != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isASCIISpace(c) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

// unit is a base letter and its combining marks, one position in a syllable.
type unit struct {
	start, marks, end int  // src[start:marks] is the base, src[marks:end] its marks
	letter            rune // lower-cased base, 'a'..'z' or 'đ'; 0 when not Vietnamese
	tone              rune // the last tone mark carried
	tones             int  // number of tone marks carried
	quality           bool // carries its vowel-quality mark
	foreign           bool // not a letter of the Vietnamese alphabet
}

// setUnit describes in u the letter base at src[start:marks] with the marks
// src[marks:end].
func setUnit(u *unit, src []byte, start, marks, end int, base rune) {
	*u = unit{start: start, marks: marks, end: end}
	switch {
	case 'a' <= base && base <= 'z':
		u.letter = base
	case 'A' <= base && base <= 'Z':
		u.letter = base + 'a' - 'A'
	case base == 'đ' || base == 'Đ':
		u.letter = 'đ'
	default:
		u.foreign = true
	}
	for i := marks; i < end; {
		m, sz := utf8.DecodeRune(src[i:])
		i += sz
		switch {
		case isTone(m):
			u.tones++
			u.tone = m
		case !u.quality && qualityAllowed(u.letter, m):
			u.quality = true
		default:
			u.foreign = true
		}
	}
}

// canonicalizeNFD appends to dst the NFD text src with whitespace collapsed
// and tone marks placed. The result is canonically equivalent to NFC only
// after normalisation: a moved tone mark is appended after the marks of its
// new letter.
func canonicalizeNFD(dst, src []byte) []byte {
	var syl [maxSyllable]unit
	n := 0 // letters in the current word; may exceed len(syl)
	wordStart, wordEnd := -1, -1
	space := false // whitespace is pending
	for i := 0; i < len(src); {
		start := i
		r, size := utf8.DecodeRune(src[i:])
		hasBase := !isMark(r)
		if hasBase {
			i += size
		}
		marks := i
		for i < len(src) {
			m, sz := utf8.DecodeRune(src[i:])
			if !isMark(m) {
				break
			}
			i += sz
		}
		end := i

		if hasBase && unicode.IsLetter(r) {
			if wordStart < 0 {
				if space && len(dst) > 0 {
					dst = append(dst, ' ')
				}
				space = false
				wordStart, n = start, 0
			}
			wordEnd = end
			if n < len(syl) {
				setUnit(&syl[n], src, start, marks, end, r)
			}
			n++
			continue
		}
		if wordStart >= 0 {
			dst = appendWord(dst, src, syl[:min(n, len(syl))], n > len(syl), wordStart, wordEnd)
			wordStart = -1
		}
		isSpace := hasBase && unicode.IsSpace(r)
		if isSpace && marks == end {
			space = true
			continue
		}
		if isSpace {
			// Whitespace carrying combining marks: one space that keeps the
			// marks, so that they do not attach to anything else.
			dst = append(dst, ' ')
			dst = append(dst, src[marks:end]...)
			space = false
			continue
		}
		if space && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		space = false
		dst = append(dst, src[start:end]...)
	}
	if wordStart >= 0 {
		dst = appendWord(dst, src, syl[:min(n, len(syl))], n > len(syl), wordStart, wordEnd)
	}
	return dst
}

// appendWord appends the word src[start:end], whose letters are units, with
// its tone mark moved to the canonical vowel when it is a Vietnamese syllable.
func appendWord(dst, src []byte, units []unit, tooLong bool, start, end int) []byte {
	if tooLong {
		return append(dst, src[start:end]...)
	}
	target, tone, ok := tonePosition(units)
	if !ok {
		return append(dst, src[start:end]...)
	}
	for k, u := range units {
		dst = append(dst, src[u.start:u.marks]...)
		for i := u.marks; i < u.end; {
			m, sz := utf8.DecodeRune(src[i:])
			if !isTone(m) {
				dst = append(dst, src[i:i+sz]...)
			}
			i += sz
		}
		if k == target {
			dst = utf8.AppendRune(dst, tone)
		}
	}
	return dst
}

// tonePosition returns which of units should carry the syllable's tone mark,
// and that mark; ok is false when the word is not a Vietnamese syllable with
// exactly one tone mark. The rule is documented on Canonical.
func tonePosition(units []unit) (target int, tone rune, ok bool) {
	tones := 0
	for _, u := range units {
		if u.foreign {
			return 0, 0, false
		}
		if u.tones > 0 {
			tones += u.tones
			tone = u.tone
		}
	}
	if tones != 1 {
		return 0, 0, false
	}
	n := len(units)

	// Initial consonant cluster; "qu" and "gi" before another vowel are
	// consonants ("quý", "giữa"), "gi" alone is g + the vowel i ("gìn").
	k := 0
	for k < n && !isVowel(units[k].letter) {
		k++
	}
	if k == 1 && n > 2 && isVowel(units[2].letter) {
		switch {
		case units[0].letter == 'g' && units[1].letter == 'i',
			units[0].letter == 'q' && units[1].letter == 'u' && !units[1].quality:
			k = 2
		}
	}

	// Vowel nucleus units[k:v], then only final consonants.
	v := k
	for v < n && isVowel(units[v].letter) {
		v++
	}
	nv := v - k
	if nv == 0 || nv > 3 {
		return 0, 0, false
	}
	for j := v; j < n; j++ {
		if isVowel(units[j].letter) {
			return 0, 0, false
		}
	}

	target = -1
	for j := k; j < v; j++ {
		if units[j].quality {
			target = j // rule 1: the (last) vowel with a quality mark
		}
	}
	if target < 0 {
		switch {
		case nv == 1: // rule 2
			target = k
		case nv == 3: // rule 3
			target = k + 1
		case v < n: // rule 4: two vowels and a final consonant
			target = k + 1
		default: // rule 5: two vowels, open syllable (traditional style)
			target = k
		}
	}
	return target, tone, true
}
