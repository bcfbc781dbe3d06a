package seed

import (
	"math"

	"dancu/internal/registry"
)

// lives adds what happens to the members of a family besides births,
// marriages and households: identity cards, phone numbers, temporary
// residence elsewhere, the data defects of their records, and deaths.
func (g *Generator) lives(b *bstate) {
	n := int32(len(b.ps))
	for i := range n {
		g.defects(b, i)
		g.identityCard(b, i)
		g.phone(b, i)
		g.temporary(b, i)
	}
	g.sharedPhones(b, n)
	for i := range n {
		g.death(b, i)
	}
}

// defects decides which of the record's fields the rates leave out or get
// wrong.
func (g *Generator) defects(b *bstate, i int32) {
	p := &b.ps[i]
	if g.r.chance(g.rates.MissingField) {
		switch x := g.r.intn(100); {
		case x < 35:
			p.missing = "ethnicity"
		case x < 65:
			p.missing = "religion"
		case x < 90 || ageOn(p.born, g.today) < 18 || p.kind == kindGhost:
			p.missing = "home_town"
		default:
			p.missing = "phone"
		}
	}
	if g.r.chance(g.rates.BadPIDDigits) {
		if g.r.chance(0.5) {
			p.badPID = "century_sex"
		} else {
			p.badPID = "birth_year"
		}
	}
}

// cmndPrefix is the two-digit area code that began a 9-digit identity card
// number (CMND), by the old province that issued it. Approximate: several
// provinces shared a code and the scheme changed over the years.
var cmndPrefixes = map[string]uint8{
	"001": 1, "002": 7, "004": 8, "006": 9, "008": 7, "010": 6, "011": 4, "012": 4, "014": 5, "015": 6,
	"017": 11, "019": 9, "020": 8, "022": 10, "024": 12, "025": 13, "026": 13, "027": 12, "030": 14, "031": 3,
	"033": 14, "034": 15, "035": 16, "036": 16, "037": 16, "038": 17, "040": 18, "042": 18, "044": 19, "045": 19,
	"046": 19, "048": 20, "049": 20, "051": 21, "052": 21, "054": 22, "056": 22, "058": 26, "060": 26, "062": 23,
	"064": 23, "066": 24, "067": 24, "068": 25, "070": 28, "072": 29, "074": 28, "075": 27, "077": 27, "079": 2,
	"080": 30, "082": 31, "083": 32, "084": 33, "086": 33, "087": 34, "089": 35, "091": 37, "092": 36, "093": 36,
	"094": 36, "095": 38, "096": 38,
}

// cmndPrefix is cmndPrefixes indexed by the old province code.
var cmndPrefix = func() (a [100]uint8) {
	for code, p := range cmndPrefixes {
		a[(code[1]-'0')*10+code[2]-'0'] = p
	}
	return
}()

var cmndIntroduced = dayOf(1976, 1, 1)

// identityCard gives someone old enough before the citizen ID card a CMND
// number, recorded as a legacy_id event effective on its issue date.
func (g *Generator) identityCard(b *bstate, i int32) {
	p := &b.ps[i]
	lo := max(anniversary(p.born, 14), cmndIntroduced)
	hi := min(g.founding-1, lo+years(12), g.today)
	if lo > hi || !g.r.chance(g.rates.LegacyID) {
		return
	}
	g.issueLegacy(b, i, g.r.dayIn(lo, hi))
}

func (g *Generator) issueLegacy(b *bstate, i int32, on day) {
	p := &b.ps[i]
	pc := g.pl.olds[p.reg.oc].pidCode
	prefix := cmndPrefix[(pc[1]-'0')*10+pc[2]-'0']
	n := g.legacyCtr[prefix]
	if n >= 10_000_000 {
		return // the area's numbers are used up (beyond any real population)
	}
	g.legacyCtr[prefix]++
	v := g.legPerm.at(uint64(n), g.keyMix^uint64(prefix)*0x1000193)
	var d [9]byte
	d[0], d[1] = '0'+prefix/10, '0'+prefix%10
	for k := 8; k >= 2; k-- {
		d[k] = byte('0' + v%10)
		v /= 10
	}
	p.legacy, p.legacyOn = string(d[:]), on
	e := g.event(b, registry.EventLegacyID, on, prLegacy, i, -1)
	e.Data.LegacyID, e.Data.LegacyIssuedOn = p.legacy, civilDay(on)
	p.legacyIdx = int32(len(b.slab) - 1)
}

// phonePrefixes are the mobile prefixes of Vietnamese networks since the
// 2018 renumbering (Viettel 03x and 086/096–098, Vinaphone 081–085, 088,
// 091, 094, MobiFone 070, 076–079, 089, 090, 093, Vietnamobile 052, 056,
// 058, 092, Gmobile 059, 099, Reddi 055).
var phonePrefixes = []string{
	"032", "033", "034", "035", "036", "037", "038", "039", "052", "055", "056", "058", "059",
	"070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088", "089",
	"090", "091", "092", "093", "094", "096", "097", "098", "099",
}

// newPhone returns a mobile number no one else was given, or "" when all
// 350 million are taken.
func (g *Generator) newPhone() string {
	if g.phoneCtr >= g.phonePerm.n {
		return ""
	}
	v := g.phonePerm.at(g.phoneCtr, g.keyMix^0x9090)
	g.phoneCtr++
	var d [10]byte
	copy(d[:3], phonePrefixes[v/10_000_000])
	v %= 10_000_000
	for k := 9; k >= 3; k-- {
		d[k] = byte('0' + v%10)
		v /= 10
	}
	return string(d[:])
}

// Telcos matched their subscribers against the registry in a campaign
// from mid-2022 to the end of 2023; numbers confirmed then carry the
// telco source.
var (
	telcoFrom = dayOf(2022, 6, 1)
	telcoTo   = dayOf(2023, 12, 31)
)

func phoneShare(age int) float64 {
	switch {
	case age < 14:
		return 0
	case age < 18:
		return 0.55
	case age < 60:
		return 0.93
	case age < 75:
		return 0.78
	case age <= 100:
		return 0.4
	}
	return 0
}

func (g *Generator) phone(b *bstate, i int32) {
	p := &b.ps[i]
	lo := max(g.founding, anniversary(p.born, 14))
	if lo > g.today || p.kind == kindGhost || !g.r.chance(phoneShare(ageOn(p.born, g.today))) || p.missing == "phone" {
		return
	}
	p.phone = g.newPhone()
	if p.phone == "" {
		return
	}
	if g.r.chance(0.55) && lo <= telcoTo {
		g.phoneEvent(b, i, p.phone, registry.PhoneTelco, g.r.dayIn(max(lo, telcoFrom), min(telcoTo, g.today)))
	} else {
		g.phoneEvent(b, i, p.phone, registry.PhoneDeclared, g.r.dayIn(lo, g.today))
	}
	if n := g.newPhone(); n != "" && g.r.chance(0.08) {
		g.phoneEvent(b, i, n, registry.PhoneDeclared, g.r.dayIn(lo, g.today))
	}
}

func (g *Generator) phoneEvent(b *bstate, i int32, number string, src registry.PhoneSource, on day) {
	e := g.event(b, registry.EventPhoneNumber, on, prPhone, i, -1)
	e.Data.Phone, e.Data.PhoneSource = number, src
}

// sharedPhones gives some children and elderly without a phone of their
// own the number of a relative, as families declare it.
func (g *Generator) sharedPhones(b *bstate, n int32) {
	owner := int32(-1)
	for i := range n {
		if b.ps[i].phone != "" && ageOn(b.ps[i].born, g.today) >= 18 {
			owner = i
			break
		}
	}
	if owner < 0 {
		return
	}
	for i := range n {
		p := &b.ps[i]
		a := ageOn(p.born, g.today)
		if p.phone != "" || p.kind != kindOriginal || p.missing == "phone" || (a < 65 && (a < 10 || a >= 18)) || !g.r.chance(0.45) {
			continue
		}
		lo := max(g.founding, anniversary(p.born, 10))
		if lo > g.today {
			continue
		}
		p.phone = b.ps[owner].phone
		g.phoneEvent(b, i, p.phone, registry.PhoneDeclared, g.r.dayIn(lo, g.today))
	}
}

// temporary registers a stay elsewhere (tạm trú), mostly for work in the
// big cities: in force today, ended by a deregistration, renewed, or — the
// defect — past its end date with nothing done about it.
func (g *Generator) temporary(b *bstate, i int32) {
	p := &b.ps[i]
	a := ageOn(p.born, g.today)
	if p.kind != kindOriginal || a < 18 || a > 60 || p.mustDie {
		return
	}
	stale := g.r.chance(g.rates.StaleTemporary)
	if !stale && (a > 50 || !g.r.chance(0.07)) {
		return
	}
	lo := max(g.founding, anniversary(p.born, 18))
	s := g.pl.pickSite(&g.r, g.pl.cityProvince(&g.r))
	if s.nc == p.at.nc {
		s = g.pl.pickSite(&g.r, int32(g.pl.provT.pick(&g.r)))
	}
	addr := g.address(s)
	reg := func(from, until day) {
		e := g.event(b, registry.EventTemporaryResidence, from, prTemporary, i, -1)
		e.Data.Place, e.Data.Address, e.Data.Until = g.pl.code(s, from), addr, civilDay(until)
	}
	switch x := g.r.f64(); {
	case stale:
		// The stale registration is the person's latest: a residence
		// registered after it would show the person was followed up.
		lo := max(lo, p.lastEv+1)
		from := g.r.dayIn(lo, g.today-240)
		if from > g.today-240 {
			return
		}
		until := min(from+day(g.r.between(90, 730)), g.today-day(g.r.between(30, 120)))
		if until <= from {
			return
		}
		reg(from, until)
		b.stale = append(b.stale, i)
		p.stale = true
	case x < 0.25 && lo <= g.today-200:
		// Ended early: moved back home and deregistered.
		from := g.r.dayIn(lo, g.today-200)
		until := from + day(g.r.between(180, 730))
		reg(from, until)
		g.event(b, registry.EventTemporaryDeregistration, g.r.dayIn(from+30, min(until-1, g.today-1)), prTemporary, i, -1)
	case x < 0.4 && lo <= g.today-700:
		// Renewed before it ran out: a registration lasts two years at most.
		from := g.r.dayIn(max(lo, g.today-1400), g.today-700)
		until := from + day(g.r.between(365, 730))
		again := until - day(g.r.between(1, 30))
		if again > g.today-1 || again+730 <= g.today || again <= from {
			return
		}
		reg(from, until)
		reg(again, g.r.dayIn(g.today+1, again+730))
	default:
		from := g.r.dayIn(max(lo, g.today-700), g.today-10)
		if from > g.today-10 {
			return
		}
		reg(from, g.r.dayIn(g.today+1, from+730))
	}
}

// hazard is the yearly probability of dying at age a: a Gompertz curve
// fitted roughly to Viet Nam's life tables (life expectancy about 74).
// Men die younger: their hazard is about twice women's at most ages.
func hazard(a int, sex registry.Sex) float64 {
	h := 0.0003 * math.Exp(0.088*float64(a-30))
	if sex == registry.Male {
		h *= 2.1
	} else {
		h *= 0.6
	}
	return math.Min(h, 0.5)
}

// death records the deaths of the family: people who died since the
// registry opened (the dead of earlier years were not migrated), after every other
// event of theirs and after their last child's birth. A spouse in force is
// a party: the death ends the marriage. A household head's death leaves
// the household without a head, as the registry does.
func (g *Generator) death(b *bstate, i int32) {
	p := &b.ps[i]
	if p.kind != kindOriginal || p.stale {
		return // a death would end the stale residence the truth reports
	}
	if !p.mustDie {
		w := float64(g.today-g.deathFrom) / 365.25
		if !g.r.chance(1 - math.Exp(-hazard(ageOn(p.born, g.today), p.sex)*w)) {
			return
		}
	}
	lo := max(p.lastEv+1, p.lastChild, g.deathFrom)
	if lo > g.today {
		return
	}
	d := g.r.dayIn(lo, g.today)
	sp := p.spouse
	if sp >= 0 && b.ps[sp].death != 0 {
		sp = -1
	}
	e := g.event(b, registry.EventDeath, d, prDeath, i, sp)
	b.ps[i].death = d
	e.Data.DeathPlace = g.pl.name(b.ps[i].at, d)
	if sp >= 0 {
		b.ps[sp].spouse = -1
		b.ps[i].spouse = -1
	}
}
