package keys_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"dancu/internal/keys"
)

func testMaster(t *testing.T, fill byte) *keys.Master {
	t.Helper()
	m, err := keys.NewMaster(bytes.Repeat([]byte{fill}, keys.Size))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestShortMasterKeyRefused(t *testing.T) {
	if _, err := keys.NewMaster(make([]byte, keys.Size-1)); err == nil {
		t.Fatal("a master key one byte short was accepted")
	}
}

func TestDerivedKeysDependOnPurposeAndMaster(t *testing.T) {
	a, b := testMaster(t, 1), testMaster(t, 2)
	if !bytes.Equal(a.Derive("eid-hash"), a.Derive("eid-hash")) {
		t.Error("one purpose gave two keys")
	}
	if bytes.Equal(a.Derive("eid-hash"), a.Derive("oidc-client")) {
		t.Error("two purposes share a key")
	}
	if bytes.Equal(a.Derive("eid-hash"), b.Derive("eid-hash")) {
		t.Error("two master keys derive the same key")
	}
	if n := len(a.Derive("x")); n != keys.Size {
		t.Errorf("derived key of %d bytes", n)
	}
}

func TestSealedSecretsOpenOnlyWhereTheyBelong(t *testing.T) {
	m := testMaster(t, 7)
	totp := m.Sealer("totp")
	secret := []byte("JBSWY3DPEHPK3PXP")
	sealed, err := totp.Seal(secret, []byte("factor 1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, secret) {
		t.Fatal("the sealed secret contains the plaintext")
	}
	again, err := totp.Seal(secret, []byte("factor 1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(sealed, again) {
		t.Error("sealing twice gave the same ciphertext: the nonce is not fresh")
	}
	got, err := totp.Open(sealed, []byte("factor 1"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}

	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	for name, open := range map[string]func() ([]byte, error){
		"copied to another row":      func() ([]byte, error) { return totp.Open(sealed, []byte("factor 2")) },
		"opened for another purpose": func() ([]byte, error) { return m.Sealer("oidc-key").Open(sealed, []byte("factor 1")) },
		"under another master key":   func() ([]byte, error) { return testMaster(t, 8).Sealer("totp").Open(sealed, []byte("factor 1")) },
		"tampered with":              func() ([]byte, error) { return totp.Open(tampered, []byte("factor 1")) },
		"truncated":                  func() ([]byte, error) { return totp.Open(sealed[:10], []byte("factor 1")) },
		"empty":                      func() ([]byte, error) { return totp.Open(nil, nil) },
	} {
		if b, err := open(); err == nil {
			t.Errorf("a sealed secret %s opened: %q", name, b)
		}
	}
}

func TestKeyFileIsCreatedOnceAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "master.key")
	first, err := keys.File(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != keys.Size {
		t.Fatalf("new key of %d bytes", len(first))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("key file readable by others: %v", perm)
	}
	second, err := keys.File(path)
	if err != nil || !bytes.Equal(first, second) {
		t.Fatalf("second read gave another key (%v)", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files left beside the key: %v", entries)
	}
}

func TestProcessesStartingTogetherShareOneKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = keys.File(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(got[i], got[0]) {
			t.Fatal("two starters got different keys")
		}
	}
}

func TestDamagedKeyFileIsRefusedNotReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(path, []byte("abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := keys.File(path)
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("a damaged key file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "abcd\n" {
		t.Error("the damaged key file was overwritten")
	}
}

func TestKeyFromEnvironment(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, keys.Size)
	path := filepath.Join(t.TempDir(), "master.key")
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "DANCU_MASTER_KEY" {
				return v
			}
			return ""
		}
	}
	got, err := keys.FromEnvOrFile("DANCU_MASTER_KEY", env(" "+hex.EncodeToString(key)+"\n"), path)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("from the environment: %x, %v", got, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a key file was written although the environment gave the key")
	}
	for _, bad := range []string{"not hex", hex.EncodeToString(key[:keys.Size-1])} {
		_, err := keys.FromEnvOrFile("DANCU_MASTER_KEY", env(bad), path)
		if err == nil || !strings.Contains(err.Error(), "DANCU_MASTER_KEY") || strings.Contains(err.Error(), bad) {
			t.Errorf("bad key %q: %v (the error must name the variable, never echo the value)", bad, err)
		}
	}
	got, err = keys.FromEnvOrFile("DANCU_MASTER_KEY", env(""), path)
	if err != nil || len(got) != keys.Size {
		t.Fatalf("without the variable: %v", err)
	}
}
