// Package officer manages registry officers and their API tokens. Until
// e-ID login exists, officers authenticate with a bearer token that is shown
// once, at creation, and stored only as a keyed hash. Creating and revoking
// officers is itself audited.
package officer

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/place"
)

// Officer is a person who acts on the registry.
type Officer struct {
	ID        string
	Name      string
	Role      actor.Role
	Unit      string
	Scope     actor.Scope
	CreatedAt time.Time
	CreatedBy string
	// RevokedAt is zero while the officer's token is valid.
	RevokedAt time.Time
}

// Audit is one row of the officer audit trail.
type Audit struct {
	At        time.Time
	Actor     string
	Action    string // "create", "revoke"
	OfficerID string
	Detail    string
}

// Store keeps officers.
type Store interface {
	// CreateOfficer stores an officer, its token hash and the audit row in
	// one transaction.
	CreateOfficer(ctx context.Context, o Officer, tokenHash []byte, a Audit) error
	// OfficerByTokenHash returns the officer holding a token, revoked or
	// not; NotFound when none does.
	OfficerByTokenHash(ctx context.Context, hash []byte) (Officer, error)
	// RevokeOfficer marks an officer revoked and writes the audit row;
	// NotFound when there is no such officer.
	RevokeOfficer(ctx context.Context, id string, at time.Time, a Audit) error
	// Officers lists all officers, oldest first.
	Officers(ctx context.Context) ([]Officer, error)
	// OfficerAudit lists the audit trail, oldest first.
	OfficerAudit(ctx context.Context) ([]Audit, error)
}

// Service creates, authenticates and revokes officers.
type Service struct {
	Store  Store
	Places *place.Catalogue
	Clock  civil.Clock
	Rand   io.Reader
	// HashKey keys the token hashes, so a copy of the database alone does
	// not let anyone test guessed tokens.
	HashKey []byte
}

// TokenPrefix starts every token, so leaked tokens are easy to recognise
// and scan for.
const TokenPrefix = "dancu_"

// Create makes an officer and returns it with its token. The token is not
// stored and cannot be shown again.
func (s *Service) Create(ctx context.Context, by actor.Actor, name, unit, role string) (Officer, string, error) {
	var fs errs.Fields
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 100 {
		fs.Add("name", "required", "the officer's name is required (at most 100 characters)")
	}
	if actor.Role(role) != actor.RoleRegistry {
		fs.Add("role", "unknown", "role must be %q", actor.RoleRegistry)
	}
	now := s.Clock()
	scope, ok := actor.ScopeOfUnit(unit)
	if !ok {
		fs.Add("unit", "format", "unit must be a 5-digit commune code, a 2-digit province code or %q for the whole country", actor.NationalUnit)
	} else if scope != actor.ScopeNational {
		u, err := s.Places.Lookup(unit, civil.DateOf(now))
		if err != nil {
			fs.Add("unit", "unknown", "%v", err)
		} else if (scope == actor.ScopeCommune) != (u.Level == place.LevelCommune) {
			fs.Add("unit", "unknown", "%s is a %s", unit, u.Level)
		}
	}
	if err := fs.Err(); err != nil {
		return Officer{}, "", err
	}
	id, err := s.random(9)
	if err != nil {
		return Officer{}, "", err
	}
	secret, err := s.random(32)
	if err != nil {
		return Officer{}, "", err
	}
	token := TokenPrefix + secret
	o := Officer{ID: "off_" + id, Name: name, Role: actor.Role(role), Unit: unit, Scope: scope, CreatedAt: now, CreatedBy: by.String()}
	a := Audit{At: now, Actor: by.String(), Action: "create", OfficerID: o.ID, Detail: "role=" + role + " unit=" + unit}
	if err := s.Store.CreateOfficer(ctx, o, s.hash(token), a); err != nil {
		return Officer{}, "", err
	}
	return o, token, nil
}

// Authenticate returns the actor a bearer token stands for.
func (s *Service) Authenticate(ctx context.Context, token string) (actor.Actor, error) {
	unauth := errs.E(errs.Unauthenticated, "unauthenticated", "the bearer token is not valid")
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 200 {
		return actor.Actor{}, unauth
	}
	o, err := s.Store.OfficerByTokenHash(ctx, s.hash(token))
	if errs.Is(err, errs.NotFound) {
		return actor.Actor{}, unauth
	}
	if err != nil {
		return actor.Actor{}, err
	}
	if !o.RevokedAt.IsZero() {
		return actor.Actor{}, errs.E(errs.Unauthenticated, "unauthenticated", "the bearer token was revoked")
	}
	return actor.Actor{Kind: actor.KindOfficer, ID: o.ID, Name: o.Name, Role: o.Role, Unit: o.Unit, Scope: o.Scope}, nil
}

// Revoke ends an officer's token at once.
func (s *Service) Revoke(ctx context.Context, by actor.Actor, id string) error {
	now := s.Clock()
	return s.Store.RevokeOfficer(ctx, id, now, Audit{At: now, Actor: by.String(), Action: "revoke", OfficerID: id})
}

func (s *Service) hash(token string) []byte {
	m := hmac.New(sha256.New, s.HashKey)
	m.Write([]byte(token))
	return m.Sum(nil)
}

func (s *Service) random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.Rand, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewHashKey returns a fresh random key for token hashes.
func NewHashKey() ([]byte, error) {
	k := make([]byte, 32)
	_, err := rand.Read(k)
	return k, err
}
