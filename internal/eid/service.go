package eid

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// Service runs e-ID accounts: enrolment, login, second factors, sessions,
// locking, recovery.
type Service struct {
	Store    Store
	Registry Registry
	Notifier Notifier
	Sealer   Sealer
	// Now and Rand are injected; Now is time.Now in production.
	Now  func() time.Time
	Rand io.Reader
	// HashKey keys the hashes of session tokens and one-time codes, so a
	// copy of the database alone does not let anyone test guesses.
	HashKey []byte
	// Argon2 are the password hashing parameters; zero means DefaultArgon2.
	Argon2   Argon2Params
	Passkeys *Passkeys
	Log      *slog.Logger
	// Issuer names dancu in authenticator apps and messages.
	Issuer string
}

// Lifetimes.
const (
	SessionIdle     = 30 * time.Minute
	SessionMax      = 12 * time.Hour
	codeLifetime    = 10 * time.Minute
	activationLife  = 14 * 24 * time.Hour
	maxCodeAttempts = 5
	// MinOnlineAge is the age from which a person registers online; a
	// younger child is registered by a parent.
	MinOnlineAge = 14
)

// system is the actor of the e-ID service's own registry reads.
var system = actor.Actor{Kind: actor.KindSystem, ID: "eid", Purpose: "e-ID"}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

func (s *Service) argon() Argon2Params {
	if s.Argon2.Memory == 0 {
		return DefaultArgon2
	}
	return s.Argon2
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// randomID returns a prefixed random identifier.
func (s *Service) randomID(prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand(), b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// keyed is the keyed hash of a secret in a context.
func (s *Service) keyed(context, secret string) []byte {
	m := hmac.New(sha256.New, s.HashKey)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// numericCode returns a random code of n decimal digits.
func (s *Service) numericCode(n int) (string, error) {
	var b [8]byte
	out := make([]byte, n)
	for i := range out {
		// Rejection sampling keeps every digit uniform.
		for {
			if _, err := io.ReadFull(s.rand(), b[:1]); err != nil {
				return "", err
			}
			if b[0] < 250 {
				out[i] = '0' + b[0]%10
				break
			}
		}
	}
	return string(out), nil
}

// activationEncoding is Crockford's base32: no I, L, O or U, so a code
// read aloud or copied by hand is not mistaken (normalizeActivation maps
// O to 0 and I, L to 1).
var activationEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

func normalizeActivation(code string) string {
	code = strings.ToUpper(strings.Join(strings.Fields(code), ""))
	code = strings.ReplaceAll(code, "-", "")
	return strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(code)
}

// NormalizePhone brings a Vietnamese mobile number to the registry's form,
// 0 followed by nine digits; ok is false when it is not one.
func NormalizePhone(p string) (string, bool) {
	var b strings.Builder
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		case r == '+' && b.Len() == 0:
		default:
			return "", false
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "84") && len(d) == 11 {
		d = "0" + d[2:]
	}
	if len(d) != 10 || d[0] != '0' {
		return "", false
	}
	return d, true
}

// MaskPhone shows enough of a number for its owner to recognise it.
func MaskPhone(p string) string {
	if len(p) < 4 {
		return "•••"
	}
	return strings.Repeat("•", len(p)-3) + p[len(p)-3:]
}

// notMatched is the one answer to every mismatch of identifying data, so
// the form cannot be used to learn which value was wrong.
func notMatched() error {
	return errs.E(errs.Unprocessable, "identity-not-matched",
		"the details do not match the population registry, or the phone number is not one the registry holds for this person")
}

// EnrolInput is what a person gives to register online.
type EnrolInput struct {
	PID       string
	FullName  string
	BirthDate string
	Phone     string
	Address   netip.Addr
}

// PendingCode is a one-time code sent somewhere.
type PendingCode struct {
	ChallengeID string
	// SentTo is the masked destination.
	SentTo string
}

// throttled refuses when key's failures say to wait.
func (s *Service) throttled(ctx context.Context, tx Tx, th Throttle, key string) error {
	r, err := tx.Throttle(ctx, key)
	if err != nil {
		return err
	}
	now := s.now()
	if next := th.Next(r); now.Before(next) {
		wait := next.Sub(now).Round(time.Second)
		return errs.E(errs.TooMany, "too-many-attempts", "too many failed attempts: try again in %s", wait).
			With("retry_after", int(wait.Seconds())+1)
	}
	return nil
}

// fail records a failure of key.
func (s *Service) fail(ctx context.Context, key string, th Throttle) {
	err := s.Store.Update(ctx, func(tx Tx) error {
		r, err := tx.Throttle(ctx, key)
		if err != nil {
			return err
		}
		return tx.SetThrottle(ctx, key, th.Record(r, s.now()))
	})
	if err != nil {
		s.log().Error("recording a failed attempt", "err", err)
	}
}

func addressKey(kind string, a netip.Addr) string {
	if !a.IsValid() {
		return kind + ":unknown"
	}
	return kind + ":" + AddressKey(a)
}

// StartEnrolment checks a person's online registration against the
// registry and sends a one-time code to their phone.
func (s *Service) StartEnrolment(ctx context.Context, in EnrolInput) (PendingCode, error) {
	ipKey := addressKey("enrol", in.Address)
	if err := s.Store.View(ctx, func(tx Tx) error { return s.throttled(ctx, tx, AddressThrottle, ipKey) }); err != nil {
		return PendingCode{}, err
	}
	var fs errs.Fields
	if strings.TrimSpace(in.PID) == "" {
		fs.Add("pid", "required", "the personal ID number is required")
	}
	if strings.TrimSpace(in.FullName) == "" {
		fs.Add("full_name", "required", "the full name is required")
	}
	if strings.TrimSpace(in.BirthDate) == "" {
		fs.Add("birth_date", "required", "the date of birth is required")
	}
	phone, ok := NormalizePhone(in.Phone)
	if !ok {
		fs.Add("phone", "format", "a Vietnamese mobile number: 10 digits starting with 0, or +84")
	}
	if err := fs.Err(); err != nil {
		return PendingCode{}, err
	}
	c, err := s.Registry.CitizenByNumber(ctx, system, strings.TrimSpace(in.PID), []string{"full_name", "birth_date", "phones", "status"})
	if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Invalid) {
		s.fail(ctx, ipKey, AddressThrottle)
		return PendingCode{}, notMatched()
	}
	if err != nil {
		return PendingCode{}, err
	}
	if !identityMatches(c, in.FullName, in.BirthDate, phone) {
		s.fail(ctx, ipKey, AddressThrottle)
		return PendingCode{}, notMatched()
	}
	if c.Status != registry.Alive {
		return PendingCode{}, errs.E(errs.Unprocessable, "not-alive", "the registry does not record this person as alive")
	}
	if age := c.BirthDate.AgeOn(civil.DateOf(s.now())); age < MinOnlineAge {
		return PendingCode{}, errs.E(errs.Unprocessable, "too-young",
			"a child under %d is registered by a parent who holds a level-2 account", MinOnlineAge)
	}
	var pc PendingCode
	var msg Message
	err = s.Store.Update(ctx, func(tx Tx) error {
		if _, err := tx.AccountByPerson(ctx, c.Key); err == nil {
			return errs.E(errs.Conflict, "account-exists",
				"this person already has an e-ID account: recover it with the verified phone, or enrol in person at the commune police")
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		var err error
		pc, msg, err = s.newCode(ctx, tx, PurposeEnrol, c.Key, "", phone, nil, codeLifetime)
		return err
	})
	if err != nil {
		return PendingCode{}, err
	}
	return pc, s.send(ctx, msg)
}

// identityMatches compares what a person typed with the record: the name
// folded (case, diacritics and tone placement aside), the birth date as
// the registry holds it (a year, a month or a day), and the phone among
// the numbers the registry holds for the person.
func identityMatches(c *registry.Citizen, name, birth, phone string) bool {
	if vntext.Fold(name) != vntext.Fold(c.FullName) {
		return false
	}
	d, err := civil.ParseDate(strings.TrimSpace(birth))
	if err != nil || d != c.BirthDate {
		return false
	}
	for _, p := range c.Phones {
		if n, ok := NormalizePhone(p.Number); ok && n == phone {
			return true
		}
	}
	return false
}

// newCode stores a challenge and returns the message carrying its code,
// to be sent once the transaction committed: a gateway's delay must not
// hold a write transaction open.
func (s *Service) newCode(ctx context.Context, tx Tx, purpose string, person registry.PersonKey, accountID, to string, data any, life time.Duration) (PendingCode, Message, error) {
	id, err := s.randomID("chl_", 18)
	if err != nil {
		return PendingCode{}, Message{}, err
	}
	code, err := s.numericCode(6)
	if err != nil {
		return PendingCode{}, Message{}, err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return PendingCode{}, Message{}, err
	}
	now := s.now()
	ch := &Challenge{ID: id, Purpose: purpose, Person: person, AccountID: accountID, Destination: to,
		CodeHash: s.keyed(id, code), Data: raw, CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := tx.InsertChallenge(ctx, ch); err != nil {
		return PendingCode{}, Message{}, err
	}
	masked := MaskPhone(to)
	if strings.Contains(to, "@") {
		masked = maskEmail(to)
	}
	return PendingCode{ChallengeID: id, SentTo: masked}, codeMessage(to, code, purpose), nil
}

// send sends a code's message.
func (s *Service) send(ctx context.Context, m Message) error {
	if err := s.Notifier.Notify(ctx, m); err != nil {
		return errs.E(errs.Unavailable, "notify-failed", "the code could not be sent; try again").Wrap(err)
	}
	return nil
}

func maskEmail(e string) string {
	at := strings.IndexByte(e, '@')
	if at <= 0 {
		return "•••"
	}
	r, _ := utf8.DecodeRuneInString(e)
	return string(r) + "•••" + e[at:]
}

func codeMessage(to, code, purpose string) Message {
	what := map[string]string{
		PurposeEnrol:   "đăng ký tài khoản định danh điện tử",
		PurposeRecover: "khôi phục tài khoản định danh điện tử",
	}[purpose]
	text := fmt.Sprintf("Ma xac thuc %s cua ban la %s. Khong chia se ma nay voi bat ky ai. / Your dancu code is %s.", vntext.Fold(what), code, code)
	m := Message{Channel: "sms", To: to, Text: text, Secret: true}
	if strings.Contains(to, "@") {
		m = Message{Channel: "email", To: to, Subject: "Mã xác thực định danh điện tử / e-ID code",
			Text: fmt.Sprintf("Mã xác thực %s của bạn là %s.\nKhông chia sẻ mã này với bất kỳ ai.\n\nYour code is %s.", what, code, code), Secret: true}
	}
	return m
}

// useCode checks a code against its challenge, counting failed attempts,
// and marks it used when consume is set.
func (s *Service) useCode(ctx context.Context, tx Tx, id, purpose, code string, consume bool) (*Challenge, error) {
	bad := errs.E(errs.Unprocessable, "invalid-code", "the code is wrong or has expired; ask for a new one").
		With("field", "code")
	bad.Fields = []errs.Field{{Name: "code", Reason: "invalid", Message: "the code is wrong or has expired"}}
	ch, err := tx.ChallengeByID(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if ch.Purpose != purpose || !ch.UsedAt.IsZero() || !now.Before(ch.ExpiresAt) || ch.Attempts >= maxCodeAttempts {
		return nil, bad
	}
	code = strings.Join(strings.Fields(code), "")
	if subtle.ConstantTimeCompare(s.keyed(ch.ID, code), ch.CodeHash) != 1 {
		ch.Attempts++
		if err := tx.UpdateChallenge(ctx, ch); err != nil {
			return nil, err
		}
		return nil, errCommit{bad}
	}
	if !consume {
		return ch, nil
	}
	ch.UsedAt = now
	if err := tx.UpdateChallenge(ctx, ch); err != nil {
		return nil, err
	}
	return ch, nil
}

// errCommit is an error returned from a transaction whose writes must
// still commit (a counted failed attempt).
type errCommit struct{ err error }

func (e errCommit) Error() string { return e.err.Error() }
func (e errCommit) Unwrap() error { return e.err }

// checkCode checks a code without using it up, so the registry can be
// read before the transaction that uses it: a registry read writes the
// access log, which must not wait for a write transaction held open here.
func (s *Service) checkCode(ctx context.Context, id, purpose, code string) (*Challenge, error) {
	var ch *Challenge
	err := s.update(ctx, func(tx Tx) error {
		var err error
		ch, err = s.useCode(ctx, tx, id, purpose, code, false)
		return err
	})
	return ch, err
}

// update runs fn and commits its writes even when it fails with errCommit.
func (s *Service) update(ctx context.Context, fn func(Tx) error) error {
	var kept error
	err := s.Store.Update(ctx, func(tx Tx) error {
		kept = nil
		err := fn(tx)
		if ec, ok := err.(errCommit); ok {
			kept = ec.err
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return kept
}

// passwordContext lists what a person's password must not be built from.
func passwordContext(c *registry.Citizen, phone string) []string {
	ctx := []string{string(c.PID), phone}
	for _, part := range strings.Fields(vntext.Fold(c.FullName)) {
		if len(part) >= 3 {
			ctx = append(ctx, part)
		}
	}
	return ctx
}

// FinishEnrolment checks the code sent to the phone and creates the
// level-1 account with the password chosen.
func (s *Service) FinishEnrolment(ctx context.Context, challengeID, code, password string) (*Account, error) {
	ch, err := s.checkCode(ctx, challengeID, PurposeEnrol, code)
	if err != nil {
		return nil, err
	}
	c, err := s.Registry.CitizenByKey(ctx, system, ch.Person, []string{"pid", "full_name"})
	if err != nil {
		return nil, err
	}
	if err := DefaultPasswordPolicy.Check(password, passwordContext(c, ch.Destination)...); err != nil {
		return nil, err
	}
	hash, err := HashPassword(s.argon(), s.rand(), password)
	if err != nil {
		return nil, err
	}
	var acct *Account
	err = s.update(ctx, func(tx Tx) error {
		if _, err := s.useCode(ctx, tx, challengeID, PurposeEnrol, code, true); err != nil {
			return err
		}
		acct, err = s.newAccount(ctx, tx, ch.Person, Level1, StatusActive, hash, ch.Destination, "", "self", "enrolled online")
		return err
	})
	return acct, err
}

func (s *Service) newAccount(ctx context.Context, tx Tx, person registry.PersonKey, level Level, status Status, hash, phone, guardian, by, detail string) (*Account, error) {
	id, err := s.randomID("acc_", 12)
	if err != nil {
		return nil, err
	}
	now := s.now()
	a := &Account{ID: id, Person: person, Level: level, Status: status, PasswordHash: hash, Phone: phone,
		Guardian: guardian, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertAccount(ctx, a); err != nil {
		return nil, err
	}
	return a, tx.Audit(ctx, AuditEntry{At: now, AccountID: id, Actor: by, Action: "created", Detail: detail})
}

// EnrolChild registers a child under MinOnlineAge for a parent logged in
// at level 2. The child's account uses the parent's phone.
func (s *Service) EnrolChild(ctx context.Context, parent *Session, childPID, password string) (*Account, error) {
	if parent.Level < Level2 {
		return nil, errs.E(errs.Forbidden, "level-2-required", "registering a child needs a level-2 login (with your second factor)")
	}
	p, err := s.Account(ctx, parent.AccountID)
	if err != nil {
		return nil, err
	}
	child, err := s.Registry.CitizenByNumber(ctx, system, strings.TrimSpace(childPID), []string{"pid", "full_name", "birth_date", "mother", "father", "status"})
	if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Invalid) {
		return nil, errs.RuleField("pid", "unknown", "no person has this number")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case child.Mother != p.Person && child.Father != p.Person:
		return nil, errs.RuleField("pid", "not_your_child", "the registry does not record you as this child's parent")
	case child.Status != registry.Alive:
		return nil, errs.RuleField("pid", "not_alive", "the registry does not record this child as alive")
	case child.BirthDate.AgeOn(civil.DateOf(s.now())) >= MinOnlineAge:
		return nil, errs.RuleField("pid", "too_old", "a person of %d or more registers themselves", MinOnlineAge)
	}
	if err := DefaultPasswordPolicy.Check(password, passwordContext(child, p.Phone)...); err != nil {
		return nil, err
	}
	hash, err := HashPassword(s.argon(), s.rand(), password)
	if err != nil {
		return nil, err
	}
	var acct *Account
	err = s.Store.Update(ctx, func(tx Tx) error {
		var err error
		acct, err = s.newAccount(ctx, tx, child.Key, Level1, StatusActive, hash, p.Phone, p.ID, "account:"+p.ID, "registered by a parent")
		if err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{At: s.now(), AccountID: p.ID, Actor: "account:" + p.ID, Action: "registered_child", Detail: acct.ID})
	})
	return acct, err
}

// InPerson is the result of an in-person enrolment.
type InPerson struct {
	Account *Account
	// ActivationCode is handed to the citizen, printed: with it they set
	// their password and second factor. It is not stored.
	ActivationCode string
	// TookOver reports that an account someone had opened in the person's
	// name was taken over.
	TookOver bool
}

// EnrolInPerson verifies a person at level 2 in front of a registry
// officer. It always wins: an existing account, whoever opened it, loses
// its password, second factors and sessions, and the person activates it
// again with the code handed over. The citizen is told on every contact
// the account had.
func (s *Service) EnrolInPerson(ctx context.Context, officer actor.Actor, pid, phone, email string) (InPerson, error) {
	if officer.Kind != actor.KindOfficer && officer.Kind != actor.KindOperator {
		return InPerson{}, errs.E(errs.Forbidden, "forbidden", "only a registry officer enrols in person")
	}
	var fs errs.Fields
	if phone != "" {
		var ok bool
		if phone, ok = NormalizePhone(phone); !ok {
			fs.Add("phone", "format", "a Vietnamese mobile number: 10 digits starting with 0, or +84")
		}
	}
	if email != "" && (!strings.Contains(email, "@") || len(email) > 254 || strings.ContainsAny(email, " \t\r\n")) {
		fs.Add("email", "format", "an e-mail address")
	}
	if err := fs.Err(); err != nil {
		return InPerson{}, err
	}
	// The officer's read checks their authority over the person and is
	// logged as theirs.
	c, err := s.Registry.CitizenByNumber(ctx, officer, strings.TrimSpace(pid), []string{"pid", "full_name", "birth_date", "status"})
	if err != nil {
		return InPerson{}, err
	}
	if c.Status != registry.Alive {
		return InPerson{}, errs.RuleField("pid", "not_alive", "the registry does not record this person as alive")
	}
	code := make([]byte, 10)
	if _, err := io.ReadFull(s.rand(), code); err != nil {
		return InPerson{}, err
	}
	activation := activationEncoding.EncodeToString(code)[:12]
	var out InPerson
	var notify []string
	err = s.Store.Update(ctx, func(tx Tx) error {
		now := s.now()
		by := officer.String()
		a, err := tx.AccountByPerson(ctx, c.Key)
		switch {
		case errs.Is(err, errs.NotFound):
			id, err := s.randomID("acc_", 12)
			if err != nil {
				return err
			}
			a = &Account{ID: id, Person: c.Key, Level: Level2, Status: StatusPending, Phone: phone, Email: email,
				CreatedAt: now, UpdatedAt: now, Level2At: now, Level2By: by}
			if err := tx.InsertAccount(ctx, a); err != nil {
				return err
			}
			if err := tx.Audit(ctx, AuditEntry{At: now, AccountID: a.ID, Actor: by, Action: "created", Detail: "enrolled in person at level 2"}); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			out.TookOver = true
			notify = contacts(a)
			if err := tx.EndSessions(ctx, a.ID, now, "enrolled in person"); err != nil {
				return err
			}
			if err := tx.DeleteCredentials(ctx, a.ID, ""); err != nil {
				return err
			}
			a.Level, a.Status, a.StatusReason, a.PasswordHash = Level2, StatusPending, "enrolled in person", ""
			a.Level2At, a.Level2By, a.UpdatedAt = now, by, now
			if phone != "" {
				a.Phone = phone
			}
			if email != "" {
				a.Email = email
			}
			if err := tx.UpdateAccount(ctx, a); err != nil {
				return err
			}
			if err := tx.Audit(ctx, AuditEntry{At: now, AccountID: a.ID, Actor: by, Action: "taken_over_in_person",
				Detail: "password, second factors and sessions removed; activation code issued"}); err != nil {
				return err
			}
		}
		ch := &Challenge{ID: "act_" + a.ID, Purpose: PurposeActivate, Person: c.Key, AccountID: a.ID,
			CodeHash: s.keyed("activate:"+a.ID, activation), CreatedAt: now, ExpiresAt: now.Add(activationLife)}
		if old, err := tx.ChallengeByID(ctx, ch.ID); err == nil {
			old.CodeHash, old.Attempts, old.UsedAt, old.CreatedAt, old.ExpiresAt = ch.CodeHash, 0, time.Time{}, now, ch.ExpiresAt
			if err := tx.UpdateChallenge(ctx, old); err != nil {
				return err
			}
		} else if errs.Is(err, errs.NotFound) {
			if err := tx.InsertChallenge(ctx, ch); err != nil {
				return err
			}
		} else {
			return err
		}
		out.Account = a
		return nil
	})
	if err != nil {
		return InPerson{}, err
	}
	out.ActivationCode = activation
	for _, to := range mergeContacts(notify, contacts(out.Account)) {
		s.notice(ctx, to, "Tài khoản định danh điện tử của bạn vừa được xác minh trực tiếp tại cơ quan công an. Nếu không phải bạn, hãy đến cơ quan công an gần nhất.",
			"Your e-ID account was just verified in person by the police. If this was not you, visit the nearest police station.")
	}
	return out, nil
}

func contacts(a *Account) []string {
	var out []string
	if a.Phone != "" {
		out = append(out, a.Phone)
	}
	if a.Email != "" {
		out = append(out, a.Email)
	}
	return out
}

func mergeContacts(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, x := range b {
		found := false
		for _, y := range out {
			found = found || x == y
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

// notice sends a security notice (not secret) and logs, without failing
// the operation, when it cannot be sent.
func (s *Service) notice(ctx context.Context, to, vi, en string) {
	m := Message{Channel: "sms", To: to, Text: vntext.Fold(vi) + " / " + en}
	if strings.Contains(to, "@") {
		m = Message{Channel: "email", To: to, Subject: "Thông báo bảo mật định danh điện tử / e-ID security notice", Text: vi + "\n\n" + en}
	}
	if err := s.Notifier.Notify(ctx, m); err != nil {
		s.log().Warn("security notice not sent", "to", Redact(m), "err", err)
	}
}

// Activate sets the password of an account enrolled in person, with the
// code the officer handed over.
func (s *Service) Activate(ctx context.Context, pid, code, password string) (*Account, error) {
	c, err := s.Registry.CitizenByNumber(ctx, system, strings.TrimSpace(pid), []string{"pid", "full_name"})
	if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Invalid) {
		return nil, errs.E(errs.Unprocessable, "invalid-code", "the personal ID number or the activation code is wrong")
	}
	if err != nil {
		return nil, err
	}
	var acct *Account
	err = s.update(ctx, func(tx Tx) error {
		a, err := tx.AccountByPerson(ctx, c.Key)
		if errs.Is(err, errs.NotFound) {
			return errs.E(errs.Unprocessable, "invalid-code", "the personal ID number or the activation code is wrong")
		}
		if err != nil {
			return err
		}
		ch, err := tx.ChallengeByID(ctx, "act_"+a.ID)
		if err != nil || a.Status != StatusPending {
			return errs.E(errs.Unprocessable, "invalid-code", "the personal ID number or the activation code is wrong")
		}
		now := s.now()
		code = normalizeActivation(code)
		if !ch.UsedAt.IsZero() || !now.Before(ch.ExpiresAt) || ch.Attempts >= maxCodeAttempts {
			return errs.E(errs.Unprocessable, "invalid-code", "the activation code has expired or was used: enrol in person again")
		}
		if subtle.ConstantTimeCompare(s.keyed("activate:"+a.ID, code), ch.CodeHash) != 1 {
			ch.Attempts++
			if err := tx.UpdateChallenge(ctx, ch); err != nil {
				return err
			}
			return errCommit{errs.E(errs.Unprocessable, "invalid-code", "the personal ID number or the activation code is wrong")}
		}
		if err := DefaultPasswordPolicy.Check(password, passwordContext(c, a.Phone)...); err != nil {
			return err
		}
		hash, err := HashPassword(s.argon(), s.rand(), password)
		if err != nil {
			return err
		}
		ch.UsedAt = now
		if err := tx.UpdateChallenge(ctx, ch); err != nil {
			return err
		}
		a.PasswordHash, a.Status, a.StatusReason, a.UpdatedAt = hash, StatusActive, "", now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		acct = a
		return tx.Audit(ctx, AuditEntry{At: now, AccountID: a.ID, Actor: "self", Action: "activated"})
	})
	return acct, err
}

// Create makes an account directly, for operators migrating accounts from
// an older system. A level-2 account gets a TOTP credential from
// totpSecret, or is left pending with an activation code (returned) when
// it is nil.
func (s *Service) Create(ctx context.Context, operator actor.Actor, pid string, level Level, password string, totpSecret []byte) (*Account, string, error) {
	if operator.Kind != actor.KindOperator {
		return nil, "", errs.E(errs.Forbidden, "forbidden", "only an operator creates accounts directly")
	}
	if level != Level1 && level != Level2 {
		return nil, "", errs.InvalidField("level", "format", "level is 1 or 2")
	}
	c, err := s.Registry.CitizenByNumber(ctx, operator, strings.TrimSpace(pid), []string{"pid", "full_name", "status"})
	if err != nil {
		return nil, "", err
	}
	if c.Status != registry.Alive {
		return nil, "", errs.RuleField("pid", "not_alive", "the registry does not record this person as alive")
	}
	if err := DefaultPasswordPolicy.Check(password, passwordContext(c, "")...); err != nil {
		return nil, "", err
	}
	hash, err := HashPassword(s.argon(), s.rand(), password)
	if err != nil {
		return nil, "", err
	}
	var acct *Account
	err = s.Store.Update(ctx, func(tx Tx) error {
		var err error
		acct, err = s.newAccount(ctx, tx, c.Key, level, StatusActive, hash, "", "", operator.String(), fmt.Sprintf("migrated at level %d", level))
		if err != nil {
			return err
		}
		if level == Level2 {
			now := s.now()
			acct.Level2At, acct.Level2By = now, operator.String()
			if err := tx.UpdateAccount(ctx, acct); err != nil {
				return err
			}
			if totpSecret != nil {
				return s.addTOTP(ctx, tx, acct, totpSecret, "migrated", 0)
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if level == Level2 && totpSecret == nil {
		// The person completes their second factor with an activation
		// code, as after an in-person enrolment.
		return s.pendingSecondFactor(ctx, acct)
	}
	return acct, "", nil
}

func (s *Service) pendingSecondFactor(ctx context.Context, a *Account) (*Account, string, error) {
	code := make([]byte, 10)
	if _, err := io.ReadFull(s.rand(), code); err != nil {
		return nil, "", err
	}
	activation := activationEncoding.EncodeToString(code)[:12]
	now := s.now()
	err := s.Store.Update(ctx, func(tx Tx) error {
		return tx.InsertChallenge(ctx, &Challenge{ID: "2fa_" + a.ID, Purpose: PurposeActivate, Person: a.Person, AccountID: a.ID,
			CodeHash: s.keyed("2fa:"+a.ID, activation), CreatedAt: now, ExpiresAt: now.Add(activationLife)})
	})
	return a, activation, err
}

// sessionToken returns a new random session token.
func (s *Service) sessionToken() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.rand(), b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SessionID is the stored id of a session token.
func (s *Service) SessionID(token string) []byte { return s.keyed("session", token) }

// CSRFToken is the token a session's forms carry: derived from the
// session's token, so it needs no storage and dies with the session.
func (s *Service) CSRFToken(token string) string {
	return base64.RawURLEncoding.EncodeToString(s.keyed("csrf", token)[:18])
}

func amrLevel(a *Account, amr []string) Level {
	if a.Level < Level2 {
		return Level1
	}
	for _, m := range amr {
		if m == "otp" || m == "hwk" {
			return Level2
		}
	}
	return Level1
}
