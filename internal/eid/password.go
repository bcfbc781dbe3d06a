package eid

import (
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"dancu/internal/errs"
	"dancu/internal/vntext"
)

// PasswordPolicy says which passwords a person may choose. It follows NIST
// SP 800-63B §5.1.1.2 (memorized secrets): a minimum length, a generous
// maximum so that passphrases and password managers work, a check against
// passwords known to be common and against words from the account itself,
// and deliberately no composition rules ("must contain a digit") and no
// periodic expiry, which NIST found push people towards predictable
// passwords such as "Password1!".
type PasswordPolicy struct {
	// MinLength and MaxLength count Unicode code points after NFC
	// normalisation, so "ă" typed as one precomposed character or as "a"
	// plus a combining breve counts once, as the person sees it.
	MinLength, MaxLength int
}

// DefaultPasswordPolicy is NIST's minimum of 8 characters for a password
// the person chose, and 128 as the maximum: long enough for any passphrase,
// short enough that hashing a hostile input stays cheap.
var DefaultPasswordPolicy = PasswordPolicy{MinLength: 8, MaxLength: 128}

// The reasons a password is refused, as they appear in the problem
// document's field list.
const (
	WeakTooShort   = "too_short"
	WeakTooLong    = "too_long"
	WeakCommon     = "common"
	WeakContext    = "context"
	WeakRepetitive = "repetitive"
)

// weak returns the error of a refused password. There is one code for all
// reasons so clients need one message; the reason lets them be specific.
func weak(reason, format string, args ...any) *errs.Error {
	msg := fmt.Sprintf(format, args...)
	return &errs.Error{Kind: errs.Unprocessable, Code: "weak-password", Message: "password: " + msg,
		Fields: []errs.Field{{Name: "password", Reason: reason, Message: msg}}}
}

// Check returns nil when password is acceptable, or an *errs.Error of kind
// Unprocessable, code "weak-password", naming the field "password" with one
// of the reasons WeakTooShort, WeakTooLong, WeakCommon, WeakContext or
// WeakRepetitive.
//
// context holds words an attacker who targets this person would try first:
// the ID number, the phone number, the parts of the name. A password that
// contains one of them, ignoring case and Vietnamese diacritics ("Nguyễn"
// matches "nguyen"), is refused. Words of fewer than 3 letters or digits
// are ignored, since "An" or "Võ" would otherwise forbid half of all
// passwords. A context string with spaces is matched both whole (spaces
// removed) and by each part that holds a letter; digits are matched only
// whole, so "0912 345 678" forbids "0912345678" but not "345". Callers pass
// a phone number in every form a person might type it.
//
// The list of common passwords holds only entries of 8 or more characters;
// with a MinLength below 8 shorter common passwords are not caught.
func (p PasswordPolicy) Check(password string, context ...string) error {
	if !utf8.ValidString(password) {
		return errs.InvalidField("password", "format", "the password is not valid UTF-8")
	}
	password = norm.NFC.String(password)
	n := utf8.RuneCountInString(password)
	if n < p.MinLength {
		return weak(WeakTooShort, "the password must have at least %d characters", p.MinLength)
	}
	if p.MaxLength > 0 && n > p.MaxLength {
		return weak(WeakTooLong, "the password must have at most %d characters", p.MaxLength)
	}
	if repetitive(password) {
		return weak(WeakRepetitive, "the password is a repeated or sequential pattern")
	}
	if IsCommonPassword(password) {
		return weak(WeakCommon, "the password is one of the most common passwords")
	}
	if inContext(password, context) {
		return weak(WeakContext, "the password contains the ID number, phone number or name of the account")
	}
	return nil
}

// repetitive reports whether s, case-insensitively, is one character
// repeated ("aaaaaaaa"), a short unit of up to 3 characters repeated
// ("abababab", "123123123"), or a run of consecutive characters up or down
// ("12345678", "abcdefgh", "87654321", with "...7890" counted as a run).
// These are what people type when a form insists on 8 characters, and all
// of them fall to the first minutes of any guessing attack.
func repetitive(s string) bool {
	rs := []rune(strings.ToLower(s))
	if len(rs) < 2 {
		return false
	}
	for unit := 1; unit <= 3 && unit*2 <= len(rs); unit++ {
		same := true
		for i := unit; i < len(rs); i++ {
			if rs[i] != rs[i-unit] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	step := func(a, b rune) rune {
		if a == '9' && b == '0' {
			return 1
		}
		if a == '0' && b == '9' {
			return -1
		}
		return b - a
	}
	d := step(rs[0], rs[1])
	if d != 1 && d != -1 {
		return false
	}
	for i := 2; i < len(rs); i++ {
		if step(rs[i-1], rs[i]) != d {
			return false
		}
	}
	return true
}

// inContext reports whether password is built from the context: it holds
// one of the context numbers (six digits or more) or a whole context
// string, or it is little more than context words and digits once they
// are taken out ("nhung1994", "hongnhung123"). A name part inside an
// unrelated word does not count: Vietnamese syllables are short, and
// "thông" holds "hông" without having anything to do with the name Hồng.
func inContext(password string, context []string) bool {
	pw := strings.ReplaceAll(vntext.Fold(password), " ", "")
	if pw == "" {
		return false
	}
	rest := pw
	for _, c := range context {
		f := vntext.Fold(c)
		whole := strings.ReplaceAll(f, " ", "")
		digits := strings.IndexFunc(whole, unicode.IsLetter) < 0
		switch {
		case digits && len(whole) >= 6 && strings.Contains(pw, whole):
			return true
		case !digits && utf8.RuneCountInString(whole) >= 6 && strings.Contains(pw, whole):
			return true
		}
		for _, part := range strings.Fields(f) {
			if utf8.RuneCountInString(part) >= 3 && strings.IndexFunc(part, unicode.IsLetter) >= 0 {
				rest = strings.ReplaceAll(rest, part, "")
			}
		}
	}
	if rest == pw {
		return false
	}
	letters := 0
	for _, r := range rest {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters < 4
}

// commonPasswordsText is data/common-passwords.txt: lower case, one per
// line, sorted bytewise. See data/README.md for where it comes from.
//
//go:embed data/common-passwords.txt
var commonPasswordsText string

// commonPasswords splits the embedded list once, on first use, so a
// process that never checks a password (an importer, a CLI command) does
// not pay for it. The strings share the embedded bytes; only the slice
// headers are allocated.
var commonPasswords = sync.OnceValue(func() []string {
	return strings.Split(strings.TrimSuffix(commonPasswordsText, "\n"), "\n")
})

// IsCommonPassword reports whether password, NFC-normalised and
// lower-cased, is in the embedded list of common passwords.
func IsCommonPassword(password string) bool {
	_, found := slices.BinarySearch(commonPasswords(), strings.ToLower(norm.NFC.String(password)))
	return found
}

// Argon2Params are the cost parameters of argon2id (RFC 9106).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes; also the parallelism recorded in the hash
	KeyLen  uint32 // bytes of output
	SaltLen uint32 // bytes of random salt
}

// DefaultArgon2 is OWASP's minimum recommendation for argon2id (19 MiB,
// 2 passes, 1 lane). It costs a few tens of milliseconds on one core: slow
// enough to make offline guessing of a stolen database expensive, cheap
// enough that a login burst on the 2-core servers does not queue for long.
// Raising it later is safe: VerifyPassword reports needsRehash for hashes
// made with less, so they are upgraded at the next login.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// Bounds on the parameters of a stored hash. The parameters come from the
// database, so a tampered or corrupt row could otherwise make one login
// allocate terabytes or run for hours.
const (
	maxArgon2Memory  = 1 << 20 // KiB: 1 GiB
	maxArgon2Time    = 10
	maxArgon2Threads = 16
	minArgon2Salt    = 8 // RFC 9106 §3.1
	maxArgon2Salt    = 64
	minArgon2Key     = 16
	maxArgon2Key     = 128
)

// check returns an error when p is outside the bounds VerifyPassword
// accepts, so that HashPassword never writes a hash that cannot be
// verified.
func (p Argon2Params) check() error {
	switch {
	case p.Threads < 1 || p.Threads > maxArgon2Threads:
		return fmt.Errorf("threads %d outside 1..%d", p.Threads, maxArgon2Threads)
	case p.Time < 1 || p.Time > maxArgon2Time:
		return fmt.Errorf("time %d outside 1..%d", p.Time, maxArgon2Time)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxArgon2Memory:
		// RFC 9106: at least 8 KiB per lane.
		return fmt.Errorf("memory %d KiB outside %d..%d", p.Memory, 8*uint32(p.Threads), maxArgon2Memory)
	case p.SaltLen < minArgon2Salt || p.SaltLen > maxArgon2Salt:
		return fmt.Errorf("salt length %d outside %d..%d", p.SaltLen, minArgon2Salt, maxArgon2Salt)
	case p.KeyLen < minArgon2Key || p.KeyLen > maxArgon2Key:
		return fmt.Errorf("key length %d outside %d..%d", p.KeyLen, minArgon2Key, maxArgon2Key)
	}
	return nil
}

// weakerThan reports whether p costs an attacker less than q, the test for
// rehashing. More lanes are not counted as stronger: they make hashing
// faster for us, not slower for an attacker.
func (p Argon2Params) weakerThan(q Argon2Params) bool {
	return p.Memory < q.Memory || p.Time < q.Time || p.KeyLen < q.KeyLen || p.SaltLen < q.SaltLen
}

// b64 is the PHC string format's base64: standard alphabet, no padding.
// Strict, so that each hash has exactly one encoding.
var b64 = base64.RawStdEncoding.Strict()

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// HashPassword returns the argon2id hash of password in the PHC string
// format, $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, with a salt of
// p.SaltLen bytes read from rand. The format records the parameters, so
// they can be raised without invalidating stored hashes. The password is
// NFC-normalised first, so the same password typed on a keyboard that
// sends precomposed letters and on one that sends combining marks
// matches.
func HashPassword(p Argon2Params, rand io.Reader, password string) (string, error) {
	if err := p.check(); err != nil {
		return "", errs.E(errs.Internal, "password-hash", "argon2 parameters: %v", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", errs.E(errs.Internal, "password-hash", "reading salt: %v", err).Wrap(err)
	}
	key := argon2id(password, salt, p)
	return formatPHC(p, salt, key), nil
}

// hashing admits as many argon2id computations at once as there are
// processors. Each holds its whole memory cost (19 MiB by default) while it
// runs, so a burst of logins queues here instead of growing the heap by
// 19 MiB a request; and hashes that do not share a processor finish sooner
// than many interleaved ones, so logins keep to the raw hashing rate.
var hashing = make(chan struct{}, runtime.GOMAXPROCS(0))

func argon2id(password string, salt []byte, p Argon2Params) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

func formatPHC(p Argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether password matches encoded, a hash made by
// HashPassword, comparing in constant time. needsRehash is true when the
// password matches and the hash was made with parameters weaker than
// DefaultArgon2: the caller should then store a fresh HashPassword while it
// has the password in hand.
//
// A malformed encoding, or one whose parameters exceed the bounds (memory
// over 1 GiB, time over 10, threads over 16), is an Internal error: it
// means the stored row is corrupt or was tampered with, not that the
// person typed a wrong password.
func VerifyPassword(encoded, password string) (ok bool, needsRehash bool, err error) {
	p, salt, key, err := parsePHC(encoded)
	if err != nil {
		return false, false, errs.E(errs.Internal, "password-hash", "stored password hash: %v", err)
	}
	got := argon2id(password, salt, p)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, p.weakerThan(DefaultArgon2), nil
}

// parsePHC parses the strings formatPHC writes, and only those: exactly one
// spelling per hash (no optional PHC fields, no leading zeros, canonical
// base64), so that what is accepted is easy to reason about.
func parsePHC(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	if len(s) > 512 {
		return p, nil, nil, fmt.Errorf("too long (%d bytes)", len(s))
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, fmt.Errorf("not a PHC string")
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("algorithm %q, want argon2id", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("version %q, want v=%d", parts[2], argon2.Version)
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return p, nil, nil, fmt.Errorf("parameters %q, want m=,t=,p=", parts[3])
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(params[i], name)
		if !ok {
			return p, nil, nil, fmt.Errorf("parameter %d is %q, want %s...", i+1, params[i], name)
		}
		n, err := decimal(v)
		if err != nil {
			return p, nil, nil, fmt.Errorf("parameter %s: %v", name, err)
		}
		vals[i] = n
	}
	if vals[0] > maxArgon2Memory || vals[1] > maxArgon2Time || vals[2] > maxArgon2Threads {
		return p, nil, nil, fmt.Errorf("parameters m=%d,t=%d,p=%d over the bounds", vals[0], vals[1], vals[2])
	}
	// The decoder skips CR and LF; the PHC format has no place for them.
	for _, b := range parts[4:] {
		if strings.Trim(b, b64Alphabet) != "" {
			return p, nil, nil, fmt.Errorf("%q is not base64", b)
		}
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("salt: %v", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("hash: %v", err)
	}
	p = Argon2Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]),
		KeyLen: uint32(len(key)), SaltLen: uint32(len(salt))}
	if err := p.check(); err != nil {
		return p, nil, nil, err
	}
	return p, salt, key, nil
}

// decimal parses a PHC decimal: digits only, no sign, no leading zero.
func decimal(s string) (uint64, error) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a decimal number", s)
	}
	return strconv.ParseUint(s, 10, 64)
}
