package pid

import (
	"errors"
	"fmt"
	"strings"
)

// Number is a syntactically valid 12-digit personal ID number. The zero
// value is "no number".
type Number string

// Legacy is a syntactically valid legacy identity-card number (CMND): 9
// digits, or 12 for the cards some provinces issued from 2012.
type Legacy string

// Sex is the sex the century digit encodes.
type Sex uint8

const (
	Male Sex = iota + 1
	Female
)

func (s Sex) String() string {
	switch s {
	case Male:
		return "male"
	case Female:
		return "female"
	}
	return "unknown"
}

// ErrSyntax is wrapped by every error about the shape of a number, as opposed
// to its agreement with a person's record.
var ErrSyntax = errors.New("malformed number")

// ErrMismatch is wrapped by errors saying that a well-formed number does not
// agree with the person it is claimed for.
var ErrMismatch = errors.New("number does not match the person")

// FirstYear and LastYear bound the birth years a number can encode.
const (
	FirstYear = 1900
	LastYear  = 2399
)

// Parse checks that s is exactly 12 ASCII digits. It does not trim or
// accept separators: a number with spaces or full-width digits is a
// different string and is refused rather than silently repaired.
func Parse(s string) (Number, error) {
	if err := asciiDigits(s, 12); err != nil {
		return "", err
	}
	return Number(s), nil
}

// ParseLegacy checks that s is a 9- or 12-digit ASCII number.
func ParseLegacy(s string) (Legacy, error) {
	if len(s) != 9 && len(s) != 12 {
		return "", fmt.Errorf("%w: a legacy ID number has 9 or 12 digits, got %d characters", ErrSyntax, len([]rune(s)))
	}
	if err := asciiDigits(s, len(s)); err != nil {
		return "", err
	}
	return Legacy(s), nil
}

func asciiDigits(s string, n int) error {
	if len(s) != n {
		return fmt.Errorf("%w: a personal ID number has %d digits, got %d characters", ErrSyntax, n, len([]rune(s)))
	}
	for i := 0; i < len(s); i++ {
		// unicode.IsDigit would accept full-width and other scripts' digits.
		if c := s[i]; c < '0' || c > '9' {
			return fmt.Errorf("%w: character %d is not an ASCII digit 0-9", ErrSyntax, len([]rune(s[:i]))+1)
		}
	}
	return nil
}

// PlaceCode returns the 3-digit place code of birth registration.
func (n Number) PlaceCode() string { return string(n[:3]) }

// Sex returns the sex the century digit encodes.
func (n Number) Sex() Sex {
	if (n[3]-'0')%2 == 0 {
		return Male
	}
	return Female
}

// BirthYear returns the birth year the century digit and year digits encode.
func (n Number) BirthYear() int {
	century := FirstYear + int(n[3]-'0')/2*100
	return century + int(n[4]-'0')*10 + int(n[5]-'0')
}

// Serial returns the 6-digit serial.
func (n Number) Serial() int {
	s := 0
	for i := 6; i < 12; i++ {
		s = s*10 + int(n[i]-'0')
	}
	return s
}

// String returns the number's digits.
func (n Number) String() string { return string(n) }

// Masked returns the number with the serial hidden except its last three
// digits, for logs and screens where the full number is not needed.
func (n Number) Masked() string {
	if len(n) != 12 {
		return ""
	}
	return string(n[:6]) + "***" + string(n[9:])
}

// CenturyDigit returns the century/sex digit for a birth year and sex.
func CenturyDigit(birthYear int, sex Sex) (byte, error) {
	if birthYear < FirstYear || birthYear > LastYear {
		return 0, fmt.Errorf("birth year %d cannot be encoded: personal ID numbers cover %d–%d", birthYear, FirstYear, LastYear)
	}
	if sex != Male && sex != Female {
		return 0, errors.New("sex must be male or female")
	}
	d := byte((birthYear-FirstYear)/100) * 2
	if sex == Female {
		d++
	}
	return '0' + d, nil
}

// MaxSerial is the highest serial; serials run from 1 to MaxSerial.
const MaxSerial = 999_999

// Compose builds a number from its parts.
func Compose(placeCode string, birthYear int, sex Sex, serial int) (Number, error) {
	if err := asciiDigits(placeCode, 3); err != nil {
		return "", fmt.Errorf("place code %q: %w", placeCode, ErrSyntax)
	}
	c, err := CenturyDigit(birthYear, sex)
	if err != nil {
		return "", err
	}
	if serial < 1 || serial > MaxSerial {
		return "", fmt.Errorf("serial %d is outside 1–%d", serial, MaxSerial)
	}
	return Number(fmt.Sprintf("%s%c%02d%06d", placeCode, c, birthYear%100, serial)), nil
}

// Expectation is what a person's record says a number must encode.
type Expectation struct {
	// PlaceCodes are the acceptable 3-digit place codes. Usually one: the
	// code of the birth-registration province in the list in force when the
	// number was issued (or the country code of a birth abroad). Several
	// when the record cannot tell (an issue date near the 2025 reform).
	PlaceCodes []string
	// BirthYearFrom and BirthYearTo bound the acceptable birth years; equal
	// for a known year.
	BirthYearFrom, BirthYearTo int
	Sex                        Sex
}

// Mismatch names one part of a number that disagrees with the record.
type Mismatch struct {
	Part     string // "place_code", "century_sex", "birth_year"
	Got      string
	Expected string
}

// ValidationError lists every disagreement between a number and a record.
type ValidationError struct {
	Number     Number
	Mismatches []Mismatch
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "personal ID number %s does not match the person:", e.Number.Masked())
	for i, m := range e.Mismatches {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %s is %s, expected %s", m.Part, m.Got, m.Expected)
	}
	return b.String()
}

func (e *ValidationError) Unwrap() error { return ErrMismatch }

// Validate reports, as a *ValidationError, every way in which n disagrees
// with what the person's record says it must encode.
func Validate(n Number, want Expectation) error {
	var ms []Mismatch
	if len(want.PlaceCodes) > 0 {
		ok := false
		for _, pc := range want.PlaceCodes {
			ok = ok || pc == n.PlaceCode()
		}
		if !ok {
			ms = append(ms, Mismatch{"place_code", n.PlaceCode(), strings.Join(want.PlaceCodes, " or ")})
		}
	}
	if want.Sex != 0 && n.Sex() != want.Sex {
		ms = append(ms, Mismatch{"century_sex", string(n[3]), fmt.Sprintf("a digit for a %s", want.Sex)})
	}
	if y := n.BirthYear(); want.BirthYearFrom != 0 && (y < want.BirthYearFrom || y > want.BirthYearTo) {
		exp := fmt.Sprint(want.BirthYearFrom)
		if want.BirthYearTo != want.BirthYearFrom {
			exp = fmt.Sprintf("%d–%d", want.BirthYearFrom, want.BirthYearTo)
		}
		ms = append(ms, Mismatch{"birth_year", fmt.Sprint(y), exp})
	}
	if len(ms) > 0 {
		return &ValidationError{Number: n, Mismatches: ms}
	}
	return nil
}
