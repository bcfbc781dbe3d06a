// A checkpoint is the log's root hash at some size, signed with a key the
// database never sees. Written outside the database as well (files, a
// printout, a witness), checkpoints are what a verifier trusts: whoever can
// write the database but does not hold the key cannot edit, remove, reorder
// or truncate entries, nor rebuild the whole log, without the recomputed
// roots disagreeing with the signed ones, and cannot sign new roots that
// pass for the log's.
//
// The format is C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) in a
// C2SP signed note (https://c2sp.org/signed-note), as used by Go's checksum
// database and Certificate Transparency logs, so that existing tools and
// witnesses can read it.

package accesslog

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// ErrNotSigned is wrapped by OpenCheckpoint's error when a well-formed note
// carries no valid signature by the verifier key: a forgery, a checkpoint
// of another log, or one signed by a key that has since been replaced.
var ErrNotSigned = errors.New("accesslog: checkpoint is not signed by the verifier key")

// timeExtension begins the one extension line a checkpoint may have.
const timeExtension = "time "

// Checkpoint is a signed statement that the log named Origin held Size
// entries whose Merkle tree root was Root, at Time.
type Checkpoint struct {
	// Origin names the log, such as "dancu.example/accesslog"; by
	// convention it is also the name of the signing key.
	Origin string
	Size   int64
	Root   [32]byte
	// Time is when the checkpoint was signed, to the second, in UTC; the
	// zero Time leaves it out. It tells people when the log was last known
	// intact; verification does not depend on it.
	Time time.Time
}

// GenerateKey returns a new Ed25519 signer key (secret: keep it out of the
// database) and its verifier key (public: give it to anyone who verifies)
// in the signed-note text forms. name should be the log's origin.
func GenerateKey(name string) (skey, vkey string, err error) {
	if !validOrigin(name) {
		return "", "", fmt.Errorf("accesslog: key name %q must be non-empty UTF-8 without spaces or '+'", name)
	}
	return note.GenerateKey(rand.Reader, name)
}

// SignCheckpoint returns c as a signed note, ready to be written to a file.
// Time is truncated to the second. The text is:
//
//	<origin>
//	<size in decimal, no leading zeros>
//	<root in standard base64, 44 characters>
//	time <Time in RFC 3339, UTC, seconds>    (only when Time is not zero)
//
// followed by a blank line and the signature line.
func SignCheckpoint(c Checkpoint, skey string) ([]byte, error) {
	text, err := formatCheckpoint(c)
	if err != nil {
		return nil, err
	}
	// Refuse to sign anything OpenCheckpoint would reject: a checkpoint
	// that cannot be read back is worse than none.
	if _, err := parseCheckpoint(text); err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("accesslog: bad signer key: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return nil, fmt.Errorf("accesslog: signing checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies that msg is a checkpoint signed by the key vkey
// and parses it strictly. Other signatures (a witness's cosignature, a
// rotated key) are ignored, as the signed-note format requires. The origin
// need not equal the key's name; callers expecting one log should compare
// Origin themselves.
//
// It returns an error wrapping ErrNotSigned when the note has no valid
// signature by vkey, and a plain error when msg is not a well-formed
// checkpoint.
func OpenCheckpoint(msg []byte, vkey string) (Checkpoint, error) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("accesslog: bad verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return Checkpoint{}, fmt.Errorf("%w (%s): %v", ErrNotSigned, verifier.Name(), err)
		}
		return Checkpoint{}, fmt.Errorf("accesslog: checkpoint is not a signed note: %w", err)
	}
	return parseCheckpoint(n.Text)
}

func formatCheckpoint(c Checkpoint) (string, error) {
	if !validOrigin(c.Origin) {
		return "", fmt.Errorf("accesslog: checkpoint origin %q must be non-empty UTF-8 without spaces or '+'", c.Origin)
	}
	if c.Size < 0 {
		return "", fmt.Errorf("accesslog: checkpoint size %d is negative", c.Size)
	}
	var b strings.Builder
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Root[:]))
	b.WriteByte('\n')
	if t := c.Time.UTC().Truncate(time.Second); !t.IsZero() {
		if y := t.Year(); y < 1 || y > 9999 {
			return "", fmt.Errorf("accesslog: checkpoint time %v is outside years 1 to 9999", t)
		}
		b.WriteString(timeExtension)
		b.WriteString(t.Format(time.RFC3339))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// parseCheckpoint accepts exactly what formatCheckpoint writes, so that a
// signed checkpoint has one meaning and one spelling.
func parseCheckpoint(text string) (Checkpoint, error) {
	body, ok := strings.CutSuffix(text, "\n")
	if !ok {
		return Checkpoint{}, errors.New("accesslog: checkpoint text does not end with a newline")
	}
	lines := strings.Split(body, "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("accesslog: checkpoint has %d lines, want origin, size and root hash", len(lines))
	}

	var c Checkpoint
	c.Origin = lines[0]
	if !validOrigin(c.Origin) {
		return Checkpoint{}, fmt.Errorf("accesslog: checkpoint origin %q must be non-empty UTF-8 without spaces or '+'", c.Origin)
	}
	size, err := parseSize(lines[1])
	if err != nil {
		return Checkpoint{}, err
	}
	c.Size = size
	if c.Root, err = parseRoot(lines[2]); err != nil {
		return Checkpoint{}, err
	}

	for _, line := range lines[3:] {
		switch {
		case line == "":
			return Checkpoint{}, errors.New("accesslog: checkpoint has an empty extension line")
		case strings.HasPrefix(line, timeExtension):
			if !c.Time.IsZero() {
				return Checkpoint{}, errors.New("accesslog: checkpoint has more than one time line")
			}
			if c.Time, err = parseTime(strings.TrimPrefix(line, timeExtension)); err != nil {
				return Checkpoint{}, err
			}
		default:
			// The specification lets extension lines say anything, but
			// this log writes only the time: refuse signed text we do not
			// understand rather than ignore it.
			return Checkpoint{}, fmt.Errorf("accesslog: checkpoint has unknown extension line %q", line)
		}
	}
	return c, nil
}

// validOrigin reports whether s can be both an origin and a signed-note key
// name, as C2SP recommends: non-empty UTF-8 without spaces or '+'.
func validOrigin(s string) bool {
	return s != "" && utf8.ValidString(s) &&
		strings.IndexFunc(s, unicode.IsSpace) < 0 && !strings.ContainsRune(s, '+') &&
		strings.IndexFunc(s, unicode.IsControl) < 0
}

func parseSize(s string) (int64, error) {
	const maxDigits = len("9223372036854775807")
	if s == "" || len(s) > maxDigits || strings.Trim(s, "0123456789") != "" || (s[0] == '0' && s != "0") {
		return 0, fmt.Errorf("accesslog: checkpoint size %.30q is not a decimal number without sign or leading zeros", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("accesslog: checkpoint size %s is too large", s)
	}
	return n, nil
}

func parseRoot(s string) ([32]byte, error) {
	var root [32]byte
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	// Decoders skip newlines and carriage returns; comparing with the
	// re-encoding also rules out those and any other second spelling.
	if err != nil || len(raw) != len(root) || base64.StdEncoding.EncodeToString(raw) != s {
		return root, fmt.Errorf("accesslog: checkpoint root hash %.60q is not 32 bytes in standard base64", s)
	}
	copy(root[:], raw)
	return root, nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	// time.Parse also takes fractions and offsets; only one spelling is
	// accepted, the one SignCheckpoint writes.
	if err != nil || t.UTC().Format(time.RFC3339) != s {
		return time.Time{}, fmt.Errorf("accesslog: checkpoint time %.40q is not RFC 3339 in UTC to the second, like 2026-12-03T10:00:00Z", s)
	}
	if t.IsZero() {
		// Zero means "no time line"; writing it out would be a second
		// spelling of the same checkpoint.
		return time.Time{}, errors.New("accesslog: checkpoint time 0001-01-01T00:00:00Z stands for no time; leave the line out")
	}
	return t.UTC(), nil
}

// ReadCheckpoint reads a signed checkpoint without checking its
// signature: for the sequencer, comparing the database with the last
// checkpoint it wrote itself. Anyone else uses OpenCheckpoint.
func ReadCheckpoint(msg []byte) (Checkpoint, error) {
	text, _, ok := strings.Cut(string(msg), "\n\n")
	if !ok {
		return Checkpoint{}, errors.New("accesslog: not a signed note")
	}
	return parseCheckpoint(text + "\n")
}
