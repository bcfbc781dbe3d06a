package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	cryptorand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"dancu/internal/eid"
)

// benchOIDC measures the OpenID Provider of a server process under load
// from this one: tokens for machine clients (a secret, a signed
// assertion), introspection, and full password logins, which it sets
// beside the rate at which this machine computes the argon2id hash every
// login pays, measured in the same run.
func benchOIDC(ctx context.Context, sf *storeFlags, bf *benchFlags, stdout, stderr io.Writer) error {
	token, err := benchOfficer(ctx, sf, nil)
	if err != nil {
		return err
	}
	storeArgs := sf.args()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	run := func(stdin string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, exe, append(args, storeArgs...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("dancu %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return out, nil
	}

	// A person with an account, two machine clients.
	srv, addr, err := startProcess(ctx, stderr, append([]string{"serve", "--addr", "127.0.0.1:0", "--issuer", "http://localhost:{port}"}, storeArgs...)...)
	if err != nil {
		return err
	}
	defer stopProcess(srv)
	base := "http://" + addr
	issuer := strings.Replace(base, "127.0.0.1", "localhost", 1)
	body, _ := json.Marshal(map[string]any{"full_name": "Nguyễn Văn Bình", "birth_date": "1980-01-01", "sex": "male", "birth_place": "00004", "registration_place": "00004"})
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/births", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	var birth struct {
		PID string `json:"pid"`
	}
	json.NewDecoder(resp.Body).Decode(&birth)
	resp.Body.Close()
	if birth.PID == "" {
		return fmt.Errorf("birth: %s", resp.Status)
	}
	const password = "một mật khẩu đủ dài để đo"
	if _, err := run(password+"\n", "eid", "create", "--pid", birth.PID, "--level", "1"); err != nil {
		return err
	}
	var secretClient struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	out, err := run("", "client", "create", "--name", "Bench secret", "--grant-types", "client_credentials", "--scopes", "bench:read")
	if err != nil {
		return err
	}
	json.Unmarshal(out, &secretClient)
	key, err := ecdsa.GenerateKey(elliptic.P256(), cryptorand.Reader)
	if err != nil {
		return err
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "bench", Algorithm: "ES256", Use: "sig"}}})
	jwksPath := filepath.Join(sf.data, "bench-jwks.json")
	if err := os.WriteFile(jwksPath, jwks, 0o600); err != nil {
		return err
	}
	var keyClient struct {
		ID string `json:"client_id"`
	}
	if out, err = run("", "client", "create", "--name", "Bench key", "--grant-types", "client_credentials", "--scopes", "bench:read",
		"--auth", "private_key_jwt", "--jwks", jwksPath); err != nil {
		return err
	}
	json.Unmarshal(out, &keyClient)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "bench"))
	if err != nil {
		return err
	}

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(secretClient.ID)+":"+url.QueryEscape(secretClient.Secret)))
	form := func(ctx context.Context, path string, v url.Values, auth string) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return req
	}
	ccForm := url.Values{"grant_type": {"client_credentials"}}

	// An access token to introspect.
	resp, err = http.DefaultClient.Do(form(ctx, "/oauth2/token", ccForm, basic))
	if err != nil {
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" {
		return fmt.Errorf("client_credentials: %s", resp.Status)
	}

	// Each login client holds a CSRF cookie, as a browser would.
	var csrfMu sync.Mutex
	csrf := map[int]string{}
	csrfOf := func(ctx context.Context, client int) string {
		csrfMu.Lock()
		defer csrfMu.Unlock()
		if c, ok := csrf[client]; ok {
			return c
		}
		resp, err := http.Get(base + "/login")
		if err != nil {
			return ""
		}
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.Name == "dancu_csrf" {
				csrf[client] = c.Value
			}
		}
		return csrf[client]
	}

	c, d := bf.concurrency, bf.duration
	fmt.Fprintln(stdout, "| scenario | requests/s | p50 | p99 | errors | server CPU per request |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|")
	measure := func(name string, clients int, next func(ctx context.Context, r *rand.Rand, client int) *http.Request) loadResult {
		if !strings.Contains(name, bf.only) {
			return loadResult{}
		}
		cpu0 := cpuOf(srv.Process.Pid)
		res := hammerWith(ctx, clients, d, next)
		per := (cpuOf(srv.Process.Pid) - cpu0) / time.Duration(max(1, res.all))
		if res.errors > 0 {
			fmt.Fprintf(stderr, "%s: %d failed, the first with: %s\n", name, res.errors, res.first)
		}
		fmt.Fprintf(stdout, "| %s | %s | %s | %s | %d | %s |\n", name, thousands(int64(res.rate)), res.p50.Round(10*time.Microsecond),
			res.p99.Round(10*time.Microsecond), res.errors, per.Round(time.Microsecond))
		return res
	}
	measure("token: client_credentials, client_secret_basic", c, func(ctx context.Context, _ *rand.Rand, _ int) *http.Request {
		return form(ctx, "/oauth2/token", ccForm, basic)
	})
	var jti atomic.Int64
	measure("token: client_credentials, private_key_jwt", c, func(ctx context.Context, _ *rand.Rand, _ int) *http.Request {
		now := time.Now()
		claims, _ := json.Marshal(map[string]any{"iss": keyClient.ID, "sub": keyClient.ID, "aud": issuer, "iat": now.Unix(),
			"exp": now.Add(2 * time.Minute).Unix(), "jti": fmt.Sprintf("b-%d-%d", now.UnixNano(), jti.Add(1))})
		obj, _ := signer.Sign(claims)
		a, _ := obj.CompactSerialize()
		return form(ctx, "/oauth2/token", url.Values{"grant_type": {"client_credentials"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}, "")
	})
	measure("introspection (RFC 7662)", c, func(ctx context.Context, _ *rand.Rand, _ int) *http.Request {
		return form(ctx, "/oauth2/introspect", url.Values{"token": {tok.AccessToken}}, basic)
	})

	// The raw hashing rate, argon2id with the server's parameters on every
	// core while the server idles, and the login rate are measured in
	// turns, three of each, so that a neighbour's load on this shared
	// machine weighs on both alike; the ratio is of their sums.
	rawHashes := func(d time.Duration) float64 {
		var hashes atomic.Int64
		end := time.Now().Add(d)
		var wg sync.WaitGroup
		for range runtime.NumCPU() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					if _, err := eid.HashPassword(eid.DefaultArgon2, cryptorand.Reader, password); err == nil {
						hashes.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		return float64(hashes.Load()) / d.Seconds()
	}
	const turns = 3
	login := func(ctx context.Context, _ *rand.Rand, client int) *http.Request {
		t := csrfOf(ctx, client)
		req := form(ctx, "/login", url.Values{"pid": {birth.PID}, "password": {password}, "csrf": {t}}, "")
		req.Header.Set("Cookie", "dancu_csrf="+t)
		req.Header.Set("Origin", issuer)
		return req
	}
	if !strings.Contains("password login", bf.only) {
		return nil
	}
	var raw float64
	var logins loadResult
	var loginCPU time.Duration
	var turnLines []string
	for i := range turns {
		r := rawHashes(d / turns)
		cpu0 := cpuOf(srv.Process.Pid)
		l := hammerWith(ctx, max(4, runtime.NumCPU()*2), d/turns, login)
		loginCPU += cpuOf(srv.Process.Pid) - cpu0
		raw += r / turns
		logins.rate += l.rate / turns
		logins.requests += l.requests
		logins.errors += l.errors
		logins.all += l.all
		logins.p50, logins.p99 = max(logins.p50, l.p50), max(logins.p99, l.p99)
		if logins.first == "" {
			logins.first = l.first
		}
		turnLines = append(turnLines, fmt.Sprintf("turn %d: %.0f hashes/s, %.0f logins/s (%.0f%%)", i+1, r, l.rate, 100*l.rate/max(r, 1)))
	}
	if logins.errors > 0 {
		fmt.Fprintf(stderr, "logins: %d failed, the first with: %s\n", logins.errors, logins.first)
	}
	fmt.Fprintf(stdout, "| raw argon2id hashes (m=19 MiB, t=2, p=1), %d cores, no HTTP | %s | | | | |\n", runtime.NumCPU(), thousands(int64(raw)))
	fmt.Fprintf(stdout, "| password login (POST /login: throttle check, registry read, argon2id, session) | %s | %s | %s | %d | %s |\n",
		thousands(int64(logins.rate)), logins.p50.Round(10*time.Microsecond), logins.p99.Round(10*time.Microsecond), logins.errors,
		(loginCPU / time.Duration(max(1, logins.all))).Round(time.Microsecond))
	if raw > 0 {
		fmt.Fprintf(stdout, "\nlogins/raw hashing: %.0f%% (%s; p50 and p99 are the worst turn's)\n", 100*logins.rate/raw, strings.Join(turnLines, "; "))
	}
	if logins.errors > 0 && logins.requests == 0 {
		return errors.New("every login failed")
	}
	return nil
}
