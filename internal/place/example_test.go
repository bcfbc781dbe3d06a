package place_test

import (
	"errors"
	"fmt"

	"dancu/internal/civil"
	"dancu/internal/place"
)

func ExampleCatalogue_Resolve() {
	c := place.Default()
	// A birth registered in 2010 in commune 00016.
	r, err := c.Resolve("00016", civil.MustParse("2010-05-01"))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Unit, "ambiguous:", r.Ambiguous)
	for _, s := range r.Current {
		fmt.Println(" ", s.Unit, s.Kind)
	}
	// Output:
	// Phường Ngọc Hà (00016) ambiguous: true
	//   Phường Ba Đình (00004) partial
	//   Phường Ngọc Hà (00008) partial
}

func ExampleCatalogue_Lookup() {
	c := place.Default()
	for _, d := range []string{"2025-06-30", "2025-07-01"} {
		u, _ := c.Lookup("15", civil.MustParse(d))
		fmt.Println(d, u.Name)
	}
	_, err := c.Lookup("00001", civil.MustParse("2025-08-01"))
	fmt.Println(errors.Is(err, place.ErrNotInForce))
	fmt.Println(err)
	// Output:
	// 2025-06-30 Tỉnh Yên Bái
	// 2025-07-01 Tỉnh Lào Cai
	// true
	// place: unit 00001 did not exist on 2025-08-01: Phường Phúc Xá was in force until 2025-06-30; today it is part of Phường Hồng Hà (00097)
}

func ExampleCatalogue_PIDPlaceCode() {
	c := place.Default()
	// Phường Quang Trung (00688) of old Hà Giang (02), which merged into
	// Tuyên Quang (08) on 2025-07-01.
	registered := civil.MustParse("2010-03-01")
	for _, issued := range []string{"2020-01-01", "2026-01-01"} {
		code, err := c.PIDPlaceCode("00688", registered, civil.MustParse(issued))
		fmt.Println(issued, code, err)
	}
	// Output:
	// 2020-01-01 002 <nil>
	// 2026-01-01 008 <nil>
}
