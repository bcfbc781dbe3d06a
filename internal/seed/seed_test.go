package seed

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"dancu/internal/civil"
	"dancu/internal/pid"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

var testToday = civil.MustParse("2026-11-25")

// population is everything a generator emitted, with every person folded.
type population struct {
	cfg     Config
	batches []*registry.LoadBatch
	truth   []Truth
	persons map[registry.PersonKey]*registry.LoadPerson
	batchOf map[registry.PersonKey]int
	events  map[registry.PersonKey][]*registry.Event // by party, in Seq order
	records map[registry.PersonKey]*registry.Citizen
	byPID   map[string]registry.PersonKey
	order   []registry.PersonKey // keys in emission order
}

// generate runs a generator to the end. Seq is set on every event in
// emission order, as a store would.
func generate(tb testing.TB, cfg Config) *population {
	tb.Helper()
	g, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	pop := &population{
		cfg:     cfg,
		persons: map[registry.PersonKey]*registry.LoadPerson{},
		batchOf: map[registry.PersonKey]int{},
		events:  map[registry.PersonKey][]*registry.Event{},
		byPID:   map[string]registry.PersonKey{},
	}
	var seq int64
	for {
		b, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		bi := len(pop.batches)
		pop.batches = append(pop.batches, b)
		for i := range b.Persons {
			k := b.Persons[i].Key
			pop.persons[k] = &b.Persons[i]
			pop.batchOf[k] = bi
			pop.order = append(pop.order, k)
		}
		for _, e := range b.Events {
			if e.Seq != 0 {
				tb.Fatalf("event %s has Seq %d; the store assigns it", e.ID, e.Seq)
			}
			seq++
			e.Seq = seq
			for _, k := range e.Parties {
				pop.events[k] = append(pop.events[k], e)
			}
		}
		pop.truth = append(pop.truth, g.Truth()...)
	}
	if _, err := g.Next(); !errors.Is(err, io.EOF) {
		tb.Fatalf("Next after the end: %v, want io.EOF", err)
	}
	return pop
}

// fold folds every person, failing on the first rule error.
func (pop *population) fold(tb testing.TB) {
	tb.Helper()
	pop.records = map[registry.PersonKey]*registry.Citizen{}
	for _, k := range pop.order {
		evs := slices.Clone(pop.events[k])
		registry.SortEvents(evs)
		c, rerr := registry.Fold(k, evs, civil.Date{})
		if rerr != nil {
			tb.Fatalf("person %d: %v (event %s %s %+v)", k, rerr, rerr.Event.Type, rerr.Event.Effective, rerr.Event.Data)
		}
		if !c.Exists() {
			tb.Fatalf("person %d has no birth", k)
		}
		pop.records[k] = c
		pop.byPID[string(c.PID)] = k
	}
}

var (
	sharedOnce sync.Once
	sharedPop  *population
)

// shared is the population most tests look at: 20,000 persons, seed 42.
func shared(tb testing.TB) *population {
	tb.Helper()
	sharedOnce.Do(func() {
		pop := generate(tb, Config{Citizens: 20000, Seed: 42, Today: testToday, FirstKey: 1000})
		pop.fold(tb)
		sharedPop = pop
	})
	if sharedPop == nil {
		tb.Fatal("shared population failed")
	}
	return sharedPop
}

func TestEveryPersonFolds(t *testing.T) {
	pop := shared(t)
	if len(pop.records) != 20000 {
		t.Fatalf("%d persons folded, want 20000", len(pop.records))
	}
	for i, k := range pop.order {
		if want := registry.PersonKey(1000 + i); k != want {
			t.Fatalf("person %d has key %d, want %d", i, k, want)
		}
	}
}

func TestExactCount(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 50, 1001} {
		pop := generate(t, Config{Citizens: n, Seed: uint64(n), Today: testToday})
		if len(pop.persons) != n {
			t.Errorf("Citizens %d: %d persons", n, len(pop.persons))
		}
		pop.fold(t)
		for _, b := range pop.batches {
			if len(b.Persons) == 0 {
				t.Errorf("Citizens %d: an empty batch", n)
			}
		}
	}
}

// digest hashes everything a generator emits.
func digest(tb testing.TB, cfg Config) [32]byte {
	g, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	h := sha256.New()
	enc := json.NewEncoder(h)
	for {
		b, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if err := enc.Encode(b); err != nil {
			tb.Fatal(err)
		}
		if err := WriteTruth(h, g.Truth()); err != nil {
			tb.Fatal(err)
		}
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Citizens: 5000, Seed: 9, Today: testToday}
	a, b := digest(t, cfg), digest(t, cfg)
	if a != b {
		t.Fatal("the same config gave different output")
	}
	cfg.Seed = 10
	if digest(t, cfg) == a {
		t.Fatal("a different seed gave the same output")
	}
}

func TestBatchesAreSelfContained(t *testing.T) {
	pop := shared(t)
	eventIDs := map[string]bool{}
	households := map[string]bool{}
	for bi, b := range pop.batches {
		in := func(k registry.PersonKey) bool { return k == 0 || pop.batchOf[k] == bi }
		hs := map[string]bool{}
		for _, h := range b.Households {
			if households[h.ID] {
				t.Fatalf("household %s created twice", h.ID)
			}
			households[h.ID], hs[h.ID] = true, true
			if len(h.ID) != 12 || strings.Trim(h.ID, "0123456789") != "" || h.Kind != registry.Permanent || h.Address == "" || h.Created.IsZero() {
				t.Fatalf("household %+v", h)
			}
		}
		for _, e := range b.Events {
			if eventIDs[e.ID] {
				t.Fatalf("event id %s twice", e.ID)
			}
			eventIDs[e.ID] = true
			if e.Parties[0] != e.Subject {
				t.Fatalf("event %s: subject is not the first party", e.ID)
			}
			for _, k := range append(slices.Clone(e.Parties), e.Data.Mother, e.Data.Father, e.Data.Spouse, e.Data.NewHead) {
				if !in(k) {
					t.Fatalf("event %s %s names person %d of another batch", e.ID, e.Type, k)
				}
			}
			if h := e.Data.HouseholdID; h != "" && !hs[h] {
				t.Fatalf("event %s refers to household %s, not created in its batch", e.ID, h)
			}
			if h := e.Data.FromHousehold; h != "" && !hs[h] {
				t.Fatalf("event %s leaves household %s, not in its batch", e.ID, h)
			}
			if e.Officer != "seed" || e.LegalBasis != registry.DefaultLegalBasis[e.Type] {
				t.Fatalf("event %s: officer %q, legal basis %q", e.ID, e.Officer, e.LegalBasis)
			}
		}
	}
}

func TestRecording(t *testing.T) {
	pop := shared(t)
	end := testToday.AddDays(1).Time()
	for _, k := range pop.order {
		lp := pop.persons[k]
		evs := pop.events[k]
		birth := evs[0]
		if birth.Type != registry.EventBirth || birth.Subject != k {
			t.Fatalf("person %d: first event %s", k, birth.Type)
		}
		if !lp.Created.Equal(birth.RecordedAt) {
			t.Fatalf("person %d created %v, birth recorded %v", k, lp.Created, birth.RecordedAt)
		}
		for i, e := range evs {
			if i > 0 && !e.RecordedAt.After(evs[i-1].RecordedAt) {
				t.Fatalf("person %d: event %s (seq %d) recorded %v, not after the previous one at %v",
					k, e.ID, e.Seq, e.RecordedAt, evs[i-1].RecordedAt)
			}
			if e.RecordedAt.Before(e.Effective.First().Time()) || !e.RecordedAt.Before(end) {
				t.Fatalf("event %s %s effective %s recorded %v: %+v", e.ID, e.Type, e.Effective, e.RecordedAt, e.Data)
			}
			if len(e.ID) != 26 || strings.Trim(e.ID, crockford) != "" {
				t.Fatalf("event id %q", e.ID)
			}
		}
	}
}

func TestPersonalIDNumbers(t *testing.T) {
	pop := shared(t)
	svc := &registry.Service{Places: place.Default()}
	bad := map[string]string{}
	for _, r := range pop.truth {
		if r.Kind == TruthBadPIDDigits {
			bad[r.PID] = r.Detail
		}
	}
	numbers := map[string]registry.PersonKey{}
	for _, k := range pop.order {
		lp, c := pop.persons[k], pop.records[k]
		var pids int
		for _, a := range lp.Aliases {
			if other, ok := numbers[a.Number]; ok {
				t.Fatalf("number %s held by %d and %d", a.Number, other, k)
			}
			numbers[a.Number] = k
			if a.Person != k {
				t.Fatalf("alias %s of %d names %d", a.Number, k, a.Person)
			}
			switch a.Kind {
			case registry.AliasPID:
				pids++
				if a.Number != string(c.PID) || !a.ValidFrom.Equal(c.PIDIssuedOn) || a.EventID != pop.events[k][0].ID {
					t.Fatalf("pid alias %+v, record %s issued %s", a, c.PID, c.PIDIssuedOn)
				}
			case registry.AliasLegacy:
				if _, err := pid.ParseLegacy(a.Number); err != nil || len(a.Number) != 9 {
					t.Fatalf("legacy number %q: %v", a.Number, err)
				}
				if !slices.ContainsFunc(c.LegacyIDs, func(l registry.LegacyID) bool { return l.Number == a.Number && l.IssuedOn.Equal(a.ValidFrom) }) {
					t.Fatalf("legacy alias %+v not in the record %+v", a, c.LegacyIDs)
				}
			default:
				t.Fatalf("alias kind %s", a.Kind)
			}
		}
		if pids != 1 || len(lp.Aliases) != 1+len(c.LegacyIDs) {
			t.Fatalf("person %d: aliases %+v", k, lp.Aliases)
		}
		if _, err := pid.Parse(string(c.PID)); err != nil {
			t.Fatal(err)
		}
		err := pid.Validate(c.PID, svc.ExpectedPID(c))
		var ve *pid.ValidationError
		switch part, isBad := bad[string(c.PID)]; {
		case !isBad && err != nil:
			t.Fatalf("person %d (registered %s, born %s, issued %s): %v", k, c.RegistrationPlace, c.BirthDate, c.PIDIssuedOn, err)
		case isBad && (!errors.As(err, &ve) || len(ve.Mismatches) != 1 || ve.Mismatches[0].Part != part):
			t.Fatalf("person %d: number %s reported with bad %s, validation says %v", k, c.PID, part, err)
		}
	}
}

// checkName is the registry's rule for a name: letters, combining marks,
// spaces, apostrophes and hyphens.
func checkName(s string) bool {
	if s == "" || s != strings.Join(strings.Fields(s), " ") {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && r != ' ' && r != '\'' && r != '-' {
			return false
		}
	}
	return true
}

func TestNames(t *testing.T) {
	pop := shared(t)
	dups := map[string]bool{}
	for _, r := range pop.truth {
		if r.Kind == TruthDuplicate {
			dups[r.PID] = true
		}
	}
	for _, c := range pop.records {
		if vntext.NFC(c.FullName) != c.FullName || !checkName(c.FullName) {
			t.Fatalf("name %q is not NFC or not a valid name", c.FullName)
		}
		// Originals use the canonical tone placement; a typo may not.
		if !dups[string(c.PID)] && vntext.Canonical(c.FullName) != c.FullName {
			t.Fatalf("name %q is not canonical: %q", c.FullName, vntext.Canonical(c.FullName))
		}
	}
}

func TestNameTables(t *testing.T) {
	check := func(list string, names []string) {
		seen := map[string]bool{}
		for _, n := range names {
			if seen[n] {
				t.Errorf("%s: %q twice", list, n)
			}
			seen[n] = true
			if vntext.Canonical(n) != n || !checkName(strings.ReplaceAll(n, "'", "")) {
				t.Errorf("%s: %q is not canonical NFC (%q)", list, n, vntext.Canonical(n))
			}
		}
	}
	ws := func(l []wname) (out []string) {
		for _, n := range l {
			out = append(out, n.s)
		}
		return
	}
	ps := func(l []pw) (out []string) {
		for _, n := range l {
			out = append(out, n.s)
		}
		return
	}
	check("male given", ws(maleGiven))
	check("female given", ws(femaleGiven))
	check("male middle", ws(maleMiddles))
	check("female middle", ws(femaleMiddles))
	for g, l := range groupSurnames {
		check("surnames "+string(rune('A'+g)), ps(l))
	}
	for _, l := range [][]pw{mongMaleGiven, mongFemaleGiven, khmerMaleGiven, khmerFemGiven, edeMaleGiven, edeFemaleGiven, aMaleGiven, aFemaleGiven, khoMaleGiven, khoFemaleGiven} {
		check("minority given", ps(l))
	}
	if len(maleGiven) < 140 || len(femaleGiven) < 140 {
		t.Errorf("%d male and %d female given names; want about 150 each", len(maleGiven), len(femaleGiven))
	}
	if len(kinhSurnames) < 45 {
		t.Errorf("%d Kinh surnames", len(kinhSurnames))
	}
	for code, s := range ethnicityByProvince {
		var sum uint32
		for _, x := range s {
			sum += x.pm
		}
		if sum >= 1000 {
			t.Errorf("province %s: minorities sum to %d per mille", code, sum)
		}
	}
	for _, s := range streets {
		check("streets", []string{s})
	}
}

// TestPlaces checks that every place code is a commune in force on the
// date it is used, as the registry requires.
func TestPlaces(t *testing.T) {
	pop := shared(t)
	cat := place.Default()
	commune := func(what, code string, on civil.Date) {
		t.Helper()
		u, err := cat.Lookup(code, on)
		if err != nil || u.Level != place.LevelCommune {
			t.Fatalf("%s %q on %s: %v %v", what, code, on, u, err)
		}
	}
	today := testToday
	for _, b := range pop.batches {
		for _, h := range b.Households {
			commune("household place", h.Place, h.Created)
		}
		for _, e := range b.Events {
			d := e.Data
			switch e.Type {
			case registry.EventBirth:
				commune("birth place", d.BirthPlace, d.BirthDate.First())
				commune("registration place", d.RegistrationPlace, d.BirthDate.First())
				if d.HomeTown != "" {
					if _, err := cat.Lookup(d.HomeTown, d.BirthDate.First()); err != nil {
						if _, err := cat.Lookup(d.HomeTown, today); err != nil {
							t.Fatalf("home town %s of a birth on %s: %v", d.HomeTown, d.BirthDate, err)
						}
					}
				}
				if d.Nationality != "VN" || (d.Sex != registry.Male && d.Sex != registry.Female) {
					t.Fatalf("birth %+v", d)
				}
			case registry.EventPermanentResidence, registry.EventTemporaryResidence, registry.EventCurrentResidence:
				commune("residence", d.Place, e.Effective)
				if d.Address == "" {
					t.Fatalf("residence without address: %+v", d)
				}
			}
			if e.Type == registry.EventTemporaryResidence && (!d.Until.After(e.Effective) || d.Until.After(e.Effective.AddYears(2))) {
				t.Fatalf("temporary residence from %s until %s", e.Effective, d.Until)
			}
			if e.Type == registry.EventPhoneNumber {
				if n, ok := registry.NormalisePhone(d.Phone); !ok || n != d.Phone {
					t.Fatalf("phone %q", d.Phone)
				}
			}
		}
	}
}

// TestMergerMoves checks that the 2025 reform shows in the data: people
// registered in an old commune who moved after 1 July 2025, and numbers
// issued with the place codes of both province lists.
func TestMergerMoves(t *testing.T) {
	pop := shared(t)
	reform := place.ReformDate
	moved, oldCodes, newCodes, bornAfter := 0, 0, 0, 0
	for _, c := range pop.records {
		var before, after bool
		for _, r := range c.Residences {
			if r.Kind != registry.Permanent {
				continue
			}
			if r.From.Before(reform) {
				before = true
			} else if before && r.Relation == registry.RelationHead {
				after = true
			}
		}
		if before && after {
			moved++
		}
		if c.PIDIssuedOn.Before(reform) {
			oldCodes++
		} else {
			newCodes++
		}
		if !c.BirthDate.Before(reform) {
			bornAfter++
		}
	}
	if moved < 20 || oldCodes < 1000 || newCodes < 100 || bornAfter < 50 {
		t.Fatalf("moved across the reform %d, numbers issued before %d and after %d, born after %d", moved, oldCodes, newCodes, bornAfter)
	}
}

// TestFamilies checks what the registry checks outside the fold: parents
// fit their children, spouses are of different sex and not close kin.
func TestFamilies(t *testing.T) {
	pop := shared(t)
	children := 0
	for _, c := range pop.records {
		for _, p := range []struct {
			key registry.PersonKey
			sex registry.Sex
		}{{c.Mother, registry.Female}, {c.Father, registry.Male}} {
			if p.key == 0 {
				continue
			}
			children++
			pc := pop.records[p.key]
			if pc.Sex != p.sex || !pc.BirthDate.Before(c.BirthDate) {
				t.Fatalf("parent %s born %s of child born %s", pc.Sex, pc.BirthDate, c.BirthDate)
			}
			if pc.Status == registry.Dead {
				limit := pc.DeathDate
				if p.sex == registry.Male {
					limit = limit.AddDays(300)
				}
				if limit.Before(c.BirthDate) {
					t.Fatalf("parent died %s before the birth on %s", pc.DeathDate, c.BirthDate)
				}
			}
		}
		for _, m := range c.Marriages {
			sp := pop.records[m.Spouse]
			if sp.Sex == c.Sex {
				t.Fatalf("same-sex marriage %d–%d", c.Key, m.Spouse)
			}
			if c.Mother == sp.Key || c.Father == sp.Key || (c.Mother != 0 && c.Mother == sp.Mother) || (c.Father != 0 && c.Father == sp.Father) {
				t.Fatalf("marriage between relatives %d–%d", c.Key, m.Spouse)
			}
		}
	}
	if children < 5000 {
		t.Fatalf("only %d parent links", children)
	}
}

// census sums up the living population on Today.
type census struct {
	alive, dead                  int
	ages                         []int
	males, females               int
	recentM, recentF, oldM, oldF int
	households                   map[string]int
	surnames                     map[string]int
	kinh, religious              int
	yearOnly                     int
	adults, adultPhones          int
}

func (pop *population) demography() *census {
	s := &census{households: map[string]int{}, surnames: map[string]int{}}
	for _, c := range pop.records {
		if c.Status == registry.Dead {
			s.dead++
			continue
		}
		s.alive++
		age := c.BirthDate.AgeOn(testToday)
		s.ages = append(s.ages, age)
		m := c.Sex == registry.Male
		count := func(m bool, a, b *int) {
			if m {
				*a++
			} else {
				*b++
			}
		}
		count(m, &s.males, &s.females)
		if c.BirthDate.Year() >= 2010 {
			count(m, &s.recentM, &s.recentF)
		}
		if age >= 75 {
			count(m, &s.oldM, &s.oldF)
		}
		if r, ok := c.Residence(registry.Permanent, testToday); ok && r.HouseholdID != "" {
			s.households[r.HouseholdID]++
		}
		s.surnames[strings.Fields(c.FullName)[0]]++
		if c.Ethnicity == "01" {
			s.kinh++
		}
		if c.Religion != "00" && c.Religion != "" {
			s.religious++
		}
		if c.BirthDate.Precision() == civil.PrecisionYear {
			s.yearOnly++
		}
		if age >= 18 && age < 60 {
			s.adults++
			if len(c.Phones) > 0 {
				s.adultPhones++
			}
		}
	}
	slices.Sort(s.ages)
	return s
}

func between(t *testing.T, what string, v, lo, hi float64) {
	t.Helper()
	if v < lo || v > hi || math.IsNaN(v) {
		t.Errorf("%s = %.3f, want %.3f–%.3f", what, v, lo, hi)
	}
}

func TestDemography(t *testing.T) {
	s := shared(t).demography()
	share := func(n int) float64 { return float64(n) / float64(s.alive) }
	between(t, "Nguyễn", share(s.surnames["Nguyễn"]), 0.31, 0.38)
	between(t, "Trần", share(s.surnames["Trần"]), 0.08, 0.13)
	between(t, "Lê", share(s.surnames["Lê"]), 0.07, 0.11)
	between(t, "Phạm", share(s.surnames["Phạm"]), 0.05, 0.08)
	between(t, "Hoàng+Huỳnh", share(s.surnames["Hoàng"]+s.surnames["Huỳnh"]), 0.04, 0.07)
	between(t, "Vũ+Võ", share(s.surnames["Vũ"]+s.surnames["Võ"]), 0.025, 0.05)
	if s.surnames["Huỳnh"] == 0 || s.surnames["Võ"] == 0 {
		t.Error("no southern spellings")
	}
	members := 0
	for _, n := range s.households {
		members += n
	}
	between(t, "mean household size", float64(members)/float64(len(s.households)), 3.2, 3.8)
	between(t, "median age", float64(s.ages[len(s.ages)/2]), 28, 36)
	between(t, "sex ratio", float64(s.males)/float64(s.females), 0.9, 1.05)
	between(t, "sex ratio of those born since 2010", float64(s.recentM)/float64(s.recentF), 1.02, 1.2)
	between(t, "sex ratio at 75 and over", float64(s.oldM)/float64(s.oldF), 0.45, 0.95)
	between(t, "aged 60 and over", share(len(s.ages)-below(s.ages, 60)), 0.10, 0.20)
	between(t, "under 15", share(below(s.ages, 15)), 0.17, 0.27)
	between(t, "dead", float64(s.dead)/float64(s.alive+s.dead), 0.01, 0.08)
	between(t, "Kinh", share(s.kinh), 0.80, 0.90)
	between(t, "religious", share(s.religious), 0.08, 0.22)
	between(t, "adults 18–59 with a phone", float64(s.adultPhones)/float64(s.adults), 0.8, 0.97)
	if s.yearOnly < 20 {
		t.Errorf("%d year-only birth dates", s.yearOnly)
	}
}

// below returns the number of ages below a.
func below(ages []int, a int) int {
	i, _ := slices.BinarySearch(ages, a)
	return i
}

func TestTruth(t *testing.T) {
	pop := shared(t)
	n := float64(len(pop.persons))
	kinds := map[string]int{}
	variants := map[string]int{}
	for _, r := range pop.truth {
		kinds[r.Kind]++
		k, ok := pop.byPID[r.PID]
		if !ok {
			t.Fatalf("truth row %+v names no emitted person", r)
		}
		c := pop.records[k]
		var o *registry.Citizen
		if r.Of != "" {
			ok, found := pop.byPID[r.Of]
			if !found || ok == k {
				t.Fatalf("truth row %+v: Of names no other emitted person", r)
			}
			o = pop.records[ok]
		}
		switch r.Kind {
		case TruthDuplicate:
			variants[r.Variant]++
			if o == nil || o.Key >= c.Key || o.Sex != c.Sex || pop.events[k][0].Data.Mother != 0 {
				t.Fatalf("duplicate %+v", r)
			}
			if !vntext.EqualFold(c.FullName, o.FullName) && r.Variant != "typo" && r.Variant != "swapped_order" && r.Variant != "missing_middle" {
				t.Fatalf("duplicate %+v: %q vs %q", r, c.FullName, o.FullName)
			}
			if c.BirthDate.Year() != o.BirthDate.Year() && r.Variant != "birth_date_off" {
				t.Fatalf("duplicate %+v: born %s vs %s", r, c.BirthDate, o.BirthDate)
			}
		case TruthTwin:
			if o == nil || !c.BirthDate.Equal(o.BirthDate) || c.Mother != o.Mother || c.Mother == 0 {
				t.Fatalf("twins %+v: %+v %+v", r, c, o)
			}
		case TruthNamesake:
			if o == nil || c.FullName != o.FullName || !c.BirthDate.Equal(o.BirthDate) || c.Sex != o.Sex {
				t.Fatalf("namesakes %+v: %q %s, %q %s", r, c.FullName, c.BirthDate, o.FullName, o.BirthDate)
			}
		case TruthMissingField:
			empty := map[string]bool{"ethnicity": c.Ethnicity == "", "religion": c.Religion == "", "home_town": c.HomeTown == "", "phone": len(c.Phones) == 0}
			if v, ok := empty[r.Field]; !ok || !v {
				t.Fatalf("missing field %+v not empty", r)
			}
		case TruthBadPIDDigits:
			// Checked in TestPersonalIDNumbers.
		case TruthStaleTemporary:
			stale := false
			for _, res := range c.Residences {
				stale = stale || (res.Kind == registry.Temporary && res.Ended.IsZero() && res.Until.Before(testToday))
			}
			if !stale {
				t.Fatalf("stale temporary residence %+v: %+v", r, c.Residences)
			}
		case TruthUnmarkedDeath:
			if c.Status != registry.Alive || c.BirthDate.AgeOn(testToday) <= 120 {
				t.Fatalf("unmarked death %+v: %s born %s", r, c.Status, c.BirthDate)
			}
		default:
			t.Fatalf("unknown truth kind %+v", r)
		}
	}
	rates := DefaultRates()
	rate := func(kind string, want, tol float64) {
		t.Helper()
		between(t, kind+" rate", float64(kinds[kind])/n, want*(1-tol), want*(1+tol))
	}
	rate(TruthDuplicate, rates.Duplicate, 0.3)
	rate(TruthMissingField, rates.MissingField, 0.2)
	rate(TruthBadPIDDigits, rates.BadPIDDigits, 0.5)
	rate(TruthStaleTemporary, rates.StaleTemporary*0.6, 0.6) // adults 18–60 only
	rate(TruthUnmarkedDeath, rates.UnmarkedDeath, 1)
	rate(TruthTwin, rates.Twin*0.4, 0.6) // per person: a pair per hundred births, some 0.4 births per person
	if kinds[TruthNamesake] == 0 || kinds[TruthUnmarkedDeath] == 0 {
		t.Errorf("truth kinds %v", kinds)
	}
	if len(variants) < 8 {
		t.Errorf("duplicate variants %v", variants)
	}
}

func TestUniqueNumbers(t *testing.T) {
	pop := shared(t)
	owner := map[string]int{} // phone -> batch
	for bi, b := range pop.batches {
		for _, e := range b.Events {
			if e.Type != registry.EventPhoneNumber {
				continue
			}
			if ob, ok := owner[e.Data.Phone]; ok && ob != bi && !isDuplicate(pop, e.Subject) {
				t.Fatalf("phone %s in batches %d and %d", e.Data.Phone, ob, bi)
			}
			owner[e.Data.Phone] = bi
		}
	}
}

func isDuplicate(pop *population, k registry.PersonKey) bool {
	p := string(pop.records[k].PID)
	return slices.ContainsFunc(pop.truth, func(r Truth) bool { return r.Kind == TruthDuplicate && r.PID == p })
}

func TestWriteTruth(t *testing.T) {
	rows := []Truth{{Kind: TruthDuplicate, PID: "001090000001", Of: "001090000002", Variant: "typo"}, {Kind: TruthMissingField, PID: "001090000003", Field: "religion"}}
	var buf bytes.Buffer
	if err := WriteTruth(&buf, rows); err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"duplicate","pid":"001090000001","of":"001090000002","variant":"typo"}` + "\n" +
		`{"kind":"missing_field","pid":"001090000003","field":"religion"}` + "\n"
	if buf.String() != want {
		t.Fatalf("got\n%s", buf.String())
	}
}

func TestTruthIsDrained(t *testing.T) {
	g, err := New(Config{Citizens: 3000, Seed: 3, Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for {
		if _, err := g.Next(); err != nil {
			break
		}
		total += len(g.Truth())
		if len(g.Truth()) != 0 {
			t.Fatal("Truth returned rows twice")
		}
	}
	if total == 0 {
		t.Fatal("no truth rows")
	}
}

func TestNewRejects(t *testing.T) {
	for _, cfg := range []Config{
		{Citizens: -1, Today: testToday},
		{Citizens: 1},
		{Citizens: 1, Today: civil.YearOnly(2026)},
		{Citizens: 1, Today: civil.MustParse("2020-01-01")},
		{Citizens: 1, Today: testToday, FirstKey: -5},
		{Citizens: 1, Today: civil.MustParse("2399-01-01")},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// TestOtherDays generates populations whose "today" falls before the
// reform, on its first day and far ahead, and checks they fold and their
// numbers validate.
func TestOtherDays(t *testing.T) {
	svc := &registry.Service{Places: place.Default()}
	for i, today := range []string{"2022-07-01", "2025-06-30", "2025-07-01", "2060-01-01"} {
		pop := generate(t, Config{Citizens: 8000, Seed: uint64(100 + i), Today: civil.MustParse(today)})
		pop.fold(t)
		bad := map[string]bool{}
		for _, r := range pop.truth {
			if r.Kind == TruthBadPIDDigits {
				bad[r.PID] = true
			}
		}
		for _, c := range pop.records {
			if err := pid.Validate(c.PID, svc.ExpectedPID(c)); (err != nil) != bad[string(c.PID)] {
				t.Fatalf("today %s: %s: %v", today, c.PID, err)
			}
		}
	}
}
