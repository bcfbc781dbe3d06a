package eid

import (
	"crypto/subtle"
	"encoding/base32"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"dancu/internal/errs"
)

// TOTP (RFC 6238) as every authenticator app implements it by default:
// HMAC-SHA1, 6 digits, 30-second steps. Other settings exist in the key
// URI format but several popular apps silently ignore them and show wrong
// codes, so dancu does not offer them.
const (
	totpPeriod     = 30
	totpDigits     = otp.DigitsSix
	totpSecretSize = 20 // bytes: the 160 bits RFC 4226 §4 recommends for HMAC-SHA1
)

var totpBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a new 20-byte TOTP secret read from rand.
func NewTOTPSecret(rand io.Reader) ([]byte, error) {
	s := make([]byte, totpSecretSize)
	if _, err := io.ReadFull(rand, s); err != nil {
		return nil, errs.E(errs.Internal, "totp-secret", "reading a TOTP secret: %v", err).Wrap(err)
	}
	return s, nil
}

// TOTPURL returns the otpauth:// key URI that an authenticator app reads
// from a QR code: the secret in base32, the issuer both as the label's
// prefix and as the issuer parameter (apps differ in which they read),
// SHA1, 6 digits, 30 seconds. issuer and accountName must not be empty;
// TOTPURL panics otherwise, as that is a bug in the caller.
func TOTPURL(secret []byte, issuer, accountName string) string {
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: accountName,
		Period:      totpPeriod,
		Secret:      secret,
		Digits:      totpDigits,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		panic("eid: TOTPURL: " + err.Error())
	}
	return k.URL()
}

// TOTPCode returns the code for secret at t. The service uses it only to
// test and to seed migrated accounts; people's codes come from their apps.
func TOTPCode(secret []byte, t time.Time) string {
	return totpCodeAt(secret, totpStep(t))
}

func totpStep(t time.Time) int64 {
	return t.Unix() / totpPeriod // Unix times before 1970 are not a concern here
}

func totpCodeAt(secret []byte, step int64) string {
	code, err := hotp.GenerateCodeCustom(totpBase32.EncodeToString(secret), uint64(step), hotp.ValidateOpts{
		Digits:    totpDigits,
		Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		// Only a secret that is not base32 fails, and we encoded it.
		panic("eid: TOTP: " + err.Error())
	}
	return code
}

// VerifyTOTP checks code against secret at now. It accepts the code of the
// current 30-second step and of one step either side, since phone clocks
// drift and people type slowly, and returns the step that matched. A step
// at or before lastStep is refused even when its code is right: the caller
// stores the step of each accepted code as the new lastStep, so a code seen
// over someone's shoulder or captured by a phishing page cannot be used a
// second time. Spaces in code ("123 456", as apps display it) are ignored.
//
// All three candidate codes are computed and compared in constant time, so
// the time taken says nothing about which step, if any, matched.
func VerifyTOTP(secret []byte, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\u00a0' {
			return -1
		}
		return r
	}, code)
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	cur := totpStep(now)
	for s := cur - 1; s <= cur+1; s++ {
		match := subtle.ConstantTimeCompare([]byte(totpCodeAt(secret, s)), []byte(code)) == 1
		// The latest matching step wins, so that a code valid for two
		// steps (a one-in-a-million coincidence) is not refused as a
		// replay because of the older one.
		if match && s > lastStep {
			step, ok = s, true
		}
	}
	return step, ok
}

// TOTPSecretText is a secret as people type it into an authenticator app:
// base32 in groups of four.
func TOTPSecretText(secret []byte) string {
	t := totpBase32.EncodeToString(secret)
	var b strings.Builder
	for i := 0; i < len(t); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t[i:min(i+4, len(t))])
	}
	return b.String()
}
