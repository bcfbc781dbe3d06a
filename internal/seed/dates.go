package seed

import (
	"sync"
	"time"

	"dancu/internal/civil"
)

// day is a civil day counted from 1970-01-01. The generator computes with
// days and turns them into civil.Date only when it writes an event: date
// arithmetic on plain integers is what keeps it fast.
type day = int32

// dayOf returns the day number of y-m-d (Howard Hinnant's days_from_civil).
func dayOf(y, m, d int) day {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

// ymd returns the civil date of day z.
func ymd(z day) (y, m, d int) {
	zz := int(z) + 719468
	era := zz / 146097
	if zz < 0 && zz%146097 != 0 {
		era--
	}
	doe := zz - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func yearOf(z day) int { y, _, _ := ymd(z); return y }

// anniversary returns the first day on which someone born on b is n years
// old: the same month and day n years later, or 1 March for a 29 February
// birthday in a common year (civil.AgeOn counts 28 February as not yet).
func anniversary(b day, n int) day {
	y, m, d := ymd(b)
	if m == 2 && d == 29 && !leap(y+n) {
		return dayOf(y+n, 3, 1)
	}
	return dayOf(y+n, m, d)
}

// ageOn returns the completed years of someone born on b, on z.
func ageOn(b, z day) int {
	by, bm, bd := ymd(b)
	y, m, d := ymd(z)
	a := y - by
	if m < bm || (m == bm && d < bd) {
		a--
	}
	return a
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// years converts a number of years to days.
func years(y float64) day { return day(y * 365.2425) }

// The civil.Date of every day the generator can write, built once: a table
// lookup instead of civil.NewDate's validation for each of the millions of
// dates written.
var (
	dateOnce  sync.Once
	dateTab   []civil.Date
	dateBase  = dayOf(1890, 1, 1)
	dateLimit = dayOf(2400, 1, 1)
)

func civilDay(z day) civil.Date {
	dateOnce.Do(func() {
		dateTab = make([]civil.Date, dateLimit-dateBase)
		for i := range dateTab {
			y, m, d := ymd(dateBase + day(i))
			dateTab[i] = civil.NewDate(y, time.Month(m), d)
		}
	})
	return dateTab[z-dateBase]
}

// fromCivil returns the day number of the first day of d.
func fromCivil(d civil.Date) day { return dayOf(d.Year(), int(d.Month()), d.Day()) }

// instant returns the Unix microsecond of the start of day z in
// Asia/Ho_Chi_Minh (UTC+7, without daylight saving since 1975, which is all
// the registry records).
func instant(z day) int64 { return (int64(z)*86400 - 7*3600) * 1_000_000 }

func timeOf(us int64) time.Time { return time.UnixMicro(us).UTC() }
