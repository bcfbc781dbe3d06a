package eid

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dancu/internal/errs"
)

func TestPasswordPolicyCheck(t *testing.T) {
	context := []string{"001090012345", "0912345678", "+84 912 345 678", "Nguyễn Văn An", "Thành"}
	tests := []struct {
		name     string
		password string
		reason   string // "" when accepted
	}{
		{"empty", "", WeakTooShort},
		{"seven", "kx7#qpz", WeakTooShort},
		{"six letters in NFD count as six", norm.NFD.String("mặtkhẩ"), WeakTooShort},
		{"eight letters in NFD count as eight", norm.NFD.String("mây trắng"), ""},
		{"eight", "kx7#qpzw", ""},
		{"128", strings.Repeat("tre xanh ", 14) + "tà", ""},
		{"129", strings.Repeat("tre xanh ", 14) + "tàu", WeakTooLong},
		{"passphrase", "correct horse battery staple", ""},
		{"vietnamese passphrase", "Mây trắng bay về núi Tản", ""},
		{"no composition rules", "trongcaytren", ""},

		{"common", "password", WeakCommon},
		{"common any case", "PassWord", WeakCommon},
		{"common iloveyou1", "iloveyou1", WeakCommon},
		{"common vietnamese", "matkhau123", WeakCommon},
		{"common vietnamese anhyeuem", "AnhYeuEm", WeakCommon},
		{"common 123456789a", "123456789a", WeakCommon},

		{"context id number", "001090012345", WeakContext},
		{"context id number inside", "xx001090012345!", WeakContext},
		{"context phone", "sdt0912345678", WeakContext},
		{"context spaced phone whole", "sdt84912345678", WeakContext},
		{"context name without diacritics", "nguyen@1990!", WeakContext},
		{"context name with diacritics and case", "NGUYỄN-1990!", WeakContext},
		{"context full name", "nguyenvanan", WeakContext},
		{"context single given name", "thanh.2024", WeakContext},
		{"context short part ignored", "an toan giao thong", ""},
		{"context part inside other words", "xe van chuyen hang", ""},
		{"context name part inside a syllable", "may trang bay tren doi thanh thoi", ""},
		{"context name parts and digits", "nguyenan123", WeakContext},
		{"context digits of a spaced phone not split", "abc345def678", ""},

		{"one character", "aaaaaaaa", WeakRepetitive},
		{"one character any case", "aAaAaAaA", WeakRepetitive},
		{"one vietnamese character", "ưưưưưưưưư", WeakRepetitive},
		{"two character unit", "abababab", WeakRepetitive},
		{"three character unit", "xyzxyzxyz", WeakRepetitive},
		{"run up", "12345678", WeakRepetitive},
		{"run through zero", "34567890", WeakRepetitive},
		{"run down", "87654321", WeakRepetitive},
		{"run letters", "abcdefgh", WeakRepetitive},
		{"run letters upper", "ABCDEFGHI", WeakRepetitive},
		{"run broken", "13579bdf", ""},
		{"four character unit not counted", "wxyzwxyz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := DefaultPasswordPolicy.Check(tt.password, context...)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.password, err)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("Check(%q) = %v, want *errs.Error", tt.password, err)
			}
			if e.Kind != errs.Unprocessable || e.Code != "weak-password" {
				t.Errorf("kind, code = %v, %q; want Unprocessable, weak-password", e.Kind, e.Code)
			}
			if len(e.Fields) != 1 || e.Fields[0].Name != "password" || e.Fields[0].Reason != tt.reason {
				t.Errorf("fields = %+v, want password/%s", e.Fields, tt.reason)
			}
			// ("password" itself is a word of every message.)
			if tt.password != "" && tt.password != "password" && strings.Contains(e.Message, tt.password) {
				t.Errorf("message %q repeats the password", e.Message)
			}
		})
	}
}

func TestPasswordPolicyInvalidUTF8(t *testing.T) {
	err := DefaultPasswordPolicy.Check("abc\xffdefgh")
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("Check(invalid UTF-8) = %v, want Invalid", err)
	}
}

func TestPasswordPolicyCustomLengths(t *testing.T) {
	p := PasswordPolicy{MinLength: 15, MaxLength: 64}
	if err := p.Check("kx7#qpzwkx7#qp"); errs.KindOf(err) != errs.Unprocessable {
		t.Errorf("14 characters with MinLength 15: %v", err)
	}
	if err := p.Check(strings.Repeat("tre xanh ", 8)); err == nil {
		t.Errorf("72 characters with MaxLength 64 accepted")
	}
}

func TestCommonPasswordList(t *testing.T) {
	list := commonPasswords()
	if len(list) < 50000 {
		t.Fatalf("%d common passwords, want at least 50000", len(list))
	}
	if !slices.IsSorted(list) {
		t.Errorf("the list is not sorted bytewise")
	}
	for i, w := range list {
		switch {
		case i > 0 && list[i-1] == w:
			t.Errorf("duplicate %q", w)
		case w != strings.ToLower(w):
			t.Errorf("%q is not lower case", w)
		case utf8.RuneCountInString(w) < 8:
			t.Errorf("%q is shorter than 8", w)
		case w != strings.TrimSpace(w) || !utf8.ValidString(w):
			t.Errorf("%q has spaces around it or is not UTF-8", w)
		}
	}
	for _, w := range []string{"password", "12345678", "iloveyou", "sunshine", "qwertyuiop", "trustno1",
		"pa$$w0rd", "anhyeuem", "matkhau123", "123456789a"} {
		if !IsCommonPassword(w) {
			t.Errorf("IsCommonPassword(%q) = false", w)
		}
	}
	for _, w := range []string{"Mây trắng bay về núi Tản", "kx7#qpzw", ""} {
		if IsCommonPassword(w) {
			t.Errorf("IsCommonPassword(%q) = true", w)
		}
	}
}

// argon2id test vectors: x/crypto's own (password "password", salt
// "somesalt", t=2, m=64 KiB, p=1, 24 bytes) and the one in the reference
// implementation's test.c (t=2, m=64 MiB, p=1, 32 bytes).
const (
	xcryptoVector   = "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$" // + hash below
	xcryptoHashHex  = "068d62b26455936aa6ebe60060b0a65870dbfa3ddf8d41f7"
	referenceVector = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
)

func xcryptoEncoded(t testing.TB) string {
	t.Helper()
	h, err := hex.DecodeString(xcryptoHashHex)
	if err != nil {
		t.Fatal(err)
	}
	return xcryptoVector + base64.RawStdEncoding.EncodeToString(h)
}

func TestHashPasswordVectors(t *testing.T) {
	tests := []struct {
		name string
		p    Argon2Params
		want string
	}{
		{"x/crypto", Argon2Params{Memory: 64, Time: 2, Threads: 1, KeyLen: 24, SaltLen: 8}, xcryptoEncoded(t)},
		{"reference", Argon2Params{Memory: 65536, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 8}, referenceVector},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HashPassword(tt.p, strings.NewReader("somesalt"), "password")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("HashPassword = %s, want %s", got, tt.want)
			}
			ok, _, err := VerifyPassword(tt.want, "password")
			if !ok || err != nil {
				t.Errorf("VerifyPassword(vector, password) = %v, %v", ok, err)
			}
		})
	}
}

func TestHashPasswordDefault(t *testing.T) {
	rand := bytes.NewReader(bytes.Repeat([]byte{7}, 64))
	enc, err := HashPassword(DefaultArgon2, rand, "Mây trắng bay về núi Tản")
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$BwcHBwcHBwcHBwcHBwcHBw$"; !strings.HasPrefix(enc, want) {
		t.Errorf("HashPassword = %s, want prefix %s", enc, want)
	}
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"same", "Mây trắng bay về núi Tản", true},
		{"NFD", norm.NFD.String("Mây trắng bay về núi Tản"), true},
		{"other case", "mây trắng bay về núi tản", false},
		{"without diacritics", "May trang bay ve nui Tan", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(enc, tt.password)
			if err != nil || ok != tt.ok || rehash {
				t.Errorf("VerifyPassword = %v, %v, %v; want %v, false, nil", ok, rehash, err, tt.ok)
			}
		})
	}
}

func TestVerifyPasswordNeedsRehash(t *testing.T) {
	tests := []struct {
		name   string
		p      Argon2Params
		rehash bool
	}{
		{"default", DefaultArgon2, false},
		{"less memory", Argon2Params{Memory: 8 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}, true},
		{"fewer passes", Argon2Params{Memory: 19 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, true},
		{"shorter key", Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 16, SaltLen: 16}, true},
		{"shorter salt", Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 8}, true},
		{"stronger", Argon2Params{Memory: 32 * 1024, Time: 3, Threads: 2, KeyLen: 32, SaltLen: 16}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := HashPassword(tt.p, bytes.NewReader(make([]byte, 64)), "kx7#qpzw")
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := VerifyPassword(enc, "kx7#qpzw")
			if !ok || rehash != tt.rehash || err != nil {
				t.Errorf("VerifyPassword = %v, %v, %v; want true, %v, nil", ok, rehash, err, tt.rehash)
			}
			// A wrong password never asks for a rehash: there is nothing to
			// rehash it with.
			ok, rehash, err = VerifyPassword(enc, "kx7#qpzW")
			if ok || rehash || err != nil {
				t.Errorf("wrong password: VerifyPassword = %v, %v, %v", ok, rehash, err)
			}
		})
	}
}

func TestHashPasswordErrors(t *testing.T) {
	if _, err := HashPassword(DefaultArgon2, strings.NewReader("short"), "kx7#qpzw"); err == nil {
		t.Error("HashPassword with a short random source succeeded")
	}
	bad := []Argon2Params{
		{},
		{Memory: 19 * 1024, Time: 2, Threads: 0, KeyLen: 32, SaltLen: 16},
		{Memory: 19 * 1024, Time: 0, Threads: 1, KeyLen: 32, SaltLen: 16},
		{Memory: 2 << 20, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16},
		{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 4, SaltLen: 16},
		{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 4},
	}
	for _, p := range bad {
		if _, err := HashPassword(p, bytes.NewReader(make([]byte, 64)), "kx7#qpzw"); err == nil {
			t.Errorf("HashPassword(%+v) succeeded", p)
		}
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	const salt, hash = "c29tZXNhbHQ", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	tests := []struct{ name, enc string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=2,p=1$" + salt + "$" + hash},
		{"version 16", "$argon2id$v=16$m=64,t=2,p=1$" + salt + "$" + hash},
		{"no version", "$argon2id$m=64,t=2,p=1$" + salt + "$" + hash},
		{"params out of order", "$argon2id$v=19$t=2,m=64,p=1$" + salt + "$" + hash},
		{"extra param", "$argon2id$v=19$m=64,t=2,p=1,keyid=x$" + salt + "$" + hash},
		{"leading zero", "$argon2id$v=19$m=064,t=2,p=1$" + salt + "$" + hash},
		{"sign", "$argon2id$v=19$m=+64,t=2,p=1$" + salt + "$" + hash},
		{"huge number", "$argon2id$v=19$m=99999999999999999999,t=2,p=1$" + salt + "$" + hash},
		{"memory over 1 GiB", "$argon2id$v=19$m=1048577,t=2,p=1$" + salt + "$" + hash},
		{"time over 10", "$argon2id$v=19$m=64,t=11,p=1$" + salt + "$" + hash},
		{"threads over 16", "$argon2id$v=19$m=4096,t=2,p=17$" + salt + "$" + hash},
		{"zero threads", "$argon2id$v=19$m=64,t=2,p=0$" + salt + "$" + hash},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + hash},
		{"memory under 8 per lane", "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + hash},
		{"padded base64", "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ=$" + hash},
		{"non-canonical base64", "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHR$" + hash},
		{"url base64", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + strings.ReplaceAll(hash, "/", "_") + "_"},
		{"line break in base64", "$argon2id$v=19$m=64,t=2,p=1$c29tZX\r\nNhbHQ$" + hash},
		{"short salt", "$argon2id$v=19$m=64,t=2,p=1$c29tZQ$" + hash},
		{"short hash", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$CTFhFdXPJO1a"},
		{"trailing field", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + hash + "$"},
		{"too long", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + strings.Repeat("A", 600)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(tt.enc, "password")
			if ok || rehash || !errs.Is(err, errs.Internal) {
				t.Errorf("VerifyPassword(%q) = %v, %v, %v; want an Internal error", tt.enc, ok, rehash, err)
			}
		})
	}
}

// FuzzVerifyPassword checks that the PHC parser never panics, accepts only
// strings it would write itself, and keeps the cost of what it accepts
// within the bounds.
func FuzzVerifyPassword(f *testing.F) {
	f.Add(referenceVector, "password")
	f.Add(xcryptoEncoded(f), "password")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("$argon2id$v=19$m=1048577,t=2,p=1$c29tZXNhbHQ$AAAA", "x")
	f.Add("$argon2id$v=19$m=64,t=2,p=1,data=x$c29tZXNhbHQ$AAAA", "x")
	f.Add("$$$$$", "")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$00000000000$00000000000000000000\r0A", "")
	f.Fuzz(func(t *testing.T, enc, password string) {
		p, salt, key, err := parsePHC(enc)
		if err != nil {
			return
		}
		if p.Memory > maxArgon2Memory || p.Time > maxArgon2Time || p.Threads > maxArgon2Threads || p.Threads == 0 || p.Time == 0 {
			t.Fatalf("parsePHC(%q) accepted %+v", enc, p)
		}
		if got := formatPHC(p, salt, key); got != enc {
			t.Fatalf("parsePHC(%q) does not round-trip: %q", enc, got)
		}
		// Hash only what is cheap, so the fuzzer explores the parser
		// rather than spending its time in argon2.
		if uint64(p.Memory)*uint64(p.Time) <= 1024 {
			if _, _, err := VerifyPassword(enc, password); err != nil {
				t.Fatalf("VerifyPassword(%q) = %v after parsePHC succeeded", enc, err)
			}
		}
	})
}

// BenchmarkHashPassword measures one DefaultArgon2 hash, the floor under
// every password login; the login benchmark is read against it.
func BenchmarkHashPassword(b *testing.B) {
	rand := bytes.NewReader(make([]byte, 16))
	b.ReportAllocs()
	for b.Loop() {
		rand.Reset(make([]byte, 16))
		if _, err := HashPassword(DefaultArgon2, rand, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
