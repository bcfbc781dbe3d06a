package civil

import (
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // the registry's civil time zone must not depend on the host's zoneinfo
)

// Location is Asia/Ho_Chi_Minh, the zone in which every civil date is read.
var Location = mustLoad("Asia/Ho_Chi_Minh")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Clock returns the current instant. Production passes time.Now; tests pass
// a fixed or stepping clock.
type Clock func() time.Time

// Precision says how much of a Date is known.
type Precision uint8

const (
	// PrecisionDay is a full date: 2003-05-01.
	PrecisionDay Precision = iota
	// PrecisionMonth is a year and month: 1948-03.
	PrecisionMonth
	// PrecisionYear is a year only: 1931.
	PrecisionYear
)

// Date is a civil date, possibly only to the month or year. The zero Date is
// "no date". Comparisons treat a partial date as the interval it stands for.
type Date struct {
	year  int16
	month uint8
	day   uint8
	prec  Precision
	set   bool
}

// ErrSyntax is wrapped by every parse error, so callers can tell malformed
// input from dates that are well-formed but wrong for their purpose.
var ErrSyntax = errors.New("civil date must be YYYY-MM-DD, YYYY-MM or YYYY")

// MinYear and MaxYear bound the years the registry accepts. The personal ID
// number encodes centuries 1900 to 2399, but older legacy records exist.
const (
	MinYear = 1800
	MaxYear = 2399
)

// NewDate returns the day-precision date y-m-d. It panics on an impossible
// date; use ParseDate for outside input.
func NewDate(y int, m time.Month, d int) Date {
	dt, err := makeDate(y, int(m), d, PrecisionDay)
	if err != nil {
		panic(err)
	}
	return dt
}

// YearOnly returns the year-precision date y.
func YearOnly(y int) Date {
	dt, err := makeDate(y, 1, 1, PrecisionYear)
	if err != nil {
		panic(err)
	}
	return dt
}

// YearMonth returns the month-precision date y-m.
func YearMonth(y int, m time.Month) Date {
	dt, err := makeDate(y, int(m), 1, PrecisionMonth)
	if err != nil {
		panic(err)
	}
	return dt
}

func makeDate(y, m, d int, p Precision) (Date, error) {
	if y < MinYear || y > MaxYear {
		return Date{}, fmt.Errorf("year %d is outside %d–%d", y, MinYear, MaxYear)
	}
	if m < 1 || m > 12 {
		return Date{}, fmt.Errorf("month %d does not exist", m)
	}
	if d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, fmt.Errorf("day %d does not exist in %04d-%02d", d, y, m)
	}
	switch p {
	case PrecisionYear:
		m, d = 1, 1
	case PrecisionMonth:
		d = 1
	}
	return Date{year: int16(y), month: uint8(m), day: uint8(d), prec: p, set: true}, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ParseDate parses "YYYY-MM-DD", "YYYY-MM" or "YYYY". Only ASCII digits are
// accepted.
func ParseDate(s string) (Date, error) {
	digits := func(part string) (int, bool) {
		n := 0
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, len(part) > 0
	}
	var y, m, d int
	var ok1, ok2, ok3 bool
	var p Precision
	switch len(s) {
	case 4:
		y, ok1 = digits(s)
		m, ok2, d, ok3, p = 1, true, 1, true, PrecisionYear
	case 7:
		if s[4] != '-' {
			return Date{}, fmt.Errorf("%q: %w", s, ErrSyntax)
		}
		y, ok1 = digits(s[:4])
		m, ok2 = digits(s[5:])
		d, ok3, p = 1, true, PrecisionMonth
	case 10:
		if s[4] != '-' || s[7] != '-' {
			return Date{}, fmt.Errorf("%q: %w", s, ErrSyntax)
		}
		y, ok1 = digits(s[:4])
		m, ok2 = digits(s[5:7])
		d, ok3 = digits(s[8:])
		p = PrecisionDay
	default:
		return Date{}, fmt.Errorf("%q: %w", s, ErrSyntax)
	}
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("%q: %w", s, ErrSyntax)
	}
	dt, err := makeDate(y, m, d, p)
	if err != nil {
		return Date{}, fmt.Errorf("%q: %w", s, err)
	}
	return dt, nil
}

// MustParse is ParseDate for constants and tests.
func MustParse(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the civil day of t in Asia/Ho_Chi_Minh.
func DateOf(t time.Time) Date {
	t = t.In(Location)
	return NewDate(t.Year(), t.Month(), t.Day())
}

// Today returns the civil day the clock is on.
func Today(c Clock) Date { return DateOf(c()) }

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return !d.set }

// Precision reports how much of d is known.
func (d Date) Precision() Precision { return d.prec }

// Year returns the year of d.
func (d Date) Year() int { return int(d.year) }

// Month returns the month of d (January for year-only dates).
func (d Date) Month() time.Month { return time.Month(d.month) }

// Day returns the day of d (1 for partial dates).
func (d Date) Day() int { return int(d.day) }

// String formats d as it was given: YYYY-MM-DD, YYYY-MM or YYYY; "" for zero.
func (d Date) String() string {
	if !d.set {
		return ""
	}
	switch d.prec {
	case PrecisionYear:
		return fmt.Sprintf("%04d", d.year)
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", d.year, d.month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.year, d.month, d.day)
}

// First returns the first day of the interval d stands for.
func (d Date) First() Date {
	if !d.set {
		return d
	}
	return Date{year: d.year, month: d.month, day: d.day, prec: PrecisionDay, set: true}
}

// Last returns the last day of the interval d stands for.
func (d Date) Last() Date {
	switch {
	case !d.set:
		return d
	case d.prec == PrecisionYear:
		return Date{year: d.year, month: 12, day: 31, set: true}
	case d.prec == PrecisionMonth:
		return Date{year: d.year, month: d.month, day: uint8(daysIn(int(d.year), time.Month(d.month))), set: true}
	}
	return d
}

func (d Date) ordinal() int {
	return int(d.year)*10000 + int(d.month)*100 + int(d.day)
}

// Compare orders the first days of a and b: -1, 0 or +1. It is the order in
// which events are applied, not a statement that one interval precedes the
// other; use Before and After for that.
func Compare(a, b Date) int {
	x, y := a.First().ordinal(), b.First().ordinal()
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// Before reports whether every day of d is before every day of o.
func (d Date) Before(o Date) bool { return d.Last().ordinal() < o.First().ordinal() }

// After reports whether every day of d is after every day of o.
func (d Date) After(o Date) bool { return d.First().ordinal() > o.Last().ordinal() }

// Contains reports whether day lies inside the interval d stands for.
func (d Date) Contains(day Date) bool {
	return !day.Before(d.First()) && !day.After(d.Last())
}

// Overlaps reports whether the intervals of d and o share a day.
func (d Date) Overlaps(o Date) bool { return !d.Before(o) && !d.After(o) }

// Equal reports whether d and o are the same date at the same precision.
func (d Date) Equal(o Date) bool { return d == o }

// AddDays returns the day-precision date n days after the first day of d.
func (d Date) AddDays(n int) Date {
	t := time.Date(int(d.year), time.Month(d.month), int(d.day)+n, 0, 0, 0, 0, time.UTC)
	return NewDate(t.Year(), t.Month(), t.Day())
}

// AddYears returns d moved by n years at the same precision; 29 February
// becomes 28 February in a common year.
func (d Date) AddYears(n int) Date {
	y := int(d.year) + n
	day := int(d.day)
	if dm := daysIn(y, time.Month(d.month)); day > dm {
		day = dm
	}
	dt, err := makeDate(y, int(d.month), day, d.prec)
	if err != nil {
		panic(err)
	}
	return dt
}

// Time returns midnight at the start of the first day of d in Asia/Ho_Chi_Minh.
func (d Date) Time() time.Time {
	return time.Date(int(d.year), time.Month(d.month), int(d.day), 0, 0, 0, 0, Location)
}

// AgeOn returns the completed years between the birth date d and day. A
// partial date is read as its earliest possible day, the reading that gives
// the highest age, so a minimum-age rule never wrongly refuses someone whose
// exact birthday is unknown.
func (d Date) AgeOn(day Date) int {
	b := d.First()
	age := int(day.year) - int(b.year)
	if int(day.month) < int(b.month) || (day.month == b.month && day.day < b.day) {
		age--
	}
	return age
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	dt, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = dt
	return nil
}
