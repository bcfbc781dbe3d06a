package oidc_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"dancu/internal/actor"
	"dancu/internal/eid"
	"dancu/internal/keys"
	"dancu/internal/oidc"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	srv      *httptest.Server
	provider *oidc.Provider
	clients  *oidc.Clients
	clock    *clock
}

// newEnv serves a provider whose clock the test moves.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reg := registry.NewService(db.Registry(), nil, time.Now, rand.Reader)
	master := keys.Must(keys.NewMaster([]byte("oidc-provider-test-master-key-01234")))
	c := &clock{t: time.Now()}
	accounts := &eid.Service{Store: db.EID(), Registry: reg, Notifier: eid.DirNotifier{Dir: t.TempDir()}, Sealer: master.Sealer("t"), HashKey: []byte("h"), Now: c.now}
	clients := &oidc.Clients{Store: db.OIDC(), HashKey: []byte("client-key"), Now: c.now}
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	p, err := oidc.New(oidc.Config{Issuer: issuer, LoginPath: "/login", LogoutPath: "/logout", Store: db.OIDC(), Clients: clients,
		Accounts: accounts, Registry: reg, Sealer: master.Sealer("sign"), TokenSealer: master.Sealer("tok"),
		SubjectKey: []byte("subject"), CodeKey: []byte("code"), Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{srv: srv, provider: p, clients: clients, clock: c}
}

func (e *env) machine(t *testing.T, scopes ...string) oidc.CreatedClient {
	t.Helper()
	c, err := e.clients.Create(context.Background(), actor.Actor{Kind: actor.KindOperator, ID: "test"}, oidc.NewClient{Name: "Máy", Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) introspect(t *testing.T, c oidc.CreatedClient, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, c.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return m
}

// TestExpiredTokensAreInactive moves the provider's clock past an access
// token's lifetime: introspection says inactive.
func TestExpiredTokensAreInactive(t *testing.T) {
	e := newEnv(t)
	c := e.machine(t, "exchange:lookup")
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: e.srv.URL + "/oauth2/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m := e.introspect(t, c, tok.AccessToken); m["active"] != true || m["scope"] != "exchange:lookup" {
		t.Fatalf("a fresh token: %v", m)
	}
	e.clock.add(oidc.AccessTokenLifetime + time.Second)
	if m := e.introspect(t, c, tok.AccessToken); m["active"] == true {
		t.Fatalf("an expired token is active: %v", m)
	}
}

// TestDisabledClientsTokensAreInactive: disabling a relying party (it was
// compromised) ends its tokens too, once the client cache has expired.
func TestDisabledClientsTokensAreInactive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.machine(t, "exchange:lookup")
	rs := e.machine(t, "exchange:lookup") // the resource server that introspects
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: e.srv.URL + "/oauth2/token"}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m := e.introspect(t, rs, tok.AccessToken); m["active"] != true {
		t.Fatalf("a fresh token: %v", m)
	}
	if err := e.clients.Disable(ctx, actor.Actor{Kind: actor.KindOperator, ID: "test"}, c.ClientID); err != nil {
		t.Fatal(err)
	}
	e.clock.add(3 * time.Second)
	if m := e.introspect(t, rs, tok.AccessToken); m["active"] == true {
		t.Fatalf("a disabled client's token is active: %v", m)
	}
	if _, err := cc.Token(ctx); err == nil {
		t.Fatal("a disabled client got a token")
	}
}

// TestRevokedMachineTokensAreRefused: a system's token is found unrevoked
// once and believed so for a moment, but revoking it in this process ends
// it at once.
func TestRevokedMachineTokensAreRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.machine(t, "exchange:verify")
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: e.srv.URL + "/oauth2/token"}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := e.provider.VerifyMachineToken(ctx, tok.AccessToken); err != nil {
			t.Fatalf("a fresh token: %v", err)
		}
	}
	form := url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}
	req, _ := http.NewRequest("POST", e.srv.URL+"/oauth2/revoke", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, c.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoking: %v %v", err, resp)
	}
	resp.Body.Close()
	if _, err := e.provider.VerifyMachineToken(ctx, tok.AccessToken); err == nil {
		t.Fatal("a token revoked in this process was accepted")
	}
}

// TestIntrospectionRefuses: the introspection path that remembers verified
// tokens still refuses a tampered token, a wrong secret and a missing
// token.
func TestIntrospectionRefuses(t *testing.T) {
	e := newEnv(t)
	c := e.machine(t, "exchange:lookup")
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: e.srv.URL + "/oauth2/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // verified, then remembered
		if m := e.introspect(t, c, tok.AccessToken); m["active"] != true || m["client_id"] != c.ClientID {
			t.Fatalf("a fresh token: %v", m)
		}
	}
	parts := strings.Split(tok.AccessToken, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"sub":"`, `"sub":"x`, 1))) + "." + parts[2]
	if forged == tok.AccessToken {
		t.Fatalf("the forgery changed nothing: %s", payload)
	}
	sig := []byte(parts[2])
	sig[10] ^= 1
	for name, bad := range map[string]string{"payload changed": forged, "signature changed": parts[0] + "." + parts[1] + "." + string(sig),
		"not a JWT": "at1.AAAA", "alg none": parts[0][:0] + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."} {
		if m := e.introspect(t, c, bad); m["active"] != false {
			t.Errorf("%s: %v", name, m)
		}
	}
	call := func(user, secret, token string) int {
		req, _ := http.NewRequest("POST", e.srv.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(user, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := call(c.ClientID, c.ClientSecret+"x", tok.AccessToken); st != http.StatusUnauthorized {
		t.Errorf("a wrong secret: %d", st)
	}
	if st := call("no-such-client", c.ClientSecret, tok.AccessToken); st != http.StatusUnauthorized {
		t.Errorf("an unknown client: %d", st)
	}
	if st := call(c.ClientID, c.ClientSecret, ""); st != http.StatusBadRequest {
		t.Errorf("no token: %d", st)
	}
}

// TestKeyRotation: a rotated key keeps verifying tokens it signed until
// they expire, then leaves the JWKS.
func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	jwks := func() []string {
		resp, err := http.Get(e.srv.URL + "/jwks.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var set struct {
			Keys []struct {
				Kid string `json:"kid"`
			} `json:"keys"`
		}
		json.NewDecoder(resp.Body).Decode(&set)
		var ids []string
		for _, k := range set.Keys {
			ids = append(ids, k.Kid)
		}
		return ids
	}
	first := jwks()
	if len(first) != 1 {
		t.Fatalf("JWKS at start: %v", first)
	}
	newKey, err := e.provider.RotateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := jwks(); len(got) != 2 || !strings.Contains(strings.Join(got, " "), newKey) {
		t.Fatalf("JWKS after rotation: %v", got)
	}
	c := e.machine(t, "exchange:lookup")
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: e.srv.URL + "/oauth2/token"}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tok.AccessToken, ".") || !strings.Contains(decodeHeader(t, tok.AccessToken), newKey) {
		t.Errorf("a token was not signed with the new key")
	}
	// Long after the old key retired, it is gone; the new one stays.
	e.clock.add(3 * time.Hour)
	time.Sleep(10 * time.Millisecond)
	e.clock.add(2 * time.Minute) // past the keyring's refresh
	if got := jwks(); len(got) != 1 || got[0] != newKey {
		t.Fatalf("JWKS long after rotation: %v, want [%s]", got, newKey)
	}
}

func decodeHeader(t *testing.T, jwt string) string {
	t.Helper()
	h := strings.Split(jwt, ".")[0]
	for len(h)%4 != 0 {
		h += "="
	}
	b, err := base64URL.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var base64URL = base64.URLEncoding
