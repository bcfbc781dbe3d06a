package catalog

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestCountryList(t *testing.T) {
	all := Countries()
	t.Run("count", func(t *testing.T) {
		if len(all) != 249 {
			t.Errorf("got %d countries, want 249", len(all))
		}
	})
	t.Run("every code column unique and well-formed", func(t *testing.T) {
		cols := map[string]func(Country) string{
			"alpha2":  func(c Country) string { return c.Alpha2 },
			"alpha3":  func(c Country) string { return c.Alpha3 },
			"numeric": func(c Country) string { return c.Numeric },
			"name_en": func(c Country) string { return c.NameEN },
		}
		for col, get := range cols {
			seen := map[string]bool{}
			for _, c := range all {
				v := get(c)
				if seen[v] {
					t.Errorf("%s %q is not unique", col, v)
				}
				seen[v] = true
			}
		}
		for _, c := range all {
			if !isUpperAlpha(c.Alpha2, 2) || !isUpperAlpha(c.Alpha3, 3) || !isDigits(c.Numeric, 3) {
				t.Errorf("malformed %+v", c)
			}
		}
		seenVI := map[string]string{}
		for _, c := range all {
			if c.NameVI == "" {
				continue
			}
			if !norm.NFC.IsNormalString(c.NameVI) {
				t.Errorf("%s: %q not NFC", c.Alpha2, c.NameVI)
			}
			if o, dup := seenVI[c.NameVI]; dup {
				t.Errorf("Vietnamese name %q used by %s and %s", c.NameVI, o, c.Alpha2)
			}
			seenVI[c.NameVI] = c.Alpha2
		}
		if amb := data().ambiguousKeys["countries"]; len(amb) > 0 {
			t.Errorf("names claimed by two countries: %q", amb)
		}
	})
	t.Run("sorted by alpha-2", func(t *testing.T) {
		for i := 1; i < len(all); i++ {
			if all[i-1].Alpha2 >= all[i].Alpha2 {
				t.Errorf("%s before %s", all[i-1].Alpha2, all[i].Alpha2)
			}
		}
	})
}

func TestCountryCodes(t *testing.T) {
	for _, tc := range []struct{ a2, a3, num, vi string }{
		{"VN", "VNM", "704", "Việt Nam"},
		{"US", "USA", "840", "Hoa Kỳ"},
		{"JP", "JPN", "392", "Nhật Bản"},
		{"KR", "KOR", "410", "Hàn Quốc"},
		{"KP", "PRK", "408", "Triều Tiên"},
		{"CN", "CHN", "156", "Trung Quốc"},
		{"TW", "TWN", "158", "Đài Loan (Trung Quốc)"},
		{"HK", "HKG", "344", "Hồng Kông (Trung Quốc)"},
		{"MO", "MAC", "446", "Ma Cao (Trung Quốc)"},
		{"FR", "FRA", "250", "Pháp"},
		{"DE", "DEU", "276", "Đức"},
		{"GB", "GBR", "826", "Vương quốc Anh"},
		{"RU", "RUS", "643", "Nga"},
		{"AU", "AUS", "036", "Úc"},
		{"CA", "CAN", "124", "Canada"},
		{"LA", "LAO", "418", "Lào"},
		{"KH", "KHM", "116", "Campuchia"},
		{"TH", "THA", "764", "Thái Lan"},
		{"AF", "AFG", "004", ""},
		{"MM", "MMR", "104", "Myanmar"},
		{"MY", "MYS", "458", "Malaysia"},
		{"SG", "SGP", "702", "Singapore"},
		{"ID", "IDN", "360", "Indonesia"},
		{"PH", "PHL", "608", "Philippines"},
		{"BN", "BRN", "096", "Brunei"},
		{"TL", "TLS", "626", "Đông Timor"},
		{"NZ", "NZL", "554", "New Zealand"},
		{"CZ", "CZE", "203", "Séc"},
		{"PL", "POL", "616", "Ba Lan"},
		{"IT", "ITA", "380", "Ý"},
		{"ES", "ESP", "724", "Tây Ban Nha"},
		{"NL", "NLD", "528", "Hà Lan"},
		{"BE", "BEL", "056", "Bỉ"},
		{"CH", "CHE", "756", "Thụy Sĩ"},
		{"SE", "SWE", "752", "Thụy Điển"},
		{"NO", "NOR", "578", "Na Uy"},
		{"DK", "DNK", "208", "Đan Mạch"},
		{"FI", "FIN", "246", "Phần Lan"},
		{"UA", "UKR", "804", "Ukraine"},
		{"IN", "IND", "356", "Ấn Độ"},
		{"SA", "SAU", "682", "Ả Rập Xê Út"},
		{"AE", "ARE", "784", "Các Tiểu vương quốc Ả Rập Thống nhất"},
		{"QA", "QAT", "634", "Qatar"},
		{"IL", "ISR", "376", "Israel"},
		{"TR", "TUR", "792", "Thổ Nhĩ Kỳ"},
		{"BR", "BRA", "076", "Brazil"},
		{"MX", "MEX", "484", "Mexico"},
		{"ZA", "ZAF", "710", "Nam Phi"},
		{"AO", "AGO", "024", "Angola"},
		{"DZ", "DZA", "012", "Algeria"},
		{"CU", "CUB", "192", "Cuba"},
		{"AT", "AUT", "040", "Áo"},
		{"AL", "ALB", "008", ""},
		{"AQ", "ATA", "010", ""},
		{"SS", "SSD", "728", ""},
		{"SD", "SDN", "729", ""},
		{"RS", "SRB", "688", "Serbia"},
		{"ME", "MNE", "499", ""},
		{"XK", "", "", ""}, // Kosovo: user-assigned, not in ISO 3166-1
		{"AN", "", "", ""}, // Netherlands Antilles: withdrawn in 2010
	} {
		t.Run(tc.a2, func(t *testing.T) {
			c, ok := CountryByAlpha2(tc.a2)
			if tc.a3 == "" {
				if ok {
					t.Errorf("CountryByAlpha2(%q) = %+v, want none", tc.a2, c)
				}
				return
			}
			if !ok || c.Alpha3 != tc.a3 || c.Numeric != tc.num || c.NameVI != tc.vi {
				t.Fatalf("CountryByAlpha2(%q) = %+v, %v; want %s %s %q", tc.a2, c, ok, tc.a3, tc.num, tc.vi)
			}
			for _, code := range []string{tc.a2, tc.a3, tc.num} {
				if got, ok := CountryByCode(code); !ok || got.Alpha2 != tc.a2 {
					t.Errorf("CountryByCode(%q) = %s, %v", code, got.Alpha2, ok)
				}
			}
			if got, ok := CountryByNumeric(tc.num); !ok || got.Alpha2 != tc.a2 {
				t.Errorf("CountryByNumeric(%q) = %s, %v", tc.num, got.Alpha2, ok)
			}
		})
	}
}

func TestCountryLookups(t *testing.T) {
	for _, tc := range []struct {
		fn   string
		f    func(string) (Country, bool)
		in   string
		want string // alpha-2, "" for no match
	}{
		{"alpha2", CountryByAlpha2, "vn", "VN"},
		{"alpha2", CountryByAlpha2, " Us ", "US"},
		{"alpha2", CountryByAlpha2, "VNM", ""},
		{"alpha2", CountryByAlpha2, "", ""},
		{"alpha3", CountryByAlpha3, "kor", "KR"},
		{"numeric", CountryByNumeric, "4", "AF"},
		{"numeric", CountryByNumeric, "36", "AU"},
		{"numeric", CountryByNumeric, "001", ""},
		{"numeric", CountryByNumeric, "999", ""},
		{"numeric", CountryByNumeric, "0704", ""},
		{"code", CountryByCode, "jp", "JP"},
		{"code", CountryByCode, "jpn", "JP"},
		{"code", CountryByCode, "392", "JP"},
		{"code", CountryByCode, "JAPN", ""},
		{"code", CountryByCode, "", ""},
		{"code", CountryByCode, "V", ""},
		{"name", CountryByName, "Hàn Quốc", "KR"},
		{"name", CountryByName, "han quoc", "KR"},
		{"name", CountryByName, "South Korea", "KR"},
		{"name", CountryByName, "Korea, Republic of", "KR"},
		{"name", CountryByName, "korea republic of", "KR"},
		{"name", CountryByName, "Triều Tiên", "KP"},
		{"name", CountryByName, "Viet Nam", "VN"},
		{"name", CountryByName, "Vietnam", "VN"},
		{"name", CountryByName, "Côte d'Ivoire", "CI"},
		{"name", CountryByName, "cote divoire", "CI"},
		{"name", CountryByName, "Đài Loan (Trung Quốc)", "TW"},
		{"name", CountryByName, "Korea", ""},
	} {
		t.Run(tc.fn+" "+tc.in, func(t *testing.T) {
			c, ok := tc.f(tc.in)
			if ok != (tc.want != "") || c.Alpha2 != tc.want {
				t.Errorf("%s(%q) = %q, %v; want %q", tc.fn, tc.in, c.Alpha2, ok, tc.want)
			}
		})
	}
}

// TestCountryVietnameseNames checks that the countries where Vietnamese
// people most often live or are born abroad have a Vietnamese name.
func TestCountryVietnameseNames(t *testing.T) {
	need := []string{
		"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN",
		"CN", "JP", "KR", "KP", "TW", "HK", "MO", "US", "CA", "AU", "NZ",
		"GB", "FR", "DE", "RU", "CZ", "PL", "IT", "ES", "NL", "BE", "CH",
		"SE", "NO", "DK", "FI", "UA", "IN", "SA", "AE", "QA", "IL", "TR",
		"BR", "MX", "ZA", "AO", "DZ", "CU", "AT", "HU", "BG", "RO", "SK",
		"IE", "PT", "GR", "BY", "KZ", "MN", "LY", "KW", "EG",
	}
	for _, a2 := range need {
		c, ok := CountryByAlpha2(a2)
		if !ok || c.NameVI == "" {
			t.Errorf("%s: no Vietnamese name", a2)
		}
	}
	n := 0
	for _, c := range Countries() {
		if c.NameVI != "" {
			n++
		}
	}
	if n < 60 {
		t.Errorf("%d Vietnamese names, want at least 60", n)
	}
}
