package vntext

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func nfd(s string) string { return norm.NFD.String(s) }

func TestNFC(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"ascii", "Nguyen Van An", "Nguyen Van An"},
		{"already NFC", "Nguyễn", "Nguyễn"},
		{"NFD", "Nguye\u0302\u0303n", "Nguyễn"},
		{"NFD dot below and circumflex", "Tra\u0302\u0300n Thi\u0323", "Trần Thị"},
		{"tone placement kept", "hoa\u0300", "hoà"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NFC(tt.in); got != tt.want {
				t.Errorf("NFC(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"only whitespace", " \t\u00A0\u3000 ", ""},
		{"ascii unchanged", "Nguyen Van An", "Nguyen Van An"},

		// oa, oe, uy without final consonant: the traditional placement.
		{"hoà to hòa", "hoà", "hòa"},
		{"hòa stays", "hòa", "hòa"},
		{"Hoà keeps case", "Hoà", "Hòa"},
		{"HOÀ upper case", "HOÀ", "HÒA"},
		{"hoá", "hoá", "hóa"},
		{"thuý to thúy", "thuý", "thúy"},
		{"thúy stays", "thúy", "thúy"},
		{"Thuỷ", "Thuỷ", "Thủy"},
		{"khoẻ to khỏe", "khoẻ", "khỏe"},
		{"khỏe stays", "khỏe", "khỏe"},
		{"Thuỵ to Thụy", "Thuỵ", "Thụy"},
		{"Thụy stays", "Thụy", "Thụy"},
		{"THUỴ upper case", "THUỴ", "THỤY"},
		{"xoè", "xoè", "xòe"},

		// With a final consonant the tone is on the second vowel.
		{"hoàng stays", "hoàng", "hoàng"},
		{"hòang to hoàng", "hòang", "hoàng"},
		{"Hòang to Hoàng", "Hòang", "Hoàng"},
		{"huýt", "húyt", "huýt"},
		{"Huỳnh", "Hùynh", "Huỳnh"},
		{"toán", "tóan", "toán"},

		// qu and gi.
		{"quý stays", "quý", "quý"},
		{"qúy to quý", "qúy", "quý"},
		{"Quý upper case", "QÚY", "QUÝ"},
		{"quốc", "qúôc", "quốc"},
		{"gìn stays", "gìn", "gìn"},
		{"gì stays", "gì", "gì"},
		{"gía to giá", "gía", "giá"},
		{"gìa to già", "gìa", "già"},
		{"giữa stays", "giữa", "giữa"},
		{"gĩưa to giữa", "gĩưa", "giữa"},

		// Quality marks attract the tone.
		{"Nguyễn stays", "Nguyễn", "Nguyễn"},
		{"Nguỹên to Nguyễn", "Nguỹên", "Nguyễn"},
		{"Ngúyên to Nguyến", "Ngúyên", "Nguyến"},
		{"người stays", "người", "người"},
		{"ngừơi to người", "ngừơi", "người"},
		{"tone on ư to người", "ngư\u0300ơi", "người"},
		{"rượu", "rựơu", "rượu"},
		{"thuở", "thủơ", "thuở"},
		{"tiếng", "tíêng", "tiếng"},
		{"thuế", "thúê", "thuế"},
		{"cứu", "cưú", "cứu"},

		// Three vowels: the middle one.
		{"ngoài", "ngòai", "ngoài"},
		{"ngoai with tone on i", "ngoaì", "ngoài"},
		{"khuỷu", "khủyu", "khuỷu"},

		// Input forms.
		{"NFD input", nfd("Nguyễn Văn Hòa"), "Nguyễn Văn Hòa"},
		{"NFD new style", nfd("Nguyễn Văn Hoà"), "Nguyễn Văn Hòa"},
		{"dot below before circumflex", "Tra\u0323\u0302n", "Trận"},
		{"dot below after circumflex", "Tra\u0302\u0323n", "Trận"},
		{"tone on consonant", "hoan\u0300", "hoàn"},

		// Whitespace.
		{"collapse and trim", "  Nguyễn \t Văn\n\nAn  ", "Nguyễn Văn An"},
		{"ascii collapse", "  Nguyen \t Van\n\nAn  ", "Nguyen Van An"},
		{"unicode spaces", "Nguyễn\u00A0Văn\u2003An\u3000", "Nguyễn Văn An"},

		// Words left alone.
		{"two tones", "ho\u0300a\u0301", "hòá"},
		{"no vowel", "hm\u0300", "hm̀"},
		{"foreign mark", "Ayŭn", "Ayŭn"},
		{"multi-syllable word", "Ênuôl", "Ênuôl"},
		{"four vowels", "oaoà", "oaoà"},
		{"vowel after final", "banà", "banà"},
		{"non-Latin", "Nguyễn 阮", "Nguyễn 阮"},
		{"apostrophe separates words", "H'Hèn", "H'Hèn"},
		{"punctuation kept", "Hoà, (Thuý)", "Hòa, (Thúy)"},
		{"invalid UTF-8", "Ho\xffà", "Ho\uFFFDà"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Canonical(tt.in)
			if got != tt.want {
				t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Canonical(got); again != got {
				t.Errorf("Canonical not idempotent: %q -> %q", got, again)
			}
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("Canonical(%q) = %q is not NFC", tt.in, got)
			}
		})
	}
}

func TestCanonicalAllocations(t *testing.T) {
	tests := []struct {
		name, in string
		max      float64
	}{
		{"empty", "", 0},
		{"ASCII", "Nguyen Van An", 0},
		{"canonical", "Nguyễn Thị Thúy Hòa", 0},
		{"new style", "Nguyễn Thị Thuý Hoà", 1},
		{"NFD", nfd("Nguyễn Thị Thúy Hòa"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, func() { Canonical(tt.in) }); got > tt.max {
				t.Errorf("Canonical(%q): %v allocations, want at most %v", tt.in, got, tt.max)
			}
		})
	}
}

func TestSameSpelling(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", "Hòa", "Hòa", true},
		{"tone placement", "Hoà", "Hòa", true},
		{"thuý/thúy", "Nguyễn Thị Thuý", "Nguyễn Thị Thúy", true},
		{"khoẻ/khỏe", "khoẻ", "khỏe", true},
		{"Thuỵ/Thụy", "Thuỵ", "Thụy", true},
		{"NFD vs NFC", nfd("Nguyễn Văn An"), "Nguyễn Văn An", true},
		{"whitespace", " Nguyễn  Văn An", "Nguyễn Văn An", true},
		{"missing tone", "Hoa", "Hòa", false},
		{"other tone", "Hóa", "Hòa", false},
		{"case", "hòa", "Hòa", false},
		{"missing circumflex", "Nguyẽn", "Nguyễn", false},
		{"đ vs d", "Đặng", "Dặng", false},
		{"both empty", "", "", true},
		{"empty vs blank", "", "  ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SameSpelling(tt.a, tt.b); got != tt.want {
				t.Errorf("SameSpelling(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := SameSpelling(tt.b, tt.a); got != tt.want {
				t.Errorf("SameSpelling(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

// readLines returns the non-empty, non-comment lines of a testdata file.
func readLines(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// skeleton is s in NFD without tone marks and whitespace: what Canonical
// must preserve.
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range nfd(s) {
		if isTone(r) || unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tones returns the tone marks of s, sorted.
func tones(s string) []rune {
	var ts []rune
	for _, r := range nfd(s) {
		if isTone(r) {
			ts = append(ts, r)
		}
	}
	slices.Sort(ts)
	return ts
}

// words splits s into Canonical's words: runs of letters with their marks.
func words(s string) []string {
	return strings.FieldsFunc(nfd(s), func(r rune) bool { return !unicode.IsLetter(r) && !isMark(r) })
}

// placements returns the word w (NFD) with its single tone mark moved onto
// each of its letters in turn, or nil when w does not have exactly one.
func placements(w string) []string {
	var tone rune
	var bare []rune
	for _, r := range w {
		if isTone(r) {
			if tone != 0 {
				return nil
			}
			tone = r
			continue
		}
		bare = append(bare, r)
	}
	if tone == 0 {
		return nil
	}
	var out []string
	for i, r := range bare {
		if !unicode.IsLetter(r) {
			continue
		}
		j := i + 1
		for j < len(bare) && isMark(bare[j]) {
			j++
		}
		v := slices.Concat(bare[:j], []rune{tone}, bare[j:])
		out = append(out, norm.NFC.String(string(v)))
	}
	return out
}

// TestCanonicalSyllables checks Canonical against real syllables and names
// written with the traditional tone placement.
func TestCanonicalSyllables(t *testing.T) {
	lines := readLines(t, "testdata/syllables.txt")
	if len(lines) < 200 {
		t.Fatalf("only %d lines in testdata", len(lines))
	}
	for _, line := range lines {
		t.Run(line, func(t *testing.T) {
			want := norm.NFC.String(line)
			if got := Canonical(line); got != want {
				t.Errorf("Canonical(%q) = %q, want it unchanged", line, got)
			}
			if got := Canonical(nfd(line)); got != want {
				t.Errorf("Canonical(NFD %q) = %q, want %q", line, got, want)
			}
			for _, w := range words(line) {
				want := norm.NFC.String(w)
				for _, v := range placements(w) {
					got := Canonical(v)
					if got != want {
						t.Errorf("Canonical(%q) = %q, want %q", v, got, want)
					}
					if skeleton(got) != skeleton(v) || !slices.Equal(tones(got), tones(v)) {
						t.Errorf("Canonical(%q) = %q changed letters or marks", v, got)
					}
				}
			}
			if Fold(line) != Fold(Canonical(line)) {
				t.Errorf("Fold(%q) != Fold(Canonical)", line)
			}
		})
	}
}

// TestCanonicalPreservesLetters checks, over the testdata in several forms,
// that Canonical only ever moves tone marks.
func TestCanonicalPreservesLetters(t *testing.T) {
	forms := map[string]func(string) string{
		"as is": func(s string) string { return s },
		"NFD":   nfd,
		"upper": strings.ToUpper,
		"new style": func(s string) string {
			r := strings.NewReplacer("òa", "oà", "óa", "oá", "ỏa", "oả", "õa", "oã", "ọa", "oạ",
				"òe", "oè", "óe", "oé", "ỏe", "oẻ", "õe", "oẽ", "ọe", "oẹ",
				"ùy", "uỳ", "úy", "uý", "ủy", "uỷ", "ũy", "uỹ", "ụy", "uỵ")
			return r.Replace(s)
		},
		"spaced": func(s string) string { return "\t " + strings.ReplaceAll(s, " ", "  \u00A0") + "\n" },
	}
	for _, line := range readLines(t, "testdata/syllables.txt") {
		for name, form := range forms {
			in := form(line)
			got := Canonical(in)
			if skeleton(got) != skeleton(in) {
				t.Errorf("%s: Canonical(%q) = %q changed letters or quality marks", name, in, got)
			}
			if !slices.Equal(tones(got), tones(in)) {
				t.Errorf("%s: Canonical(%q) = %q changed tone marks", name, in, got)
			}
			if !utf8.ValidString(got) || Canonical(got) != got {
				t.Errorf("%s: Canonical(%q) = %q is not a fixed point", name, in, got)
			}
			if name == "new style" && got != norm.NFC.String(line) {
				t.Errorf("new style: Canonical(%q) = %q, want %q", in, got, line)
			}
		}
	}
}
