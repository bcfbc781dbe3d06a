package dedup

import (
	"strings"

	"dancu/internal/vntext"
)

// Weights of the evidence a family shares: the home town, where one lives,
// a phone number (see "Evidence a family shares" in the package
// documentation).
const (
	// The home towns agree. Most people's home town is where they were
	// born; when it is also the birth place both records give, it adds
	// little to the birth place (most people born in a commune have it as
	// their home town). Otherwise it is the family's origin elsewhere, which
	// namesakes of one year share about once in twenty, lineages included
	// (cousins get alike names).
	wHomeTown              = 3.0
	wHomeTownRecoded       = 2.7
	wHomeTownAtBirthPlace  = 0.5
	wHomeTownDiffers       = -1.0 // both known, one province
	wHomeTownOtherProvince = -1.5 // both known, different provinces
	// The same address in the same commune. With a house number it is a
	// household (some thousand in a commune), which namesakes of one year
	// who are not parent and child share almost never; but boarding houses
	// and blocks of flats written without the flat hold hundreds, so the
	// weight stays well below what the odds would give. Without a house
	// number (a hamlet, a residential group, a street) it is one of ten to
	// thirty parts of the commune. Either replaces the commune's weight.
	wAddressHouse = 5.0
	wAddressArea  = 2.0
	// A mobile number both records hold. Numbers are shared within
	// households and recycled by operators, so it weighs less than a
	// legacy ID, which is one person's; but a namesake of the same year
	// who is neither parent and child nor twin (the rules and the name
	// condition answer those) holding the same number is rare indeed.
	wPhoneShared = 5.0
)

// familyEvidence weighs what a family shares: the home town, the address,
// a phone number. It is evidence of one person only when the names agree:
// between records whose names conflict, the other explanation is a
// relative (twins, a brother), who shares all three; then only a differing
// home town counts, against, and the residence communes count as before.
// It reports whether an address was found shared, which replaces the
// residence communes' evidence.
func (s *scorer) familyEvidence(ix *placeIndex, a, b *Record, namesAgree bool) (sharedAddress bool) {
	d := func(x, y string) string {
		if s.explain {
			return pair(x, y)
		}
		return ""
	}
	switch ix.rel(a.HomeTown, b.HomeTown) {
	case placeSame, placeRecoded:
		if !namesAgree {
			break
		}
		code, w, detail := "same_home_town", wHomeTown, a.HomeTown
		if a.HomeTown != b.HomeTown {
			code, w, detail = "home_town_recoded", wHomeTownRecoded, d(a.HomeTown, b.HomeTown)
		}
		if samePlace(ix, a.BirthPlace, b.BirthPlace) && samePlace(ix, a.HomeTown, a.BirthPlace) && samePlace(ix, b.HomeTown, b.BirthPlace) {
			w = wHomeTownAtBirthPlace
		}
		s.add(code, w, detail)
	case placeSameProvince, placeDifferent:
		s.add("home_town_differs", wHomeTownDiffers, d(a.HomeTown, b.HomeTown))
	case placeOtherProvince:
		s.add("home_town_other_province", wHomeTownOtherProvince, d(a.HomeTown, b.HomeTown))
	}
	if !namesAgree {
		return false
	}
	if addr, house, ok := commonAddress(ix, a, b); ok {
		sharedAddress = true
		if house {
			s.add("same_address", wAddressHouse, addr)
		} else {
			s.add("same_address_area", wAddressArea, addr)
		}
	}
	if p, ok := commonPhone(a, b); ok {
		s.add("shared_phone", wPhoneShared, p)
	}
	return sharedAddress
}

// samePlace reports whether two commune codes stand for one place today.
func samePlace(ix *placeIndex, a, b string) bool {
	r := ix.rel(a, b)
	return r == placeSame || r == placeRecoded
}

// commonAddress finds an address of a that b also has: the same text once
// normalised (normAddress), in communes that are one place today. It
// returns the text as a records it and whether it names a house.
func commonAddress(ix *placeIndex, a, b *Record) (text string, house, ok bool) {
	for _, x := range a.Addresses {
		for _, y := range b.Addresses {
			if x.Text == "" || y.Text == "" || !samePlace(ix, x.Place, y.Place) {
				continue
			}
			var bx, by [128]byte
			nx, hx := normAddress(bx[:0], x.Text)
			ny, _ := normAddress(by[:0], y.Text)
			if len(nx) > 0 && string(nx) == string(ny) {
				return x.Text, hx, true
			}
		}
	}
	return "", false, false
}

// normAddress appends to dst the matching form of an address below the
// commune: folded (case, diacritics and punctuation aside), without the
// words that are written or left out at will ("số", "số nhà", "đường",
// "phố": "Số 12 phố Kim Mã" is "12 Kim Mã"). house reports whether it
// has a house or flat number, one household: a number first, or after
// "số", "số nhà", "căn hộ", "phòng" ("Xóm 4, số nhà 27"); "Thôn 3", "Tổ
// 5, khu phố 2" or a street alone are parts of a commune.
func normAddress(dst []byte, text string) (out []byte, house bool) {
	f := vntext.Fold(text)
	// A leading "số", "số nhà", "căn hộ", "phòng" before a number goes.
	rest := f
	for rest != "" {
		tok, after, _ := strings.Cut(rest, " ")
		if !unitWord(tok) {
			break
		}
		rest = after
	}
	if rest != "" && isDigit(rest[0]) {
		f = rest
	}
	house = f != "" && isDigit(f[0])
	start := len(dst)
	unit := false // the last word may stand before a house number
	for f != "" {
		var tok string
		tok, f, _ = strings.Cut(f, " ")
		house = house || unit && isDigit(tok[0]) // "Xóm 4, số nhà 27"
		unit = unitWord(tok)
		switch tok {
		case "so", "nha", "sn", "duong", "pho", "d":
			continue
		}
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = append(dst, tok...)
	}
	return dst, house
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// unitWord reports whether a folded word may stand before a house or flat
// number.
func unitWord(w string) bool {
	switch w {
	case "so", "nha", "sn", "can", "ho", "phong":
		return true
	}
	return false
}

// commonPhone returns a mobile number both records hold.
func commonPhone(a, b *Record) (string, bool) {
	for _, x := range a.Phones {
		var bx [24]byte
		nx := normPhone(bx[:0], x)
		if len(nx) < minPhoneDigits {
			continue
		}
		for _, y := range b.Phones {
			var by [24]byte
			if string(nx) == string(normPhone(by[:0], y)) {
				return x, true
			}
		}
	}
	return "", false
}

// minPhoneDigits is the fewest digits of a number worth comparing
// (Vietnamese mobile numbers have ten).
const minPhoneDigits = 9

// normPhone appends the digits of a phone number to dst, the country code
// 84 written as the trunk prefix 0 ("+84 912 345 678" is "0912345678").
func normPhone(dst []byte, p string) []byte {
	start := len(dst)
	for i := 0; i < len(p) && len(dst)-start < 20; i++ {
		if c := p[i]; '0' <= c && c <= '9' {
			dst = append(dst, c)
		}
	}
	if d := dst[start:]; len(d) == 11 && d[0] == '8' && d[1] == '4' {
		dst = append(append(dst[:start], '0'), d[2:]...)
	}
	return dst
}
