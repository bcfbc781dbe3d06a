package quality

import (
	"context"
	"slices"

	"dancu/internal/civil"
	"dancu/internal/place"
	"dancu/internal/registry"
)

// A report sums the marks stored with each record when it was saved, in
// the database, rather than re-assessing millions of records. Two things
// the stored marks cannot know are added on top: duplicate suspicions (kept
// with the candidate pairs, since a later save of a record would drop a
// flag set from outside), and time-dependent rules that have begun to fire
// since the save (only records whose AliveFrom has come are re-assessed).

// Store is what a report reads.
type Store interface {
	// QualityCounts sums the stored marks of the records attached to each
	// of units, one Counts per unit with records; nil units means the whole
	// registry, as one Counts.
	QualityCounts(ctx context.Context, units []string, q CountQuery) ([]Counts, error)
	// DueRecords calls fn for each record attached to one of units (the
	// whole registry when nil) whose AliveFrom is on or before day, once
	// per unit it is attached to.
	DueRecords(ctx context.Context, units []string, day string, fn func(unit string, s Stored) error) error
	// WorstRecords returns the records attached to unit with the lowest
	// stored scores.
	WorstRecords(ctx context.Context, unit, day string, limit int) ([]Stored, error)
}

// CountQuery says what to count.
type CountQuery struct {
	Day string
	// Masks are counted: the records with any of a mask's flags set.
	Masks []uint64
	// DuplicateIn[i] makes a duplicate suspicion count for Masks[i].
	DuplicateIn     []bool
	DuplicateWeight int
}

// Counts are the sums for one unit.
type Counts struct {
	Unit       string
	Persons    int64
	ScoreSum   int64 // with duplicate suspicions taken off
	Duplicates int64
	Masked     []int64
}

// Stored is a record with its stored mark.
type Stored struct {
	Citizen   *registry.Citizen
	Flags     uint64
	Score     int
	Duplicate bool
}

// Report is the quality of a unit's records.
type Report struct {
	Unit     string     `json:"unit"` // "VN" for the country
	UnitName string     `json:"unit_name"`
	Day      civil.Date `json:"day"`
	Summary  Summary    `json:"summary"`
	// Units are the provinces of the country or the communes of a
	// province, worst score first.
	Units []UnitSummary `json:"units,omitempty"`
	// Worst are the records most in need of an officer.
	Worst []Worst `json:"worst,omitempty"`
}

// UnitSummary is a Summary with the unit's name.
type UnitSummary struct {
	Summary
	Name string `json:"name"`
}

// Worst is a record to fix and what is wrong with it.
type Worst struct {
	Key      registry.PersonKey `json:"-"`
	PID      string             `json:"pid"`
	FullName string             `json:"full_name"`
	Score    int                `json:"score"`
	Findings []Finding          `json:"findings"`
}

// Reporter builds reports.
type Reporter struct {
	Store   Store
	Checker *Checker
	Places  *place.Catalogue
}

// counting lists every rule's flag, then every dimension's mask.
func counting(day civil.Date) CountQuery {
	q := CountQuery{Day: day.String(), DuplicateWeight: Rules[ruleIndex(bitDuplicateSuspected)].Weight}
	for _, r := range Rules {
		q.Masks = append(q.Masks, 1<<r.Bit)
		q.DuplicateIn = append(q.DuplicateIn, r.Bit == bitDuplicateSuspected)
	}
	for _, d := range Dimensions {
		q.Masks = append(q.Masks, DimensionMask(d))
		q.DuplicateIn = append(q.DuplicateIn, d == Clean)
	}
	return q
}

func ruleIndex(bit uint) int {
	return slices.IndexFunc(Rules, func(r Rule) bool { return r.Bit == bit })
}

// summarise turns database sums into Summaries, one per unit with
// records (units nil: the whole registry), re-assessing the records time
// has overtaken.
func (rp *Reporter) summarise(ctx context.Context, units []string, day civil.Date) (map[string]Summary, error) {
	q := counting(day)
	counts, err := rp.Store.QualityCounts(ctx, units, q)
	if err != nil {
		return nil, err
	}
	byUnit := make(map[string]*Counts, len(counts))
	for i := range counts {
		byUnit[counts[i].Unit] = &counts[i]
	}
	err = rp.Store.DueRecords(ctx, units, day.String(), func(unit string, s Stored) error {
		c := byUnit[unit]
		if c == nil {
			return nil
		}
		now := rp.Checker.Assess(s.Citizen, day).Flags | s.Flags&ExternalMask
		c.ScoreSum += int64(ScoreOf(now) - ScoreOf(s.Flags))
		for i, m := range q.Masks {
			if s.Flags&m != 0 {
				c.Masked[i]--
			}
			if now&m != 0 {
				c.Masked[i]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Summary, len(counts))
	for _, c := range counts {
		s := Summary{Unit: c.Unit, Persons: c.Persons, ByRule: map[string]int64{}, ByDimension: map[Dimension]int64{}}
		if c.Persons > 0 {
			s.Score = float64(c.ScoreSum) / float64(c.Persons)
		}
		for i, r := range Rules {
			if c.Masked[i] > 0 {
				s.ByRule[r.Code] = c.Masked[i]
			}
		}
		for i, d := range Dimensions {
			s.ByDimension[d] = c.Masked[len(Rules)+i]
		}
		out[c.Unit] = s
	}
	return out, nil
}

// Report builds the report of a unit: "VN" (or empty) for the country with
// its provinces, a province with its communes, or a commune; worst is how
// many records to list for fixing.
func (rp *Reporter) Report(ctx context.Context, unit string, day civil.Date, worst int, lang string) (*Report, error) {
	if unit == "VN" {
		unit = ""
	}
	rep := &Report{Unit: unit, Day: day}
	var children []place.Unit
	switch {
	case unit == "":
		rep.Unit, rep.UnitName = "VN", "Việt Nam"
		children = rp.Places.Provinces(day)
	default:
		u, err := rp.Places.Lookup(unit, day)
		if err != nil {
			return nil, err
		}
		rep.UnitName = u.Name
		if u.Level == place.LevelProvince {
			children = rp.Places.Communes(unit, day)
		}
	}
	var self []string // nil: the whole registry
	if unit != "" {
		self = []string{unit}
	}
	top, err := rp.summarise(ctx, self, day)
	if err != nil {
		return nil, err
	}
	rep.Summary = top[unit]
	rep.Summary.Unit = rep.Unit
	if rep.Summary.ByRule == nil {
		rep.Summary.ByRule, rep.Summary.ByDimension = map[string]int64{}, map[Dimension]int64{}
	}
	codes := make([]string, len(children))
	for i, ch := range children {
		codes[i] = ch.Code
	}
	if len(codes) > 0 {
		sums, err := rp.summarise(ctx, codes, day)
		if err != nil {
			return nil, err
		}
		for _, ch := range children {
			if s, ok := sums[ch.Code]; ok && s.Persons > 0 {
				rep.Units = append(rep.Units, UnitSummary{Summary: s, Name: ch.Name})
			}
		}
	}
	slices.SortStableFunc(rep.Units, func(a, b UnitSummary) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return 0
	})
	if worst > 0 {
		recs, err := rp.Store.WorstRecords(ctx, unit, day.String(), worst)
		if err != nil {
			return nil, err
		}
		k := *rp.Checker
		k.Lang = lang
		for _, s := range recs {
			a := k.Assess(s.Citizen, day)
			flags := a.Flags | s.Flags&ExternalMask
			fs := a.Findings
			if s.Duplicate {
				flags |= FlagDuplicateSuspected
				fs = append(fs, Describe(FlagDuplicateSuspected, lang)...)
			}
			if fs == nil {
				fs = []Finding{}
			}
			rep.Worst = append(rep.Worst, Worst{Key: s.Citizen.Key, PID: string(s.Citizen.PID), FullName: s.Citizen.FullName, Score: ScoreOf(flags), Findings: fs})
		}
		slices.SortStableFunc(rep.Worst, func(a, b Worst) int { return a.Score - b.Score })
	}
	return rep, nil
}

// Mark is Assess as the registry stores it: give it to
// registry.Service.Assess so every saved record carries its mark.
func (k *Checker) Mark(c *registry.Citizen, today civil.Date) registry.QualityMark {
	a := k.Assess(c, today)
	return registry.QualityMark{Flags: a.Flags, Score: a.Score, AliveFrom: a.AliveFrom}
}
