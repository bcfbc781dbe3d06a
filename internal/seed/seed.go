package seed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"dancu/internal/civil"
	"dancu/internal/pid"
	"dancu/internal/place"
	"dancu/internal/registry"
)

// Config says what population to generate.
type Config struct {
	// Citizens is the number of persons to produce, exactly: duplicate
	// records and the dead are persons too.
	Citizens int
	// Seed selects the population: the same Seed and Config give
	// byte-identical output.
	Seed uint64
	// Today is the "now" of the population (a full date from 2022-07-01,
	// since the registry opened on 2021-07-01 and recent events need room,
	// to 2396-12-31). Nothing happens after it.
	Today civil.Date
	// FirstKey is the first person key; keys are FirstKey, FirstKey+1, … in
	// emission order. Zero means 1.
	FirstKey registry.PersonKey
	// Places is the administrative-unit catalogue; nil means place.Default().
	Places *place.Catalogue
	// Rates are the defect and feature rates; the zero value means
	// DefaultRates().
	Rates Rates
}

// Rates are the probabilities with which the generator injects defects and
// less common features. Each is reported, where it concerns a defect, by a
// Truth row of the kind named.
type Rates struct {
	// Duplicate is the share of persons who get a second record (kind
	// "duplicate"): a separate person with its own number and its own birth
	// registration, spelled or dated a little differently, usually emitted
	// some batches later. Duplicates are persons too, so of Citizens
	// persons about Citizens×Duplicate/(1+Duplicate) are duplicates.
	Duplicate float64
	// MissingField is the share of persons with one field left empty that
	// the registry would normally hold (kind "missing_field"): ethnicity,
	// religion, home town, or an adult's phone number. Only the gaps of
	// people alive at the end are reported: the completeness rules judge
	// the records of the living.
	MissingField float64
	// BadPIDDigits is the share of persons whose personal ID number
	// disagrees with their record in the century/sex digit or the birth
	// year digits (kind "bad_pid_digits"), as numbers issued from wrongly
	// keyed paper records do.
	BadPIDDigits float64
	// YearOnlyBirth is the share of persons born before 1950 whose birth
	// date is known only to the year (civil.YearOnly); a fifth of it applies
	// to those born 1950–1974, none after. Not a defect: no Truth row.
	YearOnlyBirth float64
	// LegacyID is the share of persons aged 14 or more on 2021-07-01 who
	// hold a 9-digit identity card number (CMND), recorded as a legacy_id
	// event and a legacy alias. Not a defect.
	LegacyID float64
	// StaleTemporary is the share of adults aged 18–60 who hold a
	// temporary residence whose end date passed with no renewal or
	// deregistration (kind "stale_temporary_residence"), registered after
	// every other residence of theirs. Such a person is never made to die,
	// since a death would end the residence.
	StaleTemporary float64
	// UnmarkedDeath is the share of persons who are over 120 and still
	// recorded alive (kind "unmarked_death").
	UnmarkedDeath float64
	// Twin is the share of births that are twins (kind "twin" per pair: a
	// hard negative for duplicate detection).
	Twin float64
	// Namesake is the chance that an adult joining a family shares full
	// name, sex and birth date with an unrelated earlier person (kind
	// "namesake": another hard negative). It is an upper bound: it applies
	// only when a recent person of fitting sex and age is at hand.
	Namesake float64
}

// DefaultRates returns the rates a seeded population uses unless told
// otherwise. They are of the order public reports give for national
// registries being cleaned (a few percent of records with gaps, around
// one percent duplicated), chosen so that a 20,000-person population
// already holds every kind of defect.
func DefaultRates() Rates {
	return Rates{
		Duplicate:      0.01,   // 1 in 100 persons has a second record
		MissingField:   0.02,   // 2% have one field missing
		BadPIDDigits:   0.002,  // 2 in 1,000 numbers disagree with the record
		YearOnlyBirth:  0.30,   // 30% of those born before 1950, 6% of 1950–1974
		LegacyID:       0.70,   // 70% of those old enough kept a CMND number
		StaleTemporary: 0.005,  // 0.5% of adults hold an expired temporary residence
		UnmarkedDeath:  0.0003, // 3 in 10,000 are over 120 and not marked dead
		Twin:           0.01,   // 1% of births are twin births
		Namesake:       0.003,  // 0.3% of adults share name and birth date with a stranger
	}
}

// Truth is one fact about the generated data that a checker should find: a
// defect, or a hard negative (twins, namesakes) it should not mistake for
// one. PID and Of are personal ID numbers of emitted persons:
//
//   - duplicate: PID is the second record, Of the original (emitted
//     earlier), Variant how they differ: no_diacritics, swapped_order
//     (given name first), typo (in the given name), missing_middle,
//     different_legacy (another CMND number), swapped_day_month,
//     birth_date_off (by one to three days), year_only, or exact.
//   - missing_field: Field is ethnicity, religion, home_town or phone.
//   - bad_pid_digits: Detail is the part that disagrees, century_sex or
//     birth_year.
//   - stale_temporary_residence: PID holds an expired temporary residence.
//   - unmarked_death: Detail is the recorded birth date.
//   - twin, namesake: PID and Of are two different people.
type Truth struct {
	Kind    string `json:"kind"`
	PID     string `json:"pid"`
	Of      string `json:"of,omitempty"`
	Variant string `json:"variant,omitempty"`
	Field   string `json:"field,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// Truth kinds.
const (
	TruthDuplicate      = "duplicate"
	TruthMissingField   = "missing_field"
	TruthBadPIDDigits   = "bad_pid_digits"
	TruthStaleTemporary = "stale_temporary_residence"
	TruthUnmarkedDeath  = "unmarked_death"
	TruthTwin           = "twin"
	TruthNamesake       = "namesake"
)

// WriteTruth writes truth rows as JSON lines.
func WriteTruth(w io.Writer, rows []Truth) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range rows {
		if err := enc.Encode(&rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// Generator produces a population batch by batch. It is not safe for
// concurrent use; run several generators with different FirstKey ranges
// and seeds to generate in parallel (numbers are unique within one
// generator only).
type Generator struct {
	cfg   Config
	rates Rates
	r     rng
	pl    *places
	nm    *names
	dm    *demography

	today, founding, reform, minBorn, deathFrom day
	todayEnd                                    int64 // last microsecond of Today

	nextKey registry.PersonKey
	emitted int
	batchNo uint64

	keyMix    uint64 // seed-derived permutation key
	evCount   uint64
	hhCount   uint64
	phoneCtr  uint64
	pidCtr    []uint32 // by place code × century/sex digit × year digits
	legacyCtr [100]uint32
	pidPerm   perm
	hhPerm    perm
	legPerm   perm
	phonePerm perm

	truth   []Truth
	pending []*profile // duplicates waiting to be emitted
	ring    []profile  // recent persons, for namesakes
	ringN   int

	buf []byte
	b   bstate
}

// founded is the day the national population database opened: events
// before it were migrated, not recorded as they happened.
var founded = dayOf(2021, 7, 1)

// New returns a generator for cfg.
func New(cfg Config) (*Generator, error) {
	if cfg.Citizens < 0 {
		return nil, errors.New("seed: Citizens must not be negative")
	}
	if cfg.Today.IsZero() || cfg.Today.Precision() != civil.PrecisionDay {
		return nil, errors.New("seed: Today must be a full date")
	}
	today := fromCivil(cfg.Today)
	// Until the last years civil.Date can hold, leaving room for two-year
	// temporary residences.
	if today < dayOf(2022, 7, 1) || cfg.Today.Year() > civil.MaxYear-3 {
		return nil, fmt.Errorf("seed: Today %s is outside 2022-07-01..%d-12-31", cfg.Today, civil.MaxYear-3)
	}
	if cfg.FirstKey == 0 {
		cfg.FirstKey = 1
	}
	if cfg.FirstKey < 0 {
		return nil, errors.New("seed: FirstKey must be positive")
	}
	if cfg.Places == nil {
		cfg.Places = place.Default()
	}
	if cfg.Rates == (Rates{}) {
		cfg.Rates = DefaultRates()
	}
	pl, err := buildPlaces(cfg.Places)
	if err != nil {
		return nil, err
	}
	g := &Generator{
		cfg: cfg, rates: cfg.Rates, r: newRNG(cfg.Seed, 1), pl: pl, nm: buildNames(), dm: buildDemography(pl),
		today: today, founding: founded, reform: pl.reform, minBorn: dayOf(pid.FirstYear, 1, 1),
		deathFrom: founded,
		nextKey:   cfg.FirstKey,
		keyMix:    mix64(cfg.Seed ^ 0x5eed5eed5eed5eed),
		pidCtr:    make([]uint32, 1000*10*100),
		pidPerm:   newPerm(pid.MaxSerial), hhPerm: newPerm(1_000_000_000_000),
		legPerm: newPerm(10_000_000), phonePerm: newPerm(uint64(len(phonePrefixes)) * 10_000_000),
		ring: make([]profile, 512),
	}
	g.todayEnd = instant(today+1) - 1
	return g, nil
}

// Next returns the next batch, or io.EOF when Citizens persons were
// emitted. Each batch is newly allocated and belongs to the caller.
func (g *Generator) Next() (*registry.LoadBatch, error) {
	if g.emitted >= g.cfg.Citizens {
		return nil, io.EOF
	}
	g.batchNo++
	free := g.cfg.Citizens - g.emitted - len(g.pending)
	b := g.begin(free)
	if free > 0 {
		g.family(b)
	}
	g.duplicates(b, free == 0)
	out, err := g.finish(b)
	if err != nil {
		return nil, err
	}
	g.emitted += len(out.Persons)
	return out, nil
}

// Truth returns the truth rows for what Next emitted since the last call.
func (g *Generator) Truth() []Truth {
	t := g.truth
	g.truth = nil
	return t
}

// ErrExhausted is returned when a place, sex and birth year ran out of
// personal ID serials (a million per combination: far beyond any real
// population).
var ErrExhausted = errors.New("seed: personal ID serials exhausted")
