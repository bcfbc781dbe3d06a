package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"dancu/internal/eid"
)

// chromium is Debian's Chromium, which .ci/run installs.
const chromium = "/usr/bin/chromium"

// browserStep bounds every wait of TestBrowser, so that a hang fails with
// what it was waiting for.
const browserStep = 15 * time.Second

// TestBrowser drives the pages and the OpenID Provider of the real binary
// in headless Chromium, as a person would: enrolment at level 1, an
// in-person enrolment that takes the account over, activation, login, a
// TOTP app, a passkey made by Chromium's virtual authenticator, and two
// authorizations of a relying party asking for level 2 — password and
// TOTP in a fresh browser context, then the passkey alone — each code
// exchanged with its PKCE verifier. It saves a screenshot after every
// major step.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("DANCU_SKIP_BROWSER") == "1" && os.Getenv("CI") == "" {
			t.Skipf("no Chromium at %s and DANCU_SKIP_BROWSER=1", chromium)
		}
		t.Fatalf("TestBrowser needs Chromium at %s (apt-get install chromium; .ci/run installs it); "+
			"set DANCU_SKIP_BROWSER=1 to skip it outside CI: %v", chromium, err)
	}
	began := time.Now()
	defer func() { t.Logf("TestBrowser took %s", time.Since(began).Round(100*time.Millisecond)) }()
	ctx := context.Background()
	shots := newArtifacts(t)

	// The registry's side, set up with the API and the CLI.
	b := backend{name: "sqlite", data: t.TempDir()}
	srv := startArgs(t, append([]string{"--issuer", "http://localhost:{port}"}, b.args()...)...)
	issuer := strings.Replace(srv.url, "127.0.0.1", "localhost", 1)
	officerVN := &client{t: t, url: srv.url, token: newOfficer(t, b, "VN")}
	const fullName, birthDate, phone = "Trịnh Thị Thu Hương", "1991-11-23", "0913222333"
	pid := str(officerVN.call("POST", "/api/v1/births", map[string]any{"full_name": fullName, "birth_date": birthDate,
		"sex": "female", "birth_place": "00004", "registration_place": "00004"}, 201), "pid")
	officerVN.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{"type": "phone_number", "phone": phone}, 201)
	officerVN.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{"type": "permanent_residence", "new_household": true,
		"place": "00004", "address": "Số 21 phố Hàng Bông", "effective_date": "2019-03-01"}, 201)
	officerHN := &client{t: t, url: srv.url, token: newOfficer(t, b, "00004")}

	// The relying party: it records the query of its redirect URI.
	callbacks := make(chan url.Values, 4)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cb" {
			http.NotFound(w, r)
			return
		}
		select {
		case callbacks <- r.URL.Query():
		default:
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><head><title>RP</title></head><body><h1>RP OK</h1></body></html>")
	}))
	defer rp.Close()
	rpBase := strings.Replace(rp.URL, "127.0.0.1", "localhost", 1)
	cl := createClient(t, b, "--name", "Cổng dịch vụ công thử", "--redirect-uri", rpBase+"/cb", "--scopes", "openid profile pid",
		"--purpose", "Điền sẵn hồ sơ thủ tục hành chính")
	provider, err := gooidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := &oauth2.Config{ClientID: cl.ID, ClientSecret: cl.Secret, Endpoint: provider.Endpoint(), RedirectURL: rpBase + "/cb",
		Scopes: []string{"openid", "profile", "pid"}}
	verifier := provider.Verifier(&gooidc.Config{ClientID: cl.ID})

	// diagnostics ends the server so that its log can be read whole.
	diagnostics := func() string {
		srv.kill()
		logs := srv.logs.String()
		if len(logs) > 4000 {
			logs = "…" + logs[len(logs)-4000:]
		}
		return "\ndancu's log:\n" + logs
	}

	// The browser.
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.NoSandbox, // Chromium runs as root here
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication"),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("metrics-recording-only", true),
		// A Vietnamese browser: the pages are in its language.
		chromedp.Flag("lang", "vi"),
		chromedp.Flag("accept-lang", "vi-VN,vi"),
		chromedp.WindowSize(1024, 900),
	)
	defer cancelAlloc()
	var errMu sync.Mutex
	var cdpErrors []string
	browserCtx, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithErrorf(func(f string, a ...any) {
		errMu.Lock()
		defer errMu.Unlock()
		cdpErrors = append(cdpErrors, fmt.Sprintf(f, a...))
	}))
	defer cancelBrowser()
	start := time.Now()
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Logf("Chromium started in %s", time.Since(start).Round(time.Millisecond))
	diag := func() string {
		errMu.Lock()
		msg := ""
		if len(cdpErrors) > 0 {
			msg = "\nchromedp errors:\n" + strings.Join(cdpErrors, "\n")
		}
		errMu.Unlock()
		return msg + diagnostics()
	}
	// The person's own browser, where the passkey lives.
	home := newTab(t, browserCtx, "home", shots, diag)

	// Enrolment at level 1 with the code sent to the phone.
	home.navigate(issuer + "/enrol")
	home.waitFor("the enrolment form", `document.querySelector('form[action="/enrol"] input[name="full_name"]') !== null`)
	if h1 := home.eval("the page's title", `document.documentElement.lang + " " + document.querySelector("h1").textContent`); h1 != "vi Đăng ký tài khoản định danh điện tử mức 1" {
		home.fail("checking the page's language", fmt.Errorf("a Vietnamese browser got %q", h1))
	}
	home.fill(`form[action="/enrol"]`, "pid", pid, "full_name", fullName, "birth_date", birthDate, "phone", phone)
	home.shot("enrol-form")
	home.submit(`form[action="/enrol"]`)
	home.waitFor("the page asking for the code sent to the phone", `document.querySelector('form[action="/enrol/verify"] input[name="challenge"]') !== null`)
	home.shot("enrol-code")
	const password = "hoa phượng đỏ rực sân trường"
	home.fill(`form[action="/enrol/verify"]`, "code", latestCode(t, b.data, phone), "password", password, "password2", password)
	home.submit(`form[action="/enrol/verify"]`)
	home.waitFor("the login page after enrolment", `location.pathname === "/login" && document.querySelector(".notice") !== null`)
	home.shot("enrolled")

	// In person at level 2: the officer's enrolment takes the account
	// over; the person activates it, logs in and adds a TOTP app.
	enr := officerHN.call("POST", "/api/v1/eid/enrolments", map[string]any{"pid": pid, "phone": phone}, 201)
	if enr["took_over"] != true || str(enr, "activation_code") == "" {
		t.Fatalf("in-person enrolment: %v", enr)
	}
	const password2 = "nắng vàng trên phố cổ Hội An"
	home.navigate(issuer + "/activate")
	home.waitFor("the activation form", `document.querySelector('form[action="/activate"]') !== null`)
	home.fill(`form[action="/activate"]`, "pid", pid, "code", str(enr, "activation_code"), "password", password2, "password2", password2)
	home.shot("activate-form")
	home.submit(`form[action="/activate"]`)
	home.waitFor("the login page after activation", `location.pathname === "/login" && document.querySelector(".notice") !== null`)
	home.fill(`form[action="/login"]`, "pid", pid, "password", password2)
	home.submit(`form[action="/login"]`)
	home.waitFor("the account page after logging in", `location.pathname === "/account" && document.querySelector('form[action="/logout"]') !== null`)
	home.shot("account-level2")

	home.navigate(issuer + "/account/totp")
	home.waitFor("the TOTP page with its QR code drawn", `document.querySelector("main code") !== null && document.querySelector("img.qr")?.naturalWidth > 0`)
	secretText := home.eval("the TOTP secret", `document.querySelector("main code").textContent`)
	if !regexp.MustCompile(`^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$`).MatchString(secretText) {
		t.Fatalf("TOTP secret as shown: %q", secretText)
	}
	totpKey, err := base32NoPad(strings.ReplaceAll(secretText, " ", ""))
	if err != nil {
		t.Fatalf("TOTP secret %q: %v", secretText, err)
	}
	home.fill(`form[action="/account/totp"]`, "name", "điện thoại", "code", eid.TOTPCode(totpKey, time.Now()))
	home.shot("totp-setup")
	home.submit(`form[action="/account/totp"]`)
	home.waitFor("the account page listing the TOTP app", `location.pathname === "/account" && `+listed("Ứng dụng xác thực · điện thoại"))

	// A passkey from the virtual authenticator.
	wctx, cancel := context.WithTimeout(home.ctx, browserStep)
	defer cancel()
	if _, err := chromedp.Call(wctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		home.fail("enabling WebAuthn in DevTools", err)
	}
	added, err := chromedp.Call(wctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		}})
	if err != nil {
		home.fail("adding the virtual authenticator", err)
	}
	home.waitFor("the passkey button (shown only when WebAuthn is available)", visible("#passkey-register"))
	home.click("#passkey-register")
	// Named after the browser it was made in, and in the account's history
	// in words rather than codes.
	home.waitFor("the account page listing the passkey", `location.pathname === "/account" && `+listed("Khóa truy cập · Chrome · Linux"))
	home.waitFor("the history naming the passkey", `document.body.innerText.includes("Thêm khóa truy cập: Chrome · Linux")`)
	home.shot("account-passkey")
	wctx, cancel = context.WithTimeout(home.ctx, browserStep)
	defer cancel()
	creds, err := chromedp.Call(wctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: added.AuthenticatorID})
	if err != nil {
		home.fail("reading the virtual authenticator", err)
	}
	if len(creds.Credentials) != 1 || !creds.Credentials[0].IsResidentCredential || creds.Credentials[0].RpID != "localhost" {
		t.Fatalf("the authenticator holds %d credentials: %+v", len(creds.Credentials), creds.Credentials)
	}

	// begin sends a tab to the relying party's authorization request for
	// level 2, with PKCE, state and nonce; finish waits for the tab to land
	// back at the relying party, exchanges the code with the verifier and
	// returns the ID token's claims.
	type authorization struct{ verifier, state, nonce string }
	begin := func(tb *tab) authorization {
		t.Helper()
		a := authorization{verifier: oauth2.GenerateVerifier(), state: "st-" + oauth2.GenerateVerifier()[:10], nonce: "n-" + oauth2.GenerateVerifier()[:10]}
		tb.navigate(conf.AuthCodeURL(a.state, oauth2.S256ChallengeOption(a.verifier), gooidc.Nonce(a.nonce),
			oauth2.SetAuthURLParam("acr_values", "urn:dancu:loa:2")))
		return a
	}
	type idClaims struct {
		ACR string   `json:"acr"`
		AMR []string `json:"amr"`
	}
	finish := func(tb *tab, a authorization, name string) idClaims {
		t.Helper()
		tb.waitFor("the relying party's page", `location.href.startsWith(`+jsString(rpBase+"/cb?")+`) && document.body !== null && document.body.innerText.includes("RP OK")`)
		tb.shot(name)
		loc := tb.eval("the relying party's address", "location.href")
		var q url.Values
		select {
		case q = <-callbacks:
		default:
			t.Fatalf("the relying party did not record %s", loc)
		}
		if q.Get("error") != "" || q.Get("code") == "" || q.Get("state") != a.state {
			t.Fatalf("back at the relying party: %v (state sent %s)", q, a.state)
		}
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(a.verifier))
		if err != nil {
			t.Fatalf("exchanging the code: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := verifier.Verify(ctx, raw)
		if err != nil {
			t.Fatalf("ID token: %v", err)
		}
		if idt.Nonce != a.nonce {
			t.Fatalf("nonce %q, want %q", idt.Nonce, a.nonce)
		}
		var c idClaims
		if err := idt.Claims(&c); err != nil {
			t.Fatal(err)
		}
		info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatalf("userinfo: %v", err)
		}
		var ui map[string]any
		info.Claims(&ui)
		if ui["pid"] != pid || ui["name"] != fullName {
			t.Errorf("userinfo: %v", ui)
		}
		return c
	}

	// In a fresh browser context (no cookies): password, then a TOTP
	// code of the next step (the one just used cannot be used again),
	// then consent.
	other := newTab(t, browserCtx, "fresh", shots, diag, chromedp.WithNewBrowserContext())
	a := begin(other)
	other.waitFor("the login page for the relying party", `location.pathname === "/login" && document.body.innerText.includes(`+jsString("Cổng dịch vụ công thử")+`)`)
	other.fill(`form[action="/login"]`, "pid", pid, "password", password2)
	other.shot("rp-login")
	other.submit(`form[action="/login"]`)
	other.waitFor("the second-factor page", `document.querySelector('form[action="/login/second-factor"] input[name="code"]') !== null`)
	other.fill(`form[action="/login/second-factor"]`, "code", eid.TOTPCode(totpKey, time.Now().Add(30*time.Second)))
	other.shot("rp-second-factor")
	other.submit(`form[action="/login/second-factor"]`)
	other.waitFor("the consent page", `document.querySelector('form[action="/consent"] button[value="allow"]') !== null`)
	other.shot("rp-consent")
	other.click(`form[action="/consent"] button[value="allow"]`)
	c := finish(other, a, "rp-back-totp")
	if c.ACR != "urn:dancu:loa:2" || !slices.Contains(c.AMR, "pwd") || !slices.Contains(c.AMR, "otp") {
		t.Errorf("ID token after password and TOTP: %+v", c)
	}

	// Back in the person's browser: log out, then the passkey alone.
	// Consent was given, so the login goes straight back to the client.
	home.navigate(issuer + "/account")
	home.waitFor("the account page", `document.querySelector('form[action="/logout"] button') !== null`)
	home.click(`form[action="/logout"] button`)
	home.waitFor("the login page after logging out", `location.pathname === "/login" && document.querySelector('form[action="/login"]') !== null`)
	a = begin(home)
	home.waitFor("the passkey button on the login page", `location.pathname === "/login" && `+visible("#passkey-login"))
	home.shot("rp-login-passkey")
	home.click("#passkey-login")
	c = finish(home, a, "rp-back-passkey")
	if c.ACR != "urn:dancu:loa:2" || !slices.Contains(c.AMR, "hwk") {
		t.Errorf("ID token after the passkey: %+v", c)
	}

	// A script refused by the content security policy, a missing file or
	// an uncaught exception on dancu's pages shows only in the console.
	for _, tb := range []*tab{home, other} {
		for _, line := range tb.consoleErrors(issuer) {
			t.Errorf("%s tab, console: %s", tb.name, line)
		}
	}
}

// tab is a browser tab of TestBrowser.
type tab struct {
	t     *testing.T
	name  string
	ctx   context.Context
	shots *artifacts
	diag  func() string

	mu      sync.Mutex
	console []string
}

func newTab(t *testing.T, parent context.Context, name string, shots *artifacts, diag func() string, opts ...chromedp.ContextOption) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, opts...)
	t.Cleanup(cancel)
	tb := &tab{t: t, name: name, ctx: ctx, shots: shots, diag: diag}
	// The first run opens the tab, with no timeout (a timeout there would
	// close it); every later step has its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening the %s tab: %v", name, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			line := m.String()
			if m.URL != "" {
				line += " (" + m.URL + ")"
			}
			tb.console = append(tb.console, line)
			tb.mu.Unlock()
		}
	}()
	return tb
}

// consoleErrors are the errors the console showed for pages of origin.
func (tb *tab) consoleErrors(origin string) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var errs []string
	for _, line := range tb.console {
		if (strings.HasPrefix(line, string(chromedp.ConsoleError)) || strings.HasPrefix(line, string(chromedp.ConsoleException))) && strings.Contains(line, origin) {
			errs = append(errs, line)
		}
	}
	return errs
}

// do runs steps within browserStep.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s: %w", browserStep, err)
		}
		tb.fail(what, err)
	}
}

func (tb *tab) navigate(u string) {
	tb.t.Helper()
	tb.do("opening "+u, chromedp.Navigate(u))
}

// fill types values into a form's inputs: name, value, name, value….
func (tb *tab) fill(form string, fields ...string) {
	tb.t.Helper()
	for i := 0; i+1 < len(fields); i += 2 {
		sel := fmt.Sprintf(`%s input[name=%q]`, form, fields[i])
		tb.do("typing into "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), fields[i+1]))
	}
}

func (tb *tab) submit(form string) {
	tb.t.Helper()
	tb.click(form + ` button[type="submit"]`)
}

func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do("clicking "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

func (tb *tab) eval(what, expr string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		tb.fail("reading "+what, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds. An error shown on
// the page (the server's message, or the passkey script's) ends the wait
// at once.
func (tb *tab) waitFor(what, cond string) {
	tb.t.Helper()
	expr := `(() => {
		const shown = [...document.querySelectorAll(".error")].find(e => !e.closest("[hidden]"));
		if (shown) return "error: " + shown.innerText.trim();
		try { return (` + cond + `) ? "ok" : ""; } catch (e) { return ""; }
	})()`
	deadline := time.Now().Add(browserStep)
	var last error
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		cancel()
		switch {
		case err != nil:
			last = err // a navigation in flight: try again
		case v == "ok":
			return
		case strings.HasPrefix(v, "error: "):
			tb.fail("waiting for "+what, errors.New("the page shows an error: "+strings.TrimPrefix(v, "error: ")))
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("not there after %s", browserStep)
			if last != nil {
				msg += fmt.Sprintf(" (last error: %v)", last)
			}
			tb.fail("waiting for "+what, errors.New(msg))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (tb *tab) shot(name string) {
	tb.t.Helper()
	// Right after a navigation Chromium may report a page of no size
	// ("Cannot take screenshot with 0 width"); the page is there, its
	// layout is not yet, so try again for a moment. A screenshot is
	// evidence, not an assertion: the waits before it check the page.
	deadline := time.Now().Add(browserStep)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err == nil {
			tb.shots.save(name, png)
			return
		}
		if time.Now().After(deadline) || tb.ctx.Err() != nil {
			tb.t.Logf("%s tab: no screenshot %s: %v", tb.name, name, err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fail stops the test with where the tab is, what it shows, a
// screenshot, the console and the server's log.
func (tb *tab) fail(what string, err error) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		tb.shots.save("FAILED-"+tb.name, png)
	}
	if len(text) > 3000 {
		text = text[:3000] + "…"
	}
	tb.mu.Lock()
	console := strings.Join(tb.console, "\n")
	tb.mu.Unlock()
	tb.t.Fatalf("%s tab: %s: %v\nat %s\npage text:\n%s\nconsole:\n%s%s", tb.name, what, err, loc, text, console, tb.diag())
}

// visible is a JavaScript condition: the element exists and is shown.
func visible(sel string) string {
	return fmt.Sprintf(`((e) => e !== null && !e.closest("[hidden]") && e.getClientRects().length > 0)(document.querySelector(%s))`, jsString(sel))
}

// listed is a JavaScript condition: the account page lists a second factor
// whose line begins so.
func listed(prefix string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("main li")].some(li => li.textContent.trim().startsWith(%s))`, jsString(prefix+" ·"))
}

func jsString(s string) string {
	return fmt.Sprintf("%q", s) // Go's quoting is valid JavaScript for these strings
}

// artifacts keeps TestBrowser's screenshots: in $DANCU_ARTIFACTS/browser
// when set, else in a temporary directory, copied to
// /tmp/dancu-artifacts/browser for a look after the test.
type artifacts struct {
	t      *testing.T
	dir    string
	mirror string
	mu     sync.Mutex
	n      int
}

func newArtifacts(t *testing.T) *artifacts {
	a := &artifacts{t: t}
	if d := os.Getenv("DANCU_ARTIFACTS"); d != "" {
		a.dir = filepath.Join(d, "browser")
	} else {
		a.dir = t.TempDir()
		a.mirror = filepath.Join(os.TempDir(), "dancu-artifacts", "browser")
		os.RemoveAll(a.mirror)
		if err := os.MkdirAll(a.mirror, 0o755); err != nil {
			t.Logf("screenshots will not be copied: %v", err)
			a.mirror = ""
		}
	}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Screenshots of an earlier run would mislead.
	old, _ := filepath.Glob(filepath.Join(a.dir, "*.png"))
	for _, f := range old {
		os.Remove(f)
	}
	t.Cleanup(func() {
		t.Logf("screenshots in %s", a.dir)
		if a.mirror != "" {
			t.Logf("and copied to %s", a.mirror)
		}
	})
	return a
}

func (a *artifacts) save(name string, png []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	file := fmt.Sprintf("%02d-%s.png", a.n, name)
	for _, d := range []string{a.dir, a.mirror} {
		if d == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(d, file), png, 0o644); err != nil {
			a.t.Errorf("saving a screenshot: %v", err)
		}
	}
}
