package quality

import (
	"testing"

	"dancu/internal/civil"
	"dancu/internal/place"
	"dancu/internal/registry"
)

func d(s string) civil.Date { return civil.MustParse(s) }

// today is the day the tests assess on.
var today = d("2026-03-15")

// newChecker returns a Checker wired as production wires it: the embedded
// catalogue and the registry service's expectation of a number.
func newChecker(tb testing.TB) *Checker {
	tb.Helper()
	svc := &registry.Service{Places: place.Default()}
	return &Checker{Places: svc.Places, ExpectedPID: svc.ExpectedPID}
}

// cleanCitizen is a realistic record no rule faults on today: a man born in
// Hà Nội in 1990, number issued in 2021, permanent residence in his
// birthplace since 2008 (a code of the old list) and a temporary residence
// in a commune of the new list since the 2025 reform.
func cleanCitizen() *registry.Citizen {
	return &registry.Citizen{
		Key:               1,
		PID:               "001090012345", // 001 Hà Nội, 0 male 1900s, 90, serial
		PIDIssuedOn:       d("2021-03-01"),
		FullName:          "Nguyễn Văn Hoàng",
		OtherNames:        []string{"Hoàng Anh"},
		BirthDate:         d("1990-05-12"),
		Sex:               registry.Male,
		BirthPlace:        "00004", // Phường Trúc Bạch until 2025-06-30
		RegistrationPlace: "00004",
		HomeTown:          "00004",
		Ethnicity:         "01",
		Religion:          "00",
		Nationality:       "VN",
		Status:            registry.Alive,
		Phones:            []registry.Phone{{Number: "0983217465", Source: registry.PhoneDeclared, Since: d("2019-01-01"), EventID: "E3"}},
		LegacyIDs:         []registry.LegacyID{{Number: "013579246", IssuedOn: d("2006-07-01")}},
		Residences: []registry.Residence{
			{Kind: registry.Permanent, Place: "00004", Address: "Số 12 ngõ 34 phố Trúc Bạch", HouseholdID: "000000000042",
				Relation: "child", From: d("2008-01-01"), EventID: "E1"},
			{Kind: registry.Temporary, Place: "00025", Address: "Số 5 phố Giảng Võ", // Phường Giảng Võ since 2025-07-01
				From: d("2025-09-01"), Until: d("2027-08-31"), EventID: "E2"},
		},
		LastEventID: "E3",
		Version:     4,
	}
}

func firedCodes(flags uint64) []string {
	var out []string
	for _, r := range Rules {
		if flags&(1<<r.Bit) != 0 {
			out = append(out, r.Code)
		}
	}
	return out
}
