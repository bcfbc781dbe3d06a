package quality

import (
	"os"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"dancu/internal/vntext"
)

func TestJunkName(t *testing.T) {
	for s, want := range map[string]bool{
		"Nguyễn Văn An":      false,
		"Ksor H'Luân":        false,
		"Nay H’Mai":          false,
		"Jean-Pierre Dupont": false,
		"Lê A":               false,
		"Võ Danh":            false,
		"Nguyễn Văn 2":       true,
		"Nguyễn Văn An.":     true,
		"Nguyễn_Văn":         true,
		"A":                  true,
		"xxx":                true,
		"Aaa Bình":           true,
		"Không rõ":           true,
		"KHÔNG RÕ":           true,
		"chua dat ten":       true,
		"Vô danh":            true,
		"N/A":                true,
		"na":                 true,
		"test":               true,
		"\xffNguyễn":         true,
	} {
		if got := junkName(s); got != want {
			t.Errorf("junkName(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCanonicalName(t *testing.T) {
	for _, tc := range []struct {
		s    string
		vn   bool
		want bool
	}{
		{"Nguyễn Thị Thúy Hòa", true, true},
		{"Nguyễn Thị Thuý Hoà", true, true}, // new style
		{"Lê Khoẻ", true, true},
		{"Trần Thụy", true, true},
		{"Trần Thuỵ", true, true},
		{"Ksor H'Luân", true, true},
		{"Nguyễn Văn A", true, true},
		{"Nguyen Van An", true, true}, // no diacritics: another rule
		{"Nguyễn Văn Hòan", true, false},
		{"Phạm Qúy", true, false},
		{"Phạm Gía", true, false},
		{"Nguyễn Thị Hơà", true, false},
		{"NGUYỄN VĂN AN", true, false},
		{"NGUYỄN VĂN AN", false, false},
		{"nguyễn văn an", true, false},
		{"john smith", false, false},
		{"Nguyễn văn An", true, false},
		{"de la Cruz Maria", false, true},
		{"de la Cruz Maria", true, false},
		{"NGuyễn Văn An", true, false},
		{"Nguyễn  Văn An", true, false},
		{" Nguyễn Văn An", true, false},
		{"Nguyễn Văn An ", true, false},
		{"Nguyễn\tVăn An", true, false},
		{"Nguye\u0302\u0303n Va\u0306n An", true, false},
	} {
		if got := canonicalName(tc.s, tc.vn); got != tc.want {
			t.Errorf("canonicalName(%q, vn=%v) = %v, want %v", tc.s, tc.vn, got, tc.want)
		}
	}
}

func TestStrippedSurname(t *testing.T) {
	for s, want := range map[string]bool{
		"Nguyen Van An": true, "TRAN THI B": true, "Le Lan": true, "Do Hung": true,
		"Nguyễn Văn An": false, "Mai Lan": false, "Phan Anh": false, "Nguyenn": false, "": false,
	} {
		if got := strippedSurname(s); got != want {
			t.Errorf("strippedSurname(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestPlaceholder(t *testing.T) {
	for s, want := range map[string]bool{
		"":                           true,
		"  ":                         true,
		"-":                          true,
		"0":                          true,
		"...":                        true,
		"x":                          true,
		"XXX":                        true,
		"không rõ.":                  true,
		"Chưa cập nhật":              true,
		"n/a":                        true,
		"Số 12 ngõ 34 phố Trúc Bạch": false,
		"Thôn 3":                     false,
		"Bệnh viện Bạch Mai":         false,
	} {
		if got := isPlaceholder(s); got != want {
			t.Errorf("isPlaceholder(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestPhones(t *testing.T) {
	for _, tc := range []struct {
		n          string
		ok, isTest bool
	}{
		{"0983217465", true, false},
		{"0351234890", true, false},
		{"0912345678", true, true},
		{"0987654321", true, true},
		{"0977777777", true, true},
		{"0243826888", false, false},
		{"0123456789", false, false},
		{"098321746", false, false},
		{"+84983217465", false, false},
		{"098 321 7465", false, false},
	} {
		if got := wellFormedPhone(tc.n); got != tc.ok {
			t.Errorf("wellFormedPhone(%q) = %v", tc.n, got)
		}
		if tc.ok && testPhone(tc.n) != tc.isTest {
			t.Errorf("testPhone(%q) = %v", tc.n, !tc.isTest)
		}
	}
}

func TestLegacy(t *testing.T) {
	for n, want := range map[string]bool{
		"013579246": true, "001089004567": true, "111111111": false, "123456789": false,
		"987654321": false, "01357924": false, "01357924X": false, "": false,
	} {
		if got := wellFormedLegacy(n); got != want {
			t.Errorf("wellFormedLegacy(%q) = %v", n, got)
		}
	}
}

// TestTonesCanonicalAgreesWithVntext checks the fast path of
// tonesCanonical against vntext.Canonical on every syllable and name of
// vntext's test corpus, with the tone mark moved to every letter.
func TestTonesCanonicalAgreesWithVntext(t *testing.T) {
	b, err := os.ReadFile("../vntext/testdata/syllables.txt")
	if err != nil {
		t.Fatal(err)
	}
	slow := func(s string) bool {
		cs := vntext.Canonical(s)
		return cs == s || newStyle(s, cs)
	}
	n := 0
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, v := range toneVariants(line) {
			n++
			if got, want := tonesCanonical(v), slow(v); got != want {
				t.Errorf("tonesCanonical(%q) = %v, vntext says %v", v, got, want)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d variants tried", n)
	}
}

// toneVariants returns s with the tone mark of each word moved to each of
// the word's letters in turn, in NFC.
func toneVariants(s string) []string {
	words := strings.Split(s, " ")
	out := []string{s}
	for wi, w := range words {
		d := []rune(norm.NFD.String(w))
		tone := rune(0)
		var rest []rune
		for _, c := range d {
			switch c {
			case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
				tone = c
			default:
				rest = append(rest, c)
			}
		}
		if tone == 0 {
			continue
		}
		for i, c := range rest {
			if unicode.Is(unicode.Mn, c) {
				continue
			}
			// Put the tone after the letter at i and its quality marks.
			j := i + 1
			for j < len(rest) && unicode.Is(unicode.Mn, rest[j]) {
				j++
			}
			v := append(append(append([]rune{}, rest[:j]...), tone), rest[j:]...)
			ws := append([]string{}, words...)
			ws[wi] = norm.NFC.String(string(v))
			out = append(out, strings.Join(ws, " "))
		}
	}
	return out
}
