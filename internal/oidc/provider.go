package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"dancu/internal/actor"
	"dancu/internal/eid"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

// Config configures the provider.
type Config struct {
	// Issuer is the provider's URL, as relying parties reach it.
	Issuer string
	// LoginPath is the page that logs people in for an authorization
	// request (its id in the authRequestID parameter).
	LoginPath string
	// LogoutPath ends the browser's session before the redirect back.
	LogoutPath string
	Store      Store
	Clients    *Clients
	Accounts   *eid.Service
	Registry   Registry
	Sealer     Sealer
	// TokenSealer encrypts what access token ids carry.
	TokenSealer Sealer
	// SubjectKey keys the subjects given to clients.
	SubjectKey []byte
	// CodeKey keys the hashes of authorization codes and refresh tokens.
	CodeKey []byte
	Now     func() time.Time
	Rand    io.Reader
	Log     *slog.Logger
	// MachineClaims, when set, adds claims to the access tokens a client
	// gets for itself (client_credentials): the data-sharing gateway's
	// member and system, so a resource server sees who calls.
	MachineClaims func(ctx context.Context, clientID string) map[string]any
}

// Registry is what the provider reads of the population registry; every
// read is access-logged under the actor, the client the claims go to.
type Registry interface {
	CitizenByKey(ctx context.Context, a actor.Actor, key registry.PersonKey, fields []string) (*registry.Citizen, error)
}

// Provider is dancu's OpenID Provider.
type Provider struct {
	cfg     Config
	op      *op.Provider
	storage *storage
	keys    *keyring
	tokens  tokenMemo
	// assertions are the client assertions already spent.
	assertions *replayCache
}

// New builds the provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("issuer %q: an absolute URL without path", cfg.Issuer)
	}
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	p := &Provider{cfg: cfg}
	p.keys = &keyring{store: cfg.Store, sealer: cfg.Sealer, now: cfg.Now}
	p.storage = &storage{p: p}
	p.assertions = newReplayCache()
	opts := []op.Option{
		op.WithCustomEndpoints(op.NewEndpoint("oauth2/authorize"), op.NewEndpoint("oauth2/token"), op.NewEndpoint("oauth2/userinfo"),
			op.NewEndpoint("oauth2/revoke"), op.NewEndpoint("oauth2/logout"), op.NewEndpoint("jwks.json")),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint("oauth2/introspect")),
		op.WithCustomDeviceAuthorizationEndpoint(op.NewEndpoint("oauth2/device-unsupported")),
		op.WithAccessTokenKeySet(&cachingKeySet{inner: &op.OpenIDKeySet{Storage: p.storage}, now: cfg.Now}),
	}
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	var key [32]byte
	copy(key[:], hmacKey(cfg.CodeKey, "op-crypto"))
	config := &op.Config{
		CryptoKey:               key,
		CodeMethodS256:          true,
		AuthMethodPrivateKeyJWT: true,
		GrantTypeRefreshToken:   true,
		SupportedUILocales:      []language.Tag{language.Vietnamese, language.English},
		SupportedScopes:         knownScopes,
		SupportedClaims: []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp",
			"name", "family_name", "given_name", "middle_name", "birthdate", "gender", "pid", "address", "current_address",
			"phone_number", "phone_number_verified", "email", "email_verified"},
	}
	p.op, err = op.NewProvider(config, p.storage, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Start makes sure a signing key exists.
func (p *Provider) Start(ctx context.Context) error {
	_, _, err := p.keys.current(ctx)
	return err
}

// RotateKey starts a new signing key at once.
func (p *Provider) RotateKey(ctx context.Context) (string, error) { return p.keys.rotate(ctx) }

// Handler serves the provider's endpoints: discovery, /oauth2/... and the
// JWKS. Mount it at those paths.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.Handle("/oauth2/", p.guardAssertions(p.op))
	mux.Handle("/jwks.json", p.op)
	return mux
}

// UseMachineClaims sets Config.MachineClaims; call it before serving.
func (p *Provider) UseMachineClaims(fn func(ctx context.Context, clientID string) map[string]any) {
	p.cfg.MachineClaims = fn
}

// maxAssertionLife bounds how far ahead a client assertion may expire:
// zitadel accepts an hour, long enough for a copied assertion to be
// replayed.
const maxAssertionLife = 10 * time.Minute

// guardAssertions refuses a client assertion (private_key_jwt) that was
// already used, or that lives too long to be remembered: zitadel checks
// the signature and the times, not the jti. The signature is checked
// first, so only the client's own key can spend a jti; zitadel checks it
// again on the paths it serves (code exchange, refresh, revocation),
// dancu serves client_credentials itself.
func (p *Provider) guardAssertions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			oauthError(w, "invalid_request", "the request body is not a form of at most 64 KiB")
			return
		}
		a := r.PostForm.Get("client_assertion")
		if a == "" {
			if id, secret, ok := r.BasicAuth(); ok && r.URL.Path == "/oauth2/introspect" {
				p.introspect(w, r, id, secret)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if r.PostForm.Get("client_assertion_type") != zoidc.ClientAssertionTypeJWTAssertion {
			oauthError(w, "invalid_client", "client_assertion_type must be "+zoidc.ClientAssertionTypeJWTAssertion)
			return
		}
		ctx := op.ContextWithIssuer(r.Context(), p.cfg.Issuer)
		req, err := op.VerifyJWTAssertion(ctx, a, p.op.JWTProfileVerifier(ctx))
		if err != nil {
			oauthError(w, "invalid_client", "the client assertion does not verify")
			return
		}
		now := p.cfg.Now()
		switch exp := req.ExpiresAt.AsTime(); {
		case req.JWTID == "":
			oauthError(w, "invalid_client", "client_assertion needs a jti")
		case exp.Sub(now) > maxAssertionLife:
			oauthError(w, "invalid_client", "client_assertion must expire within 10 minutes")
		case !p.assertions.spend(req.Issuer, req.JWTID, exp, now):
			oauthError(w, "invalid_client", "client_assertion was already used")
		case r.URL.Path == "/oauth2/token" && r.PostForm.Get("grant_type") == GrantClientCredentials:
			p.clientCredentialsWithAssertion(w, r.WithContext(ctx), req)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// clientCredentialsWithAssertion serves the client_credentials grant of a
// private_key_jwt client, which zitadel's op serves only for secrets.
func (p *Provider) clientCredentialsWithAssertion(w http.ResponseWriter, r *http.Request, req *zoidc.JWTTokenRequest) {
	ctx := r.Context()
	c, err := p.storage.client(ctx, req.Issuer)
	if err != nil || c.AuthMethod != AuthPrivateKeyJWT {
		oauthError(w, "invalid_client", "unknown client, or not a private_key_jwt client")
		return
	}
	tr, err := p.storage.ClientCredentialsTokenRequest(ctx, c.ID, strings.Fields(r.PostForm.Get("scope")))
	if err != nil {
		var oe *zoidc.Error
		if errors.As(err, &oe) {
			oauthError(w, string(oe.ErrorType), oe.Description)
			return
		}
		oauthError(w, "invalid_request", "the token request was refused")
		return
	}
	resp, err := op.CreateClientCredentialsTokenResponse(ctx, tr, p.op, opClient{c: c, loginURL: p.storage.loginURL})
	if err != nil {
		p.cfg.Log.Error("client credentials token", "err", err)
		oauthError(w, "server_error", "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(resp)
}

func oauthError(w http.ResponseWriter, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusBadRequest
	if code == "invalid_client" {
		status = http.StatusUnauthorized
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// discovery is zitadel's, corrected: it advertises the subject types
// dancu supports (zitadel says "public" only), the acr values, PKCE with
// S256 only, and no device flow.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), p.cfg.Issuer)
	d := op.CreateDiscoveryConfig(ctx, p.op, p.storage)
	d.SubjectTypesSupported = []string{"pairwise", "public"}
	d.ACRValuesSupported = []string{ACRLevel1, ACRLevel2}
	d.CodeChallengeMethodsSupported = []zoidc.CodeChallengeMethod{zoidc.CodeChallengeMethodS256}
	d.DeviceAuthorizationEndpoint = ""
	d.CheckSessionIframe = ""
	d.ResponseModesSupported = []string{"query"}
	d.GrantTypesSupported = []zoidc.GrantType{GrantCode, GrantRefresh, GrantClientCredentials}
	d.ResponseTypesSupported = []string{string(zoidc.ResponseTypeCode)}
	methods := []zoidc.AuthMethod{zoidc.AuthMethodBasic, zoidc.AuthMethodPrivateKeyJWT}
	d.TokenEndpointAuthMethodsSupported = methods
	d.RevocationEndpointAuthMethodsSupported = methods
	d.IntrospectionEndpointAuthMethodsSupported = methods
	algs := []string{"ES256", "RS256", "PS256"}
	d.TokenEndpointAuthSigningAlgValuesSupported = algs
	d.RevocationEndpointAuthSigningAlgValuesSupported = algs
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = algs
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(d)
}

func hmacKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// keyed is the keyed hash of a code or token.
func (p *Provider) keyed(kind, secret string) []byte {
	m := hmac.New(sha256.New, p.cfg.CodeKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// Subject is what a client knows a person by: a keyed hash of the
// client's sector (pairwise) or of nothing (public) and the person's
// internal key, so it survives corrections and merges of numbers and
// reveals no personal ID number.
func (p *Provider) Subject(c *Client, person registry.PersonKey) string {
	sector := ""
	if c.SubjectType == "pairwise" {
		sector = c.Sector
	}
	m := hmac.New(sha256.New, p.cfg.SubjectKey)
	m.Write([]byte(sector))
	m.Write([]byte{0})
	m.Write([]byte(strconv.FormatInt(int64(person), 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// Interaction is what the login page must do for an authorization
// request.
type Interaction struct {
	Request *AuthRequest
	Client  *Client
	// Level is the assurance level the client asked for.
	Level int
	// Scopes are those the person is asked to consent to, with the claims
	// each releases.
	Scopes []string
	// PromptNone: the client forbade any interaction; if one is needed the
	// request fails back to the client.
	PromptNone   bool
	ForceLogin   bool
	ForceConsent bool
	MaxAge       *time.Duration
}

// Interaction returns an authorization request waiting for the person.
func (p *Provider) Interaction(ctx context.Context, id string) (*Interaction, error) {
	var r *AuthRequest
	var c *Client
	err := p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		if r, err = tx.AuthRequestByID(ctx, id); err != nil {
			return err
		}
		c, err = tx.ClientByID(ctx, r.ClientID)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.NotFound, "auth-request-unknown", "this login request is unknown or expired: start again from the service you came from")
	}
	if err != nil {
		return nil, err
	}
	if !p.cfg.Now().Before(r.ExpiresAt) || r.Done {
		return nil, errs.E(errs.NotFound, "auth-request-unknown", "this login request is unknown or expired: start again from the service you came from")
	}
	in := &Interaction{Request: r, Client: c, Level: requestedLevel(r.Params.ACRValues)}
	for _, s := range r.Params.Scopes {
		if s != "openid" && s != "offline_access" {
			in.Scopes = append(in.Scopes, s)
		}
	}
	for _, pr := range r.Params.Prompt {
		switch pr {
		case "none":
			in.PromptNone = true
		case "login":
			in.ForceLogin = true
		case "consent":
			in.ForceConsent = true
		}
	}
	if r.Params.MaxAge != nil {
		d := time.Duration(*r.Params.MaxAge) * time.Second
		in.MaxAge = &d
	}
	return in, nil
}

// requestedLevel is the level acr_values ask for: 2 when loa:2 is among
// them, else 1.
func requestedLevel(acr []string) int {
	if slices.Contains(acr, ACRLevel2) {
		return 2
	}
	return 1
}

// NeedsLogin reports whether a session is not enough for the request (no
// session, prompt=login, max_age passed, or the level asked is higher than
// the session reached).
func (in *Interaction) NeedsLogin(sess *eid.Session, now time.Time) bool {
	if sess == nil || in.ForceLogin {
		return true
	}
	if in.MaxAge != nil && now.Sub(sess.AuthTime) > *in.MaxAge {
		return true
	}
	return false
}

// NeedsStepUp reports whether the session must use a second factor.
func (in *Interaction) NeedsStepUp(sess *eid.Session) bool {
	return in.Level >= 2 && sess.Level < eid.Level2
}

// NeedsConsent reports whether the person must (again) agree to what the
// client receives.
func (p *Provider) NeedsConsent(ctx context.Context, in *Interaction, accountID string) (bool, error) {
	if in.ForceConsent {
		return true, nil
	}
	if len(in.Scopes) == 0 {
		return false, nil
	}
	var c *Consent
	err := p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		c, err = tx.Consent(ctx, accountID, in.Client.ID)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	for _, s := range in.Scopes {
		if !slices.Contains(c.Scopes, s) {
			return true, nil
		}
	}
	return false, nil
}

// Complete records who logged in for a request and, when consent is
// given now, the consent; it returns the URL that sends the browser back
// to the client with a code.
func (p *Provider) Complete(ctx context.Context, in *Interaction, sess *eid.Session, a *eid.Account, consented bool) (string, error) {
	if in.Level > int(sess.Level) {
		return "", errs.E(errs.Forbidden, "level-too-low", "the service asked for level %d", in.Level)
	}
	now := p.cfg.Now()
	err := p.cfg.Store.Update(ctx, func(tx Tx) error {
		r, err := tx.AuthRequestByID(ctx, in.Request.ID)
		if err != nil {
			return err
		}
		if r.Done {
			return errs.E(errs.Conflict, "auth-request-done", "this login request was already answered")
		}
		r.AccountID, r.SessionID, r.AuthTime, r.AMR = a.ID, sess.ID, sess.AuthTime, sess.AMR
		r.ACR = ACRLevel1
		if sess.Level >= eid.Level2 {
			r.ACR = ACRLevel2
		}
		r.Done = true
		if consented && len(in.Scopes) > 0 {
			old, err := tx.Consent(ctx, a.ID, in.Client.ID)
			scopes := in.Scopes
			if err == nil {
				for _, s := range old.Scopes {
					if !slices.Contains(scopes, s) {
						scopes = append(scopes, s)
					}
				}
			} else if !errs.Is(err, errs.NotFound) {
				return err
			}
			if err := tx.SetConsent(ctx, &Consent{AccountID: a.ID, ClientID: in.Client.ID, Scopes: scopes, GrantedAt: now}); err != nil {
				return err
			}
		}
		return tx.UpdateAuthRequest(ctx, r)
	})
	if err != nil {
		return "", err
	}
	p.cfg.Accounts.LoggedIn(ctx, a, in.Client.Name)
	return p.cfg.Issuer + "/oauth2/authorize/callback?id=" + url.QueryEscape(in.Request.ID), nil
}

// Fail answers a request back to the client with an OAuth error (the
// person refused, or prompt=none could not be satisfied).
func (p *Provider) Fail(ctx context.Context, in *Interaction, code, description string) (string, error) {
	if err := p.cfg.Store.Update(ctx, func(tx Tx) error { return tx.DeleteAuthRequest(ctx, in.Request.ID) }); err != nil {
		return "", err
	}
	u, err := url.Parse(in.Request.Params.RedirectURI)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("error", code)
	if description != "" {
		q.Set("error_description", description)
	}
	if in.Request.Params.State != "" {
		q.Set("state", in.Request.Params.State)
	}
	q.Set("iss", p.cfg.Issuer)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ConsentsOf lists an account's consents with their clients' names.
func (p *Provider) ConsentsOf(ctx context.Context, accountID string) ([]Consent, map[string]*Client, error) {
	var cs []Consent
	clients := map[string]*Client{}
	err := p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		if cs, err = tx.Consents(ctx, accountID); err != nil {
			return err
		}
		for _, c := range cs {
			cl, err := tx.ClientByID(ctx, c.ClientID)
			if err != nil {
				return err
			}
			clients[c.ClientID] = cl
		}
		return nil
	})
	return cs, clients, err
}

// RevokeConsent withdraws a consent: the client's refresh tokens for the
// account die with it, and so do access tokens issued from them.
func (p *Provider) RevokeConsent(ctx context.Context, accountID, clientID string) error {
	now := p.cfg.Now()
	defer p.storage.forgetLive()
	return p.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.RevokeConsent(ctx, accountID, clientID, now); err != nil {
			return err
		}
		families, err := tx.RevokeGrants(ctx, accountID, clientID, now)
		if err != nil {
			return err
		}
		for _, f := range families {
			if err := tx.RevokeTokenID(ctx, "family:"+f, now.Add(AccessTokenLifetime+time.Minute)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Client returns a registered client.
func (p *Provider) Client(ctx context.Context, id string) (*Client, error) {
	var c *Client
	err := p.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		c, err = tx.ClientByID(ctx, id)
		return err
	})
	return c, err
}

// sweep deletes expired requests and revocations now and then.
type sweeper struct {
	mu   sync.Mutex
	last time.Time
}

func (p *Provider) sweep(ctx context.Context) {
	s := &p.storage.sweep
	s.mu.Lock()
	now := p.cfg.Now()
	if now.Sub(s.last) < time.Minute {
		s.mu.Unlock()
		return
	}
	s.last = now
	s.mu.Unlock()
	err := p.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteExpiredAuthRequests(ctx, now); err != nil {
			return err
		}
		return tx.DeleteExpiredRevocations(ctx, now)
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		p.cfg.Log.Warn("sweeping expired OpenID state", "err", err)
	}
}
