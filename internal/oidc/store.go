package oidc

import (
	"context"
	"time"
)

// Client is a relying party or machine client registered by an
// administrator.
type Client struct {
	ID   string
	Name string
	// SecretHash is the keyed hash of the client secret; nil for clients
	// that authenticate with private_key_jwt.
	SecretHash []byte
	// AuthMethod is client_secret_basic or private_key_jwt.
	AuthMethod string
	// JWKS holds the public keys of a private_key_jwt client (JSON).
	JWKS                   []byte
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// Scopes are the scopes the client may ask for; "pid" among them
	// means it was approved for the personal ID number.
	Scopes []string
	// GrantTypes: authorization_code, refresh_token, client_credentials.
	GrantTypes []string
	// MaxLevel is the highest assurance level the client may ask for.
	MaxLevel int
	// SubjectType is "public" or "pairwise", fixed at registration.
	SubjectType string
	// Sector identifies the client's sector for pairwise subjects (by
	// default its first redirect URI's host).
	Sector string
	// Purpose says why the client asks, in the citizen's words, shown on
	// the consent page and recorded with every release.
	Purpose    string
	CreatedAt  time.Time
	CreatedBy  string
	DisabledAt time.Time
}

// AuthRequest is an authorization request being served: the client's
// parameters and, once the person logged in, who and how.
type AuthRequest struct {
	ID       string
	ClientID string
	Params   Params
	// AccountID, SessionID, AuthTime, AMR and ACR are set when the person
	// has logged in for this request.
	AccountID string
	SessionID []byte
	AuthTime  time.Time
	AMR       []string
	ACR       string
	// Done reports that the person logged in and consented.
	Done bool
	// CodeHash is the keyed hash of the authorization code issued, empty
	// before.
	CodeHash  []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Params are the parameters of an authorization request kept between the
// redirects.
type Params struct {
	RedirectURI         string   `json:"redirect_uri"`
	Scopes              []string `json:"scopes"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	ResponseType        string   `json:"response_type"`
	ResponseMode        string   `json:"response_mode,omitempty"`
	CodeChallenge       string   `json:"code_challenge"`
	CodeChallengeMethod string   `json:"code_challenge_method"`
	Prompt              []string `json:"prompt,omitempty"`
	// MaxAge in seconds; nil when not asked.
	MaxAge    *uint    `json:"max_age,omitempty"`
	ACRValues []string `json:"acr_values,omitempty"`
	UILocales []string `json:"ui_locales,omitempty"`
	LoginHint string   `json:"login_hint,omitempty"`
}

// RefreshToken is a refresh token's record; the token itself is never
// stored.
type RefreshToken struct {
	Hash      []byte
	ID        string
	Family    string
	ClientID  string
	AccountID string
	Scopes    []string
	ACR       string
	AMR       []string
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is when it was exchanged for a new one; presented again after
	// that, it is a stolen copy, and its whole family is revoked.
	UsedAt    time.Time
	RevokedAt time.Time
}

// Consent is what a person agreed a client may receive.
type Consent struct {
	AccountID string
	ClientID  string
	Scopes    []string
	GrantedAt time.Time
	RevokedAt time.Time
}

// SigningKey is an OpenID signing key; the private key is encrypted by the
// caller before it is stored.
type SigningKey struct {
	ID         string
	Algorithm  string
	PrivateKey []byte
	PublicJWK  []byte
	CreatedAt  time.Time
	// RetireAt is when it stops signing; ExpiresAt when it leaves the
	// JWKS, once nothing it signed can still be valid.
	RetireAt  time.Time
	ExpiresAt time.Time
}

// Tx is the provider's store in one transaction.
type Tx interface {
	// InsertClient stores a client; Conflict when the id exists.
	InsertClient(ctx context.Context, c *Client) error
	// ClientByID returns a client; NotFound when there is none.
	ClientByID(ctx context.Context, id string) (*Client, error)
	// Clients lists the clients, oldest first.
	Clients(ctx context.Context) ([]Client, error)
	// DisableClient stops a client at once; NotFound when there is none.
	DisableClient(ctx context.Context, id string, at time.Time) error

	InsertAuthRequest(ctx context.Context, r *AuthRequest) error
	// AuthRequestByID returns a request; NotFound when there is none.
	AuthRequestByID(ctx context.Context, id string) (*AuthRequest, error)
	// AuthRequestByCode returns the request an authorization code was
	// issued for; NotFound when there is none.
	AuthRequestByCode(ctx context.Context, codeHash []byte) (*AuthRequest, error)
	// UpdateAuthRequest stores the login, consent and code of a request.
	UpdateAuthRequest(ctx context.Context, r *AuthRequest) error
	// DeleteAuthRequest deletes a request (its code is then spent).
	DeleteAuthRequest(ctx context.Context, id string) error
	// DeleteExpiredAuthRequests deletes the requests expired before t.
	DeleteExpiredAuthRequests(ctx context.Context, t time.Time) error

	InsertRefreshToken(ctx context.Context, t *RefreshToken) error
	// RefreshTokenByHash returns a refresh token; NotFound when none.
	RefreshTokenByHash(ctx context.Context, hash []byte) (*RefreshToken, error)
	// UseRefreshToken marks a token exchanged, and reports false when it
	// already was (or was revoked): then nothing changes.
	UseRefreshToken(ctx context.Context, hash []byte, at time.Time) (bool, error)
	// RevokeFamily revokes every refresh token of a family.
	RevokeFamily(ctx context.Context, family string, at time.Time) error
	// RevokeGrants revokes the refresh tokens of an account at a client
	// (every client when clientID is empty), and returns their families.
	RevokeGrants(ctx context.Context, accountID, clientID string, at time.Time) ([]string, error)

	// RevokeTokenID lists an access token (or "family:"+family) as revoked
	// until it would have expired.
	RevokeTokenID(ctx context.Context, id string, expires time.Time) error
	// Revoked reports whether any of the ids is listed.
	Revoked(ctx context.Context, ids ...string) (bool, error)
	// DeleteExpiredRevocations forgets revocations expired before t.
	DeleteExpiredRevocations(ctx context.Context, t time.Time) error

	// Consent returns what an account agreed with a client; NotFound when
	// never (or revoked and not granted again).
	Consent(ctx context.Context, accountID, clientID string) (*Consent, error)
	SetConsent(ctx context.Context, c *Consent) error
	// Consents lists an account's consents in force.
	Consents(ctx context.Context, accountID string) ([]Consent, error)
	RevokeConsent(ctx context.Context, accountID, clientID string, at time.Time) error

	// SigningKeys lists the keys not yet expired at t, newest first.
	SigningKeys(ctx context.Context, t time.Time) ([]SigningKey, error)
	InsertSigningKey(ctx context.Context, k *SigningKey) error
	// RetireSigningKeys makes every key still signing at t stop at t and
	// leave the JWKS by expires at the latest.
	RetireSigningKeys(ctx context.Context, t, expires time.Time) error
}

// Store keeps the provider's state. Update runs fn in one write
// transaction, retried on serialisation failures; View in a read-only one.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}
