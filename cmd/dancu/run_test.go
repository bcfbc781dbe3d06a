package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"dancu"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestRunCommands(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"USER": "tester"}
	if _, err := runCmd(t, env); err == nil {
		t.Error("no command accepted")
	}
	if out, err := runCmd(t, env, "frobnicate"); err == nil || !strings.Contains(out, "Usage") {
		t.Errorf("unknown command: %v %q", err, out)
	}
	if out, err := runCmd(t, env, "help"); err != nil || !strings.Contains(out, "dancu serve") {
		t.Errorf("help: %v %q", err, out)
	}
	out, err := runCmd(t, env, "migrate", "--data", data)
	if err != nil || !strings.Contains(out, "applied") {
		t.Fatalf("migrate: %v %q", err, out)
	}
	if out, err := runCmd(t, env, "migrate", "--data", data); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %v %q", err, out)
	}
	out, err = runCmd(t, env, "officer", "create", "--data", data, "--name", "Lê Văn Sỹ", "--unit", "00004", "--role", "registry")
	if err != nil {
		t.Fatalf("officer create: %v %q", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if token := lines[len(lines)-1]; !strings.HasPrefix(token, "dancu_") || len(token) < 40 {
		t.Fatalf("last line %q is not a token", token)
	}
	id := strings.Fields(lines[0])[1]
	for _, bad := range [][]string{
		{"--name", "X", "--unit", "99999", "--role", "registry"},
		{"--name", "", "--unit", "00004", "--role", "registry"},
		{"--name", "X", "--unit", "00004", "--role", "admin"},
	} {
		out, err := runCmd(t, env, append([]string{"officer", "create", "--data", data}, bad...)...)
		if err == nil || !strings.Contains(err.Error(), "--") {
			t.Errorf("officer create %v: %v %q; want an error naming the flag", bad, err, out)
		}
	}
	if out, err := runCmd(t, env, "officer", "list", "--data", data); err != nil || !strings.Contains(out, "Lê Văn Sỹ") {
		t.Fatalf("list: %v %q", err, out)
	}
	if out, err := runCmd(t, env, "officer", "revoke", "--data", data, "--id", id); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %v %q", err, out)
	}
	if _, err := runCmd(t, env, "officer", "revoke", "--data", data, "--id", id); err == nil {
		t.Fatal("revoked twice")
	}
	if _, err := runCmd(t, env, "serve", "--data", data, "--db", "mysql://x"); err == nil {
		t.Fatal("a non-PostgreSQL --db accepted")
	}
}

func TestTokenKeyFile(t *testing.T) {
	data := t.TempDir()
	env := func(string) string { return "" }
	k1, err := tokenKey(data, env)
	if err != nil || len(k1) != 32 {
		t.Fatalf("first key: %x %v", k1, err)
	}
	k2, err := tokenKey(data, env)
	if err != nil || string(k1) != string(k2) {
		t.Fatalf("second read differs: %v", err)
	}
	if err := os.WriteFile(filepath.Join(data, "keys", "token-hash.key"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := tokenKey(data, env); err == nil {
		t.Fatal("an empty key file was accepted")
	}
	if _, err := tokenKey(data, func(string) string { return "abcd" }); err == nil {
		t.Fatal("a short DANCU_TOKEN_KEY was accepted")
	}
}
