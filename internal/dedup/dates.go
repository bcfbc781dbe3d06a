package dedup

import (
	"dancu/internal/civil"
)

// generationYears is the least difference of birth years read as two
// generations (parent and child), never as one person with a wrong year.
const generationYears = 14

// dateCmp is the outcome of comparing two birth dates.
type dateCmp struct {
	code   string
	weight float64
	// exact reports whether both are full dates and equal (1 January
	// included).
	exact bool
	// years is the absolute difference of the birth years.
	years int
}

// Weights of birth-date evidence. A full date agreeing is strong evidence
// (1 in 365 for namesakes of one birth year); explained differences (day
// and month swapped, one day off, one wrong digit in the year) are weaker;
// an unexplained difference within the year is evidence against, years
// apart strong evidence against.
//
// Dates two or three days apart are weak evidence for: Base already
// assumes the years agree, so the question is how much likelier four days
// of the year (1 in 90 for namesakes) are for one person than for two.
// Records of one person do differ by a few days (a birth registered days
// later, the registration's date taken for the birth's, a neighbouring
// row): if one duplicate in twenty does, the ratio is about 4.5.
const (
	wDateEqual        = 6.0
	wDatePlaceholder  = 3.0 // both 1 January: the usual placeholder
	wDateSwapped      = 3.0
	wDateOffByOne     = 3.0
	wDateYearTypo     = 2.5
	wDateDaysOff      = 1.5 // two or three days apart
	wDateMonth        = 2.5 // year and month agree, the day unknown on one side
	wDateYear         = 0.5 // the year agrees, more unknown on one side
	wDateJan1         = 0.0 // 1 January against another day of the year
	wDateDayTypo      = -0.5
	wDateMonthDiffers = -1.5 // same day, another month (a lunar date, a slip)
	wDateDiffers      = -3.5
	wDateYear1        = -5.0
	wDateYears        = -10.0
)

func compareDates(a, b civil.Date) dateCmp {
	if a.IsZero() || b.IsZero() {
		return dateCmp{}
	}
	ya, yb := a.Year(), b.Year()
	years := ya - yb
	if years < 0 {
		years = -years
	}
	c := dateCmp{years: years}
	full := a.Precision() == civil.PrecisionDay && b.Precision() == civil.PrecisionDay
	if full {
		jan1a := a.Month() == 1 && a.Day() == 1
		jan1b := b.Month() == 1 && b.Day() == 1
		switch {
		case a == b && jan1a:
			c.code, c.weight, c.exact = "birth_date_placeholder_equal", wDatePlaceholder, true
		case a == b:
			c.code, c.weight, c.exact = "birth_date_equal", wDateEqual, true
		case a.AddDays(1) == b || b.AddDays(1) == a:
			c.code, c.weight = "birth_date_off_by_one", wDateOffByOne
		case ya == yb && int(a.Month()) == b.Day() && int(b.Month()) == a.Day():
			c.code, c.weight = "birth_day_month_swapped", wDateSwapped
		case ya == yb && (jan1a || jan1b):
			c.code, c.weight = "birth_date_placeholder", wDateJan1
		case a.Month() == b.Month() && a.Day() == b.Day() && years < generationYears && yearSlip(ya, yb):
			c.code, c.weight = "birth_year_typo", wDateYearTypo
		case daysApart(a, b) <= maxDaysOff:
			c.code, c.weight = "birth_date_days_off", wDateDaysOff
		case ya == yb && a.Month() == b.Month() && digitSlip(a.Day(), b.Day()):
			c.code, c.weight = "birth_day_typo", wDateDayTypo
		case ya == yb && a.Day() == b.Day():
			c.code, c.weight = "birth_month_differs", wDateMonthDiffers
		case ya == yb:
			c.code, c.weight = "birth_day_month_differ", wDateDiffers
		case years == 1:
			c.code, c.weight = "birth_year_differs", wDateYear1
		default:
			c.code, c.weight = "birth_years_apart", wDateYears
		}
		return c
	}
	// At least one partial date: compare the intervals they stand for.
	if a.Overlaps(b) {
		switch {
		case a.Precision() != civil.PrecisionYear && b.Precision() != civil.PrecisionYear:
			c.code, c.weight = "birth_month_equal", wDateMonth
		default:
			c.code, c.weight = "birth_year_equal", wDateYear
		}
		return c
	}
	switch {
	case ya == yb && (isJan1(a) || isJan1(b)):
		c.code, c.weight = "birth_date_placeholder", wDateJan1
	case ya == yb:
		c.code, c.weight = "birth_month_differs", wDateMonthDiffers
	case years == 1:
		c.code, c.weight = "birth_year_differs", wDateYear1
	default:
		c.code, c.weight = "birth_years_apart", wDateYears
	}
	return c
}

func isJan1(d civil.Date) bool {
	return d.Precision() == civil.PrecisionDay && d.Month() == 1 && d.Day() == 1
}

// yearSlip reports whether the years a and b differ by one digit or by two
// neighbouring digits swapped (1967/1976).
func yearSlip(a, b int) bool {
	var da, db [4]int
	for i := 3; i >= 0; i-- {
		da[i], db[i] = a%10, b%10
		a, b = a/10, b/10
	}
	diff := 0
	first := -1
	for i := range da {
		if da[i] != db[i] {
			if first < 0 {
				first = i
			}
			diff++
		}
	}
	switch diff {
	case 1:
		return true
	case 2:
		return first < 3 && da[first] == db[first+1] && da[first+1] == db[first]
	}
	return false
}

// digitSlip reports whether the two-digit numbers a and b differ in one
// digit.
func digitSlip(a, b int) bool {
	return (a/10 == b/10) != (a%10 == b%10)
}

// maxDaysOff is the most days two full birth dates may be apart to be read
// as one date slightly off; blocking (keyNameDays) files such dates together.
const maxDaysOff = 3

// daysApart returns the number of days between two full dates.
func daysApart(a, b civil.Date) int {
	n := ordinalDay(a) - ordinalDay(b)
	if n < 0 {
		n = -n
	}
	return n
}
