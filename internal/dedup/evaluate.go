package dedup

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Labels of a LabelledPair.
const (
	LabelDuplicate = "duplicate"
	LabelDistinct  = "distinct"
)

// LabelledPair is a pair of records with a person's verdict, one line of
// testdata/dup-pairs.jsonl.
type LabelledPair struct {
	ID    string `json:"id"`
	Label string `json:"label"` // LabelDuplicate or LabelDistinct
	// Kind names how the pair arose ("no_diacritics", "twins", ...); Note
	// says why the label is what it is.
	Kind string `json:"kind,omitempty"`
	Note string `json:"note,omitempty"`
	A    Record `json:"a"`
	B    Record `json:"b"`
}

// Misclassified is a labelled pair the scorer got wrong, with its candidate.
type Misclassified struct {
	Pair      LabelledPair
	Candidate Candidate
}

// Confusion counts the verdicts of Compare against the labels.
type Confusion struct {
	TruePositives, FalsePositives, TrueNegatives, FalseNegatives int
	// Errors lists the false positives and false negatives, in input order.
	Errors []Misclassified
}

// Evaluate classifies every pair with Compare (Duplicate = Score >=
// Threshold) and returns the precision and recall of the duplicates. With
// no pair classified a duplicate the precision is 1; with no pair labelled
// a duplicate the recall is 1.
func Evaluate(labels []LabelledPair) (precision, recall float64, c Confusion) {
	for _, p := range labels {
		cand := Compare(&p.A, &p.B)
		want := p.Label == LabelDuplicate
		switch {
		case want && cand.Duplicate:
			c.TruePositives++
		case want:
			c.FalseNegatives++
			c.Errors = append(c.Errors, Misclassified{p, cand})
		case cand.Duplicate:
			c.FalsePositives++
			c.Errors = append(c.Errors, Misclassified{p, cand})
		default:
			c.TrueNegatives++
		}
	}
	precision, recall = 1, 1
	if n := c.TruePositives + c.FalsePositives; n > 0 {
		precision = float64(c.TruePositives) / float64(n)
	}
	if n := c.TruePositives + c.FalseNegatives; n > 0 {
		recall = float64(c.TruePositives) / float64(n)
	}
	return precision, recall, c
}

// ReadLabelled reads labelled pairs, one JSON object a line (blank lines
// and lines starting with # are skipped). Unknown fields and labels other
// than LabelDuplicate and LabelDistinct are errors.
func ReadLabelled(r io.Reader) ([]LabelledPair, error) {
	var out []LabelledPair
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		var p LabelledPair
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if p.Label != LabelDuplicate && p.Label != LabelDistinct {
			return nil, fmt.Errorf("line %d: label %q is neither %q nor %q", line, p.Label, LabelDuplicate, LabelDistinct)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
