package dedup

import (
	"math"
	"slices"
	"testing"

	"dancu/internal/civil"
)

func TestNormAddress(t *testing.T) {
	tests := []struct {
		in, want string
		house    bool
	}{
		{"Số 12, ngõ 45, phố Kim Mã", "12 ngo 45 kim ma", true},
		{"12 ngõ 45 Kim Mã", "12 ngo 45 kim ma", true},
		{"số nhà 12 ngõ 45 đường Kim Mã", "12 ngo 45 kim ma", true},
		{"SỐ 12 NGÕ 45 KIM MÃ", "12 ngo 45 kim ma", true},
		{"123/45 Lê Lợi", "123 45 le loi", true},
		{"Căn hộ 1203, tòa A", "1203 toa a", true},
		{"Phòng 305 ký túc xá", "305 ky tuc xa", true},
		{"Xóm 4, số nhà 27", "xom 4 27", true},
		{"Thôn 3", "thon 3", false},
		{"Tổ 5, khu phố 2", "to 5 khu 2", false},
		{"Tổ dân phố 6", "to dan 6", false},
		{"Ấp Tân Phú", "ap tan phu", false},
		{"Chung cư HH4A Linh Đàm", "chung cu hh4a linh dam", false},
		{"Hồ Tùng Mậu", "ho tung mau", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, house := normAddress(nil, tt.in)
		if string(got) != tt.want || house != tt.house {
			t.Errorf("normAddress(%q) = %q, %v; want %q, %v", tt.in, got, house, tt.want, tt.house)
		}
	}
}

func TestCommonPhone(t *testing.T) {
	tests := []struct {
		a, b []string
		want bool
	}{
		{[]string{"0912345678"}, []string{"0912345678"}, true},
		{[]string{"+84 912 345 678"}, []string{"0912.345.678"}, true},
		{[]string{"0988000111", "0912345678"}, []string{"84912345678"}, true},
		{[]string{"0912345678"}, []string{"0912345679"}, false},
		{[]string{"113"}, []string{"113"}, false}, // not a subscriber's number
		{nil, []string{"0912345678"}, false},
	}
	for _, tt := range tests {
		a, b := Record{Phones: tt.a}, Record{Phones: tt.b}
		if _, got := commonPhone(&a, &b); got != tt.want {
			t.Errorf("commonPhone(%v, %v) = %v", tt.a, tt.b, got)
		}
		if _, got := commonPhone(&b, &a); got != tt.want {
			t.Errorf("commonPhone(%v, %v) = %v", tt.b, tt.a, got)
		}
	}
}

func weightOf(c Candidate, code string) (float64, bool) {
	for _, r := range c.Reasons {
		if r.Code == code {
			return r.Weight, true
		}
	}
	return 0, false
}

// TestFamilyEvidence checks the home town, the address and the phone: each
// is evidence when the names agree, a differing address is no evidence
// against, and the rules on parents and children and on twins still win.
func TestFamilyEvidence(t *testing.T) {
	// A common name, a year-only date on one record, the same birth place:
	// not enough on its own (namesakes born the same year in one commune
	// are not rare).
	orig := Record{Key: 1, FullName: "Nguyễn Văn Toàn", BirthDate: civil.MustParse("1985-06-12"), Sex: "male",
		BirthPlace: "00331", Province: "01", Commune: "00331", HomeTown: "00331",
		Addresses: []Address{{Place: "00331", Text: "Số 12, ngõ 45, phố Kim Mã"}}, Phones: []string{"0912345678"}}
	copyOf := func(edit func(r *Record)) Record {
		r := Record{Key: 2, FullName: "Nguyen Van Toan", BirthDate: civil.YearOnly(1985), Sex: "male",
			BirthPlace: "00331", Province: "79", Commune: "27028", HomeTown: "00331"}
		if edit != nil {
			edit(&r)
		}
		return r
	}
	bare := copyOf(nil)

	hamlet := orig
	hamlet.Addresses = []Address{{Place: "00331", Text: "Thôn 3"}}
	// Siblings or twins without parents on record: the given names differ.
	brother := orig
	brother.Key, brother.FullName = 3, "Nguyễn Văn Tài"
	// Father and son with one name, one house, one phone.
	son := orig
	son.Key, son.BirthDate, son.FatherKey = 4, civil.MustParse("2012-03-03"), 1
	// Twins: the same parents and birth date, another given name.
	twinA := orig
	twinA.MotherKey, twinA.FatherKey = 90, 91
	twinB := twinA
	twinB.Key, twinB.FullName = 5, "Nguyễn Văn Tú"
	// Namesakes in a block of flats written without the flat: hundreds
	// live there.
	flatA := Record{Key: 6, FullName: "Nguyễn Thị Hương", BirthDate: civil.YearOnly(1990), Sex: "female",
		BirthPlace: "16882", Province: "01", Commune: "00331",
		Addresses: []Address{{Place: "00331", Text: "Chung cư HH4A Linh Đàm"}}}
	flatB := Record{Key: 7, FullName: "Nguyễn Thị Hương", BirthDate: civil.MustParse("1990-08-17"), Sex: "female",
		BirthPlace: "12271", Province: "01", Commune: "00331",
		Addresses: []Address{{Place: "00331", Text: "Chung cư HH4A, Linh Đàm"}}}

	tests := []struct {
		name    string
		a, b    Record
		dup     bool
		code    string  // a reason the candidate must have
		weight  float64 // its weight, when not NaN
		without string  // a reason it must not have
	}{
		{"nothing shared but the name, year and birth place", orig, bare, false, "same_home_town", wHomeTownAtBirthPlace, "same_address"},
		{"the same house, written another way, as the current residence", orig, copyOf(func(r *Record) {
			r.Addresses = []Address{{Place: "27028", Text: "Số 9 đường Lê Lợi"}, {Place: "00331", Text: "12 ngõ 45 Kim Mã"}}
		}), true, "same_address", wAddressHouse, "different_province"},
		{"the same house under the commune's old code", Record{FullName: "Trần Thị Hà", BirthDate: civil.MustParse("1979-04-04"),
			BirthPlace: "00070", Commune: "00070", Addresses: []Address{{Place: "00070", Text: "Số 3 Hàng Bạc"}}},
			Record{FullName: "Tran Thi Ha", BirthDate: civil.YearOnly(1979), BirthPlace: "00070", Commune: "00049",
				Addresses: []Address{{Place: "00049", Text: "3 Hàng Bạc"}}}, true, "same_address", wAddressHouse, "commune_recoded"},
		{"the same hamlet", hamlet, copyOf(func(r *Record) {
			r.Addresses = []Address{{Place: "00331", Text: "thôn 3"}}
		}), true, "same_address_area", wAddressArea, "same_address"},
		{"different addresses are no evidence against", orig, copyOf(func(r *Record) {
			r.Addresses = []Address{{Place: "00331", Text: "Số 14, ngõ 45, phố Kim Mã"}}
		}), false, "different_province", wProvinceDiffers, "same_address"},
		{"a shared phone", orig, copyOf(func(r *Record) { r.Phones = []string{"+84 912 345 678"} }), true, "shared_phone", wPhoneShared, ""},
		{"a home town away from the birth place", orig, copyOf(func(r *Record) {
			r.BirthPlace, r.HomeTown = "", "00331"
		}), false, "same_home_town", wHomeTown, ""},
		{"home towns under old and new codes", Record{FullName: "Lê Văn Sáu", BirthDate: civil.YearOnly(1950), HomeTown: "00049"},
			Record{FullName: "Lê Văn Sáu", BirthDate: civil.YearOnly(1950), HomeTown: "00070"}, false, "home_town_recoded", wHomeTownRecoded, ""},
		{"home towns in one province", orig, copyOf(func(r *Record) { r.HomeTown = "00145" }), false, "home_town_differs", wHomeTownDiffers, "same_home_town"},
		{"home towns in two provinces", orig, copyOf(func(r *Record) { r.HomeTown = "27028" }), false, "home_town_other_province", wHomeTownOtherProvince, ""},
		{"father and son: one name, house and phone", orig, son, false, "parent_child", math.NaN(), ""},
		{"twins: house and phone shared", twinA, twinB, false, "twins", math.NaN(), "shared_phone"},
		{"brothers without parents on record: house, phone and home town shared", orig, brother, false, "different_given_name", math.NaN(), "shared_phone"},
		{"namesakes in a block of flats", flatA, flatB, false, "same_address_area", wAddressArea, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(&tt.a, &tt.b)
			if c.Duplicate != tt.dup {
				t.Errorf("Duplicate = %v (%.3f), want %v: %s", c.Duplicate, c.Score, tt.dup, reasons(c.Reasons))
			}
			if tt.code != "" {
				w, ok := weightOf(c, tt.code)
				if !ok || !math.IsNaN(tt.weight) && w != tt.weight {
					t.Errorf("want %s %+.1f: %s", tt.code, tt.weight, reasons(c.Reasons))
				}
			}
			if tt.without != "" && hasReason(c, tt.without) {
				t.Errorf("want no %s: %s", tt.without, reasons(c.Reasons))
			}
		})
	}

	// An address elsewhere scores as no address at all.
	other := copyOf(func(r *Record) { r.Addresses = []Address{{Place: "00331", Text: "Số 14, ngõ 45, phố Kim Mã"}} })
	if a, b := Compare(&orig, &bare), Compare(&orig, &other); a.Score != b.Score {
		t.Errorf("a different address changed the score from %.4f to %.4f", a.Score, b.Score)
	}
}

// TestFamilyEvidenceFinder checks that the Finder carries the new fields to
// the scorer: the pair linked by its phone is found with its reason.
func TestFamilyEvidenceFinder(t *testing.T) {
	a := Record{Key: 1, FullName: "Nguyễn Văn Toàn", BirthDate: civil.MustParse("1985-06-12"), BirthPlace: "00331", HomeTown: "00331",
		Addresses: []Address{{Place: "00331", Text: "Số 12, ngõ 45, phố Kim Mã"}}, Phones: []string{"0912345678"}}
	b := Record{Key: 2, FullName: "Nguyen Van Toan", BirthDate: civil.YearOnly(1985), BirthPlace: "00331", HomeTown: "00331",
		Addresses: []Address{{Place: "00331", Text: "12 ngõ 45 Kim Mã"}}, Phones: []string{"+84912345678"}}
	f := NewFinder()
	f.Add(a)
	f.Add(b)
	var got []Candidate
	if _, err := f.Find(t.Context(), func(c Candidate) error { got = append(got, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Duplicate || !hasReason(got[0], "shared_phone") || !hasReason(got[0], "same_address") {
		t.Fatalf("Finder found %+v", got)
	}
	if want := Compare(&a, &b); got[0].Score != want.Score || !slices.Equal(got[0].Reasons, want.Reasons) {
		t.Errorf("Finder %.6f %s, Compare %.6f %s", got[0].Score, reasons(got[0].Reasons), want.Score, reasons(want.Reasons))
	}
}
