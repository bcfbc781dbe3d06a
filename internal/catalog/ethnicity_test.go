package catalog

import (
	"fmt"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// list2008 is the GSO 2008 list (Decision 1019/QĐ-TCTK), typed independently
// of data/ethnicities.csv.
var list2008 = []string{
	"Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai",
	"Ê Đê", "Ba Na", "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông",
	"Thổ", "Xtiêng", "Khơ Mú", "Bru Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng", "Co",
	"Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng", "Phù Lá", "La Hủ", "La Ha",
	"Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cơ Lao", "Bố Y", "Cống", "Si La",
	"Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu",
}

// list1979 is the 1979 list (Decision 121-TCTK/PPCĐ) in its own order and
// spelling, typed independently of data/ethnicities.csv.
var list1979 = []string{
	"Kinh", "Tày", "Thái", "Hoa", "Khơ-me", "Mường", "Nùng", "Hmông", "Dao", "Gia-rai",
	"Ngái", "Ê-đê", "Ba-na", "Xơ-đăng", "Sán Chay", "Cơ-ho", "Chăm", "Sán Dìu", "Hrê", "Mnông",
	"Ra-glai", "Xtiêng", "Bru-Vân Kiều", "Thổ", "Giáy", "Cơ-tu", "Gié-Triêng", "Mạ", "Khơ-mú", "Co",
	"Tà-ôi", "Chơ-ro", "Kháng", "Xinh-mun", "Hà Nhì", "Chu-ru", "Lào", "La Chí", "La Ha", "Phù Lá",
	"La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cơ Lao", "Cống", "Bố Y", "Si La",
	"Pu Péo", "Brâu", "Ơ-đu", "Rơ-măm",
}

func TestEthnicityList(t *testing.T) {
	all := Ethnicities()
	t.Run("54 recognised groups", func(t *testing.T) {
		if len(all) != 54 {
			t.Fatalf("got %d groups, want 54", len(all))
		}
		for _, e := range all {
			if !e.Recognised {
				t.Errorf("%s %s: Recognised = false", e.Code, e.Name)
			}
			if e.Code == ForeignerEthnicityCode {
				t.Errorf("foreigner code listed by Ethnicities")
			}
		}
	})
	t.Run("codes 01..54 contiguous and unique", func(t *testing.T) {
		for i, e := range all {
			if want := fmt.Sprintf("%02d", i+1); e.Code != want {
				t.Errorf("position %d: code %q, want %q", i, e.Code, want)
			}
		}
	})
	t.Run("names unique", func(t *testing.T) {
		seen := map[string]string{}
		for _, e := range all {
			for _, n := range []string{e.Name, e.NameEN} {
				k := fold(n)
				if c, dup := seen[k]; dup && c != e.Code {
					t.Errorf("name %q of %s folds like a name of %s", n, e.Code, c)
				}
				seen[k] = e.Code
			}
		}
	})
	t.Run("names match the 2008 list", func(t *testing.T) {
		for i, e := range all {
			if e.Name != list2008[i] {
				t.Errorf("%s: name %q, want %q", e.Code, e.Name, list2008[i])
			}
		}
	})
	t.Run("all text is NFC and non-empty", func(t *testing.T) {
		for _, e := range all {
			for _, s := range append([]string{e.Name, e.NameEN, e.Name1979}, e.Aliases...) {
				if s == "" || !norm.NFC.IsNormalString(s) {
					t.Errorf("%s: bad text %q", e.Code, s)
				}
			}
		}
	})
	t.Run("no ambiguous name or alias", func(t *testing.T) {
		if amb := data().ambiguousKeys["ethnicities"]; len(amb) > 0 {
			t.Errorf("names claimed by two groups: %q", amb)
		}
	})
}

func TestEthnicity1979(t *testing.T) {
	all := Ethnicities()
	t.Run("bijection onto the 54", func(t *testing.T) {
		seen := map[string]string{}
		for _, e := range all {
			if len(e.Code1979) != 2 {
				t.Errorf("%s: 1979 code %q", e.Code, e.Code1979)
				continue
			}
			if c, dup := seen[e.Code1979]; dup {
				t.Errorf("1979 code %s used by %s and %s", e.Code1979, c, e.Code)
			}
			seen[e.Code1979] = e.Code
		}
		for i := 1; i <= 54; i++ {
			c79 := fmt.Sprintf("%02d", i)
			e, ok := EthnicityFrom1979(c79)
			if !ok {
				t.Errorf("1979 code %s maps to nothing", c79)
				continue
			}
			if seen[c79] != e.Code || !e.Recognised {
				t.Errorf("1979 code %s: got %s, want %s", c79, e.Code, seen[c79])
			}
		}
		for _, bad := range []string{"00", "55", "56", "", "x"} {
			if e, ok := EthnicityFrom1979(bad); ok {
				t.Errorf("EthnicityFrom1979(%q) = %s, want none", bad, e.Code)
			}
		}
	})
	t.Run("1979 names in 1979 order", func(t *testing.T) {
		for i, want := range list1979 {
			c79 := fmt.Sprintf("%02d", i+1)
			e, _ := EthnicityFrom1979(c79)
			if e.Name1979 != want {
				t.Errorf("1979 code %s: name %q, want %q", c79, e.Name1979, want)
			}
		}
	})
	for _, tc := range []struct{ c79, c08, name string }{
		{"01", "01", "Kinh"},
		{"04", "06", "Hoa"},
		{"05", "05", "Khmer"},
		{"06", "04", "Mường"},
		{"08", "08", "Mông"},
		{"11", "43", "Ngái"},
		{"12", "11", "Ê Đê"},
		{"14", "16", "Xơ Đăng"},
		{"24", "21", "Thổ"},
		{"29", "23", "Khơ Mú"},
		{"53", "54", "Ơ Đu"},
		{"54", "52", "Rơ Măm"},
		{"4", "06", "Hoa"},
	} {
		t.Run("1979 "+tc.c79+" is "+tc.name, func(t *testing.T) {
			e, ok := EthnicityFrom1979(tc.c79)
			if !ok || e.Code != tc.c08 || e.Name != tc.name {
				t.Errorf("EthnicityFrom1979(%q) = %s %q, %v; want %s %q", tc.c79, e.Code, e.Name, ok, tc.c08, tc.name)
			}
		})
	}
}

func TestEthnicityByCode(t *testing.T) {
	for _, tc := range []struct {
		code, name string
		ok         bool
	}{
		{"01", "Kinh", true},
		{"04", "Mường", true},
		{"05", "Khmer", true},
		{"06", "Hoa", true},
		{"54", "Ơ Đu", true},
		{" 08 ", "Mông", true},
		{"8", "Mông", true},
		{"00", "", false},
		{"56", "", false},
		{"", "", false},
		{"Kinh", "", false},
		{"001", "", false},
	} {
		t.Run(fmt.Sprintf("code %q", tc.code), func(t *testing.T) {
			e, ok := EthnicityByCode(tc.code)
			if ok != tc.ok || e.Name != tc.name {
				t.Errorf("EthnicityByCode(%q) = %q, %v; want %q, %v", tc.code, e.Name, ok, tc.name, tc.ok)
			}
		})
	}
	t.Run("foreigner code", func(t *testing.T) {
		e, ok := EthnicityByCode(ForeignerEthnicityCode)
		if !ok || e.Recognised || e.Name != "Người nước ngoài" || e.Code1979 != "" {
			t.Errorf("EthnicityByCode(%q) = %+v, %v", ForeignerEthnicityCode, e, ok)
		}
	})
}

func TestEthnicityByName(t *testing.T) {
	for _, tc := range []struct{ name, code string }{
		{"Kinh", "01"},
		{"kinh", "01"},
		{"Việt", "01"},
		{"viet", "01"},
		{"Mông", "08"},
		{"H'Mông", "08"},
		{"Hmông", "08"},
		{"HMONG", "08"},
		{"H’Mông", "08"},
		{"mèo", "08"},
		{"Khmer", "05"},
		{"Khơ-me", "05"},
		{"khome", "05"},
		{"ede", "11"},
		{"Ê-đê", "11"},
		{"Ê Đê", "11"},
		{"ÊĐÊ", "11"},
		{"Rhadé", "11"},
		{"Gia Rai", "10"},
		{"Gia-rai", "10"},
		{"Jrai", "10"},
		{"Ba Na", "12"},
		{"Bahnar", "12"},
		{"Ra Glai", "19"},
		{"Raglay", "19"},
		{"Xtiêng", "22"},
		{"Stiêng", "22"},
		{"Khơ Mú", "23"},
		{"Khơ-mú", "23"},
		{"Bru Vân Kiều", "24"},
		{"Bru-Vân Kiều", "24"},
		{"Giẻ Triêng", "29"},
		{"Gié-Triêng", "29"},
		{"Cơ Ho", "15"},
		{"K'Ho", "15"},
		{"Hoa", "06"},
		{"Người Hoa", "06"},
		{"dân tộc Tày", "02"},
		{"Lào", "35"},
		{"La Hủ", "39"},
		{"La Ha", "40"},
		{"Lự", "42"},
		{"Mạ", "28"},
		{"Mảng", "46"},
		{"Co", "30"},
		{"Cơ Lao", "47"},
		{"Co Lao", "47"},
		{"Cống", "49"},
		{"Ơ Đu", "54"},
		{"o du", "54"},
		{"Người nước ngoài", "55"},
		{"nguoi nuoc ngoai", "55"},
		// Decomposed (NFD) input folds the same as NFC.
		{norm.NFD.String("Ê Đê"), "11"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := EthnicityByName(tc.name)
			if !ok || e.Code != tc.code {
				t.Errorf("EthnicityByName(%q) = %s, %v; want %s", tc.name, e.Code, ok, tc.code)
			}
		})
	}
	for _, name := range []string{"", "  ", "Người", "dân tộc", "Martian", "Kinhh"} {
		t.Run("no match "+name, func(t *testing.T) {
			if e, ok := EthnicityByName(name); ok {
				t.Errorf("EthnicityByName(%q) = %s, want none", name, e.Code)
			}
		})
	}
}

func TestEthnicityCopies(t *testing.T) {
	e, _ := EthnicityByCode("08")
	e.Aliases[0] = "changed"
	all := Ethnicities()
	all[7].Aliases[0] = "changed"
	all[0].Name = "changed"
	again, _ := EthnicityByCode("08")
	if again.Aliases[0] == "changed" || Ethnicities()[0].Name != "Kinh" {
		t.Error("callers can modify the package's data")
	}
}
