package civil

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		prec Precision
		ok   bool
	}{
		{"2003-05-01", "2003-05-01", PrecisionDay, true},
		{"1948-03", "1948-03", PrecisionMonth, true},
		{"1931", "1931", PrecisionYear, true},
		{"2024-02-29", "2024-02-29", PrecisionDay, true},
		{"2023-02-29", "", 0, false},
		{"2003-13-01", "", 0, false},
		{"2003-00", "", 0, false},
		{"2003-5-1", "", 0, false},
		{"03-05-2003", "", 0, false},
		{"２００３", "", 0, false},
		{"1799", "", 0, false},
		{"2400-01-01", "", 0, false},
		{"", "", 0, false},
		{"2003/05/01", "", 0, false},
		{"2003-05-01T00:00", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseDate(%q) = %v, %v", tt.in, d, err)
			}
			if !tt.ok {
				return
			}
			if d.String() != tt.want || d.Precision() != tt.prec {
				t.Fatalf("got %s (%d), want %s (%d)", d, d.Precision(), tt.want, tt.prec)
			}
		})
	}
	if _, err := ParseDate("2003/05/01"); !errors.Is(err, ErrSyntax) {
		t.Errorf("syntax error does not wrap ErrSyntax: %v", err)
	}
}

func TestIntervals(t *testing.T) {
	y, m, d := MustParse("1931"), MustParse("1931-06"), MustParse("1931-06-15")
	if y.First() != MustParse("1931-01-01") || y.Last() != MustParse("1931-12-31") {
		t.Errorf("year interval %s–%s", y.First(), y.Last())
	}
	if m.Last() != MustParse("1931-06-30") || MustParse("2024-02").Last() != MustParse("2024-02-29") {
		t.Errorf("month interval")
	}
	cases := []struct {
		a, b          Date
		before, after bool
		overlap       bool
	}{
		{y, d, false, false, true},
		{m, d, false, false, true},
		{MustParse("1930"), y, true, false, false},
		{MustParse("1931-12-31"), MustParse("1932"), true, false, false},
		{MustParse("1932-01-01"), y, false, true, false},
	}
	for _, c := range cases {
		if c.a.Before(c.b) != c.before || c.a.After(c.b) != c.after || c.a.Overlaps(c.b) != c.overlap {
			t.Errorf("%s vs %s: before %v after %v overlap %v", c.a, c.b, c.a.Before(c.b), c.a.After(c.b), c.a.Overlaps(c.b))
		}
	}
	if !y.Contains(d) || m.Contains(MustParse("1931-07-01")) {
		t.Errorf("Contains")
	}
}

func TestAgeOn(t *testing.T) {
	tests := []struct {
		birth, on string
		want      int
	}{
		{"2000-03-01", "2018-02-28", 17},
		{"2000-03-01", "2018-03-01", 18},
		{"2000-02-29", "2018-02-28", 17},
		{"2000", "2018-01-01", 18}, // a year-only birth may have been on 1 January
		{"2000-12", "2018-12-01", 18},
	}
	for _, tt := range tests {
		if got := MustParse(tt.birth).AgeOn(MustParse(tt.on)); got != tt.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", tt.birth, tt.on, got, tt.want)
		}
	}
}

func TestDateOfUsesVietnamTime(t *testing.T) {
	// 17:30 UTC on 30 June is already 1 July in Hà Nội: the reform day.
	instant := time.Date(2025, 6, 30, 17, 30, 0, 0, time.UTC)
	if got := DateOf(instant); got != NewDate(2025, 7, 1) {
		t.Fatalf("DateOf = %s, want 2025-07-01", got)
	}
}

func TestAddYears(t *testing.T) {
	if got := MustParse("2024-02-29").AddYears(1); got != MustParse("2025-02-28") {
		t.Errorf("AddYears = %s", got)
	}
	if got := MustParse("2024-01-31").AddDays(1); got != MustParse("2024-02-01") {
		t.Errorf("AddDays = %s", got)
	}
}

func TestTextRoundTrip(t *testing.T) {
	for _, s := range []string{"2003-05-01", "1948-03", "1931", ""} {
		var d Date
		if err := d.UnmarshalText([]byte(s)); err != nil {
			t.Fatal(err)
		}
		b, _ := d.MarshalText()
		if string(b) != s {
			t.Errorf("round trip %q → %q", s, b)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2003-05-01", "1931", "1948-03", "2024-02-29", "", "２００３", "9999-99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		if d.First().After(d.Last()) || !d.Contains(d.First()) || !d.Contains(d.Last()) {
			t.Fatalf("interval of %s is broken: %s–%s", s, d.First(), d.Last())
		}
	})
}
