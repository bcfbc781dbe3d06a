package quality

import (
	"slices"
	"testing"

	"dancu/internal/civil"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

func TestCleanCitizenScores100(t *testing.T) {
	k := newChecker(t)
	c := cleanCitizen()
	// The fixture's number must really be the one the registry expects.
	if err := pid.Validate(c.PID, k.ExpectedPID(c)); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	a := k.Assess(c, today)
	if a.Score != 100 || a.Flags != 0 || a.Findings != nil {
		t.Fatalf("clean citizen: score %d, findings %+v", a.Score, a.Findings)
	}
}

type ruleCase struct {
	name   string
	mutate func(c *registry.Citizen)
	today  civil.Date // zero: today
	want   []string   // every rule that must fire, and no other
	field  string     // the field of the first wanted rule's finding; empty: not checked
}

func ruleCases() []ruleCase {
	dead := func(c *registry.Citizen, on string) {
		c.Status = registry.Dead
		c.DeathDate = d(on)
		for i := range c.Residences {
			c.Residences[i].Ended = d(on)
		}
	}
	return []ruleCase{
		// correct
		{"pid too short", func(c *registry.Citizen) { c.PID = "00109001234" }, civil.Date{}, []string{"pid_malformed"}, "pid"},
		{"pid with a letter", func(c *registry.Citizen) { c.PID = "00109001234O" }, civil.Date{}, []string{"pid_malformed"}, "pid"},
		{"pid sex digit", func(c *registry.Citizen) { c.Sex = registry.Female }, civil.Date{}, []string{"pid_digits_mismatch"}, "pid"},
		{"pid birth year", func(c *registry.Citizen) { c.BirthDate = d("1991-05-12") }, civil.Date{}, []string{"pid_digits_mismatch"}, "pid"},
		{"pid place code", func(c *registry.Citizen) { c.RegistrationPlace = "26674" }, civil.Date{}, []string{"pid_digits_mismatch"}, "pid"},
		{"death before birth", func(c *registry.Citizen) { dead(c, "1989-01-01"); c.Residences = nil }, civil.Date{}, []string{"death_before_birth"}, "death_date"},
		{"residence in the future", func(c *registry.Citizen) { c.Residences[1].From = d("2026-06-01") }, civil.Date{}, []string{"date_in_future"}, "residences[1].from"},
		{"birth in the future", func(c *registry.Citizen) { c.BirthDate = d("2090-05-12") },
			civil.Date{}, []string{"pid_digits_mismatch", "date_in_future", "date_before_birth"}, ""},
		{"marriage before birth", func(c *registry.Citizen) {
			c.Marriages = []registry.Marriage{{Spouse: 2, From: d("1985-01-01")}}
		}, civil.Date{}, []string{"date_before_birth"}, "marriages[0].from"},
		{"legacy ID issued before birth", func(c *registry.Citizen) { c.LegacyIDs[0].IssuedOn = d("1989") }, civil.Date{}, []string{"date_before_birth"}, "legacy_ids[0].issued_on"},
		{"residence in a commune of the new list before the reform", func(c *registry.Citizen) { c.Residences[0].Place = "11948" },
			civil.Date{}, []string{"place_invalid_on_date"}, "residences[0].place"},
		{"residence in an abolished commune after the reform", func(c *registry.Citizen) { c.Residences[1].Place = "00001" },
			civil.Date{}, []string{"place_invalid_on_date"}, "residences[1].place"},
		{"commune created after the first list used for 2010", func(c *registry.Citizen) { c.Residences[0].Place = "03980" },
			civil.Date{}, []string{"place_invalid_on_date"}, "residences[0].place"},
		{"unknown birth place", func(c *registry.Citizen) { c.BirthPlace = "99999" }, civil.Date{}, []string{"place_invalid_on_date"}, "birth_place"},
		{"province as birth place", func(c *registry.Citizen) { c.BirthPlace = "01" }, civil.Date{}, []string{"place_invalid_on_date"}, "birth_place"},
		{"unknown home town", func(c *registry.Citizen) { c.HomeTown = "99" }, civil.Date{}, []string{"place_invalid_on_date"}, "home_town"},
		{"unknown ethnicity", func(c *registry.Citizen) { c.Ethnicity = "77" }, civil.Date{}, []string{"unknown_code"}, "ethnicity"},
		{"unpadded religion", func(c *registry.Citizen) { c.Religion = "0" }, civil.Date{}, []string{"unknown_code"}, "religion"},
		{"unknown nationality", func(c *registry.Citizen) { c.Nationality = "XX" }, civil.Date{}, []string{"unknown_code"}, "nationality"},
		{"Viet Nam as birth country", func(c *registry.Citizen) { c.BirthCountry = "VN" }, civil.Date{}, []string{"place_country_conflict"}, "birth_country"},
		{"commune and country", func(c *registry.Citizen) { c.BirthCountry = "FR" }, civil.Date{}, []string{"place_country_conflict"}, "birth_country"},
		// The registry reads a registration abroad from the country, so the
		// place code of the number disagrees too.
		{"registration commune and country", func(c *registry.Citizen) { c.RegistrationCountry = "FR" },
			civil.Date{}, []string{"place_country_conflict", "pid_digits_mismatch"}, "registration_country"},
		{"dead without a death date", func(c *registry.Citizen) { dead(c, "2025-12-01"); c.DeathDate = civil.Date{} },
			civil.Date{}, []string{"status_inconsistent"}, "death_date"},
		{"dead with a residence open", func(c *registry.Citizen) { dead(c, "2025-12-01"); c.Residences[0].Ended = civil.Date{} },
			civil.Date{}, []string{"status_inconsistent"}, "residences[0].ended"},
		{"unknown status", func(c *registry.Citizen) { c.Status = "" }, civil.Date{}, []string{"status_inconsistent"}, "status"},
		{"alive with a missing date", func(c *registry.Citizen) { c.MissingSince = d("2020-01-01") }, civil.Date{}, []string{"status_inconsistent"}, "missing_since"},
		{"temporary residence without term", func(c *registry.Citizen) { c.Residences[1].Until = civil.Date{} },
			civil.Date{}, []string{"residence_inconsistent"}, "residences[1].until"},
		{"two permanent residences at once", func(c *registry.Citizen) {
			c.Residences = append(c.Residences, registry.Residence{Kind: registry.Permanent, Place: "00004", Address: "Số 1 phố Quán Thánh", From: d("2015-01-01")})
		}, civil.Date{}, []string{"residence_inconsistent"}, "residences[2].from"},
		{"residence ended before it began", func(c *registry.Citizen) { c.Residences[0].Ended = d("2007-01-01") },
			civil.Date{}, []string{"residence_inconsistent"}, "residences[0].ended"},

		// complete
		{"no name", func(c *registry.Citizen) { c.FullName = "" }, civil.Date{}, []string{"missing_full_name"}, "full_name"},
		{"no birth date", func(c *registry.Citizen) { c.BirthDate = civil.Date{} }, civil.Date{}, []string{"missing_birth_date"}, "birth_date"},
		{"no sex", func(c *registry.Citizen) { c.Sex = "" }, civil.Date{}, []string{"missing_sex"}, "sex"},
		{"invalid sex", func(c *registry.Citizen) { c.Sex = "x" }, civil.Date{}, []string{"missing_sex"}, "sex"},
		{"no registration place", func(c *registry.Citizen) { c.RegistrationPlace = "" }, civil.Date{}, []string{"missing_registration_place"}, "registration_place"},
		{"dead without a name", func(c *registry.Citizen) { dead(c, "2025-12-01"); c.FullName = "" }, civil.Date{}, []string{"missing_full_name"}, "full_name"},
		{"no birth place", func(c *registry.Citizen) { c.BirthPlace = "" }, civil.Date{}, []string{"missing_birth_place"}, "birth_place"},
		{"no ethnicity", func(c *registry.Citizen) { c.Ethnicity = "" }, civil.Date{}, []string{"missing_ethnicity"}, "ethnicity"},
		{"no religion", func(c *registry.Citizen) { c.Religion = "" }, civil.Date{}, []string{"missing_religion"}, "religion"},
		{"no nationality", func(c *registry.Citizen) { c.Nationality = "" }, civil.Date{}, []string{"missing_nationality"}, "nationality"},
		{"no home town", func(c *registry.Citizen) { c.HomeTown = "" }, civil.Date{}, []string{"missing_home_town"}, "home_town"},
		{"only a current residence", func(c *registry.Citizen) {
			c.Residences = []registry.Residence{{Kind: registry.Current, Place: "00025", Address: "Số 5 phố Giảng Võ", From: d("2025-09-01")}}
		}, civil.Date{}, []string{"missing_permanent_residence"}, "residences"},
		{"adult without phone", func(c *registry.Citizen) { c.Phones = nil }, civil.Date{}, []string{"adult_without_phone"}, "phones"},
		{"year of birth only", func(c *registry.Citizen) { c.BirthDate = civil.YearOnly(1990) }, civil.Date{}, []string{"birth_date_imprecise"}, "birth_date"},
		{"month of birth only", func(c *registry.Citizen) { c.BirthDate = d("1990-05") }, civil.Date{}, []string{"birth_date_imprecise"}, "birth_date"},
		{"residence without address", func(c *registry.Citizen) { c.Residences[0].Address = " " }, civil.Date{}, []string{"residence_without_address"}, "residences[0].address"},

		// clean
		{"digit in name", func(c *registry.Citizen) { c.FullName = "Nguyễn Văn 2" }, civil.Date{}, []string{"junk_name"}, "full_name"},
		{"xxx as name", func(c *registry.Citizen) { c.FullName = "xxx" }, civil.Date{}, []string{"junk_name"}, "full_name"},
		{"placeholder name", func(c *registry.Citizen) { c.FullName = "Không rõ" }, civil.Date{}, []string{"junk_name"}, "full_name"},
		{"N/A as name", func(c *registry.Citizen) { c.FullName = "N/A" }, civil.Date{}, []string{"junk_name"}, "full_name"},
		{"punctuation in name", func(c *registry.Citizen) { c.FullName = "Nguyễn Văn Hoàng." }, civil.Date{}, []string{"junk_name"}, "full_name"},
		{"junk other name", func(c *registry.Citizen) { c.OtherNames = []string{"Hoàng Anh", "test"} }, civil.Date{}, []string{"junk_name"}, "other_names[1]"},
		{"all capitals", func(c *registry.Citizen) { c.FullName = "NGUYỄN VĂN HOÀNG" }, civil.Date{}, []string{"name_not_canonical"}, "full_name"},
		{"all lower case", func(c *registry.Citizen) { c.FullName = "nguyễn văn hoàng" }, civil.Date{}, []string{"name_not_canonical"}, "full_name"},
		{"word in lower case", func(c *registry.Citizen) { c.FullName = "Nguyễn văn Hoàng" }, civil.Date{}, []string{"name_not_canonical"}, "full_name"},
		{"double space", func(c *registry.Citizen) { c.FullName = "Nguyễn  Văn Hoàng" }, civil.Date{}, []string{"name_not_canonical"}, "full_name"},
		{"trailing space", func(c *registry.Citizen) { c.FullName = "Nguyễn Văn Hoàng " }, civil.Date{}, []string{"name_not_canonical"}, "full_name"},
		{"decomposed name", func(c *registry.Citizen) { c.FullName = "Nguye\u0302\u0303n Va\u0306n Hoa\u0300ng" }, civil.Date{}, []string{"name_not_canonical"}, "full_name"},
		{"misplaced tone mark", func(c *registry.Citizen) { c.FullName = "Nguyễn Văn Hòang" }, civil.Date{}, []string{"name_not_canonical"}, "full_name"},
		{"name without diacritics", func(c *registry.Citizen) { c.FullName = "Nguyen Van Hoang" }, civil.Date{}, []string{"name_missing_diacritics"}, "full_name"},
		{"placeholder address", func(c *registry.Citizen) { c.Residences[0].Address = "không rõ" }, civil.Date{}, []string{"placeholder_value"}, "residences[0].address"},
		{"xxx as address", func(c *registry.Citizen) { c.Residences[1].Address = "XXXX" }, civil.Date{}, []string{"placeholder_value"}, "residences[1].address"},
		{"dash as death place", func(c *registry.Citizen) { dead(c, "2025-12-01"); c.DeathPlace = "-" }, civil.Date{}, []string{"placeholder_value"}, "death_place"},
		{"landline number", func(c *registry.Citizen) { c.Phones[0].Number = "0243826888" }, civil.Date{}, []string{"phone_malformed"}, "phones[0].number"},
		{"phone not normalised", func(c *registry.Citizen) { c.Phones[0].Number = "+84983217465" }, civil.Date{}, []string{"phone_malformed"}, "phones[0].number"},
		{"test phone number", func(c *registry.Citizen) { c.Phones[0].Number = "0912345678" }, civil.Date{}, []string{"phone_test_number"}, "phones[0].number"},
		{"repeated phone digits", func(c *registry.Citizen) { c.Phones[0].Number = "0900000000" }, civil.Date{}, []string{"phone_test_number"}, "phones[0].number"},
		{"legacy ID a run", func(c *registry.Citizen) { c.LegacyIDs[0].Number = "123456789" }, civil.Date{}, []string{"legacy_id_malformed"}, "legacy_ids[0].number"},
		{"legacy ID too short", func(c *registry.Citizen) { c.LegacyIDs[0].Number = "0135792" }, civil.Date{}, []string{"legacy_id_malformed"}, "legacy_ids[0].number"},

		// alive
		{"temporary residence expired", func(c *registry.Citizen) { c.Residences[1].Until = d("2026-01-31") },
			civil.Date{}, []string{"temporary_residence_expired"}, "residences[1].until"},
		{"child's temporary residence expired", func(c *registry.Citizen) {
			c.PID, c.BirthDate, c.PIDIssuedOn = "001216012345", d("2016-02-01"), d("2016-03-01")
			c.Phones, c.LegacyIDs, c.Residences[0].From = nil, nil, d("2016-02-01")
			c.Residences[1].Until = d("2026-01-31")
		}, civil.Date{}, []string{"temporary_residence_expired"}, "residences[1].until"},
		{"only residence a temporary one, expired", func(c *registry.Citizen) {
			c.Residences = []registry.Residence{{Kind: registry.Temporary, Place: "00025", Address: "Số 5 phố Giảng Võ", From: d("2024-01-01"), Until: d("2025-12-31")}}
		}, civil.Date{}, []string{"temporary_residence_expired"}, "residences[0].until"},
		{"permanent residence deregistered", func(c *registry.Citizen) {
			c.Residences = c.Residences[:1]
			c.Residences[0].Ended = d("2024-01-01")
		}, civil.Date{}, []string{"no_residence_in_force"}, "residences"},
		{"over 120", func(c *registry.Citizen) {
			c.PID, c.BirthDate = "001000012345", d("1900-01-01")
		}, civil.Date{}, []string{"over_120_alive"}, "status"},
		{"missing for years", func(c *registry.Citizen) { c.Status, c.MissingSince = registry.Missing, d("2022-01-01") },
			civil.Date{}, []string{"missing_not_followed_up"}, "missing_since"},
	}
}

func TestRules(t *testing.T) {
	k := newChecker(t)
	fired := map[string]bool{}
	for _, tc := range ruleCases() {
		t.Run(tc.name, func(t *testing.T) {
			c := cleanCitizen()
			tc.mutate(c)
			day := today
			if !tc.today.IsZero() {
				day = tc.today
			}
			a := k.Assess(c, day)
			got := firedCodes(a.Flags)
			want := slices.Clone(tc.want)
			slices.SortFunc(want, func(x, y string) int {
				rx, _ := RuleByCode(x)
				ry, _ := RuleByCode(y)
				return int(rx.Bit) - int(ry.Bit)
			})
			if !slices.Equal(got, want) {
				t.Fatalf("fired %v, want %v (findings %+v)", got, want, a.Findings)
			}
			if a.Score != ScoreOf(a.Flags) {
				t.Errorf("score %d, ScoreOf(flags) %d", a.Score, ScoreOf(a.Flags))
			}
			if len(a.Findings) != len(want) {
				t.Errorf("%d findings for %d rules", len(a.Findings), len(want))
			}
			if tc.field != "" {
				i := slices.IndexFunc(a.Findings, func(f Finding) bool { return f.Rule == tc.want[0] })
				if a.Findings[i].Field != tc.field {
					t.Errorf("finding %s names field %q, want %q", tc.want[0], a.Findings[i].Field, tc.field)
				}
			}
			for _, w := range tc.want {
				fired[w] = true
			}
		})
	}
	// Every rule Assess can set has a case that makes it fire.
	for _, r := range Rules {
		if !r.External && !fired[r.Code] {
			t.Errorf("no case makes rule %s fire", r.Code)
		}
	}
}

// TestRulesDoNotFire lists records close to the cases above that no rule
// must fault.
func TestRulesDoNotFire(t *testing.T) {
	k := newChecker(t)
	for _, tc := range []struct {
		name   string
		mutate func(c *registry.Citizen)
	}{
		{"late registration naming today's commune", func(c *registry.Citizen) { c.BirthPlace = "11948" }},
		{"home town of the new list", func(c *registry.Citizen) { c.HomeTown = "11948" }},
		{"home town a province", func(c *registry.Citizen) { c.HomeTown = "01" }},
		{"year of birth only before 1976", func(c *registry.Citizen) {
			c.PID, c.BirthDate = "001060012345", civil.YearOnly(1960)
			c.LegacyIDs[0].IssuedOn = d("1978-01-01")
		}},
		{"new-style tone marks", func(c *registry.Citizen) {
			c.FullName, c.OtherNames = "Nguyễn Văn Hoà", []string{"Thuỵ"}
		}},
		{"ethnic minority name", func(c *registry.Citizen) {
			c.FullName, c.Ethnicity, c.OtherNames = "Ksor H'Luân", "11", nil
		}},
		{"foreign name of a foreigner", func(c *registry.Citizen) {
			c.FullName, c.Nationality, c.OtherNames = "Le Van", "FR", nil
		}},
		{"name Võ Danh", func(c *registry.Citizen) { c.FullName = "Võ Danh" }},
		{"temporary residence followed by a later one", func(c *registry.Citizen) {
			c.Residences[1].Until = d("2026-01-31")
			c.Residences = append(c.Residences, registry.Residence{Kind: registry.Current, Place: "00025", Address: "Số 9 phố Giảng Võ", From: d("2026-02-10")})
		}},
		{"renewed temporary residence", func(c *registry.Citizen) {
			c.Residences[1].Ended = d("2026-01-15")
			c.Residences = append(c.Residences, registry.Residence{Kind: registry.Temporary, Place: "00025", Address: "Số 5 phố Giảng Võ", From: d("2026-01-15"), Until: d("2028-01-14")})
		}},
		{"child without phone or residence", func(c *registry.Citizen) {
			c.PID, c.BirthDate, c.PIDIssuedOn = "001216012345", d("2016-02-01"), d("2016-03-01")
			c.Phones, c.LegacyIDs, c.Residences, c.Marriages = nil, nil, nil, nil
		}},
		{"dead: no phone, ethnicity or residence in force", func(c *registry.Citizen) {
			c.Status, c.DeathDate, c.DeathPlace = registry.Dead, d("2025-12-01"), "Bệnh viện Bạch Mai"
			for i := range c.Residences {
				c.Residences[i].Ended = d("2025-12-01")
			}
			c.Phones, c.Ethnicity, c.Religion, c.HomeTown = nil, "", "", ""
		}},
		{"missing recently", func(c *registry.Citizen) {
			c.Status, c.MissingSince, c.Phones = registry.Missing, d("2024-01-01"), nil
			c.Residences[1].Until = d("2026-01-31")
		}},
		{"born abroad", func(c *registry.Citizen) {
			c.PID, c.BirthPlace, c.BirthCountry = "250090012345", "", "FR"
			c.RegistrationPlace, c.RegistrationCountry = "", "FR"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cleanCitizen()
			tc.mutate(c)
			if a := k.Assess(c, today); a.Flags != 0 || a.Score != 100 {
				t.Fatalf("fired %v (findings %+v)", firedCodes(a.Flags), a.Findings)
			}
		})
	}
}

func TestAssessNeverSetsExternalFlags(t *testing.T) {
	k := newChecker(t)
	for _, tc := range ruleCases() {
		c := cleanCitizen()
		tc.mutate(c)
		if a := k.Assess(c, today); a.Flags&ExternalMask != 0 {
			t.Errorf("%s: Assess set %v", tc.name, firedCodes(a.Flags&ExternalMask))
		}
	}
}

func TestTimedSetsOnlyTimeDependentRules(t *testing.T) {
	for _, tc := range ruleCases() {
		c := cleanCitizen()
		tc.mutate(c)
		var r recorder
		timed(&r, c, today)
		if r.flags&^timeMask != 0 {
			t.Errorf("%s: timed set %v", tc.name, firedCodes(r.flags&^timeMask))
		}
	}
}

func TestZeroChecker(t *testing.T) {
	var k Checker
	if a := k.Assess(cleanCitizen(), today); a.Score != 100 {
		t.Fatalf("zero Checker: %+v", a.Findings)
	}
	c := cleanCitizen()
	c.Sex = registry.Female
	if a := k.Assess(c, today); firedCodes(a.Flags)[0] != "pid_digits_mismatch" {
		t.Fatalf("zero Checker does not check the sex digit: %+v", a.Findings)
	}
}

func TestFindingsLanguageAndOrder(t *testing.T) {
	k := newChecker(t)
	k.Lang = "en"
	c := cleanCitizen()
	c.Phones = nil      // weight 3
	c.BirthPlace = "01" // weight 15
	c.Ethnicity = "77"  // weight 10
	a := k.Assess(c, today)
	var got []string
	for _, f := range a.Findings {
		got = append(got, f.Rule)
		r, _ := RuleByCode(f.Rule)
		if f.Message != r.Title["en"] || f.Dimension != r.Dimension {
			t.Errorf("finding %+v: want the English title and dimension %s", f, r.Dimension)
		}
	}
	want := []string{"place_invalid_on_date", "unknown_code", "adult_without_phone"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings %v, want worst first %v", got, want)
	}
	if a.Score != 100-15-10-3 {
		t.Errorf("score %d", a.Score)
	}
	k.Lang = ""
	if f := k.Assess(c, today).Findings[0]; f.Message != "Mã đơn vị hành chính không có hiệu lực vào ngày tương ứng" {
		t.Errorf("default language: %q", f.Message)
	}
}

func TestScoreFloorsAtZero(t *testing.T) {
	k := newChecker(t)
	c := &registry.Citizen{PID: "x", Status: "zombie"}
	a := k.Assess(c, today)
	if a.Score != 0 || ScoreOf(a.Flags) != 0 {
		t.Fatalf("score %d for %v", a.Score, firedCodes(a.Flags))
	}
}

func TestAliveFrom(t *testing.T) {
	k := newChecker(t)
	child := func(birth string) func(c *registry.Citizen) {
		return func(c *registry.Citizen) {
			b := d(birth)
			c.PID = pid.Number("0012" + birth[2:4] + "012345")
			c.BirthDate, c.PIDIssuedOn = b, b.AddDays(20)
			c.Phones, c.LegacyIDs, c.Residences = nil, nil, nil
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(c *registry.Citizen)
		today  civil.Date
		want   civil.Date
	}{
		{"temporary residence ends", func(c *registry.Citizen) {}, today, d("2027-09-01")},
		{"temporary residence already expired: 120th birthday", func(c *registry.Citizen) { c.Residences[1].Until = d("2026-01-31") }, today, d("2110-05-12")},
		{"no temporary residence: 120th birthday", func(c *registry.Citizen) { c.Residences = c.Residences[:1] }, today, d("2110-05-12")},
		{"child without residence turns 14", child("2015-03-20"), today, d("2029-03-20")},
		{"child with residence and no phone turns 18", func(c *registry.Citizen) {
			child("2015-03-20")(c)
			c.Residences = []registry.Residence{{Kind: registry.Permanent, Place: "00004", Address: "Số 12 ngõ 34 phố Trúc Bạch", From: d("2015-03-20")}}
		}, today, d("2033-03-20")},
		{"born on 29 February", child("2012-02-29"), d("2026-02-27"), d("2026-03-01")},
		{"missing person: three years on", func(c *registry.Citizen) { c.Status, c.MissingSince = registry.Missing, d("2024-06-01") }, today, d("2027-06-01")},
		{"dead", func(c *registry.Citizen) {
			c.Status, c.DeathDate = registry.Dead, d("2025-12-01")
			for i := range c.Residences {
				c.Residences[i].Ended = d("2025-12-01")
			}
		}, today, civil.Date{}},
		{"no birth date, no term", func(c *registry.Citizen) { c.BirthDate = civil.Date{}; c.Residences = c.Residences[:1] }, today, civil.Date{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cleanCitizen()
			tc.mutate(c)
			a := k.Assess(c, tc.today)
			if a.AliveFrom != tc.want {
				t.Fatalf("AliveFrom %s, want %s (findings %+v)", a.AliveFrom, tc.want, a.Findings)
			}
			if a.AliveFrom.IsZero() {
				return
			}
			// Nothing new fires before AliveFrom; something does on it.
			if prev := k.Assess(c, a.AliveFrom.AddDays(-1)); prev.Flags&timeMask&^a.Flags != 0 {
				t.Errorf("on the eve of AliveFrom %v already fire", firedCodes(prev.Flags&^a.Flags))
			}
			if on := k.Assess(c, a.AliveFrom); on.Flags&timeMask&^a.Flags == 0 {
				t.Errorf("nothing new fires on AliveFrom %s", a.AliveFrom)
			}
		})
	}
}

// TestAliveFromDayByDay walks every day from a child's birth to its 19th
// birthday and checks that time-dependent flags appear only on an
// AliveFrom announced the day before.
func TestAliveFromDayByDay(t *testing.T) {
	k := newChecker(t)
	c := cleanCitizen()
	c.PID, c.BirthDate, c.PIDIssuedOn = "001208012345", d("2008-02-29"), d("2008-03-10")
	c.Phones, c.LegacyIDs = nil, nil
	c.Residences = []registry.Residence{{Kind: registry.Temporary, Place: "00004", Address: "Số 1 phố Quán Thánh", From: d("2020-01-01"), Until: d("2021-12-31")}}
	day := c.BirthDate
	prev := k.Assess(c, day)
	for day = day.AddDays(1); day.Before(d("2027-03-01")); day = day.AddDays(1) {
		a := k.Assess(c, day)
		if newly := a.Flags & timeMask &^ prev.Flags; newly != 0 && prev.AliveFrom != day {
			t.Fatalf("%s: %v fire, but the day before AliveFrom was %s", day, firedCodes(newly), prev.AliveFrom)
		}
		if !prev.AliveFrom.IsZero() && prev.AliveFrom.Before(day) {
			t.Fatalf("%s: AliveFrom %s has passed", day, prev.AliveFrom)
		}
		prev = a
	}
}

func TestAnniversary(t *testing.T) {
	for _, tc := range []struct {
		birth string
		n     int
		want  string
	}{
		{"2000-05-12", 14, "2014-05-12"},
		{"2012-02-29", 14, "2026-03-01"},
		{"2012-02-29", 4, "2016-02-29"},
		{"1990", 18, "2008-01-01"},
		{"1990-07", 18, "2008-07-01"},
	} {
		b := d(tc.birth)
		got := anniversary(b, tc.n)
		if got != d(tc.want) || b.AgeOn(got) != tc.n || b.AgeOn(got.AddDays(-1)) != tc.n-1 {
			t.Errorf("anniversary(%s, %d) = %s, want %s", tc.birth, tc.n, got, tc.want)
		}
	}
	if !anniversary(d("2390-01-01"), 120).IsZero() {
		t.Error("anniversary past the last year is not zero")
	}
}
