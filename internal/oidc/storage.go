package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"dancu/internal/actor"
	"dancu/internal/eid"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

// storage is zitadel's op.Storage over dancu's stores.
type storage struct {
	p     *Provider
	sweep sweeper

	mu sync.Mutex

	clientsMu sync.Mutex
	clients   map[string]cachedClient

	// liveMu guards live: access tokens found unrevoked, and until when
	// that is believed (liveFor).
	liveMu    sync.Mutex
	liveUntil map[string]time.Time
}

// liveFor is how long an access token found unrevoked is believed so
// without asking the database again: a system's every request checks
// its token, and a look-up each time was a tenth of a verification's
// cost. A revocation reaches every process within it, and the process
// that revoked at once (forgetLive).
const liveFor = time.Second

// forgetLive drops what is believed of tokens, after a revocation.
func (s *storage) forgetLive() {
	s.liveMu.Lock()
	s.liveUntil = nil
	s.liveMu.Unlock()
}

// cachedClient is a client read from the store, kept a moment: every
// token request and introspection authenticates a client, and
// registrations change seldom. A disabled client is refused within
// clientCacheTTL on every server.
type cachedClient struct {
	c     *Client
	until time.Time
}

const clientCacheTTL = 2 * time.Second

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanTerminateSessionFromRequest = (*storage)(nil)
)

func (s *storage) now() time.Time { return s.p.cfg.Now() }

func (s *storage) randomID(prefix string) (string, error) {
	r := s.p.cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 18)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func (s *storage) client(ctx context.Context, id string) (*Client, error) {
	now := s.now()
	s.clientsMu.Lock()
	cc, ok := s.clients[id]
	s.clientsMu.Unlock()
	c := cc.c
	if !ok || !now.Before(cc.until) {
		err := s.p.cfg.Store.View(ctx, func(tx Tx) error {
			var err error
			c, err = tx.ClientByID(ctx, id)
			return err
		})
		if err != nil {
			return nil, err
		}
		s.clientsMu.Lock()
		if s.clients == nil || len(s.clients) > 10_000 {
			s.clients = map[string]cachedClient{}
		}
		s.clients[id] = cachedClient{c: c, until: now.Add(clientCacheTTL)}
		s.clientsMu.Unlock()
	}
	if !c.DisabledAt.IsZero() {
		return nil, errs.E(errs.Forbidden, "client-disabled", "the client is disabled")
	}
	return c, nil
}

func (s *storage) loginURL(id string) string {
	return s.p.cfg.LoginPath + "?authRequestID=" + id
}

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.client(ctx, id)
	if err != nil {
		return nil, err
	}
	return opClient{c: c, loginURL: s.loginURL}, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := s.client(ctx, id)
	if err != nil {
		return err
	}
	if c.AuthMethod != AuthSecretBasic || !s.p.cfg.Clients.Verify(c, secret) {
		return errors.New("invalid client secret")
	}
	return nil
}

// CreateAuthRequest implements op.AuthStorage. It refuses what zitadel
// lets through: a request without PKCE S256, scopes the client was not
// registered for (never silently dropped), a level above the client's
// maximum, unknown acr values.
func (s *storage) CreateAuthRequest(ctx context.Context, r *zoidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.p.sweep(ctx)
	c, err := s.client(ctx, r.ClientID)
	if err != nil {
		return nil, zoidc.ErrInvalidRequest().WithDescription("unknown client")
	}
	if r.CodeChallenge == "" || r.CodeChallengeMethod != zoidc.CodeChallengeMethodS256 {
		return nil, zoidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	}
	if r.ResponseType != zoidc.ResponseTypeCode {
		return nil, zoidc.ErrInvalidRequest().WithDescription("only the authorization code flow is supported (response_type=code)")
	}
	var refused []string
	for _, sc := range r.Scopes {
		switch {
		case sc == "offline_access":
			if !slices.Contains(c.GrantTypes, GrantRefresh) {
				refused = append(refused, sc)
			}
		case !slices.Contains(c.Scopes, sc):
			refused = append(refused, sc)
		}
	}
	if len(refused) > 0 {
		return nil, zoidc.ErrInvalidScope().WithDescription("the client is not registered for: %s", strings.Join(refused, " "))
	}
	for _, v := range r.ACRValues {
		if v != ACRLevel1 && v != ACRLevel2 {
			return nil, zoidc.ErrInvalidRequest().WithDescription("unknown acr value %s; use %s or %s", v, ACRLevel1, ACRLevel2)
		}
	}
	if requestedLevel(r.ACRValues) > c.MaxLevel {
		return nil, zoidc.ErrInvalidRequest().WithDescription("the client may ask for level %d at most", c.MaxLevel)
	}
	id, err := s.randomID("arq_")
	if err != nil {
		return nil, err
	}
	now := s.now()
	req := &AuthRequest{ID: id, ClientID: c.ID, CreatedAt: now, ExpiresAt: now.Add(AuthRequestLifetime), Params: Params{
		RedirectURI: r.RedirectURI, Scopes: r.Scopes, State: r.State, Nonce: r.Nonce, ResponseType: string(r.ResponseType),
		ResponseMode: string(r.ResponseMode), CodeChallenge: r.CodeChallenge, CodeChallengeMethod: string(r.CodeChallengeMethod),
		Prompt: r.Prompt, MaxAge: r.MaxAge, ACRValues: r.ACRValues, LoginHint: r.LoginHint,
	}}
	for _, l := range r.UILocales {
		req.Params.UILocales = append(req.Params.UILocales, l.String())
	}
	if err := s.p.cfg.Store.Update(ctx, func(tx Tx) error { return tx.InsertAuthRequest(ctx, req) }); err != nil {
		return nil, err
	}
	return &opAuthRequest{r: req, client: c}, nil
}

// opAuthRequest adapts an AuthRequest to op.AuthRequest.
type opAuthRequest struct {
	r       *AuthRequest
	client  *Client
	subject string
	person  registry.PersonKey
}

func (a *opAuthRequest) GetID() string          { return a.r.ID }
func (a *opAuthRequest) GetACR() string         { return a.r.ACR }
func (a *opAuthRequest) GetAMR() []string       { return a.r.AMR }
func (a *opAuthRequest) GetAudience() []string  { return []string{a.r.ClientID} }
func (a *opAuthRequest) GetAuthTime() time.Time { return a.r.AuthTime }
func (a *opAuthRequest) GetClientID() string    { return a.r.ClientID }
func (a *opAuthRequest) GetCodeChallenge() *zoidc.CodeChallenge {
	return &zoidc.CodeChallenge{Challenge: a.r.Params.CodeChallenge, Method: zoidc.CodeChallengeMethod(a.r.Params.CodeChallengeMethod)}
}
func (a *opAuthRequest) GetNonce() string       { return a.r.Params.Nonce }
func (a *opAuthRequest) GetRedirectURI() string { return a.r.Params.RedirectURI }
func (a *opAuthRequest) GetResponseType() zoidc.ResponseType {
	return zoidc.ResponseType(a.r.Params.ResponseType)
}
func (a *opAuthRequest) GetResponseMode() zoidc.ResponseMode {
	return zoidc.ResponseMode(a.r.Params.ResponseMode)
}
func (a *opAuthRequest) GetScopes() []string { return a.r.Params.Scopes }
func (a *opAuthRequest) GetState() string    { return a.r.Params.State }
func (a *opAuthRequest) GetSubject() string  { return a.subject }
func (a *opAuthRequest) Done() bool          { return a.r.Done }

// withSubject completes a request loaded from the store with the subject
// of the person who logged in.
func (s *storage) withSubject(ctx context.Context, r *AuthRequest) (*opAuthRequest, error) {
	c, err := s.client(ctx, r.ClientID)
	if err != nil {
		return nil, err
	}
	out := &opAuthRequest{r: r, client: c}
	if r.AccountID != "" {
		a, err := s.p.cfg.Accounts.Account(ctx, r.AccountID)
		if err != nil {
			return nil, err
		}
		out.person, out.subject = a.Person, s.p.Subject(c, a.Person)
	}
	return out, nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	var r *AuthRequest
	err := s.p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		r, err = tx.AuthRequestByID(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !s.now().Before(r.ExpiresAt) {
		return nil, errors.New("auth request expired")
	}
	return s.withSubject(ctx, r)
}

// AuthRequestByCode implements op.AuthStorage.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	var r *AuthRequest
	err := s.p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		r, err = tx.AuthRequestByCode(ctx, s.p.keyed("code", code))
		return err
	})
	if err != nil {
		return nil, zoidc.ErrInvalidGrant().WithDescription("the code is invalid, expired or was already used")
	}
	if !s.now().Before(r.ExpiresAt) || !r.Done {
		return nil, zoidc.ErrInvalidGrant().WithDescription("the code is invalid, expired or was already used")
	}
	// The person's account must still be usable (not locked, closed, or
	// of someone who died) when the code is exchanged.
	if _, err := s.p.cfg.Accounts.Check(ctx, r.AccountID); err != nil {
		return nil, zoidc.ErrInvalidGrant().WithDescription("the account can no longer log in")
	}
	return s.withSubject(ctx, r)
}

// SaveAuthCode implements op.AuthStorage. A code is usable for what is left
// of the request's lifetime, and at most a minute.
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.p.cfg.Store.Update(ctx, func(tx Tx) error {
		r, err := tx.AuthRequestByID(ctx, id)
		if err != nil {
			return err
		}
		r.CodeHash = s.p.keyed("code", code)
		if exp := s.now().Add(time.Minute); exp.Before(r.ExpiresAt) {
			r.ExpiresAt = exp
		}
		return tx.UpdateAuthRequest(ctx, r)
	})
}

// DeleteAuthRequest implements op.AuthStorage: a code is spent once.
func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.p.cfg.Store.Update(ctx, func(tx Tx) error { return tx.DeleteAuthRequest(ctx, id) })
}

// tokenClaims is what an access token id carries, encrypted: who the token
// is for and what it may do, so userinfo and introspection need no stored
// token, and the id reveals nothing to anyone else.
type tokenClaims struct {
	Account string   `json:"a,omitempty"`
	Client  string   `json:"c"`
	Family  string   `json:"f,omitempty"`
	Scopes  []string `json:"s,omitempty"`
	ACR     string   `json:"l,omitempty"`
	Expires int64    `json:"x"`
	Nonce   string   `json:"n"`
}

const accessTokenPrefix = "at1."

func (s *storage) sealToken(tc tokenClaims) (string, error) {
	nonce := make([]byte, 6)
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return "", err
	}
	tc.Nonce = base64.RawURLEncoding.EncodeToString(nonce)
	raw, err := json.Marshal(tc)
	if err != nil {
		return "", err
	}
	sealed, err := s.p.cfg.TokenSealer.Seal(raw, []byte("access-token"))
	if err != nil {
		return "", err
	}
	return accessTokenPrefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (s *storage) openToken(id string) (*tokenClaims, error) {
	rest, ok := strings.CutPrefix(id, accessTokenPrefix)
	if !ok {
		return nil, errors.New("not an access token")
	}
	sealed, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, err
	}
	raw, err := s.p.cfg.TokenSealer.Open(sealed, []byte("access-token"))
	if err != nil {
		return nil, err
	}
	var tc tokenClaims
	return &tc, json.Unmarshal(raw, &tc)
}

// revocationID is how a token id is listed when revoked.
func revocationID(tokenID string) string {
	h := sha256.Sum256([]byte(tokenID))
	return "at:" + hex.EncodeToString(h[:16])
}

// liveToken opens an access token id and checks it was not revoked, nor
// its family.
func (s *storage) liveToken(ctx context.Context, tokenID string) (*tokenClaims, error) {
	tc, err := s.openToken(tokenID)
	if err != nil {
		return nil, err
	}
	return tc, s.live(ctx, tokenID, tc)
}

// live checks an opened access token is neither expired, nor revoked, nor
// of a disabled client.
func (s *storage) live(ctx context.Context, tokenID string, tc *tokenClaims) error {
	if s.now().Unix() >= tc.Expires {
		return errors.New("token expired")
	}
	now := s.now()
	s.liveMu.Lock()
	until, known := s.liveUntil[tokenID]
	s.liveMu.Unlock()
	if !known || !now.Before(until) {
		ids := []string{revocationID(tokenID)}
		if tc.Family != "" {
			ids = append(ids, "family:"+tc.Family)
		}
		var revoked bool
		if err := s.p.cfg.Store.View(ctx, func(tx Tx) error {
			var err error
			revoked, err = tx.Revoked(ctx, ids...)
			return err
		}); err != nil {
			return err
		}
		if revoked {
			return errors.New("token revoked")
		}
		s.liveMu.Lock()
		if s.liveUntil == nil || len(s.liveUntil) >= maxKnownTokens {
			s.liveUntil = map[string]time.Time{}
		}
		s.liveUntil[tokenID] = now.Add(liveFor)
		s.liveMu.Unlock()
	}
	// A disabled client's tokens die with it: disabling is what an
	// operator does when a relying party is compromised.
	_, err := s.client(ctx, tc.Client)
	return err
}

// requestFacts takes what a token request says of the person and the
// grant, whichever kind it is.
func requestFacts(req op.TokenRequest) (clientID, accountID, acr string, amr []string, auth time.Time) {
	switch r := req.(type) {
	case *opAuthRequest:
		return r.r.ClientID, r.r.AccountID, r.r.ACR, r.r.AMR, r.r.AuthTime
	case *refreshRequest:
		return r.t.ClientID, r.t.AccountID, r.t.ACR, r.t.AMR, r.t.AuthTime
	case *clientCredentialsRequest:
		return r.client.ID, "", "", nil, time.Time{}
	}
	return "", "", "", nil, time.Time{}
}

// CreateAccessToken implements op.AuthStorage.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID, accountID, acr, _, _ := requestFacts(req)
	if clientID == "" {
		return "", time.Time{}, errors.New("unsupported token request")
	}
	exp := s.now().Add(AccessTokenLifetime)
	id, err := s.sealToken(tokenClaims{Account: accountID, Client: clientID, Scopes: req.GetScopes(), ACR: acr, Expires: exp.Unix()})
	return id, exp, err
}

// CreateAccessAndRefreshTokens implements op.AuthStorage: a code exchange
// starts a family of refresh tokens; a refresh rotates the token, and a
// token presented after it was rotated revokes its whole family (it was
// copied).
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	clientID, accountID, acr, amr, auth := requestFacts(req)
	if accountID == "" {
		return "", "", time.Time{}, errors.New("refresh tokens are for people's logins")
	}
	now := s.now()
	secret, err := s.randomID("drt_")
	if err != nil {
		return "", "", time.Time{}, err
	}
	tokenID, err := s.randomID("")
	if err != nil {
		return "", "", time.Time{}, err
	}
	nt := &RefreshToken{Hash: s.p.keyed("refresh", secret), ID: tokenID, ClientID: clientID, AccountID: accountID,
		Scopes: req.GetScopes(), ACR: acr, AMR: amr, AuthTime: auth, CreatedAt: now, ExpiresAt: now.Add(RefreshTokenLifetime)}
	err = s.p.cfg.Store.Update(ctx, func(tx Tx) error {
		if current == "" {
			family, err := s.randomID("fam_")
			if err != nil {
				return err
			}
			nt.Family = family
			return tx.InsertRefreshToken(ctx, nt)
		}
		old, err := tx.RefreshTokenByHash(ctx, s.p.keyed("refresh", current))
		if err != nil {
			return err
		}
		fresh, err := tx.UseRefreshToken(ctx, old.Hash, now)
		if err != nil {
			return err
		}
		if !fresh {
			return errReuse{old.Family}
		}
		nt.Family = old.Family
		// The refreshed grant keeps the login's expiry horizon.
		if old.ExpiresAt.Before(nt.ExpiresAt) {
			nt.ExpiresAt = old.ExpiresAt
		}
		return tx.InsertRefreshToken(ctx, nt)
	})
	var reuse errReuse
	if errors.As(err, &reuse) {
		s.revokeFamily(ctx, reuse.family)
		return "", "", time.Time{}, zoidc.ErrInvalidGrant().WithDescription("the refresh token was already used: every token of this grant is revoked")
	}
	if err != nil {
		return "", "", time.Time{}, err
	}
	exp := now.Add(AccessTokenLifetime)
	id, err := s.sealToken(tokenClaims{Account: accountID, Client: clientID, Family: nt.Family, Scopes: req.GetScopes(), ACR: acr, Expires: exp.Unix()})
	if err != nil {
		return "", "", time.Time{}, err
	}
	return id, secret, exp, nil
}

type errReuse struct{ family string }

func (e errReuse) Error() string { return "refresh token reused" }

func (s *storage) revokeFamily(ctx context.Context, family string) {
	now := s.now()
	err := s.p.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.RevokeFamily(ctx, family, now); err != nil {
			return err
		}
		return tx.RevokeTokenID(ctx, "family:"+family, now.Add(AccessTokenLifetime+time.Minute))
	})
	s.forgetLive()
	if err != nil {
		s.p.cfg.Log.Error("revoking a refresh token family", "err", err)
	}
	s.p.cfg.Log.Warn("refresh token reused: its family is revoked", "family", family)
}

// refreshRequest adapts a stored refresh token to op.RefreshTokenRequest.
type refreshRequest struct {
	t       *RefreshToken
	subject string
	scopes  []string
}

func (r *refreshRequest) GetAMR() []string            { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.t.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

// TokenRequestByRefreshToken implements op.AuthStorage.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	var t *RefreshToken
	err := s.p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		t, err = tx.RefreshTokenByHash(ctx, s.p.keyed("refresh", token))
		return err
	})
	if err != nil {
		return nil, zoidc.ErrInvalidGrant().WithDescription("unknown refresh token")
	}
	now := s.now()
	switch {
	case !t.RevokedAt.IsZero():
		return nil, zoidc.ErrInvalidGrant().WithDescription("the refresh token was revoked")
	case !t.UsedAt.IsZero():
		s.revokeFamily(ctx, t.Family)
		return nil, zoidc.ErrInvalidGrant().WithDescription("the refresh token was already used: every token of this grant is revoked")
	case !now.Before(t.ExpiresAt):
		return nil, zoidc.ErrInvalidGrant().WithDescription("the refresh token expired")
	}
	a, err := s.p.cfg.Accounts.Check(ctx, t.AccountID)
	if err != nil {
		return nil, zoidc.ErrInvalidGrant().WithDescription("the account can no longer log in")
	}
	c, err := s.client(ctx, t.ClientID)
	if err != nil {
		return nil, zoidc.ErrInvalidGrant()
	}
	return &refreshRequest{t: t, subject: s.p.Subject(c, a.Person), scopes: t.Scopes}, nil
}

// TerminateSession implements op.AuthStorage; logouts go through
// TerminateSessionFromRequest.
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error { return nil }

// TerminateSessionFromRequest sends the browser to dancu's logout page,
// which ends the e-ID session and then redirects where the client asked
// (zitadel validated that address against the client's registration).
func (s *storage) TerminateSessionFromRequest(ctx context.Context, r *op.EndSessionRequest) (string, error) {
	u := s.p.cfg.LogoutPath
	if r.RedirectURI != "" {
		u += "?post_logout_redirect_uri=" + urlQueryEscape(r.RedirectURI)
	}
	return u, nil
}

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	var t *RefreshToken
	err := s.p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		t, err = tx.RefreshTokenByHash(ctx, s.p.keyed("refresh", token))
		return err
	})
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.AccountID, t.ID, nil
}

// RevokeToken implements op.AuthStorage (RFC 7009): an access token is
// listed as revoked until it would expire; a refresh token revokes its
// family, and the access tokens issued from it.
func (s *storage) RevokeToken(ctx context.Context, token, userID, clientID string) *zoidc.Error {
	now := s.now()
	if tc, err := s.openToken(token); err == nil {
		if tc.Client != clientID {
			return zoidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
		}
		err := s.p.cfg.Store.Update(ctx, func(tx Tx) error {
			return tx.RevokeTokenID(ctx, revocationID(token), time.Unix(tc.Expires, 0).Add(time.Minute))
		})
		s.forgetLive()
		if err != nil {
			return zoidc.ErrServerError()
		}
		return nil
	}
	var t *RefreshToken
	err := s.p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		t, err = tx.RefreshTokenByHash(ctx, s.p.keyed("refresh", token))
		return err
	})
	if err != nil {
		return nil // an unknown token is revoked already
	}
	if t.ClientID != clientID {
		return zoidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
	}
	if err := s.p.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.RevokeFamily(ctx, t.Family, now); err != nil {
			return err
		}
		return tx.RevokeTokenID(ctx, "family:"+t.Family, now.Add(AccessTokenLifetime+time.Minute))
	}); err != nil {
		return zoidc.ErrServerError()
	}
	s.forgetLive()
	return nil
}

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, _, err := s.p.keys.current(ctx)
	return k, err
}

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

// KeySet implements op.AuthStorage: every key not yet expired.
func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	_, pub, err := s.p.keys.current(ctx)
	return slices.Clone(pub), err
}

// SetUserinfoFromScopes implements op.OPStorage; deprecated by zitadel.
func (s *storage) SetUserinfoFromScopes(ctx context.Context, ui *zoidc.UserInfo, userID, clientID string, scopes []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest: the
// claims of an ID token, when the client gets them there.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, ui *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	_, accountID, _, _, _ := requestFacts(req)
	if accountID == "" {
		return nil
	}
	return s.p.claims(ctx, ui, accountID, req.GetClientID(), scopes)
}

// SetUserinfoFromToken implements op.OPStorage: the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(ctx context.Context, ui *zoidc.UserInfo, tokenID, subject, origin string) error {
	tc, err := s.liveToken(ctx, tokenID)
	if err != nil {
		return err
	}
	if tc.Account == "" {
		return errors.New("a client's own token has no user")
	}
	return s.p.claims(ctx, ui, tc.Account, tc.Client, tc.Scopes)
}

// SetIntrospectionFromToken implements op.OPStorage (RFC 7662). It tells
// a resource server whether a token is live and for whom, no personal
// data.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *zoidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	tc, err := s.openToken(tokenID)
	if err != nil {
		return err
	}
	return s.introspection(ctx, resp, tokenID, tc, subject)
}

func (s *storage) introspection(ctx context.Context, resp *zoidc.IntrospectionResponse, tokenID string, tc *tokenClaims, subject string) error {
	if err := s.live(ctx, tokenID, tc); err != nil {
		return err
	}
	if tc.Account != "" {
		if _, err := s.p.cfg.Accounts.Check(ctx, tc.Account); err != nil {
			return err
		}
	}
	resp.Active = true
	resp.Scope = tc.Scopes
	resp.ClientID = tc.Client
	resp.Subject = subject
	resp.TokenType = "Bearer"
	resp.Expiration = zoidc.FromTime(time.Unix(tc.Expires, 0))
	if tc.ACR != "" {
		resp.Claims = map[string]any{"acr": tc.ACR}
	}
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage: access tokens carry
// no personal data beyond the subject; a client's token for itself names
// its gateway member and system, when it has them.
func (s *storage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	if userID == clientID && s.p.cfg.MachineClaims != nil {
		return s.p.cfg.MachineClaims(ctx, clientID), nil
	}
	return nil, nil
}

// GetKeyByIDAndClientID implements op.OPStorage: the public key a
// private_key_jwt client signs its assertions with.
func (s *storage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	c, err := s.client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if c.AuthMethod != AuthPrivateKeyJWT {
		return nil, errors.New("the client does not authenticate with keys")
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(c.JWKS, &set); err != nil {
		return nil, err
	}
	keys := set.Key(keyID)
	if len(keys) == 0 {
		return nil, fmt.Errorf("no key %q for client %s", keyID, clientID)
	}
	return &keys[0], nil
}

// ValidateJWTProfileScopes implements op.OPStorage; the JWT bearer grant
// is not offered.
func (s *storage) ValidateJWTProfileScopes(ctx context.Context, userID string, scopes []string) ([]string, error) {
	return nil, zoidc.ErrUnsupportedGrantType()
}

// Health implements op.Storage.
func (s *storage) Health(ctx context.Context) error {
	return s.p.cfg.Store.View(ctx, func(tx Tx) error { return nil })
}

// clientCredentialsRequest is a machine client's own token request.
type clientCredentialsRequest struct {
	client *Client
	scopes []string
}

func (r *clientCredentialsRequest) GetSubject() string    { return r.client.ID }
func (r *clientCredentialsRequest) GetAudience() []string { return []string{r.client.ID} }
func (r *clientCredentialsRequest) GetScopes() []string   { return r.scopes }

// ClientCredentials implements op.ClientCredentialsStorage.
func (s *storage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	c, err := s.client(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.p.cfg.Clients.Verify(c, secret) {
		return nil, errors.New("invalid client secret")
	}
	return opClient{c: c, loginURL: s.loginURL}, nil
}

// ClientCredentialsTokenRequest implements op.ClientCredentialsStorage.
// The scopes asked must all be the client's; none means all of them.
func (s *storage) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c, err := s.client(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.GrantTypes, GrantClientCredentials) {
		return nil, zoidc.ErrUnauthorizedClient().WithDescription("the client may not use client_credentials")
	}
	if len(scopes) == 0 {
		scopes = slices.Clone(c.Scopes)
	}
	var refused []string
	for _, sc := range scopes {
		if !slices.Contains(c.Scopes, sc) {
			refused = append(refused, sc)
		}
	}
	if len(refused) > 0 {
		return nil, zoidc.ErrInvalidScope().WithDescription("the client is not registered for: %s", strings.Join(refused, " "))
	}
	return &clientCredentialsRequest{client: c, scopes: scopes}, nil
}

// clientActor is the actor of a release of a person's claims to a client,
// on the person's behalf (they logged in and consented).
func clientActor(c *Client, person registry.PersonKey) actor.Actor {
	return actor.Actor{Kind: actor.KindClient, ID: c.ID, Name: c.Name, Purpose: c.Purpose, OnBehalfOf: int64(person)}
}

var _ = eid.Level1
