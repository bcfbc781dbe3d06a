package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"dancu/internal/actor"
	"dancu/internal/errs"
)

// Scopes dancu knows: the standard ones and pid, the personal ID number,
// given only to clients approved for it.
var knownScopes = []string{"openid", "profile", "pid", "address", "phone", "email", "offline_access"}

// Assurance levels as acr values.
const (
	ACRLevel1 = "urn:dancu:loa:1"
	ACRLevel2 = "urn:dancu:loa:2"
)

// Auth methods of clients.
const (
	AuthSecretBasic   = "client_secret_basic"
	AuthPrivateKeyJWT = "private_key_jwt"
)

// Grant types.
const (
	GrantCode              = "authorization_code"
	GrantRefresh           = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// NewClient is what an administrator registers.
type NewClient struct {
	Name         string
	RedirectURIs []string
	// PostLogoutRedirectURIs default to the redirect URIs' origins.
	PostLogoutRedirectURIs []string
	Scopes                 []string
	MaxLevel               int
	AuthMethod             string
	// JWKS are the client's public keys, for private_key_jwt.
	JWKS        []byte
	SubjectType string
	Sector      string
	GrantTypes  []string
	Purpose     string
}

// CreatedClient is a registered client and its secret, shown once.
type CreatedClient struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"`
	Name         string   `json:"name"`
	AuthMethod   string   `json:"token_endpoint_auth_method"`
	SubjectType  string   `json:"subject_type"`
	MaxLevel     int      `json:"max_level"`
	Scopes       []string `json:"scopes"`
	GrantTypes   []string `json:"grant_types"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
}

// Clients registers clients and checks their secrets.
type Clients struct {
	Store Store
	// HashKey keys the hashes of client secrets: checking one is a single
	// HMAC, and a copy of the database reveals nothing (the secrets are
	// 256 random bits, so a slow hash would protect nothing more).
	HashKey []byte
	Now     func() time.Time
	Rand    io.Reader
}

func (c *Clients) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Clients) random(n int) (string, error) {
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SecretHash is the stored form of a client secret.
func (c *Clients) SecretHash(secret string) []byte {
	m := hmac.New(sha256.New, c.HashKey)
	m.Write([]byte("client-secret\x00"))
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// Create registers a client.
func (c *Clients) Create(ctx context.Context, by actor.Actor, in NewClient) (CreatedClient, error) {
	if by.Kind != actor.KindOperator {
		return CreatedClient{}, errs.E(errs.Forbidden, "forbidden", "only an operator registers clients")
	}
	var fs errs.Fields
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	if in.Name == "" || len(in.Name) > 200 {
		fs.Add("name", "required", "the client's name is required (at most 200 characters)")
	}
	if len(in.GrantTypes) == 0 {
		if len(in.RedirectURIs) > 0 {
			in.GrantTypes = []string{GrantCode, GrantRefresh}
		} else {
			in.GrantTypes = []string{GrantClientCredentials}
		}
	}
	for _, g := range in.GrantTypes {
		if g != GrantCode && g != GrantRefresh && g != GrantClientCredentials {
			fs.Add("grant_types", "unknown", "grant types are %s, %s and %s", GrantCode, GrantRefresh, GrantClientCredentials)
		}
	}
	interactive := slices.Contains(in.GrantTypes, GrantCode)
	if interactive && len(in.RedirectURIs) == 0 {
		fs.Add("redirect_uri", "required", "a client that logs people in needs at least one redirect URI")
	}
	for _, u := range in.RedirectURIs {
		if err := checkRedirect(u); err != "" {
			fs.Add("redirect_uri", "format", "%s: %s", u, err)
		}
	}
	for _, u := range in.PostLogoutRedirectURIs {
		if err := checkRedirect(u); err != "" {
			fs.Add("post_logout_redirect_uri", "format", "%s: %s", u, err)
		}
	}
	if len(in.Scopes) == 0 {
		if interactive {
			in.Scopes = []string{"openid", "profile"}
		}
	}
	for _, s := range in.Scopes {
		if strings.ContainsAny(s, " \t\"\\") || s == "" {
			fs.Add("scopes", "format", "%q is not a scope", s)
		}
	}
	if interactive && !slices.Contains(in.Scopes, "openid") {
		fs.Add("scopes", "required", "a client that logs people in needs the openid scope")
	}
	if in.MaxLevel == 0 {
		in.MaxLevel = 2
	}
	if in.MaxLevel != 1 && in.MaxLevel != 2 {
		fs.Add("max_level", "format", "the maximum level is 1 or 2")
	}
	if in.AuthMethod == "" {
		in.AuthMethod = AuthSecretBasic
	}
	switch in.AuthMethod {
	case AuthSecretBasic:
		if len(in.JWKS) > 0 {
			fs.Add("jwks", "not_allowed", "public keys are for private_key_jwt clients")
		}
	case AuthPrivateKeyJWT:
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(in.JWKS, &set); err != nil || len(set.Keys) == 0 {
			fs.Add("jwks", "required", "a private_key_jwt client needs its public keys as a JWK set")
		} else {
			for _, k := range set.Keys {
				if k.IsPublic() == false || k.KeyID == "" {
					fs.Add("jwks", "format", "every key needs a kid and must be public")
					break
				}
			}
		}
	default:
		fs.Add("auth_method", "unknown", "auth method is %s or %s", AuthSecretBasic, AuthPrivateKeyJWT)
	}
	if in.SubjectType == "" {
		in.SubjectType = "pairwise"
	}
	if in.SubjectType != "pairwise" && in.SubjectType != "public" {
		fs.Add("subject_type", "unknown", "subject type is pairwise or public")
	}
	if in.Sector == "" && len(in.RedirectURIs) > 0 {
		if u, err := url.Parse(in.RedirectURIs[0]); err == nil {
			in.Sector = u.Hostname()
		}
	}
	if len(in.PostLogoutRedirectURIs) == 0 {
		for _, r := range in.RedirectURIs {
			if u, err := url.Parse(r); err == nil {
				origin := u.Scheme + "://" + u.Host + "/"
				if !slices.Contains(in.PostLogoutRedirectURIs, origin) {
					in.PostLogoutRedirectURIs = append(in.PostLogoutRedirectURIs, origin)
				}
			}
		}
	}
	if err := fs.Err(); err != nil {
		return CreatedClient{}, err
	}
	id, err := c.random(12)
	if err != nil {
		return CreatedClient{}, err
	}
	id = "cli_" + id
	if in.Sector == "" {
		in.Sector = id
	}
	out := CreatedClient{ClientID: id, Name: in.Name, AuthMethod: in.AuthMethod, SubjectType: in.SubjectType,
		MaxLevel: in.MaxLevel, Scopes: in.Scopes, GrantTypes: in.GrantTypes, RedirectURIs: in.RedirectURIs}
	cl := &Client{ID: id, Name: in.Name, AuthMethod: in.AuthMethod, JWKS: in.JWKS, RedirectURIs: in.RedirectURIs,
		PostLogoutRedirectURIs: in.PostLogoutRedirectURIs, Scopes: in.Scopes, GrantTypes: in.GrantTypes,
		MaxLevel: in.MaxLevel, SubjectType: in.SubjectType, Sector: in.Sector, Purpose: in.Purpose,
		CreatedAt: c.now(), CreatedBy: by.String()}
	if in.AuthMethod == AuthSecretBasic {
		secret, err := c.random(32)
		if err != nil {
			return CreatedClient{}, err
		}
		out.ClientSecret = "dcs_" + secret
		cl.SecretHash = c.SecretHash(out.ClientSecret)
	}
	err = c.Store.Update(ctx, func(tx Tx) error { return tx.InsertClient(ctx, cl) })
	return out, err
}

// checkRedirect returns what is wrong with a redirect URI: an absolute
// https URL without fragment, or http on the loopback for development.
func checkRedirect(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return "an absolute URL"
	case u.Fragment != "":
		return "no fragment"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1"):
		return ""
	}
	return "https (http only on localhost)"
}

// Disable stops a client at once: it gets no more tokens, and the tokens
// it holds stop introspecting as active within the client cache's life.
// Disabling a disabled client is not an error.
func (c *Clients) Disable(ctx context.Context, by actor.Actor, id string) error {
	if by.Kind != actor.KindOperator {
		return errs.E(errs.Forbidden, "forbidden", "only an operator disables clients")
	}
	if id = strings.TrimSpace(id); id == "" {
		return errs.InvalidField("id", "required", "the client id is required")
	}
	return c.Store.Update(ctx, func(tx Tx) error { return tx.DisableClient(ctx, id, c.now()) })
}

// Verify checks a client secret in constant time.
func (c *Clients) Verify(cl *Client, secret string) bool {
	return len(cl.SecretHash) > 0 && subtle.ConstantTimeCompare(c.SecretHash(secret), cl.SecretHash) == 1
}

// opClient adapts a Client to zitadel's op.Client.
type opClient struct {
	c        *Client
	loginURL func(id string) string
}

var _ op.Client = opClient{}

func (o opClient) GetID() string                    { return o.c.ID }
func (o opClient) RedirectURIs() []string           { return o.c.RedirectURIs }
func (o opClient) PostLogoutRedirectURIs() []string { return o.c.PostLogoutRedirectURIs }
func (o opClient) ApplicationType() op.ApplicationType {
	return op.ApplicationTypeWeb
}
func (o opClient) AuthMethod() zoidc.AuthMethod {
	if o.c.AuthMethod == AuthPrivateKeyJWT {
		return zoidc.AuthMethodPrivateKeyJWT
	}
	return zoidc.AuthMethodBasic
}
func (o opClient) ResponseTypes() []zoidc.ResponseType {
	if slices.Contains(o.c.GrantTypes, GrantCode) {
		return []zoidc.ResponseType{zoidc.ResponseTypeCode}
	}
	return nil
}
func (o opClient) GrantTypes() []zoidc.GrantType {
	out := make([]zoidc.GrantType, 0, len(o.c.GrantTypes))
	for _, g := range o.c.GrantTypes {
		out = append(out, zoidc.GrantType(g))
	}
	return out
}
func (o opClient) LoginURL(id string) string            { return o.loginURL(id) }
func (o opClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (o opClient) IDTokenLifetime() time.Duration       { return IDTokenLifetime }
func (o opClient) DevMode() bool                        { return false }
func (o opClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (o opClient) ClockSkew() time.Duration             { return 0 }
func (o opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (o opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed lets every scope dancu knows through zitadel's check;
// the request is then refused, not trimmed, when it asks for one the
// client was not registered for (CreateAuthRequest).
func (o opClient) IsScopeAllowed(scope string) bool {
	return slices.Contains(knownScopes, scope) || slices.Contains(o.c.Scopes, scope)
}
