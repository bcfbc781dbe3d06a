package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"dancu/internal/eid"
)

// browser is a person's browser: cookies kept, redirects seen one by one.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// page is a response: status, where it redirects, its body.
type page struct {
	status   int
	location string
	body     string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body)}
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.base + path
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.abs(path), nil)
	return b.do(req)
}

// csrf returns the CSRF token the browser's cookie holds (a page must
// have been loaded).
func (b *browser) csrf() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "dancu_csrf" {
			return c.Value
		}
	}
	b.t.Fatal("no CSRF cookie")
	return ""
}

// post sends a form with the CSRF token, as the page's form would.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf())
	}
	req, _ := http.NewRequest("POST", b.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

// follow follows redirects on dancu's host until a page answers or a
// redirect leaves for the relying party.
func (b *browser) follow(p page, rpPrefix string) page {
	b.t.Helper()
	for i := 0; i < 10 && p.status >= 300 && p.status < 400; i++ {
		if strings.HasPrefix(p.location, rpPrefix) {
			return p
		}
		p = b.get(p.location)
	}
	return p
}

// latestCode reads the newest one-time code written to the development
// outbox for a recipient.
func latestCode(t *testing.T, data, to string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(data, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\b(\d{6})\b`)
	var found string
	var newest time.Time
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(data, "outbox", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			To   string    `json:"to"`
			Text string    `json:"text"`
			At   time.Time `json:"at"`
		}
		json.Unmarshal(raw, &m)
		info, _ := e.Info()
		when := info.ModTime()
		if !m.At.IsZero() {
			when = m.At
		}
		if m.To == to && !when.Before(newest) {
			if c := code.FindStringSubmatch(m.Text); c != nil {
				found, newest = c[1], when
			}
		}
	}
	if found == "" {
		t.Fatalf("no code sent to %s", to)
	}
	return found
}

type rpClient struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

func createClient(t *testing.T, b backend, args ...string) rpClient {
	t.Helper()
	out, _ := mustDancu(t, append(append([]string{"client", "create"}, args...), b.args()...)...)
	var c rpClient
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ID == "" {
		t.Fatalf("client create: %v\n%s", err, out)
	}
	return c
}

// authorize runs a browser from the relying party's authorization URL to
// its redirect URI and returns the redirect's query, logging in on the way
// when asked with login.
func authorize(t *testing.T, br *browser, authURL, rpPrefix string, login func(page) page) url.Values {
	t.Helper()
	p := br.follow(br.get(authURL), rpPrefix)
	if !strings.HasPrefix(p.location, rpPrefix) {
		p = br.follow(login(p), rpPrefix)
	}
	if !strings.HasPrefix(p.location, rpPrefix) {
		t.Fatalf("did not return to the relying party: %d %s\n%s", p.status, p.location, p.body)
	}
	u, err := url.Parse(p.location)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

var authRequestInput = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)

func authRequestOf(t *testing.T, p page) string {
	t.Helper()
	m := authRequestInput.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no authorization request on the page (%d):\n%s", p.status, p.body)
	}
	return m[1]
}

// TestOpenIDRelyingParty is a relying party built on go-oidc and
// x/oauth2 against the real binary: discovery, enrolment at level 1, the
// code flow with PKCE and consent, ID token verification, userinfo,
// refresh with rotation and reuse detection, introspection, revocation,
// an in-person level-2 enrolment that takes the account over, activation,
// TOTP, a step-up, and RP-initiated logout.
func TestOpenIDRelyingParty(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { testRelyingParty(t, b) })
	}
}

func testRelyingParty(t *testing.T, b backend) {
	ctx := context.Background()
	srv := startArgs(t, append([]string{"--issuer", "http://localhost:{port}"}, b.args()...)...)
	issuer := strings.Replace(srv.url, "127.0.0.1", "localhost", 1)
	officerVN := &client{t: t, url: srv.url, token: newOfficer(t, b, "VN")}

	// A person the registry knows, with a phone number of theirs.
	pid := str(officerVN.call("POST", "/api/v1/births", map[string]any{"full_name": "Đỗ Thị Hồng Nhung", "birth_date": "1994-07-08",
		"sex": "female", "birth_place": "00004", "registration_place": "00004"}, 201), "pid")
	officerVN.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{"type": "phone_number", "phone": "0912000111"}, 201)
	officerVN.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{"type": "permanent_residence", "new_household": true,
		"place": "00004", "address": "Số 8 ngõ 15 phố Đội Cấn", "effective_date": "2020-01-01"}, 201)
	officerHN := &client{t: t, url: srv.url, token: newOfficer(t, b, "00004")}

	const rp = "http://127.0.0.1:19999/cb"
	cl := createClient(t, b, "--name", "Cổng dịch vụ công", "--redirect-uri", rp, "--scopes", "openid profile pid address phone offline_access",
		"--purpose", "Điền sẵn hồ sơ thủ tục hành chính")

	// Level-1 enrolment: details matching the registry, the code sent
	// to the phone, a password.
	br := newBrowser(t, issuer)
	if p := br.get("/enrol"); p.status != 200 || !strings.Contains(p.body, `autocomplete="username"`) {
		t.Fatalf("enrol page: %d\n%s", p.status, p.body)
	}
	bad := br.post("/enrol", url.Values{"pid": {pid}, "full_name": {"Đỗ Thị Hồng Nhung"}, "birth_date": {"1994-07-08"}, "phone": {"0912999999"}})
	if bad.status != 422 || strings.Contains(bad.body, "enrol/verify") {
		t.Fatalf("enrolment with a phone the registry does not hold: %d", bad.status)
	}
	p := br.post("/enrol", url.Values{"pid": {pid}, "full_name": {"do thi hong nhung"}, "birth_date": {"1994-07-08"}, "phone": {"+84 912 000 111"}})
	challenge := regexp.MustCompile(`name="challenge" value="([^"]+)"`).FindStringSubmatch(p.body)
	if p.status != 200 || challenge == nil {
		t.Fatalf("enrolment: %d\n%s", p.status, p.body)
	}
	weak := br.post("/enrol/verify", url.Values{"challenge": {challenge[1]}, "code": {latestCode(t, b.data, "0912000111")}, "password": {"password"}, "password2": {"password"}})
	if weak.status != 422 {
		t.Fatalf("a common password was accepted: %d", weak.status)
	}
	password := "mây trắng bay trên đồi thông"
	p = br.post("/enrol/verify", url.Values{"challenge": {challenge[1]}, "code": {latestCode(t, b.data, "0912000111")}, "password": {password}, "password2": {password}})
	if p.status != 303 {
		t.Fatalf("enrolment verify: %d\n%s", p.status, p.body)
	}

	provider, err := gooidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		SubjectTypes []string `json:"subject_types_supported"`
		ACR          []string `json:"acr_values_supported"`
		PKCE         []string `json:"code_challenge_methods_supported"`
	}
	provider.Claims(&disc)
	if !slices.Contains(disc.SubjectTypes, "pairwise") || !slices.Contains(disc.ACR, "urn:dancu:loa:2") || !slices.Equal(disc.PKCE, []string{"S256"}) {
		t.Errorf("discovery: %+v", disc)
	}
	conf := &oauth2.Config{ClientID: cl.ID, ClientSecret: cl.Secret, Endpoint: provider.Endpoint(), RedirectURL: rp,
		Scopes: []string{"openid", "profile", "pid", "address", "offline_access"}}
	verifier := provider.Verifier(&gooidc.Config{ClientID: cl.ID})

	loginWith := func(br *browser) func(page) page {
		return func(p page) page {
			return br.post("/login", url.Values{"authRequestID": {authRequestOf(t, p)}, "pid": {pid}, "password": {password}})
		}
	}
	consent := func(p page) page {
		if !strings.Contains(p.body, "Số định danh cá nhân") || !strings.Contains(p.body, "Điền sẵn hồ sơ") {
			t.Fatalf("consent page does not say what and why:\n%s", p.body)
		}
		return br.post("/consent", url.Values{"authRequestID": {authRequestOf(t, p)}, "decision": {"allow"}})
	}
	var lastRaw string
	flow := func(br *browser, opts []oauth2.AuthCodeOption, steps ...func(page) page) (*oauth2.Token, *gooidc.IDToken, string) {
		t.Helper()
		v := oauth2.GenerateVerifier()
		state, nonce := "st-"+oauth2.GenerateVerifier()[:8], "n-"+oauth2.GenerateVerifier()[:8]
		q := authorize(t, br, conf.AuthCodeURL(state, append(opts, oauth2.S256ChallengeOption(v), gooidc.Nonce(nonce))...), rp, func(p page) page {
			for _, step := range steps {
				if p.status >= 300 && p.status < 400 {
					p = br.follow(p, rp)
				}
				if strings.HasPrefix(p.location, rp) {
					return p
				}
				p = step(p)
			}
			return p
		})
		if q.Get("state") != state || q.Get("code") == "" {
			t.Fatalf("redirect back: %v", q)
		}
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatalf("code exchange: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		lastRaw = raw
		idt, err := verifier.Verify(ctx, raw)
		if err != nil {
			t.Fatalf("ID token: %v", err)
		}
		if idt.Nonce != nonce {
			t.Fatalf("nonce %q, want %q", idt.Nonce, nonce)
		}
		return tok, idt, q.Get("code")
	}

	tok, idt, code := flow(br, nil, loginWith(br), consent)
	var claims struct {
		ACR      string   `json:"acr"`
		AMR      []string `json:"amr"`
		AuthTime int64    `json:"auth_time"`
	}
	idt.Claims(&claims)
	if claims.ACR != "urn:dancu:loa:1" || !slices.Contains(claims.AMR, "pwd") || claims.AuthTime == 0 {
		t.Errorf("level-1 ID token: %+v", claims)
	}
	if strings.Contains(idt.Subject, pid) || len(idt.Subject) < 20 {
		t.Errorf("subject %q reveals the personal ID number or is short", idt.Subject)
	}
	// The code is spent.
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption("x")); err == nil {
		t.Error("a replayed code was exchanged")
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	var ui map[string]any
	info.Claims(&ui)
	if ui["pid"] != pid || ui["name"] != "Đỗ Thị Hồng Nhung" || ui["birthdate"] != "1994-07-08" || info.Subject != idt.Subject {
		t.Errorf("userinfo: %v", ui)
	}
	if addr, _ := ui["address"].(map[string]any); addr["formatted"] != "Số 8 ngõ 15 phố Đội Cấn" {
		t.Errorf("address claim: %v", ui["address"])
	}
	// Every release of claims to the client is an access-log row the
	// citizen can see.
	if n := b.query(t, "SELECT count(*) FROM access_log WHERE actor_kind = 'client' AND actor_id = '"+cl.ID+"'"); n < 1 {
		t.Errorf("%d access-log rows for the client", n)
	}
	// And sees it on the account page, by the client's name, with what
	// it received, and not their own reads of their own page.
	account := br.get("/account")
	_, used, _ := strings.Cut(account.body, "Ai đã sử dụng thông tin của tôi")
	used, _, _ = strings.Cut(used, "</section>")
	for _, want := range []string{"Cổng dịch vụ công", "số định danh cá nhân", "họ và tên", "ngày sinh", "nơi thường trú"} {
		if !strings.Contains(used, want) {
			t.Errorf("the account page's uses of the person's data lack %q:\n%s", want, used)
		}
	}
	if strings.Contains(used, "Người giám hộ") || strings.Count(used, "<tr>") > 20 {
		t.Errorf("the account page's uses of the person's data:\n%s", used)
	}

	// Introspection (RFC 7662) by the client itself.
	introspect := func(token string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("POST", issuer+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(cl.ID), url.QueryEscape(cl.Secret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	if m := introspect(tok.AccessToken); m["active"] != true || m["client_id"] != cl.ID {
		t.Errorf("introspection of a live token: %v", m)
	}

	// Refresh rotates the refresh token; presenting the old one again
	// revokes the whole family.
	fresh, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.RefreshToken == tok.RefreshToken || fresh.AccessToken == "" {
		t.Fatal("the refresh token was not rotated")
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Fatal("a used refresh token was accepted again")
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); err == nil {
		t.Fatal("the family survived a reused refresh token")
	}
	if m := introspect(fresh.AccessToken); m["active"] == true {
		t.Errorf("an access token of a revoked family is active: %v", m)
	}

	// Revocation (RFC 7009).
	tok2, _, _ := flow(br, nil)
	if m := introspect(tok2.AccessToken); m["active"] != true {
		t.Fatalf("new token inactive: %v", m)
	}
	req, _ := http.NewRequest("POST", issuer+"/oauth2/revoke", strings.NewReader(url.Values{"token": {tok2.AccessToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(cl.ID), url.QueryEscape(cl.Secret))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	if m := introspect(tok2.AccessToken); m["active"] == true {
		t.Errorf("a revoked token is active: %v", m)
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok2)); err == nil {
		t.Error("userinfo served a revoked token")
	}

	// Asking for level 2 with a level-1 account is refused back to the
	// client.
	q := authorize(t, br, conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("acr_values", "urn:dancu:loa:2")), rp, nil)
	if q.Get("error") != "access_denied" {
		t.Errorf("level 2 asked of a level-1 account: %v", q)
	}

	// An officer enrols the person in person: the account is taken over
	// (its session ends) and activated with the code handed over.
	enr := officerHN.call("POST", "/api/v1/eid/enrolments", map[string]any{"pid": pid, "phone": "0912000111"}, 201)
	if enr["took_over"] != true {
		t.Errorf("in-person enrolment did not take the account over: %v", enr)
	}
	if p := br.get("/account"); p.status != 303 {
		t.Errorf("the old session survived the takeover: %d", p.status)
	}
	password = "sông Hồng chảy về biển Đông"
	if p := br.post("/activate", url.Values{"pid": {pid}, "code": {str(enr, "activation_code")}, "password": {password}, "password2": {password}}); p.status != 303 {
		t.Fatalf("activate: %d\n%s", p.status, p.body)
	}
	if p := br.post("/login", url.Values{"pid": {pid}, "password": {password}}); p.status != 303 {
		t.Fatalf("login: %d\n%s", p.status, p.body)
	}
	totp := br.get("/account/totp")
	secret := regexp.MustCompile(`<code>([A-Z2-7 ]+)</code>`).FindStringSubmatch(totp.body)
	sealed := regexp.MustCompile(`name="sealed" value="([^"]+)"`).FindStringSubmatch(totp.body)
	if secret == nil || sealed == nil || !strings.Contains(totp.body, `autocomplete="one-time-code"`) {
		t.Fatalf("TOTP page:\n%s", totp.body)
	}
	key, err := base32NoPad(strings.ReplaceAll(secret[1], " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	if p := br.post("/account/totp", url.Values{"sealed": {sealed[1]}, "name": {"điện thoại"}, "code": {eid.TOTPCode(key, time.Now())}}); p.status != 303 {
		t.Fatalf("TOTP confirm: %d\n%s", p.status, p.body)
	}

	// Step-up: the client asks for level 2 in a new browser; password,
	// then a TOTP code of the next time step (the one just used cannot be
	// used again).
	br2 := newBrowser(t, issuer)
	before := time.Now()
	_, idt2, _ := flow(br2, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("acr_values", "urn:dancu:loa:2")}, loginWith(br2), func(p page) page {
		if !strings.Contains(p.body, "/login/second-factor") {
			t.Fatalf("no second-factor page:\n%s", p.body)
		}
		return br2.post("/login/second-factor", url.Values{"authRequestID": {authRequestOf(t, p)}, "code": {eid.TOTPCode(key, time.Now().Add(30*time.Second))}})
	})
	idt2.Claims(&claims)
	if claims.ACR != "urn:dancu:loa:2" || !slices.Contains(claims.AMR, "otp") || time.Unix(claims.AuthTime, 0).Before(before.Truncate(time.Second)) {
		t.Errorf("level-2 ID token: %+v", claims)
	}
	if idt2.Subject != idt.Subject {
		t.Errorf("the pairwise subject changed across levels: %s, %s", idt.Subject, idt2.Subject)
	}

	// RP-initiated logout ends the browser's session and returns to the
	// client.
	lo := br2.get(issuer + "/oauth2/logout?id_token_hint=" + url.QueryEscape(lastRaw) +
		"&post_logout_redirect_uri=" + url.QueryEscape("http://127.0.0.1:19999/"))
	lo = br2.follow(lo, "http://127.0.0.1:19999/")
	if !strings.HasPrefix(lo.location, "http://127.0.0.1:19999/") {
		t.Errorf("logout did not return to the client: %d %s", lo.status, lo.location)
	}
	if p := br2.get("/account"); p.status != 303 {
		t.Errorf("session alive after logout: %d", p.status)
	}
}

func base32NoPad(s string) ([]byte, error) {
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
}

// TestOpenIDRefusals drives what must be refused, against the real
// binary: a redirect URI not registered, no PKCE, a wrong verifier, a
// replayed code, tampered and unsigned tokens, a token for another
// audience, a form without its CSRF token, a locked account, a dead
// citizen, a machine client's own credentials (secret and signed
// assertion, replayed assertion).
func TestOpenIDRefusals(t *testing.T) {
	b := backend{name: "sqlite", data: t.TempDir()}
	ctx := context.Background()
	srv := startArgs(t, append([]string{"--issuer", "http://localhost:{port}"}, b.args()...)...)
	issuer := strings.Replace(srv.url, "127.0.0.1", "localhost", 1)
	officer := &client{t: t, url: srv.url, token: newOfficer(t, b, "VN")}
	pid := str(officer.call("POST", "/api/v1/births", map[string]any{"full_name": "Lý Văn Phúc", "birth_date": "1985-02-11",
		"sex": "male", "birth_place": "00004", "registration_place": "00004"}, 201), "pid")
	const password = "hoa sen nở giữa đầm lầy"
	run := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(binary, append(args, b.args()...)...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dancu %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run(password+"\n", "eid", "create", "--pid", pid, "--level", "1")
	const rp = "http://127.0.0.1:19998/cb"
	cl := createClient(t, b, "--name", "Ngân hàng thử", "--redirect-uri", rp, "--scopes", "openid profile")
	provider, err := gooidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := &oauth2.Config{ClientID: cl.ID, ClientSecret: cl.Secret, Endpoint: provider.Endpoint(), RedirectURL: rp, Scopes: []string{"openid", "profile"}}
	br := newBrowser(t, issuer)

	// A redirect URI not registered is never redirected to.
	wrong := *conf
	wrong.RedirectURL = "https://evil.example/cb"
	if p := br.get(wrong.AuthCodeURL("s", oauth2.S256ChallengeOption("v"))); p.status < 400 || strings.Contains(p.location, "evil.example") {
		t.Errorf("wrong redirect URI: %d %s", p.status, p.location)
	}
	// No PKCE: refused back to the client.
	if p := br.get(conf.AuthCodeURL("s")); !strings.Contains(p.location, "error=invalid_request") || !strings.HasPrefix(p.location, rp) {
		t.Errorf("no PKCE: %d %s", p.status, p.location)
	}
	// A form without its CSRF token is refused and logs nobody in.
	br.get("/login")
	if p := br.post("/login", url.Values{"csrf": {"forged"}, "pid": {pid}, "password": {password}}); p.status != 403 {
		t.Errorf("login without the CSRF token: %d", p.status)
	}

	verifier := oauth2.GenerateVerifier()
	q := authorize(t, br, conf.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier)), rp, func(p page) page {
		p = br.post("/login", url.Values{"authRequestID": {authRequestOf(t, p)}, "pid": {pid}, "password": {password}})
		return br.post("/consent", url.Values{"authRequestID": {authRequestOf(t, p)}, "decision": {"allow"}})
	})
	if _, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Error("a wrong PKCE verifier was accepted")
	}
	q = authorize(t, br, conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(verifier)), rp, nil)
	if _, err := conf.Exchange(ctx, q.Get("code")); err == nil {
		t.Error("a code was exchanged without its verifier")
	}
	q = authorize(t, br, conf.AuthCodeURL("s3", oauth2.S256ChallengeOption(verifier)), rp, nil)
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a replayed code was exchanged")
	}
	raw, _ := tok.Extra("id_token").(string)
	if _, err := provider.Verifier(&gooidc.Config{ClientID: "someone-else"}).Verify(ctx, raw); err == nil {
		t.Error("an ID token verified for another audience")
	}
	// Tampered and unsigned access tokens are refused at userinfo.
	parts := strings.Split(tok.AccessToken, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"exp":`, `"exp":1`, 1))) + "." + parts[2]
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	for name, bad := range map[string]string{"tampered": tampered, "alg none": none} {
		if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: bad, TokenType: "Bearer"})); err == nil {
			t.Errorf("userinfo served a %s token", name)
		}
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
		t.Fatalf("userinfo with the real token: %v", err)
	}

	// A locked account logs in nowhere until recovery.
	if p := br.post("/account/lock", url.Values{}); p.status != 200 {
		t.Fatalf("lock: %d\n%s", p.status, p.body)
	}
	br2 := newBrowser(t, issuer)
	br2.get("/login")
	if p := br2.post("/login", url.Values{"pid": {pid}, "password": {password}}); p.status != 403 || !strings.Contains(p.body, "khóa") && !strings.Contains(p.body, "locked") {
		t.Errorf("login to a locked account: %d", p.status)
	}

	// A dead citizen's account is closed: no login, no refresh.
	pid2 := str(officer.call("POST", "/api/v1/births", map[string]any{"full_name": "Hà Thị Lan", "birth_date": "1950-03-03",
		"sex": "female", "birth_place": "00004", "registration_place": "00004"}, 201), "pid")
	run(password+"\n", "eid", "create", "--pid", pid2, "--level", "1")
	br3 := newBrowser(t, issuer)
	conf3 := *conf
	conf3.Scopes = []string{"openid", "profile", "offline_access"}
	cl3 := createClient(t, b, "--name", "Bệnh viện thử", "--redirect-uri", rp, "--scopes", "openid profile offline_access")
	conf3.ClientID, conf3.ClientSecret = cl3.ID, cl3.Secret
	v3 := oauth2.GenerateVerifier()
	q = authorize(t, br3, conf3.AuthCodeURL("s4", oauth2.S256ChallengeOption(v3)), rp, func(p page) page {
		p = br3.post("/login", url.Values{"authRequestID": {authRequestOf(t, p)}, "pid": {pid2}, "password": {password}})
		return br3.post("/consent", url.Values{"authRequestID": {authRequestOf(t, p)}, "decision": {"allow"}})
	})
	tok3, err := conf3.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v3))
	if err != nil || tok3.RefreshToken == "" {
		t.Fatalf("exchange: %v %v", err, tok3)
	}
	officer.call("POST", "/api/v1/citizens/"+pid2+"/events", map[string]any{"type": "death", "effective_date": time.Now().Format(time.DateOnly), "death_place": "Hà Nội"}, 201)
	if _, err := conf3.TokenSource(ctx, &oauth2.Token{RefreshToken: tok3.RefreshToken}).Token(); err == nil {
		t.Error("a dead citizen's refresh token was honoured")
	}
	br4 := newBrowser(t, issuer)
	br4.get("/login")
	if p := br4.post("/login", url.Values{"pid": {pid2}, "password": {password}}); p.status != 403 && p.status != 401 {
		t.Errorf("a dead citizen logged in: %d", p.status)
	}

	// Machine clients: client_credentials with a secret, and with a
	// signed assertion (private_key_jwt), which cannot be replayed.
	machine := createClient(t, b, "--name", "Cổng dữ liệu", "--grant-types", "client_credentials", "--scopes", "exchange:lookup exchange:verify")
	cc := clientcredentials.Config{ClientID: machine.ID, ClientSecret: machine.Secret, TokenURL: provider.Endpoint().TokenURL, Scopes: []string{"exchange:lookup"}}
	mt, err := cc.Token(ctx)
	if err != nil || mt.AccessToken == "" {
		t.Fatalf("client_credentials: %v", err)
	}
	cc.Scopes = []string{"exchange:admin"}
	if _, err := cc.Token(ctx); err == nil {
		t.Error("a scope the client was not registered for was granted")
	}
	cc.Scopes, cc.ClientSecret = nil, "wrong"
	if _, err := cc.Token(ctx); err == nil {
		t.Error("a wrong client secret was accepted")
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	jwksPath := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(jwksPath, jwks, 0o600)
	signed := createClient(t, b, "--name", "Ngân hàng ký khóa", "--grant-types", "client_credentials", "--scopes", "exchange:verify",
		"--auth", "private_key_jwt", "--jwks", jwksPath)
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	assertionWith := func(jti string, life time.Duration) string {
		now := time.Now()
		claims, _ := json.Marshal(map[string]any{"iss": signed.ID, "sub": signed.ID, "aud": issuer, "iat": now.Unix(), "exp": now.Add(life).Unix(), "jti": jti})
		obj, _ := signer.Sign(claims)
		s, _ := obj.CompactSerialize()
		return s
	}
	assertion := func() string { return assertionWith(oauth2.GenerateVerifier(), 2*time.Minute) }
	tokenWith := func(a string) int {
		form := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}
		resp, err := http.PostForm(provider.Endpoint().TokenURL, form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Logf("token with an assertion: %d %s", resp.StatusCode, body)
		}
		return resp.StatusCode
	}
	a := assertion()
	if s := tokenWith(a); s != 200 {
		t.Fatalf("private_key_jwt: %d", s)
	}
	if s := tokenWith(a); s == 200 {
		t.Error("a replayed client assertion was accepted")
	}
	if s := tokenWith(assertionWith(oauth2.GenerateVerifier(), 30*time.Minute)); s == 200 {
		t.Error("an assertion living 30 minutes, too long to be remembered against replay, was accepted")
	}
	if s := tokenWith(assertionWith("", 2*time.Minute)); s == 200 {
		t.Error("an assertion without a jti was accepted")
	}
	// A forger who learns a jti before it is used cannot spend it: only
	// verified assertions are remembered.
	genuine := signer
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ = jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: other}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	const jti = "jti-known-in-advance"
	if s := tokenWith(assertionWith(jti, 2*time.Minute)); s == 200 {
		t.Error("an assertion signed with another key was accepted")
	}
	signer = genuine
	if s := tokenWith(assertionWith(jti, 2*time.Minute)); s != 200 {
		t.Errorf("the client's own assertion, after a forgery with its jti: %d", s)
	}
}
