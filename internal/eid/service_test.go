package eid_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/eid"
	"dancu/internal/errs"
	"dancu/internal/keys"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
)

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t      testing.TB
	ctx    context.Context
	clock  *clock
	svc    *eid.Service
	reg    *registry.Service
	outbox string
	vn     actor.Actor
}

// newFixture runs the service over a real SQLite registry. The registry
// keeps real time (its rules need today); the e-ID service's clock is the
// fixture's, so throttles and expiries can be stepped through.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reg := registry.NewService(db.Registry(), nil, time.Now, rand.Reader)
	c := &clock{t: time.Now()}
	outbox := t.TempDir()
	master := keys.Must(keys.NewMaster([]byte("eid-service-test-master-key-0123456")))
	svc := &eid.Service{Store: db.EID(), Registry: reg, Notifier: eid.DirNotifier{Dir: outbox}, Sealer: master.Sealer("totp"),
		HashKey: master.Derive("hash"), Now: c.now, Argon2: eid.Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}}
	return &fixture{t: t, ctx: ctx, clock: c, svc: svc, reg: reg, outbox: outbox,
		vn: actor.Actor{Kind: actor.KindOfficer, ID: "off_vn", Unit: actor.NationalUnit, Scope: actor.ScopeNational, Role: actor.RoleRegistry}}
}

// person registers someone with a phone number and returns their number.
func (f *fixture) person(name, birth, phone string, parents ...string) string {
	f.t.Helper()
	req := registry.BirthRequest{FullName: name, BirthDate: birth, Sex: "female", BirthPlace: "00004", RegistrationPlace: "00004"}
	if len(parents) > 0 {
		req.MotherPID = parents[0]
	}
	res, err := f.reg.RegisterBirth(f.ctx, f.vn, req, registry.WriteOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	pid := string(res.Citizen.PID)
	if phone != "" {
		if _, err := f.reg.RecordEvent(f.ctx, f.vn, pid, registry.EventRequest{Type: "phone_number", Phone: phone}, registry.WriteOptions{}); err != nil {
			f.t.Fatal(err)
		}
	}
	return pid
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// code returns the newest one-time code sent to a recipient, and how many
// messages went there.
func (f *fixture) code(to string) (string, int) {
	f.t.Helper()
	entries, _ := os.ReadDir(f.outbox)
	var code string
	n := 0
	for _, e := range entries {
		raw, _ := os.ReadFile(filepath.Join(f.outbox, e.Name()))
		var m struct{ To, Text string }
		json.Unmarshal(raw, &m)
		if m.To != to {
			continue
		}
		n++
		if c := sixDigits.FindStringSubmatch(m.Text); c != nil {
			code = c[1]
		}
	}
	return code, n
}

func (f *fixture) enrol(pid, name, birth, phone, password string) *eid.Account {
	f.t.Helper()
	pc, err := f.svc.StartEnrolment(f.ctx, eid.EnrolInput{PID: pid, FullName: name, BirthDate: birth, Phone: phone})
	if err != nil {
		f.t.Fatal(err)
	}
	to, _ := eid.NormalizePhone(phone)
	code, _ := f.code(to)
	a, err := f.svc.FinishEnrolment(f.ctx, pc.ChallengeID, code, password)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *errs.Error
	if !errorsAs(err, &e) || e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

func errorsAs(err error, e **errs.Error) bool {
	for err != nil {
		if x, ok := err.(*errs.Error); ok {
			*e = x
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func TestEnrolmentNeedsAPhoneTheRegistryHolds(t *testing.T) {
	f := newFixture(t)
	pid := f.person("Trương Thị Hạnh", "1990-04-02", "0912111222")
	for _, in := range []eid.EnrolInput{
		{PID: pid, FullName: "Trương Thị Hạnh", BirthDate: "1990-04-02", Phone: "0912000000"}, // not hers
		{PID: pid, FullName: "Trương Thị Hồng", BirthDate: "1990-04-02", Phone: "0912111222"}, // another name
		{PID: pid, FullName: "Trương Thị Hạnh", BirthDate: "1990-04-03", Phone: "0912111222"}, // another date
		{PID: "001190999999", FullName: "Trương Thị Hạnh", BirthDate: "1990-04-02", Phone: "0912111222"},
	} {
		_, err := f.svc.StartEnrolment(f.ctx, in)
		wantCode(t, err, "identity-not-matched")
	}
	if _, n := f.code("0912000000"); n != 0 {
		t.Fatal("a code went to a number that is not the person's")
	}
	// Folded name and an international number match.
	a := f.enrol(pid, "truong thi hanh", "1990-04-02", "+84912111222", "gió mùa đông bắc về")
	if a.Level != eid.Level1 || a.Phone != "0912111222" {
		t.Fatalf("account %+v", a)
	}
	_, err := f.svc.StartEnrolment(f.ctx, eid.EnrolInput{PID: pid, FullName: "Trương Thị Hạnh", BirthDate: "1990-04-02", Phone: "0912111222"})
	wantCode(t, err, "account-exists")
}

func TestCodeAttemptsAreCounted(t *testing.T) {
	f := newFixture(t)
	pid := f.person("Lê Thị Thu", "1991-01-09", "0913000111")
	pc, err := f.svc.StartEnrolment(f.ctx, eid.EnrolInput{PID: pid, FullName: "Lê Thị Thu", BirthDate: "1991-01-09", Phone: "0913000111"})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := f.code("0913000111")
	for range 5 {
		_, err := f.svc.FinishEnrolment(f.ctx, pc.ChallengeID, "000000", "cây bàng trước ngõ nhà")
		wantCode(t, err, "invalid-code")
	}
	// The right code is refused after five wrong ones.
	_, err = f.svc.FinishEnrolment(f.ctx, pc.ChallengeID, code, "cây bàng trước ngõ nhà")
	wantCode(t, err, "invalid-code")
	// And a fresh code expires.
	pc, _ = f.svc.StartEnrolment(f.ctx, eid.EnrolInput{PID: pid, FullName: "Lê Thị Thu", BirthDate: "1991-01-09", Phone: "0913000111"})
	code, _ = f.code("0913000111")
	f.clock.add(11 * time.Minute)
	_, err = f.svc.FinishEnrolment(f.ctx, pc.ChallengeID, code, "cây bàng trước ngõ nhà")
	wantCode(t, err, "invalid-code")
}

func TestGuessingIsThrottledNotLockedForever(t *testing.T) {
	f := newFixture(t)
	pid := f.person("Phan Thị Yến", "1988-08-08", "0914000222")
	f.enrol(pid, "Phan Thị Yến", "1988-08-08", "0914000222", "biển xanh cát trắng nắng vàng")
	login := func(pw string) error {
		_, err := f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: pw})
		return err
	}
	for range 5 {
		wantCode(t, login("wrong password"), "invalid-credentials")
	}
	wantCode(t, login("wrong password"), "invalid-credentials") // the 6th failure starts the delay
	// Even the right password waits now.
	wantCode(t, login("biển xanh cát trắng nắng vàng"), "too-many-attempts")
	// The wait grows but is capped, and then the owner gets in.
	f.clock.add(16 * time.Minute)
	if err := login("biển xanh cát trắng nắng vàng"); err != nil {
		t.Fatalf("login after the wait: %v", err)
	}
}

func TestInPersonEnrolmentTakesOverAndNotifies(t *testing.T) {
	f := newFixture(t)
	pid := f.person("Đinh Thị Hoa", "1979-12-30", "0915000333")
	// Someone who had the phone opened an account in her name.
	f.enrol(pid, "Đinh Thị Hoa", "1979-12-30", "0915000333", "squatter chọn mật khẩu này")
	squat, err := f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: "squatter chọn mật khẩu này"})
	if err != nil {
		t.Fatal(err)
	}
	_, before := f.code("0915000333")
	out, err := f.svc.EnrolInPerson(f.ctx, f.vn, pid, "0915999888", "")
	if err != nil {
		t.Fatal(err)
	}
	if !out.TookOver || out.Account.Level != eid.Level2 || out.Account.Status != eid.StatusPending || out.ActivationCode == "" {
		t.Fatalf("in-person enrolment: %+v", out)
	}
	if _, _, err := f.svc.Authenticate(f.ctx, squat.Token); err == nil {
		t.Fatal("the squatter's session survived")
	}
	_, err = f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: "squatter chọn mật khẩu này"})
	wantCode(t, err, "account-not-activated")
	if _, after := f.code("0915000333"); after != before+1 {
		t.Errorf("the old phone was not told: %d messages before, %d after", before, after)
	}
	if _, n := f.code("0915999888"); n != 1 {
		t.Errorf("the new phone was not told: %d messages", n)
	}
	// Lower case, dashes and O for 0 are read as the code.
	code := strings.ToLower(out.ActivationCode[:4]) + "-" + strings.ReplaceAll(out.ActivationCode[4:], "0", "O")
	if _, err := f.svc.Activate(f.ctx, pid, code, "cô ấy chọn lại mật khẩu"); err != nil {
		t.Fatalf("activate: %v", err)
	}
	if _, err := f.svc.Activate(f.ctx, pid, out.ActivationCode, "lần thứ hai không được"); err == nil {
		t.Fatal("an activation code was used twice")
	}
	l, err := f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: "cô ấy chọn lại mật khẩu"})
	if err != nil {
		t.Fatal(err)
	}
	// Level 2 needs the second factor in the session.
	if l.Session.Level != eid.Level1 {
		t.Fatalf("a level-2 account reached level %d with a password alone", l.Session.Level)
	}
	en, _ := f.svc.NewTOTP(f.ctx, l.Session, "hoa")
	if err := f.svc.ConfirmTOTP(f.ctx, l.Session, en.Secret, eid.TOTPCode(en.Secret, f.clock.now()), "phone"); err != nil {
		t.Fatal(err)
	}
	if l.Session.Level != eid.Level2 || !contains(l.Session.AMR, "otp") {
		t.Fatalf("after the TOTP: %+v", l.Session)
	}
	// A code is accepted once.
	l2, _ := f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: "cô ấy chọn lại mật khẩu"})
	if _, err := f.svc.VerifyTOTP(f.ctx, l2.Session, eid.TOTPCode(en.Secret, f.clock.now())); err == nil {
		t.Fatal("a TOTP code was accepted twice")
	}
	f.clock.add(30 * time.Second)
	if _, err := f.svc.VerifyTOTP(f.ctx, l2.Session, eid.TOTPCode(en.Secret, f.clock.now())); err != nil {
		t.Fatalf("the next code: %v", err)
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func TestLockRecoverAndDeath(t *testing.T) {
	f := newFixture(t)
	pid := f.person("Mai Thị Thanh", "1985-05-05", "0916000444")
	f.enrol(pid, "Mai Thị Thanh", "1985-05-05", "0916000444", "đêm trăng thanh gió mát")
	l, _ := f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: "đêm trăng thanh gió mát"})
	if err := f.svc.Lock(f.ctx, l.Session); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: "đêm trăng thanh gió mát"})
	wantCode(t, err, "account-locked")
	// Recovery answers alike whatever the contact, and sends only to the
	// verified one.
	wrong, err := f.svc.StartRecovery(f.ctx, pid, "0916999999", netipZero)
	if err != nil || wrong.ChallengeID == "" {
		t.Fatalf("recovery to a wrong contact: %v", err)
	}
	pc, err := f.svc.StartRecovery(f.ctx, pid, "0916000444", netipZero)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := f.code("0916000444")
	a, err := f.svc.FinishRecovery(f.ctx, pc.ChallengeID, code, "mật khẩu mới sau khi mất máy")
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != eid.StatusActive || a.Level != eid.Level1 {
		t.Fatalf("after recovery: %+v", a)
	}
	if _, err := f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: "mật khẩu mới sau khi mất máy"}); err != nil {
		t.Fatal(err)
	}
	// The registry records her death: the account is closed at its next use.
	if _, err := f.reg.RecordEvent(f.ctx, f.vn, pid, registry.EventRequest{Type: "death", EffectiveDate: civil.DateOf(time.Now()).String(), DeathPlace: "Hà Nội"}, registry.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: "mật khẩu mới sau khi mất máy"})
	wantCode(t, err, "account-closed")
}

func TestParentRegistersChild(t *testing.T) {
	f := newFixture(t)
	mother := f.person("Võ Thị Ngọc", "1990-02-02", "0917000555")
	child := f.person("Võ Minh Khang", time.Now().AddDate(-8, 0, 0).Format(time.DateOnly), "", mother)
	stranger := f.person("Lâm Văn Tài", time.Now().AddDate(-9, 0, 0).Format(time.DateOnly), "")
	f.enrol(mother, "Võ Thị Ngọc", "1990-02-02", "0917000555", "mẹ đặt mật khẩu thật dài")
	l, _ := f.svc.Login(f.ctx, eid.LoginInput{PID: mother, Password: "mẹ đặt mật khẩu thật dài"})
	_, err := f.svc.EnrolChild(f.ctx, l.Session, child, "con có mật khẩu riêng")
	wantCode(t, err, "level-2-required")
	// A child cannot register online.
	_, err = f.svc.StartEnrolment(f.ctx, eid.EnrolInput{PID: child, FullName: "Võ Minh Khang", BirthDate: time.Now().AddDate(-8, 0, 0).Format(time.DateOnly), Phone: "0917000555"})
	if err == nil {
		t.Fatal("a child registered online")
	}
	out, _ := f.svc.EnrolInPerson(f.ctx, f.vn, mother, "", "")
	f.svc.Activate(f.ctx, mother, out.ActivationCode, "mẹ đặt mật khẩu thật dài")
	l, _ = f.svc.Login(f.ctx, eid.LoginInput{PID: mother, Password: "mẹ đặt mật khẩu thật dài"})
	en, _ := f.svc.NewTOTP(f.ctx, l.Session, "m")
	f.svc.ConfirmTOTP(f.ctx, l.Session, en.Secret, eid.TOTPCode(en.Secret, f.clock.now()), "m")
	_, err = f.svc.EnrolChild(f.ctx, l.Session, stranger, "không phải con tôi")
	wantCode(t, err, "rule-violation")
	a, err := f.svc.EnrolChild(f.ctx, l.Session, child, "con có mật khẩu riêng")
	if err != nil {
		t.Fatal(err)
	}
	if a.Guardian == "" || a.Phone != "0917000555" {
		t.Fatalf("child account %+v", a)
	}
}

var netipZero = netip.Addr{}

// BenchmarkLoginBesidesHashing is a password login with argon2id made
// almost free (64 KiB, one pass): what a login costs besides the hash, which
// `dancu bench oidc` sets beside the hash's own rate.
func BenchmarkLoginBesidesHashing(b *testing.B) {
	f := newFixture(b)
	const name, birth, phone, password = "Lâm Thị Ngọc Hân", "1990-04-04", "0913555666", "mật khẩu dài và khó đoán 1990"
	pid := f.person(name, birth, phone)
	f.enrol(pid, name, birth, phone, password)
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.svc.Login(f.ctx, eid.LoginInput{PID: pid, Password: password, Address: netip.MustParseAddr("192.0.2.7"), UserAgent: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
