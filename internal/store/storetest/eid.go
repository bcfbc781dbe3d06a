package storetest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"dancu/internal/eid"
	"dancu/internal/errs"
)

// The e-ID scenarios drive eid.Tx directly: the store's contract, not the
// service's rules, against accounts of persons born through the registry.

// instant returns the suite's clock plus d, in UTC and to the microsecond,
// as the stores keep instants.
func (f *fixture) instant(d time.Duration) time.Time {
	return f.now().UTC().Truncate(time.Microsecond).Add(d)
}

// same fails the test when got is not want, showing both.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func (f *fixture) eidUpdate(t *testing.T, what string, fn func(eid.Tx) error) {
	t.Helper()
	if err := f.b.EID().Update(f.ctx, fn); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (f *fixture) eidView(t *testing.T, what string, fn func(eid.Tx) error) {
	t.Helper()
	if err := f.b.EID().View(f.ctx, fn); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// account returns a new active account of a new person, stored.
func (f *fixture) account(t *testing.T, id, name string) *eid.Account {
	t.Helper()
	p := f.person(t, name, "1990-03-04", "female")
	a := &eid.Account{ID: id, Person: p.Key, Level: eid.Level1, Status: eid.StatusActive, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		Phone: "+84912345678", CreatedAt: f.instant(0), UpdatedAt: f.instant(0)}
	f.eidUpdate(t, "InsertAccount", func(tx eid.Tx) error { return tx.InsertAccount(f.ctx, a) })
	return a
}

func (f *fixture) readAccount(t *testing.T, id string) *eid.Account {
	t.Helper()
	var a *eid.Account
	f.eidView(t, "AccountByID "+id, func(tx eid.Tx) (err error) {
		a, err = tx.AccountByID(f.ctx, id)
		return err
	})
	return a
}

func testEIDAccounts(t *testing.T, f *fixture) {
	p := f.person(t, "Lê Thị Hoa", "1988-02-03", "female")
	child := f.person(t, "Lê Minh An", "2015-06-07", "male")
	a := &eid.Account{ID: "acc_hoa", Person: p.Key, Level: eid.Level1, Status: eid.StatusPending, StatusReason: "enrolled in person",
		Phone: "+84912000001", Email: "hoa@example.vn", NotifyLogins: true, CreatedAt: f.instant(0), UpdatedAt: f.instant(0), Level2By: ""}
	f.eidUpdate(t, "InsertAccount", func(tx eid.Tx) error { return tx.InsertAccount(f.ctx, a) })
	if a.Version != 1 {
		t.Fatalf("Version after insert = %d, want 1", a.Version)
	}
	same(t, "AccountByID", f.readAccount(t, a.ID), a)
	f.eidView(t, "AccountByPerson", func(tx eid.Tx) error {
		got, err := tx.AccountByPerson(f.ctx, p.Key)
		if err != nil {
			return err
		}
		same(t, "AccountByPerson", got, a)
		_, err = tx.AccountByID(f.ctx, "acc_nobody")
		wantErr(t, err, errs.NotFound, "")
		_, err = tx.AccountByPerson(f.ctx, child.Key)
		wantErr(t, err, errs.NotFound, "")
		return nil
	})

	// A child's account registered by the parent names the guardian.
	c := &eid.Account{ID: "acc_an", Person: child.Key, Level: eid.Level1, Status: eid.StatusActive, Guardian: a.ID,
		CreatedAt: f.instant(time.Minute), UpdatedAt: f.instant(time.Minute)}
	f.eidUpdate(t, "InsertAccount child", func(tx eid.Tx) error { return tx.InsertAccount(f.ctx, c) })
	same(t, "child account", f.readAccount(t, c.ID), c)

	// A second open account of the same person is refused, and nothing of
	// it is stored.
	dup := &eid.Account{ID: "acc_hoa_2", Person: p.Key, Level: eid.Level1, Status: eid.StatusActive, CreatedAt: f.instant(0), UpdatedAt: f.instant(0)}
	wantErr(t, f.b.EID().Update(f.ctx, func(tx eid.Tx) error { return tx.InsertAccount(f.ctx, dup) }), errs.Conflict, "")
	f.eidView(t, "after refused insert", func(tx eid.Tx) error {
		_, err := tx.AccountByID(f.ctx, dup.ID)
		wantErr(t, err, errs.NotFound, "")
		got, err := tx.AccountByPerson(f.ctx, p.Key)
		if err != nil {
			return err
		}
		same(t, "AccountByPerson after refused insert", got, a)
		return nil
	})

	// An update bumps the version; every field comes back.
	stale := *a
	a.Level, a.Status, a.StatusReason = eid.Level2, eid.StatusActive, ""
	a.PasswordHash = "$argon2id$v=19$m=65536,t=1,p=4$c2FsdDI$aGFzaDI"
	a.Phone, a.Email, a.NotifyLogins = "+84912000002", "", false
	a.UpdatedAt, a.Level2At, a.Level2By = f.instant(time.Hour), f.instant(time.Hour), "off_national"
	f.eidUpdate(t, "UpdateAccount", func(tx eid.Tx) error { return tx.UpdateAccount(f.ctx, a) })
	if a.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", a.Version)
	}
	same(t, "account after update", f.readAccount(t, a.ID), a)

	// An update from a stale copy is refused and changes nothing.
	stale.Email, stale.UpdatedAt = "mallory@example.vn", f.instant(2*time.Hour)
	wantErr(t, f.b.EID().Update(f.ctx, func(tx eid.Tx) error { return tx.UpdateAccount(f.ctx, &stale) }), errs.Conflict, "")
	if stale.Version != 1 {
		t.Errorf("refused update changed Version to %d", stale.Version)
	}
	same(t, "account after stale update", f.readAccount(t, a.ID), a)

	// A closed account does not block a new one, and is still read by id.
	a.Status, a.StatusReason, a.UpdatedAt = eid.StatusClosed, "replaced", f.instant(3*time.Hour)
	f.eidUpdate(t, "close", func(tx eid.Tx) error { return tx.UpdateAccount(f.ctx, a) })
	f.eidView(t, "closed", func(tx eid.Tx) error {
		_, err := tx.AccountByPerson(f.ctx, p.Key)
		wantErr(t, err, errs.NotFound, "")
		return nil
	})
	same(t, "closed account by id", f.readAccount(t, a.ID), a)
	dup.CreatedAt, dup.UpdatedAt = f.instant(4*time.Hour), f.instant(4*time.Hour)
	f.eidUpdate(t, "InsertAccount after close", func(tx eid.Tx) error { return tx.InsertAccount(f.ctx, dup) })
	f.eidView(t, "new account", func(tx eid.Tx) error {
		got, err := tx.AccountByPerson(f.ctx, p.Key)
		if err != nil {
			return err
		}
		same(t, "AccountByPerson after close", got, dup)
		return nil
	})

	// Reopening the closed account while the new one is open is refused.
	reopen := *a
	reopen.Status = eid.StatusActive
	wantErr(t, f.b.EID().Update(f.ctx, func(tx eid.Tx) error { return tx.UpdateAccount(f.ctx, &reopen) }), errs.Conflict, "")
	same(t, "closed account after refused reopening", f.readAccount(t, a.ID), a)
}

func testEIDCredentials(t *testing.T, f *fixture) {
	a := f.account(t, "acc_cred", "Phạm Thị Lan")
	other := f.account(t, "acc_cred_other", "Phạm Văn Nam")
	totp := eid.Credential{ID: "cred_totp", AccountID: a.ID, Kind: eid.CredentialTOTP, Name: "Điện thoại",
		Secret: []byte{0x01, 0x02, 0x03, 0xff}, CreatedAt: f.instant(time.Minute), LastUsedAt: f.instant(time.Minute)}
	pk := eid.Credential{ID: "cred_pk", AccountID: a.ID, Kind: eid.CredentialPasskey, Name: "Khóa bảo mật",
		Secret: []byte(`{"id":"3q2-7w","publicKey":"pQECAyYgAS"}`), CredentialID: []byte{0xde, 0xad, 0xbe, 0xef, 0x00},
		CreatedAt: f.instant(2 * time.Minute), LastUsedAt: f.instant(2 * time.Minute)}
	otherPK := eid.Credential{ID: "cred_other", AccountID: other.ID, Kind: eid.CredentialPasskey, Name: "YubiKey",
		Secret: []byte(`{}`), CredentialID: []byte{0xca, 0xfe}, CreatedAt: f.instant(3 * time.Minute), LastUsedAt: f.instant(3 * time.Minute)}
	f.eidUpdate(t, "InsertCredential", func(tx eid.Tx) error {
		for _, c := range []*eid.Credential{&pk, &totp, &otherPK} {
			if err := tx.InsertCredential(f.ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	creds := func(account string) []eid.Credential {
		t.Helper()
		var out []eid.Credential
		f.eidView(t, "Credentials", func(tx eid.Tx) (err error) {
			out, err = tx.Credentials(f.ctx, account)
			return err
		})
		return out
	}
	same(t, "Credentials", creds(a.ID), []eid.Credential{totp, pk})
	same(t, "other account's Credentials", creds(other.ID), []eid.Credential{otherPK})

	f.eidView(t, "CredentialByWebAuthnID", func(tx eid.Tx) error {
		got, err := tx.CredentialByWebAuthnID(f.ctx, pk.CredentialID)
		if err != nil {
			return err
		}
		same(t, "CredentialByWebAuthnID", *got, pk)
		_, err = tx.CredentialByWebAuthnID(f.ctx, []byte{0xde, 0xad})
		wantErr(t, err, errs.NotFound, "")
		// TOTP credentials store an empty id: asking for none finds none.
		_, err = tx.CredentialByWebAuthnID(f.ctx, nil)
		wantErr(t, err, errs.NotFound, "")
		return nil
	})

	totp.LastStep, totp.LastUsedAt, totp.Secret = 58_000_123, f.instant(time.Hour), []byte{0x09, 0x08}
	pk.LastUsedAt, pk.Secret = f.instant(2*time.Hour), []byte(`{"id":"3q2-7w","signCount":7}`)
	f.eidUpdate(t, "UpdateCredential", func(tx eid.Tx) error {
		if err := tx.UpdateCredential(f.ctx, &totp); err != nil {
			return err
		}
		return tx.UpdateCredential(f.ctx, &pk)
	})
	same(t, "Credentials after update", creds(a.ID), []eid.Credential{totp, pk})

	// DeleteCredential deletes one credential of the account named.
	wantErr(t, f.b.EID().Update(f.ctx, func(tx eid.Tx) error { return tx.DeleteCredential(f.ctx, other.ID, totp.ID) }), errs.NotFound, "")
	f.eidUpdate(t, "DeleteCredential", func(tx eid.Tx) error { return tx.DeleteCredential(f.ctx, a.ID, pk.ID) })
	wantErr(t, f.b.EID().Update(f.ctx, func(tx eid.Tx) error { return tx.DeleteCredential(f.ctx, a.ID, pk.ID) }), errs.NotFound, "")
	same(t, "Credentials after DeleteCredential", creds(a.ID), []eid.Credential{totp})

	// DeleteCredentials deletes one kind, or every kind.
	pk2 := eid.Credential{ID: "cred_pk2", AccountID: a.ID, Kind: eid.CredentialPasskey, Name: "Máy tính", Secret: []byte(`{}`),
		CredentialID: []byte{0x07}, CreatedAt: f.instant(3 * time.Hour), LastUsedAt: f.instant(3 * time.Hour)}
	f.eidUpdate(t, "InsertCredential", func(tx eid.Tx) error { return tx.InsertCredential(f.ctx, &pk2) })
	f.eidUpdate(t, "DeleteCredentials totp", func(tx eid.Tx) error { return tx.DeleteCredentials(f.ctx, a.ID, eid.CredentialTOTP) })
	same(t, "Credentials after deleting TOTP", creds(a.ID), []eid.Credential{pk2})
	f.eidUpdate(t, "DeleteCredentials all", func(tx eid.Tx) error { return tx.DeleteCredentials(f.ctx, a.ID, "") })
	if got := creds(a.ID); len(got) != 0 {
		t.Fatalf("Credentials after deleting all: %+v", got)
	}
	same(t, "other account's Credentials at the end", creds(other.ID), []eid.Credential{otherPK})
}

func testEIDSessions(t *testing.T, f *fixture) {
	a := f.account(t, "acc_sess", "Vũ Thị Mai")
	other := f.account(t, "acc_sess_other", "Vũ Văn Hùng")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	session := func(id string, account string, created time.Duration) eid.Session {
		return eid.Session{ID: []byte(id), AccountID: account, CreatedAt: now.Add(created), LastSeenAt: now.Add(created),
			ExpiresAt: now.Add(created + 12*time.Hour), AuthTime: now.Add(created), Level: eid.Level1, AMR: []string{"pwd"},
			Address: "203.0.113.7", UserAgent: "Mozilla/5.0"}
	}
	s1 := session("sess-hash-1", a.ID, -2*time.Hour)
	s2 := session("sess-hash-2", a.ID, -time.Hour)
	s2.Level, s2.AMR, s2.Address = eid.Level2, []string{"pwd", "otp", "mfa"}, "2001:db8::1"
	s3 := session("sess-hash-3", a.ID, -3*time.Hour)
	s3.EndedAt, s3.EndReason = now.Add(-24*time.Hour), "logout"
	old := session("sess-hash-old", a.ID, -50*24*time.Hour)
	old.EndedAt, old.EndReason = now.Add(-40*24*time.Hour), "logout"
	so := session("sess-hash-other", other.ID, -time.Hour)
	f.eidUpdate(t, "InsertSession", func(tx eid.Tx) error {
		for _, s := range []*eid.Session{&s1, &s2, &s3, &old, &so} {
			if err := tx.InsertSession(f.ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	byID := func(id []byte) *eid.Session {
		t.Helper()
		var s *eid.Session
		f.eidView(t, "SessionByID", func(tx eid.Tx) (err error) {
			s, err = tx.SessionByID(f.ctx, id)
			return err
		})
		return s
	}
	list := func(account string) []eid.Session {
		t.Helper()
		var out []eid.Session
		f.eidView(t, "Sessions", func(tx eid.Tx) (err error) {
			out, err = tx.Sessions(f.ctx, account, now.Add(-30*24*time.Hour))
			return err
		})
		return out
	}
	same(t, "SessionByID", byID(s2.ID), &s2)
	same(t, "ended SessionByID", byID(old.ID), &old)
	wantErr(t, f.b.EID().View(f.ctx, func(tx eid.Tx) error {
		_, err := tx.SessionByID(f.ctx, []byte("no such session"))
		return err
	}), errs.NotFound, "")

	// A step-up moves the level, the methods and auth_time.
	s1.LastSeenAt, s1.AuthTime, s1.ExpiresAt = now, now, now.Add(8*time.Hour)
	s1.Level, s1.AMR = eid.Level2, []string{"pwd", "hwk", "mfa"}
	f.eidUpdate(t, "UpdateSession", func(tx eid.Tx) error { return tx.UpdateSession(f.ctx, &s1) })
	same(t, "session after update", byID(s1.ID), &s1)

	// Newest first, the ended ones of the last 30 days included.
	same(t, "Sessions", list(a.ID), []eid.Session{s2, s1, s3})

	// EndSessions ends the open ones and leaves the ended as they were.
	end := now.Add(time.Minute)
	f.eidUpdate(t, "EndSessions", func(tx eid.Tx) error { return tx.EndSessions(f.ctx, a.ID, end, "password-changed") })
	for _, s := range []*eid.Session{&s1, &s2} {
		s.EndedAt, s.EndReason = end, "password-changed"
	}
	same(t, "Sessions after EndSessions", list(a.ID), []eid.Session{s2, s1, s3})
	if got := byID(s1.ID); got.Open(end) {
		t.Errorf("session still open after EndSessions: %+v", got)
	}
	same(t, "other account's sessions", list(other.ID), []eid.Session{so})
}

func testEIDChallenges(t *testing.T, f *fixture) {
	p := f.person(t, "Đỗ Văn Bình", "1975-11-12", "male")
	a := f.account(t, "acc_chal", "Đỗ Thị Cúc")
	enrol := eid.Challenge{ID: "chal_enrol", Purpose: eid.PurposeEnrol, Person: p.Key, Destination: "+84987654321",
		CodeHash: []byte{0x10, 0x20, 0x30}, Data: json.RawMessage(`{"phone":"+84987654321"}`),
		CreatedAt: f.instant(0), ExpiresAt: f.instant(5 * time.Minute)}
	// A WebAuthn ceremony has no code and no data yet.
	webauthn := eid.Challenge{ID: "chal_webauthn", Purpose: eid.PurposeWebAuthn, Person: a.Person, AccountID: a.ID,
		CreatedAt: f.instant(time.Second), ExpiresAt: f.instant(time.Second + 5*time.Minute)}
	f.eidUpdate(t, "InsertChallenge", func(tx eid.Tx) error {
		if err := tx.InsertChallenge(f.ctx, &enrol); err != nil {
			return err
		}
		return tx.InsertChallenge(f.ctx, &webauthn)
	})
	read := func(id string) *eid.Challenge {
		t.Helper()
		var c *eid.Challenge
		f.eidView(t, "ChallengeByID", func(tx eid.Tx) (err error) {
			c, err = tx.ChallengeByID(f.ctx, id)
			return err
		})
		return c
	}
	same(t, "enrol challenge", read(enrol.ID), &enrol)
	same(t, "webauthn challenge", read(webauthn.ID), &webauthn)
	wantErr(t, f.b.EID().View(f.ctx, func(tx eid.Tx) error {
		_, err := tx.ChallengeByID(f.ctx, "chal_none")
		return err
	}), errs.NotFound, "")

	// A wrong code counts an attempt; a resent one has a new hash and
	// expiry; a right one is used.
	enrol.Attempts, enrol.CodeHash = 2, []byte{0x40, 0x50}
	enrol.CreatedAt, enrol.ExpiresAt, enrol.UsedAt = f.instant(time.Minute), f.instant(6*time.Minute), f.instant(2*time.Minute)
	webauthn.UsedAt = f.instant(time.Minute)
	f.eidUpdate(t, "UpdateChallenge", func(tx eid.Tx) error {
		if err := tx.UpdateChallenge(f.ctx, &enrol); err != nil {
			return err
		}
		return tx.UpdateChallenge(f.ctx, &webauthn)
	})
	same(t, "enrol challenge after update", read(enrol.ID), &enrol)
	same(t, "webauthn challenge after update", read(webauthn.ID), &webauthn)
}

func testEIDThrottleAudit(t *testing.T, f *fixture) {
	a := f.account(t, "acc_audit", "Trịnh Văn Long")
	other := f.account(t, "acc_audit_other", "Trịnh Thị Nga")
	throttle := func(key string) eid.FailureRecord {
		t.Helper()
		var r eid.FailureRecord
		f.eidView(t, "Throttle", func(tx eid.Tx) (err error) {
			r, err = tx.Throttle(f.ctx, key)
			return err
		})
		return r
	}
	same(t, "unknown throttle key", throttle("acct:"+a.ID), eid.FailureRecord{})
	r1 := eid.FailureRecord{Failures: 3, LastFailure: f.instant(0)}
	r2 := eid.FailureRecord{Failures: 1, LastFailure: f.instant(time.Second)}
	f.eidUpdate(t, "SetThrottle", func(tx eid.Tx) error {
		if err := tx.SetThrottle(f.ctx, "acct:"+a.ID, r1); err != nil {
			return err
		}
		return tx.SetThrottle(f.ctx, "addr:203.0.113.7", r2)
	})
	same(t, "throttle", throttle("acct:"+a.ID), r1)
	r1 = eid.FailureRecord{Failures: 4, LastFailure: f.instant(time.Minute)}
	f.eidUpdate(t, "SetThrottle again", func(tx eid.Tx) error { return tx.SetThrottle(f.ctx, "acct:"+a.ID, r1) })
	same(t, "throttle replaced", throttle("acct:"+a.ID), r1)
	f.eidUpdate(t, "SetThrottle zero", func(tx eid.Tx) error { return tx.SetThrottle(f.ctx, "acct:"+a.ID, eid.FailureRecord{}) })
	same(t, "throttle deleted", throttle("acct:"+a.ID), eid.FailureRecord{})
	same(t, "other throttle key", throttle("addr:203.0.113.7"), r2)

	// The trail is in time order; entries of one instant in the order
	// written.
	entries := []eid.AuditEntry{
		{At: f.instant(time.Hour), AccountID: a.ID, Actor: "self", Action: "login", Detail: "pwd"},
		{At: f.instant(2 * time.Hour), AccountID: a.ID, Actor: "self", Action: "password-changed"},
		{At: f.instant(2 * time.Hour), AccountID: a.ID, Actor: "self", Action: "sessions-ended", Detail: "password-changed"},
		{At: f.instant(time.Hour), AccountID: other.ID, Actor: "off_national", Action: "level2", Detail: "in person"},
		{At: f.instant(0), AccountID: a.ID, Actor: "off_national", Action: "enrolled", Detail: "Phường Ba Đình"},
	}
	f.eidUpdate(t, "Audit", func(tx eid.Tx) error {
		for _, e := range entries {
			if err := tx.Audit(f.ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	var trail []eid.AuditEntry
	f.eidView(t, "AuditTrail", func(tx eid.Tx) (err error) {
		trail, err = tx.AuditTrail(f.ctx, a.ID)
		return err
	})
	same(t, "AuditTrail", trail, []eid.AuditEntry{entries[4], entries[0], entries[1], entries[2]})
}
