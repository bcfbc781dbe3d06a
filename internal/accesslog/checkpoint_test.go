package accesslog_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"dancu/internal/accesslog"
)

// testRoot is a root hash whose base64 is easy to recognise.
var testRoot = [32]byte{0: 0xfb, 31: 0x01}

var testRootBase64 = base64.StdEncoding.EncodeToString(testRoot[:])

func testCheckpoint() accesslog.Checkpoint {
	return accesslog.Checkpoint{
		Origin: testOrigin,
		Size:   20852163,
		Root:   testRoot,
		Time:   time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
	}
}

func TestCheckpointText(t *testing.T) {
	c := testCheckpoint()
	c.Time = c.Time.In(time.FixedZone("ICT", 7*60*60)).Add(999 * time.Millisecond)
	msg, err := accesslog.SignCheckpoint(c, testSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	want := "dancu.example/accesslog\n20852163\n" + testRootBase64 + "\ntime 2026-12-03T10:00:00Z\n\n— dancu.example/accesslog "
	if !strings.HasPrefix(string(msg), want) {
		t.Errorf("signed checkpoint is\n%s\nwant it to begin\n%s", msg, want)
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		c    accesslog.Checkpoint
	}{
		{"with time", testCheckpoint()},
		{"without time", accesslog.Checkpoint{Origin: testOrigin, Size: 3, Root: testRoot}},
		{"empty log", accesslog.Checkpoint{Origin: testOrigin, Size: 0}},
		{"largest size", accesslog.Checkpoint{Origin: testOrigin, Size: 1<<63 - 1, Root: testRoot}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := accesslog.SignCheckpoint(tt.c, testSignerKey)
			if err != nil {
				t.Fatal(err)
			}
			got, err := accesslog.OpenCheckpoint(msg, testVerifierKey)
			if err != nil {
				t.Fatalf("OpenCheckpoint:\n%s\n%v", msg, err)
			}
			if !sameCheckpoint(got, tt.c) {
				t.Errorf("got %+v, want %+v", got, tt.c)
			}
		})
	}
}

func TestCheckpointTimeIsUTCToTheSecond(t *testing.T) {
	c := testCheckpoint()
	c.Time = time.Date(2026, 12, 3, 17, 0, 0, 500_000_000, time.FixedZone("ICT", 7*60*60))
	msg, err := accesslog.SignCheckpoint(c, testSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := accesslog.OpenCheckpoint(msg, testVerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC); got.Time != want {
		t.Errorf("Time = %v, want %v", got.Time, want)
	}
}

// TestOpenCheckpointRejectsMalformed signs each text with the real key, so
// only the parsing can reject it.
func TestOpenCheckpointRejectsMalformed(t *testing.T) {
	const time0 = "time 2026-12-03T10:00:00Z\n"
	root := testRootBase64 + "\n"
	tests := []struct {
		name, text, wantErr string
	}{
		{"two lines", testOrigin + "\n5\n", "2 lines"},
		{"only origin", testOrigin + "\n", "lines"},
		{"empty origin", "\n5\n" + root, "origin"},
		{"origin with space", "dancu example\n5\n" + root, "origin"},
		{"origin with plus", "dancu+example\n5\n" + root, "origin"},
		{"negative size", testOrigin + "\n-1\n" + root, "size"},
		{"size with plus", testOrigin + "\n+1\n" + root, "size"},
		{"leading zero", testOrigin + "\n05\n" + root, "size"},
		{"empty size", testOrigin + "\n\n" + root, "size"},
		{"size with space", testOrigin + "\n5 \n" + root, "size"},
		{"hex size", testOrigin + "\n0x5\n" + root, "size"},
		{"size over int64", testOrigin + "\n9223372036854775808\n" + root, "too large"},
		{"overlong size", testOrigin + "\n" + strings.Repeat("9", 40) + "\n" + root, "size"},
		{"short root", testOrigin + "\n5\n" + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n", "root"},
		{"long root", testOrigin + "\n5\n" + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n", "root"},
		{"unpadded root", testOrigin + "\n5\n" + strings.TrimRight(testRootBase64, "=") + "\n", "root"},
		{"URL base64 root", testOrigin + "\n5\n" + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32)) + "\n", "root"},
		{"hex root", testOrigin + "\n5\n" + strings.Repeat("ab", 32) + "\n", "root"},
		{"empty extension line", testOrigin + "\n5\n" + root + "\n" + time0, "empty extension"},
		{"unknown extension", testOrigin + "\n5\n" + root + "note: all fine\n", "unknown extension"},
		{"two times", testOrigin + "\n5\n" + root + time0 + time0, "more than one time"},
		{"time with offset", testOrigin + "\n5\n" + root + "time 2026-12-03T17:00:00+07:00\n", "time"},
		{"time with fraction", testOrigin + "\n5\n" + root + "time 2026-12-03T10:00:00.5Z\n", "time"},
		{"time without seconds", testOrigin + "\n5\n" + root + "time 2026-12-03T10:00Z\n", "time"},
		{"zero time", testOrigin + "\n5\n" + root + "time 0001-01-01T00:00:00Z\n", "no time"},
		{"bare time keyword", testOrigin + "\n5\n" + root + "time\n", "unknown extension"},
	}
	signer, err := note.NewSigner(testSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := note.Sign(&note.Note{Text: tt.text}, signer)
			if err != nil {
				t.Fatal(err)
			}
			c, err := accesslog.OpenCheckpoint(msg, testVerifierKey)
			if err == nil {
				t.Fatalf("accepted\n%s\nas %+v", msg, c)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if errors.Is(err, accesslog.ErrNotSigned) {
				t.Errorf("a well-signed but malformed checkpoint is reported as unsigned: %v", err)
			}
		})
	}
}

func TestOpenCheckpointRejectsSignatures(t *testing.T) {
	valid, err := accesslog.SignCheckpoint(testCheckpoint(), testSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := accesslog.SignCheckpoint(testCheckpoint(), forgerSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	altered := bytes.Replace(valid, []byte("20852163"), []byte("20852162"), 1)

	tests := []struct {
		name       string
		msg        []byte
		notSigned  bool // the error wraps ErrNotSigned
		wantErrSub string
	}{
		{"another key with the log's name", forged, true, "not signed"},
		{"text changed after signing", altered, true, "not signed"},
		{"signature removed", valid[:bytes.Index(valid, []byte("\n\n"))+1], false, "not a signed note"},
		{"not a note", []byte("hello"), false, "not a signed note"},
		{"empty", nil, false, "not a signed note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := accesslog.OpenCheckpoint(tt.msg, testVerifierKey)
			if err == nil {
				t.Fatalf("accepted\n%s", tt.msg)
			}
			if errors.Is(err, accesslog.ErrNotSigned) != tt.notSigned {
				t.Errorf("errors.Is(%v, ErrNotSigned) = %v, want %v", err, !tt.notSigned, tt.notSigned)
			}
			if !strings.Contains(err.Error(), tt.wantErrSub) {
				t.Errorf("error %q does not mention %q", err, tt.wantErrSub)
			}
		})
	}

	t.Run("bad verifier key", func(t *testing.T) {
		if _, err := accesslog.OpenCheckpoint(valid, "not-a-key"); err == nil {
			t.Error("accepted a malformed verifier key")
		}
	})
}

// TestOpenCheckpointIgnoresOtherSignatures: a witness cosigning the
// checkpoint, or the log's next key during a rotation, must not stop it
// from opening with the log's key.
func TestOpenCheckpointIgnoresOtherSignatures(t *testing.T) {
	msg, err := accesslog.SignCheckpoint(testCheckpoint(), testSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(mustVerifier(t, testVerifierKey)))
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := note.Sign(n, mustSigner(t, forgerSignerKey))
	if err != nil {
		t.Fatal(err)
	}
	got, err := accesslog.OpenCheckpoint(cosigned, testVerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	if !sameCheckpoint(got, testCheckpoint()) {
		t.Errorf("got %+v, want %+v", got, testCheckpoint())
	}
}

func TestSignCheckpointRefusesWhatCannotBeOpened(t *testing.T) {
	tests := []struct {
		name string
		edit func(*accesslog.Checkpoint)
	}{
		{"empty origin", func(c *accesslog.Checkpoint) { c.Origin = "" }},
		{"origin with newline", func(c *accesslog.Checkpoint) { c.Origin = "a\nb" }},
		{"origin with space", func(c *accesslog.Checkpoint) { c.Origin = "a b" }},
		{"negative size", func(c *accesslog.Checkpoint) { c.Size = -1 }},
		{"year 10000", func(c *accesslog.Checkpoint) { c.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testCheckpoint()
			tt.edit(&c)
			if msg, err := accesslog.SignCheckpoint(c, testSignerKey); err == nil {
				t.Errorf("signed\n%s", msg)
			}
		})
	}
	t.Run("bad signer key", func(t *testing.T) {
		if _, err := accesslog.SignCheckpoint(testCheckpoint(), testVerifierKey); err == nil {
			t.Error("signed with a verifier key")
		}
	})
}

func TestGenerateKey(t *testing.T) {
	skey, vkey, err := accesslog.GenerateKey(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := accesslog.SignCheckpoint(testCheckpoint(), skey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accesslog.OpenCheckpoint(msg, vkey); err != nil {
		t.Error(err)
	}
	if _, err := accesslog.OpenCheckpoint(msg, testVerifierKey); !errors.Is(err, accesslog.ErrNotSigned) {
		t.Errorf("a new key's checkpoint opened with another key: %v", err)
	}
	if _, _, err := accesslog.GenerateKey("two words"); err == nil {
		t.Error("generated a key with a space in its name")
	}
}

// FuzzOpenCheckpoint feeds arbitrary bytes both as a signed message and as
// note text signed with the test key, so that the parser, not only the
// signature check, meets them. Nothing may panic, and what is accepted
// must come back unchanged when signed and opened again.
func FuzzOpenCheckpoint(f *testing.F) {
	for _, c := range []accesslog.Checkpoint{
		testCheckpoint(),
		{Origin: testOrigin, Size: 0, Root: testRoot},
	} {
		msg, err := accesslog.SignCheckpoint(c, testSignerKey)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg)
		f.Add(msg[:bytes.Index(msg, []byte("\n\n"))+1])
	}
	f.Add([]byte(testOrigin + "\n05\n" + testRootBase64 + "\ntime 2026-12-03T10:00:00+07:00\n"))

	signer := mustSigner(f, testSignerKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := accesslog.OpenCheckpoint(data, testVerifierKey); err == nil {
			checkResigns(t, c, data)
		}
		if msg, err := note.Sign(&note.Note{Text: string(data)}, signer); err == nil {
			if c, err := accesslog.OpenCheckpoint(msg, testVerifierKey); err == nil {
				checkResigns(t, c, msg)
			}
		}
	})
}

// checkResigns checks that an accepted checkpoint signs and opens again to
// the same values and, the format having one spelling, the same text.
func checkResigns(t *testing.T, c accesslog.Checkpoint, msg []byte) {
	t.Helper()
	again, err := accesslog.SignCheckpoint(c, testSignerKey)
	if err != nil {
		t.Fatalf("accepted %q as %+v but cannot sign it: %v", msg, c, err)
	}
	reopened, err := accesslog.OpenCheckpoint(again, testVerifierKey)
	if err != nil {
		t.Fatalf("re-signed %+v does not open: %v", c, err)
	}
	if !sameCheckpoint(reopened, c) {
		t.Fatalf("accepted %+v, but re-signed it opens as %+v", c, reopened)
	}
	text, _, _ := bytes.Cut(again, []byte("\n\n"))
	if !bytes.HasPrefix(msg, append(text, "\n\n"...)) {
		t.Fatalf("accepted text\n%q\nbut it is written\n%q", msg, text)
	}
}

func sameCheckpoint(a, b accesslog.Checkpoint) bool {
	return a.Origin == b.Origin && a.Size == b.Size && a.Root == b.Root && a.Time.Equal(b.Time)
}

func mustSigner(tb testing.TB, skey string) note.Signer {
	tb.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func mustVerifier(tb testing.TB, vkey string) note.Verifier {
	tb.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
