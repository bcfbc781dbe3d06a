package place

import (
	"errors"
	"time"

	"dancu/internal/civil"
)

// ReformDate is the first day of the 34-province, two-level system. Units of
// the 63-province system were in force until the day before.
var ReformDate = civil.NewDate(2025, time.July, 1)

// Level is the tier of an administrative unit.
type Level string

// The three levels. Districts were abolished on ReformDate.
const (
	LevelProvince Level = "province"
	LevelDistrict Level = "district"
	LevelCommune  Level = "commune"
)

// Unit is one administrative unit during one period of validity. Two units
// may share a code, never on the same day.
type Unit struct {
	Code         string     // "01", "001", "00004": provinces 2 digits, districts 3, communes 5
	Level        Level      // province, district or commune
	Name         string     // official name with its kind, NFC: "Phường Trúc Bạch", "Thành phố Hà Nội"
	Kind         string     // "Tỉnh", "Thành phố", "Quận", "Huyện", "Thị xã", "Phường", "Xã", "Thị trấn", "Đặc khu"
	ProvinceCode string     // the province in the same era (a province's own code)
	DistrictCode string     // the district of an old commune; "" for provinces, districts and new units
	ValidFrom    civil.Date // first day in force; zero: since before the catalogue's records begin
	ValidTo      civil.Date // last day in force; zero: still in force
}

// ValidOn reports whether u was in force on d. A partial date (a month or a
// year) counts if u was in force on at least one of its days; Lookup refuses
// such a date when it matches two units. The zero date matches no unit.
func (u Unit) ValidOn(d civil.Date) bool {
	if d.IsZero() {
		return false
	}
	if !u.ValidFrom.IsZero() && d.Last().Before(u.ValidFrom) {
		return false
	}
	if !u.ValidTo.IsZero() && d.First().After(u.ValidTo) {
		return false
	}
	return true
}

// Current reports whether u is still in force (has no end date).
func (u Unit) Current() bool { return u.ValidTo.IsZero() }

// String returns the name and code: "Phường Ba Đình (00004)".
func (u Unit) String() string { return u.Name + " (" + u.Code + ")" }

// SuccessionKind says how an old unit went into a new one.
type SuccessionKind string

const (
	// Whole: all of the old unit became part of (or all of) the new unit.
	Whole SuccessionKind = "whole"
	// Partial: part of the old unit went into the new unit; the old unit
	// has other successors.
	Partial SuccessionKind = "partial"
	// Unchanged: same territory, name and code in the new system (Giữ
	// nguyên), or a unit asked about is itself still in force.
	Unchanged SuccessionKind = "unchanged"
)

// Successor is a unit that took over all or part of an older one.
type Successor struct {
	Unit Unit
	Kind SuccessionKind
	// AllResidents is set when the source says that this successor received
	// the old unit's whole population although its land was divided
	// ("Nhập một phần diện tích, toàn bộ dân số").
	AllResidents bool
	// Note is the conversion table's note for this link ("Nhập toàn bộ",
	// "Nhập một phần", ...), or "derived from its communes" for districts
	// and provinces.
	Note string
}

// Resolution is a unit valid on a date and the unit(s) that stand for it today.
type Resolution struct {
	Unit Unit
	// Current are the units in force today that took over Unit, ordered by
	// code; for a unit still in force, Unit itself with Kind Unchanged. An
	// old commune resolves to communes, an old district or province to
	// provinces. Empty when the sources record no successor (see
	// data/README.md: a few old communes have no row in the conversion
	// table).
	Current []Successor
	// Ambiguous is set when there is more than one current successor: the
	// unit was split, and the caller must decide (from the address, or by
	// asking a person) which successor applies. Never guess.
	Ambiguous bool
}

// Errors, returned wrapped with a message that names the code and the date.
// Test for them with errors.Is.
var (
	// ErrUnknownCode: no unit ever had this code, or the code is malformed
	// (not 2, 3 or 5 ASCII digits).
	ErrUnknownCode = errors.New("unknown administrative unit code")
	// ErrNotInForce: units with this code exist, but none was in force on
	// the date given.
	ErrNotInForce = errors.New("administrative unit not in force on that date")
	// ErrAmbiguousDate: the date is zero, or partial (a month or a year)
	// and covers the validity of two different units with this code, or
	// two different province lists.
	ErrAmbiguousDate = errors.New("date does not determine the administrative unit")
	// ErrAmbiguous: the answer depends on which part of a split unit is
	// meant; the error is an *AmbiguousError listing the candidates.
	ErrAmbiguous = errors.New("administrative unit was split; the caller must choose")
	// ErrNoSuccessor: the sources record no successor for the unit.
	ErrNoSuccessor = errors.New("no successor recorded for administrative unit")
)

// AmbiguousError lists the candidates when a split unit leaves several
// answers. It wraps ErrAmbiguous.
type AmbiguousError struct {
	Msg        string
	Candidates []Unit
}

func (e *AmbiguousError) Error() string { return e.Msg }

// Unwrap returns ErrAmbiguous.
func (e *AmbiguousError) Unwrap() error { return ErrAmbiguous }

// placeError is an error with a complete message that wraps a sentinel.
type placeError struct {
	msg  string
	kind error
}

func (e *placeError) Error() string { return e.msg }
func (e *placeError) Unwrap() error { return e.kind }
