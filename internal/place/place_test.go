package place

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"dancu/internal/civil"
)

var (
	eve    = civil.MustParse("2025-06-30") // last day of the 63-province system
	reform = civil.MustParse("2025-07-01")
	jan4   = civil.MustParse("2025-01-04") // the day of the January list
)

func day(s string) civil.Date { return civil.MustParse(s) }

// mustLookup fails the test if code is not in force on on.
func mustLookup(tb testing.TB, c *Catalogue, code string, on civil.Date) Unit {
	tb.Helper()
	u, err := c.Lookup(code, on)
	if err != nil {
		tb.Fatalf("Lookup(%s, %s): %v", code, on, err)
	}
	return u
}

// codes returns the codes of units.
func codes(us []Unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Code
	}
	return out
}

func successorCodes(ss []Successor) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Unit.Code
	}
	return out
}

// countLevel counts the units of a level in force on d.
func countLevel(tb testing.TB, c *Catalogue, l Level, d civil.Date) int {
	tb.Helper()
	n := 0
	for _, u := range c.units {
		if u.Level == l && u.ValidOn(d) {
			n++
		}
	}
	return n
}

func TestCounts(t *testing.T) {
	c := Default()
	tests := []struct {
		name  string
		level Level
		on    civil.Date
		want  int
	}{
		{"old provinces", LevelProvince, eve, 63},
		{"old districts", LevelDistrict, eve, 696},
		{"old communes on the eve of the reform", LevelCommune, eve, 10054},
		{"old communes on 4 January 2025", LevelCommune, jan4, 10051},
		{"new provinces", LevelProvince, reform, 34},
		{"new districts", LevelDistrict, reform, 0},
		{"new communes", LevelCommune, reform, 3321},
		{"new communes today", LevelCommune, day("2030-01-01"), 3321},
		{"before the reform, a day long ago", LevelProvince, day("1990-01-01"), 63},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := countLevel(t, c, tt.level, tt.on); got != tt.want {
				t.Errorf("%s in force on %s: %d, want %d", tt.level, tt.on, got, tt.want)
			}
		})
	}
	t.Run("Provinces", func(t *testing.T) {
		if n := len(c.Provinces(eve)); n != 63 {
			t.Errorf("Provinces(%s) = %d, want 63", eve, n)
		}
		if n := len(c.Provinces(reform)); n != 34 {
			t.Errorf("Provinces(%s) = %d, want 34", reform, n)
		}
	})
	t.Run("Communes sum", func(t *testing.T) {
		for _, d := range []civil.Date{eve, reform} {
			n := 0
			for _, p := range c.Provinces(d) {
				n += len(c.Communes(p.Code, d))
			}
			if want := countLevel(t, c, LevelCommune, d); n != want {
				t.Errorf("sum of Communes on %s = %d, want %d", d, n, want)
			}
		}
	})
	t.Run("all units", func(t *testing.T) {
		// 63 + 696 + 10,054 old, 34 + 3,321 new.
		if n := len(c.units); n != 63+696+10054+34+3321 {
			t.Errorf("%d units, want %d", n, 63+696+10054+34+3321)
		}
	})
}

func TestProvinceCodeReuse(t *testing.T) {
	c := Default()
	tests := []struct {
		code, before, after string
	}{
		{"15", "Tỉnh Yên Bái", "Tỉnh Lào Cai"},
		{"24", "Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"},
		{"44", "Tỉnh Quảng Bình", "Tỉnh Quảng Trị"},
		{"52", "Tỉnh Bình Định", "Tỉnh Gia Lai"},
		{"80", "Tỉnh Long An", "Tỉnh Tây Ninh"},
		{"82", "Tỉnh Tiền Giang", "Tỉnh Đồng Tháp"},
		{"91", "Tỉnh Kiên Giang", "Tỉnh An Giang"},
		{"01", "Thành phố Hà Nội", "Thành phố Hà Nội"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			old := mustLookup(t, c, tt.code, eve)
			now := mustLookup(t, c, tt.code, reform)
			if old.Name != tt.before || now.Name != tt.after {
				t.Errorf("%s: %q then %q, want %q then %q", tt.code, old.Name, now.Name, tt.before, tt.after)
			}
			if old == now {
				t.Errorf("%s: same Unit before and after the reform", tt.code)
			}
			if !old.ValidFrom.IsZero() || !old.ValidTo.Equal(eve) || !now.ValidFrom.Equal(reform) || !now.ValidTo.IsZero() {
				t.Errorf("%s: validity %s–%s then %s–%s", tt.code, old.ValidFrom, old.ValidTo, now.ValidFrom, now.ValidTo)
			}
			if old.Level != LevelProvince || now.Level != LevelProvince {
				t.Errorf("levels %s, %s", old.Level, now.Level)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		code string
		on   civil.Date
		want Unit
	}{
		{"old commune", "00001", day("2024-01-01"), Unit{Code: "00001", Level: LevelCommune, Name: "Phường Phúc Xá", Kind: "Phường", ProvinceCode: "01", DistrictCode: "001", ValidTo: eve}},
		{"old commune whose code was re-used", "00004", eve, Unit{Code: "00004", Level: LevelCommune, Name: "Phường Trúc Bạch", Kind: "Phường", ProvinceCode: "01", DistrictCode: "001", ValidTo: eve}},
		{"new commune with a re-used code", "00004", reform, Unit{Code: "00004", Level: LevelCommune, Name: "Phường Ba Đình", Kind: "Phường", ProvinceCode: "01", ValidFrom: reform}},
		{"district", "001", day("2010-05-01"), Unit{Code: "001", Level: LevelDistrict, Name: "Quận Ba Đình", Kind: "Quận", ProvinceCode: "01", ValidTo: eve}},
		{"island district", "755", day("2010-05-01"), Unit{Code: "755", Level: LevelDistrict, Name: "Huyện Côn Đảo", Kind: "Huyện", ProvinceCode: "77", ValidTo: eve}},
		{"special zone", "26732", reform, Unit{Code: "26732", Level: LevelCommune, Name: "Đặc khu Côn Đảo", Kind: "Đặc khu", ProvinceCode: "79", ValidFrom: reform}},
		{"town", "09112", day("2020-01-01"), Unit{Code: "09112", Level: LevelCommune, Name: "Thị trấn Thổ Tang", Kind: "Thị trấn", ProvinceCode: "26", DistrictCode: "252", ValidTo: eve}},
		{"interim commune", "03980", day("2025-03-01"), Unit{Code: "03980", Level: LevelCommune, Name: "Phường Mộc Lỵ", Kind: "Phường", ProvinceCode: "14", DistrictCode: "123", ValidFrom: day("2025-01-05"), ValidTo: eve}},
		{"month inside one era", "15", civil.YearMonth(2025, 6), Unit{Code: "15", Level: LevelProvince, Name: "Tỉnh Yên Bái", Kind: "Tỉnh", ProvinceCode: "15", ValidTo: eve}},
		{"year inside one era", "15", civil.YearOnly(2026), Unit{Code: "15", Level: LevelProvince, Name: "Tỉnh Lào Cai", Kind: "Tỉnh", ProvinceCode: "15", ValidFrom: reform}},
		{"year covering the end of an old-only code", "00001", civil.YearOnly(2025), Unit{Code: "00001", Level: LevelCommune, Name: "Phường Phúc Xá", Kind: "Phường", ProvinceCode: "01", DistrictCode: "001", ValidTo: eve}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustLookup(t, c, tt.code, tt.on); got != tt.want {
				t.Errorf("Lookup(%s, %s) =\n%+v, want\n%+v", tt.code, tt.on, got, tt.want)
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	c := Default()
	tests := []struct {
		name     string
		code     string
		on       civil.Date
		want     error
		contains []string
	}{
		{"old-only code after the reform", "00001", day("2025-08-01"), ErrNotInForce,
			[]string{"unit 00001 did not exist on 2025-08-01", "Phường Phúc Xá was in force until 2025-06-30", "today it is part of Phường Hồng Hà (00097)"}},
		{"split commune after the reform", "00016", day("2025-08-01"), ErrNotInForce,
			[]string{"Phường Ngọc Hà was in force until 2025-06-30", "split between Phường Ba Đình (00004) and Phường Ngọc Hà (00008)"}},
		{"new-only code before the reform", "11948", day("2024-01-01"), ErrNotInForce,
			[]string{"unit 11948 did not exist on 2024-01-01", "Đặc khu Bạch Long Vĩ has been in force since 2025-07-01"}},
		{"district after the reform", "001", reform, ErrNotInForce,
			[]string{"Quận Ba Đình was in force until 2025-06-30", "today it is part of Thành phố Hà Nội (01)"}},
		{"interim commune before it existed", "03980", day("2024-12-31"), ErrNotInForce,
			[]string{"Phường Mộc Lỵ was in force from 2025-01-05 to 2025-06-30", "Phường Mộc Châu has been in force since 2025-07-01"}},
		{"commune without successor", "03898", reform, ErrNotInForce,
			[]string{"Thị trấn Phù Yên was in force until 2025-06-30; no successor is recorded"}},
		{"unknown", "99999", eve, ErrUnknownCode, []string{"99999"}},
		{"unknown province", "03", eve, ErrUnknownCode, []string{"03"}},
		{"four digits", "1234", eve, ErrUnknownCode, []string{`"1234"`, "2 (province), 3 (district) or 5 (commune) ASCII digits"}},
		{"letters", "0a", eve, ErrUnknownCode, []string{"ASCII digits"}},
		{"empty", "", eve, ErrUnknownCode, []string{"ASCII digits"}},
		{"full-width digits", "０１", eve, ErrUnknownCode, []string{"ASCII digits"}},
		{"padded", " 01", eve, ErrUnknownCode, []string{"ASCII digits"}},
		{"six digits", "000001", eve, ErrUnknownCode, []string{"ASCII digits"}},
		{"year covering the reform", "15", civil.YearOnly(2025), ErrAmbiguousDate, []string{"Tỉnh Yên Bái", "Tỉnh Lào Cai"}},
		{"month covering nothing twice", "15", civil.YearMonth(2025, 7), nil, nil},
		{"zero date", "01", civil.Date{}, ErrAmbiguousDate, []string{"no date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Lookup(tt.code, tt.on)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Lookup(%q, %s) error = %v, want %v", tt.code, tt.on, err, tt.want)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if _, rerr := c.Resolve(tt.code, tt.on); !errors.Is(rerr, tt.want) {
				t.Errorf("Resolve error = %v, want %v", rerr, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	c := Default()
	type want struct {
		unit      string
		current   []string
		kinds     []SuccessionKind
		ambiguous bool
	}
	tests := []struct {
		name string
		code string
		on   civil.Date
		want want
	}{
		{"whole merge", "00001", day("2024-01-01"),
			want{"Phường Phúc Xá", []string{"00097"}, []SuccessionKind{Whole}, false}},
		{"whole merge into a unit that re-uses its code", "00004", day("2024-01-01"),
			want{"Phường Trúc Bạch", []string{"00004"}, []SuccessionKind{Whole}, false}},
		{"split", "00016", day("2024-01-01"),
			want{"Phường Ngọc Hà", []string{"00004", "00008"}, []SuccessionKind{Partial, Partial}, true}},
		{"split in three", "00553", day("2020-02-29"),
			want{"Xã Cổ Bi", []string{"00136", "00541", "00565"}, []SuccessionKind{Partial, Partial, Partial}, true}},
		{"row given the wrong code, attached by name", "00556", day("2020-02-29"),
			want{"Xã Đặng Xá", []string{"00541", "00562"}, []SuccessionKind{Partial, Partial}, true}},
		{"unchanged commune in a merged province", "00859", day("2015-01-01"),
			want{"Xã Ngọc Long", []string{"00859"}, []SuccessionKind{Unchanged}, false}},
		{"new unit resolves to itself", "00004", reform,
			want{"Phường Ba Đình", []string{"00004"}, []SuccessionKind{Unchanged}, false}},
		{"whole area, split population: partial", "18796", day("2024-01-01"),
			want{"Xã Kỳ Lợi", []string{"18754", "18823", "18832"}, []SuccessionKind{Partial, Partial, Partial}, true}},
		{"rows attached by name (code typo in the table)", "01651", day("2024-01-01"),
			want{"Xã Mỹ Hưng", []string{"01648"}, []SuccessionKind{Whole}, false}},
		{"the code the typo pointed at keeps its own row", "01615", day("2024-01-01"),
			want{"Xã Hồng Quang", []string{"01636"}, []SuccessionKind{Whole}, false}},
		{"ward the table gives another code", "26935", day("2025-02-01"),
			want{"Phường 14", []string{"26929"}, []SuccessionKind{Whole}, false}},
		{"commune matched by name", "04060", day("2024-01-01"),
			want{"Thị trấn Yên Châu", []string{"04075"}, []SuccessionKind{Whole}, false}},
		{"interim commune", "03980", day("2025-06-01"),
			want{"Phường Mộc Lỵ", []string{"03980"}, []SuccessionKind{Whole}, false}},
		{"no successor recorded", "03898", day("2024-01-01"),
			want{"Thị trấn Phù Yên", []string{}, []SuccessionKind{}, false}},
		{"special zone from a commune", "31105", day("2024-01-01"),
			want{"Xã Thổ Châu", []string{"31105"}, []SuccessionKind{Whole}, false}},
		{"district", "001", day("2024-01-01"),
			want{"Quận Ba Đình", []string{"01"}, []SuccessionKind{Whole}, false}},
		{"island district", "755", day("2024-01-01"),
			want{"Huyện Côn Đảo", []string{"79"}, []SuccessionKind{Whole}, false}},
		{"province merged", "02", day("2010-01-01"),
			want{"Tỉnh Hà Giang", []string{"08"}, []SuccessionKind{Whole}, false}},
		{"province whose code went to another", "27", day("2010-01-01"),
			want{"Tỉnh Bắc Ninh", []string{"24"}, []SuccessionKind{Whole}, false}},
		{"province kept", "01", day("2010-01-01"),
			want{"Thành phố Hà Nội", []string{"01"}, []SuccessionKind{Unchanged}, false}},
		{"province absorbing others is not unchanged", "08", day("2010-01-01"),
			want{"Tỉnh Tuyên Quang", []string{"08"}, []SuccessionKind{Whole}, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Resolve(tt.code, tt.on)
			if err != nil {
				t.Fatal(err)
			}
			if r.Unit.Name != tt.want.unit {
				t.Errorf("Unit = %s, want %s", r.Unit, tt.want.unit)
			}
			kinds := make([]SuccessionKind, len(r.Current))
			for i, s := range r.Current {
				kinds[i] = s.Kind
				if !s.Unit.Current() {
					t.Errorf("successor %s is not in force today", s.Unit)
				}
			}
			if got := successorCodes(r.Current); !slices.Equal(got, tt.want.current) || !slices.Equal(kinds, tt.want.kinds) {
				t.Errorf("Current = %v %v, want %v %v", got, kinds, tt.want.current, tt.want.kinds)
			}
			if r.Ambiguous != tt.want.ambiguous {
				t.Errorf("Ambiguous = %v, want %v", r.Ambiguous, tt.want.ambiguous)
			}
		})
	}
}

func TestResolveAllResidents(t *testing.T) {
	c := Default()
	r, err := c.Resolve("00112", day("2024-01-01")) // Phường Thụy Khuê
	if err != nil {
		t.Fatal(err)
	}
	if !r.Ambiguous || len(r.Current) != 2 {
		t.Fatalf("Resolve = %+v, want a split in two", r)
	}
	for _, s := range r.Current {
		want := s.Unit.Code == "00103" // Phường Tây Hồ took all residents
		if s.AllResidents != want || s.Kind != Partial {
			t.Errorf("%s: AllResidents = %v, Kind = %s; want %v, partial", s.Unit, s.AllResidents, s.Kind, want)
		}
	}
}

func TestVersions(t *testing.T) {
	c := Default()
	tests := []struct {
		code  string
		names []string
	}{
		{"15", []string{"Tỉnh Yên Bái", "Tỉnh Lào Cai"}},
		{"00004", []string{"Phường Trúc Bạch", "Phường Ba Đình"}},
		{"00001", []string{"Phường Phúc Xá"}},
		{"11948", []string{"Đặc khu Bạch Long Vĩ"}},
		{"03980", []string{"Phường Mộc Lỵ", "Phường Mộc Châu"}},
		{"001", []string{"Quận Ba Đình"}},
		{"99999", nil},
		{"bad", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			vs := c.Versions(tt.code)
			var names []string
			for _, v := range vs {
				names = append(names, v.Name)
			}
			if !slices.Equal(names, tt.names) {
				t.Errorf("Versions(%s) = %q, want %q", tt.code, names, tt.names)
			}
			for i := 1; i < len(vs); i++ {
				if !vs[i-1].ValidTo.Before(vs[i].ValidFrom) {
					t.Errorf("versions %s and %s overlap or are out of order", vs[i-1], vs[i])
				}
			}
		})
	}
}

func TestProvince(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		unit Unit
		want string
	}{
		{"old commune", mustLookup(t, c, "00859", eve), "Tỉnh Hà Giang"},
		{"new commune", mustLookup(t, c, "00859", reform), "Tỉnh Tuyên Quang"},
		{"old district", mustLookup(t, c, "755", eve), "Tỉnh Bà Rịa - Vũng Tàu"},
		{"old province", mustLookup(t, c, "15", eve), "Tỉnh Yên Bái"},
		{"new province", mustLookup(t, c, "15", reform), "Tỉnh Lào Cai"},
		{"interim commune", mustLookup(t, c, "03983", eve), "Tỉnh Sơn La"},
		{"unit built by hand", Unit{Code: "00001", Level: LevelCommune, ProvinceCode: "24", ValidTo: eve}, "Tỉnh Bắc Giang"},
		{"unknown", Unit{Code: "00001", Level: LevelCommune, ProvinceCode: "99", ValidTo: eve}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Province(tt.unit); got.Name != tt.want {
				t.Errorf("Province(%s) = %q, want %q", tt.unit, got.Name, tt.want)
			}
		})
	}
}

func TestCommunes(t *testing.T) {
	c := Default()
	tests := []struct {
		name     string
		province string
		on       civil.Date
		n        int
	}{
		{"Hà Nội before", "01", eve, 526},
		{"Hà Nội after", "01", reform, 126},
		{"Hà Giang before", "02", eve, 193},
		{"no province 02 after the reform", "02", reform, 0},
		{"Lào Cai after (code 15)", "15", reform, 99},
		{"Yên Bái before (code 15)", "15", eve, 168},
		{"malformed", "1", eve, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us := c.Communes(tt.province, tt.on)
			if len(us) != tt.n {
				t.Errorf("Communes(%s, %s) = %d communes, want %d", tt.province, tt.on, len(us), tt.n)
			}
			if !slices.IsSorted(codes(us)) {
				t.Error("not sorted by code")
			}
			for _, u := range us {
				if u.ProvinceCode != tt.province || u.Level != LevelCommune || !u.ValidOn(tt.on) {
					t.Fatalf("%+v does not belong", u)
				}
			}
		})
	}
}

func TestCurrentCommunes(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		code string
		on   civil.Date
		want []string
		err  error
	}{
		{"whole merge", "00001", day("2024-01-01"), []string{"00097"}, nil},
		{"split", "00016", day("2024-01-01"), []string{"00004", "00008"}, nil},
		{"new commune", "00004", day("2026-01-01"), []string{"00004"}, nil},
		{"island district", "755", day("2024-01-01"), []string{"26732"}, nil},
		{"district", "001", day("2024-01-01"), []string{"00004", "00008", "00025", "00070", "00097", "00190", "00199", "00226"}, nil},
		{"no successor", "03898", day("2024-01-01"), nil, ErrNoSuccessor},
		{"not in force", "00001", reform, nil, ErrNotInForce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us, err := c.CurrentCommunes(tt.code, tt.on)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got := codes(us); !slices.Equal(got, tt.want) {
				t.Errorf("CurrentCommunes(%s, %s) = %v, want %v", tt.code, tt.on, got, tt.want)
			}
			for _, u := range us {
				if !u.Current() || u.Level != LevelCommune {
					t.Errorf("%s is not a current commune", u)
				}
			}
		})
	}
	t.Run("new province", func(t *testing.T) {
		us, err := c.CurrentCommunes("01", reform)
		if err != nil || len(us) != 126 {
			t.Errorf("CurrentCommunes(01, %s) = %d communes, %v; want 126", reform, len(us), err)
		}
	})
	t.Run("old province", func(t *testing.T) {
		us, err := c.CurrentCommunes("77", eve) // Bà Rịa - Vũng Tàu, with Côn Đảo
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(codes(us), "26732") {
			t.Error("Đặc khu Côn Đảo missing")
		}
		for _, u := range us {
			if u.ProvinceCode != "79" {
				t.Errorf("%s is not in Hồ Chí Minh", u)
			}
		}
	})
}

func TestPIDPlaceCode(t *testing.T) {
	c := Default()
	tests := []struct {
		name       string
		commune    string
		registered civil.Date
		issued     civil.Date
		want       string
		err        error
	}{
		{"Hà Giang, issued before the reform", "00688", day("2010-03-01"), day("2020-01-01"), "002", nil},
		{"Hà Giang, issued after the reform", "00688", day("2010-03-01"), day("2026-01-01"), "008", nil},
		{"Hà Giang, issued on the eve", "00688", day("2010-03-01"), eve, "002", nil},
		{"Hà Giang, issued on the reform day", "00688", day("2010-03-01"), reform, "008", nil},
		{"Yên Bái then Lào Cai share 15", "04252", day("2001-01-01"), day("2026-01-01"), "015", nil},
		{"old Bắc Ninh (27) becomes 024", "09187", day("2001-01-01"), day("2026-01-01"), "024", nil},
		{"old Bắc Ninh (27) before", "09187", day("2001-01-01"), day("2024-01-01"), "027", nil},
		{"split commune within one province", "00016", day("2001-01-01"), day("2026-01-01"), "001", nil},
		{"new commune", "00004", day("2025-09-01"), day("2025-09-01"), "001", nil},
		{"new commune, ID issued under the old list", "00859", day("2025-09-01"), day("2024-01-01"), "002", nil},
		{"no successor: the province's successor decides", "03898", day("2001-01-01"), day("2026-01-01"), "014", nil},
		{"issued in a year covering the reform", "00688", day("2010-03-01"), civil.YearOnly(2025), "", ErrAmbiguousDate},
		{"no issue date", "00688", day("2010-03-01"), civil.Date{}, "", ErrAmbiguousDate},
		{"commune not in force when registered", "00001", day("2026-01-01"), day("2026-01-01"), "", ErrNotInForce},
		{"unknown commune", "99999", day("2026-01-01"), day("2026-01-01"), "", ErrUnknownCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.PIDPlaceCode(tt.commune, tt.registered, tt.issued)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("PIDPlaceCode(%s, %s, %s) = %q, want %q", tt.commune, tt.registered, tt.issued, got, tt.want)
			}
		})
	}
}

// synthetic is a small catalogue with cases the real data does not have: a
// commune split across provinces and a chain of two reforms.
const (
	synthUnits = `level,code,name,kind,province_code,district_code,valid_from,valid_to
province,01,Tỉnh A,Tỉnh,01,,,2025-06-30
district,001,Huyện X,Huyện,01,,,2025-06-30
commune,00001,Xã M,Xã,01,001,,2020-12-31
commune,00002,Xã N,Xã,01,001,,2020-12-31
commune,00003,Xã P,Xã,01,001,2021-01-01,2025-06-30
commune,00006,Xã S,Xã,01,001,2021-01-01,2025-06-30
province,02,Tỉnh B,Tỉnh,02,,2025-07-01,
province,03,Tỉnh C,Tỉnh,03,,2025-07-01,
commune,00004,Xã Q,Xã,02,,2025-07-01,
commune,00005,Xã R,Xã,03,,2025-07-01,
`
	synthSuccessions = `on,old_code,new_code,kind,all_residents,note
2021-01-01,00001,00003,whole,,
2021-01-01,00002,00003,partial,,
2021-01-01,00002,00006,partial,,
2025-07-01,00003,00004,partial,,
2025-07-01,00003,00005,partial,true,
2025-07-01,00006,00005,whole,,
2025-07-01,001,02,partial,,
2025-07-01,001,03,partial,,
2025-07-01,01,02,partial,,
2025-07-01,01,03,partial,,
`
)

func TestSynthetic(t *testing.T) {
	c, err := parse([]byte(synthUnits), []byte(synthSuccessions))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("split across provinces", func(t *testing.T) {
		_, err := c.PIDPlaceCode("00003", day("2022-01-01"), day("2026-01-01"))
		var amb *AmbiguousError
		if !errors.Is(err, ErrAmbiguous) || !errors.As(err, &amb) {
			t.Fatalf("error = %v, want an *AmbiguousError", err)
		}
		if got := codes(amb.Candidates); !slices.Equal(got, []string{"02", "03"}) {
			t.Errorf("candidates %v", got)
		}
		for _, s := range []string{"002 Tỉnh B", "003 Tỉnh C"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q does not name %q", err, s)
			}
		}
	})
	t.Run("same commune, old list", func(t *testing.T) {
		if got, err := c.PIDPlaceCode("00003", day("2022-01-01"), day("2023-01-01")); got != "001" || err != nil {
			t.Errorf("= %q, %v", got, err)
		}
	})
	t.Run("chain of two reforms", func(t *testing.T) {
		r, err := c.Resolve("00001", day("2019-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		if got := successorCodes(r.Current); !slices.Equal(got, []string{"00004", "00005"}) || !r.Ambiguous {
			t.Errorf("Current = %v, ambiguous %v", got, r.Ambiguous)
		}
		for _, s := range r.Current {
			if s.Kind != Partial {
				t.Errorf("%s: kind %s", s.Unit, s.Kind)
			}
		}
	})
	t.Run("reached along two paths", func(t *testing.T) {
		r, err := c.Resolve("00002", day("2019-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		if got := successorCodes(r.Current); !slices.Equal(got, []string{"00004", "00005"}) {
			t.Errorf("Current = %v", got)
		}
	})
	t.Run("backwards across the split", func(t *testing.T) {
		got, err := c.PIDPlaceCode("00005", day("2026-01-01"), day("2019-01-01"))
		if got != "001" || err != nil {
			t.Errorf("= %q, %v", got, err)
		}
	})
}

func TestParseRejects(t *testing.T) {
	head := "level,code,name,kind,province_code,district_code,valid_from,valid_to\n"
	prov := "province,01,Tỉnh A,Tỉnh,01,,,\n"
	shead := "on,old_code,new_code,kind,all_residents,note\n"
	tests := []struct {
		name         string
		units, succs string
	}{
		{"bad header", "code,level\n", shead},
		{"bad level", head + "city,01,Tỉnh A,Tỉnh,01,,,\n", shead},
		{"code length", head + "province,001,Tỉnh A,Tỉnh,01,,,\n", shead},
		{"name without kind", head + "province,01,A,Tỉnh,01,,,\n", shead},
		{"overlapping versions", head + prov + prov, shead},
		{"missing province", head + prov + "commune,00001,Xã M,Xã,02,,,\n", shead},
		{"partial date", head + "province,01,Tỉnh A,Tỉnh,01,,2025,\n", shead},
		{"succession to nothing", head + "province,01,Tỉnh A,Tỉnh,01,,,2025-06-30\n", shead + "2025-07-01,01,02,whole,,\n"},
		{"succession from a current unit", head + prov, shead + "2025-07-01,01,01,whole,,\n"},
		{"unknown kind", head + "province,01,Tỉnh A,Tỉnh,01,,,2025-06-30\nprovince,01,Tỉnh B,Tỉnh,01,,2025-07-01,\n", shead + "2025-07-01,01,01,some,,\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parse([]byte(tt.units), []byte(tt.succs)); err == nil {
				t.Error("parse accepted it")
			}
		})
	}
}

// TestDataInvariants checks the embedded catalogue as a whole.
func TestDataInvariants(t *testing.T) {
	c := Default()
	orphans := 0
	split := 0
	for i, u := range c.units {
		if !norm.NFC.IsNormalString(u.Name) || strings.Join(strings.FieldsFunc(u.Name, unicode.IsSpace), " ") != u.Name {
			t.Errorf("%s: name not NFC or has stray white space", u)
		}
		if u.Level == LevelCommune && !u.Current() && u.DistrictCode == "" {
			t.Errorf("%s: old commune without district", u)
		}
		if u.Current() && u.DistrictCode != "" {
			t.Errorf("%s: new unit with a district", u)
		}
		if !u.Current() {
			es := c.next[i]
			kinds := map[SuccessionKind]int{}
			targets := 0
			for _, e := range es {
				if c.units[e.to].Level == resolveLevel(u.Level) {
					kinds[e.kind]++
					targets++
				}
			}
			switch {
			case targets == 0 && u.Level == LevelCommune:
				orphans++
			case targets == 0:
				t.Errorf("%s has no successor", u)
			case targets > 1 && kinds[Partial] != targets:
				t.Errorf("%s has %d successors but not all partial: %v", u, targets, kinds)
			case targets == 1 && kinds[Partial] == 1:
				t.Errorf("%s is partial in its only successor", u)
			}
			if targets > 1 {
				split++
			}
			if u.Level == LevelProvince && targets != 1 {
				t.Errorf("old province %s went to %d provinces", u, targets)
			}
		} else if u.Level == LevelCommune && len(c.prev[i]) == 0 {
			t.Errorf("new commune %s has no predecessor", u)
		}
	}
	if orphans != 18 {
		t.Errorf("%d old communes without successor, want 18 (see data/README.md)", orphans)
	}
	if split != 440 {
		t.Errorf("%d old communes split, want 440", split)
	}
}

func TestDefaultConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]*Catalogue, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = Default()
			if _, err := got[i].Resolve("00016", eve); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, c := range got {
		if c != got[0] {
			t.Fatal("Default returned different catalogues")
		}
	}
}

func TestValidOn(t *testing.T) {
	old := Unit{ValidTo: eve}
	now := Unit{ValidFrom: reform}
	tests := []struct {
		d        civil.Date
		old, now bool
	}{
		{day("1900-01-01"), true, false},
		{eve, true, false},
		{reform, false, true},
		{civil.YearOnly(2025), true, true},
		{civil.YearMonth(2025, 6), true, false},
		{civil.YearMonth(2025, 7), false, true},
		{civil.Date{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			if old.ValidOn(tt.d) != tt.old || now.ValidOn(tt.d) != tt.now {
				t.Errorf("ValidOn(%s): old %v now %v, want %v %v", tt.d, old.ValidOn(tt.d), now.ValidOn(tt.d), tt.old, tt.now)
			}
		})
	}
}

func BenchmarkResolve(b *testing.B) {
	c := Default()
	on := day("2020-01-01")
	codes := []string{"00001", "00016", "00553", "01", "001", "18796"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := c.Resolve(codes[i%len(codes)], on); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	units, _ := dataFS.ReadFile("data/units.csv")
	succ, _ := dataFS.ReadFile("data/successions.csv")
	for b.Loop() {
		if _, err := parse(units, succ); err != nil {
			b.Fatal(err)
		}
	}
}
