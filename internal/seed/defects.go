package seed

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// stripMarks removes every diacritic (đ becomes d): the name as typed on a
// keyboard without Vietnamese input, the commonest variant in old records
// and foreign systems.
func stripMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Tone marks as combining characters: grave, acute, tilde, hook above, dot
// below.
func isTone(r rune) bool {
	return r == '\u0300' || r == '\u0301' || r == '\u0303' || r == '\u0309' || r == '\u0323'
}

// initialSwaps are initial consonants people confuse, in writing or by
// dialect (l/n in the north, s/x and tr/ch in much of the country, d/gi/r).
var initialSwaps = [][2]string{
	{"N", "L"}, {"L", "N"}, {"S", "X"}, {"X", "S"}, {"Tr", "Ch"}, {"Ch", "Tr"},
	{"D", "Gi"}, {"Gi", "D"}, {"R", "D"}, {"V", "D"}, {"Đ", "D"},
}

// typo returns the given name with one mistake: a confused initial
// consonant, a lost tone mark, or a dropped last letter.
func typo(r *rng, s string) string {
	if s == "" {
		return s
	}
	if r.chance(0.5) {
		for _, sw := range initialSwaps {
			if rest, ok := strings.CutPrefix(s, sw[0]); ok && rest != "" && !strings.HasPrefix(rest, "'") {
				return norm.NFC.String(sw[1] + rest)
			}
		}
	}
	d := norm.NFD.String(s)
	if strings.IndexFunc(d, isTone) >= 0 {
		var b strings.Builder
		for _, c := range d {
			if !isTone(c) {
				b.WriteRune(c)
			}
		}
		return norm.NFC.String(b.String())
	}
	rs := []rune(s)
	if len(rs) > 2 && unicode.IsLetter(rs[len(rs)-1]) {
		return string(rs[:len(rs)-1])
	}
	return s + "h"
}
