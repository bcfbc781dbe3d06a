package accesslog_test

import (
	"fmt"
	"time"

	"dancu/internal/accesslog"
)

// Example shows the sequencer's side — append, persist the tree, sign a
// checkpoint — and the auditor's: open the checkpoint with the public key
// and verify the entries against it.
func Example() {
	entries := testEntries(5)

	// Sequencer: in the transaction that stores entries, restore the tree
	// from its row, append them in sequence order, and save it back.
	var tree accesslog.Tree
	for _, e := range entries {
		tree.Append(e)
	}
	state, _ := tree.MarshalBinary() // the tree's row

	// After a restart: restore, then sign.
	var restored accesslog.Tree
	if err := restored.UnmarshalBinary(state); err != nil {
		panic(err)
	}
	msg, err := accesslog.SignCheckpoint(accesslog.Checkpoint{
		Origin: "dancu.example/accesslog",
		Size:   restored.Size(),
		Root:   restored.Root(),
		Time:   time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
	}, testSignerKey)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", msg) // the file kept outside the database

	// Auditor: only the verifier key, the checkpoint files and the entries.
	c, err := accesslog.OpenCheckpoint(msg, testVerifierKey)
	if err != nil {
		panic(err)
	}
	report, err := accesslog.Verify(stream(entries), []accesslog.Checkpoint{c})
	if err != nil {
		panic(err)
	}
	fmt.Print(report)
	// Output:
	// dancu.example/accesslog
	// 5
	// UUKcxBnP6FiNgYifp3ENj4bziD1zYybJ9etGAnlPMZ0=
	// time 2026-12-03T10:00:00Z
	//
	// — dancu.example/accesslog l+1VS4ve+eTEXI9H+lIPspx/tqyYm27NJRmi/2EaFEcCAJf6roWCvoXEtDOSNE5eAS1nXMRAS22lJhfTr6t+bvDRUAg=
	//
	// read 5 entries; compared 1 of 1 checkpoints, 1 matched
	// entries 1 to 5 are as signed
}
