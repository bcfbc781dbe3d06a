package quality

import "math/bits"

// Summary is the quality of the records of a unit (a commune, a province,
// the country). Which records count (the dead? those whose only tie to the
// unit is their birth registration?) is the caller's choice; build a
// commune's summary with Add and a province's by merging its communes'.
type Summary struct {
	// Unit is the unit's code ("00004", "01"); empty for the country.
	Unit string `json:"unit"`
	// Persons is the number of records summarised.
	Persons int64 `json:"persons"`
	// Score is the mean score of those records; 0 when there are none.
	Score float64 `json:"score"`
	// ByRule counts, by rule code, the records the rule fired for.
	ByRule map[string]int64 `json:"by_rule"`
	// ByDimension counts, by dimension, the records at least one rule of
	// the dimension fired for.
	ByDimension map[Dimension]int64 `json:"by_dimension"`
}

// dimensionMasks holds DimensionMask of every dimension, in Dimensions'
// order.
var dimensionMasks = func() (m [4]uint64) {
	for i, d := range Dimensions {
		m[i] = DimensionMask(d)
	}
	return m
}()

// Add counts one record with the given flags (its score is ScoreOf(flags)).
func (s *Summary) Add(flags uint64) {
	s.init()
	s.Persons++
	// A running mean: exact enough over millions of records, and no sum to
	// overflow.
	s.Score += (float64(ScoreOf(flags)) - s.Score) / float64(s.Persons)
	flags &= ruleMask
	for f := flags; f != 0; f &= f - 1 {
		s.ByRule[ruleAt[bits.TrailingZeros64(f)].Code]++
	}
	for i, m := range dimensionMasks {
		if flags&m != 0 {
			s.ByDimension[Dimensions[i]]++
		}
	}
}

// Merge adds the records of o, a unit within s or beside it (communes into
// their province). s keeps its Unit.
func (s *Summary) Merge(o Summary) {
	s.init()
	if o.Persons == 0 {
		return
	}
	n := s.Persons + o.Persons
	s.Score = (s.Score*float64(s.Persons) + o.Score*float64(o.Persons)) / float64(n)
	s.Persons = n
	for k, v := range o.ByRule {
		s.ByRule[k] += v
	}
	for k, v := range o.ByDimension {
		s.ByDimension[k] += v
	}
}

func (s *Summary) init() {
	if s.ByRule == nil {
		s.ByRule = map[string]int64{}
	}
	if s.ByDimension == nil {
		s.ByDimension = map[Dimension]int64{}
	}
}
