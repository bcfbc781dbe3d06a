package accesslog_test

import (
	"fmt"
	"iter"
	"testing"
	"time"

	"dancu/internal/accesslog"
)

const testOrigin = "dancu.example/accesslog"

// Fixed key pairs, so that fuzz failures saved under testdata reproduce.
// They sign nothing but test checkpoints.
const (
	testSignerKey   = "PRIVATE+KEY+dancu.example/accesslog+97ed554b+AQ+NRkY2C37/wTP+xRT4trNIlIb42x1QROXl9W3MByg9"
	testVerifierKey = "dancu.example/accesslog+97ed554b+AdvW89O6faclSwG8kXOV1ceEROJCOLi/IFZRBC15VQr5"

	// The forger's key has the log's name but is not the log's key.
	forgerSignerKey   = "PRIVATE+KEY+dancu.example/accesslog+f0cf3be1+AQEJvpEr3Wcc0h7LPB/lQQDMQ4sUsCJ5EbhtQlKyuWrv"
	forgerVerifierKey = "dancu.example/accesslog+f0cf3be1+AQtIZH9nKHwCt6W2iozCjaF+ddeqvjNawEgKci38PPJS"
)

var testStart = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// testEntries returns n distinct entries, as a busy day of reads would.
func testEntries(n int) []accesslog.Entry {
	entries := make([]accesslog.Entry, n)
	for i := range entries {
		entries[i] = accesslog.Entry{
			At:        testStart.Add(time.Duration(i) * 1500 * time.Microsecond),
			ActorKind: "officer",
			ActorID:   fmt.Sprintf("officer-%d", i%7),
			Role:      "registrar",
			Unit:      fmt.Sprintf("unit-%d", i%3),
			Purpose:   "civil-status",
			PersonKey: int64(1000 + i%11),
			Fields:    []string{"name", "birth_date"},
			Action:    accesslog.ActionRead,
			RequestID: fmt.Sprintf("req-%04d", i),
		}
	}
	return entries
}

// stream yields entries as a store would, in log order.
func stream(entries []accesslog.Entry) iter.Seq2[accesslog.Entry, error] {
	return func(yield func(accesslog.Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// signCheckpoints signs a checkpoint with skey at each of sizes over
// entries, and returns them as a verifier gets them: opened with vkey.
func signCheckpoints(tb testing.TB, entries []accesslog.Entry, sizes []int64, skey, vkey string) []accesslog.Checkpoint {
	tb.Helper()
	var tree accesslog.Tree
	var checkpoints []accesslog.Checkpoint
	for _, size := range sizes {
		for tree.Size() < size {
			tree.Append(entries[tree.Size()])
		}
		msg, err := accesslog.SignCheckpoint(accesslog.Checkpoint{
			Origin: testOrigin,
			Size:   tree.Size(),
			Root:   tree.Root(),
			Time:   testStart.Add(time.Duration(size) * time.Minute),
		}, skey)
		if err != nil {
			tb.Fatal(err)
		}
		c, err := accesslog.OpenCheckpoint(msg, vkey)
		if err != nil {
			tb.Fatal(err)
		}
		checkpoints = append(checkpoints, c)
	}
	return checkpoints
}
