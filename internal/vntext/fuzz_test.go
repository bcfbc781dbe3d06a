package vntext

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var fuzzSeeds = []string{
	"",
	"Nguyễn Văn An",
	"Nguye\u0302\u0303n Va\u0306n An",
	"hoà thuý khoẻ Thuỵ quý gìn người hoàng",
	"H'Hen Niê H’Hen HʼHen Ksor H‘Bia",
	"Kpă Y Ngọc, Rơ Mah; Y Moan Ênuôl-Ayŭn",
	"  \t\u00A0Đặng\u3000THỊ  ",
	"\u0301\u0323 a\u0300\u0301 \u2003\u0301",
	"Ho\xffà\xc3",
	"ǅ İ ẞ Ω Å K ŉ ﬁ Ｎｇ１",
	"김 \u1100\u1161\u11A8 \uAC00\u11A8",
	"\u0374\u037E\u1FEE\u0344",
	"Nguy\u00ADễn\u200B\u200D",
}

// FuzzFold checks that Fold never panics and that its output is valid UTF-8
// in the documented alphabet ([a-z0-9 ] plus non-ASCII lower-case or caseless
// letters and digits), idempotent, and the same for the NFC, NFD and
// Canonical forms of the input.
func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if msg := checkFoldAlphabet(got); msg != "" {
			t.Fatalf("Fold(%q) = %q: %s", s, got, msg)
		}
		if again := Fold(got); again != got {
			t.Fatalf("Fold(%q) = %q, but Fold of that = %q", s, got, again)
		}
		if c := Fold(Canonical(s)); c != got {
			t.Fatalf("Fold(%q) = %q, but Fold(Canonical) = %q", s, got, c)
		}
		if utf8.ValidString(s) {
			if d := Fold(norm.NFD.String(s)); d != got {
				t.Fatalf("Fold(%q) = %q, but Fold(NFD) = %q", s, got, d)
			}
			if c := Fold(norm.NFC.String(s)); c != got {
				t.Fatalf("Fold(%q) = %q, but Fold(NFC) = %q", s, got, c)
			}
		}
		if !EqualFold(s, got) {
			t.Fatalf("EqualFold(%q, Fold) = false", s)
		}
		if j := strings.Join(Tokens(s), " "); j != got {
			t.Fatalf("Tokens(%q) joined = %q, want %q", s, j, got)
		}
	})
}

// FuzzCanonical checks that Canonical never panics and returns valid NFC
// UTF-8 that is its own canonical form, with only ASCII spaces, single ones,
// and the same letters, marks and tone marks as the input; and that its fast
// path agrees with the general one.
func FuzzCanonical(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Canonical(s)
		if slow := canonicalSlow(s); got != slow {
			t.Fatalf("Canonical(%q) = %q, but canonicalSlow = %q", s, got, slow)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Canonical(%q) = %q is not valid UTF-8", s, got)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("Canonical(%q) = %q is not NFC", s, got)
		}
		if again := Canonical(got); again != got {
			t.Fatalf("Canonical(%q) = %q, but Canonical of that = %q", s, got, again)
		}
		valid := strings.ToValidUTF8(s, "\uFFFD")
		if skeleton(got) != skeleton(valid) {
			t.Fatalf("Canonical(%q) = %q changed letters or marks", s, got)
		}
		if !slices.Equal(tones(got), tones(valid)) {
			t.Fatalf("Canonical(%q) = %q changed tone marks", s, got)
		}
		if strings.Contains(got, "  ") || strings.HasSuffix(got, " ") {
			t.Fatalf("Canonical(%q) = %q has extra spaces", s, got)
		}
		for i, r := range got {
			if unicode.IsSpace(r) && r != ' ' {
				t.Fatalf("Canonical(%q) = %q has whitespace %U", s, got, r)
			}
			if i == 0 && r == ' ' {
				if next, _ := utf8.DecodeRuneInString(got[1:]); !isMark(next) {
					t.Fatalf("Canonical(%q) = %q has a leading space", s, got)
				}
			}
		}
		if !SameSpelling(s, got) {
			t.Fatalf("SameSpelling(%q, Canonical) = false", s)
		}
	})
}

// FuzzSimilarity checks that Similarity stays in [0,1], is symmetric and is 1
// exactly for the same spelling.
func FuzzSimilarity(f *testing.F) {
	f.Add("Nguyễn Văn An", "Văn An Nguyen")
	f.Add("H'Hen Niê", "Hhen Nie")
	f.Add("", "-")
	f.Add("Hoà", "Hòa")
	f.Fuzz(func(t *testing.T, a, b string) {
		s := Similarity(a, b)
		if !(s >= 0 && s <= 1) {
			t.Fatalf("Similarity(%q, %q) = %v", a, b, s)
		}
		if r := Similarity(b, a); r != s {
			t.Fatalf("Similarity(%q, %q) = %v but reversed %v", a, b, s, r)
		}
		if (s == 1) != SameSpelling(a, b) {
			t.Fatalf("Similarity(%q, %q) = %v but SameSpelling = %v", a, b, s, SameSpelling(a, b))
		}
		if EqualFold(a, b) && Fold(a) != "" && s < scoreFoldEqual {
			t.Fatalf("Similarity(%q, %q) = %v for names equal under Fold", a, b, s)
		}
	})
}
