package eid

import (
	"context"
	"encoding/json"
	"io"
	"net/netip"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"dancu/internal/errs"
)

// Passkeys are WebAuthn credentials, offered to every account: as the
// second factor after a password, or to log in alone, since a passkey
// that verified its user (a PIN, a fingerprint) is two factors in one.
type Passkeys struct {
	w *webauthn.WebAuthn
}

// NewPasskeys configures WebAuthn for a relying-party id (a host name, never
// an IP address) and the origins pages are served from.
func NewPasskeys(rpID, displayName string, origins []string) (*Passkeys, error) {
	w, err := webauthn.New(&webauthn.Config{
		RPID:          rpID,
		RPDisplayName: displayName,
		RPOrigins:     origins,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementRequired,
			UserVerification: protocol.VerificationRequired,
		},
	})
	if err != nil {
		return nil, err
	}
	return &Passkeys{w: w}, nil
}

// ceremonyLife bounds a WebAuthn ceremony.
const ceremonyLife = 5 * time.Minute

type passkeyUser struct {
	id, name string
	creds    []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return []byte(u.id) }
func (u *passkeyUser) WebAuthnName() string                       { return u.name }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Service) passkeyUser(ctx context.Context, tx Tx, a *Account, name string) (*passkeyUser, []Credential, error) {
	creds, err := tx.Credentials(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	u := &passkeyUser{id: a.ID, name: name}
	var keep []Credential
	for _, c := range creds {
		if c.Kind != CredentialPasskey {
			continue
		}
		var wc webauthn.Credential
		if err := json.Unmarshal(c.Secret, &wc); err != nil {
			return nil, nil, err
		}
		u.creds = append(u.creds, wc)
		keep = append(keep, c)
	}
	return u, keep, nil
}

func (s *Service) passkeys() (*Passkeys, error) {
	if s.Passkeys == nil {
		return nil, errs.E(errs.Unavailable, "passkeys-unavailable", "passkeys need the server's host name configured")
	}
	return s.Passkeys, nil
}

// storeCeremony keeps WebAuthn session data until the browser answers.
func (s *Service) storeCeremony(ctx context.Context, tx Tx, accountID string, sd *webauthn.SessionData) (string, error) {
	id, err := s.randomID("wan_", 18)
	if err != nil {
		return "", err
	}
	raw, err := json.Marshal(sd)
	if err != nil {
		return "", err
	}
	now := s.now()
	return id, tx.InsertChallenge(ctx, &Challenge{ID: id, Purpose: PurposeWebAuthn, AccountID: accountID, Data: raw,
		CreatedAt: now, ExpiresAt: now.Add(ceremonyLife)})
}

// takeCeremony returns a ceremony's session data, once.
func (s *Service) takeCeremony(ctx context.Context, tx Tx, id, accountID string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	bad := errs.E(errs.Unprocessable, "passkey-ceremony", "the passkey request expired or was already answered: try again")
	ch, err := tx.ChallengeByID(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return sd, bad
	}
	if err != nil {
		return sd, err
	}
	now := s.now()
	if ch.Purpose != PurposeWebAuthn || ch.AccountID != accountID || !ch.UsedAt.IsZero() || !now.Before(ch.ExpiresAt) {
		return sd, bad
	}
	ch.UsedAt = now
	if err := tx.UpdateChallenge(ctx, ch); err != nil {
		return sd, err
	}
	return sd, json.Unmarshal(ch.Data, &sd)
}

// Ceremony is what the browser needs to start a WebAuthn ceremony.
type Ceremony struct {
	ID      string
	Options json.RawMessage
}

// BeginPasskeyRegistration starts adding a passkey to the session's account.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, sess *Session, displayName string) (Ceremony, error) {
	pk, err := s.passkeys()
	if err != nil {
		return Ceremony{}, err
	}
	var out Ceremony
	err = s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.AccountByID(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		u, _, err := s.passkeyUser(ctx, tx, a, displayName)
		if err != nil {
			return err
		}
		var exclude []protocol.CredentialDescriptor
		for _, c := range u.creds {
			exclude = append(exclude, c.Descriptor())
		}
		creation, sd, err := pk.w.BeginRegistration(u, webauthn.WithExclusions(exclude))
		if err != nil {
			return errs.E(errs.Internal, "internal", "passkey registration").Wrap(err)
		}
		if out.ID, err = s.storeCeremony(ctx, tx, a.ID, sd); err != nil {
			return err
		}
		out.Options, err = json.Marshal(creation)
		return err
	})
	return out, err
}

// FinishPasskeyRegistration stores the passkey the browser created.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, sess *Session, ceremonyID, name string, response io.Reader) error {
	pk, err := s.passkeys()
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(response)
	if err != nil {
		return errs.E(errs.Invalid, "passkey-response", "the passkey response could not be read").Wrap(err)
	}
	return s.update(ctx, func(tx Tx) error {
		sd, err := s.takeCeremony(ctx, tx, ceremonyID, sess.AccountID)
		if err != nil {
			return err
		}
		a, err := tx.AccountByID(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		u, _, err := s.passkeyUser(ctx, tx, a, name)
		if err != nil {
			return err
		}
		cred, err := pk.w.CreateCredential(u, sd, parsed)
		if err != nil {
			return errCommit{errs.E(errs.Unprocessable, "passkey-rejected", "the passkey could not be verified").Wrap(err)}
		}
		raw, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		id, err := s.randomID("crd_", 12)
		if err != nil {
			return err
		}
		if name == "" {
			name = "passkey"
		}
		now := s.now()
		if err := tx.InsertCredential(ctx, &Credential{ID: id, AccountID: a.ID, Kind: CredentialPasskey, Name: name,
			Secret: raw, CredentialID: cred.ID, CreatedAt: now, LastUsedAt: now}); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: now, AccountID: a.ID, Actor: "self", Action: "passkey_added", Detail: name})
	})
}

// BeginPasskeyLogin starts a login with a passkey alone: the browser offers
// the person's passkeys for this site (a discoverable credential names
// its account).
func (s *Service) BeginPasskeyLogin(ctx context.Context) (Ceremony, error) {
	pk, err := s.passkeys()
	if err != nil {
		return Ceremony{}, err
	}
	assertion, sd, err := pk.w.BeginDiscoverableLogin()
	if err != nil {
		return Ceremony{}, errs.E(errs.Internal, "internal", "passkey login").Wrap(err)
	}
	var out Ceremony
	err = s.Store.Update(ctx, func(tx Tx) error {
		var err error
		out.ID, err = s.storeCeremony(ctx, tx, "", sd)
		return err
	})
	if err != nil {
		return Ceremony{}, err
	}
	out.Options, err = json.Marshal(assertion)
	return out, err
}

// FinishPasskeyLogin checks the browser's assertion and opens a session.
// A passkey that verified its user counts as two factors.
func (s *Service) FinishPasskeyLogin(ctx context.Context, ceremonyID string, response io.Reader, addr netip.Addr, ua string) (*Login, error) {
	pk, err := s.passkeys()
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(response)
	if err != nil {
		return nil, errs.E(errs.Invalid, "passkey-response", "the passkey response could not be read").Wrap(err)
	}
	var a *Account
	var sd webauthn.SessionData
	var stored *Credential
	err = s.update(ctx, func(tx Tx) error {
		var err error
		if sd, err = s.takeCeremony(ctx, tx, ceremonyID, ""); err != nil {
			return err
		}
		if stored, err = tx.CredentialByWebAuthnID(ctx, parsed.RawID); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errCommit{errs.E(errs.Unauthenticated, "invalid-credentials", "this passkey is not registered")}
			}
			return err
		}
		a, err = tx.AccountByID(ctx, stored.AccountID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.usable(ctx, a, nil); err != nil {
		return nil, err
	}
	var login *Login
	err = s.update(ctx, func(tx Tx) error {
		u, _, err := s.passkeyUser(ctx, tx, a, "")
		if err != nil {
			return err
		}
		handler := func(rawID, userHandle []byte) (webauthn.User, error) {
			if string(userHandle) != a.ID {
				return nil, errs.E(errs.Unauthenticated, "invalid-credentials", "the passkey belongs to another account")
			}
			return u, nil
		}
		cred, err := pk.w.ValidateDiscoverableLogin(handler, sd, parsed)
		if err != nil {
			return errCommit{errs.E(errs.Unauthenticated, "invalid-credentials", "the passkey could not be verified").Wrap(err)}
		}
		if err := s.touchPasskey(ctx, tx, stored, cred); err != nil {
			return err
		}
		amr := []string{"hwk"}
		if cred.Flags.UserVerified {
			amr = append(amr, "user", "mfa")
		}
		login, err = s.openSession(ctx, tx, a, amr, addr, ua)
		return err
	})
	return login, err
}

// BeginPasskeyStepUp asks the browser for a passkey of the session's
// account, as its second factor.
func (s *Service) BeginPasskeyStepUp(ctx context.Context, sess *Session) (Ceremony, error) {
	pk, err := s.passkeys()
	if err != nil {
		return Ceremony{}, err
	}
	var out Ceremony
	err = s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.AccountByID(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		u, _, err := s.passkeyUser(ctx, tx, a, "")
		if err != nil {
			return err
		}
		if len(u.creds) == 0 {
			return errs.E(errs.Unprocessable, "no-passkey", "this account has no passkey")
		}
		assertion, sd, err := pk.w.BeginLogin(u)
		if err != nil {
			return errs.E(errs.Internal, "internal", "passkey").Wrap(err)
		}
		if out.ID, err = s.storeCeremony(ctx, tx, a.ID, sd); err != nil {
			return err
		}
		out.Options, err = json.Marshal(assertion)
		return err
	})
	return out, err
}

// FinishPasskeyStepUp checks the passkey and raises the session.
func (s *Service) FinishPasskeyStepUp(ctx context.Context, sess *Session, ceremonyID string, response io.Reader) (*Session, error) {
	pk, err := s.passkeys()
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(response)
	if err != nil {
		return nil, errs.E(errs.Invalid, "passkey-response", "the passkey response could not be read").Wrap(err)
	}
	err = s.update(ctx, func(tx Tx) error {
		sd, err := s.takeCeremony(ctx, tx, ceremonyID, sess.AccountID)
		if err != nil {
			return err
		}
		a, err := tx.AccountByID(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		u, stored, err := s.passkeyUser(ctx, tx, a, "")
		if err != nil {
			return err
		}
		cred, err := pk.w.ValidateLogin(u, sd, parsed)
		if err != nil {
			return errCommit{errs.E(errs.Unauthenticated, "invalid-credentials", "the passkey could not be verified").Wrap(err)}
		}
		for i := range stored {
			if string(stored[i].CredentialID) == string(cred.ID) {
				if err := s.touchPasskey(ctx, tx, &stored[i], cred); err != nil {
					return err
				}
			}
		}
		return s.stepUp(ctx, tx, sess, a, "hwk")
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// touchPasskey stores a passkey's new signature counter and use.
func (s *Service) touchPasskey(ctx context.Context, tx Tx, stored *Credential, cred *webauthn.Credential) error {
	raw, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	stored.Secret, stored.LastUsedAt = raw, s.now()
	return tx.UpdateCredential(ctx, stored)
}
