package oidc

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"dancu/internal/civil"
	"dancu/internal/registry"
)

// ScopeClaims lists the claims each scope releases, for the consent page
// and the access log.
var ScopeClaims = map[string][]string{
	"profile": {"name", "family_name", "middle_name", "given_name", "birthdate", "gender"},
	"pid":     {"pid"},
	"address": {"address", "current_address"},
	"phone":   {"phone_number", "phone_number_verified"},
	"email":   {"email", "email_verified"},
}

// claims fills ui with what scopes release of the account's person to a
// client, after checking the account can still be used; the registry
// read is the access-log row of the release, in the client's name.
func (p *Provider) claims(ctx context.Context, ui *zoidc.UserInfo, accountID, clientID string, scopes []string) error {
	a, err := p.cfg.Accounts.Check(ctx, accountID)
	if err != nil {
		return err
	}
	c, err := p.Client(ctx, clientID)
	if err != nil {
		return err
	}
	ui.Subject = p.Subject(c, a.Person)
	var fields []string
	for _, s := range scopes {
		if s == "pid" && !slices.Contains(c.Scopes, "pid") {
			continue // never: CreateAuthRequest refused it
		}
		fields = append(fields, ScopeClaims[s]...)
	}
	if len(fields) == 0 {
		return nil
	}
	cit, err := p.cfg.Registry.CitizenByKey(ctx, clientActor(c, a.Person), a.Person, fields)
	if err != nil {
		return err
	}
	for _, s := range scopes {
		switch s {
		case "profile":
			ui.Name = cit.FullName
			family, middle, given := splitName(cit.FullName)
			ui.FamilyName, ui.MiddleName, ui.GivenName = family, middle, given
			ui.Birthdate = cit.BirthDate.String()
			switch cit.Sex {
			case registry.Male:
				ui.Gender = "male"
			case registry.Female:
				ui.Gender = "female"
			}
		case "pid":
			if slices.Contains(c.Scopes, "pid") {
				ui.AppendClaims("pid", string(cit.PID))
			}
		case "address":
			perm, cur := residences(cit)
			if perm != nil {
				ui.Address = &zoidc.UserInfoAddress{Formatted: perm.Address, Locality: perm.Place, Country: "VN"}
			}
			if cur != nil {
				ui.AppendClaims("current_address", map[string]string{"formatted": cur.Address, "locality": cur.Place, "kind": string(cur.Kind), "country": "VN"})
			}
		case "phone":
			if a.Phone != "" {
				ui.PhoneNumber, ui.PhoneNumberVerified = "+84"+strings.TrimPrefix(a.Phone, "0"), true
			}
		case "email":
			if a.Email != "" {
				ui.Email, ui.EmailVerified = a.Email, true
			}
		}
	}
	return nil
}

// splitName splits a Kinh name into surname, middle names and given name.
func splitName(full string) (family, middle, given string) {
	parts := strings.Fields(full)
	switch len(parts) {
	case 0:
		return "", "", ""
	case 1:
		return "", "", parts[0]
	}
	return parts[0], strings.Join(parts[1:len(parts)-1], " "), parts[len(parts)-1]
}

// residences returns the permanent residence in force and the current
// one (temporary or declared current residence, when there is one).
func residences(c *registry.Citizen) (perm, cur *registry.Residence) {
	today := civil.DateOf(time.Now())
	for i := len(c.Residences) - 1; i >= 0; i-- {
		r := &c.Residences[i]
		if !r.InForce(today) {
			continue
		}
		if r.Kind == registry.Permanent && perm == nil {
			perm = r
		} else if r.Kind != registry.Permanent && cur == nil {
			cur = r
		}
	}
	return perm, cur
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
