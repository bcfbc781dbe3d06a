package accesslog_test

import (
	"errors"
	"iter"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"dancu/internal/accesslog"
)

// The log under test: 100 entries, signed at these sizes. Entries 91 to
// 100 came after the last checkpoint.
const logSize = 100

var checkpointSizes = []int64{0, 10, 25, 50, 64, 90}

func honestLog(tb testing.TB) ([]accesslog.Entry, []accesslog.Checkpoint) {
	tb.Helper()
	entries := testEntries(logSize)
	return entries, signCheckpoints(tb, entries, checkpointSizes, testSignerKey, testVerifierKey)
}

func TestVerifyHonestLog(t *testing.T) {
	entries, checkpoints := honestLog(t)
	// Checkpoints come from files, in no particular order.
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(checkpoints), func(i, j int) {
		checkpoints[i], checkpoints[j] = checkpoints[j], checkpoints[i]
	})

	r, err := accesslog.Verify(stream(entries), checkpoints)
	if err != nil {
		t.Fatal(err)
	}
	if problems := r.Problems(); len(problems) != 0 || !r.OK() {
		t.Errorf("an untouched log has problems: %q", problems)
	}
	if r.Entries != logSize || r.Checked != len(checkpointSizes) || r.Matched != len(checkpointSizes) || r.Intact != 90 {
		t.Errorf("report %+v, want %d entries, all %d checkpoints matched, intact to 90", r, logSize, len(checkpointSizes))
	}
	if r.Uncovered() != 10 || r.Missing() != 0 {
		t.Errorf("Uncovered() = %d, Missing() = %d, want 10 and 0", r.Uncovered(), r.Missing())
	}
	if s := r.String(); !strings.Contains(s, "entries 91 to 100 are not yet covered by a checkpoint") {
		t.Errorf("String() does not mention the uncovered entries:\n%s", s)
	}
}

func TestVerifyEmptyLog(t *testing.T) {
	checkpoints := signCheckpoints(t, nil, []int64{0}, testSignerKey, testVerifierKey)
	r, err := accesslog.Verify(stream(nil), checkpoints)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Checked != 1 {
		t.Errorf("empty log against an empty checkpoint: %s", r)
	}
}

// TestVerifyDetectsTampering is the point of the package: each way someone
// who can write the database but lacks the key might alter the log.
func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]accesslog.Entry) []accesslog.Entry
		// The damage Report.Damaged should bound, 0 0 for none.
		damagedFirst, damagedLast int64
		missing                   int64
		problem                   string // part of the first problem
	}{
		{
			name: "an edited entry",
			tamper: func(entries []accesslog.Entry) []accesslog.Entry {
				entries[36].Purpose = "curiosity" // entry 37
				return entries
			},
			damagedFirst: 26, damagedLast: 50,
			problem: "one of entries 26 to 50 was changed",
		},
		{
			name: "an edited field list",
			tamper: func(entries []accesslog.Entry) []accesslog.Entry {
				entries[5].Fields = []string{"name"} // entry 6 hides that birth_date was read
				return entries
			},
			damagedFirst: 1, damagedLast: 10,
		},
		{
			name: "a deleted entry in the middle",
			tamper: func(entries []accesslog.Entry) []accesslog.Entry {
				return slices.Delete(entries, 36, 37) // entry 37
			},
			damagedFirst: 26, damagedLast: 50,
		},
		{
			name: "two entries swapped",
			tamper: func(entries []accesslog.Entry) []accesslog.Entry {
				entries[59], entries[60] = entries[60], entries[59] // entries 60 and 61
				return entries
			},
			damagedFirst: 51, damagedLast: 64,
		},
		{
			name: "an entry inserted",
			tamper: func(entries []accesslog.Entry) []accesslog.Entry {
				return slices.Insert(entries, 64, entries[3]) // a copy becomes entry 65
			},
			damagedFirst: 65, damagedLast: 90,
		},
		{
			name: "a truncated tail",
			tamper: func(entries []accesslog.Entry) []accesslog.Entry {
				return entries[:85] // the last 15 removed, 5 of them checkpointed
			},
			missing: 5,
			problem: "the log has 85 entries but the checkpoint of size 90 signed 2026-12-03T11:30:00Z covers 90: at least 5 entries missing after entry 64",
		},
		{
			name: "a deletion hidden by no checkpoint in between",
			tamper: func(entries []accesslog.Entry) []accesslog.Entry {
				entries = slices.Delete(entries, 69, 70) // entry 70
				return entries[:89]                      // and the tail after the last checkpoint
			},
			missing: 1,
			problem: "at least 1 entry missing after entry 64",
		},
		{
			name: "everything deleted",
			tamper: func([]accesslog.Entry) []accesslog.Entry {
				return nil
			},
			missing: 90,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, checkpoints := honestLog(t)
			r, err := accesslog.Verify(stream(tt.tamper(entries)), checkpoints)
			if err != nil {
				t.Fatal(err)
			}
			problems := r.Problems()
			if r.OK() || len(problems) == 0 {
				t.Fatalf("tampering went unnoticed:\n%s", r)
			}
			first, last, damaged := r.Damaged()
			if first != tt.damagedFirst || last != tt.damagedLast || damaged != (tt.damagedLast > 0) {
				t.Errorf("Damaged() = %d, %d, %v, want %d, %d\n%s", first, last, damaged, tt.damagedFirst, tt.damagedLast, r)
			}
			if r.Missing() != tt.missing {
				t.Errorf("Missing() = %d, want %d\n%s", r.Missing(), tt.missing, r)
			}
			if !strings.Contains(problems[0], tt.problem) {
				t.Errorf("first problem %q does not say %q", problems[0], tt.problem)
			}
			if r.LaterMatch != nil {
				t.Errorf("LaterMatch = %+v for a log altered after signing", r.LaterMatch)
			}
		})
	}
}

// TestVerifyDetectsRebuiltLog: someone with write access but without the
// key edits an entry, recomputes the whole tree and signs fresh checkpoints
// with a key of their own under the log's name. Their checkpoints do not
// open with the log's verifier key, and the log no longer matches the real
// ones.
func TestVerifyDetectsRebuiltLog(t *testing.T) {
	entries, realCheckpoints := honestLog(t)
	entries[36].PersonKey = 999_999 // hide whose data entry 37 was

	forged := signCheckpoints(t, entries, checkpointSizes, forgerSignerKey, forgerVerifierKey)
	if r, err := accesslog.Verify(stream(entries), forged); err != nil || !r.OK() {
		t.Fatalf("the forger's own checkpoints should agree with the forged log: %v\n%s", err, r)
	}
	for _, c := range forged {
		msg, err := accesslog.SignCheckpoint(c, forgerSignerKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := accesslog.OpenCheckpoint(msg, testVerifierKey); !errors.Is(err, accesslog.ErrNotSigned) {
			t.Errorf("forged checkpoint of size %d opened with the log's key: %v", c.Size, err)
		}
	}

	r, err := accesslog.Verify(stream(entries), realCheckpoints)
	if err != nil {
		t.Fatal(err)
	}
	if first, last, ok := r.Damaged(); !ok || first != 26 || last != 50 {
		t.Errorf("Damaged() = %d, %d, %v, want 26 to 50\n%s", first, last, ok, r)
	}
}

// TestVerifyTruncatingUncoveredEntries shows the limit: entries after the
// last checkpoint are vouched for by nothing, so removing them goes
// unnoticed. Sign checkpoints often.
func TestVerifyTruncatingUncoveredEntries(t *testing.T) {
	entries, checkpoints := honestLog(t)
	r, err := accesslog.Verify(stream(entries[:95]), checkpoints)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Uncovered() != 5 {
		t.Errorf("want OK with 5 uncovered entries:\n%s", r)
	}
}

// TestVerifyContradictoryCheckpoints: a checkpoint that disagrees with a
// larger one that matches means the key signed two histories.
func TestVerifyContradictoryCheckpoints(t *testing.T) {
	entries, checkpoints := honestLog(t)
	other := slices.Clone(entries)
	other[30].Unit = "elsewhere"
	checkpoints = append(checkpoints, signCheckpoints(t, other, []int64{40}, testSignerKey, testVerifierKey)...)

	r, err := accesslog.Verify(stream(entries), checkpoints)
	if err != nil {
		t.Fatal(err)
	}
	if r.FirstMismatch == nil || r.FirstMismatch.Size != 40 || r.LaterMatch == nil || r.LaterMatch.Size != 90 {
		t.Fatalf("want first mismatch at 40 and a later match at 90:\n%s", r)
	}
	if !slices.ContainsFunc(r.Problems(), func(p string) bool { return strings.Contains(p, "two different histories") }) {
		t.Errorf("problems do not mention the contradiction: %q", r.Problems())
	}
}

func TestVerifyTwoCheckpointsOfOneSize(t *testing.T) {
	entries, checkpoints := honestLog(t)
	bogus := checkpoints[3] // size 50
	bogus.Root[0] ^= 1
	checkpoints = append(checkpoints, bogus)

	r, err := accesslog.Verify(stream(entries), checkpoints)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || r.FirstMismatch == nil || r.FirstMismatch.Size != 50 {
		t.Errorf("two roots for size 50 went unnoticed:\n%s", r)
	}
}

func TestVerifyBadEmptyCheckpoint(t *testing.T) {
	entries, checkpoints := honestLog(t)
	checkpoints[0].Root[0] ^= 1 // size 0
	r, err := accesslog.Verify(stream(entries), checkpoints)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || !strings.Contains(r.Problems()[0], "empty log's root") {
		t.Errorf("a wrong root for the empty log went unnoticed:\n%s", r)
	}
}

func TestVerifyCannotRun(t *testing.T) {
	entries, checkpoints := honestLog(t)
	otherLog := checkpoints[1]
	otherLog.Origin = "elsewhere.example/log"
	negative := checkpoints[1]
	negative.Size = -1

	tests := []struct {
		name        string
		checkpoints []accesslog.Checkpoint
	}{
		{"no checkpoints", nil},
		{"two logs", append(slices.Clone(checkpoints), otherLog)},
		{"negative size", append(slices.Clone(checkpoints), negative)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := accesslog.Verify(stream(entries), tt.checkpoints); err == nil {
				t.Error("Verify ran")
			}
		})
	}
}

func TestVerifyReadError(t *testing.T) {
	entries, checkpoints := honestLog(t)
	broken := errors.New("disk on fire")
	failing := func(yield func(accesslog.Entry, error) bool) {
		for i, e := range entries {
			if i == 30 {
				yield(accesslog.Entry{}, broken)
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
	r, err := accesslog.Verify(iter.Seq2[accesslog.Entry, error](failing), checkpoints)
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "entry 31") {
		t.Errorf("error = %v, want the read error at entry 31", err)
	}
	if r.Entries != 30 || r.Intact != 25 {
		t.Errorf("report before the error: %+v", r)
	}
}
