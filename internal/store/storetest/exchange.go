package storetest

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"dancu/internal/actor"
	"dancu/internal/batchfs"
	"dancu/internal/errs"
	"dancu/internal/exchange"
	"dancu/internal/exchange/exchangetest"
	"dancu/internal/registry"
)

// testExchange: a bank's system passes the security gate, verifies people
// under a grant that needs their consent, is refused fields outside the
// grant and everything once suspended; its use is metered and every
// verification is in the person's access log with the member, the legal
// basis and the answer.
func testExchange(t *testing.T, f *fixture) {
	svc := &exchange.Service{Store: f.b.Exchange(), Registry: f.reg, Clock: f.clock.Now}
	op := actor.Actor{Kind: actor.KindOperator, ID: "root"}
	want := func(err error, code string) {
		t.Helper()
		var e *errs.Error
		if !errors.As(err, &e) || e.Code != code {
			t.Fatalf("got %v, want a %s error", err, code)
		}
	}
	// A national officer may administer the gateway; a commune officer may not.
	if _, err := svc.CreateMember(f.ctx, f.national, "Ngân hàng", exchange.MemberBank); err != nil {
		t.Fatalf("a national officer creating a member: %v", err)
	}
	commune := f.national
	commune.Scope, commune.Unit = actor.ScopeCommune, "00004"
	if _, err := svc.CreateMember(f.ctx, commune, "Ngân hàng", exchange.MemberBank); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("a commune officer creating a member: %v", err)
	}
	bank, err := svc.CreateMember(f.ctx, op, "Ngân hàng TMCP Thử Nghiệm", exchange.MemberBank)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateMember(f.ctx, op, "", "shop"); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a member without a name, of no known type: %v", err)
	}
	sys, err := svc.ApplySystem(f.ctx, op, bank.ID, "eKYC mở tài khoản", "client-bank", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplySystem(f.ctx, op, bank.ID, "copy", "client-bank", 0); !errs.Is(err, errs.Unprocessable) {
		t.Fatalf("a second system with the same client: %v", err)
	}
	if _, err := svc.ApplySystem(f.ctx, op, "m-none", "x", "client-x", 0); !errs.Is(err, errs.Unprocessable) {
		t.Fatalf("a system of no member: %v", err)
	}

	person := f.person(t, "Nguyễn Văn An", "1990-05-02", "male")
	caller := exchange.Caller{ClientID: "client-bank", RequestID: "req"}
	const purpose = "định danh khách hàng"
	verify := func(req exchange.VerifyRequest) (*exchange.VerifyResult, error) {
		if req.IDDocument == "" {
			req.IDDocument = string(person.PID)
		}
		return svc.Verify(f.ctx, caller, purpose, req)
	}
	_, err = verify(exchange.VerifyRequest{Name: "Nguyễn Văn An"})
	want(err, "system-not-active")

	_, err = svc.MoveSystem(f.ctx, op, sys.ID, exchange.StageApproved, "")
	want(err, "wrong-stage")
	if _, err := svc.MoveSystem(f.ctx, op, sys.ID, exchange.StageAssessment, "hồ sơ đủ"); err != nil {
		t.Fatal(err)
	}
	_, err = svc.MoveSystem(f.ctx, op, sys.ID, exchange.StageApproved, "")
	want(err, "assessment-incomplete")
	for _, item := range exchange.RequiredChecks {
		value := "đạt"
		if item == exchange.CheckPentest {
			value = "2026-10-01"
		}
		if _, err := svc.RecordCheck(f.ctx, op, sys.ID, exchange.Check{Item: item, Value: value, Evidence: "biên bản số 12/2026"}); err != nil {
			t.Fatalf("check %s: %v", item, err)
		}
	}
	if _, err := svc.RecordCheck(f.ctx, op, sys.ID, exchange.Check{Item: exchange.CheckPentest, Value: "last year", Evidence: "x"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a penetration test without a date: %v", err)
	}
	for _, to := range []exchange.Stage{exchange.StageApproved, exchange.StageActive} {
		if _, err := svc.MoveSystem(f.ctx, op, sys.ID, to, ""); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}

	_, err = verify(exchange.VerifyRequest{Name: "Nguyễn Văn An"})
	want(err, "no-grant")
	_, err = svc.CreateGrant(f.ctx, op, exchange.GrantRequest{MemberID: bank.ID, Purpose: purpose, LegalBasis: "Thông tư 17/2024/TT-NHNN",
		Operations: []exchange.Operation{exchange.OpVerify}, Fields: []string{"pid", "full_name", "birth_date", "phones"},
		ValidUntil: f.clock.Now().AddDate(1, 0, 0), ConsentRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = verify(exchange.VerifyRequest{Name: "Nguyễn Văn An", Gender: "MALE"})
	want(err, "fields-not-granted")
	var notGranted *errs.Error
	errors.As(err, &notGranted)
	if got := notGranted.Extra["fields_not_granted"]; !slices.Equal(got.([]string), []string{"sex"}) {
		t.Fatalf("fields not granted: %v", got)
	}
	_, err = verify(exchange.VerifyRequest{Name: "Nguyễn Văn An"})
	want(err, "consent-required")
	if _, err := svc.GiveConsent(f.ctx, int64(person.Key), bank.ID, "quảng cáo", time.Time{}); !errs.Is(err, errs.Unprocessable) {
		t.Fatalf("consent to a purpose no grant asks consent for: %v", err)
	}
	if _, err := svc.GiveConsent(f.ctx, int64(person.Key), bank.ID, purpose, time.Time{}); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, kind string
		match      exchange.Match
	}{
		{"Nguyễn Văn An", "exact", exchange.MatchTrue},
		{"NGUYỄN  VĂN AN", "exact", exchange.MatchTrue},
		{"Nguye\u0302\u0303n Va\u0306n An", "exact", exchange.MatchTrue}, // NFD
		{"Nguyen Van An", "folded", exchange.MatchTrue},
		{"Văn An Nguyễn", "folded", exchange.MatchTrue},
		{"Nguyễn Văn Ân", "fuzzy", exchange.MatchFalse},
		{"Trần Thị Bình", "fuzzy", exchange.MatchFalse},
	} {
		res, err := verify(exchange.VerifyRequest{Name: c.name, Birthdate: "1990-05-02"})
		if err != nil {
			t.Fatalf("verify %q: %v", c.name, err)
		}
		if res.NameMatch != c.match || res.NameMatchKind != c.kind || (c.match == exchange.MatchFalse) != (res.NameMatchScore != nil) {
			t.Errorf("verify %q: %+v", c.name, res)
		}
		if res.IDDocumentMatch != exchange.MatchTrue || res.BirthdateMatch != exchange.MatchTrue {
			t.Errorf("verify %q: id and birth date: %+v", c.name, res)
		}
	}
	// A legacy ID card number names the person too, and the old tone
	// placement ("Hòa") is the same spelling as the new ("Hoà").
	hoa := f.person(t, "Trần Thị Hoà", "1985-10-10", "female")
	f.event(t, f.national, string(hoa.PID), registry.EventRequest{Type: "legacy_id", LegacyID: "031234567", LegacyIssuedOn: "2003-05-05"})
	if _, err := svc.GiveConsent(f.ctx, int64(hoa.Key), bank.ID, purpose, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if res, err := verify(exchange.VerifyRequest{IDDocument: "031234567", Name: "Trần Thị Hòa", Birthdate: "1985-10-10"}); err != nil ||
		res.Result != "match" || res.NameMatch != exchange.MatchTrue || res.NameMatchKind != "exact" {
		t.Fatalf("by legacy number, old tone placement: %+v %v", res, err)
	}
	res, err := verify(exchange.VerifyRequest{Birthdate: "1990-05-03", PhoneNumber: "+84 912 000 111"})
	if err != nil || res.Result != "mismatch" || res.BirthdateMatch != exchange.MatchFalse || res.PhoneNumberMatch != exchange.MatchNotAvailable {
		t.Fatalf("a wrong birth date and a phone the registry lacks: %+v %v", res, err)
	}
	res, err = verify(exchange.VerifyRequest{IDDocument: "001090000000", Name: "Nguyễn Văn An"})
	if err != nil || res.Result != "not_found" || res.IDDocumentMatch != exchange.MatchFalse || res.NameMatch != exchange.MatchNotAvailable {
		t.Fatalf("a number no one has: %+v %v", res, err)
	}
	if _, err := verify(exchange.VerifyRequest{Birthdate: "02/05/1990"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a birth date in another format: %v", err)
	}
	if _, err := svc.Lookup(f.ctx, caller, purpose, string(person.PID), []string{"full_name"}); err == nil {
		t.Fatal("a lookup under a grant for verification only")
	}

	if err := svc.WithdrawConsent(f.ctx, int64(person.Key), bank.ID, purpose); err != nil {
		t.Fatal(err)
	}
	_, err = verify(exchange.VerifyRequest{Name: "Nguyễn Văn An"})
	want(err, "consent-required")
	if _, err := svc.GiveConsent(f.ctx, int64(person.Key), bank.ID, purpose, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MoveSystem(f.ctx, op, sys.ID, exchange.StageSuspended, "lộ khóa"); err != nil {
		t.Fatal(err)
	}
	_, err = verify(exchange.VerifyRequest{Name: "Nguyễn Văn An"})
	want(err, "system-not-active")

	if err := svc.FlushUsage(f.ctx); err != nil {
		t.Fatal(err)
	}
	usage, err := svc.Usage(f.ctx, exchange.Month(f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	// Metered: what was answered (the seven names, the mismatch, the number
	// no one has); not what was refused.
	if len(usage) != 1 || usage[0].Operation != exchange.OpVerify || usage[0].SystemID != sys.ID || usage[0].Count != 10 {
		t.Fatalf("usage: %+v", usage)
	}
	sts, err := svc.Statements(f.ctx, exchange.DefaultTariff, exchange.Month(f.clock.Now()), "")
	if err != nil || len(sts) != 1 || sts[0].MemberID != bank.ID || sts[0].Exempt || sts[0].Total != 10*500 ||
		len(sts[0].Lines) != 1 || sts[0].Lines[0] != (exchange.StatementLine{Operation: exchange.OpVerify, Count: 10, UnitPrice: 500, Amount: 5000}) {
		t.Fatalf("statements: %+v %v", sts, err)
	}
	free := exchange.DefaultTariff
	free.Exempt = []exchange.MemberType{exchange.MemberBank}
	if sts, err := svc.Statements(f.ctx, free, exchange.Month(f.clock.Now()), bank.ID); err != nil || !sts[0].Exempt || sts[0].Total != 0 || sts[0].Lines[0].Count != 10 {
		t.Fatalf("an exempt member's statement: %+v %v", sts, err)
	}
	counts, err := svc.StageCounts(f.ctx)
	if err != nil || len(counts) != 1 || counts[0] != (exchange.StageCount{MemberType: exchange.MemberBank, Stage: exchange.StageSuspended, Systems: 1}) {
		t.Fatalf("stage counts: %+v %v", counts, err)
	}

	entries, err := f.b.About(f.ctx, int64(person.Key), time.Time{}, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var verified, refused int
	for _, e := range entries {
		if e.ActorID != sys.ID {
			continue
		}
		if e.Member != bank.ID || e.LegalBasis != "Thông tư 17/2024/TT-NHNN" || e.Purpose != purpose {
			t.Fatalf("a verification's entry: %+v", e)
		}
		switch e.Result {
		case "match", "mismatch":
			verified++
		case "refused: no consent":
			refused++
		}
	}
	if verified != 8 || refused != 2 {
		t.Fatalf("%d verifications and %d refusals logged, want 8 and 2", verified, refused)
	}
}

// testExchangeBatch: a batch job goes from upload to done through the
// store's job rows: only the next piece is accepted, the worker takes a
// queued job once, and its results count every record.
func testExchangeBatch(t *testing.T, f *fixture) {
	svc := &exchange.Service{Store: f.b.Exchange(), Registry: f.reg, Clock: f.clock.Now, BatchLease: time.Hour}
	if _, _, err := exchangetest.Onboard(f.ctx, svc, f.clock.Now(), "Bảo hiểm xã hội", exchange.MemberStateCompany, "client-bhxh", "đối soát sổ BHXH",
		[]exchange.Operation{exchange.OpBatch}, []string{"pid", "full_name", "birth_date"}, false); err != nil {
		t.Fatal(err)
	}
	p := f.person(t, "Đinh Công Tráng", "1975-03-03", "male")
	caller := exchange.Caller{ClientID: "client-bhxh"}
	files := batchfs.Dir{Path: t.TempDir()}
	input := "ref,idDocument,name,birthdate\n1," + string(p.PID) + ",Dinh Cong Trang,1975-03-03\n2," + string(p.PID) + ",Đinh Công Tráng,1975-03-04\n3,012345678901,Ai Đó,1990\n4,abc,x,1990\n"
	b := runBatch(t, f, svc, caller, files, "đối soát sổ BHXH", input, true)
	if b.Status != exchange.BatchDone || b.Done != 4 || b.Counts["match"] != 1 || b.Counts["mismatch"] != 1 || b.Counts["not_found"] != 1 || b.Counts["invalid"] != 1 {
		t.Fatalf("the job: %+v", b)
	}
	rd, err := files.ReadResults(b.ID, b.ResultsSize)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	raw, _ := io.ReadAll(rd)
	if n := strings.Count(string(raw), "\n"); n != 4 || !strings.Contains(string(raw), `"mismatched":["birthdate"]`) {
		t.Fatalf("results:\n%s", raw)
	}
	usage, _ := svc.Usage(f.ctx, exchange.Month(f.clock.Now()))
	if len(usage) != 1 || usage[0].Operation != exchange.OpBatch || usage[0].Count != 4 {
		t.Fatalf("metered: %+v", usage)
	}
}

// runBatch runs a CSV batch job to its end: uploaded in two pieces
// (checking that a piece sent twice is refused), started, verified by a
// worker. The worker runs from the start and polls only once an hour:
// starting the job must wake it.
func runBatch(t *testing.T, f *fixture, svc *exchange.Service, caller exchange.Caller, files batchfs.Dir, purpose, input string, checks bool) *exchange.Batch {
	t.Helper()
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.RunBatches(ctx, files, time.Hour, nil, func(err error) { t.Error(err) })
	}()
	defer func() {
		cancel()
		<-done
	}()
	b, err := svc.CreateBatch(f.ctx, caller, purpose, "csv")
	if err != nil {
		t.Fatal(err)
	}
	half := len(input) / 2
	if _, err := svc.UploadBatch(f.ctx, caller, files, b.ID, 0, strings.NewReader(input[:half])); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UploadBatch(f.ctx, caller, files, b.ID, 0, strings.NewReader(input[:half])); !errs.Is(err, errs.Conflict) {
		t.Fatalf("a piece sent twice: %v", err)
	}
	if _, err := svc.UploadBatch(f.ctx, caller, files, b.ID, int64(half), strings.NewReader(input[half:])); err != nil {
		t.Fatal(err)
	}
	if b, err = svc.StartBatch(f.ctx, caller, files, b.ID); err != nil || b.Status != exchange.BatchQueued {
		t.Fatalf("started: %+v %v", b, err)
	}
	if checks {
		if _, err := svc.BatchStatusOf(f.ctx, exchange.Caller{ClientID: "someone-else"}, b.ID); err == nil {
			t.Fatal("another client read the job")
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err = svc.BatchStatusOf(f.ctx, caller, b.ID); err != nil {
			t.Fatal(err)
		}
		if b.Status == exchange.BatchDone || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if b.Status != exchange.BatchDone {
		t.Fatalf("the job is %s %d/%d after 20 s", b.Status, b.Done, b.Total)
	}
	return b
}

// testTelcoLoop: a telco's subscriber batch confirms the numbers of the
// subscribers it identifies (a registry event each); a number confirmed
// for another person moves to them; a subscriber not identified confirms
// nothing.
func testTelcoLoop(t *testing.T, f *fixture) {
	svc := &exchange.Service{Store: f.b.Exchange(), Registry: f.reg, Clock: f.clock.Now, BatchLease: time.Hour}
	const purpose = "chuẩn hoá thông tin thuê bao di động"
	if _, _, err := exchangetest.Onboard(f.ctx, svc, f.clock.Now(), "Nhà mạng Sông Lam", exchange.MemberTelco, "client-telco", purpose,
		[]exchange.Operation{exchange.OpBatch}, []string{"pid", "full_name", "birth_date", "phones"}, false); err != nil {
		t.Fatal(err)
	}
	a := f.person(t, "Hồ Văn Sơn", "1988-08-08", "male")
	b := f.person(t, "Hồ Thị Thủy", "1990-09-09", "female")
	c := f.person(t, "Hồ Văn Nam", "1992-02-02", "male")
	caller := exchange.Caller{ClientID: "client-telco"}
	files := batchfs.Dir{Path: t.TempDir()}
	phones := func(p *registry.Citizen) []string {
		t.Helper()
		cur, err := f.reg.CitizenByKey(f.ctx, f.national, p.Key, []string{"phones"})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ph := range cur.Phones {
			out = append(out, ph.Number+":"+string(ph.Source))
		}
		return out
	}
	job := runBatch(t, f, svc, caller, files, purpose, "idDocument,name,birthdate,phoneNumber\n"+
		string(a.PID)+",Ho Van Son,1988-08-08,+84 912 000 001\n"+
		string(c.PID)+",Người Khác Hẳn,1992-02-02,0912000003\n", false)
	if job.Done != 2 {
		t.Fatalf("first job: %+v", job)
	}
	if got := phones(a); !slices.Equal(got, []string{"0912000001:telco"}) {
		t.Fatalf("the identified subscriber's phones: %v", got)
	}
	if got := phones(c); len(got) != 0 {
		t.Fatalf("a subscriber not identified got a number: %v", got)
	}
	// The number is now another person's.
	runBatch(t, f, svc, caller, files, purpose, "idDocument,name,birthdate,phoneNumber\n"+string(b.PID)+",Hồ Thị Thủy,1990-09-09,0912000001\n", false)
	if got := phones(b); !slices.Equal(got, []string{"0912000001:telco"}) {
		t.Fatalf("the new holder's phones: %v", got)
	}
	if got := phones(a); len(got) != 0 {
		t.Fatalf("the earlier holder still has the number: %v", got)
	}
}

// testExchangeWithheld: reads under a grant that withholds them for an
// investigation — a lookup and the household they lead to — are in the
// log at once for officers, and out of the person's own view until the
// withholding ends.
func testExchangeWithheld(t *testing.T, f *fixture) {
	svc := &exchange.Service{Store: f.b.Exchange(), Registry: f.reg, Clock: f.clock.Now}
	m, _, err := exchangetest.Onboard(f.ctx, svc, f.clock.Now(), "Cơ quan điều tra", exchange.MemberMinistry, "client-cqdt", "xác minh nhân thân",
		[]exchange.Operation{exchange.OpLookup}, []string{"pid"}, false)
	if err != nil {
		t.Fatal(err)
	}
	const purpose = "điều tra vụ án"
	if _, err := svc.CreateGrant(f.ctx, exchangetest.Operator, exchange.GrantRequest{MemberID: m.ID, Purpose: purpose, LegalBasis: "Bộ luật Tố tụng hình sự 2015",
		Operations: []exchange.Operation{exchange.OpLookup, exchange.OpHousehold}, Fields: []string{"pid", "full_name"},
		ValidUntil: f.clock.Now().AddDate(1, 0, 0), WithholdDays: 90}); err != nil {
		t.Fatal(err)
	}
	p := f.person(t, "Mạc Văn Khải", "1970-07-07", "male")
	f.event(t, f.national, string(p.PID), registry.EventRequest{Type: "permanent_residence", Place: hanoiBaDinh, Address: "Số 9 phố Kim Mã", NewHousehold: true})
	caller := exchange.Caller{ClientID: "client-cqdt"}
	if _, err := svc.Lookup(f.ctx, caller, purpose, string(p.PID), []string{"full_name"}); err != nil {
		t.Fatal(err)
	}
	if h, err := svc.Household(f.ctx, caller, purpose, string(p.PID), []string{"full_name"}); err != nil || len(h["members"].([]map[string]any)) != 1 {
		t.Fatalf("household: %v %v", h, err)
	}
	byMember := func(visibleAt time.Time) int {
		t.Helper()
		entries, err := f.b.About(f.ctx, int64(p.Key), time.Time{}, visibleAt, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Member == m.ID {
				n++
			}
		}
		return n
	}
	// The lookup, the household's own read of the person, and the
	// member's row of the household.
	if n := byMember(time.Time{}); n != 3 {
		t.Fatalf("officers see %d of the investigation's reads, want 3", n)
	}
	if n := byMember(f.clock.Now()); n != 0 {
		t.Fatalf("the person sees %d of the investigation's reads while they are withheld", n)
	}
	if n := byMember(f.clock.Now().AddDate(0, 0, 91)); n != 3 {
		t.Fatalf("the person sees %d of the investigation's reads after 90 days, want 3", n)
	}
}
