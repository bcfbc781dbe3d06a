package exchange

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/actor"
	"dancu/internal/errs"
)

// mayAdminister reports whether a may run the gateway's onboarding: the
// operator on the server, or a national-scope officer.
func mayAdminister(a actor.Actor) error {
	if a.Kind == actor.KindOperator || (a.Kind == actor.KindOfficer && a.Scope == actor.ScopeNational) {
		return nil
	}
	return errs.E(errs.Forbidden, "forbidden", "only the operator or a national officer administers the data-sharing gateway")
}

func newID(prefix string) string {
	var b [10]byte
	rand.Read(b[:])
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func checkText(fs *errs.Fields, field, value string, max int) {
	switch {
	case strings.TrimSpace(value) == "":
		fs.Add(field, "required", "%s is required", field)
	case utf8.RuneCountInString(value) > max || !utf8.ValidString(value) || strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 }):
		fs.Add(field, "format", "%s is printable text of at most %d characters", field, max)
	}
}

// CreateMember registers an organisation.
func (s *Service) CreateMember(ctx context.Context, a actor.Actor, name string, typ MemberType) (*Member, error) {
	if err := mayAdminister(a); err != nil {
		return nil, err
	}
	var fs errs.Fields
	checkText(&fs, "name", name, 200)
	if !slices.Contains(MemberTypes, typ) {
		fs.Add("type", "unknown", "type must be one of %v", MemberTypes)
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	m := &Member{ID: newID("m-"), Name: strings.TrimSpace(name), Type: typ, CreatedAt: s.now(), CreatedBy: a.String()}
	return m, s.Store.Update(ctx, func(tx Tx) error { return tx.CreateMember(ctx, m) })
}

// ApplySystem records a member's system applying to connect, as the OAuth
// client it will authenticate as, with the rate it may call at (requests
// a second across all processes; 0 for the default).
func (s *Service) ApplySystem(ctx context.Context, a actor.Actor, memberID, name, clientID string, rate float64) (*System, error) {
	if err := mayAdminister(a); err != nil {
		return nil, err
	}
	var fs errs.Fields
	checkText(&fs, "name", name, 200)
	checkText(&fs, "client_id", clientID, 100)
	if rate < 0 || rate > 1e6 {
		fs.Add("rate_limit", "range", "rate_limit is between 0 (the default) and 1,000,000 requests a second")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	sys := &System{ID: newID("s-"), MemberID: memberID, Name: strings.TrimSpace(name), ClientID: clientID, Stage: StageApplied,
		RateLimit: rate, CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Member(ctx, memberID); err != nil {
			return fieldNotFound(err, "member_id", "no member %q", memberID)
		}
		if _, err := tx.SystemByClient(ctx, clientID); err == nil {
			return errs.RuleField("client_id", "taken", "client %s is already another system's", clientID)
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		if err := tx.CreateSystem(ctx, sys); err != nil {
			return err
		}
		return tx.AddStageChange(ctx, StageChange{SystemID: sys.ID, At: now, Actor: a.String(), To: StageApplied, Note: "applied"})
	})
	return sys, err
}

func fieldNotFound(err error, field, format string, args ...any) error {
	if errs.Is(err, errs.NotFound) {
		e := errs.RuleField(field, "unknown", format, args...)
		return e
	}
	return err
}

// RecordCheck records one item of a system's security assessment. Items
// are recorded while the system is being assessed; recording one again
// replaces it.
func (s *Service) RecordCheck(ctx context.Context, a actor.Actor, systemID string, c Check) (*System, error) {
	if err := mayAdminister(a); err != nil {
		return nil, err
	}
	var fs errs.Fields
	if !slices.Contains(RequiredChecks, c.Item) {
		fs.Add("item", "unknown", "item must be one of %v", RequiredChecks)
	}
	checkText(&fs, "value", c.Value, 500)
	checkText(&fs, "evidence", c.Evidence, 500)
	if c.Item == CheckPentest {
		if _, err := time.Parse(time.DateOnly, c.Value); err != nil {
			fs.Add("value", "format", "the penetration test's date is YYYY-MM-DD")
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	c.CheckedBy, c.CheckedAt = a.String(), s.now()
	return s.changeSystem(ctx, systemID, func(sys *System) error {
		if sys.Stage != StageAssessment {
			return errs.E(errs.Conflict, "wrong-stage", "checks are recorded during the security assessment; the system is %s", sys.Stage)
		}
		sys.Checklist = slices.DeleteFunc(sys.Checklist, func(x Check) bool { return x.Item == c.Item })
		sys.Checklist = append(sys.Checklist, c)
		return nil
	}, nil)
}

// MoveSystem moves a system to another stage. Approval needs every
// required check; a suspended or revoked system is refused at its next
// request.
func (s *Service) MoveSystem(ctx context.Context, a actor.Actor, systemID string, to Stage, note string) (*System, error) {
	if err := mayAdminister(a); err != nil {
		return nil, err
	}
	if !slices.Contains(Stages, to) {
		return nil, errs.InvalidField("stage", "unknown", "stage must be one of %v", Stages)
	}
	if utf8.RuneCountInString(note) > 500 {
		return nil, errs.InvalidField("note", "format", "a note has at most 500 characters")
	}
	var from Stage
	sys, err := s.changeSystem(ctx, systemID, func(sys *System) error {
		from = sys.Stage
		if !CanMove(sys.Stage, to) {
			return errs.E(errs.Conflict, "wrong-stage", "a system %s cannot become %s", sys.Stage, to).With("stage", string(sys.Stage))
		}
		if to == StageApproved {
			if missing := sys.Missing(); len(missing) > 0 {
				return errs.E(errs.Unprocessable, "assessment-incomplete", "the security assessment lacks %s", strings.Join(missing, ", ")).With("missing", missing)
			}
		}
		sys.Stage = to
		return nil
	}, func(tx Tx, sys *System) error {
		return tx.AddStageChange(ctx, StageChange{SystemID: sys.ID, At: s.now(), Actor: a.String(), From: from, To: to, Note: note})
	})
	if err == nil {
		s.systems.forget(sys.ClientID)
	}
	return sys, err
}

func (s *Service) changeSystem(ctx context.Context, id string, change func(*System) error, also func(Tx, *System) error) (*System, error) {
	var out *System
	err := s.Store.Update(ctx, func(tx Tx) error {
		sys, err := tx.System(ctx, id)
		if err != nil {
			return err
		}
		if err := change(sys); err != nil {
			return err
		}
		sys.UpdatedAt = s.now()
		sys.Version++
		if err := tx.UpdateSystem(ctx, sys); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx, sys); err != nil {
				return err
			}
		}
		out = sys
		return nil
	})
	return out, err
}

// StageCount is how many systems of a kind of member stand at a stage.
type StageCount struct {
	MemberType MemberType `json:"member_type"`
	Stage      Stage      `json:"stage"`
	Systems    int        `json:"systems"`
}

// Stages counts systems by member type and stage: the supervisor's
// picture of who is still held at the security gate.
func (s *Service) StageCounts(ctx context.Context) ([]StageCount, error) {
	var out []StageCount
	err := s.Store.View(ctx, func(tx Tx) error {
		members, err := tx.Members(ctx)
		if err != nil {
			return err
		}
		types := map[string]MemberType{}
		for _, m := range members {
			types[m.ID] = m.Type
		}
		systems, err := tx.Systems(ctx)
		if err != nil {
			return err
		}
		counts := map[StageCount]int{}
		for _, sys := range systems {
			counts[StageCount{MemberType: types[sys.MemberID], Stage: sys.Stage}]++
		}
		for _, t := range MemberTypes {
			for _, st := range Stages {
				if n := counts[StageCount{MemberType: t, Stage: st}]; n > 0 {
					out = append(out, StageCount{MemberType: t, Stage: st, Systems: n})
				}
			}
		}
		return nil
	})
	return out, err
}

// GrantRequest is what an administrator grants a member.
type GrantRequest = GrantTerms

// CreateGrant allows a member an operation on fields for a purpose.
func (s *Service) CreateGrant(ctx context.Context, a actor.Actor, req GrantRequest) (*Grant, error) {
	if err := mayAdminister(a); err != nil {
		return nil, err
	}
	var fs errs.Fields
	checkText(&fs, "purpose", req.Purpose, 100)
	checkText(&fs, "legal_basis", req.LegalBasis, 500)
	if len(req.Operations) == 0 {
		fs.Add("operations", "required", "name at least one operation of %v", Operations)
	}
	for _, op := range req.Operations {
		if !slices.Contains(Operations, op) {
			fs.Add("operations", "unknown", "%q is not an operation; they are %v", op, Operations)
		}
	}
	for _, f := range req.Fields {
		if !slices.Contains(FieldNames, f) {
			fs.Add("fields", "unknown", "%q is not a field; they are %v", f, FieldNames)
		}
	}
	now := s.now()
	if req.ValidFrom.IsZero() {
		req.ValidFrom = now
	}
	if req.ValidUntil.IsZero() || !req.ValidUntil.After(req.ValidFrom) {
		fs.Add("valid_until", "required", "a grant ends after it begins")
	}
	if req.WithholdDays < 0 || req.WithholdDays > 3650 {
		fs.Add("withhold_days", "range", "withhold_days is between 0 and 3650")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	req.Purpose, req.LegalBasis = strings.TrimSpace(req.Purpose), strings.TrimSpace(req.LegalBasis)
	req.Operations = slices.Compact(slices.Sorted(slices.Values(req.Operations)))
	req.Fields = slices.Compact(slices.Sorted(slices.Values(req.Fields)))
	g := &Grant{ID: newID("g-"), GrantTerms: req, CreatedAt: now, CreatedBy: a.String()}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Member(ctx, req.MemberID); err != nil {
			return fieldNotFound(err, "member_id", "no member %q", req.MemberID)
		}
		return tx.PutGrant(ctx, g)
	})
	if err == nil {
		s.grants.forget(g.MemberID)
	}
	return g, err
}

// RevokeGrant ends a grant at once.
func (s *Service) RevokeGrant(ctx context.Context, a actor.Actor, id string) (*Grant, error) {
	if err := mayAdminister(a); err != nil {
		return nil, err
	}
	var g *Grant
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if g, err = tx.Grant(ctx, id); err != nil {
			return err
		}
		if g.RevokedAt.IsZero() {
			g.RevokedAt = s.now()
		}
		return tx.PutGrant(ctx, g)
	})
	if err == nil {
		s.grants.forget(g.MemberID)
	}
	return g, err
}

// MemberName names a member, for people reading who used their data; ""
// when there is no such member.
func (s *Service) MemberName(ctx context.Context, id string) string {
	if m := s.member(ctx, id); m != nil {
		return m.Name
	}
	return ""
}

// member returns a member, kept a moment; nil when there is none.
func (s *Service) member(ctx context.Context, id string) *Member {
	now := s.now()
	if m, ok := s.members.get(id, now); ok {
		return m
	}
	var m *Member
	if err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		m, err = tx.Member(ctx, id)
		return err
	}); err != nil {
		return nil
	}
	s.members.put(id, m, now)
	return m
}
