package eid

import (
	"context"
	"encoding/json"
	"time"

	"dancu/internal/actor"
	"dancu/internal/registry"
)

// Level is an account's assurance level (mức độ).
type Level int

const (
	// Level1: registered online; the registry confirmed the person's
	// identifying data and that the phone number is theirs.
	Level1 Level = 1
	// Level2: the person was verified in person by a registry officer
	// (later: by the chip of their citizen ID card). A session reaches it
	// only after a second factor.
	Level2 Level = 2
)

// Status is where an account stands.
type Status string

const (
	// StatusPending: enrolled in person; the citizen has not yet activated
	// it with the code the officer handed over.
	StatusPending Status = "pending"
	StatusActive  Status = "active"
	// StatusLocked: locked by its owner (a lost phone); unlocked through
	// recovery or in person.
	StatusLocked Status = "locked"
	// StatusClosed: the person died, or the account was replaced. A closed
	// account never opens again; the person may get a new one.
	StatusClosed Status = "closed"
)

// Account is a citizen's e-ID account.
type Account struct {
	ID           string
	Person       registry.PersonKey
	Level        Level
	Status       Status
	StatusReason string
	// PasswordHash is an argon2id PHC string; empty while pending.
	PasswordHash string
	// Phone and Email are verified contacts: one-time codes and security
	// notices go there. Empty when none.
	Phone        string
	Email        string
	NotifyLogins bool
	// Guardian is the account of the parent who registered a child.
	Guardian  string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Level2At is when the person was last verified in person, and by
	// whom; zero if never.
	Level2At time.Time
	Level2By string
	// Version counts updates; updates check it (optimistic locking).
	Version int64
}

// CredentialKind is a kind of second factor.
type CredentialKind string

const (
	CredentialTOTP    CredentialKind = "totp"
	CredentialPasskey CredentialKind = "passkey"
)

// Credential is a second factor of an account.
type Credential struct {
	ID        string
	AccountID string
	Kind      CredentialKind
	Name      string
	// Secret is the TOTP secret (encrypted by the store's caller before it
	// is stored) or the WebAuthn credential as JSON.
	Secret []byte
	// CredentialID is the WebAuthn credential id; nil for TOTP.
	CredentialID []byte
	// LastStep is the last TOTP time step accepted: a code is never
	// accepted twice.
	LastStep   int64
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Session is a login, held in the browser as a cookie whose token is never
// stored: ID is its keyed hash.
type Session struct {
	ID        []byte
	AccountID string
	CreatedAt time.Time
	// LastSeenAt moves with use, at most once a minute.
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// AuthTime is the latest authentication in the session (a step-up
	// moves it); OpenID's auth_time.
	AuthTime time.Time
	// Level is the assurance the session reached: 2 only for a level-2
	// account that used its second factor in this session.
	Level Level
	// AMR lists the authentication methods used (RFC 8176: pwd, otp, sms,
	// hwk, user, mfa).
	AMR       []string
	Address   string
	UserAgent string
	EndedAt   time.Time
	EndReason string
}

// Open reports whether the session can still be used at now.
func (s *Session) Open(now time.Time) bool {
	return s.EndedAt.IsZero() && now.Before(s.ExpiresAt)
}

// Challenge is a pending one-time code or WebAuthn ceremony.
type Challenge struct {
	ID          string
	Purpose     string
	Person      registry.PersonKey
	AccountID   string
	Destination string
	// CodeHash is the keyed hash of the code; empty for WebAuthn.
	CodeHash  []byte
	Attempts  int
	Data      json.RawMessage
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// Challenge purposes.
const (
	PurposeEnrol    = "enrol"    // a level-1 registration, proving the phone
	PurposeActivate = "activate" // the code an officer hands over in person
	PurposeRecover  = "recover"  // account recovery through a verified contact
	PurposeWebAuthn = "webauthn" // a passkey ceremony
)

// AuditEntry is one row of an account's trail.
type AuditEntry struct {
	At        time.Time
	AccountID string
	Actor     string
	Action    string
	Detail    string
}

// Tx is the e-ID store within one transaction.
type Tx interface {
	// AccountByID returns an account; NotFound when there is none.
	AccountByID(ctx context.Context, id string) (*Account, error)
	// AccountByPerson returns the person's account that is not closed;
	// NotFound when there is none.
	AccountByPerson(ctx context.Context, person registry.PersonKey) (*Account, error)
	// InsertAccount stores a new account; Conflict when the person already
	// has one that is not closed.
	InsertAccount(ctx context.Context, a *Account) error
	// UpdateAccount stores a changed account if its Version is the stored
	// one, and increments Version; Conflict when it changed meanwhile.
	UpdateAccount(ctx context.Context, a *Account) error

	Credentials(ctx context.Context, accountID string) ([]Credential, error)
	CredentialByWebAuthnID(ctx context.Context, credentialID []byte) (*Credential, error)
	InsertCredential(ctx context.Context, c *Credential) error
	// UpdateCredential stores LastStep, LastUsedAt and Secret.
	UpdateCredential(ctx context.Context, c *Credential) error
	// DeleteCredentials deletes an account's credentials of a kind, or all
	// of them when kind is empty.
	DeleteCredentials(ctx context.Context, accountID string, kind CredentialKind) error
	DeleteCredential(ctx context.Context, accountID, id string) error

	InsertSession(ctx context.Context, s *Session) error
	SessionByID(ctx context.Context, id []byte) (*Session, error)
	UpdateSession(ctx context.Context, s *Session) error
	// Sessions lists an account's sessions, newest first: the open ones
	// and those ended after since.
	Sessions(ctx context.Context, accountID string, since time.Time) ([]Session, error)
	// EndSessions ends every open session of an account.
	EndSessions(ctx context.Context, accountID string, at time.Time, reason string) error

	InsertChallenge(ctx context.Context, c *Challenge) error
	ChallengeByID(ctx context.Context, id string) (*Challenge, error)
	UpdateChallenge(ctx context.Context, c *Challenge) error

	// Throttle returns the failure record of a key (zero when none).
	Throttle(ctx context.Context, key string) (FailureRecord, error)
	// SetThrottle stores a failure record; the zero record deletes it.
	SetThrottle(ctx context.Context, key string, r FailureRecord) error

	Audit(ctx context.Context, e AuditEntry) error
	AuditTrail(ctx context.Context, accountID string) ([]AuditEntry, error)
}

// Store keeps accounts. Update runs fn in one write transaction, retried
// on serialisation failures; View in a read-only one.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Registry is what the e-ID service reads of the population registry.
// Every read is access-logged under the actor given.
type Registry interface {
	// CitizenByNumber returns the current record of the person a number names;
	// NotFound when no one has it.
	CitizenByNumber(ctx context.Context, a actor.Actor, number string, fields []string) (*registry.Citizen, error)
	// CitizenByKey returns a person's current record.
	CitizenByKey(ctx context.Context, a actor.Actor, key registry.PersonKey, fields []string) (*registry.Citizen, error)
}

// Sealer encrypts secrets at rest (TOTP secrets) with a key the database
// does not hold.
type Sealer interface {
	Seal(plaintext, additional []byte) ([]byte, error)
	Open(ciphertext, additional []byte) ([]byte, error)
}
