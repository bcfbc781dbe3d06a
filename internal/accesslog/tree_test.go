package accesslog_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"dancu/internal/accesslog"
)

// tlogTree is the reference: Go's checksum database implementation, which
// stores every interior hash of the tree.
type tlogTree struct {
	stored []tlog.Hash
	size   int64
}

func (r *tlogTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	hashes := make([]tlog.Hash, len(indexes))
	for i, index := range indexes {
		hashes[i] = r.stored[index]
	}
	return hashes, nil
}

func (r *tlogTree) append(tb testing.TB, leaf []byte) {
	tb.Helper()
	hashes, err := tlog.StoredHashes(r.size, leaf, r)
	if err != nil {
		tb.Fatal(err)
	}
	r.stored = append(r.stored, hashes...)
	r.size++
}

func (r *tlogTree) root(tb testing.TB) [32]byte {
	tb.Helper()
	h, err := tlog.TreeHash(r.size, r)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func TestTreeMatchesTlog(t *testing.T) {
	const maxSize = 600
	entries := testEntries(maxSize)
	var tree accesslog.Tree
	var reference tlogTree
	for size := 0; ; size++ {
		if tree.Size() != int64(size) {
			t.Fatalf("Size() = %d after %d appends", tree.Size(), size)
		}
		if got, want := tree.Root(), reference.root(t); got != want {
			t.Fatalf("size %d: Root() = %x, tlog.TreeHash = %x", size, got, want)
		}
		if size == maxSize {
			break
		}
		tree.AppendHash(accesslog.LeafHash(entries[size]))
		reference.append(t, entries[size].Leaf())
	}
}

func TestEmptyTreeRoot(t *testing.T) {
	var tree accesslog.Tree
	if got, want := tree.Root(), sha256.Sum256(nil); got != want {
		t.Errorf("empty Root() = %x, want SHA-256 of nothing %x", got, want)
	}
}

// TestTreeMarshalRoundTrip stops a sequencer at every size, restores its
// state as after a restart, and checks that both go on to the same roots.
func TestTreeMarshalRoundTrip(t *testing.T) {
	const maxSize = 130
	entries := testEntries(maxSize + 20)
	var tree accesslog.Tree
	for size := range maxSize {
		state, err := tree.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var restored accesslog.Tree
		if err := restored.UnmarshalBinary(state); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if restored.Size() != tree.Size() || restored.Root() != tree.Root() {
			t.Fatalf("size %d: restored tree has size %d root %x, want %d %x",
				size, restored.Size(), restored.Root(), tree.Size(), tree.Root())
		}
		again, _ := restored.MarshalBinary()
		if string(again) != string(state) {
			t.Fatalf("size %d: state changes when marshalled again", size)
		}

		original := tree // a copy is a snapshot
		for _, e := range entries[size : size+20] {
			original.Append(e)
			restored.Append(e)
		}
		if restored.Root() != original.Root() {
			t.Fatalf("restored at size %d and appended 20: roots differ", size)
		}

		tree.Append(entries[size])
	}
}

func TestTreeCopyIsSnapshot(t *testing.T) {
	entries := testEntries(10)
	var tree accesslog.Tree
	for _, e := range entries[:7] {
		tree.Append(e)
	}
	snapshot := tree
	root := snapshot.Root()
	for _, e := range entries[7:] {
		tree.Append(e)
	}
	if snapshot.Size() != 7 || snapshot.Root() != root {
		t.Error("appending to a tree changed a copy made before")
	}
}

func TestTreeUnmarshalRejects(t *testing.T) {
	state := func(version byte, size uint64, hashes int) []byte {
		b := []byte{version}
		b = binary.BigEndian.AppendUint64(b, size)
		return append(b, make([]byte, 32*hashes)...)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated size", []byte{1, 0, 0}},
		{"unknown version", state(2, 0, 0)},
		{"missing hash", state(1, 3, 1)},      // size 3 needs two subtree roots
		{"extra hash", state(1, 4, 2)},        // size 4 needs one
		{"partial hash", state(1, 1, 1)[:40]}, // 31 bytes of a hash
		{"negative size", state(1, 1<<63, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tree accesslog.Tree
			tree.Append(testEntries(1)[0])
			before := tree.Root()
			if err := tree.UnmarshalBinary(tt.data); err == nil {
				t.Fatalf("UnmarshalBinary(%x) accepted bad state", tt.data)
			}
			if tree.Size() != 1 || tree.Root() != before {
				t.Error("a failed UnmarshalBinary changed the tree")
			}
		})
	}
}

func TestTreeStateSize(t *testing.T) {
	for _, size := range []int64{0, 1, 2, 3, 255} {
		var tree accesslog.Tree
		for range size {
			tree.AppendHash([32]byte{1})
		}
		state, _ := tree.MarshalBinary()
		ones := 0
		for s := size; s > 0; s &= s - 1 {
			ones++
		}
		if want := 1 + 8 + 32*ones; len(state) != want {
			t.Errorf("size %d: state is %d bytes, want %d", size, len(state), want)
		}
	}
}

func BenchmarkTreeAppend(b *testing.B) {
	leaves := make([][32]byte, 1024)
	for i := range leaves {
		leaves[i] = sha256.Sum256([]byte(fmt.Sprint(i)))
	}
	var tree accesslog.Tree
	i := 0
	for b.Loop() {
		tree.AppendHash(leaves[i%len(leaves)])
		i++
	}
}
