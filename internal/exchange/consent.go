package exchange

import (
	"context"
	"time"

	"dancu/internal/errs"
)

// ConsentView is a consent with the member's name, for the person's page.
type ConsentView struct {
	Consent
	MemberName string
}

// GiveConsent records the person's consent to a member's use of their
// data for a purpose, until expires (zero: until withdrawn). Only a
// purpose some grant of the member needs consent for can be consented to.
func (s *Service) GiveConsent(ctx context.Context, person int64, memberID, purpose string, expires time.Time) (*Consent, error) {
	now := s.now()
	if !expires.IsZero() && !expires.After(now) {
		return nil, errs.InvalidField("expires_at", "past", "a consent ends in the future")
	}
	c := &Consent{PersonKey: person, MemberID: memberID, Purpose: purpose, GrantedAt: now, ExpiresAt: expires}
	err := s.Store.Update(ctx, func(tx Tx) error {
		gs, err := tx.Grants(ctx, memberID)
		if err != nil {
			return err
		}
		for _, g := range gs {
			if g.Purpose == purpose && g.ConsentRequired && g.InForce(now) {
				return tx.PutConsent(ctx, c)
			}
		}
		return errs.RuleField("purpose", "unknown", "member %s has no grant asking consent for purpose %q", memberID, purpose)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// WithdrawConsent ends a consent at once.
func (s *Service) WithdrawConsent(ctx context.Context, person int64, memberID, purpose string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		c, err := tx.Consent(ctx, person, memberID, purpose)
		if err != nil {
			return err
		}
		if c.RevokedAt.IsZero() {
			c.RevokedAt = s.now()
		}
		return tx.PutConsent(ctx, c)
	})
}

// Consents lists the person's consents, withdrawn ones included.
func (s *Service) Consents(ctx context.Context, person int64) ([]ConsentView, error) {
	var out []ConsentView
	err := s.Store.View(ctx, func(tx Tx) error {
		cs, err := tx.Consents(ctx, person)
		if err != nil {
			return err
		}
		for _, c := range cs {
			v := ConsentView{Consent: *c}
			if m, err := tx.Member(ctx, c.MemberID); err == nil {
				v.MemberName = m.Name
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// ConsentChoice is a use of the person's data that needs their consent: a
// member's grant that asks it, and whether they gave it.
type ConsentChoice struct {
	MemberID   string
	MemberName string
	Purpose    string
	LegalBasis string
	Fields     []string
	// Given is the consent in force, nil when there is none.
	Given *Consent
}

// ConsentChoices lists, for a person, every grant in force that needs
// consent, with the consent they gave, if any.
func (s *Service) ConsentChoices(ctx context.Context, person int64) ([]ConsentChoice, error) {
	now := s.now()
	var out []ConsentChoice
	err := s.Store.View(ctx, func(tx Tx) error {
		members, err := tx.Members(ctx)
		if err != nil {
			return err
		}
		for _, m := range members {
			gs, err := tx.Grants(ctx, m.ID)
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, g := range gs {
				if !g.ConsentRequired || !g.InForce(now) || seen[g.Purpose] {
					continue
				}
				seen[g.Purpose] = true
				ch := ConsentChoice{MemberID: m.ID, MemberName: m.Name, Purpose: g.Purpose, LegalBasis: g.LegalBasis, Fields: g.Fields}
				c, err := tx.Consent(ctx, person, m.ID, g.Purpose)
				if err != nil && !errs.Is(err, errs.NotFound) {
					return err
				}
				if c != nil && c.InForce(now) {
					ch.Given = c
				}
				out = append(out, ch)
			}
		}
		return nil
	})
	return out, err
}
