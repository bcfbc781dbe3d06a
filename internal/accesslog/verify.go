// Verification needs the entries, the signed checkpoints and the public
// verifier key (used to open the checkpoints) — no secret, no database
// access beyond reading. An auditor, or the person whose data was read, can
// run it on an export. It recomputes the tree from the entries and compares
// its root at each checkpoint's size with the signed one: the first
// disagreement bounds where the damage is, and a log shorter than a
// checkpoint has lost entries.

package accesslog

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
)

// Report is what Verify found. Problems turns it into sentences.
type Report struct {
	// Entries is the number of entries read.
	Entries int64
	// Checkpoints is the number of checkpoints given. Checked of them were
	// reached by the log and had their root compared; Matched of those
	// agreed with the recomputed root.
	Checkpoints, Checked, Matched int
	// Intact is the size of the largest checkpoint that matched with no
	// mismatch before it: entries 1 to Intact are exactly as signed.
	Intact int64
	// FirstMismatch is the smallest checkpoint whose root differs from the
	// one recomputed from the entries, or nil. Entries Intact+1 to
	// FirstMismatch.Size hold the first damage.
	FirstMismatch *Checkpoint
	// LaterMatch is the largest checkpoint that matched although
	// FirstMismatch, no larger, did not; nil when none. No log agrees with
	// both, so the key signed two different histories (or a checkpoint of
	// another log with the same origin is in the set).
	LaterMatch *Checkpoint
	// Largest is the largest checkpoint, nil when none was given. A log
	// with fewer entries has lost some.
	Largest *Checkpoint
	// Unreached counts the checkpoints larger than the log.
	Unreached int
}

// Verify reads entries in log order (sequence 1 to n) and checks them
// against checkpoints, already opened with the log's verifier key, given in
// any order. Findings about the log, however bad, are in the Report; the
// error is for when verification could not be done: no checkpoints,
// checkpoints of different logs or with a negative size, or an entry that
// could not be read (the Report then covers the entries before it).
//
// Entries after the largest checkpoint are allowed: they are not yet
// covered by a checkpoint, and nothing vouches for them yet.
func Verify(entries iter.Seq2[Entry, error], checkpoints []Checkpoint) (Report, error) {
	if len(checkpoints) == 0 {
		return Report{}, errors.New("accesslog: no checkpoint to verify against")
	}
	sorted := slices.Clone(checkpoints)
	slices.SortStableFunc(sorted, func(a, b Checkpoint) int { return cmp.Compare(a.Size, b.Size) })
	for _, c := range sorted {
		if c.Size < 0 {
			return Report{}, fmt.Errorf("accesslog: checkpoint size %d is negative", c.Size)
		}
		if c.Origin != sorted[0].Origin {
			return Report{}, fmt.Errorf("accesslog: checkpoints of two logs, %q and %q", sorted[0].Origin, c.Origin)
		}
	}

	r := Report{Checkpoints: len(sorted), Largest: &sorted[len(sorted)-1]}
	var tree Tree
	next := 0 // sorted[next] is the smallest checkpoint not yet compared
	compare := func() {
		if next == len(sorted) || sorted[next].Size != tree.Size() {
			return
		}
		root := tree.Root()
		for ; next < len(sorted) && sorted[next].Size == tree.Size(); next++ {
			c := &sorted[next]
			r.Checked++
			switch {
			case c.Root != root:
				if r.FirstMismatch == nil {
					r.FirstMismatch = c
				}
			case r.FirstMismatch == nil:
				r.Matched++
				r.Intact = c.Size
			default:
				r.Matched++
				r.LaterMatch = c
			}
		}
	}

	compare() // a checkpoint of the empty log
	for e, err := range entries {
		if err != nil {
			r.Entries = tree.Size()
			r.Unreached = len(sorted) - next
			return r, fmt.Errorf("accesslog: reading entry %d: %w", tree.Size()+1, err)
		}
		tree.Append(e)
		compare()
	}
	r.Entries = tree.Size()
	r.Unreached = len(sorted) - next
	return r, nil
}

// Damaged returns the range of entry positions, first to last inclusive,
// where the first damage lies, and whether there is any: somewhere in that
// range an entry was changed, removed, inserted or moved.
func (r Report) Damaged() (first, last int64, ok bool) {
	if r.FirstMismatch == nil || r.FirstMismatch.Size <= r.Intact {
		return 0, 0, false
	}
	return r.Intact + 1, r.FirstMismatch.Size, true
}

// Missing returns how many entries at least are gone: how far the log falls
// short of its largest checkpoint.
func (r Report) Missing() int64 {
	if r.Largest == nil {
		return 0
	}
	return max(r.Largest.Size-r.Entries, 0)
}

// Uncovered returns how many entries come after the largest checkpoint:
// not yet covered by a checkpoint, which is normal for the newest entries
// and not a problem, but nothing vouches for them yet.
func (r Report) Uncovered() int64 {
	if r.Largest == nil {
		return r.Entries
	}
	return max(r.Entries-r.Largest.Size, 0)
}

// OK reports whether verification found no problem.
func (r Report) OK() bool {
	return len(r.Problems()) == 0
}

// Problems describes what is wrong with the log, one sentence each, for
// people; it is empty when every checkpoint reached matches and the log is
// no shorter than any checkpoint.
func (r Report) Problems() []string {
	var problems []string
	if first, last, ok := r.Damaged(); ok {
		where := fmt.Sprintf("one of entries %d to %d", first, last)
		if first == last {
			where = fmt.Sprintf("entry %d", first)
		}
		p := fmt.Sprintf("the log does not match %s: %s was changed, removed, inserted or moved", describe(r.FirstMismatch), where)
		if r.Intact > 0 {
			p += fmt.Sprintf(" (entries 1 to %d match)", r.Intact)
		}
		if more := r.Checked - r.Matched - 1; more > 0 {
			p += fmt.Sprintf("; %d larger checkpoint(s) do not match either", more)
		}
		problems = append(problems, p)
	} else if r.FirstMismatch != nil && r.FirstMismatch.Size == 0 {
		problems = append(problems, fmt.Sprintf("%s does not have the empty log's root", describe(r.FirstMismatch)))
	} else if r.FirstMismatch != nil {
		problems = append(problems, fmt.Sprintf("%s has a different root from another signed checkpoint of the same size",
			describe(r.FirstMismatch)))
	}
	if r.LaterMatch != nil {
		problems = append(problems, fmt.Sprintf("the log matches %s but not %s: the key signed two different histories, or a checkpoint of another log is among them",
			describe(r.LaterMatch), describe(r.FirstMismatch)))
	}
	if missing := r.Missing(); missing > 0 {
		confirmed := r.Intact
		if r.LaterMatch != nil {
			confirmed = r.LaterMatch.Size
		}
		p := fmt.Sprintf("the log has %s but %s covers %d: at least %s missing", count(r.Entries), describe(r.Largest), r.Largest.Size, count(missing))
		if confirmed > 0 {
			p += fmt.Sprintf(" after entry %d", confirmed)
		}
		problems = append(problems, p)
	}
	return problems
}

// String summarises the report over several lines.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "read %s; compared %d of %d checkpoints, %d matched\n", count(r.Entries), r.Checked, r.Checkpoints, r.Matched)
	problems := r.Problems()
	for _, p := range problems {
		fmt.Fprintf(&b, "PROBLEM: %s\n", p)
	}
	if len(problems) == 0 && r.Intact > 0 {
		fmt.Fprintf(&b, "entries 1 to %d are as signed\n", r.Intact)
	}
	if n := r.Uncovered(); n > 0 {
		fmt.Fprintf(&b, "entries %d to %d are not yet covered by a checkpoint\n", r.Entries-n+1, r.Entries)
	}
	return b.String()
}

// describe names a checkpoint for people.
func describe(c *Checkpoint) string {
	s := fmt.Sprintf("the checkpoint of size %d", c.Size)
	if !c.Time.IsZero() {
		s += " signed " + c.Time.UTC().Format(time.RFC3339)
	}
	return s
}

// count says "1 entry" or "n entries".
func count(n int64) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
