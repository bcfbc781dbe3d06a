package dedup

import (
	"slices"
	"sync"

	"dancu/internal/place"
)

// placeIndex answers "same place?" for commune codes of either era, from
// the place catalogue.
type placeIndex struct {
	// current maps a commune code to the communes in force today that
	// stand for it: itself when the code is current, the successors of the
	// old commune that had it, or both when the reform reused the code.
	current map[string][]string
	// province maps a current commune code to its province.
	province map[string]string
}

var (
	placesOnce sync.Once
	places     *placeIndex
)

// placeIdx returns the index built from place.Default, once.
func placeIdx() *placeIndex {
	placesOnce.Do(func() {
		places = buildPlaceIndex(place.Default())
	})
	return places
}

func buildPlaceIndex(cat *place.Catalogue) *placeIndex {
	ix := &placeIndex{current: map[string][]string{}, province: map[string]string{}}
	add := func(code, cur string) {
		if !slices.Contains(ix.current[code], cur) {
			ix.current[code] = append(ix.current[code], cur)
		}
	}
	now := place.ReformDate
	for _, p := range cat.Provinces(now) {
		for _, u := range cat.Communes(p.Code, now) {
			if u.Current() {
				add(u.Code, u.Code)
				ix.province[u.Code] = p.Code
			}
		}
	}
	before := now.AddDays(-1)
	for _, p := range cat.Provinces(before) {
		for _, u := range cat.Communes(p.Code, before) {
			cur, err := cat.CurrentCommunes(u.Code, before)
			if err != nil {
				continue // no recorded successor: the code stands only for itself
			}
			for _, c := range cur {
				add(u.Code, c.Code)
			}
		}
	}
	return ix
}

// placeRel is how two commune codes relate.
type placeRel uint8

const (
	placeUnknown       placeRel = iota // a code is missing
	placeSame                          // the same code
	placeRecoded                       // different codes for the same place today (2025 reform)
	placeSameProvince                  // different communes of one province
	placeOtherProvince                 // communes in different provinces
	placeDifferent                     // different codes the catalogue does not know
)

func (ix *placeIndex) rel(a, b string) placeRel {
	switch {
	case a == "" || b == "":
		return placeUnknown
	case a == b:
		return placeSame
	}
	ca, cb := ix.current[a], ix.current[b]
	if ca == nil || cb == nil {
		return placeDifferent
	}
	for _, x := range ca {
		if slices.Contains(cb, x) {
			return placeRecoded
		}
	}
	for _, x := range ca {
		for _, y := range cb {
			if ix.province[x] == ix.province[y] {
				return placeSameProvince
			}
		}
	}
	return placeOtherProvince
}

// representative returns one current commune standing for code (the first
// successor by code), or code itself when the catalogue does not know it.
// Blocking files a record under it, so that an old and a new code for one
// place meet.
func (ix *placeIndex) representative(code string) string {
	if cur := ix.current[code]; len(cur) > 0 {
		return slices.Min(cur)
	}
	return code
}
