package quality

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dancu/internal/civil"
	"dancu/internal/place"
)

// firstSnapshot is the first day the place catalogue describes: the
// statistics office's list of 4 January 2025. The catalogue knows nothing
// earlier, so a code on an earlier date is read as that list's.
var (
	firstSnapshot    = civil.NewDate(2025, time.January, 4)
	firstSnapshotOrd = ordinal(firstSnapshot)
)

// communeOn reports whether code is a commune in force on the date on: a
// date before the catalogue's first list (4 January 2025) is read as that
// list's, since the catalogue knows no earlier changes; a month or year
// covering two units with the code cannot be faulted. With late, a commune
// in force today is accepted too (a late registration naming the commune as
// it is now). With no date, any unit that ever had the code will do.
func (k *Checker) communeOn(code string, on, today civil.Date, late bool) bool {
	vs := k.index().versions(code)
	switch {
	case len(vs) == 0:
		return false
	case on.IsZero():
		return true
	case on.Precision() != civil.PrecisionDay:
		return k.communeOnPartial(code, on, today, late)
	}
	if v, ok := versionOn(vs, max(ordinal(on), firstSnapshotOrd)); ok {
		return v.commune
	}
	if late {
		if v, ok := versionOn(vs, ordinal(today)); ok {
			return v.commune
		}
	}
	return false
}

// communeOnPartial is communeOn for a month or a year, which the catalogue
// resolves.
func (k *Checker) communeOnPartial(code string, on, today civil.Date, late bool) bool {
	cat := k.places()
	day := on
	if on.Last().Before(firstSnapshot) {
		day = firstSnapshot
	}
	u, err := cat.Lookup(code, day)
	switch {
	case err == nil:
		return u.Level == place.LevelCommune
	case errors.Is(err, place.ErrAmbiguousDate):
		return true
	case !late || errors.Is(err, place.ErrUnknownCode):
		return false
	}
	u, err = cat.Lookup(code, today)
	return err == nil && u.Level == place.LevelCommune
}

// knownUnit reports whether some unit, of any level, ever had code.
func (k *Checker) knownUnit(code string) bool { return len(k.index().versions(code)) > 0 }

// version is one unit that had a code, as ordinals of its first and last
// day (0 and maxOrdinal when unbounded).
type version struct {
	from, to int
	commune  bool
}

func versionOn(vs []version, day int) (version, bool) {
	for _, v := range vs {
		if v.from <= day && day <= v.to {
			return v, true
		}
	}
	return version{}, false
}

// placeIndex caches the versions of the codes a catalogue has been asked
// about. place.Catalogue.Lookup compares dates of every version on every
// call, and builds an error message for a code not in force; the rules ask
// about a few thousand codes hundreds of millions of times.
type placeIndex struct {
	cat     *place.Catalogue
	codes   sync.Map // code -> []version
	unknown atomic.Int64
}

// maxUnknownCodes bounds the unknown codes remembered, so junk cannot fill
// memory; the codes of the catalogue are a bounded set.
const maxUnknownCodes = 1 << 14

// indexes holds a placeIndex per catalogue (in practice one: the embedded
// catalogue).
var indexes sync.Map // *place.Catalogue -> *placeIndex

func (k *Checker) index() *placeIndex {
	cat := k.places()
	if x, ok := indexes.Load(cat); ok {
		return x.(*placeIndex)
	}
	x, _ := indexes.LoadOrStore(cat, &placeIndex{cat: cat})
	return x.(*placeIndex)
}

func (x *placeIndex) versions(code string) []version {
	if vs, ok := x.codes.Load(code); ok {
		return vs.([]version)
	}
	us := x.cat.Versions(code)
	vs := make([]version, len(us))
	for i, u := range us {
		vs[i] = version{from: 0, to: maxOrdinal, commune: u.Level == place.LevelCommune}
		if !u.ValidFrom.IsZero() {
			vs[i].from = ordinal(u.ValidFrom)
		}
		if !u.ValidTo.IsZero() {
			vs[i].to = lastOrdinal(u.ValidTo)
		}
	}
	if len(vs) > 0 || x.unknown.Add(1) <= maxUnknownCodes {
		x.codes.Store(strings.Clone(code), vs)
	}
	return vs
}
