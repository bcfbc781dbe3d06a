package quality

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dancu/internal/vntext"
)

// placeholders are values typed when the real one was unknown. They are
// compared ignoring case, surrounding spaces and a final full stop. "Vô
// danh" is listed only with its diacritics: without them it is the name Võ
// Danh.
var placeholders = []string{
	"không rõ", "khong ro", "chưa rõ", "chua ro", "không có", "khong co", "chưa có", "chua co",
	"không biết", "khong biet", "chưa biết", "chua biet", "không xác định", "khong xac dinh",
	"chưa xác định", "chua xac dinh", "không tên", "khong ten", "chưa đặt tên", "chua dat ten",
	"chưa có tên", "chua co ten", "vô danh", "khuyết danh", "khuyet danh", "không", "khong",
	"chưa cập nhật", "chua cap nhat", "đang cập nhật", "dang cap nhat", "không có thông tin",
	"khong co thong tin", "n/a", "na", "n.a", "none", "null", "nil", "unknown", "test", "noname",
	"no name", "tbd", "abc", "xyz", "asdf", "qwerty",
}

// placeholdersByLen holds the placeholders by length in bytes, so that a
// value is compared only with those of its own length: every letter of a
// placeholder has the same length in upper and lower case.
var placeholdersByLen = func() map[int][]string {
	m := map[int][]string{}
	for _, p := range placeholders {
		m[len(p)] = append(m[len(p)], p)
	}
	return m
}()

// maxPlaceholder is the length in bytes of the longest placeholder.
var maxPlaceholder = func() int {
	n := 0
	for _, p := range placeholders {
		n = max(n, len(p))
	}
	return n
}()

// isPlaceholder reports whether s is a placeholder rather than a value:
// blank, without any letter ("-", "0", "..."), one letter however often
// repeated ("x", "XXX"), or a known placeholder.
func isPlaceholder(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	var first rune
	same := true
	for _, c := range s {
		if !unicode.IsLetter(c) {
			continue
		}
		c = unicode.ToLower(c)
		if first == 0 {
			first = c
		} else if c != first {
			same = false
			break
		}
	}
	if first == 0 || same {
		return true
	}
	s = strings.TrimSuffix(s, ".")
	if len(s) > maxPlaceholder {
		return false
	}
	for _, p := range placeholdersByLen[len(s)] {
		if strings.EqualFold(s, p) {
			return true
		}
	}
	return false
}

// isApostrophe reports whether c is one of the apostrophes names use
// (H'Hen, H’Hen, HʼHen).
func isApostrophe(c rune) bool { return c == '\'' || c == '’' || c == 'ʼ' || c == '‘' }

// junkName reports whether a name holds something no name has: invalid
// UTF-8, a digit, a character other than letters, combining marks,
// whitespace, apostrophes and hyphens, the same letter three times running
// ("xxx"), fewer than two letters, or a placeholder.
func junkName(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	letters, run := 0, 0
	var prev rune
	for _, c := range s {
		switch {
		case c < utf8.RuneSelf && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'),
			c >= utf8.RuneSelf && unicode.IsLetter(c):
			letters++
			lc := unicode.ToLower(c)
			if lc == prev {
				run++
			} else {
				run = 1
			}
			if run >= 3 {
				return true
			}
			prev = lc
			continue
		case c == ' ', c == '-', isApostrophe(c), unicode.IsSpace(c):
		case c >= 0x300 && unicode.Is(unicode.Mn, c):
			continue // a combining mark belongs to the letter before it
		default:
			return true // digits, punctuation, symbols, controls
		}
		prev, run = 0, 0
	}
	return letters < 2 || isPlaceholder(s)
}

// canonicalName reports whether a name (not junk) is written as the
// registry should hold it: NFC, single spaces, no leading or trailing
// space, tone marks where Vietnamese spelling puts them, not all capitals
// or all lower case and, for Vietnamese citizens, every word capitalised
// and no capital inside a word except after an apostrophe or hyphen
// (H'Hen).
//
// Tone placement accepts both styles: vntext.Canonical uses the traditional
// one (Hòa, Thúy, Khỏe), and the new style (Hoà, Thuý, Khoẻ), which differs
// only in open syllables ending in oa, oe and uy, is as correct and is how
// many people spell their own names. Misplaced marks (Hòan, Qúy, Gía) are
// faulted.
func canonicalName(s string, vn bool) bool {
	upper, lower := 0, 0
	start := true // at the start of a word
	var prev rune
	for _, c := range s {
		switch {
		case c == ' ':
			if start {
				return false // leading or repeated space
			}
			start = true
			prev = c
			continue
		case unicode.IsSpace(c):
			return false
		case c >= 0x300 && unicode.Is(unicode.Mn, c):
			continue
		case unicode.IsUpper(c):
			upper++
			if vn && !start && prev != '-' && !isApostrophe(prev) {
				return false // "NGuyễn"
			}
		case unicode.IsLower(c):
			lower++
			if vn && start {
				return false // "nguyễn"
			}
		}
		start = false
		prev = c
	}
	if start || lower == 0 && upper >= 2 || upper == 0 {
		return false
	}
	return tonesCanonical(s)
}

// tonesCanonical reports whether s, whose spacing is canonical, is NFC with
// every tone mark where vntext.Canonical (or the new style) puts it.
//
// vntext.Canonical costs some hundred nanoseconds a word, too much to run
// on every name of the registry every night. A word of precomposed Latin
// letters (which is NFC) whose tone mark has only one vowel to sit on
// cannot be wrong, and the rest of a name's words are few and much
// repeated, so their verdicts are cached. Anything else (combining marks,
// other scripts) takes the general path.
func tonesCanonical(s string) bool {
	t := letters()
	start, vowels, toned := 0, 0, 0
	for i, c := range s {
		var f uint8
		switch {
		case c < utf8.RuneSelf:
			f = asciiLetter(c)
		case c < rune(len(t)):
			f = t[c]
		}
		if f&letterKnown == 0 || f&(letterToned|letterVowel) == letterToned {
			if c == ' ' || c == '-' || isApostrophe(c) {
				if !wordOK(s[start:i], vowels, toned) {
					return false
				}
				start, vowels, toned = i+utf8.RuneLen(c), 0, 0
				continue
			}
			// A combining mark, a letter of another script, a tone mark
			// on a consonant.
			cs := vntext.Canonical(s)
			return cs == s || newStyle(s, cs)
		}
		if f&letterVowel != 0 {
			vowels++
		}
		if f&letterToned != 0 {
			toned++
		}
	}
	return wordOK(s[start:], vowels, toned)
}

// wordOK reports whether a word of precomposed letters with the given
// numbers of vowels and toned letters has its tone mark where it belongs.
func wordOK(w string, vowels, toned int) bool {
	if toned != 1 || vowels < 2 {
		// No tone, or only one vowel to carry it; vntext.Canonical leaves
		// a word with two tone marks alone.
		return true
	}
	if ok, hit := wordCache.Load(w); hit {
		return ok.(bool)
	}
	cw := vntext.Canonical(w)
	ok := cw == w || newStyleWord(w, cw)
	if wordCacheLen.Add(1) <= maxWordCache {
		wordCache.Store(strings.Clone(w), ok)
	}
	return ok
}

// wordCache holds the verdict of wordOK on the words it has seen: Viet Nam's
// names are made of a few thousand syllables. It stops growing at
// maxWordCache words, so junk cannot fill memory.
var (
	wordCache    sync.Map // string -> bool
	wordCacheLen atomic.Int64
)

const maxWordCache = 1 << 16

// Letter classes of the table built by letters.
const (
	letterKnown = 1 << iota // a letter: ASCII, đ, or an ASCII letter with diacritics, precomposed
	letterVowel             // its base is a, e, i, o, u or y
	letterToned             // it carries one of the five tone marks
)

func asciiLetter(c rune) uint8 {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'A', 'E', 'I', 'O', 'U', 'Y':
		return letterKnown | letterVowel
	}
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
		return letterKnown
	}
	return 0
}

var (
	lettersOnce sync.Once
	letterTable []uint8
)

// letters returns the classes of the runes below U+1F00 (the Latin blocks
// up to Latin Extended Additional, where every Vietnamese letter lies).
func letters() []uint8 {
	lettersOnce.Do(func() {
		t := make([]uint8, 0x1F00)
		for r := rune(0x80); r < rune(len(t)); r++ {
			if r == 'đ' || r == 'Đ' {
				t[r] = letterKnown
				continue
			}
			if !unicode.IsLetter(r) {
				continue
			}
			d := norm.NFD.String(string(r))
			base, n := utf8.DecodeRuneInString(d)
			f := asciiLetter(base)
			if f == 0 || n == len(d) {
				continue // not a Latin letter with diacritics
			}
			for _, m := range d[n:] {
				switch m {
				case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
					f |= letterToned
				}
			}
			t[r] = f
		}
		letterTable = t
	})
	return letterTable
}

// newStyle reports whether s differs from its canonical form c only by
// new-style tone placement: in words whose last two letters are oa, oe or
// uy, the tone on the last letter instead of the one before it.
func newStyle(s, c string) bool {
	if !norm.NFC.IsNormalString(s) {
		return false
	}
	for s != "" || c != "" {
		var ws, wc string
		ws, s, _ = strings.Cut(s, " ")
		wc, c, _ = strings.Cut(c, " ")
		if ws != wc && !newStyleWord(ws, wc) {
			return false
		}
	}
	return true
}

// newStyleWord reports whether the word w is the new-style spelling of the
// canonical word c.
func newStyleWord(w, c string) bool {
	lw, tw, okw := toneAt(w)
	lc, tc, okc := toneAt(c)
	if !okw || !okc || lw != lc {
		return false
	}
	n := len(lw)
	if n < 2 || tc != n-2 || tw != n-1 {
		return false
	}
	switch lw[n-2:] {
	case "oa", "oe", "uy":
		return true
	}
	return false
}

// toneAt returns the letters of a word without its tone mark, one byte per
// letter (ASCII letters lower-cased; 0xFF for any other letter, and for a
// letter with a quality mark, so that "ơa" never passes for "oa"), and the
// index of the letter carrying the tone mark. ok is false unless there is
// exactly one tone mark.
func toneAt(w string) (letters string, tone int, ok bool) {
	var buf [32]byte
	out := buf[:0]
	tone = -1
	for _, c := range norm.NFD.String(w) {
		switch {
		case c == '\u0300', c == '\u0301', c == '\u0303', c == '\u0309', c == '\u0323':
			if tone >= 0 || len(out) == 0 {
				return "", 0, false
			}
			tone = len(out) - 1
		case unicode.Is(unicode.Mn, c):
			if len(out) > 0 {
				out[len(out)-1] = 0xFF
			}
		case 'A' <= c && c <= 'Z':
			out = append(out, byte(c)+'a'-'A')
		case c < utf8.RuneSelf:
			out = append(out, byte(c))
		default:
			out = append(out, 0xFF)
		}
	}
	return string(out), tone, tone >= 0
}

// strippedSurnames are family names that always carry diacritics, spelled
// without them. A Vietnamese citizen's name beginning with one of them was
// typed without diacritics.
var strippedSurnames = []string{
	"nguyen", "tran", "le", "pham", "hoang", "huynh", "vo", "vu", "dang", "bui", "do", "ho",
	"ngo", "duong", "ly", "dao", "doan", "dinh", "truong", "luong", "trinh", "lam",
}

// strippedSurname reports whether the first word of s is a common family
// name written without its diacritics ("Nguyen Van An").
func strippedSurname(s string) bool {
	w, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	if len(w) < 2 || len(w) > 6 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return false // it has diacritics
		}
	}
	for _, n := range strippedSurnames {
		if strings.EqualFold(w, n) {
			return true
		}
	}
	return false
}

// wellFormedPhone reports whether n is a Vietnamese mobile number as the
// registry stores it (registry.NormalisePhone): ten ASCII digits, 03, 05,
// 07, 08 or 09 first.
func wellFormedPhone(n string) bool {
	if len(n) != 10 || n[0] != '0' || !strings.ContainsRune("35789", rune(n[1])) {
		return false
	}
	return digits(n)
}

// testPhone reports whether a well-formed number looks made up: its last
// seven digits all the same (0900000000) or a run up or down (0912345678,
// 0987654321).
func testPhone(n string) bool { return run(n[3:]) }

// wellFormedLegacy reports whether n is a plausible legacy identity-card
// number: 9 or 12 ASCII digits, neither one digit repeated nor a run.
func wellFormedLegacy(n string) bool {
	return (len(n) == 9 || len(n) == 12) && digits(n) && !run(n)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// run reports whether the digits of s are all equal or each one more, or
// each one less, than the one before.
func run(s string) bool {
	if len(s) < 2 {
		return true
	}
	step := int(s[1]) - int(s[0])
	if step < -1 || step > 1 {
		return false
	}
	for i := 2; i < len(s); i++ {
		if int(s[i])-int(s[i-1]) != step {
			return false
		}
	}
	return true
}
