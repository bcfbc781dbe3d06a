package quality_test

import (
	"fmt"

	"dancu/internal/civil"
	"dancu/internal/place"
	"dancu/internal/quality"
	"dancu/internal/registry"
)

func ExampleChecker_Assess() {
	svc := &registry.Service{Places: place.Default()}
	k := &quality.Checker{Places: svc.Places, ExpectedPID: svc.ExpectedPID, Lang: "en"}
	c := &registry.Citizen{
		PID: "001190012345", PIDIssuedOn: civil.MustParse("2021-03-01"),
		FullName: "NGUYỄN THỊ LAN", BirthDate: civil.MustParse("1990-05-12"), Sex: registry.Female,
		BirthPlace: "00004", RegistrationPlace: "00004", HomeTown: "00004",
		Ethnicity: "01", Religion: "00", Nationality: "VN", Status: registry.Alive,
		Residences: []registry.Residence{{Kind: registry.Temporary, Place: "00025", Address: "Số 5 phố Giảng Võ",
			From: civil.MustParse("2025-09-01"), Until: civil.MustParse("2026-02-28")}},
	}
	a := k.Assess(c, civil.MustParse("2026-03-15"))
	fmt.Println("score", a.Score, "flags", a.Flags == quality.Flag("temporary_residence_expired")|quality.Flag("adult_without_phone")|quality.Flag("name_not_canonical"))
	for _, f := range a.Findings {
		fmt.Printf("%s %s %s: %s\n", f.Dimension, f.Rule, f.Field, f.Message)
	}
	// The duplicate detector adds its flag; the score follows.
	fmt.Println("with a suspected duplicate:", quality.ScoreOf(a.Flags|quality.FlagDuplicateSuspected))
	// Output:
	// score 84 flags true
	// alive temporary_residence_expired residences[0].until: Temporary residence expired without renewal or deregistration
	// complete adult_without_phone phones: Aged 18 or over with no phone number
	// clean name_not_canonical full_name: Name not in canonical form (Unicode form, tone mark placement, spacing, capitals)
	// with a suspected duplicate: 59
}
