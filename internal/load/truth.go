package load

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"dancu/internal/seed"
)

// TruthScore compares duplicate pairs a detector found with a seeded
// ground truth. Pairs are judged as merging would use them: transitively.
// A found pair is right when both records are the same human in the truth
// (a duplicate, or two duplicates of one original); a true pair is found
// when the found pairs connect its two records.
type TruthScore struct {
	Found, Right         int // pairs found, and of those the right ones
	TruePairs, Recovered int // duplicate pairs in the truth, and of those the ones found
	// HardNegatives counts the twin and namesake pairs of the truth the
	// detector wrongly joined.
	HardNegatives int
	Precision     float64
	Recall        float64
	// Wrong lists up to 20 wrongly found pairs for a person to look at.
	Wrong [][2]string
}

// ScoreAgainstTruth scores found pairs (personal ID numbers) against a
// truth file of the seeder.
func ScoreAgainstTruth(truth io.Reader, found [][2]string) (TruthScore, error) {
	var sc TruthScore
	same := newUnion()
	var dups, negatives [][2]string
	br := bufio.NewScanner(truth)
	br.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for br.Scan() {
		line++
		var t seed.Truth
		if err := json.Unmarshal(br.Bytes(), &t); err != nil {
			return sc, fmt.Errorf("truth line %d: %w", line, err)
		}
		switch t.Kind {
		case seed.TruthDuplicate:
			same.join(t.PID, t.Of)
			dups = append(dups, [2]string{t.PID, t.Of})
		case seed.TruthTwin, seed.TruthNamesake:
			negatives = append(negatives, [2]string{t.PID, t.Of})
		}
	}
	if err := br.Err(); err != nil {
		return sc, err
	}
	linked := newUnion()
	for _, p := range found {
		linked.join(p[0], p[1])
		sc.Found++
		if same.find(p[0]) == same.find(p[1]) {
			sc.Right++
		} else if len(sc.Wrong) < 20 {
			sc.Wrong = append(sc.Wrong, p)
		}
	}
	sc.TruePairs = len(dups)
	for _, d := range dups {
		if linked.find(d[0]) == linked.find(d[1]) {
			sc.Recovered++
		}
	}
	for _, n := range negatives {
		if n[1] != "" && linked.find(n[0]) == linked.find(n[1]) {
			sc.HardNegatives++
		}
	}
	sc.Precision, sc.Recall = 1, 1
	if sc.Found > 0 {
		sc.Precision = float64(sc.Right) / float64(sc.Found)
	}
	if sc.TruePairs > 0 {
		sc.Recall = float64(sc.Recovered) / float64(sc.TruePairs)
	}
	return sc, nil
}

// union is a union-find over personal ID numbers.
type union struct{ parent map[string]string }

func newUnion() *union { return &union{parent: map[string]string{}} }

func (u *union) find(x string) string {
	p, ok := u.parent[x]
	if !ok {
		return x
	}
	if p == x {
		return x
	}
	r := u.find(p)
	u.parent[x] = r
	return r
}

func (u *union) join(a, b string) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u.parent[ra] = rb
		if _, ok := u.parent[rb]; !ok {
			u.parent[rb] = rb
		}
	}
}
