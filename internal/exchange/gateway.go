package exchange

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

// Fields a grant can name, as the gateway's answers spell them.
const (
	FieldPID              = "pid"
	FieldLegacyIDs        = "legacy_ids"
	FieldFullName         = "full_name"
	FieldBirthDate        = "birth_date"
	FieldSex              = "sex"
	FieldStatus           = "status" // alive, dead or missing
	FieldDeathDate        = "death_date"
	FieldPermanentAddress = "permanent_address"
	FieldCurrentAddress   = "current_address"
	FieldPhones           = "phones"
	FieldNationality      = "nationality"
	FieldEthnicity        = "ethnicity"
	FieldReligion         = "religion"
	FieldHomeTown         = "home_town"
)

// FieldNames lists every field of the gateway.
var FieldNames = []string{FieldPID, FieldLegacyIDs, FieldFullName, FieldBirthDate, FieldSex, FieldStatus, FieldDeathDate,
	FieldPermanentAddress, FieldCurrentAddress, FieldPhones, FieldNationality, FieldEthnicity, FieldReligion, FieldHomeTown}

// Service runs the gateway.
type Service struct {
	Store    Store
	Registry *registry.Service
	// Clock is the time; time.Now when nil.
	Clock func() time.Time
	// DefaultRateLimit is a system's requests per second when its own is
	// not set; 0 means 200.
	DefaultRateLimit float64
	// Processes is how many dancu processes share each system's rate
	// limit: each enforces its share, so limiting costs no shared write.
	Processes int
	// Sealer seals webhook secrets; AllowPrivateTargets lets webhooks go to
	// loopback and private addresses (development, tests, an operator's
	// own network).
	Sealer              Sealer
	AllowPrivateTargets bool
	// BatchLease is how long a batch worker may go without a checkpoint
	// before another process takes its job over; 0 means 30 seconds.
	BatchLease time.Duration
	// Log reports how batch jobs go (their plans, their ends); nil is
	// silent.
	Log *slog.Logger

	systems  cache[*System]
	members  cache[*Member]
	grants   cache[[]*Grant]
	limiters limiters
	meter    meter
	queued   queuedSignal
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Service) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// cacheFor is how long a system's stage and a member's grants are kept in
// memory: a suspension or revocation made by another process takes effect
// within it (one made by this process, at once).
const cacheFor = 2 * time.Second

type cached[T any] struct {
	v     T
	until time.Time
}

type cache[T any] struct {
	mu sync.Mutex
	m  map[string]cached[T]
}

func (c *cache[T]) get(key string, now time.Time) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e.v, ok && now.Before(e.until)
}

func (c *cache[T]) put(key string, v T, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10_000 {
		c.m = map[string]cached[T]{}
	}
	c.m[key] = cached[T]{v: v, until: now.Add(cacheFor)}
}

func (c *cache[T]) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// Caller is an agency system making a request, as its access token names
// it.
type Caller struct {
	ClientID  string
	Scopes    []string
	RequestID string
}

// Request is what every gateway call declares: its purpose and the
// fields it wants.
type Request struct {
	Operation Operation
	Purpose   string
	Fields    []string
}

// authorised is a request allowed by a grant, with the actor its reads are
// logged as.
type authorised struct {
	system *System
	grant  *Grant
	actor  actor.Actor
}

// authorise checks that the caller is an active system, that the call is
// within its rate, and that a grant in force covers the operation, the
// purpose and every field asked for. A field outside the grant is refused,
// never dropped: the answer lists them all.
func (s *Service) authorise(ctx context.Context, c Caller, req Request) (*authorised, error) {
	now := s.now()
	sys, err := s.system(ctx, c.ClientID, now)
	if err != nil {
		return nil, err
	}
	if sys.Stage != StageActive {
		return nil, errs.E(errs.Forbidden, "system-not-active", "system %s is %s: only active systems are served", sys.ID, sys.Stage).With("stage", string(sys.Stage))
	}
	if wait, ok := s.limiters.allow(sys, s.share(s.rate(sys)), now); !ok {
		return nil, errs.E(errs.TooMany, "rate-limited", "system %s is over its rate of %g requests a second", sys.ID, s.rate(sys)).With("retry_after", max(1, int(wait.Seconds()+0.999)))
	}
	purpose := strings.TrimSpace(req.Purpose)
	if purpose == "" {
		return nil, errs.InvalidField("X-Purpose", "required", "declare the purpose of the request (X-Purpose), one your member has a grant for")
	}
	for _, f := range req.Fields {
		if !slices.Contains(FieldNames, f) {
			return nil, errs.InvalidField("fields", "unknown", "%q is not a field; they are %v", f, FieldNames)
		}
	}
	grants, err := s.memberGrants(ctx, sys.MemberID, now)
	if err != nil {
		return nil, err
	}
	var best *Grant
	var bestMissing []string
	for _, g := range grants {
		if g.Purpose != purpose || !g.InForce(now) || !slices.Contains(g.Operations, req.Operation) {
			continue
		}
		var missing []string
		for _, f := range req.Fields {
			if !slices.Contains(g.Fields, f) {
				missing = append(missing, f)
			}
		}
		if best == nil || len(missing) < len(bestMissing) {
			best, bestMissing = g, missing
		}
	}
	if best == nil {
		return nil, errs.E(errs.Forbidden, "no-grant", "member %s has no grant in force for %s with purpose %q", sys.MemberID, req.Operation, purpose).
			With("operation", string(req.Operation)).With("purpose", purpose)
	}
	if len(bestMissing) > 0 {
		e := errs.E(errs.Forbidden, "fields-not-granted", "grant %s for purpose %q does not cover %s", best.ID, purpose, strings.Join(bestMissing, ", ")).
			With("fields_not_granted", bestMissing).With("grant", best.ID).With("missing_grant", map[string]any{"operation": req.Operation, "purpose": purpose, "fields": bestMissing})
		for _, f := range bestMissing {
			e.Fields = append(e.Fields, errs.Field{Name: "fields", Reason: "not_granted", Message: f + " is outside the grant for this purpose"})
		}
		return nil, e
	}
	a := s.systemActor(sys.ID, sys.MemberID, purpose, best.LegalBasis, best.WithholdDays, c.RequestID)
	a.Name = sys.Name
	return &authorised{system: sys, grant: best, actor: a}, nil
}

// systemActor is the actor of a member's system reading under a grant:
// national in reach (the grant, not a unit, bounds it), with the member,
// the legal basis and, where the grant withholds its reads from the
// person for a time, until when.
func (s *Service) systemActor(systemID, memberID, purpose, legalBasis string, withholdDays int, requestID string) actor.Actor {
	a := actor.Actor{Kind: actor.KindClient, ID: systemID, Unit: actor.NationalUnit, Scope: actor.ScopeNational,
		Purpose: purpose, RequestID: requestID, Member: memberID, LegalBasis: legalBasis}
	if withholdDays > 0 {
		a.WithholdUntil = s.now().AddDate(0, 0, withholdDays)
	}
	return a
}

// system returns the system a client authenticates as.
func (s *Service) system(ctx context.Context, clientID string, now time.Time) (*System, error) {
	if sys, ok := s.systems.get(clientID, now); ok {
		return sys, nil
	}
	var sys *System
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		sys, err = tx.SystemByClient(ctx, clientID)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.Forbidden, "not-a-member-system", "client %s is not a system of any member of the data-sharing gateway", clientID)
	}
	if err != nil {
		return nil, err
	}
	s.systems.put(clientID, sys, now)
	return sys, nil
}

func (s *Service) memberGrants(ctx context.Context, memberID string, now time.Time) ([]*Grant, error) {
	if gs, ok := s.grants.get(memberID, now); ok {
		return gs, nil
	}
	var gs []*Grant
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		gs, err = tx.Grants(ctx, memberID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.grants.put(memberID, gs, now)
	return gs, nil
}

// consented checks the person's consent when the grant needs it.
func (s *Service) consented(ctx context.Context, au *authorised, person registry.PersonKey) error {
	if !au.grant.ConsentRequired {
		return nil
	}
	var c *Consent
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		c, err = tx.Consent(ctx, int64(person), au.system.MemberID, au.grant.Purpose)
		return err
	})
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	if c == nil || !c.InForce(s.now()) {
		return errs.E(errs.Forbidden, "consent-required", "the grant for purpose %q needs the person's consent, which they have not given (or withdrew)", au.grant.Purpose)
	}
	return nil
}

// Lookup returns the granted fields of the person a number (personal ID
// number or legacy number) names.
func (s *Service) Lookup(ctx context.Context, c Caller, purpose, number string, fields []string) (map[string]any, error) {
	if len(fields) == 0 {
		return nil, errs.InvalidField("fields", "required", "name the fields wanted, out of %v", FieldNames)
	}
	au, err := s.authorise(ctx, c, Request{Operation: OpLookup, Purpose: purpose, Fields: fields})
	if err != nil {
		return nil, err
	}
	return s.examine(ctx, au, OpLookup, number, fields, func(p *registry.Citizen) (map[string]any, string) {
		return s.project(p, fields), "found"
	})
}

// examine reads a person for an authorised request: consent is checked
// first, the answer made, then logged durably (with its withholding
// period) before it is returned, and metered. A refusal is not metered.
func (s *Service) examine(ctx context.Context, au *authorised, op Operation, number string, fields []string, answer func(*registry.Citizen) (map[string]any, string)) (map[string]any, error) {
	a := au.actor
	var out map[string]any
	var consentErr error
	_, err := s.Registry.Examine(ctx, a, number, fields, func(p *registry.Citizen) string {
		if consentErr = s.consented(ctx, au, p.Key); consentErr != nil {
			return "refused: no consent"
		}
		var result string
		out, result = answer(p)
		return result
	})
	if consentErr != nil {
		return nil, consentErr
	}
	if err == nil || errs.Is(err, errs.NotFound) {
		s.meter.add(au.system, op, s.now(), 1)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// project returns the fields of a record.
func (s *Service) project(p *registry.Citizen, fields []string) map[string]any {
	today := civil.DateOf(s.now())
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		switch f {
		case FieldPID:
			out[f] = string(p.PID)
		case FieldLegacyIDs:
			ids := make([]string, len(p.LegacyIDs))
			for i, l := range p.LegacyIDs {
				ids[i] = l.Number
			}
			out[f] = ids
		case FieldFullName:
			out[f] = p.FullName
		case FieldBirthDate:
			out[f] = p.BirthDate.String()
		case FieldSex:
			out[f] = string(p.Sex)
		case FieldStatus:
			out[f] = string(p.Status)
		case FieldDeathDate:
			if !p.DeathDate.IsZero() {
				out[f] = p.DeathDate.String()
			} else {
				out[f] = nil
			}
		case FieldPermanentAddress:
			out[f] = residence(p, registry.Permanent, today)
		case FieldCurrentAddress:
			r := residence(p, registry.Current, today)
			if r == nil {
				r = residence(p, registry.Temporary, today)
			}
			if r == nil {
				r = residence(p, registry.Permanent, today)
			}
			out[f] = r
		case FieldPhones:
			ps := make([]string, len(p.Phones))
			for i, ph := range p.Phones {
				ps[i] = ph.Number
			}
			out[f] = ps
		case FieldNationality:
			out[f] = p.Nationality
		case FieldEthnicity:
			out[f] = p.Ethnicity
		case FieldReligion:
			out[f] = p.Religion
		case FieldHomeTown:
			out[f] = p.HomeTown
		}
	}
	return out
}

// Address is a residence as the gateway answers it.
type Address struct {
	Kind    string `json:"kind"`
	Unit    string `json:"unit"`
	Address string `json:"address,omitempty"`
	Since   string `json:"since"`
}

func residence(p *registry.Citizen, kind registry.ResidenceKind, day civil.Date) *Address {
	r, ok := p.Residence(kind, day)
	if !ok {
		return nil
	}
	return &Address{Kind: string(kind), Unit: r.Place, Address: r.Address, Since: r.From.String()}
}

// Alive answers whether the person a number names is alive; the death
// date only when granted.
func (s *Service) Alive(ctx context.Context, c Caller, purpose, number string, fields []string) (map[string]any, error) {
	au, err := s.authorise(ctx, c, Request{Operation: OpAlive, Purpose: purpose, Fields: fields})
	if err != nil {
		return nil, err
	}
	return s.examine(ctx, au, OpAlive, number, append([]string{"alive"}, fields...), func(p *registry.Citizen) (map[string]any, string) {
		out := s.project(p, fields)
		out["alive"] = p.Status == registry.Alive
		if p.Status == registry.Alive {
			return out, "alive"
		}
		return out, "not alive"
	})
}

// ConfirmResidence answers whether the person a number names resides
// (permanently, temporarily or currently) in a unit today.
func (s *Service) ConfirmResidence(ctx context.Context, c Caller, purpose, number, unit string) (map[string]any, error) {
	au, err := s.authorise(ctx, c, Request{Operation: OpResidence, Purpose: purpose})
	if err != nil {
		return nil, err
	}
	if unit == "" {
		return nil, errs.InvalidField("unit", "required", "name the commune or province code to confirm residence in")
	}
	today := civil.DateOf(s.now())
	return s.examine(ctx, au, OpResidence, number, []string{"residence_in:" + unit}, func(p *registry.Citizen) (map[string]any, string) {
		out := map[string]any{"unit": unit}
		confirmed := false
		for _, kind := range []registry.ResidenceKind{registry.Permanent, registry.Temporary, registry.Current} {
			r, ok := p.Residence(kind, today)
			in := ok && s.Registry.ResidesIn(r, unit, today)
			out[string(kind)] = in
			confirmed = confirmed || in
		}
		if confirmed {
			return out, "confirmed"
		}
		return out, "not confirmed"
	})
}

// Household answers who lives in the household of the person a number
// names (their permanent residence's household today): each member with
// their relation to the head and the granted fields. Every member is a
// read in the access log.
func (s *Service) Household(ctx context.Context, c Caller, purpose, number string, fields []string) (map[string]any, error) {
	au, err := s.authorise(ctx, c, Request{Operation: OpHousehold, Purpose: purpose, Fields: fields})
	if err != nil {
		return nil, err
	}
	today := civil.DateOf(s.now())
	var householdID string
	if _, err := s.examine(ctx, au, OpHousehold, number, []string{"household"}, func(p *registry.Citizen) (map[string]any, string) {
		if r, ok := p.Residence(registry.Permanent, today); ok {
			householdID = r.HouseholdID
		}
		if householdID == "" {
			return nil, "no household"
		}
		return nil, "found"
	}); err != nil {
		return nil, err
	}
	if householdID == "" {
		return map[string]any{"household_id": nil, "members": []any{}}, nil
	}
	v, err := s.Registry.Household(ctx, au.actor, householdID, today, append([]string{"relation"}, fields...))
	if err != nil {
		return nil, err
	}
	members := make([]map[string]any, 0, len(v.Household.Members))
	for _, m := range v.Household.Members {
		p := v.Members[m.Key]
		if p == nil {
			continue
		}
		row := s.project(p, fields)
		row["relation"] = string(m.Relation)
		members = append(members, row)
	}
	return map[string]any{"household_id": householdID, "members": members}, nil
}

// TokenClaims are the claims a system's access token carries: its member
// and itself (nil for a client that is no member's system).
func (s *Service) TokenClaims(ctx context.Context, clientID string) map[string]any {
	sys, err := s.system(ctx, clientID, s.now())
	if err != nil {
		return nil
	}
	return map[string]any{"dancu_member": sys.MemberID, "dancu_system": sys.ID}
}
