package vntext

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"only punctuation", " - ' ,. ", ""},
		{"already folded", "nguyen van an", "nguyen van an"},
		{"Vietnamese name", "Nguyễn Văn An", "nguyen van an"},
		{"ascii name", "Nguyen Van An", "nguyen van an"},
		{"Đặng to dang", "Đặng", "dang"},
		{"đ lower", "đào", "dao"},
		{"ĐẶNG upper", "ĐẶNG THỊ ĐÀO", "dang thi dao"},
		{"African D look-alike", "Ɖặng", "dang"},
		{"Eth look-alike", "Ðặng", "dang"},
		{"case", "NGUYỄN văn AN", "nguyen van an"},
		{"hoà and hòa", "hoà", "hoa"},
		{"hòa", "hòa", "hoa"},
		{"thuý", "thuý", "thuy"},
		{"khoẻ", "khoẻ", "khoe"},
		{"Thuỵ", "Thuỵ", "thuy"},
		{"quý", "quý", "quy"},
		{"gìn", "gìn", "gin"},
		{"người", "người", "nguoi"},
		{"ươ all marks", "Trương Dương Phượng", "truong duong phuong"},
		{"NFD", nfd("Nguyễn Thị Thủy"), "nguyen thi thuy"},
		{"combining marks typed by hand", "Nguye\u0303\u0302n Thi\u0323", "nguyen thi"},
		{"stray leading mark", "\u0301An", "an"},
		{"whitespace", "\t Nguyễn \u00A0 Văn\u3000An \n", "nguyen van an"},

		// Apostrophes are dropped, hyphens separate.
		{"apostrophe", "H'Hen Niê", "hhen nie"},
		{"right single quotation mark", "H’Hen Niê", "hhen nie"},
		{"left single quotation mark", "H‘Hen Niê", "hhen nie"},
		{"modifier letter apostrophe", "HʼHen Niê", "hhen nie"},
		{"grave accent", "H`Hen Niê", "hhen nie"},
		{"acute accent", "H´Hen Niê", "hhen nie"},
		{"no apostrophe", "Hhen Niê", "hhen nie"},
		{"Ksor H'Bia", "Ksor H’Bia", "ksor hbia"},
		{"hyphen", "Jean-Pierre", "jean pierre"},
		{"en dash", "Jean–Pierre", "jean pierre"},
		{"hyphen with spaces", "Nguyễn - Văn", "nguyen van"},
		{"soft hyphen", "Nguy\u00ADễn", "nguyen"},
		{"zero-width space", "Nguy\u200Bễn", "nguyen"},
		{"byte-order mark", "\uFEFFNguyễn", "nguyen"},
		{"other punctuation", "Nguyễn,Văn.An (Bé)", "nguyen van an be"},
		{"symbols", "An+Bình*", "an binh"},

		// Names of ethnic minorities.
		{"Kpă Y Ngọc", "Kpă Y Ngọc", "kpa y ngoc"},
		{"Rơ Mah", "Rơ Mah", "ro mah"},
		{"Y Moan Ênuôl", "Y Moan Ênuôl", "y moan enuol"},
		{"breve on u", "Ayŭn", "ayun"},

		// Other letters and digits.
		{"digits", "Số 12A", "so 12a"},
		{"fullwidth", "Ｎｇｕｙｅｎ１", "nguyen1"},
		{"Latin letters spelled out", "Øre Łódź Straße Æsir", "ore lodz strasse aesir"},
		{"dotless and dotted i", "ıİ", "ii"},
		{"Han kept", "Nguyễn 阮", "nguyen 阮"},
		{"Greek lower-cased", "ΑΒΓ", "αβγ"},
		{"Cyrillic diacritics removed", "Йосиф", "иосиф"},
		{"Hangul NFD composed", nfd("김"), "김"},
		{"invalid UTF-8 separates", "An\xffBinh", "an binh"},
		{"replacement character separates", "An\uFFFDBinh", "an binh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fold(tt.in)
			if got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Fold(got); again != got {
				t.Errorf("Fold not idempotent: %q -> %q", got, again)
			}
			if c := Fold(Canonical(tt.in)); c != got {
				t.Errorf("Fold(Canonical(%q)) = %q, want %q", tt.in, c, got)
			}
			if !EqualFold(tt.in, tt.want) {
				t.Errorf("EqualFold(%q, %q) = false", tt.in, tt.want)
			}
		})
	}
}

// TestFoldEveryRune checks, for every rune of the BMP and the
// supplementary ideographs, that Fold agrees on the rune and its NFD, is
// idempotent and emits only the documented alphabet.
func TestFoldEveryRune(t *testing.T) {
	for r := rune(0); r < 0x30000; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		s := string(r)
		f := Fold(s)
		if d := Fold(nfd(s)); d != f {
			t.Errorf("Fold(%U) = %q but Fold(NFD) = %q", r, f, d)
		}
		if Fold(f) != f {
			t.Errorf("Fold(%U) = %q is not a fixed point", r, f)
		}
		if err := checkFoldAlphabet(f); err != "" {
			t.Errorf("Fold(%U) = %q: %s", r, f, err)
		}
	}
}

// TestFoldVietnameseAlphabet folds every letter of the Vietnamese alphabet,
// in every tone, in both cases and both normalization forms.
func TestFoldVietnameseAlphabet(t *testing.T) {
	vowels := []struct{ letter, base string }{
		{"a", "a"}, {"ă", "a"}, {"â", "a"}, {"e", "e"}, {"ê", "e"}, {"i", "i"},
		{"o", "o"}, {"ô", "o"}, {"ơ", "o"}, {"u", "u"}, {"ư", "u"}, {"y", "y"},
	}
	n := 0
	for _, v := range vowels {
		for _, tone := range []string{"", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"} {
			lower := norm.NFC.String(v.letter + tone)
			for _, s := range []string{lower, strings.ToUpper(lower), nfd(lower), nfd(strings.ToUpper(lower))} {
				if got := Fold(s); got != v.base {
					t.Errorf("Fold(%q) = %q, want %q", s, got, v.base)
				}
			}
			if utf8.RuneCountInString(lower) == 1 {
				n++
			}
		}
	}
	if n != 72 { // 12 vowels × 6 tones, each one precomposed character
		t.Errorf("%d precomposed lower-case vowels, want 72", n)
	}
	for _, s := range []string{"đ", "Đ"} {
		if got := Fold(s); got != "d" {
			t.Errorf("Fold(%q) = %q, want d", s, got)
		}
	}
}

// checkFoldAlphabet returns what is wrong with f as an output of Fold, or "".
func checkFoldAlphabet(f string) string {
	if !utf8.ValidString(f) {
		return "invalid UTF-8"
	}
	if strings.HasPrefix(f, " ") || strings.HasSuffix(f, " ") || strings.Contains(f, "  ") {
		return "bad spacing"
	}
	for _, r := range f {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == ' ':
			continue
		case r < utf8.RuneSelf:
			return "ASCII other than [a-z0-9 ]"
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return "non-ASCII rune that is neither letter nor digit"
		case unicode.ToLower(r) != r:
			return "upper-case letter"
		case r < 0x3000 && norm.NFD.String(string(r)) != string(r):
			return "decomposable letter"
		}
	}
	return ""
}

func TestFoldAllocations(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  float64
	}{
		{"already folded", "nguyen van an", 0},
		{"empty", "", 0},
		{"Vietnamese", "Nguyễn Văn An", 1},
		{"NFD", nfd("Nguyễn Văn An"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, func() { Fold(tt.in) }); got > tt.max {
				t.Errorf("Fold(%q): %v allocations, want at most %v", tt.in, got, tt.max)
			}
		})
	}
	t.Run("EqualFold", func(t *testing.T) {
		if got := testing.AllocsPerRun(100, func() { EqualFold("Nguyễn Văn An", "NGUYEN VAN AN") }); got != 0 {
			t.Errorf("EqualFold: %v allocations, want 0", got)
		}
	})
}

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"punctuation only", "--", nil},
		{"one", "An", []string{"an"}},
		{"Kinh name", "Nguyễn Văn An", []string{"nguyen", "van", "an"}},
		{"extra spaces", "  Nguyễn   Văn  An ", []string{"nguyen", "van", "an"}},
		{"minority name", "Ksor H’Bia", []string{"ksor", "hbia"}},
		{"hyphenated", "Jean-Pierre Lê", []string{"jean", "pierre", "le"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEqualFold(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"diacritics", "Nguyễn Văn An", "Nguyen Van An", true},
		{"case", "NGUYỄN VĂN AN", "nguyễn văn an", true},
		{"tone placement", "Hoà", "hòa", true},
		{"NFD", nfd("Đặng Thị Hòa"), "dang thi hoa", true},
		{"apostrophes", "H'Hen Niê", "H’Hen Niê", true},
		{"apostrophe dropped", "H'Hen Niê", "Hhen Nie", true},
		{"hyphen vs space", "Nguyễn-Văn An", "Nguyễn Văn An", true},
		{"spacing", " Nguyễn  Văn An", "Nguyễn Văn An ", true},
		{"both empty", "", "", true},
		{"different", "Nguyễn Văn An", "Nguyễn Văn Anh", false},
		{"order matters", "Văn An Nguyễn", "Nguyễn Văn An", false},
		{"joined tokens", "Nguyễn VănAn", "Nguyễn Văn An", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EqualFold(tt.a, tt.b); got != tt.want {
				t.Errorf("EqualFold(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := Fold(tt.a) == Fold(tt.b); got != tt.want {
				t.Errorf("Fold(%q) == Fold(%q) is %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
