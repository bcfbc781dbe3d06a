package dedup

import (
	"slices"

	"dancu/internal/civil"
)

// Kinds of blocking key. Each is a hash of the kind and some features; a
// record is filed under every key it has, and only records sharing a key
// are compared. Together they catch the duplicates the scorer accepts
// while keeping blocks small:
//
//	keySurnameGiven    surname + given name + birth year (missing and extra middle names)
//	keyTokens          all parts, sorted + birth year (names in another order)
//	keyGivenProvince   given name + birth year + province (surname slips and variants)
//	keyLegacyID        each legacy ID number
//	keyInitialsDate    sorted initials + full birth date (slips in any part)
//	keyNameDayMonth    surname + given + day and month, unordered, + birth commune, or province without one (wrong year, day/month swapped)
//	keyNameDays        surname + given + a window of six days, in two staggered tilings (dates up to three days apart, across a year's end)
//	keyPlaceInitial    birth commune + birth year + surname + first letter of the given name (given-name slips, year-only dates)
//	keyJoined          the folded name without spaces + birth year (parts split differently)
//
// Names enter keys in their matching form (folded, keyboard remnants
// removed, Huỳnh as Hoàng, Võ as Vũ, Vy as Vi), and the surname and given
// name, and initials, with the initial consonants that sound alike merged
// (appendSound, initialClass: Lan and Nan, Sương and Xương, Dũng and Giũng
// share keys, for no other key survives a slip in the first letter of a
// given name when it is all that differs); birth places enter as today's
// commune, so old and new codes of one place meet.
const (
	keySurnameGiven byte = iota + 1
	keyTokens
	keyGivenProvince
	keyLegacyID
	keyInitialsDate
	keyNameDayMonth
	keyNameDays
	keyPlaceInitial
	keyJoined
)

// BlockingKeys appends to dst the blocking keys of r, hashed to 64 bits,
// and returns the extended slice. A record with no name has no keys except
// its legacy IDs.
func BlockingKeys(r *Record, dst []uint64) []uint64 {
	var p pname
	p.parse(r.FullName, "")
	return blockingKeys(r, &p, dst)
}

// hasher is FNV-1a over the parts of a key, each followed by a 0 byte.
type hasher uint64

func newHasher(kind byte) hasher { return hasher(14695981039346656037).byte(kind) }

func (h hasher) byte(c byte) hasher { return (h ^ hasher(c)) * 1099511628211 }

func (h hasher) bytes(b []byte) hasher {
	for _, c := range b {
		h = h.byte(c)
	}
	return h.byte(0)
}

func (h hasher) str(s string) hasher {
	for i := 0; i < len(s); i++ {
		h = h.byte(s[i])
	}
	return h.byte(0)
}

func (h hasher) int(n int) hasher {
	for range 4 {
		h = h.byte(byte(n))
		n >>= 8
	}
	return h
}

// sum finishes a key of a kind: the kind in the top 4 bits (so that keys of
// one kind sort together and Finder can report them), the hash below.
func (h hasher) sum(kind byte) uint64 { return uint64(kind)<<60 | uint64(h)>>4 }

func blockingKeys(r *Record, p *pname, dst []uint64) []uint64 {
	for _, id := range r.LegacyIDs {
		if id != "" {
			dst = append(dst, newHasher(keyLegacyID).str(id).sum(keyLegacyID))
		}
	}
	if p.n == 0 || r.BirthDate.IsZero() {
		return dst
	}
	d := r.BirthDate
	year := d.Year()
	full := d.Precision() == civil.PrecisionDay
	var sb, gb [64]byte
	sur, given := appendSound(sb[:0], p.cTok(0)), appendSound(gb[:0], p.cTok(p.n-1))

	dst = append(dst, newHasher(keySurnameGiven).bytes(sur).bytes(given).int(year).sum(keySurnameGiven))

	if p.n >= 2 {
		var idx [maxTokens]int
		for i := range p.n {
			idx[i] = i
		}
		order := idx[:p.n]
		slices.SortFunc(order, func(i, j int) int { return compareBytes(p.cTok(i), p.cTok(j)) })
		h := newHasher(keyTokens)
		for _, i := range order {
			h = h.bytes(p.cTok(i))
		}
		dst = append(dst, h.int(year).sum(keyTokens))
	}

	if r.Province != "" {
		dst = append(dst, newHasher(keyGivenProvince).bytes(given).int(year).str(r.Province).sum(keyGivenProvince))
	}

	if full {
		var ini [maxTokens]byte
		for i := range p.n {
			ini[i] = initialClass(p.cTok(i))
		}
		in := ini[:p.n]
		slices.Sort(in)
		dst = append(dst, newHasher(keyInitialsDate).bytes(in).int(year).int(int(d.Month())).int(d.Day()).sum(keyInitialsDate))

		lo, hi := int(d.Month()), d.Day()
		if lo > hi {
			lo, hi = hi, lo
		}
		h := newHasher(keyNameDayMonth).bytes(sur).bytes(given).int(lo).int(hi)
		if r.BirthPlace != "" {
			h = h.byte(1).str(placeIdx().representative(r.BirthPlace))
		} else {
			h = h.byte(2).str(r.Province)
		}
		dst = append(dst, h.sum(keyNameDayMonth))

		// Windows of 2×maxDaysOff days, tiled twice, the second tiling
		// shifted by half a window: the tilings' boundaries alternate every
		// maxDaysOff days, so dates at most maxDaysOff apart straddle at
		// most one of them and share a window in the other tiling.
		const w = 2 * maxDaysOff
		day := ordinalDay(d)
		h = newHasher(keyNameDays).bytes(sur).bytes(given)
		dst = append(dst, h.byte(0).int(day/w).sum(keyNameDays), h.byte(1).int((day+w/2)/w).sum(keyNameDays))
	}

	if r.BirthPlace != "" {
		bp := placeIdx().representative(r.BirthPlace)
		dst = append(dst, newHasher(keyPlaceInitial).str(bp).int(year).bytes(sur).byte(initialClass(p.cTok(p.n-1))).sum(keyPlaceInitial))
	}

	h := newHasher(keyJoined)
	for i := 0; i < len(p.fold); i++ {
		if p.fold[i] != ' ' {
			h = h.byte(p.fold[i])
		}
	}
	dst = append(dst, h.byte(0).int(year).sum(keyJoined))
	return dst
}

func compareBytes(a, b []byte) int {
	switch {
	case string(a) < string(b):
		return -1
	case string(a) > string(b):
		return 1
	}
	return 0
}

// ordinalDay numbers the days of the calendar (days since 1 January 1 in
// the proleptic Gregorian calendar), so that neighbouring days across a
// month or year end get neighbouring numbers.
func ordinalDay(d civil.Date) int {
	y, m, day := d.Year(), int(d.Month()), d.Day()
	// Days before the year, then before the month.
	y1 := y - 1
	n := y1*365 + y1/4 - y1/100 + y1/400
	cum := [...]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}
	n += cum[m-1] + day
	if m > 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		n++
	}
	return n
}
