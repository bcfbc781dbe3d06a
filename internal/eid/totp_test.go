package eid

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
)

// rfcSecret is the SHA1 key of RFC 6238 Appendix B.
var rfcSecret = []byte("12345678901234567890")

func TestTOTPCodeRFC6238(t *testing.T) {
	// RFC 6238 Appendix B gives 8-digit codes; a 6-digit code is the same
	// value modulo 10^6, that is its last six digits.
	tests := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		got := TOTPCode(rfcSecret, time.Unix(tt.unix, 0))
		if want := tt.want[2:]; got != want {
			t.Errorf("TOTPCode(T=%d) = %s, want %s", tt.unix, got, want)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	now := time.Unix(1111111111, 0) // step 37037037
	const cur = 1111111111 / 30
	code := func(step int64) string { return TOTPCode(rfcSecret, time.Unix(step*30, 0)) }
	tests := []struct {
		name     string
		code     string
		lastStep int64
		step     int64
		ok       bool
	}{
		{"current", code(cur), 0, cur, true},
		{"RFC vector", "050471", 0, cur, true},
		{"previous step", code(cur - 1), 0, cur - 1, true},
		{"next step", code(cur + 1), 0, cur + 1, true},
		{"two steps back", code(cur - 2), 0, 0, false},
		{"two steps ahead", code(cur + 2), 0, 0, false},
		{"replay of the same step", code(cur), cur, 0, false},
		{"replay of an earlier step", code(cur - 1), cur, 0, false},
		{"after an earlier step", code(cur), cur - 1, cur, true},
		{"next after current used", code(cur + 1), cur, cur + 1, true},
		{"spaces", "050 471", 0, cur, true},
		{"spaces around", " 05 04 71 ", 0, cur, true},
		{"wrong", "050472", 0, 0, false},
		{"too short", "50471", 0, 0, false},
		{"too long", "0504710", 0, 0, false},
		{"eight digit RFC code", "14050471", 0, 0, false},
		{"empty", "", 0, 0, false},
		{"letters", "o5o471", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := VerifyTOTP(rfcSecret, tt.code, now, tt.lastStep)
			if step != tt.step || ok != tt.ok {
				t.Errorf("VerifyTOTP(%q, last %d) = %d, %v; want %d, %v", tt.code, tt.lastStep, step, ok, tt.step, tt.ok)
			}
		})
	}
}

func TestTOTPURL(t *testing.T) {
	u := TOTPURL(rfcSecret, "Định danh điện tử", "001090012345")
	k, err := otp.NewKeyFromURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if k.Type() != "totp" || k.Issuer() != "Định danh điện tử" || k.AccountName() != "001090012345" {
		t.Errorf("key = %s: type %s, issuer %q, account %q", u, k.Type(), k.Issuer(), k.AccountName())
	}
	if k.Secret() != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Errorf("secret = %s", k.Secret())
	}
	if k.Algorithm() != otp.AlgorithmSHA1 || k.Digits() != otp.DigitsSix || k.Period() != 30 {
		t.Errorf("algorithm %v, digits %v, period %d", k.Algorithm(), k.Digits(), k.Period())
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Scheme != "otpauth" || parsed.Host != "totp" || strings.Contains(u, " ") {
		t.Errorf("URL %s", u)
	}
}

func TestTOTPURLPanicsWithoutIssuer(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("TOTPURL with an empty issuer did not panic")
		}
	}()
	TOTPURL(rfcSecret, "", "001090012345")
}

func TestNewTOTPSecret(t *testing.T) {
	s, err := NewTOTPSecret(bytes.NewReader(bytes.Repeat([]byte{1}, 32)))
	if err != nil || len(s) != 20 {
		t.Fatalf("NewTOTPSecret = %x, %v", s, err)
	}
	if _, err := NewTOTPSecret(bytes.NewReader(make([]byte, 19))); err == nil {
		t.Error("NewTOTPSecret with 19 random bytes succeeded")
	}
}
