package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Introspection (RFC 7662) is what a resource server does at every request
// it serves, always for the same few tokens, so it has its own path for
// the usual case, a client authenticating with client_secret_basic:
// a token verified once (signature, claims, sealed id opened) is
// remembered by its exact text until it expires, and each request only
// checks the caller, revocation and the account. Other callers
// (private_key_jwt) take zitadel's handler.

// knownToken is a verified access token.
type knownToken struct {
	id      string
	subject string
	claims  *tokenClaims
	until   time.Time
}

type tokenMemo struct {
	mu      sync.Mutex
	entries map[[32]byte]knownToken
}

// maxKnownTokens bounds the memo; when full it starts again.
const maxKnownTokens = 100_000

func (m *tokenMemo) get(key [32]byte, now time.Time) (knownToken, bool) {
	m.mu.Lock()
	k, ok := m.entries[key]
	m.mu.Unlock()
	return k, ok && now.Before(k.until)
}

func (m *tokenMemo) put(key [32]byte, k knownToken) {
	m.mu.Lock()
	if m.entries == nil || len(m.entries) >= maxKnownTokens {
		m.entries = make(map[[32]byte]knownToken, 1024)
	}
	m.entries[key] = k
	m.mu.Unlock()
}

// introspect answers an introspection request whose caller sent HTTP
// Basic credentials (the form is parsed).
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request, rawID, rawSecret string) {
	ctx := r.Context()
	// RFC 6749 §2.3.1: the credentials are form-encoded before Basic.
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil || p.storage.AuthorizeClientIDSecret(ctx, id, secret) != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="introspection"`)
		oauthError(w, "invalid_client", "client authentication failed")
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		oauthError(w, "invalid_request", "token is required")
		return
	}
	resp := new(zoidc.IntrospectionResponse)
	if k, ok := p.knownToken(ctx, token); ok && p.storage.introspection(ctx, resp, k.id, k.claims, k.subject) == nil {
		resp.Active = true
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(resp)
}

// knownToken verifies an access token, or finds it verified before.
func (p *Provider) knownToken(ctx context.Context, token string) (knownToken, bool) {
	key := sha256.Sum256([]byte(token))
	now := p.cfg.Now()
	if k, ok := p.tokens.get(key, now); ok {
		return k, true
	}
	// zitadel's verifier reads the issuer from the context its own
	// handlers put it in.
	ctx = op.ContextWithIssuer(ctx, p.cfg.Issuer)
	claims, err := op.VerifyAccessToken[*zoidc.AccessTokenClaims](ctx, token, p.op.AccessTokenVerifier(ctx))
	if err != nil {
		return knownToken{}, false
	}
	tc, err := p.storage.openToken(claims.JWTID)
	if err != nil {
		return knownToken{}, false
	}
	k := knownToken{id: claims.JWTID, subject: claims.Subject, claims: tc, until: time.Unix(tc.Expires, 0)}
	p.tokens.put(key, k)
	return k, true
}

// MachineToken is what a verified access token a client obtained for
// itself (client_credentials) says.
type MachineToken struct {
	ClientID string
	Scopes   []string
	Expires  time.Time
}

// VerifyMachineToken checks an access token presented to a resource
// server inside dancu (the data-sharing gateway): a client_credentials
// token, live (not expired, not revoked, its client not disabled). Its
// signature is verified once and remembered like introspection's.
func (p *Provider) VerifyMachineToken(ctx context.Context, token string) (MachineToken, error) {
	k, ok := p.knownToken(ctx, token)
	if !ok {
		return MachineToken{}, errors.New("the access token does not verify")
	}
	if k.claims.Account != "" {
		return MachineToken{}, errors.New("the access token was issued for a person, not to a system for itself")
	}
	if err := p.storage.live(ctx, k.id, k.claims); err != nil {
		return MachineToken{}, err
	}
	return MachineToken{ClientID: k.claims.Client, Scopes: k.claims.Scopes, Expires: time.Unix(k.claims.Expires, 0)}, nil
}
