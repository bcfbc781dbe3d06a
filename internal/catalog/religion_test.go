package catalog

import (
	"fmt"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestReligionList(t *testing.T) {
	all := Religions()
	t.Run("00, 16 recognised religions, 99", func(t *testing.T) {
		if len(all) != 18 {
			t.Fatalf("got %d entries, want 18", len(all))
		}
		if all[0].Code != ReligionNone || all[len(all)-1].Code != ReligionOther {
			t.Errorf("first %q, last %q", all[0].Code, all[len(all)-1].Code)
		}
		for i, r := range all[1 : len(all)-1] {
			if want := fmt.Sprintf("%02d", i+1); r.Code != want {
				t.Errorf("position %d: code %q, want %q", i+1, r.Code, want)
			}
		}
	})
	t.Run("names unique, NFC, English names present", func(t *testing.T) {
		seen := map[string]string{}
		for _, r := range all {
			if r.NameEN == "" {
				t.Errorf("%s: no English name", r.Code)
			}
			for _, s := range append([]string{r.Name, r.NameEN}, r.Aliases...) {
				if !norm.NFC.IsNormalString(s) {
					t.Errorf("%s: %q not NFC", r.Code, s)
				}
			}
			for _, n := range []string{r.Name, r.NameEN} {
				k := fold(n)
				if c, dup := seen[k]; dup && c != r.Code {
					t.Errorf("%q of %s folds like a name of %s", n, r.Code, c)
				}
				seen[k] = r.Code
			}
		}
		if amb := data().ambiguousKeys["religions"]; len(amb) > 0 {
			t.Errorf("names claimed by two religions: %q", amb)
		}
	})
	for _, tc := range []struct{ code, name string }{
		{"00", "Không"},
		{"01", "Phật giáo"},
		{"02", "Công giáo"},
		{"03", "Tin Lành"},
		{"04", "Cao Đài"},
		{"05", "Phật giáo Hòa Hảo"},
		{"06", "Hồi giáo"},
		{"07", "Tôn giáo Baha'i"},
		{"08", "Tịnh độ Cư sĩ Phật hội Việt Nam"},
		{"09", "Cơ đốc Phục lâm Việt Nam"},
		{"10", "Phật giáo Tứ Ân Hiếu Nghĩa"},
		{"11", "Minh Sư đạo"},
		{"12", "Minh Lý đạo - Tam Tông Miếu"},
		{"13", "Bà-la-môn giáo"},
		{"14", "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô"},
		{"15", "Phật giáo Hiếu Nghĩa Tà Lơn"},
		{"16", "Bửu Sơn Kỳ Hương"},
		{"99", "Khác"},
	} {
		t.Run("code "+tc.code, func(t *testing.T) {
			r, ok := ReligionByCode(tc.code)
			if !ok || r.Name != tc.name {
				t.Errorf("ReligionByCode(%q) = %q, %v; want %q", tc.code, r.Name, ok, tc.name)
			}
		})
	}
	for _, code := range []string{"17", "98", "", "100", "a"} {
		t.Run("no code "+code, func(t *testing.T) {
			if r, ok := ReligionByCode(code); ok {
				t.Errorf("ReligionByCode(%q) = %s", code, r.Code)
			}
		})
	}
}

func TestReligionByName(t *testing.T) {
	for _, tc := range []struct{ name, code string }{
		{"không", "00"},
		{"Không tôn giáo", "00"},
		{"phat giao", "01"},
		{"Đạo Phật", "01"},
		{"Buddhism", "01"},
		{"Công giáo", "02"},
		{"Thiên Chúa giáo", "02"},
		{"Catholic", "02"},
		{"Tin lành", "03"},
		{"Cao Đài", "04"},
		{"Phật giáo Hoà Hảo", "05"}, // old-style tone placement
		{"Hòa Hảo", "05"},
		{"Hồi giáo", "06"},
		{"Islam", "06"},
		{"Baha'i", "07"},
		{"Bahá’í", "07"},
		{"Tịnh độ Cư sỹ Phật hội Việt Nam", "08"},
		{"Cơ Đốc Phục Lâm", "09"},
		{"Tứ Ân Hiếu Nghĩa", "10"},
		{"Minh Sư Đạo", "11"},
		{"Minh Lý Đạo – Tam Tông Miếu", "12"},
		{"Bà La Môn giáo", "13"},
		{"Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô (Mặc Môn)", "14"},
		{"Mặc Môn", "14"},
		{"Hiếu Nghĩa Tà Lơn", "15"},
		{"Bửu Sơn Kỳ Hương", "16"},
		{"Khác", "99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := ReligionByName(tc.name)
			if !ok || r.Code != tc.code {
				t.Errorf("ReligionByName(%q) = %s, %v; want %s", tc.name, r.Code, ok, tc.code)
			}
		})
	}
	if r, ok := ReligionByName("Jediism"); ok {
		t.Errorf("ReligionByName(Jediism) = %s", r.Code)
	}
}
