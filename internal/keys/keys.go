// Package keys holds dancu's secrets at rest: the master key, kept outside
// the database (an environment variable or a file of the data directory),
// and what is derived from it: keys for keyed hashes of secrets (session
// tokens, one-time codes, client secrets) and for encrypting secrets the
// database stores (TOTP secrets, OpenID signing keys). A copy of the
// database alone reveals none of them. An HSM or cloud KMS can sit behind
// the same functions later.
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Size is the size of every key, in bytes.
const Size = 32

// Master is the root of the keys derived for each purpose.
type Master struct{ key []byte }

// NewMaster wraps a master key of at least Size bytes.
func NewMaster(key []byte) (*Master, error) {
	if len(key) < Size {
		return nil, fmt.Errorf("the master key must be at least %d bytes", Size)
	}
	return &Master{key: key}, nil
}

// Must returns m, panicking on err: for tests and fixed keys.
func Must(m *Master, err error) *Master {
	if err != nil {
		panic(err)
	}
	return m
}

// Derive returns the key of a purpose ("eid-hash", "oidc-client", ...):
// HKDF-SHA256 of the master key, so one purpose's key says nothing of
// another's.
func (m *Master) Derive(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, m.key, nil, "dancu "+purpose, Size)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce
	}
	return k
}

// Sealer returns the authenticated encryption of a purpose.
func (m *Master) Sealer(purpose string) *AEAD {
	block, err := aes.NewCipher(m.Derive("seal " + purpose))
	if err != nil {
		panic(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &AEAD{gcm: gcm}
}

// AEAD encrypts with AES-256-GCM and a random nonce per message.
type AEAD struct{ gcm cipher.AEAD }

// Seal encrypts plaintext bound to additional data (a row's id, so a
// ciphertext copied to another row does not open).
func (a *AEAD) Seal(plaintext, additional []byte) ([]byte, error) {
	nonce := make([]byte, a.gcm.NonceSize(), a.gcm.NonceSize()+len(plaintext)+a.gcm.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	return a.gcm.Seal(nonce, nonce, plaintext, additional), nil
}

// Open decrypts what Seal encrypted with the same additional data.
func (a *AEAD) Open(ciphertext, additional []byte) ([]byte, error) {
	n := a.gcm.NonceSize()
	if len(ciphertext) < n+a.gcm.Overhead() {
		return nil, errors.New("keys: ciphertext too short")
	}
	return a.gcm.Open(nil, ciphertext[:n], ciphertext[n:], additional)
}

// FromEnvOrFile returns a key from the hex value of an environment
// variable, or else from a file, created with a new random key the first
// time. Every process serving one database must use the same key.
func FromEnvOrFile(env string, getenv func(string) string, path string) ([]byte, error) {
	if v := getenv(env); v != "" {
		k, err := hex.DecodeString(strings.TrimSpace(v))
		if err != nil || len(k) < Size {
			return nil, fmt.Errorf("%s must be at least %d bytes, hex-encoded", env, Size)
		}
		return k, nil
	}
	return File(path)
}

// File reads a hex key file, creating it with a new random key when it
// does not exist.
func File(path string) ([]byte, error) {
	if k, err := read(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k := make([]byte, Size)
	if _, err := io.ReadFull(rand.Reader, k); err != nil {
		return nil, err
	}
	// Write a complete, synced file under another name and link it into
	// place: a crash never leaves a short key behind, and when two
	// processes start at once the first link wins and the other reads it.
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	return read(path)
}

func read(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) < Size {
		return nil, fmt.Errorf("%s is damaged (not %d hex-encoded bytes); restore it from a backup — what was hashed or encrypted with another key can no longer be checked or read", path, Size)
	}
	return k, nil
}
