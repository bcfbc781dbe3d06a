package dedup

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// labelledFile is the hand-labelled pairs at the repository root.
var labelledFile = filepath.Join("..", "..", "testdata", "dup-pairs.jsonl")

func loadLabelled(tb testing.TB) []LabelledPair {
	tb.Helper()
	f, err := os.Open(labelledFile)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	pairs, err := ReadLabelled(f)
	if err != nil {
		tb.Fatalf("%s: %v", labelledFile, err)
	}
	return pairs
}

// Precision and recall the scorer must reach on the whole labelled file.
// The held-out third is smaller (about 65 duplicates: one error moves
// precision or recall by 1.5 points) and its figures are reported by the
// test; it must only stay above a floor that catches a regression.
const (
	minPrecision        = 0.99
	minRecall           = 0.95
	minHeldOutPrecision = 0.95
	minHeldOutRecall    = 0.90
)

// heldOut reports whether the i-th labelled pair (from 0) belongs to the
// held-out third: every third pair, which took no part in setting the
// weights (the weights were set looking only at the errors of the other
// pairs, the "tuning" split).
func heldOut(i int) bool { return i%3 == 2 }

func TestLabelledFile(t *testing.T) {
	pairs := loadLabelled(t)
	ids := map[string]bool{}
	kinds := map[string]int{}
	dups, twins := 0, 0
	for _, p := range pairs {
		if ids[p.ID] {
			t.Errorf("%s: duplicate id", p.ID)
		}
		ids[p.ID] = true
		if p.A.FullName == "" || p.B.FullName == "" || p.A.BirthDate.IsZero() || p.B.BirthDate.IsZero() {
			t.Errorf("%s: name or birth date missing", p.ID)
		}
		kinds[p.Label+"/"+p.Kind]++
		if p.Label == LabelDuplicate {
			dups++
		} else if strings.HasPrefix(p.Kind, "twins") || p.Kind == "siblings" {
			twins++
		}
	}
	if len(pairs) < 320 || dups < 120 || len(pairs)-dups < 120 || twins < 40 {
		t.Errorf("%d pairs, %d duplicates, %d distinct, %d twins or siblings; want at least 320, 120, 120, 40",
			len(pairs), dups, len(pairs)-dups, twins)
	}
	t.Logf("%d pairs: %d duplicates, %d distinct (%d twins or siblings)", len(pairs), dups, len(pairs)-dups, twins)
}

func TestLabelledPairs(t *testing.T) {
	pairs := loadLabelled(t)
	split := func(keep func(i int) bool) []LabelledPair {
		var out []LabelledPair
		for i, p := range pairs {
			if keep(i) {
				out = append(out, p)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name                    string
		pairs                   []LabelledPair
		minPrecision, minRecall float64
	}{
		{"all", pairs, minPrecision, minRecall},
		{"tuning", split(func(i int) bool { return !heldOut(i) }), minPrecision, minRecall},
		{"held_out", split(heldOut), minHeldOutPrecision, minHeldOutRecall},
	} {
		t.Run(tc.name, func(t *testing.T) {
			precision, recall, c := Evaluate(tc.pairs)
			t.Logf("%d pairs: precision %.4f, recall %.4f (TP %d, FP %d, TN %d, FN %d)",
				len(tc.pairs), precision, recall, c.TruePositives, c.FalsePositives, c.TrueNegatives, c.FalseNegatives)
			for _, e := range c.Errors {
				t.Logf("misclassified %s (%s, %s): score %.3f\n  a: %s\n  b: %s\n  %s\n  note: %s",
					e.Pair.ID, e.Pair.Label, e.Pair.Kind, e.Candidate.Score,
					describe(&e.Pair.A), describe(&e.Pair.B), reasons(e.Candidate.Reasons), e.Pair.Note)
			}
			if precision < tc.minPrecision || recall < tc.minRecall {
				t.Errorf("precision %.4f, recall %.4f; want at least %.2f and %.2f", precision, recall, tc.minPrecision, tc.minRecall)
			}
		})
	}
}

func describe(r *Record) string {
	return fmt.Sprintf("%s %s %s bp=%s c=%s/%s m=%q/%d f=%q/%d ids=%v",
		r.FullName, r.BirthDate, r.Sex, r.BirthPlace, r.Province, r.Commune, r.MotherName, r.MotherKey, r.FatherName, r.FatherKey, r.LegacyIDs)
}

func reasons(rs []Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %+.1f", r.Code, r.Weight)
	}
	return b.String()
}
