// Package actor describes who is making a request and what reach their role
// gives them. Every request to dancu carries an Actor; authorisation is
// decided by the domain packages from it, never by HTTP handlers.
package actor

import (
	"fmt"
	"time"
)

// Kind is the sort of party acting.
type Kind string

const (
	KindOfficer  Kind = "officer"  // a registry officer with an API token
	KindOperator Kind = "operator" // the command line on the server itself
	KindCitizen  Kind = "citizen"  // a person logged in with their e-ID account
	KindClient   Kind = "client"   // a relying party or agency system (OAuth client)
	// KindSystem is dancu itself acting on a person's behalf, such as the
	// e-ID service matching an enrolment against the registry. What it
	// reads is logged like any other read.
	KindSystem Kind = "system"
)

// Scope is how far an officer's authority reaches.
type Scope string

const (
	ScopeCommune  Scope = "commune"  // one commune (xã/phường/đặc khu)
	ScopeProvince Scope = "province" // one province or centrally-run city
	ScopeNational Scope = "national" // the whole country
)

// Role is what an officer may do.
type Role string

const (
	// RoleRegistry records and reads life and residence events
	// (cán bộ công an xã/phường; province and national staff).
	RoleRegistry Role = "registry"
)

// NationalUnit is the unit code of a national-scope officer.
const NationalUnit = "VN"

// Actor is the party behind one request.
type Actor struct {
	Kind Kind
	// ID is stable and is what access logs and events record.
	ID   string
	Name string
	Role Role
	// Unit is the current administrative unit the actor belongs to: a
	// 5-digit commune code, a 2-digit province code, or NationalUnit.
	Unit  string
	Scope Scope
	// Purpose is the purpose the request declared (header X-Purpose); it is
	// recorded with every access.
	Purpose string
	// RequestID ties log rows to the request that caused them.
	RequestID string
	// OnBehalfOf is the internal key of the person the actor acts for,
	// with that person's authentication and consent (a relying party
	// receiving claims, the person's own account page); 0 otherwise. It
	// gives access to that person's record only.
	OnBehalfOf int64
	// Member is the organisation an agency system belongs to, and
	// LegalBasis the law its grant for Purpose rests on (data-sharing
	// gateway); both go to the access log.
	Member     string
	LegalBasis string
	// WithholdUntil keeps what the actor reads out of the person's own
	// view of the access log until then, where the legal basis allows.
	WithholdUntil time.Time
}

// String names the actor for logs.
func (a Actor) String() string { return fmt.Sprintf("%s:%s", a.Kind, a.ID) }

// CoversAll reports whether the actor's authority reaches every unit.
func (a Actor) CoversAll() bool {
	return a.Kind == KindOperator || a.Kind == KindSystem || a.Scope == ScopeNational
}

// Covers reports whether the actor's scope includes any of the given current
// unit codes (a person's communes and provinces).
func (a Actor) Covers(units []string) bool {
	if a.CoversAll() {
		return true
	}
	for _, u := range units {
		if u == a.Unit {
			return true
		}
	}
	return false
}

// ScopeOfUnit tells the scope a unit code stands for by its shape.
func ScopeOfUnit(unit string) (Scope, bool) {
	switch {
	case unit == NationalUnit:
		return ScopeNational, true
	case len(unit) == 2 && digits(unit):
		return ScopeProvince, true
	case len(unit) == 5 && digits(unit):
		return ScopeCommune, true
	}
	return "", false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
