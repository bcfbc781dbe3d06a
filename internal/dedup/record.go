package dedup

import (
	"math"

	"dancu/internal/civil"
)

// Record is what the detector knows of a person. Codes and names are as the
// registry holds them; the detector folds and resolves them itself.
type Record struct {
	// Key is the person's internal key (registry.PersonKey); 0 when the
	// record does not come from the registry (an import to be checked).
	Key int64 `json:"key,omitempty"`
	// PID is the personal ID number, only carried through to the candidate.
	PID      string `json:"pid,omitempty"`
	FullName string `json:"full_name"`
	// BirthDate may be year-only or year-month.
	BirthDate civil.Date `json:"birth_date"`
	// Sex is "male", "female" or empty when unknown.
	Sex string `json:"sex,omitempty"`
	// BirthPlace is the commune code of the birth place or of the birth
	// registration, old (before the 2025 reform) or current.
	BirthPlace string `json:"birth_place,omitempty"`
	// Province is the 2-digit code of the current province of residence
	// (post-2025 list).
	Province string `json:"province,omitempty"`
	// Commune is the commune code of the current residence.
	Commune    string `json:"commune,omitempty"`
	MotherName string `json:"mother_name,omitempty"`
	FatherName string `json:"father_name,omitempty"`
	// MotherKey and FatherKey are the parents' internal keys when the
	// registry links them; 0 otherwise.
	MotherKey int64 `json:"mother_key,omitempty"`
	FatherKey int64 `json:"father_key,omitempty"`
	// LegacyIDs are old identity-card numbers (CMND), 9 or 12 digits.
	LegacyIDs []string `json:"legacy_ids,omitempty"`
	// HomeTown is the commune code of the home town (quê quán), old or
	// current, as BirthPlace.
	HomeTown string `json:"home_town,omitempty"`
	// Addresses are the addresses of the residences in force (permanent,
	// temporary and current), each with its commune.
	Addresses []Address `json:"addresses,omitempty"`
	// Phones are the mobile numbers the registry holds for the person.
	Phones []string `json:"phones,omitempty"`
	Dead   bool     `json:"dead,omitempty"`
}

// Address is where a person lives: the text below the commune (house
// number, lane, street, hamlet) and the commune's code.
type Address struct {
	Place string `json:"place"`
	Text  string `json:"text"`
}

// Ref identifies a record in a Candidate.
type Ref struct {
	Key int64  `json:"key,omitempty"`
	PID string `json:"pid,omitempty"`
}

func refOf(r *Record) Ref { return Ref{Key: r.Key, PID: r.PID} }

// Reason is one piece of evidence about a pair. Weight is its contribution
// to the log-odds that the records are the same person: positive for
// evidence of a duplicate, negative against. Code is stable and meant for
// programs and message catalogues; Detail is for people (it quotes the
// values compared).
type Reason struct {
	Code   string  `json:"code"`
	Detail string  `json:"detail"`
	Weight float64 `json:"weight"`
}

// Candidate is a scored pair. A and B are in the order given to Compare (or,
// from a Finder, in the order the records were added).
type Candidate struct {
	A Ref `json:"a"`
	B Ref `json:"b"`
	// Score is the estimated probability, in [0,1], that A and B are the
	// same person: logistic(Base + Σ Reasons[i].Weight).
	Score float64 `json:"score"`
	// Duplicate reports whether Score >= Threshold.
	Duplicate bool     `json:"duplicate"`
	Reasons   []Reason `json:"reasons"`
}

const (
	// Threshold is the least score of a Duplicate.
	Threshold = 0.90
	// ReviewThreshold is the least score a Finder emits: below Threshold,
	// such a pair is shown to officers as borderline.
	ReviewThreshold = 0.40
	// Base is the log-odds of a pair before any evidence: that of two
	// records with the same, very common, name and birth year being one
	// person. The name's rarity is the first Reason of every pair.
	Base = -14.0
)

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func logit(p float64) float64 { return math.Log(p / (1 - p)) }
