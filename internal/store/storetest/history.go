package storetest

import (
	"slices"
	"testing"
	"time"

	"dancu/internal/errs"
	"dancu/internal/registry"
)

func testMarriage(t *testing.T, f *fixture) {
	m := f.person(t, "Hồ Văn Tuấn", "1995-01-01", "male")
	w := f.person(t, "Châu Thị Diễm", "1997-01-01", "female")
	w2 := f.person(t, "Kiều Thị Oanh", "1998-01-01", "female")
	young := f.person(t, "Mai Văn Tí", "2008-01-01", "male")
	m2 := f.person(t, "Hồ Văn Sơn", "1993-01-01", "male")

	res := f.event(t, f.national, string(m.PID), registry.EventRequest{Type: "marriage", EffectiveDate: "2024-06-01", SpousePID: string(w.PID)})
	if res.Citizen.Spouse() != w.Key {
		t.Fatalf("spouse %d, want %d", res.Citizen.Spouse(), w.Key)
	}
	if got := f.read(t, f.national, string(w.PID), registry.ReadOptions{}); got.Spouse() != m.Key || got.MaritalStatus() != registry.Married {
		t.Fatalf("the spouse's record does not show the marriage: %+v", got.Marriages)
	}
	cases := []struct {
		name    string
		subject string
		spouse  string
		date    string
		field   string
	}{
		{"already married", string(m.PID), string(w2.PID), "2025-01-01", "spouse_pid"},
		{"spouse already married", string(m2.PID), string(w.PID), "2025-01-01", "spouse_pid"},
		{"same sex", string(m2.PID), string(m.PID), "2025-01-01", "spouse_pid"},
		{"under age", string(young.PID), string(w2.PID), "2026-06-01", "effective_date"},
		{"oneself", string(m2.PID), string(m2.PID), "2025-01-01", "spouse_pid"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			before := f.counts(t)
			_, err := f.reg.RecordEvent(f.ctx, f.national, tt.subject, registry.EventRequest{Type: "marriage", EffectiveDate: tt.date, SpousePID: tt.spouse}, registry.WriteOptions{})
			wantErr(t, err, errs.Unprocessable, tt.field)
			sameCounts(t, tt.name, before, f.counts(t))
		})
	}
	f.event(t, f.national, string(w.PID), registry.EventRequest{Type: "divorce", EffectiveDate: "2026-01-01"})
	for _, p := range []string{string(m.PID), string(w.PID)} {
		if got := f.read(t, f.national, p, registry.ReadOptions{}); got.MaritalStatus() != registry.Divorced {
			t.Errorf("%s marital status %s after divorce", p, got.MaritalStatus())
		}
	}
	// As of a date inside the marriage, both were married.
	if got := f.read(t, f.national, string(m.PID), registry.ReadOptions{AsOf: date("2025-06-01")}); got.Spouse() != w.Key {
		t.Errorf("as of 2025-06-01 the marriage is not shown")
	}
	f.event(t, f.national, string(m.PID), registry.EventRequest{Type: "marriage", EffectiveDate: "2026-02-01", SpousePID: string(w2.PID)})
}

func testNameChangeSearch(t *testing.T, f *fixture) {
	c := f.person(t, "Nguyễn Thị Hoà", "2000-10-10", "female")
	f.person(t, "Nguyễn Thị Hoa", "2000-10-10", "female") // a different name: no tone mark
	search := func(name, birth string) []string {
		t.Helper()
		res, err := f.reg.Search(f.ctx, f.national, registry.SearchRequest{Name: name, BirthDate: birth})
		if err != nil {
			t.Fatalf("Search(%q): %v", name, err)
		}
		var out []string
		for _, m := range res.Matches {
			out = append(out, m.Citizen.FullName)
		}
		return out
	}
	for _, q := range []string{"Nguyễn Thị Hòa", "nguyen thi hoa", "NGUYỄN THỊ HOÀ", "Nguyễn Thị"} {
		if got := search(q, "2000-10-10"); len(got) != 2 {
			t.Errorf("search %q found %v, want both Hoà and Hoa (folded)", q, got)
		}
	}
	if got := search("Nguyễn Thị Hoà", "2001"); len(got) != 0 {
		t.Errorf("birth year filter ignored: %v", got)
	}
	if got := search("Nguyễn Thị Hoà", "2000"); len(got) != 2 {
		t.Errorf("year-only birth date filter: %v", got)
	}
	f.event(t, f.national, string(c.PID), registry.EventRequest{Type: "name_change", EffectiveDate: "2026-03-03", FullName: "Trần Thị Hoà"})
	if got := search("tran thi hoa", "2000-10-10"); !slices.Equal(got, []string{"Trần Thị Hoà"}) {
		t.Errorf("new name not found: %v", got)
	}
	if got := search("Nguyễn Thị Hoà", "2000-10-10"); !slices.Contains(got, "Trần Thị Hoà") {
		t.Errorf("search by former name does not find the person: %v", got)
	}
	_, err := f.reg.Search(f.ctx, f.national, registry.SearchRequest{Name: "Nguyễn Thị Hoà"})
	wantErr(t, err, errs.Invalid, "birth_date")
	_, err = f.reg.Search(f.ctx, f.national, registry.SearchRequest{Name: "  "})
	wantErr(t, err, errs.Invalid, "name")
	_, err = f.reg.Search(f.ctx, f.national, registry.SearchRequest{Name: "x", BirthDate: "2000", Cursor: "garbage!"})
	wantErr(t, err, errs.Invalid, "cursor")
	// Without a birth date, a commune officer searches their own unit.
	res, err := f.reg.Search(f.ctx, commune(hanoiBaDinh), registry.SearchRequest{Name: "Trần Thị Hoà"})
	if err != nil || len(res.Matches) != 1 {
		t.Fatalf("unit search: %v %+v", err, res)
	}
	res, err = f.reg.Search(f.ctx, commune(hcmSaiGon), registry.SearchRequest{Name: "Trần Thị Hoà"})
	if err != nil || len(res.Matches) != 0 {
		t.Fatalf("another unit's officer found %+v (%v)", res, err)
	}
	// With a birth date, matches outside the unit are shown limited.
	res, err = f.reg.Search(f.ctx, commune(hcmSaiGon), registry.SearchRequest{Name: "Trần Thị Hoà", BirthDate: "2000-10-10"})
	if err != nil || len(res.Matches) != 1 || !res.Matches[0].Limited {
		t.Fatalf("birth-date search from another unit: %+v (%v)", res, err)
	}
	// Paging with a cursor visits every match once.
	var seen []string
	cursor := ""
	for {
		res, err := f.reg.Search(f.ctx, f.national, registry.SearchRequest{Name: "nguyen thi", BirthDate: "2000-10-10", Limit: 1, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Matches {
			seen = append(seen, string(m.Citizen.PID))
		}
		if res.Next == "" {
			break
		}
		cursor = res.Next
	}
	if len(seen) != 2 || seen[0] == seen[1] {
		t.Fatalf("paging saw %v", seen)
	}
}

func testCorrectionBitemporal(t *testing.T, f *fixture) {
	c := f.person(t, "Lê Văn Tám", "1990-01-01", "male")
	p := string(c.PID)
	f.event(t, f.national, p, registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform, Place: hanoiBaDinh, Address: "3 Hàng Bún", NewHousehold: true})
	beforeCorrection := f.now()
	// A back-dated correction: the name was wrong since 2020.
	f.event(t, f.national, p, registry.EventRequest{Type: "correction", EffectiveDate: "2020-01-01", FullName: "Lê Văn Tâm", Reason: "Sai chính tả khi nhập liệu"})
	tests := []struct {
		name    string
		opt     registry.ReadOptions
		wantNam string
	}{
		{"now", registry.ReadOptions{}, "Lê Văn Tâm"},
		{"as of before the correction's date", registry.ReadOptions{AsOf: date("2019-06-01")}, "Lê Văn Tám"},
		{"as of after the correction's date", registry.ReadOptions{AsOf: date("2021-01-01")}, "Lê Văn Tâm"},
		{"known before it was recorded", registry.ReadOptions{AsOf: date("2021-01-01"), KnownAt: beforeCorrection}, "Lê Văn Tám"},
		{"known before, as of today", registry.ReadOptions{KnownAt: beforeCorrection}, "Lê Văn Tám"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.read(t, f.national, p, tt.opt); got.FullName != tt.wantNam {
				t.Fatalf("name %q, want %q", got.FullName, tt.wantNam)
			}
		})
	}
	got := f.read(t, f.national, p, registry.ReadOptions{})
	if !slices.Contains(got.FormerNames, "Lê Văn Tám") {
		t.Errorf("former names %v", got.FormerNames)
	}
	// Before the person was registered, the registry knew nothing.
	_, err := f.reg.Citizen(f.ctx, f.national, p, registry.ReadOptions{KnownAt: Today.Time()})
	wantErr(t, err, errs.NotFound, "")
	_, err = f.reg.Citizen(f.ctx, f.national, p, registry.ReadOptions{AsOf: date("1989-01-01")})
	wantErr(t, err, errs.NotFound, "")
	_, err = f.reg.Citizen(f.ctx, f.national, p, registry.ReadOptions{AsOf: date("2030-01-01")})
	wantErr(t, err, errs.Invalid, "as_of")
	_, err = f.reg.Citizen(f.ctx, f.national, p, registry.ReadOptions{KnownAt: time.Now().Add(24 * time.Hour * 365 * 10)})
	wantErr(t, err, errs.Invalid, "known_at")
}

func testCorrectionNewNumber(t *testing.T, f *fixture) {
	c := f.person(t, "Võ Minh Châu", "2001-06-06", "male")
	old := string(c.PID)
	res := f.event(t, f.national, old, registry.EventRequest{Type: "correction", EffectiveDate: "2026-01-05", Sex: "female", Reason: "Cải chính giới tính theo quyết định"})
	n := res.Citizen
	if string(n.PID) == old || n.PID[3] != '3' || n.PID[:3] != c.PID[:3] || n.PID[4:6] != "01" {
		t.Fatalf("new number %s after sex correction (old %s)", n.PID, old)
	}
	if res.Event.Data.PID != n.PID || res.Event.Data.RetiredPID != c.PID {
		t.Fatalf("the event does not record both numbers: %+v", res.Event.Data)
	}
	// The old number still resolves to the person.
	if got := f.read(t, f.national, old, registry.ReadOptions{}); got.PID != n.PID || len(got.RetiredPIDs) != 1 || string(got.RetiredPIDs[0].Number) != old {
		t.Fatalf("reading by the retired number gave %s, retired %v", got.PID, got.RetiredPIDs)
	}
	// As of before the correction, the old number was in use.
	if got := f.read(t, f.national, string(n.PID), registry.ReadOptions{AsOf: date("2025-12-31")}); string(got.PID) != old {
		t.Fatalf("as of before the correction: %s", got.PID)
	}
	res = f.event(t, f.national, string(n.PID), registry.EventRequest{Type: "correction", EffectiveDate: "2026-01-06", BirthDate: "2002-06-06"})
	if res.Citizen.PID[4:6] != "02" || len(res.Citizen.RetiredPIDs) != 2 {
		t.Fatalf("birth-year correction: %s %v", res.Citizen.PID, res.Citizen.RetiredPIDs)
	}
	res = f.event(t, f.national, old, registry.EventRequest{Type: "correction", EffectiveDate: "2026-01-07", FullName: "Võ Minh Châu Anh"})
	if len(res.Citizen.RetiredPIDs) != 2 {
		t.Fatalf("a name correction issued a number: %v", res.Citizen.RetiredPIDs)
	}
	_, err := f.reg.RecordEvent(f.ctx, f.national, old, registry.EventRequest{Type: "correction"}, registry.WriteOptions{})
	wantErr(t, err, errs.Invalid, "type")
}

func testBackdatedConflict(t *testing.T, f *fixture) {
	m := f.person(t, "Trịnh Văn Công", "1980-01-01", "male")
	w := f.person(t, "Lưu Thị Hằng", "1982-01-01", "female")
	res := f.event(t, f.national, string(m.PID), registry.EventRequest{Type: "marriage", EffectiveDate: "2010-05-01", SpousePID: string(w.PID)})
	before := f.counts(t)
	_, err := f.reg.RecordEvent(f.ctx, f.national, string(m.PID), registry.EventRequest{Type: "death", EffectiveDate: "2009-01-01"}, registry.WriteOptions{})
	e := wantErr(t, err, errs.Conflict, "effective_date")
	ce, _ := e.Extra["conflicting_event"].(map[string]any)
	if ce["id"] != res.Event.ID || ce["type"] != registry.EventMarriage {
		t.Fatalf("conflict names %v, want the marriage %s", e.Extra, res.Event.ID)
	}
	sameCounts(t, "refused back-dated death", before, f.counts(t))
	// An event before the person's birth is refused on its own account.
	_, err = f.reg.RecordEvent(f.ctx, f.national, string(m.PID), registry.EventRequest{Type: "current_residence", EffectiveDate: "1979-01-01", Place: hanoiPhucXa}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "effective_date")
	// A correction of the birth date that would make the marriage under age.
	_, err = f.reg.RecordEvent(f.ctx, f.national, string(m.PID), registry.EventRequest{Type: "correction", EffectiveDate: "2026-01-01", BirthDate: "1995-01-01"}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "birth_date")
	// A back-dated event that fits is accepted and sorts into place.
	f.event(t, f.national, string(m.PID), registry.EventRequest{Type: "current_residence", EffectiveDate: "2005-01-01", Place: hanoiPhucXa})
}

func testDeath(t *testing.T, f *fixture) {
	h := f.person(t, "Đinh Văn Bộ", "1950-01-01", "male")
	w := f.person(t, "Quách Thị Hường", "1952-01-01", "female")
	res := f.event(t, f.national, string(h.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform, Place: hanoiBaDinh, Address: "9 Phan Đình Phùng", NewHousehold: true})
	hid := res.Citizen.Residences[0].HouseholdID
	f.event(t, f.national, string(w.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform, HouseholdID: hid, Relation: "spouse"})
	f.event(t, f.national, string(h.PID), registry.EventRequest{Type: "marriage", EffectiveDate: "1975-01-01", SpousePID: string(w.PID)})

	res = f.event(t, f.national, string(h.PID), registry.EventRequest{Type: "death", EffectiveDate: "2026-10-01", DeathPlace: "Bệnh viện Bạch Mai"})
	if res.Citizen.Status != registry.Dead || res.Citizen.DeathDate != date("2026-10-01") {
		t.Fatalf("after death %+v", res.Citizen)
	}
	if _, ok := res.Citizen.Residence(registry.Permanent, Today); ok {
		t.Errorf("a dead person keeps a permanent residence")
	}
	if got := f.read(t, f.national, string(w.PID), registry.ReadOptions{}); got.MaritalStatus() != registry.Widowed {
		t.Errorf("spouse is %s, want widowed", got.MaritalStatus())
	}
	hv, _ := f.reg.Household(f.ctx, f.national, hid, Today, nil)
	if len(hv.Household.Members) != 1 || hv.Household.Head() != 0 {
		t.Errorf("household after the head's death: %+v", hv.Household.Members)
	}
	// As of before the death the person was alive.
	if got := f.read(t, f.national, string(h.PID), registry.ReadOptions{AsOf: date("2026-09-30")}); got.Status != registry.Alive {
		t.Errorf("as of before death: %s", got.Status)
	}
	for _, req := range []registry.EventRequest{
		{Type: "name_change", FullName: "Đinh Văn Bố"},
		{Type: "death"},
		{Type: "current_residence", Place: hanoiBaDinh},
	} {
		_, err := f.reg.RecordEvent(f.ctx, f.national, string(h.PID), req, registry.WriteOptions{})
		wantErr(t, err, errs.Unprocessable, "")
	}
	// Corrections are still allowed after death.
	f.event(t, f.national, string(h.PID), registry.EventRequest{Type: "correction", FullName: "Đinh Văn Bổ"})
	// A death before birth is refused.
	young := f.person(t, "Tô Văn Út", "2020-01-01", "male")
	_, err := f.reg.RecordEvent(f.ctx, f.national, string(young.PID), registry.EventRequest{Type: "death", EffectiveDate: "2019-01-01"}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "effective_date")
}

func testIfMatch(t *testing.T, f *fixture) {
	c := f.person(t, "Cao Văn Kiên", "1988-08-08", "male")
	tag := registry.ETag(f.read(t, f.national, string(c.PID), registry.ReadOptions{}))
	f.event(t, f.national, string(c.PID), registry.EventRequest{Type: "phone_number", Phone: "0912345678"})
	before := f.counts(t)
	_, err := f.reg.RecordEvent(f.ctx, f.national, string(c.PID), registry.EventRequest{Type: "phone_number", Phone: "0987654321"}, registry.WriteOptions{IfMatch: tag})
	wantErr(t, err, errs.Precondition, "")
	sameCounts(t, "stale If-Match", before, f.counts(t))
	tag = registry.ETag(f.read(t, f.national, string(c.PID), registry.ReadOptions{}))
	if _, err := f.reg.RecordEvent(f.ctx, f.national, string(c.PID), registry.EventRequest{Type: "phone_number", Phone: "0987654321"}, registry.WriteOptions{IfMatch: tag}); err != nil {
		t.Fatal(err)
	}
}

func testEventPages(t *testing.T, f *fixture) {
	c := f.person(t, "Lương Văn Đạt", "1975-05-05", "male")
	p := string(c.PID)
	for _, d := range []string{"2026-01-01", "2026-02-01", "2026-03-01"} {
		f.event(t, f.national, p, registry.EventRequest{Type: "current_residence", EffectiveDate: d, Place: hanoiBaDinh})
	}
	f.event(t, f.national, p, registry.EventRequest{Type: "current_residence", EffectiveDate: "2025-12-01", Place: hanoiBaDinh}) // back-dated
	var dates []string
	cursor := ""
	for range 10 {
		page, err := f.reg.Events(f.ctx, f.national, p, cursor, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			dates = append(dates, e.Effective.String())
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	want := []string{"1975-05-05", "2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01"}
	if !slices.Equal(dates, want) {
		t.Fatalf("history %v, want %v", dates, want)
	}
	_, err := f.reg.Events(f.ctx, f.national, p, "not-a-cursor", 2, nil)
	wantErr(t, err, errs.Invalid, "cursor")
	_, err = f.reg.Events(f.ctx, f.national, "0011", "", 2, nil)
	wantErr(t, err, errs.Invalid, "pid")
	_, err = f.reg.Events(f.ctx, f.national, "001099000000", "", 2, nil)
	wantErr(t, err, errs.NotFound, "")
}

func testLegacyPhone(t *testing.T, f *fixture) {
	a := f.person(t, "Hà Văn Lực", "1960-01-01", "male")
	b := f.person(t, "Hà Thị Liên", "1962-01-01", "female")
	f.event(t, f.national, string(a.PID), registry.EventRequest{Type: "legacy_id", LegacyID: "012345678", LegacyIssuedOn: "1985-03-01"})
	if got := f.read(t, f.national, "012345678", registry.ReadOptions{}); got.PID != a.PID {
		t.Fatalf("legacy number resolves to %s", got.PID)
	}
	_, err := f.reg.RecordEvent(f.ctx, f.national, string(b.PID), registry.EventRequest{Type: "legacy_id", LegacyID: "012345678"}, registry.WriteOptions{})
	wantErr(t, err, errs.Conflict, "legacy_id")
	_, err = f.reg.RecordEvent(f.ctx, f.national, string(b.PID), registry.EventRequest{Type: "legacy_id", LegacyID: "0123"}, registry.WriteOptions{})
	wantErr(t, err, errs.Invalid, "legacy_id")

	f.event(t, f.national, string(a.PID), registry.EventRequest{Type: "phone_number", Phone: "+84 912 345 678"})
	res := f.event(t, f.national, string(a.PID), registry.EventRequest{Type: "phone_number", Phone: "0912345678", PhoneSource: "telco"})
	if len(res.Citizen.Phones) != 1 || res.Citizen.Phones[0].Number != "0912345678" || res.Citizen.Phones[0].Source != registry.PhoneTelco {
		t.Fatalf("phones %+v", res.Citizen.Phones)
	}
	for _, bad := range []registry.EventRequest{
		{Type: "phone_number", Phone: "12345"},
		{Type: "phone_number", Phone: "0912345678", PhoneSource: "rumour"},
	} {
		_, err := f.reg.RecordEvent(f.ctx, f.national, string(a.PID), bad, registry.WriteOptions{})
		wantErr(t, err, errs.Invalid, "")
	}
	_, err = f.reg.RecordEvent(f.ctx, f.national, string(a.PID), registry.EventRequest{Type: "phone_number", Phone: "0999999999", Remove: true}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "phone")
	res = f.event(t, f.national, string(a.PID), registry.EventRequest{Type: "phone_number", Phone: "0912345678", Remove: true})
	if len(res.Citizen.Phones) != 0 {
		t.Fatalf("phone not removed: %+v", res.Citizen.Phones)
	}
}
