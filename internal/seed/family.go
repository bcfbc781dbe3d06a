package seed

import (
	"math"

	"dancu/internal/registry"
)

// Relations to the head of household, as the registry names them.
const (
	relHead        registry.Relation = "head"
	relSpouse      registry.Relation = "spouse"
	relChild       registry.Relation = "child"
	relFather      registry.Relation = "father"
	relMother      registry.Relation = "mother"
	relGrandchild  registry.Relation = "grandchild"
	relSibling     registry.Relation = "sibling"
	relChildInLaw  registry.Relation = "child_in_law"
	relOtherFamily registry.Relation = "other_relative"
)

// pkind says where a person of a batch comes from.
type pkind uint8

const (
	kindOriginal  pkind = iota
	kindGhost           // over 120, never marked dead
	kindDuplicate       // a second record of an earlier person
)

// pers is a person of the batch being built. Persons are referred to by
// their index in bstate.ps (int32, -1 for none); the slice grows while a
// family is built, so no pointer into it is kept across an append.
type pers struct {
	key      registry.PersonKey
	kind     pkind
	sex      registry.Sex
	born     day
	yearOnly bool
	eth      uint8
	ei       ethInfo
	rel      string
	name     pname
	origin   int32  // old commune of the family's home town
	homeTown string // set for duplicates, which copy the original's
	birth    site
	reg      site
	mother   int32
	father   int32
	spouse   int32 // spouse in force while the family is built
	phone    string
	legacy   string

	lastEv    day // latest effective day of an event the person is party to
	lastChild day
	death     day
	mustDie   bool
	stale     bool // holds a temporary residence past its end date

	missing  string // a field left empty (Truth missing_field)
	badPID   string // "century_sex" or "birth_year" (Truth bad_pid_digits)
	twinOf   int32
	namesake string // pid of the stranger whose name and birth date this person shares
	dup      *profile
	variant  string
	recBirth int64 // recording instant asked for the birth event; 0: the usual

	at        site   // where the person's household is
	addr      string // its address
	legacyOn  day
	legacyIdx int32 // the legacy_id event in bstate.slab, or -1
	birthIdx  int32 // the birth event in bstate.slab
	legacyEv  *registry.Event
	birthEv   *registry.Event // set when the batch is written
	pid       string
	lastRec   int64
}

// hhold is a household created in the batch.
type hhold struct {
	id      string
	s       site
	created day
	addr    string
	head    int32
}

// bstate is the batch being built. Its slices are reused from batch to
// batch: events are built in slab and copied, in the order they apply,
// into one exactly sized slice of the batch returned, which keeps the
// generator's allocation close to the size of its output.
type bstate struct {
	ps        []pers
	hs        []hhold
	evs       []evRec
	slab      []registry.Event
	keys      []registry.PersonKey // parties of the events in slab
	pos       []int32              // slab index -> index in the batch
	room      int                  // persons the batch may still add
	migration int64                // when this family's old records were migrated (µs)
	stale     []int32
}

func (g *Generator) begin(room int) *bstate {
	b := &g.b
	b.ps, b.hs, b.evs, b.stale = b.ps[:0], b.hs[:0], b.evs[:0], b.stale[:0]
	b.slab, b.keys = b.slab[:0], b.keys[:0]
	b.room = room
	// The database was filled from the old household books and civil
	// status registers in the first half of 2021, before it opened.
	b.migration = instant(dayOf(2021, 1, 4)) + int64(g.r.intn(177*86400))*1_000_000
	return b
}

// ---- persons ----

// add creates a person; -1 when the batch is full.
func (g *Generator) add(b *bstate, sex registry.Sex, born day, eth uint8, rel string, origin int32, birth site) int32 {
	if b.room <= 0 {
		return -1
	}
	b.room--
	if born < g.minBorn {
		born = g.minBorn + day(g.r.intn(200))
	}
	if born > g.today {
		born = g.today
	}
	b.ps = append(b.ps, pers{
		key: g.nextKey, sex: sex, born: born, eth: eth, ei: ethInfoOf(eth), rel: rel, origin: origin,
		birth: birth, reg: birth, at: birth, mother: -1, father: -1, spouse: -1, twinOf: -1, lastEv: born,
		legacyIdx: -1,
	})
	g.nextKey++
	return int32(len(b.ps) - 1)
}

// adult creates someone born elsewhere who comes into a household at s:
// home town, ethnicity, religion and surname are drawn for the place their
// family comes from.
func (g *Generator) adult(b *bstate, sex registry.Sex, born day, s site) int32 {
	origin := g.pl.originFor(&g.r, s)
	os := g.pl.originSite(origin)
	op := g.pl.prov(os)
	eth := g.dm.ethnicity(&g.r, op)
	i := g.add(b, sex, born, eth, g.dm.religion(&g.r, eth, op), origin, os)
	if i < 0 {
		return -1
	}
	p := &b.ps[i]
	if g.namesake(b, i) {
		return i
	}
	if p.ei.st == styleKho && g.r.chance(0.5) || p.ei.st == styleA && g.r.chance(0.5) {
		p.name.sur = "" // A Sang, K'Brơi: no family name
	} else {
		p.name.sur = g.nm.surname(&g.r, p.ei.sg, g.pl.region(os))
	}
	g.nm.given(&g.r, p.ei.st, sex, yearOf(born), "", &p.name)
	p.name.full = g.full(p)
	return i
}

// partner creates the spouse of person i: often from the same area and
// group, otherwise from where the household lives.
func (g *Generator) partner(b *bstate, i int32, born day, s site) int32 {
	sex := registry.Female
	if b.ps[i].sex == registry.Female {
		sex = registry.Male
	}
	j := g.adult(b, sex, born, s)
	if j < 0 || b.ps[j].namesake != "" {
		return j
	}
	p, q := &b.ps[i], &b.ps[j]
	if g.r.chance(0.85) && q.eth != p.eth {
		// Most marry within their group; the name follows the group.
		q.eth, q.ei, q.rel = p.eth, p.ei, p.rel
		if q.ei.st == styleKho || q.ei.st == styleA {
			q.name.sur = ""
		} else {
			q.name.sur = g.nm.surname(&g.r, q.ei.sg, g.pl.region(g.pl.originSite(q.origin)))
		}
		g.nm.given(&g.r, q.ei.st, sex, yearOf(born), "", &q.name)
		q.name.full = g.full(q)
	} else if g.r.chance(0.9) {
		q.rel = p.rel
	}
	return j
}

// child creates a child of mother mo and father fa (either may be -1) born
// at s. The family line — surname, home town, ethnicity, religion — is the
// father's, or the mother's without a father; the Ê Đê and Gia Rai are
// matrilineal and take the mother's clan name.
func (g *Generator) child(b *bstate, mo, fa int32, born day, s site) int32 {
	line := fa
	if line < 0 || (mo >= 0 && (b.ps[mo].ei.st == styleEde || b.ps[mo].ei.st == styleJarai)) {
		line = mo
	}
	if line < 0 {
		return -1
	}
	lp := b.ps[line]
	sex := registry.Male
	// Sex ratio at birth: about 1.06 until the 2000s, 1.11 since
	// (ultrasound and the preference for sons).
	pm := 0.515
	if yearOf(born) >= 2005 {
		pm = 0.526
	}
	if !g.r.chance(pm) {
		sex = registry.Female
	}
	i := g.add(b, sex, born, lp.eth, lp.rel, lp.origin, s)
	if i < 0 {
		return -1
	}
	p := &b.ps[i]
	p.mother, p.father = mo, fa
	p.name.sur = lp.name.sur
	msur := ""
	if mo >= 0 {
		msur = b.ps[mo].name.sur
	}
	g.nm.given(&g.r, p.ei.st, sex, yearOf(born), msur, &p.name)
	p.name.full = g.full(p)
	return i
}

func (g *Generator) full(p *pers) string {
	g.buf = compose(g.buf[:0], p.ei.st, p.sex, &p.name)
	return string(g.buf)
}

// namesake makes person i share the name, sex and birth date of an earlier
// unrelated person, when the rates ask for it and one of a fitting age is
// at hand. It reports whether it did.
func (g *Generator) namesake(b *bstate, i int32) bool {
	if !g.r.chance(g.rates.Namesake) || g.ringN == 0 {
		return false
	}
	p := &b.ps[i]
	for range 24 {
		q := &g.ring[g.r.intn(min(g.ringN, len(g.ring)))]
		// Only someone a little older: every caller's age constraints
		// (minimum ages, a child's age) still hold for an older person.
		if q.sex != p.sex || q.st != p.ei.st || q.yearOnly || q.born > p.born || p.born-q.born > 3*365 || q.born < g.minBorn {
			continue
		}
		p.born, p.name, p.namesake = q.born, q.name, q.pid
		return true
	}
	return false
}

// ---- events ----

// evRec is an event of the batch with its place in the order of
// application: the event is slab[n], its parties keys[k:k+np].
type evRec struct {
	sort uint64
	n    int32
	k    int32
	np   int32
}

// Event priorities within a day: a birth before anything else, a household
// before those who join it, a death last.
const (
	prBirth = iota
	prHousehold
	prJoin
	prLegacy
	prMarriage
	prTemporary
	prPhone
	prDivorce
	prMove
	prDeath
)

// event adds an event to the batch. The pointer it returns is valid until
// the next call: callers fill in the details at once.
func (g *Generator) event(b *bstate, typ registry.EventType, eff day, pr uint64, subj, other int32) *registry.Event {
	b.slab = append(b.slab, registry.Event{})
	e := &b.slab[len(b.slab)-1]
	e.Type, e.Effective, e.Subject = typ, civilDay(eff), b.ps[subj].key
	e.Officer, e.LegalBasis = "seed", legalBasis(typ)
	rec := evRec{sort: sortKey(eff, pr, len(b.evs)), n: int32(len(b.slab) - 1), k: int32(len(b.keys)), np: 1}
	b.keys = append(b.keys, e.Subject)
	touch(b, subj, eff)
	if other >= 0 {
		b.keys = append(b.keys, b.ps[other].key)
		touch(b, other, eff)
		rec.np = 2
	}
	b.evs = append(b.evs, rec)
	return e
}

// legalBasis is registry.DefaultLegalBasis without a map lookup per event.
func legalBasis(t registry.EventType) string {
	switch t {
	case registry.EventBirth:
		return lbBirth
	case registry.EventPermanentResidence:
		return lbPermanent
	case registry.EventPhoneNumber:
		return lbPhone
	case registry.EventLegacyID:
		return lbLegacy
	case registry.EventMarriage:
		return lbMarriage
	}
	return registry.DefaultLegalBasis[t]
}

var (
	lbBirth     = registry.DefaultLegalBasis[registry.EventBirth]
	lbPermanent = registry.DefaultLegalBasis[registry.EventPermanentResidence]
	lbPhone     = registry.DefaultLegalBasis[registry.EventPhoneNumber]
	lbLegacy    = registry.DefaultLegalBasis[registry.EventLegacyID]
	lbMarriage  = registry.DefaultLegalBasis[registry.EventMarriage]
)

func sortKey(eff day, pr uint64, n int) uint64 {
	return uint64(eff-dateBase)<<36 | pr<<28 | uint64(n)
}

func touch(b *bstate, i int32, d day) {
	if d > b.ps[i].lastEv {
		b.ps[i].lastEv = d
	}
}

// newHousehold creates a household at s headed by head from day d: the
// head's permanent residence registration with new_household.
func (g *Generator) newHousehold(b *bstate, head int32, s site, d day) int32 {
	d = min(max(d, b.ps[head].born), g.today)
	h := hhold{id: g.householdID(), s: s, created: d, addr: g.address(s), head: head}
	b.hs = append(b.hs, h)
	b.ps[head].at, b.ps[head].addr = s, h.addr
	e := g.event(b, registry.EventPermanentResidence, d, prHousehold, head, -1)
	e.Data.Place, e.Data.Address, e.Data.HouseholdID = g.pl.code(s, d), h.addr, h.id
	e.Data.NewHousehold, e.Data.Relation = true, relHead
	return int32(len(b.hs) - 1)
}

// join registers person i into household h on day d, not before the
// household exists or the person is born, nor after today.
func (g *Generator) join(b *bstate, i, h int32, rel registry.Relation, d day) {
	if i < 0 {
		return
	}
	hh := &b.hs[h]
	d = max(d, hh.created, b.ps[i].born)
	if d > g.today {
		d = g.today
	}
	b.ps[i].at, b.ps[i].addr = hh.s, hh.addr
	e := g.event(b, registry.EventPermanentResidence, d, prJoin, i, -1)
	e.Data.Place, e.Data.Address, e.Data.HouseholdID, e.Data.Relation = g.pl.code(hh.s, d), hh.addr, hh.id, rel
}

// marry registers the marriage of husband h and wife w on day d.
func (g *Generator) marry(b *bstate, h, w int32, d day) {
	subj, other := h, w
	if g.r.chance(0.3) {
		subj, other = w, h
	}
	e := g.event(b, registry.EventMarriage, d, prMarriage, subj, other)
	e.Data.Spouse = b.ps[other].key
	b.ps[h].spouse, b.ps[w].spouse = w, h
}

func (g *Generator) divorce(b *bstate, a, c int32, d day) {
	e := g.event(b, registry.EventDivorce, d, prDivorce, a, c)
	e.Data.Spouse = b.ps[c].key
	b.ps[a].spouse, b.ps[c].spouse = -1, -1
}

// marriageDay returns a plausible wedding day for husband h and wife w, not
// before earliest nor after latest, respecting the minimum ages (men 20,
// women 18); -1 when there is none.
func (g *Generator) marriageDay(b *bstate, h, w int32, earliest, latest day) day {
	lo := max(anniversary(b.ps[h].born, 20), anniversary(b.ps[w].born, 18), earliest) + 1
	if lo > latest {
		return -1
	}
	age := math.Min(math.Max(22.5+3.2*g.r.normal(), 18), 38)
	m := max(b.ps[w].born+years(age), lo)
	if m > latest {
		m = g.r.dayIn(lo, latest)
	}
	return m
}

// ---- households ----

// meanHousehold is the mean number of persons a family group adds, used to
// turn the per-person rate of over-120s into a per-household one.
const meanHousehold = 3.6

// family builds one family group: a household of a drawn type, its
// members' lives, then their residence, phones, identity cards and deaths.
func (g *Generator) family(b *bstate) {
	if g.r.chance(g.rates.UnmarkedDeath * meanHousehold) {
		g.ghost(b)
		return
	}
	s := g.pl.pickSite(&g.r, int32(g.pl.provT.pick(&g.r)))
	// Household types and their shares are set so that sizes follow the
	// 2019 census (mean 3.5; one in nine households is one person, a
	// quarter four) and ages its pyramid.
	switch x := g.r.f64(); {
	case x < 0.065:
		g.single(b, s)
	case x < 0.215:
		g.couple(b, s)
	case x < 0.535:
		g.nuclear(b, s, nuclearPlain)
	case x < 0.595:
		g.nuclear(b, s, nuclearOlder)
	case x < 0.645:
		g.nuclear(b, s, nuclearKind(1+g.r.intn(3)))
	case x < 0.785:
		g.withParents(b, s)
	case x < 0.965:
		g.elderHead(b, s)
	default:
		g.siblings(b, s)
	}
	g.lives(b)
}

// bornAged returns a birth day for someone between lo and hi years old
// today.
func (g *Generator) bornAged(lo, hi float64) day {
	return g.today - years(lo+(hi-lo)*g.r.f64())
}

func opposite(s registry.Sex) registry.Sex {
	if s == registry.Male {
		return registry.Female
	}
	return registry.Male
}

func (g *Generator) sex(pMale float64) registry.Sex {
	if g.r.chance(pMale) {
		return registry.Male
	}
	return registry.Female
}

// single is a one-person household: mostly widowed elderly women, young
// people who moved for work, and some middle-aged.
func (g *Generator) single(b *bstate, s site) {
	var head int32
	var created day
	switch x := g.r.f64(); {
	case x < 0.45:
		age := math.Min(60+11*-math.Log(1-g.r.f64()*0.97), 104)
		head = g.adult(b, g.sex(0.22), g.today-years(age), s)
		created = b.ps[head].born + years(24+12*g.r.f64())
		if g.r.chance(0.25) {
			// The late spouse's record: married long ago, died recently.
			sp := g.partner(b, head, b.ps[head].born+years(2*g.r.normal()), s)
			if sp >= 0 {
				h, w := head, sp
				if b.ps[head].sex == registry.Female {
					h, w = sp, head
				}
				if m := g.marriageDay(b, h, w, 0, created); m > 0 {
					g.marry(b, h, w, m)
					created = max(created, m)
					hh := g.newHousehold(b, head, s, created)
					g.join(b, sp, hh, relSpouse, created+day(g.r.intn(30)))
					b.ps[sp].mustDie = true
					return
				}
			}
		}
	case x < 0.8:
		head = g.adult(b, g.sex(0.58), g.bornAged(19, 38), s)
		created = anniversary(b.ps[head].born, 18) + day(g.r.intn(int(g.today-anniversary(b.ps[head].born, 18))+1))
	default:
		head = g.adult(b, g.sex(0.55), g.bornAged(38, 60), s)
		created = b.ps[head].born + years(22+10*g.r.f64())
	}
	g.newHousehold(b, head, s, min(created, g.today))
}

// couple is a married couple alone: older parents whose children left, or
// newly-weds.
func (g *Generator) couple(b *bstate, s site) {
	var husband int32
	if g.r.chance(0.72) {
		husband = g.adult(b, registry.Male, g.today-years(52+36*math.Pow(g.r.f64(), 1.3)), s)
	} else {
		husband = g.adult(b, registry.Male, g.bornAged(23, 36), s)
	}
	gap := math.Min(math.Max(2.5+2.5*g.r.normal(), -3), 10)
	wife := g.partner(b, husband, min(b.ps[husband].born+years(gap), g.today-years(19.2)), s)
	if wife < 0 {
		g.newHousehold(b, husband, s, anniversary(b.ps[husband].born, 20))
		return
	}
	m := g.marriageDay(b, husband, wife, 0, g.today-30)
	head, other := husband, wife
	if g.r.chance(0.12) {
		head, other = wife, husband
	}
	if m < 0 {
		hh := g.newHousehold(b, head, s, g.r.dayIn(anniversary(b.ps[head].born, 18), g.today))
		g.join(b, other, hh, relSpouse, g.today)
		return
	}
	g.marry(b, husband, wife, m)
	created := min(max(m+day(g.r.between(-365, 1000)), anniversary(b.ps[head].born, 18)), g.today)
	hh := g.newHousehold(b, head, s, created)
	g.join(b, other, hh, relSpouse, m+day(g.r.intn(60)))
	// Old men often die before their wives: some couples are now widows.
	if a := ageOn(b.ps[husband].born, g.today); a > 70 && g.r.chance(float64(a-70)/40) {
		b.ps[husband].mustDie = true
	}
}

// nuclearKind varies the couple-with-children household.
type nuclearKind uint8

const (
	nuclearPlain    nuclearKind = iota
	nuclearDivorced             // the father left after a divorce; the mother heads it
	nuclearWidowed              // the father died
	nuclearAlone                // a mother alone with her children, no father recorded
	nuclearOlder                // parents in their fifties and sixties with unmarried grown children
)

// nuclear is parents and their children.
func (g *Generator) nuclear(b *bstate, s site, kind nuclearKind) {
	wifeAge := 20 + 16*(g.r.f64()+g.r.f64()) // 20–52, most in their mid-thirties
	switch kind {
	case nuclearOlder:
		wifeAge = 46 + 20*g.r.f64()
	case nuclearDivorced, nuclearWidowed, nuclearAlone:
		wifeAge = 25 + 33*g.r.f64()
	}
	wifeBorn := g.today - years(wifeAge)
	if kind == nuclearAlone {
		mo := g.adult(b, registry.Female, wifeBorn, s)
		first := anniversary(b.ps[mo].born, 19) + years(8*g.r.f64())
		hh := g.newHousehold(b, mo, s, min(first-day(g.r.intn(700)), g.today))
		g.children(b, mo, -1, hh, relChild, first-300, g.kidsWanted(yearOf(wifeBorn)), 1)
		return
	}
	gap := math.Min(math.Max(3+2.5*g.r.normal(), -2), 12)
	husband := g.adult(b, registry.Male, min(wifeBorn-years(gap), g.today-years(20.5)), s)
	wife := g.partner(b, husband, wifeBorn, s)
	if wife < 0 {
		g.newHousehold(b, husband, s, min(anniversary(b.ps[husband].born, 22), g.today))
		return
	}
	m := g.marriageDay(b, husband, wife, 0, g.today-200)
	if m < 0 {
		// Too young to have married: a couple living together.
		hh := g.newHousehold(b, husband, s, g.r.dayIn(anniversary(b.ps[husband].born, 18), g.today))
		g.join(b, wife, hh, relSpouse, g.today)
		return
	}
	g.marry(b, husband, wife, m)
	head, other := husband, wife
	if kind == nuclearWidowed || (kind == nuclearPlain && g.r.chance(0.15)) {
		head, other = wife, husband
	}
	created := min(max(m+day(g.r.between(-200, 900)), anniversary(b.ps[head].born, 18)), g.today)
	hh := g.newHousehold(b, head, s, created)
	g.join(b, other, hh, relSpouse, m+day(g.r.intn(60)))
	stay := 1.0
	if kind == nuclearOlder {
		stay = 0.6
	}
	last := g.children(b, wife, husband, hh, relChild, m, g.kidsWanted(yearOf(wifeBorn)), stay)
	g.extraRelative(b, hh)
	switch {
	case kind == nuclearDivorced || (kind == nuclearPlain && g.r.chance(0.04)):
		from := max(last, m+2*365)
		if from >= g.today-60 {
			return
		}
		d := g.r.dayIn(from+30, g.today-30)
		g.divorce(b, husband, wife, d)
		g.moveOut(b, husband, hh, d+day(g.r.between(1, 25)), wife)
	case kind == nuclearWidowed:
		b.ps[husband].mustDie = true
	}
}

// kidsWanted is the number of children a mother born in year has: the
// total fertility rate fell from about 6 in the 1960s to 2 by 2000.
func (g *Generator) kidsWanted(year int) int {
	x := g.r.f64()
	switch {
	case year < 1950:
		return 2 + int(x*5)
	case year < 1965:
		return 1 + int(x*4.5)
	case year < 1975:
		return 1 + int(x*3.2)
	}
	switch {
	case x < 0.04:
		return 0
	case x < 0.24:
		return 1
	case x < 0.76:
		return 2
	case x < 0.94:
		return 3
	}
	return 4
}

// children adds up to n children of mother mo and father fa, the first
// born some months after from, into household h as rel. Grown children
// have often left (leave scales the odds): most are not generated (they
// live in households of their own, elsewhere in the population); some
// are, with the household they set up. It returns the last birth day.
func (g *Generator) children(b *bstate, mo, fa, h int32, rel registry.Relation, from day, n int, leave float64) day {
	var last day
	born := from
	limit := anniversary(b.ps[mo].born, 44)
	for k := 0; k < n; k++ {
		if k == 0 {
			born += day(g.r.between(280, 1100))
		} else {
			born += day(g.r.between(550, 2400))
		}
		if born > g.today || born > limit {
			break
		}
		twins := 1
		if g.r.chance(g.rates.Twin) {
			twins = 2
		}
		age := ageOn(born, g.today)
		// Children stay until they marry, usually in their mid-twenties.
		leaves := age >= 20 && g.r.chance(leave*math.Min(0.9, float64(age-19)/12))
		if leaves && !g.r.chance(0.08) {
			last = born
			continue
		}
		var first int32 = -1
		for t := 0; t < twins; t++ {
			c := g.child(b, mo, fa, born, b.hs[h].s)
			if c < 0 {
				return last
			}
			last = born
			g.join(b, c, h, rel, born+day(g.r.intn(45)))
			if first >= 0 {
				b.ps[c].twinOf = first
				if b.ps[c].name.mid == "" || b.ps[first].ei.st != styleKinh {
					continue
				}
				b.ps[c].name.mid = b.ps[first].name.mid // twins often share the middle name
				b.ps[c].name.full = g.full(&b.ps[c])
			} else {
				first = c
			}
			if leaves {
				g.leave(b, c)
			}
		}
	}
	if mo >= 0 && last > b.ps[mo].lastChild {
		b.ps[mo].lastChild = last
	}
	if fa >= 0 && last > b.ps[fa].lastChild {
		b.ps[fa].lastChild = last
	}
	return last
}

// leave has grown-up child c set up their own household: in the same
// province, or in a big city. A leaver may marry and have children there.
func (g *Generator) leave(b *bstate, c int32) {
	lo := max(anniversary(b.ps[c].born, 18)+180, b.ps[c].lastEv+30)
	if lo >= g.today {
		return
	}
	d := g.r.dayIn(lo, g.today)
	var s site
	home := b.hs[len(b.hs)-1].s
	switch x := g.r.f64(); {
	case x < 0.5:
		s = g.pl.pickSite(&g.r, g.pl.prov(home))
	case x < 0.85:
		s = g.pl.pickSite(&g.r, g.pl.cityProvince(&g.r))
	default:
		s = g.pl.pickSite(&g.r, int32(g.pl.provT.pick(&g.r)))
	}
	if s.nc == home.nc {
		s = g.pl.pickSite(&g.r, int32(g.pl.provT.pick(&g.r)))
	}
	hh := g.newHousehold(b, c, s, d)
	if ageOn(b.ps[c].born, g.today) < 22 || !g.r.chance(0.6) {
		return
	}
	sp := g.partner(b, c, b.ps[c].born+years(2.5*g.r.normal()), s)
	if sp < 0 {
		return
	}
	h, w := c, sp
	if b.ps[c].sex == registry.Female {
		h, w = sp, c
	}
	m := g.marriageDay(b, h, w, d, g.today-10)
	if m < 0 {
		g.join(b, sp, hh, relOtherFamily, g.today)
		return
	}
	g.marry(b, h, w, m)
	g.join(b, sp, hh, relSpouse, m+day(g.r.intn(60)))
	g.children(b, w, h, hh, relChild, m, g.r.intn(3), 1)
}

// moveOut has person i leave household from for a new household of their
// own elsewhere on day d; when i heads from, newHead takes over (the
// registry requires naming one while members remain).
func (g *Generator) moveOut(b *bstate, i, from int32, d day, newHead int32) {
	if d > g.today {
		d = g.today
	}
	d = max(d, b.ps[i].lastEv, b.ps[newHead].lastEv)
	home := b.hs[from].s
	s := g.pl.pickSite(&g.r, g.pl.prov(home))
	if s.nc == home.nc && g.r.chance(0.7) {
		s = g.pl.pickSite(&g.r, int32(g.pl.provT.pick(&g.r)))
	}
	h := hhold{id: g.householdID(), s: s, created: d, addr: g.address(s), head: i}
	b.hs = append(b.hs, h)
	b.ps[i].at, b.ps[i].addr = s, h.addr
	other := int32(-1)
	if b.hs[from].head == i {
		other = newHead
		b.hs[from].head = newHead
	}
	e := g.event(b, registry.EventPermanentResidence, d, prMove, i, other)
	e.Data.Place, e.Data.Address, e.Data.HouseholdID = g.pl.code(s, d), h.addr, h.id
	e.Data.NewHousehold, e.Data.Relation = true, relHead
	if other >= 0 {
		e.Data.NewHead, e.Data.FromHousehold = b.ps[other].key, b.hs[from].id
	}
}

// extraRelative sometimes adds a niece, nephew or cousin living with the
// family (students from the countryside, mostly).
func (g *Generator) extraRelative(b *bstate, h int32) {
	if !g.r.chance(0.05) {
		return
	}
	i := g.adult(b, g.sex(0.5), g.bornAged(15, 30), b.hs[h].s)
	if i < 0 {
		return
	}
	g.join(b, i, h, relOtherFamily, g.r.dayIn(max(b.hs[h].created, anniversary(b.ps[i].born, 14)), g.today))
}

// withParents is a couple with their children and one or both of the
// husband's parents: the three-generation household.
func (g *Generator) withParents(b *bstate, s site) {
	wifeBorn := g.bornAged(24, 52)
	gap := math.Min(math.Max(3+2.5*g.r.normal(), -2), 12)
	husband := g.adult(b, registry.Male, wifeBorn-years(gap), s)
	wife := g.partner(b, husband, wifeBorn, s)
	hb := b.ps[husband].born
	created := min(anniversary(hb, 20)+years(8*g.r.f64()), g.today)
	hh := g.newHousehold(b, husband, s, created)
	if wife >= 0 {
		if m := g.marriageDay(b, husband, wife, 0, g.today-200); m > 0 {
			g.marry(b, husband, wife, m)
			g.join(b, wife, hh, relSpouse, m+day(g.r.intn(60)))
			g.children(b, wife, husband, hh, relChild, m, g.kidsWanted(yearOf(wifeBorn)), 1)
		} else {
			g.join(b, wife, hh, relSpouse, g.today)
		}
	}
	// The husband's parents, born 20–38 years before him.
	fb := hb - years(22+12*g.r.f64())
	x := g.r.f64()
	var fa, mo int32 = -1, -1
	if x < 0.7 || x > 0.95 {
		fa = g.add(b, registry.Male, fb, b.ps[husband].eth, b.ps[husband].rel, b.ps[husband].origin, b.ps[husband].birth)
	}
	if x < 0.95 {
		mo = g.motherOf(b, fa, fb+years(math.Min(math.Max(3+2*g.r.normal(), -2), 10)))
	}
	if fa >= 0 {
		p := &b.ps[fa]
		p.name.sur = b.ps[husband].name.sur
		g.nm.given(&g.r, p.ei.st, p.sex, yearOf(p.born), "", &p.name)
		p.name.full = g.full(p)
		b.ps[husband].father = fa
		g.join(b, fa, hh, relFather, g.r.dayIn(created, g.today))
	}
	if mo >= 0 {
		b.ps[husband].mother = mo
		g.join(b, mo, hh, relMother, g.r.dayIn(created, g.today))
		if fa >= 0 {
			if m := g.marriageDay(b, fa, mo, 0, hb-300); m > 0 {
				g.marry(b, fa, mo, m)
			}
		} else if g.r.chance(0.3) {
			// The late father's record.
			if f := g.add(b, registry.Male, fb, b.ps[husband].eth, b.ps[husband].rel, b.ps[husband].origin, b.ps[husband].birth); f >= 0 {
				p := &b.ps[f]
				p.name.sur = b.ps[husband].name.sur
				g.nm.given(&g.r, p.ei.st, p.sex, yearOf(p.born), "", &p.name)
				p.name.full = g.full(p)
				b.ps[husband].father = f
				if m := g.marriageDay(b, f, mo, 0, hb-300); m > 0 {
					g.marry(b, f, mo, m)
				}
				p.lastChild = hb
				p.mustDie = true
			}
		}
		b.ps[mo].lastChild = max(b.ps[mo].lastChild, hb)
	}
	if fa >= 0 {
		b.ps[fa].lastChild = max(b.ps[fa].lastChild, hb)
	}
	g.extraRelative(b, hh)
}

// motherOf creates the mother of the household head: the wife of fa when
// there is one.
func (g *Generator) motherOf(b *bstate, fa int32, born day) int32 {
	if fa >= 0 {
		return g.partner(b, fa, born, b.hs[len(b.hs)-1].s)
	}
	return g.adult(b, registry.Female, born, b.hs[len(b.hs)-1].s)
}

// elderHead is an old couple (or widow) heading a household with a
// married son, his wife and their children, and sometimes an unmarried
// younger child.
func (g *Generator) elderHead(b *bstate, s site) {
	elderBorn := g.today - years(52+38*math.Pow(g.r.f64(), 1.3))
	fa := g.adult(b, registry.Male, elderBorn, s)
	mo := g.partner(b, fa, elderBorn+years(math.Min(math.Max(3+2*g.r.normal(), -2), 10)), s)
	if mo < 0 {
		g.newHousehold(b, fa, s, anniversary(elderBorn, 25))
		return
	}
	m := g.marriageDay(b, fa, mo, 0, g.today-years(23))
	if m < 0 {
		m = 0
	} else {
		g.marry(b, fa, mo, m)
	}
	head := fa
	widow := g.r.chance(0.25 + 0.5*math.Max(0, float64(ageOn(elderBorn, g.today)-60))/30)
	if widow && g.r.chance(0.8) {
		head = mo // the widow heads it; the late husband's record remains
	}
	created := min(max(m, anniversary(b.ps[head].born, 18))+day(g.r.intn(1000)), g.today)
	hh := g.newHousehold(b, head, s, created)
	if head == fa {
		g.join(b, mo, hh, relSpouse, m+day(g.r.intn(60)))
	} else {
		g.join(b, fa, hh, relSpouse, m+day(g.r.intn(60)))
	}
	if widow {
		if head == fa {
			b.ps[mo].mustDie = true
		} else {
			b.ps[fa].mustDie = true
		}
	}
	// The son who stayed, and his family.
	sonBorn := max(m, b.ps[mo].born+years(19)) + day(g.r.between(300, 365*14))
	if ageOn(sonBorn, g.today) < 22 {
		sonBorn = g.today - years(22+6*g.r.f64())
	}
	if sonBorn <= m+280 || sonBorn >= anniversary(b.ps[mo].born, 45) {
		return
	}
	son := g.add(b, registry.Male, sonBorn, b.ps[fa].eth, b.ps[fa].rel, b.ps[fa].origin, s)
	if son < 0 {
		return
	}
	p := &b.ps[son]
	p.mother, p.father, p.name.sur = mo, fa, b.ps[fa].name.sur
	g.nm.given(&g.r, p.ei.st, p.sex, yearOf(sonBorn), b.ps[mo].name.sur, &p.name)
	p.name.full = g.full(p)
	b.ps[mo].lastChild, b.ps[fa].lastChild = sonBorn, sonBorn
	g.join(b, son, hh, relChild, sonBorn+day(g.r.intn(45)))
	dil := g.partner(b, son, sonBorn+years(math.Min(math.Max(2.5+2*g.r.normal(), -2), 8)), s)
	if dil < 0 {
		return
	}
	sm := g.marriageDay(b, son, dil, 0, g.today-60)
	if sm < 0 {
		return
	}
	g.marry(b, son, dil, sm)
	g.join(b, dil, hh, relChildInLaw, sm+day(g.r.intn(60)))
	g.children(b, dil, son, hh, relGrandchild, sm, g.kidsWanted(yearOf(b.ps[dil].born)), 1)
	if g.r.chance(0.3) {
		yb := sonBorn + day(g.r.between(550, 365*8))
		if a := ageOn(yb, g.today); a >= 16 && a <= 32 && yb < anniversary(b.ps[mo].born, 44) {
			if y := g.child(b, mo, fa, yb, s); y >= 0 {
				g.join(b, y, hh, relChild, yb+day(g.r.intn(45)))
				b.ps[mo].lastChild, b.ps[fa].lastChild = max(b.ps[mo].lastChild, yb), max(b.ps[fa].lastChild, yb)
			}
		}
	}
}

// siblings is brothers and sisters sharing a rented place in town, or a
// person living with a relative.
func (g *Generator) siblings(b *bstate, s site) {
	head := g.adult(b, g.sex(0.55), g.bornAged(20, 42), s)
	created := g.r.dayIn(anniversary(b.ps[head].born, 18), g.today)
	hh := g.newHousehold(b, head, s, created)
	n := 1 + g.r.intn(2)
	for range n {
		if g.r.chance(0.7) {
			hp := b.ps[head]
			i := g.add(b, g.sex(0.5), hp.born+years(6*g.r.normal()), hp.eth, hp.rel, hp.origin, hp.birth)
			if i < 0 {
				return
			}
			p := &b.ps[i]
			p.name.sur = hp.name.sur
			g.nm.given(&g.r, p.ei.st, p.sex, yearOf(p.born), "", &p.name)
			p.name.full = g.full(p)
			g.join(b, i, hh, relSibling, g.r.dayIn(created, g.today))
		} else {
			i := g.adult(b, g.sex(0.5), g.bornAged(16, 70), s)
			if i >= 0 {
				g.join(b, i, hh, relOtherFamily, g.r.dayIn(created, g.today))
			}
		}
	}
}

// ghost is someone born more than 120 years ago whose death was never
// registered: the record still says alive.
func (g *Generator) ghost(b *bstate) {
	s := g.pl.pickSite(&g.r, int32(g.pl.provT.pick(&g.r)))
	hi := min(g.today-years(121), dayOf(1905, 12, 31))
	born := g.r.dayIn(g.minBorn, max(hi, g.minBorn))
	i := g.adult(b, g.sex(0.4), born, s)
	if i < 0 {
		return
	}
	b.ps[i].kind = kindGhost
	b.ps[i].namesake = ""
	g.newHousehold(b, i, s, born+years(25+20*g.r.f64()))
}

// householdID returns a new 12-digit household number (the registry's
// format), unique within the generator.
func (g *Generator) householdID() string {
	g.hhCount++
	id := g.hhPerm.at(g.hhCount, g.keyMix^0x4848)
	var digits [12]byte
	for k := 11; k >= 0; k-- {
		digits[k] = byte('0' + id%10)
		id /= 10
	}
	return string(digits[:])
}
