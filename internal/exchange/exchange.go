// Package exchange is the data-sharing gateway: the organisations that
// reuse the registry (members) and their systems, the security gate a
// system passes before any data flows, purpose-bound grants, citizens'
// consents, and the operations a system calls — lookup, verification,
// is-alive and residence confirmation — each authorised by a grant,
// rate-limited, metered and access-logged.
package exchange

import (
	"context"
	"slices"
	"time"
)

// MemberType is the kind of organisation a member is; the tariff exempts
// some kinds (state agencies).
type MemberType string

const (
	MemberMinistry     MemberType = "ministry"
	MemberProvince     MemberType = "province"
	MemberStateCompany MemberType = "state_company"
	MemberBank         MemberType = "bank"
	MemberTelco        MemberType = "telco"
	MemberUnion        MemberType = "union"
)

// MemberTypes lists the kinds of member.
var MemberTypes = []MemberType{MemberMinistry, MemberProvince, MemberStateCompany, MemberBank, MemberTelco, MemberUnion}

// Member is an organisation that reuses the registry.
type Member struct {
	ID        string
	Name      string
	Type      MemberType
	CreatedAt time.Time
	CreatedBy string
}

// Stage is where a system stands on its way to being served.
type Stage string

const (
	StageApplied    Stage = "applied"
	StageAssessment Stage = "assessment"
	StageApproved   Stage = "approved"
	StageActive     Stage = "active"
	StageSuspended  Stage = "suspended"
	StageRevoked    Stage = "revoked"
)

// Stages lists the stages in the order a system passes them.
var Stages = []Stage{StageApplied, StageAssessment, StageApproved, StageActive, StageSuspended, StageRevoked}

// next lists the stages each stage may move to. Approval needs a complete
// assessment; revocation is final.
var next = map[Stage][]Stage{
	StageApplied:    {StageAssessment, StageRevoked},
	StageAssessment: {StageApproved, StageApplied, StageRevoked},
	StageApproved:   {StageActive, StageRevoked},
	StageActive:     {StageSuspended, StageRevoked},
	StageSuspended:  {StageActive, StageRevoked},
}

// CanMove reports whether a system at from may move to to.
func CanMove(from, to Stage) bool { return slices.Contains(next[from], to) }

// The security assessment's checklist: what the operator requires of a
// system before it is approved.
const (
	CheckSecurityLevel   = "security_level"   // information-security level approved (cấp độ an toàn hệ thống thông tin)
	CheckPentest         = "pentest_date"     // date of the last penetration test
	CheckTLS             = "tls"              // TLS configuration reviewed
	CheckIPAllowList     = "ip_allowlist"     // source addresses the system calls from
	CheckDPO             = "dpo"              // data-protection officer
	CheckIncidentContact = "incident_contact" // who answers a security incident
)

// RequiredChecks are the items every assessment must have checked.
var RequiredChecks = []string{CheckSecurityLevel, CheckPentest, CheckTLS, CheckIPAllowList, CheckDPO, CheckIncidentContact}

// Check is one item of a security assessment: the value found, the
// evidence it rests on, and who checked it.
type Check struct {
	Item      string    `json:"item"`
	Value     string    `json:"value"`
	Evidence  string    `json:"evidence"`
	CheckedBy string    `json:"checked_by"`
	CheckedAt time.Time `json:"checked_at"`
}

// System is one system of a member, authenticating as an OAuth client.
type System struct {
	ID        string
	MemberID  string
	Name      string
	ClientID  string
	Stage     Stage
	Checklist []Check
	// RateLimit is the system's requests per second across all processes;
	// 0 means DefaultRateLimit.
	RateLimit float64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Missing returns the required checks the assessment has not recorded.
func (s *System) Missing() []string {
	var out []string
	for _, item := range RequiredChecks {
		if !slices.ContainsFunc(s.Checklist, func(c Check) bool { return c.Item == item }) {
			out = append(out, item)
		}
	}
	return out
}

// StageChange is one move of a system between stages.
type StageChange struct {
	SystemID string
	At       time.Time
	Actor    string
	From, To Stage
	Note     string
}

// Operation is what a system asks of the gateway.
type Operation string

const (
	OpLookup    Operation = "lookup"
	OpVerify    Operation = "verify"
	OpAlive     Operation = "alive"
	OpHousehold Operation = "household"
	OpResidence Operation = "residence"
	OpBatch     Operation = "batch_verify"
	OpSubscribe Operation = "subscribe"
)

// Operations lists every operation a grant may name.
var Operations = []Operation{OpLookup, OpVerify, OpAlive, OpHousehold, OpResidence, OpBatch, OpSubscribe}

// GrantTerms are what a grant allows: a member, operations on fields, for
// a purpose, on a legal basis, for a time.
type GrantTerms struct {
	MemberID   string
	Purpose    string
	LegalBasis string
	Operations []Operation
	Fields     []string
	ValidFrom  time.Time
	ValidUntil time.Time
	// ConsentRequired makes every use need the person's consent to the
	// member for the purpose (commercial banks' customer identification).
	ConsentRequired bool
	// WithholdDays keeps the reads under this grant from the person's
	// view of the access log for that many days (investigations).
	WithholdDays int
}

// Grant is terms an administrator granted.
type Grant struct {
	ID string
	GrantTerms
	CreatedAt time.Time
	CreatedBy string
	RevokedAt time.Time
}

// InForce reports whether the grant may be used at t.
func (g *Grant) InForce(t time.Time) bool {
	return g.RevokedAt.IsZero() && !t.Before(g.ValidFrom) && t.Before(g.ValidUntil)
}

// Consent is a person's consent to a member's use of their data for a
// purpose.
type Consent struct {
	PersonKey int64
	MemberID  string
	Purpose   string
	GrantedAt time.Time
	// ExpiresAt is the end of the consent; zero means until revoked.
	ExpiresAt time.Time
	RevokedAt time.Time
}

// InForce reports whether the consent holds at t.
func (c *Consent) InForce(t time.Time) bool {
	return c.RevokedAt.IsZero() && !t.Before(c.GrantedAt) && (c.ExpiresAt.IsZero() || t.Before(c.ExpiresAt))
}

// Usage counts the operations of one system in one month.
type Usage struct {
	Month     string // YYYY-MM in Asia/Ho_Chi_Minh
	MemberID  string
	SystemID  string
	Operation Operation
	Count     int64
}

// Store keeps the gateway's data.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction of the Store. Lookups of what does not exist
// return an errs.NotFound error.
type Tx interface {
	CreateMember(ctx context.Context, m *Member) error
	Member(ctx context.Context, id string) (*Member, error)
	Members(ctx context.Context) ([]*Member, error)

	CreateSystem(ctx context.Context, s *System) error
	// UpdateSystem writes s if its stored version is s.Version-1.
	UpdateSystem(ctx context.Context, s *System) error
	System(ctx context.Context, id string) (*System, error)
	SystemByClient(ctx context.Context, clientID string) (*System, error)
	Systems(ctx context.Context) ([]*System, error)
	AddStageChange(ctx context.Context, c StageChange) error
	StageChanges(ctx context.Context, systemID string) ([]StageChange, error)

	PutGrant(ctx context.Context, g *Grant) error
	Grant(ctx context.Context, id string) (*Grant, error)
	// Grants returns a member's grants, revoked and expired ones included.
	Grants(ctx context.Context, memberID string) ([]*Grant, error)

	PutConsent(ctx context.Context, c *Consent) error
	Consent(ctx context.Context, person int64, memberID, purpose string) (*Consent, error)
	Consents(ctx context.Context, person int64) ([]*Consent, error)

	// AddUsage adds counts to the month's totals.
	AddUsage(ctx context.Context, us []Usage) error
	Usage(ctx context.Context, month string) ([]Usage, error)
}
