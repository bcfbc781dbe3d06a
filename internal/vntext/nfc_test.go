package vntext

import (
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// checkLatin checks the fast NFD and NFC against golang.org/x/text on s.
func checkLatin(t *testing.T, s string) {
	t.Helper()
	d, ok := appendNFDLatin(nil, s)
	if !ok {
		t.Fatalf("appendNFDLatin(%+q) declined", s)
	}
	if want := norm.NFD.String(s); string(d) != want {
		t.Fatalf("appendNFDLatin(%+q) = %+q, want %+q", s, d, want)
	}
	if got, want := string(appendNFCLatin(nil, d)), norm.NFC.String(s); got != want {
		t.Fatalf("appendNFCLatin(%+q) = %+q, want %+q", d, got, want)
	}
	if got, want := Canonical(s), canonicalSlow(s); got != want {
		t.Fatalf("Canonical(%+q) = %+q, but canonicalSlow = %+q", s, got, want)
	}
}

// TestLatinNormalization compares the fast normalisation with x/text for
// every rune of the fast ranges, alone and followed by every mark, and for
// every ASCII letter followed by every pair of marks.
func TestLatinNormalization(t *testing.T) {
	var letters []rune
	for r := rune(0); r < 0x1F00; r++ {
		if r == 0x370 {
			r = 0x1E00
		}
		if !latinInfoOf(r).fast && r >= 0x80 {
			t.Errorf("%U is not handled by the fast path", r)
			continue
		}
		if r >= 0x300 && r < 0x370 {
			continue
		}
		checkLatin(t, string(r))
		if unicode.IsLetter(r) || r >= 0x80 && unicode.IsLetter([]rune(norm.NFD.String(string(r)))[0]) {
			letters = append(letters, r)
		}
	}
	for _, l := range letters {
		for m := rune(0x300); m < 0x370; m++ {
			checkLatin(t, string([]rune{l, m}))
		}
	}
	for l := 'A'; l <= 'z'; l++ {
		if !unicode.IsLetter(l) {
			continue
		}
		for m1 := rune(0x300); m1 < 0x370; m1++ {
			for m2 := rune(0x300); m2 < 0x370; m2++ {
				checkLatin(t, string([]rune{l, m1, m2}))
			}
		}
	}
}

func TestLatinNormalizationDeclines(t *testing.T) {
	for _, s := range []string{
		"\u0301a",      // leading mark
		"=\u0338",      // mark on a non-letter (composes to ≠)
		"\u00A8\u0301", // mark on a non-letter (composes to U+0385)
		"An\xff",       // invalid UTF-8
		"Nguyễn 阮",     // outside the ranges
		"Ω",            // outside the ranges
		"a\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030A\u030B\u030C\u030D\u030E\u030F\u0310", // too many marks
	} {
		if _, ok := appendNFDLatin(nil, s); ok {
			t.Errorf("appendNFDLatin(%+q) accepted", s)
		}
		if got, want := Canonical(s), canonicalSlow(s); got != want {
			t.Errorf("Canonical(%+q) = %+q, but canonicalSlow = %+q", s, got, want)
		}
	}
}
