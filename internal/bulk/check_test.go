package bulk

import (
	"reflect"
	"strings"
	"testing"

	"dancu/internal/civil"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

func hasProblem(ps []Problem, field, code string) bool {
	for _, p := range ps {
		if p.Field == field && p.Code == code {
			return true
		}
	}
	return false
}

func TestCheckValid(t *testing.T) {
	r := sampleRow()
	p, ps := r.Check(checkContext())
	if ps != nil {
		t.Fatalf("problems: %v", ps)
	}
	want := &Person{
		PID: "001090012345", PIDIssuedOn: civil.MustParse("2021-03-01"), LegacyIDs: []pid.Legacy{"012345678"},
		FullName: "Nguyễn Văn An", OtherNames: []string{"Tí"}, BirthDate: civil.MustParse("1990-05-17"), Sex: registry.Male,
		BirthPlace: "00004", RegistrationPlace: "00004", HomeTown: "01", Ethnicity: "01", Religion: "00", Nationality: "VN",
		Mother: "001165000001", Father: "001062000002", Spouse: "001192000003", MarriageDate: civil.MustParse("2018-10-20"),
		Permanent: &Residence{Place: "00004", Address: "12 Phố Quán Thánh", From: civil.MustParse("2025-08-01"), HouseholdID: "000000000123", Relation: registry.RelationHead},
		Temporary: &Residence{Place: "26740", Address: "5 Lê Lợi, tổ 3", From: civil.MustParse("2025-09-01"), Until: civil.MustParse("2027-08-31")},
		Phones:    []string{"0912345678"}, Status: registry.Alive,
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("person\n got %+v\nwant %+v", p, want)
	}
	if r2 := p.Row(); r2 != r {
		t.Errorf("Row()\n got %+v\nwant %+v", r2, r)
	}
}

func TestCheckNormalises(t *testing.T) {
	r := Row{
		PID: "001190000001", FullName: "  Hoàng   Thị  Thủy ", OtherNames: ";Thủy; ;Bé;", BirthDate: "1990",
		Sex: "Nữ", RegistrationCountry: "jpn", BirthCountry: "392", Ethnicity: "Ê-đê", Religion: "Thiên Chúa giáo",
		Nationality: "vnm", Phones: "+84 912 345 678;0912.345.678;0398765432", Status: "ALIVE",
		LegacyIDs: "012345678;012345678", CurrentPlace: "26740", CurrentFrom: "2025-12-01",
	}
	p, ps := r.Check(checkContext())
	if ps != nil {
		t.Fatalf("problems: %v", ps)
	}
	if p.FullName != "Hoàng Thị Thủy" || !reflect.DeepEqual(p.OtherNames, []string{"Thủy", "Bé"}) || p.Sex != registry.Female ||
		p.RegistrationCountry != "JP" || p.BirthCountry != "JP" || p.Ethnicity != "11" || p.Religion != "02" || p.Nationality != "VN" ||
		!reflect.DeepEqual(p.Phones, []string{"0912345678", "0398765432"}) || len(p.LegacyIDs) != 1 ||
		p.Current == nil || p.Current.Place != "26740" {
		t.Errorf("person %+v", p)
	}
	// A birth registered in Japan carries Japan's numeric code, 392: this
	// number's 001 is a warning, not a rejection.
	if len(p.Warnings) != 1 || p.Warnings[0].Code != CodePIDMismatch || !strings.Contains(p.Warnings[0].Message, "place_code is 001, expected 392") {
		t.Errorf("warnings %v", p.Warnings)
	}
	again, ps := func() (*Person, []Problem) { r := p.Row(); return r.Check(checkContext()) }()
	if ps != nil || !reflect.DeepEqual(again, p) {
		t.Errorf("checking Row() again: %v\n%+v\n%+v", ps, again, p)
	}
}

// TestCheckPIDMismatchIsKept: a number that disagrees with the birth year
// and sex is a warning for data-quality follow-up, never a rejection.
func TestCheckPIDMismatchIsKept(t *testing.T) {
	r := sampleRow()
	r.PID = "001191012345" // a woman born in 1991
	p, ps := r.Check(checkContext())
	if ps != nil {
		t.Fatalf("problems: %v", ps)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].Message, "century_sex") || !strings.Contains(p.Warnings[0].Message, "birth_year is 1991, expected 1990") {
		t.Errorf("warnings %v", p.Warnings)
	}
	r = sampleRow()
	r.PID = "002090012345" // place code of Hà Giang, registered in Hà Nội
	if p, _ := r.Check(checkContext()); len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].Message, "place_code is 002, expected 001") {
		t.Errorf("warnings %v", p.Warnings)
	}
}

func TestCheckProblems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(r *Row)
		field string
		code  string
	}{
		{"pid missing", func(r *Row) { r.PID = "" }, "pid", CodeRequired},
		{"pid short", func(r *Row) { r.PID = "1090012345" }, "pid", CodeInvalid},
		{"pid full-width", func(r *Row) { r.PID = "００1090012345" }, "pid", CodeInvalid},
		{"legacy malformed", func(r *Row) { r.LegacyIDs = "012345678;12345" }, "legacy_ids", CodeInvalid},
		{"legacy is the pid", func(r *Row) { r.LegacyIDs = r.PID }, "legacy_ids", CodeInconsistent},
		{"name missing", func(r *Row) { r.FullName = "" }, "full_name", CodeRequired},
		{"name with digits", func(r *Row) { r.FullName = "Nguyễn Văn 2" }, "full_name", CodeInvalid},
		{"name with a line break", func(r *Row) { r.FullName = "Nguyễn\nVăn An" }, "full_name", CodeInvalid},
		{"name too long", func(r *Row) { r.FullName = strings.Repeat("a", 101) }, "full_name", CodeTooLong},
		{"other name bad", func(r *Row) { r.OtherNames = "Tí;B@" }, "other_names", CodeInvalid},
		{"name not utf-8", func(r *Row) { r.FullName = "Nguy\xean" }, "full_name", CodeEncoding},
		{"nul in an address", func(r *Row) { r.PermanentAddress = "12 Phố\x00 Huế" }, "permanent_address", CodeInvalid},
		{"birth date missing", func(r *Row) { r.BirthDate = "" }, "birth_date", CodeRequired},
		{"birth date malformed", func(r *Row) { r.BirthDate = "17/05/1990" }, "birth_date", CodeInvalid},
		{"birth date impossible", func(r *Row) { r.BirthDate = "1990-02-30" }, "birth_date", CodeInvalid},
		{"birth date future", func(r *Row) { r.BirthDate = "2027" }, "birth_date", CodeFuture},
		{"birth before 1900", func(r *Row) { r.BirthDate = "1899" }, "birth_date", CodeInvalid},
		{"sex missing", func(r *Row) { r.Sex = "" }, "sex", CodeRequired},
		{"sex unknown", func(r *Row) { r.Sex = "x" }, "sex", CodeInvalid},
		{"birth place unknown", func(r *Row) { r.BirthPlace = "99999" }, "birth_place", CodeUnknownPlace},
		{"birth place a province", func(r *Row) { r.BirthPlace = "01" }, "birth_place", CodeUnknownPlace},
		{"birth place not in force", func(r *Row) { r.BirthPlace = "00001"; r.BirthDate = "2025-08-01"; r.PIDIssuedOn = "" }, "birth_place", CodeNotInForce},
		{"birth place and country", func(r *Row) { r.BirthCountry = "JP" }, "birth_country", CodeInconsistent},
		{"registration missing", func(r *Row) { r.RegistrationPlace = "" }, "registration_place", CodeRequired},
		{"registration country VN", func(r *Row) { r.RegistrationPlace = ""; r.RegistrationCountry = "VN" }, "registration_country", CodeInconsistent},
		{"registration country unknown", func(r *Row) { r.RegistrationPlace = ""; r.RegistrationCountry = "XX" }, "registration_country", CodeUnknownCode},
		{"home town unknown", func(r *Row) { r.HomeTown = "99" }, "home_town", CodeUnknownPlace},
		{"ethnicity unknown", func(r *Row) { r.Ethnicity = "99" }, "ethnicity", CodeUnknownCode},
		{"religion unknown", func(r *Row) { r.Religion = "Jedi" }, "religion", CodeUnknownCode},
		{"nationality unknown", func(r *Row) { r.Nationality = "Atlantis" }, "nationality", CodeUnknownCode},
		{"issued before birth", func(r *Row) { r.PIDIssuedOn = "1989-01-01" }, "pid_issued_on", CodeInconsistent},
		{"mother is self", func(r *Row) { r.MotherPID = r.PID }, "mother_pid", CodeInconsistent},
		{"mother is father", func(r *Row) { r.MotherPID = r.FatherPID }, "father_pid", CodeInconsistent},
		{"father malformed", func(r *Row) { r.FatherPID = "x" }, "father_pid", CodeInvalid},
		{"spouse without date", func(r *Row) { r.MarriageDate = "" }, "marriage_date", CodeRequired},
		{"marriage without spouse", func(r *Row) { r.SpousePID = "" }, "marriage_date", CodeInconsistent},
		{"marriage under age", func(r *Row) { r.MarriageDate = "2009-06-01" }, "marriage_date", CodeInconsistent},
		{"marriage date partial", func(r *Row) { r.MarriageDate = "2018" }, "marriage_date", CodeInvalid},
		{"marriage before birth", func(r *Row) { r.MarriageDate = "1980-01-01" }, "marriage_date", CodeInconsistent},
		{"household malformed", func(r *Row) { r.HouseholdID = "123" }, "household_id", CodeInvalid},
		{"household without relation", func(r *Row) { r.Relation = "" }, "relation", CodeRequired},
		{"relation without household", func(r *Row) { r.HouseholdID = "" }, "relation", CodeInconsistent},
		{"relation unknown", func(r *Row) { r.Relation = "cousin" }, "relation", CodeUnknownCode},
		{"permanent place missing for a head", func(r *Row) { r.PermanentPlace = "" }, "permanent_place", CodeRequired},
		{"permanent address missing", func(r *Row) { r.HouseholdID, r.Relation, r.PermanentAddress = "", "", "" }, "permanent_address", CodeRequired},
		{"permanent from missing", func(r *Row) { r.PermanentFrom = "" }, "permanent_from", CodeRequired},
		{"permanent place not in force", func(r *Row) { r.PermanentPlace = "00001" }, "permanent_place", CodeNotInForce},
		{"permanent from before birth", func(r *Row) { r.PermanentFrom = "1980-01-01" }, "permanent_from", CodeInconsistent},
		{"permanent from future", func(r *Row) { r.PermanentFrom = "2026-03-02" }, "permanent_from", CodeFuture},
		{"temporary until missing", func(r *Row) { r.TemporaryUntil = "" }, "temporary_until", CodeRequired},
		{"temporary until before from", func(r *Row) { r.TemporaryUntil = "2025-08-01" }, "temporary_until", CodeInconsistent},
		{"temporary over two years", func(r *Row) { r.TemporaryUntil = "2027-09-02" }, "temporary_until", CodeInconsistent},
		{"temporary address missing", func(r *Row) { r.TemporaryAddress = "" }, "temporary_address", CodeRequired},
		{"current from missing", func(r *Row) { r.CurrentPlace = "00004" }, "current_from", CodeRequired},
		{"address too long", func(r *Row) { r.PermanentAddress = strings.Repeat("a ", 300) }, "permanent_address", CodeTooLong},
		{"phone malformed", func(r *Row) { r.Phones = "0912345678;024123" }, "phones", CodeInvalid},
		{"status unknown", func(r *Row) { r.Status = "gone" }, "status", CodeInvalid},
		{"dead without date", func(r *Row) { r.Status = "dead" }, "death_date", CodeRequired},
		{"death date for the living", func(r *Row) { r.DeathDate = "2026-01-01" }, "death_date", CodeInconsistent},
		{"death place for the living", func(r *Row) { r.DeathPlace = "Bệnh viện Bạch Mai" }, "death_place", CodeInconsistent},
		{"residence after death", func(r *Row) { r.Status, r.DeathDate = "dead", "2025-08-15" }, "temporary_from", CodeInconsistent},
		{"death before birth", func(r *Row) { r.Status, r.DeathDate = "dead", "1989-01-01" }, "death_date", CodeInconsistent},
		{"missing without date", func(r *Row) { r.Status = "missing" }, "missing_since", CodeRequired},
		{"missing since for the living", func(r *Row) { r.MissingSince = "2020-01-01" }, "missing_since", CodeInconsistent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleRow()
			tc.edit(&r)
			p, ps := r.Check(checkContext())
			if p != nil || !hasProblem(ps, tc.field, tc.code) {
				t.Fatalf("got %v, want %s on %s", ps, tc.code, tc.field)
			}
			for _, q := range ps {
				if q.Message == "" {
					t.Errorf("problem without message: %+v", q)
				}
			}
		})
	}
}

func TestCheckDead(t *testing.T) {
	r := sampleRow()
	r.TemporaryPlace, r.TemporaryAddress, r.TemporaryFrom, r.TemporaryUntil = "", "", "", ""
	r.Status, r.DeathDate, r.DeathPlace = "dead", "2026-01-10", "Bệnh viện  Bạch Mai"
	p, ps := r.Check(checkContext())
	if ps != nil {
		t.Fatal(ps)
	}
	if p.Status != registry.Dead || p.DeathDate != civil.MustParse("2026-01-10") || p.DeathPlace != "Bệnh viện Bạch Mai" {
		t.Errorf("%+v", p)
	}
	// A household member takes the household's place and address.
	r = sampleRow()
	r.Relation, r.PermanentPlace, r.PermanentAddress = "child", "", ""
	if _, ps := r.Check(checkContext()); ps != nil {
		t.Errorf("member: %v", ps)
	}
	// A late registration may name the birth commune as it is today.
	r = sampleRow()
	r.BirthPlace, r.RegistrationPlace, r.PIDIssuedOn = "03980", "03980", ""
	if p, ps := r.Check(checkContext()); ps != nil || p.BirthPlace != "03980" {
		t.Errorf("late registration: %v", ps)
	}
}

func TestNumbers(t *testing.T) {
	ns := NewNumbers()
	check := func(r Row) *Person {
		p, ps := r.Check(checkContext())
		if ps != nil {
			t.Fatal(ps)
		}
		return p
	}
	a := check(sampleRow())
	if ps := ns.Add(a, 2); ps != nil {
		t.Fatal(ps)
	}
	b := sampleRow()
	b.LegacyIDs = "987654321"
	if ps := ns.Add(check(b), 3); len(ps) != 1 || ps[0].Code != CodeDuplicate || ps[0].Field != "pid" || !strings.Contains(ps[0].Message, "line 2") {
		t.Fatalf("duplicate pid: %v", ps)
	}
	// The rejected row recorded nothing: its legacy number is still free.
	c := sampleRow()
	c.PID, c.LegacyIDs = "001090099999", "987654321"
	if ps := ns.Add(check(c), 4); ps != nil {
		t.Fatalf("fresh numbers: %v", ps)
	}
	d := sampleRow()
	d.PID, d.LegacyIDs = "001090088888", "012345678"
	if ps := ns.Add(check(d), 5); len(ps) != 1 || ps[0].Field != "legacy_ids" {
		t.Fatalf("duplicate legacy: %v", ps)
	}
	// A 9-digit and a 12-digit number with the same value differ.
	if numberKey("012345678") == numberKey("000012345678") {
		t.Error("lengths not told apart")
	}
}

func TestTidy(t *testing.T) {
	for _, s := range []string{"", "a", " a", "a ", "a  b", "a b", "a\tb", "a\u00a0b", "a\u2003 b", "Nguyễn Văn An", "x\u0301 y", "\u3000", "a b c"} {
		if got, want := tidy(s), strings.Join(strings.Fields(vntext.NFC(s)), " "); got != want {
			t.Errorf("tidy(%q) = %q, want %q", s, got, want)
		}
	}
}
