package pid

import (
	"errors"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"valid", "001203012345", true},
		{"too short", "00120301234", false},
		{"too long", "0012030123456", false},
		{"letter", "00120301234a", false},
		{"space", "001 03012345", false},
		{"full-width digit", "00120301234５", false},
		{"arabic-indic digit", "00120301234٥", false},
		{"empty", "", false},
		{"leading plus", "+01203012345", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("Parse(%q) = %q, %v; want ok=%v", tt.in, n, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
		})
	}
}

func TestParts(t *testing.T) {
	tests := []struct {
		n     Number
		year  int
		sex   Sex
		place string
		ser   int
	}{
		{"001089000123", 1989, Male, "001", 123},
		{"079195999999", 1995, Female, "079", 999999},
		{"038200000001", 2000, Male, "038", 1},
		{"008325000042", 2025, Female, "008", 42},
		{"704599000001", 2199, Female, "704", 1},
		{"001800000001", 2300, Male, "001", 1},
		{"001999000001", 2399, Female, "001", 1},
	}
	for _, tt := range tests {
		t.Run(string(tt.n), func(t *testing.T) {
			if got := tt.n.BirthYear(); got != tt.year {
				t.Errorf("BirthYear = %d, want %d", got, tt.year)
			}
			if got := tt.n.Sex(); got != tt.sex {
				t.Errorf("Sex = %v, want %v", got, tt.sex)
			}
			if got := tt.n.PlaceCode(); got != tt.place {
				t.Errorf("PlaceCode = %q, want %q", got, tt.place)
			}
			if got := tt.n.Serial(); got != tt.ser {
				t.Errorf("Serial = %d, want %d", got, tt.ser)
			}
			back, err := Compose(tt.place, tt.year, tt.sex, tt.ser)
			if err != nil || back != tt.n {
				t.Errorf("Compose = %q, %v; want %q", back, err, tt.n)
			}
		})
	}
}

func TestCenturyDigit(t *testing.T) {
	tests := []struct {
		year int
		sex  Sex
		want byte
		ok   bool
	}{
		{1900, Male, '0', true}, {1999, Female, '1', true},
		{2000, Male, '2', true}, {2099, Female, '3', true},
		{2100, Male, '4', true}, {2101, Female, '5', true},
		{2200, Male, '6', true}, {2250, Female, '7', true},
		{2300, Male, '8', true}, {2399, Female, '9', true},
		{1899, Male, 0, false}, {2400, Female, 0, false}, {2000, 0, 0, false},
	}
	for _, tt := range tests {
		got, err := CenturyDigit(tt.year, tt.sex)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("CenturyDigit(%d, %v) = %q, %v; want %q ok=%v", tt.year, tt.sex, got, err, tt.want, tt.ok)
		}
	}
}

func TestComposeRefuses(t *testing.T) {
	for name, f := range map[string]func() (Number, error){
		"serial zero":     func() (Number, error) { return Compose("001", 2000, Male, 0) },
		"serial too big":  func() (Number, error) { return Compose("001", 2000, Male, 1_000_000) },
		"short place":     func() (Number, error) { return Compose("01", 2000, Male, 1) },
		"non-digit place": func() (Number, error) { return Compose("0a1", 2000, Male, 1) },
		"year too early":  func() (Number, error) { return Compose("001", 1850, Male, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			if n, err := f(); err == nil {
				t.Fatalf("Compose accepted, got %q", n)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	n := Number("001203012345") // Hà Nội, male, 2003
	tests := []struct {
		name  string
		want  Expectation
		parts []string
	}{
		{"agrees", Expectation{PlaceCodes: []string{"001"}, BirthYearFrom: 2003, BirthYearTo: 2003, Sex: Male}, nil},
		{"one of several places", Expectation{PlaceCodes: []string{"024", "001"}, BirthYearFrom: 2003, BirthYearTo: 2003, Sex: Male}, nil},
		{"wrong place", Expectation{PlaceCodes: []string{"079"}, BirthYearFrom: 2003, BirthYearTo: 2003, Sex: Male}, []string{"place_code"}},
		{"wrong sex", Expectation{PlaceCodes: []string{"001"}, BirthYearFrom: 2003, BirthYearTo: 2003, Sex: Female}, []string{"century_sex"}},
		{"wrong year", Expectation{PlaceCodes: []string{"001"}, BirthYearFrom: 2004, BirthYearTo: 2004, Sex: Male}, []string{"birth_year"}},
		{"wrong century", Expectation{PlaceCodes: []string{"001"}, BirthYearFrom: 1903, BirthYearTo: 1903, Sex: Male}, []string{"birth_year"}},
		{"everything wrong", Expectation{PlaceCodes: []string{"079"}, BirthYearFrom: 1990, BirthYearTo: 1990, Sex: Female}, []string{"place_code", "century_sex", "birth_year"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(n, tt.want)
			if tt.parts == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrMismatch) {
				t.Fatalf("Validate = %v, want a *ValidationError wrapping ErrMismatch", err)
			}
			if len(ve.Mismatches) != len(tt.parts) {
				t.Fatalf("mismatches %+v, want parts %v", ve.Mismatches, tt.parts)
			}
			for i, p := range tt.parts {
				if ve.Mismatches[i].Part != p {
					t.Errorf("mismatch %d is %q, want %q", i, ve.Mismatches[i].Part, p)
				}
			}
		})
	}
}

func TestParseLegacy(t *testing.T) {
	for in, ok := range map[string]bool{"012345678": true, "012345678901": true, "01234567": false, "0123456789": false, "01234567８": false} {
		if _, err := ParseLegacy(in); (err == nil) != ok {
			t.Errorf("ParseLegacy(%q) err=%v, want ok=%v", in, err, ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"001203012345", "", "00120301234５", "999999999999", "0012030123456", "\x00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrSyntax", s, err)
			}
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("error message is not UTF-8")
			}
			return
		}
		if len(n) != 12 {
			t.Fatalf("accepted %q of length %d", s, len(n))
		}
		for i := 0; i < 12; i++ {
			if n[i] < '0' || n[i] > '9' {
				t.Fatalf("accepted non-ASCII-digit %q", s)
			}
		}
		y := n.BirthYear()
		if y < FirstYear || y > LastYear {
			t.Fatalf("birth year %d out of range", y)
		}
		if n.Serial() == 0 {
			return // a well-formed string, but never issued: Compose refuses serial 0
		}
		back, err := Compose(n.PlaceCode(), y, n.Sex(), n.Serial())
		if err != nil || back != n {
			t.Fatalf("round trip of %q gave %q, %v", s, back, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("001203012345"); err != nil {
			b.Fatal(err)
		}
	}
}
