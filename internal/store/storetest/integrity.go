package storetest

import (
	"strings"
	"testing"
	"time"

	"dancu/internal/errs"
	"dancu/internal/registry"
)

// testBackdatedNumberCorrection: a correction that issues a number cannot
// be back-dated before a later one that already issued one, or the record
// would end on a retired number.
func testBackdatedNumberCorrection(t *testing.T, f *fixture) {
	c := f.person(t, "Lạc Văn Khoa", "2001-03-03", "male")
	res := f.event(t, f.national, string(c.PID), registry.EventRequest{Type: "correction", EffectiveDate: "2026-01-05", Sex: "female"})
	current := string(res.Citizen.PID)
	before := f.counts(t)
	_, err := f.reg.RecordEvent(f.ctx, f.national, current, registry.EventRequest{Type: "correction", EffectiveDate: "2001-06-06", BirthDate: "2002-03-03"}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "effective_date")
	sameCounts(t, "back-dated number correction", before, f.counts(t))
	// Dated after the first, it is accepted and the record and aliases agree.
	res = f.event(t, f.national, current, registry.EventRequest{Type: "correction", EffectiveDate: "2026-02-01", BirthDate: "2002-03-03"})
	got := f.read(t, f.national, string(c.PID), registry.ReadOptions{})
	if got.PID != res.Citizen.PID || got.PID[4:6] != "02" || len(got.RetiredPIDs) != 2 {
		t.Fatalf("record %s retired %v", got.PID, got.RetiredPIDs)
	}
}

// testRecordingOrder: recording instants of one person's events increase
// even when the clock goes back (a writer that waited for a lock, or another
// server's clock), so every known_at prefix is a history that was checked.
func testRecordingOrder(t *testing.T, f *fixture) {
	c := f.person(t, "Ông Văn Thời", "1980-01-01", "male")
	first := f.event(t, f.national, string(c.PID), registry.EventRequest{Type: "phone_number", Phone: "0901234567"})
	f.clock.mu.Lock()
	f.clock.now = f.clock.now.Add(-time.Hour)
	f.clock.mu.Unlock()
	second := f.event(t, f.national, string(c.PID), registry.EventRequest{Type: "phone_number", Phone: "0901234568"})
	f.clock.mu.Lock()
	f.clock.now = f.clock.now.Add(2 * time.Hour)
	f.clock.mu.Unlock()
	if !second.Event.RecordedAt.After(first.Event.RecordedAt) {
		t.Fatalf("second event recorded at %s, not after the first at %s", second.Event.RecordedAt, first.Event.RecordedAt)
	}
	mid := f.read(t, f.national, string(c.PID), registry.ReadOptions{KnownAt: first.Event.RecordedAt})
	if len(mid.Phones) != 1 {
		t.Fatalf("known at the first event: %d phones", len(mid.Phones))
	}
}

func testReplayLogged(t *testing.T, f *fixture) {
	opt := registry.WriteOptions{IdempotencyKey: "replay", RequestHash: "h", Render: func(r *registry.Result) (registry.StoredResponse, error) {
		return registry.StoredResponse{Status: 201, Body: []byte("{}")}, nil
	}}
	if _, err := f.reg.RegisterBirth(f.ctx, f.national, birthReq("Phó Văn Lợi", "2026-05-05", "male", hanoiBaDinh), opt); err != nil {
		t.Fatal(err)
	}
	before := f.counts(t)
	res, err := f.reg.RegisterBirth(f.ctx, f.national, birthReq("Phó Văn Lợi", "2026-05-05", "male", hanoiBaDinh), opt)
	if err != nil || res.Replay == nil {
		t.Fatalf("replay: %+v %v", res, err)
	}
	if got := f.counts(t)["access_log"] - before["access_log"]; got != 1 {
		t.Fatalf("a replay that sends the person's data wrote %d access-log rows, want 1", got)
	}
}

func testExpiredTemporaryAuthority(t *testing.T, f *fixture) {
	c := f.birth(t, f.national, birthReq("Viên Văn Trọng", "1990-01-01", "male", hanoiBaDinh))
	f.event(t, f.national, string(c.PID), registry.EventRequest{Type: "temporary_residence", Place: hcmSaiGon, Address: "3 Đồng Khởi", Until: "2026-12-31"})
	hcm := commune(hcmSaiGon)
	if _, err := f.reg.Citizen(f.ctx, hcm, string(c.PID), registry.ReadOptions{}); err != nil {
		t.Fatalf("while the temporary residence holds: %v", err)
	}
	if res, err := f.reg.Search(f.ctx, hcm, registry.SearchRequest{Name: "Viên Văn Trọng"}); err != nil || len(res.Matches) != 1 {
		t.Fatalf("unit search while it holds: %+v %v", res, err)
	}
	f.clock.mu.Lock()
	f.clock.now = f.clock.now.AddDate(0, 2, 0) // past 2026-12-31
	f.clock.mu.Unlock()
	_, err := f.reg.Citizen(f.ctx, hcm, string(c.PID), registry.ReadOptions{})
	wantErr(t, err, errs.Forbidden, "")
	_, err = f.reg.RecordEvent(f.ctx, hcm, string(c.PID), registry.EventRequest{Type: "missing"}, registry.WriteOptions{})
	wantErr(t, err, errs.Forbidden, "")
	if res, err := f.reg.Search(f.ctx, hcm, registry.SearchRequest{Name: "Viên Văn Trọng"}); err != nil || len(res.Matches) != 0 {
		t.Fatalf("unit search after expiry: %+v %v", res, err)
	}
}

// testLateRegistration registers a 2020 birth under a commune code that
// exists only since the 2025 reform: that commune's officers have authority.
func testLateRegistration(t *testing.T, f *fixture) {
	const conCo = "19742" // Đặc khu Cồn Cỏ, Quảng Trị (44), since 2025-07-01
	officer := commune(conCo)
	res, err := f.reg.RegisterBirth(f.ctx, officer, birthReq("Hồ Thị Biển", "2020-08-08", "female", conCo), registry.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(res.Citizen.PID), "044") {
		t.Fatalf("pid %s, want Quảng Trị's 044", res.Citizen.PID)
	}
	if _, err := f.reg.Citizen(f.ctx, officer, string(res.Citizen.PID), registry.ReadOptions{}); err != nil {
		t.Fatalf("the registering commune cannot read: %v", err)
	}
}

func testCorrectionPlaceCountry(t *testing.T, f *fixture) {
	c := f.person(t, "Mẫn Văn Phúc", "2010-10-10", "male")
	res := f.event(t, f.national, string(c.PID), registry.EventRequest{Type: "correction", RegistrationCountry: "FR", BirthCountry: "FR"})
	n := res.Citizen
	if n.RegistrationPlace != "" || n.BirthPlace != "" || n.RegistrationCountry != "FR" || !strings.HasPrefix(string(n.PID), "250") {
		t.Fatalf("after correcting to abroad: place %q/%q country %q pid %s", n.BirthPlace, n.RegistrationPlace, n.RegistrationCountry, n.PID)
	}
	_, err := f.reg.Citizen(f.ctx, commune(hanoiBaDinh), string(n.PID), registry.ReadOptions{})
	wantErr(t, err, errs.Forbidden, "")
}

func testParentChildIntegrity(t *testing.T, f *fixture) {
	mother := f.person(t, "Quan Thị Hiền", "1980-01-01", "female")
	father := f.person(t, "Quan Văn Hiếu", "1978-01-01", "male")
	req := birthReq("Quan Văn Hậu", "2005-05-05", "male", hanoiBaDinh)
	req.MotherPID, req.FatherPID = string(mother.PID), string(father.PID)
	child := f.birth(t, f.national, req)
	tests := []struct {
		name string
		pid  string
		req  registry.EventRequest
	}{
		{"mother's birth date after the child's", string(mother.PID), registry.EventRequest{Type: "correction", BirthDate: "2010-01-01"}},
		{"mother's death before the child's birth", string(mother.PID), registry.EventRequest{Type: "death", EffectiveDate: "2000-01-01"}},
		{"father's death long before the birth", string(father.PID), registry.EventRequest{Type: "death", EffectiveDate: "2003-01-01"}},
		{"father's sex", string(father.PID), registry.EventRequest{Type: "correction", Sex: "female"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.counts(t)
			_, err := f.reg.RecordEvent(f.ctx, f.national, tt.pid, tt.req, registry.WriteOptions{})
			e := wantErr(t, err, errs.Conflict, "")
			if ce, _ := e.Extra["conflicting_event"].(map[string]any); ce["type"] != registry.EventBirth {
				t.Fatalf("conflict names %v, want the child's birth", e.Extra)
			}
			sameCounts(t, tt.name, before, f.counts(t))
		})
	}
	// The child's own birth date cannot move before the parents' births.
	_, err := f.reg.RecordEvent(f.ctx, f.national, string(child.PID), registry.EventRequest{Type: "correction", BirthDate: "1979-01-01"}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "mother_pid")
	// A father's death within 300 days before the birth is possible.
	f.event(t, f.national, string(father.PID), registry.EventRequest{Type: "death", EffectiveDate: "2004-10-01"})
}

func testBackdatedHead(t *testing.T, f *fixture) {
	x := f.person(t, "Lã Văn Xuân", "1950-01-01", "male")
	p := f.person(t, "Lã Văn Phú", "1980-01-01", "male")
	q := f.person(t, "Lã Văn Quý", "1982-01-01", "male")
	res := f.event(t, f.national, string(x.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform, Place: hanoiBaDinh, Address: "2 Hàng Đào", NewHousehold: true})
	hid := res.Citizen.Residences[0].HouseholdID
	f.event(t, f.national, string(x.PID), registry.EventRequest{Type: "death", EffectiveDate: "2025-09-01"})
	f.event(t, f.national, string(p.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: "2025-11-01", HouseholdID: hid, Relation: "head"})
	_, err := f.reg.RecordEvent(f.ctx, f.national, string(q.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: "2025-10-01", HouseholdID: hid, Relation: "head"}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "relation")
	// As a member it is fine.
	f.event(t, f.national, string(q.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: "2025-10-01", HouseholdID: hid, Relation: "sibling"})
}

// testOutsiderLearnsNothing: an officer without authority is refused before
// any check that would tell them about the record.
func testOutsiderLearnsNothing(t *testing.T, f *fixture) {
	c := f.birth(t, commune(hanoiBaDinh), birthReq("Tăng Thị Yến", "1991-01-01", "female", hanoiBaDinh))
	_, err := f.reg.RecordEvent(f.ctx, commune(hcmSaiGon), string(c.PID), registry.EventRequest{Type: "missing"}, registry.WriteOptions{IfMatch: `"v99"`})
	wantErr(t, err, errs.Forbidden, "")
	req := birthReq("Tăng Văn Tú", "1990-01-01", "male", hcmSaiGon)
	req.MotherPID = string(c.PID)
	_, err = f.reg.RegisterBirth(f.ctx, commune(hcmSaiGon), req, registry.WriteOptions{})
	e := wantErr(t, err, errs.Unprocessable, "mother_pid")
	if strings.Contains(e.Error(), "1991") {
		t.Fatalf("the refusal discloses the mother's record: %v", e)
	}
}
