package eid

import (
	"context"
	"crypto/rand"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"dancu/internal/actor"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

// LoginInput is a password login.
type LoginInput struct {
	PID       string
	Password  string
	Address   netip.Addr
	UserAgent string
}

// Login is a session just opened, with the token for the cookie.
type Login struct {
	Session *Session
	Account *Account
	Token   string
	// SecondFactors lists the kinds of second factor the account has; a
	// level-2 account must use one to reach level 2.
	SecondFactors []CredentialKind
}

func badCredentials() error {
	return errs.E(errs.Unauthenticated, "invalid-credentials", "the personal ID number or the password is wrong")
}

// dummyHash is verified when there is no account, so that a login for an
// unknown number takes as long as one with a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(DefaultArgon2, rand.Reader, "not a password anyone has")
	if err != nil {
		panic(err)
	}
	return h
})

// Login checks a personal ID number and password and opens a session at
// level 1. Failures are throttled per account and per source address.
func (s *Service) Login(ctx context.Context, in LoginInput) (*Login, error) {
	ipKey := addressKey("login", in.Address)
	if err := s.Store.View(ctx, func(tx Tx) error { return s.throttled(ctx, tx, AddressThrottle, ipKey) }); err != nil {
		return nil, err
	}
	pid := strings.TrimSpace(in.PID)
	c, err := s.Registry.CitizenByNumber(ctx, system, pid, []string{"status"})
	var a *Account
	if err == nil {
		err = s.Store.View(ctx, func(tx Tx) error {
			var err error
			a, err = tx.AccountByPerson(ctx, c.Key)
			return err
		})
	}
	if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Invalid) {
		VerifyPassword(dummyHash(), in.Password)
		s.fail(ctx, ipKey, AddressThrottle)
		return nil, badCredentials()
	}
	if err != nil {
		return nil, err
	}
	acctKey := "account:" + a.ID
	if err := s.Store.View(ctx, func(tx Tx) error { return s.throttled(ctx, tx, AccountThrottle, acctKey) }); err != nil {
		return nil, err
	}
	if a.PasswordHash == "" {
		VerifyPassword(dummyHash(), in.Password)
		return nil, errs.E(errs.Forbidden, "account-not-activated", "the account waits for activation with the code handed over in person")
	}
	ok, rehash, err := VerifyPassword(a.PasswordHash, in.Password)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.fail(ctx, acctKey, AccountThrottle)
		s.fail(ctx, ipKey, AddressThrottle)
		return nil, badCredentials()
	}
	// The password was right: only now say why the account cannot log in.
	if err := s.usable(ctx, a, c); err != nil {
		return nil, err
	}
	var login *Login
	err = s.Store.Update(ctx, func(tx Tx) error {
		// A success forgets the account's failures (most logins have none
		// to forget, and pay no write for it).
		if r, err := tx.Throttle(ctx, acctKey); err != nil {
			return err
		} else if r.Failures > 0 {
			if err := tx.SetThrottle(ctx, acctKey, FailureRecord{}); err != nil {
				return err
			}
		}
		if rehash {
			cur, err := tx.AccountByID(ctx, a.ID)
			if err != nil {
				return err
			}
			if h, err := HashPassword(s.argon(), s.rand(), in.Password); err == nil {
				cur.PasswordHash = h
				if err := tx.UpdateAccount(ctx, cur); err != nil {
					return err
				}
				a = cur
			}
		}
		var err error
		login, err = s.openSession(ctx, tx, a, []string{"pwd"}, in.Address, in.UserAgent)
		return err
	})
	return login, err
}

// usable refuses an account that cannot log in: locked, closed, or of a
// person no longer alive (the account is then closed).
func (s *Service) usable(ctx context.Context, a *Account, c *registry.Citizen) error {
	switch a.Status {
	case StatusLocked:
		return errs.E(errs.Forbidden, "account-locked", "the account is locked: unlock it through recovery or at the commune police")
	case StatusClosed:
		return errs.E(errs.Forbidden, "account-closed", "the account is closed")
	case StatusPending:
		return errs.E(errs.Forbidden, "account-not-activated", "the account waits for activation with the code handed over in person")
	}
	if c == nil {
		var err error
		if c, err = s.Registry.CitizenByKey(ctx, system, a.Person, []string{"status"}); err != nil {
			return err
		}
	}
	if c.Status == registry.Dead {
		if err := s.close(ctx, a.ID, "the registry records the person's death"); err != nil {
			return err
		}
		return errs.E(errs.Forbidden, "account-closed", "the account is closed: the registry records the person's death")
	}
	return nil
}

// close closes an account and ends its sessions.
func (s *Service) close(ctx context.Context, id, reason string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.AccountByID(ctx, id)
		if err != nil || a.Status == StatusClosed {
			return err
		}
		now := s.now()
		if err := tx.EndSessions(ctx, id, now, "account closed"); err != nil {
			return err
		}
		a.Status, a.StatusReason, a.UpdatedAt = StatusClosed, reason, now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: now, AccountID: id, Actor: "system", Action: "closed", Detail: reason})
	})
}

func (s *Service) openSession(ctx context.Context, tx Tx, a *Account, amr []string, addr netip.Addr, ua string) (*Login, error) {
	token, err := s.sessionToken()
	if err != nil {
		return nil, err
	}
	now := s.now()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	sess := &Session{ID: s.SessionID(token), AccountID: a.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(SessionIdle), AuthTime: now, Level: amrLevel(a, amr), AMR: amr, UserAgent: ua}
	if addr.IsValid() {
		sess.Address = addr.String()
	}
	if err := tx.InsertSession(ctx, sess); err != nil {
		return nil, err
	}
	creds, err := tx.Credentials(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	var kinds []CredentialKind
	for _, c := range creds {
		if !slices.Contains(kinds, c.Kind) {
			kinds = append(kinds, c.Kind)
		}
	}
	return &Login{Session: sess, Account: a, Token: token, SecondFactors: kinds}, nil
}

// Authenticate returns the open session a cookie token stands for, with
// its account, and keeps it alive.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, *Account, error) {
	unauth := errs.E(errs.Unauthenticated, "unauthenticated", "not logged in, or the session ended")
	if token == "" || len(token) > 100 {
		return nil, nil, unauth
	}
	var sess *Session
	var a *Account
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if sess, err = tx.SessionByID(ctx, s.SessionID(token)); err != nil {
			return err
		}
		a, err = tx.AccountByID(ctx, sess.AccountID)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return nil, nil, unauth
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if !sess.Open(now) || now.Sub(sess.CreatedAt) > SessionMax || a.Status != StatusActive {
		return nil, nil, unauth
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt = now
		sess.ExpiresAt = now.Add(SessionIdle)
		if end := sess.CreatedAt.Add(SessionMax); end.Before(sess.ExpiresAt) {
			sess.ExpiresAt = end
		}
		if err := s.Store.Update(ctx, func(tx Tx) error { return tx.UpdateSession(ctx, sess) }); err != nil {
			return nil, nil, err
		}
	}
	return sess, a, nil
}

// stepUp records a second factor in a session: its level, methods and
// authentication time.
func (s *Service) stepUp(ctx context.Context, tx Tx, sess *Session, a *Account, methods ...string) error {
	for _, m := range methods {
		if !slices.Contains(sess.AMR, m) {
			sess.AMR = append(sess.AMR, m)
		}
	}
	if !slices.Contains(sess.AMR, "mfa") && len(sess.AMR) > 1 {
		sess.AMR = append(sess.AMR, "mfa")
	}
	sess.Level = amrLevel(a, sess.AMR)
	sess.AuthTime = s.now()
	return tx.UpdateSession(ctx, sess)
}

// VerifyTOTP checks a TOTP code as the session's second factor.
func (s *Service) VerifyTOTP(ctx context.Context, sess *Session, code string) (*Session, error) {
	key := "account:" + sess.AccountID
	if err := s.Store.View(ctx, func(tx Tx) error { return s.throttled(ctx, tx, AccountThrottle, key) }); err != nil {
		return nil, err
	}
	matched := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.AccountByID(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		creds, err := tx.Credentials(ctx, a.ID)
		if err != nil {
			return err
		}
		for i := range creds {
			c := &creds[i]
			if c.Kind != CredentialTOTP {
				continue
			}
			secret, err := s.Sealer.Open(c.Secret, []byte(c.ID))
			if err != nil {
				return err
			}
			step, ok := VerifyTOTP(secret, code, s.now(), c.LastStep)
			if !ok {
				continue
			}
			matched = true
			c.LastStep, c.LastUsedAt = step, s.now()
			if err := tx.UpdateCredential(ctx, c); err != nil {
				return err
			}
			return s.stepUp(ctx, tx, sess, a, "otp")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !matched {
		s.fail(ctx, key, AccountThrottle)
		return nil, errs.E(errs.Unauthenticated, "invalid-code", "the code is wrong, expired, or was already used").With("field", "code")
	}
	return sess, nil
}

// TOTPEnrolment is a TOTP secret offered to an account, to be confirmed
// with a first code.
type TOTPEnrolment struct {
	Secret []byte
	URL    string
}

// NewTOTP offers a TOTP secret for the session's account.
func (s *Service) NewTOTP(ctx context.Context, sess *Session, accountLabel string) (TOTPEnrolment, error) {
	secret, err := NewTOTPSecret(s.rand())
	if err != nil {
		return TOTPEnrolment{}, err
	}
	issuer := s.Issuer
	if issuer == "" {
		issuer = "dancu e-ID"
	}
	return TOTPEnrolment{Secret: secret, URL: TOTPURL(secret, issuer, accountLabel)}, nil
}

// ConfirmTOTP stores a TOTP secret once the person shows a code it makes;
// the session counts it as used.
func (s *Service) ConfirmTOTP(ctx context.Context, sess *Session, secret []byte, code, name string) error {
	step, ok := VerifyTOTP(secret, code, s.now(), 0)
	if !ok {
		return errs.E(errs.Unprocessable, "invalid-code", "the code does not match: check the time on your phone and try the next code").With("field", "code")
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.AccountByID(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		if err := s.addTOTP(ctx, tx, a, secret, name, step); err != nil {
			return err
		}
		return s.stepUp(ctx, tx, sess, a, "otp")
	})
}

func (s *Service) addTOTP(ctx context.Context, tx Tx, a *Account, secret []byte, name string, step int64) error {
	id, err := s.randomID("crd_", 12)
	if err != nil {
		return err
	}
	sealed, err := s.Sealer.Seal(secret, []byte(id))
	if err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" {
		name = "authenticator app"
	}
	now := s.now()
	if err := tx.InsertCredential(ctx, &Credential{ID: id, AccountID: a.ID, Kind: CredentialTOTP, Name: name, Secret: sealed,
		LastStep: step, CreatedAt: now, LastUsedAt: now}); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{At: now, AccountID: a.ID, Actor: "self", Action: "totp_added", Detail: name})
}

// Sessions lists the account's sessions, newest first.
func (s *Service) Sessions(ctx context.Context, sess *Session) ([]Session, error) {
	var out []Session
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Sessions(ctx, sess.AccountID, s.now().Add(-30*24*time.Hour))
		return err
	})
	return out, err
}

// EndSession ends one of the account's sessions (the caller's own
// included: logging out).
func (s *Service) EndSession(ctx context.Context, sess *Session, id []byte, reason string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		t, err := tx.SessionByID(ctx, id)
		if err != nil {
			return err
		}
		if t.AccountID != sess.AccountID {
			return errs.E(errs.NotFound, "not-found", "no such session")
		}
		if !t.EndedAt.IsZero() {
			return nil
		}
		t.EndedAt, t.EndReason = s.now(), reason
		return tx.UpdateSession(ctx, t)
	})
}

// Lock locks the account at once, as its owner asks (a lost phone): every
// session ends and no login succeeds until recovery or an in-person visit.
func (s *Service) Lock(ctx context.Context, sess *Session) error {
	var a *Account
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if a, err = tx.AccountByID(ctx, sess.AccountID); err != nil {
			return err
		}
		now := s.now()
		a.Status, a.StatusReason, a.UpdatedAt = StatusLocked, "locked by its owner", now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if err := tx.EndSessions(ctx, a.ID, now, "account locked"); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: now, AccountID: a.ID, Actor: "self", Action: "locked"})
	})
	if err == nil {
		for _, to := range contacts(a) {
			s.notice(ctx, to, "Tài khoản định danh điện tử của bạn đã bị khóa theo yêu cầu.", "Your e-ID account was locked as you asked.")
		}
	}
	return err
}

// StartRecovery sends a code to a verified contact of the person's
// account. It answers the same whether or not the details match, so it
// cannot be used to learn who has an account or what their contacts are.
func (s *Service) StartRecovery(ctx context.Context, pid, contact string, addr netip.Addr) (PendingCode, error) {
	ipKey := addressKey("recover", addr)
	if err := s.Store.View(ctx, func(tx Tx) error { return s.throttled(ctx, tx, AddressThrottle, ipKey) }); err != nil {
		return PendingCode{}, err
	}
	s.fail(ctx, ipKey, AddressThrottle) // every request counts: codes cost money and annoy
	id, err := s.randomID("chl_", 18)
	if err != nil {
		return PendingCode{}, err
	}
	generic := PendingCode{ChallengeID: id, SentTo: "•••"}
	c, err := s.Registry.CitizenByNumber(ctx, system, strings.TrimSpace(pid), []string{"status"})
	if err != nil {
		if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Invalid) {
			return generic, nil
		}
		return PendingCode{}, err
	}
	contact = strings.TrimSpace(contact)
	if p, ok := NormalizePhone(contact); ok {
		contact = p
	} else {
		contact = strings.ToLower(contact)
	}
	var pc PendingCode
	var msg Message
	err = s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.AccountByPerson(ctx, c.Key)
		if errs.Is(err, errs.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if a.Status == StatusPending || contact == "" || (contact != a.Phone && contact != strings.ToLower(a.Email)) {
			return nil
		}
		pc, msg, err = s.newCode(ctx, tx, PurposeRecover, c.Key, a.ID, contact, nil, codeLifetime)
		return err
	})
	if err != nil {
		return PendingCode{}, err
	}
	if pc.ChallengeID == "" {
		return generic, nil
	}
	return pc, s.send(ctx, msg)
}

// FinishRecovery sets a new password with the code sent to a verified
// contact. The account drops to level 1 until the person is verified in
// person again, loses its second factors and sessions, and is unlocked.
func (s *Service) FinishRecovery(ctx context.Context, challengeID, code, password string) (*Account, error) {
	ch, err := s.checkCode(ctx, challengeID, PurposeRecover, code)
	if err != nil {
		return nil, err
	}
	a, err := s.Account(ctx, ch.AccountID)
	if err != nil {
		return nil, err
	}
	if a.Status == StatusClosed {
		return nil, errs.E(errs.Forbidden, "account-closed", "the account is closed")
	}
	c, err := s.Registry.CitizenByKey(ctx, system, a.Person, []string{"pid", "full_name"})
	if err != nil {
		return nil, err
	}
	if err := DefaultPasswordPolicy.Check(password, passwordContext(c, a.Phone)...); err != nil {
		return nil, err
	}
	hash, err := HashPassword(s.argon(), s.rand(), password)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx Tx) error {
		if _, err := s.useCode(ctx, tx, challengeID, PurposeRecover, code, true); err != nil {
			return err
		}
		if a, err = tx.AccountByID(ctx, ch.AccountID); err != nil {
			return err
		}
		now := s.now()
		if err := tx.EndSessions(ctx, a.ID, now, "account recovered"); err != nil {
			return err
		}
		if err := tx.DeleteCredentials(ctx, a.ID, ""); err != nil {
			return err
		}
		a.PasswordHash, a.Level, a.Status, a.StatusReason, a.UpdatedAt = hash, Level1, StatusActive, "", now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if err := tx.SetThrottle(ctx, "account:"+a.ID, FailureRecord{}); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: now, AccountID: a.ID, Actor: "self", Action: "recovered",
			Detail: "through " + MaskPhone(ch.Destination) + "; level 1 until verified in person"})
	})
	if err != nil {
		return nil, err
	}
	for _, to := range contacts(a) {
		s.notice(ctx, to, "Tài khoản định danh điện tử của bạn vừa được khôi phục và đặt mật khẩu mới. Nếu không phải bạn, hãy khóa tài khoản và đến cơ quan công an.",
			"Your e-ID account was recovered with a new password. If this was not you, lock the account and visit the police.")
	}
	return a, nil
}

// ChangePassword replaces the password of the session's account.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, old, password string) error {
	a, err := s.Account(ctx, sess.AccountID)
	if err != nil {
		return err
	}
	if ok, _, err := VerifyPassword(a.PasswordHash, old); err != nil || !ok {
		return errs.E(errs.Unauthenticated, "invalid-credentials", "the current password is wrong").With("field", "current_password")
	}
	c, err := s.Registry.CitizenByKey(ctx, system, a.Person, []string{"pid", "full_name"})
	if err != nil {
		return err
	}
	if err := DefaultPasswordPolicy.Check(password, passwordContext(c, a.Phone)...); err != nil {
		return err
	}
	hash, err := HashPassword(s.argon(), s.rand(), password)
	if err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		cur, err := tx.AccountByID(ctx, a.ID)
		if err != nil {
			return err
		}
		if cur.PasswordHash != a.PasswordHash {
			return errs.E(errs.Conflict, "account-changed", "the password changed meanwhile; try again")
		}
		now := s.now()
		cur.PasswordHash, cur.UpdatedAt = hash, now
		if err := tx.UpdateAccount(ctx, cur); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: now, AccountID: a.ID, Actor: "self", Action: "password_changed"})
	})
}

// SetNotifyLogins turns the notice of each login to a relying party on or
// off.
func (s *Service) SetNotifyLogins(ctx context.Context, sess *Session, on bool) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.AccountByID(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		a.NotifyLogins, a.UpdatedAt = on, s.now()
		return tx.UpdateAccount(ctx, a)
	})
}

// LoggedIn tells the person, if they asked to be told, of a login to a
// relying party: a login they did not make is then seen.
func (s *Service) LoggedIn(ctx context.Context, a *Account, client string) {
	if !a.NotifyLogins {
		return
	}
	when := s.now().In(hcm).Format("15:04 02/01/2006")
	for _, to := range contacts(a) {
		s.notice(ctx, to, "Bạn vừa đăng nhập "+client+" bằng định danh điện tử lúc "+when+".",
			"You just logged in to "+client+" with your e-ID at "+when+".")
	}
}

// Check confirms that an account can still be used (active, its person
// alive) before claims about it are released.
func (s *Service) Check(ctx context.Context, accountID string) (*Account, error) {
	var a *Account
	if err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		a, err = tx.AccountByID(ctx, accountID)
		return err
	}); err != nil {
		return nil, err
	}
	if err := s.usable(ctx, a, nil); err != nil {
		return nil, err
	}
	return a, nil
}

// Account returns an account by id.
func (s *Service) Account(ctx context.Context, id string) (*Account, error) {
	var a *Account
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		a, err = tx.AccountByID(ctx, id)
		return err
	})
	return a, err
}

// Credentials lists an account's second factors, secrets left out.
func (s *Service) Credentials(ctx context.Context, accountID string) ([]Credential, error) {
	var out []Credential
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Credentials(ctx, accountID)
		return err
	})
	for i := range out {
		out[i].Secret = nil
	}
	return out, err
}

// RemoveCredential removes one of the session's account's second
// factors.
func (s *Service) RemoveCredential(ctx context.Context, sess *Session, id string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteCredential(ctx, sess.AccountID, id); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: s.now(), AccountID: sess.AccountID, Actor: "self", Action: "credential_removed", Detail: id})
	})
}

// AuditTrail returns the account's trail.
func (s *Service) AuditTrail(ctx context.Context, accountID string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.AuditTrail(ctx, accountID)
		return err
	})
	return out, err
}

var hcm = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return l
}()

// AccountOf returns the open account of the person a number names, for an
// officer with authority over the person (the read is logged as theirs).
func (s *Service) AccountOf(ctx context.Context, officer actor.Actor, pid string) (*Account, error) {
	c, err := s.Registry.CitizenByNumber(ctx, officer, strings.TrimSpace(pid), []string{"eid_account"})
	if err != nil {
		return nil, err
	}
	var a *Account
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		a, err = tx.AccountByPerson(ctx, c.Key)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.NotFound, "no-account", "this person has no e-ID account")
	}
	return a, err
}
