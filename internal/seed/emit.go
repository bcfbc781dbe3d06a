package seed

import (
	"slices"

	"dancu/internal/civil"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

// profile is what the generator remembers of an emitted person: enough to
// make a duplicate record or a namesake of them later.
type profile struct {
	pid      string
	sex      registry.Sex
	born     day
	yearOnly bool
	st       style
	eth      uint8
	rel      string
	name     pname
	homeTown string
	birth    site
	reg      site
	at       site
	addr     string
	legacy   string
	phone    string
	due      uint64
}

// maxPending bounds the duplicates waiting for their batch.
const maxPending = 1024

// duplicates emits the duplicate records that are due (all of them when
// flush is set: the population is otherwise complete).
func (g *Generator) duplicates(b *bstate, flush bool) {
	for len(g.pending) > 0 {
		pr := g.pending[0]
		if !flush && pr.due > g.batchNo && len(g.pending) < maxPending {
			return
		}
		g.pending = g.pending[1:]
		g.duplicate(b, pr)
	}
}

// Duplicate variants: how the second record differs from the first.
var dupVariants = []pw{
	{"no_diacritics", 15}, {"swapped_order", 8}, {"typo", 17}, {"missing_middle", 12},
	{"different_legacy", 15}, {"swapped_day_month", 8}, {"birth_date_off", 7}, {"year_only", 6},
	{"exact", 12},
}

var dupVariantT = newPlain(dupVariants)

// duplicate adds a second record of the person pr describes: registered
// again, often somewhere else, with its own number.
func (g *Generator) duplicate(b *bstate, pr *profile) {
	b.room++ // duplicates were reserved when they were planned
	var s site
	switch x := g.r.f64(); {
	case x < 0.5:
		s = pr.reg
	case x < 0.8:
		s = pr.at
	default:
		s = g.pl.pickSite(&g.r, int32(g.pl.provT.pick(&g.r)))
	}
	i := g.add(b, pr.sex, pr.born, pr.eth, pr.rel, -1, pr.birth)
	p := &b.ps[i]
	p.kind, p.dup, p.reg = kindDuplicate, pr, s
	p.name, p.yearOnly, p.homeTown = pr.name, pr.yearOnly, pr.homeTown
	p.ei.st = pr.st
	v := dupVariantT.pick(&g.r)
	switch v {
	case "no_diacritics":
		p.name.full = stripMarks(pr.name.full)
	case "swapped_order":
		if pr.name.sur == "" || pr.st != styleKinh {
			v, p.name.full = "no_diacritics", stripMarks(pr.name.full)
			break
		}
		g.buf = append(append(append(g.buf[:0], pr.name.giv...), ' '), pr.name.sur...)
		if pr.name.mid != "" {
			g.buf = append(append(g.buf, ' '), pr.name.mid...)
		}
		p.name.full = string(g.buf)
	case "missing_middle":
		if pr.name.mid == "" || pr.st != styleKinh {
			v = "typo"
		} else {
			p.name.mid = ""
			p.name.full = g.full(p)
		}
	case "swapped_day_month":
		y, m, d := ymd(pr.born)
		if d > 12 || d == m || pr.yearOnly || dayOf(y, d, m) > g.today {
			v = "birth_date_off"
			break
		}
		p.born = dayOf(y, d, m)
	case "year_only":
		if pr.yearOnly {
			v = "typo"
		}
		p.yearOnly = true
	case "different_legacy":
		if pr.legacy == "" {
			v = "typo"
		}
	}
	switch v {
	case "typo":
		p.name.giv = typo(&g.r, pr.name.giv)
		p.name.full = g.full(p)
		if p.name.full == pr.name.full {
			v = "exact"
		}
	case "birth_date_off":
		if pr.yearOnly {
			v = "exact"
			break
		}
		p.born = min(max(pr.born+day(g.r.between(1, 3)*(1-2*g.r.intn(2))), g.minBorn), g.today)
	}
	p.variant = v
	// A second registration happens at the migration from another source,
	// or later for those born since.
	if pr.born >= g.founding {
		p.recBirth = instant(min(pr.born+day(g.r.between(30, 400)), g.today)) + int64(g.r.between(8*3600, 16*3600))*1_000_000
	}
	if v == "different_legacy" {
		g.issueLegacy(b, i, min(g.r.dayIn(max(anniversary(p.born, 14), cmndIntroduced), g.founding-1), g.today))
	}
	lo := max(g.founding, p.born)
	if pr.addr != "" && g.r.chance(0.5) && lo <= g.today {
		d := g.r.dayIn(lo, g.today)
		e := g.event(b, registry.EventCurrentResidence, d, prJoin, i, -1)
		e.Data.Place, e.Data.Address = g.pl.code(pr.at, d), pr.addr
	}
	if pr.phone != "" && g.r.chance(0.3) && lo <= g.today {
		g.phoneEvent(b, i, pr.phone, registry.PhoneDeclared, g.r.dayIn(lo, g.today))
	}
}

// finish writes the batch: birth events, the order of application,
// recording instants and ids, personal ID numbers, aliases, households and
// truth rows; then it remembers persons for later duplicates and
// namesakes.
func (g *Generator) finish(b *bstate) (*registry.LoadBatch, error) {
	for i := range b.ps {
		g.birthEvent(b, int32(i))
	}
	slices.SortFunc(b.evs, func(x, y evRec) int {
		switch {
		case x.sort < y.sort:
			return -1
		case x.sort > y.sort:
			return 1
		}
		return 0
	})
	out := &registry.LoadBatch{
		Persons: make([]registry.LoadPerson, len(b.ps)),
		Events:  make([]*registry.Event, len(b.evs)),
	}
	evs := make([]registry.Event, len(b.evs))
	keys := make([]registry.PersonKey, len(b.keys))
	b.pos = slices.Grow(b.pos[:0], len(b.slab))[:len(b.slab)]
	first := b.ps[0].key
	kp := 0
	for k, rec := range b.evs {
		e := &evs[k]
		*e = b.slab[rec.n]
		n := copy(keys[kp:], b.keys[rec.k:rec.k+rec.np])
		e.Parties = keys[kp : kp+n : kp+n]
		kp += n
		b.pos[rec.n] = int32(k)
		out.Events[k] = e
		g.stamp(b, e, first)
	}
	// Events go out in the order they were recorded, as the store assigns
	// sequence numbers. Each person's events were recorded in the order
	// they apply, so this keeps every person's order: the stable sort only
	// interleaves different persons' histories.
	slices.SortStableFunc(out.Events, func(x, y *registry.Event) int { return x.RecordedAt.Compare(y.RecordedAt) })
	for i := range b.ps {
		p := &b.ps[i]
		p.birthEv = &evs[b.pos[p.birthIdx]]
		if p.legacyIdx >= 0 {
			p.legacyEv = &evs[b.pos[p.legacyIdx]]
		}
	}
	aliases := make([]registry.Alias, 0, len(b.ps)*3/2)
	for i := range b.ps {
		p := &b.ps[i]
		if err := g.assignPID(p); err != nil {
			return nil, err
		}
		issued := dayAt(p.birthEv.RecordedAt.UnixMicro())
		k := len(aliases)
		aliases = append(aliases, registry.Alias{Number: p.pid, Person: p.key, Kind: registry.AliasPID, ValidFrom: civilDay(issued), EventID: p.birthEv.ID})
		if p.legacy != "" {
			aliases = append(aliases, registry.Alias{Number: p.legacy, Person: p.key, Kind: registry.AliasLegacy, ValidFrom: civilDay(p.legacyOn), EventID: p.legacyEv.ID})
		}
		out.Persons[i] = registry.LoadPerson{Key: p.key, Created: p.birthEv.RecordedAt, Aliases: aliases[k:len(aliases):len(aliases)]}
	}
	if len(b.hs) > 0 {
		hs := make([]registry.Household, len(b.hs))
		out.Households = make([]*registry.Household, len(b.hs))
		for k, h := range b.hs {
			hs[k] = registry.Household{ID: h.id, Kind: registry.Permanent, Place: g.pl.code(h.s, h.created), Address: h.addr, Created: civilDay(h.created)}
			out.Households[k] = &hs[k]
		}
	}
	g.record(b)
	return out, nil
}

// birthEvent writes person i's birth registration.
func (g *Generator) birthEvent(b *bstate, i int32) {
	p := &b.ps[i]
	if p.kind == kindOriginal && p.namesake == "" {
		switch y := yearOf(p.born); {
		case y < 1950:
			p.yearOnly = g.r.chance(g.rates.YearOnlyBirth)
		case y < 1975:
			p.yearOnly = g.r.chance(g.rates.YearOnlyBirth / 5)
		}
	} else if p.kind == kindGhost {
		p.yearOnly = g.r.chance(0.7)
	}
	eff, sortDay := civilDay(p.born), p.born
	if p.yearOnly {
		y := yearOf(p.born)
		eff, sortDay = civil.YearOnly(y), dayOf(y, 1, 1)
	}
	e := g.event(b, registry.EventBirth, sortDay, prBirth, i, -1)
	b.evs[len(b.evs)-1].sort = sortKey(sortDay, prBirth, int(i))
	p.birthIdx = int32(len(b.slab) - 1)
	e.Effective = eff
	d := &e.Data
	d.FullName, d.BirthDate, d.Sex = p.name.full, eff, p.sex
	d.BirthPlace, d.RegistrationPlace = g.pl.code(p.birth, p.born), g.pl.code(p.reg, p.born)
	d.Ethnicity, d.Religion, d.Nationality = codes2[p.eth], p.rel, "VN"
	d.HomeTown = p.homeTown
	if d.HomeTown == "" && p.origin >= 0 {
		d.HomeTown = g.pl.homeTown(p.origin, p.born)
	}
	switch p.missing {
	case "ethnicity":
		d.Ethnicity = ""
	case "religion":
		d.Religion = ""
	case "home_town":
		d.HomeTown = ""
	}
	if p.mother >= 0 {
		d.Mother = b.ps[p.mother].key
	}
	if p.father >= 0 {
		d.Father = b.ps[p.father].key
	}
}

// stamp sets an event's recording instant and id. Events of the registry's
// own time are recorded on their day, in office hours (a birth within the
// 60 days the law allows); older ones were recorded when the records were
// migrated. Like the registry's Service.stamp, an event is recorded after
// every earlier event of each of its parties, so every known_at prefix of
// a person's history is one that folds.
func (g *Generator) stamp(b *bstate, e *registry.Event, first registry.PersonKey) {
	eff := fromCivil(e.Effective)
	d := eff
	if e.Type == registry.EventBirth && eff >= g.founding {
		d = min(eff+day(g.r.intn(45)), g.today)
	}
	at := instant(d) + int64(7*3600+1800+g.r.intn(9*3600))*1_000_000 + int64(g.r.intn(1_000_000))
	if eff < g.founding {
		at = max(at, b.migration+int64(g.r.intn(3600*1_000_000)))
	}
	if e.Type == registry.EventBirth {
		at = max(at, b.ps[e.Subject-first].recBirth)
	}
	for _, k := range e.Parties {
		at = max(at, b.ps[k-first].lastRec+1)
	}
	for _, k := range e.Parties {
		b.ps[k-first].lastRec = at
	}
	e.RecordedAt = timeOf(at)
	e.ID = g.eventID(uint64(at / 1000))
}

// dayAt returns the civil day in Asia/Ho_Chi_Minh of a Unix microsecond.
func dayAt(us int64) day {
	s := us/1_000_000 + 7*3600
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d--
	}
	return day(d)
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// eventID returns a ULID (as Service.newID makes them: 48 bits of
// milliseconds, 80 more bits, Crockford base32) whose last 64 bits are a
// bijection of a counter, so ids never repeat within a generator.
func (g *Generator) eventID(ms uint64) string {
	g.evCount++
	lo := mix64(g.evCount ^ g.keyMix)
	hi := ms<<16 | mix64(g.evCount+g.keyMix)>>48
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// assignPID issues the person's personal ID number: the place code of the
// registration commune's province in the list in force on the issue date
// (the birth's recording day), the century/sex digit, the year, and a
// serial unique for that place, digit and year.
func (g *Generator) assignPID(p *pers) error {
	issued := dayAt(p.birthEv.RecordedAt.UnixMicro())
	code := g.pl.pidCode(p.reg, p.born, issued)
	y := yearOf(p.born)
	c := (y-pid.FirstYear)/100*2 + 1
	if p.sex == registry.Male {
		c--
	}
	yy := y % 100
	switch p.badPID {
	case "century_sex":
		c ^= 1 // the other sex
	case "birth_year":
		yy = (yy + 1 + g.r.intn(9)) % 100
	}
	idx := int(code[0]-'0')*100_000 + int(code[1]-'0')*10_000 + int(code[2]-'0')*1000 + c*100 + yy
	n := g.pidCtr[idx]
	if n >= pid.MaxSerial {
		return ErrExhausted
	}
	g.pidCtr[idx]++
	serial := g.pidPerm.at(uint64(n), g.keyMix^uint64(idx)*0x9e3779b97f4a7c15) + 1
	var d [12]byte
	copy(d[:3], code)
	d[3] = byte('0' + c)
	d[4], d[5] = byte('0'+yy/10), byte('0'+yy%10)
	for k := 11; k >= 6; k-- {
		d[k] = byte('0' + serial%10)
		serial /= 10
	}
	p.pid = string(d[:])
	p.birthEv.Data.PID = pid.Number(p.pid)
	return nil
}

// record writes the batch's truth rows and keeps its persons in mind for
// namesakes and duplicates.
func (g *Generator) record(b *bstate) {
	for i := range b.ps {
		p := &b.ps[i]
		if p.dup != nil {
			g.truth = append(g.truth, Truth{Kind: TruthDuplicate, PID: p.pid, Of: p.dup.pid, Variant: p.variant})
		}
		// The completeness rules judge the records of the living: a dead
		// person's gap is no longer one to fix, so it is not reported.
		if p.missing != "" && p.death == 0 {
			g.truth = append(g.truth, Truth{Kind: TruthMissingField, PID: p.pid, Field: p.missing})
		}
		if p.badPID != "" {
			g.truth = append(g.truth, Truth{Kind: TruthBadPIDDigits, PID: p.pid, Detail: p.badPID})
		}
		if p.kind == kindGhost {
			g.truth = append(g.truth, Truth{Kind: TruthUnmarkedDeath, PID: p.pid, Detail: p.birthEv.Data.BirthDate.String()})
		}
		if p.twinOf >= 0 {
			g.truth = append(g.truth, Truth{Kind: TruthTwin, PID: p.pid, Of: b.ps[p.twinOf].pid})
		}
		if p.namesake != "" {
			g.truth = append(g.truth, Truth{Kind: TruthNamesake, PID: p.pid, Of: p.namesake})
		}
	}
	for _, i := range b.stale {
		g.truth = append(g.truth, Truth{Kind: TruthStaleTemporary, PID: b.ps[i].pid})
	}
	left := g.cfg.Citizens - g.emitted - len(b.ps) - len(g.pending)
	for i := range b.ps {
		p := &b.ps[i]
		if p.kind != kindOriginal {
			continue
		}
		pr := profile{
			pid: p.pid, sex: p.sex, born: p.born, yearOnly: p.yearOnly, st: p.ei.st, eth: p.eth, rel: p.rel,
			name: p.name, homeTown: p.birthEv.Data.HomeTown, birth: p.birth, reg: p.reg, at: p.at, addr: p.addr,
			legacy: p.legacy, phone: p.phone,
		}
		if p.ei.st == styleKinh && p.namesake == "" {
			g.ring[g.ringN%len(g.ring)] = pr
			g.ringN++
		}
		if left > 0 && g.r.chance(g.rates.Duplicate) {
			pr.due = g.batchNo + 1 + uint64(g.r.intn(64))
			g.pending = append(g.pending, &pr)
			left--
		}
	}
}
