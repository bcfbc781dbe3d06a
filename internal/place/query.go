package place

import (
	"fmt"
	"slices"
	"strings"

	"dancu/internal/civil"
)

// Lookup returns the unit that had code on the date on. The date is the one
// the code was valid on, usually the date of the record that carries it.
//
// Errors wrap ErrUnknownCode (malformed code, or no unit ever had it),
// ErrNotInForce (units with the code exist, none on that date; the message
// says when each was in force and what replaced it) or ErrAmbiguousDate (no
// date, or a month or year that covers two units with this code).
func (c *Catalogue) Lookup(code string, on civil.Date) (Unit, error) {
	i, err := c.lookup(code, on)
	if err != nil {
		return Unit{}, err
	}
	return c.units[i], nil
}

func (c *Catalogue) lookup(code string, on civil.Date) (int32, error) {
	if !isCode(code) {
		return 0, &placeError{fmt.Sprintf("place: malformed unit code %q: a code is 2 (province), 3 (district) or 5 (commune) ASCII digits", code), ErrUnknownCode}
	}
	vs := c.byCode[code]
	if len(vs) == 0 {
		return 0, &placeError{fmt.Sprintf("place: no administrative unit has ever had code %s", code), ErrUnknownCode}
	}
	if on.IsZero() {
		return 0, &placeError{fmt.Sprintf("place: no date given for unit code %s; a code means nothing without the date it was valid on", code), ErrAmbiguousDate}
	}
	var hits []int32
	for _, i := range vs {
		if c.units[i].ValidOn(on) {
			hits = append(hits, i)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		parts := make([]string, len(vs))
		for k, i := range vs {
			parts[k] = c.history(i)
		}
		return 0, &placeError{fmt.Sprintf("place: unit %s did not exist on %s: %s", code, on, strings.Join(parts, "; ")), ErrNotInForce}
	}
	parts := make([]string, len(hits))
	for k, i := range hits {
		parts[k] = c.units[i].Name + " " + period(c.units[i])
	}
	return 0, &placeError{fmt.Sprintf("place: %s covers more than one unit with code %s (%s); give a full date", on, code, strings.Join(parts, ", ")), ErrAmbiguousDate}
}

// period says when u was in force.
func period(u Unit) string {
	switch {
	case u.ValidFrom.IsZero() && u.ValidTo.IsZero():
		return "is in force"
	case u.ValidFrom.IsZero():
		return "was in force until " + u.ValidTo.String()
	case u.ValidTo.IsZero():
		return "has been in force since " + u.ValidFrom.String()
	}
	return "was in force from " + u.ValidFrom.String() + " to " + u.ValidTo.String()
}

// history says when unit i was in force and what stands for it today.
func (c *Catalogue) history(i int32) string {
	u := c.units[i]
	s := u.Name + " " + period(u)
	if u.Current() {
		return s
	}
	cur := c.chain(i, resolveLevel(u.Level))
	switch {
	case len(cur) == 0:
		return s + "; no successor is recorded"
	case len(cur) == 1 && cur[0].kind == Unchanged:
		return s + "; today it is " + c.units[cur[0].to].String()
	case len(cur) == 1 && cur[0].kind == Whole:
		return s + "; today it is part of " + c.units[cur[0].to].String()
	case len(cur) == 1:
		return s + "; today part of it is in " + c.units[cur[0].to].String()
	}
	return s + "; today it is split between " + c.list(cur)
}

func (c *Catalogue) list(es []edge) string {
	names := make([]string, len(es))
	for k, e := range es {
		names[k] = c.units[e.to].String()
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// resolveLevel is the level of the units a unit of level l resolves to: a
// commune to communes, a district or province to provinces.
func resolveLevel(l Level) Level {
	if l == LevelCommune {
		return LevelCommune
	}
	return LevelProvince
}

// chain returns the units in force today, of the given level, that took
// over unit i, following successions through as many reforms as recorded.
// A unit still in force returns itself, Unchanged.
func (c *Catalogue) chain(i int32, level Level) []edge {
	if c.units[i].Current() {
		return []edge{{to: i, kind: Unchanged}}
	}
	var out []edge
	var walk func(j int32, via edge, depth int)
	walk = func(j int32, via edge, depth int) {
		if depth > 16 {
			return // a cycle would be a data error; parse rejects it by dates
		}
		for _, e := range c.next[j] {
			if c.units[e.to].Level != level {
				continue
			}
			step := e
			if depth > 0 {
				step.kind = combine(via.kind, e.kind)
				step.allResidents = via.allResidents && e.allResidents
				step.note = via.note + "; " + e.note
			}
			if !c.units[e.to].Current() {
				walk(e.to, step, depth+1)
				continue
			}
			if k := slices.IndexFunc(out, func(o edge) bool { return o.to == step.to }); k >= 0 {
				out[k].kind = Partial // reached along two paths: only part came each way
				continue
			}
			out = append(out, step)
		}
	}
	walk(i, edge{}, 0)
	slices.SortFunc(out, func(a, b edge) int { return compareUnits(c.units[a.to], c.units[b.to]) })
	return out
}

func combine(a, b SuccessionKind) SuccessionKind {
	switch {
	case a == Partial || b == Partial:
		return Partial
	case a == Unchanged:
		return b
	case b == Unchanged:
		return a
	}
	return Whole
}

func (c *Catalogue) successors(es []edge) []Successor {
	out := make([]Successor, len(es))
	for k, e := range es {
		out[k] = Successor{Unit: c.units[e.to], Kind: e.kind, AllResidents: e.allResidents, Note: e.note}
	}
	return out
}

// Resolve returns the unit that had code on the date on and the units that
// stand for it today: for an old commune the new communes that took it over
// (all of them, with Ambiguous set, if it was split), for an old district
// the provinces that hold its former communes, for an old province the new
// province(s) it went into. A unit still in force resolves to itself. An
// old commune for which the sources record no successor has an empty
// Current. Errors are those of Lookup.
func (c *Catalogue) Resolve(code string, on civil.Date) (Resolution, error) {
	i, err := c.lookup(code, on)
	if err != nil {
		return Resolution{}, err
	}
	cur := c.successors(c.chain(i, resolveLevel(c.units[i].Level)))
	return Resolution{Unit: c.units[i], Current: cur, Ambiguous: len(cur) > 1}, nil
}

// Versions returns every unit that ever had code, oldest first; nil for an
// unknown or malformed code.
func (c *Catalogue) Versions(code string) []Unit {
	vs := c.byCode[code]
	if len(vs) == 0 {
		return nil
	}
	out := make([]Unit, len(vs))
	for k, i := range vs {
		out[k] = c.units[i]
	}
	return out
}

// index returns the catalogue's index of u.
func (c *Catalogue) index(u Unit) (int32, bool) {
	for _, i := range c.byCode[u.Code] {
		if c.units[i] == u {
			return i, true
		}
	}
	return 0, false
}

// Province returns u's province in u's own era: an old commune's province
// among the 63, a new commune's among the 34. A province returns itself. The
// zero Unit is returned for a unit that is not in the catalogue and whose
// province code is not either.
func (c *Catalogue) Province(u Unit) Unit {
	if i, ok := c.index(u); ok {
		return c.units[c.province[i]]
	}
	if u.Level == LevelProvince {
		return u
	}
	if p, ok := c.versionAt(u.ProvinceCode, refDay(u)); ok && c.units[p].Level == LevelProvince {
		return c.units[p]
	}
	return Unit{}
}

// Provinces returns the provinces in force on on, by code: the 63 before
// ReformDate, the 34 from it. Pass a day: a partial date covering the reform
// returns the provinces of both lists.
func (c *Catalogue) Provinces(on civil.Date) []Unit {
	var out []Unit
	for _, i := range c.provinces {
		if c.units[i].ValidOn(on) {
			out = append(out, c.units[i])
		}
	}
	return out
}

// Communes returns the communes in force on on in the province that had
// provinceCode on that date, by code; nil if there was no such province.
func (c *Catalogue) Communes(provinceCode string, on civil.Date) []Unit {
	p, err := c.lookup(provinceCode, on)
	if err != nil || c.units[p].Level != LevelProvince {
		return nil
	}
	var out []Unit
	for _, i := range c.communes[p] {
		if c.units[i].ValidOn(on) {
			out = append(out, c.units[i])
		}
	}
	return out
}

// CurrentCommunes returns today's commune(s) for the unit that had code on
// the date on: for an old commune its successors (several if it was split:
// officers of each may have jurisdiction), for a commune in force itself,
// for a district or province every current commune that holds part of it.
// The result is ordered by code. An old unit with no recorded successor
// gives an error wrapping ErrNoSuccessor; other errors are those of Lookup.
func (c *Catalogue) CurrentCommunes(code string, on civil.Date) ([]Unit, error) {
	i, err := c.lookup(code, on)
	if err != nil {
		return nil, err
	}
	u := c.units[i]
	var es []edge
	add := func(more []edge) {
		for _, e := range more {
			if !slices.ContainsFunc(es, func(o edge) bool { return o.to == e.to }) {
				es = append(es, e)
			}
		}
	}
	switch {
	case u.Level == LevelCommune:
		add(c.chain(i, LevelCommune))
	default:
		for _, m := range c.communes[i] {
			add(c.chain(m, LevelCommune))
		}
		if !u.Current() {
			add(c.chain(i, LevelCommune)) // island districts became special-zone communes
			for _, d := range c.districts[i] {
				add(c.chain(d, LevelCommune))
			}
		}
	}
	if len(es) == 0 {
		return nil, &placeError{fmt.Sprintf("place: no current commune is recorded for %s (valid on %s)", u, on), ErrNoSuccessor}
	}
	slices.SortFunc(es, func(a, b edge) int { return compareUnits(c.units[a.to], c.units[b.to]) })
	out := make([]Unit, len(es))
	for k, e := range es {
		out[k] = c.units[e.to]
	}
	return out, nil
}

// PIDPlaceCode returns the 3-digit place code ("001") that a personal ID
// number issued on issuedOn carries for a birth registered in the commune
// communeCode (a code valid on registeredOn): the code, with a leading zero,
// of the province that holds that commune (or its successor, or for an ID
// issued before the commune existed its predecessor) in the province list in
// force on issuedOn: the 63 provinces before ReformDate, the 34 from then.
//
// When the candidates lie in different provinces it returns an
// *AmbiguousError (wrapping ErrAmbiguous) listing them. A commune with no
// recorded successor falls back on its province's successor. issuedOn must
// lie within one province list, or the error wraps ErrAmbiguousDate.
func (c *Catalogue) PIDPlaceCode(communeCode string, registeredOn, issuedOn civil.Date) (string, error) {
	i, err := c.lookup(communeCode, registeredOn)
	if err != nil {
		return "", err
	}
	u := c.units[i]
	if issuedOn.IsZero() {
		return "", &placeError{fmt.Sprintf("place: no issue date given for the ID of a birth registered in %s", u), ErrAmbiguousDate}
	}
	p := c.province[i]
	pu := c.units[p]
	var provs []int32
	addProv := func(q int32) {
		if covers(c.units[q], issuedOn) && !slices.Contains(provs, q) {
			provs = append(provs, q)
		}
	}
	switch {
	case covers(pu, issuedOn):
		provs = []int32{p}
	case !pu.ValidTo.IsZero() && issuedOn.After(pu.ValidTo):
		for _, e := range c.chain(i, resolveLevel(u.Level)) {
			addProv(c.province[e.to])
		}
		if len(provs) == 0 {
			for _, e := range c.chain(p, LevelProvince) {
				addProv(c.province[e.to])
			}
		}
	case !pu.ValidFrom.IsZero() && issuedOn.Before(pu.ValidFrom):
		for _, j := range c.ancestors(i, issuedOn) {
			addProv(c.province[j])
		}
		if len(provs) == 0 {
			for _, j := range c.ancestors(p, issuedOn) {
				addProv(c.province[j])
			}
		}
	default:
		return "", &placeError{fmt.Sprintf("place: %s covers more than one province list (%s %s); give the full issue date", issuedOn, pu, period(pu)), ErrAmbiguousDate}
	}
	switch len(provs) {
	case 0:
		return "", &placeError{fmt.Sprintf("place: no province in force on %s is recorded for %s", issuedOn, u), ErrNoSuccessor}
	case 1:
		return "0" + c.units[provs[0]].Code, nil
	}
	slices.SortFunc(provs, func(a, b int32) int { return compareUnits(c.units[a], c.units[b]) })
	cands := make([]Unit, len(provs))
	names := make([]string, len(provs))
	for k, q := range provs {
		cands[k] = c.units[q]
		names[k] = "0" + cands[k].Code + " " + cands[k].Name
	}
	return "", &AmbiguousError{
		Msg: fmt.Sprintf("place: %s (valid on %s) was split between provinces of the list in force on %s: place code %s; the caller must choose",
			u, registeredOn, issuedOn, strings.Join(names, " or ")),
		Candidates: cands,
	}
}

// ancestors returns the units in force on day that unit i took over, going
// back through as many reforms as needed.
func (c *Catalogue) ancestors(i int32, day civil.Date) []int32 {
	var out []int32
	var walk func(j int32, depth int)
	walk = func(j int32, depth int) {
		if depth > 16 {
			return
		}
		for _, e := range c.prev[j] {
			if c.units[e.to].ValidOn(day) {
				if !slices.Contains(out, e.to) {
					out = append(out, e.to)
				}
				continue
			}
			walk(e.to, depth+1)
		}
	}
	walk(i, 0)
	return out
}
